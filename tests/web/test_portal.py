"""The contractor's portal: sign-in, history (filters, newest first, paging, CSV), details and
the key notice."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient
from tests.web.conftest import PAPER, PRINCIPAL, Demo, csrf, key_from_notice, sign_in

from surety_core._errors import InvalidInputError
from surety_core.web import app_from_database, create_app


def test_the_portal_asks_to_sign_in(client: TestClient) -> None:
    answer = client.get("/portal/history", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/portal/sign-in"


def test_the_history_lists_newest_first(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/portal/history")
    assert page.status_code == 200
    rows = page.text.split('<a href="/portal/guarantees/')[1:]
    assert [r[:10] for r in rows] == ["0000000003", "0000000002", "0000000001"]
    assert "電子保証履歴一覧" in page.text


def test_the_history_filters(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/portal/history", params={"medium": "paper"})
    rows = page.text.split('<a href="/portal/guarantees/')[1:]
    assert [r[:10] for r in rows] == [PAPER]
    assert client.get("/portal/history", params={"status": "nonsense"}).status_code == 400
    assert client.get("/portal/history", params={"issued_from": "yesterday"}).status_code == 400
    empty = client.get("/portal/history", params={"issued_to": "2000-01-01"})
    assert "該当する保証はありません" in empty.text


def test_the_history_pages(demo: Demo) -> None:
    from surety_core.web import _app

    app, close = app_from_database(demo.db, dev_sign_in=True, secure_cookies=False)
    original = _app._PAGE_SIZE
    _app._PAGE_SIZE = 2
    try:
        with TestClient(app) as client:
            sign_in(client)
            first = client.get("/portal/history")
            assert [r[:10] for r in first.text.split('<a href="/portal/guarantees/')[1:]] == [
                "0000000003",
                "0000000002",
            ]
            assert 'rel="next" href="/portal/history?page=2"' in first.text
            second = client.get("/portal/history", params={"page": "2"})
            assert [r[:10] for r in second.text.split('<a href="/portal/guarantees/')[1:]] == [
                "0000000001"
            ]
            assert 'rel="prev"' in second.text
            assert 'rel="next"' not in second.text
            assert client.get("/portal/history", params={"page": "0"}).status_code == 400
    finally:
        _app._PAGE_SIZE = original
        close()


def test_the_csv_export(client: TestClient) -> None:
    sign_in(client)
    answer = client.get("/portal/history.csv", params={"medium": "electronic"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][0] == "保証契約番号"
    assert [r[0] for r in rows[1:]] == ["0000000002", "0000000001"]


def test_details_and_the_key_notice(client: TestClient, demo: Demo) -> None:
    sign_in(client)
    page = client.get("/portal/guarantees/0000000002")
    assert page.status_code == 200
    assert "請負代金額の減額" in page.text
    assert demo.keys["0000000002"] not in page.text
    notice = client.post(
        "/portal/guarantees/0000000002/key-notice", data={"csrf": csrf(client, "/portal/history")}
    )
    assert notice.status_code == 200
    assert notice.headers["content-type"] == "application/pdf"
    assert notice.headers["cache-control"] == "no-store"
    assert key_from_notice(notice.content) == demo.keys["0000000002"]
    paper = client.get(f"/portal/guarantees/{PAPER}")
    assert "認証キーはありません" in paper.text


def test_the_certificate_versions_download(client: TestClient) -> None:
    sign_in(client)
    for version in (1, 2):
        pdf = client.get(f"/portal/guarantees/0000000002/certificates/{version}")
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
    assert client.get("/portal/guarantees/0000000002/certificates/3").status_code == 404


def test_another_contractors_guarantee_is_not_shown(client: TestClient) -> None:
    sign_in(client, "7123456789012")
    assert client.get("/portal/guarantees/0000000002").status_code == 404
    notice = client.post(
        "/portal/guarantees/0000000002/key-notice", data={"csrf": csrf(client, "/portal/history")}
    )
    assert notice.status_code == 404
    assert "0000000002" not in client.get("/portal/history").text


def test_the_key_notice_needs_the_csrf_token(client: TestClient) -> None:
    sign_in(client)
    answer = client.post("/portal/guarantees/0000000002/key-notice", data={"csrf": "forged"})
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")


@pytest.fixture
def hosted(demo: Demo) -> Iterator[TestClient]:
    """The application with the host's own authentication (a header set by its proxy)."""
    base, close = app_from_database(demo.db, secure_cookies=False)
    del base

    def authenticate(request: Request) -> str | None:
        return request.headers.get("x-test-corporate-number")

    from surety_core.cli._support import open_store, secret_provider
    from surety_core.web._serve import _services

    store = open_store(demo.db)
    registry, portal = _services(store, secret_provider(db=demo.db))
    app = create_app(
        registry=registry, portal=portal, authenticate=authenticate, secure_cookies=False
    )
    with TestClient(app) as test_client:
        yield test_client
    store.close()
    close()


def test_the_hosts_authentication_decides(hosted: TestClient) -> None:
    assert hosted.get("/portal/history").status_code == 401
    signed = hosted.get("/portal/history", headers={"x-test-corporate-number": PRINCIPAL})
    assert signed.status_code == 200
    assert "0000000001" in signed.text


def test_the_development_sign_in_is_refused_unless_enabled(hosted: TestClient) -> None:
    assert hosted.get("/portal/sign-in").status_code == 404
    token = csrf(hosted, "/registry")
    answer = hosted.post(
        "/portal/sign-in",
        data={"csrf": token, "principal_id": PRINCIPAL},
        follow_redirects=False,
    )
    assert answer.status_code == 404
    assert "surety_dev_session" not in answer.headers.get("set-cookie", "")
    assert hosted.get("/portal/history").status_code == 401


def test_the_development_sign_in_and_the_hosts_authentication_exclude_each_other() -> None:
    with pytest.raises(InvalidInputError):
        create_app(authenticate=lambda request: None, dev_sign_in=True)


def test_a_forged_session_cookie_signs_nobody_in(client: TestClient) -> None:
    client.cookies.set("surety_dev_session", "A" * 60)
    answer = client.get("/portal/history", follow_redirects=False)
    assert answer.status_code == 303


def test_signing_out_ends_the_session(client: TestClient) -> None:
    sign_in(client)
    token = csrf(client, "/portal/history")
    assert (
        client.post("/portal/sign-out", data={"csrf": token}, follow_redirects=False).status_code
        == 303
    )
    assert client.get("/portal/history", follow_redirects=False).status_code == 303
