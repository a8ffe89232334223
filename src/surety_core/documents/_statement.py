"""The fee documents (private; see :mod:`surety_core.documents`).

Owns the three statements of the money of a guarantee, their data and their one-page A4 layout:

* 保証料計算書 — the fee of the terms (at issuance): :class:`FeeStatementData`;
* 追加保証料計算書 — the additional fee of an amendment: :class:`AdditionalFeeStatementData`;
* 返還計算書 — the refund of a release or of an amendment that lowered the fee:
  :class:`RefundStatementData`.

Each is addressed to the contractor (a company: 御中), names the works, the obligee and the
contract price, shows every step of the arithmetic a reader can redo (amount × annual rate ×
days/365 per band, the rounding stated), the due date and the payee account where money is due,
and the note that the fee is not subject to consumption tax. The surety's rate table is never
named (its name is internal). The layout is this module's own, so the other documents may change
without moving these.

Must not know: the store, the clock (the one-call functions take the day or use today in JST),
the services.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Any, Protocol

from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import ConfigurationError, InvalidInputError
from surety_core._japanese import format_era_date, format_period, format_yen
from surety_core.documents._data import JST, DocumentIdentity
from surety_core.documents._pdf import A4_HEIGHT, A4_WIDTH, PageWriter
from surety_core.domain._fees import (
    AdjustmentKind,
    DayCount,
    FeeAdjustment,
    RefundStatement,
    Rounding,
)
from surety_core.domain._model import Application, GuaranteeContract, Period, Surety, Works
from surety_core.domain._payments import FEE_TAX_NOTE, PayeeAccount
from surety_core.domain._products import PRODUCT_NAMES_JA

__all__ = [
    "ADDITIONAL_FEE_TITLE",
    "DEFAULT_PAYMENT_DAYS",
    "DEFAULT_REFUND_NOTE",
    "FEE_STATEMENT_TITLE",
    "REFUND_TITLE",
    "AdditionalFeeStatementData",
    "FeeDocumentSettings",
    "FeeLineLike",
    "FeeStatementData",
    "FeeStatementLike",
    "FeeStatementLine",
    "RefundEvent",
    "RefundStatementData",
    "additional_fee_data_from_adjustment",
    "build_additional_fee_statement_pdf",
    "build_fee_statement_pdf",
    "build_refund_statement_pdf",
    "fee_adjustment_pdf",
    "fee_statement_data_from_statement",
    "fee_statement_page",
    "fee_statement_pdf",
    "format_rate",
    "refund_data_from_adjustment",
    "refund_data_from_statement",
    "refund_statement_pdf",
    "rounding_text",
    "statement_page",
]

FEE_STATEMENT_TITLE = "保証料計算書"
ADDITIONAL_FEE_TITLE = "追加保証料計算書"
REFUND_TITLE = "返還計算書"
DEFAULT_PAYMENT_DAYS = 14
"""The due date (支払期日) is this many days after the issue date unless the host says."""
DEFAULT_REFUND_NOTE = "返還金は、ご指定の口座へお振込みいたします。"
"""How the refund reaches the contractor (printed on the refund statement unless replaced)."""


# --- the data -------------------------------------------------------------------------------


def _optional_text(max_length: int) -> Any:
    return v.optional(v.text(max_length))


def _band(instance: object, attribute: Any, value: Any) -> None:
    if value != "":
        v.text(30)(instance, attribute, value)


@frozen
class FeeStatementLine:
    """One line of a fee calculation: ``label`` (the arithmetic, e.g.
    ``10,000,000円 × 年0.30% × 365日/365``), its whole-yen ``amount`` and, optionally, the
    amount ``band`` it belongs to (e.g. ``1,000万円まで``)."""

    label: str = field(converter=v.strip_text, validator=v.text(60))
    amount: int = field(validator=v.non_negative_yen)
    band: str = field(default="", converter=v.strip_text, validator=_band)


def _payee(instance: object, attribute: Any, value: Any) -> None:
    if value is not None and not isinstance(value, PayeeAccount):
        raise InvalidInputError(v.field_name(instance, attribute), "must be a PayeeAccount")


@frozen(kw_only=True)
class _Heading:
    """What every fee document prints about the guarantee and the parties."""

    reference: str = field(validator=v.code)
    """The guarantee contract number (10 digits, 保証契約番号) or an application reference
    (申込番号) before the contract exists."""
    product_name: str = field(converter=v.strip_text, validator=v.text(40))
    principal_name: str = field(converter=v.strip_text, validator=v.text(60))
    """The addressee: the contractor."""
    works_name: str = field(converter=v.strip_text, validator=v.text(120))
    works_number: str = field(converter=v.strip_text, validator=v.text(64))
    obligee_name: str = field(converter=v.strip_text, validator=v.text(60))
    contract_price: int = field(validator=v.yen)
    surety_name: str = field(converter=v.strip_text, validator=v.text(60))
    issued_on: date = field(validator=v.a_date)
    service: bool = field(default=False, validator=v.instance_of(bool))
    """A service contract (業務委託): 業務名, 業務番号, 業務委託料 instead of 工事名, 工事番号,
    請負代金額."""
    addressee_suffix: str = field(default="御中", validator=v.text(4))
    """御中 for a company (the default); 様 for a person."""
    surety_branch: str | None = field(default=None, validator=_optional_text(80))
    surety_address: str | None = field(default=None, validator=_optional_text(200))
    surety_telephone: str | None = field(default=None, validator=_optional_text(40))
    tax_note: str = field(default=FEE_TAX_NOTE, converter=v.strip_text, validator=v.text(80))


@frozen(kw_only=True)
class FeeStatementData(_Heading):
    """Everything printed on the fee calculation statement (保証料計算書).

    ``lines`` are the calculation (one per amount band, plus a minimum-fee adjustment when the
    minimum raised the total); ``total`` is printed as given. ``due_on`` and ``payee`` say when
    and where to pay (``None``: the line is left out).
    """

    amount: int = field(validator=v.yen)
    """The guaranteed amount the fee is calculated on."""
    period: Period = field(validator=v.instance_of(Period))
    days: int = field(validator=v.positive_int)
    lines: tuple[FeeStatementLine, ...] = field(
        converter=v.to_tuple, validator=v.tuple_of(FeeStatementLine, min_length=1, max_length=12)
    )
    total: int = field(validator=v.non_negative_yen)
    rounding_text: str = field(converter=v.strip_text, validator=v.text(80))
    due_on: date | None = field(default=None, validator=v.optional_date)
    payee: PayeeAccount | None = field(default=None, validator=_payee)


@frozen(kw_only=True)
class AdditionalFeeStatementData(_Heading):
    """Everything printed on the additional fee statement (追加保証料計算書) of an amendment.

    ``lines`` compute the fee of the new terms (``fee_total``); ``charged`` is the fee of the
    terms charged before; ``additional = fee_total - charged`` when positive (else 0).
    """

    version: int = field(validator=v.positive_int)
    effective_on: date = field(validator=v.a_date)
    reason: str = field(converter=v.strip_text, validator=v.text(120))
    amount: int = field(validator=v.yen)
    period: Period = field(validator=v.instance_of(Period))
    days: int = field(validator=v.positive_int)
    lines: tuple[FeeStatementLine, ...] = field(
        converter=v.to_tuple, validator=v.tuple_of(FeeStatementLine, min_length=1, max_length=12)
    )
    fee_total: int = field(validator=v.non_negative_yen)
    charged: int = field(validator=v.non_negative_yen)
    additional: int = field(validator=v.non_negative_yen)
    rounding_text: str = field(converter=v.strip_text, validator=v.text(80))
    due_on: date | None = field(default=None, validator=v.optional_date)
    payee: PayeeAccount | None = field(default=None, validator=_payee)

    def __attrs_post_init__(self) -> None:
        if self.additional != max(0, self.fee_total - self.charged):
            raise InvalidInputError(
                "AdditionalFeeStatementData.additional", "must be fee_total - charged (or 0)"
            )


class RefundEvent(StrEnum):
    """What a refund statement refunds."""

    RELEASE = "release"
    """解約・返還: the unused share of the fee paid."""
    AMENDMENT = "amendment"
    """変更: the unused share of the fall of the fee."""


@frozen(kw_only=True)
class RefundStatementData(_Heading):
    """Everything printed on the refund statement (返還計算書).

    For a release, ``basis`` is the fee paid; for an amendment, ``charged - new_fee`` (the fall of
    the fee). ``gross = basis × unused_days / days`` rounded as ``rounding_text`` says;
    ``refund = max(0, gross - deduction)``; ``refundable`` False prints that the product's fee
    is not refunded (then ``gross`` and ``refund`` are 0).
    """

    event: RefundEvent = field(validator=v.enum_of(RefundEvent))
    event_on: date = field(validator=v.a_date)
    """The release date or the amendment's effective date."""
    amount: int = field(validator=v.yen)
    """The guaranteed amount of the terms before the event."""
    period: Period = field(validator=v.instance_of(Period))
    """The period of the terms before the event (the unused days are counted in it)."""
    days: int = field(validator=v.positive_int)
    unused_days: int = field(validator=v.non_negative_yen)
    charged: int = field(validator=v.non_negative_yen)
    basis: int = field(validator=v.non_negative_yen)
    gross: int = field(validator=v.non_negative_yen)
    deduction: int = field(validator=v.non_negative_yen)
    refund: int = field(validator=v.non_negative_yen)
    rounding_text: str = field(converter=v.strip_text, validator=v.text(80))
    refundable: bool = field(default=True, validator=v.instance_of(bool))
    version: int | None = field(default=None, validator=v.optional(v.positive_int))
    reason: str | None = field(default=None, validator=_optional_text(120))
    new_fee: int | None = field(default=None, validator=v.optional(v.non_negative_yen))
    note: str = field(default=DEFAULT_REFUND_NOTE, converter=v.strip_text, validator=v.text(80))

    def __attrs_post_init__(self) -> None:
        name = "RefundStatementData"
        if self.refund != max(0, self.gross - self.deduction):
            raise InvalidInputError(f"{name}.refund", "must be max(0, gross - deduction)")
        if self.unused_days > self.days:
            raise InvalidInputError(f"{name}.unused_days", "must not exceed days")
        if self.event is RefundEvent.AMENDMENT and (
            self.new_fee is None or self.basis != max(0, self.charged - self.new_fee)
        ):
            raise InvalidInputError(f"{name}.basis", "must be charged - new_fee for an amendment")
        if self.event is RefundEvent.RELEASE and self.basis != self.charged:
            raise InvalidInputError(f"{name}.basis", "must be the fee charged for a release")


