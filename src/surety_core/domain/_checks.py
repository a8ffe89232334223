"""Validation of applications and amendments against the rule catalogue (private).

Every function here is pure: data in, violations out. Validation never stops at the first
problem: it returns (or raises, in ``check_*``) *every* violation found.

Owns: which rules an application and an amendment are checked against, with the obligee's
policy, the products' own checks and the guarantees already on the same works. Must not know:
where the data came from or goes (no store, no JSON), the clock (dates are in the data), keys,
signing, fees, or what the caller does with the violations.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from fractions import Fraction
from typing import Any

from attrs import evolve

from surety_core import _validation as v
from surety_core._errors import InvalidInputError
from surety_core._validation import is_valid_email
from surety_core.domain import _rules as r
from surety_core.domain._model import (
    Amendment,
    Application,
    GuaranteeContract,
    GuaranteeStatus,
    Medium,
    ObligeePolicy,
    Principal,
    ProductRequest,
    Works,
)
from surety_core.domain._products import (
    ADVANCE_PAYMENT,
    PeriodRule,
    ProductRegistry,
    RequestContext,
    Stage,
)
from surety_core.domain._rules import Violation, raise_if_any
from surety_core.domain._standard import default_products

__all__ = [
    "check_amendment",
    "check_application",
    "validate_amendment",
    "validate_application",
]


# --- checks common to every product --------------------------------------------------------


def _common(ctx: RequestContext) -> Iterator[Violation]:
    request, works = ctx.request, ctx.works
    if request.medium is Medium.ELECTRONIC and not ctx.policy.accepts_electronic(works):
        yield r.ELECTRONIC_NOT_ACCEPTED.violation(
            f"{ctx.path}.medium", f"works {works.number} announced {works.announced_on}"
        )
    if request.amount > works.contract_price:
        yield r.AMOUNT_EXCEEDS_CONTRACT_PRICE.violation(
            f"{ctx.path}.amount", f"{request.amount} > {works.contract_price}"
        )
    rule = ctx.product.period_rule
    if rule is not PeriodRule.ANY:
        wp, gp = works.period, request.period
        if rule in (PeriodRule.ENDS_AT_COMPLETION, PeriodRule.CONTRACT_TO_COMPLETION):
            if rule is PeriodRule.ENDS_AT_COMPLETION and (gp.start < wp.start or gp.start > wp.end):
                yield r.PERIOD_OUTSIDE_WORKS.violation(f"{ctx.path}.period", f"{gp} vs {wp}")
            if rule is PeriodRule.CONTRACT_TO_COMPLETION and gp.start > wp.start:
                yield r.CONTRACT_GUARANTEE_NOT_FROM_CONTRACT.violation(
                    f"{ctx.path}.period", f"starts {gp.start}, works period starts {wp.start}"
                )
            if gp.end != wp.end:
                yield r.PERIOD_NOT_ENDING_AT_COMPLETION.violation(
                    f"{ctx.path}.period", f"ends {gp.end}, completion {wp.end}"
                )
        elif not gp.within(wp):
            yield r.PERIOD_OUTSIDE_WORKS.violation(f"{ctx.path}.period", f"{gp} vs {wp}")
    if ctx.stage is Stage.APPLICATION:
        if (
            ctx.product.requires_advance
            and not works.advance_planned
            and not ctx.others_of(ADVANCE_PAYMENT)
        ):
            yield r.CONTRACT_GUARANTEE_ADVANCE_NOT_PLANNED.violation(
                ctx.path, "works.advance_planned is false and no advance guarantee"
            )
        if ctx.product.one_per_works and any(c.product == request.product for c in ctx.existing):
            yield r.PRODUCT_ALREADY_ON_WORKS.violation(
                f"{ctx.path}.product", f"{request.product} on works {works.number}"
            )


def _joint_venture(principal: Principal) -> Iterator[Violation]:
    """The ``JOINT_VENTURE_*`` rules for a principal that lists members."""
    members = principal.members
    if not members:
        return
    if len(members) < 2:
        yield r.JOINT_VENTURE_TOO_FEW_MEMBERS.violation("principal.members", str(len(members)))
    total = sum((m.share for m in members), Fraction(0))
    if total != 1:
        yield r.JOINT_VENTURE_SHARES_NOT_WHOLE.violation("principal.members", f"sum {total}")
    heads = [m for m in members if m.representative]
    if len(heads) != 1 or heads[0].identifier != principal.identifier:
        yield r.JOINT_VENTURE_REPRESENTATIVE.violation(
            "principal.members", f"{len(heads)} representative(s)"
        )


def _run(ctx: RequestContext) -> list[Violation]:
    found = list(_common(ctx))
    for check in ctx.product.checks:
        found.extend(_checked(check(ctx)))
    return found


def _checked(items: Iterable[Any]) -> list[Violation]:
    out = list(items)
    for item in out:
        if not isinstance(item, Violation):
            raise InvalidInputError("Product.checks", "a check must yield Violation values")
    return out


# --- entry points --------------------------------------------------------------------------


def _same_works(a: Works, b: Works) -> bool:
    return a.obligee.code == b.obligee.code and a.number == b.number


def _registry(products: ProductRegistry | None) -> ProductRegistry:
    if products is None:
        return default_products()
    v.require(products, ProductRegistry, "products")
    return products


def _existing(existing: object, works: Works) -> tuple[GuaranteeContract, ...]:
    if isinstance(existing, str | bytes) or not isinstance(existing, Iterable):
        raise InvalidInputError("existing", "must be a sequence of GuaranteeContract")
    items = tuple(existing)
    for i, c in enumerate(items):
        v.require(c, GuaranteeContract, f"existing[{i}]")
    return tuple(
        c for c in items if c.status is GuaranteeStatus.ISSUED and _same_works(c.works, works)
    )


def validate_application(
    application: Application,
    policy: ObligeePolicy,
    *,
    products: ProductRegistry | None = None,
    existing: Iterable[GuaranteeContract] = (),
) -> tuple[Violation, ...]:
    """Every rule violation of ``application`` under ``policy``; empty when it may be issued.

    ``products`` defaults to :func:`default_products`; ``existing`` are guarantee contracts
    already on the same works (others, and those no longer issued, are ignored).
    """
    v.require(application, Application, "application")
    v.require(policy, ObligeePolicy, "policy")
    registry = _registry(products)
    works = application.works
    live = _existing(existing, works)
    found: list[Violation] = []
    if policy.obligee_code != works.obligee.code:
        found.append(
            r.POLICY_OBLIGEE_MISMATCH.violation(
                "policy.obligee_code", f"{policy.obligee_code} != {works.obligee.code}"
            )
        )
    if application.has_electronic and (
        application.notification_email is None or not is_valid_email(application.notification_email)
    ):
        found.append(r.ELECTRONIC_REQUIRES_EMAIL.violation("notification_email"))
    found.extend(_joint_venture(application.principal))
    seen: set[str] = set()
    for i, request in enumerate(application.requests):
        path = f"requests[{i}]"
        if request.product in seen:
            found.append(r.DUPLICATE_PRODUCT.violation(f"{path}.product", request.product))
        seen.add(request.product)
        if request.product not in registry:
            known = ", ".join(p.code for p in registry)[:400]
            found.append(
                r.UNKNOWN_PRODUCT.violation(
                    f"{path}.product", f"{request.product} (known codes: {known})"
                )
            )
            continue
        siblings = application.requests[:i] + application.requests[i + 1 :]
        ctx = RequestContext(
            request=request,
            product=registry.get(request.product),
            path=path,
            works=works,
            policy=policy,
            siblings=siblings,
            existing=live,
            products=registry,
            stage=Stage.APPLICATION,
        )
        found.extend(_run(ctx))
    return tuple(found)


def check_application(
    application: Application,
    policy: ObligeePolicy,
    *,
    products: ProductRegistry | None = None,
    existing: Iterable[GuaranteeContract] = (),
) -> None:
    """Like :func:`validate_application`, raising :class:`RuleViolationError` with them all."""
    raise_if_any(validate_application(application, policy, products=products, existing=existing))


def validate_amendment(
    contract: GuaranteeContract,
    amendment: Amendment,
    policy: ObligeePolicy,
    *,
    products: ProductRegistry | None = None,
    existing: Iterable[GuaranteeContract] = (),
    as_version: int | None = None,
) -> tuple[Violation, ...]:
    """Every rule violation of amending ``contract`` by ``amendment``; empty when allowed.

    The amended contract must still satisfy every per-request rule (caps, minimums, periods,
    electronic acceptance); the rules about what may be *sold* (an advance must exist, the
    progress conditions) apply to applications only. ``as_version``, when given, is the version
    number the caller means to create (a form based on version N creates N + 1); anything else
    is refused as ``AMENDMENT_VERSION_NOT_INCREASING`` (a stale or replayed amendment).
    """
    v.require(contract, GuaranteeContract, "contract")
    v.require(amendment, Amendment, "amendment")
    v.require(policy, ObligeePolicy, "policy")
    if as_version is not None and (isinstance(as_version, bool) or not isinstance(as_version, int)):
        raise InvalidInputError("as_version", "must be an integer or None")
    registry = _registry(products)
    live = tuple(c for c in _existing(existing, contract.works) if c.number != contract.number)
    found: list[Violation] = []
    if contract.status.is_final:
        found.append(
            r.AMENDMENT_AFTER_FINAL.violation("contract.status", str(contract.status.value))
        )
    if amendment.medium is not None and amendment.medium is not contract.medium:
        found.append(
            r.MEDIUM_FIXED.violation(
                "amendment.medium", f"{amendment.medium.value} != {contract.medium.value}"
            )
        )
    if as_version is not None and as_version != contract.version + 1:
        found.append(
            r.AMENDMENT_VERSION_NOT_INCREASING.violation(
                "as_version", f"{as_version}, current version {contract.version}"
            )
        )
    if amendment.effective_on < contract.current.effective_on:
        found.append(
            r.AMENDMENT_EFFECTIVE_DATE_BACKWARDS.violation(
                "amendment.effective_on",
                f"{amendment.effective_on} < {contract.current.effective_on}",
            )
        )
    original = contract.versions[0].works
    if not _same_works(amendment.works, contract.works):
        found.append(r.AMENDMENT_OTHER_WORKS.violation("amendment.works", "other works number"))
    elif (amendment.works.announced_on, amendment.works.kind) != (
        original.announced_on,
        original.kind,
    ):
        # The announcement date decides electronic acceptance and the kind decides the caps:
        # an amendment changes neither (price, period and name may change).
        found.append(
            r.AMENDMENT_OTHER_WORKS.violation("amendment.works", "announcement date or kind")
        )
    if policy.obligee_code != amendment.works.obligee.code:
        found.append(
            r.POLICY_OBLIGEE_MISMATCH.violation(
                "policy.obligee_code",
                f"{policy.obligee_code} != {amendment.works.obligee.code}",
            )
        )
    if contract.product not in registry:
        found.append(r.UNKNOWN_PRODUCT.violation("contract.product", contract.product))
        return tuple(found)
    terms = ProductRequest(
        product=contract.product,
        medium=contract.medium,
        amount=amendment.amount,
        period=amendment.period,
    )
    # The rules see the amended price, period and name with the original announcement date and
    # kind (a change of those is AMENDMENT_OTHER_WORKS above, not a way round other rules).
    amended_works = evolve(amendment.works, announced_on=original.announced_on, kind=original.kind)
    ctx = RequestContext(
        request=terms,
        product=registry.get(contract.product),
        path="amendment",
        works=amended_works,
        policy=policy,
        siblings=(),
        existing=live,
        products=registry,
        stage=Stage.AMENDMENT,
        amended=contract,
    )
    found.extend(_run(ctx))
    return tuple(found)


def check_amendment(
    contract: GuaranteeContract,
    amendment: Amendment,
    policy: ObligeePolicy,
    *,
    products: ProductRegistry | None = None,
    existing: Iterable[GuaranteeContract] = (),
    as_version: int | None = None,
) -> None:
    """Like :func:`validate_amendment`, raising :class:`RuleViolationError` with them all."""
    raise_if_any(
        validate_amendment(
            contract,
            amendment,
            policy,
            products=products,
            existing=existing,
            as_version=as_version,
        )
    )
