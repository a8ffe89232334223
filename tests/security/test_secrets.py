"""AuthKey secrecy, secret providers and the key protector (sealing at rest)."""

from __future__ import annotations

import copy
import json
import os
import pickle
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from attrs import evolve

from surety_core import (
    ConfigurationError,
    CorruptRecordError,
    DevelopmentSecretWarning,
    InvalidInputError,
    to_json,
    unstructure,
)
from surety_core.keys import (
    DEVELOPMENT_SECRET_ENV,
    AuthKey,
    DevelopmentSecretProvider,
    KeyProtector,
    SecretProvider,
    StaticSecretProvider,
    generate_key,
    new_secret,
)
from surety_core.storage._records import KeyRecord, KeyStatus

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
NUMBER = "2026000001"


def provider(
    hmac_ids: tuple[str, ...] = ("h1",), enc_ids: tuple[str, ...] = ("e1",)
) -> StaticSecretProvider:
    return StaticSecretProvider(
        {i: (i.encode() * 32)[:32] for i in hmac_ids},
        {i: (i.encode() * 32)[:32] for i in enc_ids},
        current_hmac_key_id=hmac_ids[-1],
        current_encryption_key_id=enc_ids[-1],
    )


def _fragments(key: AuthKey) -> list[str]:
    compact = key.reveal().replace("-", "")
    return [compact[i : i + 5] for i in range(16)] + [key.reveal()]


def assert_no_key(text: str, key: AuthKey) -> None:
    upper = text.upper()
    for fragment in _fragments(key):
        assert fragment not in upper


# --- AuthKey never shows itself ------------------------------------------------------------


def test_repr_str_format_are_masked() -> None:
    key = generate_key()
    for shown in (repr(key), str(key), f"{key}", f"{key!r:>40}", f"{key}", f"{[key]}"):
        assert_no_key(shown, key)
        assert "****" in shown


def test_reveal_is_the_only_way_out() -> None:
    key = generate_key()
    assert len(key.reveal()) == 24
    assert not hasattr(key, "__dict__")
    with pytest.raises(AttributeError):
        key._compact = "x"
    with pytest.raises(AttributeError):
        del key._compact


def test_not_picklable_not_serializable_not_hashable() -> None:
    key = generate_key()
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        with pytest.raises(InvalidInputError) as info:
            pickle.dumps(key, protocol=protocol)
        assert_no_key(str(info.value), key)
    with pytest.raises(InvalidInputError):
        unstructure(key)
    with pytest.raises(InvalidInputError):
        unstructure({"k": key})
    with pytest.raises(TypeError):
        json.dumps(key)
    with pytest.raises(TypeError):
        hash(key)
    assert copy.copy(key) is key
    assert copy.deepcopy(key) is key


def test_equality_is_by_value() -> None:
    key = generate_key()
    assert key == AuthKey(key.reveal().replace("-", ""))
    assert key != generate_key()
    assert key != key.reveal()


# --- Secret providers ------------------------------------------------------------------------


def test_static_provider_checks_its_setup() -> None:
    good = b"s" * 32
    with pytest.raises(ConfigurationError):
        StaticSecretProvider(
            {}, {"e": good}, current_hmac_key_id="h", current_encryption_key_id="e"
        )
    with pytest.raises(ConfigurationError):
        StaticSecretProvider(
            {"h": b"short"}, {"e": good}, current_hmac_key_id="h", current_encryption_key_id="e"
        )
    with pytest.raises(ConfigurationError):
        StaticSecretProvider(
            {"h": good}, {"e": b"x" * 31}, current_hmac_key_id="h", current_encryption_key_id="e"
        )
    with pytest.raises(ConfigurationError):
        StaticSecretProvider(
            {"h": good}, {"e": good}, current_hmac_key_id="other", current_encryption_key_id="e"
        )
    with pytest.raises(ConfigurationError):
        StaticSecretProvider(
            {"bad id!": good},
            {"e": good},
            current_hmac_key_id="bad id!",
            current_encryption_key_id="e",
        )
    with pytest.raises(ConfigurationError):
        StaticSecretProvider(
            {"h": "text"},  # type: ignore[dict-item]
            {"e": good},
            current_hmac_key_id="h",
            current_encryption_key_id="e",
        )
    p = StaticSecretProvider(
        {"h": good}, {"e": good}, current_hmac_key_id="h", current_encryption_key_id="e"
    )
    assert isinstance(p, SecretProvider)
    with pytest.raises(ConfigurationError):
        p.hmac_secret("nope")
    with pytest.raises(ConfigurationError):
        p.encryption_key("nope")
    assert good.hex() not in repr(p)
    assert "sss" not in repr(p)
    with pytest.raises(InvalidInputError):
        pickle.dumps(p)


def test_new_secret_is_random() -> None:
    assert len(new_secret()) == 32
    assert new_secret() != new_secret()


def test_development_provider_creates_a_private_file_and_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(DEVELOPMENT_SECRET_ENV, raising=False)
    path = tmp_path / "dev-secret"
    with pytest.warns(DevelopmentSecretWarning, match="NEVER use this in production"):
        first = DevelopmentSecretProvider(path)
    assert "NEVER use this in production" in caplog.text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.warns(DevelopmentSecretWarning):
        second = DevelopmentSecretProvider(path)
    assert first.hmac_secret("dev") == second.hmac_secret("dev")
    assert first.hmac_secret("dev") != first.encryption_key("dev")
    assert len(first.encryption_key("dev")) == 32
    # A record sealed by one instance opens with the other (same file).
    key = generate_key()
    record = KeyProtector(first).seal(NUMBER, 1, key, NOW)
    assert KeyProtector(second).unseal(record) == key
    assert "NOT FOR PRODUCTION" in repr(first)


