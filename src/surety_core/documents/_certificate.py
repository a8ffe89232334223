"""The certificate (保証証書), laid out on one A4 page (private; see :mod:`surety_core.documents`).

Owns what a certificate prints (:class:`CertificateData`) and how it is drawn: titled by
product (前払金保証証書, 中間前払金保証証書, 契約保証証書: the product's name and 証書), it
names the approved terms (約款) and what they cover, the works (contract price, period,
site), the guaranteed amount and period, and the surety with its representative. A later
version is marked 変更 and lists what changed, before and after, with the effective date and
the reason. An electronic certificate embeds its signed payload; a paper one (正本) is marked
so and embeds nothing.

No status is printed: it changes after the certificate is made, and the registry states it.
The builders take prepared input and return PDF bytes: no I/O, no clock, no randomness, so the
verifier can build the same bytes again from the signed content.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from types import MappingProxyType
from typing import Any

from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import InvalidInputError
from surety_core._japanese import format_era_date, format_period, format_yen
from surety_core.documents._data import DocumentIdentity
from surety_core.documents._pdf import A4_HEIGHT, A4_WIDTH, Face, PageWriter
from surety_core.domain._model import Period, WorksKind
from surety_core.domain._products import Terms

__all__ = [
    "PAYLOAD_ATTACHMENT_NAME",
    "WORKS_LABELS",
    "CertificateAmendment",
    "CertificateData",
    "ChangedField",
    "WorksLabels",
    "build_certificate_pdf",
    "build_paper_certificate_pdf",
    "certificate_page",
    "certificate_title",
]

PAYLOAD_ATTACHMENT_NAME = "certificate-payload.json"
"""The file name under which a certificate PDF embeds its signed canonical payload (never
printed on the page)."""

AMENDMENT_MARK = "変更"
ORIGINAL_MARK = "正本"


@frozen
class WorksLabels:
    """How a certificate names the parts of a works, by works kind (工事 or 業務)."""

    name: str
    number: str
    site: str
    period: str
    price: str


WORKS_LABELS: Mapping[WorksKind, WorksLabels] = MappingProxyType(
    {
        WorksKind.CONSTRUCTION: WorksLabels("工事名", "工事番号", "工事場所", "工期", "請負代金額"),
        WorksKind.MANUFACTURE: WorksLabels("件名", "契約番号", "納入場所", "履行期間", "契約金額"),
        **{
            kind: WorksLabels("業務名", "業務番号", "履行場所", "履行期間", "業務委託料")
            for kind in WorksKind
            if kind.is_service
        },
    }
)
"""The labels of the works lines for each works kind: a construction works prints 工事名, 工期
and 請負代金額; a service contract (業務委託) 業務名, 履行期間 and 業務委託料."""


def certificate_title(product_name: str) -> str:
    """The certificate's title for a product: its name and 証書 (前払金保証 → 前払金保証証書)."""
    return f"{product_name}証書"


@frozen
class ChangedField:
    """One line of an amendment: what changed (``label``), as it was and as it is now."""

    label: str = field(converter=v.strip_text, validator=v.text(20))
    before: str = field(converter=v.strip_text, validator=v.text(200))
    after: str = field(converter=v.strip_text, validator=v.text(200))


@frozen
class CertificateAmendment:
    """What a later version's certificate states of the amendment (変更): its effective date,
    its reason and the fields it changed, before and after."""

    effective_on: date = field(validator=v.a_date)
    reason: str = field(converter=v.strip_text, validator=v.text(500))
    changes: tuple[ChangedField, ...] = field(
        converter=v.to_tuple, validator=v.tuple_of(ChangedField, max_length=10)
    )


def _amendment_fits(instance: CertificateData, attribute: Any, value: Any) -> None:
    if value is not None and instance.version < 2:
        raise InvalidInputError("CertificateData.amendment", "version 1 is no amendment")


