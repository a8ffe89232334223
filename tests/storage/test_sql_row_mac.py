"""The keyed MAC on every stored row (schema version 5), on every engine we ship; and the
SQLite audit table keyed by its rowid (version 6).

A valid-looking change to a stored document (an amount of 40,000,000 yen made 40,000,001) passes
every validator, so a store without a MAC key shows it; a store with one refuses the row with
``CorruptRecordError`` naming the table and key. Rows without a MAC (written before version 5,
or without a key) are read and validated in full, as before; and version 4 databases upgrade.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from surety_core import (
    ConfigurationError,
    CorruptRecordError,
    InvalidInputError,
    SchemaVersionError,
    to_json,
)
from surety_core.storage import OutboxStatus
from surety_core.storage.sql import (
    SCHEMA_VERSION,
    SqlStore,
    mariadb_store,
    postgres_store,
    sqlite_store,
)
from surety_core.storage.sql import metadata as surety_metadata
from surety_core.testing import samples
from surety_core.testing._contract import (
    _application,
    _attempt,
    _certificate,
    _contract,
    _event,
    _key,
    _message,
    _payment,
    _released,
    _statement,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
DATA_TABLES = [
    "surety_contracts",
    "surety_applications",
    "surety_certificates",
    "surety_statements",
    "surety_payments",
    "surety_keys",
    "surety_attempts",
    "surety_audit",
    "surety_outbox",
]
NUMBER = "0000000001"
T1 = datetime(2025, 5, 1, tzinfo=UTC)

Opener = Callable[..., SqlStore]


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens stores (``upgrade``, ``row_mac_key``) on one fresh, empty database of the engine."""
    name = f"mac_{uuid.uuid4().hex[:10]}"
    if request.param == "sqlite":
        yield lambda **kw: sqlite_store(tmp_path / "mac.db", **kw)
        return
    if request.param == "postgres":
        url, run_schema = request.getfixturevalue("postgres_schema")
        schema = f"{run_schema}_{name}"
        admin = sa.create_engine(url)
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield lambda **kw: postgres_store(url, schema=schema, **kw)
        finally:
            with admin.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
        return
    run_url = sa.make_url(request.getfixturevalue("mariadb_url"))
    database = f"{run_url.database}_{name}"
    admin = sa.create_engine(run_url)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE DATABASE `{database}`"))
    url = run_url.set(database=database).render_as_string(hide_password=False)
    try:
        yield lambda **kw: mariadb_store(url, **kw)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP DATABASE `{database}`"))
        admin.dispose()


def _execute(store: SqlStore, sql: str, **params: Any) -> list[Any]:
    with store.engine.begin() as connection:
        result = connection.execute(sa.text(sql), params)
        return list(result.all()) if result.returns_rows else []


def _upgraded(opener: Opener) -> SqlStore:
    """The store on an older database: refused without an upgrade, then opened with the MAC
    key, which upgrades it to the current version."""
    with pytest.raises(SchemaVersionError, match="upgrade_schema"):
        opener(upgrade=False)
    store = opener(row_mac_key=KEY)
    assert store.check_schema() == SCHEMA_VERSION == 6
    return store


def _raise_amount(store: SqlStore, number: str) -> None:
    """What an intruder with write access to the database does: 40,000,000 → 40,000,001 in
    the stored document, which stays valid JSON of a valid contract."""
    ((document,),) = _execute(
        store, "SELECT document FROM surety_contracts WHERE number = :n", n=number
    )
    assert document.count('"amount":40000000') == 1
    altered = document.replace('"amount":40000000', '"amount":40000001')
    _execute(
        store, "UPDATE surety_contracts SET document = :d WHERE number = :n", d=altered, n=number
    )


def test_an_altered_amount_is_shown_without_a_mac_and_refused_with_one(opener: Opener) -> None:
    store = opener(row_mac_key=KEY)
    try:
        service = samples.surety_service(store)
        issued = service.apply_and_issue(samples.electronic_application()).guarantees
        (guarantee,) = [g for g in issued if g.contract.amount == 40_000_000]  # 前払金保証
        assert guarantee.key is not None
        number, key = guarantee.contract.number, guarantee.key
        assert service.view(number, key).contract.amount == 40_000_000
        _raise_amount(store, number)
        with pytest.raises(CorruptRecordError) as info:
            service.view(number, key)
        assert info.value.record == f"surety_contracts[{number}]"
        assert "MAC" in str(info.value)
    finally:
        store.close()
    # The same database read without the key: every validator passes the altered amount.
    plain = opener()
    try:
        assert samples.surety_service(plain).view(number, key).contract.amount == 40_000_001
    finally:
        plain.close()


