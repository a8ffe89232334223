"""Every compared guess counts, and neither the answer nor the time tells a wrong key from an
unknown number.

Before: an actor the audit log refuses (a control character) was only found when the audit event
was written, after the key had been compared; the refused event rolled the failure count back,
so such guesses were unlimited and unaudited. And an existing number answered about 50 µs slower
than an unknown one (the key record is decoded only when it exists).
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from surety_core import AttemptsExceededError, InvalidInputError, NotFoundError
from surety_core.keys import (
    KeyProtector,
    LimiterPolicy,
    StaticSecretProvider,
    WindowAttemptLimiter,
    check_key,
    generate_key,
)
from surety_core.services import ObligeeRegistry
from surety_core.storage.memory import MemoryStore

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
SECRETS = StaticSecretProvider(
    {"h1": b"h" * 32}, {"e1": b"e" * 32}, current_hmac_key_id="h1", current_encryption_key_id="e1"
)
PROTECTOR = KeyProtector(SECRETS)
NUMBER = "2026000001"


class ClosedStore(MemoryStore):
    """A store that must not be reached."""

    def unit_of_work(self):  # type: ignore[no-untyped-def]
        raise AssertionError("the store was reached")


@pytest.mark.parametrize(
    "actor", ["obligee\x01", "obligee\ud800", f"by {generate_key().reveal()}", " ", "x" * 201]
)
def test_an_actor_the_audit_log_refuses_is_refused_before_any_look_up(actor: str) -> None:
    registry = ObligeeRegistry(ClosedStore(), SECRETS, clock=lambda: NOW)
    with pytest.raises(InvalidInputError, match="actor"):
        registry.view(NUMBER, generate_key(), actor=actor)


def test_a_failure_after_the_comparison_still_counts() -> None:
    # A key record whose contract is missing: the right key is compared, then the view fails.
    store = MemoryStore()
    key = generate_key()
    with store.unit_of_work() as uow:
        uow.keys.add(PROTECTOR.seal(NUMBER, 1, key, NOW))
    limiter = WindowAttemptLimiter(LimiterPolicy(max_failures=3))
    registry = ObligeeRegistry(store, SECRETS, limiter=limiter, clock=lambda: NOW)
    for _ in range(3):
        with pytest.raises(NotFoundError):
            registry.view(NUMBER, key)
    with store.unit_of_work() as uow:
        state = uow.attempts.get(NUMBER)
    assert state is not None
    assert state.failures == 3
    with pytest.raises(AttemptsExceededError):
        registry.view(NUMBER, key)


def _timings(path: Path, samples: int) -> tuple[list[float], list[float]]:
    """Interleaved timings (µs) of check_key with a wrong key on an existing number and on an
    unknown number, on a SQLite store (each in its own unit of work)."""
    from surety_core.storage.sql import sqlite_store

    store = sqlite_store(path)
    numbers = [f"20260{i:05d}" for i in range(1, 21)]
    with store.unit_of_work() as uow:
        for number in numbers:
            uow.keys.add(PROTECTOR.seal(number, 1, generate_key(), NOW))
    policy = WindowAttemptLimiter(LimiterPolicy(max_failures=1000, window=timedelta(seconds=1)))
    wrong = generate_key()
    hit: list[float] = []
    miss: list[float] = []
    try:
        for i in range(samples * 2):
            existing = i % 2 == (i // 2) % 2  # ABBA order against drift
            number = numbers[i % 20] if existing else f"20269{i % 20:05d}"
            now = NOW + timedelta(seconds=2 * i)  # a fresh window: never locked
            with store.unit_of_work() as uow:
                start = time.perf_counter_ns()
                check_key(uow, number, wrong, protector=PROTECTOR, now=now, limiter=policy)
                elapsed = (time.perf_counter_ns() - start) / 1000
            (hit if existing else miss).append(elapsed)
    finally:
        store.close()
    return hit, miss


def test_a_wrong_key_and_an_unknown_number_take_the_same_time(tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    hit, miss = _timings(tmp_path / "timing.db", 2000)
    hit_median, miss_median = statistics.median(hit), statistics.median(miss)
    # Before the change the existing number was ~50 µs (about 40 %) slower. A generous bound
    # for a shared machine: the medians and the quartiles within 15 % of each other.
    assert abs(hit_median - miss_median) <= 0.15 * miss_median, (hit_median, miss_median)
    for q_hit, q_miss in zip(
        statistics.quantiles(hit, n=4), statistics.quantiles(miss, n=4), strict=True
    ):
        assert abs(q_hit - q_miss) <= 0.15 * q_miss, (q_hit, q_miss)


def test_a_wrong_key_and_an_unknown_number_do_the_same_work() -> None:
    # The same answer and the same writes for both.
    store = MemoryStore()
    with store.unit_of_work() as uow:
        uow.keys.add(PROTECTOR.seal(NUMBER, 1, generate_key(), NOW))
    outcomes = []
    for number in (NUMBER, "2026000002"):
        with store.unit_of_work() as uow:
            check = check_key(uow, number, generate_key(), protector=PROTECTOR, now=NOW)
            outcomes.append((check.outcome, check.record, uow.attempts.get(number)))
    assert outcomes[0][:2] == outcomes[1][:2]
    first, second = outcomes[0][2], outcomes[1][2]
    assert first is not None
    assert second is not None
    assert (first.failures, first.locked_until) == (second.failures, second.locked_until)
