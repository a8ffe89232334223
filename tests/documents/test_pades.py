"""The standard PDF signature (PAdES) of certificate PDFs, checked by independent verifiers.

poppler's ``pdfsig`` and pyHanko's validator report a signed genuine certificate valid and the
document unmodified; after each forgery of the suite they report it modified or invalid, and so
does :func:`verify_certificate_pdf`.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis.policy_api import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from tests.documents.forgeries import ATTACKS

from surety_core import ConfigurationError, DocumentError, GuaranteeContract, InvalidInputError
from surety_core.certificates import SigningKeyRing, content_from_contract, sign_certificate
from surety_core.documents import (
    CheckStatus,
    PdfSignatureState,
    PdfSigningKeys,
    build_signed_certificate_pdf,
    certificate_verifier,
    create_pdf_signing_keys,
    load_ca_certificates,
    sign_certificate_pdf,
    verify_certificate_pdf,
)

SURETY = "東日本建設業保証株式会社"


@pytest.fixture(scope="module")
def keys() -> PdfSigningKeys:
    return create_pdf_signing_keys(SURETY, now=datetime.now(UTC))


@pytest.fixture(scope="module")
def ring() -> SigningKeyRing:
    return SigningKeyRing.generate()


@pytest.fixture(scope="module")
def genuine(contract: GuaranteeContract, ring: SigningKeyRing) -> bytes:
    content = content_from_contract(
        contract, issued_at=datetime(2025, 4, 1, 1, 0, tzinfo=UTC), previous_digest=None
    )
    return build_signed_certificate_pdf(content, sign_certificate(content, ring))


@pytest.fixture(scope="module")
def signed(genuine: bytes, keys: PdfSigningKeys) -> bytes:
    return sign_certificate_pdf(genuine, keys)


def _check(pdf: bytes, ring: SigningKeyRing, keys: PdfSigningKeys | None = None) -> Any:
    roots = [keys.ca_certificate] if keys is not None else []
    return verify_certificate_pdf(
        pdf, certificate_verifier(ring.trusted_keys()), pdf_signature_roots=roots
    )


def _pdfsig(pdf: bytes, folder: Path) -> str:
    if shutil.which("pdfsig") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdfsig (poppler-utils) is required under CI=true")
        pytest.skip("pdfsig (poppler-utils) is not installed")
    path = folder / "file.pdf"
    path.write_bytes(pdf)
    run = subprocess.run(
        ["pdfsig", str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    return run.stdout + run.stderr


def _pdfsig_says_valid_and_whole(report: str) -> bool:
    return "Signature is Valid." in report and "Total document signed" in report


def _pyhanko(pdf: bytes, keys: PdfSigningKeys) -> Any:
    root = asn1_x509.Certificate.load(keys.ca_certificate.public_bytes(serialization.Encoding.DER))
    signatures = PdfFileReader(BytesIO(pdf)).embedded_signatures
    assert len(signatures) == 1
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    return validate_pdf_signature(signatures[0], context)


def _pyhanko_says_valid_and_unmodified(pdf: bytes, keys: PdfSigningKeys) -> bool:
    try:
        status = _pyhanko(pdf, keys)
    except Exception:  # a validator that cannot even read the signature: not valid
        return False
    return bool(
        status.bottom_line
        and status.coverage is SignatureCoverageLevel.ENTIRE_FILE
        and status.modification_level is ModificationLevel.NONE
    )


# -- a genuine signed certificate --------------------------------------------------------------


def test_signed_certificate_is_genuine_and_its_pdf_signature_trusted(
    genuine: bytes, signed: bytes, ring: SigningKeyRing, keys: PdfSigningKeys
) -> None:
    assert signed.startswith(genuine)
    check = _check(signed, ring, keys)
    assert check.status is CheckStatus.VALID, check.reason
    assert check.pdf_signature is PdfSignatureState.TRUSTED
    assert "covers the whole file" in check.reason
    # Without the CA the signature still verifies, but is not attributed to a trusted CA.
    assert _check(signed, ring).pdf_signature is PdfSignatureState.UNTRUSTED
    other = create_pdf_signing_keys("別の保証会社", now=datetime.now(UTC))
    assert _check(signed, ring, other).pdf_signature is PdfSignatureState.UNTRUSTED
    # The unsigned certificate stays genuine.
    assert _check(genuine, ring, keys).pdf_signature is PdfSignatureState.ABSENT


def test_pdfsig_reports_it_valid_and_whole(signed: bytes, tmp_path: Path) -> None:
    report = _pdfsig(signed, tmp_path)
    assert _pdfsig_says_valid_and_whole(report), report
    assert "Signing Hash Algorithm: SHA-256" in report
    assert "ETSI.CAdES.detached" in report
    assert f"{SURETY} 電子証書" in report


def test_pyhanko_reports_it_intact_trusted_and_unmodified(
    signed: bytes, keys: PdfSigningKeys
) -> None:
    status = _pyhanko(signed, keys)
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.docmdp_ok
    assert status.coverage is SignatureCoverageLevel.ENTIRE_FILE
    assert status.modification_level is ModificationLevel.NONE
    assert _pyhanko_says_valid_and_unmodified(signed, keys)


def test_without_pyhanko_the_signature_is_checked_in_structure_only(
    signed: bytes, ring: SigningKeyRing, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyhanko.sign", None)  # as if the extra were not installed
    check = _check(signed, ring)
    assert check.status is CheckStatus.VALID
    assert check.pdf_signature is PdfSignatureState.UNCHECKED
    assert "not checked" in check.reason


# -- forgeries of a signed certificate -----------------------------------------------------------


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_every_verifier_reports_a_forgery_of_a_signed_certificate(
    signed: bytes, ring: SigningKeyRing, keys: PdfSigningKeys, tmp_path: Path, attack: str
) -> None:
    forged = ATTACKS[attack](signed)
    check = _check(forged, ring, keys)
    assert check.status is not CheckStatus.VALID
    assert check.reason
    assert not _pdfsig_says_valid_and_whole(_pdfsig(forged, tmp_path))
    assert not _pyhanko_says_valid_and_unmodified(forged, keys)


def _contents(signed: bytes) -> tuple[int, int]:
    """Where the signature's hex digits start, and how many of them are the CMS blob (DER)."""
    start = signed.index(b"/Contents <") + len(b"/Contents <")
    header = bytes.fromhex(signed[start : start + 8].decode())
    assert header[:2] == b"\x30\x82"  # a SEQUENCE with a two-byte length
    return start, 2 * (4 + int.from_bytes(header[2:4], "big"))


