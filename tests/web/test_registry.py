"""The obligee's registry page: view, result, certificate PDF, rejections and the typo."""

from __future__ import annotations

import re

from starlette.testclient import TestClient
from tests.web.conftest import ELECTRONIC, Demo, csrf

from surety_core.certificates import TrustedKeySet
from surety_core.documents import CheckStatus, certificate_verifier, verify_certificate_pdf


def _view(client: TestClient, number: str, key: str) -> tuple[int, str]:
    answer = client.post("/registry", data={"csrf": csrf(client), "number": number, "key": key})
    return answer.status_code, answer.text


def _typo(key: str) -> str:
    index = 5
    wrong = "A" if key[index] != "A" else "B"
    return key[:index] + wrong + key[index + 1 :]


def test_the_form_has_labelled_fields_in_japanese_first(client: TestClient) -> None:
    page = client.get("/registry")
    assert page.status_code == 200
    assert '<html lang="ja">' in page.text
    assert '<label for="number">保証契約番号</label>' in page.text
    assert '<label for="key">認証キー</label>' in page.text
    assert 'aria-describedby="key-hint' in page.text


def test_english_is_available(client: TestClient) -> None:
    switched = client.get("/lang/en?next=/registry", follow_redirects=False)
    assert switched.status_code == 303
    assert switched.headers["location"] == "/registry"
    page = client.get("/registry")
    assert '<html lang="en">' in page.text
    assert "Authentication key" in page.text


def test_the_language_switch_never_leaves_the_site(client: TestClient) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        answer = client.get("/lang/en", params={"next": target}, follow_redirects=False)
        assert answer.headers["location"] == "/"


def test_both_guarantees_are_shown_with_a_checked_signature(client: TestClient, demo: Demo) -> None:
    for number in ELECTRONIC:
        status, text = _view(client, number, demo.keys[number])
        assert status == 200
        assert f'<span class="number">{number}</span>' in text
        assert "署名" in text
        assert "signature-valid" in text
        assert "請負代金額" in text
    status, text = _view(client, "0000000002", demo.keys["0000000002"])
    assert "請負代金額の減額" in text  # the amendment: version 2 with its history
    assert "36,000,000円" in text
    assert "40,000,000円" in text


def test_full_width_input_and_separators_are_accepted(client: TestClient, demo: Demo) -> None:
    key = demo.keys["0000000001"]
    wide = key.lower().replace("-", " ").translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    status, _ = _view(client, "０００００-００００１", wide)
    assert status == 200


def test_the_result_page_is_not_stored(client: TestClient, demo: Demo) -> None:
    answer = client.post(
        "/registry",
        data={"csrf": csrf(client), "number": "0000000001", "key": demo.keys["0000000001"]},
    )
    assert answer.headers["cache-control"] == "no-store"


def test_a_wrong_key_and_an_unknown_number_get_the_same_answer(
    client: TestClient, demo: Demo
) -> None:
    wrong = _view(client, "0000000002", demo.keys["0000000001"])
    unknown = _view(client, "0000009999", demo.keys["0000000001"])
    paper = _view(client, "0000000003", demo.keys["0000000001"])
    assert wrong[0] == unknown[0] == paper[0] == 403

    def body(text: str) -> str:
        return re.sub(r'value="[^"]*"', "", text)

    assert body(wrong[1]) == body(unknown[1]) == body(paper[1])


def test_a_typo_is_caught_before_any_look_up(client: TestClient, demo: Demo) -> None:
    status, text = _view(client, "0000000002", _typo(demo.keys["0000000002"]))
    assert status == 422
    assert "チェック文字" in text
    # Nothing was counted: six typos then the right key still opens the view.
    for _ in range(6):
        _view(client, "0000000002", _typo(demo.keys["0000000002"]))
    assert _view(client, "0000000002", demo.keys["0000000002"])[0] == 200


def test_the_library_limiter_locks_a_number_after_failures(client: TestClient, demo: Demo) -> None:
    # The demo already tried one wrong key on 0000000002; four more make the five of the policy.
    for _ in range(4):
        assert _view(client, "0000000002", demo.keys["0000000001"])[0] == 403
    status, text = _view(client, "0000000002", demo.keys["0000000002"])
    assert status == 429
    assert "一時的に停止" in text


def test_the_certificate_pdf_passes_the_offline_check(client: TestClient, demo: Demo) -> None:
    token = csrf(client)
    page = client.post(
        "/registry", data={"csrf": token, "number": "0000000002", "key": demo.keys["0000000002"]}
    )
    sealed = re.search(r'name="token" value="([^"]+)"', page.text)
    assert sealed is not None
    assert demo.keys["0000000002"] not in page.text  # the page never repeats the key
    pdf = client.post("/registry/certificate", data={"csrf": token, "token": sealed.group(1)})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "no-store"
    assert "attachment" in pdf.headers["content-disposition"]
    trusted = TrustedKeySet.from_json(demo.trusted.read_bytes())
    check = verify_certificate_pdf(pdf.content, certificate_verifier(trusted))
    assert check.status is CheckStatus.VALID
    assert check.content is not None
    assert check.content.version == 2


def test_a_forged_download_token_is_refused(client: TestClient) -> None:
    token = csrf(client)
    answer = client.post("/registry/certificate", data={"csrf": token, "token": "A" * 80})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
