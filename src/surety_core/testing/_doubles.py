"""Test doubles for the ports: a recording notifier and a clock that moves only when told.

What this module owns: stand-ins a host's tests (and ours) pass where the library takes a
:class:`~surety_core.notify.Notifier` or a clock (``Callable[[], datetime]``: the services, the
outbox dispatcher and the mail adapters all take one). What it must not know: pytest, Hypothesis,
storage, or anything about the messages beyond the :class:`~surety_core.notify.Notification`
they arrive as. Private; the public face is :mod:`surety_core.testing`.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from surety_core import _validation as v
from surety_core._errors import InvalidInputError
from surety_core.notify._message import Notification

__all__ = ["SAMPLE_NOW", "FixedClock", "RecordingNotifier"]

SAMPLE_NOW = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
"""The moment the sample story happens: 2025-04-01 09:00 UTC (the start of fiscal 2025)."""


class FixedClock:
    """A clock that returns the same aware ``datetime`` until it is moved.

    Pass it wherever a clock is taken (``SuretyService(clock=...)``,
    ``OutboxDispatcher(clock=...)``, ``FolderNotifier(clock=...)``); move it with
    :meth:`advance` or :meth:`set`. :meth:`sleep` advances it too, so it can stand in for
    ``time.sleep`` (``OutboxDispatcher.run_until_idle(sleep=clock.sleep)``) and a test never waits.
    Safe to share between threads.
    """

    __slots__ = ("_lock", "_now", "slept")

    def __init__(self, now: datetime = SAMPLE_NOW) -> None:
        self._now = v.require_aware(now, "FixedClock.now")
        self._lock = threading.Lock()
        self.slept: list[float] = []
        """Every ``sleep`` asked for, in seconds, in order."""

    def __call__(self) -> datetime:
        return self._now

    def __repr__(self) -> str:
        return f"FixedClock({self._now.isoformat()})"

    @property
    def now(self) -> datetime:
        """The time the clock shows."""
        return self._now

    def today(self) -> date:
        """The date the clock shows (in the clock's own time zone)."""
        return self._now.date()

    def set(self, now: datetime) -> datetime:
        """Show ``now`` from here on (it may go backwards: a test may need that); returns it."""
        checked = v.require_aware(now, "FixedClock.set")
        with self._lock:
            self._now = checked
        return checked

    def advance(self, delta: timedelta | None = None, /, **parts: float) -> datetime:
        """Move forward by ``delta`` or by ``timedelta(**parts)`` (``advance(hours=1)``);
        returns the new time. Refuses to move backwards."""
        if delta is None:
            delta = timedelta(**parts)
        elif parts:
            raise InvalidInputError("FixedClock.advance", "give a timedelta or keywords, not both")
        if not isinstance(delta, timedelta):
            raise InvalidInputError("FixedClock.advance", "must be a timedelta")
        if delta < timedelta(0):
            raise InvalidInputError("FixedClock.advance", "must not be negative (use set)")
        with self._lock:
            self._now += delta
            return self._now

    def sleep(self, seconds: float) -> None:
        """Record ``seconds`` and advance the clock by them, without waiting."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise InvalidInputError("FixedClock.sleep", "must be a number of seconds >= 0")
        self.slept.append(float(seconds))
        self.advance(timedelta(seconds=seconds))


class RecordingNotifier:
    """A :class:`~surety_core.notify.Notifier` that records every message it is given.

    Nothing is delivered. ``messages`` holds every message ``send`` was called with, in order
    (a resent message appears again); ``delivered`` holds those for which ``send`` returned.
    :meth:`fail_next` makes the next calls raise the given errors (for example a
    :class:`~surety_core.notify.NotificationError`), so retries can be tested. Safe to share
    between threads.
    """

    __slots__ = ("_failures", "_lock", "delivered", "messages")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: list[BaseException] = []
        self.messages: list[Notification] = []
        """Every message given to :meth:`send`, in order."""
        self.delivered: list[Notification] = []
        """The messages for which :meth:`send` returned normally, in order."""

    def __repr__(self) -> str:
        return f"RecordingNotifier({len(self.messages)} given, {len(self.delivered)} delivered)"

    def send(self, message: Notification) -> None:
        """Record ``message``; raise the next scripted failure, if any."""
        if not isinstance(message, Notification):
            raise InvalidInputError(
                "message", f"must be a Notification, not {type(message).__name__}"
            )
        with self._lock:
            self.messages.append(message)
            failure = self._failures.pop(0) if self._failures else None
            if failure is None:
                self.delivered.append(message)
        if failure is not None:
            raise failure

    def fail_next(self, *errors: BaseException) -> None:
        """Make the next ``len(errors)`` calls of :meth:`send` raise these errors, in order."""
        for error in errors:
            if not isinstance(error, BaseException):
                raise InvalidInputError("errors", "must be exceptions")
        with self._lock:
            self._failures.extend(errors)

    def to(self, recipient: str) -> list[Notification]:
        """The delivered messages addressed to ``recipient`` (compared case-insensitively)."""
        wanted = recipient.strip().casefold()
        return [m for m in self.delivered if m.recipient.casefold() == wanted]

    @property
    def idempotency_keys(self) -> list[str]:
        """The idempotency keys of the delivered messages, in order."""
        return [m.idempotency_key for m in self.delivered]

    def clear(self) -> None:
        """Forget every recorded message and pending failure."""
        with self._lock:
            self.messages.clear()
            self.delivered.clear()
            self._failures.clear()

    def texts(self) -> list[str]:
        """Subject and body of every message given, for searching (for example for a key)."""
        return [f"{m.subject}\n{m.body}" for m in self.messages]
