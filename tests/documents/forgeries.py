"""Forged certificate PDFs, each made from a genuine one the way an attacker or a PDF editor would.

Every forgery here keeps the genuine signed payload, so its signature verifies; what changes is
what the page *shows* (or the file around it). Most of them also keep the extracted text equal
to the genuine text, so a check that compares text cannot see them: the forgery suite
(``test_forgeries.py``) asserts that, then that the verifier refuses every one with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

__all__ = ["ATTACKS", "GENUINE_AMOUNT", "TEXT_PRESERVING", "amount_op", "hex_of", "text_of"]

GENUINE_AMOUNT = "1,000,000,000円"
"""What the genuine test certificate prints as its amount (the contract's 1,000,000,000 yen)."""
FORGED_AMOUNT = "9,000,000,000円"
"""What the forgeries show instead."""
FORGED_NUMBER = "0000000099"

Forge = Callable[[bytes], bytes]


def hex_of(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def text_of(pdf: bytes) -> list[str]:
    """The non-blank, stripped lines pypdf extracts from page 1 (what a text check compares)."""
    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    return [line.strip() for line in text.splitlines() if line.strip()]


_OP = re.compile(rb"BT /F1 ([\d.]+) Tf ([\d.]+) ([\d.]+) Td \[<([0-9A-F]+)>\] TJ ET")


def amount_op(content: bytes) -> tuple[bytes, float, float, float]:
    """The drawing operation of the amount: (op, size, x, y)."""
    for match in _OP.finditer(content):
        if match.group(4).decode() == hex_of(GENUINE_AMOUNT):
            return match.group(0), float(match.group(1)), float(match.group(2)), float(match[3])
    raise AssertionError("no amount in the content stream")


def _incremental(genuine: bytes, edit: Callable[[PdfWriter], None]) -> bytes:
    writer = PdfWriter(BytesIO(genuine), incremental=True)
    edit(writer)
    out = BytesIO()
    writer.write(out)
    data = out.getvalue()
    assert data.startswith(genuine)
    assert len(data) > len(genuine)
    return data


def _stream(writer: PdfWriter, data: bytes, **entries: object) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    for key, value in entries.items():
        stream[NameObject("/" + key)] = value
    return writer._add_object(stream)


def _content(writer: PdfWriter) -> bytes:
    data = writer.pages[0].get_contents()
    assert data is not None
    return data.get_data()


def _set_content(writer: PdfWriter, data: bytes) -> None:
    writer.pages[0][NameObject("/Contents")] = _stream(writer, data)


def _add_content(writer: PdfWriter, data: bytes) -> None:
    """Append a content stream to the page, as an editor's "add text/image/shape" does."""
    page = writer.pages[0]
    old = page.raw_get("/Contents")
    page[NameObject("/Contents")] = ArrayObject([old, _stream(writer, data)])


def _dict(obj: Any) -> DictionaryObject:
    resolved = obj.get_object()
    assert isinstance(resolved, DictionaryObject)
    return resolved


def _resources(writer: PdfWriter, kind: str) -> DictionaryObject:
    resources = _dict(writer.pages[0]["/Resources"])
    if kind not in resources:
        resources[NameObject(kind)] = DictionaryObject()
    return _dict(resources[kind])


def _white_box(x: float, y: float, w: float, h: float) -> bytes:
    return f"q 1 g {x} {y} {w} {h} re f Q\n".encode()


def _box_over_amount(writer: PdfWriter) -> tuple[float, float, float, float]:
    _op, size, x, y = amount_op(_content(writer))
    return x - 1, y - 3, 7.5 * size, size + 5


# -- annotations (an incremental update, as a PDF editor's stamp / "add text") --------------------


def _font_copy(writer: PdfWriter, to_unicode: dict[str, str] | None) -> IndirectObject:
    """A copy of the certificate's Japanese font, optionally with its own ToUnicode map."""
    original = _dict(_resources(writer, "/Font")["/F1"])
    copy = DictionaryObject({k: v for k, v in original.items() if k != "/ToUnicode"})
    if to_unicode is not None:
        lines = [
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
            "1 begincodespacerange <0000> <FFFF> endcodespacerange",
            f"{len(to_unicode)} beginbfchar",
            *(f"<{hex_of(a)}> <{hex_of(b)}>" for a, b in sorted(to_unicode.items())),
            "endbfchar endcmap CMapName currentdict /CMap defineresource pop end end",
        ]
        copy[NameObject("/ToUnicode")] = _stream(writer, "\n".join(lines).encode())
    return writer._add_object(copy)


def _annotation(subtype: str) -> Forge:
    def forge(genuine: bytes) -> bytes:
        def edit(writer: PdfWriter) -> None:
            x, y, w, h = _box_over_amount(writer)
            font = _font_copy(writer, None)
            appearance = _stream(
                writer,
                _white_box(0, 0, w, h)
                + f"BT /F1 10.5 Tf 1 3 Td [<{hex_of(FORGED_AMOUNT)}>] TJ ET".encode(),
                Type=NameObject("/XObject"),
                Subtype=NameObject("/Form"),
                BBox=ArrayObject(
                    [NumberObject(0), NumberObject(0), FloatObject(w), FloatObject(h)]
                ),
                Resources=DictionaryObject(
                    {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
                ),
            )
            annotation = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject(subtype),
                    NameObject("/Rect"): ArrayObject(
                        [FloatObject(x), FloatObject(y), FloatObject(x + w), FloatObject(y + h)]
                    ),
                    NameObject("/F"): NumberObject(4),
                    NameObject("/Contents"): TextStringObject(FORGED_AMOUNT),
                    NameObject("/AP"): DictionaryObject({NameObject("/N"): appearance}),
                }
            )
            if subtype == "/FreeText":
                annotation[NameObject("/DA")] = TextStringObject("/F1 10.5 Tf 0 g")
            writer.add_annotation(0, annotation)

        return _incremental(genuine, edit)

    return forge


# -- drawing over the amount (an appended content stream) ------------------------------------------


def image_over_amount(genuine: bytes) -> bytes:
    def edit(writer: PdfWriter) -> None:
        x, y, w, h = _box_over_amount(writer)
        width, height = 96, 12
        # A gray raster "showing" the new figure: dark columns where digits would be.
        pixels = bytes(
            0 if (col // 6) % 2 == 0 and 2 <= row <= 9 else 255
            for row in range(height)
            for col in range(width)
        )
        image = _stream(
            writer,
            pixels,
            Type=NameObject("/XObject"),
            Subtype=NameObject("/Image"),
            Width=NumberObject(width),
            Height=NumberObject(height),
            ColorSpace=NameObject("/DeviceGray"),
            BitsPerComponent=NumberObject(8),
        )
        _resources(writer, "/XObject")[NameObject("/Im9")] = image
        _add_content(
            writer, _white_box(x, y, w, h) + f"q {w} 0 0 {h} {x} {y} cm /Im9 Do Q".encode()
        )

    return _incremental(genuine, edit)


def shapes_over_amount(genuine: bytes) -> bytes:
    def edit(writer: PdfWriter) -> None:
        x, y, w, h = _box_over_amount(writer)
        # A seven-segment "9" followed by zeros, stroked in black.
        strokes = []
        for i in range(10):
            left, bottom = x + 2 + i * 7, y + 3
            strokes.append(
                f"{left} {bottom} m {left + 5} {bottom} l {left + 5} {bottom + 9} l "
                f"{left} {bottom + 9} l {left} {bottom + 4.5} l {left + 5} {bottom + 4.5} l S"
            )
        _add_content(
            writer, _white_box(x, y, w, h) + ("q 0 G 0.8 w " + " ".join(strokes) + " Q").encode()
        )

    return _incremental(genuine, edit)


# -- the genuine amount hidden, another one shown in a font whose ToUnicode says "spaces" ---------


def _hidden(how: str) -> Forge:
    def forge(genuine: bytes) -> bytes:
        def edit(writer: PdfWriter) -> None:
            content = _content(writer)
            op, size, x, y = amount_op(content)
            if how == "render-mode-3":
                hidden = op.replace(b"BT ", b"BT 3 Tr ", 1)
            elif how == "white":
                hidden = b"q 1 g " + op + b" Q"
            elif how == "tiny":
                hidden = op.replace(f" {size:g} Tf".encode(), b" 0.01 Tf", 1)
            elif how == "off-page":
                hidden = op.replace(f" {x:g} {y:g} Td".encode(), f" {x + 2000:g} {y:g} Td".encode())
            else:
                assert how == "layer-off"
                ocg = writer._add_object(
                    DictionaryObject(
                        {
                            NameObject("/Type"): NameObject("/OCG"),
                            NameObject("/Name"): TextStringObject("layer"),
                        }
                    )
                )
                _resources(writer, "/Properties")[NameObject("/oc1")] = ocg
                writer._root_object[NameObject("/OCProperties")] = DictionaryObject(
                    {
                        NameObject("/OCGs"): ArrayObject([ocg]),
                        NameObject("/D"): DictionaryObject(
                            {NameObject("/OFF"): ArrayObject([ocg])}
                        ),
                    }
                )
                hidden = b"/OC /oc1 BDC " + op + b" EMC"
            assert hidden != op
            blank = dict.fromkeys(FORGED_AMOUNT, " ")
            _resources(writer, "/Font")[NameObject("/F9")] = _font_copy(writer, blank)
            shown = f"BT /F9 {size:g} Tf {x:g} {y:g} Td [<{hex_of(FORGED_AMOUNT)}>] TJ ET"
            _set_content(writer, content.replace(op, hidden + b"\n" + shown.encode()))

        return _incremental(genuine, edit)

    return forge


def lying_font(genuine: bytes) -> bytes:
    """A copy of the certificate font whose ToUnicode maps the shown "9" back to "1"."""

    def edit(writer: PdfWriter) -> None:
        content = _content(writer)
        op, size, x, y = amount_op(content)
        _resources(writer, "/Font")[NameObject("/F9")] = _font_copy(
            writer, {"9": "1"} | {c: c for c in FORGED_AMOUNT if c != "9"}
        )
        shown = f"BT /F9 {size:g} Tf {x:g} {y:g} Td [<{hex_of(FORGED_AMOUNT)}>] TJ ET"
        _set_content(writer, content.replace(op, shown.encode()))

    return _incremental(genuine, edit)


# -- the file around the page ----------------------------------------------------------------------


def info_title(genuine: bytes) -> bytes:
    def edit(writer: PdfWriter) -> None:
        title = str(writer.metadata["/Title"]) if writer.metadata else ""
        assert "0000000042" in title
        writer.add_metadata({"/Title": title.replace("0000000042", FORGED_NUMBER)})

    return _incremental(genuine, edit)


def xmp_title(genuine: bytes) -> bytes:
    xmp = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">電子証書 {FORGED_NUMBER}</rdf:li>'
        "</rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()

    def edit(writer: PdfWriter) -> None:
        writer._root_object[NameObject("/Metadata")] = _stream(
            writer, xmp, Type=NameObject("/Metadata"), Subtype=NameObject("/XML")
        )

    return _incremental(genuine, edit)


def junk_after_eof(genuine: bytes) -> bytes:
    return genuine + b"\n% appended\n" + b"anything at all \x00\xff" * 10


def mod_date_revision(genuine: bytes) -> bytes:
    """A second revision that changes nothing visible (a later modification date)."""

    def edit(writer: PdfWriter) -> None:
        writer.add_metadata({"/ModDate": "D:20300101000000Z"})

    return _incremental(genuine, edit)


def empty_revision(genuine: bytes) -> bytes:
    """A second revision with no objects at all: only a new xref section and trailer."""
    start = int(genuine.rsplit(b"startxref", 1)[1].split()[0])
    size = int(genuine.rsplit(b"/Size ", 1)[1].split()[0])
    ident = genuine.rsplit(b"/ID ", 1)[1].split(b"]")[0].decode() + "]"
    trailer = f"trailer\n<< /Size {size} /Root 3 0 R /Info 1 0 R /Prev {start} /ID {ident} >>\n"
    at = len(genuine)
    return genuine + f"xref\n0 0\n{trailer}startxref\n{at}\n%%EOF\n".encode()


def full_rewrite(genuine: bytes) -> bytes:
    """The same page written out again by another writer (not incremental)."""
    writer = PdfWriter(clone_from=PdfReader(BytesIO(genuine)))
    ident = PdfReader(BytesIO(genuine)).trailer["/ID"]
    assert isinstance(ident, ArrayObject)
    writer._ID = ident
    writer._root_object[NameObject("/NeedsRendering")] = BooleanObject(False)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


ATTACKS: dict[str, Forge] = {
    "freetext-annotation": _annotation("/FreeText"),
    "stamp-annotation": _annotation("/Stamp"),
    "image-over-amount": image_over_amount,
    "shapes-over-amount": shapes_over_amount,
    "hidden-render-mode-3": _hidden("render-mode-3"),
    "hidden-white": _hidden("white"),
    "hidden-tiny": _hidden("tiny"),
    "hidden-off-page": _hidden("off-page"),
    "hidden-layer-off": _hidden("layer-off"),
    "lying-font-copy": lying_font,
    "info-title": info_title,
    "xmp-title": xmp_title,
    "junk-after-eof": junk_after_eof,
    "mod-date-revision": mod_date_revision,
    "empty-revision": empty_revision,
    "full-rewrite": full_rewrite,
}
"""Every forgery by name."""

TEXT_PRESERVING = frozenset(ATTACKS)
"""The forgeries whose extracted text is the genuine text (a text comparison passes them)."""
