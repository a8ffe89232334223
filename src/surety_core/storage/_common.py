"""Argument checks and record transitions shared by the stores we ship (private)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from surety_core import _validation as v
from surety_core._errors import (
    InvalidInputError,
    StorageError,
    TransactionConflictError,
)
from surety_core.domain._model import GuaranteeContract
from surety_core.storage._records import AuditEvent, OutboxMessage, OutboxStatus

MAX_NUMBER = 9_999_999_999
"""The largest guarantee contract number (10 digits)."""

MAX_ERROR = 2000
"""``OutboxMessage.last_error`` is cut to this many characters."""


check_type = v.require
"""The library's one type check (:func:`surety_core._validation.require`)."""

check_aware = v.require_aware
"""The library's one aware-datetime check (:func:`surety_core._validation.require_aware`)."""


def check_limit(limit: Any, name: str = "limit") -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidInputError(name, "must be an integer >= 1")


def check_events_args(after: Any, limit: Any) -> None:
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise InvalidInputError("after", "must be an integer >= 0")
    if limit is not None:
        check_limit(limit)


def check_replace(old: Any, new: Any) -> None:
    check_type(old, GuaranteeContract, "old")
    check_type(new, GuaranteeContract, "new")
    if old.number != new.number:
        raise InvalidInputError("new.number", f"must equal old.number {old.number}")


def check_sequence(event: AuditEvent, last: int) -> None:
    """``event.sequence`` must be ``last + 1``: lower means another writer took it (a race the
    whole unit of work may simply run again: ``TransactionConflictError``)."""
    if event.sequence <= last:
        raise TransactionConflictError(
            f"audit sequence {event.sequence} is already taken (last is {last})"
        )
    if event.sequence != last + 1:
        raise InvalidInputError("AuditEvent.sequence", f"must be {last + 1}, the next in the log")


def check_failed_args(error: Any, at: Any, next_attempt_at: Any) -> None:
    if not isinstance(error, str):
        raise InvalidInputError("error", f"must be text, not {type(error).__name__}")
    check_aware(at, "at")
    if next_attempt_at is not None:
        check_aware(next_attempt_at, "next_attempt_at")


def sent(message: OutboxMessage, at: datetime) -> OutboxMessage:
    return attrs.evolve(
        message,
        status=OutboxStatus.SENT,
        attempts=message.attempts + 1,
        sent_at=at,
        next_attempt_at=None,
    )


def failed(message: OutboxMessage, error: str, next_attempt_at: datetime | None) -> OutboxMessage:
    return attrs.evolve(
        message,
        status=OutboxStatus.PENDING if next_attempt_at is not None else OutboxStatus.FAILED,
        attempts=message.attempts + 1,
        next_attempt_at=next_attempt_at,
        last_error=error[:MAX_ERROR],
    )


def outbox_order(message: OutboxMessage) -> tuple[datetime, str]:
    return (message.created_at, message.idempotency_key)


def format_number(value: int) -> str:
    """A contract number as 10 digits; ``StorageError`` when the range is used up."""
    if not 1 <= value <= MAX_NUMBER:
        raise StorageError(f"contract number {value} is outside 1..{MAX_NUMBER}")
    return f"{value:010d}"


def check_claim_args(now: Any, lease_until: Any, limit: Any) -> None:
    check_aware(now, "now")
    check_aware(lease_until, "lease_until")
    check_limit(limit)
    if lease_until <= now:
        raise InvalidInputError("lease_until", "must be later than now")


def claimed(message: OutboxMessage, lease_until: datetime) -> OutboxMessage:
    return attrs.evolve(message, next_attempt_at=lease_until)
