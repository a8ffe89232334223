"""Certificate payload formats: format 2 states terms and changes but no status; format 1
(earlier releases, with a status) still verifies, read without its status.

Before: the signed content carried the status (有効 at issuance), which went stale as soon as
the guarantee was released, and a new signed version was made for every status change.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest

from surety_core import GuaranteeVersion, InvalidInputError, Terms, VerificationError
from surety_core.certificates import (
    CertificateChange,
    SigningKeyRing,
    canonical_content,
    certificate_digest,
    content_from_contract,
    sign_certificate,
    verify_certificate,
    verify_chain,
)
from surety_core.certificates._signing import (
    _CONTEXT,
    _dumps,
    payload_format,
    stated_terms,
)
from surety_core.domain._standard import ADVANCE_TERMS
from surety_core.testing import samples

NOW = datetime(2025, 4, 1, 1, 0, tzinfo=UTC)
RING = SigningKeyRing.generate("k1")
TRUSTED = RING.trusted_keys()


def _resign(payload: bytes) -> bytes:
    kid, private = RING._signing_key()
    signature = private.sign(_CONTEXT + kid.encode() + b"\x00" + payload)
    return _dumps(
        {
            "alg": "EdDSA",
            "kid": kid,
            "payload": base64.b64encode(payload).decode(),
            "signature": base64.b64encode(signature).decode(),
            "type": "surety_core.signed-certificate",
        }
    )


def _format_1(content_data: dict[str, Any], status: Any = "issued") -> bytes:
    """A format-1 payload as an earlier release signed it: a status, no terms, no change."""
    body = {k: v for k, v in content_data.items() if k not in ("terms", "change")}
    body["status"] = status
    return _envelope(body, 1)


def _envelope(body: dict[str, Any], version: int) -> bytes:
    return _dumps({"content": body, "schema": "surety_core.certificate", "schema_version": version})


def _content(**changes: Any) -> Any:
    contract = samples.guarantee_contract(**changes)
    return content_from_contract(contract, issued_at=NOW, previous_digest=None)


def _data(content: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(canonical_content(content))["content"]
    return data


def test_format_2_states_terms_and_no_status() -> None:
    content = content_from_contract(
        samples.guarantee_contract(), issued_at=NOW, previous_digest=None, terms=ADVANCE_TERMS
    )
    document = sign_certificate(content, RING)
    assert verify_certificate(document, TRUSTED) == content
    data = json.loads(canonical_content(content))
    assert data["schema_version"] == 2
    assert "status" not in data["content"]
    assert data["content"]["terms"] == {
        "covers": "受注者が受領する前払金の返還債務",
        "name": "公共工事前払金保証約款",
        "version": "令和6年4月1日改定",
    }
    assert payload_format(document) == 2
    assert stated_terms(document) == ADVANCE_TERMS


def test_format_2_with_a_status_is_refused() -> None:
    data = _data(_content())
    data["status"] = "issued"
    payload = _envelope(data, 2)
    with pytest.raises(VerificationError):
        verify_certificate(_resign(payload), TRUSTED)


@pytest.mark.parametrize("status", ["issued", "released", "claimed", "expired", "completed"])
def test_format_1_still_verifies_without_its_status(status: str) -> None:
    content = _content()
    document = _resign(_format_1(_data(content), status))
    assert payload_format(document) == 1
    assert verify_certificate(document, TRUSTED) == content
    assert stated_terms(document) is None


def test_format_1_signed_before_the_optional_fields_existed_verifies() -> None:
    """Format-1 documents of earlier releases lack the keys of fields added since (the works
    site, the surety's printed details): absent, they read as ``None``."""
    content = _content()
    data = _data(content)
    for key in ("representative", "branch", "address", "telephone"):
        del data["surety"][key]
    del data["works"]["site"]
    del data["obligee"]  # not optional: its absence is refused
    with pytest.raises(VerificationError):
        verify_certificate(_resign(_format_1(data)), TRUSTED)
    data["obligee"] = _data(content)["obligee"]
    assert verify_certificate(_resign(_format_1(data)), TRUSTED) == content


def test_format_1_reads_an_absent_field_as_its_default() -> None:
    """A field the document lacks reads as its default (here ``None``), whatever the content
    it was made from: the signed bytes are what counts."""
    content = _content(surety=samples.surety(representative="代表取締役 山田太郎"))
    data = _data(content)
    assert verify_certificate(_resign(_format_1(data)), TRUSTED) == content
    del data["surety"]["representative"]
    read = verify_certificate(_resign(_format_1(data)), TRUSTED)
    assert read.surety.representative is None
    assert read == attrs.evolve(content, surety=attrs.evolve(content.surety, representative=None))


def test_format_1_is_refused_with_a_field_it_cannot_have() -> None:
    data = _data(_content())
    data["works"]["colour"] = "blue"
    with pytest.raises(VerificationError):
        verify_certificate(_resign(_format_1(data)), TRUSTED)


@pytest.mark.parametrize(
    "edit",
    ["terms", "change", "no status", "bad status", "list status", "spaces", "escaped"],
)
def test_format_1_is_held_to_its_own_shape(edit: str) -> None:
    data = _data(_content())
    payload: bytes
    if edit in ("terms", "change"):
        body = {k: v for k, v in data.items() if k not in ("terms", "change")}
        body[edit] = None
        body["status"] = "issued"
        payload = _dumps(
            {"content": body, "schema": "surety_core.certificate", "schema_version": 1}
        )
    elif edit == "no status":
        body = {k: v for k, v in data.items() if k not in ("terms", "change")}
        payload = _dumps(
            {"content": body, "schema": "surety_core.certificate", "schema_version": 1}
        )
    elif edit == "bad status":
        payload = _format_1(data, "valid")
    elif edit == "list status":
        payload = _format_1(data, ["issued"])
    elif edit == "spaces":
        payload = _format_1(data).replace(b'","', b'", "', 1)
    else:
        payload = _format_1(data).replace("柏市".encode(), b"\\u67cf\\u5e02", 1)
    assert payload != _format_1(data)
    with pytest.raises(VerificationError):
        verify_certificate(_resign(payload), TRUSTED)


def test_a_history_may_start_in_format_1_and_go_on_in_format_2() -> None:
    contract = samples.guarantee_contract()
    first = _resign(_format_1(_data(_content())))
    version = GuaranteeVersion(
        number=2,
        amount=36_000_000,
        period=contract.period,
        works=attrs.evolve(contract.works, contract_price=90_000_000),
        effective_on=date(2025, 6, 1),
        reason="請負代金額の減額",
    )
    amended = attrs.evolve(contract, versions=(*contract.versions, version))
    second = sign_certificate(
        content_from_contract(
            amended,
            issued_at=NOW + timedelta(days=61),
            previous_digest=certificate_digest(first),
            terms=ADVANCE_TERMS,
        ),
        RING,
    )
    one, two = verify_chain([first, second], TRUSTED)
    assert (one.terms, one.change) == (None, None)
    assert two.terms == ADVANCE_TERMS
    assert two.change == CertificateChange(contract.current, date(2025, 6, 1), "請負代金額の減額")


def test_a_change_must_state_the_version_just_before() -> None:
    contract = samples.guarantee_contract()
    content = content_from_contract(contract, issued_at=NOW, previous_digest=None)
    change = CertificateChange(contract.current, date(2025, 6, 1), "変更")
    with pytest.raises(InvalidInputError, match="version just before"):
        attrs.evolve(content, change=change)  # version 1 has no version before it
    assert attrs.evolve(content, version=2, change=change).change == change
    with pytest.raises(InvalidInputError, match="version just before"):
        attrs.evolve(content, version=3, change=change)


def test_terms_are_what_the_product_set_names() -> None:
    from surety_core import default_products

    products = default_products()
    names = {p.code: (p.terms.name if p.terms else None) for p in products}
    assert names == {
        "advance_payment": "公共工事前払金保証約款",
        "intermediate_advance_payment": "公共工事中間前払金保証約款",
        "contract_guarantee": "公共工事契約保証約款",
    }
    assert products.terms_of("no_such_product") is None
    with pytest.raises(InvalidInputError):
        Terms(name="", version="v", covers="c")


def test_unreadable_documents_claim_no_format() -> None:
    assert payload_format(b"{}") is None
    assert payload_format(b"not json") is None
    assert stated_terms(b"not json") is None
