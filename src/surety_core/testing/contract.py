"""The storage contract test suite: prove a :class:`~surety_core.storage.Store` right.

The implementation lives in :mod:`surety_core.testing._contract`; this module is its public face.
"""

from surety_core.testing._contract import (
    ApplicationsContract,
    AttemptsContract,
    AuditContract,
    CertificatesContract,
    ConcurrencyContract,
    ContractsContract,
    DocumentedBehaviourContract,
    InterleavingContract,
    KeysContract,
    NumbersContract,
    OutboxContract,
    PaymentsContract,
    PortalContract,
    StatementsContract,
    StoreContract,
    StoreContractBase,
    UnitOfWorkContract,
)

__all__ = [
    "ApplicationsContract",
    "AttemptsContract",
    "AuditContract",
    "CertificatesContract",
    "ConcurrencyContract",
    "ContractsContract",
    "DocumentedBehaviourContract",
    "InterleavingContract",
    "KeysContract",
    "NumbersContract",
    "OutboxContract",
    "PaymentsContract",
    "PortalContract",
    "StatementsContract",
    "StoreContract",
    "StoreContractBase",
    "UnitOfWorkContract",
]