@frozen
class FeeDocumentSettings:
    """How a surety (or a service) issues its fee documents: where fees are paid, by when.

    ``payee`` is printed as 振込先 where money is due (``None``: left out);
    the due date (支払期日) is the issue date + ``payment_days`` unless a call gives one;
    ``refund_note`` says how a refund is paid.
    """

    payee: PayeeAccount | None = field(default=None, validator=_payee)
    payment_days: int = field(default=DEFAULT_PAYMENT_DAYS, validator=v.non_negative_yen)
    refund_note: str = field(
        default=DEFAULT_REFUND_NOTE, converter=v.strip_text, validator=v.text(80)
    )

    def __attrs_post_init__(self) -> None:
        if self.payment_days > 366:
            raise InvalidInputError("FeeDocumentSettings.payment_days", "must be at most 366")

    def due(self, issued_on: date, due_on: date | None = None) -> date:
        """``due_on``, or the issue date + :attr:`payment_days`."""
        return issued_on + timedelta(days=self.payment_days) if due_on is None else due_on


# --- text helpers ---------------------------------------------------------------------------


def format_rate(rate: Fraction) -> str:
    """An annual rate as printed, with at least two decimals: ``Fraction(3, 1000)`` →
    ``"0.30%"``, ``Fraction(1, 800)`` → ``"0.125%"`` (at most 6 decimals, rounded)."""
    if not isinstance(rate, Fraction) or not 0 <= rate <= 1:
        raise InvalidInputError("rate", "must be a Fraction between 0 and 1")
    micro = round(rate * 100 * 10**6)
    whole, frac = divmod(micro, 10**6)
    digits = f"{frac:06d}".rstrip("0").ljust(2, "0")
    return f"{whole}.{digits}%"


