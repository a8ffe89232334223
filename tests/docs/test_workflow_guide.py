"""The workflow guide's example runs as written, and the service it builds works."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from surety_core.services import SuretyService

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "workflow.md"


def test_setup_example_builds_a_working_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)
    assert blocks, "the guide lost its example"
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], str(GUIDE), "exec"), namespace)
    service = namespace["service"]
    assert isinstance(service, SuretyService)
    assert (tmp_path / "surety.db").exists()


def test_integration_policy_example_reads_host_rows() -> None:
    text = (GUIDE.parent / "integration.md").read_text(encoding="utf-8")
    block = re.findall(r"```python\n(.*?)```", text, flags=re.S)[0]
    namespace: dict[str, object] = {}
    exec(compile(block, "integration.md", "exec"), namespace)
    table_cls = namespace["PolicyTable"]
    assert callable(table_cls)
    from datetime import date
    from fractions import Fraction

    table = table_cls({"kashiwa": (date(2025, 1, 1), "3/10")})
    policy = table.policy_for("kashiwa")
    assert policy.contract_min_share == Fraction(3, 10)
    assert policy.electronic_from == date(2025, 1, 1)
    assert table.policy_for("elsewhere").electronic_from is None


def test_readme_example_issues_and_views(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = GUIDE.parents[1] / "README.md"
    block = re.findall(r"```python\n(.*?)```", readme.read_text(encoding="utf-8"), flags=re.S)[0]
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README.md", "exec"), {})
    number, status, product = capsys.readouterr().out.split()
    assert number == "0000000001"
    assert status in {"issued", "expired"}  # expired once the example's period is over
    assert product == "前払金保証"
