"""The fee documents (private; see :mod:`surety_core.documents`): the fee calculation statement
(保証料計算書), its data and its builders, from prepared data or from a computed statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from fractions import Fraction
from typing import Protocol

from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import InvalidInputError
from surety_core._japanese import format_era_date, format_percent, format_period, format_yen
from surety_core.documents._data import JST, DocumentIdentity
from surety_core.documents._from_model import _product_name
from surety_core.documents._pdf import PageWriter
from surety_core.documents._render import (
    _BODY,
    _LEFT,
    _RIGHT,
    _ROW,
    _WIDTH,
    _fit,
    _header,
    _room,
    _rows,
)
from surety_core.domain._model import GuaranteeContract, Period
from surety_core.domain._products import PRODUCT_NAMES_JA

__all__ = [
    "FeeLineLike",
    "FeeStatementData",
    "FeeStatementLike",
    "FeeStatementLine",
    "build_fee_statement_pdf",
    "fee_statement_data_from_statement",
    "fee_statement_page",
    "fee_statement_pdf",
]

FEE_STATEMENT_TITLE = "保証料計算書"


@frozen
class FeeStatementLine:
    """One line of the fee calculation: a label and a whole-yen amount (may be zero)."""

    label: str = field(converter=v.strip_text, validator=v.text(40))
    amount: int = field(validator=v.non_negative_yen)


@frozen
class FeeStatementData:
    """Everything printed on the fee calculation statement (保証料計算書).

    ``reference`` is the guarantee contract number (10 digits, printed as 保証契約番号) or, before
    the contract exists, the application reference (printed as 申込番号). ``total`` is printed
    as given (a minimum fee may make it differ from the sum of ``lines``).
    """

    reference: str = field(validator=v.code)
    product_name: str = field(converter=v.strip_text, validator=v.text(40))
    principal_name: str = field(converter=v.strip_text, validator=v.text(60))
    works_name: str = field(converter=v.strip_text, validator=v.text(120))
    surety_name: str = field(converter=v.strip_text, validator=v.text(60))
    amount: int = field(validator=v.yen)
    """The guaranteed amount the fee is calculated on."""
    lines: tuple[FeeStatementLine, ...] = field(
        converter=v.to_tuple, validator=v.tuple_of(FeeStatementLine, min_length=1, max_length=20)
    )
    total: int = field(validator=v.non_negative_yen)
    period: Period = field(validator=v.instance_of(Period))
    days: int = field(validator=v.positive_int)
    rate_text: str = field(converter=v.strip_text, validator=v.text(80))
    issued_on: date = field(validator=v.a_date)


def _reference_label(reference: str) -> str:
    return "保証契約番号" if len(reference) == 10 and reference.isdigit() else "申込番号"


def fee_statement_page(data: FeeStatementData) -> PageWriter:
    """The drawing of a fee calculation statement."""
    if not isinstance(data, FeeStatementData):
        raise InvalidInputError("data", f"must be a FeeStatementData, not {type(data).__name__}")
    page = PageWriter()
    y = _header(page, FEE_STATEMENT_TITLE, "発行日", format_era_date(data.issued_on))
    addressee = f"{data.principal_name} 様"
    page.text(_LEFT, y - 36, addressee, size=_fit(addressee, _WIDTH, 13), field="principal_name")
    bottom = _rows(
        page,
        y - 56,
        [
            (_reference_label(data.reference), data.reference, "reference"),
            ("保証の種類", data.product_name, "product_name"),
            ("工事名", data.works_name, "works_name"),
            ("保証金額", format_yen(data.amount), "amount"),
            ("保証期間", format_period(data.period.start, data.period.end), "period"),
            ("日数", f"{data.days}日", "days"),
            ("料率", data.rate_text, "rate_text"),
        ],
    )
    y = bottom - 30
    page.text(_LEFT, y, "計算の内訳", size=12)
    y -= 10
    table_top = y
    for i, line in enumerate(data.lines):
        base = y - 16
        label_size = _fit(line.label, _WIDTH - 150, _BODY)
        page.text(_LEFT + 8, base, line.label, size=label_size, field=f"lines[{i}].label")
        page.text(_RIGHT - 8, base, format_yen(line.amount), size=_BODY, align="right")
        y -= _ROW
        _room(y)
        page.line(_LEFT, y, _RIGHT, y, width=0.4)
    page.rect(_LEFT, y, _RIGHT - _LEFT, table_top - y, width=0.8)
    page.rect(_LEFT, y - _ROW, _RIGHT - _LEFT, _ROW, width=0.8, fill_gray=0.93)
    page.text(_LEFT + 8, y - 16, "保証料合計", size=12)
    page.text(_RIGHT - 8, y - 16, format_yen(data.total), size=12, align="right")
    _room(y - _ROW - 30)
    surety = f"保証会社 {data.surety_name}"
    page.text(_LEFT, y - _ROW - 30, surety, size=_fit(surety, _WIDTH, _BODY), field="surety_name")
    return page


def build_fee_statement_pdf(
    data: FeeStatementData, identity: DocumentIdentity | None = None
) -> bytes:
    """The fee calculation statement (保証料計算書) as a one-page A4 PDF."""
    page = fee_statement_page(data)
    ident = identity or DocumentIdentity.derive(f"fee-statement:{data.reference}", data.issued_on)
    return page.write(
        document_id=ident.document_id,
        created_at=ident.created_at,
        title=f"{FEE_STATEMENT_TITLE} {data.reference}",
        subject=data.product_name,
        author=data.surety_name,
    )


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
    def lines(self) -> Sequence[FeeLineLike]: ...
    @property
    def subtotal(self) -> int: ...
    @property
    def minimum_fee(self) -> int: ...
    @property
    def total(self) -> int: ...
    @property
    def rate_table(self) -> str: ...


def fee_statement_data_from_statement(
    statement: FeeStatementLike,
    *,
    principal_name: str,
    works_name: str,
    surety_name: str,
    issued_on: date,
    product_names: Mapping[str, str] = PRODUCT_NAMES_JA,
) -> FeeStatementData:
    """What the fee statement PDF prints for a computed fee statement.

    One line per band (``1億円まで 年0.25%``-style labels: the band's portion and rate), plus a
    minimum-fee adjustment line when the minimum raised the total, so the lines add up to it.
    """
    try:
        lines = [
            FeeStatementLine(
                f"{format_yen(line.portion)} × 年{format_percent(line.annual_rate)}",
                line.fee,
            )
            for line in statement.lines
        ]
        if statement.total > statement.subtotal:
            lines.append(
                FeeStatementLine("最低保証料までの調整", statement.total - statement.subtotal)
            )
        return FeeStatementData(
            reference=statement.reference,
            product_name=_product_name(statement.product, product_names),
            principal_name=principal_name,
            works_name=works_name,
            surety_name=surety_name,
            amount=statement.amount,
            lines=tuple(lines),
            total=statement.total,
            period=statement.period,
            days=statement.days,
            rate_text=f"{statement.rate_table}（日割 {statement.days}日）",
            issued_on=issued_on,
        )
    except AttributeError as exc:
        raise InvalidInputError("statement", f"is not a fee statement ({exc.name})") from None


def fee_statement_pdf(
    contract: GuaranteeContract,
    statement: FeeStatementLike,
    *,
    issued_on: date | None = None,
    product_names: Mapping[str, str] = PRODUCT_NAMES_JA,
    identity: DocumentIdentity | None = None,
) -> bytes:
    """The fee statement PDF in one call, for ``statement`` (``IssuedGuarantee.fee``) of
    ``contract``: the principal, works and surety names come from the contract; issued on
    ``issued_on`` (default: today in JST)."""
    if not isinstance(contract, GuaranteeContract):
        raise InvalidInputError("contract", "must be a GuaranteeContract")
    day = datetime.now(JST).date() if issued_on is None else issued_on
    data = fee_statement_data_from_statement(
        statement,
        principal_name=contract.principal.name,
        works_name=contract.works.name,
        surety_name=contract.surety.name,
        issued_on=day,
        product_names=product_names,
    )
    return build_fee_statement_pdf(data, identity)
