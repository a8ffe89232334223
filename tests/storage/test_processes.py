"""Several processes issuing at once, and a process killed mid-batch (SQLite file, PostgreSQL,
MariaDB).

An issuance is one unit of work: allocate a number, add the contract, its key record and the
outbox notice. Children print each number after its commit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from surety_core.storage.sql import SqlStore, sqlite_store
from surety_core.testing._contract import _contract

WORKER = r"""
import sys, time
from surety_core.storage.sql import mariadb_store, postgres_store, sqlite_store
from surety_core.testing._contract import _contract, _key, _message

kind, target, schema, count, pause, worker = sys.argv[1:]
if kind == "sqlite":
    store = sqlite_store(target)
elif kind == "mariadb":
    store = mariadb_store(target)
else:
    store = postgres_store(target, schema=schema)
for _ in range(int(count)):
    with store.unit_of_work() as uow:
        number = uow.numbers.allocate()
        uow.contracts.add(_contract(number, corporate=int(worker)))
        if float(pause):
            time.sleep(float(pause))
        uow.keys.add(_key(number))
        uow.outbox.add(_message(f"issued:{number}"))
    print(number, flush=True)
store.close()
"""

Target = tuple[str, str, str]


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Target, SqlStore]]:
    if request.param == "sqlite":
        path = str(tmp_path / "issuance.db")
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


def _spawn(target: Target, count: int, worker: int, pause: float = 0.0) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, *target, str(count), str(pause), str(worker)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _table_keys(store: SqlStore) -> dict[str, list[str]]:
    with store.engine.connect() as connection:
        return {
            "contracts": list(
                connection.execute(sa.text("SELECT number FROM surety_contracts")).scalars()
            ),
            "keys": list(
                connection.execute(sa.text("SELECT contract_number FROM surety_keys")).scalars()
            ),
            "outbox": list(
                connection.execute(sa.text("SELECT idempotency_key FROM surety_outbox")).scalars()
            ),
        }


def _assert_whole_issuances(store: SqlStore) -> set[str]:
    """Every contract has exactly its key and notice, and nothing exists without a contract."""
    rows = _table_keys(store)
    contracts = rows["contracts"]
    assert len(contracts) == len(set(contracts))
    assert sorted(rows["keys"]) == sorted(contracts)
    assert sorted(rows["outbox"]) == sorted(f"issued:{n}" for n in contracts)
    return set(contracts)


@pytest.mark.slow
def test_four_processes_issue_without_duplicates_or_losses(
    target: tuple[Target, SqlStore],
) -> None:
    spec, store = target
    per_process = 250
    children = [_spawn(spec, per_process, worker) for worker in range(4)]
    printed: list[str] = []
    for child in children:
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err[-2000:]
        printed.extend(out.split())
    assert len(printed) == 4 * per_process
    assert len(set(printed)) == len(printed), "a number was issued twice"
    assert all(len(n) == 10 and n.isdigit() for n in printed)
    assert _assert_whole_issuances(store) == set(printed)


@pytest.mark.slow
def test_sigkill_mid_batch_leaves_only_whole_issuances(
    target: tuple[Target, SqlStore],
) -> None:
    spec, store = target
    child = _spawn(spec, 100_000, 0, pause=0.003)
    assert child.stdout is not None
    printed: list[str] = []
    while len(printed) < 40:
        line = child.stdout.readline()
        assert line, child.stderr.read() if child.stderr else "child ended"
        printed.append(line.strip())
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    rest, _ = child.communicate(timeout=60)
    printed.extend(rest.split())
    committed = _assert_whole_issuances(store)
    assert set(printed) <= committed
    # At most the one issuance whose commit finished before its number was printed.
    assert len(committed) - len(printed) in (0, 1)
    # The store is usable after the crash and never reuses a committed number.
    with store.unit_of_work() as uow:
        assert uow.numbers.allocate() not in committed


REPLACER = r"""
import os, sys, time
from surety_core import ConcurrencyConflictError
from surety_core.storage.sql import mariadb_store, postgres_store, sqlite_store
from surety_core.testing._contract import _amended, _contract

kind, target, schema, go, worker = sys.argv[1:]
if kind == "sqlite":
    store = sqlite_store(target)
elif kind == "mariadb":
    store = mariadb_store(target)
else:
    store = postgres_store(target, schema=schema)
old = _contract("0000000042")
new = _amended(old, works=f"W-{worker}")
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.001)
try:
    with store.unit_of_work() as uow:
        uow.contracts.replace(old, new)
    print("won", flush=True)
except ConcurrencyConflictError:
    print("conflict", flush=True)
store.close()
"""


@pytest.mark.slow
def test_of_two_processes_replacing_one_contract_exactly_one_wins(
    target: tuple[Target, SqlStore], tmp_path: Path
) -> None:
    spec, store = target
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    for round_ in range(3):
        with store.unit_of_work() as uow:
            if round_:
                uow.contracts.replace(uow.contracts.get("0000000042"), _contract("0000000042"))
            else:
                uow.contracts.add(_contract("0000000042"))
        go = tmp_path / f"go-{round_}"
        children = [
            subprocess.Popen(
                [sys.executable, "-c", REPLACER, *spec, str(go), str(worker)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for worker in range(2)
        ]
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
        go.touch()
        outcomes = []
        for child in children:
            out, err = child.communicate(timeout=120)
            assert child.returncode == 0, err[-2000:]
            outcomes.append(out.strip())
        assert sorted(outcomes) == ["conflict", "won"]
        winner = outcomes.index("won")
        with store.unit_of_work() as uow:
            stored = uow.contracts.get("0000000042")
            assert (stored.version, stored.works.number) == (2, f"W-{winner}")
