"""Claims (保証事故) and their settlement (private; see :mod:`surety_core`).

Two bases:

* **advance repayment** (前払金保証・中間前払金保証): the payout is the advance paid plus the
  partial payments made for completed work (出来形払) minus the value of the work completed,
  never negative and capped at the guaranteed amount. The advance and the intermediate advance
  of one works are settled together (:func:`joint_advance_payouts`).
* **penalty** (契約保証): the penalty (違約金) owed to the obligee when the works contract is
  cancelled for the contractor's default, capped at the guaranteed amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import InvalidInputError

__all__ = [
    "ClaimBasis",
    "ClaimCase",
    "ClaimSettlement",
    "ClaimState",
    "claim_payout",
    "joint_advance_payouts",
    "penalty_payout",
]


class ClaimBasis(StrEnum):
    """How a claim on a product is settled."""

    ADVANCE_REPAYMENT = "advance_repayment"
    """Advance paid + partial payments − value of the work completed (前払金の返還)."""
    PENALTY = "penalty"
    """The penalty (違約金) owed to the obligee (contract guarantee)."""


def _yen(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= v.MAX_YEN:
        raise InvalidInputError(name, f"must be whole yen between 0 and {v.MAX_YEN}")
    return value


def claim_payout(
    *,
    advance_paid: int,
    completed_value: int,
    guaranteed_amount: int,
    partial_payments: int = 0,
    paid_by_others: int = 0,
) -> int:
    """What an advance-type guarantee pays on a claim.

    ``advance_paid + partial_payments - completed_value - paid_by_others``, never negative and
    never above ``guaranteed_amount``. ``paid_by_others`` is what the other advance-type
    guarantees of the same works already cover when they are settled together (then
    ``advance_paid`` is the total of the advances of the works).
    """
    paid = _yen("advance_paid", advance_paid)
    done = _yen("completed_value", completed_value)
    cap = _yen("guaranteed_amount", guaranteed_amount)
    partial = _yen("partial_payments", partial_payments)
    others = _yen("paid_by_others", paid_by_others)
    return max(0, min(paid + partial - done - others, cap))


def penalty_payout(*, penalty: int, guaranteed_amount: int) -> int:
    """What a contract guarantee pays: the penalty (違約金), capped at the guaranteed amount."""
    return min(_yen("penalty", penalty), _yen("guaranteed_amount", guaranteed_amount))


def joint_advance_payouts(
    *, advances: Sequence[tuple[int, int]], completed_value: int, partial_payments: int = 0
) -> tuple[int, ...]:
    """Settle the advance-type guarantees of one works together.

    ``advances`` holds ``(advance_paid, guaranteed_amount)`` per guarantee in the order paid
    (the advance, then the intermediate advance). The total owed is the sum of the advances plus
    the partial payments minus the value of the work completed; it is met from the latest
    advance back (the intermediate advance first), each guarantee up to its guaranteed amount.
    Example: 40,000,000 + 20,000,000 paid, 50,000,000 completed → ``(0, 10_000_000)``.
    """
    items: object = advances
    if isinstance(items, str | bytes) or not isinstance(items, Sequence):
        raise InvalidInputError("advances", "must be a sequence of (advance_paid, amount) pairs")
    pairs = [
        (_yen(f"advances[{i}][0]", p), _yen(f"advances[{i}][1]", g))
        for i, (p, g) in enumerate(advances)
    ]
    total = sum(p for p, _ in pairs)
    owed = max(
        0,
        total
        + _yen("partial_payments", partial_payments)
        - _yen("completed_value", completed_value),
    )
    payouts = [0] * len(pairs)
    covered = 0
    for i in reversed(range(len(pairs))):
        payouts[i] = claim_payout(
            advance_paid=min(total, v.MAX_YEN),
            completed_value=min(completed_value, v.MAX_YEN),
            guaranteed_amount=min(pairs[i][1], pairs[i][0]),
            partial_payments=partial_payments,
            paid_by_others=min(covered, v.MAX_YEN),
        )
        covered += payouts[i]
    return tuple(min(p, owed) for p in payouts)


def _payout_consistent(instance: ClaimSettlement, attribute: object, value: int) -> None:
    if instance.basis is ClaimBasis.PENALTY:
        expected = penalty_payout(
            penalty=instance.penalty, guaranteed_amount=instance.guaranteed_amount
        )
    else:
        expected = claim_payout(
            advance_paid=instance.advance_paid,
            completed_value=instance.completed_value,
            guaranteed_amount=instance.guaranteed_amount,
            partial_payments=instance.partial_payments,
            paid_by_others=instance.paid_by_others,
        )
    if value != expected:
        raise InvalidInputError("ClaimSettlement.payout", f"must be {expected}")


@frozen
class ClaimSettlement:
    """The settlement of a claim (保証事故): what the surety pays the obligee.

    For ``basis`` advance repayment: ``payout = min(max(advance_paid + partial_payments -
    completed_value - paid_by_others, 0), guaranteed_amount)``; for the penalty basis:
    ``payout = min(penalty, guaranteed_amount)``. The constructor refuses any other value.
    ``default_on`` is the date of the default that caused the claim, when stated (a claim may be
    made after expiry for a default during the period).
    """

    contract_number: str = field(validator=v.contract_number)
    product: str = field(validator=v.code)
    claimed_on: date = field(validator=v.a_date)
    advance_paid: int = field(validator=v.non_negative_yen)
    completed_value: int = field(validator=v.non_negative_yen)
    guaranteed_amount: int = field(validator=v.yen)
    payout: int = field(validator=[v.non_negative_yen, _payout_consistent])
    partial_payments: int = field(default=0, validator=v.non_negative_yen)
    paid_by_others: int = field(default=0, validator=v.non_negative_yen)
    basis: ClaimBasis = field(default=ClaimBasis.ADVANCE_REPAYMENT, validator=v.enum_of(ClaimBasis))
    penalty: int = field(default=0, validator=v.non_negative_yen)
    default_on: date | None = field(default=None, validator=v.optional_date)


class ClaimState(StrEnum):
    """Where a claim (保証事故) stands: received → assessed → paid, or rejected."""

    RECEIVED = "received"
    """The obligee's claim was received (請求受付)."""
    ASSESSED = "assessed"
    """The surety assessed it: the settlement is known (査定)."""
    PAID = "paid"
    """The payout was paid to the obligee (支払)."""
    REJECTED = "rejected"
    """The claim was refused (不払)."""


