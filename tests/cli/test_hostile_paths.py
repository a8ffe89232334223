"""Hostile paths on the command line: NUL bytes, FIFOs, devices, folders and symlinked demo
folders get one clear line and an exit code, never a traceback, a hang or a deleted file.

Before: a FIFO or /dev/zero given as --trust, --ring or --checkpoint hung or ended in a
MemoryError; ``surety demo --out`` followed a symlinked sub-folder and deleted files outside.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from surety_core.cli import main

from .conftest import Demo

_RUN = "import sys\nfrom surety_core.cli import main\nsys.exit(main(sys.argv[1:]))"


def _run(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own, so that a hang fails the test instead of it."""
    env = {k: v for k, v in os.environ.items() if k != "SURETY_CORE_DEV_SECRET"}
    return subprocess.run(
        [sys.executable, "-c", _RUN, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env=env,
        check=False,
    )


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if not line.startswith("warning:")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture
def specials(tmp_path: Path) -> dict[str, str]:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    folder = tmp_path / "folder"
    folder.mkdir()
    return {"fifo": str(fifo), "device": "/dev/zero", "folder": str(folder)}


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_non_regular_files_are_refused(
    shared_demo: Demo, specials: dict[str, str], tmp_path: Path, kind: str
) -> None:
    special = specials[kind]
    number = shared_demo.advance_number
    commands = [
        ["verify", "--db", special, "--number", number, "--key", shared_demo.advance_key],
        ["verify", "--db", shared_demo.db, "--number", number, "--key", shared_demo.advance_key,
         "--secrets", special],
        ["verify", "--db", shared_demo.db, "--number", number, "--key", shared_demo.advance_key,
         "--trust", special],
        ["notice", "--db", shared_demo.db, "--number", number, "--out", special],
        ["audit", "verify", "--db", shared_demo.db, "--checkpoint", special],
        ["keys", "export", "--ring", special],
        ["check-pdf", str(Path(shared_demo.db).parent / "summary.json"), "--trust", special],
    ]  # fmt: skip
    for argv in commands:
        done = _run(*argv, cwd=tmp_path)
        assert done.returncode == 2, (argv, done.stderr)
        line = _one_line(done.stderr)
        assert special in line or "not a regular file" in line or "folder" in line, line
    if kind == "fifo":
        assert Path(special).exists()  # not replaced or removed


NUL = "bad\x00name"


def test_nul_bytes_in_paths_are_one_line(
    shared_demo: Demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number = shared_demo.advance_number
    key = shared_demo.advance_key
    commands = [
        ["verify", "--db", NUL, "--number", number, "--key", key],
        ["verify", "--db", shared_demo.db, "--number", number, "--key", key, "--secrets", NUL],
        ["verify", "--db", shared_demo.db, "--number", number, "--key", key, "--trust", NUL],
        ["notice", "--db", shared_demo.db, "--number", number, "--out", NUL],
        ["audit", "verify", "--db", shared_demo.db, "--checkpoint", NUL],
        ["audit", "verify", "--db", NUL],
        ["keys", "export", "--ring", NUL],
        ["keys", "generate", "--out", NUL],
        ["demo", "--out", str(tmp_path / NUL)],
        ["db", "init", "--url", NUL],
    ]
    for argv in commands:
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2, (argv, err)
        assert "NUL" in _one_line(err), err


def test_demo_does_not_follow_a_symlinked_sub_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "keep-me.pdf"
    victim.write_bytes(b"%PDF precious")
    out = tmp_path / "demo"
    assert _run("demo", "--out", str(out), cwd=tmp_path).returncode == 0
    notices = out / "notices"
    for old in notices.iterdir():
        old.unlink()
    notices.rmdir()
    notices.symlink_to(outside, target_is_directory=True)
    done = _run("demo", "--out", str(out), cwd=tmp_path)
    assert victim.read_bytes() == b"%PDF precious"
    assert done.returncode == 2
    assert "symbolic link" in _one_line(done.stderr)
    # A symlinked demo folder itself is refused the same way.
    link = tmp_path / "link"
    link.symlink_to(out, target_is_directory=True)
    done = _run("demo", "--out", str(link), cwd=tmp_path)
    assert done.returncode == 2
    assert "symbolic link" in _one_line(done.stderr)
    assert victim.exists()
