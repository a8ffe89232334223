"""The benchmark suite of surety_core (not part of the installed package).

Run it with ``python -m benchmarks`` (or ``nox -s bench``). Every library figure is measured beside
its raw floor in the same run; see ``docs/performance.md`` for what each figure means.
"""

from __future__ import annotations

from benchmarks._results import Result, Target

__all__ = ["Result", "Target"]
