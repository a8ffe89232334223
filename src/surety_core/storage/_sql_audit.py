"""How a SQL unit of work holds the audit chain's head, per engine (private; see ``_sql``).

Every event links to the one before it, so two writers must never read the same head and both
append after it. Each engine serialises the append differently:

* **SQLite**: a unit of work holds the database's write lock from ``BEGIN IMMEDIATE`` to its
  end; the head cannot move under it.
* **MariaDB**: the head is a row lock on an upserted row of ``surety_locks`` (held by InnoDB
  until the transaction ends; ``GET_LOCK`` would outlive it).
* **PostgreSQL**: the head is a transaction-scoped advisory lock (``pg_advisory_xact_lock``).
  The lock and the read of the head go in one pipeline (one round trip: the read runs the moment
  the lock is granted, with a snapshot taken after it). The services append their events last in
  the unit of work, so the lock is held for the append and the commit only; the rows are sent
  with the commit (one ``executemany`` and the ``COMMIT`` in one pipeline). And the commit of a
  transaction that appended does not wait for its WAL flush while it still holds the lock
  (``synchronous_commit`` off for that transaction only): the lock passes to the next writer as
  soon as the commit is recorded, and :meth:`ChainHead.after_commit` then waits for the flush,
  outside the lock, before the unit of work returns. So every attempt is durable when its unit
  of work ends, as before, while the flushes of concurrent writers are shared (group commit)
  instead of taken one after the other. A crash before the flush loses that transaction and,
  WAL being written in order, every later one chained after it: the chain never points at a
  lost event, and none of those callers was told its work was done. (A read-only unit of work
  may see such a transaction a few milliseconds before it is durable.) The wait is a
  transactional ``pg_logical_emit_message``; where the database user may not call it, commits
  stay synchronous under the lock.

Owns: the lock on the head, reading the head, the head as known after this unit's own appends,
the durable-commit wait. Must not know: what an event holds (``_sql`` decodes and checks rows;
the services chain and key them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, Final

import sqlalchemy as sa

from surety_core._errors import TransactionConflictError
from surety_core.storage import _sql_schema as s

__all__ = ["AUDIT_HEAD_LOCK", "ChainHead", "lock_id"]

AUDIT_HEAD_LOCK: Final = "audit-head"


def lock_id(name: str) -> int:
    """A stable signed 64-bit id for a PostgreSQL advisory lock on ``name``."""
    digest = hashlib.blake2b(name.encode(), digest_size=8, person=b"surety-lock").digest()
    return int.from_bytes(digest, "big", signed=True)


_HEAD_KEY: Final = lock_id(AUDIT_HEAD_LOCK)

AUDIT_LAST: Final = (
    sa.select(s.audit.c.sequence, s.audit.c.document).order_by(s.audit.c.sequence.desc()).limit(1)
)
_HOLD_HEAD = sa.select(sa.func.pg_advisory_xact_lock(sa.bindparam("key", type_=sa.BigInteger)))
_NO_FLUSH_WAIT: Final = "SELECT set_config('synchronous_commit', 'off', true)"
"""Let this transaction's commit release the head without waiting for the flush (``SET
LOCAL``; sent only with the commit of a unit that appended, whose flush is then waited for)."""
_AUDIT_INSERT = sa.insert(s.audit).values(
    sequence=sa.bindparam("sequence"),
    at_us=sa.bindparam("at_us"),
    document=sa.bindparam("document"),
)
"""A plain insert: a taken sequence is an error that fails the transaction (never skipped)."""
_UNIQUE_VIOLATION: Final = "23505"
_CAN_WAIT = sa.select(
    sa.func.has_function_privilege("pg_logical_emit_message(boolean,text,text)", "EXECUTE")
)
_WAIT_FOR_FLUSH: Final = "SELECT pg_logical_emit_message(true, 'surety_core', '')"
"""A transaction that writes one WAL record: its synchronous commit flushes the WAL up to its
own commit record, past the commit before it on the same connection."""


class ChainHead:
    """One unit of work's hold on the head of the audit chain (see the module)."""

    __slots__ = ("_fail", "_flush", "_head", "_rows", "_unflushed", "_uow")

    def __init__(self, uow: Any, fail: Callable[[str, BaseException], Exception]) -> None:
        self._uow = uow
        self._fail = fail
        """Makes the store's error of a driver error (``_sql._storage_error``)."""
        self._head: tuple[int, str | None] | None = None
        """(sequence, document) of the head while this unit holds it (document ``None`` when
        only the sequence was read; sequence 0 for an empty log)."""
        self._flush = False
        """Whether this unit's audit rows go with its commit, which then does not wait for its
        flush under the lock (PostgreSQL, when the user may wait for the flush afterwards)."""
        self._unflushed = False
        """Whether the commit went without waiting for its flush (after_commit waits)."""
        self._rows: list[dict[str, Any]] = []
        """Audit rows appended but not yet sent (PostgreSQL, when the commit waits for the
        flush after the lock: they go with the COMMIT, in one round trip)."""

    def last_row(self) -> tuple[int, str] | None:
        """Hold the head; the ``(sequence, document)`` of the last event, or ``None``."""
        head = self._head
        if head is not None and head[1] is not None:
            return (head[0], head[1])
        if head is not None and head[0] == 0:
            return None
        row = self._hold_and_read()
        if row is None:
            self._head = (0, None)
            return None
        self._head = (int(row[0]), row[1])
        return (int(row[0]), row[1])

    def sequence(self) -> int:
        """Hold the head; the sequence of the last event (0 for an empty log)."""
        if self._head is None:
            self.last_row()
        assert self._head is not None
        return self._head[0]

    def prime(self, row: tuple[int, str] | None) -> None:
        """The head as read ahead by the unit (SQLite's ``prefetch_view``, under the write
        lock): ``(sequence, document)`` of the last event, or ``None`` for an empty log."""
        self._head = (0, None) if row is None else (row[0], row[1])

    def appended(self, sequence: int, document: str) -> None:
        """This unit appended the event ``sequence`` (it holds the head)."""
        self._head = (sequence, document)

    def defer(self, params: dict[str, Any]) -> bool:
        """Keep the audit row ``params`` to send with the commit, when this unit will commit
        that way (PostgreSQL holding the head); ``False`` when it must be inserted now."""
        if not self._flush:
            return False
        self._rows.append(params)
        return True

    def send(self) -> None:
        """Insert the rows kept by :meth:`defer` now (before this unit reads the log)."""
        rows, self._rows = self._rows, []
        for params in rows:
            self._uow._change(_AUDIT_INSERT, params)

    def commit(self, connection: Any) -> bool:
        """With rows kept by :meth:`defer`, insert them and commit the unit's transaction in
        one pipeline (one round trip while the head is held) and return ``True``; without any,
        return ``False`` and leave the commit to the unit of work. A kept row whose sequence
        was taken meanwhile (a writer that bypassed the lock) fails the commit: nothing is
        committed, and the unit may run again (``TransactionConflictError``)."""
        rows, self._rows = self._rows, []
        if not rows:
            return False
        dialect = self._uow._dialect
        insert = dialect.fixed(_AUDIT_INSERT)
        raw = connection.connection.dbapi_connection
        try:
            with raw.pipeline(), raw.cursor() as cursor:
                cursor.execute(_NO_FLUSH_WAIT)
                cursor.executemany(insert.sql, [insert.parameters(row) for row in rows])
                connection.commit()
            self._unflushed = True
            return True
        except (dialect.driver_error, sa.exc.DBAPIError) as exc:
            self._flush = False
            connection.invalidate()
            orig = getattr(exc, "orig", None) or exc
            if getattr(orig, "sqlstate", None) == _UNIQUE_VIOLATION:
                raise TransactionConflictError(
                    "the audit log's next sequence was taken by a writer that did not hold its "
                    "head; nothing was committed"
                ) from None
            raise self._fail("commit failed", exc) from exc

    def _hold_and_read(self) -> Any:
        uow = self._uow
        dialect = uow._dialect
        if dialect.name != "postgresql":
            if dialect.name == "mariadb":
                uow._advisory_lock(AUDIT_HEAD_LOCK)
            return uow._query_one(AUDIT_LAST)
        if AUDIT_HEAD_LOCK in uow._locks:  # pragma: no cover - the head is cached once held
            return uow._query_one(AUDIT_LAST)
        flush_after = _can_wait_for_flush(uow)
        hold = dialect.fixed(_HOLD_HEAD)
        last = dialect.fixed(AUDIT_LAST)
        connection = uow._connection
        if connection is None or uow._state != "open":
            return uow._query_one(AUDIT_LAST)  # raises the unit of work's own error
        raw = connection.connection.dbapi_connection
        try:
            with raw.pipeline():
                locking = raw.cursor()
                reading = raw.cursor()
                locking.execute(hold.sql, hold.parameters({"key": _HEAD_KEY}))
                reading.execute(last.sql, last.parameters(None))
            row = reading.fetchone()
            locking.close()
            reading.close()
        except dialect.driver_error as exc:
            raise self._fail("a database statement failed", exc) from exc
        uow._locks.add(AUDIT_HEAD_LOCK)
        self._flush = flush_after
        return row

    def after_commit(self, connection: Any) -> None:
        """After a commit that did not wait for its flush: wait for it (PostgreSQL)."""
        if not self._unflushed:
            return  # the commit waited for its own flush (or the unit appended nothing)
        self._unflushed = False
        raw = connection.connection.dbapi_connection
        with raw.cursor() as cursor:
            cursor.execute(_WAIT_FOR_FLUSH)
        raw.commit()


def _can_wait_for_flush(uow: Any) -> bool:
    """Whether this store's database user may call the flush wait (asked once per store)."""
    dialect = uow._dialect
    found: bool | None = getattr(dialect, "audit_flush_wait", None)
    if found is None:
        row = uow._query_one(_CAN_WAIT)
        found = bool(row is not None and row[0])
        dialect.audit_flush_wait = found
    return found
