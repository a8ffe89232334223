"""A host's own unit of work type-checks against the protocol under ``mypy --strict`` with its
repositories declared as its own (narrower) types, without extra annotations."""

from __future__ import annotations

from pathlib import Path

import pytest

HOST = """
from __future__ import annotations

from types import TracebackType
from typing import Self

from surety_core.storage import Store, UnitOfWork
from surety_core.storage.memory import MemoryStore


class HostUnitOfWork:
    def __init__(self, inner: UnitOfWork) -> None:
        self._inner = inner
        self.contracts = inner.contracts
        self.applications = inner.applications
        self.certificates = inner.certificates
        self.statements = inner.statements
        self.keys = inner.keys
        self.attempts = inner.attempts
        self.audit = inner.audit
        self.outbox = inner.outbox

    @property
    def numbers(self) -> HostNumbers:
        return HostNumbers()

    def __enter__(self) -> Self:
        self._inner.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._inner.__exit__(exc_type, exc, tb)


class HostNumbers:
    def allocate(self) -> str:
        return "0000000001"


class HostStore:
    def __init__(self) -> None:
        self._inner = MemoryStore()

    def unit_of_work(self) -> HostUnitOfWork:
        return HostUnitOfWork(self._inner.unit_of_work())

    def close(self) -> None:
        self._inner.close()


store: Store = HostStore()
"""


@pytest.mark.slow
def test_a_host_store_with_narrower_repository_types_passes_mypy_strict(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    module = tmp_path / "host_store.py"
    module.write_text(HOST, encoding="utf-8")
    out, err, status = api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(module)]
    )
    assert status == 0, out + err
