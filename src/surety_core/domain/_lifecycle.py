"""The guarantee life cycle as pure functions (private; see :mod:`surety_core`).

Owns: building a contract at issuance (version 1, :func:`issue`) and every later step
(:func:`amend`, :func:`release`, :func:`claim`, :func:`expire`); the status transitions as data
(:data:`STATUS_TRANSITIONS`). Each function takes a contract and returns a new one (contracts
are immutable); refusals raise :class:`~surety_core.RuleViolationError` with every violation.

Must not know: where contracts are stored, how numbers are allocated, the clock (dates are
arguments), signing, keys, fees or notices: the issuer does those around these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from types import MappingProxyType

from attrs import evolve

from surety_core import _validation as v
from surety_core._errors import InvalidInputError
from surety_core.domain import _rules as r
from surety_core.domain._checks import validate_amendment
from surety_core.domain._claims import ClaimSettlement, claim_payout
from surety_core.domain._model import (
    Amendment,
    Application,
    GuaranteeContract,
    GuaranteeStatus,
    GuaranteeVersion,
    ObligeePolicy,
    ProductRequest,
    Surety,
)
from surety_core.domain._products import ProductRegistry
from surety_core.domain._rules import Violation, raise_if_any
from surety_core.domain._standard import default_products

__all__ = [
    "ORIGINAL_REASON",
    "STATUS_TRANSITIONS",
    "amend",
    "can_transition",
    "claim",
    "expire",
    "issue",
    "release",
]

ORIGINAL_REASON = "当初契約 (original)"
"""The reason recorded on version 1 of every guarantee contract."""

_S = GuaranteeStatus
STATUS_TRANSITIONS: Mapping[GuaranteeStatus, frozenset[GuaranteeStatus]] = MappingProxyType(
    {
        _S.ISSUED: frozenset({_S.RELEASED, _S.CLAIMED, _S.EXPIRED}),
        _S.RELEASED: frozenset(),
        _S.CLAIMED: frozenset(),
        _S.EXPIRED: frozenset(),
    }
)
"""The allowed status changes: issued → released / claimed / expired; nothing out of a final
state. Amendments keep the status ``issued``."""


def can_transition(current: GuaranteeStatus, target: GuaranteeStatus) -> bool:
    """True when :data:`STATUS_TRANSITIONS` allows ``current`` → ``target``."""
    return target in STATUS_TRANSITIONS.get(current, frozenset())


def _check_date(on: object, name: str = "on") -> date:
    from datetime import datetime

    if isinstance(on, datetime) or not isinstance(on, date):
        raise InvalidInputError(name, f"must be a date, not {type(on).__name__}")
    return on


def _transition_violations(
    contract: GuaranteeContract, target: GuaranteeStatus, on: date
) -> list[Violation]:
    v.require(contract, GuaranteeContract, "contract")
    found: list[Violation] = []
    if not can_transition(contract.status, target):
        found.append(
            r.STATUS_TRANSITION_NOT_ALLOWED.violation(
                "contract.status", f"{contract.status.value} -> {target.value}"
            )
        )
    last = max(contract.issued_on, contract.current.effective_on)
    if on < last:
        found.append(r.STATUS_DATE_BEFORE_LAST_CHANGE.violation("on", f"{on} < {last}"))
    return found


def amend(
    contract: GuaranteeContract,
    amendment: Amendment,
    policy: ObligeePolicy,
    *,
    products: ProductRegistry | None = None,
    existing: Iterable[GuaranteeContract] = (),
    as_version: int | None = None,
) -> GuaranteeContract:
    """``contract`` with ``amendment`` appended as the next version (変更); medium unchanged.

    Raises :class:`RuleViolationError` with every violation of :func:`validate_amendment`.
    """
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
    version = GuaranteeVersion(
        number=contract.version + 1,
        amount=amendment.amount,
        period=amendment.period,
        works=amendment.works,
        effective_on=amendment.effective_on,
        reason=amendment.reason,
    )
    return evolve(contract, versions=(*contract.versions, version))


def issue(
    application: Application,
    request: ProductRequest,
    *,
    number: str,
    surety: Surety,
    on: date,
) -> GuaranteeContract:
    """The guarantee contract ``number`` issued on ``on`` by ``surety`` for ``request`` of
    ``application``: status issued, version 1 (the request's amount and period, the
    application's works, effective on ``on``, reason :data:`ORIGINAL_REASON`).

    The caller has checked the application (:func:`~surety_core.check_application`); the
    contract's own validators refuse a request that is not part of ``application``'s data.
    """
    v.require(application, Application, "application")
    if request not in application.requests:
        raise InvalidInputError("request", "must be one of the application's requests")
    on = _check_date(on)
    version = GuaranteeVersion(
        number=1,
        amount=request.amount,
        period=request.period,
        works=application.works,
        effective_on=on,
        reason=ORIGINAL_REASON,
    )
    return GuaranteeContract(
        number=number,
        product=request.product,
        principal=application.principal,
        surety=surety,
        medium=request.medium,
        issued_on=on,
        versions=(version,),
        application_reference=application.reference,
    )


def release(contract: GuaranteeContract, on: date) -> GuaranteeContract:
    """Release or cancel the guarantee (解約・返還) on ``on`` (within its period)."""
    on = _check_date(on)
    found = _transition_violations(contract, GuaranteeStatus.RELEASED, on)
    if on > contract.period.end:
        found.append(r.RELEASE_AFTER_PERIOD_END.violation("on", f"{on} > {contract.period.end}"))
    raise_if_any(found)
    return evolve(contract, status=GuaranteeStatus.RELEASED, status_on=on)


def expire(contract: GuaranteeContract, on: date) -> GuaranteeContract:
    """Mark the guarantee expired (期間満了) on ``on``, a day after its period ended."""
    on = _check_date(on)
    found = _transition_violations(contract, GuaranteeStatus.EXPIRED, on)
    if on <= contract.period.end:
        found.append(r.EXPIRY_BEFORE_PERIOD_END.violation("on", f"{on} <= {contract.period.end}"))
    raise_if_any(found)
    return evolve(contract, status=GuaranteeStatus.EXPIRED, status_on=on)


def claim(
    contract: GuaranteeContract,
    on: date,
    *,
    advance_paid: int,
    completed_value: int,
    products: ProductRegistry | None = None,
) -> tuple[GuaranteeContract, ClaimSettlement]:
    """Record a claim (保証事故) on ``on`` and settle it.

    Only advance-payment-type products (``Product.claimable``) take claims; the payout is the
    advance paid minus the value of work completed, never negative and never above the
    guaranteed amount (the current version's).
    """
    on = _check_date(on)
    payout = claim_payout(
        advance_paid=advance_paid,
        completed_value=completed_value,
        guaranteed_amount=contract.amount if isinstance(contract, GuaranteeContract) else 0,
    )
    found = _transition_violations(contract, GuaranteeStatus.CLAIMED, on)
    registry = default_products() if products is None else products
    if not isinstance(registry, ProductRegistry):
        raise InvalidInputError("products", "must be a ProductRegistry")
    if contract.product not in registry:
        found.append(r.UNKNOWN_PRODUCT.violation("contract.product", contract.product))
    elif not registry.get(contract.product).claimable:
        found.append(r.CLAIM_NOT_ALLOWED_FOR_PRODUCT.violation("contract.product"))
    raise_if_any(found)
    settlement = ClaimSettlement(
        contract_number=contract.number,
        product=contract.product,
        claimed_on=on,
        advance_paid=advance_paid,
        completed_value=completed_value,
        guaranteed_amount=contract.amount,
        payout=payout,
    )
    return evolve(contract, status=GuaranteeStatus.CLAIMED, status_on=on), settlement
