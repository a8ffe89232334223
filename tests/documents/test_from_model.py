"""Document inputs from the domain model and from signed certificate content."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO

import attrs
import pytest
from pypdf import PdfReader

from surety_core import (
    ConfigurationError,
    GuaranteeContract,
    InvalidInputError,
    Medium,
    Obligee,
    Period,
    Principal,
    Surety,
    Terms,
    Works,
    WorksKind,
    corporate_number_check_digit,
)
from surety_core.certificates import CertificateChange
from surety_core.documents import (
    build_certificate_pdf,
    build_key_notice_pdf,
    certificate_data_from_content,
    expected_certificate_text,
    key_notice_data_from_contract,
)

PERIOD = Period(date(2025, 4, 1), date(2026, 3, 31))
BASE = "123456789012"
PRINCIPAL = Principal(
    name="株式会社山田建設",
    corporate_number=f"{corporate_number_check_digit(BASE)}{BASE}",
    address="神奈川県横浜市中区1-1",
)
OBLIGEE = Obligee(name="横浜市", code="yokohama")
SURETY = Surety(name="東日本建設業保証株式会社", code="ejcs")
WORKS = Works(
    obligee=OBLIGEE,
    name="市道第1号線道路改良工事",
    number="第2025-0042号",
    kind=WorksKind.CONSTRUCTION,
    contract_price=2_500_000_000,
    period=PERIOD,
    announced_on=date(2025, 1, 10),
)


@attrs.frozen
class Content:
    """The shape of signed certificate content (as in surety_core.certificates)."""

    number: str
    product: str
    principal: Principal
    obligee: Obligee
    works: Works
    amount: int
    period: Period
    version: int
    issued_at: datetime
    surety: Surety
    medium: Medium = Medium.ELECTRONIC
    terms: Terms | None = None
    change: CertificateChange | None = None


def test_key_notice_from_contract(contract: GuaranteeContract) -> None:
    data = key_notice_data_from_contract(contract, "7KQM-3XTA-9PLW-R2DH-5C8N")
    lines = PdfReader(BytesIO(build_key_notice_pdf(data))).pages[0].extract_text().splitlines()
    assert "保証契約番号 0000000042" in lines
    assert "認証キー 7KQM-3XTA-9PLW-R2DH-5C8N" in lines
    assert "保証の種類 前払金保証" in lines
    assert "保証金額 1,000,000,000円" in lines
    assert "工事名 市道第1号線道路改良工事" in lines


def test_unknown_product_needs_a_name(contract: GuaranteeContract) -> None:
    other = attrs.evolve(contract, product="bid_bond")
    with pytest.raises(ConfigurationError):
        key_notice_data_from_contract(other, "7KQM-3XTA-9PLW-R2DH-5C8N")
    data = key_notice_data_from_contract(
        other, "7KQM-3XTA-9PLW-R2DH-5C8N", product_names={"bid_bond": "契約保証予約"}
    )
    assert data.product_name == "契約保証予約"


def test_not_a_contract() -> None:
    with pytest.raises(InvalidInputError):
        key_notice_data_from_contract("0000000042", "7KQM-3XTA")  # type: ignore[arg-type]


def test_certificate_data_from_content() -> None:
    content = Content(
        number="0000000042",
        product="contract_guarantee",
        principal=PRINCIPAL,
        obligee=OBLIGEE,
        works=WORKS,
        amount=250_000_000,
        period=PERIOD,
        version=1,
        issued_at=datetime(2025, 3, 31, 15, 30, tzinfo=UTC),  # 00:30 JST on 1 April
        surety=SURETY,
    )
    data = certificate_data_from_content(content)
    assert data.issued_on == date(2025, 4, 1)
    assert data.product_name == "契約保証"
    text = expected_certificate_text(data)
    assert "保証契約番号 0000000042" in text.splitlines()
    assert text == PdfReader(BytesIO(build_certificate_pdf(data, b"x"))).pages[0].extract_text()


def test_paper_content_gets_no_electronic_certificate() -> None:
    paper = Content(
        number="0000000042",
        product="contract_guarantee",
        principal=PRINCIPAL,
        obligee=OBLIGEE,
        works=WORKS,
        amount=250_000_000,
        period=PERIOD,
        version=1,
        issued_at=datetime(2025, 3, 31, 15, 30, tzinfo=UTC),
        surety=SURETY,
        medium=Medium.PAPER,
    )
    with pytest.raises(InvalidInputError, match="paper"):
        certificate_data_from_content(paper)


def test_not_content() -> None:
    with pytest.raises(InvalidInputError):
        certificate_data_from_content(object())  # type: ignore[arg-type]
