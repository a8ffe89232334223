"""Suite-wide test settings: Hypothesis profiles and the PostgreSQL and MariaDB fixtures.

``CI=true`` selects the derandomized ``ci`` profile, so a CI run is reproducible.

PostgreSQL tests need ``SURETY_TEST_POSTGRES_URL`` (for example
``postgresql+psycopg://postgres@127.0.0.1:5432/test``). Without it they skip with the reason;
under ``CI=true`` a missing variable or an unreachable server fails the run instead. Each run
works in a fresh, uniquely named schema that is dropped afterwards.

MariaDB tests likewise need ``SURETY_TEST_MARIADB_URL`` (for example
``mariadb+pymysql://root@127.0.0.1:3306/test``); each run works in a fresh, uniquely named
database on that server, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings

from surety_core.storage._sql_schema import DATA_TABLES
from surety_core.storage.sql import SqlStore, mariadb_store, postgres_store

settings.register_profile(
    "default", deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    deadline=None,
    max_examples=100,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "default")

POSTGRES_ENV = "SURETY_TEST_POSTGRES_URL"
MARIADB_ENV = "SURETY_TEST_MARIADB_URL"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required under CI=true: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[tuple[str, str]]:
    """``(url, schema)``: a uniquely named schema for this test run, dropped afterwards."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        _unavailable(f"set {POSTGRES_ENV} to a server URL")
        return
    schema = f"surety_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        _unavailable(f"cannot reach {POSTGRES_ENV}: {str(exc.orig).strip()[:200]}")
        return
    try:
        yield url, schema
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def _empty_postgres_store(url: str, schema: str) -> SqlStore:
    store = postgres_store(url, schema=schema)
    names = ", ".join(t.name for t in DATA_TABLES)
    with store.engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {names}"))
        connection.execute(sa.text("ALTER SEQUENCE surety_contract_number_seq RESTART"))
    return store


@pytest.fixture(scope="session")
def postgres_mapped_engine(postgres_schema: tuple[str, str]) -> Iterator[sa.Engine]:
    """An engine whose ``schema_translate_map`` puts every table in a second run schema
    (``search_path`` left at the server's default)."""
    url, schema = postgres_schema
    mapped = f"{schema}_mapped"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{mapped}"'))
    try:
        yield engine.execution_options(schema_translate_map={None: mapped})
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{mapped}" CASCADE'))
        engine.dispose()


@pytest.fixture
def pg_mapped_store(postgres_mapped_engine: sa.Engine) -> SqlStore:
    """An empty PostgreSQL store on a schema-mapped engine (tables emptied, sequence restarted)."""
    store = SqlStore(postgres_mapped_engine)
    schema = postgres_mapped_engine.get_execution_options()["schema_translate_map"][None]
    names = ", ".join(f'"{schema}".{t.name}' for t in DATA_TABLES)
    with store.engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {names}"))
        connection.execute(sa.text(f'ALTER SEQUENCE "{schema}".surety_contract_number_seq RESTART'))
    return store


@pytest.fixture
def pg_store(postgres_schema: tuple[str, str]) -> Iterator[SqlStore]:
    """An empty PostgreSQL store on the run's schema (tables emptied, sequence restarted)."""
    store = _empty_postgres_store(*postgres_schema)
    yield store
    store.close()


def _mariadb_unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"MariaDB is required under CI=true: {reason}", pytrace=False)
    pytest.skip(f"MariaDB tests skipped: {reason}")


@pytest.fixture(scope="session")
def mariadb_url() -> Iterator[str]:
    """The URL of a uniquely named database for this test run (dropped afterwards)."""
    url = os.environ.get(MARIADB_ENV)
    if not url:
        _mariadb_unavailable(f"set {MARIADB_ENV} to a server URL")
        return
    name = f"surety_test_{uuid.uuid4().hex[:12]}"
    server = sa.make_url(url).set(drivername="mysql+pymysql")
    engine = sa.create_engine(server)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(f"CREATE DATABASE `{name}`"))
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        _mariadb_unavailable(f"cannot reach {MARIADB_ENV}: {str(exc.orig).strip()[:200]}")
        return
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP DATABASE `{name}`"))
        engine.dispose()


@pytest.fixture
def maria_store(mariadb_url: str) -> Iterator[SqlStore]:
    """An empty MariaDB store on the run's database (rows deleted, sequence restarted)."""
    store = mariadb_store(mariadb_url)
    with store.engine.begin() as connection:
        for table in DATA_TABLES:
            connection.execute(sa.delete(table))
        connection.execute(sa.text("ALTER SEQUENCE surety_contract_number_seq RESTART"))
    yield store
    store.close()


@pytest.fixture(scope="session")
def mariadb_mapped_engine(mariadb_url: str) -> Iterator[sa.Engine]:
    """An engine on the run's database whose ``schema_translate_map`` puts every table in a
    second run database (MariaDB's schemas are databases)."""
    url = sa.make_url(mariadb_url)
    mapped = f"{url.database}_mapped"
    engine = sa.create_engine(url.update_query_dict({"charset": "utf8mb4"}))
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE DATABASE `{mapped}`"))
    try:
        yield engine.execution_options(
            schema_translate_map={None: mapped}, isolation_level="READ COMMITTED"
        )
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP DATABASE `{mapped}`"))
        engine.dispose()


@pytest.fixture
def maria_mapped_store(mariadb_mapped_engine: sa.Engine) -> SqlStore:
    """An empty MariaDB store on a schema-mapped engine (rows deleted, sequence restarted)."""
    store = SqlStore(mariadb_mapped_engine)
    schema = mariadb_mapped_engine.get_execution_options()["schema_translate_map"][None]
    with store.engine.begin() as connection:
        for table in DATA_TABLES:
            connection.execute(sa.delete(table))
        connection.execute(sa.text(f"ALTER SEQUENCE `{schema}`.surety_contract_number_seq RESTART"))
    return store
