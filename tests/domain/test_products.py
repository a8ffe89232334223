"""A host extends the product set without editing the core."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from attrs import evolve

from surety_core import (
    ADVANCE_PAYMENT,
    CONTRACT_GUARANTEE,
    INTERMEDIATE_ADVANCE_PAYMENT,
    RULES,
    Application,
    ClaimBasis,
    ConfigurationError,
    InvalidInputError,
    Medium,
    Obligee,
    ObligeePolicy,
    Period,
    PeriodRule,
    Principal,
    Product,
    ProductRegistry,
    ProductRequest,
    RequestContext,
    Rule,
    RuleCatalogue,
    RuleSource,
    Violation,
    Works,
    WorksKind,
    default_products,
    validate_application,
)

CITY = Obligee(name="柏市", code="kashiwa")
WORKS = Works(
    CITY,
    "市道改良工事",
    "R7-001",
    WorksKind.CONSTRUCTION,
    100_000_000,
    Period(date(2025, 4, 1), date(2026, 3, 31)),
    date(2025, 3, 1),
)
PRINCIPAL = Principal("株式会社東葛建設", "7000012050002", "千葉県柏市")
POLICY = ObligeePolicy("kashiwa", electronic_from=date(2025, 1, 1))

# --- what a host writes, in its own code ------------------------------------------------------
HOST_RULES = RuleCatalogue()
BID_BOND_TOO_LARGE = HOST_RULES.add(
    Rule(
        "BID_BOND_ABOVE_5_PERCENT",
        "入札保証の金額は見積金額の100分の5以下です。",
        "a bid bond is at most 5/100 of the contract price",
        RuleSource.PRODUCT,
    )
)
BID_BOND_AFTER_ANNOUNCEMENT = HOST_RULES.add(
    Rule(
        "BID_BOND_AFTER_ANNOUNCEMENT",
        "入札保証の期間は公告日以後に始まります。",
        "a bid bond starts on or after the announcement date",
        RuleSource.PRODUCT,
    )
)


def bid_bond_checks(ctx: RequestContext) -> Iterator[Violation]:
    if ctx.request.amount * 100 > ctx.works.contract_price * 5:
        yield BID_BOND_TOO_LARGE.violation(f"{ctx.path}.amount")
    if ctx.request.period.start < ctx.works.announced_on:
        yield BID_BOND_AFTER_ANNOUNCEMENT.violation(f"{ctx.path}.period")


BID_BOND = Product(
    code="bid_bond",
    name_ja="契約保証予約(入札保証)",
    name_en="Bid bond",
    checks=(bid_bond_checks,),
    period_rule=PeriodRule.ANY,
    rules=tuple(HOST_RULES),
)


def application(*requests: ProductRequest) -> Application:
    return Application("APP-9", PRINCIPAL, WORKS, requests, date(2025, 3, 2), "a@b.jp")


BID_PERIOD = Period(date(2025, 3, 1), date(2025, 3, 31))


def test_host_adds_a_product_with_its_own_rules() -> None:
    products = default_products().with_product(BID_BOND)
    ok = application(ProductRequest("bid_bond", Medium.PAPER, 5_000_000, BID_PERIOD))
    assert validate_application(ok, POLICY, products=products) == ()
    bad = application(
        ProductRequest(
            "bid_bond", Medium.ELECTRONIC, 5_000_001, Period(date(2025, 2, 1), date(2025, 3, 31))
        )
    )
    codes = [v.code for v in validate_application(bad, POLICY, products=products)]
    assert codes == ["BID_BOND_ABOVE_5_PERCENT", "BID_BOND_AFTER_ANNOUNCEMENT"]
    # without the host's product set, the core does not know the product
    core = [v.code for v in validate_application(ok, POLICY)]
    assert core == ["UNKNOWN_PRODUCT"]
    # the core rules still apply to the host's product (common rules)
    electronic = application(ProductRequest("bid_bond", Medium.ELECTRONIC, 5_000_000, BID_PERIOD))
    codes = [
        v.code
        for v in validate_application(electronic, ObligeePolicy("kashiwa"), products=products)
    ]
    assert codes == ["ELECTRONIC_NOT_ACCEPTED"]
    assert {r.code for r in products.rules()} >= {"BID_BOND_ABOVE_5_PERCENT"}
    assert not set(HOST_RULES._rules) & {r.code for r in RULES}


def test_a_host_product_may_require_an_advance() -> None:
    needs = evolve(BID_BOND, code="bid_bond_x", requires_advance=True)
    products = default_products().with_product(needs)
    alone = application(ProductRequest("bid_bond_x", Medium.PAPER, 1_000, BID_PERIOD))
    codes = [v.code for v in validate_application(alone, POLICY, products=products)]
    assert codes == ["CONTRACT_GUARANTEE_ADVANCE_NOT_PLANNED"]


def test_contract_requires_advance_can_be_switched_off() -> None:
    contract_only = application(
        ProductRequest(CONTRACT_GUARANTEE, Medium.PAPER, 10_000_000, WORKS.period)
    )
    codes = [v.code for v in validate_application(contract_only, POLICY)]
    assert codes == ["CONTRACT_GUARANTEE_ADVANCE_NOT_PLANNED"]
    off = default_products(contract_requires_advance=False)
    assert validate_application(contract_only, POLICY, products=off) == ()
    relaxed = default_products().with_product(
        evolve(default_products().get(CONTRACT_GUARANTEE), requires_advance=False)
    )
    assert validate_application(contract_only, POLICY, products=relaxed) == ()


def test_registry_operations() -> None:
    base = default_products()
    assert [p.code for p in base] == [
        ADVANCE_PAYMENT,
        CONTRACT_GUARANTEE,
        INTERMEDIATE_ADVANCE_PAYMENT,
    ]
    extended = base.with_product(BID_BOND)
    assert "bid_bond" in extended
    assert "bid_bond" not in base  # copy on extend
    assert len(extended) == 4
    assert "bid_bond" not in extended.without("bid_bond")
    assert base.get(ADVANCE_PAYMENT).claimable
    assert base.get(CONTRACT_GUARANTEE).claimable  # the penalty (違約金)
    assert base.get(CONTRACT_GUARANTEE).claim_basis is ClaimBasis.PENALTY
    with pytest.raises(ConfigurationError):
        base.get("nope")
    in_place = ProductRegistry()
    in_place.register(BID_BOND)
    in_place.register(BID_BOND)  # the same product again is fine
    with pytest.raises(ConfigurationError):
        in_place.register(evolve(BID_BOND, name_en="Other"))
    with pytest.raises(InvalidInputError):
        in_place.register("bid_bond")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        Product("bid bond!", "入札", "Bid")
    with pytest.raises(InvalidInputError):
        Product("bid_bond", "入札", "Bid", checks=("not callable",))


def test_a_check_yielding_junk_is_a_configuration_mistake() -> None:
    junk = evolve(BID_BOND, checks=(lambda ctx: ["oops"],))
    a = application(ProductRequest("bid_bond", Medium.PAPER, 1_000, BID_PERIOD))
    with pytest.raises(InvalidInputError):
        validate_application(a, POLICY, products=default_products().with_product(junk))
