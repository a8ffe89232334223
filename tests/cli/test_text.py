"""Plain-text tables aligned by display width (East Asian wide characters take two columns)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from surety_core.cli._text import display_width, fit, pad, table

# Latin, kana, kanji, full-width forms and a combining mark.
CHARS = st.sampled_from("aZ0 -,円柏市保証ｱアｶ１Ａ\u3000\u0301")
TEXT = st.text(CHARS, max_size=20)


def test_wide_characters_count_two() -> None:
    assert display_width("0000000001") == 10
    assert display_width("柏市") == 4
    assert display_width("１Ａ\u3000") == 6  # full-width forms and the ideographic space
    assert display_width("ｱ") == 1  # half-width katakana
    assert display_width("e\u0301") == 1  # a combining accent takes no column


@given(TEXT, st.integers(0, 30), st.booleans())
def test_pad_reaches_the_width_and_keeps_the_text(text: str, width: int, right: bool) -> None:
    padded = pad(text, width, right=right)
    assert display_width(padded) == max(width, display_width(text))
    assert padded.strip(" ") == text.strip(" ")


@given(TEXT, st.integers(1, 30))
def test_fit_never_exceeds_the_width(text: str, width: int) -> None:
    cut = fit(text, width)
    assert display_width(cut) <= max(width, 1)
    if display_width(text) <= width:
        assert cut == text
    else:
        assert cut.endswith("…")
        assert text.startswith(cut[:-1])


@given(
    st.lists(st.lists(TEXT.filter(lambda t: t.strip() == t), min_size=3, max_size=3), max_size=5)
)
def test_table_columns_line_up(rows: list[list[str]]) -> None:
    headers = ["番号", "name", "金額"]
    lines = table(headers, rows, right=(2,)).split("\n")
    assert len(lines) == len(rows) + 2
    rule = lines[1]
    starts = [i for i, c in enumerate(rule) if c == "-" and rule[i - 1] == " "]
    total = display_width(rule)
    for line, row in zip(lines[2:], rows, strict=True):
        assert display_width(line) <= total
        # Left-aligned cells start at their column, counted in display columns ...
        for cell, start in zip(row[:2], starts, strict=False):
            assert line[_index(line, start) :].startswith(cell)
        # ... and the right-aligned column ends at the table's right edge.
        if row[2]:
            assert line.endswith(row[2])
            assert display_width(line) == total


def _index(line: str, columns: int) -> int:
    """The character index at which ``columns`` display columns have been used."""
    used = 0
    for i, char in enumerate(line):
        if used >= columns:
            return i
        used += display_width(char)
    return len(line)


def test_table_shrinks_the_widest_column_to_fit() -> None:
    rows = [["0000000001", "前払金保証 市道0001号線道路改良工事の非常に長い名称", "40,000,000円"]]
    text = table(["番号", "内容", "金額"], rows, max_width=60)
    assert all(display_width(line) <= 60 for line in text.splitlines())
    assert "…" in text
