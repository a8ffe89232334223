"""The host example of docs/testing.md: both contract suites on a host's store, as written there.

A host replaces ``MemoryStore()`` with its own store; everything else stays as it is.
"""

import pytest

from surety_core.storage.memory import MemoryStore
from surety_core.testing.contract import StoreContract
from surety_core.testing.workflow import WorkflowContract


class TestMyStore(StoreContract, WorkflowContract):
    @pytest.fixture
    def store(self) -> MemoryStore:
        return MemoryStore()
