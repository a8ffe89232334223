"""``surety audit verify``: the keyed log of the demo, a signed checkpoint, and tampering."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from surety_core.cli import main

from .conftest import Demo


def _audit(demo: Demo, *extra: str) -> int:
    return main(["audit", "verify", "--db", demo.db, *extra])


def test_checkpoint_then_tampering_is_named(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    assert _audit(demo, "--write-checkpoint", str(checkpoint)) == 0
    out = capsys.readouterr().out
    assert "audit log intact" in out
    assert f"wrote {checkpoint}" in out
    signed = json.loads(checkpoint.read_text())
    head = signed["sequence"]
    assert head > 3
    assert _audit(demo, "--checkpoint", str(checkpoint)) == 0
    assert f"against the checkpoint at {head}" in capsys.readouterr().out

    # Drop the newest event: only the checkpoint can tell.
    db = sqlite3.connect(demo.db)
    db.execute("DELETE FROM surety_audit WHERE sequence = ?", (head,))
    db.commit()
    assert _audit(demo) == 0
    capsys.readouterr()
    assert _audit(demo, "--checkpoint", str(checkpoint)) == 1
    err = capsys.readouterr().err
    assert f"first bad event is sequence {head}" in err
    assert "truncated" in err

    # Edit an event: its keyed link no longer checks.
    (document,) = db.execute("SELECT document FROM surety_audit WHERE sequence = 2").fetchone()
    data = json.loads(document)
    data["data"]["actor"] = "someone else"
    db.execute("UPDATE surety_audit SET document = ? WHERE sequence = 2", (json.dumps(data),))
    db.commit()
    assert _audit(demo) == 1
    assert "first bad event is sequence 2" in capsys.readouterr().err

    # A lone surrogate written into a row: one line, no traceback.
    db.execute(
        "UPDATE surety_audit SET document = ? WHERE sequence = 2",
        (document.replace('"actor":"', '"actor":"\\ud800'),),
    )
    db.commit()
    db.close()
    assert _audit(demo) == 1
    err = capsys.readouterr().err
    assert "unreadable" in err
    assert "Traceback" not in err


def test_a_forged_checkpoint_is_refused(
    demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    assert _audit(demo, "--write-checkpoint", str(checkpoint)) == 0
    data = json.loads(checkpoint.read_text())
    data["sequence"] -= 1
    checkpoint.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")))
    capsys.readouterr()
    assert _audit(demo, "--checkpoint", str(checkpoint)) == 1
    assert "signature" in capsys.readouterr().err
    checkpoint.write_text("{}")
    assert _audit(demo, "--checkpoint", str(checkpoint)) == 2
    assert "not an audit checkpoint" in capsys.readouterr().err
