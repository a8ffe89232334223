"""The portal hands out key notices in the surety's own profile: the amended guarantee's notice
says which version it serves, with the viewing address and one date style."""

from __future__ import annotations

import io
import re

import pypdf
from starlette.testclient import TestClient
from tests.web.conftest import Demo, csrf, key_from_notice, sign_in

from surety_core.cli._support import open_store, secret_provider
from surety_core.documents import DateStyle, KeyNoticeProfile
from surety_core.web import create_app
from surety_core.web._serve import _services

URL = "https://denshi-hosho.example.jp/view?number={number}"


def test_the_portal_s_key_notice_follows_the_profile(demo: Demo) -> None:
    store = open_store(demo.db)
    try:
        registry, portal = _services(store, secret_provider(db=demo.db))
        profile = KeyNoticeProfile(viewing_url=URL, date_style=DateStyle.WESTERN)
        app = create_app(
            registry=registry,
            portal=portal,
            dev_sign_in=True,
            secure_cookies=False,
            key_notice_profile=profile,
        )
        with TestClient(app) as client:
            sign_in(client)
            answer = client.post(
                "/portal/guarantees/0000000002/key-notice",
                data={"csrf": csrf(client, "/portal/history")},
            )
    finally:
        store.close()
    assert answer.status_code == 200
    assert key_from_notice(answer.content) == demo.keys["0000000002"]
    lines = pypdf.PdfReader(io.BytesIO(answer.content)).pages[0].extract_text().splitlines()
    assert "【変更（第2版）】" in lines
    assert "アドレス https://denshi-hosho.example.jp/view?number=0000000002" in lines
    assert any(line.startswith("変更日 ") and line.endswith("（第2版）") for line in lines)
    assert any(line.endswith(" 変更") for line in lines)
    text = "\n".join(lines)
    assert not re.search(r"(令和|平成)(元|\d+)年", text)
    assert re.search(r"\d{4}年\d+月\d+日", text)
