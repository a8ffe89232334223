"""Offline verification of a certificate PDF (private; see :mod:`surety_core.documents`).

The PDF is outside data: it is read under tight limits (size, pages, decompression), with
pypdf's own log silenced, and every failure to read it becomes a
:class:`~surety_core.DocumentError`. Only its *signed* payload is trusted: the builder is
deterministic, so the verifier builds the certificate again from the signed content and requires
the file to be exactly those bytes, optionally followed by one standard PDF signature revision
that adds nothing visible (:mod:`surety_core.documents._revision`). What the page *shows* is
therefore exactly what the builder draws for the signed content; no second reading is possible.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from io import BytesIO
from typing import Any

from attrs import field, frozen
from cryptography import x509
from pypdf import PdfReader, apply_configuration

from surety_core._errors import DocumentError, InvalidInputError, SuretyError
from surety_core.certificates._signing import payload_format
from surety_core.documents._certificate import (
    PAYLOAD_ATTACHMENT_NAME,
    CertificateData,
    build_certificate_pdf,
    certificate_page,
)
from surety_core.documents._files import read_regular_file
from surety_core.documents._pades import (
    PdfSignatureBroken,
    pades_available,
    validate_pdf_signature,
)
from surety_core.documents._quiet import quiet_libraries
from surety_core.documents._revision import RevisionRefused, check_signature_revision

__all__ = [
    "DEFAULT_MAX_PDF_BYTES",
    "CertificateCheck",
    "CheckStatus",
    "PdfSignatureState",
    "expected_certificate_text",
    "read_certificate_pdf",
    "read_pdf_file",
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


class PdfSignatureState(StrEnum):
    """What :func:`verify_certificate_pdf` found of a standard PDF signature (PAdES)."""

    ABSENT = "absent"
    """The file is the builder's bytes alone: no PDF signature."""
    TRUSTED = "trusted"
    """One PDF signature: intact, covering the whole file, certifying "no changes", by a
    certificate that one of the given CA certificates issued."""
    UNTRUSTED = "untrusted"
    """As :attr:`TRUSTED`, but no given CA certificate issued the signer's (or none was given)."""
    UNCHECKED = "unchecked"
    """One PDF signature revision, checked in structure only: pyHanko (the ``pades`` extra) is
    not installed, so the signature itself was not verified."""


class CheckStatus(StrEnum):
    """The verdict of :func:`verify_certificate_pdf`."""

    VALID = "valid"
    """The payload verified and the file is byte for byte the certificate built from it
    (optionally followed by one permitted PDF signature revision that draws nothing)."""
    PAYLOAD_REJECTED = "payload_rejected"
    """The payload failed verification: tampered, signed by a key that is not trusted, or
    content that is no electronic certificate (a paper guarantee, say)."""
    TEXT_MISMATCH = "text_mismatch"
    """The payload is genuine but the file is not the certificate built from it, and even its
    extracted text disagrees (``mismatched_lines`` lists the lines)."""
    ALTERED = "altered"
    """The payload is genuine but the file is not the certificate built from it: another page,
    an annotation, another font, changed metadata, an added revision, bytes after the end... The
    ``reason`` says what was found."""
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
    reason: str = ""
    """Why the file is refused, or what made it genuine, in one sentence."""
    pdf_signature: PdfSignatureState = PdfSignatureState.ABSENT
    """What was found of a standard PDF signature (a broken one makes the file
    :attr:`CheckStatus.ALTERED`)."""

    @property
    def valid(self) -> bool:
        return self.status is CheckStatus.VALID


def read_pdf_file(
    path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_PDF_BYTES, option: str = "path"
) -> bytes:
    """The bytes of the PDF file ``path``, at most ``max_bytes`` of them.

    Never blocks and never reads without end: a FIFO, a device (``/dev/zero``), a socket or a
    folder is refused before anything is read, and so is a file that is (or grows) larger than
    ``max_bytes``. Raises :class:`~surety_core.InvalidInputError` naming ``option`` for anything
    but a readable regular file within the limit (a NUL byte in the path, say).
    """
    return read_regular_file(path, limit=max_bytes, option=option)


