"""The benchmarks: each measures a library figure beside its raw floor, in the same run."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import audited, concurrent, floors, library
from benchmarks._results import JSONValue, Result, Target
from benchmarks._timing import Plan, Stats, measure, ratio, ratios

__all__ = ["BENCHMARKS", "Config", "Spec", "config_for"]

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Config:
    """Sizes and measurement plans of one run mode."""

    mode: str
    workdir: Path
    postgres_url: str | None
    verify_rows: int
    samples: int
    verify: Plan
    issue: Plan
    notice: Plan
    scale_small: int
    scale_large: int
    scale: Plan
    stream_count: int
    stream_batch: int
    populate_batch: int
    postgres_scale_large: int | None = None
    """Rows of the large PostgreSQL table when not ``scale_large`` (filling it is slower)."""
    http_clients: int = 32
    """Concurrent clients of ``verify_http`` (each one keep-alive connection)."""
    http_seconds: float = 20.0
    """How long ``verify_http`` sends load (bounded, to 127.0.0.1 only)."""


def config_for(
    mode: str,
    workdir: Path,
    postgres_url: str | None,
    scale_rows: int | None = None,
    postgres_scale_rows: int | None = None,
) -> Config:
    """The plan of ``mode`` (``full``, ``quick`` or ``tiny``, the last for smoke tests)."""
    if mode == "full":
        config = Config(
            mode,
            workdir,
            postgres_url,
            verify_rows=10_000,
            samples=2_000,
            verify=Plan(batch=2_000, repeat=25, warmup=3),
            issue=Plan(batch=500, repeat=15, warmup=2),
            notice=Plan(batch=200, repeat=25, warmup=3),
            scale_small=10_000,
            scale_large=1_000_000,
            scale=Plan(batch=2_000, repeat=15, warmup=3),
            stream_count=100_000,
            stream_batch=500,
            populate_batch=1_000,
        )
    elif mode == "quick":
        config = Config(
            mode,
            workdir,
            postgres_url,
            verify_rows=10_000,
            samples=1_000,
            verify=Plan(batch=1_000, repeat=9, warmup=1),
            issue=Plan(batch=250, repeat=7, warmup=1),
            notice=Plan(batch=100, repeat=9, warmup=1),
            scale_small=10_000,
            scale_large=100_000,
            scale=Plan(batch=1_000, repeat=9, warmup=2),
            stream_count=20_000,
            stream_batch=500,
            populate_batch=1_000,
            http_clients=16,
            http_seconds=8.0,
        )
    elif mode == "tiny":
        config = Config(
            mode,
            workdir,
            postgres_url,
            verify_rows=300,
            samples=100,
            verify=Plan(batch=50, repeat=3, warmup=1),
            issue=Plan(batch=20, repeat=3, warmup=1),
            notice=Plan(batch=3, repeat=3, warmup=1),
            scale_small=200,
            scale_large=2_000,
            scale=Plan(batch=50, repeat=3, warmup=1),
            stream_count=200,
            stream_batch=100,
            populate_batch=100,
            http_clients=4,
            http_seconds=1.0,
        )
    else:
        raise ValueError(f"unknown mode {mode!r}")
    if scale_rows is not None:
        config = Config(**{**config.__dict__, "scale_large": scale_rows})
    if postgres_scale_rows is not None:
        config = Config(**{**config.__dict__, "postgres_scale_large": postgres_scale_rows})
    return config


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Spec:
    """A benchmark: its name, unit, targets and the function that measures it."""

    name: str
    unit: str
    targets: tuple[Target, ...]
    run: Callable[[Config, Spec], list[Result]]

    def skipped(self, reason: str) -> Result:
        return Result(self.name, self.unit, targets=self.targets, skipped=reason)

    def result(self, fields: dict[str, JSONValue]) -> Result:
        return Result(self.name, self.unit, fields=fields, targets=self.targets)


def _floor(name: str, unit: str, fields: dict[str, JSONValue]) -> Result:
    return Result(name, unit, kind="floor", fields=fields)


def _r(value: float, digits: int = 3) -> float:
    return round(value, digits)


def _per_op_fields(stats: Stats) -> dict[str, JSONValue]:
    return {"per_second": round(stats.per_second), **stats.as_fields()}


def _floor_fields(name: str, floor: Stats) -> dict[str, JSONValue]:
    """Which floor a figure's ``ratio`` (CPU) and ``ratio_wall`` are taken against."""
    return {
        "floor": name,
        "floor_median_us": _r(floor.median_ns / 1000),
        "floor_cpu_median_us": _r(floor.cpu_median_ns / 1000),
        "floor_per_second": round(floor.per_second),
    }


