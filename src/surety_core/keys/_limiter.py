"""The attempt limiter, key verification and the key write paths (private).

Owns: the limiter's decisions, pure functions of an :class:`AttemptState` and an explicit
``now`` (:class:`WindowAttemptLimiter` applies them over an :class:`AttemptRepository`); the
check of a typed (number, key) pair (:func:`check_key`, :func:`verify_key`); the only code that
writes key records (:func:`issue_key`, :func:`reissue_key`) with the one rule for the next
generation (:func:`next_generation`); the normalisation of a typed contract number.

Must not know: contracts, certificates, the audit log, the clock (``now`` is an argument),
units of work beyond the two repositories it is given, nor any service. It never logs a key.
"""

from __future__ import annotations

import hmac
import logging
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from attrs import evolve, field, frozen

from surety_core import _validation as v
from surety_core._errors import (
    AttemptsExceededError,
    DuplicateError,
    InvalidInputError,
    KeyFormatError,
    NotFoundError,
    VerificationError,
)
from surety_core._serialization import from_json, to_json
from surety_core.keys._format import AuthKey, generate_key, parse_key_quietly
from surety_core.keys._secrets import SECRETS_FINGERPRINT_NUMBER, KeyProtector, no_match_digest
from surety_core.storage._protocols import AttemptRepository, KeyRepository
from surety_core.storage._records import AttemptState, KeyRecord, KeyStatus

__all__ = [
    "AttemptLimiter",
    "KeyCheck",
    "KeyCheckOutcome",
    "KeyStores",
    "LimiterPolicy",
    "WindowAttemptLimiter",
    "after_failure",
    "check_key",
    "issue_key",
    "next_generation",
    "normalize_contract_number",
    "refusal",
    "reissue_key",
    "verify_key",
]

log = logging.getLogger("surety_core.keys")

_NUMBER_RE = re.compile(r"[0-9]{10}")


def _positive_delta(instance: object, attribute: object, value: object) -> None:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise InvalidInputError(
            f"LimiterPolicy.{getattr(attribute, 'name', '?')}", "must be a positive timedelta"
        )


