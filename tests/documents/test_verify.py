"""Offline verification of certificate PDFs, including hostile input (fuzzed)."""

from __future__ import annotations

import logging
import os
import time
import tracemalloc
import zlib
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    DecodedStreamObject,
    DictionaryObject,
    EncodedStreamObject,
    NameObject,
    StreamObject,
)

from surety_core import DocumentError, InvalidInputError
from surety_core.documents import (
    DEFAULT_MAX_PDF_BYTES,
    PAYLOAD_ATTACHMENT_NAME,
    CertificateCheck,
    CertificateData,
    CheckStatus,
    PdfSignatureState,
    build_certificate_pdf,
    build_key_notice_pdf,
    read_certificate_pdf,
    read_pdf_file,
    verify_certificate_pdf,
)

Verify = Callable[[bytes], CertificateData]


@pytest.fixture(scope="session")
def genuine(certificate: CertificateData, signer: Any) -> bytes:
    return build_certificate_pdf(certificate, signer.sign(certificate))


def test_valid(genuine: bytes, certificate: CertificateData, verify_trusted: Verify) -> None:
    check = verify_certificate_pdf(genuine, verify_trusted)
    assert check == CertificateCheck(
        CheckStatus.VALID,
        certificate,
        reason="the file is byte for byte the certificate built from its signed content",
    )
    assert check.valid
    assert check.pdf_signature is PdfSignatureState.ABSENT


def test_tampered_payload(
    certificate: CertificateData, signer: Any, verify_trusted: Verify
) -> None:
    payload = signer.sign(certificate).replace(b"400000000", b"900000000")
    assert b"900000000" in payload
    check = verify_certificate_pdf(build_certificate_pdf(certificate, payload), verify_trusted)
    assert check.status is CheckStatus.PAYLOAD_REJECTED
    assert check.content is None
    assert not check.valid


def test_unknown_signer(genuine: bytes, verify_untrusted: Verify) -> None:
    assert verify_certificate_pdf(genuine, verify_untrusted).status is CheckStatus.PAYLOAD_REJECTED


def test_forged_page_with_genuine_payload(
    certificate: CertificateData, signer: Any, verify_trusted: Verify
) -> None:
    forged = attrs.evolve(certificate, amount=900_000_000)
    pdf = build_certificate_pdf(forged, signer.sign(certificate))
    check = verify_certificate_pdf(pdf, verify_trusted)
    assert check.status is CheckStatus.TEXT_MISMATCH
    assert check.content == certificate
    assert set(check.mismatched_lines) == {"保証金額 400,000,000円", "保証金額 900,000,000円"}


def test_edited_content_stream(genuine: bytes, verify_trusted: Verify) -> None:
    # Edit the page in place: the amount's digits in the (uncompressed) content stream.
    old = "400,000,000".encode("utf-16-be").hex().upper().encode()
    new = "900,000,000".encode("utf-16-be").hex().upper().encode()
    assert genuine.count(old) == 1
    edited = genuine.replace(old, new)
    check = verify_certificate_pdf(edited, verify_trusted)
    assert check.status is CheckStatus.TEXT_MISMATCH
    assert "保証金額 900,000,000円" in check.mismatched_lines


@pytest.mark.parametrize(
    "field",
    [
        "contract_number",
        "version",
        "period",
        "contract_price",
        "works_period",
        "site",
        "terms",
        "principal_address",
        "surety_representative",
        "amendment",
    ],
)
def test_every_field_is_compared(
    certificate: CertificateData, signer: Any, verify_trusted: Verify, field: str
) -> None:
    from datetime import date

    from surety_core import Period, Terms

    assert certificate.amendment is not None
    changes: dict[str, Any] = {
        "contract_number": "0000000002",
        "version": 3,
        "period": Period(date(2025, 4, 1), date(2026, 3, 30)),
        "contract_price": 900_000_001,
        "works_period": Period(date(2025, 4, 2), date(2026, 3, 31)),
        "site": "神奈川県横浜市西区地内",
        "terms": Terms("前払金保証約款", "令和7年1月1日改定", "前払金の返還債務"),
        "principal_address": "神奈川県横浜市中区1-2",
        "surety_representative": "代表取締役 佐藤花子",
        "amendment": attrs.evolve(certificate.amendment, reason="工期の延長"),
    }
    forged = attrs.evolve(certificate, **{field: changes[field]})
    pdf = build_certificate_pdf(forged, signer.sign(certificate))
    assert verify_certificate_pdf(pdf, verify_trusted).status is CheckStatus.TEXT_MISMATCH


