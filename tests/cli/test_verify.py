"""``surety verify``: the obligee's view and its exit codes (0 shown, 1 rejected, 2 bad input)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from surety_core.cli import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, EXIT_REJECTED, main
from surety_core.keys import ALPHABET, DEVELOPMENT_SECRET_ENV
from surety_core.storage.sql import sqlite_store

from .conftest import Demo


def _verify(demo: Demo, number: str, key: str, *extra: str) -> int:
    return main(["verify", "--db", demo.db, "--number", number, "--key", key, *extra])


def _typo(key: str) -> str:
    wrong = next(c for c in ALPHABET if c != key[0])
    return wrong + key[1:]


def _failed_attempts(demo: Demo) -> int:
    store = sqlite_store(demo.db, upgrade=False)
    try:
        with store.unit_of_work() as uow:
            return [e.action for e in uow.audit.events()].count("verify_failed")
    finally:
        store.close()


def test_the_right_key_shows_the_certificate_with_status_and_versions(
    shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _verify(shared_demo, shared_demo.advance_number, shared_demo.advance_key) == EXIT_OK
    out = capsys.readouterr().out
    assert shared_demo.advance_number in out
    assert "前払金保証" in out
    assert "有効 (issued)" in out
    assert "2 of 2" in out
    assert "36,000,000円" in out
    assert "40,000,000円" in out  # version 1 in the history
    assert "請負代金額の減額" in out
    assert "valid, 2 signed version(s) chained" in out
    assert shared_demo.advance_key not in out


def test_keys_are_typed_loosely_like_from_paper(
    shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    loose = shared_demo.contract_key.lower().replace("-", " ")
    number = "".join(chr(ord(c) + 0xFEE0) for c in shared_demo.contract_number)  # full width
    assert _verify(shared_demo, number, loose) == EXIT_OK
    assert "契約保証" in capsys.readouterr().out


def test_a_wrong_key_is_the_opaque_rejection(
    demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _verify(demo, demo.advance_number, demo.contract_key) == EXIT_REJECTED
    wrong = capsys.readouterr()
    assert wrong.out == ""
    assert wrong.err.strip().splitlines()[-1] == "rejected: verification failed"
    assert _verify(demo, "9999999999", demo.contract_key) == EXIT_REJECTED
    unknown = capsys.readouterr()
    assert unknown.err.strip().splitlines()[-1] == "rejected: verification failed"


def test_a_typo_is_bad_input_and_nothing_is_looked_up(
    demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _failed_attempts(demo)
    assert _verify(demo, demo.advance_number, _typo(demo.advance_key)) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "check character" in err
    assert "typo" in err
    assert "nothing was looked up" in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert _failed_attempts(demo) == before


def test_a_typo_is_caught_even_without_a_database(
    tmp_path: Path, shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "none.db")
    code = main(["verify", "--db", missing, "--number", "1", "--key", "x"])
    assert code == EXIT_BAD_INPUT
    assert "nothing was looked up" in capsys.readouterr().err
    bad = _typo(shared_demo.advance_key)
    assert main(["verify", "--db", missing, "--number", "0000000001", "--key", bad]) == 2
    assert not Path(missing).exists()


def test_the_limiter_refuses_even_the_right_key(
    demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(5):
        assert _verify(demo, demo.advance_number, demo.contract_key) == EXIT_REJECTED
    assert _verify(demo, demo.advance_number, demo.advance_key) == EXIT_REJECTED
    assert "too many failed attempts" in capsys.readouterr().err
    # Only that number is locked.
    assert _verify(demo, demo.contract_number, demo.contract_key) == EXIT_OK


def test_a_missing_database_is_bad_input(
    tmp_path: Path, shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "none.db"
    args = ["verify", "--db", str(db), "--number", shared_demo.advance_number]
    assert main([*args, "--key", shared_demo.advance_key]) == EXIT_BAD_INPUT
    assert "no database file" in capsys.readouterr().err
    assert not db.exists()


def test_secrets_from_the_option_or_the_environment(
    tmp_path: Path,
    shared_demo: Demo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    moved = tmp_path / "elsewhere.db"
    shutil.copy(shared_demo.db, moved)
    args = ["verify", "--db", str(moved), "--number", shared_demo.advance_number]
    args += ["--key", shared_demo.advance_key]
    assert main(args) == EXIT_FAILED  # no secrets beside the copy
    err = capsys.readouterr().err
    assert "no secrets found" in err
    assert "--secrets" in err
    secret = shared_demo.out / "secrets" / "dev-secret"
    assert main([*args, "--secrets", str(secret)]) == EXIT_OK
    capsys.readouterr()
    monkeypatch.setenv(DEVELOPMENT_SECRET_ENV, secret.read_text(encoding="ascii").strip())
    assert main(args) == EXIT_OK
    assert "signature" in capsys.readouterr().out
    assert main([*args, "--secrets", str(secret)]) == EXIT_BAD_INPUT  # both: ambiguous


def test_the_signature_is_checked_with_the_given_key_set(
    tmp_path: Path, shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    ring = tmp_path / "other.json"
    assert main(["keys", "generate", "--out", str(ring)]) == EXIT_OK
    assert main(["keys", "export", "--ring", str(ring), "--out", str(tmp_path / "k.json")]) == 0
    capsys.readouterr()
    args = ["--trust", str(tmp_path / "k.json")]
    code = _verify(shared_demo, shared_demo.contract_number, shared_demo.contract_key, *args)
    assert code == EXIT_REJECTED
    assert "signed certificate does not verify with" in capsys.readouterr().err


def test_debug_shows_the_traceback(shared_demo: Demo, capsys: pytest.CaptureFixture[str]) -> None:
    # the traceback as well as the line, and the same exit status as without --debug
    for args in (
        ["--debug", "verify", "--db", shared_demo.db, "--number", "1" * 10, "--key", "x"],
        ["verify", "--db", shared_demo.db, "--number", "1" * 10, "--key", "x", "--debug"],
    ):
        assert main(args) == EXIT_BAD_INPUT
        err = capsys.readouterr().err
        assert "Traceback" in err
        assert "KeyFormatError" in err
        assert err.rstrip().splitlines()[-1].startswith("bad key:")
