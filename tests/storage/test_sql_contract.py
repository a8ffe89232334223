"""The SQL stores against the shipped contract suite: SQLite file, SQLite :memory:, PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
