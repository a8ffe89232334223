"""Storage ports and the stores we ship.

Hosts implement :class:`Store` (see :mod:`surety_core.testing.contract` to prove it right), or use
ours: :mod:`surety_core.storage.memory`, and :mod:`surety_core.storage.sql` for SQLite and
PostgreSQL.
"""

from surety_core.storage._protocols import (
    MAX_PAGE,
    ApplicationRepository,
    AttemptRepository,
    AuditLog,
    CertificateRepository,
    ContractNumberAllocator,
    ContractQuery,
    ContractRepository,
    KeyRepository,
    OutboxRepository,
    Page,
    StatementRepository,
    Store,
    UnitOfWork,
)
from surety_core.storage._records import (
    AttemptState,
    AuditEvent,
    CertificateRecord,
    KeyRecord,
    KeyStatus,
    OutboxMessage,
    OutboxStatus,
    StatementKind,
    StatementRecord,
)

__all__ = [
    "MAX_PAGE",
    "ApplicationRepository",
    "AttemptRepository",
    "AttemptState",
    "AuditEvent",
    "AuditLog",
    "CertificateRecord",
    "CertificateRepository",
    "ContractNumberAllocator",
    "ContractQuery",
    "ContractRepository",
    "KeyRecord",
    "KeyRepository",
    "KeyStatus",
    "OutboxMessage",
    "OutboxRepository",
    "OutboxStatus",
    "Page",
    "StatementKind",
    "StatementRecord",
    "StatementRepository",
    "Store",
    "UnitOfWork",
]