def _flip_digit(signed: bytes, at: int) -> bytes:
    digit = b"1" if signed[at : at + 1] != b"1" else b"2"
    return signed[:at] + digit + signed[at + 1 :]


def test_a_broken_signature_value_is_refused(
    signed: bytes, ring: SigningKeyRing, keys: PdfSigningKeys, tmp_path: Path
) -> None:
    start, length = _contents(signed)
    broken = _flip_digit(signed, start + length - 40)  # in the RSA signature value
    check = _check(broken, ring, keys)
    assert check.status is CheckStatus.ALTERED
    assert "PDF signature" in check.reason
    assert not _pdfsig_says_valid_and_whole(_pdfsig(broken, tmp_path))
    assert not _pyhanko_says_valid_and_unmodified(broken, keys)


def test_bytes_in_the_signature_padding_are_refused(
    signed: bytes, ring: SigningKeyRing, keys: PdfSigningKeys
) -> None:
    # The zeros after the CMS blob are not signed; a verifier must not let them carry anything.
    start, length = _contents(signed)
    padded = _flip_digit(signed, start + length + 10)
    check = _check(padded, ring, keys)
    assert check.status is CheckStatus.ALTERED
    assert "padding" in check.reason


def test_a_visible_signature_stamp_is_refused(
    genuine: bytes, ring: SigningKeyRing, tmp_path: Path
) -> None:
    """Someone signs the genuine file with a visible stamp that shows another amount."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    attacker = create_pdf_signing_keys("攻撃者", now=datetime.now(UTC))
    path = tmp_path / "keys"
    path.mkdir()
    (path / "key.pem").write_bytes(
        attacker._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (path / "cert.pem").write_bytes(attacker.certificate_pem())
    signer = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
        str(path / "key.pem"), str(path / "cert.pem")
    )
    assert signer is not None
    writer = IncrementalPdfFileWriter(BytesIO(genuine))
    fields.append_signature_field(
        writer, fields.SigFieldSpec("Stamp", box=(160, 300, 420, 330), on_page=0)
    )
    pdf = (
        signers.PdfSigner(
            signers.PdfSignatureMetadata(field_name="Stamp"),
            signer,
            stamp_style=TextStampStyle(stamp_text="保証金額 9,000,000,000円"),
        )
        .sign_pdf(writer)
        .getvalue()
    )
    check = _check(pdf, ring)
    assert check.status is CheckStatus.ALTERED
    assert "not a permitted PDF signature revision" in check.reason


# -- the keys ------------------------------------------------------------------------------------


def test_keys_round_trip_and_keep_their_secrets(keys: PdfSigningKeys) -> None:
    again = PdfSigningKeys.from_json(keys.to_json())
    assert again.ca_certificate_pem() == keys.ca_certificate_pem()
    assert again.certificate_pem() == keys.certificate_pem()
    assert "PRIVATE" not in repr(keys)
    assert SURETY in repr(keys)
    with pytest.raises(InvalidInputError):
        pickle.dumps(keys)
    (root,) = load_ca_certificates(keys.ca_certificate_pem())
    assert root == keys.ca_certificate
    assert keys.certificate.issuer == root.subject


def test_mismatched_or_malformed_keys_are_refused(keys: PdfSigningKeys) -> None:
    other = create_pdf_signing_keys("別の保証会社", now=datetime.now(UTC))
    with pytest.raises(ConfigurationError):
        PdfSigningKeys(keys.ca_certificate, keys._ca_key, other.certificate, other._key)
    with pytest.raises(ConfigurationError):
        PdfSigningKeys(keys.ca_certificate, other._ca_key, keys.certificate, keys._key)
    for data in (b"{}", b"not json", b'{"type": "surety_core.pdf-signing-keys"}'):
        with pytest.raises(ConfigurationError):
            PdfSigningKeys.from_json(data)
    with pytest.raises(InvalidInputError):
        load_ca_certificates(b"not a certificate")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"surety_name": ""}, "surety_name"),
        ({"now": datetime(2025, 1, 1)}, "now"),
        ({"ca_years": 0}, "ca_years"),
        ({"signing_years": 40}, "signing_years"),
        ({"ca_years": 2, "signing_years": 5}, "signing_years"),
    ],
)
def test_key_creation_validates_its_input(args: dict[str, Any], field: str) -> None:
    given: dict[str, Any] = {"surety_name": SURETY, "now": datetime.now(UTC), **args}
    name = given.pop("surety_name")
    with pytest.raises(InvalidInputError, match=field):
        create_pdf_signing_keys(name, **given)


def test_signing_refuses_what_is_not_a_pdf(keys: PdfSigningKeys) -> None:
    with pytest.raises(InvalidInputError):
        sign_certificate_pdf(b"not a pdf", keys)
    with pytest.raises(InvalidInputError):
        sign_certificate_pdf(b"%PDF-1.7", "keys")  # type: ignore[arg-type]


def test_a_changed_certificate_inside_the_signature_is_refused(
    signed: bytes, ring: SigningKeyRing, keys: PdfSigningKeys
) -> None:
    # The CA certificate travels in the signature's certificate bag, outside the signed
    # attributes: validation with the CA as trust root would not notice a changed byte in it.
    ca_hex = keys.ca_certificate.public_bytes(serialization.Encoding.DER).hex().upper().encode()
    at = signed.index(ca_hex) + 100
    check = _check(_flip_digit(signed, at), ring, keys)
    assert check.status is CheckStatus.ALTERED
    assert "PDF signature" in check.reason


def test_another_digest_algorithm_listed_in_the_signature_is_refused(
    signed: bytes, ring: SigningKeyRing, keys: PdfSigningKeys
) -> None:
    # The SignedData's list of digest algorithms is not signed; SHA-256 there becomes SHA-384.
    start, _length = _contents(signed)
    sha256 = b"06096086480165030402010500"
    at = signed.index(sha256, start)
    changed = signed[:at] + sha256.replace(b"040201", b"040202") + signed[at + len(sha256) :]
    check = _check(changed, ring, keys)
    assert check.status is CheckStatus.ALTERED
    assert "not in the form it is written" in check.reason


def test_a_lower_case_signature_is_refused(
    signed: bytes, ring: SigningKeyRing, keys: PdfSigningKeys
) -> None:
    # The same signature value in lower-case hex: harmless, but not the bytes that were written.
    start, _length = _contents(signed)
    end = signed.index(b">", start)
    lower = signed[:start] + signed[start:end].lower() + signed[end:]
    assert lower != signed
    assert _check(lower, ring, keys).status is CheckStatus.ALTERED


mutation = st.tuples(
    st.sampled_from(["flip", "insert", "delete"]),
    st.integers(min_value=0, max_value=10**6),
    st.binary(min_size=1, max_size=8),
)


@settings(max_examples=40)
@given(st.lists(mutation, min_size=1, max_size=3))
def test_fuzz_mutated_signed_certificates(
    genuine: bytes,
    signed: bytes,
    ring: SigningKeyRing,
    keys: PdfSigningKeys,
    mutations: list[tuple[str, int, bytes]],
) -> None:
    """Any change to the signature revision is refused (the certificate before it is fuzzed in
    test_verify.py)."""
    data = bytearray(signed)
    for kind, at, chunk in mutations:
        i = len(genuine) + at % max(len(data) - len(genuine), 1)
        if kind == "flip":
            data[i] ^= chunk[0] or 1
        elif kind == "insert":
            data[i:i] = chunk
        else:
            del data[i : i + len(chunk)]
    try:
        status = _check(bytes(data), ring, keys).status
    except DocumentError:
        return
    assert (status is CheckStatus.VALID) == (bytes(data) == signed)
