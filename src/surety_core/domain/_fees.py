"""Guarantee fees (保証料) from a host-supplied rate table (private; see :mod:`surety_core`).

Integer yen only: rates are exact :class:`~fractions.Fraction` values, every product of amount,
rate and days is exact, and rounding happens once per line with an explicit :class:`Rounding`.
The fee never depends on the certificate medium: no function here receives one.
"""

from __future__ import annotations

import itertools
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Any

from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import ConfigurationError, InvalidInputError
from surety_core.domain import _rules as r
from surety_core.domain._model import Application, GuaranteeContract, Period, ProductRequest
from surety_core.domain._products import (
    ADVANCE_PAYMENT,
    CONTRACT_GUARANTEE,
    INTERMEDIATE_ADVANCE_PAYMENT,
)
from surety_core.domain._rules import Violation, raise_if_any

__all__ = [
    "AdjustmentKind",
    "DayCount",
    "FeeAdjustment",
    "FeeLine",
    "FeeStatement",
    "ProductRate",
    "RateBand",
    "RateTable",
    "RefundStatement",
    "Rounding",
    "compute_fee",
    "fee_for_contract",
    "fee_for_request",
    "fee_on_amendment",
    "refund_on_release",
    "sample_rate_table",
]


class DayCount(StrEnum):
    """How days turn into a share of the annual rate."""

    ACTUAL_365 = "actual/365"
    """Days of the period (both ends counted) / 365."""
    ACTUAL_360 = "actual/360"
    """Days of the period (both ends counted) / 360."""

    @property
    def basis(self) -> int:
        return 365 if self is DayCount.ACTUAL_365 else 360


