"""The key notice, one A4 page (private; see :mod:`surety_core.documents`).

Builders take prepared input and return PDF bytes: no I/O, no clock, no randomness.
"""

from __future__ import annotations

from collections.abc import Sequence

from surety_core._errors import InvalidInputError
from surety_core._japanese import (
    format_date,
    format_era_date,
    format_period,
    format_yen,
)
from surety_core.documents._data import (
    DocumentIdentity,
    KeyNoticeData,
)
from surety_core.documents._pdf import A4_HEIGHT, A4_WIDTH, Canvas, Face, PageWriter

__all__ = [
    "KEY_NOTICE_TITLE",
    "build_key_notice_pdf",
    "draw_key_notice",
    "key_notice_page",
]

KEY_NOTICE_TITLE = "電子保証にかかる「認証キー」のお知らせ"

_LEFT = 56.0
_RIGHT = A4_WIDTH - 56.0
_VALUE_X = 170.0
_BODY = 10.5
_BOTTOM = 80.0
_WIDTH = _RIGHT - _LEFT
_VALUE_WIDTH = _RIGHT - _VALUE_X - 8
_ROW = 24.0


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Split ``text`` into lines no wider than ``width`` (character-wise, as Japanese wraps)."""
    if PageWriter.text_width(text, size) <= width:
        return [text]
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for char in text:
        advance = PageWriter.text_width(char, size)
        if current and used + advance > width:
            lines.append("".join(current))
            current, used = [], 0.0
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


def _rows(page: Canvas, top: float, rows: Sequence[tuple[str, str, str]]) -> float:
    """Draw label/value rows in a ruled box from ``top`` down; returns the bottom."""
    y = top
    page.line(_LEFT, y, _RIGHT, y, width=0.8)
    for label, value, field in rows:
        wrapped = _wrap(value, _VALUE_WIDTH, _BODY)
        height = _ROW + (len(wrapped) - 1) * 15
        base = y - 16
        page.text(_LEFT + 8, base, label, size=_BODY, field=field)
        for i, part in enumerate(wrapped):
            page.text(_VALUE_X, base - i * 15, part, size=_BODY, field=field)
        y -= height
        _room(y)
        page.line(_LEFT, y, _RIGHT, y, width=0.4)
    page.line(_VALUE_X - 10, top, _VALUE_X - 10, y, width=0.4)
    page.rect(_LEFT, y, _RIGHT - _LEFT, top - y, width=0.8)
    return y


def _header(page: Canvas, title: str, issued_label: str, issued: str) -> float:
    page.text(_RIGHT, A4_HEIGHT - 60, f"{issued_label} {issued}", size=_BODY, align="right")
    page.text(A4_WIDTH / 2, A4_HEIGHT - 100, title, size=17, align="center")
    page.line(_LEFT + 60, A4_HEIGHT - 108, _RIGHT - 60, A4_HEIGHT - 108, width=0.8)
    return A4_HEIGHT - 108


def key_notice_page(data: KeyNoticeData) -> PageWriter:
    """The drawing of a key notice on a :class:`PageWriter` (see :func:`build_key_notice_pdf`)."""
    page = PageWriter()
    draw_key_notice(data, page)
    return page


def draw_key_notice(data: KeyNoticeData, page: Canvas) -> None:
    """Draw the key notice on any :class:`Canvas` (pypdf here; reportlab for the benchmark)."""
    if not isinstance(data, KeyNoticeData):
        raise InvalidInputError("data", f"must be a KeyNoticeData, not {type(data).__name__}")
    y = _header(page, KEY_NOTICE_TITLE, "発行日", format_era_date(data.issued_on))
    addressee = f"{data.obligee_name} 御中"
    page.text(_LEFT, y - 36, addressee, size=_fit(addressee, _WIDTH, 13), field="obligee_name")
    # The product, large and boxed, so the obligee routes the notice to the right section.
    page.rect(_LEFT, y - 86, _RIGHT - _LEFT, 32, width=1.2)
    page.text(_LEFT + 10, y - 76, "保証の種類", size=_BODY)
    product_size = _fit(data.product_name, _VALUE_WIDTH, 15)
    page.text(_VALUE_X, y - 77, data.product_name, size=product_size, field="product_name")
    page.text(
        _LEFT,
        y - 112,
        "下記の保証について、保証証書に代えて電子証書を発行しました。",
        size=_BODY,
    )
    page.text(
        _LEFT,
        y - 128,
        "保証契約番号と認証キーにより、発注者さまが電子証書を閲覧できます。",
        size=_BODY,
    )
    top = y - 146
    page.line(_LEFT, top, _RIGHT, top, width=0.8)
    page.text(_LEFT + 8, top - 20, "保証契約番号", size=_BODY)
    page.text(_VALUE_X, top - 21, data.contract_number, size=16, face=Face.MONO)
    page.line(_LEFT, top - 32, _RIGHT, top - 32, width=0.4)
    page.rect(_VALUE_X - 10, top - 78, _RIGHT - _VALUE_X + 10, 46, width=0.4, fill_gray=0.93)
    page.text(_LEFT + 8, top - 61, "認証キー", size=_BODY)
    key_size = _fit(data.key, _VALUE_WIDTH, 22, Face.MONO)
    page.text(_VALUE_X, top - 63, data.key, size=key_size, face=Face.MONO, field="key")
    bottom = _rows(
        page,
        top - 78,
        [
            ("工事名", data.works_name, "works_name"),
            ("工事番号", data.works_number, "works_number"),
            ("発注者", data.obligee_name, "obligee_name"),
            ("受注者", data.principal_name, "principal_name"),
            ("保証金額", format_yen(data.amount), "amount"),
            ("保証期間", format_period(data.period.start, data.period.end, era=True), "period"),
            ("保証会社", data.surety_name, "surety_name"),
            ("発行日", format_date(data.issued_on), "issued_on"),
        ],
    )
    page.line(_VALUE_X - 10, top, _VALUE_X - 10, top - 78, width=0.4)
    page.rect(_LEFT, top - 78, _RIGHT - _LEFT, 78, width=0.8)
    y = bottom - 34
    _room(y)
    page.text(_LEFT, y, "電子証書の閲覧方法", size=12)
    y -= 4
    for line in data.viewing_instructions:
        for part in _wrap(line, _WIDTH - 12, _BODY):
            y -= 16
            _room(y)
            page.text(_LEFT + 12, y, part, size=_BODY, field="viewing_instructions")
    page.text(
        _LEFT,
        60,
        "この認証キーは、この保証契約の電子証書の閲覧に限り使用します。大切に保管してください。",
        size=9,
    )


def build_key_notice_pdf(data: KeyNoticeData, identity: DocumentIdentity | None = None) -> bytes:
    """The key notice 「電子保証にかかる「認証キー」のお知らせ」 as a one-page A4 PDF.

    ``identity`` fixes the file ``/ID`` and dates; by default it is derived from the contract
    number and the issue date, so the same input always gives the same bytes.
    """
    page = key_notice_page(data)
    ident = identity or DocumentIdentity.derive(
        f"key-notice:{data.contract_number}", data.issued_on
    )
    return page.write(
        document_id=ident.document_id,
        created_at=ident.created_at,
        title=KEY_NOTICE_TITLE,
        subject=f"{data.product_name} {data.contract_number}",
        author=data.surety_name,
    )
