"""The key notice 「電子保証にかかる「認証キー」のお知らせ」 on one A4 page (private; see
:mod:`surety_core.documents`).

Laid out as a Japanese business letter to the obligee: document number and date at the top
right, the addressee (… 御中), the sender block (surety, branch, address, telephone), the title,
the lead sentences, 記, the guarantee (contract number, key, works, amounts), how to view it with
the viewing service's address and a QR code of it, 以上. One date style throughout
(:class:`~surety_core.documents.DateStyle`, chosen in the profile).

Builders take prepared input and return PDF bytes: no I/O, no clock, no randomness.
"""

from __future__ import annotations

from collections.abc import Sequence

import segno

from surety_core._errors import InvalidInputError
from surety_core._japanese import format_yen, honorific_for, works_labels
from surety_core.documents._data import (
    KEY_NOTICE_TITLE,
    DocumentIdentity,
    KeyNoticeData,
    KeyNoticeProfile,
)
from surety_core.documents._glyphs import HALF_WIDTH_CHARS
from surety_core.documents._pdf import A4_HEIGHT, A4_WIDTH, Canvas, Face, PageWriter

__all__ = [
    "KEY_NOTICE_TITLE",
    "build_key_notice_pdf",
    "draw_key_notice",
    "key_notice_page",
    "lead_lines",
    "qr_modules",
    "viewing_address",
]

_LEFT = 56.0
_RIGHT = A4_WIDTH - 56.0
_VALUE_X = 170.0
_BODY = 10.5
_SMALL = 9.5
_BOTTOM = 80.0
_WIDTH = _RIGHT - _LEFT
_VALUE_WIDTH = _RIGHT - _VALUE_X - 44  # room for the 変更 tag
_ROW = 20.0
_LINE = 14.5
_QR_SIZE = 66.0
"""The printed width of the QR symbol (without its quiet zone), in points (about 23 mm)."""
_QR_QUIET = 4
"""The quiet zone in modules, kept free of ink around the symbol."""