# --- library set-up helpers -----------------------------------------------------------------


def _open_library(path_or_url: Path | str, stack: ExitStack) -> tuple[Any, library.Issuer]:
    """The library's store (closed by ``stack``) and issuer; ImportError if it lacks them."""
    if isinstance(path_or_url, Path):
        store = library.open_sqlite_store(path_or_url)
    else:
        store = library.open_postgres_store(path_or_url)
    stack.callback(store.close)
    return store, library.make_issuer()


def _populate(
    store: Any, issuer: library.Issuer, rows: int, samples: int, batch: int
) -> tuple[list[tuple[str, str]], float]:
    """Store ``rows`` guarantees through the library; a random sample of (number, key) and secs."""
    start = time.perf_counter()
    rng = random.Random(11)
    kept: list[tuple[str, str]] = []
    seen = 0
    done = 0
    while done < rows:
        count = min(batch, rows - done)
        for pair in library.populate(store, issuer, count):
            seen += 1  # reservoir sampling keeps memory bounded at 1,000,000 rows
            if len(kept) < samples:
                kept.append(pair)
            else:
                slot = rng.randrange(seen)
                if slot < samples:
                    kept[slot] = pair
        done += count
        if done * 10 // rows != (done - count) * 10 // rows and done < rows:
            elapsed = time.perf_counter() - start
            log(
                f"  {done:,}/{rows:,} stored, {done / elapsed:,.0f}/s,"
                f" about {elapsed * (rows - done) / done:,.0f} s to go"
            )
    rng.shuffle(kept)
    return kept, time.perf_counter() - start


def _library_verify_case(
    store: Any,
    issuer: library.Issuer,
    samples: list[tuple[str, str]],
    batch: int,
    verify: Callable[[Any, library.Issuer, str, str], object] | None = None,
) -> Callable[[], None]:
    check = library.verify if verify is None else verify
    position = 0

    def run() -> None:
        nonlocal position
        for _ in range(batch):
            number, key = samples[position]
            position = (position + 1) % len(samples)
            check(store, issuer, number, key)

    return run


# --- the benchmarks -------------------------------------------------------------------------


