"""``surety verify`` without ``--key``: the key comes from standard input (or a hidden prompt on
a terminal), so it stays out of the process list and the shell history."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import Demo


def _verify(demo: Demo, number: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SURETY_CORE_DEV_SECRET"}
    return subprocess.run(
        [sys.executable, "-m", "surety_core", "verify", "--db", demo.db, "--number", number],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_key_is_read_from_standard_input(shared_demo: Demo) -> None:
    done = _verify(shared_demo, shared_demo.advance_number, shared_demo.advance_key + "\n")
    assert done.returncode == 0, done.stderr
    assert shared_demo.advance_number in done.stdout
    assert shared_demo.advance_key not in done.stdout + done.stderr


def test_a_typo_on_standard_input_is_one_line(shared_demo: Demo) -> None:
    key = shared_demo.advance_key
    typo = key[:-1] + ("A" if key[-1] != "A" else "B")
    done = _verify(shared_demo, shared_demo.advance_number, typo)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "nothing was looked up" in done.stderr
    assert typo not in done.stderr
    empty = _verify(shared_demo, shared_demo.advance_number, "")
    assert empty.returncode == 2
    assert "Traceback" not in empty.stderr
