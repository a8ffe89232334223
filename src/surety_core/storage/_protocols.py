"""The storage ports (private; import them from :mod:`surety_core.storage`).

A host embeds the library on its own database by implementing :class:`Store`; every method's
guarantees are stated here and proved by the contract test suite in
:mod:`surety_core.testing.contract`. All repositories are reached through a
:class:`UnitOfWork`, the transaction boundary: everything done inside one unit of work is
committed together when the ``with`` block ends normally, or not at all.

Owns: the ports (the repository and unit-of-work protocols) and the guarantee written on each
method. Must not know: any adapter (SQL, memory), the services that call the ports, the JSON
form, keys or signing: records are opaque values to it.

Rules every store keeps, whatever the method:

* **Exact identifiers.** Numbers, references, codes and keys are compared exactly: case,
  blanks and width matter (``APP-1``, ``app-1`` and ``APP-1 `` are three references).
* **Inclusive bounds.** ``issued_from``/``issued_to`` and "due at ``now``" include the bound.
* **Input checks.** A value of the wrong type, a naive ``datetime``, a ``limit`` below 1 or an
  ``after`` below 0 raise :class:`~surety_core.InvalidInputError` before anything is read or
  written.
* **Checked at commit too.** Every uniqueness and optimistic-concurrency rule below holds
  against what other units of work committed meanwhile: a store may make the second unit wait
  (a lock), refuse at the call, or refuse at commit, as long as the outcome is one a serial
  order could give. A race the whole unit may simply run again is reported as
  :class:`~surety_core.TransactionConflictError`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Generic, Protocol, Self, TypeVar, runtime_checkable

from attrs import field, frozen

from surety_core import _validation as v
from surety_core.domain._model import Application, GuaranteeContract, GuaranteeStatus, Medium
from surety_core.domain._payments import Payment
from surety_core.storage._records import (
    AttemptState,
    AuditEvent,
    CertificateRecord,
    KeyRecord,
    OutboxMessage,
    StatementRecord,
)

__all__ = [
    "ApplicationRepository",
    "AttemptRepository",
    "AuditLog",
    "CertificateRepository",
    "ContractNumberAllocator",
    "ContractQuery",
    "ContractRepository",
    "KeyRepository",
    "OutboxRepository",
    "Page",
    "PaymentRepository",
    "StatementRepository",
    "Store",
    "UnitOfWork",
]

T = TypeVar("T")

MAX_PAGE = 500
"""The largest page a query may ask for."""


@frozen
class ContractQuery:
    """Filters for a principal's guarantee history (電子保証履歴一覧); all optional but the first.

    ``principal_id`` is the principal's :attr:`~surety_core.Principal.identifier` (a corporate
    number, or a sole proprietor's customer number). Results are ordered by contract number;
    ``offset``/``limit`` page through them.
    """

    principal_id: str = field(validator=v.principal_id)
    product: str | None = field(default=None, validator=v.optional(v.code))
    status: GuaranteeStatus | None = field(
        default=None, validator=v.optional(v.enum_of(GuaranteeStatus))
    )
    medium: Medium | None = field(default=None, validator=v.optional(v.enum_of(Medium)))
    obligee_code: str | None = field(default=None, validator=v.optional(v.code))
    issued_from: date | None = field(default=None, validator=v.optional_date)
    issued_to: date | None = field(default=None, validator=v.optional_date)
    offset: int = field(default=0, validator=v.non_negative_yen)
    limit: int = field(default=50, validator=v.positive_int)

    def __attrs_post_init__(self) -> None:
        if self.limit > MAX_PAGE:
            from surety_core._errors import InvalidInputError

            raise InvalidInputError("ContractQuery.limit", f"must be at most {MAX_PAGE}")

    def matches(self, contract: GuaranteeContract) -> bool:
        """True when ``contract`` passes every filter (paging aside)."""
        return (
            contract.principal.identifier == self.principal_id
            and (self.product is None or contract.product == self.product)
            and (self.status is None or contract.status is self.status)
            and (self.medium is None or contract.medium is self.medium)
            and (self.obligee_code is None or contract.obligee.code == self.obligee_code)
            and (self.issued_from is None or contract.issued_on >= self.issued_from)
            and (self.issued_to is None or contract.issued_on <= self.issued_to)
        )


@frozen
class Page(Generic[T]):
    """One page of results: ``items``, and ``total`` matches across all pages."""

    items: tuple[T, ...]
    total: int
    offset: int
    limit: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.items) < self.total


class ContractNumberAllocator(Protocol):
    """Allocates guarantee contract numbers (保証契約番号)."""

    def allocate(self) -> str:
        """The next number: 10 ASCII digits, never returned before by any process, even
        when the unit of work that took it rolled back.

        Numbers increase; a rolled-back unit of work leaves a gap (that is allowed).
        """
        ...


class ContractRepository(Protocol):
    """Guarantee contracts with their version histories."""

    def add(self, contract: GuaranteeContract) -> None:
        """Store a new contract. Raises ``DuplicateError`` if its number exists, or if another
        contract has the same ``application_reference`` and ``product`` (an application is
        issued once; the SQL stores keep a unique index on the pair)."""
        ...

    def get(self, number: str) -> GuaranteeContract:
        """The contract with ``number``. Raises ``NotFoundError``."""
        ...

    def find(self, number: str) -> GuaranteeContract | None:
        """The contract with ``number``, or ``None``."""
        ...

    def replace(self, old: GuaranteeContract, new: GuaranteeContract) -> None:
        """Replace ``old`` by ``new`` (same number) if the stored one is still ``old``.

        Optimistic concurrency: the stored contract's version and status must equal ``old``'s,
        else ``ConcurrencyConflictError`` and nothing changes. ``NotFoundError`` if absent.
        """
        ...

    def for_works(self, obligee_code: str, works_number: str) -> Sequence[GuaranteeContract]:
        """Every contract on one works (by its current version), ordered by number.

        The rules across guarantees of one works (caps, one product per works, issued once)
        are checked on this list, so it must still be true when the unit of work commits:
        a store either holds the works until the unit ends (PostgreSQL: an advisory lock;
        SQLite: the write lock) or fails the commit with ``TransactionConflictError`` when a
        concurrent unit changed the works' contracts meanwhile (the memory store)."""
        ...

    def query(self, query: ContractQuery) -> Page[GuaranteeContract]:
        """A principal's contracts filtered by ``query``, ordered by number, one page."""
        ...


