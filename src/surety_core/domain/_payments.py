"""Fee payments (保証料の収納) and the consolidated monthly payment arrangement (private).

A guarantee contract is concluded when the surety has received the fee, or when the contractor
has a consolidated monthly payment arrangement (保証料一括納付) with the surety on the day of
issuance: the fees of the month are then collected together and issuance need not wait (this is
what makes same-day issuance possible). :func:`fee_covered` decides; the issuer refuses to issue
with rule ``FEE_NOT_RECEIVED`` otherwise.

The receipt (領収証) stays on paper: :class:`ReceiptData` is what a host prints it from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import InvalidInputError
from surety_core.domain import _rules as r
from surety_core.domain._rules import Violation

__all__ = [
    "FEE_TAX_NOTE",
    "AccountType",
    "ArrangementBook",
    "FeeCoverage",
    "PayeeAccount",
    "Payment",
    "PaymentArrangement",
    "PaymentMethod",
    "ReceiptData",
    "fee_coverage",
    "receipt_for",
    "sample_payee_account",
]

FEE_TAX_NOTE = "保証料は消費税の非課税取引です。"
"""The note every fee document carries: the guarantee fee is not subject to consumption tax."""


class PaymentMethod(StrEnum):
    """How a fee was paid."""

    BANK_TRANSFER = "bank_transfer"
    """振込: to the surety's account."""
    ACCOUNT_DEBIT = "account_debit"
    """口座振替: debited from the contractor's account."""
    CASH = "cash"
    """現金: at the surety's counter."""

    @property
    def label_ja(self) -> str:
        return _METHOD_JA[self]


_METHOD_JA: Mapping[PaymentMethod, str] = {
    PaymentMethod.BANK_TRANSFER: "振込",
    PaymentMethod.ACCOUNT_DEBIT: "口座振替",
    PaymentMethod.CASH: "現金",
}


@frozen
class Payment:
    """A fee payment the surety received for one application (``reference``).

    ``sequence`` counts the application's payments from 1. ``payer`` is the name on the
    payment (usually the contractor's).
    """

    reference: str = field(validator=v.code)
    sequence: int = field(validator=v.positive_int)
    amount: int = field(validator=v.yen)
    received_on: date = field(validator=v.a_date)
    method: PaymentMethod = field(validator=v.enum_of(PaymentMethod))
    payer: str = field(converter=v.strip_text, validator=v.text())


@frozen
class PaymentArrangement:
    """A consolidated monthly payment arrangement (保証料一括納付) of one contractor.

    It covers issuance on every day from ``starts_on`` to ``ends_on`` (both included; ``None``:
    open-ended). ``agreement`` is the surety's number of the agreement. ``principal_id`` is the
    contractor's :attr:`~surety_core.Principal.identifier` (corporate number, or a sole
    proprietor's customer number).
    """

    principal_id: str = field(converter=v.strip_text, validator=v.principal_id)
    agreement: str = field(validator=v.code)
    starts_on: date = field(validator=v.a_date)
    ends_on: date | None = field(default=None, validator=v.optional_date)

    def __attrs_post_init__(self) -> None:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise InvalidInputError("PaymentArrangement.ends_on", "must not be before starts_on")

    def covers(self, principal_id: str, on: date) -> bool:
        """True when this arrangement covers the principal ``principal_id`` on ``on``."""
        return (
            principal_id == self.principal_id
            and self.starts_on <= on
            and (self.ends_on is None or on <= self.ends_on)
        )


@frozen
class ArrangementBook:
    """The consolidated-payment arrangements the host has agreed with contractors (as data)."""

    arrangements: tuple[PaymentArrangement, ...] = field(
        default=(),
        converter=v.to_tuple,
        validator=v.tuple_of(PaymentArrangement, max_length=100_000),
    )

    def arrangement_for(self, principal_id: str, on: date) -> PaymentArrangement | None:
        """The arrangement covering the principal ``principal_id`` on ``on``, or ``None``."""
        for arrangement in self.arrangements:
            if arrangement.covers(principal_id, on):
                return arrangement
        return None


@frozen
class FeeCoverage:
    """Whether the fee of an application is covered on a day, and how.

    ``due`` is the total fee, ``received`` the sum of the payments; ``arrangement`` is the
    consolidated-payment arrangement that covers it (if any). ``covered`` when either.
    """

    due: int
    received: int
    arrangement: PaymentArrangement | None

    @property
    def covered(self) -> bool:
        return self.arrangement is not None or self.received >= self.due

    @property
    def outstanding(self) -> int:
        """Yen still to be paid (0 under an arrangement or when paid in full)."""
        return 0 if self.arrangement is not None else max(0, self.due - self.received)

    def violations(self) -> tuple[Violation, ...]:
        """``FEE_NOT_RECEIVED`` unless covered."""
        if self.covered:
            return ()
        detail = f"due {self.due} yen, received {self.received} yen"
        return (r.FEE_NOT_RECEIVED.violation("fee", detail),)