def test_development_provider_from_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DEVELOPMENT_SECRET_ENV, "ab" * 32)
    with pytest.warns(DevelopmentSecretWarning):
        p = DevelopmentSecretProvider(tmp_path / "unused")
    assert not (tmp_path / "unused").exists()
    monkeypatch.setenv(DEVELOPMENT_SECRET_ENV, "cd" * 32)
    with pytest.warns(DevelopmentSecretWarning):
        q = DevelopmentSecretProvider(tmp_path / "unused")
    assert p.hmac_secret("dev") != q.hmac_secret("dev")
    monkeypatch.setenv(DEVELOPMENT_SECRET_ENV, "not hex")
    with pytest.warns(DevelopmentSecretWarning), pytest.raises(ConfigurationError):
        DevelopmentSecretProvider(tmp_path / "unused")


def test_development_provider_bad_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DEVELOPMENT_SECRET_ENV, raising=False)
    path = tmp_path / "bad"
    path.write_text("abcd")
    with pytest.warns(DevelopmentSecretWarning), pytest.raises(ConfigurationError):
        DevelopmentSecretProvider(path)
    with pytest.warns(DevelopmentSecretWarning), pytest.raises(ConfigurationError):
        DevelopmentSecretProvider(tmp_path / "missing-dir" / "secret")


# --- KeyProtector ----------------------------------------------------------------------------


def test_seal_matches_unseal() -> None:
    protector = KeyProtector(provider())
    key = generate_key()
    record = protector.seal(NUMBER, 1, key, NOW)
    assert record.status is KeyStatus.ACTIVE
    assert (record.hmac_key_id, record.encryption_key_id) == ("h1", "e1")
    assert len(record.digest) == 32
    assert protector.matches(record, key)
    assert not protector.matches(record, generate_key())
    assert protector.unseal(record) == key
    # never plaintext at rest, in any encoding we know of
    for blob in (record.digest, record.ciphertext, to_json(record).encode()):
        assert key.reveal().replace("-", "").encode() not in blob
    assert_no_key(repr(record), key)
    assert_no_key(to_json(record), key)


def test_sealing_is_randomised() -> None:
    protector = KeyProtector(provider())
    key = generate_key()
    a, b = protector.seal(NUMBER, 1, key, NOW), protector.seal(NUMBER, 1, key, NOW)
    assert a.digest == b.digest
    assert a.ciphertext != b.ciphertext


def test_digest_is_bound_to_the_contract_number() -> None:
    protector = KeyProtector(provider())
    key = generate_key()
    record = protector.seal(NUMBER, 1, key, NOW)
    moved = evolve(record, contract_number="2026000002")
    assert not protector.matches(moved, key)
    with pytest.raises(CorruptRecordError):
        protector.unseal(moved)
    with pytest.raises(CorruptRecordError):
        protector.unseal(evolve(record, generation=2))


def test_tampered_ciphertext_is_a_corrupt_record() -> None:
    protector = KeyProtector(provider())
    key = generate_key()
    record = protector.seal(NUMBER, 1, key, NOW)
    for i in range(len(record.ciphertext)):
        flipped = bytearray(record.ciphertext)
        flipped[i] ^= 0x01
        with pytest.raises(CorruptRecordError) as info:
            protector.unseal(evolve(record, ciphertext=bytes(flipped)))
        assert_no_key(str(info.value), key)
    with pytest.raises(CorruptRecordError):
        protector.unseal(evolve(record, ciphertext=b"short"))


def test_seal_refuses_bad_numbers() -> None:
    protector = KeyProtector(provider())
    with pytest.raises(InvalidInputError):
        protector.seal("12345", 1, generate_key(), NOW)
    with pytest.raises(InvalidInputError):
        protector.seal(NUMBER, 1, "ABCD", NOW)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        KeyProtector(object())  # type: ignore[arg-type]


def test_rotation_new_records_use_new_ids_old_ones_still_work() -> None:
    old = KeyProtector(provider(("h1",), ("e1",)))
    key = generate_key()
    old_record = old.seal(NUMBER, 1, key, NOW)
    rotated = KeyProtector(provider(("h1", "h2"), ("e1", "e2")))
    assert rotated.matches(old_record, key)
    assert rotated.unseal(old_record) == key
    assert rotated.needs_reseal(old_record)
    new_record = rotated.seal("2026000002", 1, key, NOW)
    assert (new_record.hmac_key_id, new_record.encryption_key_id) == ("h2", "e2")
    assert not rotated.needs_reseal(new_record)
    resealed = rotated.reseal(old_record)
    assert (resealed.hmac_key_id, resealed.encryption_key_id) == ("h2", "e2")
    assert resealed.created_at == old_record.created_at
    assert rotated.matches(resealed, key)
    # once resealed, the old secrets can be retired
    retired = KeyProtector(provider(("h2",), ("e2",)))
    assert retired.matches(resealed, key)
    assert retired.unseal(resealed) == key
    with pytest.raises(ConfigurationError):
        retired.unseal(old_record)
    revoked = evolve(old_record, status=KeyStatus.REVOKED, revoked_at=NOW)
    assert rotated.reseal(revoked).status is KeyStatus.REVOKED


def test_records_of_two_guarantees_on_one_works_differ() -> None:
    protector = KeyProtector(provider())
    contract_key, advance_key = generate_key(), generate_key()
    a = protector.seal("2026000001", 1, contract_key, NOW)
    b = protector.seal("2026000002", 1, advance_key, NOW)
    assert contract_key != advance_key
    assert not protector.matches(a, advance_key)
    assert not protector.matches(b, contract_key)
    assert isinstance(a, KeyRecord)
