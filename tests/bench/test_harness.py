"""Smoke tests of the benchmark harness: a tiny run end to end, the JSON shape, the targets.

The numbers of a tiny run mean nothing and are never asserted; only their shape and the logic that
turns measurements into ``meets_target`` are.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from benchmarks import Result, Target
from benchmarks._timing import Plan, measure, percentile
from benchmarks.report import BEGIN, END, render_markdown
from benchmarks.suite import BENCHMARKS
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
LIBRARY_FIELDS = {
    "verify_sqlite": {"ratio"},
    "issue_sqlite": {"per_second", "ratio"},
    "notice_pdf": {"ms", "vs_reportlab"},
    "verify_scale_sqlite": {"ratio"},
    "verify_scale_postgres": {"ratio"},
    "issue_stream_rss": {"peak_mb"},
    "verify_postgres_4proc": {"scale", "errors"},
    "verify_postgres_1proc": {"errors"},
    "issue_postgres_4proc": {"scale", "errors"},
    "issue_postgres_1proc": {"errors"},
    "verify_http": {"server_errors", "per_second"},
}
TIMED_IN_PROCESS = {
    "verify_sqlite",
    "issue_sqlite",
    "notice_pdf",
    "verify_scale_sqlite",
    "verify_scale_postgres",
}
"""Figures timed on the measuring thread (CPU and wall); the four-process ones are rates."""
UNTARGETED_FIELDS = {
    "verify_key_sqlite": {"per_second", "median_us", "p90_us", "ratio", "ratio_wall"}
}
FLOOR_FIELDS = {
    "floor_verify_sqlite": {"per_second", "median_us", "p90_us", "cpu_median_us"},
    "floor_verify_audited": {"per_second", "median_us", "p90_us", "cpu_median_us"},
    "floor_issue_sqlite": {"per_second", "median_us", "p90_us", "cpu_median_us"},
    "floor_issue_full": {"per_second", "median_us", "p90_us", "cpu_median_us"},
    "floor_notice_pdf": {"ms", "p90_ms", "pdf_bytes"},
    "floor_verify_scale_sqlite": {"ratio", "small_median_us", "large_median_us"},
    "floor_issue_stream_rss": {"peak_mb", "baseline_mb", "count"},
}


def run_harness(*args: str, postgres: bool = False) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if not postgres:
        env.pop("SURETY_TEST_POSTGRES_URL", None)
    src = str(ROOT / "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), src, env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_benchmark(row: dict[str, Any]) -> None:
    if row["name"] in UNTARGETED_FIELDS:  # a supplementary figure: numbers, no verdict
        assert "targets" not in row
        assert "meets_target" not in row
        assert all(is_number(row[field]) for field in UNTARGETED_FIELDS[row["name"]])
        return
    expected = LIBRARY_FIELDS[row["name"]]
    assert set(row["targets"]) == expected
    if "skipped" in row:
        assert isinstance(row["skipped"], str)
        assert row["skipped"]
        assert not expected & set(row), "a skipped benchmark must not report numbers"
        assert "meets_target" not in row
        return
    assert all(is_number(row[field]) for field in expected)
    if row["name"] in TIMED_IN_PROCESS:  # each CPU ratio has its wall twin
        for field in expected & {"ratio", "vs_reportlab"}:
            assert is_number(row[f"{field}_wall"]), row
    assert isinstance(row["meets_target"], bool)
    targets = tuple(
        Target(field, bound.split()[0], float(bound.split()[1]))
        for field, bound in row["targets"].items()
    )
    assert row["meets_target"] == all(t.met_by(row[t.field]) for t in targets)


def test_tiny_run_writes_a_json_list_of_results(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    page = tmp_path / "page.md"
    page.write_text(f"# Title\n\nprose\n\n{BEGIN}\nold table\n{END}\n\nmore prose\n", "utf-8")
    done = run_harness("--tiny", "--json", str(out), "--markdown", str(page))
    assert done.returncode == 0, done.stderr

    rows = json.loads(out.read_text("utf-8"))
    assert isinstance(rows, list)
    assert all(isinstance(row, dict) for row in rows)
    assert all(isinstance(row["name"], str) and isinstance(row["unit"], str) for row in rows)
    names = [row["name"] for row in rows]
    assert len(names) == len(set(names))
    assert set(BENCHMARKS) <= set(names)

    machine = rows[0]
    assert machine["name"] == "machine"
    assert machine["mode"] == "tiny"
    for fact in ("python", "cpu_count", "platform", "date", "sqlite"):
        assert machine[fact]
    assert isinstance(machine["loaded"], bool)
    assert machine["cores"] >= 1

    by_name = {row["name"]: row for row in rows}
    for name, fields in FLOOR_FIELDS.items():
        floor = by_name[name]
        assert floor["kind"] == "floor"
        assert all(is_number(floor[field]) for field in fields), floor
    for row in rows:
        if row["kind"] == "benchmark":
            check_benchmark(row)
            if "skipped" not in row:  # every figure carries the machine's load flag
                assert row["loaded"] is machine["loaded"]
    # Without a PostgreSQL URL both PostgreSQL results say why they did not run.
    assert by_name["verify_scale_postgres"]["skipped"] == "SURETY_TEST_POSTGRES_URL is not set"
    assert "skipped" in by_name["floor_verify_scale_postgres"]

    text = page.read_text("utf-8")
    assert text.startswith("# Title\n\nprose\n\n")
    assert text.endswith(f"{END}\n\nmore prose\n")
    assert "old table" not in text
    for name in BENCHMARKS:
        assert f"`{name}`" in text


def test_only_runs_the_named_benchmarks(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = run_harness("--tiny", "--only", "notice_pdf", "--json", str(out))
    assert done.returncode == 0, done.stderr
    rows = json.loads(out.read_text("utf-8"))
    assert [row["name"] for row in rows] == ["machine", "floor_notice_pdf", "notice_pdf"]


def test_from_json_renders_without_measuring(tmp_path: Path) -> None:
    source = tmp_path / "results.json"
    rows = [
        Result("machine", "facts", kind="machine", fields={"mode": "quick"}).to_json(),
        Result(
            "verify_sqlite",
            "verifications/s",
            fields={"per_second": 25_000, "ratio": 3.5},
            targets=(Target("per_second", ">=", 20_000), Target("ratio", "<=", 3)),
        ).to_json(),
    ]
    source.write_text(json.dumps(rows), "utf-8")
    target = tmp_path / "tables.md"
    done = run_harness("--from-json", str(source), "--markdown", str(target))
    assert done.returncode == 0, done.stderr
    assert target.read_text("utf-8") == render_markdown(rows)
    assert "**no**" in target.read_text("utf-8")


def test_unknown_benchmark_name_is_refused() -> None:
    done = run_harness("--tiny", "--only", "no_such_benchmark")
    assert done.returncode == 2
    assert "invalid choice" in done.stderr


@pytest.mark.postgres
def test_postgres_floor_runs_when_the_url_is_set(tmp_path: Path) -> None:
    if not os.environ.get("SURETY_TEST_POSTGRES_URL"):
        if os.environ.get("CI") == "true":
            pytest.fail("SURETY_TEST_POSTGRES_URL must be set in CI")
        pytest.skip("SURETY_TEST_POSTGRES_URL is not set")
    out = tmp_path / "results.json"
    done = run_harness(
        "--tiny", "--only", "verify_scale_postgres", "--json", str(out), postgres=True
    )
    assert done.returncode == 0, done.stderr
    by_name = {row["name"]: row for row in json.loads(out.read_text("utf-8"))}
    floor = by_name["floor_verify_scale_postgres"]
    assert is_number(floor["ratio"])
    assert floor["rows_large"] > floor["rows_small"]
    check_benchmark(by_name["verify_scale_postgres"])


@pytest.mark.postgres
@pytest.mark.slow
def test_four_process_postgres_figures_run_beside_their_floors(tmp_path: Path) -> None:
    if not os.environ.get("SURETY_TEST_POSTGRES_URL"):
        if os.environ.get("CI") == "true":
            pytest.fail("SURETY_TEST_POSTGRES_URL must be set in CI")
        pytest.skip("SURETY_TEST_POSTGRES_URL is not set")
    out = tmp_path / "results.json"
    names = ("verify_postgres_4proc", "issue_postgres_4proc")
    done = run_harness("--tiny", "--only", *names, "--json", str(out), postgres=True)
    assert done.returncode == 0, done.stderr
    by_name = {row["name"]: row for row in json.loads(out.read_text("utf-8"))}
    for name in names:
        check_benchmark(by_name[name])
        assert by_name[name]["processes"] == 4
        assert is_number(by_name[f"floor_{name}"]["per_second"])
        one = by_name[name.replace("_4proc", "_1proc")]
        check_benchmark(one)
        assert one["processes"] == 1
        expected = by_name[name]["per_second"] / max(one["per_second"], 1)
        assert by_name[name]["scale"] == pytest.approx(expected, rel=0.1, abs=0.05)


def test_skipped_result_has_no_verdict() -> None:
    result = Result("notice_pdf", "ms", targets=(Target("ms", "<=", 1.0),), skipped="not yet")
    assert result.meets_target is None
    assert result.to_json() == {
        "name": "notice_pdf",
        "unit": "ms",
        "kind": "benchmark",
        "skipped": "not yet",
        "targets": {"ms": "<= 1"},
    }


def test_missing_or_non_numeric_field_does_not_meet_target() -> None:
    target = (Target("ratio", "<=", 3),)
    assert Result("x", "ratio", fields={}, targets=target).meets_target is False
    assert Result("x", "ratio", fields={"ratio": True}, targets=target).meets_target is False
    assert Result("x", "ratio", fields={"ratio": 3}, targets=target).meets_target is True


finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)


@given(measured=finite, bound=finite)
def test_target_operators_agree_with_python(measured: float, bound: float) -> None:
    assert Target("f", "<=", bound).met_by(measured) == (measured <= bound)
    assert Target("f", "<", bound).met_by(measured) == (measured < bound)
    assert Target("f", ">=", bound).met_by(measured) == (measured >= bound)
    assert Target("f", ">", bound).met_by(measured) == (measured > bound)


@given(values=st.lists(finite, min_size=1, max_size=50), q=st.floats(0, 1), r=st.floats(0, 1))
def test_percentile_is_bounded_and_monotone(values: list[float], q: float, r: float) -> None:
    low, high = sorted((q, r))
    assert min(values) <= percentile(values, low) <= percentile(values, high) <= max(values)
    assert percentile(values, 0) == min(values)
    assert percentile(values, 1) == max(values)


def test_measure_times_every_case_the_planned_number_of_times() -> None:
    calls = {"a": 0, "b": 0}

    def case(name: str) -> Any:
        def run() -> None:
            calls[name] += 1

        return run

    stats = measure({"a": case("a"), "b": case("b")}, Plan(batch=10, repeat=5, warmup=2))
    assert calls == {"a": 7, "b": 7}
    assert all(s.runs == 5 and s.batch == 10 for s in stats.values())
    assert all(0 <= s.min_ns <= s.median_ns <= s.p90_ns for s in stats.values())


class StandInStore:
    """A raw-sqlite3 stand-in for the library's store, to drive the harness's library branch.

    It exercises the harness (population, sampling, interleaving, ratios, verdicts) before the
    library's store exists; it proves nothing about the library itself.
    """

    def __init__(self, path: Path) -> None:
        from benchmarks import floors

        self.conn = floors.open_sqlite(path)
        self.conn.execute("CREATE TABLE keys (number TEXT PRIMARY KEY, digest BLOB NOT NULL)")
        self.next = 0
        self.closed = False

    def issue(self, count: int) -> list[tuple[str, str]]:
        from benchmarks import _data, floors

        issued = []
        for _ in range(count):
            self.next += 1
            issued.append((_data.contract_number(self.next), _data.random_key()))
        with self.conn:
            self.conn.executemany(
                "INSERT INTO keys VALUES (?, ?)", [(n, floors.digest(k)) for n, k in issued]
            )
        return issued

    def close(self) -> None:
        self.closed = True
        self.conn.close()


def test_library_branch_reports_ratios_and_verdicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hmac

    from benchmarks import floors, library, suite

    stores: list[StandInStore] = []

    def open_store(path: Path) -> StandInStore:
        stores.append(StandInStore(path))
        return stores[-1]

    def populate(store: StandInStore, issuer: library.Issuer, count: int) -> list[tuple[str, str]]:
        return store.issue(count)

    def apply_batch(store: StandInStore, issuer: library.Issuer, count: int) -> list[str]:
        return [f"REF-{i}" for i in range(count)]

    def issue_batch(
        store: StandInStore, issuer: library.Issuer, references: list[str], *, collect: bool
    ) -> list[tuple[str, str]]:
        issued = store.issue(len(references))
        return issued if collect else []

    def verify(store: StandInStore, issuer: library.Issuer, number: str, key: str) -> bool:
        row = store.conn.execute("SELECT digest FROM keys WHERE number = ?", (number,)).fetchone()
        if row is None or not hmac.compare_digest(row[0], floors.digest(key)):
            raise AssertionError(number)
        return True

    monkeypatch.setattr(library, "open_sqlite_store", open_store)
    monkeypatch.setattr(
        library,
        "make_issuer",
        lambda: library.Issuer(lib={}, ring=None, secrets=None, protector=None),
    )
    monkeypatch.setattr(library, "populate", populate)
    monkeypatch.setattr(library, "apply_batch", apply_batch)
    monkeypatch.setattr(library, "issue_batch", issue_batch)
    monkeypatch.setattr(library, "verify", verify)
    monkeypatch.setattr(library, "verify_key_only", verify)
    monkeypatch.setattr(library, "notice_builder", floors.reportlab_notice_builder)

    config = suite.config_for("tiny", tmp_path, None)
    names = ("verify_sqlite", "issue_sqlite", "notice_pdf", "verify_scale_sqlite")
    rows = [
        r.to_json() for n in names for r in suite.BENCHMARKS[n].run(config, suite.BENCHMARKS[n])
    ]
    by_name = {row["name"]: row for row in rows}
    for name in names:
        check_benchmark(by_name[name])
        assert "skipped" not in by_name[name]
    assert by_name["verify_scale_sqlite"]["rows_large"] == config.scale_large
    assert by_name["verify_sqlite"]["rows"] == config.verify_rows
    assert by_name["verify_sqlite"]["floor"] == "floor_verify_audited"
    assert by_name["issue_sqlite"]["floor"] == "floor_issue_full"
    assert is_number(by_name["floor_verify_audited"]["cpu_median_us"])
    assert is_number(by_name["floor_issue_full"]["cpu_median_us"])
    assert all(store.closed for store in stores)
    assert len(stores) == 4  # verify, issue, and both scale sizes


def test_missing_library_name_is_reported_as_missing() -> None:
    from benchmarks import library

    with pytest.raises(ImportError, match="has no no_such_name"):
        library._need("surety_core", "no_such_name")
    with pytest.raises(ImportError, match="not importable"):
        library._need("surety_core.no_such_module")