def _positive_count(instance: object, attribute: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
        raise InvalidInputError("LimiterPolicy.max_failures", "must be an integer in 1..1000")


@frozen
class LimiterPolicy:
    """``max_failures`` failed attempts for one contract number within ``window`` lock that
    number for ``lockout``; during the lock even the right key is refused."""

    max_failures: int = field(default=5, validator=_positive_count)
    window: timedelta = field(default=timedelta(minutes=15), validator=_positive_delta)
    lockout: timedelta = field(default=timedelta(minutes=15), validator=_positive_delta)


def refusal(state: AttemptState | None, now: datetime) -> float | None:
    """Seconds until attempts are allowed again, or ``None`` when one is allowed now."""
    if state is None or state.locked_until is None or now >= state.locked_until:
        return None
    return (state.locked_until - now).total_seconds()


def after_failure(
    state: AttemptState | None, number: str, now: datetime, policy: LimiterPolicy
) -> AttemptState:
    """The state after one more failed attempt at ``now``."""
    # A time before the window's start is not a fresh window: concurrent units read the clock
    # before they wait for the number's state, so one may see a window opened a moment "later"
    # by another; restarting the count then would let guesses past the limit.
    fresh = (
        state is None
        or now >= state.window_started_at + policy.window
        or (state.locked_until is not None and now >= state.locked_until)
    )
    if fresh:
        failures, started = 1, now
    else:
        assert state is not None
        failures, started = state.failures + 1, state.window_started_at
    locked = now + policy.lockout if failures >= policy.max_failures else None
    return AttemptState(
        contract_number=number, failures=failures, window_started_at=started, locked_until=locked
    )


class AttemptLimiter(Protocol):
    """Decides whether a verification attempt for a contract number may go ahead."""

    def check(self, attempts: AttemptRepository, number: str, now: datetime) -> AttemptState | None:
        """Raise :class:`~surety_core.AttemptsExceededError` while ``number`` is locked;
        otherwise return the state read (passed back to :meth:`failed` / :meth:`succeeded`)."""
        ...

    def failed(
        self, attempts: AttemptRepository, number: str, state: AttemptState | None, now: datetime
    ) -> None:
        """Record a failed attempt."""
        ...

    def succeeded(
        self, attempts: AttemptRepository, number: str, state: AttemptState | None, now: datetime
    ) -> None:
        """Record a successful attempt (should not write when there is nothing to forget)."""
        ...


class WindowAttemptLimiter:
    """The default :class:`AttemptLimiter`: a fixed window with a lockout (see
    :class:`LimiterPolicy`), its state kept in the :class:`AttemptRepository` so that it
    survives restarts and is shared by every process on the same store."""

    __slots__ = ("policy",)

    def __init__(self, policy: LimiterPolicy | None = None) -> None:
        self.policy = policy if policy is not None else LimiterPolicy()

    def check(self, attempts: AttemptRepository, number: str, now: datetime) -> AttemptState | None:
        state = attempts.get(number)
        wait = refusal(state, now)
        if wait is not None:
            raise AttemptsExceededError(wait)
        return state

    def failed(
        self, attempts: AttemptRepository, number: str, state: AttemptState | None, now: datetime
    ) -> None:
        attempts.put(after_failure(state, number, now, self.policy))

    def succeeded(
        self, attempts: AttemptRepository, number: str, state: AttemptState | None, now: datetime
    ) -> None:
        if state is not None:
            attempts.clear(number)

    def __repr__(self) -> str:
        return f"WindowAttemptLimiter({self.policy!r})"


class KeyStores(Protocol):
    """What :func:`verify_key` needs: a :class:`~surety_core.storage.UnitOfWork` has both."""

    @property
    def keys(self) -> KeyRepository: ...

    @property
    def attempts(self) -> AttemptRepository: ...


def normalize_contract_number(text: str) -> str:
    """A typed guarantee contract number as 10 ASCII digits (full-width digits, white space
    and the separators a key tolerates, :data:`surety_core._validation.SEPARATORS`, tolerated).
    Raises :class:`~surety_core.InvalidInputError` otherwise."""
    if not isinstance(text, str) or len(text) > 64:
        raise InvalidInputError("number", "must be text of at most 64 characters")
    if len(text) == 10 and text.isascii() and text.isdigit():
        return text  # already compact (NFKC leaves ASCII digits alone)
    folded = unicodedata.normalize("NFKC", text)
    compact = v.drop_separators(folded)
    if not _NUMBER_RE.fullmatch(compact):
        raise InvalidInputError("number", "a guarantee contract number has exactly 10 digits")
    return compact


_DEFAULT_LIMITER = WindowAttemptLimiter()


class KeyCheckOutcome(StrEnum):
    """How a verification attempt ended (for the audit log)."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    """Unknown number, revoked key or wrong key: indistinguishable on purpose."""
    REFUSED = "refused"
    """The attempt limiter refused the attempt without comparing the key."""


@frozen
class KeyCheck:
    """The result of :func:`check_key`: ``outcome``, the normalised ``number``, the active
    ``record`` (only when it succeeded) and ``retry_after`` seconds (only when refused)."""

    outcome: KeyCheckOutcome
    number: str
    record: KeyRecord | None = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is KeyCheckOutcome.SUCCEEDED

    def raise_for_outcome(self) -> KeyRecord:
        """The record on success; else the opaque :class:`~surety_core.VerificationError`
        (failed) or :class:`~surety_core.AttemptsExceededError` (refused)."""
        if self.outcome is KeyCheckOutcome.REFUSED:
            raise AttemptsExceededError(self.retry_after or 0.0)
        if self.outcome is KeyCheckOutcome.FAILED or self.record is None:
            raise VerificationError()
        return self.record


_DUMMY_RECORDS: dict[tuple[str, str], str] = {}
"""The JSON text of a key record no key matches, by (HMAC id, encryption id)."""


def _same_work_as_a_hit(protector: KeyProtector, number: str, key: AuthKey, now: datetime) -> None:
    """What a look-up that finds a record costs beyond the query: decoding the stored record
    (a SQL store decodes its JSON row) and one HMAC with one constant-time comparison. Done for
    an unknown number so that neither the time nor the answer tells it from a wrong key."""
    ids = (protector.secrets.current_hmac_key_id, protector.secrets.current_encryption_key_id)
    document = _DUMMY_RECORDS.get(ids)
    if document is None:
        sealed = protector.seal("0000000000", 1, generate_key(), now)
        document = to_json(evolve(sealed, digest=no_match_digest()))
        _DUMMY_RECORDS[ids] = document
    dummy = from_json(document, KeyRecord)
    expected = protector.digest(number, key, dummy.hmac_key_id)
    hmac.compare_digest(expected, dummy.digest)


def check_key(
    stores: KeyStores,
    number: str,
    key: str | AuthKey,
    *,
    protector: KeyProtector,
    now: datetime,
    limiter: AttemptLimiter | None = None,
) -> KeyCheck:
    """Check a (contract number, key) pair as typed by an obligee, without raising for a
    failed or refused attempt, so that the caller can record the outcome (audit event,
    limiter state) and **commit** before raising.

    In order: the key is parsed (a typo raises :class:`~surety_core.KeyFormatError`) and the
    number normalised (:class:`~surety_core.InvalidInputError`), both before any storage
    access; the limiter may refuse (outcome ``REFUSED``, even for the right key); the active
    record is looked up and compared in constant time. An unknown number, a number without an
    active key and a wrong key all give ``FAILED`` after the same work (a key record decoded
    from JSON, one HMAC, one constant-time comparison), and all count as a failure for that
    number. A success writes
    nothing unless there were failures to forget.
    """
    parsed = parse_key_quietly(key)
    del key  # no typed key text stays in this frame (crash reports show frame locals)
    if isinstance(parsed, KeyFormatError):
        raise parsed
    auth_key = parsed
    compact_number = normalize_contract_number(number)
    active_limiter = limiter if limiter is not None else _DEFAULT_LIMITER
    try:
        state = active_limiter.check(stores.attempts, compact_number, now)
    except AttemptsExceededError as refused:
        log.info("verification refused for %s: too many failures", compact_number)
        return KeyCheck(KeyCheckOutcome.REFUSED, compact_number, retry_after=refused.retry_after)
    record = stores.keys.active(compact_number)
    if compact_number == SECRETS_FINGERPRINT_NUMBER:
        record = None  # the secrets fingerprint's public key opens nothing
    if record is not None and record.status is KeyStatus.ACTIVE:
        ok = protector.matches(record, auth_key)
    else:
        _same_work_as_a_hit(protector, compact_number, auth_key, now)
        ok = False
    if not ok or record is None:
        active_limiter.failed(stores.attempts, compact_number, state, now)
        log.info("verification failed for %s", compact_number)
        return KeyCheck(KeyCheckOutcome.FAILED, compact_number)
    active_limiter.succeeded(stores.attempts, compact_number, state, now)
    log.debug("verification succeeded for %s", compact_number)
    return KeyCheck(KeyCheckOutcome.SUCCEEDED, compact_number, record=record)


def verify_key(
    stores: KeyStores,
    number: str,
    key: str | AuthKey,
    *,
    protector: KeyProtector,
    now: datetime,
    limiter: AttemptLimiter | None = None,
) -> KeyRecord:
    """:func:`check_key`, raising for anything but success; return the active record.

    Raises :class:`~surety_core.KeyFormatError`, :class:`~surety_core.InvalidInputError`,
    :class:`~surety_core.AttemptsExceededError` or the opaque
    :class:`~surety_core.VerificationError`.

    .. warning:: A failed attempt writes the limiter state through ``stores``. If ``stores``
       is a unit of work and the exception leaves its ``with`` block, the unit of work rolls
       back and the failure is not counted. Inside a unit of work use :func:`check_key`, record
       the outcome, let the block commit, then call :meth:`KeyCheck.raise_for_outcome`.
    """
    parsed = parse_key_quietly(key)
    del key  # no typed key text stays in this frame
    if isinstance(parsed, KeyFormatError):
        raise parsed
    return check_key(
        stores, number, parsed, protector=protector, now=now, limiter=limiter
    ).raise_for_outcome()


def next_generation(history: Iterable[KeyRecord]) -> int:
    """The generation of the next key of a contract whose key records are ``history``: one
    more than the highest generation ever recorded (active or revoked), 1 for the first key.

    The one rule: generations never repeat, even if the active record is not the newest.
    """
    return max((r.generation for r in history), default=0) + 1


def issue_key(
    keys: KeyRepository, protector: KeyProtector, number: str, *, now: datetime
) -> tuple[AuthKey, KeyRecord]:
    """Generate the first key of contract ``number``, seal it (generation 1) and store it.

    Returns the key (for the notice; do not keep it) and its record. Raises
    :class:`~surety_core.DuplicateError` when the number already has a key record.
    """
    history = keys.history(number)
    if history:
        raise DuplicateError(f"guarantee contract {number} already has a key; reissue it")
    key = generate_key()
    record = protector.seal(number, next_generation(history), key, now)
    keys.add(record)
    log.info("key issued for %s", number)
    return key, record


def reissue_key(
    keys: KeyRepository, protector: KeyProtector, number: str, *, now: datetime
) -> tuple[AuthKey, KeyRecord]:
    """Replace the key of contract ``number``: revoke the active record at ``now`` and store a
    new key under the next generation. The old key stops working at once.

    Call it inside one unit of work. Raises :class:`~surety_core.NotFoundError` when the number
    has no active key.
    """
    active = keys.active(number)
    if active is None:
        raise NotFoundError(f"guarantee contract {number} has no active key")
    generation = next_generation(keys.history(number))
    keys.revoke(number, active.generation, now)
    key = generate_key()
    record = protector.seal(number, generation, key, now)
    keys.add(record)
    log.info("key reissued for %s (generation %d)", number, generation)
    return key, record
