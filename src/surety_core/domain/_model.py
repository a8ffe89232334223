"""The domain model: immutable, validated at construction (private; see :mod:`surety_core`)."""

from __future__ import annotations

import itertools
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Any

from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import InvalidInputError

__all__ = [
    "Amendment",
    "Application",
    "GuaranteeContract",
    "GuaranteeStatus",
    "GuaranteeVersion",
    "Medium",
    "Obligee",
    "ObligeePolicy",
    "Period",
    "Principal",
    "ProductRequest",
    "Progress",
    "Surety",
    "Works",
    "WorksKind",
]


class WorksKind(StrEnum):
    """The kind of public contract (工事・業務委託)."""

    CONSTRUCTION = "construction"
    """Construction works (工事)."""
    CONSULTING = "consulting"
    """Design, survey or consulting service (測量・設計・建設コンサルタント等業務)."""


class Medium(StrEnum):
    """The certificate medium, chosen per product request and fixed for a contract's life."""

    ELECTRONIC = "electronic"
    """電子保証: an electronic certificate in the registry, opened with an authentication key."""
    PAPER = "paper"
    """書面: a paper certificate."""


class GuaranteeStatus(StrEnum):
    """The life-cycle state of a guarantee contract."""

    ISSUED = "issued"
    """In force (発行済)."""
    RELEASED = "released"
    """Released or cancelled (解約・返還)."""
    CLAIMED = "claimed"
    """A claim arose (保証事故)."""
    EXPIRED = "expired"
    """The guarantee period ended (期間満了)."""

    @property
    def is_final(self) -> bool:
        """True once nothing more can change (released, claimed or expired)."""
        return self is not GuaranteeStatus.ISSUED


def _end_not_before_start(instance: Period, attribute: object, value: date) -> None:
    if value < instance.start:
        raise InvalidInputError("Period.end", "must not be before Period.start")


@frozen
class Period:
    """An inclusive date range (期間): ``start`` to ``end``, ``end >= start``."""

    start: date = field(validator=v.a_date)
    end: date = field(validator=[v.a_date, _end_not_before_start])

    @property
    def days(self) -> int:
        """The number of days, counting both ends."""
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def within(self, other: Period) -> bool:
        """True when this period lies entirely inside ``other``."""
        return other.start <= self.start and self.end <= other.end

    def __str__(self) -> str:
        return f"{self.start:%Y/%m/%d} - {self.end:%Y/%m/%d}"


@frozen
class Principal:
    """The contractor (受注者): name, 13-digit corporate number (法人番号) and address."""

    name: str = field(converter=v.strip_text, validator=v.text())
    corporate_number: str = field(converter=v.strip_text, validator=v.corporate_number)
    address: str = field(converter=v.strip_text, validator=v.text(300))


@frozen
class Obligee:
    """The public body that ordered the work (発注者), e.g. a city."""

    name: str = field(converter=v.strip_text, validator=v.text())
    code: str = field(converter=v.strip_text, validator=v.code)


@frozen
class Surety:
    """The surety company (保証会社) that issues guarantees."""

    name: str = field(converter=v.strip_text, validator=v.text())
    code: str = field(converter=v.strip_text, validator=v.code)


@frozen
class Works:
    """A public works or service contract (工事・業務委託) that guarantees refer to."""

    obligee: Obligee = field(validator=v.instance_of(Obligee))
    name: str = field(converter=v.strip_text, validator=v.text())
    number: str = field(converter=v.strip_text, validator=v.text(64))
    kind: WorksKind = field(validator=v.enum_of(WorksKind))
    contract_price: int = field(validator=v.yen)
    period: Period = field(validator=v.instance_of(Period))
    announced_on: date = field(validator=v.a_date)


@frozen
class Progress:
    """Progress data for an intermediate advance (中間前払金) request, as of ``as_of``.

    ``scheduled_work_done`` states that the work scheduled for the elapsed time is done;
    ``completed_value`` is the value of the work completed so far (出来高), in yen.
    """

    as_of: date = field(validator=v.a_date)
    scheduled_work_done: bool = field(validator=v.instance_of(bool))
    completed_value: int = field(validator=v.non_negative_yen)


_STANDARD_CODES = "advance_payment, intermediate_advance_payment, contract_guarantee"


def _product_code(instance: object, attribute: Any, value: Any) -> None:
    """A product *code*; a display name such as 前払金保証 is refused with the codes to use."""
    if isinstance(value, str) and value and not value.isascii():
        raise InvalidInputError(
            v.field_name(instance, attribute),
            f"takes a product code, not a name such as {value[:20]!r}: one of {_STANDARD_CODES} "
            "(or a code of your own product set)",
        )
    v.code(instance, attribute, value)


@frozen
class ProductRequest:
    """One product requested in an application, with its own medium (媒体)."""

    product: str = field(converter=v.strip_text, validator=_product_code)
    medium: Medium = field(validator=v.enum_of(Medium))
    amount: int = field(validator=v.yen)
    period: Period = field(validator=v.instance_of(Period))
    progress: Progress | None = field(default=None, validator=v.optional(v.instance_of(Progress)))


@frozen
class Application:
    """An application (申込) by a principal for one or more guarantees on one works.

    ``notification_email`` receives the completion notice; it is required when any request is
    electronic (rule ``ELECTRONIC_REQUIRES_EMAIL``), but a malformed address is refused here.
    """

    reference: str = field(converter=v.strip_text, validator=v.code)
    principal: Principal = field(validator=v.instance_of(Principal))
    works: Works = field(validator=v.instance_of(Works))
    requests: tuple[ProductRequest, ...] = field(
        converter=v.to_tuple, validator=v.tuple_of(ProductRequest, min_length=1, max_length=20)
    )
    applied_on: date = field(validator=v.a_date)
    notification_email: str | None = field(
        default=None, converter=v.strip_text, validator=v.optional_email
    )

    @property
    def has_electronic(self) -> bool:
        """True when any request chooses the electronic medium."""
        return any(r.medium is Medium.ELECTRONIC for r in self.requests)


