"""Load through the web API on 127.0.0.1: a server in a child process and concurrent clients.

* :func:`running_server` starts ``surety_core.web`` under uvicorn in a child process bound to
  127.0.0.1 on a free port (its log, including uvicorn's access log, goes to a file) and stops it.
* :func:`run_load` runs ``clients`` threads, each with one keep-alive connection, sending
  ``POST /api/v1/verify`` for at most ``duration`` seconds and ``max_requests`` requests in all:
  bounded in count and time, and only ever to the loopback.

``python -m benchmarks.web_load serve --db DB --port N [--bench-secrets]`` is the child.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["LoadReport", "main", "run_load", "running_server"]

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def running_server(db: Path | str, log: Path, *, bench_secrets: bool = False) -> Iterator[str]:
    """The base URL of a server on ``db`` in a child process; stopped on exit."""
    port = _free_port()
    command = [sys.executable, "-m", "benchmarks.web_load", "serve", "--db", str(db)]
    command += ["--port", str(port)] + (["--bench-secrets"] if bench_secrets else [])
    with log.open("wb") as out:
        child = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                if child.poll() is not None:
                    raise RuntimeError(f"the server exited: {log.read_text(errors='replace')}")
                try:
                    with socket.create_connection((LOOPBACK, port), timeout=0.5):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the server did not start in 60 s") from None
                    time.sleep(0.05)
            yield f"http://{LOOPBACK}:{port}"
        finally:
            child.terminate()
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


@dataclass
class LoadReport:
    """What the clients saw: answers by (label, status), errors, latencies and the rate."""

    clients: int
    elapsed: float = 0.0
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(self.answers.values())

    @property
    def server_errors(self) -> int:
        return sum(n for (_, status), n in self.answers.items() if status >= 500)

    @property
    def per_second(self) -> float:
        return self.requests / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


Choice = Callable[[int, int], tuple[str, dict[str, str]]]
"""``(client, i) -> (label, {"number": ..., "key": ...})`` for the i-th request of a client."""


def run_load(
    base_url: str, choose: Choice, *, clients: int, duration: float, max_requests: int
) -> LoadReport:
    """Run the clients against ``base_url`` (which must be on 127.0.0.1); see the module."""
    host, _, port = base_url.removeprefix("http://").partition(":")
    if host != LOOPBACK:
        raise ValueError("load is only ever sent to 127.0.0.1")
    report = LoadReport(clients)
    lock = threading.Lock()
    budget = [max_requests]
    stop_at = time.monotonic() + duration
    start = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        start.wait()
        i = 0
        try:
            while time.monotonic() < stop_at:
                with lock:
                    if budget[0] <= 0:
                        return
                    budget[0] -= 1
                label, pair = choose(index, i)
                i += 1
                body = json.dumps(pair).encode()
                began = time.perf_counter()
                try:
                    connection.request(
                        "POST",
                        "/api/v1/verify",
                        body=body,
                        headers={"content-type": "application/json"},
                    )
                    response = connection.getresponse()
                    data = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    with lock:
                        report.errors.append(f"{type(exc).__name__}: {exc}")
                    connection.close()
                    connection = http.client.HTTPConnection(host, int(port), timeout=30)
                    continue
                took = time.perf_counter() - began
                try:
                    outcome = str(json.loads(data).get("outcome"))
                except ValueError:
                    outcome = "not-json"
                with lock:
                    report.answers[(label, response.status)] += 1
                    report.outcomes[(label, outcome)] += 1
                    report.latencies.append(took)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join(timeout=duration + 60)
    report.elapsed = time.monotonic() - began
    return report


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from surety_core.web import AddressLimiter, app_from_database, create_app

    # The load comes from one address: the limit per address is set out of the way here so
    # that the limit per number (the library's) is what is measured and tested.
    unlimited = AddressLimiter(max_requests=1_000_000_000, window=60)
    app: Any
    if args.bench_secrets:
        from benchmarks import library

        store = library.open_sqlite_store(Path(args.db))
        service = library.make_issuer().service(store)
        app = create_app(registry=service, secure_cookies=False, address_limiter=unlimited)
    else:
        app, _ = app_from_database(args.db, secure_cookies=False, address_limiter=unlimited)
    uvicorn.run(app, host=LOOPBACK, port=args.port, log_level="info", server_header=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.web_load")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the web API on 127.0.0.1 (the load test's child)")
    serve.add_argument("--db", required=True)
    serve.add_argument("--port", type=int, required=True)
    serve.add_argument("--bench-secrets", action="store_true")
    args = parser.parse_args(argv)
    return _serve(args)


if __name__ == "__main__":
    raise SystemExit(main())
