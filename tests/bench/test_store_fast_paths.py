"""The SQL store's verification fast paths keep every check of the slow ones.

The obligee view's look-ups go straight to the driver, the audit append reuses the head read in
the same unit of work (SQLite), and ``audit.last()`` reuses the event it wrote only when the
stored text is identical. These tests tamper with rows behind the store's back and race two
stores on one file: corrupt rows must still raise ``CorruptRecordError``, and a stale head must
never produce a wrong chain.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from surety_core import ConcurrencyConflictError, CorruptRecordError, InvalidInputError
from surety_core.audit import append_event, record_event, verify_audit_chain
from surety_core.keys import StaticSecretProvider
from surety_core.storage.sql import SqlStore, sqlite_store

AT = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    if request.param == "sqlite":
        store = sqlite_store(tmp_path / "surety.db")
        yield store
        store.close()
    else:
        yield request.getfixturevalue("pg_store")


SECRETS = StaticSecretProvider(
    {"h1": b"h" * 32}, {"e1": b"e" * 32}, current_hmac_key_id="h1", current_encryption_key_id="e1"
)


def _set(store: SqlStore, sql: str, **params: object) -> None:
    with store.engine.begin() as connection:
        connection.execute(sa.text(sql), params)


def _append(store: SqlStore, subject: str, minutes: int = 0) -> None:
    with store.unit_of_work() as uow:
        append_event(
            uow.audit,
            secrets=SECRETS,
            at=AT + timedelta(minutes=minutes),
            actor="t",
            action="x",
            subject=subject,
        )


def test_a_tampered_head_is_corrupt_even_right_after_this_store_wrote_it(store: SqlStore) -> None:
    _append(store, "0000000001")
    with store.unit_of_work() as uow:
        head = uow.audit.last()
    assert head is not None
    with store.engine.connect() as connection:
        document = connection.execute(
            sa.text("SELECT document FROM surety_audit WHERE sequence = 1")
        ).scalar_one()
    payload = json.loads(document)
    payload["data"]["subject"] = "0000000002"  # the hash no longer matches, but it still parses
    _set(store, "UPDATE surety_audit SET document = :d WHERE sequence = 1", d=json.dumps(payload))
    with store.unit_of_work() as uow:
        tampered = uow.audit.last()
    assert tampered is not None
    assert tampered.subject == "0000000002"  # read from the row, not from the memo
    assert not verify_audit_chain([tampered], secrets=SECRETS)
    _set(store, "UPDATE surety_audit SET document = '{not json' WHERE sequence = 1")
    with store.unit_of_work() as uow, pytest.raises(CorruptRecordError):
        uow.audit.last()


def test_append_after_last_still_checks_the_sequence(store: SqlStore) -> None:
    _append(store, "0000000001")
    with store.unit_of_work() as uow:
        head = uow.audit.last()
        assert head is not None
        gap = record_event(head, secrets=SECRETS, at=AT, actor="t", action="x", subject="s")
        gap = record_event(
            gap, secrets=SECRETS, at=AT, actor="t", action="x", subject="s"
        )  # sequence 3
        with pytest.raises(InvalidInputError):
            uow.audit.append(gap)
    with store.unit_of_work() as uow:
        uow.audit.last()
        with pytest.raises(ConcurrencyConflictError):
            uow.audit.append(
                record_event(None, secrets=SECRETS, at=AT, actor="t", action="x", subject="s")
            )
    with store.unit_of_work() as uow:
        assert [e.sequence for e in uow.audit.events()] == [1]


def test_two_stores_on_one_file_keep_one_intact_chain(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    first, second = sqlite_store(path), sqlite_store(path)
    try:
        for i in range(6):
            _append(first if i % 3 else second, f"{i:010d}", minutes=i)
        with first.unit_of_work() as uow:
            events = list(uow.audit.events())
        assert [e.sequence for e in events] == list(range(1, 7))
        assert [e.subject for e in events] == [f"{i:010d}" for i in range(6)]
        assert verify_audit_chain(events, secrets=SECRETS).ok
    finally:
        first.close()
        second.close()


def test_raw_look_ups_still_refuse_corrupt_rows(store: SqlStore) -> None:
    _set(
        store,
        "INSERT INTO surety_attempts (contract_number, document) VALUES ('0000000001', 'x')",
    )
    with store.unit_of_work() as uow, pytest.raises(CorruptRecordError) as info:
        uow.attempts.get("0000000001")
    assert info.value.record == "surety_attempts[0000000001]"
    _set(
        store,
        "INSERT INTO surety_certificates (contract_number, version, created_at_us, document)"
        " VALUES ('0000000001', 1, 0, '{}')",
    )
    with store.unit_of_work() as uow, pytest.raises(CorruptRecordError) as info:
        uow.certificates.history("0000000001")
    assert info.value.record == "surety_certificates[0000000001/1]"


def test_driver_inserts_store_the_same_columns_as_sqlalchemy(store: SqlStore) -> None:
    from surety_core.storage import ContractQuery
    from surety_core.testing._contract import _contract

    one, two = _contract("0000000001"), _contract("0000000002")
    with store.unit_of_work() as uow:
        uow.contracts.add(one)  # fixed driver SQL
        uow.add_batch(contracts=[two])  # SQLAlchemy executemany
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT number, version, status, medium, product, principal_id,"
                " obligee_code, works_number, CAST(issued_on AS TEXT) FROM surety_contracts"
                " ORDER BY number"
            )
        ).all()
    assert [row[1:] for row in rows[:1]] == [row[1:] for row in rows[1:]]
    assert rows[0][-1] == one.issued_on.isoformat()
    query = ContractQuery(
        one.principal.identifier, issued_from=one.issued_on, issued_to=one.issued_on
    )
    with store.unit_of_work() as uow:
        assert [c.number for c in uow.contracts.query(query).items] == [one.number, two.number]
        assert uow.numbers.allocate() != uow.numbers.allocate()
