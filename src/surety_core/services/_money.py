"""The money of changes to a guarantee (private; see :mod:`surety_core.services`).

Owns what the issuer does with fees when a guarantee changes: the fee charged so far, the
adjustment of an amendment (additional fee or refund, :func:`surety_core.fee_on_amendment`)
stored with the contract, and the additional fees an application's contractor owes on top of
the fees of its requests (so :meth:`SuretyIssuer.fee_coverage` shows them as due).

Must not know: SQL, PDFs, notices. Runs inside the issuer's unit of work.
"""

from __future__ import annotations

from collections.abc import Callable

from surety_core._serialization import from_json
from surety_core.domain._claims import ClaimSettlement
from surety_core.domain._fees import (
    FeeAdjustment,
    FeeStatement,
    RateTable,
    RefundStatement,
    fee_on_amendment,
)
from surety_core.domain._model import Application, GuaranteeContract
from surety_core.services._runtime import Step
from surety_core.storage._protocols import UnitOfWork
from surety_core.storage._records import StatementKind

__all__ = ["AddStatement", "additional_due", "amendment_fee", "fee_charged"]

AddStatement = Callable[
    [Step, str, StatementKind, FeeStatement | RefundStatement | ClaimSettlement | FeeAdjustment],
    None,
]
"""How the issuer keeps a statement with a contract (``SuretyIssuer._add_statement``)."""


def fee_charged(uow: UnitOfWork, number: str) -> int:
    """The fee charged for the terms in force of ``number``: the total of its latest fee
    statement (issuance or amendment), 0 if none."""
    fees = [s for s in uow.statements.for_contract(number) if s.kind is StatementKind.FEE]
    if not fees:
        return 0
    return from_json(fees[-1].document, FeeStatement).total


def amendment_fee(
    step: Step,
    rates: RateTable,
    old: GuaranteeContract,
    new: GuaranteeContract,
    add: AddStatement,
) -> FeeAdjustment:
    """The fee adjustment of amending ``old`` into ``new``, kept with the contract: the fee
    statement of the new terms, then the adjustment (追加保証料 or 返還保証料)."""
    adjustment = fee_on_amendment(rates, old, new, charged=fee_charged(step.uow, old.number))
    add(step, new.number, StatementKind.FEE, adjustment.fee)
    add(step, new.number, StatementKind.ADJUSTMENT, adjustment)
    return adjustment


def additional_due(uow: UnitOfWork, application: Application) -> int:
    """The additional fees (yen) of amendments to the guarantees issued from ``application``:
    due from its contractor on top of the fees of its requests."""
    works = application.works
    total = 0
    for contract in uow.contracts.for_works(works.obligee.code, works.number):
        if contract.application_reference != application.reference or contract.version == 1:
            continue
        for record in uow.statements.for_contract(contract.number):
            if record.kind is StatementKind.ADJUSTMENT:
                total += from_json(record.document, FeeAdjustment).additional
    return total
