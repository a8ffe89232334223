"""The built-in products and their checks (private; see :mod:`surety_core.domain`).

This module owns the three products of the briefing and the rule checks that belong to each
(caps, the intermediate advance's conditions, the contract guarantee's minimum). It must not know
how applications are validated as a whole (:mod:`._checks`) nor anything outside the domain.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from fractions import Fraction

from surety_core.domain import _rules as r
from surety_core.domain._claims import ClaimBasis
from surety_core.domain._products import (
    ADVANCE_PAYMENT,
    CONTRACT_GUARANTEE,
    INTERMEDIATE_ADVANCE_PAYMENT,
    PRODUCT_NAMES_JA,
    PeriodRule,
    Product,
    ProductRegistry,
    RequestContext,
    Stage,
    Terms,
)
from surety_core.domain._rules import Violation

__all__ = [
    "ADVANCE_TERMS",
    "CONTRACT_TERMS",
    "INTERMEDIATE_TERMS",
    "advance_cap",
    "advance_terms",
    "combined_cap",
    "contract_minimum",
    "default_products",
    "intermediate_cap",
    "intermediate_progress",
    "intermediate_requires_advance",
    "repayment_threshold",
]


ADVANCE_TERMS = Terms(
    name="公共工事前払金保証約款",
    version="令和6年4月1日改定",
    covers="受注者が受領する前払金の返還債務",
)
"""The terms :func:`default_products` names for the advance payment guarantee (a host states
its own approved terms with :func:`attrs.evolve` on the product)."""
INTERMEDIATE_TERMS = Terms(
    name="公共工事中間前払金保証約款",
    version="令和6年4月1日改定",
    covers="受注者が受領する中間前払金の返還債務",
)
"""The terms :func:`default_products` names for the intermediate advance payment guarantee."""
CONTRACT_TERMS = Terms(
    name="公共工事契約保証約款",
    version="令和6年4月1日改定",
    covers="受注者の債務不履行により発注者に生じる違約金の支払債務",
)
"""The terms :func:`default_products` names for the contract guarantee."""


def _floor_share(price: int, share: Fraction) -> int:
    return math.floor(price * share)


def _yen(amount: int) -> str:
    """An amount as the messages print it: ``70,000,000円``."""
    return f"{amount:,}円"


def _of(share: Fraction, price: int) -> str:
    """A share of a price as the messages print it: ``2/5 × 100,000,000円``."""
    return f"{share} × {_yen(price)}"


def _price_cut_keeping_amount(ctx: RequestContext) -> bool:
    """An amendment that cuts the contract price without increasing the guaranteed amount."""
    old = ctx.amended
    return (
        ctx.stage is Stage.AMENDMENT
        and old is not None
        and ctx.request.amount <= old.amount
        and ctx.works.contract_price < old.works.contract_price
    )


def advance_cap(ctx: RequestContext) -> Iterator[Violation]:
    """``ADVANCE_CAP_EXCEEDED``: the advances of the works ≤ the obligee's cap share for the
    works kind (this request with the other advance requests and existing advance guarantees).

    Not checked for an amendment that cuts the price and keeps the amount: the repayment
    threshold applies instead (:func:`repayment_threshold`).
    """
    if _price_cut_keeping_amount(ctx):
        return
    cap = ctx.policy.advance_cap(ctx.works.kind)
    others = ctx.others_of(ADVANCE_PAYMENT)
    total = ctx.request.amount + sum(others)
    limit = _cap_amount(ctx, cap)
    if total > limit:
        beside = f" with {_yen(sum(others))} existing" if others else ""
        yield r.ADVANCE_CAP_EXCEEDED.violation(
            f"{ctx.path}.amount",
            f"{_yen(ctx.request.amount)}{beside} > {_of(cap, ctx.works.contract_price)}"
            f" = {_yen(limit)}",
        )


def _cap_amount(ctx: RequestContext, share: Fraction) -> int:
    """``share`` of the contract price, rounded down to the obligee's advance unit."""
    unit = ctx.policy.advance_unit
    return _floor_share(ctx.works.contract_price, share) // unit * unit


def advance_terms(ctx: RequestContext) -> Iterator[Violation]:
    """``ADVANCE_PRICE_BELOW_MINIMUM`` (applications) and ``ADVANCE_NOT_IN_UNITS``: the
    obligee's minimum contract price for advances and the unit the advance is rounded to."""
    policy = ctx.policy
    if ctx.stage is Stage.APPLICATION and ctx.works.contract_price < policy.advance_min_price:
        yield r.ADVANCE_PRICE_BELOW_MINIMUM.violation(
            "works.contract_price",
            f"{_yen(ctx.works.contract_price)} < {_yen(policy.advance_min_price)}",
        )
    if ctx.request.amount % policy.advance_unit:
        yield r.ADVANCE_NOT_IN_UNITS.violation(
            f"{ctx.path}.amount",
            f"{_yen(ctx.request.amount)} is not a multiple of {_yen(policy.advance_unit)}",
        )