_NO_LINE_START = frozenset("、。，．,.）」』】〕・ーぁぃぅぇぉっゃゅょァィゥェォッャュョ々")
"""Characters a Japanese line does not start with (禁則): the character before moves down."""


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Split ``text`` into lines no wider than ``width`` (character-wise, as Japanese wraps; a
    line never starts with a closing mark or a small kana: 追い出し)."""
    if PageWriter.text_width(text, size) <= width:
        return [text]
    half = 0.5 * size  # the advances PageWriter.text_width gives one character
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for char in text:
        advance = half if char in HALF_WIDTH_CHARS else size
        if current and used + advance > width:
            if char in _NO_LINE_START and len(current) > 1:
                carried = current.pop()
                lines.append("".join(current))
                current = [carried]
                used = half if carried in HALF_WIDTH_CHARS else size
            else:
                lines.append("".join(current))
                current = []
                used = 0.0
        current.append(char)
        used += advance
    lines.append("".join(current))
    return lines


def _fit(text: str, width: float, size: float, face: Face = Face.GOTHIC) -> float:
    """``size``, or smaller so that ``text`` fits in ``width``."""
    natural = PageWriter.text_width(text, size, face)
    return size if natural <= width else size * width / natural


def _room(y: float) -> None:
    if y < _BOTTOM:
        raise InvalidInputError("data", "too much text to fit on one A4 page")


def viewing_address(data: KeyNoticeData) -> str | None:
    """The viewing service's address printed (and QR-coded) on the notice, ``None`` if the
    profile has none. ``{number}`` becomes the contract number; nothing else (never the key)."""
    url = data.profile.viewing_url
    return None if url is None else url.replace("{number}", data.contract_number)


def lead_lines(data: KeyNoticeData) -> list[str]:
    """The lead sentences of ``data``'s notice, its profile's templates filled in."""
    profile: KeyNoticeProfile = data.profile
    values = {
        "obligee": data.obligee_name,
        "honorific": honorific_for(data.obligee_name),
        "product": data.product_name,
        "surety": data.surety_name,
        "number": data.contract_number,
        "version": str(data.version),
        "service": profile.service_name,
    }
    templates = list(profile.lead_amended if data.version > 1 else profile.lead)
    if data.key_generation > 1:
        templates += profile.lead_reissued
    return [t.format(**values) for t in templates]


def qr_modules(text: str) -> tuple[tuple[bool, ...], ...]:
    """The dark modules of the QR code of ``text`` (error correction M, no quiet zone), row by
    row from the top: the same text always gives the same symbol."""
    code = segno.make_qr(text, error="m", boost_error=False)
    return tuple(tuple(bool(cell) for cell in row) for row in code.matrix)


def _draw_qr(page: Canvas, modules: Sequence[Sequence[bool]], x: float, top: float) -> float:
    """Draw ``modules`` with the symbol's top-left corner at (``x``, ``top``); one box per run
    of dark modules in a row. Returns the module size."""
    count = len(modules)
    unit = _QR_SIZE / count
    rects: list[tuple[float, float, float, float]] = []
    for r, row in enumerate(modules):
        y = top - (r + 1) * unit
        c = 0
        while c < count:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < count and row[c]:
                c += 1
            rects.append((x + start * unit, y, (c - start) * unit, unit))
    page.fill_rects(rects)
    return unit


def key_notice_page(data: KeyNoticeData) -> PageWriter:
    """The drawing of a key notice on a :class:`PageWriter` (see :func:`build_key_notice_pdf`)."""
    page = PageWriter()
    draw_key_notice(data, page)
    return page


def _right_lines(page: Canvas, top: float, lines: Sequence[tuple[str, float, str]]) -> float:
    """Right-aligned lines (text, size, field) from ``top`` down; returns the last baseline."""
    y = top
    for text, size, field in lines:
        page.text(_RIGHT, y, text, size=_fit(text, 280, size), align="right", field=field)
        y -= size + 4
    return y + 4


def _sender(data: KeyNoticeData) -> list[tuple[str, float, str]]:
    lines = [(data.surety_name, _BODY, "surety_name")]
    if data.surety_branch:
        lines.append((data.surety_branch, _BODY, "surety_branch"))
    if data.surety_address:
        lines.append((data.surety_address, _SMALL, "surety_address"))
    if data.surety_telephone:
        lines.append((f"電話 {data.surety_telephone}", _SMALL, "surety_telephone"))
    return lines


def _rows(data: KeyNoticeData) -> list[tuple[str, str, str]]:
    style = data.profile.date_style
    name_label, number_label = works_labels(data.works_kind)
    rows = [
        (name_label, data.works_name, "works_name"),
        (number_label, data.works_number, "works_number"),
        ("発注者", data.obligee_name, "obligee_name"),
        ("受注者", data.principal_name, "principal_name"),
        ("保証金額", format_yen(data.amount), "amount"),
        ("保証期間", style.period_text(data.period.start, data.period.end), "period"),
        ("保証会社", data.surety_name, "surety_name"),
    ]
    original = data.original_issued_on or data.issued_on
    if data.version > 1 and data.version_on is not None:
        rows += [
            ("当初の発行日", style.date_text(original), "original_issued_on"),
            ("変更日", f"{style.date_text(data.version_on)}（第{data.version}版）", "version_on"),
        ]
    else:
        rows.append(("発行日", style.date_text(original), "original_issued_on"))
    return rows


def draw_key_notice(data: KeyNoticeData, page: Canvas) -> None:
    """Draw the key notice on any :class:`Canvas` (pypdf here; reportlab for the benchmark)."""
    if not isinstance(data, KeyNoticeData):
        raise InvalidInputError("data", f"must be a KeyNoticeData, not {type(data).__name__}")
    profile = data.profile
    style = profile.date_style
    # -- the letter head: document number and date (right), addressee (left), sender (right)
    top = A4_HEIGHT - 50
    head: list[tuple[str, float, str]] = []
    if data.document_number:
        head.append((data.document_number, _BODY, "document_number"))
    head.append((style.date_text(data.issued_on), _BODY, "issued_on"))
    y = _right_lines(page, top, head)
    addressee = f"{data.obligee_name} 御中"
    y -= 22
    page.text(_LEFT, y, addressee, size=_fit(addressee, _WIDTH / 2, 13), field="obligee_name")
    y = _right_lines(page, y - 14, _sender(data))
    # -- the title, and which version it serves
    y -= 30
    page.text(A4_WIDTH / 2, y, profile.title, size=_fit(profile.title, _WIDTH, 16), align="center")
    if data.version > 1 or data.key_generation > 1:
        parts = []
        if data.version > 1:
            parts.append(f"変更（第{data.version}版）")
        if data.key_generation > 1:
            parts.append("認証キー再発行")
        y -= 18
        page.text(A4_WIDTH / 2, y, "・".join(parts).join("【】"), size=11, align="center")
    # -- the product, large and boxed, so the obligee routes the notice to the right section
    y -= 40
    page.rect(_LEFT, y, _WIDTH, 30, width=1.2)
    page.text(_LEFT + 10, y + 10, "保証の種類", size=_BODY)
    product_size = _fit(data.product_name, _RIGHT - _VALUE_X - 8, 15)
    page.text(_VALUE_X, y + 9, data.product_name, size=product_size, field="product_name")
    # -- the lead, then 記
    y -= 8
    for sentence in lead_lines(data):
        # a paragraph's first line is indented by one character, as Japanese letters are
        first = _wrap(sentence, _WIDTH - _BODY, _BODY)[0]
        parts = (
            [first, *_wrap(sentence[len(first) :], _WIDTH, _BODY)] if first != sentence else [first]
        )
        for i, part in enumerate(parts):
            y -= _LINE
            page.text(_LEFT + (_BODY if i == 0 else 0), y, part, size=_BODY, field="lead")
    y -= 19
    page.text(A4_WIDTH / 2, y, "記", size=11, align="center")
    # -- the contract number and the key
    top = y - 10
    page.line(_LEFT, top, _RIGHT, top, width=0.8)
    page.text(_LEFT + 8, top - 18, "保証契約番号", size=_BODY)
    page.text(_VALUE_X, top - 19, data.contract_number, size=16, face=Face.MONO)
    page.line(_LEFT, top - 28, _RIGHT, top - 28, width=0.4)
    page.rect(_VALUE_X - 10, top - 68, _RIGHT - _VALUE_X + 10, 40, width=0.4, fill_gray=0.93)
    key_label = "認証キー（再発行）" if data.key_generation > 1 else "認証キー"
    page.text(_LEFT + 8, top - 52, key_label, size=_fit(key_label, 104, _BODY))
    key_size = _fit(data.key, _RIGHT - _VALUE_X - 8, 22, Face.MONO)
    page.text(_VALUE_X, top - 55, data.key, size=key_size, face=Face.MONO, field="key")
    # -- the guarantee, row by row; an amendment's changed rows carry a 変更 tag
    y = top - 68
    page.line(_LEFT, y, _RIGHT, y, width=0.4)
    for label, value, field in _rows(data):
        wrapped = _wrap(value, _VALUE_WIDTH, _BODY)
        height = _ROW + (len(wrapped) - 1) * _LINE
        base = y - 14
        page.text(_LEFT + 8, base, label, size=_BODY)
        for i, part in enumerate(wrapped):
            page.text(_VALUE_X, base - i * _LINE, part, size=_BODY, field=field)
        if data.version > 1 and field in data.changed:
            page.rect(_RIGHT - 34, base - 3.5, 28, 14, width=0.6)
            page.text(_RIGHT - 20, base, "変更", size=9, align="center")
        y -= height
        _room(y)
        page.line(_LEFT, y, _RIGHT, y, width=0.4)
    page.line(_VALUE_X - 10, top, _VALUE_X - 10, y, width=0.4)
    page.rect(_LEFT, y, _WIDTH, top - y, width=0.8)
    # -- how to view it: the address and its QR code on the right
    y -= 24
    _room(y)
    page.text(_LEFT, y, "電子証書の閲覧方法", size=11.5)
    url = viewing_address(data)
    text_width = _WIDTH - 12
    qr_bottom = y
    if url is not None:
        modules = qr_modules(url)
        quiet = _QR_QUIET * _QR_SIZE / len(modules)
        qr_x = _RIGHT - _QR_SIZE
        qr_top = y + 4
        _draw_qr(page, modules, qr_x, qr_top)
        qr_bottom = qr_top - _QR_SIZE
        _room(qr_bottom)
        text_width = qr_x - quiet - _LEFT - 12
        y -= _LINE + 4
        label = "アドレス "
        used = page.text(_LEFT + 12, y, label, size=_SMALL)
        url_size = _fit(url, text_width - used, _SMALL, Face.MONO)
        page.text(_LEFT + 12 + used, y, url, size=url_size, face=Face.MONO, field="viewing_url")
    y -= 2
    for line in data.viewing_instructions:
        for part in _wrap(line, text_width, _BODY):
            y -= _LINE
            _room(y)
            page.text(_LEFT + 12, y, part, size=_BODY, field="viewing_instructions")
    y = min(y, qr_bottom) - 18
    _room(y)
    page.text(_RIGHT, y, "以上", size=_BODY, align="right")
    page.text(_LEFT, 60, profile.footnote, size=_fit(profile.footnote, _WIDTH, 9), field="footnote")


def build_key_notice_pdf(data: KeyNoticeData, identity: DocumentIdentity | None = None) -> bytes:
    """The key notice 「電子保証にかかる「認証キー」のお知らせ」 as a one-page A4 PDF.

    ``identity`` fixes the file ``/ID`` and dates; by default it is derived from the contract
    number, the version, the key's generation and the notice's date, so the same input always
    gives the same bytes.
    """
    page = key_notice_page(data)
    seed = f"key-notice:{data.contract_number}"
    if data.version > 1 or data.key_generation > 1:
        seed += f":v{data.version}:g{data.key_generation}"
    ident = identity or DocumentIdentity.derive(seed, data.issued_on)
    return page.write(
        document_id=ident.document_id,
        created_at=ident.created_at,
        title=data.profile.title,
        subject=f"{data.product_name} {data.contract_number}",
        author=data.surety_name,
    )