_ROUNDING_WORDS = {Rounding.DOWN: "切り捨て", Rounding.UP: "切り上げ", Rounding.HALF_UP: "四捨五入"}


def rounding_text(rounding: Rounding, unit: int = 1, *, per_band: bool = True) -> str:
    """The rounding as a reader reads it: ``各段階ごとに1円未満切り捨て``."""
    where = "各段階ごとに" if per_band else ""
    return f"{where}{unit:,}円未満{_ROUNDING_WORDS[Rounding(rounding)]}"


def _short_yen(amount: int) -> str:
    """``10,000,000`` → ``1,000万円``, ``100,000,000`` → ``1億円`` (exact amounts only)."""
    if amount and amount % 100_000_000 == 0:
        return f"{amount // 100_000_000:,}億円"
    if amount and amount % 10_000 == 0:
        return f"{amount // 10_000:,}万円"
    return format_yen(amount)


def _band_text(band_from: int, band_to: int, last: bool) -> str:
    if band_from == 0:
        return f"{_short_yen(band_to)}まで" if not last else "全額"
    if last:
        return f"{_short_yen(band_from)}超"
    return f"{_short_yen(band_from)}超{_short_yen(band_to)}まで"


# --- from the domain ------------------------------------------------------------------------


class FeeLineLike(Protocol):
    """One band of a fee calculation (the fields of ``surety_core.FeeLine``)."""

    @property
    def band_from(self) -> int: ...
    @property
    def band_to(self) -> int: ...
    @property
    def portion(self) -> int: ...
    @property
    def annual_rate(self) -> Fraction: ...
    @property
    def fee(self) -> int: ...


class FeeStatementLike(Protocol):
    """The fields of a computed fee statement (``surety_core.FeeStatement`` from the rules)."""

    @property
    def reference(self) -> str: ...
    @property
    def product(self) -> str: ...
    @property
    def amount(self) -> int: ...
    @property
    def period(self) -> Period: ...
    @property
    def days(self) -> int: ...
    @property
    def day_count(self) -> DayCount: ...
    @property
    def rounding(self) -> Rounding: ...
    @property
    def rounding_unit(self) -> int: ...
    @property
    def lines(self) -> Sequence[FeeLineLike]: ...
    @property
    def subtotal(self) -> int: ...
    @property
    def minimum_fee(self) -> int: ...
    @property
    def total(self) -> int: ...


def _product_name(code: str, names: Mapping[str, str]) -> str:
    try:
        return names[code]
    except KeyError:
        raise ConfigurationError(f"no Japanese name for product {code!r}") from None


def _calculation(statement: FeeStatementLike) -> tuple[FeeStatementLine, ...]:
    """One line per band (portion × annual rate × days/basis = fee) and the minimum-fee line."""
    basis = DayCount(statement.day_count).basis
    count = len(statement.lines)
    lines = [
        FeeStatementLine(
            f"{format_yen(line.portion)} × 年{format_rate(line.annual_rate)} × "
            f"{statement.days}日/{basis}",
            line.fee,
            band=_band_text(line.band_from, line.band_to, i == count - 1 and count > 1)
            if count > 1
            else "",
        )
        for i, line in enumerate(statement.lines)
    ]
    if statement.total > statement.subtotal:
        lines.append(
            FeeStatementLine(
                f"最低保証料 {format_yen(statement.minimum_fee)} に満たない額",
                statement.total - statement.subtotal,
            )
        )
    return tuple(lines)


