"""The host example in docs/storage.md runs, in full, as a test module of its own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "storage.md"


def _example(name: str) -> str:
    blocks: list[str] = re.findall(
        r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S
    )
    found = [block for block in blocks if block.startswith(f"# {name}\n")]
    assert len(found) == 1, f"docs/storage.md has no single block starting '# {name}'"
    return found[0]


@pytest.mark.slow
def test_host_store_example_passes_the_whole_contract_suite(tmp_path: Path) -> None:
    module = tmp_path / "test_host_store.py"
    module.write_text(_example("test_host_store.py"), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(module)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    counted = re.search(r"(\d+) passed", summary)
    assert counted is not None, summary
    assert int(counted.group(1)) >= 80, summary
    assert "failed" not in summary
    assert "skipped" not in summary
