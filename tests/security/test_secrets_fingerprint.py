"""The secrets fingerprint: a service given other secrets than the database was written with
refuses before anything is read, compared or counted, whatever number it is asked about."""

from __future__ import annotations

import pytest

from surety_core import ConfigurationError, VerificationError
from surety_core.keys import SECRETS_FINGERPRINT_NUMBER, KeyProtector, StaticSecretProvider
from surety_core.services import ContractorPortal, ObligeeRegistry
from surety_core.storage import Store
from surety_core.storage.memory import MemoryStore
from surety_core.testing import samples

OTHER = samples.secret_provider(hmac_secret=b"x" * 32, encryption_key=b"y" * 32)


def _issued(store: Store) -> tuple[str, str]:
    service = samples.surety_service(store)
    (guarantee, *_) = service.apply_and_issue(samples.electronic_application()).guarantees
    assert guarantee.key is not None
    return guarantee.contract.number, guarantee.key.reveal()


def _state(store: Store) -> tuple[int, object, object]:
    with store.unit_of_work() as uow:
        events = len(list(uow.audit.events()))
        return events, uow.attempts.get("0000000001"), uow.attempts.get("0000000099")


def test_the_issuer_writes_the_fingerprint_and_the_secrets_open_it() -> None:
    store = MemoryStore()
    _issued(store)
    with store.unit_of_work() as uow:
        record = uow.keys.active(SECRETS_FINGERPRINT_NUMBER)
    assert record is not None
    assert KeyProtector(samples.secret_provider()).opens_fingerprint(record)
    assert not KeyProtector(OTHER).opens_fingerprint(record)
    # only the HMAC secret differs: still not these secrets
    half = samples.secret_provider(hmac_secret=b"x" * 32)
    assert not KeyProtector(half).opens_fingerprint(record)


@pytest.mark.parametrize("number", ["0000000001", "0000000099"])  # issued, and unknown
def test_other_secrets_are_refused_before_anything_is_counted(number: str) -> None:
    store = MemoryStore()
    _, key = _issued(store)
    before = _state(store)
    registry = ObligeeRegistry(store, OTHER)
    for _ in range(8):  # more than the limiter's five failures
        with pytest.raises(ConfigurationError, match="these secrets do not match this database"):
            registry.view(number, key)
    assert _state(store) == before  # no attempt counted, no event appended
    with pytest.raises(ConfigurationError, match="do not match"):
        ContractorPortal(store, OTHER).key_notice("0000000001", principal_id="7000012050002")
    # the right secrets still open the guarantee
    assert ObligeeRegistry(store, samples.secret_provider()).view("0000000001", key).number


def test_an_issuer_with_other_secrets_writes_nothing() -> None:
    store = MemoryStore()
    _issued(store)
    before = _state(store)
    with pytest.raises(ConfigurationError, match="do not match"):
        _issued_with(store, OTHER)
    assert _state(store) == before


def _issued_with(store: Store, secrets: StaticSecretProvider) -> None:
    service = samples.surety_service(store, secrets=secrets)
    service.apply_and_issue(
        samples.electronic_application(
            reference="APP-0002",
            works=samples.school_works(),
            contract=None,
            advance_amount=20_000_000,
        )
    )


def test_the_fingerprint_key_opens_nothing() -> None:
    from surety_core.keys._secrets import _FINGERPRINT_KEY

    store = MemoryStore()
    _issued(store)
    registry = ObligeeRegistry(store, samples.secret_provider())
    with pytest.raises(VerificationError):
        registry.view(SECRETS_FINGERPRINT_NUMBER, _FINGERPRINT_KEY.reveal())


def test_a_rotation_seals_the_fingerprint_again_so_old_secrets_can_retire() -> None:
    store = MemoryStore()
    _, key = _issued(store)
    both = StaticSecretProvider(
        {"h1": b"h" * 32, "h2": b"H" * 32},
        {"e1": b"e" * 32, "e2": b"E" * 32},
        current_hmac_key_id="h2",
        current_encryption_key_id="e2",
    )
    _issued_with(store, both)  # the issuer's first use reseals the fingerprint
    with store.unit_of_work() as uow:
        record = uow.keys.active(SECRETS_FINGERPRINT_NUMBER)
        history = uow.keys.history(SECRETS_FINGERPRINT_NUMBER)
    assert record is not None
    assert (record.generation, record.hmac_key_id, record.encryption_key_id) == (2, "h2", "e2")
    assert len(history) == 2
    only_new = samples.secret_provider(
        hmac_key_id="h2", hmac_secret=b"H" * 32, encryption_key_id="e2", encryption_key=b"E" * 32
    )
    # the new secrets alone pass the fingerprint; the old key record is checked on its own
    registry = ObligeeRegistry(store, only_new)
    with pytest.raises(ConfigurationError, match="do not match"):
        registry.view("0000000001", key)  # its record is still sealed under h1/e1
    with pytest.raises(VerificationError):
        registry.view("0000000099", key)  # an unknown number: an ordinary failure


def test_a_database_without_a_fingerprint_still_checks_each_key_record() -> None:
    store = MemoryStore()
    _, key = _issued(store)
    with store.unit_of_work() as uow:  # as written by a version without the fingerprint
        uow.keys.revoke(SECRETS_FINGERPRINT_NUMBER, 1, samples.SAMPLE_NOW)
    registry = ObligeeRegistry(store, OTHER)
    with pytest.raises(ConfigurationError, match="do not match"):
        registry.view("0000000001", key)
    with pytest.raises(VerificationError):
        registry.view("0000000099", key)
