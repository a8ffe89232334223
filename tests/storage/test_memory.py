"""The in-memory store against the shipped contract suite, plus its own details."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from surety_core import InvalidInputError, StorageError
from surety_core.storage import Store, UnitOfWork
from surety_core.storage.memory import MemoryStore
from surety_core.testing.contract import StoreContract


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def store(self) -> Iterator[Store]:
        store = MemoryStore()
        yield store
        store.close()


def test_memory_store_satisfies_the_protocols() -> None:
    store = MemoryStore()
    assert isinstance(store, Store)
    assert isinstance(store.unit_of_work(), UnitOfWork)


def test_first_number_and_exhaustion() -> None:
    store = MemoryStore(first_number=9_999_999_999)
    with store.unit_of_work() as uow:
        assert uow.numbers.allocate() == "9999999999"
        with pytest.raises(StorageError):
            uow.numbers.allocate()
    with pytest.raises(StorageError):
        MemoryStore(first_number=0)


def test_unit_of_work_is_used_once_and_only_inside_with() -> None:
    store = MemoryStore()
    uow = store.unit_of_work()
    with pytest.raises(InvalidInputError):
        uow.contracts.find("0000000001")
    with uow:
        assert uow.contracts.find("0000000001") is None
    with pytest.raises(InvalidInputError):
        uow.contracts.find("0000000001")
    with pytest.raises(InvalidInputError), uow:
        pass


def test_closed_store_refuses_work() -> None:
    store = MemoryStore()
    store.close()
    with pytest.raises(StorageError):
        store.unit_of_work()
