"""Business dates are dates in Japan (Asia/Tokyo) by default, and every output agrees."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from surety_core import (
    CONTRACT_GUARANTEE,
    Application,
    InvalidInputError,
    Medium,
    Obligee,
    ObligeePolicy,
    Period,
    Principal,
    ProductRequest,
    Surety,
    Works,
    WorksKind,
    sample_rate_table,
)
from surety_core.certificates import SigningKeyRing, verify_certificate
from surety_core.documents import certificate_data_from_content, key_notice_data_from_notice
from surety_core.keys import StaticSecretProvider
from surety_core.services import BUSINESS_ZONE, PolicyBook, SuretyService, business_date
from surety_core.storage.memory import MemoryStore
from surety_core.testing import samples

CITY = Obligee(name="柏市", code="kashiwa")
WORKS = Works(
    obligee=CITY,
    name="市道0001号線道路改良工事",
    number="R7-001",
    kind=WorksKind.CONSTRUCTION,
    contract_price=100_000_000,
    period=Period(date(2025, 4, 1), date(2026, 3, 31)),
    announced_on=date(2025, 3, 1),
    advance_planned=True,
)
PRINCIPAL = Principal("株式会社東葛建設", "7000012050002", "千葉県柏市柏1-1-1")
# 08:30 JST on 1 April is still 31 March in UTC: the first day of the fiscal year in Japan.
MORNING_OF_1_APRIL = datetime(2025, 3, 31, 23, 30, tzinfo=UTC)


def _service(store: MemoryStore, **kw: object) -> tuple[SuretyService, SigningKeyRing]:
    ring = SigningKeyRing.generate("k1")
    service = SuretyService(
        store,
        surety=Surety(name="東日本建設業保証株式会社", code="ejcs"),
        secrets=StaticSecretProvider(
            {"h1": b"h" * 32},
            {"e1": b"e" * 32},
            current_hmac_key_id="h1",
            current_encryption_key_id="e1",
        ),
        signing_keys=ring,
        rate_table=sample_rate_table(),
        policies=PolicyBook([ObligeePolicy("kashiwa", electronic_from=date(2025, 1, 1))]),
        clock=lambda: MORNING_OF_1_APRIL,
        arrangements=samples.arrangement_book(principal_ids=[PRINCIPAL.identifier]),
        **kw,  # type: ignore[arg-type]
    )
    return service, ring


def _contract_guarantee_alone() -> Application:
    request = ProductRequest(
        CONTRACT_GUARANTEE,
        Medium.ELECTRONIC,
        10_000_000,
        Period(date(2025, 3, 31), WORKS.period.end),
    )
    return Application(
        reference="APP-0001",
        principal=PRINCIPAL,
        works=WORKS,
        requests=(request,),
        applied_on=date(2025, 3, 31),
        notification_email="keiyaku@example.co.jp",
    )


def test_the_business_date_is_the_date_in_japan() -> None:
    assert business_date(MORNING_OF_1_APRIL) == date(2025, 4, 1)
    assert business_date(MORNING_OF_1_APRIL, UTC) == date(2025, 3, 31)
    assert str(BUSINESS_ZONE) == "Asia/Tokyo"
    with pytest.raises(InvalidInputError):
        business_date(datetime(2025, 4, 1, 8, 30))  # a naive time has no date anywhere


def test_contract_pdf_key_notice_and_email_agree_at_0830_jst() -> None:
    store = MemoryStore()
    service, ring = _service(store)
    # the contract guarantee comes first, at the works contract, before the advance guarantee
    result = service.apply_and_issue(_contract_guarantee_alone())
    (issued,) = result.guarantees
    assert issued.contract.issued_on == date(2025, 4, 1)
    assert issued.contract.current.effective_on == date(2025, 4, 1)
    assert issued.certificate is not None
    content = verify_certificate(issued.certificate.document, ring.trusted_keys())
    assert certificate_data_from_content(content).issued_on == date(2025, 4, 1)
    notice = service.portal.key_notice(issued.contract.number, principal_id=PRINCIPAL.identifier)
    assert key_notice_data_from_notice(notice).issued_on == date(2025, 4, 1)
    jst = timezone(timedelta(hours=9))
    with store.unit_of_work() as uow:
        (message,) = uow.outbox.all()
    assert message.created_at.astimezone(jst).date() == date(2025, 4, 1)


def test_the_zone_is_configurable() -> None:
    service, _ = _service(MemoryStore(), zone="UTC")
    (issued,) = service.apply_and_issue(_contract_guarantee_alone()).guarantees
    assert issued.contract.issued_on == date(2025, 3, 31)
    with pytest.raises(InvalidInputError):
        _service(MemoryStore(), zone="Mars/Olympus")
