"""The SQL store on SQLAlchemy 2 Core: SQLite, PostgreSQL and MariaDB (private; see
``storage.sql``).

Each record is kept as the library's versioned JSON (``surety_core.to_json``) in a ``document``
column, next to indexed columns for the queries. A row that cannot be read back (bad JSON, an
unknown JSON schema version, a value the model refuses, columns that disagree with the document)
raises :class:`~surety_core.CorruptRecordError` naming the table and key: never a wrong answer.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from types import TracebackType
from typing import Any, Final, Self, TypeVar, cast

import attrs
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import mysql as mysql_dialect
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql import util as sa_util

from surety_core._errors import (
    ConcurrencyConflictError,
    ConfigurationError,
    CorruptRecordError,
    DuplicateError,
    InvalidInputError,
    NotFoundError,
    StorageError,
    SuretyError,
    TransactionConflictError,
)
from surety_core._serialization import from_json, from_json_trusted, to_json
from surety_core.domain._model import Application, GuaranteeContract
from surety_core.domain._payments import Payment
from surety_core.storage import _common as c
from surety_core.storage import _sql_schema as s
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
from surety_core.storage._row_mac import RowMac
from surety_core.storage._sql_audit import ChainHead
from surety_core.storage._sql_audit import lock_id as _lock_id

__all__ = ["SqlStore", "mariadb_store", "postgres_store", "sqlite_store"]

T = TypeVar("T")
_NumberedT = TypeVar("_NumberedT", CertificateRecord, StatementRecord)

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO: Final = timedelta(microseconds=1)
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_BUSY_RETRIES = 6
_ONE: Final = 1
_ALL: Final = 2
_COUNT: Final = 3
_INSERT: Final = 4


def _us(moment: datetime) -> int:
    """A timezone-aware time as integer microseconds since the epoch (sortable everywhere)."""
    return (moment - _EPOCH) // _MICRO


def _is_busy(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    if isinstance(orig, sqlite3.OperationalError):
        text = str(orig).lower()
        return "locked" in text or "busy" in text
    return False


_RETRYABLE_SQLSTATES: Final = frozenset({"40001", "40P01"})
"""Serialization failure and deadlock: the transaction lost a race and may simply run again."""
_RETRYABLE_MARIADB: Final = frozenset({1213, 1205})
"""MariaDB's ER_LOCK_DEADLOCK and ER_LOCK_WAIT_TIMEOUT."""
_DUPLICATE_KEY: Final = 1062
"""MariaDB's ER_DUP_ENTRY."""


def _mariadb_code(exc: BaseException) -> Any:
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "errno", None)
    if code is None and getattr(orig, "args", None):
        code = orig.args[0]
    return code


def _is_duplicate(exc: BaseException) -> bool:
    """A MariaDB duplicate-key error (from the driver, or wrapped by SQLAlchemy)."""
    return bool(_mariadb_code(exc) == _DUPLICATE_KEY)


def _storage_error(action: str, exc: BaseException) -> StorageError | TransactionConflictError:
    orig = getattr(exc, "orig", None) or exc
    reason = str(orig).strip().splitlines()[0][:300] if str(orig).strip() else type(orig).__name__
    if (
        getattr(orig, "sqlstate", None) in _RETRYABLE_SQLSTATES
        or _mariadb_code(exc) in _RETRYABLE_MARIADB
    ):
        return TransactionConflictError(f"{action}: the transaction lost a race ({reason})")
    if _is_busy(exc):
        return StorageError(f"{action}: the database stayed busy/locked ({reason})")
    return StorageError(f"{action}: {type(orig).__name__}: {reason}")


def _load(table: str, key: str, document: Any, cls: type[T], trusted: bool = False) -> T:
    if not isinstance(document, str | bytes):
        raise CorruptRecordError(
            f"{table}[{key}]", f"document is {type(document).__name__}, not JSON text"
        )
    try:
        return from_json_trusted(document, cls) if trusted else from_json(document, cls)
    except SuretyError as exc:
        raise CorruptRecordError(f"{table}[{key}]", str(exc)[:500]) from None
    except (ValueError, TypeError, RecursionError) as exc:  # pragma: no cover - belt and braces
        raise CorruptRecordError(f"{table}[{key}]", f"unreadable ({type(exc).__name__})") from None


def _disagree(table: str, key: str, what: str) -> CorruptRecordError:
    return CorruptRecordError(f"{table}[{key}]", f"column {what} disagrees with the document")


# --- statements: each defined once, in SQLAlchemy Core --------------------------------------
#
# One definition per query. A statement of fixed shape is compiled from its Core form once per
# store, for the store's engine (dialect, parameter style, schema_translate_map), and then sent
# straight to the driver's cursor (see _Fixed): the speed of hand-written driver SQL without a
# second, hand-written copy of the query that only some engines would run. Statements whose
# shape depends on the call (ContractQuery filters, audit.events with a limit, add_batch's
# executemany) go through SQLAlchemy's Connection.execute. There is no other path, so the
# contract suite run on each engine (and on schema-mapped engines) runs every statement.

_P = sa.bindparam


def _constant(text: str) -> Any:
    """A constant written into the SQL itself, not bound: the planners of SQLite and PostgreSQL
    use a partial index (``WHERE status = 'active'``) only for a query that states its
    condition literally. For the library's own enum values (letters only)."""
    if not text.isalpha():  # pragma: no cover - guards the f-string below
        raise AssertionError(text)
    return sa.literal_column(f"'{text}'", sa.String)


_k = s.keys.c
_ct = s.contracts.c
_ob = s.outbox.c

_KEY_ACTIVE = sa.select(_k.generation, _k.document, _k.mac).where(
    _k.contract_number == _P("number"), _k.status == _constant(KeyStatus.ACTIVE.value)
)
_KEY_HISTORY = (
    sa.select(_k.generation, _k.status, _k.document, _k.mac)
    .where(_k.contract_number == _P("number"))
    .order_by(_k.generation)
)
_KEY_ONE_LOCKED = (
    sa.select(_k.document, _k.mac)
    .where(_k.contract_number == _P("number"), _k.generation == _P("generation"))
    .with_for_update()
)
"""Row locks where the engine has them (``FOR UPDATE``; SQLite renders none: its unit of work
already holds the database's write lock)."""
_KEY_UPDATE = (
    sa.update(s.keys)
    .where(_k.contract_number == _P("w_number"), _k.generation == _P("w_generation"))
    .values(status=_P("status"), document=_P("document"), mac=_P("mac"))
)
_CONTRACT_ONE = sa.select(_ct.version, _ct.status, _ct.document, _ct.mac).where(
    _ct.number == _P("number")
)
_CONTRACT_REPLACE = (
    sa.update(s.contracts)
    .where(
        _ct.number == _P("w_number"),
        _ct.version == _P("old_version"),
        _ct.status == _P("old_status"),
    )
    .values(
        version=_P("version"),
        status=_P("status"),
        medium=_P("medium"),
        product=_P("product"),
        principal_id=_P("principal_id"),
        obligee_code=_P("obligee_code"),
        works_number=_P("works_number"),
        issued_on=_P("issued_on"),
        document=_P("document"),
        application_reference=_P("application_reference"),
        mac=_P("mac"),
    )
)
_CONTRACT_EXISTS = sa.select(_ct.number).where(_ct.number == _P("number"))
_CONTRACTS_FOR_WORKS = (
    sa.select(_ct.number, _ct.version, _ct.status, _ct.document, _ct.mac)
    .where(_ct.obligee_code == _P("obligee_code"), _ct.works_number == _P("works_number"))
    .order_by(_ct.number)
)
_OUTBOX_ONE = sa.select(_ob.document, _ob.mac).where(_ob.idempotency_key == _P("key"))
_OUTBOX_ONE_LOCKED = _OUTBOX_ONE.with_for_update()
_OUTBOX_UPDATE = (
    sa.update(s.outbox)
    .where(_ob.idempotency_key == _P("key"))
    .values(
        status=_P("status"),
        next_attempt_at_us=_P("next_attempt_at_us"),
        document=_P("document"),
        mac=_P("mac"),
    )
)
_OUTBOX_DUE = (
    sa.select(_ob.idempotency_key, _ob.document, _ob.mac)
    .where(
        _ob.status == _constant(OutboxStatus.PENDING.value),
        sa.or_(_ob.next_attempt_at_us.is_(None), _ob.next_attempt_at_us <= _P("now")),
    )
    .order_by(_ob.created_at_us, _ob.idempotency_key)
    .limit(_P("limit"))
)
_OUTBOX_ALL = sa.select(_ob.idempotency_key, _ob.document, _ob.mac).order_by(
    _ob.created_at_us, _ob.idempotency_key
)
_ATTEMPT_ONE = sa.select(s.attempts.c.document, s.attempts.c.mac).where(
    s.attempts.c.contract_number == _P("number")
)
_ATTEMPT_CLEAR = sa.delete(s.attempts).where(s.attempts.c.contract_number == _P("number"))
_CERT_HISTORY = (
    sa.select(s.certificates.c.version, s.certificates.c.document, s.certificates.c.mac)
    .where(s.certificates.c.contract_number == _P("number"))
    .order_by(s.certificates.c.version)
)
_STATEMENTS = (
    sa.select(s.statements.c.sequence, s.statements.c.document, s.statements.c.mac)
    .where(s.statements.c.contract_number == _P("number"))
    .order_by(s.statements.c.sequence)
)
_PAYMENTS = (
    sa.select(s.payments.c.sequence, s.payments.c.document, s.payments.c.mac)
    .where(s.payments.c.reference == _P("reference"))
    .order_by(s.payments.c.sequence)
)
_APPLICATION_ONE = sa.select(s.applications.c.document, s.applications.c.mac).where(
    s.applications.c.reference == _P("reference")
)
_NEXT_COUNTER = (
    sa.update(s.counters)
    .where(s.counters.c.name == s.COUNTER_CONTRACT_NUMBER)
    .values(value=s.counters.c.value + 1)
    .returning(s.counters.c.value)
)
_NEXT_SEQUENCE = sa.select(s.contract_number_sequence.next_value())
_BURN_NUMBERS = (
    sa.update(s.counters)
    .where(s.counters.c.name == s.COUNTER_CONTRACT_NUMBER, s.counters.c.value < _P("value"))
    .values(value=_P("value"))
)
_ADVISORY_LOCK = sa.select(sa.func.pg_advisory_xact_lock(_P("key", type_=sa.BigInteger)))
"""PostgreSQL: wait for and hold a transaction-scoped advisory lock (see _lock_id)."""
_ROW_LOCK = (
    mysql_dialect.insert(s.locks).values(id=_P("key")).on_duplicate_key_update(id=s.locks.c.id)
)
"""MariaDB: the same, as the row lock InnoDB holds on an upserted row until the transaction
ends (``GET_LOCK`` would outlive the transaction)."""
_OUTBOX_CLAIM = _OUTBOX_DUE.with_for_update(skip_locked=True)
"""Due messages, skipping rows a concurrent claim holds (PostgreSQL; SQLite renders no lock:
its unit of work holds the database's write lock)."""