def test_no_payload(notice: Any, verify_trusted: Verify) -> None:
    pdf = build_key_notice_pdf(notice)
    assert verify_certificate_pdf(pdf, verify_trusted).status is CheckStatus.NO_PAYLOAD


def test_wrong_return_type_is_a_caller_error(genuine: bytes) -> None:
    with pytest.raises(InvalidInputError):
        verify_certificate_pdf(genuine, lambda payload: "content")  # type: ignore[arg-type,return-value]


def _encrypted(pdf: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf)))
    writer.encrypt("secret", algorithm="AES-256")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda pdf: pdf[: len(pdf) // 2], id="truncated"),
        pytest.param(lambda pdf: pdf[:100], id="truncated-header"),
        pytest.param(lambda pdf: b"", id="empty"),
        pytest.param(lambda pdf: b"PK\x03\x04 not a pdf", id="non-pdf"),
        pytest.param(lambda pdf: pdf + b"\x00" * 1_000_001, id="huge"),
        pytest.param(_encrypted, id="encrypted"),
        pytest.param(lambda pdf: b"%PDF-1.7\n" + bytes(range(256)) * 20, id="garbage"),
        pytest.param(
            lambda pdf: pdf.replace(b"/Type /Pages", b"/Type /Pagez"), id="corrupted-tree"
        ),
    ],
)
def test_hostile_input_is_a_document_error(
    genuine: bytes, verify_trusted: Verify, make: Callable[[bytes], bytes]
) -> None:
    with pytest.raises(DocumentError):
        verify_certificate_pdf(make(genuine), verify_trusted)


def test_byte_limit_is_configurable(genuine: bytes, verify_trusted: Verify) -> None:
    with pytest.raises(DocumentError, match="too large"):
        verify_certificate_pdf(genuine, verify_trusted, max_bytes=len(genuine) - 1)


def test_not_bytes_is_a_caller_error(verify_trusted: Verify) -> None:
    with pytest.raises(InvalidInputError):
        verify_certificate_pdf("%PDF-", verify_trusted)  # type: ignore[arg-type]


def _outcome(data: bytes, verify: Verify) -> CheckStatus | None:
    """Only two outcomes are allowed: a verdict, or a DocumentError (None)."""
    try:
        return verify_certificate_pdf(data, verify, max_bytes=64_000).status
    except DocumentError:
        return None


mutation = st.tuples(
    st.sampled_from(["flip", "cut", "insert", "delete"]),
    st.integers(min_value=0, max_value=10**6),
    st.binary(min_size=1, max_size=16),
)


@settings(max_examples=60)
@given(st.lists(mutation, min_size=1, max_size=4))
def test_fuzz_mutated_certificates(
    genuine: bytes, verify_trusted: Verify, mutations: list[tuple[str, int, bytes]]
) -> None:
    data = bytearray(genuine)
    for kind, at, chunk in mutations:
        i = at % max(len(data), 1)
        if kind == "flip" and data:
            data[i] ^= chunk[0] or 1
        elif kind == "cut":
            del data[i:]
        elif kind == "insert":
            data[i:i] = chunk
        else:
            del data[i : i + len(chunk)]
    status = _outcome(bytes(data), verify_trusted)
    # No byte of a certificate "does not matter": any change at all is refused.
    assert (status is CheckStatus.VALID) == (bytes(data) == genuine)


@settings(max_examples=60)
@given(st.binary(max_size=4096), st.booleans())
def test_fuzz_random_bytes(verify_trusted: Verify, data: bytes, header: bool) -> None:
    payload = (b"%PDF-1.7\n" + data) if header else data
    assert _outcome(payload, verify_trusted) in (None, CheckStatus.NO_PAYLOAD)