def _heading(
    reference: str,
    product: str,
    source: GuaranteeContract | Application,
    surety: Surety | None,
    issued_on: date,
    names: Mapping[str, str],
) -> dict[str, Any]:
    if isinstance(source, GuaranteeContract):
        works: Works = source.works
        chosen = source.surety if surety is None else surety
    elif isinstance(source, Application):
        works = source.works
        if surety is None:
            raise InvalidInputError("surety", "is needed for a statement of an application")
        chosen = surety
    else:
        raise InvalidInputError(
            "source", f"must be a GuaranteeContract or an Application, not {type(source).__name__}"
        )
    if not isinstance(chosen, Surety):
        raise InvalidInputError("surety", "must be a Surety")
    return {
        "reference": reference,
        "product_name": _product_name(product, names),
        "principal_name": source.principal.display_name,
        "addressee_suffix": "様" if source.principal.is_sole_proprietor else "御中",
        "works_name": works.name,
        "works_number": works.number,
        "obligee_name": works.obligee.name,
        "contract_price": works.contract_price,
        "service": works.kind.is_service,
        "surety_name": chosen.name,
        "surety_branch": chosen.branch,
        "surety_address": chosen.address,
        "surety_telephone": chosen.telephone,
        "issued_on": issued_on,
    }


def _today() -> date:
    return datetime.now(JST).date()


def _settings(settings: FeeDocumentSettings | None) -> FeeDocumentSettings:
    if settings is None:
        return FeeDocumentSettings()
    if not isinstance(settings, FeeDocumentSettings):
        raise InvalidInputError("settings", "must be FeeDocumentSettings")
    return settings


def fee_statement_data_from_statement(
    statement: FeeStatementLike,
    source: GuaranteeContract | Application,
    *,
    issued_on: date,
    surety: Surety | None = None,
    settings: FeeDocumentSettings | None = None,
    due_on: date | None = None,
    product_names: Mapping[str, str] = PRODUCT_NAMES_JA,
) -> FeeStatementData:
    """What the fee statement PDF prints for a computed fee statement of ``source`` (the
    contract, or the application before issuance: then give the ``surety``).

    One line per rate band (``10,000,000円 × 年0.30% × 365日/365``) plus a minimum-fee line
    when the minimum raised the total, so the lines add up to it; the rounding as the table
    says; due ``due_on`` (default: the issue date + ``settings.payment_days``) to
    ``settings.payee``.
    """
    chosen = _settings(settings)
    try:
        return FeeStatementData(
            **_heading(
                statement.reference,
                statement.product,
                source,
                surety,
                issued_on,
                product_names,
            ),
            amount=statement.amount,
            period=statement.period,
            days=statement.days,
            lines=_calculation(statement),
            total=statement.total,
            rounding_text=rounding_text(statement.rounding, statement.rounding_unit),
            due_on=chosen.due(issued_on, due_on),
            payee=chosen.payee,
        )
    except AttributeError as exc:
        raise InvalidInputError("statement", f"is not a fee statement ({exc.name})") from None


def additional_fee_data_from_adjustment(
    adjustment: FeeAdjustment,
    contract: GuaranteeContract,
    *,
    issued_on: date,
    settings: FeeDocumentSettings | None = None,
    due_on: date | None = None,
    product_names: Mapping[str, str] = PRODUCT_NAMES_JA,
) -> AdditionalFeeStatementData:
    """What the additional fee statement (追加保証料計算書) prints for an amendment's
    ``adjustment`` of ``contract`` (the contract as amended)."""
    v.require(adjustment, FeeAdjustment, "adjustment")
    if adjustment.kind is AdjustmentKind.REFUND:
        raise InvalidInputError("adjustment", "lowered the fee: its statement is the refund one")
    chosen = _settings(settings)
    fee = adjustment.fee
    due = adjustment.additional > 0
    return AdditionalFeeStatementData(
        **_heading(
            adjustment.reference, adjustment.product, contract, None, issued_on, product_names
        ),
        version=adjustment.version,
        effective_on=adjustment.effective_on,
        reason=adjustment.reason[:120],
        amount=fee.amount,
        period=fee.period,
        days=fee.days,
        lines=_calculation(fee),
        fee_total=fee.total,
        charged=adjustment.charged,
        additional=adjustment.additional,
        rounding_text=rounding_text(fee.rounding, fee.rounding_unit),
        due_on=chosen.due(issued_on, due_on) if due else None,
        payee=chosen.payee if due else None,
    )


def _refund_rounding(rounding: Rounding, unit: int) -> str:
    return rounding_text(rounding, unit, per_band=False)


def refund_data_from_adjustment(
    adjustment: FeeAdjustment,
    contract: GuaranteeContract,
    *,
    issued_on: date,
    settings: FeeDocumentSettings | None = None,
    product_names: Mapping[str, str] = PRODUCT_NAMES_JA,
) -> RefundStatementData:
    """What the refund statement (返還計算書) prints for an amendment that lowered the fee."""
    v.require(adjustment, FeeAdjustment, "adjustment")
    if adjustment.kind is not AdjustmentKind.REFUND:
        raise InvalidInputError("adjustment", "did not lower the fee: nothing is refunded")
    chosen = _settings(settings)
    previous = adjustment.previous_period
    return RefundStatementData(
        **_heading(
            adjustment.reference, adjustment.product, contract, None, issued_on, product_names
        ),
        event=RefundEvent.AMENDMENT,
        event_on=adjustment.effective_on,
        amount=_previous_amount(contract, adjustment.version),
        period=previous,
        days=previous.days,
        unused_days=adjustment.unused_days,
        charged=adjustment.charged,
        basis=adjustment.decrease,
        gross=adjustment.gross,
        deduction=adjustment.deduction,
        refund=adjustment.refund,
        rounding_text=_refund_rounding(adjustment.fee.rounding, adjustment.fee.rounding_unit),
        refundable=adjustment.refundable,
        version=adjustment.version,
        reason=adjustment.reason[:120],
        new_fee=adjustment.fee.total,
        note=chosen.refund_note,
    )


