"""Bad data, schema versions and a busy database give clear errors, never a wrong answer."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from surety_core import (
    CorruptRecordError,
    DuplicateError,
    InvalidInputError,
    SchemaVersionError,
    StorageError,
    to_json,
)
from surety_core.storage import ContractQuery
from surety_core.storage.sql import (
    SCHEMA_VERSION,
    SqlStore,
    create_schema,
    metadata,
    read_schema_version,
    sqlite_store,
    upgrade_schema,
)
from surety_core.testing._contract import _attempt, _contract, _corporate, _key, _message

NUMBER = "0000000001"


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    if request.param == "sqlite":
        store = sqlite_store(tmp_path / "surety.db")
        yield store
        store.close()
    elif request.param == "postgres":
        yield request.getfixturevalue("pg_store")
    else:
        yield request.getfixturevalue("maria_store")


def _seed(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.contracts.add(_contract(NUMBER))
        uow.keys.add(_key(NUMBER))
        uow.outbox.add(_message(f"issued:{NUMBER}"))


def _set(store: SqlStore, sql: str, **params: object) -> None:
    with store.engine.begin() as connection:
        connection.execute(sa.text(sql), params)


def _future_version(document: str) -> str:
    payload = json.loads(document)
    payload["schema_version"] = 99
    return json.dumps(payload)


def test_unparsable_contract_names_the_record(store: SqlStore) -> None:
    _seed(store)
    _set(store, "UPDATE surety_contracts SET document = '{not json'")
    with store.unit_of_work() as uow, pytest.raises(CorruptRecordError) as info:
        uow.contracts.get(NUMBER)
    assert info.value.record == f"surety_contracts[{NUMBER}]"
    with store.unit_of_work() as uow, pytest.raises(CorruptRecordError):
        uow.contracts.query(ContractQuery(principal_id=_corporate(0)))
    with store.unit_of_work() as uow, pytest.raises(CorruptRecordError):
        uow.contracts.for_works("kashiwa", "R7-001")


def test_unknown_schema_version_in_a_row_names_the_record(store: SqlStore) -> None:
    _seed(store)
    _set(
        store,
        "UPDATE surety_contracts SET document = :d",
        d=_future_version(to_json(_contract(NUMBER))),
    )
    with store.unit_of_work() as uow, pytest.raises(CorruptRecordError) as info:
        uow.contracts.find(NUMBER)
    assert info.value.record == f"surety_contracts[{NUMBER}]"
    assert "schema version" in str(info.value)
    _set(store, "UPDATE surety_keys SET document = :d", d=_future_version(to_json(_key(NUMBER))))
    with store.unit_of_work() as uow, pytest.raises(CorruptRecordError) as info:
        uow.keys.active(NUMBER)
    assert info.value.record == f"surety_keys[{NUMBER}]"


def test_columns_disagreeing_with_the_document_are_refused(store: SqlStore) -> None:
    _seed(store)
    # The version column says 2 but the document is version 1: a replace could go wrong.
    _set(store, "UPDATE surety_contracts SET version = 2")
    with store.unit_of_work() as uow, pytest.raises(CorruptRecordError, match="disagrees"):
        uow.contracts.get(NUMBER)
    # A key document filed under another contract's row.
    _set(store, "UPDATE surety_keys SET document = :d", d=to_json(_key("0000000002")))
    with store.unit_of_work() as uow, pytest.raises(CorruptRecordError) as info:
        uow.keys.active(NUMBER)
    assert info.value.record.startswith("surety_keys[")


def test_a_record_of_the_wrong_type_or_value_is_corrupt(store: SqlStore) -> None:
    _seed(store)
    _set(store, "UPDATE surety_outbox SET document = :d", d=to_json(_key(NUMBER)))
    with store.unit_of_work() as uow, pytest.raises(CorruptRecordError) as info:
        uow.outbox.due(datetime(2030, 1, 1, tzinfo=UTC))
    assert info.value.record == f"surety_outbox[issued:{NUMBER}]"
    bad = json.loads(to_json(_contract(NUMBER)))
    bad["data"]["versions"][0]["amount"] = -5
    _set(store, "UPDATE surety_contracts SET document = :d", d=json.dumps(bad))
    with store.unit_of_work() as uow, pytest.raises(CorruptRecordError, match="amount"):
        uow.contracts.get(NUMBER)


def test_a_newer_schema_is_refused(store: SqlStore) -> None:
    _set(store, "UPDATE surety_schema_version SET version = :v", v=SCHEMA_VERSION + 1)
    try:
        with pytest.raises(SchemaVersionError, match="newer"):
            upgrade_schema(store.engine)
        with pytest.raises(SchemaVersionError, match="newer"):
            SqlStore(store.engine)
        with pytest.raises(SchemaVersionError, match="newer"):
            store.check_schema()
    finally:  # the PostgreSQL schema is shared by the whole run
        _set(store, "UPDATE surety_schema_version SET version = :v", v=SCHEMA_VERSION)


def test_create_schema_is_idempotent_and_records_the_version(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'host.db'}")
    with engine.connect() as connection:
        assert read_schema_version(connection) is None
    with pytest.raises(SchemaVersionError, match="create_schema"):
        SqlStore(engine, upgrade=False)
    create_schema(engine)
    create_schema(engine)
    assert upgrade_schema(engine) == SCHEMA_VERSION
    with engine.connect() as connection:
        assert read_schema_version(connection) == SCHEMA_VERSION
    store = SqlStore(engine, upgrade=False)
    with store.unit_of_work() as uow:
        assert uow.numbers.allocate() == "0000000001"
    store.close()


def test_host_migrations_then_create_schema_seed_the_version(tmp_path: Path) -> None:
    # A host creates the tables from our MetaData in its own migration...
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'host.db'}")
    metadata.create_all(engine)
    # ...then records the version and seeds the counter once.
    with engine.begin() as connection:
        create_schema(connection)
    store = SqlStore(engine, upgrade=False)
    assert store.check_schema() == SCHEMA_VERSION
    store.close()


def test_a_busy_database_becomes_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    store = sqlite_store(path, busy_timeout=0.05)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StorageError, match=r"busy|locked"), store.unit_of_work():
            pass
        other.execute("ROLLBACK")
        with store.unit_of_work() as uow:
            assert uow.numbers.allocate() == "0000000001"
    finally:
        other.close()
        store.close()


def test_sqlite_file_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    store = sqlite_store(tmp_path / "surety.db")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.close()
    with pytest.raises(StorageError):
        store.unit_of_work()


def test_state_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "restart.db"
    store = sqlite_store(path)
    with store.unit_of_work() as uow:
        uow.attempts.put(_attempt(NUMBER, 5))
        first = uow.numbers.allocate()
    store.close()
    reopened = sqlite_store(path)
    with reopened.unit_of_work() as uow:
        assert uow.attempts.get(NUMBER) == _attempt(NUMBER, 5)
        assert uow.numbers.allocate() > first
    reopened.close()


@pytest.mark.slow
def test_missing_postgres_fails_under_ci(tmp_path: Path) -> None:
    here = Path(__file__).resolve().parent
    env = {k: v for k, v in os.environ.items() if k != "SURETY_TEST_POSTGRES_URL"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        str(here / "test_sql_contract.py"),
        "-k",
        "TestPostgresStore and test_add_then_get",
    ]
    skipped = subprocess.run(
        command, env={**env, "CI": "false"}, capture_output=True, text=True, check=False
    )
    assert skipped.returncode == 0, skipped.stdout[-2000:]
    assert "1 skipped" in skipped.stdout
    failed = subprocess.run(
        command, env={**env, "CI": "true"}, capture_output=True, text=True, check=False
    )
    assert failed.returncode != 0
    assert "PostgreSQL is required under CI=true" in failed.stdout
    unreachable = subprocess.run(
        command,
        env={
            **env,
            "CI": "true",
            "SURETY_TEST_POSTGRES_URL": "postgresql+psycopg://postgres@127.0.0.1:1/none",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert unreachable.returncode != 0
    assert "cannot reach" in unreachable.stdout


def test_a_schema_mapped_engine_compiles_its_statements_for_the_mapped_schema(
    tmp_path: Path,
) -> None:
    # The fixed SQL is compiled from the Core statements with the engine's schema map, so a
    # remapped engine reads and writes only the mapped schema (here an attached SQLite file).
    base = sa.create_engine(f"sqlite:///{tmp_path / 'main.db'}")
    attached = tmp_path / "mapped.db"

    @sa.event.listens_for(base, "connect")
    def _attach(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute(f"ATTACH DATABASE '{attached}' AS surety")

    store = SqlStore(base.execution_options(schema_translate_map={None: "surety"}))
    with store.unit_of_work() as uow:
        uow.keys.add(_key(NUMBER))
    with store.unit_of_work() as uow:
        assert uow.keys.active(NUMBER) == _key(NUMBER)
        assert uow.keys.active("0000000002") is None
    store.close()
    with sqlite3.connect(tmp_path / "main.db") as main:
        assert main.execute("SELECT name FROM sqlite_master").fetchall() == []
    with sqlite3.connect(attached) as mapped:
        assert mapped.execute("SELECT count(*) FROM surety_keys").fetchone() == (1,)
    base.dispose()


def test_add_batch_inserts_everything_or_refuses_duplicates(store: SqlStore) -> None:
    numbers = [f"{n:010d}" for n in range(1, 51)]
    with store.unit_of_work() as uow:
        uow.add_batch(
            contracts=[_contract(n) for n in numbers],
            keys=[_key(n) for n in numbers],
            messages=[_message(f"issued:{n}") for n in numbers],
        )
    with store.unit_of_work() as uow:
        assert [x.number for x in uow.contracts.for_works("kashiwa", "R7-001")] == numbers
        assert all(uow.keys.active(n) == _key(n) for n in numbers)
        assert len(uow.outbox.all()) == 50
    with pytest.raises(DuplicateError, match="surety_keys"), store.unit_of_work() as uow:
        uow.add_batch(
            contracts=[_contract("0000000099")], keys=[_key("0000000099"), _key("0000000001", 2)]
        )
    with store.unit_of_work() as uow:
        assert uow.contracts.find("0000000099") is None
        assert len(uow.keys.history("0000000001")) == 1


def test_sql_unit_of_work_is_used_once_and_only_inside_with(store: SqlStore) -> None:
    uow = store.unit_of_work()
    with pytest.raises(InvalidInputError):
        uow.contracts.find(NUMBER)
    with uow:
        assert uow.contracts.find(NUMBER) is None
    with pytest.raises(InvalidInputError):
        uow.keys.active(NUMBER)
    with pytest.raises(InvalidInputError), uow:
        pass


def test_a_version_2_database_is_upgraded_with_the_payments_table(tmp_path: Path) -> None:
    from surety_core.testing._contract import _payment

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'v1.db'}")
    create_schema(engine)
    with engine.begin() as connection:  # what a version 2 database looks like
        connection.execute(sa.text("DROP TABLE surety_payments"))
        for table in ("surety_contracts", "surety_applications"):  # version 4 renamed it
            connection.execute(
                sa.text(f"ALTER TABLE {table} RENAME COLUMN principal_id TO corporate_number")
            )
        connection.execute(sa.text("UPDATE surety_schema_version SET version = 2"))
    with pytest.raises(SchemaVersionError, match="upgrade_schema"):
        SqlStore(engine, upgrade=False)
    assert upgrade_schema(engine) == SCHEMA_VERSION == 6
    store = SqlStore(engine, upgrade=False)
    with store.unit_of_work() as uow:
        uow.payments.add(_payment("APP-1"))
    with store.unit_of_work() as uow:
        assert [p.reference for p in uow.payments.for_reference("APP-1")] == ["APP-1"]
    store.close()