@frozen
class CertificateData:
    """Everything a certificate prints, for one version of a guarantee contract.

    The verifier compares a certificate PDF with the one built from this content taken from the
    signed payload, so every printed field is here. ``terms`` (the approved terms and what they
    cover), ``site``, ``principal_address`` and ``surety_representative`` leave their lines out
    when ``None``. A version above 1 is marked 変更; ``amendment`` states what changed (``None``
    only for content signed before certificates stated it). ``paper`` makes the paper
    certificate (正本), which :func:`build_paper_certificate_pdf` builds.
    """

    contract_number: str = field(validator=v.contract_number)
    product_name: str = field(converter=v.strip_text, validator=v.text(40))
    version: int = field(validator=v.positive_int)
    works_kind: WorksKind = field(validator=v.enum_of(WorksKind))
    works_name: str = field(converter=v.strip_text, validator=v.text(120))
    works_number: str = field(converter=v.strip_text, validator=v.text(64))
    contract_price: int = field(validator=v.yen)
    works_period: Period = field(validator=v.instance_of(Period))
    obligee_name: str = field(converter=v.strip_text, validator=v.text(60))
    principal_name: str = field(converter=v.strip_text, validator=v.text(60))
    amount: int = field(validator=v.yen)
    period: Period = field(validator=v.instance_of(Period))
    surety_name: str = field(converter=v.strip_text, validator=v.text(60))
    issued_on: date = field(validator=v.a_date)
    terms: Terms | None = field(default=None, validator=v.optional(v.instance_of(Terms)))
    site: str | None = field(default=None, validator=v.optional(v.text(200)))
    principal_address: str | None = field(default=None, validator=v.optional(v.text(300)))
    surety_representative: str | None = field(default=None, validator=v.optional(v.text(80)))
    amendment: CertificateAmendment | None = field(
        default=None,
        validator=[v.optional(v.instance_of(CertificateAmendment)), _amendment_fits],
    )
    paper: bool = field(default=False, validator=v.instance_of(bool))

    @property
    def title(self) -> str:
        """The title printed at the top (前払金保証証書, …)."""
        return certificate_title(self.product_name)

    @property
    def amended(self) -> bool:
        """True for a later version (変更)."""
        return self.version > 1


_LEFT = 56.0
_RIGHT = A4_WIDTH - 56.0
_WIDTH = _RIGHT - _LEFT
_LABEL_X = _LEFT + 8
_VALUE_X = 160.0
_VALUE_WIDTH = _RIGHT - _VALUE_X - 8
_BODY = 10.0
_ROW = 20.0
_LINE = 13.0
_BOTTOM = 84.0
_BEFORE_X = 160.0
_AFTER_X = 160.0 + (_RIGHT - 160.0) / 2


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


def _table(page: PageWriter, top: float, rows: Sequence[tuple[str, str, str]]) -> float:
    """Label/value rows in a ruled box from ``top`` down; returns the bottom."""
    y = top
    page.line(_LEFT, y, _RIGHT, y, width=0.8)
    for label, value, name in rows:
        wrapped = _wrap(value, _VALUE_WIDTH, _BODY)
        base = y - 14
        page.text(_LABEL_X, base, label, size=_fit(label, _VALUE_X - _LABEL_X - 14, _BODY))
        for i, part in enumerate(wrapped):
            page.text(_VALUE_X, base - i * _LINE, part, size=_BODY, field=name)
        y -= _ROW + (len(wrapped) - 1) * _LINE
        _room(y)
        page.line(_LEFT, y, _RIGHT, y, width=0.4)
    page.line(_VALUE_X - 10, top, _VALUE_X - 10, y, width=0.4)
    page.rect(_LEFT, y, _WIDTH, top - y, width=0.8)
    return y


def _change_table(page: PageWriter, top: float, changes: Sequence[ChangedField]) -> float:
    """The changed fields: 項目 | 変更前 | 変更後, from ``top`` down; returns the bottom."""
    column = _AFTER_X - _BEFORE_X - 12
    y = top
    page.rect(_LEFT, y - _ROW, _WIDTH, _ROW, width=0.8, fill_gray=0.93)
    for x, head in ((_LABEL_X, "項目"), (_BEFORE_X, "変更前"), (_AFTER_X, "変更後")):
        page.text(x, y - 14, head, size=_BODY)
    y -= _ROW
    for i, change in enumerate(changes):
        before = _wrap(change.before, column, _BODY)
        after = _wrap(change.after, column, _BODY)
        base = y - 14
        label_size = _fit(change.label, _BEFORE_X - _LABEL_X - 14, _BODY)
        page.text(_LABEL_X, base, change.label, size=label_size, field=f"changes[{i}]")
        for j, part in enumerate(before):
            page.text(_BEFORE_X, base - j * _LINE, part, size=_BODY, field=f"changes[{i}]")
        for j, part in enumerate(after):
            page.text(_AFTER_X, base - j * _LINE, part, size=_BODY, field=f"changes[{i}]")
        y -= _ROW + (max(len(before), len(after)) - 1) * _LINE
        _room(y)
        page.line(_LEFT, y, _RIGHT, y, width=0.4)
    page.line(_BEFORE_X - 10, top, _BEFORE_X - 10, y, width=0.4)
    page.line(_AFTER_X - 10, top, _AFTER_X - 10, y, width=0.4)
    page.rect(_LEFT, y, _WIDTH, top - y, width=0.8)
    return y


