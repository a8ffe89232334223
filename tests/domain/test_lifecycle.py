"""Amend, release, expire and claim as pure functions; claim payout bounds."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surety_core import (
    ADVANCE_PAYMENT,
    MAX_YEN,
    STATUS_TRANSITIONS,
    Amendment,
    ClaimSettlement,
    GuaranteeContract,
    GuaranteeStatus,
    InvalidInputError,
    Medium,
    RuleViolationError,
    can_transition,
    claim,
    claim_payout,
    expire,
    release,
)
from surety_core.testing import strategies as s


def test_transition_table() -> None:
    assert STATUS_TRANSITIONS[GuaranteeStatus.ISSUED] == {
        GuaranteeStatus.RELEASED,
        GuaranteeStatus.CLAIMED,
        GuaranteeStatus.EXPIRED,
        GuaranteeStatus.COMPLETED,
    }
    # an expired guarantee may still be claimed for a default during its period
    assert STATUS_TRANSITIONS[GuaranteeStatus.EXPIRED] == {GuaranteeStatus.CLAIMED}
    for status in (GuaranteeStatus.RELEASED, GuaranteeStatus.CLAIMED, GuaranteeStatus.COMPLETED):
        assert STATUS_TRANSITIONS[status] == frozenset()
        assert not any(can_transition(status, t) for t in GuaranteeStatus)
    assert set(STATUS_TRANSITIONS) == set(GuaranteeStatus)


@given(s.guarantee_contracts(status=GuaranteeStatus.ISSUED))
def test_release_and_expire(contract: GuaranteeContract) -> None:
    last = max(contract.issued_on, contract.current.effective_on)
    released = release(contract, last)
    assert released.status is GuaranteeStatus.RELEASED
    assert released.status_on == last
    assert released.versions == contract.versions
    assert contract.status is GuaranteeStatus.ISSUED  # the input is unchanged
    expired = expire(contract, contract.period.end + timedelta(days=1))
    assert expired.status is GuaranteeStatus.EXPIRED
    for final in (released, expired):
        with pytest.raises(RuleViolationError) as info:
            release(final, final.period.end)
        assert "STATUS_TRANSITION_NOT_ALLOWED" in info.value.codes
        with pytest.raises(RuleViolationError) as info:
            expire(final, final.period.end + timedelta(days=5))
        assert "STATUS_TRANSITION_NOT_ALLOWED" in info.value.codes


@given(
    s.guarantee_contracts(product=ADVANCE_PAYMENT, status=GuaranteeStatus.ISSUED),
    st.integers(0, MAX_YEN),
    st.integers(0, MAX_YEN),
)
def test_claim_payout_bounds(contract: GuaranteeContract, paid: int, completed: int) -> None:
    on = max(contract.issued_on, contract.current.effective_on)
    claimed, settlement = claim(contract, on, advance_paid=paid, completed_value=completed)
    assert claimed.status is GuaranteeStatus.CLAIMED
    assert claimed.status_on == on
    assert 0 <= settlement.payout <= contract.amount
    assert settlement.payout == max(0, min(paid - completed, contract.amount))
    if completed >= paid:
        assert settlement.payout == 0
    assert settlement.guaranteed_amount == contract.amount
    with pytest.raises(RuleViolationError, match="STATUS_TRANSITION_NOT_ALLOWED"):
        claim(claimed, on, advance_paid=paid, completed_value=completed)


def test_claim_example() -> None:
    assert (
        claim_payout(
            advance_paid=40_000_000, completed_value=25_000_000, guaranteed_amount=40_000_000
        )
        == 15_000_000
    )
    assert (
        claim_payout(
            advance_paid=40_000_000, completed_value=45_000_000, guaranteed_amount=40_000_000
        )
        == 0
    )
    assert (
        claim_payout(advance_paid=50_000_000, completed_value=0, guaranteed_amount=40_000_000)
        == 40_000_000
    )
    for bad in (-1, 1.5, "1", True, None, MAX_YEN + 1):
        with pytest.raises(InvalidInputError):
            claim_payout(advance_paid=bad, completed_value=0, guaranteed_amount=1)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="payout"):
        ClaimSettlement("0000000001", ADVANCE_PAYMENT, date(2025, 1, 1), 10, 3, 100, 8)


@given(s.guarantee_contracts(status=GuaranteeStatus.ISSUED), st.data())
def test_amend_keeps_medium_and_appends(contract: GuaranteeContract, data: st.DataObject) -> None:
    del data
    other = Medium.PAPER if contract.medium is Medium.ELECTRONIC else Medium.ELECTRONIC
    amendment = Amendment(
        contract.amount,
        contract.period,
        contract.works,
        contract.current.effective_on,
        "変更",
        other,
    )
    from surety_core import ObligeePolicy, amend

    policy = ObligeePolicy(contract.obligee.code, electronic_from=contract.works.announced_on)
    with pytest.raises(RuleViolationError) as info:
        amend(contract, amendment, policy, existing=())
    assert "MEDIUM_FIXED" in info.value.codes


def test_lifecycle_refuses_wrong_types() -> None:
    for call in (
        lambda: release("0000000001", date(2025, 1, 1)),  # type: ignore[arg-type]
        lambda: expire("0000000001", date(2025, 1, 1)),  # type: ignore[arg-type]
        lambda: claim("0000000001", date(2025, 1, 1), advance_paid=1, completed_value=0),  # type: ignore[arg-type]
    ):
        with pytest.raises(InvalidInputError):
            call()
