"""Schema version 4: the principal column holds the principal's identifier (a corporate number
or a sole proprietor's customer number). A version 3 database, with its contracts and
applications keyed by corporate number, is upgraded in place on every engine we ship."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from surety_core import SchemaVersionError, to_json
from surety_core.storage import ContractQuery
from surety_core.storage.sql import (
    SCHEMA_VERSION,
    SqlStore,
    mariadb_store,
    postgres_store,
    sqlite_store,
    upgrade_schema,
)
from surety_core.testing import samples
from surety_core.testing._contract import _application, _contract

LONGEST = "K-ABCDEFGHIJKLMNOPQR"  # 20 characters, the longest customer number
assert len(LONGEST) == 20

Opener = Callable[[bool], SqlStore]


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens stores (``upgrade`` or not) on one fresh, empty database of the engine."""
    name = f"v3_{uuid.uuid4().hex[:10]}"
    if request.param == "sqlite":
        yield lambda upgrade: sqlite_store(tmp_path / "v3.db", upgrade=upgrade)
        return
    if request.param == "postgres":
        url, run_schema = request.getfixturevalue("postgres_schema")
        schema = f"{run_schema}_{name}"
        admin = sa.create_engine(url)
        with admin.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield lambda upgrade: postgres_store(url, schema=schema, upgrade=upgrade)
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
        yield lambda upgrade: mariadb_store(url, upgrade=upgrade)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP DATABASE `{database}`"))
        admin.dispose()


def _old_document(contract_json: str) -> str:
    """The JSON a version 3 release wrote: a principal with no kind, customer number or 屋号."""
    payload = json.loads(contract_json)
    # a corporation is still written with exactly the keys of version 3
    assert set(payload["data"]["principal"]) == {"name", "corporate_number", "address", "members"}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _make_version_3(store: SqlStore) -> None:
    """Turn a fresh database into what version 3 looked like: ``corporate_number``
    VARCHAR(13) NOT NULL in both tables (the principal index on it), documents without the
    new principal fields."""
    kind = store.engine.dialect.name
    with store.engine.begin() as connection:
        for table in ("surety_contracts", "surety_applications"):
            if kind in ("mysql", "mariadb"):
                statements = [
                    f"ALTER TABLE {table} CHANGE COLUMN principal_id corporate_number"
                    " VARCHAR(13) NOT NULL"
                ]
            else:
                statements = [f"ALTER TABLE {table} RENAME COLUMN principal_id TO corporate_number"]
                if kind == "postgresql":
                    statements.append(
                        f"ALTER TABLE {table} ALTER COLUMN corporate_number TYPE VARCHAR(13)"
                    )
            for statement in statements:
                connection.execute(sa.text(statement))
        for number, document in connection.execute(
            sa.text("SELECT number, document FROM surety_contracts")
        ).all():
            connection.execute(
                sa.text("UPDATE surety_contracts SET document = :d WHERE number = :n"),
                {"d": _old_document(document), "n": number},
            )
        connection.execute(sa.text("UPDATE surety_schema_version SET version = 3"))


def test_a_version_3_database_is_upgraded_to_the_principal_identifier(opener: Opener) -> None:
    old = [_contract("0000000001"), _contract("0000000002", corporate=1)]
    application = _application("APP-1")
    store = opener(True)
    with store.unit_of_work() as uow:
        for contract in old:
            uow.contracts.add(contract)
        uow.applications.add(application)
    _make_version_3(store)
    columns = {c["name"] for c in sa.inspect(store.engine).get_columns("surety_contracts")}
    assert "corporate_number" in columns
    assert "principal_id" not in columns
    store.close()

    with pytest.raises(SchemaVersionError, match="upgrade_schema"):
        opener(False)
    store = opener(True)  # upgrades
    try:
        with store.engine.connect() as connection:
            inspector = sa.inspect(connection)
            for table in ("surety_contracts", "surety_applications"):
                found = {c["name"]: c for c in inspector.get_columns(table)}
                assert "corporate_number" not in found
                assert not found["principal_id"]["nullable"]
                if store.engine.dialect.name != "sqlite":  # SQLite keeps no length
                    assert getattr(found["principal_id"]["type"], "length", None) == 32
            indexes = {i["name"]: i for i in inspector.get_indexes("surety_contracts")}
            principal_index = indexes["ix_surety_contracts_principal"]
            assert principal_index["column_names"] == ["principal_id", "number"]
        assert store.check_schema() == SCHEMA_VERSION == 6
        assert upgrade_schema(store.engine) == SCHEMA_VERSION  # a second upgrade changes nothing

        with store.unit_of_work() as uow:
            # the records written before read as corporations, found by corporate number
            assert uow.contracts.get("0000000001") == old[0]
            page = uow.contracts.query(ContractQuery(old[1].principal.identifier))
            assert list(page.items) == [old[1]]
            assert uow.applications.get("APP-1") == application
            # a sole proprietor with the longest customer number is kept beside them
            sole = samples.sole_proprietor(customer_number=LONGEST)
            uow.contracts.add(samples.guarantee_contract(number="0000000003", principal=sole))
            uow.applications.add(samples.electronic_application(reference="APP-2", principal=sole))
        with store.unit_of_work() as uow:
            (found_sole,) = uow.contracts.query(ContractQuery(LONGEST)).items
            assert found_sole.principal == sole
            # the upgraded column still compares exactly (MariaDB's collation is kept)
            assert uow.contracts.query(ContractQuery(LONGEST.lower())).total == 0
            assert uow.applications.get("APP-2").principal == sole
            assert uow.contracts.query(ContractQuery(old[0].principal.identifier)).total == 1
        with store.engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT number, principal_id FROM surety_contracts ORDER BY number")
            ).all()
        assert [tuple(r) for r in rows] == [
            ("0000000001", old[0].principal.identifier),
            ("0000000002", old[1].principal.identifier),
            ("0000000003", LONGEST),
        ]
    finally:
        store.close()


def test_a_new_database_writes_the_identifier(opener: Opener) -> None:
    store = opener(True)
    try:
        sole = samples.sole_proprietor()
        contract = samples.guarantee_contract(principal=sole)
        with store.unit_of_work() as uow:
            uow.contracts.add(contract)
        with store.engine.connect() as connection:
            value = connection.execute(sa.text("SELECT principal_id FROM surety_contracts")).one()
            document = connection.execute(sa.text("SELECT document FROM surety_contracts")).one()
        assert value[0] == "K-000123"
        assert document[0] == to_json(contract)
    finally:
        store.close()