def _mark(page: PageWriter, x: float, y: float, text: str, size: float) -> None:
    """A boxed mark (正本, 変更) with its lower-left corner at ``x``, ``y``."""
    width = PageWriter.text_width(text, size)
    page.rect(x, y, width + size, size * 1.8, width=1.6)
    page.text(x + size / 2, y + size * 0.5, text, size=size)


def _preamble(data: CertificateData) -> str:
    under = "" if data.terms is None else f"{data.terms.name}に基づき、"
    if data.amended:
        return f"当社は、{under}下記のとおり保証契約の内容を変更したことを証します。"
    return f"当社は、{under}下記のとおり保証契約を締結したことを証します。"


def certificate_page(data: CertificateData) -> PageWriter:
    """The drawing of a certificate; what :func:`verify_certificate_pdf` expects to find."""
    if not isinstance(data, CertificateData):
        raise InvalidInputError("data", f"must be a CertificateData, not {type(data).__name__}")
    page = PageWriter()
    top = A4_HEIGHT - 56
    if data.paper:
        _mark(page, _LEFT, top - 20, ORIGINAL_MARK, 14)
    page.text(_RIGHT, top - 4, f"保証契約番号 {data.contract_number}", size=_BODY, align="right")
    page.text(
        _RIGHT, top - 20, f"発行日 {format_era_date(data.issued_on)}", size=_BODY, align="right"
    )
    title_y = top - 72
    title_size = _fit(data.title, _WIDTH - 140, 20)
    if data.amended:
        # Drawn first, on the title's baseline: read as 「変更 前払金保証証書」.
        title_width = PageWriter.text_width(data.title, title_size)
        _mark(page, A4_WIDTH / 2 - title_width / 2 - 56, title_y - 6.5, AMENDMENT_MARK, 13)
    page.text(A4_WIDTH / 2, title_y, data.title, size=title_size, align="center", field="title")
    if data.amended:
        page.text(A4_WIDTH / 2, title_y - 20, f"（第{data.version}版）", size=_BODY, align="center")
    addressee = f"{data.obligee_name} 御中"
    y = title_y - 52
    page.text(_LEFT, y, addressee, size=_fit(addressee, _WIDTH / 2, 13), field="obligee_name")
    # The surety, on the right: name and representative (a paper original leaves room for
    # the company seal).
    seal = 44.0 if data.paper else 0.0
    right = _RIGHT - seal
    sender = [("保証会社", 9.0), (data.surety_name, 12.0)]
    if data.surety_representative is not None:
        sender.append((data.surety_representative, _BODY))
    sy = y - 24
    for text, size in sender:
        page.text(right, sy, text, size=_fit(text, _WIDTH / 2, size), align="right")
        sy -= size + 6
    if data.paper:
        page.rect(_RIGHT - 36, y - 60, 36, 36, width=0.4)
        page.text(_RIGHT - 18, y - 46, "印", size=9, align="center")
    y = min(sy, y - 62) - 10
    for part in _wrap(_preamble(data), _WIDTH, _BODY):
        page.text(_LEFT, y, part, size=_BODY)
        y -= _LINE + 2
    page.text(A4_WIDTH / 2, y - 6, "記", size=11, align="center")
    labels = WORKS_LABELS[data.works_kind]
    rows: list[tuple[str, str, str]] = [("保証の種類", data.product_name, "product_name")]
    if data.terms is not None:
        rows.append(("保証する債務", data.terms.covers, "terms"))
        rows.append(("保証約款", f"{data.terms.name}（{data.terms.version}）", "terms"))
    rows.append(("発注者", data.obligee_name, "obligee_name"))
    rows.append(("受注者", data.principal_name, "principal_name"))
    if data.principal_address is not None:
        rows.append(("受注者の住所", data.principal_address, "principal_address"))
    rows.append((labels.name, data.works_name, "works_name"))
    rows.append((labels.number, data.works_number, "works_number"))
    if data.site is not None:
        rows.append((labels.site, data.site, "site"))
    works_period = format_period(data.works_period.start, data.works_period.end, era=True)
    rows.append((labels.period, works_period, "works_period"))
    rows.append((labels.price, format_yen(data.contract_price), "contract_price"))
    rows.append(("保証金額", format_yen(data.amount), "amount"))
    rows.append(("保証期間", format_period(data.period.start, data.period.end, era=True), "period"))
    y = _table(page, y - 16, rows)
    if data.amendment is not None:
        y -= 22
        _room(y)
        page.text(_LEFT, y, "変更の内容", size=11)
        y = _table(
            page,
            y - 8,
            [
                ("変更年月日", format_era_date(data.amendment.effective_on), "effective_on"),
                ("変更の理由", data.amendment.reason, "reason"),
            ],
        )
        if data.amendment.changes:
            y = _change_table(page, y - 8, data.amendment.changes)
    y -= 18
    _room(y)
    page.text(_RIGHT, y, "以上", size=_BODY, align="right")
    footer: tuple[str, ...]
    if data.paper:
        footer = (
            "本書は保証証書の正本です。この保証の現在の状態（変更・解約など）は保証会社にお問い合わせください。",
        )
    else:
        footer = (
            "この電子証書は、保証会社の電子保証閲覧サービスに登録されたものです。",
            "この保証の現在の状態（変更・解約など）は、同サービスで保証契約番号と認証キーによりご確認ください。",
        )
    fy = 64.0
    for line in footer:
        for part in _wrap(line, _WIDTH, 8.5):
            page.text(_LEFT, fy, part, size=8.5)
            fy -= 12
    return page


