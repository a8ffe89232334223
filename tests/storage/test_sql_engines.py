"""Engine support: exact identifiers and one active key on every SQL engine we ship, held by the
database itself; one refusal, word for word, for every engine we do not ship."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from surety_core import ConfigurationError, DuplicateError
from surety_core.cli import main
from surety_core.keys import generate_key
from surety_core.storage import KeyStatus
from surety_core.storage._sql_schema import keys as keys_table
from surety_core.storage.sql import (
    SUPPORTED_ENGINES,
    SqlStore,
    create_schema,
    mariadb_store,
    postgres_store,
    sqlite_store,
    upgrade_schema,
)
from surety_core.testing._contract import _application, _attempt, _key, _message

NUMBER = "0000000001"
AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


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


def test_identifiers_compare_exactly(store: SqlStore) -> None:
    # MariaDB's default collations fold case and ignore trailing blanks; ours do neither.
    with store.unit_of_work() as uow:
        uow.applications.add(_application("APP-1"))
        uow.applications.add(_application("app-1"))
        for key in ("issued:a", "ISSUED:a", "issued:a "):
            uow.outbox.add(_message(key))
        uow.attempts.put(_attempt("abc", failures=1))
        uow.attempts.put(_attempt("ABC", failures=2))
    with store.unit_of_work() as uow:
        assert uow.applications.get("APP-1").reference == "APP-1"
        assert uow.applications.get("app-1").reference == "app-1"
        assert {m.idempotency_key for m in uow.outbox.all()} == {
            "issued:a",
            "ISSUED:a",
            "issued:a ",
        }
        assert uow.outbox.get("issued:a ").idempotency_key == "issued:a "
        first, second = uow.attempts.get("abc"), uow.attempts.get("ABC")
        assert first is not None
        assert second is not None
        assert (first.failures, second.failures) == (1, 2)
        assert uow.attempts.get("Abc") is None
    with pytest.raises(DuplicateError), store.unit_of_work() as uow:
        uow.applications.add(_application("APP-1"))


def test_one_active_key_per_contract_is_held_by_the_database(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.keys.add(_key(NUMBER, 1))
    with pytest.raises(DuplicateError), store.unit_of_work() as uow:
        uow.keys.add(_key(NUMBER, 2))  # a second active key
    with store.unit_of_work() as uow:  # a reissue: revoke, then a new active generation
        uow.keys.revoke(NUMBER, 1, AT)
        uow.keys.add(_key(NUMBER, 2))
    with store.unit_of_work() as uow:
        active = uow.keys.active(NUMBER)
        assert active is not None
        assert active.generation == 2
        assert [k.status for k in uow.keys.history(NUMBER)] == [
            KeyStatus.REVOKED,
            KeyStatus.ACTIVE,
        ]
    # Not only the store's own check: the database refuses a third active row written around it.
    row = {"contract_number": NUMBER, "generation": 3, "status": "active", "document": "{}"}
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as connection:
        connection.execute(sa.insert(keys_table).values(**row))
    # ... and accepts it once it is not active (NULLs do not collide on MariaDB).
    with store.engine.begin() as connection:
        connection.execute(sa.insert(keys_table).values(**{**row, "status": "revoked"}))
        connection.execute(
            sa.insert(keys_table).values(**{**row, "generation": 4, "status": "revoked"})
        )


UNSUPPORTED_URL = "mssql+pymssql://user@db.invalid/surety"


def test_an_unsupported_engine_is_refused_by_every_entry_point(
    capsys: pytest.CaptureFixture[str],
) -> None:
    expected = f"surety_core's SQL store supports {SUPPORTED_ENGINES}, not mssql"
    # A SQLAlchemy engine of another dialect; never connected (the refusal comes first).
    engine = sa.create_engine(UNSUPPORTED_URL, module=sqlite3)
    calls: dict[str, Callable[[], object]] = {
        "SqlStore": lambda: SqlStore(engine),
        "create_schema": lambda: create_schema(engine),
        "upgrade_schema": lambda: upgrade_schema(engine),
        "postgres_store": lambda: postgres_store(UNSUPPORTED_URL),
        "mariadb_store": lambda: mariadb_store(UNSUPPORTED_URL),
    }
    for call in calls.values():
        with pytest.raises(ConfigurationError, match=re.escape(expected)):
            call()
    well_formed = generate_key().reveal()
    for argv in (
        ["db", "init", "--url", UNSUPPORTED_URL],
        ["db", "upgrade", "--url", UNSUPPORTED_URL],
        ["verify", "--db", UNSUPPORTED_URL, "--number", NUMBER, "--key", well_formed],
    ):
        assert main(argv) == 3, argv
        assert expected in capsys.readouterr().err


@pytest.mark.mariadb
def test_surety_db_init_builds_a_working_mariadb_schema(
    mariadb_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = sa.make_url(mariadb_url)
    name = f"{target.database}_cli"
    server = sa.create_engine(target)
    with server.begin() as connection:
        connection.execute(sa.text(f"CREATE DATABASE `{name}`"))
    url = target.set(drivername="mariadb+pymysql", database=name)
    try:
        text = url.render_as_string(hide_password=False)
        assert main(["db", "init", "--url", text]) == 0
        assert "created the schema" in capsys.readouterr().out
        assert main(["db", "init", "--url", text]) == 0
        assert "nothing to do" in capsys.readouterr().out
        store = mariadb_store(text, upgrade=False)
        try:
            test_one_active_key_per_contract_is_held_by_the_database(store)
        finally:
            store.close()
    finally:
        with server.begin() as connection:
            connection.execute(sa.text(f"DROP DATABASE `{name}`"))
        server.dispose()
