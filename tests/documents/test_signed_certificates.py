"""Certificate PDFs with the real signed certificate format (surety_core.certificates)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from io import BytesIO

import attrs
import pytest
from pypdf import PdfReader

from surety_core import (
    GuaranteeContract,
    InvalidInputError,
    Medium,
)
from surety_core.certificates import (
    CertificateContent,
    SigningKeyRing,
    content_from_contract,
    sign_certificate,
)
from surety_core.documents import (
    CheckStatus,
    build_certificate_pdf,
    build_key_notice_pdf,
    build_signed_certificate_pdf,
    certificate_data_from_content,
    certificate_verifier,
    key_notice_data_from_notice,
    key_notice_pdf,
    read_certificate_pdf,
    verify_certificate_pdf,
)
from surety_core.keys import generate_key, parse_key
from surety_core.services import KeyNotice


@pytest.fixture(scope="module")
def ring() -> SigningKeyRing:
    return SigningKeyRing.generate()


@pytest.fixture(scope="module")
def content(contract: GuaranteeContract) -> CertificateContent:
    return content_from_contract(
        contract, issued_at=datetime(2025, 4, 1, 1, 0, tzinfo=UTC), previous_digest=None
    )


@pytest.fixture(scope="module")
def signed(content: CertificateContent, ring: SigningKeyRing) -> bytes:
    return sign_certificate(content, ring)


def test_valid_and_payload_round_trips(
    content: CertificateContent, signed: bytes, ring: SigningKeyRing
) -> None:
    pdf = build_signed_certificate_pdf(content, signed)
    assert read_certificate_pdf(pdf)[1] == signed
    check = verify_certificate_pdf(pdf, certificate_verifier(ring.trusted_keys()))
    assert check.status is CheckStatus.VALID
    assert check.content == certificate_data_from_content(content)
    assert check.content is not None
    assert check.content.contract_number == "0000000042"


def test_tampered_payload(content: CertificateContent, signed: bytes, ring: SigningKeyRing) -> None:
    # Change one character in the middle of the signed (base64) content.
    payload = json.loads(signed)["payload"].encode()
    at = signed.index(payload) + len(payload) // 2
    tampered = signed[:at] + (b"A" if signed[at : at + 1] != b"A" else b"B") + signed[at + 1 :]
    assert len(tampered) == len(signed)
    assert tampered != signed
    pdf = build_signed_certificate_pdf(content, tampered)
    check = verify_certificate_pdf(pdf, certificate_verifier(ring.trusted_keys()))
    assert check.status is CheckStatus.PAYLOAD_REJECTED


def test_unknown_signer(content: CertificateContent, signed: bytes) -> None:
    stranger = SigningKeyRing.generate()
    pdf = build_signed_certificate_pdf(content, signed)
    check = verify_certificate_pdf(pdf, certificate_verifier(stranger.trusted_keys()))
    assert check.status is CheckStatus.PAYLOAD_REJECTED


def test_page_disagreeing_with_the_signed_content(
    content: CertificateContent, signed: bytes, ring: SigningKeyRing
) -> None:
    forged = attrs.evolve(content, amount=2_000_000_000)
    pdf = build_signed_certificate_pdf(forged, signed)
    check = verify_certificate_pdf(pdf, certificate_verifier(ring.trusted_keys()))
    assert check.status is CheckStatus.TEXT_MISMATCH
    assert "保証金額 2,000,000,000円" in check.mismatched_lines


def test_paper_content_gets_no_electronic_certificate(
    content: CertificateContent, ring: SigningKeyRing
) -> None:
    paper = attrs.evolve(content, medium=Medium.PAPER)
    with pytest.raises(InvalidInputError, match="medium"):
        sign_certificate(paper, ring)  # paper content is never signed now
    # A paper payload as a release that still signed paper content would have signed it.
    from surety_core.certificates._signing import _sign_payload, canonical_content

    signed_paper = _sign_payload(canonical_content(paper), ring)
    with pytest.raises(InvalidInputError, match="paper"):
        build_signed_certificate_pdf(paper, signed_paper)
    # Even printed by hand around a genuinely signed paper payload, it does not check.
    pdf = build_certificate_pdf(certificate_data_from_content(content), signed_paper)
    check = verify_certificate_pdf(pdf, certificate_verifier(ring.trusted_keys()))
    assert check.status is CheckStatus.PAYLOAD_REJECTED
    assert "paper" in check.reason


def test_verifier_needs_a_key_set() -> None:
    with pytest.raises(InvalidInputError):
        certificate_verifier("keys")  # type: ignore[arg-type]


def test_key_notice_from_a_generated_key(contract: GuaranteeContract) -> None:
    key = generate_key()
    pdf = key_notice_pdf(contract, key, issued_on=date(2025, 4, 2))
    lines = PdfReader(BytesIO(pdf)).pages[0].extract_text().splitlines()
    assert f"認証キー {key.reveal()}" in lines
    assert "保証契約番号 0000000042" in lines
    assert "令和7年4月2日" in lines  # the notice's date, at the top
    assert "発行日 令和7年4月1日" in lines  # the guarantee's issue date, in the table
    # The printed key parses back to the same key (what the obligee types).
    printed = next(line for line in lines if line.startswith("認証キー "))
    assert parse_key(printed.removeprefix("認証キー ")) == key
    assert key_notice_pdf(contract, key, issued_on=date(2025, 4, 2)) == pdf


def test_key_notice_from_the_workflow(contract: GuaranteeContract) -> None:
    key = generate_key()
    notice = KeyNotice(
        contract=contract,
        product_name="前払金保証（特約付）",
        key=key,
        generation=2,
        key_issued_at=datetime(2025, 4, 2, 16, 0, tzinfo=UTC),  # 01:00 JST on 3 April
    )
    data = key_notice_data_from_notice(notice)
    assert data.issued_on == date(2025, 4, 3)
    lines = PdfReader(BytesIO(build_key_notice_pdf(data))).pages[0].extract_text().splitlines()
    assert f"認証キー（再発行） {key.reveal()}" in lines  # generation 2: a re-issued key
    assert "【認証キー再発行】" in lines
    assert "保証の種類 前払金保証（特約付）" in lines
    assert key.reveal() not in repr(data)