def verify_sqlite(config: Config, spec: Spec) -> list[Result]:
    plan = config.verify
    with ExitStack() as stack:
        log(f"verify_sqlite: raw floor table of {config.verify_rows:,} rows")
        table = floors.sqlite_key_table(
            config.workdir / "verify-floor.db", config.verify_rows, config.samples
        )
        stack.callback(table.close)
        cases: dict[str, Callable[[], object]] = {
            "floor": floors.verify_case(table.lookup, table.samples, plan.batch)
        }
        skipped = None
        populate_s = 0.0
        try:
            log(
                f"verify_sqlite: audited floor on the library's schema, {config.verify_rows:,} keys"
            )
            honest = audited.verify_audited_case(
                config.workdir / "verify-audited.db",
                config.verify_rows,
                config.samples,
                plan.batch,
            )
            stack.callback(honest.close)
            cases["floor_audited"] = honest.run
            store, issuer = _open_library(config.workdir / "verify-lib.db", stack)
            log(f"verify_sqlite: issuing {config.verify_rows:,} guarantees through the library")
            pairs, populate_s = _populate(
                store, issuer, config.verify_rows, config.samples, config.populate_batch
            )
            cases["library"] = _library_verify_case(store, issuer, pairs, plan.batch)
            cases["key_only"] = _library_verify_case(
                store, issuer, pairs, plan.batch, library.verify_key_only
            )
        except ImportError as exc:
            skipped = str(exc)
            for name in ("floor_audited", "library", "key_only"):
                cases.pop(name, None)
        log("verify_sqlite: measuring")
        stats = measure(cases, plan)
    floor = stats["floor"]
    results = [
        _floor(
            "floor_verify_sqlite",
            "us/op",
            {
                "what": "information: sqlite3 indexed look-up by number + HMAC-SHA256 +"
                " compare_digest, no transaction, no audit (not the floor of any ratio target)",
                "rows": config.verify_rows,
                **_per_op_fields(floor),
            },
        )
    ]
    if skipped is not None:
        reason = f"the library's schema is needed: {skipped}"
        return [
            *results,
            Result("floor_verify_audited", "us/op", kind="floor", skipped=reason),
            spec.skipped(skipped),
        ]
    honest_stats = stats["floor_audited"]
    lib = stats["library"]
    key_only = stats["key_only"]
    return [
        *results,
        _floor(
            "floor_verify_audited",
            "us/op",
            {
                "what": "one write transaction on the library's schema (raw sqlite3, WAL,"
                " synchronous=NORMAL): indexed key-record read + JSON, HMAC-SHA256 +"
                " compare_digest, audit-head read, keyed link (HMAC-SHA256), audit insert,"
                " limiter upsert, commit",
                "rows": config.verify_rows,
                **_per_op_fields(honest_stats),
            },
        ),
        spec.result(
            {
                "per_second": round(lib.per_second),
                **ratios(lib, honest_stats),
                "ratio_lookup_floor": ratio(lib.cpu_median_ns, floor.cpu_median_ns),
                **lib.as_fields(),
                **_floor_fields("floor_verify_audited", honest_stats),
                "rows": config.verify_rows,
                "populate_seconds": _r(populate_s, 1),
            }
        ),
        Result(
            "verify_key_sqlite",
            "us/op",
            fields={
                "what": "lower level, not the obligee view: surety_core.keys.verify_key in one"
                " unit of work (limiter, key record, HMAC; no contract, certificates or audit);"
                " ratios to the look-up floor floor_verify_sqlite",
                **_per_op_fields(key_only),
                **ratios(key_only, floor),
                "rows": config.verify_rows,
            },
        ),
    ]


def issue_sqlite(config: Config, spec: Spec) -> list[Result]:
    plan = config.issue
    apply_s = 0.0
    applied = 0
    with ExitStack() as stack:
        run, close = floors.issue_case(config.workdir / "issue-floor.db", plan.batch)
        stack.callback(close)
        cases: dict[str, Callable[[], object]] = {"floor": run}
        skipped = None
        try:
            log("issue_sqlite: full-issuance floor on the library's schema")
            templates = audited.load_templates(config.workdir)
            full_run, full_close = audited.issue_full_case(
                config.workdir / "issue-full.db",
                templates,
                plan.batch,
                plan.warmup + plan.repeat,
            )
            stack.callback(full_close)
            cases["floor_full"] = full_run
            store, issuer = _open_library(config.workdir / "issue-lib.db", stack)
            # The contractors' applications are filed first (SuretyService.apply, untimed here
            # but measured below): the timed step is the surety's issuance of applied ones.
            applied = (plan.warmup + plan.repeat) * plan.batch
            log(f"issue_sqlite: filing {applied:,} applications (SuretyService.apply)")
            began = time.perf_counter()
            waiting = library.apply_batch(store, issuer, applied)
            apply_s = time.perf_counter() - began
            waiting.reverse()

            def issue() -> None:
                batch = [waiting.pop() for _ in range(plan.batch)]
                library.issue_batch(store, issuer, batch, collect=False)

            cases["library"] = issue
        except ImportError as exc:
            skipped = str(exc)
            cases.pop("floor_full", None)
        log(f"issue_sqlite: measuring batches of {plan.batch} per transaction")
        stats = measure(cases, plan)
    floor = stats["floor"]
    results = [
        _floor(
            "floor_issue_sqlite",
            "us/item",
            {
                "what": "information: Ed25519 sign + AES-GCM seal of a 20-char key + sqlite3"
                " executemany insert of one row, one transaction per batch (not the floor of any"
                " ratio target)",
                **_per_op_fields(floor),
            },
        )
    ]
    if skipped is not None:
        reason = f"the library's schema and documents are needed: {skipped}"
        return [
            *results,
            Result("floor_issue_full", "us/item", kind="floor", skipped=reason),
            spec.skipped(skipped),
        ]
    full = stats["floor_full"]
    lib = stats["library"]
    return [
        *results,
        _floor(
            "floor_issue_full",
            "us/item",
            {
                "what": "one transaction per batch on the library's schema (raw sqlite3) writing"
                " every row issuance writes: application and works reads, counter, contract,"
                " signed certificate (Ed25519), fee statement, key (generated, HMAC, AES-GCM),"
                " outbox e-mail, chained audit event (HMAC-SHA256 link); executemany per table",
                **_per_op_fields(full),
            },
        ),
        spec.result(
            {
                "per_second": round(lib.per_second),
                **ratios(lib, full),
                "ratio_lookup_floor": ratio(lib.cpu_median_ns, floor.cpu_median_ns),
                **lib.as_fields(),
                **_floor_fields("floor_issue_full", full),
                "api": "SuretyService.issue_many, one unit of work per batch",
                "apply_us": _r(apply_s * 1e6 / applied),
                "apply_then_issue_per_second": round(
                    1e9 / (lib.median_ns + apply_s * 1e9 / applied)
                ),
            }
        ),
    ]


