"""Rendering with poppler: the page is not blank and Japanese glyphs are real glyphs, not boxes.

Needs ``pdftoppm``/``pdftotext`` (Debian: poppler-utils, poppler-data, fonts-ipafont-gothic).
Skips with a reason when missing, except under ``CI=true`` where it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import segno

from surety_core import GuaranteeContract
from surety_core.documents import (
    KeyNoticeData,
    KeyNoticeProfile,
    build_key_notice_pdf,
    key_notice_data_from_contract,
)
from surety_core.documents._pdf import A4_HEIGHT, A4_WIDTH, PageWriter

_MISSING = shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None
_NO_DATA = not Path("/usr/share/poppler/cMap/Adobe-Japan1").is_dir()
if (_MISSING or _NO_DATA) and os.environ.get("CI") == "true":
    pytest.fail(
        "poppler-utils, poppler-data and fonts-ipafont-gothic are required in CI", pytrace=False
    )
pytestmark = [
    pytest.mark.skipif(
        _MISSING, reason="poppler-utils not installed (apt-get install poppler-utils poppler-data)"
    ),
    pytest.mark.skipif(_NO_DATA, reason="poppler-data (Adobe-Japan1 CMaps) not installed"),
]

DPI = 36


def render_gray(pdf: bytes) -> tuple[int, int, bytes]:
    """Render page 1 to an 8-bit gray raster (PGM) and return width, height, pixels."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "page.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-gray", "-r", str(DPI), "-singlefile", str(source), str(Path(tmp) / "p")],
            capture_output=True,
            check=True,
            timeout=30,
        )
        out = (Path(tmp) / "p.pgm").read_bytes()
    fields = out.split(maxsplit=4)
    assert fields[0] == b"P5"
    width, height = int(fields[1]), int(fields[2])
    return width, height, fields[4][: width * height]


def ink(
    raster: tuple[int, int, bytes], box: tuple[float, float, float, float] | None = None
) -> int:
    """Sum of darkness inside ``box`` (x0, y0, x1, y1 in PDF points, origin bottom-left)."""
    width, height, pixels = raster
    if box is None:
        box = (0, 0, A4_WIDTH, A4_HEIGHT)
    scale = DPI / 72
    x0, x1 = int(box[0] * scale), int(box[2] * scale)
    y0, y1 = int(height - box[3] * scale), int(height - box[1] * scale)
    return sum(255 - pixels[y * width + x] for y in range(y0, y1) for x in range(x0, x1))


def one_char_page(char: str) -> bytes:
    page = PageWriter()
    page.text(100, 400, char * 4, size=72)
    return page.write(document_id=bytes(16), created_at=datetime(2025, 1, 1, tzinfo=UTC), title="")


def test_blank_page_has_no_ink() -> None:
    assert ink(render_gray(one_char_page(" "))) == 0


def test_japanese_glyphs_render_as_distinct_shapes() -> None:
    # A missing font shows every character as the same box; real glyphs differ in ink.
    box = (90, 380, 420, 480)
    one = ink(render_gray(one_char_page("一")), box)
    dense = ink(render_gray(one_char_page("鬱")), box)
    assert one > 0
    assert dense > 3 * one


def test_key_notice_renders_and_reads_back(notice: KeyNoticeData) -> None:
    pdf = build_key_notice_pdf(notice)
    raster = render_gray(pdf)
    title_band = (56, A4_HEIGHT - 110, A4_WIDTH - 56, A4_HEIGHT - 85)
    empty_band = (56, 120, A4_WIDTH - 56, 145)
    assert ink(raster, title_band) > 0
    assert ink(raster, empty_band) == 0
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True, timeout=30
    ).stdout.decode()
    assert "電子保証にかかる「認証キー」のお知らせ" in text
    assert "保証契約番号" in text
    assert notice.key in text


def test_the_key_notice_qr_code_renders_as_its_symbol(contract: GuaranteeContract) -> None:
    """Rendered by poppler, the QR code's module centres are dark exactly where segno's symbol
    of the viewing address is dark, and its quiet zone is blank (a camera can read it)."""
    url = "https://denshi-hosho.example.jp/view?number={number}"
    data = key_notice_data_from_contract(
        contract, "7KQM-3XTA-9PLW-R2DH-5C8N", profile=KeyNoticeProfile(viewing_url=url)
    )
    pdf = build_key_notice_pdf(data)
    symbol = segno.make_qr(url.format(number=contract.number), error="m", boost_error=False)
    matrix = [list(row) for row in symbol.matrix]
    dpi = 150
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "page.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-gray", "-r", str(dpi), "-singlefile", str(source), str(Path(tmp) / "p")],
            capture_output=True,
            check=True,
            timeout=30,
        )
        out = (Path(tmp) / "p.pgm").read_bytes()
    fields = out.split(maxsplit=4)
    width, height = int(fields[1]), int(fields[2])
    pixels = fields[4][: width * height]
    # Find the symbol: in the right-hand column of the lower half the drawings are, top down,
    # the table's border, the QR code and 以上; the last tall block of inked rows is the symbol.
    scale = dpi / 72
    xs = range(int((A4_WIDTH - 56 - 70) * scale), int((A4_WIDTH - 50) * scale))
    rows = [y for y in range(height // 2, height) if any(pixels[y * width + x] < 128 for x in xs)]
    blocks: list[list[int]] = [[rows[0]]]
    for y in rows[1:]:
        if y - blocks[-1][-1] > 8:
            blocks.append([])
        blocks[-1].append(y)
    block = [b for b in blocks if len(b) > 60][-1]
    y0, y1 = block[0], block[-1]
    dark = [x for y in block for x in xs if pixels[y * width + x] < 128]
    x0, x1 = min(dark), max(dark)
    count = len(matrix)
    unit = (x1 - x0 + 1) / count
    assert abs((y1 - y0 + 1) / count - unit) < 0.2  # square
    assert unit * 72 / dpi > 1.5  # modules of at least 0.5 mm
    seen = [
        [
            pixels[int(y0 + (r + 0.5) * unit) * width + int(x0 + (c + 0.5) * unit)] < 128
            for c in range(count)
        ]
        for r in range(count)
    ]
    assert seen == [[bool(v) for v in row] for row in matrix]
    quiet = int(4 * unit)
    around = [
        pixels[y * width + x]
        for y in range(y0 - quiet, y1 + quiet)
        for x in range(x0 - quiet, x1 + quiet)
        if not (x0 <= x <= x1 and y0 <= y <= y1)
    ]
    assert min(around) > 200
