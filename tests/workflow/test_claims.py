"""Claims through the issuer: the contract guarantee's penalty, and a claim after expiry."""

from __future__ import annotations

from datetime import date

from surety_core import ClaimBasis, GuaranteeStatus
from surety_core.storage.memory import MemoryStore

from .test_business_date import _contract_guarantee_alone, _service


def test_a_contract_guarantee_claim_pays_the_penalty_up_to_the_amount() -> None:
    service, _ = _service(MemoryStore())
    (issued,) = service.apply_and_issue(_contract_guarantee_alone()).guarantees
    result = service.claim(issued.contract.number, date(2025, 10, 1), penalty=12_000_000)
    assert result.contract.status is GuaranteeStatus.CLAIMED
    assert result.settlement.basis is ClaimBasis.PENALTY
    assert result.settlement.payout == 10_000_000


def test_an_expired_guarantee_is_claimed_for_a_default_in_its_period() -> None:
    service, _ = _service(MemoryStore())
    (issued,) = service.apply_and_issue(_contract_guarantee_alone()).guarantees
    number = issued.contract.number
    service.expire(number, date(2026, 4, 1))
    result = service.claim(
        number, date(2026, 4, 20), penalty=3_000_000, default_on=date(2026, 3, 10)
    )
    assert result.contract.status is GuaranteeStatus.CLAIMED
    assert result.settlement.default_on == date(2026, 3, 10)
    assert result.settlement.payout == 3_000_000


def test_completion_through_the_issuer_is_audited_and_shown() -> None:
    store = MemoryStore()
    service, _ = _service(store)
    (issued,) = service.apply_and_issue(_contract_guarantee_alone()).guarantees
    done = service.complete(issued.contract.number, date(2026, 3, 31))
    assert done.status is GuaranteeStatus.COMPLETED
    with store.unit_of_work() as uow:
        last = uow.audit.last()
    assert last is not None
    assert last.action == "completed"
