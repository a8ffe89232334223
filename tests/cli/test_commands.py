"""``surety notice``, ``check-pdf``, ``keys``, ``db`` and ``--help`` on every command."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from surety_core.certificates import SigningKeyRing, TrustedKeySet
from surety_core.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_REJECTED, main
from surety_core.documents import (
    PdfSigningKeys,
    build_certificate_pdf,
    certificate_verifier,
    read_certificate_pdf,
    sign_certificate_pdf,
)
from surety_core.storage.sql import SCHEMA_VERSION, SqlStore, sqlite_store

from .conftest import Demo, key_from_notice, pdf_text

# -- notice --------------------------------------------------------------------------------


def test_notice_writes_the_key_notice_again(
    tmp_path: Path, shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "notice.pdf"
    args = ["notice", "--db", shared_demo.db, "--number", shared_demo.advance_number]
    assert main([*args, "--out", str(out)]) == EXIT_OK
    text = pdf_text(out)
    assert f"保証契約番号 {shared_demo.advance_number}" in text
    assert "前払金保証" in text
    assert "36,000,000円" in text  # the current version
    assert key_from_notice(out) == shared_demo.advance_key  # the same key, from its seal
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    printed = capsys.readouterr().out
    assert str(out) in printed
    assert shared_demo.advance_key not in printed


def test_notice_with_the_viewing_address_and_western_dates(
    tmp_path: Path, shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "notice.pdf"
    args = ["notice", "--db", shared_demo.db, "--number", shared_demo.advance_number]
    url = ["--viewing-url", "https://denshi-hosho.example.jp/view?number={number}"]
    assert main([*args, "--out", str(out), *url, "--western-dates"]) == EXIT_OK
    text = pdf_text(out)
    assert f"https://denshi-hosho.example.jp/view?number={shared_demo.advance_number}" in text
    assert "【変更（第2版）】" in text  # the demo amended it
    assert "令和" not in text
    bad = ["--viewing-url", "javascript:alert(1)", "--force"]
    assert main([*args, "--out", str(out), *bad]) == EXIT_BAD_INPUT
    assert "viewing_url" in capsys.readouterr().err


def test_notice_for_paper_or_unknown_numbers_is_bad_input(
    tmp_path: Path, shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "n.pdf"
    for number, message in ((shared_demo.paper_number, "no authentication key"), ("9" * 10, "no")):
        args = ["notice", "--db", shared_demo.db, "--number", number, "--out", str(out)]
        assert main(args) == EXIT_BAD_INPUT
        assert message in capsys.readouterr().err
    assert not out.exists()


# -- check-pdf -----------------------------------------------------------------------------


def _trust(demo: Demo) -> list[str]:
    return ["--trust", str(demo.out / "trusted-keys.json")]


def _certificate(demo: Demo) -> Path:
    return demo.out / "certificates" / f"{demo.advance_number}-v2.pdf"


def test_check_pdf_accepts_a_genuine_certificate(
    shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-pdf", str(_certificate(shared_demo)), *_trust(shared_demo)]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("genuine:")
    assert shared_demo.advance_number in out
    assert "version 2" in out
    assert "byte for byte" in out
    assert "the registry states it (and may hold a newer version" in out
    assert "(前払金保証証書, 36,000,000円)" in out


def test_check_pdf_rejects_an_edited_page(
    tmp_path: Path, shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    genuine = _certificate(shared_demo).read_bytes()
    old = "36,000,000".encode("utf-16-be").hex().upper().encode()
    new = "96,000,000".encode("utf-16-be").hex().upper().encode()
    assert genuine.count(old) == 2  # the amount, and the amount after the amendment (変更後)
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(genuine.replace(old, new, 1))
    assert main(["check-pdf", str(forged), *_trust(shared_demo)]) == EXIT_REJECTED
    err = capsys.readouterr().err
    assert "not genuine" in err
    assert "page was altered" in err
    assert "96,000,000円" in err


def test_check_pdf_rejects_a_tampered_signed_document(
    tmp_path: Path, shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    trusted = TrustedKeySet.from_json((shared_demo.out / "trusted-keys.json").read_bytes())
    _, payload = read_certificate_pdf(_certificate(shared_demo).read_bytes())
    assert payload is not None
    data = certificate_verifier(trusted)(payload)
    at = len(payload) // 2
    tampered = payload[:at] + (b"A" if payload[at : at + 1] != b"A" else b"B") + payload[at + 1 :]
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(build_certificate_pdf(data, tampered))
    assert main(["check-pdf", str(forged), *_trust(shared_demo)]) == EXIT_REJECTED
    assert "not signed by a trusted key" in capsys.readouterr().err


def test_check_pdf_rejects_untrusted_signers_notices_and_non_pdfs(
    tmp_path: Path, shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.json"
    other.write_bytes(SigningKeyRing.generate().trusted_keys().to_json())
    certificate = str(_certificate(shared_demo))
    assert main(["check-pdf", certificate, "--trust", str(other)]) == EXIT_REJECTED
    assert "trusted key" in capsys.readouterr().err
    notice = shared_demo.out / "notices" / f"{shared_demo.advance_number}.pdf"
    assert main(["check-pdf", str(notice), *_trust(shared_demo)]) == EXIT_REJECTED
    assert "no signed document" in capsys.readouterr().err
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7 not really")
    assert main(["check-pdf", str(junk), *_trust(shared_demo)]) == EXIT_REJECTED
    assert "not a readable certificate PDF" in capsys.readouterr().err


def test_check_pdf_takes_several_files_and_fails_when_one_is_not_genuine(
    tmp_path: Path, shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    certificates = sorted(str(p) for p in (shared_demo.out / "certificates").glob("*.pdf"))
    assert len(certificates) >= 2
    assert main(["check-pdf", *certificates, *_trust(shared_demo)]) == EXIT_OK
    out = capsys.readouterr().out
    for name in certificates:  # each line names its file when there are several
        assert f"{name}: genuine:" in out
    notice = str(shared_demo.out / "notices" / f"{shared_demo.advance_number}.pdf")
    assert main(["check-pdf", certificates[0], notice, *_trust(shared_demo)]) == EXIT_REJECTED
    captured = capsys.readouterr()
    assert f"{certificates[0]}: genuine:" in captured.out
    assert f"{notice}: not genuine: the PDF carries no signed document" in captured.err


def test_check_pdf_json_reports_every_file(
    shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    certificate = str(_certificate(shared_demo))
    notice = str(shared_demo.out / "notices" / f"{shared_demo.advance_number}.pdf")
    code = main(["check-pdf", certificate, notice, "--json", *_trust(shared_demo)])
    assert code == EXIT_REJECTED
    report = json.loads(capsys.readouterr().out)
    assert report["format"] == "surety.check-pdf/1"
    good, bad = report["results"]
    assert good["file"] == certificate
    assert good["genuine"] is True
    assert good["status"] == "valid"
    assert good["certificate"]["number"] == shared_demo.advance_number
    assert good["certificate"]["version"] == 2
    assert good["certificate"]["amount"] == 36_000_000
    assert good["certificate"]["title"] == "前払金保証証書"
    assert "status" not in good["certificate"]  # a certificate states none: the registry does
    assert bad == {
        "file": notice,
        "genuine": False,
        "status": "no_payload",
        "reason": bad["reason"],
        "certificate": None,
        "pdf_signature": bad["pdf_signature"],
        "differs": [],
    }
    assert bad["reason"]


def test_check_pdf_reads_every_file_before_reporting(
    tmp_path: Path, shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    certificate = str(_certificate(shared_demo))
    missing = str(tmp_path / "none.pdf")
    assert main(["check-pdf", certificate, missing, *_trust(shared_demo)]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert "genuine" not in captured.out  # nothing is reported when a file cannot be read
    assert "none.pdf" in captured.err


def test_check_pdf_bad_input(tmp_path: Path, shared_demo: Demo) -> None:
    certificate = str(_certificate(shared_demo))
    assert main(["check-pdf", str(tmp_path / "none.pdf"), *_trust(shared_demo)]) == 2
    assert main(["check-pdf", certificate, "--trust", str(tmp_path / "none.json")]) == 2
    ring = tmp_path / "ring.json"
    ring.write_bytes(SigningKeyRing.generate().to_json())  # private keys are not a key set
    assert main(["check-pdf", certificate, "--trust", str(ring)]) == EXIT_BAD_INPUT
    assert main(["check-pdf", certificate]) == EXIT_BAD_INPUT  # --trust is required


def test_check_pdf_refuses_an_added_revision_with_the_reason(
    tmp_path: Path, shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(_certificate(shared_demo).read_bytes() + b"\n% junk\n")
    assert main(["check-pdf", str(forged), *_trust(shared_demo)]) == EXIT_REJECTED
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "not genuine: the signature is genuine but the file was altered"
    assert err[1].startswith("  why: the certificate is followed by bytes")


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("fifo", id="fifo"),
        pytest.param("/dev/zero", id="dev-zero"),
        pytest.param("nul\x00byte.pdf", id="nul-byte"),
        pytest.param("folder", id="folder"),
    ],
)
def test_check_pdf_refuses_what_is_not_a_regular_file_in_one_line(
    tmp_path: Path, shared_demo: Demo, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    if target == "fifo":
        target = str(tmp_path / "fifo.pdf")
        os.mkfifo(target)
    elif target == "folder":
        target = str(tmp_path)
    certificate = str(_certificate(shared_demo))
    started = time.monotonic()
    assert main(["check-pdf", target, *_trust(shared_demo)]) == EXIT_BAD_INPUT
    assert main(["check-pdf", certificate, "--trust", target]) == EXIT_BAD_INPUT
    assert time.monotonic() - started < 10
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert all(line.startswith(("error: FILE: ", "error: --trust: ")) for line in err)
    assert "Traceback" not in "".join(err)


def test_keys_pdf_ca_then_check_pdf_reports_the_pdf_signature(
    tmp_path: Path, shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    keys_file, ca_file = tmp_path / "pdf-keys.json", tmp_path / "pdf-ca.pem"
    args = ["keys", "pdf-ca", "--name", "東日本建設業保証株式会社", "--out", str(keys_file)]
    assert main([*args, "--ca-out", str(ca_file)]) == EXIT_OK
    assert stat.S_IMODE(keys_file.stat().st_mode) == 0o600
    assert ca_file.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert main([*args, "--ca-out", str(ca_file)]) == EXIT_BAD_INPUT  # no overwrite
    capsys.readouterr()
    assert main(["keys", "pdf-ca-export", "--keys", str(keys_file)]) == EXIT_OK
    assert capsys.readouterr().out.encode() == ca_file.read_bytes()

    keys = PdfSigningKeys.from_json(keys_file.read_bytes())
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(sign_certificate_pdf(_certificate(shared_demo).read_bytes(), keys))
    check = ["check-pdf", str(signed), *_trust(shared_demo)]
    assert main([*check, "--pdf-ca", str(ca_file)]) == EXIT_OK
    assert "PDF signature: valid, by the given CA" in capsys.readouterr().out
    assert main(check) == EXIT_OK
    assert "PDF signature: valid, but not by the given CA" in capsys.readouterr().out
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(signed.read_bytes() + b"%%EOF\n")
    assert main([*check[:1], str(forged), *check[2:], "--pdf-ca", str(ca_file)]) == EXIT_REJECTED
    assert main([*check, "--pdf-ca", str(keys_file)]) == EXIT_BAD_INPUT  # not a certificate


# -- keys ----------------------------------------------------------------------------------


def test_keys_generate_rotate_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ring_file = tmp_path / "ring.json"
    assert main(["keys", "generate", "--out", str(ring_file), "--kid", "k1"]) == EXIT_OK
    assert stat.S_IMODE(ring_file.stat().st_mode) == 0o600
    ring = SigningKeyRing.from_json(ring_file.read_bytes())
    assert ring.kids == ("k1",)
    assert main(["keys", "generate", "--out", str(ring_file)]) == EXIT_BAD_INPUT  # no overwrite
    assert SigningKeyRing.from_json(ring_file.read_bytes()).kids == ("k1",)

    assert main(["keys", "rotate", "--ring", str(ring_file), "--kid", "k2"]) == EXIT_OK
    rotated = SigningKeyRing.from_json(ring_file.read_bytes())
    assert rotated.kids == ("k1", "k2")
    assert rotated.current_kid == "k2"
    assert stat.S_IMODE(ring_file.stat().st_mode) == 0o600
    assert main(["keys", "rotate", "--ring", str(ring_file), "--kid", "k2"]) == EXIT_BAD_INPUT

    capsys.readouterr()
    assert main(["keys", "export", "--ring", str(ring_file)]) == EXIT_OK
    printed = capsys.readouterr().out
    assert TrustedKeySet.from_json(printed) == rotated.trusted_keys()
    assert "PRIVATE" not in printed
    public = tmp_path / "trusted.json"
    assert main(["keys", "export", "--ring", str(ring_file), "--out", str(public)]) == EXIT_OK
    assert TrustedKeySet.from_json(public.read_bytes()).kids == ("k1", "k2")

    assert main(["keys", "generate", "--out", str(ring_file), "--force"]) == EXIT_OK
    assert SigningKeyRing.from_json(ring_file.read_bytes()).kids != ("k1", "k2")


def test_keys_refuse_a_file_that_is_not_a_ring(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text(json.dumps({"keys": []}), encoding="utf-8")
    assert main(["keys", "rotate", "--ring", str(bogus)]) == EXIT_BAD_INPUT
    assert "not a usable signing key ring" in capsys.readouterr().err
    assert main(["keys", "export", "--ring", str(tmp_path / "none.json")]) == EXIT_BAD_INPUT
    assert main(["keys"]) == EXIT_BAD_INPUT  # an action is required


# -- db ------------------------------------------------------------------------------------


def test_db_init_and_upgrade_on_a_sqlite_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "new.db"
    assert main(["db", "init", "--url", str(db)]) == EXIT_OK
    assert f"created the schema (version {SCHEMA_VERSION})" in capsys.readouterr().out
    store = sqlite_store(db, upgrade=False)  # usable as it is
    assert store.check_schema() == SCHEMA_VERSION
    store.close()
    assert main(["db", "init", "--url", str(db)]) == EXIT_OK
    assert "nothing to do" in capsys.readouterr().out
    assert main(["db", "upgrade", "--url", f"sqlite:///{db}"]) == EXIT_OK
    assert "nothing to do" in capsys.readouterr().out
    fresh = tmp_path / "fresh.db"
    assert main(["db", "upgrade", "--url", str(fresh)]) == EXIT_OK
    assert "created" in capsys.readouterr().out


def test_db_bad_urls(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "init", "--url", str(tmp_path / "no" / "such" / "x.db")]) == 2
    assert "no folder" in capsys.readouterr().err
    # An engine the store does not support: the store's own refusal (see test_sql_engines).
    assert main(["db", "init", "--url", "nosuchdriver://x/y"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("error:")
    assert "supports SQLite, PostgreSQL and MariaDB" in err
    assert len(err.strip().splitlines()) == 1


# -- help ----------------------------------------------------------------------------------

COMMANDS = [
    [],
    ["demo"],
    ["verify"],
    ["notice"],
    ["check-pdf"],
    ["keys"],
    ["keys", "generate"],
    ["keys", "rotate"],
    ["keys", "export"],
    ["unlock"],
    ["completion"],
    ["db"],
    ["db", "init"],
    ["db", "upgrade"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "surety")
def test_help_on_every_command(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--help"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith(f"usage: surety {' '.join(command)}".rstrip())
    assert "exit status" in out


def test_usage_errors_are_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == EXIT_BAD_INPUT
    assert main(["nonsense"]) == EXIT_BAD_INPUT
    assert main(["verify", "--number", "1"]) == EXIT_BAD_INPUT
    assert "usage:" in capsys.readouterr().err


def test_out_files_need_an_existing_folder(
    tmp_path: Path, shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no" / "notice.pdf"
    args = ["notice", "--db", shared_demo.db, "--number", shared_demo.advance_number]
    assert main([*args, "--out", str(missing)]) == EXIT_BAD_INPUT
    assert "no folder" in capsys.readouterr().err
    assert main(["keys", "generate", "--out", str(missing)]) == EXIT_BAD_INPUT
    assert main([*args, "--out", str(tmp_path)]) == EXIT_BAD_INPUT  # a folder, not a file
    assert not (tmp_path / "no").exists()


# -- PostgreSQL ------------------------------------------------------------------------------


@pytest.mark.postgres
def test_db_and_verify_on_postgresql(
    postgres_schema: tuple[str, str],
    pg_store: SqlStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from surety_core import sample_rate_table
    from surety_core.cli._demo import _POLICY, _SURETY, _applications
    from surety_core.keys import DEVELOPMENT_SECRET_ENV, DevelopmentSecretProvider
    from surety_core.services import PolicyBook, SuretyService
    from surety_core.testing import samples

    url, schema = postgres_schema
    target = (
        sa.make_url(url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    assert main(["db", "init", "--url", target]) == EXIT_OK
    assert main(["db", "upgrade", "--url", target]) == EXIT_OK
    assert "nothing to do" in capsys.readouterr().out

    monkeypatch.setenv(DEVELOPMENT_SECRET_ENV, "ab" * 32)
    service = SuretyService(
        pg_store,
        surety=_SURETY,
        secrets=DevelopmentSecretProvider(tmp_path / "unused"),
        signing_keys=SigningKeyRing.generate(),
        rate_table=sample_rate_table(),
        policies=PolicyBook([_POLICY]),
        arrangements=samples.arrangement_book(),
    )
    issued = service.apply_and_issue(_applications(datetime.now(UTC).date())[0]).guarantees[1]
    assert issued.key is not None
    args = ["verify", "--db", target, "--number", issued.contract.number]
    assert main([*args, "--key", issued.key.reveal()]) == EXIT_OK
    assert issued.contract.number in capsys.readouterr().out
    notice = tmp_path / "notice.pdf"
    args = ["notice", "--db", target, "--number", issued.contract.number, "--out", str(notice)]
    assert main(args) == EXIT_OK
    assert key_from_notice(notice) == issued.key.reveal()


# -- --json on the commands that report what they did -------------------------------------


def test_keys_and_db_report_as_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)

    def run(*argv: str) -> dict[str, Any]:
        assert main([*argv, "--json"]) == EXIT_OK
        out = capsys.readouterr().out
        assert out.count("\n") == 1  # one object, one line
        report: dict[str, Any] = json.loads(out)
        return report

    made = run("keys", "generate", "--out", "ring.json")
    assert made["format"] == "surety.keys.generate/1"
    assert made["written"] == "ring.json"
    assert made["kids"] == [made["current_kid"]]
    rotated = run("keys", "rotate", "--ring", "ring.json")
    assert rotated["format"] == "surety.keys.rotate/1"
    assert sorted(rotated["kids"]) == sorted([made["current_kid"], rotated["current_kid"]])
    exported = run("keys", "export", "--ring", "ring.json", "--out", "trusted.json")
    assert exported == {
        "format": "surety.keys.export/1",
        "written": "trusted.json",
        "kids": rotated["kids"],
    }
    created = run("db", "init", "--db", "x.db")
    assert created["format"] == "surety.db.init/1"
    assert (created["result"], created["version_before"]) == ("created", None)
    again = run("db", "upgrade", "--db", "x.db")
    assert (again["result"], again["version_before"]) == ("unchanged", created["version"])


def test_unlock_reports_as_json(
    tmp_path: Path, shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    copy = tmp_path / "demo"  # unlock writes an audit event: not into the shared demo
    shutil.copytree(shared_demo.out, copy)
    db = str(copy / "surety.db")
    number = shared_demo.advance_number
    assert main(["unlock", "--db", db, "--number", number, "--json"]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert report == {
        "format": "surety.unlock/1",
        "number": number,
        "cleared": report["cleared"],
        "actor": "operator",
    }
    assert isinstance(report["cleared"], bool)


def test_a_bad_secrets_or_checkpoint_file_is_bad_input_naming_the_flag_and_path(
    tmp_path: Path, shared_demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("junk", encoding="utf-8")
    db = str(shared_demo.out / "surety.db")
    number = shared_demo.advance_number
    out = str(tmp_path / "n.pdf")
    argv = ["notice", "--db", db, "--number", number, "--out", out, "--secrets", str(bad)]
    assert main(argv) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert f"--secrets: {bad} is not a usable secret file" in err
    assert main(["audit", "verify", "--db", db, "--checkpoint", str(bad)]) == EXIT_BAD_INPUT
    assert f"--checkpoint: {bad} is not a checkpoint file" in capsys.readouterr().err