def intermediate_cap(ctx: RequestContext) -> Iterator[Violation]:
    """``INTERMEDIATE_CAP_EXCEEDED``: the intermediate advances of the works ≤ the cap (2/10)."""
    if _price_cut_keeping_amount(ctx):
        return
    cap = ctx.policy.intermediate_cap
    total = ctx.request.amount + sum(ctx.others_of(INTERMEDIATE_ADVANCE_PAYMENT))
    if total > _cap_amount(ctx, cap):
        yield r.INTERMEDIATE_CAP_EXCEEDED.violation(
            f"{ctx.path}.amount", f"{_yen(total)} > {_of(cap, ctx.works.contract_price)}"
        )


def combined_cap(ctx: RequestContext) -> Iterator[Violation]:
    """``COMBINED_CAP_EXCEEDED``: advance + intermediate ≤ the obligee's cap (6/10).

    Counted over this request, the other requests of the application and the existing
    contracts on the works. Reported once per application: at the intermediate request when
    there is one in the application, else at the advance request.
    """
    if _price_cut_keeping_amount(ctx):
        return
    code = ctx.request.product
    if code == ADVANCE_PAYMENT and any(
        s.product == INTERMEDIATE_ADVANCE_PAYMENT for s in ctx.siblings
    ):
        return
    total = (
        ctx.request.amount
        + sum(ctx.others_of(ADVANCE_PAYMENT))
        + sum(ctx.others_of(INTERMEDIATE_ADVANCE_PAYMENT))
    )
    cap = ctx.policy.combined_cap
    if total > _cap_amount(ctx, cap):
        yield r.COMBINED_CAP_EXCEEDED.violation(
            f"{ctx.path}.amount",
            f"advance + intermediate {_yen(total)} > {_of(cap, ctx.works.contract_price)}",
        )


def repayment_threshold(ctx: RequestContext) -> Iterator[Violation]:
    """``ADVANCE_ABOVE_REPAYMENT_THRESHOLD``: after a price cut that keeps the amount, the
    advances of the works (advance + intermediate) ≤ the obligee's repayment threshold of the
    new price (5/10, or 6/10 with an intermediate advance, by default)."""
    if not _price_cut_keeping_amount(ctx):
        return
    intermediate = ctx.others_of(INTERMEDIATE_ADVANCE_PAYMENT)
    if ctx.request.product == INTERMEDIATE_ADVANCE_PAYMENT:
        intermediate = [*intermediate, ctx.request.amount]
    advances = ctx.others_of(ADVANCE_PAYMENT)
    if ctx.request.product == ADVANCE_PAYMENT:
        advances = [*advances, ctx.request.amount]
    policy = ctx.policy
    share = (
        policy.repayment_threshold_with_intermediate if intermediate else policy.repayment_threshold
    )
    total = sum(advances) + sum(intermediate)
    if total > ctx.works.contract_price * share:
        yield r.ADVANCE_ABOVE_REPAYMENT_THRESHOLD.violation(
            f"{ctx.path}.amount",
            f"advances {_yen(total)} > {_of(share, ctx.works.contract_price)}"
            f" = {_yen(_floor_share(ctx.works.contract_price, share))}",
        )


def intermediate_requires_advance(ctx: RequestContext) -> Iterator[Violation]:
    """``INTERMEDIATE_REQUIRES_ADVANCE`` (applications only)."""
    if ctx.stage is Stage.APPLICATION and not ctx.others_of(ADVANCE_PAYMENT):
        yield r.INTERMEDIATE_REQUIRES_ADVANCE.violation(ctx.path)


def intermediate_progress(ctx: RequestContext) -> Iterator[Violation]:
    """The progress conditions of an intermediate advance (applications only).

    As of ``progress.as_of``: more than half the works period has elapsed (days elapsed, counting
    the start day, × 2 > the period's days), the scheduled work is done, and the completed value
    is at least half the contract price.
    """
    if ctx.stage is not Stage.APPLICATION:
        return
    policy, works = ctx.policy, ctx.works
    if works.kind not in policy.intermediate_kinds:
        yield r.INTERMEDIATE_NOT_FOR_KIND.violation("works.kind", works.kind.value)
    if works.period.days < policy.intermediate_min_days:
        yield r.INTERMEDIATE_PERIOD_TOO_SHORT.violation(
            "works.period", f"{works.period.days} < {policy.intermediate_min_days} days"
        )
    progress = ctx.request.progress
    if progress is None:
        yield r.INTERMEDIATE_PROGRESS_MISSING.violation(f"{ctx.path}.progress")
        return
    if progress.advance_paid_on is None or progress.advance_paid_on > progress.as_of:
        yield r.INTERMEDIATE_ADVANCE_NOT_PAID.violation(f"{ctx.path}.progress.advance_paid_on")
    if progress.certified_on is None or progress.certified_on < progress.as_of:
        yield r.INTERMEDIATE_NOT_CERTIFIED.violation(f"{ctx.path}.progress.certified_on")
    works_period = ctx.works.period
    elapsed = (progress.as_of - works_period.start).days + 1
    if elapsed * 2 <= works_period.days:
        yield r.INTERMEDIATE_HALF_PERIOD_NOT_ELAPSED.violation(
            f"{ctx.path}.progress.as_of", f"{max(elapsed, 0)} of {works_period.days} days"
        )
    if not progress.scheduled_work_done:
        yield r.INTERMEDIATE_SCHEDULED_WORK_NOT_DONE.violation(
            f"{ctx.path}.progress.scheduled_work_done"
        )
    if progress.completed_value * 2 < ctx.works.contract_price:
        yield r.INTERMEDIATE_PROGRESS_BELOW_HALF.violation(
            f"{ctx.path}.progress.completed_value",
            f"{_yen(progress.completed_value)} < half of {_yen(ctx.works.contract_price)}",
        )


