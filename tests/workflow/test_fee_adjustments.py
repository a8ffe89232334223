"""Every amendment computes its additional fee or refund, keeps it with the contract, and an
additional fee is due from the contractor (fee_coverage sees it)."""

from __future__ import annotations

from datetime import timedelta

import attrs

from surety_core import (
    AdjustmentKind,
    Amendment,
    ArrangementBook,
    FeeAdjustment,
    FeeStatement,
    PaymentMethod,
    fee_for_contract,
    from_json,
    sample_rate_table,
)
from surety_core.services import SuretyService
from surety_core.storage import StatementKind, Store
from surety_core.testing import samples

DAY = samples.SAMPLE_DAY


def _issued(store: Store) -> tuple[SuretyService, str, str]:
    service = samples.surety_service(store, arrangements=ArrangementBook())
    receipt = service.apply(samples.electronic_application(contract=None))
    service.record_payment(
        receipt.reference, amount=receipt.due, received_on=DAY, method=PaymentMethod.BANK_TRANSFER
    )
    number = service.issue(receipt.reference).guarantees[0].contract.number
    return service, receipt.reference, number


def test_an_increase_is_due_and_a_decrease_refunded(any_store: Store) -> None:
    service, reference, number = _issued(any_store)
    assert service.fee_coverage(reference).outstanding == 0
    before = service.details(number, principal_id=samples.contractor().identifier)
    works = before.contract.works
    # Contract price up 20 %, advance up with it (40 M → 48 M) from day 31 of the period.
    bigger = attrs.evolve(works, contract_price=120_000_000)
    up = service.amend(
        number,
        Amendment(48_000_000, before.contract.period, bigger, DAY + timedelta(30), "増額"),
    )
    table = sample_rate_table()
    assert up.adjustment.kind is AdjustmentKind.ADDITIONAL
    assert up.adjustment.charged == fee_for_contract(table, before.contract).total == 105_000
    assert up.fee == fee_for_contract(table, up.contract) == up.adjustment.fee
    assert up.adjustment.additional == up.fee.total - 105_000 == 20_000  # 8 M × 0.25 %
    assert up.adjustment.refund == 0

    coverage = service.fee_coverage(reference)
    assert coverage.due == 105_000 + 20_000
    assert coverage.outstanding == 20_000
    paid = service.record_payment(
        reference, amount=20_000, received_on=DAY + timedelta(31), method=PaymentMethod.CASH
    )
    assert paid.coverage.covered
    assert paid.coverage.outstanding == 0

    # Back down to 40 M from day 61: the fall of the fee, 20,000 yen, for the unused days.
    down = service.amend(
        number,
        Amendment(40_000_000, up.contract.period, bigger, DAY + timedelta(60), "減額"),
    )
    adjustment = down.adjustment
    assert adjustment.kind is AdjustmentKind.REFUND
    assert adjustment.charged == 125_000
    assert adjustment.decrease == 20_000
    assert adjustment.unused_days == (up.contract.period.end - (DAY + timedelta(60))).days
    assert adjustment.gross == 20_000 * adjustment.unused_days // up.contract.period.days
    assert adjustment.refund == adjustment.gross - 1_000
    assert service.fee_coverage(reference).due == 125_000  # a refund does not lower what was due

    # Kept with the contract, in order, and shown to the contractor.
    with any_store.unit_of_work() as uow:
        records = uow.statements.for_contract(number)
    assert [r.kind for r in records] == [
        StatementKind.FEE,
        StatementKind.FEE,
        StatementKind.ADJUSTMENT,
        StatementKind.FEE,
        StatementKind.ADJUSTMENT,
    ]
    assert from_json(records[2].document, FeeAdjustment) == up.adjustment
    assert from_json(records[4].document, FeeAdjustment) == adjustment
    assert from_json(records[3].document, FeeStatement) == down.fee
    details = service.details(number, principal_id=samples.contractor().identifier)
    assert details.statements[-1] == adjustment

    # The release refunds the unused share of the fee of the terms in force (100,000 yen).
    released = service.release(number, DAY + timedelta(90))
    assert released.refund is not None
    assert released.refund.fee_paid == down.fee.total == 105_000