def _case_consistent(instance: ClaimCase, attribute: object, value: ClaimState) -> None:
    name = "ClaimCase"
    assessed = value in (ClaimState.ASSESSED, ClaimState.PAID)
    if assessed != (instance.settlement is not None and instance.assessed_on is not None):
        raise InvalidInputError(name, "an assessed or paid claim has its settlement and date")
    if (value is ClaimState.PAID) != (instance.paid_on is not None):
        raise InvalidInputError(name, "a paid claim, and only a paid one, has paid_on")
    if (value is ClaimState.REJECTED) != (instance.rejected_on is not None):
        raise InvalidInputError(name, "a rejected claim, and only a rejected one, has rejected_on")
    dates = [d for d in (instance.assessed_on, instance.paid_on, instance.rejected_on) if d]
    if any(d < instance.received_on for d in dates) or (
        instance.paid_on is not None
        and instance.assessed_on is not None
        and instance.paid_on < instance.assessed_on
    ):
        raise InvalidInputError(name, "the steps' dates must not go backwards")
    if instance.settlement is not None and (
        instance.settlement.contract_number != instance.contract_number
    ):
        raise InvalidInputError(name, "the settlement belongs to another contract")


@frozen
class ClaimCase:
    """A claim (保証事故) as it is handled: received with the amount the obligee claims,
    assessed into a :class:`ClaimSettlement`, then paid (its payout) or rejected, with dates.

    Build it with :func:`surety_core.receive_claim` and move it with ``assess_claim``,
    ``pay_claim`` and ``reject_claim``; the constructor refuses inconsistent states.
    """

    contract_number: str = field(validator=v.contract_number)
    received_on: date = field(validator=v.a_date)
    claimed_amount: int = field(validator=v.non_negative_yen)
    default_on: date | None = field(default=None, validator=v.optional_date)
    assessed_on: date | None = field(default=None, validator=v.optional_date)
    settlement: ClaimSettlement | None = field(
        default=None, validator=v.optional(v.instance_of(ClaimSettlement))
    )
    paid_on: date | None = field(default=None, validator=v.optional_date)
    rejected_on: date | None = field(default=None, validator=v.optional_date)
    reason: str | None = field(
        default=None, converter=v.strip_text, validator=v.optional(v.text(500))
    )
    state: ClaimState = field(
        default=ClaimState.RECEIVED, validator=[v.enum_of(ClaimState), _case_consistent]
    )

    @property
    def paid_amount(self) -> int:
        """What was paid: the settlement's payout once paid, else 0."""
        if self.state is ClaimState.PAID and self.settlement is not None:
            return self.settlement.payout
        return 0
