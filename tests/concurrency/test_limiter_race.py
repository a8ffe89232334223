"""Concurrent guessers at one contract number: no more than the limit are ever evaluated."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from tests.concurrency import _workload as w
from tests.concurrency.conftest import Target, outcomes, spawn

from surety_core.storage.memory import MemoryStore
from surety_core.storage.sql import SqlStore

pytestmark = pytest.mark.slow


def _issued_number(store: object) -> str:
    svc = w.service(store)  # type: ignore[arg-type]
    result = svc.apply_and_issue(w.application("APP-0001", "R7-0001", contract=False))
    return result.guarantees[0].contract.number


def test_processes_guessing_one_number_are_evaluated_at_most_the_limit(
    shared_store: tuple[Target, SqlStore],
) -> None:
    target, store = shared_store
    number = _issued_number(store)
    children = [spawn("guess", target, seed, number, "4") for seed in range(4)]
    lines = outcomes(children)
    kinds = Counter(line[0] for line in lines)
    assert kinds == Counter({"failed": w.MAX_FAILURES, "refused": 16 - w.MAX_FAILURES})


def test_threads_guessing_one_number_are_evaluated_at_most_the_limit() -> None:
    store = MemoryStore()
    number = _issued_number(store)
    svc = w.service(store)
    start = threading.Barrier(6)
    results: list[str] = []

    def worker(seed: int) -> None:
        start.wait()
        results.extend(w.guess(svc, number, f"{seed}.{i}") for i in range(3))

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    kinds = Counter(line.split()[0] for line in results)
    assert kinds == Counter({"failed": w.MAX_FAILURES, "refused": 18 - w.MAX_FAILURES})
