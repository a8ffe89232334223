"""The hash-chained audit log (private; see :mod:`surety_core.audit`).

Each event's ``hash`` is SHA-256 over a canonical encoding of every other field, including the
``previous_hash`` (the hash of the event before it; 32 zero bytes for the first). Altering,
deleting, inserting or reordering an event therefore breaks a link that
:func:`verify_audit_chain` reports.

Owns: the event's canonical encoding and hash, :func:`append_event` (the one way an event is
chained and written), the verification of a chain, and the refusal of keys in event details.
Must not know: who calls it or why (the services choose the action and the details), the
clock (``at`` is an argument), how the log is stored, nor any key or signing secret.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from enum import StrEnum

from attrs import frozen

from surety_core._errors import InvalidInputError
from surety_core.keys._format import contains_key_like
from surety_core.storage._protocols import AuditLog
from surety_core.storage._records import AuditEvent

__all__ = [
    "GENESIS_HASH",
    "AuditAction",
    "AuditProblem",
    "AuditReport",
    "append_event",
    "event_hash",
    "record_event",
    "verify_audit_chain",
]

GENESIS_HASH = bytes(32)
"""The ``previous_hash`` of the first event."""

_CONTEXT = "surety_core.audit.v1"
_MAX_DETAILS = 50
_MAX_DETAIL_TEXT = 1000


class AuditAction(StrEnum):
    """The actions the library records (hosts may record their own codes as plain strings)."""

    APPLIED = "applied"
    ISSUED = "issued"
    AMENDED = "amended"
    CERTIFICATE_SIGNED = "certificate_signed"
    KEY_ISSUED = "key_issued"
    KEY_REISSUED = "key_reissued"
    KEY_NOTICE_DOWNLOADED = "key_notice_downloaded"
    VERIFY_SUCCEEDED = "verify_succeeded"
    VERIFY_FAILED = "verify_failed"
    VERIFY_REFUSED = "verify_refused"
    """Refused by the attempt limiter without comparing the key."""
    RELEASED = "released"
    CLAIMED = "claimed"
    EXPIRED = "expired"
    COMPLETED = "completed"
    SECRETS_ROTATED = "secrets_rotated"
    SIGNING_KEY_ROTATED = "signing_key_rotated"
    ATTEMPTS_CLEARED = "attempts_cleared"
    """An operator cleared the attempt limiter's lock on a number (``surety unlock``)."""


class AuditProblem(StrEnum):
    """Why a chain is broken at a given event."""

    ALTERED = "altered"
    """The event's fields do not match its hash (edited in place)."""
    MISSING = "missing"
    """A sequence number is skipped: events were deleted."""
    OUT_OF_ORDER = "out_of_order"
    """A sequence number repeats or goes backwards: reordered or duplicated."""
    BROKEN_LINK = "broken_link"
    """``previous_hash`` is not the hash of the event before: inserted, deleted and renumbered,
    or rewritten with a fresh hash."""
    BAD_START = "bad_start"
    """The first event is not sequence 1 with the genesis hash (or does not follow the anchor)."""
    TRUNCATED = "truncated"
    """The chain is intact but does not end at the expected head hash."""