_KEY_ACTIVE_WHERE = (
    _k.contract_number == _P("number"),
    _k.status == _constant(KeyStatus.ACTIVE.value),
)
_view_number = sa.select(_P("number").label("number")).subquery("q")
_view_attempt = s.attempts.alias("a")
_view_key = s.keys.alias("k")
_view_contract = s.contracts.alias("c")
_view_certificate = s.certificates.alias("x")
_view_head = s.audit.alias("h")
_view_head_sequence = sa.select(sa.func.max(s.audit.c.sequence)).scalar_subquery()
"""The chain's head by its sequence, the largest (the rowid's last entry): a subquery with
ORDER BY ... LIMIT 1 in the join was materialised into a temporary table on every view."""
_VIEW_READ = (
    sa.select(
        _view_attempt.c.document,
        _view_attempt.c.mac,
        _view_key.c.generation,
        _view_key.c.document,
        _view_key.c.mac,
        _view_contract.c.version,
        _view_contract.c.status,
        _view_contract.c.document,
        _view_contract.c.mac,
        _view_head.c.sequence,
        _view_head.c.document,
        _view_head.c.mac,
        _view_certificate.c.version,
        _view_certificate.c.document,
        _view_certificate.c.mac,
    )
    .select_from(_view_number)
    .outerjoin(_view_attempt, _view_attempt.c.contract_number == _view_number.c.number)
    .outerjoin(
        _view_key,
        sa.and_(
            _view_key.c.contract_number == _view_number.c.number,
            _view_key.c.status == _constant(KeyStatus.ACTIVE.value),
        ),
    )
    .outerjoin(_view_contract, _view_contract.c.number == _view_number.c.number)
    .outerjoin(_view_head, _view_head.c.sequence == _view_head_sequence)
    .outerjoin(_view_certificate, _view_certificate.c.contract_number == _view_number.c.number)
)
"""SQLite: everything a verification reads (the number's limiter state, its active key, the
contract, the audit chain's head, one row per certificate version) in one statement: each
table by its unique index, joined to the one row of the number (see
:meth:`SqlUnitOfWork.prefetch_view`, which puts the certificates in version order: an ORDER BY
here would sort through a temporary b-tree)."""


class _Fixed:
    """A Core statement compiled once for one engine: its SQL text in the driver's parameter
    style and how to bind its parameters.

    This is how every statement of a fixed shape runs (see :class:`_Dialect`): SQLAlchemy
    writes the SQL, once, from the one Core definition above, with the engine's dialect and
    schema map; each call then goes straight to the driver's cursor, skipping SQLAlchemy's
    per-execution work (cache-key generation, parameter processing, result wrapping), which
    was most of the cost of the verification hot path. Bind processors of the column types are
    still applied (dates on SQLite); rows come back as the driver returns them, which is why
    these statements select text and integer columns only.
    """

    __slots__ = ("binds", "constants", "named", "names", "plain", "sql", "statement", "tables")

    def __init__(self, statement: Any, dialect: sa.Dialect, translate: Any) -> None:
        compiled = statement.compile(
            dialect=dialect,
            schema_translate_map=translate or None,
            render_schema_translate=bool(translate),
        )
        sql = compiled.string
        if "__[" in sql:  # pragma: no cover - a statement SQLAlchemy finishes only per execution
            raise AssertionError(f"not a fixed statement: {sql}")
        by_name = {name: bind for bind, name in compiled.bind_names.items()}
        names = compiled.positiontup if compiled.positional else list(by_name)
        binds = []
        for name in names or ():
            bind = by_name[name]
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            binds.append((name, bool(bind.required), bind.value, process))
        self.sql: Final = sql
        self.named: Final = not compiled.positional
        self.binds: Final[tuple[tuple[str, bool, Any, Any], ...]] = tuple(binds)
        self.names: Final = tuple(bind[0] for bind in binds)
        self.constants: Final = {name: value for name, required, value, _ in binds if not required}
        self.plain: Final = all(bind[3] is None for bind in binds)
        self.statement: Final = statement
        """Held so that the ``id`` this is cached under stays this statement's."""
        self.tables: Final = frozenset(
            table.name
            for table in sa_util.find_tables(statement, include_crud=True)
            if isinstance(table, sa.Table)
        )
        """The tables the statement reads or writes (queued inserts are written first)."""

    def parameters(self, values: dict[str, Any] | None) -> Any:
        """The driver's parameters (a tuple, or a dict for named styles) for ``values``."""
        given = {**self.constants, **values} if values else self.constants
        if self.plain:  # no bind processors: the common case, kept short for the hot paths
            if self.named:
                return given
            return tuple([given[name] for name in self.names])
        out = [
            given[name] if process is None else process(given[name])
            for name, _required, _constant, process in self.binds
        ]
        return dict(zip(self.names, out, strict=True)) if self.named else tuple(out)


class _Dialect:
    """What differs between engines: the few statements written per dialect (insert-if-new,
    upsert, the number allocator), and the compiled form of every fixed statement."""

    def __init__(self, name: str, engine: Engine) -> None:
        self.name = name
        self.insert_new: dict[str, Any]
        if name == "mariadb":
            # No ON CONFLICT: a plain INSERT, whose duplicate-key error (which rolls back only
            # that statement in InnoDB) tells that the row existed (see _is_duplicate).
            self.insert_new = {table.name: sa.insert(table) for table in s.DATA_TABLES}
            upsert_mysql = mysql_dialect.insert(s.attempts)
            self.upsert_attempt: Any = upsert_mysql.on_duplicate_key_update(
                document=upsert_mysql.inserted.document, mac=upsert_mysql.inserted.mac
            )
        else:
            insert: Callable[[sa.Table], Any] = (
                sqlite_dialect.insert if name == "sqlite" else pg_dialect.insert
            )
            # RETURNING tells whether a row went in (rowcount is not reliable on every driver).
            self.insert_new = {
                table.name: insert(table)
                .on_conflict_do_nothing()
                .returning(*table.primary_key.columns)
                for table in s.DATA_TABLES
            }
            upsert = insert(s.attempts)
            self.upsert_attempt = upsert.on_conflict_do_update(
                index_elements=[s.attempts.c.contract_number],
                set_={"document": upsert.excluded.document, "mac": upsert.excluded.mac},
            )
        self.returning = name != "mariadb"
        self.insert_many: dict[str, Any] = (
            {
                table.name: sqlite_dialect.insert(table).on_conflict_do_nothing()
                for table in s.DATA_TABLES
            }
            if name == "sqlite"
            else {}
        )
        """SQLite: insert-if-new without RETURNING, for the driver's ``executemany`` (whose
        ``rowcount`` is the number of rows inserted)."""
        self.advisory_locks = name in ("postgresql", "mariadb")
        self.allocate = _NEXT_COUNTER if name == "sqlite" else _NEXT_SEQUENCE
        # A counter row rolls back with the unit of work (a sequence does not): the numbers a
        # rolled-back unit handed out are burnt by a short transaction of their own.
        self.counter_allocator = name == "sqlite"
        self.driver_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        self._sa_dialect = engine.dialect
        self._translate = engine.get_execution_options().get("schema_translate_map")
        self._fixed: dict[int, _Fixed] = {}
        self.audit_flush_wait: bool | None = None
        """PostgreSQL: whether the user may wait for a flush after an audited commit (see
        _sql_audit; asked once)."""
        # SQLite units of work hold the write lock from BEGIN IMMEDIATE to the end, so the audit
        # head read in a unit of work cannot move under it except by its own appends.
        self.exclusive_writer = name == "sqlite"

    def fixed(self, statement: Any) -> _Fixed:
        """``statement`` compiled for this engine, once (a race compiles it twice, harmlessly)."""
        found = self._fixed.get(id(statement))
        if found is None:
            found = _Fixed(statement, self._sa_dialect, self._translate)
            self._fixed[id(statement)] = found
        return found


