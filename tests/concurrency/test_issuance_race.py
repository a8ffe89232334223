"""Several processes issuing the same applications at once: each is issued once, the rules
across guarantees of one works hold, and no internal conflict reaches a caller."""

from __future__ import annotations

import functools
import random
import threading
from collections import Counter

import pytest
import sqlalchemy as sa
from tests.concurrency import _workload as w
from tests.concurrency.conftest import Target, outcomes, spawn

from surety_core.storage.memory import MemoryStore
from surety_core.storage.sql import SqlStore

pytestmark = pytest.mark.slow

PROCESSES = 4


def _contracts(store: SqlStore) -> list[tuple[str, str, str, str]]:
    """(application, product, works, number) of every stored contract."""
    rows = []
    numbers = _works_numbers(store)
    with store.unit_of_work() as uow:
        for works_number in numbers:
            for contract in uow.contracts.for_works("kashiwa", works_number):
                rows.append(
                    (
                        contract.application_reference or "",
                        contract.product,
                        works_number,
                        contract.number,
                    )
                )
    return rows


def _works_numbers(store: SqlStore) -> list[str]:
    with store.engine.connect() as connection:
        return list(
            connection.execute(
                sa.text("SELECT DISTINCT works_number FROM surety_contracts ORDER BY 1")
            ).scalars()
        )


def test_each_application_is_issued_once(shared_store: tuple[Target, SqlStore]) -> None:
    target, store = shared_store
    svc = w.service(store)
    references = [f"APP-{i:04d}" for i in range(24)]
    for i, reference in enumerate(references):
        svc.apply(w.application(reference, f"R7-{i:04d}"))
    children = [spawn("issue", target, seed, *references) for seed in range(PROCESSES)]
    lines = outcomes(children)
    assert [line for line in lines if line[0] == "error"] == []
    issued = Counter(line[1] for line in lines if line[0] == "ok")
    assert issued == Counter(references), "each application issued by exactly one process"
    rows = _contracts(store)
    per_application = Counter(row[0] for row in rows)
    assert per_application == Counter(dict.fromkeys(references, 2))
    with store.unit_of_work() as uow:
        assert len(uow.outbox.all()) == 2 * len(references)
        assert sum(1 for _ in uow.audit.events()) == 3 * len(
            references
        )  # applied, then issued twice


def test_caps_hold_across_guarantees_of_one_works(shared_store: tuple[Target, SqlStore]) -> None:
    target, store = shared_store
    svc = w.service(store)
    works = [f"R7-{i:04d}" for i in range(16)]
    firsts, seconds = [], []
    for number in works:
        # Two principals each apply for a 40,000,000円 advance on the same 100,000,000円 works:
        # each application is fine alone, both together break the caps.
        firsts.append(f"A-{number}")
        seconds.append(f"B-{number}")
        svc.apply(w.application(firsts[-1], number, contract=False, who=0))
        svc.apply(w.application(seconds[-1], number, contract=False, who=1))
    children = [spawn("issue", target, 0, *firsts), spawn("issue", target, 1, *seconds)]
    lines = outcomes(children)
    assert [line for line in lines if line[0] == "error"] == []
    per_works = Counter(row[2] for row in _contracts(store))
    assert max(per_works.values()) == 1, "at most one advance per works"
    assert sorted(per_works) == works


def test_threads_on_the_memory_store_issue_each_application_once() -> None:
    store = MemoryStore()
    svc = w.service(store)
    references = [f"APP-{i:04d}" for i in range(12)]
    for i, reference in enumerate(references):
        svc.apply(w.application(reference, f"R7-{i % 4:04d}", contract=False, who=i % 2))
    start = threading.Barrier(4)
    results: list[str] = []

    def worker(seed: int) -> None:
        order = list(references)
        random.Random(seed).shuffle(order)
        start.wait()
        results.extend(
            w.outcome(reference, functools.partial(svc.issue, reference)) for reference in order
        )

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [line for line in results if line.startswith("error")] == []
    with store.unit_of_work() as uow:
        per_works = Counter(
            contract.product
            for works in range(4)
            for contract in uow.contracts.for_works("kashiwa", f"R7-{works:04d}")
        )
    assert per_works == Counter({"advance_payment": 4}), "one advance per works, caps held"
