"""Four processes at once on PostgreSQL (127.0.0.1 only): ``issue_postgres_4proc`` and
``verify_postgres_4proc``, each beside a raw psycopg floor and beside the same work in one
process (``issue_postgres_1proc``, ``verify_postgres_1proc``) measured in the same run.

``scale`` is the four processes' rate over the one process's: the views must not get slower
with more workers and issuance must get half again as fast. An operation that raises is
counted in ``errors`` (never left out of the rate), and ``retries`` counts the units of work the
services ran again after losing a race.

The library figure is the obligee's view (``SuretyService.view``: limiter, key, HMAC, audit
event) or an issuance (``SuretyService.issue``: number, contract, signed certificate, fee
statement, key, notice, audit event), one unit of work each, four processes started together.
The floor does the same number of round trips' worth of plain psycopg work: a look-up by number
and an HMAC compare; or three inserts (contract, key, notice) and a commit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import floors, library
from benchmarks._results import Result, Target

__all__ = [
    "ONE_PROCESS_TARGETS",
    "PROCESSES",
    "SCALE_TARGETS",
    "issue_postgres_4proc",
    "verify_postgres_4proc",
]

PROCESSES = 4
ROOT = Path(__file__).resolve().parent.parent
_SIZES = {"tiny": 5, "quick": 60, "full": 300}
_HMAC_KEY = b"h" * 32
ONE_PROCESS_TARGETS = (Target("errors", "<=", 0),)
"""``verify_postgres_1proc`` / ``issue_postgres_1proc``: the base of ``scale``, no failure."""
SCALE_TARGETS = {
    "verify": (Target("scale", ">=", 1.0), Target("errors", "<=", 0)),
    "issue": (Target("scale", ">=", 1.5), Target("errors", "<=", 0)),
}
"""Four processes against one on the same work: at least as fast (views), half again as fast
(issuance), and no operation failing."""


def _per_process(mode: str) -> int:
    return _SIZES.get(mode, _SIZES["quick"])


def _wait_until(start_at: float) -> None:
    """Report ready, then wait for the parent's go (every process is set up by then)."""
    del start_at
    print("ready", flush=True)
    sys.stdin.readline()


