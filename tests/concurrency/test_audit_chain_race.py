"""Writers and the audit chain's head, on real servers: no unit of work fails or is retried
because another appended to the chain, and the chain stays whole.

Two kinds of test. Step by step (threads, PostgreSQL and MariaDB): one unit of work is held open
at a chosen point while another runs, so the interleaving is the same on every run. Processes
(every store): four workers view and issue at once with no retry, then the chain is verified.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from tests.concurrency import _workload as w
from tests.concurrency.conftest import Target, outcomes, spawn

from surety_core import TransactionConflictError, to_json
from surety_core.audit import AuditAction, record_event, verify_audit_chain
from surety_core.services._runtime import Runtime, Step
from surety_core.storage import AttemptState
from surety_core.storage._sql_schema import audit as audit_table
from surety_core.storage.sql import SqlStore

WAIT = 20.0
"""How long a step may wait for another thread before the test fails (never reached when the
store behaves)."""
ALONE = 6.0
"""How long the second unit is given to finish while the first is held (generous: the machine
may be loaded; a second unit that waits for the first never finishes in this time)."""


@pytest.fixture(
    params=[
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def server_store(request: pytest.FixtureRequest) -> SqlStore:
    """A store whose units of work run side by side (SQLite's hold the write lock throughout)."""
    name = "pg_store" if request.param == "postgres" else "maria_store"
    store: SqlStore = request.getfixturevalue(name)
    return store


class _Held:
    """Runs ``work`` in a unit of work on a thread, pausing it where ``work`` calls ``pause``."""

    def __init__(self, runtime: Runtime, work: Callable[[Step, Callable[[], None]], None]) -> None:
        self.paused = threading.Event()
        self.resume = threading.Event()
        self.error: BaseException | None = None

        def pause() -> None:
            self.paused.set()
            if not self.resume.wait(WAIT):
                raise AssertionError("never resumed")

        def body() -> None:
            try:
                runtime.run(lambda step: work(step, pause), actor="tester")
            except BaseException as exc:  # reported by finish()
                self.error = exc

        self.thread = threading.Thread(target=body, daemon=True)
        self.thread.start()
        assert self.paused.wait(WAIT), f"the held unit never reached its pause: {self.error!r}"

    def finish(self) -> None:
        self.resume.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "the held unit never finished"
        assert self.error is None, f"the held unit failed: {self.error!r}"


class _Beside:
    """Runs ``work`` in a unit of work on a thread; ``finished`` tells whether it was done
    within ``ALONE`` seconds, while the held unit still waited (a unit that waits for the held
    one can only finish after it resumes)."""

    def __init__(self, runtime: Runtime, work: Callable[[Step], Any]) -> None:
        self.error: BaseException | None = None

        def body() -> None:
            try:
                runtime.run(work, actor="tester")
            except BaseException as exc:  # reported by end()
                self.error = exc

        self.thread = threading.Thread(target=body, daemon=True)
        self.thread.start()
        self.thread.join(ALONE)
        self.finished = not self.thread.is_alive()

    def end(self) -> BaseException | None:
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "the second unit never finished"
        return self.error


def _chain(store: SqlStore) -> list[str]:
    with store.unit_of_work() as uow:
        events = list(uow.audit.events())
    report = verify_audit_chain(events, secrets=w.secrets())
    assert report.ok, report.describe()
    return [event.subject for event in events]


def test_the_head_is_not_held_while_a_unit_of_work_runs(server_store: SqlStore) -> None:
    """A's work has recorded its event and is still running: B appends and commits meanwhile."""
    runtime = Runtime(server_store, secrets=w.secrets(), retries=0)

    def held(step: Step, pause: Callable[[], None]) -> None:
        step.audit(AuditAction.VERIFY_SUCCEEDED, "A")
        pause()

    a = _Held(runtime, held)
    b = _Beside(runtime, lambda step: step.audit(AuditAction.VERIFY_SUCCEEDED, "B"))
    a.finish()
    assert b.end() is None
    assert b.finished, "B waited for A's unit of work to end"
    assert _chain(server_store) == ["B", "A"]


def test_the_head_and_a_works_lock_never_deadlock(server_store: SqlStore) -> None:
    """A locks works 1 and records an event, then wants works 2, which B holds while it appends:
    both commit, with no retry (A's head was not taken before its last lock)."""
    runtime = Runtime(server_store, secrets=w.secrets(), retries=0)

    def held(step: Step, pause: Callable[[], None]) -> None:
        step.uow.contracts.for_works("kashiwa", "W-1")
        step.audit(AuditAction.ISSUED, "A1")
        pause()
        step.uow.contracts.for_works("kashiwa", "W-2")
        step.audit(AuditAction.ISSUED, "A2")

    def other(step: Step) -> None:
        step.uow.contracts.for_works("kashiwa", "W-2")
        step.audit(AuditAction.ISSUED, "B")

    a = _Held(runtime, held)
    b = _Beside(runtime, other)
    a.finish()
    assert b.end() is None, "a unit of work failed (a deadlock)"
    if server_store.engine.dialect.name == "postgresql":
        # Advisory locks lock exactly what they name. MariaDB's named locks are rows of one
        # table, where InnoDB may also lock the gap next to a row just deleted: B may then wait
        # for A (never the other way round, so never a deadlock).
        assert b.finished, "B waited for A"
        assert _chain(server_store) == ["B", "A1", "A2"]
    else:
        assert _chain(server_store) in (["B", "A1", "A2"], ["A1", "A2", "B"])


PROCESSES = 4
PER_PROCESS = 12


def test_workers_viewing_and_issuing_at_once_never_fail_on_the_chain(
    shared_store: tuple[Target, SqlStore],
) -> None:
    """Four processes, each viewing guarantees with the right key and issuing applications,
    without retries: every operation succeeds and the chain verifies, one event per attempt."""
    target, store = shared_store
    svc = w.service(store)
    viewable = []
    for i in range(PROCESSES):
        result = svc.apply_and_issue(w.application(f"V-{i}", f"VIEW-{i}", contract=False))
        guarantee = result.guarantees[0]
        assert guarantee.key is not None
        viewable.append(f"{guarantee.contract.number}:{guarantee.key.reveal()}")
    jobs: list[list[str]] = [[] for _ in range(PROCESSES)]
    for worker in range(PROCESSES):
        for i in range(PER_PROCESS):
            if i % 3 == 2:
                reference = f"APP-C{worker}-{i}"
                svc.apply(w.application(reference, f"C{worker}-{i}", contract=False))
                jobs[worker].append(f"issue={reference}")
            else:
                # every worker views every guarantee: the same numbers' limiter rows too
                jobs[worker].append(f"view={viewable[(worker + i) % PROCESSES]}")
    before = len(_chain(store))
    children = [spawn("chain", target, seed, *jobs[seed]) for seed in range(PROCESSES)]
    lines = outcomes(children, timeout=300)
    assert [line for line in lines if line[1] != "ok"] == []
    assert len(lines) == PROCESSES * PER_PROCESS
    # one event per view, one per guarantee issued (one guarantee per application here)
    assert len(_chain(store)) - before == PROCESSES * PER_PROCESS


@pytest.mark.postgres
def test_a_sequence_taken_by_a_writer_ignoring_the_lock_fails_the_commit(
    pg_store: SqlStore,
) -> None:
    """PostgreSQL sends a unit's audit rows with its commit: if a writer that does not take the
    head's lock inserted the same sequence meanwhile, nothing of the unit is committed."""
    runtime = Runtime(pg_store, secrets=w.secrets(), retries=0)
    runtime.run(lambda step: step.audit(AuditAction.VERIFY_SUCCEEDED, "first"), actor="tester")

    def racing(step: Step) -> None:
        last = step.uow.audit.last()
        event = record_event(
            last, secrets=w.secrets(), at=step.now, actor="tester", action="x", subject="mine"
        )
        step.uow.audit.append(event)
        step.uow.attempts.put(AttemptState("0000000009", 1, step.now))
        rogue = record_event(
            last, secrets=w.secrets(), at=step.now, actor="rogue", action="x", subject="rogue"
        )
        with pg_store.engine.begin() as connection:
            # (never a hang: were the unit's row inserted already, this would wait for it)
            connection.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
            connection.execute(
                sa.insert(audit_table),
                {"sequence": rogue.sequence, "at_us": 0, "document": to_json(rogue)},
            )

    with pytest.raises(TransactionConflictError):
        runtime.run(racing, actor="tester")
    assert _chain(pg_store) == ["first", "rogue"]
    with pg_store.unit_of_work() as uow:
        assert uow.attempts.get("0000000009") is None, "the unit's other writes were committed"
