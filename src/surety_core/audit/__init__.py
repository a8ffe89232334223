"""The hash-chained audit log: recording events and verifying a chain."""

from surety_core.audit._chain import (
    GENESIS_HASH,
    AuditAction,
    AuditProblem,
    AuditReport,
    append_event,
    event_hash,
    record_event,
    verify_audit_chain,
)

__all__ = [
    "GENESIS_HASH",
    "AuditAction",
    "AuditProblem",
    "AuditReport",
    "append_event",
    "event_hash",
    "record_event",
    "verify_audit_chain",
]
