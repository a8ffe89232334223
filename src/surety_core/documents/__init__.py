"""Documents as PDFs: the key notice, the certificate and the fee statement, and their checks.

* :func:`build_key_notice_pdf` — 「電子保証にかかる「認証キー」のお知らせ」, one per guarantee
  (:func:`key_notice_pdf` builds it straight from a contract and its key), a letter to the
  obligee worded and laid out by the surety's :class:`KeyNoticeProfile` (title, texts, the
  viewing service's address and QR code, :class:`DateStyle`).
* :func:`build_certificate_pdf` — the certificate (前払金保証証書, 契約保証証書, …; 変更 for a later
  version) with its signed payload attached; :func:`build_paper_certificate_pdf` and
  :func:`paper_certificate_pdf` — the paper certificate (正本) of a paper guarantee.
* :func:`build_fee_statement_pdf` — the fee calculation statement (保証料計算書);
  :func:`build_additional_fee_statement_pdf` (追加保証料計算書) and
  :func:`build_refund_statement_pdf` (返還計算書) for amendments and releases
  (:func:`fee_statement_pdf`, :func:`fee_adjustment_pdf` and :func:`refund_statement_pdf` build
  them straight from the domain, with the payee and due date of :class:`FeeDocumentSettings`).
* :func:`verify_certificate_pdf` — offline verification of a certificate PDF: genuine only if it
  is byte for byte what the builder makes from its signed payload (plus, optionally, one
  invisible PDF signature revision); :func:`read_pdf_file` reads one safely from disk;
  :func:`certificate_verifier` plugs in :mod:`surety_core.certificates` and a trusted key set,
  :func:`build_signed_certificate_pdf` builds the PDF from signed content.
* :func:`sign_certificate_pdf` — a standard PDF signature (PAdES, pyHanko: the ``pades`` extra)
  by :class:`PdfSigningKeys` from :func:`create_pdf_signing_keys` (the surety's own CA), so an
  ordinary PDF reader shows who signed and whether the file changed.
* :func:`key_notice_data_from_contract`, :func:`certificate_data_from_content`,
  :func:`fee_statement_data_from_statement` — the inputs from the domain model, from signed
  certificate content and from a computed fee statement.
* :func:`format_yen`, :func:`format_date`, :func:`format_era_date`, :func:`format_period` —
  Japanese formatting (pure functions, no PDF library); :class:`DateStyle` — one date style
  for a whole document (和暦 or Western), chosen by the host.

This package is the PDF adapter: pypdf is imported here and nowhere in the domain modules.
Builders are pure (no I/O, no clock): the same input gives the same bytes.
"""

from surety_core._japanese import (
    ERAS,
    DateStyle,
    era_year,
    format_date,
    format_era_date,
    format_percent,
    format_period,
    format_yen,
)
from surety_core.documents._certificate import (
    PAYLOAD_ATTACHMENT_NAME,
    CertificateAmendment,
    CertificateData,
    ChangedField,
    build_certificate_pdf,
    build_paper_certificate_pdf,
)
from surety_core.documents._data import (
    DEFAULT_VIEWING_INSTRUCTIONS,
    DocumentIdentity,
    KeyNoticeData,
    KeyNoticeProfile,
)
from surety_core.documents._from_model import (
    PRODUCT_NAMES_JA,
    CertificateContentLike,
    KeyNoticeLike,
    build_signed_certificate_pdf,
    certificate_data_from_content,
    certificate_pdf,
    certificate_verifier,
    key_notice_data_from_contract,
    key_notice_data_from_notice,
    key_notice_pdf,
    paper_certificate_data,
    paper_certificate_pdf,
)
from surety_core.documents._notice import KEY_NOTICE_TITLE, build_key_notice_pdf
from surety_core.documents._pades import (
    PDF_SIGNATURE_FIELD,
    PdfSigningKeys,
    create_pdf_signing_keys,
    load_ca_certificates,
    sign_certificate_pdf,
)
from surety_core.documents._statement import (
    ADDITIONAL_FEE_TITLE,
    DEFAULT_PAYMENT_DAYS,
    DEFAULT_REFUND_NOTE,
    FEE_STATEMENT_TITLE,
    REFUND_TITLE,
    AdditionalFeeStatementData,
    FeeDocumentSettings,
    FeeLineLike,
    FeeStatementData,
    FeeStatementLike,
    FeeStatementLine,
    RefundEvent,
    RefundStatementData,
    additional_fee_data_from_adjustment,
    build_additional_fee_statement_pdf,
    build_fee_statement_pdf,
    build_refund_statement_pdf,
    fee_adjustment_pdf,
    fee_statement_data_from_statement,
    fee_statement_pdf,
    format_rate,
    refund_data_from_adjustment,
    refund_data_from_statement,
    refund_statement_pdf,
)
from surety_core.documents._verify import (
    DEFAULT_MAX_PDF_BYTES,
    CertificateCheck,
    CheckStatus,
    PdfSignatureState,
    expected_certificate_text,
    read_certificate_pdf,
    read_pdf_file,
    verify_certificate_pdf,
)

__all__ = [
    "ADDITIONAL_FEE_TITLE",
    "DEFAULT_MAX_PDF_BYTES",
    "DEFAULT_PAYMENT_DAYS",
    "DEFAULT_REFUND_NOTE",
    "DEFAULT_VIEWING_INSTRUCTIONS",
    "ERAS",
    "FEE_STATEMENT_TITLE",
    "KEY_NOTICE_TITLE",
    "PAYLOAD_ATTACHMENT_NAME",
    "PDF_SIGNATURE_FIELD",
    "PRODUCT_NAMES_JA",
    "REFUND_TITLE",
    "AdditionalFeeStatementData",
    "CertificateAmendment",
    "CertificateCheck",
    "CertificateContentLike",
    "CertificateData",
    "ChangedField",
    "CheckStatus",
    "DateStyle",
    "DocumentIdentity",
    "FeeDocumentSettings",
    "FeeLineLike",
    "FeeStatementData",
    "FeeStatementLike",
    "FeeStatementLine",
    "KeyNoticeData",
    "KeyNoticeLike",
    "KeyNoticeProfile",
    "PdfSignatureState",
    "PdfSigningKeys",
    "RefundEvent",
    "RefundStatementData",
    "additional_fee_data_from_adjustment",
    "build_additional_fee_statement_pdf",
    "build_certificate_pdf",
    "build_fee_statement_pdf",
    "build_key_notice_pdf",
    "build_paper_certificate_pdf",
    "build_refund_statement_pdf",
    "build_signed_certificate_pdf",
    "certificate_data_from_content",
    "certificate_pdf",
    "certificate_verifier",
    "create_pdf_signing_keys",
    "era_year",
    "expected_certificate_text",
    "fee_adjustment_pdf",
    "fee_statement_data_from_statement",
    "fee_statement_pdf",
    "format_date",
    "format_era_date",
    "format_percent",
    "format_period",
    "format_rate",
    "format_yen",
    "key_notice_data_from_contract",
    "key_notice_data_from_notice",
    "key_notice_pdf",
    "load_ca_certificates",
    "paper_certificate_data",
    "paper_certificate_pdf",
    "read_certificate_pdf",
    "read_pdf_file",
    "refund_data_from_adjustment",
    "refund_data_from_statement",
    "refund_statement_pdf",
    "sign_certificate_pdf",
    "verify_certificate_pdf",
]
