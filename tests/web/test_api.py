"""The JSON API: the same answers and limits as the page, and its OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient
from tests.web.conftest import Demo

from surety_core.web import MAX_BATCH, AddressLimiter, app_from_database


def test_verify_returns_the_certificate(client: TestClient, demo: Demo) -> None:
    answer = client.post(
        "/api/v1/verify", json={"number": "0000000002", "key": demo.keys["0000000002"]}
    )
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["outcome"] == "verified"
    certificate = body["certificate"]
    assert certificate["number"] == "0000000002"
    assert certificate["signature"] == "valid"
    assert certificate["current_version"] == 2
    assert [v["amount"] for v in certificate["versions"]] == [40_000_000, 36_000_000]
    assert certificate["works"]["contract_price"] == 90_000_000


def test_wrong_key_and_unknown_number_are_identical(client: TestClient, demo: Demo) -> None:
    wrong = client.post(
        "/api/v1/verify", json={"number": "0000000002", "key": demo.keys["0000000001"]}
    )
    unknown = client.post(
        "/api/v1/verify", json={"number": "0000008888", "key": demo.keys["0000000001"]}
    )
    assert wrong.status_code == unknown.status_code == 403
    assert wrong.content == unknown.content
    assert wrong.json()["outcome"] == "rejected"


def test_a_typo_is_invalid_before_any_look_up(client: TestClient, demo: Demo) -> None:
    key = demo.keys["0000000001"]
    typo = key[:5] + ("A" if key[5] != "A" else "B") + key[6:]
    answer = client.post("/api/v1/verify", json={"number": "0000000001", "key": typo})
    assert answer.status_code == 422
    assert answer.json() == {
        "outcome": "invalid",
        "field": "key",
        "problem": "typo",
        "message": "the key's check character does not match: a typo; nothing was looked up",
    }


def test_the_batch_answers_each_pair_in_order(client: TestClient, demo: Demo) -> None:
    items = [
        {"number": "0000000001", "key": demo.keys["0000000001"]},
        {"number": "0000000002", "key": demo.keys["0000000001"]},
        {"number": "0000000002", "key": demo.keys["0000000002"]},
        {"number": "12", "key": demo.keys["0000000002"]},
    ]
    answer = client.post("/api/v1/verify/batch", json={"items": items})
    assert answer.status_code == 200
    outcomes = [r["outcome"] for r in answer.json()["results"]]
    assert outcomes == ["verified", "rejected", "verified", "invalid"]


def test_the_batch_is_bounded(client: TestClient, demo: Demo) -> None:
    item = {"number": "0000000001", "key": demo.keys["0000000001"]}
    answer = client.post("/api/v1/verify/batch", json={"items": [item] * (MAX_BATCH + 1)})
    assert answer.status_code == 422
    assert client.post("/api/v1/verify/batch", json={"items": []}).status_code == 422


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"{", {"content-type": "application/json"}, 400),
        (b'{"number": 1, "key": 2}', {"content-type": "application/json"}, 422),
        (b"[]", {"content-type": "application/json"}, 422),
        (b"number=1", {"content-type": "application/x-www-form-urlencoded"}, 415),
        (b"x" * 70_000, {"content-type": "application/json"}, 413),
    ],
)
def test_bad_requests_get_a_client_error(
    client: TestClient, body: bytes, headers: dict[str, str], status: int
) -> None:
    answer = client.post("/api/v1/verify", content=body, headers=headers)
    assert answer.status_code == status
    assert answer.json()["outcome"] == "error"


def test_the_openapi_document_describes_both_operations(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {"/api/v1/verify", "/api/v1/verify/batch"}
    assert document["components"]["schemas"]["Batch"]["properties"]["items"]["maxItems"] == (
        MAX_BATCH
    )


@pytest.fixture
def limited(demo: Demo) -> Iterator[TestClient]:
    app, close = app_from_database(
        demo.db, secure_cookies=False, address_limiter=AddressLimiter(max_requests=3, window=60)
    )
    with TestClient(app) as test_client:
        yield test_client
    close()


def test_the_address_limit_applies_to_the_api_and_the_batch(
    limited: TestClient, demo: Demo
) -> None:
    pair = {"number": "0000000001", "key": demo.keys["0000000001"]}
    assert limited.post("/api/v1/verify/batch", json={"items": [pair, pair]}).status_code == 200
    assert limited.post("/api/v1/verify/batch", json={"items": [pair, pair]}).status_code == 429
    assert limited.post("/api/v1/verify", json=pair).status_code == 200
    refused = limited.post("/api/v1/verify", json=pair)
    assert refused.status_code == 429
    assert refused.json()["outcome"] == "rate_limited"
    assert int(refused.headers["retry-after"]) >= 1
    # A typo costs nothing: it is caught before the limit and before any look-up.
    typo = {"number": "0000000001", "key": "AAAA-AAAA-AAAA-AAAA-AAAB"}
    assert limited.post("/api/v1/verify", json=typo).status_code == 422
