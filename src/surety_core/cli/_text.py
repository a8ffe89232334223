"""Plain-text tables for the command line, aligned by display width (private).

East Asian wide and full-width characters take two columns in a terminal, combining marks none;
:func:`display_width` counts that way so that Japanese columns line up.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

__all__ = ["display_width", "fields", "fit", "pad", "table"]


def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """The number of terminal columns ``text`` takes (wide characters count 2)."""
    return sum(_char_width(c) for c in text)


def fit(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` columns, ending with ``…`` when cut."""
    if display_width(text) <= width:
        return text
    out: list[str] = []
    used = 0
    for char in text:
        w = _char_width(char)
        if used + w > width - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + "…"


def pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` columns (on the left when ``right``)."""
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: Sequence[int] = (),
    indent: str = "  ",
    max_width: int | None = None,
    shrink: Sequence[int] | None = None,
) -> str:
    """An aligned plain-text table: a header, a rule, one line per row.

    ``right`` lists the columns aligned right (numbers). With ``max_width`` the widest of the
    ``shrink`` columns (default: every left-aligned column) is shortened (with ``…``) until the
    table fits, never below 8 columns; numbers and dates keep their width.
    """
    columns = len(headers)
    cells = [list(headers), *([str(c) for c in row] for row in rows)]
    for row in cells:
        if len(row) != columns:
            raise ValueError("every row needs one cell per header")
    widths = [max(display_width(row[i]) for row in cells) for i in range(columns)]
    if max_width is not None:
        total = len(indent) + sum(widths) + 2 * (columns - 1)
        candidates = [i for i in range(columns) if i not in right] if shrink is None else shrink
        while total > max_width and candidates:
            widest = max(candidates, key=lambda i: widths[i])
            if widths[widest] <= 8:
                break
            widths[widest] -= 1
            total -= 1
    lines = []
    for n, row in enumerate(cells):
        parts = [
            pad(fit(cell, widths[i]), widths[i], right=i in right) for i, cell in enumerate(row)
        ]
        lines.append((indent + "  ".join(parts)).rstrip())
        if n == 0:
            lines.append(indent + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def fields(pairs: Sequence[tuple[str, str]], *, indent: str = "") -> str:
    """Labels and values, the values aligned in one column (labels may be Japanese)."""
    width = max((display_width(label) for label, _ in pairs), default=0)
    return "\n".join(f"{indent}{pad(label, width)}  {value}" for label, value in pairs)
