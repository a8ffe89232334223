"""Records that the stores persist besides the domain model (private; see ``surety_core.storage``).

They are plain, frozen values so that any storage implementation can map them to its own tables:
the key record (never the key itself), a stored certificate (opaque signed bytes), an audit event,
an outbox message and the attempt limiter's state. Times are timezone-aware UTC ``datetime``s.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, NoReturn

from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import InvalidInputError

__all__ = [
    "AttemptState",
    "AuditEvent",
    "CertificateRecord",
    "KeyRecord",
    "KeyStatus",
    "OutboxMessage",
    "OutboxStatus",
    "StatementKind",
    "StatementRecord",
]


def _bytes(max_length: int = 4096) -> Any:
    def check(instance: object, attribute: object, value: Any) -> None:
        if not isinstance(value, bytes):
            raise InvalidInputError(
                v.field_name(instance, attribute), f"must be bytes, not {type(value).__name__}"
            )
        if len(value) > max_length:
            raise InvalidInputError(
                v.field_name(instance, attribute), f"must be at most {max_length} bytes"
            )

    return check


def _details(instance: object, attribute: object, value: Any) -> None:
    def fail(reason: str) -> NoReturn:
        raise InvalidInputError(v.field_name(instance, attribute), reason)

    if not isinstance(value, tuple) or len(value) > 50:
        fail("must be at most 50 (name, text) pairs")
    for pair in value:
        if (
            not isinstance(pair, tuple | list)
            or len(pair) != 2
            or not all(isinstance(part, str) for part in pair)
        ):
            fail("entries are (name, text) pairs")
        key, text = pair
        if not 1 <= len(key) <= 64 or len(text) > 1000:
            fail("names are 1-64 and values 0-1000 characters")
        if v._BAD_TEXT.search(key) or v._BAD_TEXT.search(text):
            fail("must not contain control characters or surrogates")


def _non_negative(instance: object, attribute: object, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInputError(v.field_name(instance, attribute), "must be an integer >= 0")


class KeyStatus(StrEnum):
    """Whether a key record still opens the view."""

    ACTIVE = "active"
    REVOKED = "revoked"
    """Replaced by a reissued key; stops working at once."""


@frozen
class KeyRecord:
    """What is stored for one authentication key: never the key in plain text.

    ``digest`` is an HMAC of the normalised key under the secret ``hmac_key_id``; ``ciphertext``
    is the key sealed with AES-GCM under ``encryption_key_id`` (nonce included), so the notice can
    be produced again. ``generation`` counts reissues (1 for the first key).
    """

    contract_number: str = field(validator=v.contract_number)
    generation: int = field(validator=v.positive_int)
    hmac_key_id: str = field(validator=v.code)
    digest: bytes = field(validator=_bytes(64), repr=False)
    encryption_key_id: str = field(validator=v.code)
    ciphertext: bytes = field(validator=_bytes(256), repr=False)
    created_at: datetime = field(validator=v.aware)
    status: KeyStatus = field(default=KeyStatus.ACTIVE, validator=v.enum_of(KeyStatus))
    revoked_at: datetime | None = field(default=None, validator=v.optional(v.aware))


@frozen
class CertificateRecord:
    """One signed certificate version, stored as opaque signed bytes.

    ``document`` is the signed envelope produced by ``surety_core.certificates``; ``digest`` is
    its SHA-256, which the next version carries so the history is a chain.
    """

    contract_number: str = field(validator=v.contract_number)
    version: int = field(validator=v.positive_int)
    document: bytes = field(validator=_bytes(1 << 20))
    digest: bytes = field(validator=_bytes(64))
    created_at: datetime = field(validator=v.aware)


@frozen
class AuditEvent:
    """One chained audit event. ``details`` never holds a key.

    ``sequence`` starts at 1 and has no gaps; ``previous_hash`` is the ``hash`` of the event
    before it (32 zero bytes for the first); ``hash`` is an HMAC-SHA256 over every other field
    under the HMAC secret ``key_id`` of the host's secret provider (``None`` only in events
    written before the log was keyed; the verifier reports those).
    """

    sequence: int = field(validator=v.positive_int)
    at: datetime = field(validator=v.aware)
    actor: str = field(validator=v.text(200))
    action: str = field(validator=v.code)
    subject: str = field(validator=v.text(200))
    details: tuple[tuple[str, str], ...] = field(converter=v.to_tuple, validator=_details)
    previous_hash: bytes = field(validator=_bytes(64))
    hash: bytes = field(validator=_bytes(64))
    key_id: str | None = field(default=None, validator=v.optional(v.code))


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    """Gave up after the maximum number of attempts."""


@frozen
class OutboxMessage:
    """A notification written in the same transaction as the event it announces.

    ``idempotency_key`` is unique; a notifier that sees it twice sends once.
    """

    idempotency_key: str = field(validator=v.text(200))
    kind: str = field(validator=v.code)
    recipient: str = field(validator=v.email)
    subject: str = field(validator=v.text(500))
    body: str = field(validator=v.text(20_000, multiline=True))
    created_at: datetime = field(validator=v.aware)
    status: OutboxStatus = field(default=OutboxStatus.PENDING, validator=v.enum_of(OutboxStatus))
    attempts: int = field(default=0, validator=_non_negative)
    next_attempt_at: datetime | None = field(default=None, validator=v.optional(v.aware))
    sent_at: datetime | None = field(default=None, validator=v.optional(v.aware))
    last_error: str | None = field(default=None)


@frozen
class AttemptState:
    """The attempt limiter's state for one guarantee contract number."""

    contract_number: str = field(validator=v.text(64))
    failures: int = field(validator=_non_negative)
    window_started_at: datetime = field(validator=v.aware)
    locked_until: datetime | None = field(default=None, validator=v.optional(v.aware))


class StatementKind(StrEnum):
    """The kinds of statement kept with a guarantee contract."""

    FEE = "fee"
    """保証料計算書: the fee calculation statement (at issue and at each amendment)."""
    REFUND = "refund"
    """返還計算書: the refund statement on release."""
    CLAIM = "claim"
    """The claim settlement (保証事故)."""
    ADJUSTMENT = "adjustment"
    """追加保証料計算書 or 返還計算書 of an amendment: the fee adjustment
    (``surety_core.FeeAdjustment``)."""


@frozen
class StatementRecord:
    """A statement kept with a guarantee contract: ``document`` is the statement's versioned
    JSON form (:func:`surety_core.to_json`); ``sequence`` counts from 1 per contract."""

    contract_number: str = field(validator=v.contract_number)
    sequence: int = field(validator=v.positive_int)
    kind: StatementKind = field(validator=v.enum_of(StatementKind))
    document: str = field(validator=v.text(100_000))
    created_at: datetime = field(validator=v.aware)