_PRIMARY_KEYS: Final = {
    table.name: tuple(column.name for column in table.primary_key.columns)
    for table in s.DATA_TABLES
}
"""The columns whose values, joined by ``/``, name a row in errors and in its MAC."""
_ROW_CLASSES: Final[dict[str, type[Any]]] = {
    s.contracts.name: GuaranteeContract,
    s.applications.name: Application,
    s.certificates.name: CertificateRecord,
    s.statements.name: StatementRecord,
    s.payments.name: Payment,
    s.keys.name: KeyRecord,
    s.attempts.name: AttemptState,
    s.audit.name: AuditEvent,
    s.outbox.name: OutboxMessage,
}
"""The record each data table holds (what :meth:`SqlStore.seal_rows` validates)."""


# --- repositories ---------------------------------------------------------------------------


class _Repository:
    __slots__ = ("_uow",)

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def _run(self, statement: Any, params: Any = None) -> sa.CursorResult[Any]:
        return self._uow._execute(statement, params)

    def _series(
        self,
        statement: Any,
        number: str,
        table: sa.Table,
        cls: type[_NumberedT],
        field: str,
        rows: Sequence[Any] | None = None,
    ) -> tuple[_NumberedT, ...]:
        """The records of ``number`` kept as ``(position, document, mac)`` rows (read ahead
        as ``rows``, or by ``statement``), checked against their indexed columns (``field`` is
        the record's position attribute)."""
        if rows is None:
            rows = self._uow._query(statement, {"number": number})
        records = []
        for position, document, mac in rows:
            key = f"{number}/{position}"
            record = self._uow._load(table.name, key, document, mac, cls)
            if (record.contract_number, getattr(record, field)) != (number, position):
                raise _disagree(table.name, key, f"contract_number/{field}")
            records.append(record)
        return tuple(records)

    def _insert_new(self, table: sa.Table, params: dict[str, Any]) -> bool:
        """Insert unless a unique key exists; ``False`` when it did (nothing written).

        While the unit of work defers inserts (:meth:`SqlUnitOfWork.defer_inserts`), the row
        is queued instead and ``True`` returned: a duplicate is then reported when the queue
        is written (before a read of the table, or at commit)."""
        uow = self._uow
        pending = uow._pending
        if "mac" not in params:  # the audit log seals its row before it holds the head
            uow._seal(table, params)
        if pending is not None and table.name in uow._deferrable:
            pending.setdefault(table.name, []).append(params)
            return True
        inserted: bool = uow._driver(uow._dialect.insert_new[table.name], params, _INSERT)
        return inserted


def _contract_columns(contract: GuaranteeContract) -> dict[str, Any]:
    return {
        "version": contract.version,
        "status": contract.status.value,
        "medium": contract.medium.value,
        "product": contract.product,
        "principal_id": contract.principal.identifier,
        "obligee_code": contract.obligee.code,
        "works_number": contract.works.number,
        "issued_on": contract.issued_on,
        "document": to_json(contract),
        "application_reference": contract.application_reference,
    }


def _contract_row(uow: SqlUnitOfWork, row: Any) -> GuaranteeContract:
    number, version, status, document, mac = row
    contract = uow._load(s.contracts.name, number, document, mac, GuaranteeContract)
    if contract.number != number:
        raise _disagree(s.contracts.name, number, "number")
    if contract.version != version or contract.status.value != status:
        raise _disagree(s.contracts.name, number, "version/status")
    return contract


class _Contracts(_Repository):
    __slots__ = ()

    def add(self, contract: GuaranteeContract) -> None:
        c.check_type(contract, GuaranteeContract, "contract")
        self._uow._ahead.pop("contracts", None)
        params = {"number": contract.number, **_contract_columns(contract)}
        if not self._insert_new(s.contracts, params):
            raise DuplicateError(f"guarantee contract {contract.number} already exists")

    def get(self, number: str) -> GuaranteeContract:
        contract = self.find(number)
        if contract is None:
            raise NotFoundError(f"guarantee contract {number} not found")
        return contract

    def find(self, number: str) -> GuaranteeContract | None:
        ahead = self._uow._ahead.pop("contracts", None)
        if ahead is not None and ahead[0] == number:
            row = ahead[1]
        else:
            row = self._uow._query_one(_CONTRACT_ONE, {"number": number})
        return None if row is None else _contract_row(self._uow, (number, *row))

    def replace(self, old: GuaranteeContract, new: GuaranteeContract) -> None:
        c.check_replace(old, new)
        self._uow._ahead.pop("contracts", None)
        params = {
            "w_number": old.number,
            "old_version": old.version,
            "old_status": old.status.value,
            **_contract_columns(new),
        }
        params["mac"] = self._uow._mac(s.contracts.name, new.number, params["document"])
        if self._uow._change(_CONTRACT_REPLACE, params) == 1:
            return
        if self._uow._query_one(_CONTRACT_EXISTS, {"number": old.number}) is None:
            raise NotFoundError(f"guarantee contract {old.number} not found")
        raise ConcurrencyConflictError(
            f"guarantee contract {old.number} was changed by another writer "
            f"(expected version {old.version} {old.status.value})"
        )

    def for_works(self, obligee_code: str, works_number: str) -> Sequence[GuaranteeContract]:
        # PostgreSQL: the works is locked until the unit of work ends, so that a rule checked
        # across its guarantees (caps, one product per works, "issued once") still holds at
        # commit. SQLite holds its write lock for the whole unit anyway.
        self._uow._advisory_lock(f"works:{obligee_code}\x1f{works_number}")
        rows = self._uow._query(
            _CONTRACTS_FOR_WORKS, {"obligee_code": obligee_code, "works_number": works_number}
        )
        return tuple(_contract_row(self._uow, row) for row in rows)

    def query(self, query: ContractQuery) -> Page[GuaranteeContract]:
        c.check_type(query, ContractQuery, "query")
        conditions = [_ct.principal_id == query.principal_id]
        if query.product is not None:
            conditions.append(_ct.product == query.product)
        if query.status is not None:
            conditions.append(_ct.status == query.status.value)
        if query.medium is not None:
            conditions.append(_ct.medium == query.medium.value)
        if query.obligee_code is not None:
            conditions.append(_ct.obligee_code == query.obligee_code)
        if query.issued_from is not None:
            conditions.append(_ct.issued_on >= query.issued_from)
        if query.issued_to is not None:
            conditions.append(_ct.issued_on <= query.issued_to)
        total = self._run(
            sa.select(sa.func.count()).select_from(s.contracts).where(*conditions)
        ).scalar_one()
        rows = self._run(
            sa.select(_ct.number, _ct.version, _ct.status, _ct.document, _ct.mac)
            .where(*conditions)
            .order_by(_ct.number)
            .offset(query.offset)
            .limit(query.limit)
        )
        items = tuple(_contract_row(self._uow, row) for row in rows)
        for item in items:
            if not query.matches(item):
                raise _disagree(s.contracts.name, item.number, "(a query column)")
        return Page(items=items, total=int(total), offset=query.offset, limit=query.limit)


class _Applications(_Repository):
    __slots__ = ()

    def add(self, application: Application) -> None:
        c.check_type(application, Application, "application")
        params = {
            "reference": application.reference,
            "principal_id": application.principal.identifier,
            "applied_on": application.applied_on,
            "document": to_json(application),
        }
        if not self._insert_new(s.applications, params):
            raise DuplicateError(f"application {application.reference} already exists")

    def get(self, reference: str) -> Application:
        row = None
        if isinstance(reference, str):
            row = self._uow._query_one(_APPLICATION_ONE, {"reference": reference})
        document = None if row is None else row[0]
        if document is None:
            raise NotFoundError(f"application {reference!r} not found")
        application = self._uow._load(s.applications.name, reference, document, row[1], Application)
        if application.reference != reference:
            raise _disagree(s.applications.name, reference, "reference")
        return application


