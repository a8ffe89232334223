"""A small, fast, deterministic one-page PDF writer (private; the PDF adapter).

Japanese text uses a Type0 font with the predefined CMap ``UniJIS-UCS2-HW-H`` over the
non-embedded CIDFont ``HeiseiKakuGo-W5`` (Adobe-Japan1 Supplement 2): strings are written as
UTF-16BE hex strings, ASCII maps to the half-width CIDs 231-325 (``/W``), everything else is
1 em wide (``/DW 1000``). A small ``/ToUnicode`` CMap lists only the characters used, so text
extraction is exact and fast. The second face is the standard Courier (no embedding), used for
authentication keys because it tells ``0``/``O`` and ``1``/``l`` apart.

The file is written directly as bytes: a classic cross-reference table, uncompressed streams,
objects in a fixed order. The layout is byte for byte the one pypdf's ``PdfWriter`` gave the
same page (the golden files, and certificates already issued, stay valid): the same objects,
numbers, keys and key order, and the same string escaping. pypdf only reads PDFs now.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import Enum
from functools import lru_cache
from typing import Protocol

from surety_core import _validation as v
from surety_core._errors import DocumentError, InvalidInputError
from surety_core.documents._glyphs import HALF_WIDTH_RE, is_supported

__all__ = ["A4_HEIGHT", "A4_WIDTH", "Canvas", "Face", "PageWriter"]

A4_WIDTH = 595.28
"""A4 width in points (210 mm)."""
A4_HEIGHT = 841.89
"""A4 height in points (297 mm)."""

_MAX_TEXT = 2000
_MAX_OPS = 5000


class Face(Enum):
    """The two type faces of a page."""

    GOTHIC = "F1"
    """Japanese gothic (HeiseiKakuGo-W5, not embedded): any supported BMP character."""
    MONO = "F2"
    """Courier (a standard font, not embedded): printable ASCII only; for keys and codes."""


_MONO_FACE = Face.MONO
"""Looked up once: an enum member read from its class is slow on the drawing path."""


def aligned_x(x: float, width: float, align: str) -> float:
    """Where text of ``width`` starts when ``align`` (left, right, center) is taken at ``x``."""
    if align == "right":
        return x - width
    if align == "center":
        return x - width / 2
    if align != "left":
        raise InvalidInputError("align", "must be 'left', 'right' or 'center'")
    return x


class Canvas(Protocol):
    """What the document layouts draw on (implemented by :class:`PageWriter`)."""

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 10.5,
        face: Face = Face.GOTHIC,
        align: str = "left",
        field: str = "text",
    ) -> float: ...

    def line(self, x1: float, y1: float, x2: float, y2: float, *, width: float = 0.5) -> None: ...

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        width: float = 0.5,
        fill_gray: float | None = None,
    ) -> None: ...

    def fill_rects(self, rects: Sequence[tuple[float, float, float, float]]) -> None: ...


_PRINTABLE: set[str] = set()
"""Characters already found printable (at most the ~8,200 of Adobe-Japan1-2)."""


def _check_printable(text: str, field: str) -> None:
    for c in text:
        if not is_supported(c):
            raise InvalidInputError(
                field,
                f"character U+{ord(c):04X} cannot be printed "
                "(outside the BMP or without a glyph in Adobe-Japan1-2)",
            )
    _PRINTABLE.update(text)


_MONO_TEXT = re.compile("[ -~]*")
"""What the key face prints: printable ASCII."""

_MAX_NUMS = 20_000


class _Numbers(dict[float, str]):
    """Numbers as content streams write them (two decimals at most, no trailing zeros), kept
    once formatted: coordinates repeat from page to page. Emptied when it grows large."""

    def __missing__(self, value: float) -> str:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
        if len(self) >= _MAX_NUMS:
            self.clear()
        self[value] = text
        return text


_num = _Numbers().__getitem__
"""A number as a content stream writes it (a bound C method: no Python frame when known)."""


def _literal(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _pdf_date(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return utc.strftime("D:%Y%m%d%H%M%SZ")


# -- PDF text strings, as pypdf's TextStringObject writes them -----------------------------------


def _pdfdoc_table() -> dict[str, int]:
    table: list[str | None] = [chr(i) for i in range(256)]
    table[0x18:0x20] = "\u02d8\u02c7\u02c6\u02d9\u02dd\u02db\u02da\u02dc"
    table[0x80:0x9F] = (
        "\u2022\u2020\u2021\u2026\u2014\u2013\u0192\u2044\u2039\u203a\u2212\u2030\u201e\u201c"
        "\u201d\u2018\u2019\u201a\u2122\ufb01\ufb02\u0141\u0152\u0160\u0178\u017d\u0131\u0142"
        "\u0153\u0161\u017e"
    )
    table[0xA0] = "\u20ac"
    for undefined in (0x00, 0x16, 0x7F, 0x9F, 0xAD):
        table[undefined] = None
    return {c: i for i, c in enumerate(table) if c is not None}


_PDFDOC = _pdfdoc_table()
"""PDFDocEncoding (character -> byte) as pypdf 7 defines it: 251 characters."""
_ESCAPED = [bytes([b]) if bytes([b]).isalnum() or b == 0x20 else b"\\%03o" % b for b in range(256)]
"""Each byte as a literal string shows it: ASCII letters, digits and the space as themselves,
everything else as an octal escape."""


@lru_cache(maxsize=512)
def _text_string(text: str) -> bytes:
    """``text`` as a PDF text string: PDFDocEncoding when every character has a code there,
    otherwise UTF-16BE with a byte order mark; every byte but letters, digits and the space
    octal-escaped (exactly pypdf's ``TextStringObject``)."""
    try:
        data = bytes([_PDFDOC[c] for c in text])
    except KeyError:
        data = b"\xfe\xff" + text.encode("utf-16-be")
    return b"(" + b"".join([_ESCAPED[b] for b in data]) + b")"


# -- the fixed objects ---------------------------------------------------------------------------

_HEADER = b"%PDF-1.3\n%\xe2\xe3\xcf\xd3\n"
# The producer still names pypdf: the verifier rebuilds a certificate and compares every byte,
# so changing it would refuse every certificate issued so far.
_PRODUCER = b"<<\n/Producer " + _text_string("surety_core (pypdf)") + b"\n/Title "
_CREATOR = b"\n/Creator " + _text_string("surety_core") + b"\n/CreationDate "
_PAGES = b"<<\n/Type /Pages\n/Count 1\n/Kids [ 4 0 R ]\n>>"
_CATALOG = b"<<\n/Type /Catalog\n/Pages 2 0 R\n>>"
_CATALOG_NAMES = b"<<\n/Type /Catalog\n/Pages 2 0 R\n/Names %d 0 R\n>>"
_PAGE = (
    b"<<\n/Type /Page\n/Resources <<\n/Font <<\n/F1 8 0 R\n/F2 9 0 R\n>>\n"
    b"/ProcSet [ /PDF /Text ]\n>>\n/MediaBox [ 0.0 0.0 595.28 841.89 ]\n"
    b"/Parent 2 0 R\n/Contents 10 0 R\n>>"
)
_DESCRIPTOR = (
    b"<<\n/Type /FontDescriptor\n/FontName /HeiseiKakuGo-W5\n/Flags 4\n"
    b"/FontBBox [ -92 -250 1010 922 ]\n/ItalicAngle 0\n/Ascent 880\n/Descent -120\n"
    b"/CapHeight 737\n/StemV 114\n>>"
)
_CID_FONT = (
    b"<<\n/Type /Font\n/Subtype /CIDFontType0\n/BaseFont /HeiseiKakuGo-W5\n"
    b"/CIDSystemInfo <<\n/Registry (Adobe)\n/Ordering (Japan1)\n/Supplement 2\n>>\n"
    b"/FontDescriptor 5 0 R\n/DW 1000\n/W [ 231 325 500 327 389 500 8719 [ 500 ] ]\n>>"
)
_GOTHIC = (
    b"<<\n/Type /Font\n/Subtype /Type0\n/BaseFont /HeiseiKakuGo-W5-UniJIS-UCS2-HW-H\n"
    b"/Encoding /UniJIS-UCS2-HW-H\n/DescendantFonts [ 6 0 R ]\n/ToUnicode 7 0 R\n>>"
)
_MONO = b"<<\n/Type /Font\n/Subtype /Type1\n/BaseFont /Courier\n/Encoding /WinAnsiEncoding\n>>"

_CMAP_HEAD = (
    "/CIDInit /ProcSet findresource begin\n"
    "12 dict begin\n"
    "begincmap\n"
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
    "/CMapName /Adobe-Identity-UCS def\n"
    "/CMapType 2 def\n"
    "1 begincodespacerange\n"
    "<0000> <FFFF>\n"
    "endcodespacerange"
)
_CMAP_TAIL = "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"


class _CmapLines(dict[int, str]):
    """Each code point's ``bfchar`` line, kept once written (printable characters only: at most
    the ~8,200 of Adobe-Japan1-2)."""

    def __missing__(self, code: int) -> str:
        line = self[code] = f"<{code:04X}> <{code:04X}>"
        return line


_cmap_line = _CmapLines().__getitem__


def _stream(data: bytes, head: bytes = b"<<\n") -> bytes:
    return b"%b/Length %d\n>>\nstream\n%b\nendstream" % (head, len(data), data)


class PageWriter:
    """Collects drawing operations for one A4 page, then writes a complete PDF.

    Coordinates are PDF points from the bottom-left corner. Text is validated as it is added:
    a character the face cannot show raises :class:`~surety_core.InvalidInputError` naming
    ``field`` (so no corrupt or silently blank PDF is ever produced).
    """

    __slots__ = ("_chars", "_ops", "text_bounds")

    def __init__(self) -> None:
        self._ops: list[str] = []
        self._chars: set[str] = set()
        self.text_bounds: tuple[float, float, float, float] | None = None
        """The box (x0, y0, x1, y1) spanned by the text drawn so far (baselines, advances)."""

    # -- measuring ---------------------------------------------------------------------------
    @staticmethod
    def text_width(text: str, size: float, face: Face = Face.GOTHIC) -> float:
        """The advance width of ``text`` at ``size`` points in ``face``."""
        if face is _MONO_FACE:
            return 0.6 * size * len(text)
        halves = len(HALF_WIDTH_RE.findall(text))
        return (len(text) - halves / 2) * size

    # -- drawing -------------------------------------------------------------------------------
    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 10.5,
        face: Face = Face.GOTHIC,
        align: str = "left",
        field: str = "text",
    ) -> float:
        """Draw ``text`` with its baseline at ``y``; returns the drawn width.

        ``align`` is ``"left"`` (``x`` is the start), ``"right"`` (``x`` is the end) or
        ``"center"``.
        """
        if not isinstance(text, str):
            raise InvalidInputError(field, f"must be text, not {type(text).__name__}")
        count = len(text)
        if count > _MAX_TEXT:
            raise InvalidInputError(field, f"must be at most {_MAX_TEXT} characters")
        if len(self._ops) >= _MAX_OPS:
            raise DocumentError("too many drawing operations for one page")
        if face is _MONO_FACE:
            if _MONO_TEXT.fullmatch(text) is None:
                for c in text:
                    if not (" " <= c <= "~"):
                        raise InvalidInputError(
                            field, f"character U+{ord(c):04X} cannot be printed in the key face"
                        )
            encoded = "[" + _literal(text) + "]"
            width = 0.6 * size * count
            start = "BT /F2 "
        else:
            chars = set(text)  # one pass over the text; the checks below see each character once
            if not chars <= _PRINTABLE:
                _check_printable(text, field)
            if " " not in chars:
                self._chars |= chars
                encoded = "[<" + text.encode("utf-16-be").hex().upper() + ">]" if text else "[]"
            else:
                # An ASCII space maps to CID 231, which some renderers draw as a box: spaces are
                # written as a half-em displacement in a TJ array instead (extraction sees a
                # gap).
                chars.discard(" ")
                self._chars |= chars
                parts = []
                for i, run in enumerate(text.split(" ")):
                    if i:
                        parts.append("-500")
                    if run:
                        parts.append("<" + run.encode("utf-16-be").hex().upper() + ">")
                encoded = "[" + " ".join(parts) + "]"
            width = (count - len(HALF_WIDTH_RE.findall(text)) / 2) * size
            start = "BT /F1 "
        if align != "left":
            x = aligned_x(x, width, align)
        right = x + width
        top = y + size
        b = self.text_bounds
        if b is None:
            self.text_bounds = (x, y, right, top)
        else:
            x0, y0, x1, y1 = b
            self.text_bounds = (
                x if x < x0 else x0,
                y if y < y0 else y0,
                right if right > x1 else x1,
                top if top > y1 else y1,
            )
        self._ops.append(
            start + _num(size) + " Tf " + _num(x) + " " + _num(y) + " Td " + encoded + " TJ ET"
        )
        return width

    def line(self, x1: float, y1: float, x2: float, y2: float, *, width: float = 0.5) -> None:
        """Draw a straight black line."""
        self._ops.append(f"{_num(width)} w {_num(x1)} {_num(y1)} m {_num(x2)} {_num(y2)} l S")

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        width: float = 0.5,
        fill_gray: float | None = None,
    ) -> None:
        """Draw a box (``x``, ``y`` is the bottom-left corner), optionally filled with gray."""
        box = f"{_num(x)} {_num(y)} {_num(w)} {_num(h)} re"
        if fill_gray is None:
            self._ops.append(f"{_num(width)} w {box} S")
        else:
            self._ops.append(f"q {_num(fill_gray)} g {_num(width)} w {box} B Q")

    def fill_rects(self, rects: Sequence[tuple[float, float, float, float]]) -> None:
        """Fill boxes (``x``, ``y``, ``w``, ``h``) in black as one path, so that touching boxes
        show no seams (a QR code's modules)."""
        if not rects:
            return
        if len(self._ops) >= _MAX_OPS:
            raise DocumentError("too many drawing operations for one page")
        num = _num
        boxes = " ".join([f"{num(x)} {num(y)} {num(w)} {num(h)} re" for x, y, w, h in rects])
        self._ops.append(f"q 0 g {boxes} f Q")

    # -- output --------------------------------------------------------------------------------
    def _to_unicode(self) -> bytes:
        # in code point order, as sorted(self._chars) is (integers sort faster than strings)
        lines = list(map(_cmap_line, sorted(map(ord, self._chars))))
        body = [_CMAP_HEAD]
        for start in range(0, len(lines), 100):
            chunk = lines[start : start + 100]
            body.append(f"{len(chunk)} beginbfchar")
            body += chunk
            body.append("endbfchar")
        body.append(_CMAP_TAIL)
        return "\n".join(body).encode("ascii")

    def write(
        self,
        *,
        document_id: bytes,
        created_at: datetime,
        title: str,
        subject: str = "",
        author: str = "",
        attachments: Sequence[tuple[str, bytes]] = (),
    ) -> bytes:
        """The finished PDF as bytes; byte-for-byte the same for the same drawing and inputs.

        ``document_id`` (16 bytes) becomes the trailer ``/ID``; ``created_at`` (aware) becomes
        both ``/CreationDate`` and ``/ModDate``. Each attachment (name, data) is an embedded
        file, listed by name (in UTF-8 byte order; equal names in the order given).
        """
        if not isinstance(document_id, bytes) or len(document_id) != 16:
            raise InvalidInputError("document_id", "must be exactly 16 bytes")
        v.require_aware(created_at, "created_at")
        stamp = _text_string(_pdf_date(created_at))
        info = b"".join(
            [
                _PRODUCER,
                _text_string(str(title)),
                b"\n/Subject ",
                _text_string(str(subject)),
                b"\n/Author ",
                _text_string(str(author)),
                _CREATOR,
                stamp,
                b"\n/ModDate ",
                stamp,
                b"\n>>",
            ]
        )
        objects = [
            info,  # 1
            _PAGES,  # 2
            _CATALOG,  # 3
            _PAGE,  # 4
            _DESCRIPTOR,  # 5
            _CID_FONT,  # 6
            _stream(self._to_unicode()),  # 7
            _GOTHIC,  # 8
            _MONO,  # 9
            _stream("\n".join(self._ops).encode("ascii")),  # 10
        ]
        if attachments:
            # As pypdf adds them: each file's stream and its file specification, the name
            # dictionary and the embedded files' name tree after the first one.
            entries: list[tuple[bytes, bytes, int]] = []
            for name, data in attachments:
                number = len(objects) + 1
                spec = _text_string(name)
                objects.append(_stream(bytes(data), b"<<\n/Type /EmbeddedFile\n"))
                objects.append(
                    b"<<\n/Type /Filespec\n/F %b\n/EF <<\n/F %d 0 R\n>>\n>>" % (spec, number)
                )
                entries.append((name.encode("utf-8"), spec, number + 1))
                if len(objects) == 12:
                    objects.append(b"<<\n/EmbeddedFiles 14 0 R\n>>")  # 13
                    objects.append(b"")  # 14, the name tree, filled below
            objects[2] = _CATALOG_NAMES % 13
            entries.sort(key=lambda entry: entry[0])  # stable: equal names keep their order
            names = b"".join([b" %b %d 0 R" % (spec, ref) for _, spec, ref in entries])
            objects[13] = b"<<\n/Names [" + names + b" ]\n>>"
        out = [_HEADER]
        offsets = []
        position = len(_HEADER)
        for number, body in enumerate(objects, 1):
            chunk = b"%d 0 obj\n%b\nendobj\n" % (number, body)
            offsets.append(position)
            position += len(chunk)
            out.append(chunk)
        size = len(objects) + 1
        out.append(b"xref\n0 %d\n0000000000 65535 f \n" % size)
        out += [b"%010d 00000 n \n" % offset for offset in offsets]
        out.append(
            b"trailer\n<<\n/Size %d\n/Root 3 0 R\n/Info 1 0 R\n/ID [ <%b> <%b> ]\n>>\n"
            b"startxref\n%d\n%%%%EOF\n"
            % (size, document_id.hex().encode(), document_id.hex().encode(), position)
        )
        return b"".join(out)