def contract_minimum(ctx: RequestContext) -> Iterator[Violation]:
    """``CONTRACT_GUARANTEE_BELOW_MINIMUM``: amount ≥ the works' contract-guarantee share, else
    the obligee's minimum share (1/10; 3/10 for a low bid, say)."""
    share = ctx.policy.contract_share(ctx.works)
    if ctx.request.amount < ctx.works.contract_price * share:
        yield r.CONTRACT_GUARANTEE_BELOW_MINIMUM.violation(
            f"{ctx.path}.amount",
            f"{_yen(ctx.request.amount)} < {_of(share, ctx.works.contract_price)}",
        )


def default_products(*, contract_requires_advance: bool = True) -> ProductRegistry:
    """The three products of the briefing, as a new registry each call.

    ``contract_requires_advance=False`` gives a product set in which a contract guarantee is sold
    also for works on which no advance is planned.
    """
    return ProductRegistry.of(
        [
            Product(
                code=ADVANCE_PAYMENT,
                name_ja=PRODUCT_NAMES_JA[ADVANCE_PAYMENT],
                name_en="Advance payment guarantee",
                checks=(advance_cap, advance_terms, combined_cap, repayment_threshold),
                claimable=True,
                claim_basis=ClaimBasis.ADVANCE_REPAYMENT,
                period_rule=PeriodRule.ENDS_AT_COMPLETION,
                terms=ADVANCE_TERMS,
                rules=(
                    r.ADVANCE_CAP_EXCEEDED,
                    r.ADVANCE_PRICE_BELOW_MINIMUM,
                    r.ADVANCE_NOT_IN_UNITS,
                    r.COMBINED_CAP_EXCEEDED,
                    r.ADVANCE_ABOVE_REPAYMENT_THRESHOLD,
                ),
            ),
            Product(
                code=INTERMEDIATE_ADVANCE_PAYMENT,
                name_ja=PRODUCT_NAMES_JA[INTERMEDIATE_ADVANCE_PAYMENT],
                name_en="Intermediate advance payment guarantee",
                checks=(
                    intermediate_cap,
                    advance_terms,
                    combined_cap,
                    intermediate_requires_advance,
                    intermediate_progress,
                    repayment_threshold,
                ),
                claimable=True,
                claim_basis=ClaimBasis.ADVANCE_REPAYMENT,
                period_rule=PeriodRule.ENDS_AT_COMPLETION,
                terms=INTERMEDIATE_TERMS,
                rules=(
                    r.INTERMEDIATE_CAP_EXCEEDED,
                    r.COMBINED_CAP_EXCEEDED,
                    r.INTERMEDIATE_REQUIRES_ADVANCE,
                    r.INTERMEDIATE_PROGRESS_MISSING,
                    r.INTERMEDIATE_HALF_PERIOD_NOT_ELAPSED,
                    r.INTERMEDIATE_SCHEDULED_WORK_NOT_DONE,
                    r.INTERMEDIATE_PROGRESS_BELOW_HALF,
                    r.INTERMEDIATE_ADVANCE_NOT_PAID,
                    r.INTERMEDIATE_NOT_CERTIFIED,
                    r.INTERMEDIATE_NOT_FOR_KIND,
                    r.INTERMEDIATE_PERIOD_TOO_SHORT,
                    r.ADVANCE_PRICE_BELOW_MINIMUM,
                    r.ADVANCE_NOT_IN_UNITS,
                    r.ADVANCE_ABOVE_REPAYMENT_THRESHOLD,
                ),
            ),
            Product(
                code=CONTRACT_GUARANTEE,
                name_ja=PRODUCT_NAMES_JA[CONTRACT_GUARANTEE],
                name_en="Contract guarantee",
                checks=(contract_minimum,),
                requires_advance=contract_requires_advance,
                claimable=True,
                claim_basis=ClaimBasis.PENALTY,
                period_rule=PeriodRule.CONTRACT_TO_COMPLETION,
                terms=CONTRACT_TERMS,
                rules=(
                    r.CONTRACT_GUARANTEE_BELOW_MINIMUM,
                    r.CONTRACT_GUARANTEE_ADVANCE_NOT_PLANNED,
                    r.CONTRACT_GUARANTEE_NOT_FROM_CONTRACT,
                ),
            ),
        ]
    )
