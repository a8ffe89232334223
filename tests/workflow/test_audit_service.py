"""The issuer checks and checkpoints its own audit log (the façade delegates)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from surety_core import VerificationError
from surety_core.audit import AuditCheckpoint, AuditProblem
from surety_core.storage.sql import sqlite_store
from surety_core.testing import samples


def test_the_service_checkpoints_and_verifies_its_log(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    store = sqlite_store(path)
    try:
        service = samples.surety_service(store)
        service.apply_and_issue(samples.electronic_application())
        checkpoint = AuditCheckpoint.from_json(service.checkpoint_audit_log().to_json())
        assert service.verify_audit_log(checkpoint=checkpoint).ok
        db = sqlite3.connect(path)
        db.execute("DELETE FROM surety_audit WHERE sequence = ?", (checkpoint.sequence,))
        db.commit()
        db.close()
        report = service.verify_audit_log(checkpoint=checkpoint)
        assert report.problem is AuditProblem.TRUNCATED
        assert report.broken_sequence == checkpoint.sequence
        assert service.verify_audit_log().ok  # without the checkpoint nothing can tell
        with pytest.raises(VerificationError, match="truncated"):
            service.checkpoint_audit_log(checkpoint=checkpoint)
    finally:
        store.close()
