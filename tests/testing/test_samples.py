"""The public sample data: valid, replaceable part by part, the demo's story, no test deps."""

from __future__ import annotations

import inspect
import subprocess
import sys
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surety_core import (
    ADVANCE_PAYMENT,
    CONTRACT_GUARANTEE,
    ConfigurationError,
    GuaranteeContract,
    Medium,
    WorksKind,
    from_json,
    is_valid_corporate_number,
    to_json,
    validate_application,
)
from surety_core.certificates import content_from_contract, sign_certificate, verify_certificate
from surety_core.storage.memory import MemoryStore
from surety_core.testing import FixedClock, samples

POSITIONAL = {
    "corporate_number": ["index"],
    "customer_number": ["index"],
    "contract_number": ["index"],
    "surety_service": ["store"],
}


@pytest.mark.parametrize("name", samples.__all__)
def test_every_factory_takes_its_parts_by_keyword(name: str) -> None:
    value = getattr(samples, name)
    if not inspect.isfunction(value):
        return
    parameters = inspect.signature(value).parameters.values()
    positional = [p.name for p in parameters if p.kind not in (p.KEYWORD_ONLY, p.VAR_KEYWORD)]
    assert positional == POSITIONAL.get(name, [])


def test_the_story_is_valid_under_the_city_policy() -> None:
    policy = samples.city_policy()
    for application in (samples.electronic_application(), samples.paper_application()):
        assert validate_application(application, policy) == ()
    consulting = samples.electronic_application(
        works=samples.consulting_works(), contract_amount=2_000_000, advance_amount=6_000_000
    )
    assert consulting.works.kind is WorksKind.CONSULTING
    assert validate_application(consulting, policy) == ()


def test_the_story_issues_as_the_demo_tells_it() -> None:
    service = samples.surety_service(MemoryStore())
    first = service.apply_and_issue(samples.electronic_application()).guarantees
    second = service.apply_and_issue(samples.paper_application()).guarantees
    assert [(g.contract.product, g.contract.medium, g.key is not None) for g in first] == [
        (CONTRACT_GUARANTEE, Medium.ELECTRONIC, True),
        (ADVANCE_PAYMENT, Medium.ELECTRONIC, True),
    ]
    assert [(g.contract.medium, g.key) for g in second] == [(Medium.PAPER, None)]
    assert [g.fee.total for g in (*first, *second)] == [10_000, 105_000, 65_000]
    assert {g.contract.principal for g in (*first, *second)} == {samples.contractor()}
    assert first[0].contract.issued_on == samples.SAMPLE_DAY  # the fixed clock's day


def test_parts_are_replaceable() -> None:
    start = date(2026, 4, 1)
    works = samples.road_works(start=start, contract_price=90_000_000)
    assert (works.period.start, works.period.end) == (start, date(2027, 3, 31))
    assert works.announced_on == start - timedelta(days=31)
    assert works.contract_price == 90_000_000
    application = samples.electronic_application(works=works, contract=None, advance=Medium.PAPER)
    assert [(r.product, r.medium) for r in application.requests] == [
        (ADVANCE_PAYMENT, Medium.PAPER)
    ]
    assert application.applied_on == start
    other = samples.city(name="千葉県", code="chiba")
    assert samples.school_works(obligee=other).obligee == other
    assert samples.city_policy(electronic_from=None).electronic_from is None
    with pytest.raises(ConfigurationError, match="kashiwa"):  # no policy: a setup mistake
        samples.policy_book(policies=[]).policy_for("kashiwa")
    clock = FixedClock(samples.SAMPLE_NOW + timedelta(days=1))
    service = samples.surety_service(MemoryStore(), clock=clock)
    issued = service.apply_and_issue(samples.electronic_application(contract=None))
    assert issued.guarantees[0].contract.issued_on == samples.SAMPLE_DAY + timedelta(days=1)


def test_a_sample_contract_round_trips_and_signs() -> None:
    contract = samples.guarantee_contract()
    assert from_json(to_json(contract), GuaranteeContract) == contract
    ring = samples.signing_ring()
    content = content_from_contract(contract, issued_at=samples.SAMPLE_NOW, previous_digest=None)
    document = sign_certificate(content, ring)
    assert verify_certificate(document, ring.trusted_keys()).number == contract.number


@given(st.integers(0, 10**9))
def test_numbered_corporate_numbers_are_valid_and_distinct(index: int) -> None:
    number = samples.corporate_number(index)
    assert is_valid_corporate_number(number)
    assert number != samples.corporate_number(index + 1)


def test_the_record_samples_are_what_the_stores_accept() -> None:
    store = MemoryStore()
    with store.unit_of_work() as uow:
        uow.contracts.add(samples.guarantee_contract())
        uow.keys.add(samples.key_record())
        uow.certificates.add(samples.certificate_record())
        uow.statements.add(samples.statement_record())
        uow.outbox.add(samples.outbox_message())
        uow.audit.append(samples.audit_event())
        uow.attempts.put(samples.attempt_state(failures=5))
    with store.unit_of_work() as uow:
        assert uow.keys.active("0000000001") == samples.key_record()
        locked = uow.attempts.get("0000000001")
        assert locked is not None
        assert locked.locked_until is not None


def test_importing_the_samples_needs_neither_pytest_nor_hypothesis() -> None:
    code = (
        "import sys; import surety_core.testing.samples; "
        "print(sorted({'pytest', 'hypothesis'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
