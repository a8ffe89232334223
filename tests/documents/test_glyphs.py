"""The glyph table matches Adobe's CMaps (when poppler-data is installed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from surety_core.documents._glyphs import HALF_WIDTH_RANGES, is_half_width, is_supported

CMAPS = Path("/usr/share/poppler/cMap/Adobe-Japan1")


def _parse(path: Path) -> dict[int, int]:
    mapping: dict[int, int] = {}
    text = path.read_text(encoding="latin-1")
    for block in re.findall(r"begincidrange(.*?)endcidrange", text, re.S):
        for a, b, cid in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\d+)", block):
            start = int(a, 16)
            for u in range(start, int(b, 16) + 1):
                mapping[u] = int(cid) + u - start
    for block in re.findall(r"begincidchar(.*?)endcidchar", text, re.S):
        for a, cid in re.findall(r"<([0-9a-fA-F]+)>\s*(\d+)", block):
            mapping[int(a, 16)] = int(cid)
    return mapping


@pytest.mark.skipif(not CMAPS.is_dir(), reason="poppler-data (Adobe-Japan1 CMaps) not installed")
def test_table_matches_the_cmaps() -> None:
    mapping = _parse(CMAPS / "UniJIS-UCS2-H")
    mapping.update(_parse(CMAPS / "UniJIS-UCS2-HW-H"))
    for u in range(0x10000):
        if 0xD800 <= u <= 0xDFFF:
            continue
        cid = mapping.get(u, 0)
        expected = u >= 0x20 and 1 <= cid <= 8719
        assert is_supported(chr(u)) == expected, hex(u)
        if expected:
            half = 231 <= cid <= 325 or 327 <= cid <= 389 or cid == 8719
            assert is_half_width(chr(u)) == half, hex(u)


def test_examples() -> None:
    for char in "あア亜漢字,0Aｱ（）「」円年":
        assert is_supported(char)
    for char in "\U0001f600\ue000\x00\u0e01":
        assert not is_supported(char)
    assert is_half_width("A")
    assert not is_half_width("あ")
    assert HALF_WIDTH_RANGES[0][0] == 0x20