@frozen
class AuditReport:
    """The result of :func:`verify_audit_chain`.

    ``ok`` is true for an intact chain. Otherwise ``broken_index`` is the position (0-based) in
    the events given, ``broken_sequence`` that event's sequence, and ``problem`` says why.
    ``checked`` counts events verified before the break; ``head`` is the last good hash.
    """

    ok: bool
    checked: int
    head: bytes
    broken_index: int | None = None
    broken_sequence: int | None = None
    problem: AuditProblem | None = None

    def __bool__(self) -> bool:
        return self.ok

    def describe(self) -> str:
        """One line for an operator."""
        if self.ok:
            return f"audit chain intact: {self.checked} event(s)"
        return (
            f"audit chain broken at position {self.broken_index} "
            f"(sequence {self.broken_sequence}): {self.problem}"
        )


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(
    *,
    sequence: int,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    details: Iterable[tuple[str, str]],
    previous_hash: bytes,
) -> bytes:
    """SHA-256 over the canonical encoding of an event's fields (times in UTC, to the µs)."""
    encoded = json.dumps(
        [
            _CONTEXT,
            sequence,
            _utc(at),
            actor,
            str(action),
            subject,
            [list(pair) for pair in details],
            previous_hash.hex(),
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    return hashlib.sha256(encoded).digest()


def _recompute(event: AuditEvent) -> bytes:
    return event_hash(
        sequence=event.sequence,
        at=event.at,
        actor=event.actor,
        action=event.action,
        subject=event.subject,
        details=event.details,
        previous_hash=event.previous_hash,
    )


def _refuse_keys(name: str, text: str) -> None:
    if contains_key_like(text):
        raise InvalidInputError(name, "must not contain an authentication key")


def _details(details: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    pairs = list(details.items()) if isinstance(details, Mapping) else list(details)
    if len(pairs) > _MAX_DETAILS:
        raise InvalidInputError("details", f"at most {_MAX_DETAILS} entries")
    out: dict[str, str] = {}
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise InvalidInputError("details", "entries are (name, text) pairs")
        name, value = pair
        if not isinstance(name, str) or not isinstance(value, str):
            raise InvalidInputError("details", "names and values must be text")
        if not name or len(name) > 64 or len(value) > _MAX_DETAIL_TEXT:
            raise InvalidInputError("details", "names are 1-64 and values 0-1000 characters")
        if name in out:
            raise InvalidInputError("details", f"the name {name[:64]!r} appears twice")
        _refuse_keys(f"details.{name[:64]}", name)
        _refuse_keys(f"details.{name[:64]}", value)
        out[name] = value
    return tuple(sorted(out.items()))


def record_event(
    previous: AuditEvent | None,
    *,
    at: datetime,
    actor: str,
    action: AuditAction | str,
    subject: str,
    details: Mapping[str, str] | Iterable[tuple[str, str]] = (),
) -> AuditEvent:
    """The event that follows ``previous`` (or the first event when it is ``None``).

    ``details`` are sorted by name. Raises :class:`~surety_core.InvalidInputError` for bad
    fields, and when the actor, subject or any detail holds something that parses as an
    authentication key: keys never enter the audit log.
    """
    if previous is not None and not isinstance(previous, AuditEvent):
        raise InvalidInputError("previous", "must be an AuditEvent or None")
    pairs = _details(details)
    for name, text in (("actor", actor), ("subject", subject)):
        if isinstance(text, str):
            _refuse_keys(name, text)
    action_text = action.value if isinstance(action, AuditAction) else action
    sequence = 1 if previous is None else previous.sequence + 1
    previous_hash = GENESIS_HASH if previous is None else previous.hash
    # Validate the fields first (AuditEvent's validators), then hash the validated values.
    draft = AuditEvent(
        sequence=sequence,
        at=at,
        actor=actor,
        action=action_text,
        subject=subject,
        details=pairs,
        previous_hash=previous_hash,
        hash=GENESIS_HASH,
    )
    from attrs import evolve

    return evolve(draft, hash=_recompute(draft))


def append_event(
    log: AuditLog,
    *,
    at: datetime,
    actor: str,
    action: AuditAction | str,
    subject: str,
    details: Mapping[str, str] | Iterable[tuple[str, str]] = (),
) -> AuditEvent:
    """Chain a new event after ``log.last()`` and append it; return it.

    The log raises :class:`~surety_core.ConcurrencyConflictError` if another writer appended
    first; retry the unit of work.
    """
    event = record_event(
        log.last(), at=at, actor=actor, action=action, subject=subject, details=details
    )
    log.append(event)
    return event


def verify_audit_chain(
    events: Iterable[AuditEvent],
    *,
    after: AuditEvent | None = None,
    expected_head: bytes | None = None,
) -> AuditReport:
    """Check a run of events and name the first broken link.

    Without ``after`` the run must start at sequence 1 with the genesis hash; with it, the run
    continues from that (already trusted) event, so a long log can be checked in pages.
    ``expected_head`` (a hash kept outside the store) also detects deleting the newest events.
    """
    expected_sequence = 1 if after is None else after.sequence + 1
    head = GENESIS_HASH if after is None else after.hash
    checked = 0

    def broken(index: int, event: AuditEvent, problem: AuditProblem) -> AuditReport:
        return AuditReport(
            ok=False,
            checked=checked,
            head=head,
            broken_index=index,
            broken_sequence=event.sequence,
            problem=problem,
        )

    for index, event in enumerate(events):
        if not isinstance(event, AuditEvent):
            raise InvalidInputError(f"events[{index}]", "must be an AuditEvent")
        if _recompute(event) != event.hash:
            return broken(index, event, AuditProblem.ALTERED)
        if event.sequence != expected_sequence:
            if index == 0 and after is None:
                return broken(index, event, AuditProblem.BAD_START)
            problem = (
                AuditProblem.MISSING
                if event.sequence > expected_sequence
                else AuditProblem.OUT_OF_ORDER
            )
            return broken(index, event, problem)
        if event.previous_hash != head:
            problem = (
                AuditProblem.BAD_START if index == 0 and after is None else AuditProblem.BROKEN_LINK
            )
            return broken(index, event, problem)
        head = event.hash
        expected_sequence += 1
        checked += 1
    if expected_head is not None and head != expected_head:
        return AuditReport(
            ok=False,
            checked=checked,
            head=head,
            broken_index=checked,
            broken_sequence=expected_sequence,
            problem=AuditProblem.TRUNCATED,
        )
    return AuditReport(ok=True, checked=checked, head=head)