class _Retries(logging.Handler):
    """Counts the units of work the services retried after losing a race (their debug log)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "lost a race" in record.getMessage():
            self.count += 1


def _counting_retries() -> _Retries:
    handler = _Retries()
    logger = logging.getLogger("surety_core.services")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return handler


def _child(argv: list[str]) -> None:
    kind, url, start_at_text, payload = argv
    start_at = float(start_at_text)
    data = json.loads(payload)
    count = errors = 0
    cpu_start = 0.0
    first_error = ""
    retries = _counting_retries()

    def attempt(operation: Any, *args: Any) -> None:
        # An operation that raises is counted as an error (and the run goes on), so that a
        # figure is never a rate of the operations that happened to succeed.
        nonlocal count, errors, first_error
        try:
            operation(*args)
        except Exception as exc:  # every failure is an error of the figure
            errors += 1
            first_error = first_error or f"{type(exc).__name__}: {str(exc)[:300]}"
        else:
            count += 1

    if kind == "issue-library":
        store = library.open_postgres_store(url)
        issuer = library.make_issuer()
        issuer.next_application = int(data["offset"])
        references = library.apply_batch(store, issuer, int(data["count"]))
        service = issuer.service(store)
        _wait_until(start_at)
        retries.count = 0
        cpu_start = time.process_time()
        for reference in references:
            attempt(service.issue, reference)
        store.close()
    elif kind == "verify-library":
        store = library.open_postgres_store(url)
        issuer = library.make_issuer()
        pairs = data["pairs"]
        _wait_until(start_at)
        retries.count = 0
        cpu_start = time.process_time()
        for number, key in pairs:
            attempt(library.verify, store, issuer, number, key)
        store.close()
    else:
        import psycopg

        with psycopg.connect(floors.psycopg_url(url)) as connection:
            if kind == "issue-floor":
                document = "x" * 2000
                _wait_until(start_at)
                for _ in range(int(data["count"])):
                    with connection.transaction():
                        number = connection.execute("SELECT nextval('floor_seq')").fetchone()
                        assert number is not None
                        connection.execute(
                            "INSERT INTO floor_contracts VALUES (%s, %s)", (number[0], document)
                        )
                        connection.execute(
                            "INSERT INTO floor_keys VALUES (%s, %s)", (str(number[0]), b"d" * 32)
                        )
                        connection.execute(
                            "INSERT INTO floor_outbox VALUES (%s, %s)",
                            (f"issued:{number[0]}", document),
                        )
                    count += 1
            else:
                _wait_until(start_at)
                for number, key in data["pairs"]:
                    with connection.transaction():
                        row = connection.execute(
                            "SELECT digest FROM floor_keys WHERE number = %s", (number,)
                        ).fetchone()
                    assert row is not None
                    expected = hmac.new(_HMAC_KEY, f"{number}:{key}".encode(), hashlib.sha256)
                    hmac.compare_digest(expected.digest(), bytes(row[0]))
                    count += 1
    done = {
        "count": count,
        "errors": errors,
        "retries": retries.count,
        "cpu": time.process_time() - cpu_start,
        "end": time.time(),
    }
    print(json.dumps({**done, "first_error": first_error}), flush=True)


@dataclass(frozen=True)
class _Run:
    """What one set of processes did: operations per second, failed operations, retries."""

    per_second: float
    errors: int
    retries: int
    first_error: str
    cpu_ms: float
    """The library processes' own CPU time per operation (not the server's)."""


def _run_processes(kind: str, url: str, payloads: list[dict[str, Any]]) -> _Run:
    """Start one process per payload, all released at the same moment."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    start_at = 0.0
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.concurrent",
                kind,
                url,
                repr(start_at),
                json.dumps(payload),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for payload in payloads
    ]
    for child in children:  # every process imported, connected and set up
        assert child.stdout is not None
        if child.stdout.readline().strip() != "ready":
            child.kill()
            raise RuntimeError(f"{kind} child failed to start: {child.communicate()[1][-1500:]}")
    start_at = time.time()
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    total = errors = retries = 0
    cpu = 0.0
    first_error = ""
    last_end = start_at
    for child in children:
        out, err = child.communicate(timeout=600)
        if child.returncode != 0:
            raise RuntimeError(f"{kind} child failed: {err[-1500:]}")
        done = json.loads(out.strip().splitlines()[-1])
        total += int(done["count"])
        errors += int(done.get("errors", 0))
        retries += int(done.get("retries", 0))
        cpu += float(done.get("cpu", 0.0))
        first_error = first_error or str(done.get("first_error", ""))
        last_end = max(last_end, float(done["end"]))
    rate = total / max(last_end - start_at, 1e-9)
    return _Run(rate, errors, retries, first_error, 1000 * cpu / max(total, 1))


def _skip(config: Any, spec: Any, floor_name: str) -> list[Result] | None:
    if not config.postgres_url:
        reason = "SURETY_TEST_POSTGRES_URL is not set"
    else:
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:
            reason = f"psycopg is not installed (install the 'postgres' extra): {exc}"
        else:
            return None
    one_name = spec.name.replace(f"_{PROCESSES}proc", "_1proc")
    return [
        Result(floor_name, spec.unit, kind="floor", skipped=reason),
        Result(one_name, spec.unit, targets=ONE_PROCESS_TARGETS, skipped=reason),
        spec.skipped(reason),
    ]


def _floor_schema(url: str) -> None:
    import psycopg

    with psycopg.connect(floors.psycopg_url(url), autocommit=True) as connection:
        connection.execute("CREATE SEQUENCE floor_seq")
        connection.execute("CREATE TABLE floor_contracts (number bigint PRIMARY KEY, doc text)")
        connection.execute("CREATE TABLE floor_keys (number text PRIMARY KEY, digest bytea)")
        connection.execute("CREATE TABLE floor_outbox (key text PRIMARY KEY, doc text)")


def _one_process(name: str, unit: str, run: _Run) -> Result:
    """The same work in one process, measured in the same run (the base of ``scale``)."""
    fields: dict[str, Any] = {
        "per_second": round(run.per_second),
        "processes": 1,
        "errors": run.errors,
        "retries": run.retries,
        "cpu_ms": round(run.cpu_ms, 2),
    }
    if run.first_error:
        fields["first_error"] = run.first_error
    return Result(name, unit, fields=fields, targets=ONE_PROCESS_TARGETS)


