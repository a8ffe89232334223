"""``SuretyService.issue_many``: bulk issuance in one unit of work, equivalent to ``issue``."""

from __future__ import annotations

from typing import Any

import pytest

from surety_core import (
    DuplicateError,
    GuaranteeStatus,
    InvalidInputError,
    Medium,
    NotFoundError,
    VerificationError,
)
from surety_core.audit import verify_audit_chain
from surety_core.certificates import verify_certificate
from surety_core.storage.memory import MemoryStore

from .conftest import SECRETS, ServiceEnv, make_application, make_service


def _state(env: ServiceEnv) -> dict[str, Any]:
    """What issuance leaves in the store, without times, keys or signatures."""
    with env.store.unit_of_work() as uow:
        events = list(uow.audit.events())
        outbox = uow.outbox.all()
        contracts = {}
        for event in events:
            if event.action == "issued":
                contract = uow.contracts.get(event.subject)
                contracts[contract.number] = (
                    contract.application_reference,
                    contract.medium,
                    len(uow.certificates.history(contract.number)),
                    len(uow.statements.for_contract(contract.number)),
                    uow.keys.active(contract.number) is not None,
                )
    return {
        "actions": [(e.action, e.subject, e.details) for e in events],
        "outbox": sorted(m.idempotency_key for m in outbox),
        "contracts": contracts,
    }


def test_issue_many_leaves_what_issue_one_by_one_leaves(service_env: ServiceEnv) -> None:
    apps = [make_application(i) for i in range(1, 4)] + [make_application(4, medium=Medium.PAPER)]
    for app in apps:
        service_env.service.apply(app)
    results = service_env.service.issue_many([a.reference for a in apps])
    assert [r.reference for r in results] == [a.reference for a in apps]
    assert [len(r.guarantees) for r in results] == [1, 1, 1, 1]
    numbers = [g.contract.number for r in results for g in r.guarantees]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 4
    assert [g.key is None for r in results for g in r.guarantees] == [False, False, False, True]
    bulk = _state(service_env)
    with service_env.store.unit_of_work() as uow:
        assert verify_audit_chain(uow.audit.events(), secrets=SECRETS).ok

    # Every guarantee works like one from issue(): signed certificate (electronic only), key
    # opens the view.
    trusted = service_env.signing.trusted_keys()
    for result in results:
        for issued in result.guarantees:
            if issued.certificate is None:
                assert issued.key is None  # paper: nothing electronic is signed
                continue
            content = verify_certificate(issued.certificate.document, trusted)
            assert content.number == issued.contract.number
            if issued.key is not None:
                view = service_env.service.view(issued.contract.number, issued.key.reveal())
                assert view.status is GuaranteeStatus.ISSUED
                assert view.contract == issued.contract

    # The same applications issued one by one on a fresh store leave the same records.
    one_store = MemoryStore()
    one = ServiceEnv(one_store, make_service(one_store, service_env.signing), service_env.signing)
    for app in apps:
        one.service.apply(app)
    for app in apps:
        one.service.issue(app.reference)
    assert _state(one) == bulk


def test_one_failure_rolls_the_whole_batch_back(service_env: ServiceEnv) -> None:
    apps = [make_application(i) for i in range(1, 4)]
    for app in apps:
        service_env.service.apply(app)
    before = _state(service_env)
    with pytest.raises(NotFoundError):
        service_env.service.issue_many([apps[0].reference, "APP-9999", apps[1].reference])
    assert _state(service_env) == before
    # Nothing was issued, so the batch can be issued afterwards; then never again.
    assert len(service_env.service.issue_many([a.reference for a in apps])) == 3
    after = _state(service_env)
    with pytest.raises(DuplicateError):
        service_env.service.issue_many([apps[2].reference])
    with pytest.raises(DuplicateError):
        service_env.service.issue(apps[0].reference)
    assert _state(service_env) == after


@pytest.mark.parametrize(
    "references",
    ["APP-0001", ["APP-0001", "APP-0001"], ["APP-0001", 7], 42, None],
)
def test_bad_reference_collections_are_refused_before_any_work(
    service_env: ServiceEnv, references: Any
) -> None:
    service_env.service.apply(make_application(1))
    before = _state(service_env)
    with pytest.raises(InvalidInputError):
        service_env.service.issue_many(references)
    assert _state(service_env) == before


def test_an_empty_batch_issues_nothing(service_env: ServiceEnv) -> None:
    assert service_env.service.issue_many([]) == ()
    assert service_env.service.issue_many(iter(())) == ()
    assert _state(service_env)["actions"] == []


def test_keys_of_a_batch_are_distinct_and_not_interchangeable(service_env: ServiceEnv) -> None:
    apps = [make_application(i) for i in range(1, 3)]
    for app in apps:
        service_env.service.apply(app)
    first, second = (
        r.guarantees[0] for r in service_env.service.issue_many(["APP-0001", "APP-0002"])
    )
    assert first.key is not None
    assert second.key is not None
    assert first.key.reveal() != second.key.reveal()
    with pytest.raises(VerificationError):
        service_env.service.view(first.contract.number, second.key.reveal())
