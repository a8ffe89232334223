"""Timing: warm-up, repeated runs, median and p90 of wall time (``time.perf_counter_ns``) and of
the measuring thread's CPU time (``time.thread_time_ns``).

Every case runs on the measuring thread (SQLite and the crypto run in it too), so its CPU time is
the work the case did, whatever else the machine was doing; wall time adds waiting (other
processes on the cores, the disk). Ratios to a floor are taken on CPU time (``ratio``) and on
wall time (``ratio_wall``).

A *case* is a zero-argument callable that performs ``batch`` operations. Cases measured together
are interleaved run by run (A B A B …, the order rotating), so a change in machine load during the
measurement hits the library and its floor alike and their ratio stays meaningful.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["Plan", "Stats", "measure", "percentile", "ratio", "ratios"]


@dataclass(frozen=True)
class Plan:
    """How long to measure: ``warmup`` untimed runs, then ``repeat`` timed runs of ``batch`` ops."""

    batch: int
    repeat: int
    warmup: int


@dataclass(frozen=True)
class Stats:
    """Nanoseconds per operation over the timed runs: wall time, and the thread's CPU time."""

    median_ns: float
    p90_ns: float
    min_ns: float
    runs: int
    batch: int
    cpu_median_ns: float = 0.0
    cpu_p90_ns: float = 0.0
    cpu_min_ns: float = 0.0

    @property
    def per_second(self) -> float:
        return 1e9 / self.median_ns if self.median_ns > 0 else float("inf")

    def as_fields(self, prefix: str = "") -> dict[str, float | int]:
        """JSON fields: ``median_us``, ``p90_us``, ``min_us`` (wall, in µs), ``cpu_median_us``,
        ``cpu_p90_us``, ``cpu_min_us`` (thread CPU time, in µs), ``runs``, ``batch``."""
        return {
            f"{prefix}median_us": round(self.median_ns / 1000, 3),
            f"{prefix}p90_us": round(self.p90_ns / 1000, 3),
            f"{prefix}min_us": round(self.min_ns / 1000, 3),
            f"{prefix}cpu_median_us": round(self.cpu_median_ns / 1000, 3),
            f"{prefix}cpu_p90_us": round(self.cpu_p90_ns / 1000, 3),
            f"{prefix}cpu_min_us": round(self.cpu_min_ns / 1000, 3),
            f"{prefix}runs": self.runs,
            f"{prefix}batch": self.batch,
        }


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator`` rounded to 3 places (``inf`` for a zero denominator)."""
    return round(numerator / denominator, 3) if denominator > 0 else float("inf")


def ratios(library: Stats, floor: Stats) -> dict[str, float]:
    """``ratio`` (median thread CPU time, library over floor) and ``ratio_wall`` (median wall)."""
    return {
        "ratio": ratio(library.cpu_median_ns, floor.cpu_median_ns),
        "ratio_wall": ratio(library.median_ns, floor.median_ns),
    }


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by linear interpolation between closest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    value = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
    return min(max(value, ordered[low]), ordered[high])  # no rounding past a neighbour


def measure(cases: Mapping[str, Callable[[], object]], plan: Plan) -> dict[str, Stats]:
    """Time every case ``plan.repeat`` times after ``plan.warmup`` untimed runs, interleaved."""
    names = list(cases)
    for _ in range(plan.warmup):
        for name in names:
            cases[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    cpu_samples: dict[str, list[float]] = {name: [] for name in names}
    gc.collect()
    clock = time.perf_counter_ns
    cpu_clock = time.thread_time_ns
    for run in range(plan.repeat):
        shift = run % len(names)
        for name in names[shift:] + names[:shift]:
            case = cases[name]
            start_cpu = cpu_clock()
            start = clock()
            case()
            end = clock()
            end_cpu = cpu_clock()
            samples[name].append((end - start) / plan.batch)
            cpu_samples[name].append((end_cpu - start_cpu) / plan.batch)
    return {
        name: Stats(
            median_ns=statistics.median(values),
            p90_ns=percentile(values, 0.9),
            min_ns=min(values),
            runs=len(values),
            batch=plan.batch,
            cpu_median_ns=statistics.median(cpu_samples[name]),
            cpu_p90_ns=percentile(cpu_samples[name], 0.9),
            cpu_min_ns=min(cpu_samples[name]),
        )
        for name, values in samples.items()
    }
