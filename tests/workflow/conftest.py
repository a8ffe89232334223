"""``any_store``: every store we ship (memory, SQLite file, PostgreSQL when available)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from surety_core.storage import Store
from surety_core.storage.memory import MemoryStore
from surety_core.storage.sql import sqlite_store


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "postgres":
        # The root conftest's fixture: skips (or fails under CI=true) without a server.
        yield request.getfixturevalue("pg_store")
        return
    store: Store = MemoryStore() if request.param == "memory" else sqlite_store(tmp_path / "s.db")
    try:
        yield store
    finally:
        store.close()