def _identity(data: CertificateData, kind: str) -> DocumentIdentity:
    return DocumentIdentity.derive(f"{kind}:{data.contract_number}:{data.version}", data.issued_on)


def build_certificate_pdf(data: CertificateData, signed_payload: bytes) -> bytes:
    """The electronic certificate as a one-page A4 PDF embedding ``signed_payload``.

    ``signed_payload`` is the signed canonical payload exactly as the signer produced it; it is
    attached as :data:`PAYLOAD_ATTACHMENT_NAME` and round-trips byte for byte. Everything in the
    file (its ``/ID``, dates, title) comes from ``data``: the same content and payload always
    give the same bytes, which is what :func:`verify_certificate_pdf` checks. Paper data
    (``data.paper``) is refused: its certificate is :func:`build_paper_certificate_pdf`.
    """
    if not isinstance(signed_payload, bytes) or not signed_payload:
        raise InvalidInputError("signed_payload", "must be non-empty bytes")
    if isinstance(data, CertificateData) and data.paper:
        raise InvalidInputError("data.paper", "a paper certificate embeds no signed payload")
    page = certificate_page(data)
    ident = _identity(data, "certificate")
    return page.write(
        document_id=ident.document_id,
        created_at=ident.created_at,
        title=f"{data.title} {data.contract_number} 第{data.version}版",
        subject=data.product_name,
        author=data.surety_name,
        attachments=[(PAYLOAD_ATTACHMENT_NAME, signed_payload)],
    )


def build_paper_certificate_pdf(data: CertificateData) -> bytes:
    """The paper certificate (正本) as a one-page A4 PDF to print, seal and hand over.

    The same content as the electronic certificate, marked 正本, with room for the company seal
    and no signed payload (paper is not signed). Deterministic: the same data gives the same
    bytes. Only paper data (``data.paper``) is accepted.
    """
    if not isinstance(data, CertificateData):
        raise InvalidInputError("data", f"must be a CertificateData, not {type(data).__name__}")
    if not data.paper:
        raise InvalidInputError("data.paper", "an electronic certificate is built with its payload")
    page = certificate_page(data)
    ident = _identity(data, "paper-certificate")
    return page.write(
        document_id=ident.document_id,
        created_at=ident.created_at,
        title=f"{data.title}（{ORIGINAL_MARK}） {data.contract_number} 第{data.version}版",
        subject=data.product_name,
        author=data.surety_name,
    )
