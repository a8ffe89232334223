"""The keyed, chained audit log (private; see :mod:`surety_core.audit`).

Each event's ``hash`` is an HMAC-SHA256, under a secret of the host's
:class:`~surety_core.keys.SecretProvider` named by the event's ``key_id``, over a canonical
encoding of every other field, including the ``previous_hash`` (the hash of the event before
it; 32 zero bytes for the first). Whoever can write the table but does not hold the secret can
therefore neither edit an event and re-hash the rest nor append a forged one: the verifier
names the first event whose link does not check. Dropping the newest events and anything done
by someone who *does* hold the secret is caught against a signed checkpoint
(:mod:`surety_core.audit` ``AuditCheckpoint``, in ``_checkpoint``).

Owns: the event's canonical encoding and keyed hash, :func:`append_event` (the one way an event
is chained and written), the check of an event's fields before it is written
(:func:`check_event_fields`), the verification of a chain, and the refusal of keys, control
characters and lone surrogates in event fields. Must not know: who calls it or why (the services
choose the action and the details), the clock (``at`` is an argument), how the log is stored,
nor any signing key (checkpoints are signed in ``_checkpoint``).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import orjson
from attrs import frozen

from surety_core import _validation as v
from surety_core._errors import InvalidInputError, SuretyError
from surety_core.keys._format import contains_key_like
from surety_core.keys._secrets import SecretProvider
from surety_core.storage._protocols import AuditLog
from surety_core.storage._records import AuditEvent

__all__ = [
    "GENESIS_HASH",
    "AuditAction",
    "AuditProblem",
    "AuditReport",
    "append_event",
    "check_event_fields",
    "event_hash",
    "record_event",
    "verify_audit_chain",
]

GENESIS_HASH = bytes(32)
"""The ``previous_hash`` of the first event."""

_CONTEXT = "surety_core.audit.v2"
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
    PAYMENT_RECEIVED = "payment_received"
    SECRETS_ROTATED = "secrets_rotated"
    SIGNING_KEY_ROTATED = "signing_key_rotated"
    ATTEMPTS_CLEARED = "attempts_cleared"
    """An operator cleared the attempt limiter's lock on a number (``surety unlock``)."""


class AuditProblem(StrEnum):
    """Why a chain is broken at a given event."""

    ALTERED = "altered"
    """The event's fields do not match its keyed hash (edited, re-hashed without the secret,
    or forged and appended)."""
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
    """The chain is intact but ends before the expected head (the newest events were dropped)."""
    UNKEYED = "unkeyed"
    """The event carries no key id: written before the log was keyed, or forged."""
    UNKNOWN_KEY = "unknown_key"
    """The event names an HMAC secret the secret provider does not hold."""
    UNREADABLE = "unreadable"
    """The stored row cannot be read back as a valid event."""
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"
    """The event at the checkpoint's sequence is not the one the checkpoint signed: the log
    was rewritten (by someone holding the HMAC secret) up to or past the checkpoint."""


@frozen
class AuditReport:
    """The result of :func:`verify_audit_chain`.

    ``ok`` is true for an intact chain. Otherwise ``broken_index`` is the position (0-based) in
    the events given, ``broken_sequence`` that event's sequence (``None`` when unreadable), and
    ``problem`` says why. ``checked`` counts events verified before the break; ``head`` is the
    last good hash and ``last`` the last good event (``None`` when none was checked).
    """

    ok: bool
    checked: int
    head: bytes
    broken_index: int | None = None
    broken_sequence: int | None = None
    problem: AuditProblem | None = None
    last: AuditEvent | None = None

    def __bool__(self) -> bool:
        return self.ok

    def describe(self) -> str:
        """One line for an operator."""
        if self.ok:
            return f"audit chain intact: {self.checked} event(s)"
        where = "?" if self.broken_sequence is None else str(self.broken_sequence)
        return (
            f"audit chain broken at position {self.broken_index} (sequence {where}): {self.problem}"
        )


def _utc(at: datetime) -> str:
    return (at if at.tzinfo is UTC else at.astimezone(UTC)).isoformat(timespec="microseconds")