class _Certificates(_Repository):
    __slots__ = ()

    def add(self, record: CertificateRecord) -> None:
        c.check_type(record, CertificateRecord, "record")
        self._uow._ahead.pop("certificates", None)
        params = {
            "contract_number": record.contract_number,
            "version": record.version,
            "created_at_us": _us(record.created_at),
            "document": to_json(record),
        }
        if not self._insert_new(s.certificates, params):
            raise DuplicateError(
                f"certificate {record.contract_number} version {record.version} already exists"
            )

    def get(self, number: str, version: int) -> CertificateRecord:
        for record in self.history(number):
            if record.version == version:
                return record
        raise NotFoundError(f"certificate {number} version {version} not found")

    def history(self, number: str) -> Sequence[CertificateRecord]:
        ahead = self._uow._ahead.pop("certificates", None)
        rows = ahead[1] if ahead is not None and ahead[0] == number else None
        return self._series(
            _CERT_HISTORY, number, s.certificates, CertificateRecord, "version", rows
        )


class _Statements(_Repository):
    __slots__ = ()

    def add(self, record: StatementRecord) -> None:
        c.check_type(record, StatementRecord, "record")
        params = {
            "contract_number": record.contract_number,
            "sequence": record.sequence,
            "kind": record.kind.value,
            "document": to_json(record),
        }
        if not self._insert_new(s.statements, params):
            raise DuplicateError(
                f"statement {record.contract_number} #{record.sequence} already exists"
            )

    def for_contract(self, number: str) -> Sequence[StatementRecord]:
        return self._series(_STATEMENTS, number, s.statements, StatementRecord, "sequence")


class _Payments(_Repository):
    __slots__ = ()

    def add(self, payment: Payment) -> None:
        c.check_type(payment, Payment, "payment")
        params = {
            "reference": payment.reference,
            "sequence": payment.sequence,
            "document": to_json(payment),
        }
        if not self._insert_new(s.payments, params):
            raise DuplicateError(f"payment {payment.reference} #{payment.sequence} already exists")

    def for_reference(self, reference: str) -> Sequence[Payment]:
        payments = []
        rows: Any = self._uow._query(_PAYMENTS, {"reference": reference})
        for sequence, document, mac in rows:
            key = f"{reference}/{sequence}"
            payment = self._uow._load(s.payments.name, key, document, mac, Payment)
            if (payment.reference, payment.sequence) != (reference, sequence):
                raise _disagree(s.payments.name, key, "reference/sequence")
            payments.append(payment)
        return tuple(payments)


def _key_row(uow: SqlUnitOfWork, number: str, row: Any) -> KeyRecord:
    generation, status, document, mac = row
    key = f"{number}/{generation}"
    record = uow._load(s.keys.name, key, document, mac, KeyRecord)
    if (record.contract_number, record.generation, record.status.value) != (
        number,
        generation,
        status,
    ):
        raise _disagree(s.keys.name, key, "contract_number/generation/status")
    return record


def _key_params(record: KeyRecord) -> dict[str, Any]:
    return {
        "contract_number": record.contract_number,
        "generation": record.generation,
        "status": record.status.value,
        "document": to_json(record),
    }


class _Keys(_Repository):
    __slots__ = ()

    def add(self, record: KeyRecord) -> None:
        c.check_type(record, KeyRecord, "record")
        params = _key_params(record)
        self._uow._active_key = None
        self._uow._ahead.pop("keys", None)
        if not self._insert_new(s.keys, params):
            raise DuplicateError(
                f"key record {record.contract_number} generation {record.generation} exists, "
                "or the contract already has an active key"
            )

    def active(self, number: str) -> KeyRecord | None:
        if not isinstance(number, str):
            raise InvalidInputError("number", f"must be text, not {type(number).__name__}")
        uow = self._uow
        memo = uow._active_key
        if memo is not None and memo[0] == number:
            return memo[1]  # read in this unit of work, and no key written since
        ahead = uow._ahead.pop("keys", None)
        if ahead is not None and ahead[0] == number:
            row = ahead[1]
        else:
            row = uow._query_one(_KEY_ACTIVE, {"number": number})
        record = None
        if row is not None:
            generation, document, mac = row
            key = f"{number}/{generation}"
            record = uow._load(s.keys.name, key, document, mac, KeyRecord, label=number)
        if record is not None and (
            record.contract_number != number or record.status is not KeyStatus.ACTIVE
        ):
            raise _disagree(s.keys.name, f"{number}/{record.generation}", "status")
        uow._active_key = (number, record)
        return record

    def revoke(self, number: str, generation: int, at: datetime) -> None:
        c.check_aware(at, "at")
        self._uow._active_key = None
        self._uow._ahead.pop("keys", None)
        row = self._uow._query_one(_KEY_ONE_LOCKED, {"number": number, "generation": generation})
        if row is None:
            raise NotFoundError(f"key record {number} generation {generation} not found")
        key = f"{number}/{generation}"
        record = self._uow._load(s.keys.name, key, row[0], row[1], KeyRecord)
        if record.status is KeyStatus.REVOKED:
            return
        revoked = attrs.evolve(record, status=KeyStatus.REVOKED, revoked_at=at)
        document = to_json(revoked)
        self._uow._change(
            _KEY_UPDATE,
            {
                "w_number": number,
                "w_generation": generation,
                "status": revoked.status.value,
                "document": document,
                "mac": self._uow._mac(s.keys.name, key, document),
            },
        )

    def history(self, number: str) -> Sequence[KeyRecord]:
        rows = self._uow._query(_KEY_HISTORY, {"number": number})
        return tuple(_key_row(self._uow, number, row) for row in rows)


class _Attempts(_Repository):
    __slots__ = ()

    def get(self, number: str) -> AttemptState | None:
        # PostgreSQL: the number's limiter state is held until the unit of work ends, so
        # concurrent guesses at one number are counted one after the other (never lost).
        uow = self._uow
        ahead = uow._ahead.pop("attempts", None)
        if ahead is not None and ahead[0] == number:
            row = ahead[1]
        else:
            uow._advisory_lock(f"attempts:{number}")
            row = uow._query_one(_ATTEMPT_ONE, {"number": number})
        if row is None:
            return None
        document, mac = row
        state = uow._load(s.attempts.name, number, document, mac, AttemptState)
        if state.contract_number != number:
            raise _disagree(s.attempts.name, number, "contract_number")
        return state

    def put(self, state: AttemptState) -> None:
        c.check_type(state, AttemptState, "state")
        self._uow._ahead.pop("attempts", None)
        number = state.contract_number
        document = to_json(state)
        self._uow._change(
            self._uow._dialect.upsert_attempt,
            {
                "contract_number": number,
                "document": document,
                "mac": self._uow._mac(s.attempts.name, number, document),
            },
        )

    def clear(self, number: str) -> None:
        self._uow._ahead.pop("attempts", None)
        self._uow._change(_ATTEMPT_CLEAR, {"number": number})


def _event_row(uow: SqlUnitOfWork, row: Any) -> AuditEvent:
    sequence, document, mac = row
    event = uow._load(s.audit.name, str(sequence), document, mac, AuditEvent)
    if event.sequence != sequence:
        raise _disagree(s.audit.name, str(sequence), "sequence")
    return event


class _Audit(_Repository):
    __slots__ = ()

    # Holding and reading the chain's head, per engine: see _sql_audit.
    def append(self, event: AuditEvent) -> None:
        c.check_type(event, AuditEvent, "event")
        uow = self._uow
        c.check_sequence(event, uow._chain.sequence())
        uow._ahead.pop("audit", None)
        document = to_json(event)
        params: dict[str, Any] = {
            "sequence": event.sequence,
            "at_us": _us(event.at),
            "document": document,
        }
        uow._seal(s.audit, params)
        if not uow._chain.defer(params) and not self._insert_new(s.audit, params):
            raise TransactionConflictError(f"audit sequence {event.sequence} is already taken")
        uow._chain.appended(event.sequence, document, params["mac"])
        uow._store._audit_memo = (event.sequence, document, params["mac"], event)

    def last(self) -> AuditEvent | None:
        uow = self._uow
        # The head is held until the unit of work ends (PostgreSQL, MariaDB), so the append that
        # follows waits for a concurrent writer's commit instead of failing on its sequence. On
        # SQLite a head read ahead by prefetch_view, or this unit's own append, needs no statement.
        row = uow._chain.last_row()
        if row is None:
            return None
        sequence, document, mac = row
        memo = uow._store._audit_memo
        if memo is not None and memo[0] == sequence and memo[1] == document and memo[2] == mac:
            # This exact row (text and MAC) was written from (or read back into) this event.
            return memo[3]
        event = _event_row(uow, row)
        uow._store._audit_memo = (event.sequence, document, mac, event)
        return event

    def events(self, after: int = 0, limit: int | None = None) -> Iterator[AuditEvent]:
        c.check_events_args(after, limit)
        self._uow._chain.send()
        statement = (
            sa.select(s.audit.c.sequence, s.audit.c.document, s.audit.c.mac)
            .where(s.audit.c.sequence > after)
            .order_by(s.audit.c.sequence)
        )
        if limit is not None:
            statement = statement.limit(limit)
        uow = self._uow
        return iter([_event_row(uow, row) for row in self._run(statement)])


