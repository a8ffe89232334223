"""Signed checkpoints of the audit log's head, and checking a whole log against one (private).

What this module owns: :class:`AuditCheckpoint` (the head's sequence and hash, signed with the
surety's Ed25519 key, exported as a small JSON file kept away from the database) and
:func:`verify_audit_log`, which pages through a store's log. It must not know how a store keeps
its rows.

A keyed chain alone stops whoever can write the table but lacks the HMAC secret. Against the last
checkpoint, also these are detected: dropping the newest events (the log ends before the signed
sequence) and rewriting up to the checkpoint by someone holding the HMAC secret (the event at the
signed sequence no longer has the signed hash).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from attrs import field, frozen
from cryptography.exceptions import InvalidSignature

from surety_core import _validation as v
from surety_core._errors import InvalidInputError, SuretyError, VerificationError
from surety_core.audit._chain import (
    GENESIS_HASH,
    AuditProblem,
    AuditReport,
    _check_run,
    _Secrets,
)
from surety_core.certificates._signing import SigningKeyRing, TrustedKeySet
from surety_core.keys._secrets import SecretProvider
from surety_core.storage._protocols import AuditLog
from surety_core.storage._records import AuditEvent

__all__ = ["AuditCheckpoint", "sign_checkpoint", "verify_audit_log"]

_TYPE = "surety_core.audit-checkpoint"
_CONTEXT = b"surety_core.audit.checkpoint.v1\x00"
_MAX_FILE = 4096


def _aware(instance: object, attribute: object, value: Any) -> None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidInputError(v.field_name(instance, attribute), "must be an aware datetime")


def _hash32(instance: object, attribute: object, value: Any) -> None:
    if not isinstance(value, bytes) or len(value) != 32:
        raise InvalidInputError(v.field_name(instance, attribute), "must be 32 bytes")


def _signature(instance: object, attribute: object, value: Any) -> None:
    if not isinstance(value, bytes) or len(value) != 64:
        raise InvalidInputError(v.field_name(instance, attribute), "must be 64 bytes")


@frozen
class AuditCheckpoint:
    """The audit log's head at one moment, signed by the surety (Ed25519, key id ``kid``).

    ``sequence`` 0 with the genesis hash is the checkpoint of an empty log.
    """

    sequence: int = field(validator=v.instance_of(int))
    head: bytes = field(validator=_hash32, repr=False)
    at: datetime = field(validator=_aware)
    kid: str = field(validator=v.code)
    signature: bytes = field(validator=_signature, repr=False)

    def __attrs_post_init__(self) -> None:
        if isinstance(self.sequence, bool) or self.sequence < 0:
            raise InvalidInputError("AuditCheckpoint.sequence", "must be an integer >= 0")

    def signed_bytes(self) -> bytes:
        """What the signature covers."""
        return _signed(self.sequence, self.head, self.at, self.kid)

    def verify(self, trusted: TrustedKeySet) -> None:
        """Raise :class:`~surety_core.VerificationError` unless a key in ``trusted`` signed it."""
        if not isinstance(trusted, TrustedKeySet):
            raise InvalidInputError("trusted", "must be a TrustedKeySet")
        public = trusted.get(self.kid)
        if public is None:
            raise VerificationError("the checkpoint is signed by a key that is not trusted")
        try:
            public.verify(self.signature, self.signed_bytes())
        except InvalidSignature:
            raise VerificationError("the checkpoint's signature does not verify") from None

    def to_json(self) -> bytes:
        """The checkpoint as a small JSON file (keep it away from the database)."""
        return _dumps(
            {
                "at": _utc(self.at),
                "head": self.head.hex(),
                "kid": self.kid,
                "sequence": self.sequence,
                "signature": base64.b64encode(self.signature).decode("ascii"),
                "type": _TYPE,
            }
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> AuditCheckpoint:
        """Read a checkpoint written by :meth:`to_json`; raises
        :class:`~surety_core.InvalidInputError` for anything else (its signature is checked by
        :meth:`verify`)."""
        if not isinstance(data, bytes | str) or len(data) > _MAX_FILE:
            raise InvalidInputError("checkpoint", "must be JSON of at most 4 KiB")
        try:
            parsed = json.loads(data)
        except (ValueError, RecursionError):
            raise InvalidInputError("checkpoint", "not valid JSON") from None
        keys = {"at", "head", "kid", "sequence", "signature", "type"}
        if not isinstance(parsed, dict) or set(parsed) != keys or parsed["type"] != _TYPE:
            raise InvalidInputError("checkpoint", "not an audit checkpoint")
        sequence, at = parsed["sequence"], parsed["at"]
        if type(sequence) is not int:
            raise InvalidInputError("checkpoint.sequence", "must be an integer")
        try:
            head = bytes.fromhex(_text(parsed["head"], 64))
            signature = base64.b64decode(_text(parsed["signature"], 88), validate=True)
            when = datetime.fromisoformat(_text(at, 40))
        except (ValueError, binascii.Error):
            raise InvalidInputError("checkpoint", "a field is malformed") from None
        checkpoint = cls(sequence, head, when, parsed["kid"], signature)
        if checkpoint.to_json() != (data.encode() if isinstance(data, str) else data).strip():
            raise InvalidInputError("checkpoint", "not in the canonical form")
        return checkpoint


def _text(value: object, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise ValueError
    return value


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _dumps(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode()


def _signed(sequence: int, head: bytes, at: datetime, kid: str) -> bytes:
    return _CONTEXT + _dumps([_TYPE, kid, sequence, head.hex(), _utc(at)])


def sign_checkpoint(
    head: AuditEvent | None, ring: SigningKeyRing, *, at: datetime
) -> AuditCheckpoint:
    """A checkpoint of ``head`` (the last event of a verified log; ``None`` for an empty log),
    signed with the ring's current key."""
    if head is not None and not isinstance(head, AuditEvent):
        raise InvalidInputError("head", "must be an AuditEvent or None")
    if not isinstance(ring, SigningKeyRing):
        raise InvalidInputError("ring", "must be a SigningKeyRing")
    sequence = 0 if head is None else head.sequence
    digest = GENESIS_HASH if head is None else head.hash
    kid, private = ring._signing_key()
    signature = private.sign(_signed(sequence, digest, at, kid))
    return AuditCheckpoint(sequence, digest, at, kid, signature)