def _canonical(
    *,
    key_id: str,
    sequence: int,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    details: Iterable[tuple[str, str]],
    previous_hash: bytes,
) -> bytes:
    fields = [
        _CONTEXT,
        key_id,
        sequence,
        _utc(at),
        actor,
        str(action),
        subject,
        [list(pair) for pair in details],
        previous_hash.hex(),
    ]
    # The encoding is json.dumps(ensure_ascii=True, separators=(",", ":")); orjson writes the
    # same bytes, about 20 times faster, when its output is printable ASCII (json escapes DEL,
    # orjson does not), so it is taken only then.
    # ensure_ascii: every text encodes, whatever it holds (a lone surrogate cannot crash this).
    try:
        fast = orjson.dumps(fields)
    except TypeError:  # orjson.JSONEncodeError: a lone surrogate, an integer beyond 64 bits
        fast = b""
    if fast and fast.isascii() and b"\x7f" not in fast:
        return fast
    return json.dumps(fields, ensure_ascii=True, separators=(",", ":")).encode("ascii")


_HMACS: dict[bytes, Any] = {}
"""A keyed HMAC-SHA256 per secret, copied for each event (the key schedule runs once)."""


def _hmac_sha256(secret: bytes, message: bytes) -> bytes:
    base = _HMACS.get(secret)
    if base is None:
        if len(_HMACS) >= 16:
            _HMACS.clear()
        base = _HMACS[secret] = hmac.new(secret, digestmod="sha256")
    mac = base.copy()
    mac.update(message)
    return mac.digest()


def event_hash(
    *,
    secret: bytes,
    key_id: str,
    sequence: int,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    details: Iterable[tuple[str, str]],
    previous_hash: bytes,
) -> bytes:
    """HMAC-SHA256 under ``secret`` (the HMAC secret ``key_id``) over the canonical encoding
    of an event's fields (times in UTC, to the µs)."""
    message = _canonical(
        key_id=key_id,
        sequence=sequence,
        at=at,
        actor=actor,
        action=action,
        subject=subject,
        details=details,
        previous_hash=previous_hash,
    )
    if type(secret) is not bytes:
        return hmac.digest(secret, message, "sha256")
    return _hmac_sha256(secret, message)


def _recompute(event: AuditEvent, secret: bytes, key_id: str) -> bytes:
    return event_hash(
        secret=secret,
        key_id=key_id,
        sequence=event.sequence,
        at=event.at,
        actor=event.actor,
        action=event.action,
        subject=event.subject,
        details=event.details,
        previous_hash=event.previous_hash,
    )


_KEY_REFUSED = "must not contain an authentication key"


def _refuse_keys(name: str, text: str) -> None:
    if contains_key_like(text):
        raise InvalidInputError(name, _KEY_REFUSED)


