"""In a real browser (Debian's headless Chromium driven by Playwright): the obligee views both
guarantees of the demo with the keys read from the key notice PDFs, sees a wrong key rejected
and a typo caught, and downloads a certificate PDF that ``surety check-pdf`` accepts; the
contractor signs in, sees the history and downloads a key notice.

Screenshots of each page go to ``tmp_path`` and, when ``SURETY_WEB_SCREENSHOTS`` names a folder
(the docs keep theirs in ``docs/_static/web``), there too.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import PAPER, PRINCIPAL, Live, key_from_notice, require

from surety_core.cli import main as surety


def _expect(locator: Any) -> Any:
    """Playwright's ``expect``, which waits for the page (a bare ``count()`` does not)."""
    from playwright.sync_api import expect

    return expect(locator)


CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.slow


@pytest.fixture
def browser() -> Iterator[Any]:
    require("Chromium (/usr/bin/chromium)", Path(CHROMIUM).is_file())
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        require("Playwright for Python", False)
        return
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Shots:
    """Saves full-page screenshots by name."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.keep = os.environ.get("SURETY_WEB_SCREENSHOTS")
        folder.mkdir(parents=True, exist_ok=True)

    def take(self, page: Any, name: str) -> None:
        path = self.folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if self.keep:
            Path(self.keep).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, Path(self.keep) / path.name)


@pytest.fixture
def shots(tmp_path: Path) -> Shots:
    return Shots(tmp_path / "shots")


def _typo(key: str) -> str:
    wrong = "A" if key[5] != "A" else "B"
    return key[:5] + wrong + key[6:]


def _view(page: Any, live: Live, number: str, key: str) -> None:
    page.goto(f"{live.url}/registry")
    page.get_by_label("保証契約番号").fill(number)
    page.get_by_label("認証キー").fill(key)
    page.get_by_role("button", name="閲覧する").click()


def test_the_obligee_views_both_guarantees(
    browser: Any, live: Live, shots: Shots, tmp_path: Path
) -> None:
    context = browser.new_context(locale="ja-JP", viewport={"width": 1000, "height": 800})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    keys = {
        number: key_from_notice(live.demo.folder / "notices" / f"{number}.pdf")
        for number in ("0000000001", "0000000002")
    }

    page.goto(f"{live.url}/registry")
    shots.take(page, "registry-form")

    _view(page, live, "0000000001", keys["0000000001"])
    assert page.locator("h1").inner_text() == "電子証書 0000000001"
    assert "契約保証" in page.content()
    _expect(page.locator(".signature-valid")).to_have_count(1)

    _view(page, live, "0000000002", keys["0000000002"])
    assert page.locator("h1").inner_text() == "電子証書 0000000002"
    _expect(page.locator("table tbody tr")).to_have_count(2)  # the original and the amendment
    shots.take(page, "registry-result")
    page.emulate_media(media="print")
    shots.take(page, "registry-result-print")
    assert not page.get_by_role("button", name="電子証書 (PDF) をダウンロード").is_visible()
    page.emulate_media(media="screen")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="電子証書 (PDF) をダウンロード").click()
    pdf = tmp_path / "certificate.pdf"
    download_info.value.save_as(pdf)
    assert surety(["check-pdf", str(pdf), "--trust", str(live.demo.trusted)]) == 0

    _view(page, live, "0000000002", keys["0000000001"])
    alert = page.get_by_role("alert")
    assert alert.inner_text() == "保証契約番号または認証キーが正しくありません。"
    shots.take(page, "registry-rejected")

    _view(page, live, "0000000002", _typo(keys["0000000002"]))
    assert "チェック文字が一致しません" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("認証キー").get_attribute("aria-invalid") == "true"
    shots.take(page, "registry-typo")

    page.goto(f"{live.url}/lang/en?next=/registry")
    assert page.locator("html").get_attribute("lang") == "en"
    _view_en = page.get_by_label("Guarantee contract number")
    _view_en.fill("0000000001")
    page.get_by_label("Authentication key").fill(keys["0000000001"])
    page.get_by_role("button", name="View").click()
    assert page.locator("h1").inner_text() == "Electronic certificate 0000000001"
    shots.take(page, "registry-result-en")

    for key in keys.values():
        assert all(key not in url for url in requested)
    context.close()


def test_the_contractor_signs_in_and_downloads_a_key_notice(
    browser: Any, live: Live, shots: Shots, tmp_path: Path
) -> None:
    context = browser.new_context(locale="ja-JP", viewport={"width": 1100, "height": 800})
    page = context.new_page()
    page.goto(f"{live.url}/portal/history")
    assert page.url.endswith("/portal/sign-in")
    shots.take(page, "portal-sign-in")
    page.get_by_label("法人番号").fill(PRINCIPAL)
    page.get_by_role("button", name="ログイン").click()

    assert page.url.endswith("/portal/history")
    rows = page.locator("table.history tbody tr")
    _expect(rows).to_have_count(3)  # waits for the page, unlike count()
    assert rows.nth(0).inner_text().startswith(PAPER)  # newest first
    shots.take(page, "portal-history")

    with page.expect_download() as csv_info:
        page.get_by_role("link", name="CSV出力").click()
    csv_path = tmp_path / "history.csv"
    csv_info.value.save_as(csv_path)
    assert csv_path.read_text(encoding="utf-8-sig").count("\n") == 4

    page.get_by_label("媒体").select_option("paper")
    page.get_by_role("button", name="絞り込む").click()
    _expect(page.locator("table.history tbody tr")).to_have_count(1)

    page.goto(f"{live.url}/portal/history")
    page.get_by_role("link", name="詳細 0000000002").click()
    assert "請負代金額の減額" in page.content()
    shots.take(page, "portal-details")
    with page.expect_download() as notice_info:
        page.get_by_role("button", name="ダウンロード: 認証キーのお知らせ (PDF)").click()
    notice = tmp_path / "notice.pdf"
    notice_info.value.save_as(notice)
    expected = key_from_notice(live.demo.folder / "notices" / "0000000002.pdf")
    assert key_from_notice(notice) == expected

    page.get_by_role("button", name="ログアウト").click()
    page.goto(f"{live.url}/portal/history")
    assert page.url.endswith("/portal/sign-in")
    context.close()
