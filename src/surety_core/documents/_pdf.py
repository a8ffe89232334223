"""A small, fast, deterministic one-page PDF writer on pypdf (private; the PDF adapter).

Japanese text uses a Type0 font with the predefined CMap ``UniJIS-UCS2-HW-H`` over the
non-embedded CIDFont ``HeiseiKakuGo-W5`` (Adobe-Japan1 Supplement 2): strings are written as
UTF-16BE hex strings, ASCII maps to the half-width CIDs 231-325 (``/W``), everything else is
1 em wide (``/DW 1000``). A small ``/ToUnicode`` CMap lists only the characters used, so text
extraction is exact and fast. The second face is the standard Courier (no embedding), used for
authentication keys because it tells ``0``/``O`` and ``1``/``l`` apart.

pypdf is imported only in this package's private modules, never by the domain modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import Enum
from io import BytesIO
from typing import Protocol

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

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


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _literal(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _pdf_date(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return utc.strftime("D:%Y%m%d%H%M%SZ")


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
        if face is Face.MONO:
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
        if len(text) > _MAX_TEXT:
            raise InvalidInputError(field, f"must be at most {_MAX_TEXT} characters")
        if len(self._ops) >= _MAX_OPS:
            raise DocumentError("too many drawing operations for one page")
        if face is Face.MONO:
            for c in text:
                if not (" " <= c <= "~"):
                    raise InvalidInputError(
                        field, f"character U+{ord(c):04X} cannot be printed in the key face"
                    )
            encoded = "[" + _literal(text) + "]"
        else:
            if not _PRINTABLE.issuperset(text):
                _check_printable(text, field)
            # An ASCII space maps to CID 231, which some renderers draw as a box: spaces are
            # written as a half-em displacement in a TJ array instead (extraction sees a gap).
            self._chars.update(text.replace(" ", ""))
            parts = []
            for i, run in enumerate(text.split(" ")):
                if i:
                    parts.append("-500")
                if run:
                    parts.append("<" + run.encode("utf-16-be").hex().upper() + ">")
            encoded = "[" + " ".join(parts) + "]"
        width = self.text_width(text, size, face)
        x = aligned_x(x, width, align)
        b = self.text_bounds
        self.text_bounds = (
            (x, y, x + width, y + size)
            if b is None
            else (min(b[0], x), min(b[1], y), max(b[2], x + width), max(b[3], y + size))
        )
        self._ops.append(f"BT /{face.value} {_num(size)} Tf {_num(x)} {_num(y)} Td {encoded} TJ ET")
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
        boxes = " ".join(f"{_num(x)} {_num(y)} {_num(w)} {_num(h)} re" for x, y, w, h in rects)
        self._ops.append(f"q 0 g {boxes} f Q")

    # -- output --------------------------------------------------------------------------------
    def _to_unicode(self) -> bytes:
        chars = sorted(self._chars)
        body = [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<0000> <FFFF>",
            "endcodespacerange",
        ]
        for start in range(0, len(chars), 100):
            chunk = chars[start : start + 100]
            body.append(f"{len(chunk)} beginbfchar")
            body.extend(f"<{ord(c):04X}> <{ord(c):04X}>" for c in chunk)
            body.append("endbfchar")
        body += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
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
        both ``/CreationDate`` and ``/ModDate``.
        """
        if not isinstance(document_id, bytes) or len(document_id) != 16:
            raise InvalidInputError("document_id", "must be exactly 16 bytes")
        v.require_aware(created_at, "created_at")
        writer = PdfWriter()
        page = writer.add_blank_page(A4_WIDTH, A4_HEIGHT)

        descriptor = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/FontDescriptor"),
                NameObject("/FontName"): NameObject("/HeiseiKakuGo-W5"),
                NameObject("/Flags"): NumberObject(4),
                NameObject("/FontBBox"): ArrayObject(
                    [NumberObject(-92), NumberObject(-250), NumberObject(1010), NumberObject(922)]
                ),
                NameObject("/ItalicAngle"): NumberObject(0),
                NameObject("/Ascent"): NumberObject(880),
                NameObject("/Descent"): NumberObject(-120),
                NameObject("/CapHeight"): NumberObject(737),
                NameObject("/StemV"): NumberObject(114),
            }
        )
        cid_font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/CIDFontType0"),
                NameObject("/BaseFont"): NameObject("/HeiseiKakuGo-W5"),
                NameObject("/CIDSystemInfo"): DictionaryObject(
                    {
                        NameObject("/Registry"): TextStringObject("Adobe"),
                        NameObject("/Ordering"): TextStringObject("Japan1"),
                        NameObject("/Supplement"): NumberObject(2),
                    }
                ),
                NameObject("/FontDescriptor"): writer._add_object(descriptor),
                NameObject("/DW"): NumberObject(1000),
                NameObject("/W"): ArrayObject(
                    [
                        NumberObject(231),
                        NumberObject(325),
                        NumberObject(500),
                        NumberObject(327),
                        NumberObject(389),
                        NumberObject(500),
                        NumberObject(8719),
                        ArrayObject([NumberObject(500)]),
                    ]
                ),
            }
        )
        to_unicode = DecodedStreamObject()
        to_unicode.set_data(self._to_unicode())
        gothic = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type0"),
                NameObject("/BaseFont"): NameObject("/HeiseiKakuGo-W5-UniJIS-UCS2-HW-H"),
                NameObject("/Encoding"): NameObject("/UniJIS-UCS2-HW-H"),
                NameObject("/DescendantFonts"): ArrayObject([writer._add_object(cid_font)]),
                NameObject("/ToUnicode"): writer._add_object(to_unicode),
            }
        )
        mono = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Courier"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
        page[NameObject("/Resources")] = DictionaryObject(
            {
                NameObject("/Font"): DictionaryObject(
                    {
                        NameObject("/F1"): writer._add_object(gothic),
                        NameObject("/F2"): writer._add_object(mono),
                    }
                ),
                NameObject("/ProcSet"): ArrayObject([NameObject("/PDF"), NameObject("/Text")]),
            }
        )
        content = DecodedStreamObject()
        content.set_data("\n".join(self._ops).encode("ascii"))
        page[NameObject("/Contents")] = writer._add_object(content)

        stamp = _pdf_date(created_at)
        writer.add_metadata(
            {
                "/Title": title,
                "/Subject": subject,
                "/Author": author,
                "/Creator": "surety_core",
                "/Producer": "surety_core (pypdf)",
                "/CreationDate": stamp,
                "/ModDate": stamp,
            }
        )
        for name, data in attachments:
            writer.add_attachment(name, data)
        writer._ID = ArrayObject([ByteStringObject(document_id), ByteStringObject(document_id)])
        out = BytesIO()
        writer.write(out)
        return out.getvalue()
