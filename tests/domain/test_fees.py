"""Fees (保証料) and refunds (返還) from a rate table: exact yen, independent of the medium."""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction

import pytest
from attrs import evolve
from hypothesis import given
from hypothesis import strategies as st

from surety_core import (
    ADVANCE_PAYMENT,
    CONTRACT_GUARANTEE,
    ConfigurationError,
    DayCount,
    GuaranteeContract,
    GuaranteeStatus,
    GuaranteeVersion,
    InvalidInputError,
    Medium,
    Obligee,
    Period,
    Principal,
    ProductRate,
    RateBand,
    RateTable,
    Rounding,
    RuleViolationError,
    Surety,
    Works,
    WorksKind,
    compute_fee,
    fee_for_contract,
    fee_for_request,
    refund_on_release,
    sample_rate_table,
)
from surety_core.testing import strategies as s

YEAR = Period(date(2025, 4, 1), date(2026, 3, 31))


def test_sample_table_example() -> None:
    table = sample_rate_table()
    assert table.sample
    assert "SAMPLE" in table.name
    fee = compute_fee(
        table, reference="0000000001", product=ADVANCE_PAYMENT, amount=40_000_000, period=YEAR
    )
    # 10 M at 0.30 % + 30 M at 0.25 % for 365/365 of a year
    assert [line.fee for line in fee.lines] == [30_000, 75_000]
    assert fee.total == fee.subtotal == 105_000
    assert fee.days == 365
    small = compute_fee(
        table,
        reference="APP-1",
        product=CONTRACT_GUARANTEE,
        amount=100_000,
        period=Period(date(2025, 4, 1), date(2025, 4, 30)),
    )
    assert small.subtotal == 8  # 100,000 × 0.1 % × 30/365 = 8.2 → 8 (rounded down)
    assert small.total == 1_000  # the minimum fee


def test_rounding_rules() -> None:
    assert Rounding.DOWN.apply(Fraction(1999, 2)) == 999
    assert Rounding.UP.apply(Fraction(1999, 2)) == 1000
    assert Rounding.HALF_UP.apply(Fraction(1999, 2)) == 1000
    assert Rounding.HALF_UP.apply(Fraction(1997, 2)) == 999
    assert Rounding.DOWN.apply(Fraction(1999), 100) == 1900
    assert Rounding.UP.apply(Fraction(1901), 100) == 2000


def _rounded_with_fractions(rounding: Rounding, value: Fraction, unit: int) -> int:
    """The rounding as first written: in Fraction arithmetic."""
    scaled = value / unit
    if rounding is Rounding.DOWN:
        return math.floor(scaled) * unit
    if rounding is Rounding.UP:
        return math.ceil(scaled) * unit
    return math.floor(scaled + Fraction(1, 2)) * unit


@given(
    st.sampled_from(Rounding),
    st.integers(-(10**30), 10**30),
    st.integers(1, 10**12),
    st.integers(1, 10**6) | st.integers(-1000, -1),
)
def test_rounding_in_integers_is_the_fraction_rounding(
    rounding: Rounding, numerator: int, denominator: int, unit: int
) -> None:
    value = Fraction(numerator, denominator)
    expected = _rounded_with_fractions(rounding, value, unit)
    assert rounding.apply(value, unit) == expected
    assert rounding.divide(numerator, denominator, unit) == expected


@given(s.guarantee_contracts(), s.rate_tables())
def test_every_fee_line_is_its_exact_share_rounded(
    contract: GuaranteeContract, table: RateTable
) -> None:
    fee = fee_for_contract(table, contract)
    for line in fee.lines:
        exact = Fraction(line.portion) * line.annual_rate * fee.days / table.day_count.basis
        assert line.fee == _rounded_with_fractions(table.rounding, exact, table.rounding_unit)


@given(s.guarantee_contracts(), s.rate_tables())
def test_fee_never_depends_on_the_medium(contract: GuaranteeContract, table: RateTable) -> None:
    electronic = evolve(contract, medium=Medium.ELECTRONIC)
    paper = evolve(contract, medium=Medium.PAPER)
    assert fee_for_contract(table, electronic) == fee_for_contract(table, paper)


@given(s.application_cases(), s.rate_tables())
def test_request_fee_never_depends_on_the_medium(case: s.ApplicationCase, table: RateTable) -> None:
    for request in case.application.requests:
        fees = {fee_for_request(table, case.application, evolve(request, medium=m)) for m in Medium}
        assert len(fees) == 1