def notice_pdf(config: Config, spec: Spec) -> list[Result]:
    plan = config.notice
    build_reportlab = floors.reportlab_notice_builder()
    floor_bytes = len(build_reportlab())

    def repeat(build: Callable[[], bytes]) -> Callable[[], None]:
        def run() -> None:
            for _ in range(plan.batch):
                build()

        return run

    cases: dict[str, Callable[[], object]] = {"reportlab": repeat(build_reportlab)}
    skipped = None
    lib_bytes = 0
    try:
        build_library = library.notice_builder()
        lib_bytes = len(build_library())
        cases["library"] = repeat(build_library)
    except ImportError as exc:
        skipped = str(exc)
    log("notice_pdf: measuring")
    stats = measure(cases, plan)
    floor = stats["reportlab"]
    results = [
        _floor(
            "floor_notice_pdf",
            "ms",
            {
                "what": "reportlab canvas, A4, UnicodeCIDFont HeiseiKakuGo-W5, same text",
                "ms": _r(floor.median_ns / 1e6, 4),
                "p90_ms": _r(floor.p90_ns / 1e6, 4),
                "cpu_ms": _r(floor.cpu_median_ns / 1e6, 4),
                "pdf_bytes": floor_bytes,
                "runs": floor.runs,
                "batch": floor.batch,
            },
        )
    ]
    if skipped is not None:
        return [*results, spec.skipped(skipped)]
    lib = stats["library"]
    return [
        *results,
        spec.result(
            {
                "ms": _r(lib.median_ns / 1e6, 4),
                "vs_reportlab": ratio(lib.cpu_median_ns, floor.cpu_median_ns),
                "vs_reportlab_wall": ratio(lib.median_ns, floor.median_ns),
                "p90_ms": _r(lib.p90_ns / 1e6, 4),
                "cpu_ms": _r(lib.cpu_median_ns / 1e6, 4),
                "reportlab_ms": _r(floor.median_ns / 1e6, 4),
                "pdf_bytes": lib_bytes,
                "runs": lib.runs,
                "batch": lib.batch,
            }
        ),
    ]


