"""The one revision a certificate PDF may carry beyond what the builder made (private).

A certificate PDF is the builder's bytes, optionally followed by exactly one incremental update
that adds a standard PDF signature (as :func:`~surety_core.documents.sign_certificate_pdf`
writes it). :func:`check_signature_revision` accepts that update only if it holds nothing else:

* it is a classic cross-reference section whose ``/Prev`` is the builder's, and every byte of it
  belongs to one of the objects it lists, its cross-reference table or its trailer;
* it rewrites only the catalog (which may gain ``/AcroForm``, ``/Version``, ``/Extensions`` and
  ``/Perms`` naming the signature as a "no changes allowed" certification) and the page (which
  may gain ``/Annots`` holding the signature widget), everything else equal;
* it adds exactly three objects and no stream: the form (``/Fields`` = the widget), the widget
  (a signature field with an empty rectangle and no appearance: nothing is drawn) and the
  signature dictionary, whose ``/ByteRange`` covers the whole file except its own ``/Contents``.

Whether the signature inside verifies is for a PDF signature validator to say; this check makes
sure that the signed file shows exactly what the builder drew.
"""

from __future__ import annotations

import re
from decimal import Decimal
from io import BytesIO
from typing import Any

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

__all__ = ["RevisionRefused", "check_signature_revision"]


class RevisionRefused(Exception):  # noqa: N818 - an internal verdict, not an error of the caller
    """The appended bytes are not a permitted signature revision (the message says why)."""


_END = re.compile(rb"startxref\r?\n(\d{1,10})\r?\n%%EOF(?:\r\n|\r|\n)?\Z")
_SUBSECTION = re.compile(rb"(\d{1,10}) (\d{1,10})[ ]?\r?\n")
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])(?: \r| \n|\r\n)")
_OBJECT = re.compile(rb"(\d{1,10}) 0 obj\b(.*?)\bendobj\s*", re.S)
_TOKEN = re.compile(rb"\b(?:obj|endobj|stream|endstream|xref|trailer|startxref)\b")
_TRAILER = re.compile(rb"trailer\s*(<<.*?>>)\s*startxref", re.S)
_HEX = re.compile(rb"<[0-9A-F]*>")  # as written: upper case, no white space
_MAX_OBJECTS = 16

_CATALOG_ADDED = {"/AcroForm", "/Version", "/Extensions", "/Perms"}
_WIDGET_KEYS = {"/FT", "/T", "/Type", "/Subtype", "/F", "/Rect", "/P", "/V"}
_SIG_KEYS = {
    "/Type",
    "/Filter",
    "/SubFilter",
    "/Contents",
    "/ByteRange",
    "/M",
    "/Name",
    "/Reason",
    "/Location",
    "/ContactInfo",
    "/Reference",
}
_NO_CHANGES = [
    {
        "/Type": ("name", "/SigRef"),
        "/TransformMethod": ("name", "/DocMDP"),
        "/TransformParams": {
            "/Type": ("name", "/TransformParams"),
            "/V": ("name", "/1.2"),
            "/P": ("number", Decimal(1)),
        },
    }
]
"""A certification signature's ``/Reference``: DocMDP, no changes allowed."""
_SUBFILTERS = {"/ETSI.CAdES.detached", "/adbe.pkcs7.detached"}


