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


def _run_readme(block: str, capsys: pytest.CaptureFixture[str]) -> tuple[list[str], object]:
    from surety_core import DevelopmentSecretWarning

    namespace: dict[str, object] = {}
    code = compile(block, "README.md", "exec")
    with pytest.warns(DevelopmentSecretWarning, match="surety-dev.db"):
        exec(code, namespace)
    return capsys.readouterr().out.split(), namespace["issued"]


def test_readme_example_runs_again_and_again_on_the_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from surety_core import DevelopmentSecretWarning, development_service
    from surety_core.certificates import verify_certificate

    readme = GUIDE.parents[1] / "README.md"
    block = re.findall(r"```python\n(.*?)```", readme.read_text(encoding="utf-8"), flags=re.S)[0]
    assert len(block.strip().splitlines()) <= 11, "the README example is ten lines of code"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SURETY_CORE_DEV_SECRET", raising=False)
    runs = [_run_readme(block, capsys) for _ in range(3)]
    assert runs[0][0] == ["契約保証", "0000000001", "前払金保証", "0000000002"]
    assert runs[2][0] == ["契約保証", "0000000005", "前払金保証", "0000000006"]
    # a later run keeps the secrets and the signing keys: the first run's keys still open
    # their guarantees, and its certificates still verify
    with pytest.warns(DevelopmentSecretWarning, match="kept"):
        again = development_service("surety-dev.db")
    for g in runs[0][1].guarantees:  # type: ignore[attr-defined]
        assert again.view(g.contract.number, g.key.reveal()).number == g.contract.number
        verify_certificate(g.certificate.document, again.trusted_keys)
    assert (tmp_path / "secrets" / "dev-secret").stat().st_mode & 0o077 == 0
