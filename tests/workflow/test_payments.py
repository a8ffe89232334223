"""A guarantee contract is concluded when the fee is received or a consolidated monthly payment
arrangement (保証料一括納付) covers the contractor: issuance waits until then."""

from __future__ import annotations

from datetime import date

import pytest

from surety_core import (
    ArrangementBook,
    NotFoundError,
    PaymentArrangement,
    PaymentMethod,
    RuleViolationError,
)
from surety_core.audit import AuditAction
from surety_core.storage import Store
from surety_core.testing import samples

DAY = samples.SAMPLE_DAY


def test_issuance_waits_for_the_fee(any_store: Store) -> None:
    service = samples.surety_service(any_store, arrangements=ArrangementBook())
    receipt = service.apply(samples.electronic_application())
    assert receipt.due == sum(f.total for f in receipt.fees) > 0

    with pytest.raises(RuleViolationError) as refused:
        service.issue(receipt.reference)
    assert refused.value.codes == ("FEE_NOT_RECEIVED",)
    violation = refused.value.violations[0]
    assert "保証料" in violation.message_ja
    assert "一括納付" in violation.message_ja
    assert f"due {receipt.due} yen, received 0 yen" in violation.message_en
    # Nothing was issued: no contract, no key, no notice.
    with any_store.unit_of_work() as uow:
        assert uow.contracts.for_works("kashiwa", "R7-001") == ()
        assert uow.outbox.all() == ()

    # A part payment is not enough.
    part = service.record_payment(
        receipt.reference, amount=receipt.due - 1, received_on=DAY, method=PaymentMethod.CASH
    )
    assert part.coverage.outstanding == 1
    assert not part.coverage.covered
    with pytest.raises(RuleViolationError, match="FEE_NOT_RECEIVED"):
        service.issue(receipt.reference)

    rest = service.record_payment(
        receipt.reference, amount=1, received_on=DAY, method=PaymentMethod.BANK_TRANSFER
    )
    assert rest.payment.sequence == 2
    assert rest.coverage.covered
    assert rest.coverage.received == receipt.due
    issued = service.issue(receipt.reference)
    assert len(issued.guarantees) == 2


def test_receipt_data_for_the_paper_receipt(any_store: Store) -> None:
    service = samples.surety_service(any_store, arrangements=ArrangementBook())
    receipt = service.apply(samples.electronic_application())
    paid = service.record_payment(
        receipt.reference,
        amount=receipt.due,
        received_on=date(2025, 4, 1),
        method=PaymentMethod.BANK_TRANSFER,
    )
    data = paid.receipt
    assert data.number == "APP-0001-1"
    assert data.payer == "株式会社東葛建設"  # the contractor's name unless given
    assert data.amount == receipt.due
    assert data.received_on == date(2025, 4, 1)
    assert data.method.label_ja == "振込"
    assert data.issuer == "東日本建設業保証株式会社"
    assert "非課税" in data.tax_note
    # The payment is kept by the store and audited.
    with any_store.unit_of_work() as uow:
        assert list(uow.payments.for_reference("APP-0001")) == [paid.payment]
        actions = [e.action for e in uow.audit.events()]
    assert AuditAction.PAYMENT_RECEIVED.value in actions


def test_same_day_issuance_under_the_arrangement(any_store: Store) -> None:
    service = samples.surety_service(any_store)  # the sample contractor has an arrangement
    result = service.apply_and_issue(samples.electronic_application())
    assert len(result.guarantees) == 2
    coverage = service.fee_coverage(result.reference)
    assert coverage.covered
    assert coverage.received == 0
    assert coverage.outstanding == 0
    assert coverage.arrangement is not None
    assert coverage.arrangement.agreement == "IK0001"


def test_arrangement_covers_only_its_contractor_and_days(any_store: Store) -> None:
    other = samples.corporate_number(5)
    book = ArrangementBook(
        (
            PaymentArrangement(other, "IK0009", date(2025, 1, 1)),
            PaymentArrangement(
                samples.contractor().identifier, "IK0001", date(2024, 1, 1), date(2025, 3, 31)
            ),
        )
    )
    service = samples.surety_service(any_store, arrangements=book)
    with pytest.raises(RuleViolationError, match="FEE_NOT_RECEIVED"):
        service.apply_and_issue(samples.electronic_application())  # ended the day before


def test_payment_for_an_unknown_application_is_refused(any_store: Store) -> None:
    service = samples.surety_service(any_store)
    with pytest.raises(NotFoundError):
        service.record_payment("APP-9999", amount=1, received_on=DAY, method=PaymentMethod.CASH)


def test_arrangement_dates_are_checked() -> None:
    from surety_core import InvalidInputError

    with pytest.raises(InvalidInputError, match="ends_on"):
        PaymentArrangement("7000012050002", "IK1", date(2025, 4, 2), date(2025, 4, 1))
