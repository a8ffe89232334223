"""A sole proprietor (個人事業主, no corporate number) signs in to the portal with the customer
number the surety gave it; the registry page and the API print it as 屋号 代表 氏名."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from tests.web.conftest import csrf, key_from_notice, sign_in

from surety_core.cli._support import secret_provider
from surety_core.storage.sql import sqlite_store
from surety_core.testing import samples
from surety_core.web import app_from_database

SOLE = samples.sole_proprietor()
PRINTED = "山田工務店 代表 山田太郎"


@pytest.fixture
def issued(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A database with a sole proprietor's two electronic guarantees, and the app on it."""
    folder = tmp_path / "sole"
    folder.mkdir()
    db = str(folder / "surety.db")
    store = sqlite_store(db)
    service = samples.surety_service(
        store,
        secrets=secret_provider(folder=folder),
        arrangements=samples.arrangement_book(principal_ids=[SOLE.identifier]),
    )
    result = service.apply_and_issue(samples.electronic_application(principal=SOLE))
    keys = {g.contract.number: g.key.reveal() for g in result.guarantees if g.key is not None}
    store.close()
    assert len(keys) == 2
    app, close = app_from_database(db, dev_sign_in=True, secure_cookies=False)
    with TestClient(app) as client:
        yield client, keys
    close()


def test_a_sole_proprietor_signs_in_with_the_customer_number(
    issued: tuple[TestClient, dict[str, str]],
) -> None:
    client, keys = issued
    form = client.get("/portal/sign-in").text
    assert 'name="principal_id"' in form
    assert "法人番号または取引先番号" in form
    sign_in(client, SOLE.identifier)
    page = client.get("/portal/history")
    assert page.status_code == 200
    for number in keys:
        assert number in page.text
    number = sorted(keys)[0]
    details = client.get(f"/portal/guarantees/{number}")
    assert details.status_code == 200
    assert "K-000123 でログイン中" in details.text
    notice = client.post(
        f"/portal/guarantees/{number}/key-notice", data={"csrf": csrf(client, "/portal/history")}
    )
    assert notice.status_code == 200
    assert key_from_notice(notice.content) == keys[number]


@pytest.mark.parametrize("other", ["K-000124", "k-000123", samples.contractor().identifier])
def test_another_identifier_sees_none_of_it(
    issued: tuple[TestClient, dict[str, str]], other: str
) -> None:
    client, keys = issued
    sign_in(client, other)
    page = client.get("/portal/history")
    assert all(number not in page.text for number in keys)
    assert client.get(f"/portal/guarantees/{sorted(keys)[0]}").status_code == 404


@pytest.mark.parametrize("bad", ["K 000123", "7000012050003", "", "x" * 21])
def test_a_malformed_identifier_is_refused(
    issued: tuple[TestClient, dict[str, str]], bad: str
) -> None:
    client, _ = issued
    token = csrf(client, "/portal/sign-in")
    answer = client.post(
        "/portal/sign-in", data={"csrf": token, "principal_id": bad}, follow_redirects=False
    )
    assert answer.status_code == 422
    assert client.get("/portal/history", follow_redirects=False).status_code == 303


def test_the_registry_and_the_api_print_the_sole_proprietor(
    issued: tuple[TestClient, dict[str, str]],
) -> None:
    client, keys = issued
    number = sorted(keys)[0]
    page = client.post(
        "/registry", data={"csrf": csrf(client), "number": number, "key": keys[number]}
    )
    assert page.status_code == 200
    assert f"{PRINTED} (個人事業主)" in page.text
    assert "K-000123" not in page.text  # the customer number is the surety's, not public
    body = client.post("/api/v1/verify", json={"number": number, "key": keys[number]}).json()
    assert body["certificate"]["principal"] == {
        "name": PRINTED,
        "kind": "sole_proprietor",
        "corporate_number": None,
    }
