"""Services by actor and privilege: the registry and the portal hold no signing key, no rate
table and no policy, and serve their reads from a store and a secret provider alone."""

from __future__ import annotations

import inspect
from datetime import date

import pytest

from surety_core import (
    GuaranteeStatus,
    NotFoundError,
    RateTable,
    VerificationError,
    sample_rate_table,
)
from surety_core.certificates import SigningKeyRing, verify_certificate
from surety_core.keys import WindowAttemptLimiter, generate_key
from surety_core.services import (
    ContractorPortal,
    ObligeeRegistry,
    PolicyBook,
    SuretyIssuer,
    SuretyService,
)
from surety_core.storage import ContractQuery, Store
from surety_core.testing import samples

from .test_flow import PERIOD, POLICY, PRINCIPAL, SURETY, Clock, _secrets, application


def _issued(store: Store) -> tuple[str, str, SigningKeyRing]:
    """Issue one electronic guarantee with the surety's issuer; its number and key."""
    signing = SigningKeyRing.generate("k1")
    issuer = SuretyIssuer(
        store,
        surety=SURETY,
        secrets=_secrets(),
        signing_keys=signing,
        rate_table=sample_rate_table(),
        policies=PolicyBook([POLICY]),
        clock=Clock(),
        arrangements=samples.arrangement_book(principal_ids=[PRINCIPAL.identifier]),
    )
    result = issuer.apply_and_issue(application(contract=None))
    (guarantee,) = result.guarantees
    assert guarantee.key is not None
    return guarantee.contract.number, guarantee.key.reveal(), signing


def _holds_no_privilege(service: object) -> None:
    """No attribute of ``service`` is a signing key ring, a rate table or a policy source, and
    it has no method that signs or issues."""
    held = list(vars(service).values())
    assert not any(isinstance(x, SigningKeyRing | RateTable | PolicyBook) for x in held)
    for name in ("_signing", "_rates", "_policies", "_approval", "issue", "amend", "_sign"):
        assert not hasattr(service, name), name


def test_registry_from_a_store_and_a_secret_provider_alone_serves_view(any_store: Store) -> None:
    number, key, signing = _issued(any_store)
    registry = ObligeeRegistry(any_store, _secrets())
    _holds_no_privilege(registry)
    view = registry.view(number, key)
    assert view.number == number
    assert view.contract.status is GuaranteeStatus.ISSUED
    # The default clock is the real one: the period (ending 2026-03-31) has ended.
    assert view.status is GuaranteeStatus.EXPIRED
    assert view.product_name == "前払金保証"
    # The certificate the registry returns was signed by the issuer, not by the registry.
    assert verify_certificate(view.certificate.document, signing.trusted_keys()).number == number
    with pytest.raises(VerificationError):
        registry.view(number, generate_key())


def test_registry_constructor_takes_no_signing_keys_or_rates() -> None:
    params = set(inspect.signature(ObligeeRegistry).parameters)
    assert params == {
        "store",
        "secrets",
        "limiter",
        "products",
        "clock",
        "today",
        "zone",
        "retries",
    }
    params = set(inspect.signature(ContractorPortal).parameters)
    assert params == {"store", "secrets", "products", "clock", "today", "zone", "retries"}


def test_registry_shows_an_ended_period_as_expired(any_store: Store) -> None:
    number, key, _ = _issued(any_store)
    registry = ObligeeRegistry(
        any_store, _secrets(), today=lambda: date(2026, 4, 1), limiter=WindowAttemptLimiter()
    )
    assert registry.view(number, key).status is GuaranteeStatus.EXPIRED


def test_portal_works_without_signing_keys(any_store: Store) -> None:
    number, key, _ = _issued(any_store)
    portal = ContractorPortal(any_store, _secrets())
    _holds_no_privilege(portal)
    page = portal.history(ContractQuery(PRINCIPAL.identifier))
    assert [s.number for s in page.items] == [number]
    assert page.items[0].period == PERIOD
    details = portal.details(number, principal_id=PRINCIPAL.identifier)
    assert details.has_key
    notice = portal.key_notice(number, principal_id=PRINCIPAL.identifier)
    assert notice.key.reveal() == key
    assert notice.product_name == "前払金保証"
    with pytest.raises(NotFoundError):
        portal.key_notice(number, principal_id="2010001008824")


def test_facade_delegates_to_the_three_actors(any_store: Store) -> None:
    service = SuretyService(
        any_store,
        surety=SURETY,
        secrets=_secrets(),
        signing_keys=SigningKeyRing.generate("k1"),
        rate_table=sample_rate_table(),
        policies=PolicyBook([POLICY]),
        clock=Clock(),
        arrangements=samples.arrangement_book(principal_ids=[PRINCIPAL.identifier]),
    )
    assert isinstance(service.issuer, SuretyIssuer)
    assert isinstance(service.portal, ContractorPortal)
    assert isinstance(service.registry, ObligeeRegistry)
    assert service.products is service.issuer.products is service.registry.products
    (guarantee,) = service.apply_and_issue(application(contract=None)).guarantees
    assert guarantee.key is not None
    number = guarantee.contract.number
    assert service.view(number, guarantee.key).number == number
    reissued = service.reissue_key(number, principal_id=PRINCIPAL.identifier)
    assert reissued.generation == 2
    assert service.registry.view(number, reissued.key).number == number
    with pytest.raises(VerificationError):
        service.view(number, guarantee.key)
