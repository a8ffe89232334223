"""Measure the SQLite store's hot paths against raw sqlite3 (run by hand; not a test).

``PYTHONPATH=src python tests/storage/measure.py`` prints operations per second for
``keys.active`` look-ups (through the store, and raw sqlite3 on the same table) and bulk
issuance (allocate + contract + key + outbox notice).
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import attrs

from surety_core import GuaranteeContract, from_json
from surety_core.storage import KeyRecord
from surety_core.storage.sql import sqlite_store
from surety_core.testing._contract import _contract, _key, _message


def _rate(label: str, count: int, fn: Callable[[], None]) -> None:
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    print(f"{label:<58} {count / elapsed:>10,.0f} /s  ({elapsed * 1e6 / count:7.1f} µs each)")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "measure.db"
        store = sqlite_store(path)
        issued: list[str] = []
        contracts = [_contract("0000000001", corporate=i % 7) for i in range(2000)]

        def one_per_unit() -> None:
            for template in contracts[:1000]:
                with store.unit_of_work() as uow:
                    number = uow.numbers.allocate()
                    uow.contracts.add(_evolve(template, number))
                    uow.keys.add(_key(number))
                    uow.outbox.add(_message(f"issued:{number}"))
                issued.append(number)

        def all_in_one_unit() -> None:
            with store.unit_of_work() as uow:
                for template in contracts[1000:]:
                    number = uow.numbers.allocate()
                    uow.contracts.add(_evolve(template, number))
                    uow.keys.add(_key(number))
                    uow.outbox.add(_message(f"issued:{number}"))
                    issued.append(number)

        _rate("issuance, one unit of work each (4 rows)", 1000, one_per_unit)
        _rate("issuance, 1000 in one unit of work (4 rows each)", 1000, all_in_one_unit)

        numbers = [f"{9_000_000_000 + i:010d}" for i in range(2000)]
        batch = [_evolve(contracts[0], number) for number in numbers]
        batch_keys = [_key(number) for number in numbers]
        batch_messages = [_message(f"issued:{number}") for number in numbers]

        def add_batch() -> None:
            with store.unit_of_work() as uow:
                uow.add_batch(contracts=batch, keys=batch_keys, messages=batch_messages)

        _rate("add_batch: issuances (3 rows each, records prebuilt)", len(batch), add_batch)

        rng = random.Random(1)
        probes = [rng.choice(issued) for _ in range(20_000)]

        def store_lookups() -> None:
            with store.unit_of_work() as uow:
                for number in probes:
                    assert uow.keys.active(number) is not None

        def store_lookups_own_unit() -> None:
            for number in probes[:5000]:
                with store.unit_of_work() as uow:
                    assert uow.keys.active(number) is not None

        raw = sqlite3.connect(path)
        sql = "SELECT document FROM surety_keys WHERE contract_number = ? AND status = 'active'"

        def raw_lookups() -> None:
            for number in probes:
                assert raw.execute(sql, (number,)).fetchone() is not None

        def raw_lookups_decoded() -> None:
            for number in probes:
                row = raw.execute(sql, (number,)).fetchone()
                assert from_json(row[0], KeyRecord).contract_number == number

        _rate("keys.active via SqlStore (one unit of work, decoded)", len(probes), store_lookups)
        _rate("keys.active via SqlStore (a unit of work per look-up)", 5000, store_lookups_own_unit)
        _rate("raw sqlite3, same query (row only)", len(probes), raw_lookups)
        _rate("raw sqlite3, same query + from_json(KeyRecord)", len(probes), raw_lookups_decoded)
        raw.close()
        store.close()


def _evolve(template: GuaranteeContract, number: str) -> GuaranteeContract:
    return attrs.evolve(template, number=number)


if __name__ == "__main__":
    main()