def _fill(store: SqlStore) -> None:
    """One row in every data table."""
    with store.unit_of_work() as uow:
        uow.contracts.add(_contract(NUMBER))
        uow.applications.add(_application("APP-1"))
        uow.certificates.add(_certificate(NUMBER))
        uow.statements.add(_statement(NUMBER))
        uow.payments.add(_payment("APP-1"))
        uow.keys.add(_key(NUMBER))
        uow.attempts.put(_attempt(NUMBER))
        uow.audit.append(_event(1))
        uow.outbox.add(_message("notice-1"))


READS: dict[str, tuple[str, Callable[[Any], object]]] = {
    "surety_contracts": (NUMBER, lambda uow: uow.contracts.get(NUMBER)),
    "surety_applications": ("APP-1", lambda uow: uow.applications.get("APP-1")),
    "surety_certificates": (f"{NUMBER}/1", lambda uow: uow.certificates.history(NUMBER)),
    "surety_statements": (f"{NUMBER}/1", lambda uow: uow.statements.for_contract(NUMBER)),
    "surety_payments": ("APP-1/1", lambda uow: uow.payments.for_reference("APP-1")),
    "surety_keys": (f"{NUMBER}/1", lambda uow: uow.keys.active(NUMBER)),
    "surety_attempts": (NUMBER, lambda uow: uow.attempts.get(NUMBER)),
    "surety_audit": ("1", lambda uow: uow.audit.last()),
    "surety_outbox": ("notice-1", lambda uow: uow.outbox.get("notice-1")),
}


def _flip(mac: str) -> str:
    return mac[:-1] + ("0" if mac[-1] != "0" else "1")


def test_every_table_writes_a_mac_and_refuses_a_wrong_one(opener: Opener) -> None:
    store = opener(row_mac_key=KEY)
    try:
        _fill(store)
        for table in DATA_TABLES:
            ((mac,),) = _execute(store, f"SELECT mac FROM {table}")
            assert isinstance(mac, str), table
            assert len(mac) == 64, table
        reads = {table: read for table, (_, read) in READS.items()}
        with store.unit_of_work() as uow:
            before = {table: read(uow) for table, read in reads.items()}
        for table, (key, read) in READS.items():
            ((mac,),) = _execute(store, f"SELECT mac FROM {table}")
            _execute(store, f"UPDATE {table} SET mac = :m", m=_flip(mac))
            with store.unit_of_work() as uow, pytest.raises(CorruptRecordError) as info:
                read(uow)
            assert info.value.record == f"{table}[{key}]"
            _execute(store, f"UPDATE {table} SET mac = :m", m=mac)
            with store.unit_of_work() as uow:  # restored: read, as before, without a validator
                assert read(uow) == before[table]
    finally:
        store.close()


def test_a_mac_names_its_row_so_rows_cannot_be_swapped(opener: Opener) -> None:
    store = opener(row_mac_key=KEY)
    try:
        with store.unit_of_work() as uow:
            uow.certificates.add(_certificate(NUMBER, 1))
            uow.certificates.add(_certificate(NUMBER, 2))
        rows = _execute(
            store,
            "SELECT version, document, mac FROM surety_certificates ORDER BY version",
        )
        # version 2's row gets version 1's MAC (a document that says version 2 is kept)
        _execute(
            store,
            "UPDATE surety_certificates SET mac = :m WHERE version = 2",
            m=rows[0][2],
        )
        with store.unit_of_work() as uow, pytest.raises(CorruptRecordError) as info:
            uow.certificates.history(NUMBER)
        assert info.value.record == f"surety_certificates[{NUMBER}/2]"
    finally:
        store.close()


def test_rows_under_another_key_or_without_a_mac(opener: Opener) -> None:
    contract = _contract(NUMBER)
    store = opener()
    try:
        with store.unit_of_work() as uow:  # no key: no MAC
            uow.contracts.add(contract)
        assert _execute(store, "SELECT mac FROM surety_contracts") == [(None,)]
    finally:
        store.close()
    keyed = opener(row_mac_key=KEY)
    try:
        with keyed.unit_of_work() as uow:  # a row without a MAC is validated and read
            assert uow.contracts.get(NUMBER) == contract
            uow.contracts.add(_contract("0000000002"))
        _raise_amount(keyed, NUMBER)
        with keyed.unit_of_work() as uow:  # ... which is why a MAC is worth having
            assert uow.contracts.get(NUMBER).amount == 40_000_001
    finally:
        keyed.close()
    other = opener(row_mac_key=OTHER_KEY)
    try:
        with other.unit_of_work() as uow, pytest.raises(CorruptRecordError):
            uow.contracts.get("0000000002")  # written under another key
    finally:
        other.close()
    plain = opener()
    try:
        with plain.unit_of_work() as uow:  # a store without a key validates MAC'd rows
            assert uow.contracts.get("0000000002") == _contract("0000000002")
    finally:
        plain.close()


