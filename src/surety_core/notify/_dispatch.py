"""The outbox dispatcher: sends queued notifications with retries (private; see
:mod:`surety_core.notify`)."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import (
    InvalidInputError,
    NotFoundError,
    SuretyError,
    TransactionConflictError,
)
from surety_core.notify._errors import NotificationError
from surety_core.notify._message import Notification, from_outbox
from surety_core.storage._protocols import OutboxRepository
from surety_core.storage._records import OutboxMessage, OutboxStatus

__all__ = [
    "Backoff",
    "DispatchReport",
    "ExponentialBackoff",
    "Notifier",
    "OutboxDispatcher",
    "OutboxStore",
    "OutboxUnitOfWork",
]

_log = logging.getLogger("surety_core.notify")
_CLAIM_RETRIES = 8


@runtime_checkable
class Notifier(Protocol):
    """Delivers notifications. Hosts implement it on their own mail system.

    ``send`` returns when the message was handed over for delivery, or when the notifier knows
    that it already delivered ``message.idempotency_key`` (then it does nothing). It raises
    :class:`NotificationError` when delivery failed and may succeed later, and
    :class:`PermanentNotificationError` when this message can never be delivered.
    """

    def send(self, message: Notification) -> None: ...


class OutboxUnitOfWork(Protocol):
    """The part of a :class:`~surety_core.storage.UnitOfWork` the dispatcher uses."""

    @property
    def outbox(self) -> OutboxRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class OutboxStore(Protocol):
    """The part of a :class:`~surety_core.storage.Store` the dispatcher uses; any store fits."""

    def unit_of_work(self) -> OutboxUnitOfWork: ...


Backoff = Callable[[int], timedelta]
"""A retry policy: the delay after the n-th failed attempt (n = 1, 2, …)."""


def _positive_delta(instance: object, attribute: object, value: object) -> None:
    name = getattr(attribute, "name", "value")
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise InvalidInputError(f"ExponentialBackoff.{name}", "must be a positive timedelta")


def _jitter(instance: object, attribute: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise InvalidInputError("ExponentialBackoff.jitter", "must be a number from 0 to 1")


def _factor(instance: object, attribute: object, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= 100:
        raise InvalidInputError("ExponentialBackoff.factor", "must be a number from 1 to 100")


@frozen
class ExponentialBackoff:
    """Exponential backoff with bounded jitter.

    After the n-th failed attempt the nominal delay is ``min(cap, base * factor ** (n - 1))``;
    the actual delay is drawn uniformly from ``[nominal * (1 - jitter), nominal]``, so it never
    exceeds ``cap`` and never drops below ``(1 - jitter)`` of the nominal delay. Jitter spreads
    retries of many messages that failed together. ``rng`` makes the draws reproducible
    (``random.Random(seed)``); ``jitter=0`` makes the policy fully deterministic.
    """

    base: timedelta = field(default=timedelta(seconds=30), validator=_positive_delta)
    factor: float = field(default=2.0, validator=_factor)
    cap: timedelta = field(default=timedelta(hours=1), validator=_positive_delta)
    jitter: float = field(default=0.2, validator=_jitter)
    rng: random.Random = field(factory=random.Random, eq=False, repr=False)

    def nominal(self, attempt: int) -> timedelta:
        """The delay before jitter after failed attempt number ``attempt`` (1-based)."""
        if isinstance(attempt, bool) or not isinstance(attempt, int) or attempt < 1:
            raise InvalidInputError("attempt", "must be an integer >= 1")
        cap = self.cap.total_seconds()
        seconds = self.base.total_seconds()
        for _ in range(attempt - 1):
            seconds *= self.factor
            if seconds >= cap:
                break
        return timedelta(seconds=min(cap, seconds))

    def __call__(self, attempt: int) -> timedelta:
        nominal = self.nominal(attempt)
        if not self.jitter:
            return nominal
        share = 1.0 - self.jitter * self.rng.random()
        return max(nominal * (1 - self.jitter), min(nominal, nominal * share))


@frozen
class DispatchReport:
    """What one or more dispatch rounds did, by idempotency key.

    * ``sent``: delivered (or found already delivered by the notifier) and marked sent;
    * ``retrying``: failed and scheduled for another attempt;
    * ``failed``: given up (permanent error, or the last allowed attempt failed);
    * ``unrecorded``: sent, but marking them sent failed (the store failed); the dispatcher
      marks them on its next round without sending again;
    * ``store_error``: why a round ended early: the store failed to record an outcome (the
      round stops at once, so no further message is sent while the store is failing).
    """

    sent: tuple[str, ...] = ()
    retrying: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    unrecorded: tuple[str, ...] = ()
    store_error: str | None = None

    @property
    def attempted(self) -> int:
        """How many sends were attempted."""
        return len(self.sent) + len(self.retrying) + len(self.failed) + len(self.unrecorded)

    def __add__(self, other: DispatchReport) -> DispatchReport:
        if not isinstance(other, DispatchReport):
            return NotImplemented
        return DispatchReport(
            sent=self.sent + other.sent,
            retrying=self.retrying + other.retrying,
            failed=self.failed + other.failed,
            unrecorded=self.unrecorded + other.unrecorded,
            store_error=other.store_error or self.store_error,
        )


def _utc_now() -> datetime:
    return datetime.now(UTC)


class OutboxDispatcher:
    """Sends due outbox messages through a notifier, with retries and backoff.

    Each round (:meth:`dispatch_due`) reads the due messages in one unit of work, then for each
    message sends it outside any transaction and records the outcome in its own short unit of
    work. A failed send is retried after ``backoff(attempts)`` until ``max_attempts`` attempts
    were made; a :class:`PermanentNotificationError` gives up at once (status ``FAILED``) unless
    ``retry_permanent`` is true. Any other exception from the notifier counts as a transient
    failure.

    Several dispatchers may run at once, in threads or processes: each round *claims* its
    messages (:meth:`~surety_core.storage.OutboxRepository.claim`) for ``lease`` (default five
    minutes), so no other dispatcher takes them meanwhile; a dispatcher that dies mid-round
    leaves its claims to expire, and the messages are sent by whichever dispatcher runs after
    the lease. Keep ``lease`` well above the notifier's worst send time: a message whose lease
    ran out while it was still being sent can be sent twice (the idempotency key lets the
    receiving side drop the copy).
    """

    def __init__(
        self,
        store: OutboxStore,
        notifier: Notifier,
        *,
        clock: Callable[[], datetime] | None = None,
        max_attempts: int = 8,
        backoff: Backoff | None = None,
        retry_permanent: bool = False,
        lease: timedelta = timedelta(minutes=5),
    ) -> None:
        if not callable(getattr(store, "unit_of_work", None)):
            raise InvalidInputError("store", "must have a unit_of_work() method")
        if not callable(getattr(notifier, "send", None)):
            raise InvalidInputError("notifier", "must have a send(message) method")
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
            raise InvalidInputError("max_attempts", "must be an integer >= 1")
        if backoff is not None and not callable(backoff):
            raise InvalidInputError("backoff", "must be callable: attempt -> timedelta")
        if not isinstance(lease, timedelta) or lease <= timedelta(0):
            raise InvalidInputError("lease", "must be a positive timedelta")
        self.lease = lease
        self._store = store
        self._notifier = notifier
        self._clock = clock or _utc_now
        self.max_attempts = max_attempts
        self._backoff: Backoff = backoff if backoff is not None else ExponentialBackoff()
        self.retry_permanent = bool(retry_permanent)
        self._unrecorded: dict[str, datetime] = {}

    def _now(self, now: datetime | None) -> datetime:
        return (
            v.require_aware(now, "now")
            if now is not None
            else v.require_aware(self._clock(), "clock()")
        )

    def _retry_at(self, attempts: int, now: datetime) -> datetime:
        delay = self._backoff(attempts)
        if not isinstance(delay, timedelta) or delay < timedelta(0):
            raise InvalidInputError("backoff", "must return a non-negative timedelta")
        return now + delay

    def _flush_unrecorded(self) -> tuple[tuple[str, ...], str | None]:
        """Mark sent what was sent but not recorded; (keys marked, store error or None)."""
        done: list[str] = []
        for key, at in list(self._unrecorded.items()):
            try:
                with self._store.unit_of_work() as uow:
                    uow.outbox.mark_sent(key, at)
            except NotFoundError:
                _log.warning("sent notification %r vanished from the outbox", key)
            except (SuretyError, OSError) as exc:
                _log.error("outbox still cannot record sent messages: %s", exc)
                return tuple(done), f"{type(exc).__name__}: {exc}"[:500]
            else:
                done.append(key)
            del self._unrecorded[key]
        return tuple(done), None

    def dispatch_due(self, now: datetime | None = None, limit: int = 100) -> DispatchReport:
        """Send every message due at ``now`` (default: the clock), at most ``limit``.

        Raises :class:`~surety_core.StorageError` (or the store's error) only when the due
        messages cannot be read; a store failure while recording an outcome ends the round and
        is reported in :attr:`DispatchReport.store_error` (and a message sent but not recorded
        in :attr:`DispatchReport.unrecorded`).
        """
        at = self._now(now)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidInputError("limit", "must be an integer >= 1")
        recovered, store_error = self._flush_unrecorded()
        if store_error is not None:
            return DispatchReport(
                sent=recovered, unrecorded=tuple(self._unrecorded), store_error=store_error
            )
        due = self._claim(at, limit)
        sent: list[str] = list(recovered)
        retrying: list[str] = []
        failed: list[str] = []
        lists = {"sent": sent, "retrying": retrying, "failed": failed}
        for message in due:
            outcome, store_error = self._dispatch_one(message, at)
            if store_error is not None:
                return DispatchReport(
                    tuple(sent),
                    tuple(retrying),
                    tuple(failed),
                    tuple(self._unrecorded),
                    store_error=store_error,
                )
            lists[outcome].append(message.idempotency_key)
        return DispatchReport(tuple(sent), tuple(retrying), tuple(failed))

    def _claim(self, at: datetime, limit: int) -> list[OutboxMessage]:
        """This round's messages, claimed for :attr:`lease` (claims that lost a race with
        another dispatcher's are taken again)."""
        for attempt in range(_CLAIM_RETRIES):
            try:
                with self._store.unit_of_work() as uow:
                    return list(uow.outbox.claim(at, at + self.lease, limit))
            except TransactionConflictError:
                if attempt == _CLAIM_RETRIES - 1:
                    raise
                time.sleep(random.uniform(0, 0.002 * 2**attempt))  # noqa: S311 (jitter)
        raise AssertionError("unreachable")  # pragma: no cover

    def _dispatch_one(self, message: OutboxMessage, at: datetime) -> tuple[str, str | None]:
        key = message.idempotency_key
        error: str | None = None
        give_up = False
        try:
            notification = from_outbox(message)
        except SuretyError as exc:
            error, give_up = f"unreadable message: {exc}", True
        else:
            try:
                self._notifier.send(notification)
            except NotificationError as exc:
                kind = "permanent" if exc.permanent else "transient"
                error = f"{kind}: {exc}"
                give_up = exc.permanent and not self.retry_permanent
            except Exception as exc:
                error = f"transient: {type(exc).__name__}: {exc}"
                _log.exception("notifier raised an unexpected error for %r", key)
        attempts = message.attempts + 1
        retry_at: datetime | None = None
        if error is not None:
            give_up = give_up or attempts >= self.max_attempts
            retry_at = None if give_up else self._retry_at(attempts, at)
        try:
            with self._store.unit_of_work() as uow:
                if error is None:
                    uow.outbox.mark_sent(key, at)
                else:
                    uow.outbox.mark_failed(key, error[:1000], at, retry_at)
        except (SuretyError, OSError) as exc:
            if error is None:
                self._unrecorded[key] = at
                _log.error("notification %r sent but not marked sent: %s", key, exc)
            else:
                _log.error("notification %r failed; the failure was not recorded: %s", key, exc)
            return "unrecorded", f"{type(exc).__name__}: {exc}"[:500]
        if error is None:
            _log.info("notification %r sent", key)
            return "sent", None
        if give_up:
            _log.warning("notification %r failed for good (attempt %d): %s", key, attempts, error)
            return "failed", None
        _log.info("notification %r failed (attempt %d), will retry: %s", key, attempts, error)
        return "retrying", None

    def pending(self) -> list[OutboxMessage]:
        """Every message still pending (reads the whole outbox; for demos, tests, operators)."""
        with self._store.unit_of_work() as uow:
            return [m for m in uow.outbox.all() if m.status is OutboxStatus.PENDING]

    def run_until_idle(
        self,
        *,
        max_rounds: int = 100,
        limit: int = 100,
        sleep: Callable[[float], None] = time.sleep,
        max_sleep: float = 3600.0,
    ) -> DispatchReport:
        """Dispatch rounds until no message is pending, at most ``max_rounds`` rounds.

        Between rounds it waits (``sleep(seconds)``) until the earliest retry is due, at most
        ``max_sleep`` seconds per wait; pass a ``sleep`` that advances a test clock to run
        retries without waiting. Returns the sum of the rounds' reports. Messages still pending
        after the last round stay queued.
        """
        if isinstance(max_rounds, bool) or not isinstance(max_rounds, int) or max_rounds < 1:
            raise InvalidInputError("max_rounds", "must be an integer >= 1")
        total = DispatchReport()
        for _ in range(max_rounds):
            total = total + self.dispatch_due(limit=limit)
            pending = self.pending()
            if not pending and not self._unrecorded:
                break
            now = self._now(None)
            waits = [
                (m.next_attempt_at - now).total_seconds()
                for m in pending
                if m.next_attempt_at is not None
            ]
            wait = min(waits, default=0.0)
            if wait > 0:
                sleep(min(wait, max_sleep))
        return total
