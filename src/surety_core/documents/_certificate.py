"""The certificate, laid out on one A4 page (private; see :mod:`surety_core.documents`).

Owns what a certificate prints (:class:`CertificateData`) and how it is drawn. The builder takes
prepared input and returns PDF bytes: no I/O, no clock, no randomness, so the verifier can build
the same bytes again from the signed content.
"""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import InvalidInputError
from surety_core._japanese import (
    STATUS_NAMES,
    format_date,
    format_era_date,
    format_period,
    format_yen,
)
from surety_core.documents._data import DocumentIdentity
from surety_core.documents._pdf import PageWriter
from surety_core.documents._render import _BODY, _LEFT, _WIDTH, _fit, _header, _room, _rows
from surety_core.domain._model import GuaranteeStatus, Period

__all__ = [
    "PAYLOAD_ATTACHMENT_NAME",
    "STATUS_LABELS",
    "CertificateData",
    "build_certificate_pdf",
    "certificate_page",
]

CERTIFICATE_TITLE = "電子証書（保証証書）"
PAYLOAD_ATTACHMENT_NAME = "certificate-payload.json"
"""The file name under which a certificate PDF embeds its signed canonical payload."""


@frozen
class CertificateData:
    """The content of an electronic certificate (電子証書) as printed and as signed.

    The verifier compares the text of a certificate PDF with this content taken from the signed
    payload, so every printed field is here.
    """

    contract_number: str = field(validator=v.contract_number)
    product_name: str = field(converter=v.strip_text, validator=v.text(40))
    version: int = field(validator=v.positive_int)
    status: GuaranteeStatus = field(validator=v.enum_of(GuaranteeStatus))
    works_name: str = field(converter=v.strip_text, validator=v.text(120))
    works_number: str = field(converter=v.strip_text, validator=v.text(64))
    obligee_name: str = field(converter=v.strip_text, validator=v.text(60))
    principal_name: str = field(converter=v.strip_text, validator=v.text(60))
    amount: int = field(validator=v.yen)
    period: Period = field(validator=v.instance_of(Period))
    surety_name: str = field(converter=v.strip_text, validator=v.text(60))
    issued_on: date = field(validator=v.a_date)


STATUS_LABELS: dict[GuaranteeStatus, str] = {
    **STATUS_NAMES,
    GuaranteeStatus.ISSUED: f"{STATUS_NAMES[GuaranteeStatus.ISSUED]}（発行済）",
    GuaranteeStatus.RELEASED: f"{STATUS_NAMES[GuaranteeStatus.RELEASED]}済",
}
"""The status as a certificate states it: the labels of :data:`surety_core._japanese.STATUS_NAMES`
with the documents' suffixes (有効（発行済）, 解約・返還済)."""


def certificate_page(data: CertificateData) -> PageWriter:
    """The drawing of a certificate; its text is what :func:`verify_certificate_pdf` expects."""
    if not isinstance(data, CertificateData):
        raise InvalidInputError("data", f"must be a CertificateData, not {type(data).__name__}")
    page = PageWriter()
    y = _header(page, CERTIFICATE_TITLE, "発行日", format_era_date(data.issued_on))
    addressee = f"{data.obligee_name} 御中"
    page.text(_LEFT, y - 36, addressee, size=_fit(addressee, _WIDTH, 13), field="obligee_name")
    page.text(
        _LEFT,
        y - 62,
        "次の保証契約を締結したことを証します。",
        size=_BODY,
    )
    bottom = _rows(
        page,
        y - 80,
        [
            ("保証契約番号", data.contract_number, "contract_number"),
            ("保証の種類", data.product_name, "product_name"),
            ("版", f"第{data.version}版", "version"),
            ("状態", STATUS_LABELS[data.status], "status"),
            ("工事名", data.works_name, "works_name"),
            ("工事番号", data.works_number, "works_number"),
            ("発注者", data.obligee_name, "obligee_name"),
            ("受注者", data.principal_name, "principal_name"),
            ("保証金額", format_yen(data.amount), "amount"),
            ("保証期間", format_period(data.period.start, data.period.end), "period"),
            ("保証会社", data.surety_name, "surety_name"),
            ("発行日", format_date(data.issued_on), "issued_on"),
        ],
    )
    _room(bottom - 46)
    page.text(
        _LEFT,
        bottom - 30,
        f"署名付きの内容を添付ファイル {PAYLOAD_ATTACHMENT_NAME} に収めています。",
        size=9,
    )
    page.text(
        _LEFT,
        bottom - 46,
        "正本は保証会社の電子保証サービス上の電子証書です。",
        size=9,
    )
    return page


def build_certificate_pdf(data: CertificateData, signed_payload: bytes) -> bytes:
    """The certificate (電子証書) as a one-page A4 PDF embedding ``signed_payload``.

    ``signed_payload`` is the signed canonical payload exactly as the signer produced it; it is
    attached as :data:`PAYLOAD_ATTACHMENT_NAME` and round-trips byte for byte. Everything in the
    file (its ``/ID``, dates, title) comes from ``data``: the same content and payload always
    give the same bytes, which is what :func:`verify_certificate_pdf` checks.
    """
    if not isinstance(signed_payload, bytes) or not signed_payload:
        raise InvalidInputError("signed_payload", "must be non-empty bytes")
    page = certificate_page(data)
    ident = DocumentIdentity.derive(
        f"certificate:{data.contract_number}:{data.version}", data.issued_on
    )
    return page.write(
        document_id=ident.document_id,
        created_at=ident.created_at,
        title=f"{CERTIFICATE_TITLE} {data.contract_number} 第{data.version}版",
        subject=data.product_name,
        author=data.surety_name,
        attachments=[(PAYLOAD_ATTACHMENT_NAME, signed_payload)],
    )