def _outbox_params(message: OutboxMessage) -> dict[str, Any]:
    return {
        "status": message.status.value,
        "next_attempt_at_us": None
        if message.next_attempt_at is None
        else _us(message.next_attempt_at),
        "document": to_json(message),
    }


def _message_row(uow: SqlUnitOfWork, row: Any) -> OutboxMessage:
    key, document, mac = row
    message = uow._load(s.outbox.name, key, document, mac, OutboxMessage)
    if message.idempotency_key != key:
        raise _disagree(s.outbox.name, key, "idempotency_key")
    return message


def _new_message_params(message: OutboxMessage) -> dict[str, Any]:
    return {
        "idempotency_key": message.idempotency_key,
        "created_at_us": _us(message.created_at),
        **_outbox_params(message),
    }


class _Outbox(_Repository):
    __slots__ = ()

    def add(self, message: OutboxMessage) -> None:
        c.check_type(message, OutboxMessage, "message")
        params = _new_message_params(message)
        if not self._insert_new(s.outbox, params):
            raise DuplicateError(f"outbox message {message.idempotency_key!r} already exists")

    def _one(self, key: str, *, lock: bool = False) -> OutboxMessage:
        statement = _OUTBOX_ONE_LOCKED if lock else _OUTBOX_ONE
        row = self._uow._query_one(statement, {"key": key})
        if row is None:
            raise NotFoundError(f"outbox message {key!r} not found")
        return _message_row(self._uow, (key, *row))

    def get(self, idempotency_key: str) -> OutboxMessage:
        return self._one(idempotency_key)

    def due(self, now: datetime, limit: int = 100) -> Sequence[OutboxMessage]:
        c.check_aware(now, "now")
        c.check_limit(limit)
        rows = self._uow._query(_OUTBOX_DUE, {"now": _us(now), "limit": limit})
        messages = tuple(_message_row(self._uow, row) for row in rows)
        for message in messages:
            if message.status is not OutboxStatus.PENDING:
                raise _disagree(s.outbox.name, message.idempotency_key, "status")
        return messages

    def claim(
        self, now: datetime, lease_until: datetime, limit: int = 100
    ) -> Sequence[OutboxMessage]:
        c.check_claim_args(now, lease_until, limit)
        # Rows another dispatcher is claiming right now are skipped, not waited for.
        rows = self._uow._query(_OUTBOX_CLAIM, {"now": _us(now), "limit": limit})
        taken = []
        for row in rows:
            message = _message_row(self._uow, row)
            if message.status is not OutboxStatus.PENDING:
                raise _disagree(s.outbox.name, message.idempotency_key, "status")
            leased = c.claimed(message, lease_until)
            self._update(leased)
            taken.append(leased)
        return tuple(taken)

    def _update(self, message: OutboxMessage) -> None:
        key = message.idempotency_key
        params = _outbox_params(message)
        params["mac"] = self._uow._mac(s.outbox.name, key, params["document"])
        self._uow._change(_OUTBOX_UPDATE, {"key": key, **params})

    def mark_sent(self, idempotency_key: str, at: datetime) -> None:
        c.check_aware(at, "at")
        message = self._one(idempotency_key, lock=True)
        if message.status is not OutboxStatus.SENT:
            self._update(c.sent(message, at))

    def mark_failed(
        self, idempotency_key: str, error: str, at: datetime, next_attempt_at: datetime | None
    ) -> None:
        c.check_failed_args(error, at, next_attempt_at)
        message = self._one(idempotency_key, lock=True)
        if message.status is not OutboxStatus.SENT:
            self._update(c.failed(message, error, next_attempt_at))

    def all(self) -> Sequence[OutboxMessage]:
        uow = self._uow
        return tuple(_message_row(uow, row) for row in uow._query(_OUTBOX_ALL))


class _Numbers:
    __slots__ = ("_uow",)

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    def allocate(self) -> str:
        row = self._uow._query_one(self._uow._dialect.allocate)
        if row is None or row[0] is None:
            raise CorruptRecordError(
                f"{s.counters.name}[{s.COUNTER_CONTRACT_NUMBER}]", "the counter row is missing"
            )
        value = int(row[0])
        if self._uow._dialect.counter_allocator:
            self._uow._allocated = max(self._uow._allocated, value)
        return c.format_number(value)


# --- unit of work and store -----------------------------------------------------------------


def _sqlite_error(statement: str, exc: sqlite3.Error) -> sa.exc.DBAPIError:
    """A driver error wrapped as SQLAlchemy wraps it (busy/locked is then retried and reported
    exactly as for a statement SQLAlchemy ran)."""
    error = sa.exc.DBAPIError.instance(statement, (), exc, sqlite3.Error)
    if not isinstance(error, sa.exc.DBAPIError):  # pragma: no cover - a driver error always is
        raise AssertionError(type(error))
    return error


def _end(connection: Connection, *, commit: bool) -> None:
    """Commit or roll back the unit's transaction: through SQLAlchemy when it began one (a
    statement ran through ``Connection.execute``), else straight on the driver (a SQLite unit
    on the driver connection: the transaction was begun there, see ``SqlStore._begin``)."""
    if connection.in_transaction():
        if commit:
            connection.commit()
        else:
            connection.rollback()
        return
    raw = connection.connection.dbapi_connection
    if raw is None or not getattr(raw, "in_transaction", False):
        return
    try:
        raw.commit() if commit else raw.rollback()
    except sqlite3.Error as exc:
        raise _sqlite_error("COMMIT" if commit else "ROLLBACK", exc) from exc


class _FinishedUnit:
    """What a repository of a finished unit of work holds instead of the unit: any use raises
    the error the unit itself raises once it has ended."""

    __slots__ = ("_state",)

    def __init__(self, state: str) -> None:
        self._state = state

    def __getattr__(self, name: str) -> Any:
        raise InvalidInputError(
            None, f"the unit of work is {self._state}; use it inside one 'with' block"
        )


