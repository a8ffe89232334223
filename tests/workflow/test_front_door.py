"""The front door: every service constructor names a wrong argument, setup mistakes are
configuration errors, product names point to the codes, messages print yen, one-call PDFs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from surety_core import (
    ADVANCE_PAYMENT,
    ConfigurationError,
    InvalidInputError,
    Medium,
    ProductRequest,
    RuleViolationError,
    SuretyService,
)
from surety_core.documents import certificate_pdf, fee_statement_pdf, read_certificate_pdf
from surety_core.services import ContractorPortal, ObligeeRegistry, SuretyIssuer
from surety_core.storage.memory import MemoryStore
from surety_core.testing import samples


def _parts() -> dict[str, Any]:
    return {
        "surety": samples.surety(),
        "secrets": samples.secret_provider(),
        "signing_keys": samples.signing_ring(),
        "rate_table": samples.rate_table(),
        "policies": samples.policy_book(),
    }


@pytest.mark.parametrize(
    ("argument", "wrong"),
    [
        ("store", "surety.db"),
        ("store", Path("surety.db")),
        ("surety", "ejcs"),
        ("secrets", {"h1": b"h" * 32}),
        ("signing_keys", b"pem"),
        ("rate_table", {}),
        ("policies", [samples.city_policy()]),
        ("policies", samples.city_policy()),
        ("products", ["advance_payment"]),
        ("limiter", "window"),
        ("clock", "now"),
        ("approval", "yes"),
        ("retries", "5"),
        ("portal_name", ""),
    ],
)
def test_every_constructor_argument_is_checked_and_named(argument: str, wrong: object) -> None:
    parts: dict[str, Any] = {"store": MemoryStore(), **_parts()}
    parts[argument] = wrong
    store = parts.pop("store")
    with pytest.raises(InvalidInputError) as caught:
        SuretyService(store, **parts)
    assert caught.value.field == argument


@pytest.mark.parametrize("cls", [ContractorPortal, ObligeeRegistry])
def test_portal_and_registry_name_their_arguments(cls: Any) -> None:
    with pytest.raises(InvalidInputError) as caught:
        cls("surety.db", samples.secret_provider())
    assert caught.value.field == "store"
    assert "sqlite_store" in str(caught.value)
    with pytest.raises(InvalidInputError) as caught:
        cls(MemoryStore(), {"h1": b"h" * 32})
    assert caught.value.field == "secrets"


def test_the_issuer_names_its_arguments_too() -> None:
    parts = _parts()
    parts["secrets"] = None
    with pytest.raises(InvalidInputError, match="secrets"):
        SuretyIssuer(MemoryStore(), **parts)


def test_an_obligee_missing_from_the_policy_book_is_a_configuration_error() -> None:
    service = samples.surety_service(MemoryStore(), policies=samples.policy_book(policies=[]))
    with pytest.raises(ConfigurationError, match="kashiwa") as caught:
        service.apply_and_issue(samples.electronic_application())
    assert "ELECTRONIC_NOT_ACCEPTED" not in str(caught.value)


def test_a_product_given_by_its_japanese_name_is_refused_with_the_codes() -> None:
    works = samples.road_works()
    with pytest.raises(InvalidInputError, match="advance_payment") as caught:
        ProductRequest("前払金保証", Medium.ELECTRONIC, 1, works.period)
    assert "contract_guarantee" in str(caught.value)


def test_an_unknown_product_code_lists_the_known_codes() -> None:
    service = samples.surety_service(MemoryStore())
    application = samples.electronic_application(contract=None)
    request = ProductRequest("advance", Medium.ELECTRONIC, 1_000_000, application.works.period)
    from attrs import evolve

    with pytest.raises(RuleViolationError, match="known codes: advance_payment"):
        service.apply(evolve(application, requests=(request,)))


def test_rule_messages_print_amounts_as_yen() -> None:
    service = samples.surety_service(MemoryStore())
    application = samples.electronic_application(contract=None, advance_amount=70_000_000)
    with pytest.raises(RuleViolationError) as caught:
        service.apply(application)
    assert "70,000,000円 > 2/5 × 100,000,000円" in str(caught.value)
    assert ADVANCE_PAYMENT


def test_certificate_and_fee_statement_pdfs_in_one_call() -> None:
    service = samples.surety_service(MemoryStore())
    issued = service.apply_and_issue(samples.electronic_application()).guarantees[0]
    certificate = issued.certificate
    assert certificate is not None  # electronic guarantees have one
    pdf = certificate_pdf(certificate, service.trusted_keys)
    assert pdf.startswith(b"%PDF")
    assert read_certificate_pdf(pdf)
    assert certificate_pdf(certificate.document, service.trusted_keys) == pdf
    assert fee_statement_pdf(issued.contract, issued.fee).startswith(b"%PDF")
    other = samples.signing_ring(kid="k2").trusted_keys()
    from surety_core import VerificationError

    with pytest.raises(VerificationError):
        certificate_pdf(certificate, other)
    with pytest.raises(InvalidInputError, match="certificate"):
        certificate_pdf("x", service.trusted_keys)  # type: ignore[arg-type]


def test_other_secrets_are_a_configuration_error_before_anything_is_counted() -> None:
    store = MemoryStore()
    service = samples.surety_service(store)
    issued = service.apply_and_issue(samples.electronic_application()).guarantees[0]
    number, key = issued.contract.number, issued.key
    assert key is not None
    other = ObligeeRegistry(store, samples.secret_provider(hmac_secret=b"x" * 32))
    for _ in range(7):
        with pytest.raises(ConfigurationError, match="these secrets do not match"):
            other.view(number, key)
    with store.unit_of_work() as uow:
        assert uow.attempts.get(number) is None
    assert service.view(number, key).number == number
    assert service.unlock(number) is False
