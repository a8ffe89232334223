"""Result objects, targets and the machine facts recorded with every run."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Literal

__all__ = ["JSONValue", "Result", "Target", "is_loaded", "machine_facts"]

JSONValue = str | int | float | bool | None | list["JSONValue"] | dict[str, "JSONValue"]
Kind = Literal["benchmark", "floor", "machine"]


@dataclass(frozen=True)
class Target:
    """A bound on one measured field, e.g. ``Target("ratio", "<=", 3)``."""

    field: str
    op: Literal["<=", "<", ">=", ">"]
    value: float

    def met_by(self, measured: float) -> bool:
        if self.op == "<=":
            return measured <= self.value
        if self.op == "<":
            return measured < self.value
        if self.op == ">=":
            return measured >= self.value
        return measured > self.value

    def __str__(self) -> str:
        value = int(self.value) if float(self.value).is_integer() else self.value
        return f"{self.op} {value}"


@dataclass(frozen=True)
class Result:
    """One object of the JSON list: ``name``, ``unit``, ``kind`` and the measured fields.

    A benchmark with targets gets ``targets`` and ``meets_target`` (all targets met), computed
    from the measured fields; a benchmark that could not run carries ``skipped`` (the reason)
    instead of numbers.
    """

    name: str
    unit: str
    kind: Kind = "benchmark"
    fields: dict[str, JSONValue] = field(default_factory=dict)
    targets: tuple[Target, ...] = ()
    skipped: str | None = None

    @property
    def meets_target(self) -> bool | None:
        if self.skipped is not None or not self.targets:
            return None
        for target in self.targets:
            measured = self.fields.get(target.field)
            if not isinstance(measured, int | float) or isinstance(measured, bool):
                return False
            if not target.met_by(float(measured)):
                return False
        return True

    def to_json(self) -> dict[str, JSONValue]:
        data: dict[str, JSONValue] = {"name": self.name, "unit": self.unit, "kind": self.kind}
        if self.skipped is not None:
            data["skipped"] = self.skipped
        else:
            data.update(self.fields)
        if self.targets:
            data["targets"] = {t.field: str(t) for t in self.targets}
            if self.skipped is None:
                data["meets_target"] = self.meets_target
        return data


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _git_commit() -> str | None:
    root = Path(__file__).resolve().parent.parent
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return platform.processor() or None


def is_loaded(averages: tuple[float, float, float] | None, cores: int) -> bool:
    """Whether a run starts on a loaded machine: 1-minute load average above the core count."""
    return averages is not None and averages[0] > cores


def machine_facts(mode: str) -> Result:
    """The facts a reader needs to judge the numbers (recorded as the first JSON object)."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    try:
        averages = os.getloadavg()
    except OSError:
        averages = None
    load: JSONValue = None if averages is None else [round(x, 2) for x in averages]
    cores = os.cpu_count() or usable
    facts: dict[str, JSONValue] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": mode,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "load_average_at_start": load,
        # Flagged when the 1-minute load average exceeds the cores: other work was competing for
        # them, so wall times (and, through cache and frequency effects, CPU times) are inflated.
        "loaded": is_loaded(averages, cores),
        "load_1min": None if averages is None else round(averages[0], 2),
        "cores": cores,
        "sqlite": sqlite3.sqlite_version,
        "surety_core": _version("surety-core"),
        "cryptography": _version("cryptography"),
        "reportlab": _version("reportlab"),
        "sqlalchemy": _version("sqlalchemy"),
        "psycopg": _version("psycopg"),
        "commit": _git_commit(),
        "executable": sys.executable,
    }
    return Result(name="machine", unit="facts", kind="machine", fields=facts)
