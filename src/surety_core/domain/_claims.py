"""Claims (保証事故) on advance-payment-type guarantees (private; see :mod:`surety_core`)."""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import InvalidInputError

__all__ = ["ClaimSettlement", "claim_payout"]


def claim_payout(*, advance_paid: int, completed_value: int, guaranteed_amount: int) -> int:
    """Advance paid minus the value of work completed, never negative, never above the amount."""
    for name, value in (
        ("advance_paid", advance_paid),
        ("completed_value", completed_value),
        ("guaranteed_amount", guaranteed_amount),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= v.MAX_YEN:
            raise InvalidInputError(name, f"must be whole yen between 0 and {v.MAX_YEN}")
    return max(0, min(advance_paid - completed_value, guaranteed_amount))


def _payout_consistent(instance: ClaimSettlement, attribute: object, value: int) -> None:
    expected = claim_payout(
        advance_paid=instance.advance_paid,
        completed_value=instance.completed_value,
        guaranteed_amount=instance.guaranteed_amount,
    )
    if value != expected:
        raise InvalidInputError("ClaimSettlement.payout", f"must be {expected}")


@frozen
class ClaimSettlement:
    """The settlement of a claim (保証事故): what the surety pays the obligee.

    ``payout = min(max(advance_paid - completed_value, 0), guaranteed_amount)``; the
    constructor refuses any other value.
    """

    contract_number: str = field(validator=v.contract_number)
    product: str = field(validator=v.code)
    claimed_on: date = field(validator=v.a_date)
    advance_paid: int = field(validator=v.non_negative_yen)
    completed_value: int = field(validator=v.non_negative_yen)
    guaranteed_amount: int = field(validator=v.yen)
    payout: int = field(validator=[v.non_negative_yen, _payout_consistent])