def _scale(
    config: Config,
    spec: Spec,
    *,
    floor_name: str,
    floor_what: str,
    floor_table: Callable[[str, int], floors.KeyTable],
    library_target: Callable[[str], Path | str],
) -> list[Result]:
    plan = config.scale
    sizes = {"small": config.scale_small, "large": config.scale_large}
    cases: dict[str, Callable[[], object]] = {}
    skipped = None
    populate_s = 0.0
    with ExitStack() as stack:
        for label, rows in sizes.items():
            log(f"{spec.name}: raw floor table of {rows:,} rows")
            table = floor_table(label, rows)
            stack.callback(table.close)
            cases[f"floor_{label}"] = floors.verify_case(table.lookup, table.samples, plan.batch)
        try:
            for label, rows in sizes.items():
                store, issuer = _open_library(library_target(label), stack)
                log(f"{spec.name}: issuing {rows:,} guarantees through the library")
                pairs, seconds = _populate(
                    store, issuer, rows, config.samples, config.populate_batch
                )
                populate_s += seconds
                cases[f"library_{label}"] = _library_verify_case(store, issuer, pairs, plan.batch)
        except ImportError as exc:
            skipped = str(exc)
            for label in sizes:
                cases.pop(f"library_{label}", None)
        log(f"{spec.name}: measuring")
        stats = measure(cases, plan)
    small, large = stats["floor_small"], stats["floor_large"]
    floor_ratio = ratio(large.cpu_median_ns, small.cpu_median_ns)
    results = [
        _floor(
            floor_name,
            "ratio",
            {
                "what": floor_what,
                "ratio": floor_ratio,
                "ratio_wall": ratio(large.median_ns, small.median_ns),
                "rows_small": sizes["small"],
                "rows_large": sizes["large"],
                "small_median_us": _r(small.median_ns / 1000),
                "large_median_us": _r(large.median_ns / 1000),
                "small_cpu_median_us": _r(small.cpu_median_ns / 1000),
                "large_cpu_median_us": _r(large.cpu_median_ns / 1000),
                "small_per_second": round(small.per_second),
                "large_per_second": round(large.per_second),
                "runs": small.runs,
                "batch": small.batch,
            },
        )
    ]
    if skipped is not None:
        return [*results, spec.skipped(skipped)]
    lib_small, lib_large = stats["library_small"], stats["library_large"]
    return [
        *results,
        spec.result(
            {
                **ratios(lib_large, lib_small),
                "floor_ratio": floor_ratio,
                "rows_small": sizes["small"],
                "rows_large": sizes["large"],
                "small_median_us": _r(lib_small.median_ns / 1000),
                "large_median_us": _r(lib_large.median_ns / 1000),
                "small_cpu_median_us": _r(lib_small.cpu_median_ns / 1000),
                "large_cpu_median_us": _r(lib_large.cpu_median_ns / 1000),
                "populate_seconds": _r(populate_s, 1),
                "runs": lib_small.runs,
                "batch": lib_small.batch,
            }
        ),
    ]


def verify_scale_sqlite(config: Config, spec: Spec) -> list[Result]:
    return _scale(
        config,
        spec,
        floor_name="floor_verify_scale_sqlite",
        floor_what="the verify floor (sqlite3 look-up + HMAC) on each table size",
        floor_table=lambda label, rows: floors.sqlite_key_table(
            config.workdir / f"scale-floor-{label}.db", rows, config.samples
        ),
        library_target=lambda label: config.workdir / f"scale-lib-{label}.db",
    )


def verify_scale_postgres(config: Config, spec: Spec) -> list[Result]:
    url = config.postgres_url
    if not url:
        reason = "SURETY_TEST_POSTGRES_URL is not set"
        return [
            Result("floor_verify_scale_postgres", "ratio", kind="floor", skipped=reason),
            spec.skipped(reason),
        ]
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        reason = f"psycopg is not installed (install the 'postgres' extra): {exc}"
        return [
            Result("floor_verify_scale_postgres", "ratio", kind="floor", skipped=reason),
            spec.skipped(reason),
        ]
    scheme = url.partition("://")[0]
    if config.postgres_scale_large is not None:
        config = Config(**{**config.__dict__, "scale_large": config.postgres_scale_large})
    with ExitStack() as stack:

        def library_database(label: str) -> str:
            library.check_postgres_store()  # before a database is made for nothing
            scratch = stack.enter_context(floors.scratch_database(url, f"lib_{label}"))
            return scheme + "://" + scratch.partition("://")[2]

        return _scale(
            config,
            spec,
            floor_name="floor_verify_scale_postgres",
            floor_what="psycopg prepared look-up by indexed number + HMAC, each table size",
            floor_table=lambda label, rows: floors.postgres_key_table(url, rows, config.samples),
            library_target=library_database,
        )