def _result(
    spec: Any,
    floor_name: str,
    what: str,
    library: _Run,
    floor: _Run,
    one: _Run,
) -> list[Result]:
    floor_result = Result(
        floor_name,
        spec.unit,
        kind="floor",
        fields={"per_second": round(floor.per_second), "processes": PROCESSES, "what": what},
    )
    fields: dict[str, Any] = {
        "per_second": round(library.per_second),
        "ratio": round(floor.per_second / max(library.per_second, 1e-9), 2),
        "scale": round(library.per_second / max(one.per_second, 1e-9), 2),
        "processes": PROCESSES,
        "errors": library.errors,
        "retries": library.retries,
        "cpu_ms": round(library.cpu_ms, 2),
    }
    if library.first_error:
        fields["first_error"] = library.first_error
    one_name = spec.name.replace(f"_{PROCESSES}proc", "_1proc")
    return [floor_result, _one_process(one_name, spec.unit, one), spec.result(fields)]


def issue_postgres_4proc(config: Any, spec: Any) -> list[Result]:
    floor_name = "floor_issue_postgres_4proc"
    skipped = _skip(config, spec, floor_name)
    if skipped is not None:
        return skipped
    url = config.postgres_url
    count = _per_process(config.mode)
    scheme = url.partition("://")[0]
    with floors.scratch_database(url, "issue4") as scratch:
        _floor_schema(scratch)
        floor_rate = _run_processes(
            "issue-floor", scratch, [{"count": count} for _ in range(PROCESSES)]
        )
    with floors.scratch_database(url, "issue4lib") as scratch:
        lib_url = scheme + "://" + scratch.partition("://")[2]
        library.open_postgres_store(lib_url).close()  # the schema, before the race
        # The same work per process: one process alone, then four at once, on one database.
        one = _run_processes("issue-library", lib_url, [{"count": count, "offset": 1_000_000}])
        payloads = [{"count": count, "offset": (i + 2) * 1_000_000} for i in range(PROCESSES)]
        library_rate = _run_processes("issue-library", lib_url, payloads)
    return _result(
        spec, floor_name, "psycopg: nextval + 3 inserts + commit", library_rate, floor_rate, one
    )


def verify_postgres_4proc(config: Any, spec: Any) -> list[Result]:
    floor_name = "floor_verify_postgres_4proc"
    skipped = _skip(config, spec, floor_name)
    if skipped is not None:
        return skipped
    url = config.postgres_url
    count = _per_process(config.mode) * 4
    scheme = url.partition("://")[0]
    with floors.scratch_database(url, "verify4lib") as scratch:
        lib_url = scheme + "://" + scratch.partition("://")[2]
        store = library.open_postgres_store(lib_url)
        pairs = library.populate(store, library.make_issuer(), count * (PROCESSES + 1))
        store.close()
        # The same work per process: one process alone, then four at once (other numbers).
        one = _run_processes("verify-library", lib_url, [{"pairs": pairs[:count]}])
        rest = pairs[count:]
        slices = [{"pairs": rest[i::PROCESSES]} for i in range(PROCESSES)]
        library_rate = _run_processes("verify-library", lib_url, slices)
    with floors.scratch_database(url, "verify4") as scratch:
        _floor_schema(scratch)
        import psycopg

        with (
            psycopg.connect(floors.psycopg_url(scratch), autocommit=True) as connection,
            connection.cursor() as cursor,
        ):
            cursor.executemany(
                "INSERT INTO floor_keys VALUES (%s, %s)",
                [
                    (n, hmac.new(_HMAC_KEY, f"{n}:{k}".encode(), hashlib.sha256).digest())
                    for n, k in rest
                ],
            )
        floor_rate = _run_processes("verify-floor", scratch, slices)
    return _result(
        spec, floor_name, "psycopg: look-up by number + HMAC", library_rate, floor_rate, one
    )


if __name__ == "__main__":
    _child(sys.argv[1:])
