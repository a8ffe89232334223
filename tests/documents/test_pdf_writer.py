"""The PDF file structure the page writer produces: cross-reference offsets, strict reading,
text strings, attachments, determinism across processes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, TextStringObject

from surety_core.documents import (
    CertificateData,
    KeyNoticeData,
    build_certificate_pdf,
    build_key_notice_pdf,
)
from surety_core.documents._pdf import Face, PageWriter, _text_string

_STARTXREF = re.compile(rb"startxref\n(\d+)\n%%EOF\n\Z")
_TRAILER = re.compile(
    rb"trailer\n<<\n/Size (\d+)\n/Root 3 0 R\n/Info 1 0 R\n/ID \[ <([0-9a-f]{32})> "
)


def _page() -> PageWriter:
    page = PageWriter()
    page.text(56, 780, "保証 証書 (1) \\ ＡＢＣ", size=12)
    page.text(539.28, 760, "W77J-ABK2 (x) \\", face=Face.MONO, align="right")
    page.line(56, 750, 539.28, 750, width=0.4)
    page.rect(56, 700, 100, 30, fill_gray=0.93)
    page.fill_rects([(60, 600, 2.5, 2.5), (62.5, 600, 2.5, 2.5)])
    return page


def _write(
    page: PageWriter,
    *,
    document_id: bytes = bytes(range(16)),
    created_at: datetime = datetime(2025, 4, 1, 9, 0, tzinfo=timezone(timedelta(hours=9))),
    attachments: Sequence[tuple[str, bytes]] = (),
) -> bytes:
    return page.write(
        document_id=document_id,
        created_at=created_at,
        title="電子保証 (第2版)",
        subject="Subject \\ (x)",
        author="東日本建設業保証株式会社",
        attachments=attachments,
    )


def check_structure(pdf: bytes) -> PdfReader:
    """Every cross-reference entry points at its object; pypdf reads the file strictly."""
    assert pdf.startswith(b"%PDF-1.3\n")
    end = _STARTXREF.search(pdf)
    assert end is not None
    at = int(end[1])
    assert pdf[at : at + 5] == b"xref\n"
    head = re.compile(rb"xref\n0 (\d+)\n0000000000 65535 f \n").match(pdf, at)
    assert head is not None
    size = int(head[1])
    table = pdf[head.end() : head.end() + 20 * (size - 1)]
    entries = [table[i : i + 20] for i in range(0, len(table), 20)]
    assert len(entries) == size - 1
    offsets = []
    for number, entry in enumerate(entries, 1):
        assert re.fullmatch(rb"\d{10} 00000 n \n", entry), entry
        offset = int(entry[:10])
        assert pdf[offset:].startswith(b"%d 0 obj\n" % number), number
        offsets.append(offset)
    # the objects follow one another: each ends (endobj) where the next begins
    for offset, following in zip(offsets, [*offsets[1:], at], strict=True):
        assert pdf[offset:following].endswith(b"\nendobj\n")
        assert pdf.count(b" 0 obj\n", offset, following) == 1
    trailer = _TRAILER.match(pdf, head.end() + 20 * (size - 1))
    assert trailer is not None
    assert int(trailer[1]) == size
    reader = PdfReader(BytesIO(pdf), strict=True)
    assert len(reader.pages) == 1
    assert str(reader.trailer["/Size"]) == str(size)
    return reader


def test_notice_cross_reference_is_exact(notice: KeyNoticeData) -> None:
    reader = check_structure(build_key_notice_pdf(notice))
    assert "認証キー" in reader.pages[0].extract_text()
    assert reader.metadata is not None
    assert reader.metadata.title == notice.profile.title


def test_certificate_cross_reference_is_exact(certificate: CertificateData) -> None:
    payload = b'{"signed": true}\n\x00\xff(\\)'
    reader = check_structure(build_certificate_pdf(certificate, payload))
    assert list(reader.attachments.items()) == [("certificate-payload.json", [payload])]


def test_metadata_and_id_read_back() -> None:
    pdf = _write(_page())
    reader = check_structure(pdf)
    info = reader.metadata
    assert info is not None
    assert info.title == "電子保証 (第2版)"
    assert info.subject == "Subject \\ (x)"
    assert info.author == "東日本建設業保証株式会社"
    assert info.creator == "surety_core"
    assert info.producer == "surety_core (pypdf)"
    assert str(info["/CreationDate"]) == str(info["/ModDate"]) == "D:20250401000000Z"
    pair = reader.trailer["/ID"]
    assert isinstance(pair, ArrayObject)
    ids = [string.original_bytes for string in pair]
    assert ids == [bytes(range(16))] * 2
    assert [line.strip() for line in reader.pages[0].extract_text().splitlines()] == [
        "保証 証書 (1) \\ ＡＢＣ",
        "W77J-ABK2 (x) \\",
    ]


def test_attachments_are_listed_by_name_and_read_back() -> None:
    files = [("b.json", b"second"), ("a.json", b"first\r\n"), ("保証.txt", b""), ("a.json", b"x")]
    pdf = _write(_page(), attachments=files)
    reader = check_structure(pdf)
    assert reader.attachments == {
        "a.json": [b"first\r\n", b"x"],
        "b.json": [b"second"],
        "保証.txt": [b""],
    }
    names = re.search(rb"/Names \[ (.*?) \]", pdf)
    assert names is not None
    assert re.findall(rb"\((.*?)\) \d+ 0 R", names[1]) == [
        b"a\\056json",
        b"a\\056json",
        b"b\\056json",
        b"\\376\\377O\\335\\212\\074\\000\\056\\000t\\000x\\000t",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "surety_core (pypdf)",
        "D:20250401000000Z",
        "a\\b(c)d\r\ne\tf%/<>[]{}#",
        "".join(map(chr, range(1, 0x300))),
        "".join(map(chr, range(0x20, 0x300))),
        "€•—ﬁ−™Œž˘˜",
        "前払金保証 0000000001",
        "é(1)",
    ],
)
def test_text_strings_are_written_as_pypdf_writes_them(text: str) -> None:
    # PDFDocEncoding when every character has a code there, else UTF-16BE with a byte order
    # mark; every byte but letters, digits and the space as an octal escape.
    for string in [text, *text]:  # the whole string, then each character alone
        out = BytesIO()
        TextStringObject(string).write_to_stream(out)
        assert _text_string(string) == out.getvalue(), string


def test_every_number_written_the_same_way_after_a_cold_start() -> None:
    page = PageWriter()
    values = [0, -0.0, 0.004, -0.004, 0.005, 1e-9, 56, 56.0, 10.5, 841.89, -12.345, 1234567.891]
    for value in values:
        page.line(value, value, value, value, width=value)
    expected = [f"{v:.2f}".rstrip("0").rstrip(".") for v in values]
    expected = ["0" if e in ("-0", "") else e for e in expected]
    ops = page._ops
    assert [op.split()[0] for op in ops] == expected


_BUILD = """
import sys
from datetime import date
from surety_core.documents import KeyNoticeData
from surety_core import Period
from surety_core.documents import build_key_notice_pdf
{definition}
sys.stdout.buffer.write(build_key_notice_pdf(notice))
"""


def _notice_source(notice: KeyNoticeData) -> str:
    period = notice.period
    return (
        "notice = KeyNoticeData("
        f"product_name={notice.product_name!r}, contract_number={notice.contract_number!r}, "
        f"key={notice.key!r}, works_name={notice.works_name!r}, "
        f"works_number={notice.works_number!r}, obligee_name={notice.obligee_name!r}, "
        f"principal_name={notice.principal_name!r}, amount={notice.amount!r}, "
        f"period=Period(date.fromisoformat({period.start.isoformat()!r}), "
        f"date.fromisoformat({period.end.isoformat()!r})), "
        f"surety_name={notice.surety_name!r}, "
        f"issued_on=date.fromisoformat({notice.issued_on.isoformat()!r}))"
    )


def test_the_same_bytes_in_a_fresh_process_with_another_hash_seed(notice: KeyNoticeData) -> None:
    # Cold caches, another string hash order: nothing may depend on set order or on what the
    # process formatted before.
    here = build_key_notice_pdf(notice)
    source = _BUILD.format(definition=_notice_source(notice))
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", source],
            capture_output=True,
            check=True,
            env=env,
            timeout=60,
            cwd=Path(__file__).parent,
        )
        assert done.stdout == here


def test_two_pages_with_the_same_drawing_give_the_same_bytes() -> None:
    assert _write(_page()) == _write(_page())
    assert _write(_page(), created_at=datetime(2025, 4, 1, 0, 0, tzinfo=UTC)) == _write(_page())
    assert _write(_page(), document_id=bytes(16)) != _write(_page())
