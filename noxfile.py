"""Developer sessions: ``nox -s tests lint typing docs demo bench``."""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typing", "docs"]
nox.options.default_venv_backend = "venv"

PYTHON = "3.11"


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the test suite (PostgreSQL tests need SURETY_TEST_POSTGRES_URL)."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def typing(session: nox.Session) -> None:
    """mypy --strict on src and tests."""
    session.install("-e", ".[test,bench]", "mypy>=1.10", "nox>=2024.3")
    session.run("mypy", "--strict")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the documentation with warnings as errors (works from a clean clone, offline)."""
    session.install("-e", ".[docs]")
    session.run("sphinx-build", "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html")


DOC_PAGES = ["index", "workflow", "architecture", "cli", "api/index", "api/surety_core.keys"]


@nox.session(python=PYTHON)
def docs_screenshots(session: nox.Session) -> None:
    """Build the docs and screenshot their key pages with headless Chromium into build/docs/.

    Needs Debian's ``chromium``. Look at the PNG files before a release.
    """
    docs(session)
    out = Path("build/docs")
    out.mkdir(parents=True, exist_ok=True)
    html = Path("docs/_build/html").resolve()
    for page in DOC_PAGES:
        target = out / (page.replace("/", "-") + ".png")
        session.run(
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={out / '.chromium'}",
            f"--screenshot={target.resolve()}",
            "--window-size=1280,1600",
            (html / f"{page}.html").as_uri(),
            external=True,
        )


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """Run the demo on the embedded SQLite store."""
    session.install("-e", ".[sql]")
    session.run("surety", "demo", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks beside their raw floors; without arguments a full run that updates the docs.

    ``nox -s bench -- --quick --json FILE`` writes a JSON list of result objects instead.
    With SURETY_TEST_POSTGRES_URL set, the PostgreSQL figures run too.
    """
    # web: verify_http serves the registry's API with uvicorn (skipped without the extra).
    base = "sql,web,bench"
    extras = f"{base},postgres" if os.environ.get("SURETY_TEST_POSTGRES_URL") else base
    session.install("-e", f".[{extras}]")
    args = session.posargs or [
        "--json",
        "build/bench/results.json",
        "--markdown",
        "docs/performance.md",
        # Filling PostgreSQL through the library is slower: keep the full run under 15 minutes.
        "--postgres-scale-rows",
        "200000",
    ]
    session.run("python", "-m", "benchmarks", *args)
