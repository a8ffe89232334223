"""Signed certificates: canonical content, signatures, key sets, rotation, tamper evidence."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from attrs import evolve
from hypothesis import given
from hypothesis import strategies as st

from surety_core import (
    ConfigurationError,
    GuaranteeContract,
    GuaranteeStatus,
    GuaranteeVersion,
    InvalidInputError,
    Medium,
    Obligee,
    Period,
    Principal,
    Surety,
    VerificationError,
    Works,
    WorksKind,
    corporate_number_check_digit,
)
from surety_core.certificates import (
    CertificateContent,
    SigningKeyRing,
    TrustedKeySet,
    canonical_content,
    certificate_digest,
    certificate_record,
    content_from_contract,
    sign_certificate,
    verify_certificate,
    verify_chain,
)

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
NUMBER = "2026000001"
RING = SigningKeyRing.generate()
TRUSTED = RING.trusted_keys()


def contract(number: str = NUMBER, *, versions: int = 1) -> GuaranteeContract:
    base = "123456789012"
    obligee = Obligee(name="テスト市", code="city-001")
    works = Works(
        obligee=obligee,
        name="市道改良工事（第１工区）",
        number="R7-001",
        kind=WorksKind.CONSTRUCTION,
        contract_price=100_000_000,
        period=Period(date(2026, 4, 1), date(2027, 3, 31)),
        announced_on=date(2026, 2, 1),
    )
    return GuaranteeContract(
        number=number,
        product="contract-guarantee",
        principal=Principal(
            name="株式会社テスト建設",
            corporate_number=f"{corporate_number_check_digit(base)}{base}",
            address="東京都千代田区1-1",
        ),
        surety=Surety(name="テスト保証株式会社", code="surety-1"),
        medium=Medium.ELECTRONIC,
        issued_on=date(2026, 4, 1),
        versions=[
            GuaranteeVersion(
                number=i,
                amount=10_000_000 * i,
                period=Period(date(2026, 4, 1), date(2027, 3, 31)),
                works=works,
                effective_on=date(2026, 4, i),
                reason="当初" if i == 1 else f"変更{i}",
            )
            for i in range(1, versions + 1)
        ],
    )


CONTENT = content_from_contract(contract(), issued_at=NOW, previous_digest=None)
DOCUMENT = sign_certificate(CONTENT, RING)


def test_round_trip() -> None:
    assert verify_certificate(DOCUMENT, TRUSTED) == CONTENT
    assert CONTENT.number == NUMBER
    assert CONTENT.version == 1
    assert not hasattr(CONTENT, "status")  # the registry states the status, never a certificate
    assert CONTENT.change is None
    assert CONTENT.obligee.code == "city-001"
    assert CONTENT.amount == 10_000_000


def test_canonical_serialization_is_stable_and_versioned() -> None:
    payload = canonical_content(CONTENT)
    data = json.loads(payload)
    assert data["schema"] == "surety_core.certificate"
    assert data["schema_version"] == 2
    assert "status" not in data["content"]
    assert (
        payload
        == json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    )
    assert "テスト市".encode() in payload  # UTF-8, not escaped
    assert canonical_content(CONTENT) == payload
    document = json.loads(DOCUMENT)
    assert set(document) == {"alg", "kid", "payload", "signature", "type"}
    assert document["kid"] == RING.current_kid
    assert base64.b64decode(document["payload"]) == payload


def test_time_zone_is_kept_exactly() -> None:
    jst = timezone(timedelta(hours=9))
    content = evolve(CONTENT, issued_at=datetime(2026, 4, 1, 18, 0, 0, 123456, tzinfo=jst))
    assert verify_certificate(sign_certificate(content, RING), TRUSTED) == content


def test_every_single_byte_flip_fails_exhaustively() -> None:
    for i in range(len(DOCUMENT)):
        for mask in (0x01, 0x20, 0x80):
            changed = bytearray(DOCUMENT)
            changed[i] ^= mask
            with pytest.raises(VerificationError) as info:
                verify_certificate(bytes(changed), TRUSTED)
            assert type(info.value) is VerificationError
            assert str(info.value) == "verification failed"


@given(st.data())
def test_any_byte_change_fails(data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(DOCUMENT) - 1))
    new = data.draw(st.integers(0, 255).filter(lambda b: b != DOCUMENT[i]))
    changed = DOCUMENT[:i] + bytes([new]) + DOCUMENT[i + 1 :]
    with pytest.raises(VerificationError):
        verify_certificate(changed, TRUSTED)


@given(st.integers(0, len(DOCUMENT)), st.binary(min_size=1, max_size=4), st.integers(0, 4))
def test_insertions_and_deletions_fail(at: int, extra: bytes, drop: int) -> None:
    changed = DOCUMENT[:at] + extra + DOCUMENT[at + drop :]
    with pytest.raises(VerificationError):
        verify_certificate(changed, TRUSTED)


def _resign(payload: bytes, ring: SigningKeyRing = RING) -> bytes:
    """A correctly signed document around an arbitrary payload (to test the content checks)."""
    from surety_core.certificates._signing import _CONTEXT, _dumps

    kid, private = ring._signing_key()
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


def test_unknown_schema_version_fails_even_when_validly_signed() -> None:
    data = json.loads(canonical_content(CONTENT))
    assert verify_certificate(_resign(canonical_content(CONTENT)), TRUSTED) == CONTENT
    for change in (
        {"schema_version": 3},
        {"schema_version": "2"},
        {"schema_version": 1},  # format 1 states a status, which this content lacks
        {"schema_version": True},
        {"schema": "other"},
    ):
        payload = json.dumps(
            {**data, **change}, ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )
        with pytest.raises(VerificationError):
            verify_certificate(_resign(payload.encode()), TRUSTED)


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"null",
        b"[]",
        b"{}",
        b'{"content":{},"schema":"surety_core.certificate","schema_version":1}',
        b'{"content":[],"schema":"surety_core.certificate","schema_version":1}',
        b"\xff\xfe",
        b"{" * 10_000,
    ],
)
def test_signed_garbage_fails_opaquely(payload: bytes) -> None:
    with pytest.raises(VerificationError):
        verify_certificate(_resign(payload), TRUSTED)


def test_non_canonical_payload_fails_even_when_validly_signed() -> None:
    data = json.loads(canonical_content(CONTENT))
    pretty = json.dumps(data, ensure_ascii=True, sort_keys=True, indent=1).encode()
    with pytest.raises(VerificationError):
        verify_certificate(_resign(pretty), TRUSTED)
    bad_digest = json.loads(canonical_content(CONTENT))
    bad_digest["content"]["previous_digest"] = "AB" * 32
    payload = json.dumps(bad_digest, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    with pytest.raises(VerificationError):
        verify_certificate(_resign(payload.encode()), TRUSTED)


@pytest.mark.parametrize(
    "document",
    [
        b"",
        b"not json",
        b"[]",
        b"{}",
        b'{"alg":"EdDSA"}',
        "é".encode("latin-1"),
        b"[" * 100_000,
        b"x" * (2 << 20),
    ],
)
def test_malformed_documents_fail_opaquely(document: bytes) -> None:
    with pytest.raises(VerificationError) as info:
        verify_certificate(document, TRUSTED)
    assert type(info.value) is VerificationError


def test_wrong_types_of_fields_fail() -> None:
    envelope = json.loads(DOCUMENT)
    for field, value in [("kid", 5), ("payload", None), ("signature", ["x"]), ("alg", "ES256")]:
        changed = json.dumps({**envelope, field: value}, sort_keys=True, separators=(",", ":"))
        with pytest.raises(VerificationError):
            verify_certificate(changed.encode(), TRUSTED)
    with pytest.raises(VerificationError):
        verify_certificate(DOCUMENT.decode(), TRUSTED)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        verify_certificate(DOCUMENT, RING)  # type: ignore[arg-type]


def test_unknown_key_id_and_other_keys_fail() -> None:
    stranger = SigningKeyRing.generate()
    with pytest.raises(VerificationError):
        verify_certificate(DOCUMENT, stranger.trusted_keys())
    # the same kid bound to another public key
    impostor = SigningKeyRing.generate(RING.current_kid)
    with pytest.raises(VerificationError):
        verify_certificate(sign_certificate(CONTENT, impostor), TRUSTED)
    with pytest.raises(VerificationError):
        verify_certificate(DOCUMENT, TrustedKeySet({}))


def test_rotation_keeps_old_certificates_verifiable() -> None:
    rotated = RING.rotate()
    assert rotated.current_kid != RING.current_kid
    assert set(rotated.kids) == {RING.current_kid, rotated.current_kid}
    new_document = sign_certificate(CONTENT, rotated)
    trusted = rotated.trusted_keys()
    assert verify_certificate(DOCUMENT, trusted) == CONTENT
    assert verify_certificate(new_document, trusted) == CONTENT
    assert json.loads(new_document)["kid"] == rotated.current_kid
    with pytest.raises(VerificationError):
        verify_certificate(new_document, TRUSTED)  # an old key set does not know the new key
    retired = rotated.retire(RING.current_kid)
    assert retired.kids == (rotated.current_kid,)
    # the published (older) key set still verifies the old documents
    assert verify_certificate(DOCUMENT, trusted.union(retired.trusted_keys())) == CONTENT
    with pytest.raises(InvalidInputError):
        rotated.retire(rotated.current_kid)
    with pytest.raises(InvalidInputError):
        rotated.rotate(rotated.current_kid)


def test_key_ring_export_and_load() -> None:
    ring = RING.rotate("surety-2026")
    loaded = SigningKeyRing.from_json(ring.to_json())
    assert loaded.kids == ring.kids
    assert loaded.current_kid == "surety-2026"
    assert verify_certificate(sign_certificate(CONTENT, loaded), ring.trusted_keys()) == CONTENT
    pems = {kid: ring.private_pem(kid) for kid in ring.kids}
    assert all(p.startswith(b"-----BEGIN PRIVATE KEY-----") for p in pems.values())
    again = SigningKeyRing.from_pem(pems, "surety-2026")
    assert again.trusted_keys() == ring.trusted_keys()
    assert "PRIVATE" not in repr(ring)
    assert "BEGIN" not in repr(ring)
    import pickle

    with pytest.raises(InvalidInputError):
        pickle.dumps(ring)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"{}",
        b'{"type":"surety_core.signing-key-ring","keys":[],"current":"a"}',
        b'{"type":"surety_core.signing-key-ring","keys":[{"kid":"a","pem":"nope"}],"current":"a"}',
        b'{"type":"surety_core.signing-key-ring","keys":[1],"current":"a"}',
        b'{"type":"other","keys":[],"current":"a"}',
    ],
)
def test_malformed_key_rings_are_configuration_errors(data: bytes) -> None:
    with pytest.raises(ConfigurationError):
        SigningKeyRing.from_json(data)


def test_key_ring_refuses_non_ed25519_pem() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(ConfigurationError):
        SigningKeyRing.from_pem({"ec": pem}, "ec")
    with pytest.raises(ConfigurationError):
        SigningKeyRing.from_pem({"bad kid!": RING.private_pem(RING.current_kid)}, "bad kid!")
    with pytest.raises(ConfigurationError):
        SigningKeyRing({}, "x")


def test_key_set_export_import() -> None:
    ring = RING.rotate()
    exported = ring.trusted_keys().to_json()
    data = json.loads(exported)
    assert [k["kid"] for k in data["keys"]] == sorted(ring.kids)
    assert all(
        k["kty"] == "OKP" and k["crv"] == "Ed25519" and k["alg"] == "EdDSA" and "d" not in k
        for k in data["keys"]
    )
    loaded = TrustedKeySet.from_json(exported)
    assert loaded == ring.trusted_keys()
    assert loaded.to_json() == exported
    assert verify_certificate(DOCUMENT, loaded) == CONTENT
    assert verify_certificate(DOCUMENT, TrustedKeySet.from_json(exported.decode())) == CONTENT


def _jwk(**change: object) -> bytes:
    entry = json.loads(TRUSTED.to_json())["keys"][0]
    entry.update(change)
    return json.dumps({"keys": [entry]}).encode()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"[]",
        b"{}",
        b'{"keys": {}}',
        b'{"keys": [1]}',
        _jwk(kty="EC"),
        _jwk(crv="X25519"),
        _jwk(alg="ES256"),
        _jwk(kid=""),
        _jwk(kid="bad kid!"),
        _jwk(kid=7),
        _jwk(x="short"),
        _jwk(x="!" * 43),
        _jwk(x=None),
        _jwk(d="AAAA"),
        json.dumps({"keys": [json.loads(_jwk())["keys"][0]] * 2}).encode(),
        b"[" * 100_000,
        b" " * (2 << 20),
    ],
)
def test_malformed_key_sets_are_configuration_errors(data: bytes) -> None:
    with pytest.raises(ConfigurationError):
        TrustedKeySet.from_json(data)


def test_key_set_union_refuses_conflicts() -> None:
    impostor = SigningKeyRing.generate(RING.current_kid).trusted_keys()
    with pytest.raises(ConfigurationError):
        TRUSTED.union(impostor)
    assert TRUSTED.union(TRUSTED) == TRUSTED


def _amend(
    previous: bytes, version: int, status: GuaranteeStatus = GuaranteeStatus.ISSUED
) -> bytes:
    content = content_from_contract(
        evolve(contract(versions=version), status=status),
        issued_at=NOW + timedelta(days=version),
        previous_digest=certificate_digest(previous),
    )
    return sign_certificate(content, RING)


def _chain(length: int) -> list[bytes]:
    documents = [DOCUMENT]
    for version in range(2, length + 1):
        documents.append(_amend(documents[-1], version))
    return documents


def test_chain_of_amendments_verifies() -> None:
    documents = _chain(4)
    # The same version signed again (as histories of format 1 hold for a status change).
    again = _amend(documents[-1], 4, GuaranteeStatus.RELEASED)
    contents = verify_chain([*documents, again], TRUSTED)
    assert [c.version for c in contents] == [1, 2, 3, 4, 4]
    assert contents[-1] == evolve(
        contents[-2],
        issued_at=contents[-1].issued_at,
        previous_digest=certificate_digest(documents[-1]),
    )  # a status is not content: the same terms
    assert contents[1].previous_digest == certificate_digest(documents[0])
    change = contents[1].change
    assert change is not None
    assert (change.before.number, change.before.amount, change.reason) == (1, 10_000_000, "変更2")
    assert change.effective_on == date(2026, 4, 2)
    record = certificate_record(contents[1], documents[1], created_at=NOW)
    assert record.digest == certificate_digest(documents[1])
    assert record.version == 2


def test_chain_edits_are_detected() -> None:
    documents = _chain(4)
    cases = {
        "deleted": [documents[0], documents[2], documents[3]],
        "reordered": [documents[0], documents[2], documents[1], documents[3]],
        "first missing": documents[1:],
        "duplicated": [documents[0], documents[1], documents[1], documents[2]],
        "foreign": [documents[0], _amend(sign_certificate(evolve(CONTENT, amount=1), RING), 2)],
        "other contract": [
            documents[0],
            sign_certificate(
                content_from_contract(
                    contract("2026000002", versions=2),
                    issued_at=NOW,
                    previous_digest=certificate_digest(documents[0]),
                ),
                RING,
            ),
        ],
    }
    for name, chain in cases.items():
        with pytest.raises(VerificationError, match="position"):
            verify_chain(chain, TRUSTED)
        assert name
    with pytest.raises(VerificationError):
        verify_chain([], TRUSTED)


@given(st.data())
def test_any_byte_flip_anywhere_in_a_chain_is_detected(data: st.DataObject) -> None:
    documents = CHAIN
    which = data.draw(st.integers(0, len(documents) - 1))
    i = data.draw(st.integers(0, len(documents[which]) - 1))
    changed = bytearray(documents[which])
    changed[i] ^= data.draw(st.integers(1, 255))
    tampered = [*documents[:which], bytes(changed), *documents[which + 1 :]]
    with pytest.raises(VerificationError):
        verify_chain(tampered, TRUSTED)


CHAIN = _chain(3)


def test_content_validation() -> None:
    with pytest.raises(InvalidInputError):
        evolve(CONTENT, previous_digest=b"short")
    with pytest.raises(InvalidInputError):
        evolve(CONTENT, issued_at=datetime(2026, 4, 1))
    with pytest.raises(InvalidInputError):
        content_from_contract("x", issued_at=NOW, previous_digest=None)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        canonical_content("x")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        sign_certificate(CONTENT, TRUSTED)  # type: ignore[arg-type]
    assert isinstance(CONTENT, CertificateContent)


@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_verify(document: bytes) -> None:
    with pytest.raises(VerificationError):
        verify_certificate(document, TRUSTED)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=50),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_arbitrary_json_key_sets_give_configuration_errors(value: object) -> None:
    data = json.dumps({"keys": [value]} if not isinstance(value, dict) else value)
    try:
        keyset = TrustedKeySet.from_json(data)
    except ConfigurationError:
        return
    assert isinstance(keyset, TrustedKeySet)