def _details(details: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    kind = type(details)
    if kind is tuple or kind is list:  # what the services pass (no ABC check: it costs a µs)
        pairs = list(details)
    else:
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
        if v._BAD_TEXT.search(name) or v._BAD_TEXT.search(value):
            raise InvalidInputError("details", "must not contain control characters or surrogates")
        if name in out:
            raise InvalidInputError("details", f"the name {name[:64]!r} appears twice")
        if contains_key_like(name) or contains_key_like(value):  # the field named on failure
            raise InvalidInputError(f"details.{name[:64]}", _KEY_REFUSED)
        out[name] = value
    return tuple(sorted(out.items()))


_ANY_TIME = datetime(2000, 1, 1, tzinfo=UTC)


def _checked_details(
    actor: object, subject: object, details: Mapping[str, str] | Iterable[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    """The sorted details, after refusing keys in them, the actor and the subject."""
    pairs = _details(details)
    for name, text in (("actor", actor), ("subject", subject)):
        if isinstance(text, str):
            _refuse_keys(name, text)
    return pairs


def check_event_fields(
    *,
    actor: str,
    action: AuditAction | str,
    subject: str,
    details: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    at: datetime = _ANY_TIME,
) -> tuple[tuple[str, str], ...]:
    """Validate what an event would record, without recording it; return the sorted details.

    Raises :class:`~surety_core.InvalidInputError` exactly when :func:`record_event` would for
    these fields, so that a caller can refuse an operation before doing anything that must be
    audited (the obligee view checks the actor before it compares a key).
    """
    pairs = _checked_details(actor, subject, details)
    action_text = action.value if isinstance(action, AuditAction) else action
    AuditEvent(
        sequence=1,
        at=at,
        actor=actor,
        action=action_text,
        subject=subject,
        details=pairs,
        previous_hash=GENESIS_HASH,
        hash=GENESIS_HASH,
        key_id="check",
    )
    return pairs


_PROVIDER_TYPES: set[type] = set()
"""Classes that define every member of the SecretProvider protocol themselves (so each of
their instances passes the protocol check, which costs tens of µs per call)."""
_PROVIDER_NAMES = (
    "current_hmac_key_id",
    "current_encryption_key_id",
    "hmac_secret",
    "encryption_key",
)


def record_event(
    previous: AuditEvent | None,
    *,
    secrets: SecretProvider,
    at: datetime,
    actor: str,
    action: AuditAction | str,
    subject: str,
    details: Mapping[str, str] | Iterable[tuple[str, str]] = (),
) -> AuditEvent:
    """The event that follows ``previous`` (or the first event when it is ``None``), keyed
    with the secret provider's current HMAC secret.

    ``details`` are sorted by name. Raises :class:`~surety_core.InvalidInputError` for bad
    fields (control characters and lone surrogates included), and when the actor, subject or
    any detail holds something that parses as an authentication key: keys never enter the
    audit log.
    """
    if previous is not None and not isinstance(previous, AuditEvent):
        raise InvalidInputError("previous", "must be an AuditEvent or None")
    if type(secrets) not in _PROVIDER_TYPES:
        if not isinstance(secrets, SecretProvider):
            raise InvalidInputError("secrets", "must be a SecretProvider")
        kind = type(secrets)
        if len(_PROVIDER_TYPES) < 32 and all(hasattr(kind, name) for name in _PROVIDER_NAMES):
            _PROVIDER_TYPES.add(kind)  # a protocol check costs tens of µs
    action_text = action.value if isinstance(action, AuditAction) else action
    fields: tuple[object, ...] = (at, actor, action_text, subject)  # as typed by any caller
    if not (
        isinstance(fields[0], datetime)
        and isinstance(fields[1], str)
        and isinstance(fields[2], str)
        and isinstance(fields[3], str)
    ):
        # A wrong type: the checks below name the field exactly as they always did.
        check_event_fields(at=at, actor=actor, action=action, subject=subject, details=details)
        raise AssertionError("a field of the wrong type is refused")  # pragma: no cover
    pairs = _checked_details(actor, subject, details)
    key_id = secrets.current_hmac_key_id
    secret = secrets.hmac_secret(key_id)
    sequence = 1 if previous is None else previous.sequence + 1
    previous_hash = GENESIS_HASH if previous is None else previous.hash
    # The event is built once, with its hash: its validators run once (the same checks that
    # check_event_fields runs on a draft, in the same order, so the same error for bad fields).
    return AuditEvent(
        sequence=sequence,
        at=at,
        actor=actor,
        action=action_text,
        subject=subject,
        details=pairs,
        previous_hash=previous_hash,
        hash=event_hash(
            secret=secret,
            key_id=key_id,
            sequence=sequence,
            at=at,
            actor=actor,
            action=action_text,
            subject=subject,
            details=pairs,
            previous_hash=previous_hash,
        ),
        key_id=key_id,
    )


def append_event(
    log: AuditLog,
    *,
    secrets: SecretProvider,
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
        log.last(),
        secrets=secrets,
        at=at,
        actor=actor,
        action=action,
        subject=subject,
        details=details,
    )
    log.append(event)
    return event


class _Secrets:
    """Looks secrets up once per key id; an unknown id is remembered as ``None``."""

    def __init__(self, provider: SecretProvider) -> None:
        self._provider = provider
        self._found: dict[str, bytes | None] = {}

    def get(self, key_id: str) -> bytes | None:
        if key_id not in self._found:
            try:
                secret = self._provider.hmac_secret(key_id)
                self._found[key_id] = secret if isinstance(secret, bytes) else None
            except SuretyError:
                self._found[key_id] = None
        return self._found[key_id]


def _safe(events: Iterable[Any]) -> Iterator[tuple[Any, BaseException | None]]:
    """The events, with the error raised while reading one (then stop)."""
    iterator = iter(events)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return
        except (SuretyError, ValueError, TypeError, KeyError, UnicodeError) as exc:
            yield None, exc
            return
        yield item, None


def verify_audit_chain(
    events: Iterable[AuditEvent],
    *,
    secrets: SecretProvider,
    after: AuditEvent | None = None,
    expected_head: bytes | None = None,
    expected_sequence: int | None = None,
) -> AuditReport:
    """Check a run of events and name the first bad one; never raises for a bad event.

    Every event's keyed hash is recomputed with the secret its ``key_id`` names (so rotated
    secrets keep verifying while the provider holds them). Without ``after`` the run must start
    at sequence 1 with the genesis hash; with it, the run continues from that (already trusted)
    event, so a long log can be checked in pages. ``expected_head`` with
    ``expected_sequence`` (from a checkpoint: use :func:`verify_audit_log` for that) also
    detects dropping the newest events and a rewrite by someone holding the secret.
    """
    if not isinstance(secrets, SecretProvider):
        raise InvalidInputError("secrets", "must be a SecretProvider")
    return _check_run(
        events,
        _Secrets(secrets),
        after=after,
        expected_head=expected_head,
        expected_sequence=expected_sequence,
        final=True,
    )


def _check_run(
    events: Iterable[AuditEvent],
    keys: _Secrets,
    *,
    after: AuditEvent | None,
    expected_head: bytes | None,
    expected_sequence: int | None,
    final: bool,
) -> AuditReport:
    next_sequence = 1 if after is None else after.sequence + 1
    head = GENESIS_HASH if after is None else after.hash
    last = after
    checked = 0

    def broken(index: int, sequence: int | None, problem: AuditProblem) -> AuditReport:
        return AuditReport(
            ok=False,
            checked=checked,
            head=head,
            broken_index=index,
            broken_sequence=sequence,
            problem=problem,
            last=last,
        )

    index = -1
    for index, (event, error) in enumerate(_safe(events)):
        if error is not None or not isinstance(event, AuditEvent):
            return broken(index, None, AuditProblem.UNREADABLE)
        if event.key_id is None:
            return broken(index, event.sequence, AuditProblem.UNKEYED)
        secret = keys.get(event.key_id)
        if secret is None:
            return broken(index, event.sequence, AuditProblem.UNKNOWN_KEY)
        try:
            expected = _recompute(event, secret, event.key_id)
        except (ValueError, TypeError, UnicodeError, OverflowError):
            return broken(index, event.sequence, AuditProblem.UNREADABLE)
        if not hmac.compare_digest(expected, event.hash):
            return broken(index, event.sequence, AuditProblem.ALTERED)
        if event.sequence != next_sequence:
            if index == 0 and after is None:
                return broken(index, event.sequence, AuditProblem.BAD_START)
            problem = (
                AuditProblem.MISSING
                if event.sequence > next_sequence
                else AuditProblem.OUT_OF_ORDER
            )
            return broken(index, event.sequence, problem)
        if event.previous_hash != head:
            problem = (
                AuditProblem.BAD_START if index == 0 and after is None else AuditProblem.BROKEN_LINK
            )
            return broken(index, event.sequence, problem)
        at_checkpoint = expected_sequence is not None and event.sequence == expected_sequence
        if at_checkpoint and expected_head is not None and event.hash != expected_head:
            return broken(index, event.sequence, AuditProblem.CHECKPOINT_MISMATCH)
        head = event.hash
        last = event
        next_sequence += 1
        checked += 1
    if final and expected_head is not None:
        short = (
            head != expected_head
            if expected_sequence is None
            else next_sequence <= expected_sequence
        )
        if short:
            return broken(index + 1, next_sequence, AuditProblem.TRUNCATED)
    return AuditReport(ok=True, checked=checked, head=head, last=last)
