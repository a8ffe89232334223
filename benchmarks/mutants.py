"""Mutation testing of the storage contract suite: plant realistic bugs in a copy of the
in-memory store and count how many the suite catches.

Run ``python -m benchmarks.mutants`` (about a minute and a half). Each mutant is a copy of
``storage/_memory.py`` with one bug planted by text replacement; the whole
:class:`~surety_core.testing.contract.StoreContract` suite runs against it in a fresh pytest
process, and a mutant is *killed* when the suite fails. The unmutated copy must pass first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "surety_core" / "storage" / "_memory.py"

TEST_MODULE = """
import pytest
from mutant_store import MemoryStore
from surety_core.testing.contract import StoreContract


class TestMutant(StoreContract):
    @pytest.fixture
    def store(self):
        store = MemoryStore()
        yield store
        store.close()
"""

_REPLAY = """            fresh = _View(state)
            for fn, args in journal:
                fn(fresh, *args)
            fresh.merge()"""

MUTANTS: dict[str, list[tuple[str, str]]] = {
    # Checks made when the call is made, but not again at commit: the unit's own overlay is
    # merged as it stands.
    "no re-check at commit (overlay merged as read)": [
        (
            "        journal, self._journal = self._journal, []\n        self._view = _View(",
            "        journal, self._journal = self._journal, []\n        own = self._view\n"
            "        self._view = _View(",
        ),
        (_REPLAY, "            own.merge()"),
    ],
    "a lost optimistic race is skipped, the rest commits": [
        (
            _REPLAY,
            """            fresh = _View(state)
            for fn, args in journal:
                try:
                    fn(fresh, *args)
                except ConcurrencyConflictError:
                    continue
            fresh.merge()""",
        ),
    ],
    "commit applies write by write (not all or nothing)": [
        (
            _REPLAY,
            """            for fn, args in journal:
                fresh = _View(state)
                fn(fresh, *args)
                fresh.merge()""",
        ),
    ],
    "a rolled-back unit gives its number back": [
        (
            '            self._state = "rolled back"\n            return',
            '            self._state = "rolled back"\n'
            "            self._store._state.next_number -= 1\n            return",
        ),
    ],
    "application references compared without case": [
        ('view.get("applications", reference)', 'view.get("applications", reference.upper())'),
        (
            'view.get("applications", application.reference)',
            'view.get("applications", application.reference.upper())',
        ),
        (
            'view.put("applications", application.reference, application)',
            'view.put("applications", application.reference.upper(), application)',
        ),
    ],
    "works numbers compared without blanks or case": [
        (
            "contract.obligee.code == obligee_code and contract.works.number == works_number\n"
            "            ]",
            "contract.obligee.code == obligee_code\n"
            "                and contract.works.number.strip().lower()\n"
            "                == works_number.strip().lower()\n"
            "            ]",
        ),
    ],
    "issued_to treated as exclusive": [
        (
            "if query.matches(contract)]",
            "if query.matches(contract)\n"
            "                and (query.issued_to is None\n"
            "                     or contract.issued_on < query.issued_to)]",
        ),
    ],
    "next_attempt_at treated as exclusive": [
        (
            "message.next_attempt_at is None or message.next_attempt_at <= now)",
            "message.next_attempt_at is None or message.next_attempt_at < now)",
        ),
    ],
    "a second active key accepted": [
        ("if record.status is KeyStatus.ACTIVE and any(", "if False and any("),
    ],
    "limiter state not re-checked at commit": [
        ('changed = state.tables["attempts"].get(read[1]) is not seen', "changed = False"),
    ],
    "a works' contracts not re-checked at commit": [
        ("changed = _works_snapshot(state, read[1], read[2]) != seen", "changed = False"),
    ],
    "an outbox claim not re-checked at commit": [
        (
            "    if current is not seen:\n        raise TransactionConflictError",
            "    if False:\n        raise TransactionConflictError",
        ),
    ],
    "writes after the block silently accepted": [
        (
            "    def _write(self, fn: Callable[..., None], *args: Any) -> None:\n"
            "        self._check_open()\n",
            "    def _write(self, fn: Callable[..., None], *args: Any) -> None:\n"
            '        if self._state != "open":\n            return\n',
        ),
    ],
    "a unit of work can be entered twice": [
        (
            '        if self._state != "new":\n            raise InvalidInputError(None, "a unit',
            '        if self._state == "open":\n            raise InvalidInputError(None, "a unit',
        ),
    ],
    "last_error kept whole": [
        (
            'view.put("outbox", key, c.failed(message, error, next_attempt_at))',
            'view.put("outbox", key, attrs.evolve(c.failed(message, error, next_attempt_at), '
            "last_error=error))",
        ),
    ],
    "mark_failed ignores a failed message": [
        (
            "    message = _outbox_get(view, key)\n"
            "    if message.status is not OutboxStatus.SENT:\n"
            '        view.put("outbox", key, c.failed(',
            "    message = _outbox_get(view, key)\n    if message.status is OutboxStatus.PENDING:\n"
            '        view.put("outbox", key, c.failed(',
        ),
    ],
}


def _mutate(source: str, edits: list[tuple[str, str]], name: str) -> str:
    for old, new in edits:
        if source.count(old) != 1:
            raise SystemExit(f"mutant {name!r}: the text to replace occurs {source.count(old)}x")
        source = source.replace(old, new)
    return source


def _run_suite(folder: Path, code: str, timeout: float) -> tuple[bool, str]:
    (folder / "mutant_store.py").write_text(code, encoding="utf-8")
    (folder / "test_mutant.py").write_text(TEST_MODULE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), *sys.path])}
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-x",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:randomly",
                "test_mutant.py",
            ],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, "timed out (counted as killed: the suite hung)"
    lines = result.stdout.strip().splitlines()
    failed = [line for line in lines if line.startswith("FAILED")]
    return result.returncode == 0, (failed[0] if failed else (lines[-1] if lines else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the mutants whose name contains this text")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args(argv)
    source = SOURCE.read_text(encoding="utf-8")
    chosen = {k: v for k, v in MUTANTS.items() if not args.only or args.only in k}
    with tempfile.TemporaryDirectory(prefix="surety-mutants-") as tmp:
        folder = Path(tmp)
        passed, detail = _run_suite(folder, source, args.timeout)
        if not passed:
            print(f"the unmutated copy fails the suite: {detail}")
            return 2
        killed = 0
        for name, edits in chosen.items():
            started = time.perf_counter()
            survived, detail = _run_suite(folder, _mutate(source, edits, name), args.timeout)
            killed += not survived
            verdict = "SURVIVED" if survived else "killed"
            print(f"{verdict:8} {name} ({time.perf_counter() - started:.0f} s) {detail[:120]}")
        print(f"mutation score: {killed}/{len(chosen)} killed")
        return 0 if killed == len(chosen) else 1


if __name__ == "__main__":
    raise SystemExit(main())
