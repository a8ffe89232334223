"""The command line opens stores with the row MAC key of ``SURETY_ROW_MAC_KEY``."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from surety_core import ConfigurationError, CorruptRecordError
from surety_core.cli._support import ROW_MAC_KEY_ENV, open_store
from surety_core.storage.sql import sqlite_store
from surety_core.testing._contract import _contract

KEY = bytes(range(7, 39))
NUMBER = "0000000001"


def _database(path: Path) -> None:
    store = sqlite_store(path, row_mac_key=KEY)
    with store.unit_of_work() as uow:
        uow.contracts.add(_contract(NUMBER))
    with store.engine.begin() as connection:  # a valid-looking change, made in the database
        connection.execute(
            sa.text("UPDATE surety_contracts SET document = replace(document, :a, :b)"),
            {"a": '"amount":40000000', "b": '"amount":40000001'},
        )
    store.close()


def test_the_key_from_the_environment_refuses_an_altered_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "surety.db"
    _database(path)
    monkeypatch.delenv(ROW_MAC_KEY_ENV, raising=False)
    store = open_store(str(path))
    with store.unit_of_work() as uow:  # without the key: validated, and shown
        assert uow.contracts.get(NUMBER).amount == 40_000_001
    store.close()
    monkeypatch.setenv(ROW_MAC_KEY_ENV, KEY.hex().upper())
    store = open_store(str(path))
    with store.unit_of_work() as uow, pytest.raises(CorruptRecordError, match="MAC"):
        uow.contracts.get(NUMBER)
    store.close()


@pytest.mark.parametrize("value", ["", "zz" * 32, "ab" * 31, "ab" * 65])
def test_a_malformed_key_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    path = tmp_path / "surety.db"
    _database(path)
    monkeypatch.setenv(ROW_MAC_KEY_ENV, value)
    with pytest.raises(ConfigurationError, match=ROW_MAC_KEY_ENV):
        open_store(str(path))
