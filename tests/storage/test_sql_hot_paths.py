"""The SQL store's hot paths: the view's statement count, read-ahead and queued inserts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from sqlalchemy import event

from surety_core import DuplicateError, GuaranteeStatus, release
from surety_core.storage import AttemptState
from surety_core.storage.sql import SqlStore, sqlite_store
from surety_core.testing import samples


def traced(path: Path, row_mac_key: bytes | None = None) -> tuple[SqlStore, list[str]]:
    """A new store on the SQLite file ``path`` whose every statement is recorded."""
    store = sqlite_store(path, row_mac_key=row_mac_key)
    statements: list[str] = []

    def trace(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_trace_callback(statements.append)

    event.listen(store.engine, "connect", trace)
    store.engine.dispose()  # the schema check's connection goes; new ones are traced
    return store, statements


ROW_MAC_KEY = bytes(range(32))


@pytest.fixture(params=[None, ROW_MAC_KEY], ids=["plain", "row_mac"])
def row_mac_key(request: pytest.FixtureRequest) -> bytes | None:
    key: bytes | None = request.param
    return key


@pytest.fixture
def issued(tmp_path: Path, row_mac_key: bytes | None) -> Iterator[tuple[Path, str, Any]]:
    path = tmp_path / "view.db"
    store = sqlite_store(path, row_mac_key=row_mac_key)
    try:
        service = samples.surety_service(store)
        guarantee = service.apply_and_issue(samples.electronic_application()).guarantees[0]
        assert guarantee.key is not None
        yield path, guarantee.contract.number, guarantee.key
    finally:
        store.close()


def test_a_view_runs_four_statements(
    issued: tuple[Path, str, Any], row_mac_key: bytes | None
) -> None:
    path, number, key = issued
    store, statements = traced(path, row_mac_key)
    try:
        service = samples.surety_service(store)
        # A service's first call checks the secrets fingerprint once, in a unit of its own
        # (BEGIN, one read, COMMIT): three statements that later views no longer run.
        assert service.view(number, key).number == number
        assert len(statements) <= 5 + 3, statements
        for _ in range(3):
            statements.clear()
            assert service.view(number, key).number == number
            # BEGIN, one read of everything (limiter, key, contract, audit head, certificates),
            # the audit insert, COMMIT.
            assert len(statements) == 4, statements
            assert sum(s.startswith("SELECT") for s in statements) == 1, statements
            assert statements[0].startswith("BEGIN IMMEDIATE")
            assert statements[-1] == "COMMIT"
            assert sum(s.startswith("INSERT INTO surety_audit") for s in statements) == 1
        with store.unit_of_work() as uow:
            actions = [e.action for e in uow.audit.events()]
        assert actions[-4:] == ["verify_succeeded"] * 4
    finally:
        store.close()


def test_read_ahead_rows_are_dropped_when_the_unit_writes_them(
    issued: tuple[Path, str, Any],
) -> None:
    path, number, _key = issued
    store = sqlite_store(path)
    now = datetime(2026, 4, 1, tzinfo=UTC)
    try:
        with store.unit_of_work() as uow:
            uow.prefetch_view(number)
            uow.attempts.put(
                AttemptState(contract_number=number, failures=2, window_started_at=now)
            )
            state = uow.attempts.get(number)
            assert state is not None
            assert state.failures == 2
            uow.prefetch_view(number)
            active = uow.keys.active(number)
            assert active is not None
            uow.keys.revoke(number, active.generation, now)
            assert uow.keys.active(number) is None
            uow.prefetch_view(number)
            contract = uow.contracts.get(number)
            uow.contracts.replace(contract, release(contract, contract.period.start))
            assert uow.contracts.get(number).status is GuaranteeStatus.RELEASED
            uow.prefetch_view(number)
            (first,) = uow.certificates.history(number)
            uow.prefetch_view(number)
            uow.certificates.add(attrs.evolve(first, version=2))
            assert [r.version for r in uow.certificates.history(number)] == [1, 2]
    finally:
        store.close()


def test_the_history_read_ahead_is_the_history_read_alone(tmp_path: Path) -> None:
    """Several certificate versions come back from the view's one read in version order, as
    the history query returns them (the joined read has no ORDER BY of its own)."""
    store = sqlite_store(tmp_path / "history.db")
    try:
        service = samples.surety_service(store)
        number = service.apply_and_issue(samples.electronic_application()).guarantees[0]
        with store.unit_of_work() as uow:
            (first,) = uow.certificates.history(number.contract.number)
            for version in (5, 3, 2, 4):  # inserted out of order
                uow.certificates.add(attrs.evolve(first, version=version))
        with store.unit_of_work() as uow:
            alone = uow.certificates.history(number.contract.number)
            uow.prefetch_view(number.contract.number)
            ahead = uow.certificates.history(number.contract.number)
        assert [r.version for r in alone] == [1, 2, 3, 4, 5]
        assert ahead == alone
    finally:
        store.close()


def test_queued_inserts_are_read_back_and_a_duplicate_rolls_the_unit_back(
    tmp_path: Path,
) -> None:
    store = sqlite_store(tmp_path / "queue.db")
    try:
        contract = samples.guarantee_contract()
        with store.unit_of_work() as uow:
            uow.defer_inserts()
            uow.contracts.add(contract)
            works = contract.works
            found = uow.contracts.for_works(works.obligee.code, works.number)
            assert [c.number for c in found] == [contract.number]
        with pytest.raises(DuplicateError), store.unit_of_work() as uow:
            uow.defer_inserts()
            uow.contracts.add(attrs.evolve(contract, number="0000000999"))
            uow.contracts.add(contract)  # reported when the queue is written, at the end
        with store.unit_of_work() as uow:
            assert uow.contracts.find("0000000999") is None
            assert uow.contracts.get(contract.number) == contract
    finally:
        store.close()