def _pdf_with_content(content: bytes, payload: bytes, *, flate: bool) -> bytes:
    """A one-page PDF with a font, ``content`` as its page (optionally Flate-compressed) and
    ``payload`` attached; a payload starting with ``BOMB`` is replaced by a compressed bomb."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    fonts = DictionaryObject({NameObject("/F1"): writer._add_object(font)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    stream: Any = EncodedStreamObject() if flate else DecodedStreamObject()
    if flate:
        stream._data = zlib.compress(content, 9)
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    else:
        stream.set_data(content)
    page[NameObject("/Contents")] = writer._add_object(stream)
    writer.add_attachment(PAYLOAD_ATTACHMENT_NAME, payload)
    if payload.startswith(b"BOMB"):
        for obj in writer._objects:
            if isinstance(obj, StreamObject) and obj.get("/Type") == "/EmbeddedFile":
                obj._data = zlib.compress(b"{" * 100_000_000, 9)
                obj[NameObject("/Filter")] = NameObject("/FlateDecode")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "flate", "bomb_payload"),
    [
        pytest.param(
            b"BT /F1 12 Tf (" + b"A" * 100_000_000 + b") Tj ET", True, False, id="text-bomb"
        ),
        pytest.param(b"BT /F1 12 Tf (x) Tj ET", False, True, id="attachment-bomb"),
        pytest.param(
            b"BT /F1 12 Tf " + b"[" * 100_000 + b"]" * 100_000 + b" TJ ET",
            False,
            False,
            id="deep-nesting",
        ),
        pytest.param(b"BT /F1 12 Tf " + b"(a) Tj " * 100_000 + b"ET", False, False, id="many-ops"),
    ],
)
def test_resource_attacks_stay_bounded(
    certificate: CertificateData,
    signer: Any,
    verify_trusted: Verify,
    content: bytes,
    flate: bool,
    bomb_payload: bool,
) -> None:
    payload = b"BOMB" if bomb_payload else signer.sign(certificate)
    pdf = _pdf_with_content(content, payload, flate=flate)
    assert len(pdf) < DEFAULT_MAX_PDF_BYTES
    tracemalloc.start()
    try:
        try:
            status: CheckStatus | None = verify_certificate_pdf(pdf, verify_trusted).status
        except DocumentError:
            status = None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert status is not CheckStatus.VALID
    # pypdf's own defaults let the bombs inflate to ~150 MB; the verifier's limits keep it small.
    assert peak < 32_000_000


def test_unprintable_signed_content_is_a_document_error(
    genuine: bytes, certificate: CertificateData
) -> None:
    unprintable = attrs.evolve(certificate, principal_name="株式会社\U00020bb7野建設")
    with pytest.raises(DocumentError, match="cannot be printed"):
        verify_certificate_pdf(genuine, lambda payload: unprintable)


@pytest.mark.parametrize("limit", [0, -1, True, 1.5])
def test_bad_byte_limit_is_a_caller_error(
    genuine: bytes, verify_trusted: Verify, limit: Any
) -> None:
    with pytest.raises(InvalidInputError):
        verify_certificate_pdf(genuine, verify_trusted, max_bytes=limit)


# -- reading from disk -----------------------------------------------------------------------


def test_read_pdf_file_reads_a_regular_file(tmp_path: Path, genuine: bytes) -> None:
    path = tmp_path / "c.pdf"
    path.write_bytes(genuine)
    assert read_pdf_file(path) == genuine
    assert read_pdf_file(str(path)) == genuine
    link = tmp_path / "link.pdf"
    link.symlink_to(path)
    assert read_pdf_file(link) == genuine


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda d: d / "missing.pdf", "no file", id="missing"),
        pytest.param(lambda d: d, "folder", id="folder"),
        pytest.param(lambda d: Path("/dev/zero"), "not a regular file", id="dev-zero"),
        pytest.param(lambda d: Path("/dev/null"), "not a regular file", id="dev-null"),
        pytest.param(lambda d: str(d / "a\x00b.pdf"), "NUL", id="nul-byte"),
    ],
)
def test_read_pdf_file_refuses_what_is_not_a_regular_file(
    tmp_path: Path, make: Callable[[Path], Any], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        read_pdf_file(make(tmp_path), option="FILE")


def test_read_pdf_file_does_not_hang_on_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.pdf"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(InvalidInputError, match="not a regular file"):
        read_pdf_file(fifo)
    assert time.monotonic() - started < 5


def test_read_pdf_file_has_a_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.pdf"
    path.write_bytes(b"%PDF-" + b"0" * 2000)
    assert len(read_pdf_file(path, max_bytes=2005)) == 2005
    with pytest.raises(InvalidInputError, match="larger than"):
        read_pdf_file(path, max_bytes=2004)
    with pytest.raises(InvalidInputError):
        read_pdf_file(path, max_bytes=0)


def test_pypdf_log_is_silenced(
    genuine: bytes, verify_trusted: Verify, caplog: pytest.LogCaptureFixture
) -> None:
    # A catalog with 5,000 repeated keys: pypdf logs one warning per repetition.
    noisy = genuine.replace(b"/Type /Catalog\n", b"/Type /Catalog\n" + b"/X 1\n" * 5000, 1)
    with caplog.at_level(logging.DEBUG):
        reader = PdfReader(BytesIO(noisy))
        assert len(reader.pages) == 1
        assert any(r.name.startswith("pypdf") for r in caplog.records)  # noisy indeed
        caplog.clear()
        check = verify_certificate_pdf(noisy, verify_trusted)
        read_certificate_pdf(noisy)
    assert check.status is CheckStatus.ALTERED
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
    assert logging.getLogger("pypdf").level == logging.NOTSET  # put back afterwards
