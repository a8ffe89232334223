"""The rules as sureties and public bodies apply them (issue 13), with the figures it gives."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from attrs import evolve
from hypothesis import given
from hypothesis import strategies as st

from surety_core import (
    ADVANCE_PAYMENT,
    CONTRACT_GUARANTEE,
    INTERMEDIATE_ADVANCE_PAYMENT,
    Amendment,
    Application,
    ClaimBasis,
    ClaimSettlement,
    ClaimState,
    DateBasis,
    ElectronicAcceptance,
    GuaranteeContract,
    GuaranteeStatus,
    GuaranteeVersion,
    InvalidInputError,
    JointVentureMember,
    KindShare,
    Medium,
    Obligee,
    ObligeePolicy,
    Period,
    Principal,
    ProductRequest,
    Progress,
    RuleViolationError,
    Surety,
    Works,
    WorksKind,
    amend,
    assess_claim,
    claim,
    claim_payout,
    complete,
    expire,
    from_json,
    joint_advance_payouts,
    pay_claim,
    penalty_payout,
    receive_claim,
    reject_claim,
    to_json,
    validate_amendment,
    validate_application,
)

CITY = Obligee(name="柏市", code="kashiwa")
WORKS = Works(
    obligee=CITY,
    name="市道改良工事",
    number="R7-001",
    kind=WorksKind.CONSTRUCTION,
    contract_price=100_000_000,
    period=Period(date(2025, 4, 1), date(2026, 3, 31)),
    announced_on=date(2025, 3, 1),
    advance_planned=True,
)
PRINCIPAL = Principal("株式会社東葛建設", "7000012050002", "千葉県柏市")
SURETY = Surety("東日本建設業保証株式会社", "ejcs")
POLICY = ObligeePolicy("kashiwa", electronic_from=date(2025, 1, 1))
FULL = WORKS.period
M = 1_000_000


def app(*requests: ProductRequest, works: Works = WORKS) -> Application:
    return Application("APP-1", PRINCIPAL, works, requests, date(2025, 3, 20), "k@toukatsu.example")


def contract(
    product: str = ADVANCE_PAYMENT,
    amount: int = 40 * M,
    period: Period = FULL,
    number: str = "0000000001",
    works: Works = WORKS,
) -> GuaranteeContract:
    return GuaranteeContract(
        number=number,
        product=product,
        principal=PRINCIPAL,
        surety=SURETY,
        medium=Medium.ELECTRONIC,
        issued_on=date(2025, 3, 25),
        versions=(GuaranteeVersion(1, amount, period, works, date(2025, 3, 25), "当初"),),
    )


def codes(application: Application, existing: tuple[GuaranteeContract, ...] = ()) -> list[str]:
    return [v.code for v in validate_application(application, POLICY, existing=existing)]


# --- the contract guarantee comes first ----------------------------------------------------


def test_a_contract_guarantee_alone_is_sold_when_an_advance_is_planned() -> None:
    alone = app(ProductRequest(CONTRACT_GUARANTEE, Medium.ELECTRONIC, 10 * M, FULL))
    assert codes(alone) == []
    unplanned = app(
        ProductRequest(CONTRACT_GUARANTEE, Medium.ELECTRONIC, 10 * M, FULL),
        works=evolve(WORKS, advance_planned=False),
    )
    assert codes(unplanned) == ["CONTRACT_GUARANTEE_ADVANCE_NOT_PLANNED"]
    # an advance guarantee on the works also shows that an advance is planned
    assert codes(unplanned, existing=(contract(works=unplanned.works),)) == []


def test_the_advance_guarantee_follows_the_contract_guarantee() -> None:
    first = contract(CONTRACT_GUARANTEE, 10 * M)
    later = app(ProductRequest(ADVANCE_PAYMENT, Medium.ELECTRONIC, 40 * M, FULL))
    assert codes(later, existing=(first,)) == []


def test_a_low_bid_works_sets_its_own_contract_guarantee_share() -> None:
    low_bid = evolve(WORKS, contract_guarantee_share=Fraction(3, 10))
    ten = ProductRequest(CONTRACT_GUARANTEE, Medium.ELECTRONIC, 10 * M, FULL)
    assert codes(app(ten, works=low_bid)) == ["CONTRACT_GUARANTEE_BELOW_MINIMUM"]
    assert codes(app(evolve(ten, amount=30 * M), works=low_bid)) == []


# --- the contract guarantee's period -------------------------------------------------------


def test_a_contract_guarantee_runs_from_the_works_contract_to_completion() -> None:
    def of(period: Period) -> list[str]:
        return codes(app(ProductRequest(CONTRACT_GUARANTEE, Medium.ELECTRONIC, 10 * M, period)))

    one_day = date(2025, 10, 1)
    assert set(of(Period(one_day, one_day))) == {
        "CONTRACT_GUARANTEE_NOT_FROM_CONTRACT",
        "PERIOD_NOT_ENDING_AT_COMPLETION",
    }
    # concluded with the works contract, before the works period starts: allowed
    assert of(Period(date(2025, 3, 25), FULL.end)) == []
    assert of(FULL) == []
    assert of(Period(FULL.start, FULL.end - timedelta(days=1))) == [
        "PERIOD_NOT_ENDING_AT_COMPLETION"
    ]


def test_a_works_period_extension_extends_the_contract_guarantee() -> None:
    guarantee = contract(CONTRACT_GUARANTEE, 10 * M, Period(date(2025, 3, 25), FULL.end))
    extended_works = evolve(WORKS, period=Period(FULL.start, date(2026, 6, 30)))
    extended = Period(date(2025, 3, 25), date(2026, 6, 30))
    amendment = Amendment(10 * M, extended, extended_works, date(2026, 3, 1), "工期延長")
    amended = amend(guarantee, amendment, POLICY)
    assert amended.period.end == date(2026, 6, 30)
    # the works extended but the guarantee not: refused
    stale = evolve(amendment, period=guarantee.period)
    assert [v.code for v in validate_amendment(guarantee, stale, POLICY)] == [
        "PERIOD_NOT_ENDING_AT_COMPLETION"
    ]


# --- caps and one product per works count the works' existing guarantees --------------------


def test_a_second_advance_beside_an_existing_one_is_refused() -> None:
    existing = (contract(ADVANCE_PAYMENT, 30 * M),)
    second = app(ProductRequest(ADVANCE_PAYMENT, Medium.ELECTRONIC, 30 * M, FULL))
    assert set(codes(second, existing)) == {"ADVANCE_CAP_EXCEEDED", "PRODUCT_ALREADY_ON_WORKS"}
    assert codes(second) == []


def test_a_second_contract_guarantee_on_one_works_is_refused() -> None:
    existing = (contract(CONTRACT_GUARANTEE, 10 * M),)
    second = app(ProductRequest(CONTRACT_GUARANTEE, Medium.PAPER, 10 * M, FULL))
    assert codes(second, existing) == ["PRODUCT_ALREADY_ON_WORKS"]
    # a released one no longer counts
    released = (evolve(existing[0], status=GuaranteeStatus.RELEASED, status_on=date(2025, 5, 1)),)
    assert codes(second, released) == []


def test_the_intermediate_cap_counts_existing_intermediate_advances() -> None:
    existing = (contract(INTERMEDIATE_ADVANCE_PAYMENT, 15 * M, number="0000000002"),)
    policy = evolve(POLICY, combined_cap=Fraction(1))
    from surety_core.domain._products import RequestContext, Stage
    from surety_core.domain._standard import default_products, intermediate_cap

    products = default_products()
    request = ProductRequest(INTERMEDIATE_ADVANCE_PAYMENT, Medium.PAPER, 10 * M, FULL)
    ctx = RequestContext(
        request=request,
        product=products.get(INTERMEDIATE_ADVANCE_PAYMENT),
        path="requests[0]",
        works=WORKS,
        policy=policy,
        siblings=(),
        existing=existing,
        products=products,
        stage=Stage.APPLICATION,
    )
    assert [v.code for v in intermediate_cap(ctx)] == ["INTERMEDIATE_CAP_EXCEEDED"]


# --- cutting the contract price ------------------------------------------------------------


def test_cutting_the_price_keeps_the_advance_within_the_repayment_threshold() -> None:
    cheaper = evolve(WORKS, contract_price=90 * M)
    keep = Amendment(40 * M, FULL, cheaper, date(2025, 9, 1), "請負代金額の減額")
    assert validate_amendment(contract(), keep, POLICY) == ()
    # the obligee's threshold of 4/10: 40M > 36M must be repaid first
    strict = evolve(POLICY, repayment_threshold=Fraction(4, 10))
    assert [v.code for v in validate_amendment(contract(), keep, strict)] == [
        "ADVANCE_ABOVE_REPAYMENT_THRESHOLD"
    ]
    reduced = evolve(keep, amount=36 * M)
    assert validate_amendment(contract(), reduced, strict) == ()
    # a deep cut: 40M > 5/10 of 70M
    deep = evolve(keep, works=evolve(WORKS, contract_price=70 * M))
    assert [v.code for v in validate_amendment(contract(), deep, POLICY)] == [
        "ADVANCE_ABOVE_REPAYMENT_THRESHOLD"
    ]


def test_the_threshold_counts_the_intermediate_advance_at_six_tenths() -> None:
    adv = contract(ADVANCE_PAYMENT, 40 * M)
    inter = contract(INTERMEDIATE_ADVANCE_PAYMENT, 20 * M, number="0000000002")
    cheaper = evolve(WORKS, contract_price=100 * M - 1)
    keep = Amendment(40 * M, FULL, cheaper, date(2025, 12, 1), "請負代金額の減額")
    # 60M > 6/10 of 99,999,999
    assert [v.code for v in validate_amendment(adv, keep, POLICY, existing=(inter,))] == [
        "ADVANCE_ABOVE_REPAYMENT_THRESHOLD"
    ]
    assert validate_amendment(adv, keep, POLICY) == ()


# --- claims --------------------------------------------------------------------------------


def test_the_advance_claim_counts_the_partial_payments() -> None:
    assert (
        claim_payout(
            advance_paid=40 * M,
            partial_payments=20 * M,
            completed_value=50 * M,
            guaranteed_amount=40 * M,
        )
        == 10 * M
    )
    claimed, settlement = claim(
        contract(),
        date(2025, 10, 1),
        advance_paid=40 * M,
        partial_payments=20 * M,
        completed_value=50 * M,
    )
    assert claimed.status is GuaranteeStatus.CLAIMED
    assert settlement.payout == 10 * M
    assert settlement.partial_payments == 20 * M


def test_the_advance_and_the_intermediate_advance_are_settled_together() -> None:
    payouts = joint_advance_payouts(
        advances=[(40 * M, 40 * M), (20 * M, 20 * M)], completed_value=50 * M
    )
    assert payouts == (0, 10 * M)
    assert sum(payouts) == 10 * M
    # each settled on its own contract, the intermediate first
    inter = contract(INTERMEDIATE_ADVANCE_PAYMENT, 20 * M, number="0000000002")
    _, first = claim(inter, date(2025, 12, 1), advance_paid=60 * M, completed_value=50 * M)
    _, second = claim(
        contract(),
        date(2025, 12, 1),
        advance_paid=60 * M,
        completed_value=50 * M,
        paid_by_others=first.payout,
    )
    assert (first.payout, second.payout) == (10 * M, 0)


def test_a_claim_on_a_contract_guarantee_pays_the_penalty() -> None:
    guarantee = contract(CONTRACT_GUARANTEE, 10 * M)
    claimed, settlement = claim(guarantee, date(2025, 10, 1), penalty=12 * M)
    assert claimed.status is GuaranteeStatus.CLAIMED
    assert settlement.basis is ClaimBasis.PENALTY
    assert settlement.payout == 10 * M  # capped at the guaranteed amount
    assert claim(guarantee, date(2025, 10, 1), penalty=3 * M)[1].payout == 3 * M
    with pytest.raises(RuleViolationError) as info:
        claim(guarantee, date(2025, 10, 1))
    assert info.value.codes == ("CLAIM_PENALTY_MISSING",)


def test_a_claim_after_expiry_for_a_default_during_the_period() -> None:
    expired = expire(contract(), date(2026, 4, 1))
    claimed, settlement = claim(
        expired,
        date(2026, 5, 10),
        advance_paid=40 * M,
        completed_value=30 * M,
        default_on=date(2026, 3, 20),
    )
    assert claimed.status is GuaranteeStatus.CLAIMED
    assert settlement.default_on == date(2026, 3, 20)
    assert settlement.payout == 10 * M
    with pytest.raises(RuleViolationError) as info:
        claim(expired, date(2026, 5, 10), advance_paid=40 * M, completed_value=0)
    assert info.value.codes == ("CLAIM_DEFAULT_OUTSIDE_PERIOD",)


def test_an_advance_claim_needs_its_figures() -> None:
    with pytest.raises(InvalidInputError):
        claim(contract(), date(2025, 10, 1))


_YEN = st.integers(0, 10**10)


@given(paid=_YEN, partial=_YEN, done=_YEN, cap=st.integers(1, 10**10), others=_YEN)
def test_claim_payout_is_bounded(paid: int, partial: int, done: int, cap: int, others: int) -> None:
    payout = claim_payout(
        advance_paid=paid,
        partial_payments=partial,
        completed_value=done,
        guaranteed_amount=cap,
        paid_by_others=others,
    )
    assert 0 <= payout <= cap
    assert payout == max(0, min(paid + partial - done - others, cap))
    settlement = ClaimSettlement(
        "0000000001", ADVANCE_PAYMENT, date(2025, 1, 1), paid, done, cap, payout, partial, others
    )
    assert settlement.payout == payout
    with pytest.raises(InvalidInputError):
        evolve(settlement, payout=payout + 1)


@given(
    advances=st.lists(st.tuples(_YEN, st.integers(1, 10**10)), min_size=1, max_size=3),
    partial=_YEN,
    done=_YEN,
)
def test_joint_payouts_never_pay_more_than_owed(
    advances: list[tuple[int, int]], partial: int, done: int
) -> None:
    payouts = joint_advance_payouts(
        advances=advances, completed_value=done, partial_payments=partial
    )
    owed = max(0, sum(p for p, _ in advances) + partial - done)
    assert sum(payouts) <= owed
    for payout, (paid, cap) in zip(payouts, advances, strict=True):
        assert 0 <= payout <= min(paid, cap)
    # nothing owed is left unpaid while a guarantee still has room
    room = sum(min(p, c) for p, c in advances)
    assert sum(payouts) == min(owed, room)


@given(penalty=_YEN, cap=st.integers(1, 10**10))
def test_penalty_payout_is_the_penalty_capped(penalty: int, cap: int) -> None:
    assert penalty_payout(penalty=penalty, guaranteed_amount=cap) == min(penalty, cap)


# --- obligee policies as obligees write them -----------------------------------------------


def test_works_kinds_have_their_default_caps() -> None:
    for kind in (WorksKind.DESIGN, WorksKind.SURVEY, WorksKind.INVESTIGATION):
        works = evolve(WORKS, kind=kind)
        ok = ProductRequest(ADVANCE_PAYMENT, Medium.ELECTRONIC, 30 * M, FULL)
        assert codes(app(ok, works=works)) == []
        assert codes(app(evolve(ok, amount=30 * M + 1), works=works)) == ["ADVANCE_CAP_EXCEEDED"]
        assert kind.is_service
    manufacture = evolve(WORKS, kind=WorksKind.MANUFACTURE)
    assert not WorksKind.MANUFACTURE.is_service
    request = ProductRequest(ADVANCE_PAYMENT, Medium.ELECTRONIC, 30 * M, FULL)
    assert codes(app(request, works=manufacture)) == []
    # an obligee sets its own share per kind
    policy = evolve(POLICY, advance_caps=(KindShare(WorksKind.MANUFACTURE, Fraction(2, 10)),))
    found = validate_application(app(request, works=manufacture), policy)
    assert [v.code for v in found] == ["ADVANCE_CAP_EXCEEDED"]


def test_electronic_acceptance_by_contract_date_and_department() -> None:
    adoption = ElectronicAcceptance(
        date(2025, 4, 1), DateBasis.CONTRACT, departments=frozenset({"建設部"})
    )
    policy = ObligeePolicy("kashiwa", electronic=(adoption,))
    works = evolve(WORKS, department="建設部", contracted_on=date(2025, 4, 2))
    request = ProductRequest(ADVANCE_PAYMENT, Medium.ELECTRONIC, 40 * M, FULL)

    def found(w: Works) -> list[str]:
        return [v.code for v in validate_application(app(request, works=w), policy)]

    # announced before the adoption date, but contracted after it: accepted
    assert found(works) == []
    assert found(evolve(works, contracted_on=date(2025, 3, 28))) == ["ELECTRONIC_NOT_ACCEPTED"]
    assert found(evolve(works, department="水道局")) == ["ELECTRONIC_NOT_ACCEPTED"]
    # without a contract date the start of the works period counts
    assert found(evolve(works, contracted_on=None)) == []


def test_electronic_acceptance_by_works_kind_and_announcement_date() -> None:
    adoption = ElectronicAcceptance(date(2025, 1, 1), kinds=frozenset({WorksKind.DESIGN}))
    policy = ObligeePolicy("kashiwa", electronic=(adoption,))
    assert policy.accepts_electronic(evolve(WORKS, kind=WorksKind.DESIGN))
    assert not policy.accepts_electronic(WORKS)
    assert not policy.accepts_electronic(
        evolve(WORKS, kind=WorksKind.DESIGN, announced_on=date(2024, 12, 31))
    )


def test_minimum_price_and_unit_of_the_advance() -> None:
    policy = evolve(POLICY, advance_min_price=1_300_000, advance_unit=100_000)
    small = evolve(WORKS, contract_price=1_000_000)
    request = ProductRequest(ADVANCE_PAYMENT, Medium.ELECTRONIC, 300_000, FULL)
    found = validate_application(app(request, works=small), policy)
    assert [v.code for v in found] == ["ADVANCE_PRICE_BELOW_MINIMUM"]
    # 4/10 of 99,999,999 is 39,999,999.6: rounded down to 100,000 yen the cap is 39,900,000
    works = evolve(WORKS, contract_price=99_999_999)

    def found_for(amount: int) -> set[str]:
        r = ProductRequest(ADVANCE_PAYMENT, Medium.ELECTRONIC, amount, FULL)
        return {v.code for v in validate_application(app(r, works=works), policy)}

    assert found_for(39_900_000) == set()
    assert found_for(40_000_000) == {"ADVANCE_CAP_EXCEEDED"}
    assert found_for(39_850_000) == {"ADVANCE_NOT_IN_UNITS"}


def test_an_intermediate_advance_needs_the_advance_paid_and_the_certification() -> None:
    as_of = date(2025, 10, 1)
    paid = Progress(as_of, True, 50 * M, advance_paid_on=date(2025, 4, 10), certified_on=as_of)
    existing = (contract(),)

    def found(progress: Progress, policy: ObligeePolicy = POLICY) -> list[str]:
        r = ProductRequest(INTERMEDIATE_ADVANCE_PAYMENT, Medium.ELECTRONIC, 20 * M, FULL, progress)
        return [v.code for v in validate_application(app(r), policy, existing=existing)]

    assert found(paid) == []
    assert found(evolve(paid, advance_paid_on=None)) == ["INTERMEDIATE_ADVANCE_NOT_PAID"]
    assert found(evolve(paid, certified_on=None)) == ["INTERMEDIATE_NOT_CERTIFIED"]
    design_only = evolve(POLICY, intermediate_kinds=frozenset({WorksKind.DESIGN}))
    assert found(paid, design_only) == ["INTERMEDIATE_NOT_FOR_KIND"]
    long_works = evolve(POLICY, intermediate_min_days=400)
    assert found(paid, long_works) == ["INTERMEDIATE_PERIOD_TOO_SHORT"]


# --- life cycle: completion and claim steps ------------------------------------------------


def test_completion_is_its_own_end_state() -> None:
    done = complete(contract(), date(2026, 3, 20))
    assert done.status is GuaranteeStatus.COMPLETED
    assert done.status.is_final
    with pytest.raises(RuleViolationError) as info:
        claim(done, date(2026, 3, 25), advance_paid=40 * M, completed_value=0)
    assert info.value.codes == ("STATUS_TRANSITION_NOT_ALLOWED",)
    amendment = Amendment(30 * M, FULL, WORKS, date(2026, 3, 25), "減額")
    assert "AMENDMENT_AFTER_FINAL" in {v.code for v in validate_amendment(done, amendment, POLICY)}


def test_a_claim_moves_from_received_to_assessed_to_paid() -> None:
    guarantee = contract(CONTRACT_GUARANTEE, 10 * M)
    case = receive_claim(
        guarantee, date(2025, 10, 1), claimed_amount=12 * M, default_on=date(2025, 9, 20)
    )
    assert case.state is ClaimState.RECEIVED
    claimed, assessed = assess_claim(case, guarantee, date(2025, 10, 15), penalty=12 * M)
    assert claimed.status is GuaranteeStatus.CLAIMED
    assert assessed.state is ClaimState.ASSESSED
    assert assessed.settlement is not None
    assert assessed.settlement.payout == 10 * M
    assert assessed.paid_amount == 0
    paid = pay_claim(assessed, date(2025, 10, 31))
    assert (paid.state, paid.paid_on, paid.paid_amount) == (
        ClaimState.PAID,
        date(2025, 10, 31),
        10 * M,
    )
    assert from_json(to_json(paid)) == paid
    with pytest.raises(RuleViolationError) as info:
        reject_claim(paid, date(2025, 11, 1), reason="重複")
    assert info.value.codes == ("CLAIM_STEP_NOT_ALLOWED",)


def test_a_claim_may_be_rejected_leaving_the_contract_in_force() -> None:
    case = receive_claim(contract(), date(2025, 10, 1), claimed_amount=5 * M)
    rejected = reject_claim(case, date(2025, 10, 20), reason="債務不履行の事実なし")
    assert rejected.state is ClaimState.REJECTED
    assert rejected.reason == "債務不履行の事実なし"
    assert rejected.paid_amount == 0
    with pytest.raises(InvalidInputError):
        evolve(rejected, rejected_on=None)  # a state without its date is refused


# --- principals that are not one company ---------------------------------------------------


def test_a_joint_venture_applies_through_its_representative() -> None:
    head = JointVentureMember("株式会社東葛建設", "7000012050002", Fraction(6, 10), True)
    other = JointVentureMember("株式会社手賀沼工務店", "2010001008824", Fraction(4, 10))
    jv = Principal(
        "東葛・手賀沼特定建設工事共同企業体", "7000012050002", "千葉県柏市", (head, other)
    )
    assert jv.is_joint_venture
    request = ProductRequest(ADVANCE_PAYMENT, Medium.ELECTRONIC, 40 * M, FULL)
    application = evolve(app(request), principal=jv)
    assert codes(application) == []
    assert from_json(to_json(jv)) == jv

    def found(p: Principal) -> list[str]:
        return codes(evolve(application, principal=p))

    assert found(evolve(jv, members=(head, evolve(other, share=Fraction(3, 10))))) == [
        "JOINT_VENTURE_SHARES_NOT_WHOLE"
    ]
    assert found(evolve(jv, members=(evolve(head, share=Fraction(1)),))) == [
        "JOINT_VENTURE_TOO_FEW_MEMBERS"
    ]
    assert found(evolve(jv, members=(head, evolve(other, representative=True)))) == [
        "JOINT_VENTURE_REPRESENTATIVE"
    ]
    assert found(evolve(jv, corporate_number="2010001008824")) == ["JOINT_VENTURE_REPRESENTATIVE"]
