"""The honest floors do the work they claim, on the library's own schema and documents.

Tiny sizes: the library reads back what each floor wrote (the audit chain verifies, the key
records, contracts, certificates and outbox messages decode), so a floor that skipped a step
or wrote a row the library would not accept fails here. Also: the CPU-time clock beside the
wall clock, the two ratios, and the flag of a loaded machine.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from benchmarks import audited
from benchmarks._results import Result, is_loaded
from benchmarks._timing import Plan, Stats, measure, ratios
from benchmarks.report import render_markdown

from surety_core.audit import verify_audit_chain
from surety_core.storage.sql import sqlite_store
from surety_core.testing.samples import secret_provider


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'surety_%'"
            )
        ]
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        conn.close()


def test_audited_verification_floor_writes_a_chain_the_library_verifies(tmp_path: Path) -> None:
    path = tmp_path / "verify.db"
    floor = audited.verify_audited_case(path, rows=20, samples=5, batch=7)
    try:
        floor.run()
        floor.run()
    finally:
        floor.close()
    store = sqlite_store(path)
    try:
        with store.unit_of_work() as uow:
            events = list(uow.audit.events())
            assert len(events) == 14
            assert verify_audit_chain(events, secrets=secret_provider()).ok
            assert {e.action for e in events} == {"verify_succeeded"}
            for number, _ in floor.samples:
                record = uow.keys.active(number)
                assert record is not None
                assert record.contract_number == number
    finally:
        store.close()
    assert counts(path)["surety_attempts"] == 5  # the limiter row of each number verified


def test_full_issuance_floor_writes_every_row_the_library_writes(tmp_path: Path) -> None:
    templates = audited.load_templates(tmp_path)
    library_counts = counts(tmp_path / "floor-templates.db")
    path = tmp_path / "issue.db"
    run, close = audited.issue_full_case(path, templates, batch=3, batches=2)
    try:
        run()
        run()
    finally:
        close()
    floor_counts = counts(path)
    written = {t for t, n in library_counts.items() if n}
    assert written <= {t for t, n in floor_counts.items() if n}, (library_counts, floor_counts)
    for table in ("contracts", "certificates", "statements", "keys", "outbox", "audit"):
        assert floor_counts[f"surety_{table}"] == 6
    store = sqlite_store(path)
    try:
        with store.unit_of_work() as uow:
            events = list(uow.audit.events())
            assert verify_audit_chain(events, secrets=secret_provider()).ok
            for i in range(1, 7):
                number = f"{i:010d}"
                contract = uow.contracts.get(number)  # decoded and validated by the library
                assert contract.number == number
                assert len(uow.certificates.history(number)) == 1
                assert uow.keys.active(number) is not None
                message = uow.outbox.get(f"completion_notice:{number}:v1")
                assert number in message.subject
    finally:
        store.close()


def test_measure_records_thread_cpu_time_beside_wall_time() -> None:
    def sleep() -> None:
        time.sleep(0.02)

    def spin() -> None:
        end = time.thread_time_ns() + 5_000_000
        while time.thread_time_ns() < end:
            pass

    stats = measure({"sleep": sleep, "spin": spin}, Plan(batch=1, repeat=3, warmup=0))
    assert stats["sleep"].cpu_median_ns < stats["sleep"].median_ns / 4  # waiting is not CPU
    assert stats["spin"].cpu_median_ns >= 5_000_000
    assert stats["spin"].median_ns >= stats["spin"].cpu_median_ns * 0.99
    fields = stats["spin"].as_fields()
    assert {"cpu_median_us", "cpu_p90_us", "cpu_min_us", "median_us"} <= set(fields)


def test_ratios_are_cpu_and_wall() -> None:
    library = Stats(median_ns=900, p90_ns=900, min_ns=900, runs=1, batch=1, cpu_median_ns=300)
    floor = Stats(median_ns=300, p90_ns=300, min_ns=300, runs=1, batch=1, cpu_median_ns=100)
    assert ratios(library, floor) == {"ratio": 3.0, "ratio_wall": 3.0}
    slow_wall = Stats(median_ns=3000, p90_ns=3000, min_ns=3000, runs=1, batch=1, cpu_median_ns=200)
    assert ratios(slow_wall, floor) == {"ratio": 2.0, "ratio_wall": 10.0}


def test_a_run_started_above_the_core_count_is_flagged() -> None:
    assert is_loaded((2.5, 1.0, 1.0), 2)
    assert not is_loaded((2.0, 9.0, 9.0), 2)  # the 1-minute figure decides
    assert not is_loaded(None, 2)
    for loaded in (True, False):
        machine = Result(
            "machine",
            "facts",
            kind="machine",
            fields={"loaded": loaded, "load_1min": 7.5, "cores": 2},
        )
        page = render_markdown([machine.to_json()])
        assert ("**Loaded machine:**" in page) is loaded
        assert ("(7.5)" in page) is loaded