def fee_coverage(
    *,
    due: int,
    payments: Iterable[Payment],
    arrangement: PaymentArrangement | None,
) -> FeeCoverage:
    """The coverage of a fee of ``due`` yen by ``payments`` or ``arrangement``."""
    if isinstance(due, bool) or not isinstance(due, int) or due < 0:
        raise InvalidInputError("due", "must be whole yen >= 0")
    if arrangement is not None and not isinstance(arrangement, PaymentArrangement):
        raise InvalidInputError("arrangement", "must be a PaymentArrangement or None")
    received = sum(p.amount for p in payments)
    return FeeCoverage(due=due, received=received, arrangement=arrangement)


@frozen
class ReceiptData:
    """What the paper receipt (領収証) is printed from: it stays on paper (briefing's Q&A).

    ``number`` is ``<reference>-<sequence>``; ``purpose`` says what was paid for.
    """

    number: str
    payer: str
    amount: int
    received_on: date
    method: PaymentMethod
    purpose: str
    issuer: str
    tax_note: str = FEE_TAX_NOTE


def receipt_for(
    payment: Payment, *, surety_name: str, contract_numbers: Sequence[str] = ()
) -> ReceiptData:
    """The receipt data of ``payment`` (for the guarantee contracts ``contract_numbers``)."""
    if not isinstance(payment, Payment):
        raise InvalidInputError("payment", "must be a Payment")
    numbers = "・".join(contract_numbers)
    purpose = "保証料として" if not numbers else f"保証料として（保証契約番号 {numbers}）"
    return ReceiptData(
        number=f"{payment.reference}-{payment.sequence}",
        payer=payment.payer,
        amount=payment.amount,
        received_on=payment.received_on,
        method=payment.method,
        purpose=purpose,
        issuer=surety_name,
    )


class AccountType(StrEnum):
    """The type of a Japanese bank account (預金種目)."""

    ORDINARY = "ordinary"
    """普通預金."""
    CURRENT = "current"
    """当座預金."""

    @property
    def label_ja(self) -> str:
        return "普通預金" if self is AccountType.ORDINARY else "当座預金"


_DIGITS = {4: re.compile(r"^[0-9]{4}$"), 3: re.compile(r"^[0-9]{3}$"), 7: re.compile(r"^[0-9]{7}$")}
# The characters a Japanese bank accepts in an account holder's name, as printed on paper
# (full-width katakana, the long vowel mark, upper-case Latin letters, digits and a few marks).
_HOLDER = re.compile(r"^[\u30a1-\u30f6\u30fc\u30fbA-Z0-9 \u3000（）().,\-／/]+$")


def _digits(count: int, *, optional: bool = False) -> Any:
    pattern = _DIGITS[count]

    def check(instance: object, attribute: Any, value: Any) -> None:
        if value is None and optional:
            return
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise InvalidInputError(
                v.field_name(instance, attribute), f"must be exactly {count} ASCII digits"
            )

    return check


def _holder(instance: object, attribute: Any, value: Any) -> None:
    v.text(60)(instance, attribute, value)
    if not _HOLDER.fullmatch(value):
        raise InvalidInputError(
            v.field_name(instance, attribute),
            "must be the account name as the bank holds it: full-width katakana, A-Z, 0-9, "
            "spaces and （）().,-/",
        )


@frozen
class PayeeAccount:
    """The surety's bank account for fees (振込先), printed on fee statements.

    ``number`` is the 7-digit account number; ``bank_code`` (4 digits) and ``branch_code``
    (3 digits) are optional and printed when given; ``holder`` is the account name as the bank
    holds it (口座名義, full-width katakana, e.g. ``サンプルホショウ（カ``).
    """

    bank_name: str = field(converter=v.strip_text, validator=v.text(40))
    branch_name: str = field(converter=v.strip_text, validator=v.text(40))
    account_type: AccountType = field(validator=v.enum_of(AccountType))
    number: str = field(validator=_digits(7))
    holder: str = field(converter=v.strip_text, validator=_holder)
    bank_code: str | None = field(default=None, validator=_digits(4, optional=True))
    branch_code: str | None = field(default=None, validator=_digits(3, optional=True))

    def describe(self) -> str:
        """One line as printed (bank, branch, account type, number, holder)."""
        bank = self.bank_name if self.bank_code is None else f"{self.bank_name}（{self.bank_code}）"
        branch = (
            self.branch_name
            if self.branch_code is None
            else f"{self.branch_name}（{self.branch_code}）"
        )
        return f"{bank} {branch} {self.account_type.label_ja} {self.number} {self.holder}"


def sample_payee_account() -> PayeeAccount:
    """A SAMPLE payee account for demos and tests: the bank and the numbers are invented."""
    return PayeeAccount(
        bank_name="サンプル銀行",
        branch_name="本店営業部",
        account_type=AccountType.ORDINARY,
        number="1234567",
        holder="サンプルホショウ（カ",
    )