class ApplicationRepository(Protocol):
    """Applications (申込) as received."""

    def add(self, application: Application) -> None:
        """Store an application. Raises ``DuplicateError`` if its reference exists."""
        ...

    def get(self, reference: str) -> Application:
        """The application with ``reference``. Raises ``NotFoundError``."""
        ...


class CertificateRepository(Protocol):
    """Signed certificate versions, as opaque bytes."""

    def add(self, record: CertificateRecord) -> None:
        """Store a version. ``DuplicateError`` if (number, version) exists."""
        ...

    def get(self, number: str, version: int) -> CertificateRecord:
        """One version. Raises ``NotFoundError``."""
        ...

    def history(self, number: str) -> Sequence[CertificateRecord]:
        """Every version of ``number``, oldest first (empty if none)."""
        ...


class StatementRepository(Protocol):
    """Fee, refund and claim statements kept with each guarantee contract."""

    def add(self, record: StatementRecord) -> None:
        """Store a statement. ``DuplicateError`` if (number, sequence) exists."""
        ...

    def for_contract(self, number: str) -> Sequence[StatementRecord]:
        """Every statement of ``number``, by sequence (empty if none)."""
        ...


class PaymentRepository(Protocol):
    """Fee payments received (保証料の入金), kept per application reference."""

    def add(self, payment: Payment) -> None:
        """Store a payment. ``DuplicateError`` if (reference, sequence) exists."""
        ...

    def for_reference(self, reference: str) -> Sequence[Payment]:
        """Every payment for the application ``reference``, by sequence (empty if none)."""
        ...


class KeyRepository(Protocol):
    """Authentication key records (hash and sealed key, never the plain key)."""

    def add(self, record: KeyRecord) -> None:
        """Store a key record. ``DuplicateError`` if (number, generation) exists, or if
        ``record`` is active while another active record exists for the number."""
        ...

    def active(self, number: str) -> KeyRecord | None:
        """The active key record of ``number``, or ``None`` (the verification hot path)."""
        ...

    def revoke(self, number: str, generation: int, at: datetime) -> None:
        """Mark one record revoked at ``at``. ``NotFoundError`` if absent; idempotent."""
        ...

    def history(self, number: str) -> Sequence[KeyRecord]:
        """Every key record of ``number``, by generation (empty if none)."""
        ...


class AttemptRepository(Protocol):
    """The attempt limiter's state, one row per contract number; survives restarts."""

    def get(self, number: str) -> AttemptState | None:
        """The state for ``number``, or ``None`` when there were no recent failures.

        The limiter reads, compares the key, then writes the new count: a store holds the
        number's state until the unit of work ends (PostgreSQL: an advisory lock; SQLite: the
        write lock), or fails the commit with ``TransactionConflictError`` when another unit
        changed it meanwhile, so no failed attempt is ever lost."""
        ...

    def put(self, state: AttemptState) -> None:
        """Insert or replace the state for ``state.contract_number``."""
        ...

    def clear(self, number: str) -> None:
        """Forget the state for ``number`` (no error if there is none)."""
        ...