def _rss_child(kind: str, config: Config, db: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks._rss",
            kind,
            "--count",
            str(config.stream_count),
            "--batch",
            str(config.stream_batch),
            "--db",
            str(db),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the {kind} stream child failed:\n{done.stderr}")
    data: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return data


def issue_stream_rss(config: Config, spec: Spec) -> list[Result]:
    log(f"issue_stream_rss: raw floor stream of {config.stream_count:,} in a child process")
    floor = _rss_child("floor", config, config.workdir / "stream-floor.db")
    results = [
        _floor(
            "floor_issue_stream_rss",
            "MB",
            {
                "what": "the issue floor streamed in a child process; peak RSS (MiB)",
                **floor,
            },
        )
    ]
    log(f"issue_stream_rss: library stream of {config.stream_count:,} in a child process")
    lib = _rss_child("library", config, config.workdir / "stream-lib.db")
    if "skipped" in lib:
        return [*results, spec.skipped(str(lib["skipped"]))]
    return [*results, spec.result({**lib, "floor_peak_mb": floor["peak_mb"]})]


def verify_http(config: Config, spec: Spec) -> list[Result]:
    """The obligee's view through the web API (``POST /api/v1/verify``, uvicorn in a child
    process on 127.0.0.1) with concurrent clients, beside the in-process view measured in the
    same run on the same database."""
    try:
        import uvicorn  # noqa: F401

        import surety_core.web  # noqa: F401
    except ImportError as exc:
        return [spec.skipped(f"the 'web' extra is not installed ({exc.name})")]
    from benchmarks import web_load

    db = config.workdir / "verify-http.db"
    with ExitStack() as stack:
        try:
            store, issuer = _open_library(db, stack)
        except ImportError as exc:
            return [spec.skipped(str(exc))]
        log(f"verify_http: issuing {config.verify_rows:,} guarantees through the library")
        pairs, _ = _populate(
            store, issuer, config.verify_rows, config.samples, config.populate_batch
        )
        log("verify_http: the in-process view, for comparison")
        in_process = measure(
            {"library": _library_verify_case(store, issuer, pairs, config.verify.batch)},
            config.verify,
        )["library"]

    def choose(client: int, i: int) -> tuple[str, dict[str, str]]:
        number, key = pairs[(client * 7919 + i) % len(pairs)]
        return "right", {"number": number, "key": key}

    log(f"verify_http: {config.http_clients} clients for {config.http_seconds:g} s")
    with web_load.running_server(db, config.workdir / "verify-http.log", bench_secrets=True) as url:
        report = web_load.run_load(
            url,
            choose,
            clients=config.http_clients,
            duration=config.http_seconds,
            max_requests=5_000_000,
        )
    verified = report.answers[("right", 200)]
    return [
        spec.result(
            {
                "per_second": round(verified / report.elapsed) if report.elapsed else 0,
                "server_errors": report.server_errors + len(report.errors),
                "clients": config.http_clients,
                "seconds": _r(report.elapsed, 1),
                "requests": report.requests,
                "verified": verified,
                "p50_ms": _r(report.percentile_ms(0.5), 1),
                "p95_ms": _r(report.percentile_ms(0.95), 1),
                "in_process_per_second": round(in_process.per_second),
                "in_process_ratio": _r(in_process.per_second / max(verified / report.elapsed, 1)),
                "rows": config.verify_rows,
            }
        )
    ]


BENCHMARKS: dict[str, Spec] = {
    spec.name: spec
    for spec in (
        Spec(
            "verify_sqlite",
            "verifications/s",
            (Target("ratio", "<=", 3),),
            verify_sqlite,
        ),
        Spec(
            "issue_sqlite",
            "issuances/s",
            (Target("per_second", ">=", 3_000), Target("ratio", "<=", 4)),
            issue_sqlite,
        ),
        Spec(
            "notice_pdf",
            "ms",
            (Target("ms", "<=", 1.0), Target("vs_reportlab", "<", 1)),
            notice_pdf,
        ),
        Spec("verify_scale_sqlite", "ratio", (Target("ratio", "<=", 1.5),), verify_scale_sqlite),
        Spec(
            "verify_scale_postgres", "ratio", (Target("ratio", "<=", 1.5),), verify_scale_postgres
        ),
        Spec("issue_stream_rss", "MB", (Target("peak_mb", "<=", 200),), issue_stream_rss),
        Spec(
            "verify_postgres_4proc",
            "verifications/s",
            concurrent.SCALE_TARGETS["verify"],
            concurrent.verify_postgres_4proc,
        ),
        Spec(
            "issue_postgres_4proc",
            "issuances/s",
            concurrent.SCALE_TARGETS["issue"],
            concurrent.issue_postgres_4proc,
        ),
        Spec(
            "verify_http",
            "views/s",
            (Target("server_errors", "<=", 0), Target("per_second", ">=", 100)),
            verify_http,
        ),
    )
}
