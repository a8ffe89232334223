"""Every command shown in ``docs/cli.md`` runs, with right and wrong input.

The commands are read from the page itself, so the page cannot drift from the command line:
each synopsis line (``surety COMMAND --option VALUE …``) names a command whose ``--help`` lists
every option the line shows, and which refuses to run without its required options (exit 2);
each example (``$ surety …``) runs on a fresh demo folder and prints the first line the page
shows, and the same command with wrong input fails with the documented status.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from tests.cli.conftest import Demo, run_demo

from surety_core.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_REJECTED, main

PAGE = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
BLOCKS = re.findall(r"```(?:text|console|bash)\n(.*?)```", PAGE.read_text("utf-8"), flags=re.S)
SYNOPSES = [
    line.split("#")[0].strip()
    for block in BLOCKS
    for line in block.splitlines()
    if line.startswith("surety ")
]
EXAMPLES = [
    (lines[i][2:], lines[i + 1] if i + 1 < len(lines) else "")
    for block in BLOCKS
    for lines in [block.splitlines()]
    for i in range(len(lines))
    if lines[i].startswith("$ surety ")
]


def _command_words(synopsis: str) -> list[str]:
    words = []
    for word in shlex.split(synopsis)[1:]:
        if word.startswith(("-", "[")) or word.isupper():
            break
        words.append(word)
    return words


def test_the_page_shows_every_command() -> None:
    shown = {" ".join(_command_words(s)) for s in SYNOPSES}
    for command in ("demo", "verify", "unlock", "notice", "check-pdf", "serve", "db init"):
        assert command in shown
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("synopsis", SYNOPSES)
def test_each_synopsis_matches_the_command_line(
    synopsis: str, capsys: pytest.CaptureFixture[str]
) -> None:
    words = _command_words(synopsis)
    assert main([*words, "--help"]) == EXIT_OK, synopsis
    help_text = capsys.readouterr().out
    for option in re.findall(r"--[a-z][a-z-]*", synopsis):
        assert option in help_text, f"{synopsis}: {option} is not an option of {words}"
    required = [w for w in shlex.split(synopsis)[len(words) + 1 :] if w.startswith("--")]
    if required and words != ["demo"]:  # wrong input: the required options left out
        assert main(words) == EXIT_BAD_INPUT, synopsis
        assert "usage:" in capsys.readouterr().err


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SURETY_CORE_DEV_SECRET", raising=False)
        root = tmp_path_factory.mktemp("page")
        mp.chdir(root)
        return run_demo(root / "surety-demo")


def _argv(example: str, demo: Demo, tmp_path: Path) -> list[str]:
    argv = shlex.split(example)[1:]
    if "--key" in argv:
        argv[argv.index("--key") + 1] = demo.advance_key
    return [str(tmp_path / "surety.db") if a == "/var/lib/surety/surety.db" else a for a in argv]


@pytest.mark.parametrize(("example", "first_line"), EXAMPLES, ids=[e for e, _ in EXAMPLES])
def test_each_example_runs_as_shown_and_fails_on_wrong_input(
    example: str,
    first_line: str,
    demo_folder: Demo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("SURETY_CORE_DEV_SECRET", raising=False)
    monkeypatch.chdir(demo_folder.out.parent)
    (Path("notice.pdf")).unlink(missing_ok=True)
    argv = _argv(example, demo_folder, tmp_path)
    assert main(argv) == EXIT_OK, example
    printed = capsys.readouterr().out
    shown = first_line.split(":")[0] if ":" in first_line else first_line.split()[0]
    assert printed.startswith(shown), (example, printed[:200])
    wrong = list(argv)
    if argv[0] == "verify":  # a typo in the key
        key = demo_folder.advance_key
        wrong[wrong.index("--key") + 1] = key[:-1] + ("A" if key[-1] != "A" else "B")
        expected = EXIT_BAD_INPUT
    elif argv[0] == "notice":  # the same --out again without --force, then an unknown number
        assert main(argv) == EXIT_BAD_INPUT
        wrong[wrong.index("--number") + 1] = "9999999999"
        wrong[wrong.index("--out") + 1] = "other.pdf"
        expected = EXIT_BAD_INPUT
    elif argv[0] == "check-pdf":  # a key notice is not a certificate
        wrong[1] = str(demo_folder.out / "notices" / f"{demo_folder.advance_number}.pdf")
        expected = EXIT_REJECTED
    else:  # db init: a folder is not a database file (bad input, naming --db)
        wrong[wrong.index("--db") + 1] = str(tmp_path)
        expected = EXIT_BAD_INPUT
    assert main(wrong) == expected, wrong