class Rounding(StrEnum):
    """How an exact yen amount is rounded to a whole ``unit`` of yen."""

    DOWN = "down"
    """切り捨て: toward zero."""
    UP = "up"
    """切り上げ: away from zero."""
    HALF_UP = "half_up"
    """四捨五入: to the nearest, halves up."""

    def apply(self, value: Fraction, unit: int = 1) -> int:
        """``value`` rounded to a multiple of ``unit`` yen (``value`` ≥ 0)."""
        return self.divide(value.numerator, value.denominator, unit)

    def divide(self, numerator: int, denominator: int, unit: int = 1) -> int:
        """``numerator / denominator`` yen rounded to a multiple of ``unit`` yen, in integer
        arithmetic: exactly :meth:`apply` of that fraction, without building it."""
        scale = denominator * unit
        if self is Rounding.DOWN:
            whole = numerator // scale
        elif self is Rounding.UP:
            whole = -(-numerator // scale)
        else:
            whole = (2 * numerator + scale) // (2 * scale)
        return whole * unit


def _rate(instance: object, attribute: Any, value: Any) -> None:
    name = v.field_name(instance, attribute)
    if not isinstance(value, Fraction):
        raise InvalidInputError(name, f"must be a Fraction, not {type(value).__name__}")
    if not 0 <= value <= 1:
        raise InvalidInputError(name, "must be between 0 and 1")


def _optional_yen(instance: object, attribute: Any, value: Any) -> None:
    if value is not None:
        v.yen(instance, attribute, value)


@frozen
class RateBand:
    """One amount band: the part of the amount up to ``up_to`` yen (``None``: no upper bound)
    is charged ``annual_rate`` (a Fraction, e.g. ``Fraction(3, 1000)`` for 0.3 %)."""

    up_to: int | None = field(validator=_optional_yen)
    annual_rate: Fraction = field(validator=_rate)

    @classmethod
    def from_basis_points(cls, up_to: int | None, basis_points: int) -> RateBand:
        """A band whose rate is given in basis points (1 bp = 0.01 %)."""
        if isinstance(basis_points, bool) or not isinstance(basis_points, int):
            raise InvalidInputError("basis_points", "must be an integer")
        if not 0 <= basis_points <= 10_000:
            raise InvalidInputError("basis_points", "must be between 0 and 10000")
        return cls(up_to=up_to, annual_rate=Fraction(basis_points, 10_000))


def _bands(instance: object, attribute: Any, value: Any) -> None:
    v.tuple_of(RateBand, min_length=1, max_length=50)(instance, attribute, value)
    name = v.field_name(instance, attribute)
    bounds = [b.up_to for b in value]
    if bounds[-1] is not None or any(b is None for b in bounds[:-1]):
        raise InvalidInputError(name, "only the last band is open-ended (up_to=None)")
    closed = [b for b in bounds if b is not None]
    if any(a >= b for a, b in itertools.pairwise(closed)):
        raise InvalidInputError(name, "band bounds must increase")


@frozen
class ProductRate:
    """The rates of one product: tiered amount bands, a minimum fee and the refund terms.

    Each band charges its rate on the part of the guaranteed amount that falls inside it (like
    income-tax brackets). ``refundable`` says whether a release returns unused fee;
    ``refund_deduction`` is the handling charge deducted from a refund.
    """

    product: str = field(validator=v.code)
    bands: tuple[RateBand, ...] = field(converter=v.to_tuple, validator=_bands)
    minimum_fee: int = field(validator=v.non_negative_yen)
    refundable: bool = field(default=False, validator=v.instance_of(bool))
    refund_deduction: int = field(default=0, validator=v.non_negative_yen)


def _rates(instance: object, attribute: Any, value: Any) -> None:
    v.tuple_of(ProductRate, min_length=1, max_length=100)(instance, attribute, value)
    codes = [p.product for p in value]
    if len(set(codes)) != len(codes):
        raise InvalidInputError(v.field_name(instance, attribute), "one rate per product")


@frozen
class RateTable:
    """A fee rate table (保証料率表) supplied by the host, as data.

    ``rounding`` applies to each line, to a multiple of ``rounding_unit`` yen.
    """

    name: str = field(converter=v.strip_text, validator=v.text(100))
    rates: tuple[ProductRate, ...] = field(converter=v.to_tuple, validator=_rates)
    day_count: DayCount = field(default=DayCount.ACTUAL_365, validator=v.enum_of(DayCount))
    rounding: Rounding = field(default=Rounding.DOWN, validator=v.enum_of(Rounding))
    rounding_unit: int = field(default=1, validator=v.positive_int)
    sample: bool = field(default=False, validator=v.instance_of(bool))

    def rate_for(self, product: str) -> ProductRate:
        """The rates of ``product``; an unknown product raises :class:`ConfigurationError`."""
        for rate in self.rates:
            if rate.product == product:
                return rate
        raise ConfigurationError(f"rate table {self.name!r} has no rate for {str(product)[:40]!r}")


@frozen
class FeeLine:
    """One band's share of the fee: ``portion`` yen at ``annual_rate`` for the days."""

    band_from: int = field(validator=v.non_negative_yen)
    band_to: int = field(validator=v.yen)
    portion: int = field(validator=v.yen)
    annual_rate: Fraction = field(validator=_rate)
    fee: int = field(validator=v.non_negative_yen)


@frozen
class FeeStatement:
    """The fee calculation statement (保証料計算書).

    ``total = max(subtotal, minimum_fee)`` where ``subtotal`` is the sum of the rounded lines.
    ``reference`` is the guarantee contract number or the application reference.
    """

    reference: str = field(validator=v.code)
    product: str = field(validator=v.code)
    amount: int = field(validator=v.yen)
    period: Period = field(validator=v.instance_of(Period))
    days: int = field(validator=v.positive_int)
    day_count: DayCount = field(validator=v.enum_of(DayCount))
    rounding: Rounding = field(validator=v.enum_of(Rounding))
    lines: tuple[FeeLine, ...] = field(
        converter=v.to_tuple, validator=v.tuple_of(FeeLine, min_length=1, max_length=50)
    )
    subtotal: int = field(validator=v.non_negative_yen)
    minimum_fee: int = field(validator=v.non_negative_yen)
    total: int = field(validator=v.non_negative_yen)
    rate_table: str = field(converter=v.strip_text, validator=v.text(100))
    rounding_unit: int = field(default=1, validator=v.positive_int)
    """Each line is rounded to a multiple of this many yen (as the table said)."""


@frozen
class RefundStatement:
    """The refund statement (返還計算書) on release.

    ``gross = fee_paid × unused_days / days`` (rounded as the table says) and
    ``refund = clamp(gross - deduction, 0, fee_paid)``. ``unused_days`` are the days after
    ``released_on`` up to the period's end.
    """

    reference: str = field(validator=v.code)
    product: str = field(validator=v.code)
    period: Period = field(validator=v.instance_of(Period))
    released_on: date = field(validator=v.a_date)
    days: int = field(validator=v.positive_int)
    unused_days: int = field(validator=v.non_negative_yen)
    fee_paid: int = field(validator=v.non_negative_yen)
    gross: int = field(validator=v.non_negative_yen)
    deduction: int = field(validator=v.non_negative_yen)
    refund: int = field(validator=v.non_negative_yen)
    rate_table: str = field(converter=v.strip_text, validator=v.text(100))
    rounding: Rounding = field(default=Rounding.DOWN, validator=v.enum_of(Rounding))
    """How ``gross`` was rounded (the table's rounding), to a multiple of ``rounding_unit``."""
    rounding_unit: int = field(default=1, validator=v.positive_int)


class AdjustmentKind(StrEnum):
    """What an amendment does to the fee."""

    ADDITIONAL = "additional"
    """追加保証料: the fee of the new terms is higher; the difference is due."""
    REFUND = "refund"
    """返還保証料: the fee of the new terms is lower; the unused share of the difference is
    returned (possibly 0 yen, e.g. for a product the table does not refund)."""
    NONE = "none"
    """The fee of the new terms equals the fee charged: nothing is due or returned."""


@frozen
class FeeAdjustment:
    """The fee adjustment of one amendment (保証料の追加・返還): see :func:`fee_on_amendment`.

    ``fee`` is the fee of the new terms (version ``version``, effective ``effective_on``);
    ``charged`` the fee of the terms charged before (the previous fee statement's total).
    ``additional = fee.total - charged`` when that is positive (due from the contractor);
    otherwise, for a product the table refunds,
    ``gross = round(decrease × unused_days / previous_days)`` and
    ``refund = max(0, gross - deduction)`` where ``decrease = charged - fee.total`` and
    ``unused_days`` are the days after ``effective_on`` up to the previous period's end.
    """

    reference: str = field(validator=v.code)
    product: str = field(validator=v.code)
    version: int = field(validator=v.positive_int)
    effective_on: date = field(validator=v.a_date)
    reason: str = field(converter=v.strip_text, validator=v.text(500))
    previous_period: Period = field(validator=v.instance_of(Period))
    charged: int = field(validator=v.non_negative_yen)
    fee: FeeStatement = field(validator=v.instance_of(FeeStatement))
    unused_days: int = field(validator=v.non_negative_yen)
    refundable: bool = field(validator=v.instance_of(bool))
    additional: int = field(validator=v.non_negative_yen)
    gross: int = field(validator=v.non_negative_yen)
    deduction: int = field(validator=v.non_negative_yen)
    refund: int = field(validator=v.non_negative_yen)

    @property
    def kind(self) -> AdjustmentKind:
        if self.fee.total > self.charged:
            return AdjustmentKind.ADDITIONAL
        if self.fee.total < self.charged:
            return AdjustmentKind.REFUND
        return AdjustmentKind.NONE

    @property
    def previous_days(self) -> int:
        """Days of the previous period (both ends counted)."""
        return self.previous_period.days

    @property
    def decrease(self) -> int:
        """How much lower the fee of the new terms is (0 unless it fell)."""
        return max(0, self.charged - self.fee.total)

    @property
    def net(self) -> int:
        """The fee charged after this adjustment: ``charged + additional - refund``."""
        return self.charged + self.additional - self.refund


def compute_fee(
    table: RateTable, *, reference: str, product: str, amount: int, period: Period
) -> FeeStatement:
    """The fee for guaranteeing ``amount`` yen of ``product`` over ``period`` (no medium)."""
    v.require(table, RateTable, "table")
    v.require(period, Period, "period")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= v.MAX_YEN:
        raise InvalidInputError("amount", "must be a positive whole number of yen")
    rate = table.rate_for(product)
    days = period.days
    basis = table.day_count.basis
    lines: list[FeeLine] = []
    lower = 0
    for band in rate.bands:
        upper = amount if band.up_to is None else min(band.up_to, amount)
        if upper > lower:
            # portion × rate × days / basis, exact, then rounded (integers: no Fraction built)
            annual_rate = band.annual_rate
            fee = table.rounding.divide(
                (upper - lower) * annual_rate.numerator * days,
                annual_rate.denominator * basis,
                table.rounding_unit,
            )
            lines.append(
                FeeLine(
                    band_from=lower,
                    band_to=upper,
                    portion=upper - lower,
                    annual_rate=annual_rate,
                    fee=fee,
                )
            )
        if band.up_to is None or band.up_to >= amount:
            break
        lower = band.up_to
    subtotal = sum(line.fee for line in lines)
    return FeeStatement(
        reference=reference,
        product=product,
        amount=amount,
        period=period,
        days=days,
        day_count=table.day_count,
        rounding=table.rounding,
        lines=tuple(lines),
        subtotal=subtotal,
        minimum_fee=rate.minimum_fee,
        total=max(subtotal, rate.minimum_fee),
        rate_table=table.name,
        rounding_unit=table.rounding_unit,
    )


def fee_for_request(
    table: RateTable, application: Application, request: ProductRequest
) -> FeeStatement:
    """The fee of one request of ``application`` (reference: the application's)."""
    v.require(application, Application, "application")
    v.require(request, ProductRequest, "request")
    return compute_fee(
        table,
        reference=application.reference,
        product=request.product,
        amount=request.amount,
        period=request.period,
    )


def fee_for_contract(table: RateTable, contract: GuaranteeContract) -> FeeStatement:
    """The fee of a contract's current terms (reference: its contract number)."""
    v.require(contract, GuaranteeContract, "contract")
    return compute_fee(
        table,
        reference=contract.number,
        product=contract.product,
        amount=contract.amount,
        period=contract.period,
    )


def refund_on_release(
    table: RateTable, contract: GuaranteeContract, *, fee_paid: int, released_on: date
) -> RefundStatement:
    """The refund statement (返還計算書) for releasing ``contract`` on ``released_on``.

    Raises :class:`RuleViolationError` (``REFUND_NOT_ALLOWED``) when the table refunds nothing
    for the product, or (``RELEASE_AFTER_PERIOD_END``, ``STATUS_DATE_BEFORE_LAST_CHANGE``) for a
    date outside the period.
    """
    v.require(table, RateTable, "table")
    v.require(contract, GuaranteeContract, "contract")
    if type(released_on) is not date:
        raise InvalidInputError("released_on", "must be a date")
    if isinstance(fee_paid, bool) or not isinstance(fee_paid, int):
        raise InvalidInputError("fee_paid", "must be whole yen")
    if not 0 <= fee_paid <= v.MAX_YEN:
        raise InvalidInputError("fee_paid", f"must be between 0 and {v.MAX_YEN}")
    rate = table.rate_for(contract.product)
    period = contract.period
    found: list[Violation] = []
    if not rate.refundable:
        found.append(r.REFUND_NOT_ALLOWED.violation("product", contract.product))
    if released_on > period.end:
        found.append(r.RELEASE_AFTER_PERIOD_END.violation("released_on"))
    if released_on < max(contract.issued_on, contract.current.effective_on):
        found.append(r.STATUS_DATE_BEFORE_LAST_CHANGE.violation("released_on"))
    raise_if_any(found)
    unused = max(0, min((period.end - released_on).days, period.days))
    gross = table.rounding.apply(Fraction(fee_paid * unused, period.days), table.rounding_unit)
    gross = min(gross, fee_paid)
    refund = max(0, min(gross - rate.refund_deduction, fee_paid))
    return RefundStatement(
        reference=contract.number,
        product=contract.product,
        period=period,
        released_on=released_on,
        days=period.days,
        unused_days=unused,
        fee_paid=fee_paid,
        gross=gross,
        deduction=rate.refund_deduction,
        refund=refund,
        rate_table=table.name,
        rounding=table.rounding,
        rounding_unit=table.rounding_unit,
    )


def fee_on_amendment(
    table: RateTable, previous: GuaranteeContract, amended: GuaranteeContract, *, charged: int
) -> FeeAdjustment:
    """The additional fee (追加保証料) or refund (返還保証料) of amending ``previous`` into
    ``amended`` (the same contract, a later version), given the fee ``charged`` for the terms in
    force before (the total of its latest fee statement).

    The surety's rule (see docs/fees.md): the fee of the new terms is computed for their whole
    period. Higher than ``charged``: the difference is due in full. Lower: the difference is
    treated like a release of that part of the fee on the effective date, as
    :func:`refund_on_release` treats the whole fee: its share for the days after the effective
    date up to the previous period's end is returned, rounded as the table says, less the
    table's ``refund_deduction``, never below 0; nothing when the table does not refund the
    product. The fee kept never falls below the fee of the new terms (so never below the
    minimum fee).
    """
    v.require(table, RateTable, "table")
    v.require(previous, GuaranteeContract, "previous")
    v.require(amended, GuaranteeContract, "amended")
    if isinstance(charged, bool) or not isinstance(charged, int):
        raise InvalidInputError("charged", "must be whole yen")
    if not 0 <= charged <= v.MAX_YEN:
        raise InvalidInputError("charged", f"must be between 0 and {v.MAX_YEN}")
    if amended.number != previous.number or amended.product != previous.product:
        raise InvalidInputError("amended", "must be the same guarantee contract as previous")
    if amended.version <= previous.version:
        raise InvalidInputError("amended", "must be a later version than previous")
    rate = table.rate_for(amended.product)
    fee = fee_for_contract(table, amended)
    effective_on = amended.current.effective_on
    old = previous.period
    unused = max(0, min((old.end - effective_on).days, old.days))
    additional = max(0, fee.total - charged)
    decrease = max(0, charged - fee.total)
    gross = deduction = refund = 0
    if decrease and rate.refundable:
        gross = table.rounding.apply(Fraction(decrease * unused, old.days), table.rounding_unit)
        gross = min(gross, decrease)
        deduction = rate.refund_deduction
        refund = max(0, gross - deduction)
    return FeeAdjustment(
        reference=amended.number,
        product=amended.product,
        version=amended.version,
        effective_on=effective_on,
        reason=amended.current.reason,
        previous_period=old,
        charged=charged,
        fee=fee,
        unused_days=unused,
        refundable=rate.refundable,
        additional=additional,
        gross=gross,
        deduction=deduction,
        refund=refund,
    )


def sample_rate_table() -> RateTable:
    """A SAMPLE rate table for demos and tests. Its numbers are invented, not any surety's.

    Advance types: 0.30 % a year up to 10 M yen, 0.25 % to 100 M, 0.20 % above; contract
    guarantee: 0.10 % flat; minimum fee 1,000 yen; refunds allowed less 1,000 yen handling.
    """
    advance = (
        RateBand.from_basis_points(10_000_000, 30),
        RateBand.from_basis_points(100_000_000, 25),
        RateBand.from_basis_points(None, 20),
    )
    return RateTable(
        name="SAMPLE rate table (not for production)",
        rates=(
            ProductRate(ADVANCE_PAYMENT, advance, 1_000, refundable=True, refund_deduction=1_000),
            ProductRate(
                INTERMEDIATE_ADVANCE_PAYMENT,
                advance,
                1_000,
                refundable=True,
                refund_deduction=1_000,
            ),
            ProductRate(
                CONTRACT_GUARANTEE,
                (RateBand.from_basis_points(None, 10),),
                1_000,
                refundable=False,
            ),
        ),
        sample=True,
    )
