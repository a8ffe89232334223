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
from surety_core.domain import _rules as r

__all__ = [
    "Amendment",
    "Application",
    "DateBasis",
    "ElectronicAcceptance",
    "GuaranteeContract",
    "GuaranteeStatus",
    "GuaranteeVersion",
    "JointVentureMember",
    "KindShare",
    "Medium",
    "Obligee",
    "ObligeeEvent",
    "ObligeePolicy",
    "Period",
    "Principal",
    "PrincipalKind",
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
    """Construction consulting service (建設コンサルタント等業務)."""
    DESIGN = "design"
    """Design (設計業務)."""
    SURVEY = "survey"
    """Survey (測量業務)."""
    INVESTIGATION = "investigation"
    """Geological or other investigation (地質調査等の調査業務)."""
    MANUFACTURE = "manufacture"
    """Manufacture (製造の請負, e.g. bridge members or equipment)."""

    @property
    def is_service(self) -> bool:
        """True for the service contracts (業務委託: consulting, design, survey, investigation)."""
        return self in _SERVICES


_SERVICES = frozenset(
    {WorksKind.CONSULTING, WorksKind.DESIGN, WorksKind.SURVEY, WorksKind.INVESTIGATION}
)


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
    COMPLETED = "completed"
    """The works were completed and handed over (完成・引渡し): the guarantee ended fulfilled."""

    @property
    def is_final(self) -> bool:
        """True once the terms can no longer change (released, claimed, expired, completed)."""
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


class PrincipalKind(StrEnum):
    """Who a principal (or a joint-venture member) is in law."""

    CORPORATION = "corporation"
    """A corporation (法人), identified by its 13-digit corporate number (法人番号)."""
    SOLE_PROPRIETOR = "sole_proprietor"
    """A sole proprietor (個人事業主): no corporate number; identified by the customer number
    (取引先番号) the surety assigned, and printed with the trade name (屋号), if any."""


def _identity_violations(
    kind: PrincipalKind,
    corporate_number: str | None,
    customer_number: str | None,
    trade_name: str | None,
) -> list[r.Violation]:
    found: list[r.Violation] = []
    if kind is PrincipalKind.CORPORATION:
        if corporate_number is None:
            found.append(r.CORPORATION_WITHOUT_CORPORATE_NUMBER.violation("corporate_number"))
        if trade_name is not None:
            found.append(r.TRADE_NAME_ONLY_FOR_SOLE_PROPRIETOR.violation("trade_name", trade_name))
    else:
        if corporate_number is not None:
            found.append(
                r.SOLE_PROPRIETOR_WITH_CORPORATE_NUMBER.violation(
                    "corporate_number", corporate_number
                )
            )
        if customer_number is None:
            found.append(r.SOLE_PROPRIETOR_WITHOUT_CUSTOMER_NUMBER.violation("customer_number"))
    return found


def _identifier(
    kind: PrincipalKind, corporate_number: str | None, customer_number: str | None
) -> str:
    found = corporate_number if kind is PrincipalKind.CORPORATION else customer_number
    assert found is not None  # the constructor refused a principal without one
    return found


def _display_name(kind: PrincipalKind, name: str, trade_name: str | None) -> str:
    if kind is PrincipalKind.SOLE_PROPRIETOR and trade_name is not None:
        return f"{trade_name} 代表 {name}"
    return name


@frozen
class JointVentureMember:
    """A member of a joint venture (共同企業体の構成員): its share of the venture (出資比率) and
    whether it is the representative (代表者).

    A member is a corporation (``corporate_number``) or, with ``kind`` ``SOLE_PROPRIETOR``, a
    sole proprietor (``corporate_number`` ``None``, ``customer_number`` and optionally
    ``trade_name``), under the same rules as :class:`Principal`.
    """

    name: str = field(converter=v.strip_text, validator=v.text())
    corporate_number: str | None = field(
        converter=v.strip_text, validator=v.optional(v.corporate_number)
    )
    share: Fraction = field(validator=v.share)
    representative: bool = field(default=False, validator=v.instance_of(bool))
    kind: PrincipalKind = field(
        default=PrincipalKind.CORPORATION, validator=v.enum_of(PrincipalKind)
    )
    customer_number: str | None = field(
        default=None, converter=v.strip_text, validator=v.optional(v.customer_number)
    )
    trade_name: str | None = field(
        default=None, converter=v.strip_text, validator=v.optional(v.text(40))
    )

    def __attrs_post_init__(self) -> None:
        r.raise_if_any(
            _identity_violations(
                self.kind, self.corporate_number, self.customer_number, self.trade_name
            )
        )

    @property
    def identifier(self) -> str:
        """The member's identifier: its corporate number, or a sole proprietor's customer
        number."""
        return _identifier(self.kind, self.corporate_number, self.customer_number)

    @property
    def display_name(self) -> str:
        """The name documents print (a sole proprietor's as ``屋号 代表 氏名``)."""
        return _display_name(self.kind, self.name, self.trade_name)


@frozen
class Principal:
    """The contractor (受注者): a corporation (法人) or a sole proprietor (個人事業主).

    * A corporation has its 13-digit ``corporate_number`` (法人番号); ``name`` is its name
      (商号).
    * A sole proprietor (``kind`` ``SOLE_PROPRIETOR``) has no corporate number
      (``corporate_number`` ``None``); the surety identifies it by the ``customer_number``
      (取引先番号) it assigned. ``name`` is the proprietor's own name (代表者氏名) and
      ``trade_name`` the business name (屋号), if any; documents print both
      (:attr:`display_name`). Build one with :meth:`sole_proprietor`.

    Breaking these (a corporation without a number, a sole proprietor with one or without a
    customer number, a corporation with a 屋号) raises :class:`RuleViolationError` listing every
    violation. :attr:`identifier` is the one key by which stores, queries, the portal and
    payment arrangements find the principal.

    A joint venture (共同企業体) lists its ``members``; it has no number of its own and acts
    through its representative, whose kind and identifier it carries (rules
    ``JOINT_VENTURE_*`` check the members' shares and the representative).
    """

    name: str = field(converter=v.strip_text, validator=v.text())
    corporate_number: str | None = field(
        converter=v.strip_text, validator=v.optional(v.corporate_number)
    )
    address: str = field(converter=v.strip_text, validator=v.text(300))
    members: tuple[JointVentureMember, ...] = field(
        default=(), converter=v.to_tuple, validator=v.tuple_of(JointVentureMember, max_length=20)
    )
    kind: PrincipalKind = field(
        default=PrincipalKind.CORPORATION, validator=v.enum_of(PrincipalKind)
    )
    customer_number: str | None = field(
        default=None, converter=v.strip_text, validator=v.optional(v.customer_number)
    )
    trade_name: str | None = field(
        default=None, converter=v.strip_text, validator=v.optional(v.text(40))
    )

    def __attrs_post_init__(self) -> None:
        r.raise_if_any(
            _identity_violations(
                self.kind, self.corporate_number, self.customer_number, self.trade_name
            )
        )

    @classmethod
    def sole_proprietor(
        cls,
        name: str,
        customer_number: str,
        address: str,
        *,
        trade_name: str | None = None,
        members: tuple[JointVentureMember, ...] = (),
    ) -> Principal:
        """A sole proprietor (個人事業主): the proprietor's ``name``, the surety's
        ``customer_number`` (取引先番号), ``address`` and the ``trade_name`` (屋号), if any."""
        return cls(
            name,
            None,
            address,
            members,
            kind=PrincipalKind.SOLE_PROPRIETOR,
            customer_number=customer_number,
            trade_name=trade_name,
        )

    @property
    def identifier(self) -> str:
        """The principal's one stable identifier: a corporation's corporate number, or a sole
        proprietor's customer number (the two never collide: a customer number is never 13
        digits)."""
        return _identifier(self.kind, self.corporate_number, self.customer_number)

    @property
    def display_name(self) -> str:
        """The name documents print: ``name``, or ``屋号 代表 氏名`` for a sole proprietor
        with a trade name."""
        return _display_name(self.kind, self.name, self.trade_name)

    @property
    def is_sole_proprietor(self) -> bool:
        """True for a sole proprietor (個人事業主)."""
        return self.kind is PrincipalKind.SOLE_PROPRIETOR

    @property
    def is_joint_venture(self) -> bool:
        """True for a joint venture (it lists members)."""
        return bool(self.members)


@frozen
class Obligee:
    """The public body that ordered the work (発注者), e.g. a city."""

    name: str = field(converter=v.strip_text, validator=v.text())
    code: str = field(converter=v.strip_text, validator=v.code)


@frozen
class Surety:
    """The surety company (保証会社) that issues guarantees.

    The optional fields are printed on documents: ``representative`` (代表者, e.g.
    ``代表取締役社長 山田太郎``) on certificates; ``branch`` (支店), ``address`` and
    ``telephone`` in the sender block of notices. ``None`` leaves a line out.
    """

    name: str = field(converter=v.strip_text, validator=v.text())
    code: str = field(converter=v.strip_text, validator=v.code)
    representative: str | None = field(default=None, validator=v.optional(v.text(80)))
    branch: str | None = field(default=None, validator=v.optional(v.text(80)))
    address: str | None = field(default=None, validator=v.optional(v.text(200)))
    telephone: str | None = field(default=None, validator=v.optional(v.text(40)))


@frozen
class Works:
    """A public works or service contract (工事・業務委託) that guarantees refer to.

    * ``advance_planned``: the obligee plans to pay an advance (前払金の支出が予定されている);
      a contract guarantee is sold only then (rule ``CONTRACT_GUARANTEE_ADVANCE_NOT_PLANNED``).
    * ``contract_guarantee_share``: the contract-guarantee share the obligee set for this works
      (e.g. 3/10 for a low bid); ``None`` uses the policy's ``contract_min_share``.
    * ``department``: the obligee's department that ordered it (e.g. ``建設部``), for policies
      that adopt electronic guarantees per department.
    * ``contracted_on``: the date the works contract was concluded, for policies that adopt
      electronic guarantees by contract date (else the start of the works period counts).
    * ``site``: where the works is done (工事場所・履行場所), printed on certificates.
    """

    obligee: Obligee = field(validator=v.instance_of(Obligee))
    name: str = field(converter=v.strip_text, validator=v.text())
    number: str = field(converter=v.strip_text, validator=v.text(64))
    kind: WorksKind = field(validator=v.enum_of(WorksKind))
    contract_price: int = field(validator=v.yen)
    period: Period = field(validator=v.instance_of(Period))
    announced_on: date = field(validator=v.a_date)
    advance_planned: bool = field(default=False, validator=v.instance_of(bool))
    contract_guarantee_share: Fraction | None = field(default=None, validator=v.optional(v.share))
    department: str | None = field(default=None, validator=v.optional(v.text(100)))
    contracted_on: date | None = field(default=None, validator=v.optional_date)
    site: str | None = field(default=None, validator=v.optional(v.text(200)))


@frozen
class Progress:
    """Progress data for an intermediate advance (中間前払金) request, as of ``as_of``.

    ``scheduled_work_done`` states that the work scheduled for the elapsed time is done;
    ``completed_value`` is the value of the work completed so far (出来高), in yen.
    ``advance_paid_on`` is the date the obligee paid the advance (the intermediate advance
    follows a paid advance) and ``certified_on`` the date of the obligee's certification
    (中間前金払認定) of the progress; both are required by the rules.
    """

    as_of: date = field(validator=v.a_date)
    scheduled_work_done: bool = field(validator=v.instance_of(bool))
    completed_value: int = field(validator=v.non_negative_yen)
    advance_paid_on: date | None = field(default=None, validator=v.optional_date)
    certified_on: date | None = field(default=None, validator=v.optional_date)


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


class DateBasis(StrEnum):
    """Which date of a works an obligee's adoption date is compared with."""

    ANNOUNCEMENT = "announcement"
    """The announcement date (公告日)."""
    CONTRACT = "contract"
    """The works contract date (契約日; the start of the works period when not given)."""


def _kinds(value: Any) -> Any:
    return frozenset(value) if isinstance(value, set | list | tuple) else value


def _frozenset_of(cls: type[Any]) -> Any:
    def check(instance: object, attribute: Any, value: Any) -> None:
        name = v.field_name(instance, attribute)
        if not isinstance(value, frozenset) or not all(isinstance(x, cls) for x in value):
            raise InvalidInputError(name, f"must be a frozenset of {cls.__name__}")
        if len(value) > 100:
            raise InvalidInputError(name, "must hold at most 100 items")

    return check


def _days(instance: object, attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000:
        raise InvalidInputError(v.field_name(instance, attribute), "must be 0..10000 days")


@frozen
class ElectronicAcceptance:
    """One adoption of electronic guarantees as an obligee writes it: from ``start``, compared
    with the works' announcement or contract date (``basis``), for the works ``kinds`` and
    ``departments`` listed (empty: all)."""

    start: date = field(validator=v.a_date)
    basis: DateBasis = field(default=DateBasis.ANNOUNCEMENT, validator=v.enum_of(DateBasis))
    kinds: frozenset[WorksKind] = field(
        default=frozenset(), converter=_kinds, validator=_frozenset_of(WorksKind)
    )
    departments: frozenset[str] = field(
        default=frozenset(), converter=v.to_frozenset, validator=_frozenset_of(str)
    )

    def covers(self, works: Works) -> bool:
        """True when this adoption covers ``works``."""
        if self.kinds and works.kind not in self.kinds:
            return False
        if self.departments and works.department not in self.departments:
            return False
        if self.basis is DateBasis.CONTRACT:
            day = works.contracted_on if works.contracted_on is not None else works.period.start
        else:
            day = works.announced_on
        return day >= self.start


class ObligeeEvent(StrEnum):
    """A change to a guarantee that its obligee may be told of (:attr:`ObligeePolicy.notify`)."""

    AMENDED = "amended"
    """The guarantee was amended (変更): a new version."""
    RELEASED = "released"
    """The guarantee was released or cancelled (解約・返還)."""
    CLAIMED = "claimed"
    """A claim was recorded (保証事故)."""
    KEY_REISSUED = "key_reissued"
    """The authentication key was re-issued: the key the obligee holds no longer opens the view."""


@frozen
class KindShare:
    """An advance cap share for one works kind (overrides the policy's defaults)."""

    kind: WorksKind = field(validator=v.enum_of(WorksKind))
    share: Fraction = field(validator=v.share)


@frozen
class ObligeePolicy:
    """An obligee's policy: electronic acceptance, caps and minimums (usual defaults shown).

    * ``electronic_from``: the first announcement date of works for which the obligee accepts
      electronic guarantees; ``None`` means it does not accept them. Works announced before it,
      and their amendments, are excluded.
    * ``electronic``: further adoptions as obligees write them (:class:`ElectronicAcceptance`:
      from an announcement or a contract date, by works kind or department); a works covered by
      ``electronic_from`` or any of them is accepted.
    * ``excluded_works``: works numbers excluded from electronic guarantees regardless of date.
    * ``advance_cap_construction`` / ``advance_cap_consulting``: advance ≤ share × price
      (4/10 for construction; 3/10 for the services — consulting, design, survey,
      investigation — and manufacture); ``advance_caps`` overrides the share per works kind.
    * ``advance_min_price``: advances only for works of at least this contract price (0: any).
    * ``advance_unit``: the advance is rounded down to this unit (e.g. 100,000 yen): the cap
      is rounded down to it and an advance amount must be a multiple of it.
    * ``intermediate_kinds`` / ``intermediate_min_days``: the works kinds for which the obligee
      pays intermediate advances (default construction) and the shortest works period (days).
    * ``intermediate_cap``: intermediate advance ≤ 2/10; ``combined_cap``: advance +
      intermediate ≤ 6/10.
    * ``contract_min_share``: contract guarantee ≥ 1/10 of the price (some obligees 3/10; a
      works may set its own, :attr:`Works.contract_guarantee_share`).
    * ``notice_email`` / ``notify``: where the surety sends the obligee's notices of changes to
      the guarantees it holds (amended, released, claimed, key re-issued) and for which
      :class:`ObligeeEvent` s (default: all four); ``None`` sends none. A notice never carries
      a key.
    * ``repayment_threshold`` / ``repayment_threshold_with_intermediate``: when the contract
      price is cut, the advance already paid (with the intermediate advance, if any) is repaid
      only above this share of the new price (commonly 5/10, or 6/10 with an intermediate
      advance; some obligees 4/10, or as agreed); an amendment that keeps the advance within it
      passes.
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
    repayment_threshold: Fraction = field(default=Fraction(5, 10), validator=v.share)
    repayment_threshold_with_intermediate: Fraction = field(
        default=Fraction(6, 10), validator=v.share
    )
    electronic: tuple[ElectronicAcceptance, ...] = field(
        default=(), converter=v.to_tuple, validator=v.tuple_of(ElectronicAcceptance, max_length=100)
    )
    advance_caps: tuple[KindShare, ...] = field(
        default=(), converter=v.to_tuple, validator=v.tuple_of(KindShare, max_length=20)
    )
    advance_min_price: int = field(default=0, validator=v.non_negative_yen)
    advance_unit: int = field(default=1, validator=v.yen)
    intermediate_kinds: frozenset[WorksKind] = field(
        default=frozenset({WorksKind.CONSTRUCTION}),
        converter=_kinds,
        validator=_frozenset_of(WorksKind),
    )
    intermediate_min_days: int = field(default=0, validator=_days)
    notice_email: str | None = field(
        default=None, converter=v.strip_text, validator=v.optional_email
    )
    notify: frozenset[ObligeeEvent] = field(
        default=frozenset(ObligeeEvent),
        converter=_kinds,
        validator=_frozenset_of(ObligeeEvent),
    )

    def notice_recipient(self, event: ObligeeEvent) -> str | None:
        """The address that gets the obligee's notice of ``event``, ``None`` when none is sent."""
        return self.notice_email if event in self.notify else None

    def advance_cap(self, kind: WorksKind) -> Fraction:
        """The advance cap share for a works kind (``advance_caps`` first)."""
        for override in self.advance_caps:
            if override.kind is kind:
                return override.share
        if kind is WorksKind.CONSTRUCTION:
            return self.advance_cap_construction
        return self.advance_cap_consulting

    def contract_share(self, works: Works) -> Fraction:
        """The contract-guarantee minimum share for ``works`` (its own, else the policy's)."""
        if works.contract_guarantee_share is not None:
            return works.contract_guarantee_share
        return self.contract_min_share

    def accepts_electronic(self, works: Works) -> bool:
        """True when the obligee accepts electronic guarantees for ``works``."""
        if works.number in self.excluded_works:
            return False
        if self.electronic_from is not None and works.announced_on >= self.electronic_from:
            return True
        return any(adoption.covers(works) for adoption in self.electronic)
