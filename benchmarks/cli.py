"""``python -m benchmarks [--quick | --tiny] [--json FILE] [--only NAME ...] [--markdown FILE]``."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks._results import Result, machine_facts
from benchmarks.report import render_markdown, write_markdown
from benchmarks.suite import BENCHMARKS, config_for, log

__all__ = ["main", "run"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure surety_core beside its raw floors, in the same run.",
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller sizes; well under 2 minutes")
    size.add_argument("--tiny", action="store_true", help="smoke-test sizes (numbers meaningless)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the results (JSON list)")
    parser.add_argument(
        "--markdown",
        type=Path,
        metavar="FILE",
        help="write the tables (into FILE's marked section if it has one: docs/performance.md)",
    )
    parser.add_argument(
        "--only", nargs="+", choices=sorted(BENCHMARKS), metavar="NAME", help="run only these"
    )
    parser.add_argument(
        "--scale-rows", type=int, metavar="N", help="rows of the large verify_scale table"
    )
    parser.add_argument(
        "--postgres-scale-rows",
        type=int,
        metavar="N",
        help="rows of the large verify_scale_postgres table (default: as --scale-rows)",
    )
    parser.add_argument(
        "--from-json",
        type=Path,
        metavar="FILE",
        help="measure nothing: render --markdown from an earlier --json FILE",
    )
    parser.add_argument("--workdir", type=Path, help="where the database files go (default: tmp)")
    return parser


def run(
    mode: str,
    names: Sequence[str],
    workdir: Path,
    postgres_url: str | None,
    scale_rows: int | None = None,
    postgres_scale_rows: int | None = None,
) -> list[Result]:
    """Run the named benchmarks; the machine facts first, then floors and figures in order."""
    config = config_for(mode, workdir, postgres_url, scale_rows, postgres_scale_rows)
    results = [machine_facts(mode)]
    if results[0].fields.get("loaded") is True:
        log(
            f"load average {results[0].fields['load_1min']} is above the"
            f" {results[0].fields['cores']} cores: this run will be flagged as loaded"
        )
    start = time.perf_counter()
    for name in names:
        spec = BENCHMARKS[name]
        began = time.perf_counter()
        results += spec.run(config, spec)
        log(f"{name}: done in {time.perf_counter() - began:.1f} s")
    loaded = results[0].fields.get("loaded") is True
    for result in results[1:]:
        if result.kind == "benchmark":
            result.fields["loaded"] = loaded  # each figure carries the machine's flag
    if loaded:
        log(
            f"the machine was loaded at the start (load average {results[0].fields['load_1min']}"
            f" above {results[0].fields['cores']} cores): flagged in the results"
        )
    results[0].fields["total_seconds"] = round(time.perf_counter() - start, 1)
    try:
        results[0].fields["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        results[0].fields["load_average_at_end"] = None
    return results


def _table(rows: Sequence[dict[str, Any]]) -> str:
    out = []
    for row in rows:
        if row["kind"] == "machine":
            continue
        fields = {
            k: v for k, v in row.items() if k not in ("name", "unit", "kind", "targets", "what")
        }
        out.append(f"{row['name']:<30} {row['unit']:<16} {json.dumps(fields, ensure_ascii=False)}")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.from_json is not None:
        rows = json.loads(args.from_json.read_text(encoding="utf-8"))
        if args.markdown is None:
            print(render_markdown(rows), end="")
        else:
            write_markdown(args.markdown, rows)
        return 0
    mode = "quick" if args.quick else "tiny" if args.tiny else "full"
    names = [n for n in BENCHMARKS if args.only is None or n in args.only]
    postgres_url = os.environ.get("SURETY_TEST_POSTGRES_URL") or None
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="surety-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        results = run(mode, names, workdir, postgres_url, args.scale_rows, args.postgres_scale_rows)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    rows = [result.to_json() for result in results]
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", "utf-8")
    if args.markdown is not None:
        write_markdown(args.markdown, rows)
    print(_table(rows))
    return 0
