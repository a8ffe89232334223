"""The fee of an amendment: additional fee (追加保証料) or refund (返還保証料), never negative."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from attrs import evolve
from hypothesis import given
from hypothesis import strategies as st

from surety_core import (
    CONTRACT_GUARANTEE,
    AdjustmentKind,
    FeeAdjustment,
    GuaranteeContract,
    GuaranteeStatus,
    GuaranteeVersion,
    InvalidInputError,
    Period,
    RateTable,
    fee_for_contract,
    fee_on_amendment,
    from_json,
    refund_on_release,
    sample_rate_table,
    to_json,
)
from surety_core.testing import samples
from surety_core.testing import strategies as s

YEAR = Period(date(2025, 4, 1), date(2026, 3, 31))


def amended(
    contract: GuaranteeContract, amount: int, effective_on: date, period: Period | None = None
) -> GuaranteeContract:
    version = GuaranteeVersion(
        contract.version + 1,
        amount,
        contract.period if period is None else period,
        contract.works,
        effective_on,
        "変更",
    )
    return evolve(contract, versions=(*contract.versions, version))


def _advance_contract() -> GuaranteeContract:
    """The sample advance payment guarantee of 40,000,000 yen over one year (365 days)."""
    contract = samples.guarantee_contract(amount=40_000_000)
    first = evolve(contract.versions[0], period=YEAR, effective_on=YEAR.start)
    return evolve(contract, issued_on=YEAR.start, versions=(first,))


def test_increase_then_decrease_with_figures() -> None:
    table = sample_rate_table()
    v1 = _advance_contract()
    initial = fee_for_contract(table, v1)
    assert initial.total == 105_000  # 10 M × 0.30 % + 30 M × 0.25 %, 365/365

    v2 = amended(v1, 60_000_000, date(2025, 10, 1))
    up = fee_on_amendment(table, v1, v2, charged=initial.total)
    assert up.kind is AdjustmentKind.ADDITIONAL
    assert up.fee.total == 155_000  # 10 M × 0.30 % + 50 M × 0.25 %
    assert (up.additional, up.refund, up.gross, up.deduction) == (50_000, 0, 0, 0)
    assert up.net == 155_000

    v3 = amended(v2, 20_000_000, date(2026, 1, 1))
    down = fee_on_amendment(table, v2, v3, charged=up.fee.total)
    assert down.kind is AdjustmentKind.REFUND
    assert down.fee.total == 55_000  # 10 M × 0.30 % + 10 M × 0.25 %
    assert down.decrease == 100_000
    assert down.unused_days == 89  # 2026-01-02 … 2026-03-31
    assert down.gross == 24_383  # 100,000 × 89 / 365 = 24,383.56 → rounded down
    assert (down.deduction, down.refund) == (1_000, 23_383)
    assert down.net == 155_000 - 23_383

    # The release refunds the unused share of the fee of the terms in force.
    released = refund_on_release(table, v3, fee_paid=down.fee.total, released_on=date(2026, 3, 1))
    assert released.refund == 55_000 * 30 // 365 - 1_000


def test_no_change_and_no_refund_for_a_product_not_refunded() -> None:
    table = sample_rate_table()
    v1 = _advance_contract()
    same = fee_on_amendment(table, v1, amended(v1, 40_000_000, date(2025, 5, 1)), charged=105_000)
    assert same.kind is AdjustmentKind.NONE
    assert (same.additional, same.refund) == (0, 0)

    contract = evolve(v1, product=CONTRACT_GUARANTEE)
    charged = fee_for_contract(table, contract).total  # 40 M × 0.10 % = 40,000
    down = fee_on_amendment(
        table, contract, amended(contract, 4_000_000, date(2025, 5, 1)), charged=charged
    )
    assert down.kind is AdjustmentKind.REFUND
    assert not down.refundable
    assert (down.gross, down.deduction, down.refund) == (0, 0, 0)


def test_refuses_another_contract_or_an_older_version() -> None:
    table = sample_rate_table()
    v1 = _advance_contract()
    v2 = amended(v1, 50_000_000, date(2025, 5, 1))
    with pytest.raises(InvalidInputError, match="later version"):
        fee_on_amendment(table, v2, v1, charged=1)
    with pytest.raises(InvalidInputError, match="same guarantee contract"):
        fee_on_amendment(table, v1, evolve(v2, number="0000000099"), charged=1)
    with pytest.raises(InvalidInputError, match="charged"):
        fee_on_amendment(table, v1, v2, charged=-1)


def test_round_trips_through_json() -> None:
    table = sample_rate_table()
    v1 = _advance_contract()
    adjustment = fee_on_amendment(
        table, v1, amended(v1, 10_000_000, date(2025, 9, 1)), charged=105_000
    )
    assert from_json(to_json(adjustment), FeeAdjustment) == adjustment
    assert from_json(to_json(adjustment)) == adjustment


steps = st.lists(
    st.tuples(
        st.integers(1, 10**11),  # the new amount
        st.integers(-200, 200),  # days the period's end moves
        st.integers(0, 120),  # days from the last effective date
    ),
    min_size=1,
    max_size=6,
)


@given(
    s.guarantee_contracts(status=st.just(GuaranteeStatus.ISSUED), max_amendments=0),
    s.rate_tables(),
    steps,
    st.data(),
)
def test_the_money_of_any_series_of_amendments(
    contract: GuaranteeContract,
    table: RateTable,
    changes: list[tuple[int, int, int]],
    data: st.DataObject,
) -> None:
    """initial + additions − refunds is never negative, never below the fee of the final terms,
    and equals it when the fee never fell; each adjustment is one-sided and rounded once."""
    initial = fee_for_contract(table, contract).total
    charged_for_terms = initial
    net = initial
    fell = False
    current = contract
    for amount, shift, later in changes:
        end = max(current.period.start, current.period.end + timedelta(days=shift))
        effective = current.current.effective_on + timedelta(days=later)
        new = amended(current, amount, effective, Period(current.period.start, end))
        adjustment = fee_on_amendment(table, current, new, charged=charged_for_terms)
        rate = table.rate_for(contract.product)

        assert adjustment.fee == fee_for_contract(table, new)
        assert adjustment.additional >= 0
        assert adjustment.refund >= 0
        assert adjustment.additional == 0 or adjustment.refund == 0
        difference = adjustment.fee.total - charged_for_terms
        assert adjustment.additional == max(0, difference)
        assert adjustment.refund <= adjustment.gross <= adjustment.decrease == max(0, -difference)
        if adjustment.decrease and rate.refundable:
            exact = Fraction(adjustment.decrease * adjustment.unused_days, current.period.days)
            unit = table.rounding_unit
            capped: Fraction = min(exact, Fraction(adjustment.decrease))
            assert abs(adjustment.gross - capped) < unit
            assert adjustment.gross % unit == 0 or adjustment.gross == adjustment.decrease
            assert adjustment.refund == max(0, adjustment.gross - rate.refund_deduction)
        if not rate.refundable:
            assert adjustment.refund == 0
        assert adjustment.net >= adjustment.fee.total >= rate.minimum_fee
        fell = fell or difference < 0
        net += adjustment.additional - adjustment.refund
        charged_for_terms = adjustment.fee.total
        current = new

    final = fee_for_contract(table, current).total
    assert net >= final >= 0
    if not fell:
        assert net == final
    # A release at any day of the final terms never returns more than was kept.
    if table.rate_for(contract.product).refundable:
        last = current.current.effective_on
        if last <= current.period.end:
            on = last + timedelta(days=data.draw(st.integers(0, (current.period.end - last).days)))
            released = refund_on_release(table, current, fee_paid=final, released_on=on)
            assert 0 <= released.refund <= final <= net
