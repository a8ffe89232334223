"""The database itself refuses a second issuance of one application (schema version 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from surety_core import DuplicateError
from surety_core.storage.memory import MemoryStore
from surety_core.storage.sql import SCHEMA_VERSION, SqlStore, sqlite_store
from surety_core.testing._contract import _contract


@pytest.fixture(
    params=[
        "memory",
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> object:
    if request.param in ("postgres", "mariadb"):
        return request.getfixturevalue("pg_store" if request.param == "postgres" else "maria_store")
    if request.param == "memory":
        return MemoryStore()
    return sqlite_store(tmp_path / "once.db")


def test_a_second_contract_for_one_application_and_product_is_refused(store: SqlStore) -> None:
    with store.unit_of_work() as uow:
        uow.contracts.add(_contract("0000000001", application="APP-9"))
        uow.contracts.add(
            _contract("0000000002", application="APP-9", product="contract_guarantee")
        )
    with pytest.raises(DuplicateError), store.unit_of_work() as uow:
        uow.contracts.add(_contract("0000000003", application="APP-9", works="R7-002"))
    with store.unit_of_work() as uow:
        assert uow.contracts.find("0000000003") is None


def test_schema_1_is_upgraded_with_the_references_filled_in(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    store = sqlite_store(path)
    with store.unit_of_work() as uow:
        uow.contracts.add(_contract("0000000001", application="APP-7"))
    store.close()
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:  # back to version 1's shape
        connection.execute(sa.text("DROP TABLE surety_payments"))
        connection.execute(sa.text("DROP INDEX ux_surety_contracts_application"))
        connection.execute(
            sa.text("ALTER TABLE surety_contracts DROP COLUMN application_reference")
        )
        for table in ("surety_contracts", "surety_applications"):  # version 4 renamed it
            connection.execute(
                sa.text(f"ALTER TABLE {table} RENAME COLUMN principal_id TO corporate_number")
            )
        connection.execute(sa.text("UPDATE surety_schema_version SET version = 1"))
    engine.dispose()
    store = sqlite_store(path)
    try:
        assert store.check_schema() == SCHEMA_VERSION == 6
        with store.engine.connect() as connection:
            assert connection.execute(
                sa.text("SELECT application_reference FROM surety_contracts")
            ).scalars().all() == ["APP-7"]
        with pytest.raises(DuplicateError), store.unit_of_work() as uow:
            uow.contracts.add(_contract("0000000002", application="APP-7"))
    finally:
        store.close()
