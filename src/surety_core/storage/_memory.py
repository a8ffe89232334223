"""The in-memory store (private; see :mod:`surety_core.storage.memory`).

A real store, not only a test fake: thread-safe, transactional and held to the same contract
suite as the SQL stores. Committed state lives in plain dicts guarded by one lock. A unit of
work keeps an *overlay* of its own writes (reads see them) and a *journal* of the write
operations. At commit the journal is replayed, under the lock, against the then-current committed
state into a fresh overlay; only if every operation succeeds is that overlay merged in. So a
commit is atomic, a rollback simply drops the overlay, and every precondition (uniqueness,
optimistic version checks, audit sequence) is checked again against what other threads
committed meanwhile.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Final, Self, TypeVar

import attrs

from surety_core._errors import (
    ConcurrencyConflictError,
    DuplicateError,
    InvalidInputError,
    NotFoundError,
    StorageError,
    TransactionConflictError,
)
from surety_core.domain._model import Application, GuaranteeContract
from surety_core.domain._payments import Payment
from surety_core.storage import _common as c
from surety_core.storage._protocols import (
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
    PaymentRepository,
    StatementRepository,
)
from surety_core.storage._records import (
    AttemptState,
    AuditEvent,
    CertificateRecord,
    KeyRecord,
    KeyStatus,
    OutboxMessage,
    OutboxStatus,
    StatementRecord,
)

__all__ = ["MemoryStore"]

T = TypeVar("T")

_DELETED: Final = object()
_TABLES: Final = (
    "contracts",
    "issued",
    "applications",
    "certificates",
    "statements",
    "payments",
    "keys",
    "attempts",
    "outbox",
)


class _State:
    """The committed state (guarded by the store's lock)."""

    def __init__(self, first_number: int) -> None:
        self.tables: dict[str, dict[Any, Any]] = {name: {} for name in _TABLES}
        self.audit: list[AuditEvent] = []
        self.next_number = first_number


class _View:
    """Committed state seen through one transaction's overlay of writes."""

    def __init__(self, state: _State) -> None:
        self.state = state
        self.overlay: dict[str, dict[Any, Any]] = {name: {} for name in _TABLES}
        self.audit_tail: list[AuditEvent] = []

    def get(self, table: str, key: Any) -> Any:
        own = self.overlay[table]
        if key in own:
            value = own[key]
            return None if value is _DELETED else value
        return self.state.tables[table].get(key)

    def put(self, table: str, key: Any, value: Any) -> None:
        self.overlay[table][key] = value

    def delete(self, table: str, key: Any) -> None:
        self.overlay[table][key] = _DELETED

    def values(self, table: str) -> list[Any]:
        own = self.overlay[table]
        if not own:
            return list(self.state.tables[table].values())
        merged = dict(self.state.tables[table])
        merged.update(own)
        return [value for value in merged.values() if value is not _DELETED]

    def last_event(self) -> AuditEvent | None:
        if self.audit_tail:
            return self.audit_tail[-1]
        return self.state.audit[-1] if self.state.audit else None

    def merge(self) -> None:
        """Apply the overlay to the committed state (cannot fail)."""
        for name, own in self.overlay.items():
            base = self.state.tables[name]
            for key, value in own.items():
                if value is _DELETED:
                    base.pop(key, None)
                else:
                    base[key] = value
        self.state.audit.extend(self.audit_tail)


# --- operations on a view: the single definition of every rule, used live and at commit ---------


def _contract_add(view: _View, contract: GuaranteeContract) -> None:
    c.check_type(contract, GuaranteeContract, "contract")
    if view.get("contracts", contract.number) is not None:
        raise DuplicateError(f"guarantee contract {contract.number} already exists")
    issued = (contract.application_reference, contract.product)
    if contract.application_reference is not None:
        if view.get("issued", issued) is not None:
            raise DuplicateError(
                f"application {contract.application_reference} already has a "
                f"{contract.product} guarantee"
            )
        view.put("issued", issued, contract.number)
    view.put("contracts", contract.number, contract)


def _contract_replace(view: _View, old: GuaranteeContract, new: GuaranteeContract) -> None:
    c.check_replace(old, new)
    current: GuaranteeContract | None = view.get("contracts", old.number)
    if current is None:
        raise NotFoundError(f"guarantee contract {old.number} not found")
    if current.version != old.version or current.status is not old.status:
        raise ConcurrencyConflictError(
            f"guarantee contract {old.number} was changed by another writer "
            f"(stored version {current.version} {current.status.value}, "
            f"expected version {old.version} {old.status.value})"
        )
    view.put("contracts", new.number, new)


def _application_add(view: _View, application: Application) -> None:
    c.check_type(application, Application, "application")
    if view.get("applications", application.reference) is not None:
        raise DuplicateError(f"application {application.reference} already exists")
    view.put("applications", application.reference, application)


def _certificate_add(view: _View, record: CertificateRecord) -> None:
    c.check_type(record, CertificateRecord, "record")
    versions: tuple[CertificateRecord, ...] = view.get("certificates", record.contract_number) or ()
    if any(r.version == record.version for r in versions):
        raise DuplicateError(
            f"certificate {record.contract_number} version {record.version} already exists"
        )
    ordered = tuple(sorted((*versions, record), key=lambda r: r.version))
    view.put("certificates", record.contract_number, ordered)


def _statement_add(view: _View, record: StatementRecord) -> None:
    c.check_type(record, StatementRecord, "record")
    kept: tuple[StatementRecord, ...] = view.get("statements", record.contract_number) or ()
    if any(r.sequence == record.sequence for r in kept):
        raise DuplicateError(
            f"statement {record.contract_number} #{record.sequence} already exists"
        )
    ordered = tuple(sorted((*kept, record), key=lambda r: r.sequence))
    view.put("statements", record.contract_number, ordered)


def _payment_add(view: _View, payment: Payment) -> None:
    c.check_type(payment, Payment, "payment")
    kept: tuple[Payment, ...] = view.get("payments", payment.reference) or ()
    if any(p.sequence == payment.sequence for p in kept):
        raise DuplicateError(f"payment {payment.reference} #{payment.sequence} already exists")
    ordered = tuple(sorted((*kept, payment), key=lambda p: p.sequence))
    view.put("payments", payment.reference, ordered)


def _key_add(view: _View, record: KeyRecord) -> None:
    c.check_type(record, KeyRecord, "record")
    generations: tuple[KeyRecord, ...] = view.get("keys", record.contract_number) or ()
    if any(r.generation == record.generation for r in generations):
        raise DuplicateError(
            f"key record {record.contract_number} generation {record.generation} already exists"
        )
    if record.status is KeyStatus.ACTIVE and any(r.status is KeyStatus.ACTIVE for r in generations):
        raise DuplicateError(f"contract {record.contract_number} already has an active key")
    ordered = tuple(sorted((*generations, record), key=lambda r: r.generation))
    view.put("keys", record.contract_number, ordered)


def _key_revoke(view: _View, number: str, generation: int, at: datetime) -> None:
    c.check_aware(at, "at")
    generations: tuple[KeyRecord, ...] = view.get("keys", number) or ()
    for i, record in enumerate(generations):
        if record.generation == generation:
            if record.status is KeyStatus.REVOKED:
                return
            revoked = attrs.evolve(record, status=KeyStatus.REVOKED, revoked_at=at)
            view.put("keys", number, (*generations[:i], revoked, *generations[i + 1 :]))
            return
    raise NotFoundError(f"key record {number} generation {generation} not found")


def _attempt_put(view: _View, state: AttemptState) -> None:
    c.check_type(state, AttemptState, "state")
    view.put("attempts", state.contract_number, state)


def _attempt_clear(view: _View, number: str) -> None:
    view.delete("attempts", number)


def _audit_append(view: _View, event: AuditEvent) -> None:
    c.check_type(event, AuditEvent, "event")
    last = view.last_event()
    c.check_sequence(event, last.sequence if last else 0)
    view.audit_tail.append(event)


def _works_snapshot(
    state: _State, obligee_code: str, works_number: str
) -> tuple[tuple[str, int, str], ...]:
    """(number, version, status) of the committed contracts on one works."""
    return tuple(
        sorted(
            (contract.number, contract.version, contract.status.value)
            for contract in state.tables["contracts"].values()
            if contract.obligee.code == obligee_code and contract.works.number == works_number
        )
    )


def _outbox_add(view: _View, message: OutboxMessage) -> None:
    c.check_type(message, OutboxMessage, "message")
    if view.get("outbox", message.idempotency_key) is not None:
        raise DuplicateError(f"outbox message {message.idempotency_key!r} already exists")
    view.put("outbox", message.idempotency_key, message)


def _outbox_get(view: _View, key: str) -> OutboxMessage:
    message: OutboxMessage | None = view.get("outbox", key)
    if message is None:
        raise NotFoundError(f"outbox message {key!r} not found")
    return message


def _outbox_claim(view: _View, key: str, seen: OutboxMessage, lease_until: datetime) -> None:
    current = view.get("outbox", key)
    if current is not seen:
        raise TransactionConflictError(f"outbox message {key!r} was claimed or changed meanwhile")
    view.put("outbox", key, c.claimed(seen, lease_until))


def _outbox_mark_sent(view: _View, key: str, at: datetime) -> None:
    c.check_aware(at, "at")
    message = _outbox_get(view, key)
    if message.status is not OutboxStatus.SENT:
        view.put("outbox", key, c.sent(message, at))


def _outbox_mark_failed(
    view: _View, key: str, error: str, at: datetime, next_attempt_at: datetime | None
) -> None:
    c.check_failed_args(error, at, next_attempt_at)
    message = _outbox_get(view, key)
    if message.status is not OutboxStatus.SENT:
        view.put("outbox", key, c.failed(message, error, next_attempt_at))


# --- the repositories a unit of work hands out ----------------------------------------------------


class _Repository:
    def __init__(self, uow: _MemoryUnitOfWork) -> None:
        self._uow = uow

    def _read(self, fn: Callable[..., T], *args: Any) -> T:
        return self._uow._read(fn, *args)

    def _write(self, fn: Callable[..., None], *args: Any) -> None:
        self._uow._write(fn, *args)


class _Contracts(_Repository):
    def add(self, contract: GuaranteeContract) -> None:
        self._write(_contract_add, contract)

    def get(self, number: str) -> GuaranteeContract:
        contract = self.find(number)
        if contract is None:
            raise NotFoundError(f"guarantee contract {number} not found")
        return contract

    def find(self, number: str) -> GuaranteeContract | None:
        found: GuaranteeContract | None = self._read(lambda view: view.get("contracts", number))
        return found

    def replace(self, old: GuaranteeContract, new: GuaranteeContract) -> None:
        self._write(_contract_replace, old, new)

    def for_works(self, obligee_code: str, works_number: str) -> Sequence[GuaranteeContract]:
        def scan(view: _View) -> list[GuaranteeContract]:
            self._uow._reads.setdefault(
                ("works", obligee_code, works_number),
                _works_snapshot(view.state, obligee_code, works_number),
            )
            found = [
                contract
                for contract in view.values("contracts")
                if contract.obligee.code == obligee_code and contract.works.number == works_number
            ]
            return sorted(found, key=lambda contract: contract.number)

        return tuple(self._read(scan))

    def query(self, query: ContractQuery) -> Page[GuaranteeContract]:
        c.check_type(query, ContractQuery, "query")

        def scan(view: _View) -> list[GuaranteeContract]:
            found = [contract for contract in view.values("contracts") if query.matches(contract)]
            return sorted(found, key=lambda contract: contract.number)

        matches = self._read(scan)
        items = tuple(matches[query.offset : query.offset + query.limit])
        return Page(items=items, total=len(matches), offset=query.offset, limit=query.limit)


class _Applications(_Repository):
    def add(self, application: Application) -> None:
        self._write(_application_add, application)

    def get(self, reference: str) -> Application:
        application: Application | None = self._read(
            lambda view: view.get("applications", reference)
        )
        if application is None:
            raise NotFoundError(f"application {reference!r} not found")
        return application


class _Certificates(_Repository):
    def add(self, record: CertificateRecord) -> None:
        self._write(_certificate_add, record)

    def get(self, number: str, version: int) -> CertificateRecord:
        for record in self.history(number):
            if record.version == version:
                return record
        raise NotFoundError(f"certificate {number} version {version} not found")

    def history(self, number: str) -> Sequence[CertificateRecord]:
        versions: tuple[CertificateRecord, ...] | None = self._read(
            lambda view: view.get("certificates", number)
        )
        return versions or ()


class _Statements(_Repository):
    def add(self, record: StatementRecord) -> None:
        self._write(_statement_add, record)

    def for_contract(self, number: str) -> Sequence[StatementRecord]:
        kept: tuple[StatementRecord, ...] | None = self._read(
            lambda view: view.get("statements", number)
        )
        return kept or ()


class _Payments(_Repository):
    def add(self, payment: Payment) -> None:
        self._write(_payment_add, payment)

    def for_reference(self, reference: str) -> Sequence[Payment]:
        kept: tuple[Payment, ...] | None = self._read(lambda view: view.get("payments", reference))
        return kept or ()


class _Keys(_Repository):
    def add(self, record: KeyRecord) -> None:
        self._write(_key_add, record)

    def active(self, number: str) -> KeyRecord | None:
        for record in self.history(number):
            if record.status is KeyStatus.ACTIVE:
                return record
        return None

    def revoke(self, number: str, generation: int, at: datetime) -> None:
        self._write(_key_revoke, number, generation, at)

    def history(self, number: str) -> Sequence[KeyRecord]:
        generations: tuple[KeyRecord, ...] | None = self._read(
            lambda view: view.get("keys", number)
        )
        return generations or ()


class _Attempts(_Repository):
    def get(self, number: str) -> AttemptState | None:
        def read(view: _View) -> AttemptState | None:
            committed = view.state.tables["attempts"].get(number)
            self._uow._reads.setdefault(("attempts", number), committed)
            found: AttemptState | None = view.get("attempts", number)
            return found

        return self._read(read)

    def put(self, state: AttemptState) -> None:
        self._write(_attempt_put, state)

    def clear(self, number: str) -> None:
        self._write(_attempt_clear, number)


class _Audit(_Repository):
    def append(self, event: AuditEvent) -> None:
        self._write(_audit_append, event)

    def last(self) -> AuditEvent | None:
        return self._read(_View.last_event)

    def events(self, after: int = 0, limit: int | None = None) -> Iterator[AuditEvent]:
        c.check_events_args(after, limit)

        def scan(view: _View) -> list[AuditEvent]:
            # Sequences run 1, 2, 3, ... without gaps, so event n sits at index n - 1.
            base = view.state.audit
            if after < len(base):
                found = base[after:] + view.audit_tail
            else:
                found = view.audit_tail[after - len(base) :]
            return found if limit is None else found[:limit]

        return iter(self._read(scan))


class _Outbox(_Repository):
    def add(self, message: OutboxMessage) -> None:
        self._write(_outbox_add, message)

    def get(self, idempotency_key: str) -> OutboxMessage:
        return self._read(_outbox_get, idempotency_key)

    def due(self, now: datetime, limit: int = 100) -> Sequence[OutboxMessage]:
        c.check_aware(now, "now")
        c.check_limit(limit)

        def scan(view: _View) -> list[OutboxMessage]:
            found = [
                message
                for message in view.values("outbox")
                if message.status is OutboxStatus.PENDING
                and (message.next_attempt_at is None or message.next_attempt_at <= now)
            ]
            return sorted(found, key=c.outbox_order)[:limit]

        return tuple(self._read(scan))

    def claim(
        self, now: datetime, lease_until: datetime, limit: int = 100
    ) -> Sequence[OutboxMessage]:
        c.check_claim_args(now, lease_until, limit)
        taken = []
        # Each claim is checked again at commit against the message as read here: a message a
        # concurrent unit claimed (or marked) meanwhile makes this commit fail as a whole.
        for message in self.due(now, limit):
            self._write(_outbox_claim, message.idempotency_key, message, lease_until)
            taken.append(c.claimed(message, lease_until))
        return tuple(taken)

    def mark_sent(self, idempotency_key: str, at: datetime) -> None:
        self._write(_outbox_mark_sent, idempotency_key, at)

    def mark_failed(
        self, idempotency_key: str, error: str, at: datetime, next_attempt_at: datetime | None
    ) -> None:
        self._write(_outbox_mark_failed, idempotency_key, error, at, next_attempt_at)

    def all(self) -> Sequence[OutboxMessage]:
        return tuple(sorted(self._read(lambda view: view.values("outbox")), key=c.outbox_order))


class _Numbers:
    def __init__(self, uow: _MemoryUnitOfWork) -> None:
        self._uow = uow

    def allocate(self) -> str:
        self._uow._check_open()
        store = self._uow._store
        with store._lock:
            value = store._state.next_number
            text = c.format_number(value)
            store._state.next_number = value + 1
        return text


class _MemoryUnitOfWork:
    """One transaction on a :class:`MemoryStore` (see :class:`~surety_core.storage.UnitOfWork`)."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._view = _View(store._state)
        self._journal: list[tuple[Callable[..., None], tuple[Any, ...]]] = []
        self._reads: dict[tuple[str, ...], Any] = {}
        """What the rules depend on, as committed when first read: the contracts of a works,
        a number's limiter state. Checked again at commit (serializable for these reads)."""
        self._state = "new"
        self.contracts: ContractRepository = _Contracts(self)
        self.applications: ApplicationRepository = _Applications(self)
        self.certificates: CertificateRepository = _Certificates(self)
        self.statements: StatementRepository = _Statements(self)
        self.payments: PaymentRepository = _Payments(self)
        self.keys: KeyRepository = _Keys(self)
        self.attempts: AttemptRepository = _Attempts(self)
        self.audit: AuditLog = _Audit(self)
        self.outbox: OutboxRepository = _Outbox(self)
        self.numbers: ContractNumberAllocator = _Numbers(self)

    def __repr__(self) -> str:
        return f"<MemoryUnitOfWork {self._state}>"

    def _check_open(self) -> None:
        if self._state != "open":
            raise InvalidInputError(
                None, f"the unit of work is {self._state}; use it inside one 'with' block"
            )
        self._store._check_open()

    def _read(self, fn: Callable[..., T], *args: Any) -> T:
        self._check_open()
        with self._store._lock:
            return fn(self._view, *args)

    def _write(self, fn: Callable[..., None], *args: Any) -> None:
        self._check_open()
        with self._store._lock:
            fn(self._view, *args)
        self._journal.append((fn, args))

    def __enter__(self) -> Self:
        if self._state != "new":
            raise InvalidInputError(None, "a unit of work can be entered only once")
        self._store._check_open()
        self._state = "open"
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._state != "open":
            return
        journal, self._journal = self._journal, []
        self._view = _View(self._store._state)
        if exc_type is not None:
            self._state = "rolled back"
            return
        self._state = "failed"
        reads, self._reads = self._reads, {}
        with self._store._lock:
            self._store._check_open()
            state = self._store._state
            for read, seen in reads.items():
                if read[0] == "works":
                    changed = _works_snapshot(state, read[1], read[2]) != seen
                else:
                    changed = state.tables["attempts"].get(read[1]) is not seen
                if changed:
                    raise TransactionConflictError(
                        f"{' '.join(read)} changed in a concurrent unit of work; run it again"
                    )
            fresh = _View(state)
            for fn, args in journal:
                fn(fresh, *args)
            fresh.merge()
        self._state = "committed"


class MemoryStore:
    """A thread-safe, transactional store kept in memory (lost when the process ends).

    ``first_number`` is the first guarantee contract number the allocator hands out. Isolation:
    a unit of work reads committed data plus its own writes ("read committed"); its writes are
    checked again at commit against what other units of work committed meanwhile, so a
    conflicting commit raises ``DuplicateError`` or ``ConcurrencyConflictError`` from the end of
    the ``with`` block and changes nothing.
    """

    def __init__(self, *, first_number: int = 1) -> None:
        if isinstance(first_number, bool) or not isinstance(first_number, int):
            raise InvalidInputError("first_number", "must be an integer")
        c.format_number(first_number)
        self._lock = threading.RLock()
        self._state = _State(first_number)
        self._closed = False

    def __repr__(self) -> str:
        return f"<MemoryStore {'closed' if self._closed else 'open'}>"

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError("the store is closed")

    def unit_of_work(self) -> _MemoryUnitOfWork:
        """A new unit of work (a transaction)."""
        self._check_open()
        return _MemoryUnitOfWork(self)

    def close(self) -> None:
        """Drop everything; the store is unusable afterwards."""
        with self._lock:
            self._closed = True
            self._state = _State(1)
