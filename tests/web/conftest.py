"""The web tests' fixtures: the demo's database, its keys read from the key notice PDFs, and a
Starlette test client on the application."""

from __future__ import annotations

import contextlib
import io
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
import uvicorn
from attrs import frozen
from starlette.testclient import TestClient

from surety_core.cli._demo import run_demo
from surety_core.web import app_from_database

KEY_PATTERN = re.compile(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}")
PRINCIPAL = "7000012050002"
ELECTRONIC = ("0000000001", "0000000002")
PAPER = "0000000003"


def key_from_notice(pdf: Path | bytes) -> str:
    """The key printed on a key notice PDF, as a person reads it."""
    reader = pypdf.PdfReader(pdf if isinstance(pdf, Path) else io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    found = KEY_PATTERN.search(text)
    assert found is not None, "no key on the key notice"
    return found.group(0)


@frozen
class Demo:
    folder: Path
    keys: dict[str, str]

    @property
    def db(self) -> str:
        return str(self.folder / "surety.db")

    @property
    def trusted(self) -> Path:
        return self.folder / "trusted-keys.json"


def make_demo(folder: Path) -> Demo:
    run_demo(folder, write=lambda _: None)
    keys = {n: key_from_notice(folder / "notices" / f"{n}.pdf") for n in ELECTRONIC}
    return Demo(folder, keys)


@pytest.fixture
def demo(tmp_path: Path) -> Demo:
    return make_demo(tmp_path / "demo")


@pytest.fixture
def client(demo: Demo) -> Iterator[TestClient]:
    app, close = app_from_database(demo.db, dev_sign_in=True, secure_cookies=False)
    with TestClient(app) as test_client:
        yield test_client
    close()


def csrf(client: TestClient, path: str = "/registry") -> str:
    """Open a form page (as a browser does first) and return the CSRF token it set."""
    client.get(path)
    token = client.cookies.get("surety_csrf")
    assert token
    return token


def sign_in(client: TestClient, corporate: str = PRINCIPAL) -> None:
    token = csrf(client, "/portal/sign-in")
    answer = client.post(
        "/portal/sign-in",
        data={"csrf": token, "principal_id": corporate},
        follow_redirects=False,
    )
    assert answer.status_code == 303


__all__ = [
    "ELECTRONIC",
    "PAPER",
    "PRINCIPAL",
    "Demo",
    "Live",
    "csrf",
    "key_from_notice",
    "live_server",
    "make_demo",
    "require",
    "sign_in",
]


@frozen
class Live:
    """A real server on 127.0.0.1 (uvicorn in a thread) for the browser and the load tests."""

    url: str
    demo: Demo


@contextlib.contextmanager
def live_server(demo: Demo, **options: Any) -> Iterator[Live]:
    app, close = app_from_database(demo.db, dev_sign_in=True, secure_cookies=False, **options)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", server_header=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield Live(f"http://127.0.0.1:{port}", demo)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        close()


@pytest.fixture
def live(demo: Demo) -> Iterator[Live]:
    with live_server(demo) as server:
        yield server


def require(what: str, available: bool) -> None:
    """Skip without ``what`` locally; under ``CI=true`` fail instead (nothing may skip there)."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required under CI=true", pytrace=False)
    pytest.skip(f"{what} is not available")