def _events(log: AuditLog, after: int, limit: int) -> Iterator[AuditEvent]:
    """``log.events(after, limit)``, or one by one when a page cannot be read, so the first
    unreadable row is reached in order (its read error ends the run)."""
    try:
        page = list(log.events(after=after, limit=limit))
    except (SuretyError, ValueError, TypeError, KeyError, UnicodeError):
        page = None
    if page is not None:
        yield from page
        return
    position = after
    while True:
        single = list(log.events(after=position, limit=1))  # raises at the bad row
        if not single:
            return
        yield single[0]
        position = single[0].sequence


def verify_audit_log(
    log: AuditLog,
    *,
    secrets: SecretProvider,
    checkpoint: AuditCheckpoint | None = None,
    trusted: TrustedKeySet | None = None,
    page_size: int = 1000,
) -> AuditReport:
    """Check a store's whole audit log, page by page, and name the first bad event.

    With ``checkpoint`` (whose signature is checked against ``trusted`` first: a bad one raises
    :class:`~surety_core.VerificationError`), the log must reach the signed sequence and hold
    the signed hash there. A row that cannot be read is reported (``UNREADABLE``), never raised.
    """
    if not isinstance(secrets, SecretProvider):
        raise InvalidInputError("secrets", "must be a SecretProvider")
    if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
        raise InvalidInputError("page_size", "must be a positive integer")
    expected_sequence: int | None = None
    expected_head: bytes | None = None
    if checkpoint is not None:
        if trusted is None:
            raise InvalidInputError("trusted", "a checkpoint is checked against trusted keys")
        checkpoint.verify(trusted)
        expected_sequence, expected_head = checkpoint.sequence, checkpoint.head
    keys = _Secrets(secrets)
    last: AuditEvent | None = None
    checked = 0
    while True:
        after = 0 if last is None else last.sequence
        page = _check_run(
            _events(log, after, page_size),
            keys,
            after=last,
            expected_head=expected_head,
            expected_sequence=expected_sequence,
            final=False,
        )
        if not page.ok:
            return AuditReport(
                ok=False,
                checked=checked + page.checked,
                head=page.head,
                broken_index=checked + (page.broken_index or 0),
                broken_sequence=page.broken_sequence,
                problem=page.problem,
                last=page.last,
            )
        checked += page.checked
        if page.checked == 0:
            break
        last = page.last
    head = GENESIS_HASH if last is None else last.hash
    reached = 0 if last is None else last.sequence
    if expected_sequence is not None and reached < expected_sequence:
        return AuditReport(
            ok=False,
            checked=checked,
            head=head,
            broken_index=checked,
            broken_sequence=reached + 1,
            problem=AuditProblem.TRUNCATED,
            last=last,
        )
    return AuditReport(ok=True, checked=checked, head=head, last=last)
