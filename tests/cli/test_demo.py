"""``surety demo``: the files it writes, its summary, reruns, and the console script itself."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from surety_core import Medium
from surety_core.cli import EXIT_BAD_INPUT, main
from surety_core.documents import CheckStatus, certificate_verifier, verify_certificate_pdf
from surety_core.keys import parse_key
from surety_core.storage.sql import sqlite_store

from .conftest import Demo, key_from_notice, pdf_text, run_demo

SRC = Path(__file__).resolve().parents[2] / "src"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_demo_writes_every_file_and_a_summary_that_lists_them(shared_demo: Demo) -> None:
    out = shared_demo.out
    for name in ("surety.db", "trusted-keys.json", "summary.json"):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(summary) == {"guarantees"}
    rows = summary["guarantees"]
    assert len(rows) == 3
    for row in rows:
        assert set(row) == {"number", "product", "medium", "status", "notice", "certificate"}
        assert row["number"].isdigit()
        assert len(row["number"]) == 10
        assert row["medium"] in ("electronic", "paper")
        assert row["status"] == "issued"
        for kind in ("notice", "certificate"):
            if row["medium"] == "paper" and kind == "notice":
                assert row[kind] is None  # no key, so no key notice
            else:
                assert (out / row[kind]).is_file()
                assert (out / row[kind]).read_bytes().startswith(b"%PDF-")
        if row["medium"] == "paper":  # the printable 正本, unsigned, beside the signed ones
            assert row["certificate"] == f"paper/{row['number']}-v1.pdf"
            assert "正本" in pdf_text(out / row["certificate"])
    media = [(r["product"], r["medium"]) for r in rows]
    assert media == [
        ("contract_guarantee", "electronic"),
        ("advance_payment", "electronic"),
        ("advance_payment", "paper"),
    ]
    # The amended advance payment guarantee lists its second version's certificate.
    assert rows[1]["certificate"].endswith("-v2.pdf")
    assert len(list((out / "notices").glob("*.pdf"))) == 2
    assert len(list((out / "certificates").glob("*.pdf"))) == 3
    assert len(list((out / "statements").glob("*.pdf"))) == 4
    mails = sorted(p.name for p in (out / "mail").glob("*.eml"))
    assert len(mails) == 4  # two completions, the amendment's, and the obligee's notice
    assert sum(name.startswith("obligee_notice_amended_0000000002_v2") for name in mails) == 1


def test_demo_keeps_secrets_private_and_keys_out_of_mail(shared_demo: Demo) -> None:
    out = shared_demo.out
    assert _mode(out / "secrets") == 0o700
    for private in (
        out / "secrets" / "dev-secret",
        out / "secrets" / "signing-keys.json",
        *(out / "notices").glob("*.pdf"),
    ):
        assert _mode(private) == 0o600, private
    keys = (shared_demo.contract_key, shared_demo.advance_key)
    assert keys[0] != keys[1]  # one key per guarantee, also on the same works
    for mail in (out / "mail").glob("*.eml"):
        text = mail.read_text(encoding="utf-8")
        assert "電子保証発行完了のお知らせ" in text or "=?utf-8?" in text.lower()
        for key in keys:
            assert key not in text
            assert key.replace("-", "") not in text
    assert "PRIVATE" not in (out / "trusted-keys.json").read_text(encoding="utf-8")


def test_demo_documents_are_genuine_and_say_what_was_issued(shared_demo: Demo) -> None:
    from surety_core.certificates import TrustedKeySet

    out = shared_demo.out
    trusted = TrustedKeySet.from_json((out / "trusted-keys.json").read_bytes())
    for pdf in (out / "certificates").glob("*.pdf"):
        check = verify_certificate_pdf(pdf.read_bytes(), certificate_verifier(trusted))
        assert check.status is CheckStatus.VALID, pdf
    notice = out / "notices" / f"{shared_demo.advance_number}.pdf"
    assert f"保証契約番号 {shared_demo.advance_number}" in pdf_text(notice)
    parse_key(key_from_notice(notice))  # the printed key passes its check character
    statement = pdf_text(out / "statements" / f"{shared_demo.advance_number}-1.pdf")
    assert "保証料計算書" in statement
    assert "40,000,000円" in statement
    # The amendment lowered the fee: its statement is the refund statement (返還計算書).
    refund = pdf_text(out / "statements" / f"{shared_demo.advance_number}-2.pdf")
    assert "返還計算書" in refund
    assert "変更前の保証金額 40,000,000円" in refund
    assert "請負代金額 90,000,000円" in refund
    assert "返還額" in refund


def test_demo_database_holds_the_story(shared_demo: Demo) -> None:
    store = sqlite_store(shared_demo.db, upgrade=False)
    try:
        with store.unit_of_work() as uow:
            advance = uow.contracts.get(shared_demo.advance_number)
            paper = uow.contracts.get(shared_demo.paper_number)
            actions = [e.action for e in uow.audit.events()]
    finally:
        store.close()
    assert advance.version == 2
    assert [v.amount for v in advance.versions] == [40_000_000, 36_000_000]
    assert paper.medium is Medium.PAPER
    assert actions.count("verify_failed") == 1  # the wrong key; the typo was never looked up


def test_demo_prints_the_story_with_keys_only_in_the_key_notice_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = run_demo(tmp_path / "demo")
    out, err = capsys.readouterr()
    for step in range(1, 14):
        assert f"[{step}/13]" in out
    for heading in (
        "入金",
        "電子保証履歴一覧",
        "認証キーのお知らせ",
        "閲覧",
        "変更",
        "誤ったキー",
        "入力ミス",
    ):
        assert heading in out
    notice_step = out.split("[7/13]")[1].split("[8/13]")[0]
    rest = out.replace(notice_step, "")
    for key in (demo.contract_key, demo.advance_key):
        assert key in notice_step
        assert key not in rest
    # The development-secret warning shows once, as one readable line, not as a traceback.
    warnings = [line for line in err.splitlines() if "DevelopmentSecretProvider" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith("warning: ")
    assert "Traceback" not in err


def test_demo_aligns_japanese_columns_by_display_width(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from surety_core.cli._text import display_width

    run_demo(tmp_path / "demo")
    out = capsys.readouterr().out
    history = out.split("[6/13]")[1].split("[7/13]")[0].splitlines()[1:]
    _header, rule, *rows = [line for line in history if line.strip()]
    assert len(rows) == 3
    starts = [i for i, c in enumerate(rule) if c == "-" and (i == 0 or rule[i - 1] == " ")]
    for row in rows:
        # Every cell starts at its column: the display width up to it equals the rule's offset.
        cells = [c for c in row.strip().split("  ") if c]
        offsets = [display_width(row[: row.index(cell)]) for cell in cells]
        assert len(cells) == len(starts)
        assert offsets[0] == starts[0]
        assert offsets[-1] == starts[-1]
        assert any(display_width(c) > len(c) for c in cells)  # wide characters were there


def test_demo_runs_again_on_the_same_folder(tmp_path: Path) -> None:
    first = run_demo(tmp_path / "demo")
    trusted = (tmp_path / "demo" / "trusted-keys.json").read_bytes()
    second = run_demo(tmp_path / "demo")
    assert second.advance_number == first.advance_number  # a fresh database each run
    assert second.advance_key != first.advance_key  # new keys
    assert (tmp_path / "demo" / "trusted-keys.json").read_bytes() == trusted  # same signing key
    assert len(list((tmp_path / "demo" / "certificates").glob("*.pdf"))) == 3
    assert len(list((tmp_path / "demo" / "mail").glob("*.eml"))) == 4


def test_demo_refuses_a_folder_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "mine.txt").write_text("keep me", encoding="utf-8")
    assert main(["demo", "--out", str(tmp_path)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "not empty" in err
    assert (tmp_path / "mine.txt").read_text(encoding="utf-8") == "keep me"
    assert not (tmp_path / "surety.db").exists()


def test_console_script_runs_the_demo_in_a_subprocess(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("SURETY_CORE_DEV_SECRET", None)
    result = subprocess.run(
        [sys.executable, "-m", "surety_core", "demo", "--out", "tmp"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "[13/13]" in result.stdout
    assert "Traceback" not in result.stderr
    assert result.stderr.count("DevelopmentSecretProvider") == 1
    summary = json.loads((tmp_path / "tmp" / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["guarantees"]) == 3