def _previous_amount(contract: GuaranteeContract, version: int) -> int:
    for found in contract.versions:
        if found.number == version - 1:
            return found.amount
    raise InvalidInputError("contract", f"has no version {version - 1} before the amendment")


def refund_data_from_statement(
    refund: RefundStatement,
    contract: GuaranteeContract,
    *,
    issued_on: date,
    settings: FeeDocumentSettings | None = None,
    product_names: Mapping[str, str] = PRODUCT_NAMES_JA,
) -> RefundStatementData:
    """What the refund statement (返還計算書) prints for the refund of a release
    (``refund_on_release``, ``ReleaseResult.refund``)."""
    v.require(refund, RefundStatement, "refund")
    chosen = _settings(settings)
    return RefundStatementData(
        **_heading(refund.reference, refund.product, contract, None, issued_on, product_names),
        event=RefundEvent.RELEASE,
        event_on=refund.released_on,
        amount=contract.amount,
        period=refund.period,
        days=refund.days,
        unused_days=refund.unused_days,
        charged=refund.fee_paid,
        basis=refund.fee_paid,
        gross=refund.gross,
        deduction=refund.deduction,
        refund=refund.refund,
        rounding_text=_refund_rounding(refund.rounding, refund.rounding_unit),
        note=chosen.refund_note,
    )


# --- the layout -----------------------------------------------------------------------------

_LEFT = 56.0
_RIGHT = A4_WIDTH - 56.0
_WIDTH = _RIGHT - _LEFT
_BODY = 10.0
_SMALL = 9.0
_ROW = 20.0
_LABEL_W = 104.0
_BOTTOM = 48.0


def _fit(text: str, width: float, size: float) -> float:
    natural = PageWriter.text_width(text, size)
    return size if natural <= width else size * width / natural


def _room(y: float) -> None:
    if y < _BOTTOM:
        raise InvalidInputError("data", "too much text to fit on one A4 page")


def _wrap(text: str, width: float, size: float) -> list[str]:
    if PageWriter.text_width(text, size) <= width:
        return [text]
    lines: list[str] = []
    current = ""
    for char in text:
        if current and PageWriter.text_width(current + char, size) > width:
            lines.append(current)
            current = ""
        current += char
    lines.append(current)
    return lines


def _label_rows(page: PageWriter, top: float, rows: Sequence[tuple[str, str, str]]) -> float:
    """Label/value rows in a ruled box from ``top`` down; returns the bottom."""
    value_x = _LEFT + _LABEL_W + 8
    value_w = _RIGHT - value_x - 6
    y = top
    page.line(_LEFT, y, _RIGHT, y, width=0.8)
    for label, value, name in rows:
        wrapped = _wrap(value, value_w, _BODY)
        height = _ROW + (len(wrapped) - 1) * 13
        page.rect(_LEFT, y - height, _LABEL_W, height, width=0.4, fill_gray=0.94)
        page.text(_LEFT + 6, y - 14, label, size=_fit(label, _LABEL_W - 10, _BODY), field=name)
        for i, part in enumerate(wrapped):
            page.text(value_x, y - 14 - i * 13, part, size=_BODY, field=name)
        y -= height
        _room(y)
        page.line(_LEFT, y, _RIGHT, y, width=0.4)
    page.rect(_LEFT, y, _WIDTH, top - y, width=0.8)
    return y


def _amount_rows(
    page: PageWriter,
    top: float,
    rows: Sequence[tuple[str, str, str, str]],
    *,
    with_band: bool,
) -> float:
    """The calculation: (band, arithmetic, amount, field) rows with the amounts right-aligned."""
    band_w = 112.0 if with_band else 0.0
    amount_w = 96.0
    text_x = _LEFT + band_w + 6
    text_w = _RIGHT - amount_w - text_x - 6
    y = top
    page.line(_LEFT, y, _RIGHT, y, width=0.8)
    for band, label, amount, name in rows:
        base = y - 14
        # A trailing space (a gap, not a glyph) keeps the columns apart in extracted text:
        # readers of the text layer see "… 365日/365 30,000円", never "36530,000円".
        if with_band and band:
            page.text(_LEFT + 6, base, f"{band} ", size=_fit(band, band_w - 10, _BODY), field=name)
        page.text(text_x, base, f"{label} ", size=_fit(label, text_w, _BODY), field=name)
        page.text(_RIGHT - 6, base, amount, size=_BODY, align="right", field=name)
        y -= _ROW
        _room(y)
        page.line(_LEFT, y, _RIGHT, y, width=0.4)
    if with_band:
        page.line(_LEFT + band_w, top, _LEFT + band_w, y, width=0.4)
    page.line(_RIGHT - amount_w, top, _RIGHT - amount_w, y, width=0.4)
    page.rect(_LEFT, y, _WIDTH, top - y, width=0.8)
    return y


