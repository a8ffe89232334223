"""The library's exception hierarchy.

Every error the library raises on purpose derives from :class:`SuretyError`. Errors are split by
who is at fault (after h11): the caller passed something invalid (:class:`InvalidInputError`), a
business rule refused the request (:class:`~surety_core.RuleViolationError`, defined with the
rules in :mod:`surety_core.domain`), outside data could not be trusted
(:class:`VerificationError`, :class:`CorruptRecordError`), or the environment failed
(:class:`StorageError`).
"""

from __future__ import annotations

from datetime import date

__all__ = [
    "AttemptsExceededError",
    "ConcurrencyConflictError",
    "ConfigurationError",
    "CorruptRecordError",
    "DevelopmentSecretWarning",
    "DocumentError",
    "DuplicateError",
    "InvalidInputError",
    "KeyFormatError",
    "KeyReplacedError",
    "NotFoundError",
    "SchemaVersionError",
    "StorageError",
    "SuretyError",
    "TransactionConflictError",
    "VerificationError",
]


class SuretyError(Exception):
    """Base class of every error raised by surety_core."""


class InvalidInputError(SuretyError, ValueError):
    """The caller passed a value of the wrong type, range or format.

    ``field`` names the offending field (dotted path) when known; ``reason`` says what is wrong.
    The message never contains a secret.
    """

    def __init__(self, field: str | None, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}" if field else reason)

    def __reduce__(self) -> tuple[type[InvalidInputError], tuple[str | None, str]]:
        return type(self), (self.field, self.reason)


class KeyFormatError(InvalidInputError):
    """An authentication key is malformed or fails its check character (a typo).

    Raised before any storage look-up; the message never repeats the key.
    """


class VerificationError(SuretyError):
    """Opaque rejection: a key, certificate or signature could not be verified.

    Deliberately says nothing about *which* part was wrong, so it is no oracle.
    """

    def __init__(self, message: str = "verification failed") -> None:
        super().__init__(message)


class AttemptsExceededError(VerificationError):
    """Too many failed attempts for one guarantee contract; retry after ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many failed attempts; retry after {retry_after:.0f} s")

    def __reduce__(self) -> tuple[type[AttemptsExceededError], tuple[float]]:
        return type(self), (self.retry_after,)


class KeyReplacedError(VerificationError):
    """The key given was this guarantee's key until a re-issued key replaced it on
    ``replaced_on``: the obligee needs the new key notice from the contractor.

    Raised only for the replaced key itself (a guess cannot tell it from a wrong key), after the
    attempt was counted as a failure like any other; during a lockout the refusal comes first.
    """

    def __init__(self, replaced_on: date) -> None:
        self.replaced_on = replaced_on
        super().__init__(
            f"this authentication key was replaced by a re-issued key on {replaced_on.isoformat()}"
        )

    def __reduce__(self) -> tuple[type[KeyReplacedError], tuple[date]]:
        return type(self), (self.replaced_on,)


class NotFoundError(SuretyError, LookupError):
    """A record that the caller named does not exist (never used for key verification)."""


class DuplicateError(SuretyError):
    """A record with the same identity already exists."""


class ConcurrencyConflictError(SuretyError):
    """Another writer changed the record first (optimistic concurrency); reload and retry."""


class TransactionConflictError(ConcurrencyConflictError):
    """The unit of work lost a race with a concurrent one (a deadlock, a serialization failure,
    the audit chain's head taken meanwhile) and was rolled back as a whole: running the same
    work again in a new unit of work is safe. The services retry it themselves; a store raises
    it only for such races, never for a stale record the caller passed in."""


class StorageError(SuretyError):
    """The storage backend failed (connection, lock time-out, I/O)."""


class CorruptRecordError(StorageError):
    """A stored record cannot be read back; ``record`` names it."""

    def __init__(self, record: str, reason: str) -> None:
        self.record = record
        self.reason = reason
        super().__init__(f"corrupt record {record}: {reason}")

    def __reduce__(self) -> tuple[type[CorruptRecordError], tuple[str, str]]:
        return type(self), (self.record, self.reason)


class SchemaVersionError(StorageError):
    """The database schema is newer (or older) than this version of the library supports."""


class ConfigurationError(SuretyError):
    """The library was set up wrongly (missing secret, bad key set, unknown product)."""


class DocumentError(SuretyError):
    """A PDF document could not be produced or read (malformed, encrypted, too large)."""


class DevelopmentSecretWarning(UserWarning):
    """A development-only secret source is in use; never use it in production."""