@frozen
class GuaranteeVersion:
    """One immutable version of a guarantee contract: the original (1) or an amendment (変更)."""

    number: int = field(validator=v.positive_int)
    amount: int = field(validator=v.yen)
    period: Period = field(validator=v.instance_of(Period))
    works: Works = field(validator=v.instance_of(Works))
    effective_on: date = field(validator=v.a_date)
    reason: str = field(converter=v.strip_text, validator=v.text(500))


@frozen
class Amendment:
    """A requested change (変更) to a guarantee contract; becomes the next version.

    ``medium`` is the medium the principal asked for the amendment certificate, if stated; it must
    equal the contract's (rule ``MEDIUM_FIXED``).
    """

    amount: int = field(validator=v.yen)
    period: Period = field(validator=v.instance_of(Period))
    works: Works = field(validator=v.instance_of(Works))
    effective_on: date = field(validator=v.a_date)
    reason: str = field(converter=v.strip_text, validator=v.text(500))
    medium: Medium | None = field(default=None, validator=v.optional(v.enum_of(Medium)))


def _versions_ordered(
    instance: GuaranteeContract, attribute: object, value: tuple[GuaranteeVersion, ...]
) -> None:
    for i, version in enumerate(value, start=1):
        if version.number != i:
            raise InvalidInputError(
                "GuaranteeContract.versions", "version numbers must run 1, 2, 3, … without gaps"
            )
    for before, after in itertools.pairwise(value):
        if after.effective_on < before.effective_on:
            raise InvalidInputError(
                "GuaranteeContract.versions", "effective dates must not go backwards"
            )


@frozen
class GuaranteeContract:
    """A guarantee contract (保証契約) with its version history.

    The medium is fixed for life; ``versions[0]`` is the original and ``versions[-1]`` the current
    terms. ``status_on`` is the date of the last status change (``None`` while issued).
    """

    number: str = field(validator=v.contract_number)
    product: str = field(converter=v.strip_text, validator=v.code)
    principal: Principal = field(validator=v.instance_of(Principal))
    surety: Surety = field(validator=v.instance_of(Surety))
    medium: Medium = field(validator=v.enum_of(Medium))
    issued_on: date = field(validator=v.a_date)
    versions: tuple[GuaranteeVersion, ...] = field(
        converter=v.to_tuple,
        validator=[v.tuple_of(GuaranteeVersion, min_length=1, max_length=999), _versions_ordered],
    )
    status: GuaranteeStatus = field(
        default=GuaranteeStatus.ISSUED, validator=v.enum_of(GuaranteeStatus)
    )
    status_on: date | None = field(default=None, validator=v.optional_date)
    application_reference: str | None = field(default=None, validator=v.optional(v.code))

    @property
    def current(self) -> GuaranteeVersion:
        """The latest version (the terms in force)."""
        return self.versions[-1]

    @property
    def version(self) -> int:
        return self.versions[-1].number

    @property
    def amount(self) -> int:
        return self.versions[-1].amount

    @property
    def period(self) -> Period:
        return self.versions[-1].period

    @property
    def works(self) -> Works:
        return self.versions[-1].works

    @property
    def obligee(self) -> Obligee:
        return self.versions[-1].works.obligee


@frozen
class ObligeePolicy:
    """An obligee's policy: electronic acceptance, caps and minimums (usual defaults shown).

    * ``electronic_from``: the first announcement date of works for which the obligee accepts
      electronic guarantees; ``None`` means it does not accept them. Works announced before it,
      and their amendments, are excluded.
    * ``excluded_works``: works numbers excluded from electronic guarantees regardless of date.
    * ``advance_cap_construction`` / ``advance_cap_consulting``: advance ≤ share × price
      (4/10 and 3/10).
    * ``intermediate_cap``: intermediate advance ≤ 2/10; ``combined_cap``: advance +
      intermediate ≤ 6/10.
    * ``contract_min_share``: contract guarantee ≥ 1/10 of the price (some obligees 3/10).
    """

    obligee_code: str = field(validator=v.code)
    electronic_from: date | None = field(default=None, validator=v.optional_date)
    excluded_works: frozenset[str] = field(
        default=frozenset(),
        converter=v.to_frozenset,
        validator=v.instance_of(frozenset),
    )
    advance_cap_construction: Fraction = field(default=Fraction(4, 10), validator=v.share)
    advance_cap_consulting: Fraction = field(default=Fraction(3, 10), validator=v.share)
    intermediate_cap: Fraction = field(default=Fraction(2, 10), validator=v.share)
    combined_cap: Fraction = field(default=Fraction(6, 10), validator=v.share)
    contract_min_share: Fraction = field(default=Fraction(1, 10), validator=v.share)

    def advance_cap(self, kind: WorksKind) -> Fraction:
        """The advance cap share for a works kind."""
        if kind is WorksKind.CONSTRUCTION:
            return self.advance_cap_construction
        return self.advance_cap_consulting

    def accepts_electronic(self, works: Works) -> bool:
        """True when the obligee accepts electronic guarantees for ``works``."""
        return (
            self.electronic_from is not None
            and works.announced_on >= self.electronic_from
            and works.number not in self.excluded_works
        )