def test_updated_rows_are_sealed_again(opener: Opener) -> None:
    store = opener(row_mac_key=KEY)
    try:
        contract = _contract(NUMBER)
        with store.unit_of_work() as uow:
            uow.contracts.add(contract)
            uow.keys.add(_key(NUMBER))
            uow.attempts.put(_attempt(NUMBER, 1))
            uow.outbox.add(_message("notice-1"))
        with store.unit_of_work() as uow:
            released = _released(contract)
            uow.contracts.replace(contract, released)
            uow.keys.revoke(NUMBER, 1, T1)
            uow.attempts.put(_attempt(NUMBER, 2))
            uow.outbox.mark_sent("notice-1", T1)
        with store.unit_of_work() as uow:
            assert uow.contracts.get(NUMBER) == released
            assert uow.keys.history(NUMBER)[0].revoked_at == T1
            state = uow.attempts.get(NUMBER)
            assert state is not None
            assert state.failures == 2
            assert uow.outbox.get("notice-1").status is OutboxStatus.SENT
    finally:
        store.close()


def test_a_mac_key_must_be_32_to_64_bytes() -> None:
    for bad in (b"short", bytes(65), "x" * 32):
        with pytest.raises(InvalidInputError, match="row_mac_key"):
            sqlite_store(row_mac_key=bad)  # type: ignore[arg-type]
    sqlite_store(row_mac_key=bytes(64)).close()


def test_a_version_4_database_is_upgraded_with_the_mac_column(opener: Opener) -> None:
    old = _contract(NUMBER)
    store = opener()
    kind = store.engine.dialect.name
    with store.unit_of_work() as uow:
        uow.contracts.add(old)
        uow.keys.add(_key(NUMBER))
        uow.audit.append(_event(1))
    with store.engine.begin() as connection:  # what a version 4 database looks like
        for table in DATA_TABLES:
            connection.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN mac"))
        connection.execute(sa.text("UPDATE surety_schema_version SET version = 4"))
    store.close()

    store = _upgraded(opener)
    try:
        with store.engine.connect() as connection:
            inspector = sa.inspect(connection)
            for table in DATA_TABLES:
                found = {c["name"]: c for c in inspector.get_columns(table)}
                assert found["mac"]["nullable"], table
                if kind != "sqlite":  # SQLite keeps no length
                    assert getattr(found["mac"]["type"], "length", None) == 64
        with store.unit_of_work() as uow:  # the rows written before read as before
            assert uow.contracts.get(NUMBER) == old
            assert uow.keys.active(NUMBER) == _key(NUMBER)
            last = uow.audit.last()
            assert last is not None
            uow.audit.append(_event(2, last))
            uow.contracts.add(_contract("0000000002"))
        assert _execute(store, "SELECT number, mac FROM surety_contracts ORDER BY number")[0] == (
            NUMBER,
            None,
        )
        ((document,),) = _execute(
            store, "SELECT document FROM surety_contracts WHERE number = '0000000002'"
        )
        assert document == to_json(_contract("0000000002"))  # the JSON is unchanged
        _raise_amount(store, "0000000002")
        with store.unit_of_work() as uow, pytest.raises(CorruptRecordError):
            uow.contracts.get("0000000002")
    finally:
        store.close()
    again = opener(upgrade=True)  # a second upgrade changes nothing
    again.close()


def test_the_schema_declares_the_mac_column() -> None:
    for table in DATA_TABLES:
        column = surety_metadata.tables[table].c.mac
        assert column.nullable
        assert column.type.length == 64  # type: ignore[attr-defined]


def test_seal_rows_gives_the_rows_written_before_their_mac(opener: Opener) -> None:
    plain = opener()
    try:
        _fill(plain)  # one row in every data table, none with a MAC
        with plain.unit_of_work() as uow:
            uow.certificates.add(_certificate(NUMBER, 2))
        with pytest.raises(ConfigurationError, match="row_mac_key"):
            plain.seal_rows()
    finally:
        plain.close()
    store = opener(row_mac_key=KEY)
    try:
        with pytest.raises(InvalidInputError, match="batch"):
            store.seal_rows(batch=0)
        assert store.seal_rows(batch=1) == len(DATA_TABLES) + 1  # batches of one row
        for table in DATA_TABLES:
            assert all(mac is not None for (mac,) in _execute(store, f"SELECT mac FROM {table}"))
        assert store.seal_rows() == 0  # nothing left
        with store.unit_of_work() as uow:  # read back through their MACs
            for _key_text, read in READS.values():
                read(uow)
        _raise_amount(store, NUMBER)
        with store.unit_of_work() as uow, pytest.raises(CorruptRecordError):
            uow.contracts.get(NUMBER)
    finally:
        store.close()


