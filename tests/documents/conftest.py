"""Shared fixtures of the document tests: sample inputs and a real Ed25519 signer."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import date

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from surety_core import (
    GuaranteeContract,
    GuaranteeVersion,
    Medium,
    Obligee,
    Period,
    Principal,
    Surety,
    VerificationError,
    Works,
    WorksKind,
    corporate_number_check_digit,
)
from surety_core._serialization import structure, unstructure
from surety_core.documents import (
    CertificateAmendment,
    CertificateData,
    ChangedField,
    KeyNoticeData,
)
from surety_core.domain._standard import ADVANCE_TERMS

PERIOD = Period(date(2025, 4, 1), date(2026, 3, 31))


@pytest.fixture(scope="session")
def notice() -> KeyNoticeData:
    return KeyNoticeData(
        product_name="前払金保証",
        contract_number="0000000001",
        key="7KQM-3XTA-9PLW-R2DH",
        works_name="市道第1号線道路改良工事（その2）",
        works_number="第2025-0042号",
        obligee_name="横浜市",
        principal_name="株式会社山田建設",
        amount=1_000_000_000,
        period=PERIOD,
        surety_name="東日本建設業保証株式会社",
        issued_on=date(2025, 4, 1),
    )


@pytest.fixture(scope="session")
def certificate() -> CertificateData:
    """A later version (変更) of an electronic advance payment guarantee, every line present."""
    return CertificateData(
        contract_number="0000000001",
        product_name="前払金保証",
        version=2,
        works_kind=WorksKind.CONSTRUCTION,
        works_name="市道第1号線道路改良工事（その2）",
        works_number="第2025-0042号",
        contract_price=900_000_000,
        works_period=PERIOD,
        obligee_name="横浜市",
        principal_name="株式会社山田建設",
        amount=400_000_000,
        period=PERIOD,
        surety_name="東日本建設業保証株式会社",
        issued_on=date(2025, 4, 1),
        terms=ADVANCE_TERMS,
        site="神奈川県横浜市中区山下町地内",
        principal_address="神奈川県横浜市中区1-1",
        surety_representative="代表取締役社長 山田太郎",
        amendment=CertificateAmendment(
            effective_on=date(2025, 6, 1),
            reason="請負代金額の減額",
            changes=[ChangedField("請負代金額", "1,000,000,000円", "900,000,000円")],
        ),
    )


def _content_json(content: CertificateData) -> bytes:
    data = unstructure(content)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class Signer:
    """A stand-in for the signed certificate format: canonical JSON + Ed25519, for the tests."""

    def __init__(self) -> None:
        self.key = Ed25519PrivateKey.generate()

    def sign(self, content: CertificateData) -> bytes:
        body = _content_json(content)
        signature = base64.b64encode(self.key.sign(body)).decode()
        return json.dumps({"content": body.decode(), "signature": signature}).encode()


def make_verifier(trusted: list[Ed25519PublicKey]) -> Callable[[bytes], CertificateData]:
    def verify(payload: bytes) -> CertificateData:
        try:
            outer = json.loads(payload)
            body = outer["content"].encode()
            signature = base64.b64decode(outer["signature"])
        except (ValueError, KeyError, TypeError, AttributeError):
            raise VerificationError() from None
        for key in trusted:
            try:
                key.verify(signature, body)
            except InvalidSignature:
                continue
            return structure(json.loads(body), CertificateData)
        raise VerificationError()

    return verify


@pytest.fixture(scope="session")
def signer() -> Signer:
    return Signer()


@pytest.fixture(scope="session")
def verify_trusted(signer: Signer) -> Callable[[bytes], CertificateData]:
    """Verifies payloads against a trusted set holding the signer's key."""
    return make_verifier([Ed25519PrivateKey.generate().public_key(), signer.key.public_key()])


@pytest.fixture(scope="session")
def verify_untrusted() -> Callable[[bytes], CertificateData]:
    """Verifies payloads against a trusted set that does not hold the signer's key."""
    return make_verifier([Ed25519PrivateKey.generate().public_key()])


@pytest.fixture(scope="session")
def other_signer() -> Signer:
    return Signer()


@pytest.fixture(scope="session")
def contract() -> GuaranteeContract:
    """An electronic advance payment guarantee contract with one version."""
    base = "123456789012"
    obligee = Obligee(name="横浜市", code="yokohama")
    works = Works(
        obligee=obligee,
        name="市道第1号線道路改良工事",
        number="第2025-0042号",
        kind=WorksKind.CONSTRUCTION,
        contract_price=2_500_000_000,
        period=PERIOD,
        announced_on=date(2025, 1, 10),
    )
    return GuaranteeContract(
        number="0000000042",
        product="advance_payment",
        principal=Principal(
            name="株式会社山田建設",
            corporate_number=f"{corporate_number_check_digit(base)}{base}",
            address="神奈川県横浜市中区1-1",
        ),
        surety=Surety(name="東日本建設業保証株式会社", code="ejcs"),
        medium=Medium.ELECTRONIC,
        issued_on=date(2025, 4, 1),
        versions=[
            GuaranteeVersion(
                number=1,
                amount=1_000_000_000,
                period=PERIOD,
                works=works,
                effective_on=date(2025, 4, 1),
                reason="当初",
            )
        ],
    )