class AuditLog(Protocol):
    """The append-only, hash-chained audit log."""

    def append(self, event: AuditEvent) -> None:
        """Append ``event``; its ``sequence`` must be the last one + 1 (1 for the first).

        Raises ``TransactionConflictError`` (a ``ConcurrencyConflictError``) when another
        writer took that sequence first (a sequence at or below the last), at the call or at
        commit; ``InvalidInputError`` for a gap. The store does not check the hash chain; the
        audit module does.
        """
        ...

    def last(self) -> AuditEvent | None:
        """The newest event, or ``None`` for an empty log.

        PostgreSQL holds the chain head from here until the unit of work ends, so the append
        that follows waits for a concurrent writer instead of failing."""
        ...

    def events(self, after: int = 0, limit: int | None = None) -> Iterator[AuditEvent]:
        """Events with ``sequence > after`` in sequence order, at most ``limit``."""
        ...


class OutboxRepository(Protocol):
    """The transactional outbox of notifications."""

    def add(self, message: OutboxMessage) -> None:
        """Queue a message. ``DuplicateError`` if its idempotency key exists."""
        ...

    def get(self, idempotency_key: str) -> OutboxMessage:
        """One message. Raises ``NotFoundError``."""
        ...

    def due(self, now: datetime, limit: int = 100) -> Sequence[OutboxMessage]:
        """Pending messages whose ``next_attempt_at`` is ``None`` or ``<= now``, oldest first
        (by ``created_at``, then idempotency key), at most ``limit``."""
        ...

    def claim(
        self, now: datetime, lease_until: datetime, limit: int = 100
    ) -> Sequence[OutboxMessage]:
        """Take up to ``limit`` messages due at ``now`` (as :meth:`due` orders them) for one
        dispatcher: each is stored with ``next_attempt_at = lease_until`` (content, status and
        attempts unchanged) and returned so. No claim by a concurrent unit of work returns a
        message again before ``lease_until`` (the lease); after it, a message that was neither
        marked sent nor failed is due again, so a crashed dispatcher's claims are taken over.
        ``InvalidInputError`` unless ``lease_until`` is later than ``now``.

        Concurrent claims either skip each other's messages (a database's ``FOR UPDATE SKIP
        LOCKED``, or one writer at a time) or one of them fails at commit with
        ``TransactionConflictError`` (claim again)."""
        ...

    def mark_sent(self, idempotency_key: str, at: datetime) -> None:
        """Record a successful send (status SENT, attempts + 1, ``sent_at``, no
        ``next_attempt_at``). Idempotent for a sent one. ``NotFoundError`` if absent."""
        ...

    def mark_failed(
        self, idempotency_key: str, error: str, at: datetime, next_attempt_at: datetime | None
    ) -> None:
        """Record a failed attempt (attempts + 1, ``last_error`` kept to its first 2,000
        characters); retry at ``next_attempt_at``, or give up (status FAILED) when it is
        ``None``.

        On a FAILED message it records the attempt the same way (a ``next_attempt_at`` makes it
        pending again). No effect on a message already SENT. ``NotFoundError`` if absent."""
        ...

    def all(self) -> Sequence[OutboxMessage]:
        """Every message, oldest first (for operators and tests)."""
        ...


@runtime_checkable
class UnitOfWork(Protocol):
    """One transaction: commit when the ``with`` block ends normally, roll back on an exception.

    A unit of work is used once and by one thread: entering it a second time raises
    ``InvalidInputError``, and so does any repository call before it is entered or after its
    ``with`` block ended (a write is never silently dropped). Reads inside it see its own writes
    and at least what was committed before it began ("read committed"). A conflict detected
    only at commit (``DuplicateError``, ``ConcurrencyConflictError``,
    ``TransactionConflictError``) is raised from the end of the ``with`` block and nothing is
    written: a commit is all or nothing. After a repository raised, let the exception leave the
    block (the whole unit rolls back); some databases cannot continue the transaction.
    """

    # Read-only properties: a host's unit of work may provide them as plain attributes,
    # properties or class-level declarations of a narrower (its own) repository type.

    @property
    def contracts(self) -> ContractRepository: ...

    @property
    def applications(self) -> ApplicationRepository: ...

    @property
    def certificates(self) -> CertificateRepository: ...

    @property
    def statements(self) -> StatementRepository: ...

    @property
    def keys(self) -> KeyRepository: ...

    @property
    def attempts(self) -> AttemptRepository: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    @property
    def numbers(self) -> ContractNumberAllocator: ...

    @property
    def payments(self) -> PaymentRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


@runtime_checkable
class Store(Protocol):
    """A storage backend: a factory of units of work. Safe to share between threads."""

    def unit_of_work(self) -> UnitOfWork:
        """A new unit of work (a transaction)."""
        ...

    def close(self) -> None:
        """Release connections; the store is unusable afterwards."""
        ...
