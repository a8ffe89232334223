"""The command line's front door: ``--version``, help on bare ``surety``, a wrong secret file
told apart from a wrong key (and never counted), ``surety unlock``, an empty database file,
``--db`` everywhere, ``--debug`` keeping the exit status, shell-quoted demo commands."""

from __future__ import annotations

import secrets
import shlex
from pathlib import Path

import pytest

from surety_core import __version__
from surety_core.cli import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, EXIT_REJECTED, main
from surety_core.keys import generate_key
from surety_core.storage.sql import sqlite_store

from .conftest import Demo, run_demo


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == EXIT_OK
    assert capsys.readouterr().out.strip() == f"surety {__version__}"


def test_bare_surety_prints_the_help_with_the_usage_status(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == EXIT_BAD_INPUT
    out = capsys.readouterr().out
    assert out.startswith("usage: surety")
    assert "unlock" in out
    assert "exit status" in out


def _verify(demo: Demo, key: str, *extra: str) -> list[str]:
    return ["verify", "--db", demo.db, "--number", demo.advance_number, "--key", key, *extra]


def test_a_wrong_secret_file_is_told_apart_and_never_counted(
    tmp_path: Path, demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = tmp_path / "wrong-secret"
    wrong.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
    with sqlite_store(demo.db, upgrade=False).unit_of_work() as uow:
        before = uow.attempts.get(demo.advance_number)  # the demo's own wrong key
    for _ in range(8):  # more than the limiter's five failures
        assert main(_verify(demo, demo.advance_key, "--secrets", str(wrong))) == EXIT_FAILED
        assert "these secrets do not match this database" in capsys.readouterr().err
    with sqlite_store(demo.db, upgrade=False).unit_of_work() as uow:
        assert uow.attempts.get(demo.advance_number) == before  # nothing was counted
    assert main(_verify(demo, demo.advance_key)) == EXIT_OK  # the right secret still opens
    unknown = ["verify", "--db", demo.db, "--number", "0000000099", "--key", demo.advance_key]
    assert main([*unknown, "--secrets", str(wrong)]) == EXIT_FAILED  # any number, not counted
    assert "these secrets do not match this database" in capsys.readouterr().err
    with sqlite_store(demo.db, upgrade=False).unit_of_work() as uow:
        assert uow.attempts.get("0000000099") is None


def test_unlock_clears_a_lock_and_is_audited(
    demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong_key = generate_key().reveal()
    for _ in range(5):
        assert main(_verify(demo, wrong_key)) == EXIT_REJECTED
    assert main(_verify(demo, demo.advance_key)) == EXIT_REJECTED  # locked, even the right key
    assert "too many failed attempts" in capsys.readouterr().err
    args = ["unlock", "--db", demo.db, "--number", demo.advance_number]
    assert main(args) == EXIT_OK
    assert "attempts cleared" in capsys.readouterr().out
    assert main(_verify(demo, demo.advance_key)) == EXIT_OK
    with sqlite_store(demo.db, upgrade=False).unit_of_work() as uow:
        events = [e for e in uow.audit.events() if e.action == "attempts_cleared"]
    assert [(e.subject, e.actor) for e in events] == [(demo.advance_number, "operator")]
    assert main([*args, "--actor", "someone"]) == EXIT_OK
    assert "nothing to clear" in capsys.readouterr().out
    assert main(["unlock", "--db", demo.db, "--number", "12"]) == EXIT_BAD_INPUT
    assert "--number" in capsys.readouterr().err


def test_an_empty_database_file_points_to_db_init(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "my folder" / "empty.db"
    empty.parent.mkdir()
    empty.touch()
    key = generate_key().reveal()
    args = ["verify", "--db", str(empty), "--number", "0000000001", "--key", key]
    assert main(args) == EXIT_BAD_INPUT  # the file named is not a database: bad input
    err = capsys.readouterr().err
    assert "--db" in err
    assert str(empty) in err
    assert "create_schema" not in err
    assert f"surety db init --db {shlex.quote(str(empty))}" in err
    assert main(["db", "init", "--db", str(empty)]) == EXIT_OK  # --db, as everywhere
    assert main(["db", "upgrade", "--url", str(empty)]) == EXIT_OK  # the old name still works


def test_debug_shows_the_traceback_and_keeps_the_exit_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["notice", "--db", str(tmp_path / "absent.db"), "--number", "0000000001"]
    args += ["--out", str(tmp_path / "n.pdf")]
    assert main(args) == EXIT_BAD_INPUT
    assert "Traceback" not in capsys.readouterr().err
    assert main(["--debug", *args]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert "no database file" in err


def test_the_demo_prints_commands_that_paste_with_a_space_in_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = run_demo(tmp_path / "my demo")
    lines = [x.strip() for x in capsys.readouterr().out.splitlines()]
    verify = next(x for x in lines if x.startswith("surety verify"))
    argv = shlex.split(verify.replace("XXXX-XXXX-XXXX-XXXX-XXXX", demo.advance_key))[1:]
    assert argv[argv.index("--db") + 1] == demo.db
    assert main(argv) == EXIT_OK
    check = next(x for x in lines if x.startswith("surety check-pdf"))
    assert main(shlex.split(check)[1:]) == EXIT_OK


def test_verify_json_has_the_documented_shape(
    demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    assert main([*_verify(demo, demo.advance_key), "--json"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "surety.verify/1"
    assert data["number"] == demo.advance_number
    assert data["product"] == "advance_payment"
    assert data["status"] in {"issued", "expired"}
    assert data["current_version"] == len(data["versions"]) == 2
    assert data["amount"] == 36_000_000
    assert data["signature"] == {"checked": True, "chained_versions": 2}
    assert set(data) == {
        "format", "number", "product", "product_name", "status", "current_version", "amount",
        "period", "works", "obligee", "principal", "surety", "medium", "signature",
        "viewed_at", "versions",
    }  # fmt: skip
    assert demo.advance_key not in json.dumps(data)
    assert main([*_verify(demo, generate_key().reveal()), "--json"]) == EXIT_REJECTED


def test_bash_completion_completes_commands_and_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil
    import subprocess

    assert main(["completion", "bash"]) == EXIT_OK
    script = tmp_path / "surety.bash"
    script.write_text(capsys.readouterr().out, encoding="utf-8")
    bash = shutil.which("bash")
    assert bash is not None
    probe = (
        f"source {shlex.quote(str(script))}\n"
        'COMP_WORDS=(surety un); COMP_CWORD=1; _surety; echo "${COMPREPLY[*]}"\n'
        "COMP_WORDS=(surety verify --db x.db --js); COMP_CWORD=4; _surety; "
        'echo "${COMPREPLY[*]}"\n'
        'COMP_WORDS=(surety db init --); COMP_CWORD=3; _surety; echo "${COMPREPLY[*]}"\n'
    )
    out = subprocess.run(
        [bash, "--norc", "-c", probe], capture_output=True, text=True, check=True, timeout=30
    ).stdout.splitlines()
    assert out[0] == "unlock"
    assert out[1] == "--json"
    assert "--db" in out[2].split()
    assert main(["completion", "zsh"]) == EXIT_BAD_INPUT


def test_messages_name_flags_not_fields(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "generate", "--out", str(tmp_path / "r.json"), "--kid", "é"]) == 2
    err = capsys.readouterr().err
    assert "--kid" in err
    assert " kid:" not in err


def _bad_database(kind: str, folder: Path) -> Path:
    path = folder / f"bad {kind}.db"
    if kind == "text":
        path.write_text("not a database\n", encoding="ascii")
    elif kind == "pdf":
        path.write_bytes(b"%PDF-1.7\n%%EOF\n")
    elif kind == "empty":
        path.touch()
    elif kind == "folder":
        path.mkdir()
    elif kind == "foreign":  # a real SQLite database, but not one of ours
        import sqlite3

        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE t (x)")
        connection.commit()
        connection.close()
    return path


_DB_COMMANDS = {
    "verify": ["verify", "--number", "0000000001", "--key", generate_key().reveal()],
    "notice": ["notice", "--number", "0000000001", "--out", "OUT"],
    "audit": ["audit", "verify"],
    "unlock": ["unlock", "--number", "0000000001"],
    "serve": ["serve", "--port", "0"],
    "db upgrade": ["db", "upgrade"],
}


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        (command, kind)
        for command in sorted(_DB_COMMANDS)
        for kind in ("text", "pdf", "empty", "folder", "foreign")
        # db upgrade creates the schema in an empty or a foreign SQLite file
        if not (command == "db upgrade" and kind in ("empty", "foreign"))
    ],
)
def test_a_bad_database_file_is_bad_input_naming_the_option_and_path(
    command: str, kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _bad_database(kind, tmp_path)
    args = [str(tmp_path / "n.pdf") if x == "OUT" else x for x in _DB_COMMANDS[command]]
    before = path.read_bytes() if path.is_file() else None
    assert main([*args, "--db", str(path)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("error: --db: ")
    assert str(path) in err
    assert "Traceback" not in err
    if before is not None:
        assert path.read_bytes() == before  # nothing was written into the file named
    assert not (tmp_path / "n.pdf").exists()


def test_db_init_fills_an_empty_file_and_refuses_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = _bad_database("empty", tmp_path)
    assert main(["db", "init", "--db", str(empty)]) == EXIT_OK
    capsys.readouterr()
    for kind in ("text", "pdf", "folder"):
        path = _bad_database(kind, tmp_path)
        assert main(["db", "init", "--db", str(path)]) == EXIT_BAD_INPUT
        err = capsys.readouterr().err
        assert err.startswith("error: --db: ")
        assert str(path) in err


def test_pdf_signing_key_export_names_the_file_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = tmp_path / "keys.json"
    garbage.write_text("{not json", encoding="ascii")
    assert main(["keys", "pdf-ca-export", "--keys", str(garbage)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith(f"error: --keys: {garbage} is not a usable PDF signing key file")
    assert main(["keys", "pdf-ca-export", "--keys", str(tmp_path)]) == EXIT_BAD_INPUT
    assert capsys.readouterr().err.strip() == f"error: --keys: {tmp_path} is a folder, not a file"
