"""The SQL stores against the shipped contract suite, on every engine and path we ship.

SQLite file, SQLite ``:memory:``, PostgreSQL, MariaDB, and engines with a ``schema_translate_map``
(SQLite with an attached database, PostgreSQL with a non-default schema, MariaDB with a second
database): every statement's SQL
is compiled for the engine it runs on, so each of these is a path of its own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from surety_core.storage import Store
from surety_core.storage.sql import SqlStore, sqlite_store
from surety_core.testing.contract import StoreContract


class TestSqliteFileStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        store = sqlite_store(tmp_path / "surety.db")
        yield store
        store.close()


class TestSqliteMemoryStore(StoreContract):
    @pytest.fixture
    def store(self) -> Iterator[Store]:
        store = sqlite_store(":memory:")
        yield store
        store.close()


@pytest.mark.postgres
class TestPostgresStore(StoreContract):
    @pytest.fixture
    def store(self, pg_store: SqlStore) -> Store:
        return pg_store


class TestSqliteSchemaMappedStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'main.db'}")
        attached = tmp_path / "mapped.db"

        @sa.event.listens_for(engine, "connect")
        def _attach(dbapi_connection: sqlite3.Connection, _record: object) -> None:
            dbapi_connection.execute(f"ATTACH DATABASE '{attached}' AS surety")

        store = SqlStore(engine.execution_options(schema_translate_map={None: "surety"}))
        yield store
        store.close()


@pytest.mark.postgres
class TestPostgresSchemaMappedStore(StoreContract):
    @pytest.fixture
    def store(self, pg_mapped_store: SqlStore) -> Store:
        return pg_mapped_store


@pytest.mark.mariadb
class TestMariadbStore(StoreContract):
    @pytest.fixture
    def store(self, maria_store: SqlStore) -> Store:
        return maria_store


@pytest.mark.mariadb
class TestMariadbSchemaMappedStore(StoreContract):
    @pytest.fixture
    def store(self, maria_mapped_store: SqlStore) -> Store:
        return maria_mapped_store


# --- the same suite with a row MAC key: every row sealed on write and checked on read ---------

ROW_MAC_KEY = bytes(range(100, 132))


class TestRowMacSqliteFileStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        store = sqlite_store(tmp_path / "surety.db", row_mac_key=ROW_MAC_KEY)
        yield store
        store.close()


@pytest.mark.postgres
class TestRowMacPostgresStore(StoreContract):
    @pytest.fixture
    def store(self, pg_store: SqlStore) -> Store:
        return SqlStore(pg_store.engine, row_mac_key=ROW_MAC_KEY)


@pytest.mark.mariadb
class TestRowMacMariadbStore(StoreContract):
    @pytest.fixture
    def store(self, maria_store: SqlStore) -> Store:
        return SqlStore(maria_store.engine, row_mac_key=ROW_MAC_KEY)
