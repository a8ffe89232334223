"""Public Hypothesis strategies for surety_core models (needs ``surety-core[testing]``).

Every strategy takes keyword-only, replaceable parts: pass a plain value or a strategy, e.g.
``works(kind=WorksKind.CONSULTING)`` or ``works(obligee=obligees(code=st.just("kashiwa")))``.

Valid data comes as an :class:`ApplicationCase` (the application together with the policy,
existing contracts and product set it is valid under); :func:`invalid_applications` and
:func:`invalid_amendments` give cases that break exactly one rule, named in ``expected``.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, TypeVar

try:
    from hypothesis import assume
    from hypothesis import strategies as st
    from hypothesis.strategies import SearchStrategy
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "surety_core.testing.strategies needs Hypothesis; install the testing extra: "
        "pip install 'surety-core[testing]'"
    ) from exc

from attrs import evolve, field, frozen

from surety_core._validation import (
    corporate_number_check_digit,
    is_valid_customer_number,
    is_valid_email,
)
from surety_core.domain import _rules as r
from surety_core.domain._fees import DayCount, ProductRate, RateBand, RateTable, Rounding
from surety_core.domain._lifecycle import amend, claim, complete, expire, release
from surety_core.domain._model import (
    Amendment,
    Application,
    GuaranteeContract,
    GuaranteeStatus,
    GuaranteeVersion,
    JointVentureMember,
    Medium,
    Obligee,
    ObligeePolicy,
    Period,
    Principal,
    PrincipalKind,
    ProductRequest,
    Progress,
    Surety,
    Works,
    WorksKind,
)
from surety_core.domain._products import (
    ADVANCE_PAYMENT,
    CONTRACT_GUARANTEE,
    INTERMEDIATE_ADVANCE_PAYMENT,
    ProductRegistry,
)
from surety_core.domain._standard import default_products

__all__ = [
    "AMENDMENT_RULE_CODES",
    "APPLICATION_RULE_CODES",
    "PRINCIPAL_RULE_CODES",
    "AmendmentCase",
    "ApplicationCase",
    "PrincipalCase",
    "amendment_cases",
    "application_cases",
    "applications",
    "codes",
    "contract_numbers",
    "corporate_numbers",
    "customer_numbers",
    "emails",
    "guarantee_contracts",
    "invalid_amendments",
    "invalid_applications",
    "joint_ventures",
    "obligee_policies",
    "obligees",
    "periods",
    "principal_cases",
    "principals",
    "rate_tables",
    "sureties",
    "works",
]

T = TypeVar("T")

_A, _I, _C = ADVANCE_PAYMENT, INTERMEDIATE_ADVANCE_PAYMENT, CONTRACT_GUARANTEE
_MIN_DATE = date(2020, 1, 1)
_MAX_DATE = date(2035, 12, 31)

APPLICATION_RULE_CODES: frozenset[str] = frozenset(
    {
        r.POLICY_OBLIGEE_MISMATCH.code,
        r.ELECTRONIC_REQUIRES_EMAIL.code,
        r.DUPLICATE_PRODUCT.code,
        r.UNKNOWN_PRODUCT.code,
        r.ELECTRONIC_NOT_ACCEPTED.code,
        r.AMOUNT_EXCEEDS_CONTRACT_PRICE.code,
        r.PERIOD_OUTSIDE_WORKS.code,
        r.PERIOD_NOT_ENDING_AT_COMPLETION.code,
        r.ADVANCE_CAP_EXCEEDED.code,
        r.INTERMEDIATE_CAP_EXCEEDED.code,
        r.COMBINED_CAP_EXCEEDED.code,
        r.INTERMEDIATE_REQUIRES_ADVANCE.code,
        r.INTERMEDIATE_PROGRESS_MISSING.code,
        r.INTERMEDIATE_HALF_PERIOD_NOT_ELAPSED.code,
        r.INTERMEDIATE_SCHEDULED_WORK_NOT_DONE.code,
        r.INTERMEDIATE_PROGRESS_BELOW_HALF.code,
        r.INTERMEDIATE_ADVANCE_NOT_PAID.code,
        r.INTERMEDIATE_NOT_CERTIFIED.code,
        r.INTERMEDIATE_NOT_FOR_KIND.code,
        r.INTERMEDIATE_PERIOD_TOO_SHORT.code,
        r.ADVANCE_PRICE_BELOW_MINIMUM.code,
        r.ADVANCE_NOT_IN_UNITS.code,
        r.CONTRACT_GUARANTEE_BELOW_MINIMUM.code,
        r.JOINT_VENTURE_TOO_FEW_MEMBERS.code,
        r.JOINT_VENTURE_SHARES_NOT_WHOLE.code,
        r.JOINT_VENTURE_REPRESENTATIVE.code,
        r.CONTRACT_GUARANTEE_ADVANCE_NOT_PLANNED.code,
        r.CONTRACT_GUARANTEE_NOT_FROM_CONTRACT.code,
        r.PRODUCT_ALREADY_ON_WORKS.code,
    }
)
"""The rule codes :func:`invalid_applications` can break, one at a time."""

AMENDMENT_RULE_CODES: frozenset[str] = frozenset(
    {
        r.MEDIUM_FIXED.code,
        r.AMENDMENT_AFTER_FINAL.code,
        r.AMENDMENT_VERSION_NOT_INCREASING.code,
        r.AMENDMENT_EFFECTIVE_DATE_BACKWARDS.code,
        r.AMENDMENT_OTHER_WORKS.code,
        r.ADVANCE_CAP_EXCEEDED.code,
        r.ADVANCE_ABOVE_REPAYMENT_THRESHOLD.code,
        r.POLICY_OBLIGEE_MISMATCH.code,
    }
)
"""The rule codes :func:`invalid_amendments` can break, one at a time."""

PRINCIPAL_RULE_CODES: frozenset[str] = frozenset(
    {
        r.CORPORATION_WITHOUT_CORPORATE_NUMBER.code,
        r.SOLE_PROPRIETOR_WITH_CORPORATE_NUMBER.code,
        r.SOLE_PROPRIETOR_WITHOUT_CUSTOMER_NUMBER.code,
        r.TRADE_NAME_ONLY_FOR_SOLE_PROPRIETOR.code,
    }
)
"""The rule codes on who a principal is, which :func:`principal_cases` breaks (several at once)."""


@frozen
class ApplicationCase:
    """An application with everything it is validated against, and the codes expected.

    Pass it on as ``validate_application(case.application, case.policy,
    products=case.products, existing=case.existing)``; ``expected`` is empty for a valid case.
    """

    application: Application
    policy: ObligeePolicy
    existing: tuple[GuaranteeContract, ...] = ()
    products: ProductRegistry = field(factory=default_products)
    expected: frozenset[str] = frozenset()


@frozen
class PrincipalCase:
    """The fields of a principal and the rule codes building it must report.

    ``Principal(**case.fields)`` raises :class:`~surety_core.RuleViolationError` with exactly
    ``expected`` (every violation at once), or builds when ``expected`` is empty. Without
    ``address``, the same fields (and a ``share``) build a
    :class:`~surety_core.JointVentureMember` under the same rules.
    """

    fields: dict[str, Any]
    expected: frozenset[str]


@frozen
class AmendmentCase:
    """A contract, an amendment and its context; ``expected`` is empty for a valid case."""

    contract: GuaranteeContract
    amendment: Amendment
    policy: ObligeePolicy
    existing: tuple[GuaranteeContract, ...] = ()
    products: ProductRegistry = field(factory=default_products)
    as_version: int | None = None
    expected: frozenset[str] = frozenset()


def _part(value: Any, default: SearchStrategy[T]) -> SearchStrategy[T]:
    """A replaceable part: ``None`` → default, a strategy as is, any other value → just it."""
    if value is None:
        return default
    if isinstance(value, SearchStrategy):
        return value
    return st.just(value)


# --- leaves ------------------------------------------------------------------------------


def codes() -> SearchStrategy[str]:
    """Identifier codes like ``kashiwa`` or ``city_12``."""
    return st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True)


def _names() -> SearchStrategy[str]:
    alphabet = st.characters(categories=("Lu", "Ll", "Lo", "Nd"), max_codepoint=0xFFFF)
    return st.one_of(
        st.sampled_from(["柏市", "株式会社東葛建設", "市道改良工事", "千葉県柏市柏5-10-1"]),
        st.text(alphabet, min_size=1, max_size=40),
    )


def emails() -> SearchStrategy[str]:
    """Valid ASCII e-mail addresses (``local@domain.tld``)."""
    local = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,15}", fullmatch=True)
    label = st.from_regex(r"[a-z]([a-z0-9-]{0,9}[a-z0-9])?", fullmatch=True)
    tld = st.sampled_from(["jp", "com", "example", "lg.jp"])
    return st.builds(lambda a, b, c: f"{a}@{b}.{c}", local, label, tld).filter(is_valid_email)


def corporate_numbers() -> SearchStrategy[str]:
    """Valid 13-digit corporate numbers (法人番号) with their check digit."""
    return st.text("0123456789", min_size=12, max_size=12).map(
        lambda base: f"{corporate_number_check_digit(base)}{base}"
    )


def contract_numbers() -> SearchStrategy[str]:
    """10-digit guarantee contract numbers like ``0000000001``."""
    return st.integers(1, 10**10 - 1).map(lambda n: f"{n:010d}")


def periods(
    *,
    min_start: date = _MIN_DATE,
    max_start: date = _MAX_DATE,
    min_days: int = 1,
    max_days: int = 1500,
) -> SearchStrategy[Period]:
    """Inclusive periods of ``min_days``..``max_days`` days starting in the given range."""
    return st.builds(
        lambda start, days: Period(start, start + timedelta(days=days - 1)),
        st.dates(min_start, max_start),
        st.integers(min_days, max_days),
    )


def obligees(*, name: Any = None, code: Any = None) -> SearchStrategy[Obligee]:
    """Obligees (発注者)."""
    return st.builds(Obligee, name=_part(name, _names()), code=_part(code, codes()))


def customer_numbers() -> SearchStrategy[str]:
    """Valid customer numbers (取引先番号) a surety assigns to a sole proprietor: 1-20 ASCII
    letters, digits and ``-``, never 13 digits (a corporate number's shape)."""
    return st.one_of(
        st.integers(0, 999_999).map(lambda n: f"K-{n:06d}"),
        st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{0,19}", fullmatch=True),
    ).filter(is_valid_customer_number)


def _short_names() -> SearchStrategy[str]:
    alphabet = st.characters(categories=("Lu", "Ll", "Lo", "Nd"), max_codepoint=0xFFFF)
    return st.text(alphabet, min_size=1, max_size=20)


def _person_names() -> SearchStrategy[str]:
    return st.sampled_from(["山田太郎", "鈴木花子", "田中一郎"]) | _short_names()


def _trade_names() -> SearchStrategy[str | None]:
    """屋号 short enough that ``屋号 代表 氏名`` fits the documents' name field."""
    return st.none() | st.sampled_from(["山田工務店", "鈴木設備", "タナカ塗装"]) | _short_names()


def principals(
    *,
    name: Any = None,
    corporate_number: Any = None,
    address: Any = None,
    kind: Any = None,
    customer_number: Any = None,
    trade_name: Any = None,
) -> SearchStrategy[Principal]:
    """Principals (受注者) of both kinds: corporations with valid corporate numbers, and sole
    proprietors (個人事業主) with no corporate number, a customer number (取引先番号) and
    sometimes a trade name (屋号). ``kind`` fixes the kind (a given ``corporate_number`` means
    a corporation, a given ``customer_number`` or ``trade_name`` a sole proprietor)."""
    if kind is None and corporate_number is not None:
        kind = PrincipalKind.CORPORATION
    elif kind is None and (customer_number is not None or trade_name is not None):
        kind = PrincipalKind.SOLE_PROPRIETOR
    corporations = st.builds(
        Principal,
        name=_part(name, _names()),
        corporate_number=_part(corporate_number, corporate_numbers()),
        address=_part(address, _names()),
    )
    sole_proprietors = st.builds(
        Principal.sole_proprietor,
        name=_part(name, _person_names()),
        customer_number=_part(customer_number, customer_numbers()),
        address=_part(address, _names()),
        trade_name=_part(trade_name, _trade_names()),
    )
    return _part(kind, st.sampled_from(PrincipalKind)).flatmap(
        lambda k: corporations if k is PrincipalKind.CORPORATION else sole_proprietors
    )


@st.composite
def principal_cases(draw: st.DrawFn, *, kind: Any = None) -> PrincipalCase:
    """Principal fields of either ``kind`` with a corporate number, a customer number and a
    trade name each present or not: valid ones and ones breaking one or more of
    :data:`PRINCIPAL_RULE_CODES`, with the codes expected."""
    chosen: PrincipalKind = draw(_part(kind, st.sampled_from(PrincipalKind)))
    corporate = draw(st.none() | corporate_numbers())
    customer = draw(st.none() | customer_numbers())
    trade = draw(_trade_names())
    expected: set[str] = set()
    if chosen is PrincipalKind.CORPORATION:
        if corporate is None:
            expected.add(r.CORPORATION_WITHOUT_CORPORATE_NUMBER.code)
        if trade is not None:
            expected.add(r.TRADE_NAME_ONLY_FOR_SOLE_PROPRIETOR.code)
    else:
        if corporate is not None:
            expected.add(r.SOLE_PROPRIETOR_WITH_CORPORATE_NUMBER.code)
        if customer is None:
            expected.add(r.SOLE_PROPRIETOR_WITHOUT_CUSTOMER_NUMBER.code)
    fields = {
        "name": draw(_names()),
        "corporate_number": corporate,
        "address": draw(_names()),
        "kind": chosen,
        "customer_number": customer,
        "trade_name": trade,
    }
    return PrincipalCase(fields, frozenset(expected))


def _identities(n: int) -> SearchStrategy[list[tuple[str | None, str | None]]]:
    """``n`` distinct (corporate number, customer number) pairs, one of the two set."""
    one = st.one_of(
        corporate_numbers().map(lambda c: (c, None)),
        customer_numbers().map(lambda c: (None, c)),
    )
    return st.lists(one, min_size=n, max_size=n, unique_by=lambda x: x[0] or x[1])


@st.composite
def joint_ventures(draw: st.DrawFn, *, size: Any = None, name: Any = None) -> Principal:
    """Joint ventures (共同企業体): 2..5 members whose shares add up to 1, one representative,
    whose identifier (and kind) the principal carries. Members are corporations or, now and
    then, sole proprietors (with a customer number and no corporate number)."""
    n: int = draw(_part(size, st.integers(2, 5)))
    weights = draw(st.lists(st.integers(1, 20), min_size=n, max_size=n))
    total = sum(weights)
    shares = [Fraction(w, total) for w in weights]
    ids = draw(_identities(n))
    head = draw(st.integers(0, n - 1))

    def member(i: int) -> JointVentureMember:
        corporate, customer = ids[i]
        kind = PrincipalKind.CORPORATION if corporate else PrincipalKind.SOLE_PROPRIETOR
        return JointVentureMember(
            draw(_names()),
            corporate,
            shares[i],
            representative=i == head,
            kind=kind,
            customer_number=customer,
        )

    members = tuple(member(i) for i in range(n))
    lead = members[head]
    return Principal(
        name=draw(_part(name, _names().map(lambda x: f"{x}特定建設工事共同企業体"))),
        corporate_number=lead.corporate_number,
        address=draw(_names()),
        members=members,
        kind=lead.kind,
        customer_number=lead.customer_number,
    )


def sureties(*, name: Any = None, code: Any = None) -> SearchStrategy[Surety]:
    """Sureties (保証会社)."""
    return st.builds(Surety, name=_part(name, _names()), code=_part(code, codes()))


@st.composite
def works(
    draw: st.DrawFn,
    *,
    obligee: Any = None,
    name: Any = None,
    number: Any = None,
    kind: Any = None,
    contract_price: Any = None,
    period: Any = None,
    announced_on: Any = None,
    advance_planned: Any = None,
    contract_guarantee_share: Any = None,
) -> Works:
    """Works or service contracts (工事・業務委託): price 1 M..100 G yen, 30..1500 days.

    ``announced_on`` defaults to 0..180 days before the period starts; ``advance_planned`` to
    either; ``contract_guarantee_share`` to none or 3/10 (a low bid).
    """
    p = draw(_part(period, periods(min_days=30)))
    return Works(
        obligee=draw(_part(obligee, obligees())),
        name=draw(_part(name, _names())),
        number=draw(_part(number, st.from_regex(r"R[0-9]{1,2}-[0-9]{1,4}", fullmatch=True))),
        kind=draw(_part(kind, st.sampled_from(WorksKind))),
        contract_price=draw(_part(contract_price, st.integers(1_000_000, 10**11))),
        period=p,
        announced_on=draw(
            _part(announced_on, st.integers(0, 180).map(lambda d: p.start - timedelta(days=d)))
        ),
        advance_planned=draw(_part(advance_planned, st.booleans())),
        contract_guarantee_share=draw(
            _part(contract_guarantee_share, st.sampled_from([None, None, Fraction(3, 10)]))
        ),
    )


_SHARES = {
    "advance_cap_construction": [Fraction(4, 10), Fraction(3, 10), Fraction(5, 10)],
    "advance_cap_consulting": [Fraction(3, 10), Fraction(4, 10)],
    "intermediate_cap": [Fraction(2, 10), Fraction(1, 10)],
    "combined_cap": [Fraction(6, 10), Fraction(5, 10), Fraction(7, 10)],
    "contract_min_share": [Fraction(1, 10), Fraction(3, 10)],
    "repayment_threshold": [Fraction(5, 10), Fraction(4, 10)],
    "repayment_threshold_with_intermediate": [Fraction(6, 10), Fraction(5, 10)],
}


@st.composite
def obligee_policies(
    draw: st.DrawFn,
    *,
    obligee_code: Any = None,
    electronic_from: Any = None,
    excluded_works: Any = None,
    advance_cap_construction: Any = None,
    advance_cap_consulting: Any = None,
    intermediate_cap: Any = None,
    combined_cap: Any = None,
    contract_min_share: Any = None,
    repayment_threshold: Any = None,
    repayment_threshold_with_intermediate: Any = None,
    electronic: Any = None,
    advance_min_price: Any = None,
    advance_unit: Any = None,
    intermediate_kinds: Any = None,
    intermediate_min_days: Any = None,
) -> ObligeePolicy:
    """Obligee policies with usual caps; any part may be replaced by keyword.

    By default: no further electronic adoptions, a minimum price for advances of 0 or
    1,000,000 yen, the advance in units of 1, 1,000 or 100,000 yen, intermediate advances for
    construction or every kind, with a minimum works period of 0 or 30 days.
    """
    shares = {
        "advance_cap_construction": advance_cap_construction,
        "advance_cap_consulting": advance_cap_consulting,
        "intermediate_cap": intermediate_cap,
        "combined_cap": combined_cap,
        "contract_min_share": contract_min_share,
        "repayment_threshold": repayment_threshold,
        "repayment_threshold_with_intermediate": repayment_threshold_with_intermediate,
    }
    values = {k: draw(_part(shares.get(k), st.sampled_from(opts))) for k, opts in _SHARES.items()}
    return ObligeePolicy(
        obligee_code=draw(_part(obligee_code, codes())),
        electronic_from=draw(_part(electronic_from, st.none() | st.dates(_MIN_DATE, _MAX_DATE))),
        excluded_works=draw(
            _part(
                excluded_works,
                st.frozensets(st.from_regex(r"X[0-9]{1,3}", fullmatch=True), max_size=3),
            )
        ),
        electronic=draw(_part(electronic, st.just(()))),
        advance_min_price=draw(_part(advance_min_price, st.sampled_from([0, 0, 1_000_000]))),
        advance_unit=draw(_part(advance_unit, st.sampled_from([1, 1, 1_000, 100_000]))),
        intermediate_kinds=draw(
            _part(
                intermediate_kinds,
                st.sampled_from([frozenset({WorksKind.CONSTRUCTION}), frozenset(WorksKind)]),
            )
        ),
        intermediate_min_days=draw(_part(intermediate_min_days, st.sampled_from([0, 0, 30]))),
        **values,
    )


# --- valid applications -------------------------------------------------------------------

_COMBOS: tuple[tuple[str, ...], ...] = (
    (_A,),
    (_A, _C),
    (_A, _I),
    (_A, _I, _C),
    (_I,),
    (_C,),
)


def _floor(price: int, share: Fraction) -> int:
    return math.floor(price * share)


def _ceil(price: int, share: Fraction) -> int:
    return math.ceil(price * share)


def _contract(
    draw: st.DrawFn, w: Works, product: str, amount: int, period: Period, medium: Medium, on: date
) -> GuaranteeContract:
    return GuaranteeContract(
        number=draw(contract_numbers()),
        product=product,
        principal=draw(principals()),
        surety=draw(sureties()),
        medium=medium,
        issued_on=on,
        versions=(GuaranteeVersion(1, amount, period, w, on, "当初"),),
    )


@st.composite
def application_cases(
    draw: st.DrawFn,
    *,
    works: Any = None,
    policy: Any = None,
    products: Any = None,
    medium: Any = None,
    notification_email: Any = None,
    principal: Any = None,
) -> ApplicationCase:
    """Valid applications with their policy (and an existing advance where one is needed).

    ``products`` is a tuple of product codes from the default set (default: one of the usual
    combinations, including an intermediate advance whose advance is an existing contract, and
    a contract guarantee alone: on works with an advance planned it comes first, else beside an
    existing advance). ``policy`` must belong to the works' obligee; the media drawn honour it.
    """
    w: Works = draw(_part(works, _works_default()))
    pol: ObligeePolicy = draw(
        _part(
            policy,
            obligee_policies(
                obligee_code=w.obligee.code,
                electronic_from=st.none()
                | st.integers(-30, 30).map(lambda d: w.announced_on - timedelta(days=d)),
            ),
        )
    )
    combo: tuple[str, ...] = draw(_part(products, st.sampled_from(_COMBOS)))
    price, wp = w.contract_price, w.period
    has_int = _I in combo
    if has_int and (w.kind not in pol.intermediate_kinds or wp.days < pol.intermediate_min_days):
        if policy is not None:
            assume(False)  # the given policy pays no intermediate advance on these works
        pol = evolve(pol, intermediate_kinds=pol.intermediate_kinds | {w.kind})
        pol = evolve(pol, intermediate_min_days=min(pol.intermediate_min_days, wp.days))
    if (_A in combo or has_int) and price < pol.advance_min_price:
        if policy is not None:
            assume(False)
        pol = evolve(pol, advance_min_price=0)
    unit = pol.advance_unit
    acap = min(pol.advance_cap(w.kind), pol.combined_cap)
    cap_units = _floor(price, acap) // unit
    assume(cap_units >= (2 if has_int else 1))
    adv = unit * draw(st.integers(1, cap_units - (1 if has_int else 0)))
    accepts = pol.accepts_electronic(w)
    if not accepts and medium is not None and policy is None:
        # A medium asked for (possibly electronic): the policy drawn accepts electronic
        # guarantees for these works, so that what is asked for is valid.
        pol = evolve(
            pol,
            electronic_from=w.announced_on - timedelta(days=draw(st.integers(0, 30))),
            excluded_works=pol.excluded_works - {w.number},
        )
        accepts = True
    media = _part(medium, st.sampled_from(Medium) if accepts else st.just(Medium.PAPER))

    def starts_in_works() -> date:
        return wp.start + timedelta(days=draw(st.integers(0, wp.days - 1)))

    requests: list[ProductRequest] = []
    existing: list[GuaranteeContract] = []
    if _A in combo:
        requests.append(ProductRequest(_A, draw(media), adv, Period(starts_in_works(), wp.end)))
    elif _I in combo or not w.advance_planned:
        existing.append(
            _contract(draw, w, _A, adv, Period(wp.start, wp.end), draw(media), wp.start)
        )
    if has_int:
        int_units = min(
            _floor(price, pol.intermediate_cap) // unit,
            _floor(price, pol.combined_cap) // unit - adv // unit,
        )
        assume(int_units >= 1)
        elapsed = draw(st.integers(wp.days // 2 + 1, wp.days))
        as_of = wp.start + timedelta(days=elapsed - 1)
        progress = Progress(
            as_of=as_of,
            scheduled_work_done=True,
            completed_value=draw(st.integers(_ceil(price, Fraction(1, 2)), price)),
            advance_paid_on=wp.start + timedelta(days=draw(st.integers(0, elapsed - 1))),
            certified_on=as_of + timedelta(days=draw(st.integers(0, 14))),
        )
        requests.append(
            ProductRequest(
                _I,
                draw(media),
                unit * draw(st.integers(1, int_units)),
                Period(starts_in_works(), wp.end),
                progress,
            )
        )
    if _C in combo:
        # from the works contract (on or before the works period starts) to completion
        start = wp.start - timedelta(days=draw(st.integers(0, 60)))
        amount = draw(st.integers(_ceil(price, pol.contract_share(w)), price))
        requests.append(ProductRequest(_C, draw(media), amount, Period(start, wp.end)))
    requests = draw(st.permutations(requests))
    electronic = any(q.medium is Medium.ELECTRONIC for q in requests)
    assume(accepts or not electronic)  # a given policy may refuse the electronic medium asked for
    email = draw(_part(notification_email, emails() if electronic else st.none() | emails()))
    application = Application(
        reference=draw(st.from_regex(r"APP-[0-9]{1,8}", fullmatch=True)),
        principal=draw(_part(principal, principals() | joint_ventures())),
        works=w,
        requests=tuple(requests),
        applied_on=draw(st.dates(w.announced_on, wp.start)),
        notification_email=email,
    )
    return ApplicationCase(application, pol, tuple(existing), default_products())


def _works_default() -> SearchStrategy[Works]:
    return works()


def applications(**parts: Any) -> SearchStrategy[Application]:
    """Valid applications (see :func:`application_cases` for the parts and their policy)."""
    return application_cases(**parts).map(lambda case: case.application)


# --- invalid applications -----------------------------------------------------------------


@st.composite
def invalid_applications(
    draw: st.DrawFn, *, rule_code: Any = None, works: Any = None
) -> ApplicationCase:
    """An application valid but for exactly one rule, ``rule_code`` (default: any of
    :data:`APPLICATION_RULE_CODES`); ``case.expected == {rule_code}``.

    A replaced ``works`` needs a period of at least two days and a price of at least 1 M yen.
    """
    code: str = draw(_part(rule_code, st.sampled_from(sorted(APPLICATION_RULE_CODES))))
    if code not in APPLICATION_RULE_CODES:
        raise ValueError(f"invalid_applications cannot break {code!r}")
    w: Works = draw(_part(works, _works_default()))
    price, wp = w.contract_price, w.period
    policy = ObligeePolicy(
        w.obligee.code,
        electronic_from=w.announced_on,
        contract_min_share=draw(st.sampled_from([Fraction(1, 10), Fraction(3, 10)])),
        intermediate_kinds=frozenset(WorksKind),
    )
    acap, icap, ccap = policy.advance_cap(w.kind), policy.intermediate_cap, policy.combined_cap
    medium = draw(st.sampled_from(Medium))
    full = Period(wp.start, wp.end)
    adv_amount = draw(st.integers(1, _floor(price, min(acap, ccap - icap))))
    adv = ProductRequest(_A, medium, adv_amount, full)
    good_progress = Progress(wp.end, True, price, advance_paid_on=wp.start, certified_on=wp.end)
    inter = ProductRequest(
        _I, medium, draw(st.integers(1, _floor(price, icap))), full, good_progress
    )
    contract = ProductRequest(
        _C, medium, draw(st.integers(_ceil(price, policy.contract_share(w)), price)), full
    )
    optional_contract = [contract] if draw(st.booleans()) else []
    email: str | None = draw(emails())
    k = draw(st.integers(1, 1000))
    requests: list[ProductRequest]
    existing: list[GuaranteeContract] = []
    principal_override: Principal | None = None

    if code == r.POLICY_OBLIGEE_MISMATCH.code:
        requests = [adv, *optional_contract]
        policy = evolve(policy, obligee_code=w.obligee.code + "-x")
    elif code == r.ELECTRONIC_REQUIRES_EMAIL.code:
        requests = [evolve(adv, medium=Medium.ELECTRONIC), *optional_contract]
        email = None
    elif code == r.DUPLICATE_PRODUCT.code:
        requests = [adv, contract, contract]
    elif code == r.UNKNOWN_PRODUCT.code:
        requests = [adv, evolve(contract, product="no_such_product")]
    elif code == r.ELECTRONIC_NOT_ACCEPTED.code:
        requests = [evolve(adv, medium=Medium.ELECTRONIC), *optional_contract]
        policy = draw(
            st.sampled_from(
                [
                    evolve(policy, electronic_from=None),
                    evolve(policy, electronic_from=w.announced_on + timedelta(days=k)),
                    evolve(policy, excluded_works=frozenset({w.number})),
                ]
            )
        )
    elif code == r.AMOUNT_EXCEEDS_CONTRACT_PRICE.code:
        requests = [adv, evolve(contract, amount=price + k)]
    elif code == r.PERIOD_OUTSIDE_WORKS.code:
        requests = [
            evolve(adv, period=Period(wp.start - timedelta(days=k), wp.end)),
            *optional_contract,
        ]
    elif code == r.PERIOD_NOT_ENDING_AT_COMPLETION.code:
        cut = draw(st.integers(1, wp.days - 1))
        requests = [
            evolve(adv, period=Period(wp.start, wp.end - timedelta(days=cut))),
            *optional_contract,
        ]
    elif code == r.ADVANCE_CAP_EXCEEDED.code:
        requests = [evolve(adv, amount=_floor(price, acap) + k), *optional_contract]
    elif code == r.INTERMEDIATE_CAP_EXCEEDED.code:
        requests = [evolve(adv, amount=k), evolve(inter, amount=_floor(price, icap) + k)]
    elif code == r.COMBINED_CAP_EXCEEDED.code:
        policy = evolve(policy, combined_cap=(acap + icap) / 2)
        requests = [
            evolve(adv, amount=_floor(price, acap)),
            evolve(inter, amount=_floor(price, icap)),
            *optional_contract,
        ]
    elif code == r.INTERMEDIATE_REQUIRES_ADVANCE.code:
        requests = [inter]
    elif code == r.INTERMEDIATE_PROGRESS_MISSING.code:
        requests = [adv, evolve(inter, progress=None)]
    elif code == r.INTERMEDIATE_HALF_PERIOD_NOT_ELAPSED.code:
        offset = draw(st.integers(-30, wp.days // 2 - 1))
        as_of = wp.start + timedelta(days=offset)
        progress = evolve(good_progress, as_of=as_of, advance_paid_on=min(wp.start, as_of))
        requests = [adv, evolve(inter, progress=progress)]
    elif code == r.INTERMEDIATE_SCHEDULED_WORK_NOT_DONE.code:
        requests = [adv, evolve(inter, progress=evolve(good_progress, scheduled_work_done=False))]
    elif code == r.INTERMEDIATE_PROGRESS_BELOW_HALF.code:
        low = draw(st.integers(0, _ceil(price, Fraction(1, 2)) - 1))
        requests = [adv, evolve(inter, progress=evolve(good_progress, completed_value=low))]
    elif code == r.INTERMEDIATE_ADVANCE_NOT_PAID.code:
        paid = draw(st.sampled_from([None, wp.end + timedelta(days=k)]))
        requests = [adv, evolve(inter, progress=evolve(good_progress, advance_paid_on=paid))]
    elif code == r.INTERMEDIATE_NOT_CERTIFIED.code:
        certified = draw(st.sampled_from([None, wp.end - timedelta(days=k)]))
        requests = [adv, evolve(inter, progress=evolve(good_progress, certified_on=certified))]
    elif code == r.INTERMEDIATE_NOT_FOR_KIND.code:
        policy = evolve(policy, intermediate_kinds=frozenset(WorksKind) - {w.kind})
        requests = [adv, inter]
    elif code == r.INTERMEDIATE_PERIOD_TOO_SHORT.code:
        policy = evolve(policy, intermediate_min_days=wp.days + draw(st.integers(1, 300)))
        requests = [adv, inter]
    elif code == r.ADVANCE_PRICE_BELOW_MINIMUM.code:
        policy = evolve(policy, advance_min_price=price + k)
        requests = [adv, *optional_contract]
    elif code == r.ADVANCE_NOT_IN_UNITS.code:
        unit = 100_000
        policy = evolve(policy, advance_unit=unit)
        units = draw(st.integers(1, _floor(price, min(acap, ccap - icap)) // unit))
        odd = unit * units - draw(st.integers(1, unit - 1))
        requests = [evolve(adv, amount=odd), *optional_contract]
    elif code == r.CONTRACT_GUARANTEE_BELOW_MINIMUM.code:
        low = draw(st.integers(1, _ceil(price, policy.contract_share(w)) - 1))
        requests = [adv, evolve(contract, amount=low)]
    elif code == r.CONTRACT_GUARANTEE_NOT_FROM_CONTRACT.code:
        late = wp.start + timedelta(days=draw(st.integers(1, wp.days - 1)))
        requests = [adv, evolve(contract, period=Period(late, wp.end))]
    elif code == r.PRODUCT_ALREADY_ON_WORKS.code:
        requests = [adv, contract]
        existing = [_contract(draw, w, _C, contract.amount, full, medium, wp.start)]
    elif code.startswith("JOINT_VENTURE_"):
        requests = [adv, *optional_contract]
        jv = draw(joint_ventures(size=st.integers(3, 5)))
        members = jv.members
        if code == r.JOINT_VENTURE_TOO_FEW_MEMBERS.code:
            head = next(m for m in members if m.representative)
            members = (evolve(head, share=Fraction(1)),)
        elif code == r.JOINT_VENTURE_SHARES_NOT_WHOLE.code:
            members = members[:-1]  # the shares of the others no longer add up to 1
            if not any(m.representative for m in members):
                members = (evolve(members[0], representative=True), *members[1:])
                jv = evolve(
                    jv,
                    corporate_number=members[0].corporate_number,
                    kind=members[0].kind,
                    customer_number=members[0].customer_number,
                )
        else:
            members = tuple(evolve(m, representative=False) for m in members)
        principal_override = evolve(jv, members=members)
    else:  # CONTRACT_GUARANTEE_ADVANCE_NOT_PLANNED
        w = evolve(w, advance_planned=False)
        requests = [contract]
    application = Application(
        reference=draw(st.from_regex(r"APP-[0-9]{1,8}", fullmatch=True)),
        principal=principal_override or draw(principals()),
        works=w,
        requests=tuple(draw(st.permutations(requests))),
        applied_on=wp.start,
        notification_email=email,
    )
    return ApplicationCase(
        application, policy, tuple(existing), default_products(), frozenset({code})
    )


# --- contracts and amendments -------------------------------------------------------------


def _next_effective(draw: st.DrawFn, contract: GuaranteeContract, max_days: int) -> date:
    current = contract.current.effective_on
    room = max(0, min(max_days, (contract.period.end - current).days))
    return current + timedelta(days=draw(st.integers(0, room)))


def _lowest_amount(contract: GuaranteeContract, policy: ObligeePolicy) -> int:
    if contract.product == _C:
        return _ceil(contract.works.contract_price, policy.contract_share(contract.works))
    return policy.advance_unit


def _in_units(contract: GuaranteeContract, policy: ObligeePolicy, amount: int) -> int:
    """``amount`` rounded down to the obligee's advance unit (advance-type products)."""
    if contract.product == _C:
        return amount
    return max(policy.advance_unit, amount // policy.advance_unit * policy.advance_unit)


@st.composite
def _contract_case(
    draw: st.DrawFn, *, product: Any, medium: Any, works: Any, max_amendments: int
) -> tuple[GuaranteeContract, ApplicationCase]:
    chosen: str | None = draw(_part(product, st.none()))
    combos = [c for c in _COMBOS if chosen is None or chosen in c] or list(_COMBOS)
    case: ApplicationCase = draw(
        application_cases(works=works, medium=medium, products=st.sampled_from(combos))
    )
    candidates = [q for q in case.application.requests if chosen is None or q.product == chosen]
    if not candidates:
        # a product outside the default combinations (a host product): nothing to draw
        assume(False)
    request = draw(st.sampled_from(candidates))
    issued_on = case.application.applied_on
    w = case.application.works
    contract = GuaranteeContract(
        number=draw(contract_numbers()),
        product=request.product,
        principal=case.application.principal,
        surety=draw(sureties()),
        medium=request.medium,
        issued_on=issued_on,
        versions=(GuaranteeVersion(1, request.amount, request.period, w, issued_on, "当初"),),
        application_reference=case.application.reference,
    )
    for _ in range(draw(st.integers(0, max_amendments))):
        low = _lowest_amount(contract, case.policy)
        amendment = Amendment(
            amount=_in_units(
                contract, case.policy, draw(st.integers(low, max(low, contract.amount)))
            ),
            period=contract.period,
            works=contract.works,
            effective_on=_next_effective(draw, contract, 60),
            reason=draw(st.sampled_from(["請負代金額の変更", "前払金の減額", "変更"])),
        )
        contract = amend(contract, amendment, case.policy, existing=case.existing)
    return contract, case


@st.composite
def guarantee_contracts(
    draw: st.DrawFn,
    *,
    product: Any = None,
    medium: Any = None,
    status: Any = None,
    works: Any = None,
    max_amendments: int = 3,
) -> GuaranteeContract:
    """Guarantee contracts issued from a valid application, with 0..``max_amendments`` valid
    amendments, in any status (``status`` replaces it; final ones via release/expire/claim)."""
    contract, _ = draw(
        _contract_case(product=product, medium=medium, works=works, max_amendments=max_amendments)
    )
    statuses = list(GuaranteeStatus)
    target: GuaranteeStatus = draw(_part(status, st.sampled_from(statuses)))
    last = max(contract.issued_on, contract.current.effective_on)
    if target is GuaranteeStatus.RELEASED:
        on = last + timedelta(days=draw(st.integers(0, max(0, (contract.period.end - last).days))))
        contract = release(contract, on)
    elif target is GuaranteeStatus.COMPLETED:
        on = last + timedelta(days=draw(st.integers(0, max(0, (contract.period.end - last).days))))
        contract = complete(contract, on)
    elif target is GuaranteeStatus.EXPIRED:
        contract = expire(contract, max(last, contract.period.end + timedelta(days=1)))
    elif target is GuaranteeStatus.CLAIMED and contract.product == _C:
        contract, _settlement = claim(
            contract, last, penalty=draw(st.integers(0, contract.amount * 2))
        )
    elif target is GuaranteeStatus.CLAIMED:
        contract, _settlement = claim(
            contract,
            last,
            advance_paid=contract.amount,
            completed_value=draw(st.integers(0, contract.amount)),
            partial_payments=draw(st.integers(0, contract.amount)),
        )
    return contract


@st.composite
def amendment_cases(
    draw: st.DrawFn, *, product: Any = None, medium: Any = None, works: Any = None
) -> AmendmentCase:
    """A contract in force and a valid amendment of it (amount kept or reduced); an advance
    guarantee may see the contract price cut within the obligee's repayment threshold."""
    contract, case = draw(
        _contract_case(product=product, medium=medium, works=works, max_amendments=2)
    )
    low = _lowest_amount(contract, case.policy)
    amount = _in_units(contract, case.policy, draw(st.integers(low, max(low, contract.amount))))
    amended_works = contract.works
    if contract.product == _A and not case.existing and draw(st.booleans()):
        price = contract.works.contract_price
        floor_price = max(amount, _ceil(amount, 1 / case.policy.repayment_threshold))
        if floor_price < price:
            new_price = draw(st.integers(floor_price, price - 1))
            amended_works = evolve(contract.works, contract_price=new_price)
    amendment = Amendment(
        amount=amount,
        period=contract.period,
        works=amended_works,
        effective_on=_next_effective(draw, contract, 30),
        reason="変更",
        medium=draw(st.sampled_from([None, contract.medium])),
    )
    return AmendmentCase(
        contract, amendment, case.policy, case.existing, case.products, contract.version + 1
    )


@st.composite
def invalid_amendments(draw: st.DrawFn, *, rule_code: Any = None) -> AmendmentCase:
    """An amendment valid but for exactly one rule of :data:`AMENDMENT_RULE_CODES`."""
    code: str = draw(_part(rule_code, st.sampled_from(sorted(AMENDMENT_RULE_CODES))))
    if code not in AMENDMENT_RULE_CODES:
        raise ValueError(f"invalid_amendments cannot break {code!r}")
    case: AmendmentCase = draw(amendment_cases(product=_A))
    contract, amendment = case.contract, case.amendment
    policy = evolve(case.policy, advance_unit=1)  # only the rule chosen is broken
    as_version = case.as_version
    k = draw(st.integers(1, 30))
    if code == r.MEDIUM_FIXED.code:
        other = Medium.PAPER if contract.medium is Medium.ELECTRONIC else Medium.ELECTRONIC
        amendment = evolve(amendment, medium=other)
    elif code == r.AMENDMENT_AFTER_FINAL.code:
        final = draw(
            st.sampled_from(
                [
                    GuaranteeStatus.RELEASED,
                    GuaranteeStatus.CLAIMED,
                    GuaranteeStatus.EXPIRED,
                    GuaranteeStatus.COMPLETED,
                ]
            )
        )
        contract = evolve(contract, status=final, status_on=contract.current.effective_on)
    elif code == r.AMENDMENT_VERSION_NOT_INCREASING.code:
        as_version = draw(
            st.integers(1, contract.version) | st.integers(contract.version + 2, 10_000)
        )
    elif code == r.AMENDMENT_EFFECTIVE_DATE_BACKWARDS.code:
        amendment = evolve(
            amendment, effective_on=contract.current.effective_on - timedelta(days=k)
        )
    elif code == r.AMENDMENT_OTHER_WORKS.code:
        w = amendment.works
        moved = draw(
            st.sampled_from(
                [
                    evolve(w, number=w.number + "-B"),
                    evolve(w, announced_on=w.announced_on + timedelta(days=k)),
                    evolve(w, announced_on=w.announced_on - timedelta(days=k)),
                ]
            )
        )
        amendment = evolve(amendment, works=moved)
    elif code == r.ADVANCE_ABOVE_REPAYMENT_THRESHOLD.code:
        # cut the price so that the advance kept exceeds the threshold of the new price
        amount = contract.amount
        share = policy.repayment_threshold
        top = _ceil(amount, 1 / share) - 1  # the highest price under which amount > share x price
        assume(amount <= top < contract.works.contract_price)
        new_price = draw(st.integers(amount, top))
        amendment = evolve(
            amendment,
            amount=amount,
            works=evolve(amendment.works, contract_price=new_price),
        )
    elif code == r.ADVANCE_CAP_EXCEEDED.code:
        w = contract.works  # the price unchanged: an increase above the cap
        amendment = evolve(
            amendment, works=w, amount=_floor(w.contract_price, policy.advance_cap(w.kind)) + k
        )
        policy = evolve(policy, combined_cap=Fraction(1))  # only the advance cap is broken
    else:  # POLICY_OBLIGEE_MISMATCH
        policy = evolve(policy, obligee_code=policy.obligee_code + "-x")
    return AmendmentCase(
        contract, amendment, policy, case.existing, case.products, as_version, frozenset({code})
    )


# --- fees ---------------------------------------------------------------------------------


@st.composite
def rate_tables(draw: st.DrawFn, *, products: Any = None, refundable: Any = None) -> RateTable:
    """Rate tables for the given product codes (default: the three default products)."""
    product_codes: tuple[str, ...] = draw(_part(products, st.just((_A, _I, _C))))
    rates = []
    for product in product_codes:
        bounds = sorted(draw(st.sets(st.integers(1, 10**11), max_size=3)))
        bands = [RateBand(b, Fraction(draw(st.integers(0, 200)), 10_000)) for b in bounds]
        bands.append(RateBand(None, Fraction(draw(st.integers(0, 200)), 10_000)))
        rates.append(
            ProductRate(
                product,
                tuple(bands),
                draw(st.integers(0, 10_000)),
                refundable=draw(_part(refundable, st.booleans())),
                refund_deduction=draw(st.integers(0, 5_000)),
            )
        )
    return RateTable(
        name=draw(st.sampled_from(["SAMPLE", "host table", "料率表"])),
        rates=tuple(rates),
        day_count=draw(st.sampled_from(DayCount)),
        rounding=draw(st.sampled_from(Rounding)),
        rounding_unit=draw(st.sampled_from([1, 10, 100])),
    )