@given(s.guarantee_contracts(), s.rate_tables())
def test_fee_statement_is_consistent(contract: GuaranteeContract, table: RateTable) -> None:
    fee = fee_for_contract(table, contract)
    assert fee.reference == contract.number
    assert sum(line.portion for line in fee.lines) == contract.amount
    assert fee.subtotal == sum(line.fee for line in fee.lines)
    assert fee.total == max(fee.subtotal, table.rate_for(contract.product).minimum_fee)
    assert fee.days == contract.period.days
    assert all(line.fee % table.rounding_unit == 0 for line in fee.lines)
    for line in fee.lines:
        exact = line.portion * line.annual_rate * fee.days / table.day_count.basis
        assert abs(line.fee - exact) < table.rounding_unit


@given(
    s.guarantee_contracts(status=GuaranteeStatus.ISSUED),
    s.rate_tables(refundable=True),
    st.integers(0, 10**9),
    st.data(),
)
def test_refund_bounds(
    contract: GuaranteeContract, table: RateTable, fee_paid: int, data: st.DataObject
) -> None:
    last = max(contract.issued_on, contract.current.effective_on)
    released_on = data.draw(st.dates(last, max(last, contract.period.end)))
    refund = refund_on_release(table, contract, fee_paid=fee_paid, released_on=released_on)
    assert 0 <= refund.refund <= fee_paid
    assert refund.refund <= refund.gross <= fee_paid
    assert refund.unused_days == min((contract.period.end - released_on).days, contract.period.days)
    assert refund.refund == max(0, refund.gross - refund.deduction)


def test_refund_example() -> None:
    table = sample_rate_table()
    contract = GuaranteeContract(
        "0000000001",
        ADVANCE_PAYMENT,
        Principal("株式会社東葛建設", "7000012050002", "千葉県柏市"),
        Surety("保証", "ejcs"),
        Medium.ELECTRONIC,
        YEAR.start,
        (GuaranteeVersion(1, 40_000_000, YEAR, _works(), YEAR.start, "当初"),),
    )
    statement = refund_on_release(table, contract, fee_paid=105_000, released_on=date(2025, 9, 30))
    # 182 unused days of 365: 105,000 × 182 / 365 = 52,356.1… → 52,356, less 1,000
    assert statement.unused_days == 182
    assert statement.gross == 52_356
    assert statement.refund == 51_356
    with pytest.raises(RuleViolationError, match="RELEASE_AFTER_PERIOD_END"):
        refund_on_release(table, contract, fee_paid=1, released_on=date(2026, 4, 1))
    for bad in ({"fee_paid": -1}, {"fee_paid": 1.0}, {"released_on": "2025-09-30"}):
        kwargs = {"fee_paid": 1, "released_on": date(2025, 9, 30), **bad}
        with pytest.raises(InvalidInputError):
            refund_on_release(table, contract, **kwargs)  # type: ignore[arg-type]


def _works() -> Works:
    return Works(
        Obligee("柏市", "kashiwa"),
        "工事",
        "R7-1",
        WorksKind.CONSTRUCTION,
        100_000_000,
        YEAR,
        YEAR.start - timedelta(days=30),
    )


def test_bad_tables_and_inputs() -> None:
    with pytest.raises(InvalidInputError, match="open-ended"):
        ProductRate(ADVANCE_PAYMENT, (RateBand(100, Fraction(1, 100)),), 0)
    with pytest.raises(InvalidInputError, match="increase"):
        ProductRate(
            ADVANCE_PAYMENT,
            (
                RateBand(100, Fraction(1, 100)),
                RateBand(50, Fraction(1, 100)),
                RateBand(None, Fraction(0)),
            ),
            0,
        )
    with pytest.raises(InvalidInputError):
        RateBand(None, 0.01)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        RateBand.from_basis_points(None, 10_001)
    rate = ProductRate(ADVANCE_PAYMENT, (RateBand(None, Fraction(1, 100)),), 0)
    with pytest.raises(InvalidInputError, match="one rate per product"):
        RateTable("t", (rate, rate))
    with pytest.raises(ConfigurationError):
        compute_fee(sample_rate_table(), reference="A", product="bid_bond", amount=1, period=YEAR)
    for amount in (0, -1, 1.5, True):
        with pytest.raises(InvalidInputError):
            compute_fee(
                sample_rate_table(),
                reference="A",
                product=ADVANCE_PAYMENT,
                amount=amount,  # type: ignore[arg-type]
                period=YEAR,
            )
    assert DayCount.ACTUAL_360.basis == 360
