"""Signed electronic certificates (電子証書): canonical content, Ed25519 signatures under key
ids, offline verification with a JSON key set, and tamper-evident version chains."""

from surety_core.certificates._signing import (
    CERTIFICATE_SCHEMA,
    CERTIFICATE_SCHEMA_VERSION,
    CertificateChange,
    CertificateContent,
    SigningKeyRing,
    TrustedKeySet,
    canonical_content,
    certificate_digest,
    certificate_record,
    content_from_contract,
    sign_certificate,
    verify_certificate,
    verify_chain,
)

__all__ = [
    "CERTIFICATE_SCHEMA",
    "CERTIFICATE_SCHEMA_VERSION",
    "CertificateChange",
    "CertificateContent",
    "SigningKeyRing",
    "TrustedKeySet",
    "canonical_content",
    "certificate_digest",
    "certificate_record",
    "content_from_contract",
    "sign_certificate",
    "verify_certificate",
    "verify_chain",
]