def _plain(obj: Any, depth: int = 0) -> Any:
    """A PDF object as plain, comparable Python data (references by number)."""
    if depth > 12:
        raise RevisionRefused("an object nested too deeply")
    if isinstance(obj, IndirectObject):
        return ("ref", obj.idnum, obj.generation)
    if isinstance(obj, StreamObject):
        raise RevisionRefused("a stream in the added revision")
    if isinstance(obj, DictionaryObject):
        return {str(k): _plain(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, ArrayObject):
        return [_plain(v, depth + 1) for v in obj]
    if isinstance(obj, BooleanObject):
        return ("bool", bool(obj))
    if isinstance(obj, NameObject):
        return ("name", str(obj))
    if isinstance(obj, TextStringObject | ByteStringObject):
        return ("string", bytes(obj.original_bytes))
    if isinstance(obj, NumberObject | FloatObject):
        return ("number", Decimal(str(obj)).normalize())
    if isinstance(obj, NullObject) or obj is None:
        return ("null",)
    raise RevisionRefused(f"an unexpected object ({type(obj).__name__})")


def _int(obj: Any) -> int:
    if not isinstance(obj, NumberObject):
        raise RevisionRefused("a number is missing from the trailer")
    return int(obj)


def _xref(data: bytes, at: int) -> tuple[dict[int, int], int]:
    """The entries (number -> offset) of the cross-reference table at ``at``, and its end."""
    if data[at : at + 4] != b"xref":
        raise RevisionRefused("the added revision has no classic cross-reference table")
    pos = at + 4
    pos += 2 if data[pos : pos + 2] == b"\r\n" else 1
    entries: dict[int, int] = {}
    while True:
        head = _SUBSECTION.match(data, pos)
        if head is None:
            break
        first, count = int(head[1]), int(head[2])
        pos = head.end()
        if count > _MAX_OBJECTS or len(entries) + count > _MAX_OBJECTS:
            raise RevisionRefused("the added revision lists too many objects")
        for number in range(first, first + count):
            entry = _ENTRY.match(data, pos)
            if entry is None:
                raise RevisionRefused("a malformed cross-reference entry")
            pos = entry.end()
            if number in entries:
                raise RevisionRefused("an object listed twice")
            if entry[3] == b"f":
                if (number, entry[1], entry[2]) != (0, b"0000000000", b"65535"):
                    raise RevisionRefused("the added revision frees an object")
                continue
            if entry[2] != b"00000":
                raise RevisionRefused("an object of another generation")
            entries[number] = int(entry[1])
    return entries, pos


def check_signature_revision(data: bytes, base: bytes) -> None:
    """Raise :class:`RevisionRefused` unless ``data`` is ``base`` plus one permitted signature
    revision (see the module docstring). ``base`` is the builder's own output (trusted)."""
    if not data.startswith(base) or len(data) == len(base):
        raise RevisionRefused("the file does not continue the certificate")
    end = _END.search(data, len(base))
    if end is None:
        raise RevisionRefused("bytes after the end of the certificate that are not a revision")
    xref_at = int(end[1])
    if not len(base) <= xref_at < end.start():
        raise RevisionRefused("the last revision does not point into the added bytes")
    entries, xref_end = _xref(data, xref_at)
    trailer_region = data[xref_end : end.start()]
    trailer_match = _TRAILER.fullmatch(trailer_region + b"startxref")
    if trailer_match is None or _TOKEN.search(trailer_match[1]):
        raise RevisionRefused("a malformed trailer")

    base_reader = PdfReader(BytesIO(base))
    reader = PdfReader(BytesIO(data), strict=True)
    base_trailer = base_reader.trailer
    trailer = reader.trailer
    base_size = _int(base_trailer.get("/Size"))
    base_start = int(base.rsplit(b"startxref", 1)[1].split()[0])
    if set(trailer) - {"/Size", "/Root", "/Info", "/ID", "/Prev"}:
        raise RevisionRefused("the trailer has entries a signature does not add")
    if trailer.get("/Prev") != base_start:
        raise RevisionRefused("more than one revision was added")
    catalog_ref = base_trailer.raw_get("/Root")
    page_ref = base_reader.pages[0].indirect_reference
    assert page_ref is not None
    if _plain(trailer.raw_get("/Root")) != _plain(catalog_ref) or _plain(
        trailer.raw_get("/Info")
    ) != _plain(base_trailer.raw_get("/Info")):
        raise RevisionRefused("the added revision replaces the catalog or the document info")
    ids, base_ids = _plain(trailer.get("/ID")), _plain(base_trailer.get("/ID"))
    if not isinstance(ids, list) or not ids or ids[0] != base_ids[0]:
        raise RevisionRefused("the added revision changes the file identifier")

    # Every byte between the certificate and the cross-reference table is a listed object.
    new = sorted(n for n in entries if n >= base_size)
    rewritten = {n for n in entries if n < base_size}
    if rewritten - {catalog_ref.idnum, page_ref.idnum}:
        raise RevisionRefused("the added revision rewrites objects other than the catalog or page")
    if (
        len(new) != 3
        or new[0] > base_size + 1  # pyHanko numbers from /Size + 1
        or new != list(range(new[0], new[0] + 3))
        or _int(trailer.get("/Size")) != new[-1] + 1
    ):
        raise RevisionRefused("the added revision adds other objects than a signature field")
    offsets = sorted((offset, number) for number, offset in entries.items())
    if offsets[0][0] != len(base):
        raise RevisionRefused("bytes before the first added object")
    bounds = [offset for offset, _ in offsets[1:]] + [xref_at]
    for (offset, number), stop in zip(offsets, bounds, strict=True):
        region = _OBJECT.fullmatch(data, offset, stop)
        if region is None or int(region[1]) != number or _TOKEN.search(region[2]):
            raise RevisionRefused(f"object {number} of the added revision is malformed")

    base_catalog = _plain(base_reader.trailer["/Root"])
    catalog = _plain(reader.trailer["/Root"])
    if set(catalog) - set(base_catalog) - _CATALOG_ADDED or any(
        catalog.get(k) != v for k, v in base_catalog.items()
    ):
        raise RevisionRefused("the added revision changes the catalog beyond a signature form")
    if "/AcroForm" not in catalog:
        raise RevisionRefused("the added revision carries no signature form")
    if "/Version" in catalog and catalog["/Version"] not in (("name", "/1.7"), ("name", "/2.0")):
        raise RevisionRefused("an unexpected PDF version in the catalog")
    extensions = catalog.get("/Extensions", {})
    if not isinstance(extensions, dict) or set(extensions) - {"/ESIC", "/ISO_"}:
        raise RevisionRefused("unexpected extensions in the catalog")

    base_page = _plain(base_reader.pages[0])
    page = _plain(reader.get_object(page_ref.idnum))
    if set(page) - set(base_page) != {"/Annots"} or any(
        page.get(k) != v for k, v in base_page.items()
    ):
        raise RevisionRefused("the added revision changes the page beyond a signature widget")
    annots = page["/Annots"]
    if not isinstance(annots, list) or len(annots) != 1 or annots[0][0] != "ref":
        raise RevisionRefused("the page gains annotations other than one signature widget")
    widget_ref = annots[0]
    form_ref = catalog["/AcroForm"]
    if form_ref[0] != "ref":
        raise RevisionRefused("the signature form is not a separate object")
    form = _plain(reader.get_object(form_ref[1]))
    if not isinstance(form, dict) or set(form) != {"/Fields", "/SigFlags"}:
        raise RevisionRefused("the form holds more than the signature field")
    if form["/Fields"] != [widget_ref] or form["/SigFlags"] not in (
        ("number", Decimal(1)),
        ("number", Decimal(3)),
    ):
        raise RevisionRefused("the form holds more than the signature field")
    widget = _plain(reader.get_object(widget_ref[1]))
    if (
        not isinstance(widget, dict)
        or set(widget) - _WIDGET_KEYS
        or widget.get("/FT") != ("name", "/Sig")
        or widget.get("/Subtype") != ("name", "/Widget")
        or widget.get("/Rect") != [("number", Decimal(0))] * 4
        or widget.get("/P", ("ref", page_ref.idnum, 0)) != ("ref", page_ref.idnum, 0)
        or not isinstance(widget.get("/V"), tuple)
        or widget["/V"][0] != "ref"
    ):
        raise RevisionRefused("the signature field is visible or carries more than a signature")
    sig_ref = widget["/V"]
    used = {form_ref[1], widget_ref[1], sig_ref[1]}
    if used != set(new):
        raise RevisionRefused("the added objects are not one form, one widget and one signature")

    raw_sig = reader.get_object(sig_ref[1])
    signature = _plain(raw_sig)
    if (
        not isinstance(signature, dict)
        or set(signature) - _SIG_KEYS
        or signature.get("/Type") != ("name", "/Sig")
        or signature.get("/Filter") != ("name", "/Adobe.PPKLite")
        or signature.get("/SubFilter") not in {("name", s) for s in _SUBFILTERS}
    ):
        raise RevisionRefused("the signature dictionary is not a plain document signature")
    if "/Perms" in catalog and catalog["/Perms"] != {"/DocMDP": sig_ref}:
        raise RevisionRefused("the catalog's permissions are not the signature's")
    if ("/Perms" in catalog) != ("/Reference" in signature) or signature.get(
        "/Reference", _NO_CHANGES
    ) != _NO_CHANGES:
        raise RevisionRefused("the signature certifies other than 'no changes allowed'")
    byte_range = signature.get("/ByteRange")
    if (
        not isinstance(byte_range, list)
        or len(byte_range) != 4
        or any(v[0] != "number" or v[1] != int(v[1]) or v[1] < 0 for v in byte_range)
    ):
        raise RevisionRefused("the signature has no usable byte range")
    start, first, second, rest = (int(v[1]) for v in byte_range)
    sig_offset = entries[sig_ref[1]]
    if (
        start != 0
        or not sig_offset < first < second
        or second + rest != len(data)
        or _HEX.fullmatch(data, first, second) is None
        or bytes.fromhex(data[first + 1 : second - 1].decode("ascii"))
        != signature.get("/Contents", ("string", b""))[1]
        or second > xref_at
    ):
        raise RevisionRefused("the signature does not cover the whole file")
    contents = bytes.fromhex(data[first + 1 : second - 1].decode("ascii"))
    if len(contents) < 4 or contents[:2] != b"\x30\x82":
        raise RevisionRefused("the signature value is not a CMS structure")
    used_length = 4 + int.from_bytes(contents[2:4], "big")
    if used_length > len(contents) or contents[used_length:].strip(b"\x00"):
        raise RevisionRefused("bytes other than zeros in the signature's padding")
