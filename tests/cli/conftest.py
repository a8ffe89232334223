"""Fixtures for the ``surety`` command: a demo folder and the keys its key notices print."""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import attrs
import pytest
from pypdf import PdfReader

from surety_core.cli import main
from surety_core.keys import DEVELOPMENT_SECRET_ENV

KEY_LINE = re.compile(r"認証キー ([0-9A-Z]{4}(?:-[0-9A-Z]{4}){4})")


def pdf_text(path: Path) -> str:
    """The text pypdf extracts from every page of ``path``."""
    reader = PdfReader(BytesIO(path.read_bytes()))
    return "\n".join(page.extract_text() for page in reader.pages)


def key_from_notice(path: Path) -> str:
    """The key printed on a key notice PDF (as the contractor would read it)."""
    found = KEY_LINE.search(pdf_text(path))
    assert found is not None, "the key notice prints no key"
    return found.group(1)


@attrs.frozen
class Demo:
    """A folder written by ``surety demo`` and what the tests need from it."""

    out: Path
    contract_number: str
    advance_number: str
    paper_number: str
    contract_key: str
    advance_key: str

    @property
    def db(self) -> str:
        return str(self.out / "surety.db")


def run_demo(out: Path) -> Demo:
    assert main(["demo", "--out", str(out)]) == 0
    numbers = {p.stem: p for p in (out / "notices").glob("*.pdf")}
    contract_number, advance_number = sorted(numbers)
    return Demo(
        out=out,
        contract_number=contract_number,
        advance_number=advance_number,
        paper_number="0000000003",
        contract_key=key_from_notice(numbers[contract_number]),
        advance_key=key_from_notice(numbers[advance_number]),
    )


@pytest.fixture(autouse=True)
def _no_secret_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DEVELOPMENT_SECRET_ENV, raising=False)


@pytest.fixture(scope="module")
def shared_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """One demo run shared by the read-only tests of a module (at most one wrong key each)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(DEVELOPMENT_SECRET_ENV, raising=False)
        yield run_demo(tmp_path_factory.mktemp("shared") / "demo")


@pytest.fixture
def demo(tmp_path: Path) -> Demo:
    """A demo run of its own, for tests that change the database."""
    return run_demo(tmp_path / "demo")
