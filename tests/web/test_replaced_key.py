"""The registry page and the API after a key re-issue: the replaced key gets its own answer."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.testclient import TestClient
from tests.web.conftest import Demo, csrf

from surety_core.cli._support import open_store, secret_provider
from surety_core.keys._limiter import reissue_key
from surety_core.keys._secrets import KeyProtector


def _reissue(demo: Demo, number: str) -> str:
    store = open_store(demo.db)
    try:
        protector = KeyProtector(secret_provider(db=demo.db))
        with store.unit_of_work() as uow:
            key, _ = reissue_key(uow.keys, protector, number, now=datetime.now(UTC))
        return key.reveal()
    finally:
        store.close()


def test_the_replaced_key_is_told_to_ask_for_the_new_notice(client: TestClient, demo: Demo) -> None:
    number = "0000000001"
    old = demo.keys[number]
    new = _reissue(demo, number)
    answer = client.post("/api/v1/verify", json={"number": number, "key": old})
    assert answer.status_code == 403
    assert answer.json()["outcome"] == "replaced"
    assert "re-issued" in answer.json()["message"]
    assert old not in answer.text
    # a wrong key still gets the one opaque answer
    wrong = client.post("/api/v1/verify", json={"number": number, "key": demo.keys["0000000002"]})
    assert wrong.json()["outcome"] == "rejected"
    page = client.post("/registry", data={"csrf": csrf(client), "number": number, "key": old})
    assert page.status_code == 403
    assert "再発行により使用できなくなりました" in page.text
    assert client.post("/api/v1/verify", json={"number": number, "key": new}).status_code == 200