def _total_row(page: PageWriter, top: float, label: str, amount: int) -> float:
    page.rect(_LEFT, top - 26, _WIDTH, 26, width=1.2, fill_gray=0.9)
    page.text(_LEFT + 8, top - 18, label, size=12, field="total")
    page.text(_RIGHT - 6, top - 18, format_yen(amount), size=13, align="right", field="total")
    _room(top - 26)
    return top - 26


def _top(page: PageWriter, title: str, data: _Heading, intro: str) -> float:
    """Issue date, title, addressee, sender block, the opening sentence and 記; returns y."""
    page.text(
        _RIGHT,
        A4_HEIGHT - 52,
        f"発行日 {format_era_date(data.issued_on)}",
        size=_BODY,
        align="right",
        field="issued_on",
    )
    page.text(A4_WIDTH / 2, A4_HEIGHT - 92, title, size=18, align="center", field="title")
    page.line(A4_WIDTH / 2 - 90, A4_HEIGHT - 99, A4_WIDTH / 2 + 90, A4_HEIGHT - 99, width=0.8)
    addressee = f"{data.principal_name} {data.addressee_suffix}"
    page.text(
        _LEFT,
        A4_HEIGHT - 132,
        addressee,
        size=_fit(addressee, _WIDTH / 2, 13),
        field="principal_name",
    )
    page.line(_LEFT, A4_HEIGHT - 136, _LEFT + _WIDTH / 2, A4_HEIGHT - 136, width=0.4)
    sender = [data.surety_name]
    sender += [s for s in (data.surety_branch, data.surety_address) if s]
    if data.surety_telephone:
        sender.append(f"電話 {data.surety_telephone}")
    y = A4_HEIGHT - 150
    for i, line in enumerate(sender):
        size = 11.0 if i == 0 else _SMALL
        page.text(
            _RIGHT, y, line, size=_fit(line, _WIDTH / 2 - 10, size), align="right", field="surety"
        )
        y -= 14
    y -= 8
    for part in _wrap(intro, _WIDTH, _BODY):
        page.text(_LEFT, y, part, size=_BODY)
        y -= 15
    page.text(A4_WIDTH / 2, y - 6, "記", size=12, align="center")
    return y - 18


_INTRO_FEE = "下記のとおり保証料を計算いたしましたので、お知らせいたします。"
_INTRO_ADDITIONAL = (
    "保証契約の変更に伴う保証料を下記のとおり計算いたしましたので、お知らせいたします。"
)
_INTRO_REFUND = "に伴い返還する保証料を下記のとおり計算いたしましたので、お知らせいたします。"


def _period_text(period: Period, days: int) -> str:
    return f"{format_period(period.start, period.end, era=True)}（{days}日）"


def _terms_rows(data: _Heading) -> list[tuple[str, str, str]]:
    label = "保証契約番号" if len(data.reference) == 10 and data.reference.isdigit() else "申込番号"
    works, number, price = (
        ("業務名", "業務番号", "業務委託料")
        if data.service
        else ("工事名", "工事番号", "請負代金額")
    )
    return [
        (label, data.reference, "reference"),
        ("保証の種類", data.product_name, "product_name"),
        (works, data.works_name, "works_name"),
        (number, data.works_number, "works_number"),
        ("発注者", data.obligee_name, "obligee_name"),
        (price, format_yen(data.contract_price), "contract_price"),
    ]


def _payment_box(
    page: PageWriter, top: float, due_on: date | None, payee: PayeeAccount | None
) -> float:
    rows: list[tuple[str, str, str]] = []
    if due_on is not None:
        rows.append(("支払期日", format_era_date(due_on), "due_on"))
    if payee is not None:
        bank = (
            payee.bank_name
            if payee.bank_code is None
            else f"{payee.bank_name}（{payee.bank_code}）"
        )
        branch = (
            payee.branch_name
            if payee.branch_code is None
            else f"{payee.branch_name}（{payee.branch_code}）"
        )
        rows.append(("振込先", f"{bank} {branch}", "payee"))
        rows.append(("口座", f"{payee.account_type.label_ja} {payee.number}", "payee"))
        rows.append(("口座名義", payee.holder, "payee"))
    if not rows:
        return top
    return _label_rows(page, top, rows)


def _notes(page: PageWriter, top: float, notes: Sequence[str]) -> float:
    y = top
    for note in notes:
        for part in _wrap(f"※ {note}", _WIDTH, _SMALL):
            y -= 13
            _room(y)
            page.text(_LEFT, y, part, size=_SMALL, field="notes")
    return y


def _end(page: PageWriter, y: float) -> None:
    _room(y - 18)
    page.text(_RIGHT, y - 18, "以上", size=_BODY, align="right")


def _fee_lines(lines: Sequence[FeeStatementLine]) -> list[tuple[str, str, str, str]]:
    return [
        (line.band, line.label, format_yen(line.amount), f"lines[{i}]")
        for i, line in enumerate(lines)
    ]


