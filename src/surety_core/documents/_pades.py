"""A standard PDF signature (PAdES) on certificate PDFs, by the surety's own CA (private).

The signed payload inside a certificate is what :func:`verify_certificate_pdf` trusts; this is
the second, standard signature that an obligee's ordinary PDF reader shows: who signed and
whether the file changed since. It needs pyHanko (``pip install 'surety-core[pades]'``).

* :func:`create_pdf_signing_keys` makes the surety's CA (RSA-3072, self-signed) and a signing
  certificate issued by it (RSA-3072, digital signature + non-repudiation), SHA-256 throughout;
  :class:`PdfSigningKeys` stores them (``to_json``, private) and exports the CA certificate for
  the obligees to trust.
* :func:`sign_certificate_pdf` appends one incremental revision with an invisible signature
  field: a PAdES baseline B-B certification signature (``ETSI.CAdES.detached``, DocMDP "no
  changes"), so a reader reports any later change.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from io import BytesIO
from typing import Any, NoReturn, SupportsIndex

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, generate_private_key
from cryptography.x509.oid import NameOID

from surety_core import _validation as v
from surety_core._errors import ConfigurationError, DocumentError, InvalidInputError
from surety_core.documents._quiet import quiet_libraries

__all__ = [
    "PDF_SIGNATURE_FIELD",
    "PdfSignatureBroken",
    "PdfSigningKeys",
    "create_pdf_signing_keys",
    "load_ca_certificates",
    "pades_available",
    "sign_certificate_pdf",
    "validate_pdf_signature",
]

PDF_SIGNATURE_FIELD = "SuretySignature"
"""The name of the (invisible) signature field of a signed certificate PDF."""
_TYPE = "surety_core.pdf-signing-keys"
_KEY_BITS = 3072
_PADES_EXTRA = "PDF signatures need the 'pades' extra: pip install 'surety-core[pades]'"


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _pem(key: RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


class PdfSigningKeys:
    """The surety's PDF signing keys: its CA (certificate and key) and a signing certificate
    issued by that CA (certificate and key).

    Private keys leave only through :meth:`to_json` (store it in a vault);
    :meth:`ca_certificate_pem` is what obligees install as a trusted root in their PDF reader.
    """

    __slots__ = ("_ca_certificate", "_ca_key", "_certificate", "_key")

    def __init__(
        self,
        ca_certificate: x509.Certificate,
        ca_key: RSAPrivateKey,
        certificate: x509.Certificate,
        key: RSAPrivateKey,
    ) -> None:
        for name, private in (("ca_key", ca_key), ("key", key)):
            if not isinstance(private, RSAPrivateKey) or private.key_size < 2048:
                raise ConfigurationError(f"{name} must be an RSA private key of 2048 bits or more")
        if ca_certificate.public_key() != ca_key.public_key():
            raise ConfigurationError("the CA key does not match the CA certificate")
        if certificate.public_key() != key.public_key():
            raise ConfigurationError("the signing key does not match the signing certificate")
        if certificate.issuer != ca_certificate.subject:
            raise ConfigurationError("the signing certificate was not issued by the CA")
        try:
            certificate.verify_directly_issued_by(ca_certificate)
        except (ValueError, TypeError, Exception) as exc:
            raise ConfigurationError(
                f"the signing certificate was not issued by the CA ({type(exc).__name__})"
            ) from None
        self._ca_certificate = ca_certificate
        self._ca_key = ca_key
        self._certificate = certificate
        self._key = key

    @property
    def ca_certificate(self) -> x509.Certificate:
        return self._ca_certificate

    @property
    def certificate(self) -> x509.Certificate:
        return self._certificate

    def ca_certificate_pem(self) -> bytes:
        """The CA certificate (PEM): publish it; obligees trust it in their PDF reader."""
        return self._ca_certificate.public_bytes(serialization.Encoding.PEM)

    def certificate_pem(self) -> bytes:
        """The signing certificate (PEM)."""
        return self._certificate.public_bytes(serialization.Encoding.PEM)

    def to_json(self) -> bytes:
        """Both certificates and both private keys as JSON (store it in a vault, mode 0600)."""
        data = {
            "ca_certificate": self.ca_certificate_pem().decode("ascii"),
            "ca_key": _pem(self._ca_key),
            "certificate": self.certificate_pem().decode("ascii"),
            "key": _pem(self._key),
            "type": _TYPE,
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: str | bytes) -> PdfSigningKeys:
        """Load keys written by :meth:`to_json`; anything else raises
        :class:`~surety_core.ConfigurationError`."""
        try:
            parsed = json.loads(data)
        except (ValueError, TypeError, RecursionError):
            raise ConfigurationError("PDF signing keys must be valid JSON") from None
        fields = {"ca_certificate", "ca_key", "certificate", "key", "type"}
        if (
            not isinstance(parsed, dict)
            or set(parsed) != fields
            or parsed["type"] != _TYPE
            or not all(isinstance(parsed[k], str) for k in fields)
        ):
            raise ConfigurationError("not a PDF signing key file")
        try:
            ca_certificate = x509.load_pem_x509_certificate(parsed["ca_certificate"].encode())
            certificate = x509.load_pem_x509_certificate(parsed["certificate"].encode())
            ca_key = serialization.load_pem_private_key(parsed["ca_key"].encode(), None)
            key = serialization.load_pem_private_key(parsed["key"].encode(), None)
        except (ValueError, TypeError):
            raise ConfigurationError("a PDF signing key file holds an unreadable PEM") from None
        if not isinstance(ca_key, RSAPrivateKey) or not isinstance(key, RSAPrivateKey):
            raise ConfigurationError("PDF signing keys must be RSA keys")
        return cls(ca_certificate, ca_key, certificate, key)

    def __repr__(self) -> str:
        return (
            f"PdfSigningKeys(subject={self._certificate.subject.rfc4514_string()!r}, "
            f"ca={self._ca_certificate.subject.rfc4514_string()!r})"
        )

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        raise InvalidInputError(None, "PDF signing keys cannot be pickled; use to_json()")


def create_pdf_signing_keys(
    surety_name: str,
    *,
    now: datetime,
    ca_years: int = 20,
    signing_years: int = 5,
) -> PdfSigningKeys:
    """A new CA for the surety ``surety_name`` and a signing certificate issued by it, both
    valid from ``now`` (timezone-aware; the library reads no clock) for the given years."""
    name = v.strip_text(surety_name)
    if not isinstance(name, str) or not 1 <= len(name) <= 60 or not name.isprintable():
        raise InvalidInputError("surety_name", "must be 1-60 printable characters")
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise InvalidInputError("now", "must be a timezone-aware datetime")
    for label, years in (("ca_years", ca_years), ("signing_years", signing_years)):
        if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 30:
            raise InvalidInputError(label, "must be a whole number of years from 1 to 30")
    if signing_years > ca_years:
        raise InvalidInputError("signing_years", "cannot outlast the CA")
    start = now - timedelta(minutes=5)
    ca_key = generate_private_key(public_exponent=65537, key_size=_KEY_BITS)
    ca_subject = _name(f"{name} 電子証書 CA", name)
    ca_certificate = (
        x509.CertificateBuilder()
        .subject_name(ca_subject)
        .issuer_name(ca_subject)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * ca_years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign=False, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = generate_private_key(public_exponent=65537, key_size=_KEY_BITS)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{name} 電子証書", name))
        .issuer_name(ca_subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * signing_years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign=True, ca=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return PdfSigningKeys(ca_certificate, ca_key, certificate, key)


def _pyhanko() -> Any:
    try:
        from pyhanko.sign import signers
    except ImportError:
        raise ConfigurationError(_PADES_EXTRA) from None
    return signers


def sign_certificate_pdf(pdf: bytes, keys: PdfSigningKeys) -> bytes:
    """``pdf`` (a certificate PDF as built) followed by one revision with the PAdES signature.

    The revision adds an invisible signature field and nothing else (the form, the widget, the
    signature dictionary; the catalog and the page gain references to them), which is what
    :func:`verify_certificate_pdf` accepts after the builder's bytes. The signature covers the
    whole file and certifies it with DocMDP "no changes allowed".
    """
    if not isinstance(pdf, bytes) or not pdf.startswith(b"%PDF-"):
        raise InvalidInputError("pdf", "must be the bytes of a PDF")
    if not isinstance(keys, PdfSigningKeys):
        raise InvalidInputError("keys", "must be PdfSigningKeys")
    signers = _pyhanko()
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    class _Writer(IncrementalPdfFileWriter):
        """Leaves the document information and XMP alone: the revision adds only the field."""

        def _update_meta(self) -> None:
            return None

    def der(certificate: x509.Certificate) -> Any:
        return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))

    signer = signers.SimpleSigner(
        signing_cert=der(keys.certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            keys._key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [der(keys.ca_certificate)]
        ),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=PDF_SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=MDPPerm.NO_CHANGES,
    )
    try:
        with quiet_libraries():
            writer = _Writer(BytesIO(pdf))
            out = signers.PdfSigner(meta, signer).sign_pdf(writer)
    except (ValueError, KeyError, TypeError) as exc:
        raise DocumentError(f"cannot sign the PDF ({type(exc).__name__})") from None
    signed: bytes = out.getvalue()
    return signed


def load_ca_certificates(pem: bytes) -> tuple[x509.Certificate, ...]:
    """The certificates of a PEM file (what ``surety keys pdf-ca`` exports); anything else
    raises :class:`~surety_core.InvalidInputError`."""
    if not isinstance(pem, bytes):
        raise InvalidInputError("pem", "must be bytes")
    try:
        certificates = tuple(x509.load_pem_x509_certificates(pem))
    except ValueError:
        raise InvalidInputError("pem", "is not a PEM file of certificates") from None
    if not certificates:
        raise InvalidInputError("pem", "holds no certificate")
    return certificates


class PdfSignatureBroken(Exception):  # noqa: N818 - an internal verdict, not an error of the caller
    """The PDF signature does not verify (the message says why)."""


def pades_available() -> bool:
    """True when pyHanko (the ``pades`` extra) is installed."""
    try:
        import pyhanko.sign  # noqa: F401
    except ImportError:
        return False
    return True


_SHA256 = bytes.fromhex("300d06096086480165030402010500")
_SHA256_RSA = bytes.fromhex("300d06092a864886f70d01010b0500")


def _check_cms_is_pinned(contents: bytes) -> None:
    """Leave no byte of the signature value free: its unsigned parts could otherwise change
    without the signature noticing (a certificate in the bag, the digest algorithm list, the
    signer's identifier form, unsigned attributes, BER forms).

    The blob must be DER exactly as re-encoded and have the one shape :func:`sign_certificate_pdf`
    writes: SignedData v1 over detached data, one SignerInfo v1 naming its certificate by issuer
    and serial number, SHA-256 (with NULL parameters) as the only digest algorithm, SHA-256 with
    RSA as the signature algorithm, no unsigned attributes and no CRLs, and a certificate bag in
    DER order whose every certificate is signed by one in it (the CA by itself).
    """
    from asn1crypto import cms

    length = 4 + int.from_bytes(contents[2:4], "big")
    blob = contents[:length]
    try:
        info = cms.ContentInfo.load(blob, strict=True)
        canonical = info.dump(force=True)
        signed = info["content"]
        (signer,) = signed["signer_infos"]
        shape = (
            info["content_type"].native,
            signed["version"].native,
            signed["encap_content_info"].native,
            [a.dump() for a in signed["digest_algorithms"]],
            signed["crls"].native,
            signer["version"].native,
            signer["sid"].name,
            signer["digest_algorithm"].dump(),
            signer["signature_algorithm"].dump(),
            signer["unsigned_attrs"].native,
        )
        bag_der = [c.chosen.dump() for c in (signed["certificates"] or [])]
        bag = [x509.load_der_x509_certificate(der) for der in bag_der]
    except Exception as exc:  # asn1crypto and cryptography raise many types on broken DER
        raise PdfSignatureBroken(
            f"the PDF signature value cannot be read ({type(exc).__name__})"
        ) from None
    expected = (
        "signed_data",
        "v1",
        {"content_type": "data", "content": None},
        [_SHA256],
        None,
        "v1",
        "issuer_and_serial_number",
        _SHA256,
        _SHA256_RSA,
        None,
    )
    if canonical != blob or shape != expected or bag_der != sorted(set(bag_der)):
        raise PdfSignatureBroken("the PDF signature value is not in the form it is written")
    for certificate in bag:
        if not any(_issued_by(certificate, issuer) for issuer in bag):
            raise PdfSignatureBroken("a certificate in the PDF signature is not intact")


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except Exception:  # wrong issuer, bad signature, unsupported algorithm: all mean "no"
        return False
    return True


def validate_pdf_signature(pdf: bytes, roots: Sequence[x509.Certificate]) -> bool:
    """Validate the one PDF signature of ``pdf`` with pyHanko; True when a certificate in
    ``roots`` issued the signer's, False when none did (or none is given).

    Raises :class:`PdfSignatureBroken` unless the signature is intact and cryptographically
    valid, covers the entire file and its DocMDP certification holds. No network access:
    revocation is not checked (the surety's CA publishes no revocation list).
    """
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.general import ValueErrorWithMessage
    from pyhanko.sign.validation import validate_pdf_signature as pyhanko_validate
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    trust = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in roots]
    try:
        with quiet_libraries():
            reader = PdfFileReader(BytesIO(pdf), strict=True)
            signatures = reader.embedded_signatures
            if len(signatures) != 1:
                raise PdfSignatureBroken(f"{len(signatures)} PDF signatures instead of one")
            context = ValidationContext(trust_roots=trust, allow_fetching=False)
            status = pyhanko_validate(signatures[0], context)
    except PdfSignatureBroken:
        raise
    except ValueErrorWithMessage as exc:
        raise PdfSignatureBroken(
            f"the PDF signature does not verify ({exc.failure_message[:200]})"
        ) from None
    except Exception as exc:  # pyHanko raises many types on a broken signature
        raise PdfSignatureBroken(
            f"the PDF signature cannot be read ({type(exc).__name__})"
        ) from None
    if not (status.intact and status.valid):
        raise PdfSignatureBroken("the PDF signature does not match the file")
    _check_cms_is_pinned(bytes(signatures[0].sig_object["/Contents"]))
    if status.coverage is not SignatureCoverageLevel.ENTIRE_FILE or not status.docmdp_ok:
        raise PdfSignatureBroken("the PDF signature does not cover the whole file")
    return bool(status.trusted)
