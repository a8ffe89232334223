"""Several outbox dispatchers at once: each e-mail is sent once; a crashed dispatcher's claims
expire and are taken over.

The interleaving is driven, not timed: dispatcher A's notifier runs dispatcher B's whole round
in the middle of A's first send, which is exactly the moment two dispatchers race on the same
due messages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from surety_core.notify import Notification, OutboxDispatcher
from surety_core.notify._message import from_outbox
from surety_core.storage import Store
from surety_core.storage.memory import MemoryStore
from surety_core.storage.sql import sqlite_store
from surety_core.testing._contract import _T0, _message


@pytest.fixture(
    params=[
        "memory",
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param in ("postgres", "mariadb"):
        yield request.getfixturevalue("pg_store" if request.param == "postgres" else "maria_store")
        return
    made: Store = MemoryStore() if request.param == "memory" else sqlite_store(tmp_path / "o.db")
    yield made
    made.close()


class Recorder:
    """A notifier that counts sends and may run something in the middle of its first one."""

    def __init__(self, sent: Counter[str], during_first: Callable[[], None] | None = None) -> None:
        self.sent = sent
        self._during_first = during_first

    def send(self, message: Notification) -> None:
        if self._during_first is not None:
            run, self._during_first = self._during_first, None
            run()
        self.sent[message.idempotency_key] += 1


def _queue(store: Store, count: int) -> list[str]:
    keys = [f"issued:{i:010d}" for i in range(count)]
    with store.unit_of_work() as uow:
        for key in keys:
            uow.outbox.add(_message(key))
    return keys


def test_two_dispatchers_send_each_message_once(store: Store) -> None:
    keys = _queue(store, 6)
    sent: Counter[str] = Counter()
    now = _T0 + timedelta(minutes=1)
    b = OutboxDispatcher(store, Recorder(sent))
    reports = []
    a = OutboxDispatcher(store, Recorder(sent, lambda: reports.append(b.dispatch_due(now))))
    reports.append(a.dispatch_due(now))
    assert sent == Counter(keys), "every message sent exactly once"
    assert sorted(k for report in reports for k in report.sent) == keys
    with store.unit_of_work() as uow:
        assert {m.status.value for m in uow.outbox.all()} == {"sent"}


def test_a_crashed_dispatchers_claims_expire_and_are_taken_over(store: Store) -> None:
    keys = _queue(store, 3)
    now = _T0 + timedelta(minutes=1)
    lease = timedelta(minutes=5)
    with store.unit_of_work() as uow:  # a dispatcher claims, then dies before sending
        claimed = uow.outbox.claim(now, now + lease, 10)
    assert [m.idempotency_key for m in claimed] == keys
    sent: Counter[str] = Counter()
    other = OutboxDispatcher(store, Recorder(sent), lease=lease)
    assert other.dispatch_due(now + timedelta(minutes=4)).sent == ()
    assert other.dispatch_due(now + lease).sent == tuple(keys)
    assert sent == Counter(keys)


def test_a_claimed_message_keeps_its_content(store: Store) -> None:
    (key,) = _queue(store, 1)
    now = _T0 + timedelta(minutes=1)
    with store.unit_of_work() as uow:
        (claimed,) = uow.outbox.claim(now, now + timedelta(minutes=5), 10)
        assert claimed.next_attempt_at == now + timedelta(minutes=5)
        assert uow.outbox.due(now) == ()
    original = _message(key)
    assert from_outbox(claimed) == from_outbox(original)
    assert (claimed.status, claimed.attempts) == (original.status, original.attempts)