def fee_statement_page(data: FeeStatementData) -> PageWriter:
    """The drawing of a fee calculation statement (保証料計算書)."""
    if not isinstance(data, FeeStatementData):
        raise InvalidInputError("data", f"must be a FeeStatementData, not {type(data).__name__}")
    page = PageWriter()
    y = _top(
        page,
        FEE_STATEMENT_TITLE,
        data,
        "下記のとおり保証料を計算いたしましたので、お知らせいたします。",
    )
    y = _label_rows(
        page,
        y,
        [
            *_terms_rows(data),
            ("保証金額", format_yen(data.amount), "amount"),
            (
                "保証期間",
                _period_text(data.period, data.days),
                "period",
            ),
        ],
    )
    y -= 22
    page.text(_LEFT, y, "保証料の計算", size=11.5)
    y = _amount_rows(
        page, y - 8, _fee_lines(data.lines), with_band=any(ln.band for ln in data.lines)
    )
    y = _total_row(page, y, "保証料", data.total)
    y = _notes(page, y - 2, [f"端数処理：{data.rounding_text}", data.tax_note])
    if data.due_on is not None or data.payee is not None:
        y -= 24
        page.text(_LEFT, y, "お支払い", size=11.5)
        y = _payment_box(page, y - 8, data.due_on, data.payee)
    _end(page, y)
    return page


def statement_page(
    data: FeeStatementData | AdditionalFeeStatementData | RefundStatementData,
) -> PageWriter:
    """The drawing of any of the three fee documents."""
    if isinstance(data, FeeStatementData):
        return fee_statement_page(data)
    if isinstance(data, AdditionalFeeStatementData):
        return _additional_page(data)
    if isinstance(data, RefundStatementData):
        return _refund_page(data)
    raise InvalidInputError("data", f"is not fee statement data ({type(data).__name__})")


def _change_rows(version: int, effective_on: date, reason: str) -> list[tuple[str, str, str]]:
    return [
        ("変更", f"第{version}版（{format_era_date(effective_on)}から）", "version"),
        ("変更の理由", reason, "reason"),
    ]


def _additional_page(data: AdditionalFeeStatementData) -> PageWriter:
    page = PageWriter()
    y = _top(
        page,
        ADDITIONAL_FEE_TITLE,
        data,
        _INTRO_ADDITIONAL,
    )
    y = _label_rows(
        page,
        y,
        [
            *_terms_rows(data),
            *_change_rows(data.version, data.effective_on, data.reason),
            ("変更後の保証金額", format_yen(data.amount), "amount"),
            (
                "変更後の保証期間",
                _period_text(data.period, data.days),
                "period",
            ),
        ],
    )
    y -= 22
    page.text(_LEFT, y, "変更後の条件による保証料", size=11.5)
    rows = _fee_lines(data.lines)
    rows.append(("", "変更後の条件による保証料（合計）", format_yen(data.fee_total), "fee_total"))
    rows.append(("", "お払込み済みの保証料（変更前の条件）", format_yen(data.charged), "charged"))
    y = _amount_rows(page, y - 8, rows, with_band=any(ln.band for ln in data.lines))
    y = _total_row(page, y, "追加保証料", data.additional)
    notes = [f"端数処理：{data.rounding_text}"]
    if data.additional == 0:
        notes.append(
            "変更後の条件による保証料は、お払込み済みの保証料を超えないため、追加保証料はありません。"
        )
    notes.append(data.tax_note)
    y = _notes(page, y - 2, notes)
    if data.due_on is not None or data.payee is not None:
        y -= 24
        page.text(_LEFT, y, "お支払い", size=11.5)
        y = _payment_box(page, y - 8, data.due_on, data.payee)
    _end(page, y)
    return page


def _refund_page(data: RefundStatementData) -> PageWriter:
    page = PageWriter()
    amendment = data.event is RefundEvent.AMENDMENT
    event = "変更" if amendment else "解約"
    y = _top(page, REFUND_TITLE, data, f"保証契約の{event}{_INTRO_REFUND}")
    period = _period_text(data.period, data.days)
    rows = _terms_rows(data)
    if amendment:
        rows += _change_rows(data.version or 1, data.event_on, data.reason or "")
        rows += [
            ("変更前の保証金額", format_yen(data.amount), "amount"),
            ("変更前の保証期間", period, "period"),
        ]
    else:
        rows += [
            ("保証金額", format_yen(data.amount), "amount"),
            ("保証期間", period, "period"),
            ("解約日", format_era_date(data.event_on), "event_on"),
        ]
    y = _label_rows(page, y, rows)
    y -= 22
    page.text(_LEFT, y, "返還額の計算", size=11.5)
    calc: list[tuple[str, str, str, str]] = [
        ("", "お払込み済みの保証料", format_yen(data.charged), "charged"),
    ]
    if amendment and data.new_fee is not None:
        calc.append(("", "変更後の条件による保証料", format_yen(data.new_fee), "new_fee"))
        calc.append(("", "保証料の減少額", format_yen(data.basis), "basis"))
    if data.refundable:
        calc.append(
            (
                "",
                f"未経過分 {format_yen(data.basis)} × {data.unused_days}日/{data.days}日",
                format_yen(data.gross),
                "gross",
            )
        )
        calc.append(("", "事務手数料", f"−{format_yen(data.deduction)}", "deduction"))
    y = _amount_rows(page, y - 8, calc, with_band=False)
    y = _total_row(page, y, "返還額", data.refund)
    notes: list[str] = []
    if data.refundable:
        notes.append(f"未経過日数は、{event}日の翌日から保証期間の末日までの日数です。")
        notes.append(f"端数処理：{data.rounding_text}")
        if data.refund:
            notes.append(data.note)
        else:
            notes.append("未経過分が事務手数料以下のため、返還額はありません。")
    else:
        notes.append("この保証の種類の保証料は返還の対象となりません。")
    notes.append(data.tax_note)
    y = _notes(page, y - 2, notes)
    _end(page, y)
    return page


