"""Property: the in-memory store and SQLite agree on every outcome of any sequence of operations.

Hypothesis draws a short program of storage operations (adds, amendments, stale replaces, key
issue and revocation, outbox and audit writes, some rolled back); both stores run it one unit
of work per step, and every result, every error type and the final state must be equal.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from surety_core import SuretyError
from surety_core.storage import ContractQuery, KeyStatus, Store, UnitOfWork
from surety_core.storage.memory import MemoryStore
from surety_core.storage.sql import sqlite_store
from surety_core.testing._contract import (
    _T0,
    _amended,
    _attempt,
    _contract,
    _corporate,
    _event,
    _key,
    _message,
    _number,
    _released,
)

Op = tuple[Any, ...]

numbers = st.integers(1, 3)
ops = st.one_of(
    st.tuples(st.just("add"), numbers, st.integers(0, 1), st.sampled_from(["a", "b"])),
    st.tuples(st.just("amend"), numbers),
    st.tuples(st.just("stale_release"), numbers),
    st.tuples(st.just("key"), numbers, st.integers(1, 3), st.booleans()),
    st.tuples(st.just("revoke"), numbers, st.integers(1, 3)),
    st.tuples(st.just("message"), st.integers(1, 2), st.integers(0, 30)),
    st.tuples(st.just("sent"), st.integers(1, 2)),
    st.tuples(st.just("failed"), st.integers(1, 2), st.one_of(st.none(), st.integers(1, 60))),
    st.tuples(st.just("audit"), st.integers(-1, 1)),
    st.tuples(st.just("attempt"), numbers, st.integers(0, 6)),
)
steps = st.lists(st.tuples(ops, st.booleans()), min_size=5, max_size=40)


class _RollbackError(Exception):
    pass


def _apply(uow: UnitOfWork, op: Op) -> Any:
    kind = op[0]
    if kind == "add":
        _, n, corporate, product = op
        uow.contracts.add(
            _contract(
                _number(n),
                corporate=corporate,
                product="advance_payment" if product == "a" else "contract_guarantee",
            )
        )
        return None
    if kind == "amend":
        current = uow.contracts.find(_number(op[1]))
        if current is not None:
            uow.contracts.replace(current, _amended(current))
        return current
    if kind == "stale_release":
        original = _contract(_number(op[1]))
        uow.contracts.replace(original, _released(original))
        return None
    if kind == "key":
        _, n, generation, active = op
        record = _key(_number(n), generation)
        if not active:
            record = _key(_number(n), generation, status=KeyStatus.REVOKED, revoked_at=_T0)
        uow.keys.add(record)
        return None
    if kind == "revoke":
        uow.keys.revoke(_number(op[1]), op[2], _T0 + timedelta(days=op[2]))
        return None
    if kind == "message":
        uow.outbox.add(_message(f"m{op[1]}", _T0 + timedelta(minutes=op[2])))
        return None
    if kind == "sent":
        uow.outbox.mark_sent(f"m{op[1]}", _T0 + timedelta(hours=1))
        return None
    if kind == "failed":
        retry = None if op[2] is None else _T0 + timedelta(minutes=op[2])
        uow.outbox.mark_failed(f"m{op[1]}", "busy", _T0, retry)
        return None
    if kind == "audit":
        last = uow.audit.last()
        uow.audit.append(_event((last.sequence if last else 0) + 1 + op[1], last))
        return None
    if kind == "attempt":
        if op[2] == 0:
            uow.attempts.clear(_number(op[1]))
        else:
            uow.attempts.put(_attempt(_number(op[1]), op[2]))
        return None
    raise AssertionError(kind)


def _run(store: Store, op: Op, rollback: bool) -> Any:
    try:
        with store.unit_of_work() as uow:
            result = _apply(uow, op)
            if rollback:
                raise _RollbackError
        return ("ok", result)
    except _RollbackError:
        return ("rolled back", None)
    except SuretyError as exc:
        return (type(exc).__name__, None)


def _snapshot(store: Store) -> Any:
    with store.unit_of_work() as uow:
        return (
            [uow.contracts.find(_number(n)) for n in range(1, 5)],
            [tuple(uow.keys.history(_number(n))) for n in range(1, 5)],
            [uow.keys.active(_number(n)) for n in range(1, 5)],
            [uow.attempts.get(_number(n)) for n in range(1, 5)],
            tuple(uow.outbox.all()),
            tuple(uow.outbox.due(_T0 + timedelta(minutes=20), limit=3)),
            tuple(uow.audit.events()),
            [
                uow.contracts.query(ContractQuery(principal_id=_corporate(i), limit=2))
                for i in (0, 1)
            ],
            tuple(uow.contracts.for_works("kashiwa", "R7-001")),
        )


@settings(max_examples=150)
@given(steps)
def test_memory_and_sqlite_agree(program: list[tuple[Op, bool]]) -> None:
    memory = MemoryStore()
    sqlite = sqlite_store(":memory:")
    try:
        for op, rollback in program:
            assert _run(memory, op, rollback) == _run(sqlite, op, rollback), op
        assert _snapshot(memory) == _snapshot(sqlite)
    finally:
        sqlite.close()
        memory.close()