def test_seal_rows_refuses_a_row_that_does_not_validate(opener: Opener) -> None:
    plain = opener()
    try:
        with plain.unit_of_work() as uow:
            uow.contracts.add(_contract(NUMBER))
        ((document,),) = _execute(plain, "SELECT document FROM surety_contracts")
        broken = document.replace('"amount":40000000', '"amount":-1')  # no validator takes it
        _execute(plain, "UPDATE surety_contracts SET document = :d", d=broken)
    finally:
        plain.close()
    store = opener(row_mac_key=KEY)
    try:
        with pytest.raises(CorruptRecordError) as info:
            store.seal_rows()
        assert info.value.record == f"surety_contracts[{NUMBER}]"
        assert _execute(store, "SELECT mac FROM surety_contracts") == [(None,)]  # never sealed
    finally:
        store.close()


def test_a_store_that_requires_macs_refuses_a_row_without_one(opener: Opener) -> None:
    with pytest.raises(InvalidInputError, match="row_mac_required"):
        opener(row_mac_required=True)  # requiring MACs without a key
    store = opener(row_mac_key=KEY, row_mac_required=True)
    try:
        _fill(store)
        with store.unit_of_work() as uow:
            before = {table: read(uow) for table, (_, read) in READS.items()}
        for table, (key, read) in READS.items():
            ((mac,),) = _execute(store, f"SELECT mac FROM {table}")
            _execute(store, f"UPDATE {table} SET mac = NULL")
            with (
                store.unit_of_work() as uow,
                pytest.raises(CorruptRecordError, match="no MAC") as info,
            ):
                read(uow)
            assert info.value.record == f"{table}[{key}]"
            _execute(store, f"UPDATE {table} SET mac = :m", m=mac)
            with store.unit_of_work() as uow:
                assert read(uow) == before[table]
    finally:
        store.close()
    lenient = opener(row_mac_key=KEY)  # the default: rows without a MAC validated, and read
    try:
        _execute(lenient, "UPDATE surety_contracts SET mac = NULL")
        with lenient.unit_of_work() as uow:
            assert uow.contracts.get(NUMBER) == _contract(NUMBER)
    finally:
        lenient.close()


_V5_AUDIT = (
    "CREATE TABLE surety_audit (sequence BIGINT NOT NULL, at_us BIGINT NOT NULL,"
    " document TEXT NOT NULL, mac VARCHAR(64), PRIMARY KEY (sequence))"
)
"""SQLite's audit table as schema version 5 created it: a BIGINT key, so a rowid beside it
and an index on the key."""


def _sqlite_audit_index(store: SqlStore) -> list[Any]:
    return _execute(
        store, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'surety_audit'"
    )


def test_a_version_5_database_is_upgraded_with_the_audit_sequence_as_sqlites_rowid(
    opener: Opener,
) -> None:
    store = opener(row_mac_key=KEY)
    kind = store.engine.dialect.name
    if kind == "sqlite":  # a new database has it already: no index besides the table
        assert _sqlite_audit_index(store) == []
    with store.unit_of_work() as uow:
        uow.audit.append(_event(1))
        last = uow.audit.last()
        assert last is not None
        uow.audit.append(_event(2, last))
    rows = _execute(store, "SELECT sequence, at_us, document, mac FROM surety_audit")
    with store.engine.begin() as connection:  # what a version 5 database looks like
        if kind == "sqlite":
            connection.execute(sa.text("DROP TABLE surety_audit"))
            connection.execute(sa.text(_V5_AUDIT))
            for row in rows:
                connection.execute(
                    sa.text("INSERT INTO surety_audit VALUES (:s, :a, :d, :m)"),
                    dict(zip("sadm", row, strict=True)),
                )
        connection.execute(sa.text("UPDATE surety_schema_version SET version = 5"))
    if kind == "sqlite":
        assert len(_sqlite_audit_index(store)) == 1
    store.close()

    store = _upgraded(opener)
    try:
        assert _execute(store, "SELECT sequence, at_us, document, mac FROM surety_audit") == rows
        if kind == "sqlite":
            assert _sqlite_audit_index(store) == []
            assert _execute(store, "SELECT rowid, sequence FROM surety_audit") == [(1, 1), (2, 2)]
            names = _execute(store, "SELECT name FROM sqlite_master WHERE type = 'table'")
            assert ("surety_audit_v5",) not in names
        with store.unit_of_work() as uow:  # the chain reads, MACs verify, and it grows
            events = list(uow.audit.events())
            assert [e.sequence for e in events] == [1, 2]
            uow.audit.append(_event(3, events[-1]))
        with store.unit_of_work() as uow:
            last = uow.audit.last()
            assert last is not None
            assert last.sequence == 3
    finally:
        store.close()
    opener(upgrade=True).close()  # a second upgrade changes nothing