# --- building -------------------------------------------------------------------------------


def _write(
    page: PageWriter,
    title: str,
    data: _Heading,
    kind: str,
    identity: DocumentIdentity | None,
    extra: str = "",
) -> bytes:
    ident = identity or DocumentIdentity.derive(f"{kind}:{data.reference}{extra}", data.issued_on)
    return page.write(
        document_id=ident.document_id,
        created_at=ident.created_at,
        title=f"{title} {data.reference}",
        subject=data.product_name,
        author=data.surety_name,
    )


def build_fee_statement_pdf(
    data: FeeStatementData, identity: DocumentIdentity | None = None
) -> bytes:
    """The fee calculation statement (保証料計算書) as a one-page A4 PDF."""
    return _write(fee_statement_page(data), FEE_STATEMENT_TITLE, data, "fee-statement", identity)


def build_additional_fee_statement_pdf(
    data: AdditionalFeeStatementData, identity: DocumentIdentity | None = None
) -> bytes:
    """The additional fee statement (追加保証料計算書) of an amendment as a one-page A4 PDF."""
    if not isinstance(data, AdditionalFeeStatementData):
        raise InvalidInputError("data", "must be AdditionalFeeStatementData")
    return _write(
        _additional_page(data),
        ADDITIONAL_FEE_TITLE,
        data,
        "additional-fee",
        identity,
        f":{data.version}",
    )


def build_refund_statement_pdf(
    data: RefundStatementData, identity: DocumentIdentity | None = None
) -> bytes:
    """The refund statement (返還計算書) as a one-page A4 PDF."""
    if not isinstance(data, RefundStatementData):
        raise InvalidInputError("data", "must be RefundStatementData")
    extra = f":{data.event.value}:{data.version or 0}"
    return _write(_refund_page(data), REFUND_TITLE, data, "refund", identity, extra)


def _contract(contract: Any) -> GuaranteeContract:
    if not isinstance(contract, GuaranteeContract):
        raise InvalidInputError("contract", "must be a GuaranteeContract")
    return contract


def fee_statement_pdf(
    contract: GuaranteeContract,
    statement: FeeStatementLike,
    *,
    issued_on: date | None = None,
    settings: FeeDocumentSettings | None = None,
    due_on: date | None = None,
    product_names: Mapping[str, str] = PRODUCT_NAMES_JA,
    identity: DocumentIdentity | None = None,
) -> bytes:
    """The fee statement PDF in one call, for ``statement`` (``IssuedGuarantee.fee``) of
    ``contract``: issued on ``issued_on`` (default: today in JST), due and paid as ``settings``
    say (payee account, days to pay) unless ``due_on`` is given."""
    day = _today() if issued_on is None else issued_on
    data = fee_statement_data_from_statement(
        statement,
        _contract(contract),
        issued_on=day,
        settings=settings,
        due_on=due_on,
        product_names=product_names,
    )
    return build_fee_statement_pdf(data, identity)


def fee_adjustment_pdf(
    contract: GuaranteeContract,
    adjustment: FeeAdjustment,
    *,
    issued_on: date | None = None,
    settings: FeeDocumentSettings | None = None,
    due_on: date | None = None,
    product_names: Mapping[str, str] = PRODUCT_NAMES_JA,
    identity: DocumentIdentity | None = None,
) -> bytes:
    """The statement of an amendment's fee in one call (``AmendmentResult.adjustment`` of the
    amended ``contract``): the additional fee statement (追加保証料計算書) when the fee rose or
    stayed, the refund statement (返還計算書) when it fell."""
    day = _today() if issued_on is None else issued_on
    v.require(adjustment, FeeAdjustment, "adjustment")
    if adjustment.kind is AdjustmentKind.REFUND:
        refund = refund_data_from_adjustment(
            adjustment,
            _contract(contract),
            issued_on=day,
            settings=settings,
            product_names=product_names,
        )
        return build_refund_statement_pdf(refund, identity)
    data = additional_fee_data_from_adjustment(
        adjustment,
        _contract(contract),
        issued_on=day,
        settings=settings,
        due_on=due_on,
        product_names=product_names,
    )
    return build_additional_fee_statement_pdf(data, identity)


def refund_statement_pdf(
    contract: GuaranteeContract,
    refund: RefundStatement,
    *,
    issued_on: date | None = None,
    settings: FeeDocumentSettings | None = None,
    product_names: Mapping[str, str] = PRODUCT_NAMES_JA,
    identity: DocumentIdentity | None = None,
) -> bytes:
    """The refund statement (返還計算書) of a release in one call (``ReleaseResult.refund`` of
    the released ``contract``)."""
    day = _today() if issued_on is None else issued_on
    data = refund_data_from_statement(
        refund,
        _contract(contract),
        issued_on=day,
        settings=settings,
        product_names=product_names,
    )
    return build_refund_statement_pdf(data, identity)
