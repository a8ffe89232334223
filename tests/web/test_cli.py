"""``surety serve`` and ``surety demo --serve``: bound to 127.0.0.1 unless told, the address
printed, the development sign-in refused off the loopback."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from tests.web.conftest import Demo

from surety_core.cli import main as surety

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run_until_served(args: list[str], port: int, cwd: Path) -> tuple[str, int]:
    """Run ``surety ARGS``, fetch /registry once it answers, stop it with Ctrl+C; its output
    and the status of the page."""
    child = subprocess.Popen(
        [sys.executable, "-m", "surety_core", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    status = 0
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/registry", timeout=2) as r:
                    status = r.status
                    break
            except OSError:
                time.sleep(0.1)
    finally:
        child.send_signal(signal.SIGINT)
        try:
            output, _ = child.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            output, _ = child.communicate()
    return output, status


def test_serve_binds_the_loopback_and_prints_the_address(demo: Demo, tmp_path: Path) -> None:
    port = _free_port()
    output, status = _run_until_served(
        ["serve", "--db", demo.db, "--port", str(port)], port, tmp_path
    )
    assert status == 200, output
    assert f"http://127.0.0.1:{port}/" in output


def test_demo_serve_tells_the_story_then_serves_it(tmp_path: Path) -> None:
    port = _free_port()
    out = tmp_path / "demo"
    output, status = _run_until_served(
        ["demo", "--out", str(out), "--serve", "--port", str(port)], port, tmp_path
    )
    assert status == 200, output
    assert "done in" in output
    assert f"http://127.0.0.1:{port}/" in output
    assert "/portal/sign-in" in output


def test_the_development_sign_in_is_refused_off_the_loopback(
    demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    code = surety(["serve", "--db", demo.db, "--host", "0.0.0.0", "--dev-sign-in"])
    assert code == 2
    assert "loopback" in capsys.readouterr().err
