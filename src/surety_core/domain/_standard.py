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
)
from surety_core.domain._rules import Violation

__all__ = [
    "advance_cap",
    "combined_cap",
    "contract_minimum",
    "default_products",
    "intermediate_cap",
    "intermediate_progress",
    "intermediate_requires_advance",
]


def _floor_share(price: int, share: Fraction) -> int:
    return math.floor(price * share)


def _yen(amount: int) -> str:
    """An amount as the messages print it: ``70,000,000円``."""
    return f"{amount:,}円"


def _of(share: Fraction, price: int) -> str:
    """A share of a price as the messages print it: ``2/5 × 100,000,000円``."""
    return f"{share} × {_yen(price)}"


def advance_cap(ctx: RequestContext) -> Iterator[Violation]:
    """``ADVANCE_CAP_EXCEEDED``: advance ≤ the obligee's cap share for the works kind."""
    cap = ctx.policy.advance_cap(ctx.works.kind)
    if ctx.request.amount > ctx.works.contract_price * cap:
        yield r.ADVANCE_CAP_EXCEEDED.violation(
            f"{ctx.path}.amount",
            f"{_yen(ctx.request.amount)} > {_of(cap, ctx.works.contract_price)}"
            f" = {_yen(_floor_share(ctx.works.contract_price, cap))}",
        )


def intermediate_cap(ctx: RequestContext) -> Iterator[Violation]:
    """``INTERMEDIATE_CAP_EXCEEDED``: intermediate advance ≤ the obligee's cap (2/10)."""
    cap = ctx.policy.intermediate_cap
    if ctx.request.amount > ctx.works.contract_price * cap:
        yield r.INTERMEDIATE_CAP_EXCEEDED.violation(
            f"{ctx.path}.amount",
            f"{_yen(ctx.request.amount)} > {_of(cap, ctx.works.contract_price)}",
        )


def combined_cap(ctx: RequestContext) -> Iterator[Violation]:
    """``COMBINED_CAP_EXCEEDED``: advance + intermediate ≤ the obligee's cap (6/10).

    Counted over this request, the other requests of the application and the existing
    contracts on the works. Reported once per application: at the intermediate request when
    there is one in the application, else at the advance request.
    """
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
    if total > ctx.works.contract_price * cap:
        yield r.COMBINED_CAP_EXCEEDED.violation(
            f"{ctx.path}.amount",
            f"advance + intermediate {_yen(total)} > {_of(cap, ctx.works.contract_price)}",
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
    progress = ctx.request.progress
    if progress is None:
        yield r.INTERMEDIATE_PROGRESS_MISSING.violation(f"{ctx.path}.progress")
        return
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
    """``CONTRACT_GUARANTEE_BELOW_MINIMUM``: amount ≥ the obligee's minimum share (1/10)."""
    share = ctx.policy.contract_min_share
    if ctx.request.amount < ctx.works.contract_price * share:
        yield r.CONTRACT_GUARANTEE_BELOW_MINIMUM.violation(
            f"{ctx.path}.amount",
            f"{_yen(ctx.request.amount)} < {_of(share, ctx.works.contract_price)}",
        )


def default_products(*, contract_requires_advance: bool = True) -> ProductRegistry:
    """The three products of the briefing, as a new registry each call.

    ``contract_requires_advance=False`` gives a product set in which a contract guarantee is sold
    without an advance payment guarantee on the same works.
    """
    return ProductRegistry.of(
        [
            Product(
                code=ADVANCE_PAYMENT,
                name_ja=PRODUCT_NAMES_JA[ADVANCE_PAYMENT],
                name_en="Advance payment guarantee",
                checks=(advance_cap, combined_cap),
                claimable=True,
                period_rule=PeriodRule.ENDS_AT_COMPLETION,
                rules=(r.ADVANCE_CAP_EXCEEDED, r.COMBINED_CAP_EXCEEDED),
            ),
            Product(
                code=INTERMEDIATE_ADVANCE_PAYMENT,
                name_ja=PRODUCT_NAMES_JA[INTERMEDIATE_ADVANCE_PAYMENT],
                name_en="Intermediate advance payment guarantee",
                checks=(
                    intermediate_cap,
                    combined_cap,
                    intermediate_requires_advance,
                    intermediate_progress,
                ),
                claimable=True,
                period_rule=PeriodRule.ENDS_AT_COMPLETION,
                rules=(
                    r.INTERMEDIATE_CAP_EXCEEDED,
                    r.COMBINED_CAP_EXCEEDED,
                    r.INTERMEDIATE_REQUIRES_ADVANCE,
                    r.INTERMEDIATE_PROGRESS_MISSING,
                    r.INTERMEDIATE_HALF_PERIOD_NOT_ELAPSED,
                    r.INTERMEDIATE_SCHEDULED_WORK_NOT_DONE,
                    r.INTERMEDIATE_PROGRESS_BELOW_HALF,
                ),
            ),
            Product(
                code=CONTRACT_GUARANTEE,
                name_ja=PRODUCT_NAMES_JA[CONTRACT_GUARANTEE],
                name_en="Contract guarantee",
                checks=(contract_minimum,),
                requires_advance=contract_requires_advance,
                period_rule=PeriodRule.WITHIN_WORKS,
                rules=(r.CONTRACT_GUARANTEE_BELOW_MINIMUM, r.CONTRACT_GUARANTEE_REQUIRES_ADVANCE),
            ),
        ]
    )
