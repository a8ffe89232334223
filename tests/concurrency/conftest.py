"""Stores for the race tests: a SQLite file and PostgreSQL, each reachable by child processes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from surety_core.storage.sql import SqlStore, sqlite_store

Target = tuple[str, str, str]
"""(kind, URL or path, schema) as a child process opens the store."""


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def shared_store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Target, SqlStore]]:
    if request.param == "sqlite":
        path = str(tmp_path / "race.db")
        store = sqlite_store(path)
        yield ("sqlite", path, "-"), store
        store.close()
    elif request.param == "postgres":
        store = request.getfixturevalue("pg_store")
        url, schema = request.getfixturevalue("postgres_schema")
        yield ("postgres", url, schema), store
    else:
        store = request.getfixturevalue("maria_store")
        yield ("mariadb", request.getfixturevalue("mariadb_url"), "-"), store


def spawn(action: str, target: Target, seed: int, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.concurrency._workload", action, *target, str(seed), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def outcomes(children: list[subprocess.Popen[str]], timeout: float = 120) -> list[list[str]]:
    """Each child's output lines split in words; a child that failed fails the test."""
    lines: list[list[str]] = []
    for child in children:
        out, err = child.communicate(timeout=timeout)
        assert child.returncode == 0, err[-2000:]
        lines.extend(line.split(" ", 3) for line in out.splitlines() if line)
    return lines
