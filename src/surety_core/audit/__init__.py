"""The keyed, chained audit log: recording events, signed checkpoints of its head, and
verifying a chain or a whole log against the last checkpoint."""

from surety_core.audit._chain import (
    GENESIS_HASH,
    AuditAction,
    AuditProblem,
    AuditReport,
    append_event,
    check_event_fields,
    event_hash,
    record_event,
    verify_audit_chain,
)
from surety_core.audit._checkpoint import AuditCheckpoint, sign_checkpoint, verify_audit_log

__all__ = [
    "GENESIS_HASH",
    "AuditAction",
    "AuditCheckpoint",
    "AuditProblem",
    "AuditReport",
    "append_event",
    "check_event_fields",
    "event_hash",
    "record_event",
    "sign_checkpoint",
    "verify_audit_chain",
    "verify_audit_log",
]