def _check_input(pdf_bytes: Any, max_bytes: Any) -> bytes:
    if not isinstance(pdf_bytes, bytes | bytearray | memoryview):
        raise InvalidInputError("pdf_bytes", f"must be bytes, not {type(pdf_bytes).__name__}")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise InvalidInputError("max_bytes", "must be a positive integer")
    data = bytes(pdf_bytes)
    if len(data) > max_bytes:
        raise DocumentError(f"PDF too large: {len(data)} bytes (limit {max_bytes})")
    if not data.startswith(b"%PDF-"):
        raise DocumentError("not a PDF (no %PDF- header)")
    return data


def _read(data: bytes, *, text: bool) -> tuple[str, bytes | None]:
    try:
        with quiet_libraries(), apply_configuration(None, **_LIMITS):
            reader = PdfReader(BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise DocumentError("encrypted PDFs are not accepted")
            if len(reader.pages) != 1:
                raise DocumentError("a certificate PDF has exactly one page")
            extracted = reader.pages[0].extract_text() if text else ""
            attachments = reader.attachments
            payloads = attachments.get(PAYLOAD_ATTACHMENT_NAME) if attachments else None
    except DocumentError:
        raise
    except Exception as exc:  # pypdf raises many types on hostile input; all mean "unreadable"
        raise DocumentError(f"unreadable PDF ({type(exc).__name__})") from None
    if not isinstance(extracted, str) or len(extracted) > 100_000:
        raise DocumentError("unreadable PDF (text)")
    if not payloads:
        return extracted, None
    if len(payloads) != 1 or not isinstance(payloads[0], bytes):
        raise DocumentError("ambiguous certificate payload attachment")
    if len(payloads[0]) > len(data):
        raise DocumentError("certificate payload too large")
    return extracted, payloads[0]


def read_certificate_pdf(
    pdf_bytes: bytes, *, max_bytes: int = DEFAULT_MAX_PDF_BYTES
) -> tuple[str, bytes | None]:
    """The extracted text and the embedded payload (``None`` if absent) of a one-page PDF.

    For diagnostics only: extracted text can differ from what a page shows. Raises
    :class:`~surety_core.DocumentError` for anything that is not a readable, unencrypted,
    one-page PDF within ``max_bytes``.
    """
    return _read(_check_input(pdf_bytes, max_bytes), text=True)


def _lines(text: str) -> Counter[str]:
    return Counter(line.strip() for line in text.splitlines() if line.strip())


def expected_certificate_text(content: CertificateData) -> str:
    """The text a genuine certificate PDF for ``content`` shows (as pypdf extracts it)."""
    page = certificate_page(content)
    pdf = page.write(document_id=bytes(16), created_at=datetime(2000, 1, 1, tzinfo=UTC), title="")
    return PdfReader(BytesIO(pdf)).pages[0].extract_text()


def _first_difference(a: bytes, b: bytes) -> int:
    n = min(len(a), len(b))
    lo, hi = 0, n
    while lo < hi:  # the longest common prefix, by halves (C-speed slices)
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _pdf_signature(
    data: bytes, content: CertificateData, roots: Sequence[x509.Certificate]
) -> CertificateCheck:
    """The verdict for the builder's bytes followed by a structurally permitted signature."""
    built = "the file is byte for byte the certificate built from its signed content"
    if not pades_available():
        return CertificateCheck(
            CheckStatus.VALID,
            content,
            reason=f"{built}, followed by one PDF signature revision that adds nothing visible "
            "(the PDF signature itself is not checked: install surety-core[pades])",
            pdf_signature=PdfSignatureState.UNCHECKED,
        )
    try:
        trusted = validate_pdf_signature(data, roots)
    except PdfSignatureBroken as exc:
        return CertificateCheck(CheckStatus.ALTERED, content, reason=str(exc))
    by = "a certificate of a trusted CA" if trusted else "a certificate of no given CA"
    return CertificateCheck(
        CheckStatus.VALID,
        content,
        reason=f"{built}, followed by one PDF signature that adds nothing visible, covers the "
        f"whole file and verifies, by {by}",
        pdf_signature=PdfSignatureState.TRUSTED if trusted else PdfSignatureState.UNTRUSTED,
    )


def verify_certificate_pdf(
    pdf_bytes: bytes,
    verify_payload: Callable[[bytes], CertificateData],
    *,
    max_bytes: int = DEFAULT_MAX_PDF_BYTES,
    pdf_signature_roots: Sequence[x509.Certificate] = (),
) -> CertificateCheck:
    """Verify a certificate PDF offline: its signed payload, then every byte of the file.

    ``verify_payload`` receives the embedded payload bytes, verifies the signature against the
    caller's trusted keys and returns the signed content; it raises a
    :class:`~surety_core.SuretyError` (normally :class:`~surety_core.VerificationError`) when the
    payload is tampered with or signed by an unknown key. The file is genuine only if it is byte
    for byte what :func:`build_certificate_pdf` makes from that content and payload, optionally
    followed by one PDF signature revision that adds nothing but an invisible signature field;
    that signature must verify (with pyHanko, when installed) and covers the whole file;
    ``pdf_signature_roots`` are the CA certificates it may chain to
    (:attr:`PdfSignatureState.TRUSTED`). Unreadable, encrypted, oversized or non-PDF input
    raises :class:`~surety_core.DocumentError`.
    """
    if not callable(verify_payload):
        raise InvalidInputError("verify_payload", "must be callable")
    given: Any = pdf_signature_roots
    roots: tuple[Any, ...] = tuple(given) if isinstance(given, list | tuple) else (given,)
    if not all(isinstance(c, x509.Certificate) for c in roots):
        raise InvalidInputError(
            "pdf_signature_roots", "must be a sequence of x509 certificates (the surety's CA)"
        )
    data = _check_input(pdf_bytes, max_bytes)
    _text, payload = _read(data, text=False)
    if payload is None:
        return CertificateCheck(
            CheckStatus.NO_PAYLOAD, reason="the PDF carries no signed certificate document"
        )
    try:
        content = verify_payload(payload)
    except InvalidInputError as exc:
        return CertificateCheck(
            CheckStatus.PAYLOAD_REJECTED,
            reason=f"the signed content is not an electronic certificate ({exc})",
        )
    except SuretyError:
        return CertificateCheck(
            CheckStatus.PAYLOAD_REJECTED,
            reason="the signed document was altered or is not signed by a trusted key",
        )
    if not isinstance(content, CertificateData):
        raise InvalidInputError(
            "verify_payload", f"must return a CertificateData, not {type(content).__name__}"
        )
    try:
        rebuilt = build_certificate_pdf(content, payload)
    except InvalidInputError:
        # Signed content this library could never have printed: the PDF is not one of ours.
        raise DocumentError("the signed content cannot be printed as a certificate") from None
    if data == rebuilt:
        return CertificateCheck(
            CheckStatus.VALID,
            content,
            reason="the file is byte for byte the certificate built from its signed content",
        )
    if data.startswith(rebuilt):
        try:
            with quiet_libraries(), apply_configuration(None, **_LIMITS):
                check_signature_revision(data, rebuilt)
        except RevisionRefused as exc:
            return CertificateCheck(
                CheckStatus.ALTERED,
                content,
                reason=f"the certificate is followed by bytes that are not a permitted PDF "
                f"signature revision: {exc}",
            )
        except Exception as exc:  # hostile bytes in the added revision; all mean "refused"
            return CertificateCheck(
                CheckStatus.ALTERED,
                content,
                reason="the certificate is followed by an unreadable revision "
                f"({type(exc).__name__})",
            )
        return _pdf_signature(data, content, roots)
    # Refused. Say where, and which lines of extracted text differ if any do (a diagnostic:
    # extracted text can agree while the page shows something else).
    text, _payload = _read(data, text=True)
    expected = _lines(expected_certificate_text(content))
    seen = _lines(text)
    at = _first_difference(data, rebuilt)
    where = f"the file differs from the certificate built from its signed content at byte {at}"
    if payload_format(payload) == 1:
        where += (
            " (its signed document is of format 1: the certificate was made by an earlier "
            "release, whose layout is no longer built; download it again from the registry)"
        )
    if seen != expected:
        differing = sorted(((seen - expected) + (expected - seen)).elements())
        return CertificateCheck(
            CheckStatus.TEXT_MISMATCH,
            content,
            tuple(differing),
            reason=f"{where}, and its text disagrees with the signed content",
        )
    return CertificateCheck(CheckStatus.ALTERED, content, reason=where)