class SqlUnitOfWork:
    """One database transaction (see :class:`~surety_core.storage.UnitOfWork`).

    Besides the protocol, :meth:`add_batch` inserts many new records with one ``executemany``
    per table (bulk issuance).
    """

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._dialect = store._dialect
        self._connection: Connection | None = None
        self._state = "new"
        self._chain = ChainHead(self, _storage_error)
        """This unit's hold on the audit chain's head (see _sql_audit)."""
        self._locks: set[str] = set()
        self._pending: dict[str, list[dict[str, Any]]] | None = None
        """Queued inserts by table while deferring (see :meth:`defer_inserts`)."""
        self._deferrable: frozenset[str] = frozenset()
        self._ahead: dict[str, tuple[str, Any]] = {}
        """Rows read ahead by :meth:`prefetch_view`, by table: (number, row), each used once
        and dropped when this unit writes that table."""
        self._active_key: tuple[str, KeyRecord | None] | None = None
        """The last active-key look-up of this unit (number, record): a view reads it twice.
        Forgotten whenever this unit writes a key record."""
        self._allocated = 0
        """The highest number this unit took from the counter row (SQLite): burnt on rollback."""
        """Advisory locks this unit of work holds (PostgreSQL; released at its end)."""
        parts = (
            _Contracts(self),
            _Applications(self),
            _Certificates(self),
            _Statements(self),
            _Payments(self),
            _Keys(self),
            _Attempts(self),
            _Audit(self),
            _Outbox(self),
            _Numbers(self),
        )
        self._parts: tuple[_Repository | _Numbers, ...] = parts
        """Everything that holds this unit (see :meth:`_detach`)."""
        self.contracts: ContractRepository = parts[0]
        self.applications: ApplicationRepository = parts[1]
        self.certificates: CertificateRepository = parts[2]
        self.statements: StatementRepository = parts[3]
        self.payments: PaymentRepository = parts[4]
        self.keys: KeyRepository = parts[5]
        self.attempts: AttemptRepository = parts[6]
        self.audit: AuditLog = parts[7]
        self.outbox: OutboxRepository = parts[8]
        self.numbers: ContractNumberAllocator = parts[9]

    def __repr__(self) -> str:
        return f"<SqlUnitOfWork {self._dialect.name} {self._state}>"

    def _execute(self, statement: Any, params: Any = None) -> sa.CursorResult[Any]:
        connection = self._check_open()
        if self._pending:
            self._flush()
        try:
            return connection.execute(statement, params)
        except sa.exc.SQLAlchemyError as exc:
            raise _storage_error("a database statement failed", exc) from exc

    def add_batch(
        self,
        *,
        contracts: Sequence[GuaranteeContract] = (),
        keys: Sequence[KeyRecord] = (),
        messages: Sequence[OutboxMessage] = (),
    ) -> None:
        """Insert new contracts, key records and outbox messages, one ``executemany`` each.

        The same checks as the ``add`` methods, for the batch as a whole: ``DuplicateError`` if
        any identity exists (or two active keys meet); then leave the unit of work, which rolls
        the whole batch back.
        """
        for contract in contracts:
            c.check_type(contract, GuaranteeContract, "contracts[]")
        for record in keys:
            c.check_type(record, KeyRecord, "keys[]")
        self._active_key = None
        self._ahead.pop("keys", None)
        self._ahead.pop("contracts", None)
        for message in messages:
            c.check_type(message, OutboxMessage, "messages[]")
        self._flush()
        batches = (
            (s.contracts, [{"number": x.number, **_contract_columns(x)} for x in contracts]),
            (s.keys, [_key_params(x) for x in keys]),
            (s.outbox, [_new_message_params(x) for x in messages]),
        )
        for table, rows in batches:
            for row in rows:
                self._seal(table, row)
            self._insert_many(table, rows)

    def prefetch_view(self, number: str) -> None:
        """Read what a verification of ``number`` needs (the limiter state, the active key,
        the contract, the audit chain's head and the certificate history) with one statement,
        so that the repositories' next reads of them run none.

        SQLite only (the unit holds the write lock, so nothing read can change under it);
        elsewhere nothing happens: PostgreSQL and MariaDB read the limiter state and the audit
        head under their locks.
        """
        self._check_open()
        if not self._dialect.exclusive_writer or not isinstance(number, str):
            return
        rows = self._query(_VIEW_READ, {"number": number})
        if not rows:  # pragma: no cover - the outer joins keep the number's one row
            return
        (attempt, attempt_mac, generation, key, key_mac) = rows[0][:5]
        (version, status, document, contract_mac, sequence, event, event_mac) = rows[0][5:12]
        self._ahead["attempts"] = (number, None if attempt is None else (attempt, attempt_mac))
        self._active_key = None
        self._ahead["keys"] = (number, None if key is None else (generation, key, key_mac))
        self._ahead["contracts"] = (
            number,
            None if document is None else (version, status, document, contract_mac),
        )
        self._ahead["certificates"] = (
            number,
            sorted((row[12:15] for row in rows if row[13] is not None), key=itemgetter(0)),
        )
        self._chain.prime(None if sequence is None else (int(sequence), event, event_mac))

    def defer_inserts(self) -> None:
        """From now until this unit of work ends, queue new rows instead of inserting them one
        by one, and write each table's queue with one ``executemany`` (bulk issuance).

        A table's queue is written before any statement that reads that table (so every read
        sees this unit's writes) and at commit. The only difference a caller sees is *when* a
        duplicate is reported: ``DuplicateError`` comes from the statement that writes the
        queue (a later read, or leaving the ``with`` block), not from ``add``, and the whole
        unit of work rolls back. Audit events are queued only on SQLite, where the unit holds
        the write lock and the chain head cannot move under it.
        """
        self._check_open()
        if self._pending is None:
            self._pending = {}
            names = {
                s.contracts.name,
                s.applications.name,
                s.certificates.name,
                s.statements.name,
                s.payments.name,
                s.keys.name,
                s.outbox.name,
            }
            if self._dialect.exclusive_writer:
                names.add(s.audit.name)
            self._deferrable = frozenset(names)

    def _flush(self, tables: frozenset[str] | None = None) -> None:
        """Write the queued rows of ``tables`` (of every table when ``None``)."""
        pending = self._pending
        if not pending:
            return
        for table in s.DATA_TABLES:
            if table.name in pending and (tables is None or table.name in tables):
                self._insert_many(table, pending.pop(table.name))

    def _insert_many(self, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        """Insert ``rows`` into ``table`` with one ``executemany``; ``DuplicateError`` (and
        nothing usable: leave the unit of work) when any of them existed."""
        if not rows:
            return
        plain = self._dialect.insert_many.get(table.name)
        if plain is not None:
            fixed = self._dialect.fixed(plain)
            inserted = self._executemany(fixed, rows)
            if inserted != len(rows):
                raise DuplicateError(
                    f"{len(rows) - inserted} record(s) of the batch already exist in {table.name}"
                )
            return
        statement = self._dialect.insert_new[table.name]
        if not self._dialect.returning:
            try:
                self._execute(statement, rows)
            except StorageError as exc:
                if exc.__cause__ is not None and _is_duplicate(exc.__cause__):
                    raise DuplicateError(
                        f"record(s) of the batch already exist in {table.name}"
                    ) from None
                raise
            return
        returned = self._execute(statement, rows).all()
        if len(returned) != len(rows):
            raise DuplicateError(
                f"{len(rows) - len(returned)} record(s) of the batch already exist in {table.name}"
            )

    def _mac(self, table: str, key: str, document: str) -> str | None:
        """The MAC of a row about to be written (``None`` when the store has no MAC key)."""
        row_mac = self._store._row_mac
        return None if row_mac is None else row_mac.seal(table, key, document)

    def _seal(self, table: sa.Table, params: dict[str, Any]) -> None:
        """Set ``params["mac"]``, the MAC of the new row ``params`` of ``table``."""
        row_mac = self._store._row_mac
        if row_mac is None:
            params["mac"] = None
            return
        key = "/".join([str(params[name]) for name in _PRIMARY_KEYS[table.name]])
        params["mac"] = row_mac.seal(table.name, key, params["document"])

    def _load(
        self, table: str, key: str, document: Any, mac: Any, cls: type[T], label: str = ""
    ) -> T:
        """Decode a row read back: a row with a MAC, under a store with a MAC key, must
        verify (else ``CorruptRecordError``) and is then decoded without running the
        validators again; any other row is validated in full. ``key`` is the row's primary
        key; errors name the row by ``label`` when given."""
        row_mac = self._store._row_mac
        if mac is None or row_mac is None:
            if row_mac is not None and self._store._row_mac_required:
                raise CorruptRecordError(
                    f"{table}[{key}]", "the row has no MAC (and this store requires one)"
                )
            return _load(table, label or key, document, cls)
        if not isinstance(document, str) or not row_mac.verifies(table, key, document, mac):
            raise CorruptRecordError(
                f"{table}[{key}]", "the row's MAC does not verify (changed since it was written)"
            )
        return _load(table, label or key, document, cls, trusted=True)

    def _check_open(self) -> Connection:
        connection = self._connection
        if connection is None or self._state != "open":
            raise InvalidInputError(
                None, f"the unit of work is {self._state}; use it inside one 'with' block"
            )
        return connection

    def _executemany(self, fixed: _Fixed, rows: list[dict[str, Any]]) -> int:
        """A fixed statement for many rows through the driver; the rows it changed."""
        connection = self._check_open()
        try:
            cursor = connection.connection.cursor()
            try:
                cursor.executemany(fixed.sql, [fixed.parameters(row) for row in rows])
                count: int = cursor.rowcount
                return count
            finally:
                cursor.close()
        except self._dialect.driver_error as exc:
            raise _storage_error("a database statement failed", exc) from exc

    def _advisory_lock(self, name: str) -> None:
        """PostgreSQL and MariaDB: wait for and hold the transaction-scoped lock ``name``."""
        if not self._dialect.advisory_locks or name in self._locks:
            return
        if self._dialect.name == "postgresql":
            self._query_one(_ADVISORY_LOCK, {"key": _lock_id(name)})
        else:
            self._change(_ROW_LOCK, {"key": _lock_id(name)})
        self._locks.add(name)

    def _query(self, statement: Any, values: dict[str, Any] | None = None) -> list[Any]:
        """Every row of a fixed statement (see :class:`_Fixed`)."""
        rows: list[Any] = self._driver(statement, values, _ALL)
        return rows

    def _query_one(self, statement: Any, values: dict[str, Any] | None = None) -> Any:
        """The first row of a fixed statement, or ``None``."""
        return self._driver(statement, values, _ONE)

    def _change(self, statement: Any, values: dict[str, Any] | None = None) -> int:
        """Run a fixed statement that changes rows; the number of rows it matched."""
        count: int = self._driver(statement, values, _COUNT)
        return count

    def _driver(self, statement: Any, values: dict[str, Any] | None, fetch: int) -> Any:
        """A fixed statement through the driver's own cursor, inside this unit's transaction."""
        connection = self._connection
        if connection is None or self._state != "open":
            raise InvalidInputError(
                None, f"the unit of work is {self._state}; use it inside one 'with' block"
            )
        fixed = self._dialect.fixed(statement)
        if self._pending and not fixed.tables.isdisjoint(self._pending):
            self._flush(fixed.tables)
        try:
            raw = connection.connection.dbapi_connection
            cursor = (raw if raw is not None else connection.connection).cursor()
            try:
                try:
                    cursor.execute(fixed.sql, fixed.parameters(values))
                except self._dialect.driver_error as exc:
                    if fetch == _INSERT and _is_duplicate(exc):
                        return False
                    raise
                if fetch == _INSERT:
                    return not self._dialect.returning or cursor.fetchone() is not None
                if fetch == _ONE:
                    return cursor.fetchone()
                if fetch == _ALL:
                    return cursor.fetchall()
                return cursor.rowcount
            finally:
                cursor.close()
        except self._dialect.driver_error as exc:
            raise _storage_error("a database statement failed", exc) from exc

    def __enter__(self) -> Self:
        if self._state != "new":
            raise InvalidInputError(None, "a unit of work can be entered only once")
        store = self._store
        store._check_open()
        if store._lock is not None:
            store._lock.acquire()
        try:
            self._connection = store._begin()
        except BaseException:
            if store._lock is not None:
                store._lock.release()
            raise
        self._state = "open"
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._state != "open" or self._connection is None:
            return
        if exc_type is None and self._pending:
            try:
                self._flush()  # the queued rows, inside the transaction
            except BaseException as error:
                self._pending = None
                self.__exit__(type(error), error, error.__traceback__)  # rolls back
                raise
        connection, self._connection = self._connection, None
        try:
            if exc_type is not None:
                self._state = "rolled back"
                try:
                    _end(connection, commit=False)
                except sa.exc.SQLAlchemyError:
                    connection.invalidate()
                else:
                    self._burn_numbers(connection)
                return
            self._state = "failed"
            try:
                if not self._chain.commit(connection):
                    _end(connection, commit=True)
                self._chain.after_commit(connection)
            except self._dialect.driver_error as error:
                # Committed, but the wait for its flush failed: the outcome is unknown.
                connection.invalidate()
                raise _storage_error("commit failed (its outcome is unknown)", error) from error
            except sa.exc.SQLAlchemyError as error:
                try:
                    _end(connection, commit=False)
                except sa.exc.SQLAlchemyError:
                    connection.invalidate()
                else:
                    self._burn_numbers(connection)
                raise _storage_error("commit failed", error) from error
            self._state = "committed"
        finally:
            self._store._release(connection)
            if self._store._lock is not None:
                self._store._lock.release()
            self._detach()

    def _detach(self) -> None:
        """Break the reference cycle between this finished unit and its repositories and its
        hold on the chain's head, so that reference counting frees it (and the rows it read)
        when the caller lets go of it: left to the cycle collector, each unit's garbage made
        the collector run every few views and cost a tenth of a view's time. A repository used
        afterwards still raises the same ``InvalidInputError``."""
        finished = cast("SqlUnitOfWork", _FinishedUnit(self._state))
        for part in self._parts:
            part._uow = finished
        self._chain._uow = finished
        self._ahead.clear()
        self._active_key = None

    def _burn_numbers(self, connection: Connection) -> None:
        """After a rollback: move the counter past the numbers this unit handed out, so that
        none is handed out again ("never returned before"). Best effort: if this fails too
        (the database went away), the numbers may come round again, but nothing that used them
        was committed."""
        if not self._allocated:
            return
        try:
            connection.begin()
            connection.execute(_BURN_NUMBERS, {"value": self._allocated})
            connection.commit()
        except sa.exc.SQLAlchemyError:
            try:
                connection.rollback()
            except sa.exc.SQLAlchemyError:
                connection.invalidate()


class SqlStore:
    """A store on a SQLAlchemy 2 engine (SQLite, PostgreSQL or MariaDB); safe to share between
    threads.

    Build one with :func:`sqlite_store`, :func:`postgres_store` or :func:`mariadb_store`, or pass
    your own ``engine``; any other engine is refused with ``ConfigurationError`` (see
    :data:`~surety_core.storage.sql.SUPPORTED_ENGINES`).
    With ``upgrade=True`` (the default) the schema is created or upgraded on start; with
    ``False`` it must already be at :data:`SCHEMA_VERSION`. Either way a database whose schema
    is newer than this code is refused with ``SchemaVersionError``.

    ``serialize`` makes units of work take turns on a lock (needed when every thread shares one
    connection, as with SQLite ``:memory:``).

    ``row_mac_key`` (32 to 64 random bytes, kept secret like the other keys) makes the store
    write a keyed MAC beside every row and check it on read: a row whose MAC does not verify
    (its document or key changed by anything but the store) is a ``CorruptRecordError``, and a
    row whose MAC verifies is decoded without running the validators again (faster). Rows
    without a MAC (written before, or without a key) are validated in full, as without a key,
    unless ``row_mac_required`` (then they are a ``CorruptRecordError``: give the existing rows
    their MACs first with :meth:`seal_rows`).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        upgrade: bool = True,
        serialize: bool = False,
        row_mac_key: bytes | None = None,
        row_mac_required: bool = False,
    ) -> None:
        if not isinstance(engine, Engine):
            raise InvalidInputError("engine", "must be a SQLAlchemy Engine")
        if row_mac_required is not False and (row_mac_required is not True or not row_mac_key):
            raise InvalidInputError("row_mac_required", "must be True or False, True with a key")
        self._row_mac = None if row_mac_key is None else RowMac(row_mac_key)
        self._row_mac_required = row_mac_required
        self._engine = engine
        kind = self._retry("connecting", lambda: s.engine_kind(engine))
        self._dialect = _Dialect(kind, engine)
        self._lock: threading.Lock | None = threading.Lock() if serialize else None
        self._closed = False
        self._driver_units = False
        """SQLite stores built by :func:`sqlite_store`: a unit of work begins and commits on
        the driver connection, and its connection is kept open for the next unit (``_idle``)
        instead of going back through the pool (most of an empty unit's cost)."""
        self._idle: list[Connection] = []
        self._audit_memo: tuple[int, str, str | None, AuditEvent] | None = None
        """(sequence, document text, MAC, event) of the last audit event this store wrote or
        decoded: ``audit.last()`` reuses the event only when the row's text and MAC are
        identical."""
        if upgrade:
            self._retry("schema upgrade", lambda: s.upgrade_schema(engine))
        else:
            self.check_schema()

    def __repr__(self) -> str:
        return f"<SqlStore {self._dialect.name} {'closed' if self._closed else 'open'}>"

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for a host's own queries or migrations)."""
        return self._engine

    def check_schema(self) -> int:
        """The database's schema version; ``SchemaVersionError`` unless it is the current one."""

        def read() -> int | None:
            with self._engine.connect() as connection:
                return s.read_schema_version(connection)

        found = self._retry("reading the schema version", read)
        s.check_version(found, exact=True)
        return s.SCHEMA_VERSION

    def _check_open(self) -> None:
        if self._closed:
            raise StorageError("the store is closed")

    def _retry(self, action: str, fn: Callable[[], T]) -> T:
        """Run ``fn``, retrying while SQLite reports busy/locked; then ``StorageError``."""
        delay = 0.02
        for attempt in range(_BUSY_RETRIES):
            try:
                return fn()
            except sa.exc.SQLAlchemyError as exc:
                if not _is_busy(exc) or attempt == _BUSY_RETRIES - 1:
                    raise _storage_error(action, exc) from exc
            except StorageError as exc:
                if not _is_busy(exc.__cause__ or exc) or attempt == _BUSY_RETRIES - 1:
                    raise
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _begin(self) -> Connection:
        if self._driver_units:
            return self._retry("could not start a transaction", self._begin_on_driver)
        sqlite = self._dialect.name == "sqlite"

        def begin() -> Connection:
            connection = self._engine.connect()
            try:
                connection.begin()
                if sqlite:
                    # A host's own SQLite engine (not built by sqlite_store) begins lazily, so
                    # two units could read the same state and both write: take the write lock
                    # now, as sqlite_store's engines do.
                    raw = connection.connection.dbapi_connection
                    if raw is not None and not raw.in_transaction:
                        try:
                            raw.execute("BEGIN IMMEDIATE")
                        except sqlite3.Error as exc:
                            raise sa.exc.DBAPIError.instance(
                                "BEGIN IMMEDIATE", (), exc, sqlite3.Error
                            ) from exc
            except BaseException:
                connection.close()
                raise
            return connection

        return self._retry("could not start a transaction", begin)

    def _begin_on_driver(self) -> Connection:
        """A kept connection (or a new one) with ``BEGIN IMMEDIATE`` run on the driver."""
        try:
            connection = self._idle.pop()
        except IndexError:
            connection = self._engine.connect()
        try:
            raw = connection.connection.dbapi_connection
            if raw is None:  # pragma: no cover - a kept connection is never invalidated
                raise StorageError("the connection was invalidated")
            try:
                raw.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _sqlite_error("BEGIN IMMEDIATE", exc) from exc
        except BaseException:
            connection.close()
            raise
        return connection

    def _release(self, connection: Connection) -> None:
        """After a unit of work: keep a healthy driver-unit connection for the next one."""
        if (
            self._driver_units
            and not self._closed
            and not connection.invalidated
            and not connection.in_transaction()
            and len(self._idle) < 8
        ):
            self._idle.append(connection)
            return
        connection.close()

    def seal_rows(self, *, batch: int = 500) -> int:
        """Give every stored row without a MAC its MAC, after reading and validating it in full
        (a row that fails is a ``CorruptRecordError``, and its batch is left unsealed); returns
        the number of rows sealed. Needs a ``row_mac_key``; run it once after the upgrade to
        schema version 5 (or after clearing the MACs to change the key), before starting the
        stores with ``row_mac_required=True``. Rows are sealed ``batch`` at a time, one unit of
        work per batch, so it may run beside the application (a row changed meanwhile is left
        unsealed: run it again)."""
        row_mac = self._row_mac
        if row_mac is None:
            raise ConfigurationError("seal_rows needs a store with a row_mac_key")
        if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= 10_000:
            raise InvalidInputError("batch", "must be an integer from 1 to 10000")
        total = 0
        for table in s.DATA_TABLES:
            cls = _ROW_CLASSES[table.name]
            primary = [table.c[name] for name in _PRIMARY_KEYS[table.name]]
            unsealed = (
                sa.select(*primary, table.c.document)
                .where(table.c.mac.is_(None))
                .order_by(*primary)
                .limit(batch)
            )
            while True:
                with self.unit_of_work() as uow:
                    rows = uow._execute(unsealed).all()
                    sealed = 0
                    for row in rows:
                        values: list[Any] = list(row[:-1])
                        document = row[-1]
                        key = "/".join(str(value) for value in values)
                        _load(table.name, key, document, cls)  # validated in full
                        where = [
                            column == value for column, value in zip(primary, values, strict=True)
                        ]
                        sealed += uow._execute(
                            sa.update(table)
                            # only the row as read and validated (a writer may have
                            # changed it since, without a key)
                            .where(*where, table.c.mac.is_(None), table.c.document == document)
                            .values(mac=row_mac.seal(table.name, key, document))
                        ).rowcount
                total += sealed
                if len(rows) < batch or sealed == 0:
                    break
        return total

    def unit_of_work(self) -> SqlUnitOfWork:
        """A new unit of work: one transaction, begun when the ``with`` block is entered."""
        self._check_open()
        return SqlUnitOfWork(self)

    def close(self) -> None:
        """Close every pooled connection; the store is unusable afterwards."""
        self._closed = True
        while self._idle:
            self._idle.pop().close()
        self._engine.dispose()


# --- factories ------------------------------------------------------------------------------


def _sqlite_events(engine: Engine, busy_timeout_ms: int, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN IMMEDIATE itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms:d}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if wal:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # Take the write lock at the start: the allocator's counter row and every check-then-
        # write stay consistent, and SQLite never has to upgrade a read lock (no deadlock).
        # Straight on the driver (a third of an empty unit of work's time went into running
        # this one statement through SQLAlchemy); a driver error is wrapped as SQLAlchemy
        # would wrap it, so busy/locked is retried and reported exactly as before.
        raw = connection.connection.dbapi_connection
        if raw is None or raw.in_transaction:
            return  # a unit of work on the driver connection began it (SqlStore._begin)
        try:
            raw.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise sa.exc.DBAPIError.instance(
                "BEGIN IMMEDIATE", (), exc, sqlite3.Error, dialect=engine.dialect
            ) from exc


def sqlite_store(
    path: str | os.PathLike[str] = ":memory:",
    *,
    busy_timeout: float = 10.0,
    upgrade: bool = True,
    echo: bool = False,
    row_mac_key: bytes | None = None,
    row_mac_required: bool = False,
) -> SqlStore:
    """A store on a SQLite file (WAL journal) or, with ``":memory:"``, in a private database.

    ``busy_timeout`` (seconds) is how long a unit of work waits for another process's write
    lock; SQLite busy/locked errors are then retried a few times and finally raised as
    ``StorageError``. Each unit of work runs under ``BEGIN IMMEDIATE``. Foreign keys are on.
    ``row_mac_key``, ``row_mac_required``: see :class:`SqlStore` (the same for every factory).
    """
    if isinstance(busy_timeout, bool) or not isinstance(busy_timeout, int | float):
        raise InvalidInputError("busy_timeout", "must be a number of seconds")
    if not 0 <= busy_timeout <= 3600:
        raise InvalidInputError("busy_timeout", "must be between 0 and 3600 seconds")
    target = os.fspath(path)
    if not isinstance(target, str) or not target:
        raise InvalidInputError("path", "must be a file path or ':memory:'")
    memory = target == ":memory:"
    connect_args = {"check_same_thread": False, "timeout": float(busy_timeout)}
    if memory:
        engine = sa.create_engine(
            "sqlite+pysqlite://", connect_args=connect_args, poolclass=StaticPool, echo=echo
        )
    else:
        engine = sa.create_engine(
            sa.URL.create("sqlite+pysqlite", database=target),
            connect_args=connect_args,
            pool_size=8,
            max_overflow=8,
            echo=echo,
        )
    _sqlite_events(engine, int(busy_timeout * 1000), wal=not memory)
    try:
        store = SqlStore(
            engine,
            upgrade=upgrade,
            serialize=memory,
            row_mac_key=row_mac_key,
            row_mac_required=row_mac_required,
        )
        store._driver_units = True
        return store
    except BaseException:
        engine.dispose()
        raise


def postgres_store(
    url: str | sa.URL,
    *,
    schema: str | None = None,
    pool_size: int = 5,
    upgrade: bool = True,
    echo: bool = False,
    row_mac_key: bytes | None = None,
    row_mac_required: bool = False,
) -> SqlStore:
    """A store on PostgreSQL through psycopg 3, e.g. ``postgresql+psycopg://user@host/db``.

    ``schema`` puts every table in that (existing) schema by setting ``search_path`` on each
    connection. Contract numbers come from a ``SEQUENCE``; transactions are READ COMMITTED and
    every check that matters is enforced by the database (unique keys, conditional updates).
    """
    if schema is not None and not (isinstance(schema, str) and _SCHEMA_NAME.fullmatch(schema)):
        raise InvalidInputError("schema", "must be a lower-case SQL identifier")
    try:
        parsed = sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError, TypeError) as exc:
        raise InvalidInputError("url", "not a database URL") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername != "postgresql+psycopg":
        _refuse_other_engines(parsed)
        raise InvalidInputError("url", "must be a postgresql+psycopg:// URL")
    connect_args: dict[str, Any] = {}
    if schema is not None:
        connect_args["options"] = f"-c search_path={schema}"
    engine = sa.create_engine(
        parsed,
        connect_args=connect_args,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        echo=echo,
    )
    try:
        return SqlStore(
            engine,
            upgrade=upgrade,
            row_mac_key=row_mac_key,
            row_mac_required=row_mac_required,
        )
    except BaseException:
        engine.dispose()
        raise


_MARIADB_DRIVERS: Final = ("mariadb", "mariadb+pymysql", "mysql", "mysql+pymysql")


def _refuse_other_engines(url: sa.URL) -> None:
    """The unsupported-engine error for a URL of an engine no factory serves."""
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql", "postgres", "mysql", "mariadb"):
        raise s.unsupported_engine(backend)


def mariadb_store(
    url: str | sa.URL,
    *,
    pool_size: int = 5,
    upgrade: bool = True,
    echo: bool = False,
    row_mac_key: bytes | None = None,
    row_mac_required: bool = False,
) -> SqlStore:
    """A store on MariaDB (10.3 or later) through PyMySQL, e.g.
    ``mariadb+pymysql://user:password@host/db`` (``mariadb://`` and ``mysql+pymysql://`` are
    read the same way; the database of the URL holds the tables).

    Needs the ``mariadb`` extra. Tables are InnoDB with the ``utf8mb4_nopad_bin`` collation, so
    identifiers compare exactly; contract numbers come from a ``SEQUENCE``; transactions are
    READ COMMITTED; one active key per contract is a unique index on a generated column. A MySQL
    server is refused (``ConfigurationError``), as is MariaDB before 10.3.
    """
    try:
        parsed = sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError, TypeError) as exc:
        raise InvalidInputError("url", "not a database URL") from exc
    if parsed.drivername not in _MARIADB_DRIVERS:
        _refuse_other_engines(parsed)
        raise InvalidInputError("url", "must be a mariadb+pymysql:// URL")
    parsed = parsed.set(drivername="mysql+pymysql").update_query_dict({"charset": "utf8mb4"})
    try:
        engine = sa.create_engine(
            parsed,
            isolation_level="READ COMMITTED",
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            pool_recycle=3600,
            echo=echo,
        )
    except ImportError as exc:
        raise ConfigurationError(
            "MariaDB needs the 'mariadb' extra: pip install 'surety-core[mariadb]'"
        ) from exc
    try:
        return SqlStore(
            engine,
            upgrade=upgrade,
            row_mac_key=row_mac_key,
            row_mac_required=row_mac_required,
        )
    except BaseException:
        engine.dispose()
        raise
