"""Property tests of every rule: valid data passes, each violation is reported with its code."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from attrs import evolve
from hypothesis import given
from hypothesis import strategies as st

from surety_core import (
    ADVANCE_PAYMENT,
    CONTRACT_GUARANTEE,
    INTERMEDIATE_ADVANCE_PAYMENT,
    RULES,
    Amendment,
    Application,
    GuaranteeContract,
    GuaranteeStatus,
    GuaranteeVersion,
    InvalidInputError,
    Medium,
    ObligeePolicy,
    Period,
    ProductRequest,
    Progress,
    RuleSource,
    RuleViolationError,
    Surety,
    Works,
    WorksKind,
    amend,
    check_amendment,
    check_application,
    claim,
    complete,
    default_products,
    expire,
    fee_coverage,
    pay_claim,
    receive_claim,
    refund_on_release,
    reject_claim,
    release,
    sample_rate_table,
    validate_amendment,
    validate_application,
)
from surety_core.testing import samples
from surety_core.testing import strategies as s

CITY = samples.city()
WORKS = samples.road_works(name="市道改良工事")
PRINCIPAL = samples.contractor(address="千葉県柏市")
POLICY = samples.city_policy()
FULL = WORKS.period


def req(
    product: str, amount: int, medium: Medium = Medium.ELECTRONIC, **kw: object
) -> ProductRequest:
    return ProductRequest(product, medium, amount, kw.pop("period", FULL), **kw)  # type: ignore[arg-type]


def app(*requests: ProductRequest, email: str | None = "keiri@toukatsu.example") -> Application:
    return Application("APP-1", PRINCIPAL, WORKS, requests, date(2025, 3, 20), email)


def contract(
    product: str = ADVANCE_PAYMENT, amount: int = 40_000_000, **kw: object
) -> GuaranteeContract:
    return GuaranteeContract(
        number="0000000001",
        product=product,
        principal=PRINCIPAL,
        surety=Surety("東日本建設業保証株式会社", "ejcs"),
        medium=kw.pop("medium", Medium.ELECTRONIC),  # type: ignore[arg-type]
        issued_on=date(2025, 4, 1),
        versions=(GuaranteeVersion(1, amount, FULL, WORKS, date(2025, 4, 1), "当初"),),
        **kw,  # type: ignore[arg-type]
    )


def codes_of(case: s.ApplicationCase) -> set[str]:
    found = validate_application(
        case.application, case.policy, products=case.products, existing=case.existing
    )
    return {v.code for v in found}


def amendment_codes(case: s.AmendmentCase) -> set[str]:
    found = validate_amendment(
        case.contract,
        case.amendment,
        case.policy,
        products=case.products,
        existing=case.existing,
        as_version=case.as_version,
    )
    return {v.code for v in found}


# --- the catalogue --------------------------------------------------------------------------


def test_catalogue_entries_are_complete() -> None:
    assert len(RULES) >= 25
    for rule in RULES:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", rule.code)
        assert rule.message_ja
        assert rule.message_en
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", rule.message_ja)
        assert isinstance(rule.source, RuleSource)
        assert RULES[rule.code] is rule


# --- valid data passes ----------------------------------------------------------------------


@given(s.application_cases())
def test_valid_applications_pass(case: s.ApplicationCase) -> None:
    assert codes_of(case) == set()
    check_application(case.application, case.policy, products=case.products, existing=case.existing)


@given(s.amendment_cases())
def test_valid_amendments_pass_and_apply(case: s.AmendmentCase) -> None:
    assert amendment_codes(case) == set()
    amended = amend(
        case.contract,
        case.amendment,
        case.policy,
        products=case.products,
        existing=case.existing,
        as_version=case.as_version,
    )
    assert amended.version == case.contract.version + 1
    assert amended.versions[:-1] == case.contract.versions
    assert amended.medium is case.contract.medium
    assert amended.amount == case.amendment.amount


# --- each violation is reported with its code -----------------------------------------------


@pytest.mark.parametrize("code", sorted(s.APPLICATION_RULE_CODES))
def test_each_application_rule_is_reported(code: str) -> None:
    @given(s.invalid_applications(rule_code=code))
    def check(case: s.ApplicationCase) -> None:
        assert codes_of(case) == {code}
        with pytest.raises(RuleViolationError) as info:
            check_application(
                case.application, case.policy, products=case.products, existing=case.existing
            )
        assert set(info.value.codes) == {code}

    check()


@pytest.mark.parametrize("code", sorted(s.AMENDMENT_RULE_CODES))
def test_each_amendment_rule_is_reported(code: str) -> None:
    @given(s.invalid_amendments(rule_code=code))
    def check(case: s.AmendmentCase) -> None:
        assert amendment_codes(case) == {code}
        with pytest.raises(RuleViolationError) as info:
            amend(
                case.contract,
                case.amendment,
                case.policy,
                products=case.products,
                existing=case.existing,
                as_version=case.as_version,
            )
        assert set(info.value.codes) == {code}

    check()


@given(s.application_cases(products=(ADVANCE_PAYMENT, CONTRACT_GUARANTEE)))
def test_several_violations_are_all_reported(case: s.ApplicationCase) -> None:
    a = case.application
    broken = evolve(
        a,
        requests=(
            *(evolve(q, medium=Medium.ELECTRONIC) for q in a.requests),
            ProductRequest("bid_bond", Medium.PAPER, 1, FULL),
        ),
        notification_email=None,
    )
    policy = evolve(case.policy, obligee_code=case.policy.obligee_code + "-x", electronic_from=None)
    found = validate_application(broken, policy, existing=case.existing)
    codes = [v.code for v in found]
    assert set(codes) == {
        "POLICY_OBLIGEE_MISMATCH",
        "ELECTRONIC_REQUIRES_EMAIL",
        "UNKNOWN_PRODUCT",
        "ELECTRONIC_NOT_ACCEPTED",
    }
    # one electronic-acceptance violation per electronic request, each at its own path
    assert codes.count("ELECTRONIC_NOT_ACCEPTED") == len(a.requests)
    with pytest.raises(RuleViolationError) as info:
        check_application(broken, policy, existing=case.existing)
    assert len(info.value.violations) == len(found)


def test_example_with_many_violations() -> None:
    application = app(
        req(ADVANCE_PAYMENT, 40_000_001),
        req(CONTRACT_GUARANTEE, 5_000_000, period=Period(date(2025, 4, 1), date(2026, 4, 30))),
        req(CONTRACT_GUARANTEE, 10_000_000),
        email=None,
    )
    found = validate_application(application, POLICY)
    assert [(v.code, v.path) for v in found] == [
        ("ELECTRONIC_REQUIRES_EMAIL", "notification_email"),
        ("ADVANCE_CAP_EXCEEDED", "requests[0].amount"),
        ("PERIOD_NOT_ENDING_AT_COMPLETION", "requests[1].period"),
        ("CONTRACT_GUARANTEE_BELOW_MINIMUM", "requests[1].amount"),
        ("DUPLICATE_PRODUCT", "requests[2].product"),
    ]
    assert all(v.message_ja and v.message_en for v in found)


# --- specific rules, by example -------------------------------------------------------------


def test_mixed_media_across_products_of_the_same_works_is_allowed() -> None:
    mixed = app(
        req(ADVANCE_PAYMENT, 40_000_000, Medium.ELECTRONIC),
        req(CONTRACT_GUARANTEE, 10_000_000, Medium.PAPER),
    )
    assert validate_application(mixed, POLICY) == ()
    reverse = app(
        req(ADVANCE_PAYMENT, 40_000_000, Medium.PAPER),
        req(CONTRACT_GUARANTEE, 30_000_000, Medium.ELECTRONIC),
    )
    assert validate_application(reverse, POLICY) == ()


@given(s.application_cases(products=(ADVANCE_PAYMENT, CONTRACT_GUARANTEE)), st.data())
def test_mixed_media_property(case: s.ApplicationCase, data: st.DataObject) -> None:
    policy = evolve(
        case.policy, electronic_from=case.application.works.announced_on, excluded_works=()
    )
    media = data.draw(st.lists(st.sampled_from(Medium), min_size=2, max_size=2))
    a = evolve(
        case.application,
        requests=tuple(
            evolve(q, medium=m) for q, m in zip(case.application.requests, media, strict=True)
        ),
        notification_email="a@b.jp",
    )
    assert validate_application(a, policy, existing=case.existing) == ()


def test_electronic_only_from_the_obligee_start_date() -> None:
    on_start = evolve(POLICY, electronic_from=WORKS.announced_on)
    after = evolve(POLICY, electronic_from=WORKS.announced_on + timedelta(days=1))
    a = app(req(ADVANCE_PAYMENT, 40_000_000))
    assert validate_application(a, on_start) == ()
    assert [v.code for v in validate_application(a, after)] == ["ELECTRONIC_NOT_ACCEPTED"]
    # paper is always allowed
    paper = app(req(ADVANCE_PAYMENT, 40_000_000, Medium.PAPER), email=None)
    assert validate_application(paper, ObligeePolicy("kashiwa")) == ()


def test_amendments_of_works_announced_before_the_start_date_are_excluded() -> None:
    after = evolve(POLICY, electronic_from=WORKS.announced_on + timedelta(days=1))
    amendment = Amendment(30_000_000, FULL, WORKS, date(2025, 6, 1), "減額")
    codes = [v.code for v in validate_amendment(contract(), amendment, after)]
    assert codes == ["ELECTRONIC_NOT_ACCEPTED"]
    paper = contract(medium=Medium.PAPER)
    assert validate_amendment(paper, amendment, after) == ()


def test_intermediate_needs_an_advance_in_the_application_or_existing() -> None:
    progress = Progress(date(2025, 10, 1), True, 50_000_000, date(2025, 4, 10), date(2025, 10, 1))
    inter = req(INTERMEDIATE_ADVANCE_PAYMENT, 20_000_000, progress=progress)
    alone = validate_application(app(inter), POLICY)
    assert [v.code for v in alone] == ["INTERMEDIATE_REQUIRES_ADVANCE"]
    assert validate_application(app(inter), POLICY, existing=[contract()]) == ()
    # an advance on other works does not count, nor one no longer in force
    other = evolve(WORKS, number="R7-999")
    elsewhere = evolve(
        contract(), versions=(GuaranteeVersion(1, 1, FULL, other, date(2025, 4, 1), "当初"),)
    )
    released = release(contract(), date(2025, 5, 1))
    for existing in ([elsewhere], [released]):
        found = validate_application(app(inter), POLICY, existing=existing)
        assert [v.code for v in found] == ["INTERMEDIATE_REQUIRES_ADVANCE"]
    # the existing advance counts towards the combined cap: 40 M + 20 M + 1 > 6/10
    too_much = req(INTERMEDIATE_ADVANCE_PAYMENT, 20_000_001, progress=progress)
    found = validate_application(app(too_much), POLICY, existing=[contract()])
    assert {v.code for v in found} == {"COMBINED_CAP_EXCEEDED", "INTERMEDIATE_CAP_EXCEEDED"}


def test_half_period_boundary() -> None:
    # 365 days: more than half elapsed means at least 183 days counting the start day.
    day_182 = WORKS.period.start + timedelta(days=181)
    day_183 = WORKS.period.start + timedelta(days=182)
    for as_of, expected in ((day_182, ["INTERMEDIATE_HALF_PERIOD_NOT_ELAPSED"]), (day_183, [])):
        inter = req(
            INTERMEDIATE_ADVANCE_PAYMENT,
            20_000_000,
            progress=Progress(as_of, True, 50_000_000, date(2025, 4, 10), as_of),
        )
        found = validate_application(app(req(ADVANCE_PAYMENT, 40_000_000), inter), POLICY)
        assert [v.code for v in found] == expected


def test_consulting_cap_and_policy_configurable_caps() -> None:
    consulting = evolve(WORKS, kind=WorksKind.CONSULTING)
    a = evolve(app(req(ADVANCE_PAYMENT, 30_000_001)), works=consulting)
    assert [v.code for v in validate_application(a, POLICY)] == ["ADVANCE_CAP_EXCEEDED"]
    generous = evolve(POLICY, advance_cap_consulting=POLICY.advance_cap_construction)
    assert validate_application(a, generous) == ()
    strict = evolve(POLICY, contract_min_share=POLICY.advance_cap_consulting)
    c = app(req(ADVANCE_PAYMENT, 40_000_000), req(CONTRACT_GUARANTEE, 10_000_000))
    assert [v.code for v in validate_application(c, strict)] == ["CONTRACT_GUARANTEE_BELOW_MINIMUM"]


def test_validators_refuse_wrong_types() -> None:
    a = app(req(ADVANCE_PAYMENT, 40_000_000))
    bad_calls: list[Callable[[], object]] = [
        lambda: validate_application("x", POLICY),  # type: ignore[arg-type]
        lambda: validate_application(a, "kashiwa"),  # type: ignore[arg-type]
        lambda: validate_application(a, POLICY, products={}),  # type: ignore[arg-type]
        lambda: validate_application(a, POLICY, existing=["x"]),  # type: ignore[list-item]
        lambda: validate_application(a, POLICY, existing=5),  # type: ignore[arg-type]
        lambda: validate_amendment(contract(), "x", POLICY),  # type: ignore[arg-type]
        lambda: check_amendment(contract(), a, POLICY),  # type: ignore[arg-type]
        lambda: validate_amendment(
            contract(),
            Amendment(1, FULL, WORKS, date(2025, 5, 1), "x"),
            POLICY,
            as_version="2",  # type: ignore[arg-type]
        ),
    ]
    for call in bad_calls:
        with pytest.raises(InvalidInputError):
            call()


# --- every rule in the catalogue is exercised -----------------------------------------------


def _raised(call: Callable[[], object]) -> set[str]:
    with pytest.raises(RuleViolationError) as info:
        call()
    return set(info.value.codes)


LIFECYCLE_TRIGGERS: dict[str, Callable[[], set[str]]] = {
    "STATUS_TRANSITION_NOT_ALLOWED": lambda: (
        _raised(lambda: release(expire(contract(), date(2026, 4, 1)), date(2026, 4, 2)))
        - {"RELEASE_AFTER_PERIOD_END"}
    ),
    "STATUS_DATE_BEFORE_LAST_CHANGE": lambda: _raised(
        lambda: release(contract(), date(2025, 3, 31))
    ),
    "EXPIRY_BEFORE_PERIOD_END": lambda: _raised(lambda: expire(contract(), date(2026, 3, 31))),
    "CLAIM_NOT_ALLOWED_FOR_PRODUCT": lambda: _raised(
        lambda: claim(
            contract(CONTRACT_GUARANTEE, 10_000_000),
            date(2025, 9, 1),
            penalty=1,
            products=default_products().with_product(
                evolve(default_products().get(CONTRACT_GUARANTEE), claimable=False)
            ),
        )
    ),
    "CLAIM_PENALTY_MISSING": lambda: _raised(
        lambda: claim(contract(CONTRACT_GUARANTEE, 10_000_000), date(2025, 9, 1))
    ),
    "CLAIM_DEFAULT_OUTSIDE_PERIOD": lambda: _raised(
        lambda: claim(
            expire(contract(), date(2026, 4, 1)),
            date(2026, 5, 1),
            advance_paid=40_000_000,
            completed_value=0,
            default_on=date(2026, 4, 15),
        )
    ),
    "REFUND_NOT_ALLOWED": lambda: _raised(
        lambda: refund_on_release(
            sample_rate_table(),
            contract(CONTRACT_GUARANTEE, 10_000_000),
            fee_paid=10_000,
            released_on=date(2025, 9, 1),
        )
    ),
    "RELEASE_AFTER_PERIOD_END": lambda: _raised(lambda: release(contract(), date(2026, 4, 1))),
    "COMPLETION_AFTER_PERIOD_END": lambda: _raised(lambda: complete(contract(), date(2026, 4, 1))),
    "CLAIM_STEP_NOT_ALLOWED": lambda: _raised(
        lambda: pay_claim(
            receive_claim(contract(), date(2025, 9, 1), claimed_amount=1), date(2025, 9, 2)
        )
    ),
    "FEE_NOT_RECEIVED": lambda: {
        v.code for v in fee_coverage(due=1, payments=(), arrangement=None).violations()
    },
    "CLAIM_STEP_DATE_BACKWARDS": lambda: _raised(
        lambda: reject_claim(
            receive_claim(contract(), date(2025, 9, 1), claimed_amount=1),
            date(2025, 8, 31),
            reason="x",
        )
    ),
}


@pytest.mark.parametrize("code", sorted(LIFECYCLE_TRIGGERS))
def test_lifecycle_rules_are_reported(code: str) -> None:
    assert LIFECYCLE_TRIGGERS[code]() == {code}


def test_every_rule_in_the_catalogue_is_exercised() -> None:
    covered = (
        s.APPLICATION_RULE_CODES
        | s.AMENDMENT_RULE_CODES
        | s.PRINCIPAL_RULE_CODES
        | set(LIFECYCLE_TRIGGERS)
    )
    assert {r.code for r in RULES} == covered


def test_amendment_after_final_states() -> None:
    amendment = Amendment(30_000_000, FULL, WORKS, date(2026, 4, 2), "減額")
    for final in (
        release(contract(), date(2025, 9, 1)),
        expire(contract(), date(2026, 4, 1)),
        claim(contract(), date(2025, 9, 1), advance_paid=40_000_000, completed_value=1)[0],
    ):
        assert final.status is not GuaranteeStatus.ISSUED
        assert "AMENDMENT_AFTER_FINAL" in {
            v.code for v in validate_amendment(final, amendment, POLICY)
        }


def test_an_amendment_cannot_move_the_announcement_date_or_kind() -> None:
    after = evolve(POLICY, electronic_from=WORKS.announced_on + timedelta(days=1))
    paper = contract(medium=Medium.PAPER)
    moved = evolve(WORKS, announced_on=WORKS.announced_on + timedelta(days=10))
    amendment = Amendment(30_000_000, FULL, moved, date(2025, 6, 1), "変更")
    assert [v.code for v in validate_amendment(paper, amendment, after)] == [
        "AMENDMENT_OTHER_WORKS"
    ]
    # a lower price is a normal amendment; the caps follow the new price
    cheaper = evolve(WORKS, contract_price=50_000_000)
    ok = Amendment(20_000_000, FULL, cheaper, date(2025, 6, 1), "請負代金額の減額")
    assert validate_amendment(contract(), ok, POLICY) == ()
    # keeping more of the advance than the repayment threshold (5/10 of the new price) is not
    over = evolve(ok, amount=25_000_001)
    assert [v.code for v in validate_amendment(contract(), over, POLICY)] == [
        "ADVANCE_ABOVE_REPAYMENT_THRESHOLD"
    ]
    # an increase is checked against the cap of the new price
    more = Amendment(40_000_001, FULL, WORKS, date(2025, 6, 1), "前払金の増額")
    assert [v.code for v in validate_amendment(contract(), more, POLICY)] == [
        "ADVANCE_CAP_EXCEEDED"
    ]
    consulting = evolve(WORKS, kind=WorksKind.CONSULTING)
    kind_change = Amendment(30_000_000, FULL, consulting, date(2025, 6, 1), "変更")
    assert [v.code for v in validate_amendment(contract(), kind_change, POLICY)] == [
        "AMENDMENT_OTHER_WORKS"
    ]


def test_violations_round_trip_through_json() -> None:
    from surety_core import from_json, to_json

    found = validate_application(app(req(ADVANCE_PAYMENT, 40_000_001), email=None), POLICY)
    assert len(found) == 2
    for violation in found:
        assert from_json(to_json(violation)) == violation


def test_progress_boundaries() -> None:
    # An even period of 366 days: exactly half elapsed (183 days) is not "more than half".
    even = evolve(WORKS, period=Period(date(2025, 4, 1), date(2026, 4, 1)))
    assert even.period.days == 366
    odd_price = evolve(even, contract_price=100_000_001)

    def codes(works: Works, as_of: date, completed: int) -> list[str]:
        inter = ProductRequest(
            INTERMEDIATE_ADVANCE_PAYMENT,
            Medium.PAPER,
            20_000_000,
            works.period,
            Progress(as_of, True, completed, works.period.start, as_of),
        )
        adv = ProductRequest(ADVANCE_PAYMENT, Medium.PAPER, 40_000_000, works.period)
        a = Application("APP-1", PRINCIPAL, works, (adv, inter), date(2025, 3, 20))
        return [v.code for v in validate_application(a, POLICY)]

    day_183 = even.period.start + timedelta(days=182)
    assert codes(even, day_183, 50_000_000) == ["INTERMEDIATE_HALF_PERIOD_NOT_ELAPSED"]
    assert codes(even, day_183 + timedelta(days=1), 50_000_000) == []
    # Completed value at least half the price: 50,000,000 < 100,000,001 / 2.
    late = day_183 + timedelta(days=1)
    assert codes(odd_price, late, 50_000_000) == ["INTERMEDIATE_PROGRESS_BELOW_HALF"]
    assert codes(odd_price, late, 50_000_001) == []
