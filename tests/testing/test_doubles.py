"""The shipped doubles: the recording notifier and the fixed clock, on the real dispatcher."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surety_core import InvalidInputError
from surety_core.notify import (
    ExponentialBackoff,
    Notification,
    NotificationError,
    Notifier,
    OutboxDispatcher,
    PermanentNotificationError,
    to_outbox,
)
from surety_core.storage.memory import MemoryStore
from surety_core.testing import FixedClock, RecordingNotifier, samples

T0 = samples.SAMPLE_NOW


def notification(key: str = "n-1", recipient: str = "keiri@example.co.jp") -> Notification:
    return Notification(
        idempotency_key=key, recipient=recipient, subject="件名", body=f"本文 {key}"
    )


def queue(store: MemoryStore, *keys: str) -> None:
    with store.unit_of_work() as uow:
        for key in keys:
            uow.outbox.add(to_outbox(notification(key), kind="test", created_at=T0))


# --- FixedClock ---------------------------------------------------------------------------------


def test_the_clock_stands_still_until_moved() -> None:
    clock = FixedClock()
    assert clock() == clock() == clock.now == T0
    assert clock.today() == samples.SAMPLE_DAY
    assert clock.advance(hours=1) == T0 + timedelta(hours=1) == clock()
    assert clock.advance(timedelta(days=2)) == T0 + timedelta(days=2, hours=1)
    earlier = datetime(2025, 1, 1, tzinfo=UTC)
    assert clock.set(earlier) == earlier == clock()
    assert repr(clock) == "FixedClock(2025-01-01T00:00:00+00:00)"


def test_the_clock_keeps_its_time_zone() -> None:
    jst = timezone(timedelta(hours=9))
    clock = FixedClock(datetime(2025, 4, 1, 23, 30, tzinfo=jst))
    assert clock.today().day == 1
    assert clock.advance(hours=1).tzinfo is jst
    assert clock.today().day == 2


@pytest.mark.parametrize(
    "bad", [datetime(2025, 4, 1), "2025-04-01T09:00:00+00:00", None, T0.date()]
)
def test_the_clock_refuses_what_is_not_an_aware_datetime(bad: object) -> None:
    with pytest.raises(InvalidInputError):
        FixedClock(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        FixedClock().set(bad)  # type: ignore[arg-type]


def test_the_clock_does_not_move_backwards_by_advance() -> None:
    clock = FixedClock()
    for bad in (timedelta(seconds=-1), 5):
        with pytest.raises(InvalidInputError):
            clock.advance(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        clock.advance(timedelta(1), hours=1)
    with pytest.raises(InvalidInputError):
        clock.sleep(-1)
    assert clock() == T0


@given(st.lists(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400))))
def test_advances_add_up(steps: list[timedelta]) -> None:
    clock = FixedClock()
    for step in steps:
        clock.advance(step)
    assert clock() == T0 + sum(steps, timedelta(0))


# --- RecordingNotifier --------------------------------------------------------------------------


def test_the_recording_notifier_is_a_notifier_and_records_in_order() -> None:
    notifier = RecordingNotifier()
    assert isinstance(notifier, Notifier)
    first, second = notification("a"), notification("b", recipient="Other@Example.co.jp")
    notifier.send(first)
    notifier.send(second)
    notifier.send(first)  # a resend is recorded again
    assert notifier.messages == notifier.delivered == [first, second, first]
    assert notifier.idempotency_keys == ["a", "b", "a"]
    assert notifier.to("other@example.co.jp ") == [second]
    assert notifier.texts()[0] == "件名\n本文 a"
    assert repr(notifier) == "RecordingNotifier(3 given, 3 delivered)"
    notifier.clear()
    assert notifier.messages == notifier.delivered == []


def test_scripted_failures_are_raised_once_each_and_recorded_as_given() -> None:
    notifier = RecordingNotifier()
    notifier.fail_next(NotificationError("451 later", code=451), PermanentNotificationError("550"))
    with pytest.raises(NotificationError):
        notifier.send(notification("a"))
    with pytest.raises(PermanentNotificationError):
        notifier.send(notification("b"))
    notifier.send(notification("c"))
    assert [m.idempotency_key for m in notifier.messages] == ["a", "b", "c"]
    assert notifier.idempotency_keys == ["c"]
    with pytest.raises(InvalidInputError):
        notifier.fail_next("not an exception")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        notifier.send("a message")  # type: ignore[arg-type]


def test_the_doubles_drive_the_dispatcher_through_a_retry_without_waiting() -> None:
    store = MemoryStore()
    queue(store, "n-1", "n-2")
    clock = FixedClock()
    notifier = RecordingNotifier()
    notifier.fail_next(NotificationError("451 try later", code=451))
    dispatcher = OutboxDispatcher(
        store, notifier, clock=clock, backoff=ExponentialBackoff(jitter=0)
    )
    report = dispatcher.run_until_idle(sleep=clock.sleep)
    assert sorted(report.sent) == ["n-1", "n-2"]
    assert [m.idempotency_key for m in notifier.messages] == ["n-1", "n-2", "n-1"]
    assert sorted(notifier.idempotency_keys) == ["n-1", "n-2"]
    assert clock.slept == [30.0]  # the first backoff step, slept on the clock, not for real
    assert clock() == T0 + timedelta(seconds=30)
