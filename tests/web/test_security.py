"""The web layer's promises: headers, CSRF, keys never in URLs or logs, the limits."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.testclient import TestClient
from tests.web.conftest import Demo, csrf, sign_in

from surety_core.keys import normalize_key_text
from surety_core.web import CONTENT_SECURITY_POLICY, AddressLimiter, app_from_database

PAGES = ["/", "/registry", "/portal/sign-in", "/api/v1/openapi.json", "/lang/en?next=/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_answer_has_the_security_headers(client: TestClient, path: str) -> None:
    answer = client.get(path, follow_redirects=False)
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src" not in CONTENT_SECURITY_POLICY  # default-src 'none': no script runs
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert "server" not in answer.headers or "uvicorn" not in answer.headers["server"]


def test_static_files_may_be_cached_but_pages_may_not(client: TestClient) -> None:
    css = client.get("/static/style.css")
    assert css.status_code == 200
    assert "@media print" in css.text
    assert css.headers["cache-control"] == "public, max-age=3600"
    assert client.get("/registry").headers["cache-control"] == "no-store"


def test_every_form_post_without_the_csrf_token_is_refused(client: TestClient, demo: Demo) -> None:
    key = demo.keys["0000000001"]
    client.get("/registry")  # the cookie is set, but the form omits or forges the token
    for data in (
        {"number": "0000000001", "key": key},
        {"csrf": "x", "number": "0000000001", "key": key},
    ):
        answer = client.post("/registry", data=data)
        assert answer.status_code == 403
        assert "フォームの有効期限" in answer.text
    assert client.post("/registry/certificate", data={"token": "x"}).status_code == 403
    assert client.post("/portal/sign-out", data={}).status_code == 403


def test_a_cross_site_post_is_refused_even_with_the_token(client: TestClient, demo: Demo) -> None:
    token = csrf(client)
    answer = client.post(
        "/registry",
        data={"csrf": token, "number": "0000000001", "key": demo.keys["0000000001"]},
        headers={"origin": "https://evil.example"},
    )
    assert answer.status_code == 403


def test_a_post_without_the_cookie_is_refused(demo: Demo) -> None:
    app, close = app_from_database(demo.db, secure_cookies=False)
    with TestClient(app) as fresh:
        answer = fresh.post("/registry", data={"csrf": "abc", "number": "0000000001", "key": "x"})
        assert answer.status_code == 403
    close()


def test_cookies_are_secure_httponly_and_strict_by_default(demo: Demo) -> None:
    app, close = app_from_database(demo.db)
    with TestClient(app, base_url="https://testserver") as secure:
        cookie = secure.get("/registry").headers["set-cookie"]
    close()
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie


def test_keys_never_appear_in_urls_logs_or_the_audit_log(
    client: TestClient, demo: Demo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seen_urls: list[str] = []
    key1, key2 = demo.keys["0000000001"], demo.keys["0000000002"]
    token = csrf(client)
    flows = [
        client.post("/registry", data={"csrf": token, "number": "0000000001", "key": key1}),
        client.post("/registry", data={"csrf": token, "number": "0000000002", "key": key1}),
        client.post("/registry", data={"csrf": token, "number": "0000000002", "key": key2}),
        client.post("/api/v1/verify", json={"number": "0000000001", "key": key1}),
        client.post("/api/v1/verify", json={"number": "0000000001", "key": key2}),
    ]
    sign_in(client)
    flows.append(client.post("/portal/guarantees/0000000001/key-notice", data={"csrf": token}))
    for answer in flows:
        seen_urls.append(str(answer.url))
        seen_urls.extend(str(r.url) for r in answer.history)
        seen_urls.append(answer.headers.get("location", ""))
    forms = {normalize_key_text(k) for k in (key1, key2)} | {key1, key2}
    for secret in forms:
        assert all(secret not in url for url in seen_urls)
        assert secret not in caplog.text
    from surety_core.cli._support import open_store

    store = open_store(demo.db)
    try:
        with store.unit_of_work() as uow:
            events = list(uow.audit.events())
    finally:
        store.close()
    web_events = [e for e in events if e.actor.startswith("web ")]
    assert len(web_events) == 5
    text = repr(events)
    assert all(secret not in text for secret in forms)


def test_the_address_limit_applies_to_the_page(demo: Demo) -> None:
    app, close = app_from_database(
        demo.db, secure_cookies=False, address_limiter=AddressLimiter(max_requests=2, window=60)
    )
    with TestClient(app) as limited:
        token = csrf(limited)
        data = {"csrf": token, "number": "0000000001", "key": demo.keys["0000000001"]}
        assert limited.post("/registry", data=data).status_code == 200
        assert limited.post("/registry", data=data).status_code == 200
        refused = limited.post("/registry", data=data)
        assert refused.status_code == 429
        assert "短時間に多くの照会" in refused.text
        assert int(refused.headers["retry-after"]) >= 1
    close()


def test_the_address_limiter_window_slides() -> None:
    now = [0.0]
    limiter = AddressLimiter(max_requests=2, window=10, clock=lambda: now[0])
    assert limiter.take("a") is None
    assert limiter.take("a") is None
    assert limiter.take("a") == 10
    assert limiter.take("b") is None  # another address has its own budget
    now[0] = 10.5
    assert limiter.take("a") is None
    assert limiter.take("a", 2) is not None  # a batch that does not fit is refused whole


@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.integers(min_value=1, max_value=4),
            st.floats(min_value=0, max_value=4, allow_nan=False),
        ),
        max_size=60,
    ),
    limit=st.integers(min_value=1, max_value=6),
)
def test_no_window_ever_holds_more_than_the_limit(
    steps: list[tuple[str, int, float]], limit: int
) -> None:
    now = [0.0]
    window = 10.0
    limiter = AddressLimiter(max_requests=limit, window=window, clock=lambda: now[0])
    accepted: dict[str, list[float]] = {"a": [], "b": []}
    for address, count, advance in steps:
        now[0] += advance
        wait = limiter.take(address, count)
        if wait is None:
            accepted[address].extend([now[0]] * count)
        else:
            assert wait > 0
    for times in accepted.values():
        for start in times:
            inside = [t for t in times if start <= t < start + window]
            assert len(inside) <= limit
