"""The workflow contract suite on SQLite, PostgreSQL and MariaDB (on memory:
``test_host_example.py``)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from surety_core.storage import Store
from surety_core.storage.sql import SqlStore, sqlite_store
from surety_core.testing.workflow import WorkflowContract


class TestWorkflowOnSqlite(WorkflowContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        store = sqlite_store(tmp_path / "workflow.db")
        yield store
        store.close()


@pytest.mark.postgres
class TestWorkflowOnPostgres(WorkflowContract):
    @pytest.fixture
    def store(self, pg_store: SqlStore) -> Store:
        return pg_store  # the root conftest's empty store on this run's own schema


@pytest.mark.mariadb
class TestWorkflowOnMariadb(WorkflowContract):
    @pytest.fixture
    def store(self, maria_store: SqlStore) -> Store:
        return maria_store  # the root conftest's empty store on this run's own database


# --- the suite notices a broken store ----------------------------------------------------------

HOST = """
import pytest
from surety_core.storage import _memory
from surety_core.storage.memory import MemoryStore
from surety_core.testing.workflow import WorkflowContract


class TestBrokenStore(WorkflowContract):
    @pytest.fixture
    def store(self, monkeypatch):
        monkeypatch.setattr({owner}, "{name}", lambda *args, **kwargs: None)
        return MemoryStore()
"""


@pytest.mark.parametrize(
    ("target", "caught"),
    [
        # The limiter's state is lost: wrong keys are never counted.
        ("_memory._Attempts.put", "test_a_wrong_key_is_rejected_exactly_like_an_unknown_number"),
        # Sent messages stay pending: every dispatch sends the completion notices again.
        ("_memory._Outbox.mark_sent", "test_completion_notices_reach_the_notifier_once"),
        # Contract changes are lost: the obligee never sees the amendment.
        ("_memory._Contracts.replace", "test_an_amendment_is_version_2_for_the_obligee"),
    ],
)
def test_the_suite_fails_on_a_store_that_breaks_a_promise(
    tmp_path: Path, target: str, caught: str
) -> None:
    host = tmp_path / "test_host_store.py"
    owner, name = target.rsplit(".", 1)
    host.write_text(HOST.format(owner=owner, name=name), encoding="utf-8")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "--rootdir",
            str(tmp_path),
            str(host),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    failed = [line for line in run.stdout.splitlines() if line.startswith("FAILED")]
    assert any(caught in line for line in failed), run.stdout
