"""A bounded load test on 127.0.0.1: 50 concurrent clients for a few seconds with right and
wrong keys against a real server in a child process. No server error, the limiter never lets
more failures through than its policy, every attempt in the audit log, no key in the server's
log."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from benchmarks.web_load import run_load, running_server
from tests.web.conftest import Demo

from surety_core.cli._support import open_store
from surety_core.keys import LimiterPolicy

pytestmark = pytest.mark.slow

CLIENTS = 50
SECONDS = float(os.environ.get("SURETY_WEB_LOAD_SECONDS", "10"))


def test_fifty_clients_right_and_wrong_keys(demo: Demo, tmp_path: Path) -> None:
    right, wrong = demo.keys["0000000002"], demo.keys["0000000001"]

    def choose(client: int, i: int) -> tuple[str, dict[str, str]]:
        kind = (client + i) % 4
        if kind in (0, 1):  # the obligee with the right key
            return "right", {"number": "0000000002", "key": right}
        if kind == 2:  # someone guessing at one real number: the limiter must hold
            return "attack", {"number": "0000000001", "key": right}
        # wrong keys for numbers that do not exist, each number its own
        return "unknown", {"number": f"{1_000_000 + client * 10_000 + i:010d}", "key": wrong}

    log = tmp_path / "server.log"
    with running_server(demo.db, log) as url:
        report = run_load(url, choose, clients=CLIENTS, duration=SECONDS, max_requests=200_000)

    assert report.errors == []
    assert report.server_errors == 0, report.answers
    assert report.requests > CLIENTS
    statuses = {
        label: {s for (lbl, s) in report.answers if lbl == label}
        for label in ("right", "attack", "unknown")
    }
    assert statuses["right"] == {200}
    assert statuses["unknown"] == {403}
    assert statuses["attack"] <= {403, 429}
    # Under 50 concurrent clients the lock still lets no more than max_failures wrong keys
    # through for the attacked number within its window.
    assert report.answers[("attack", 403)] <= LimiterPolicy().max_failures
    assert report.answers[("attack", 429)] > 0

    store = open_store(demo.db)
    try:
        with store.unit_of_work() as uow:
            events = [e for e in uow.audit.events() if e.actor.startswith("web ")]
    finally:
        store.close()
    assert len(events) == report.requests
    by_subject = {"0000000002": 0, "0000000001": 0}
    for event in events:
        if event.subject in by_subject:
            by_subject[event.subject] += 1
    assert by_subject["0000000002"] == sum(
        n for (lbl, _), n in report.answers.items() if lbl == "right"
    )
    assert by_subject["0000000001"] == sum(
        n for (lbl, _), n in report.answers.items() if lbl == "attack"
    )

    server_log = log.read_text(encoding="utf-8", errors="replace")
    assert "POST /api/v1/verify" in server_log  # the access log was on
    assert right not in server_log
    assert wrong not in server_log
    print(
        f"\n{report.requests} requests in {report.elapsed:.1f} s by {CLIENTS} clients: "
        f"{report.per_second:.0f}/s, p50 {report.percentile_ms(0.5):.1f} ms, "
        f"p95 {report.percentile_ms(0.95):.1f} ms; {dict(report.answers)}"
    )
