"""Offline verification of a certificate PDF (private; see :mod:`surety_core.documents`).

The PDF is outside data: it is read under tight limits (size, pages, decompression), every
failure to read it becomes a :class:`~surety_core.DocumentError`, and its visible text is
compared with the content of its *signed* payload, which alone is trusted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from io import BytesIO
from typing import Any

from attrs import field, frozen
from pypdf import PdfReader, apply_configuration

from surety_core._errors import DocumentError, InvalidInputError, SuretyError
from surety_core.documents._data import CertificateData
from surety_core.documents._render import PAYLOAD_ATTACHMENT_NAME, certificate_page

__all__ = [
    "DEFAULT_MAX_PDF_BYTES",
    "CertificateCheck",
    "CheckStatus",
    "expected_certificate_text",
    "read_certificate_pdf",
    "verify_certificate_pdf",
]

DEFAULT_MAX_PDF_BYTES = 1_000_000
"""Largest PDF accepted for verification (a certificate is well under 20 kB)."""

_LIMITS: dict[str, Any] = {
    "maximum_declared_stream_length": 2_000_000,
    "array_based_stream_maximum_output_length": 2_000_000,
    "zlib_maximum_output_length": 2_000_000,
    "zlib_maximum_recovery_input_length": 1_000_000,
    "lzw_maximum_output_length": 2_000_000,
    "run_length_maximum_output_length": 2_000_000,
    "brotli_maximum_output_length": 2_000_000,
    "jbig2_maximum_output_length": 2_000_000,
    "image_maximum_buffer_size": 2_000_000,
    "array_maximum_element_count": 10_000,
    "dictionary_maximum_element_count": 10_000,
    "stream_decoding_work_maximum_length": 8_000_000,
    "stream_parsing_work_maximum_count": 20_000,
    "page_tree_maximum_entries": 100,
    "page_tree_maximum_depth": 8,
    "page_tree_maximum_page_entries": 1_000,
    "xform_maximum_invocations_per_extraction": 10,
    "xmp_maximum_input_length": 100_000,
    "outline_maximum_entries": 100,
    "named_destinations_maximum_entries": 100,
    "form_fields_maximum_entries": 100,
    "jbig2dec_binary": None,
}


class CheckStatus(StrEnum):
    """The verdict of :func:`verify_certificate_pdf`."""

    VALID = "valid"
    """The payload verified and the visible text says exactly what the signed content says."""
    PAYLOAD_REJECTED = "payload_rejected"
    """The payload failed verification: tampered, or signed by a key that is not trusted."""
    TEXT_MISMATCH = "text_mismatch"
    """The payload is genuine but the visible text disagrees with it (an altered page)."""
    NO_PAYLOAD = "no_payload"
    """The PDF carries no signed payload: it is not a verifiable certificate."""


@frozen
class CertificateCheck:
    """The result of verifying a certificate PDF offline."""

    status: CheckStatus
    content: CertificateData | None = None
    """The signed content (when the payload verified), whatever the page shows."""
    mismatched_lines: tuple[str, ...] = field(default=())
    """Visible lines that differ from what the signed content prints (missing or extra)."""

    @property
    def valid(self) -> bool:
        return self.status is CheckStatus.VALID


def read_certificate_pdf(
    pdf_bytes: bytes, *, max_bytes: int = DEFAULT_MAX_PDF_BYTES
) -> tuple[str, bytes | None]:
    """The visible text and the embedded payload (``None`` if absent) of a one-page PDF.

    Raises :class:`~surety_core.DocumentError` for anything that is not a readable,
    unencrypted, one-page PDF within ``max_bytes``.
    """
    if not isinstance(pdf_bytes, bytes | bytearray | memoryview):
        raise InvalidInputError("pdf_bytes", f"must be bytes, not {type(pdf_bytes).__name__}")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise InvalidInputError("max_bytes", "must be a positive integer")
    data = bytes(pdf_bytes)
    if len(data) > max_bytes:
        raise DocumentError(f"PDF too large: {len(data)} bytes (limit {max_bytes})")
    if not data.startswith(b"%PDF-"):
        raise DocumentError("not a PDF (no %PDF- header)")
    try:
        with apply_configuration(None, **_LIMITS):
            reader = PdfReader(BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise DocumentError("encrypted PDFs are not accepted")
            if len(reader.pages) != 1:
                raise DocumentError("a certificate PDF has exactly one page")
            text = reader.pages[0].extract_text()
            attachments = reader.attachments
            payloads = attachments.get(PAYLOAD_ATTACHMENT_NAME) if attachments else None
    except DocumentError:
        raise
    except Exception as exc:  # pypdf raises many types on hostile input; all mean "unreadable"
        raise DocumentError(f"unreadable PDF ({type(exc).__name__})") from None
    if not isinstance(text, str) or len(text) > 100_000:
        raise DocumentError("unreadable PDF (text)")
    if not payloads:
        return text, None
    if len(payloads) != 1 or not isinstance(payloads[0], bytes):
        raise DocumentError("ambiguous certificate payload attachment")
    if len(payloads[0]) > max_bytes:
        raise DocumentError("certificate payload too large")
    return text, payloads[0]


def _lines(text: str) -> Counter[str]:
    return Counter(line.strip() for line in text.splitlines() if line.strip())


def expected_certificate_text(content: CertificateData) -> str:
    """The text a genuine certificate PDF for ``content`` shows (as pypdf extracts it)."""
    page = certificate_page(content)
    pdf = page.write(document_id=bytes(16), created_at=datetime(2000, 1, 1, tzinfo=UTC), title="")
    return PdfReader(BytesIO(pdf)).pages[0].extract_text()


def verify_certificate_pdf(
    pdf_bytes: bytes,
    verify_payload: Callable[[bytes], CertificateData],
    *,
    max_bytes: int = DEFAULT_MAX_PDF_BYTES,
) -> CertificateCheck:
    """Verify a certificate PDF offline: its signed payload, then its visible text.

    ``verify_payload`` receives the embedded payload bytes, verifies the signature against the
    caller's trusted keys and returns the signed content; it raises a
    :class:`~surety_core.SuretyError` (normally :class:`~surety_core.VerificationError`) when the
    payload is tampered with or signed by an unknown key. Unreadable, encrypted, oversized or
    non-PDF input raises :class:`~surety_core.DocumentError`.
    """
    if not callable(verify_payload):
        raise InvalidInputError("verify_payload", "must be callable")
    text, payload = read_certificate_pdf(pdf_bytes, max_bytes=max_bytes)
    if payload is None:
        return CertificateCheck(CheckStatus.NO_PAYLOAD)
    try:
        content = verify_payload(payload)
    except SuretyError:
        return CertificateCheck(CheckStatus.PAYLOAD_REJECTED)
    if not isinstance(content, CertificateData):
        raise InvalidInputError(
            "verify_payload", f"must return a CertificateData, not {type(content).__name__}"
        )
    try:
        expected_text = expected_certificate_text(content)
    except InvalidInputError:
        # Signed content this library could never have printed: the PDF is not one of ours.
        raise DocumentError("the signed content cannot be printed as a certificate") from None
    seen = _lines(text)
    expected = _lines(expected_text)
    if seen == expected:
        return CertificateCheck(CheckStatus.VALID, content)
    differing = sorted(((seen - expected) + (expected - seen)).elements())
    return CertificateCheck(CheckStatus.TEXT_MISMATCH, content, tuple(differing))
