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
from surety_core.domain._claims import (
    ClaimBasis,
    ClaimCase,
    ClaimSettlement,
    ClaimState,
    claim_payout,
    penalty_payout,
)
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
    "CLAIM_STEPS",
    "ORIGINAL_REASON",
    "STATUS_TRANSITIONS",
    "amend",
    "assess_claim",
    "can_transition",
    "claim",
    "complete",
    "expire",
    "issue",
    "pay_claim",
    "receive_claim",
    "reject_claim",
    "release",
]

ORIGINAL_REASON = "当初契約 (original)"
"""The reason recorded on version 1 of every guarantee contract."""

_S = GuaranteeStatus
STATUS_TRANSITIONS: Mapping[GuaranteeStatus, frozenset[GuaranteeStatus]] = MappingProxyType(
    {
        _S.ISSUED: frozenset({_S.RELEASED, _S.CLAIMED, _S.EXPIRED, _S.COMPLETED}),
        _S.RELEASED: frozenset(),
        _S.CLAIMED: frozenset(),
        _S.EXPIRED: frozenset({_S.CLAIMED}),
        _S.COMPLETED: frozenset(),
    }
)
"""The allowed status changes: issued → released / claimed / expired; expired → claimed only for
a default during the period (:func:`claim` with ``default_on``); nothing else out of a final
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


def complete(contract: GuaranteeContract, on: date) -> GuaranteeContract:
    """Record the completion and hand-over of the works (完成・引渡し) on ``on``: the guarantee
    ends fulfilled, its own end state (not a release nor an expiry)."""
    on = _check_date(on)
    found = _transition_violations(contract, GuaranteeStatus.COMPLETED, on)
    if on > contract.period.end:
        found.append(r.COMPLETION_AFTER_PERIOD_END.violation("on", f"{on} > {contract.period.end}"))
    raise_if_any(found)
    return evolve(contract, status=GuaranteeStatus.COMPLETED, status_on=on)


def claim(
    contract: GuaranteeContract,
    on: date,
    *,
    advance_paid: int | None = None,
    completed_value: int | None = None,
    partial_payments: int = 0,
    paid_by_others: int = 0,
    penalty: int | None = None,
    default_on: date | None = None,
    products: ProductRegistry | None = None,
) -> tuple[GuaranteeContract, ClaimSettlement]:
    """Record a claim (保証事故) on ``on`` and settle it by the product's claim basis.

    * Advance-type products: ``advance_paid`` and ``completed_value`` are required; the payout is
      the advance paid plus ``partial_payments`` (出来形払) minus the value of the work completed
      (and minus ``paid_by_others`` when settled together with the works' other advance-type
      guarantees, see :func:`joint_advance_payouts`), capped at the guaranteed amount.
    * Contract guarantee: ``penalty`` (違約金) is required (``CLAIM_PENALTY_MISSING``); the payout
      is the penalty capped at the guaranteed amount.

    Products without ``claimable`` refuse (``CLAIM_NOT_ALLOWED_FOR_PRODUCT``).
    """
    on = _check_date(on)
    if default_on is not None:
        default_on = _check_date(default_on, "default_on")
    found = _transition_violations(contract, GuaranteeStatus.CLAIMED, on)
    registry = default_products() if products is None else products
    if not isinstance(registry, ProductRegistry):
        raise InvalidInputError("products", "must be a ProductRegistry")
    basis = ClaimBasis.ADVANCE_REPAYMENT
    if contract.product not in registry:
        found.append(r.UNKNOWN_PRODUCT.violation("contract.product", contract.product))
    else:
        product = registry.get(contract.product)
        basis = product.claim_basis
        if not product.claimable:
            found.append(r.CLAIM_NOT_ALLOWED_FOR_PRODUCT.violation("contract.product"))
    if basis is ClaimBasis.PENALTY and penalty is None:
        found.append(r.CLAIM_PENALTY_MISSING.violation("penalty"))
    if contract.status is GuaranteeStatus.EXPIRED and default_on is None:
        found.append(
            r.CLAIM_DEFAULT_OUTSIDE_PERIOD.violation(
                "default_on", "an expired guarantee is claimed only for a default in its period"
            )
        )
    if default_on is not None and default_on not in contract.period:
        found.append(
            r.CLAIM_DEFAULT_OUTSIDE_PERIOD.violation(
                "default_on", f"{default_on} vs {contract.period}"
            )
        )
    raise_if_any(found)
    if basis is ClaimBasis.PENALTY:
        assert penalty is not None
        payout = penalty_payout(penalty=penalty, guaranteed_amount=contract.amount)
        paid, done = advance_paid or 0, completed_value or 0
    else:
        if advance_paid is None or completed_value is None:
            raise InvalidInputError(
                "advance_paid", "an advance-type claim needs advance_paid and completed_value"
            )
        paid, done = advance_paid, completed_value
        payout = claim_payout(
            advance_paid=paid,
            completed_value=done,
            guaranteed_amount=contract.amount,
            partial_payments=partial_payments,
            paid_by_others=paid_by_others,
        )
    settlement = ClaimSettlement(
        contract_number=contract.number,
        product=contract.product,
        claimed_on=on,
        advance_paid=paid,
        completed_value=done,
        guaranteed_amount=contract.amount,
        payout=payout,
        partial_payments=partial_payments,
        paid_by_others=paid_by_others,
        basis=basis,
        penalty=penalty or 0,
        default_on=default_on,
    )
    return evolve(contract, status=GuaranteeStatus.CLAIMED, status_on=on), settlement


_C = ClaimState
CLAIM_STEPS: Mapping[ClaimState, frozenset[ClaimState]] = MappingProxyType(
    {
        _C.RECEIVED: frozenset({_C.ASSESSED, _C.REJECTED}),
        _C.ASSESSED: frozenset({_C.PAID}),
        _C.PAID: frozenset(),
        _C.REJECTED: frozenset(),
    }
)
"""The steps of a claim: received → assessed → paid, or received → rejected."""


def _step_violations(case: ClaimCase, target: ClaimState, on: date) -> list[Violation]:
    if not isinstance(case, ClaimCase):
        raise InvalidInputError("case", f"must be a ClaimCase, not {type(case).__name__}")
    found: list[Violation] = []
    if target not in CLAIM_STEPS[case.state]:
        found.append(
            r.CLAIM_STEP_NOT_ALLOWED.violation("case.state", f"{case.state.value} -> {target}")
        )
    last = max(d for d in (case.received_on, case.assessed_on) if d is not None)
    if on < last:
        found.append(r.CLAIM_STEP_DATE_BACKWARDS.violation("on", f"{on} < {last}"))
    return found


def receive_claim(
    contract: GuaranteeContract,
    on: date,
    *,
    claimed_amount: int,
    default_on: date | None = None,
) -> ClaimCase:
    """Receive the obligee's claim (請求受付) on ``contract`` on ``on``.

    The contract must be able to take a claim (in force, or expired with a ``default_on``
    within its period — checked again at assessment).
    """
    on = _check_date(on)
    found = _transition_violations(contract, GuaranteeStatus.CLAIMED, on)
    if contract.status is GuaranteeStatus.EXPIRED and (
        default_on is None or default_on not in contract.period
    ):
        found.append(r.CLAIM_DEFAULT_OUTSIDE_PERIOD.violation("default_on", str(default_on)))
    raise_if_any(found)
    return ClaimCase(
        contract_number=contract.number,
        received_on=on,
        claimed_amount=claimed_amount,
        default_on=default_on,
    )


def assess_claim(
    case: ClaimCase,
    contract: GuaranteeContract,
    on: date,
    *,
    advance_paid: int | None = None,
    completed_value: int | None = None,
    partial_payments: int = 0,
    paid_by_others: int = 0,
    penalty: int | None = None,
    products: ProductRegistry | None = None,
) -> tuple[GuaranteeContract, ClaimCase]:
    """Assess a received claim on ``on`` (査定): the contract becomes claimed and the case
    carries the :class:`ClaimSettlement` of :func:`claim`."""
    on = _check_date(on)
    raise_if_any(_step_violations(case, ClaimState.ASSESSED, on))
    if not isinstance(contract, GuaranteeContract) or contract.number != case.contract_number:
        raise InvalidInputError("contract", "must be the contract the claim was made on")
    new, settlement = claim(
        contract,
        on,
        advance_paid=advance_paid,
        completed_value=completed_value,
        partial_payments=partial_payments,
        paid_by_others=paid_by_others,
        penalty=penalty,
        default_on=case.default_on,
        products=products,
    )
    return new, evolve(case, state=ClaimState.ASSESSED, assessed_on=on, settlement=settlement)


def pay_claim(case: ClaimCase, on: date) -> ClaimCase:
    """Record the payment of an assessed claim's payout on ``on`` (支払)."""
    on = _check_date(on)
    raise_if_any(_step_violations(case, ClaimState.PAID, on))
    return evolve(case, state=ClaimState.PAID, paid_on=on)


def reject_claim(case: ClaimCase, on: date, *, reason: str) -> ClaimCase:
    """Refuse a received claim on ``on`` (不払), with the ``reason``; the contract is unchanged."""
    on = _check_date(on)
    raise_if_any(_step_violations(case, ClaimState.REJECTED, on))
    return evolve(case, state=ClaimState.REJECTED, rejected_on=on, reason=reason)
