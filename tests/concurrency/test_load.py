"""A short, bounded load test on 127.0.0.1: four processes issue, view with right and wrong
keys, amend and dispatch at once; afterwards every invariant is checked.

The benchmark suite runs the longer version (``verify_postgres_4proc``,
``issue_postgres_4proc``); this one takes a few seconds per store.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.concurrency import _workload as w
from tests.concurrency.conftest import Target, outcomes, spawn

from surety_core.audit import verify_audit_chain
from surety_core.storage.sql import SqlStore

pytestmark = pytest.mark.slow

PROCESSES = 4
WORKS = 6


def test_mixed_load_keeps_every_invariant(
    shared_store: tuple[Target, SqlStore], tmp_path: Path
) -> None:
    target, store = shared_store
    svc = w.service(store)
    victims = [
        svc.apply_and_issue(w.application(f"V-{i}", f"VIC-{i}", contract=False))
        .guarantees[0]
        .contract.number
        for i in range(2)
    ]
    (tmp_path / "victims").write_text("\n".join(victims))
    ledger = tmp_path / "ledger"
    ledger.touch()
    references = []
    for i in range(WORKS):
        # Two principals apply for an advance on each works: only one may be issued (caps).
        for who in range(2):
            reference = f"APP-R7{i:03d}-{who}"
            svc.apply(w.application(reference, f"R7{i:03d}", contract=who == 0, who=who))
            references.append(reference)
    children = [spawn("mix", target, seed, str(ledger), *references) for seed in range(PROCESSES)]
    lines = outcomes(children, timeout=300)
    assert [line for line in lines if "error" in line[:2]] == []

    issued = Counter(line[2] for line in lines if line[:2] == ["issue", "ok"])
    assert set(issued.values()) == {1}, "each application issued once"
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT works_number, product, application_reference FROM surety_contracts"
                " WHERE works_number LIKE 'R7%'"
            )
        ).all()
    advances = Counter(works for works, product, _ in rows if product == "advance_payment")
    assert max(advances.values()) == 1, "one advance per works (caps held)"
    per_application = Counter(reference for _, _, reference in rows)
    assert set(per_application) == set(issued)

    for victim in victims:
        compared = [
            line
            for line in lines
            if line[0] == "guess" and line[1] == "failed" and line[2].startswith(victim)
        ]
        assert len(compared) <= w.MAX_FAILURES, "the limiter was never exceeded"

    with store.unit_of_work() as uow:
        report = verify_audit_chain(uow.audit.events(), secrets=w.secrets())
        messages = uow.outbox.all()
        for contract_number in {line[2] for line in lines if line[:2] == ["amend", "ok"]}:
            amended = sum(1 for line in lines if line == ["amend", "ok", contract_number])
            assert uow.contracts.get(contract_number).version == 1 + amended
    assert report.ok, report
    sent = Counter(ledger.read_text().split())
    assert set(sent.values()) <= {1}, "each e-mail sent once"
    assert sorted(sent) == sorted(m.idempotency_key for m in messages if m.status.value == "sent")
