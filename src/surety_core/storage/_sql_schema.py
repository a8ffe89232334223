"""The SQL schema as SQLAlchemy ``MetaData``, its version table and upgrades (private).

Public names are re-exported by :mod:`surety_core.storage.sql`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Connection, Engine

from surety_core._errors import ConfigurationError, SchemaVersionError, StorageError

__all__ = [
    "SCHEMA_VERSION",
    "SUPPORTED_ENGINES",
    "create_schema",
    "metadata",
    "read_schema_version",
    "upgrade_schema",
]

SCHEMA_VERSION = 6
"""The database schema version this release reads and writes."""

COUNTER_CONTRACT_NUMBER = "contract_number"

SUPPORTED_ENGINES = "SQLite, PostgreSQL and MariaDB (10.3 or later)"
"""The database engines the SQL store supports (MySQL is not one of them: see the storage
guide)."""
MARIADB_MINIMUM = (10, 3)
"""Sequences, generated columns and the NO PAD binary collation, all needed, came in 10.3."""


def unsupported_engine(what: str) -> ConfigurationError:
    """The one error every entry point raises for an engine the store does not support."""
    return ConfigurationError(f"surety_core's SQL store supports {SUPPORTED_ENGINES}, not {what}")


def engine_kind(bind: Engine | Connection) -> str:
    """``"sqlite"``, ``"postgresql"`` or ``"mariadb"`` for a supported engine; otherwise the
    :func:`unsupported_engine` error. A MySQL-family engine is connected to once (if it has not
    been yet) to tell MariaDB from MySQL and read the server's version."""
    dialect = bind.dialect
    name = dialect.name
    if name in ("sqlite", "postgresql"):
        return name
    if name not in ("mysql", "mariadb"):
        raise unsupported_engine(name)
    if dialect.server_version_info is None and isinstance(bind, Engine):
        try:
            with bind.connect():
                pass
        except sa.exc.InvalidRequestError as exc:  # a mariadb:// URL on a MySQL server
            raise unsupported_engine(f"this server ({str(exc)[:100]})") from None
        except sa.exc.SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
            raise StorageError(f"could not connect to the database: {reason}") from exc
    version = tuple(dialect.server_version_info or ())
    shown = ".".join(str(part) for part in version) or "of an unknown version"
    if not getattr(dialect, "is_mariadb", False):
        raise unsupported_engine(f"MySQL {shown}")
    if version < MARIADB_MINIMUM:
        raise unsupported_engine(f"MariaDB {shown}")
    return "mariadb"


metadata = sa.MetaData()
"""Every table, index and sequence of the SQL stores; add it to a host's own migrations."""

_MARIADB: dict[str, Any] = {
    f"{prefix}_{option}": value
    for prefix in ("mysql", "mariadb")  # SQLAlchemy reads one or the other, by URL scheme
    for option, value in (
        ("engine", "InnoDB"),
        ("charset", "utf8mb4"),
        # Binary and NO PAD: identifiers compare exactly ('APP-1' is not 'app-1' nor 'APP-1 ').
        ("collate", "utf8mb4_nopad_bin"),
    )
}
"""Table options on MariaDB (other engines ignore them); their text already compares exactly."""

_DOCUMENT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
"""The JSON document column (MariaDB's TEXT holds only 64 KiB)."""


def _mac() -> sa.Column[str]:
    """The row's keyed MAC (schema version 5): 64 hexadecimal digits, or NULL for a row written
    without a MAC key (see ``_row_mac``)."""
    return sa.Column("mac", sa.String(64), nullable=True)


schema_version_table = sa.Table(
    "surety_schema_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.Integer, nullable=False),
    comment="One row (id 1): the surety_core schema version of this database.",
    **_MARIADB,
)

counters = sa.Table(
    "surety_counters",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
    comment="Counters updated inside a transaction (SQLite's contract-number allocator).",
    **_MARIADB,
)

contract_number_sequence = sa.Sequence(
    "surety_contract_number_seq", start=1, minvalue=1, maxvalue=9_999_999_999, metadata=metadata
)
"""PostgreSQL's contract-number allocator (ignored by SQLite, which uses ``surety_counters``)."""

contracts = sa.Table(
    "surety_contracts",
    metadata,
    sa.Column("number", sa.String(10), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("medium", sa.String(16), nullable=False),
    sa.Column("product", sa.String(32), nullable=False),
    sa.Column("principal_id", sa.String(32), nullable=False),
    sa.Column("obligee_code", sa.String(32), nullable=False),
    sa.Column("works_number", sa.String(64), nullable=False),
    sa.Column("issued_on", sa.Date, nullable=False),
    sa.Column("document", _DOCUMENT, nullable=False),
    _mac(),
    sa.Column("application_reference", sa.String(32), nullable=True),
    sa.Index("ix_surety_contracts_principal", "principal_id", "number"),
    sa.Index("ix_surety_contracts_works", "obligee_code", "works_number", "number"),
    sa.Index("ux_surety_contracts_application", "application_reference", "product", unique=True),
    comment="Guarantee contracts: versioned JSON (document) plus columns for queries.",
    **_MARIADB,
)

applications = sa.Table(
    "surety_applications",
    metadata,
    sa.Column("reference", sa.String(32), primary_key=True),
    sa.Column("principal_id", sa.String(32), nullable=False),
    sa.Column("applied_on", sa.Date, nullable=False),
    sa.Column("document", _DOCUMENT, nullable=False),
    _mac(),
    **_MARIADB,
)

certificates = sa.Table(
    "surety_certificates",
    metadata,
    sa.Column("contract_number", sa.String(10), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("created_at_us", sa.BigInteger, nullable=False),
    sa.Column("document", _DOCUMENT, nullable=False),
    _mac(),
    **_MARIADB,
)

statements = sa.Table(
    "surety_statements",
    metadata,
    sa.Column("contract_number", sa.String(10), primary_key=True),
    sa.Column("sequence", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("document", _DOCUMENT, nullable=False),
    _mac(),
    comment="Fee, refund and claim statements kept with each guarantee contract.",
    **_MARIADB,
)

payments = sa.Table(
    "surety_payments",
    metadata,
    sa.Column("reference", sa.String(32), primary_key=True),
    sa.Column("sequence", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("document", _DOCUMENT, nullable=False),
    _mac(),
    comment="Fee payments received, per application (schema version 3).",
    **_MARIADB,
)

keys = sa.Table(
    "surety_keys",
    metadata,
    sa.Column("contract_number", sa.String(10), primary_key=True),
    sa.Column("generation", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("document", _DOCUMENT, nullable=False),
    _mac(),
    comment="Authentication key records (HMAC digest and sealed key, never the plain key).",
    **_MARIADB,
)
sa.Index(
    "ux_surety_keys_active",
    keys.c.contract_number,
    unique=True,
    sqlite_where=keys.c.status == "active",
    postgresql_where=keys.c.status == "active",
).ddl_if(callable_=lambda *_args, **kw: kw["dialect"].name in ("sqlite", "postgresql"))
"""At most one active key per contract: a partial unique index on SQLite and PostgreSQL."""
sa.event.listen(
    keys,
    "after_create",
    sa.DDL(  # type: ignore[no-untyped-call]
        "ALTER TABLE %(fullname)s ADD COLUMN active_contract_number VARCHAR(10)"
        " AS (CASE WHEN status = 'active' THEN contract_number END) PERSISTENT,"
        " ADD UNIQUE INDEX ux_surety_keys_active (active_contract_number)"
    ).execute_if(callable_=lambda *_args, **kw: kw["dialect"].name in ("mysql", "mariadb")),
)
"""MariaDB has no partial index: a stored generated column holds the contract number only
while the key is active (NULL otherwise, and NULLs do not collide), under a unique index.
Not part of the ``Table``: the store never reads or writes it."""

attempts = sa.Table(
    "surety_attempts",
    metadata,
    sa.Column("contract_number", sa.String(64), primary_key=True),
    sa.Column("document", _DOCUMENT, nullable=False),
    _mac(),
    **_MARIADB,
)

audit = sa.Table(
    "surety_audit",
    metadata,
    # On SQLite the sequence is the table's rowid (declared INTEGER PRIMARY KEY): one b-tree,
    # no separate index to write with every event.
    sa.Column(
        "sequence",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("at_us", sa.BigInteger, nullable=False),
    sa.Column("document", _DOCUMENT, nullable=False),
    _mac(),
    **_MARIADB,
)

outbox = sa.Table(
    "surety_outbox",
    metadata,
    sa.Column("idempotency_key", sa.String(200), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at_us", sa.BigInteger, nullable=False),
    sa.Column("next_attempt_at_us", sa.BigInteger, nullable=True),
    sa.Column("document", _DOCUMENT, nullable=False),
    _mac(),
    sa.Index("ix_surety_outbox_due", "status", "created_at_us", "idempotency_key"),
    **_MARIADB,
)

locks = sa.Table(
    "surety_locks",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    comment="MariaDB's transaction-scoped named locks: a unit of work upserts a row (a works, "
    "a contract number, the audit head) and holds its row lock until it ends.",
    **_MARIADB,
)

DATA_TABLES = (
    contracts,
    applications,
    certificates,
    statements,
    payments,
    keys,
    attempts,
    audit,
    outbox,
)


def _v1_to_v2(connection: Connection) -> None:
    """Version 2: ``surety_contracts.application_reference`` with a unique index on
    (application_reference, product), so the database itself refuses a second issuance of
    one application (an application requests each product at most once)."""
    schema = connection.schema_for_object(contracts)
    preparer = connection.dialect.identifier_preparer
    table = preparer.quote(contracts.name)
    if schema:
        table = f"{preparer.quote_schema(schema)}.{table}"
    if connection.dialect.name == "postgresql":
        extract = "document::json -> 'data' ->> 'application_reference'"
    elif connection.dialect.name in ("mysql", "mariadb"):
        extract = "JSON_UNQUOTE(JSON_EXTRACT(document, '$.data.application_reference'))"
    else:
        extract = "json_extract(document, '$.data.application_reference')"
    connection.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN application_reference VARCHAR(32)"))
    connection.execute(
        sa.text(f"UPDATE {table} SET application_reference = {extract}")  # noqa: S608
    )
    for index in contracts.indexes:
        if index.name == "ux_surety_contracts_application":
            index.create(connection)
    locks.create(connection, checkfirst=True)


# Upgrades from version n to n + 1, run in one transaction.


def _v2_to_v3(connection: Connection) -> None:
    """Version 3: the fee payments table (``surety_payments``)."""
    payments.create(connection, checkfirst=True)


def _v3_to_v4(connection: Connection) -> None:
    """Version 4: the principal column of ``surety_contracts`` and ``surety_applications`` is
    ``principal_id`` (VARCHAR(32)), the principal's identifier: the corporate number it held
    before (unchanged for every corporation), or a sole proprietor's customer number. The
    principal index follows the renamed column."""
    preparer = connection.dialect.identifier_preparer
    for table in (contracts, applications):
        schema = connection.schema_for_object(table)
        name = preparer.quote(table.name)
        if schema:
            name = f"{preparer.quote_schema(schema)}.{name}"
        if connection.dialect.name in ("mysql", "mariadb"):
            statements = [
                f"ALTER TABLE {name} CHANGE COLUMN corporate_number principal_id"
                " VARCHAR(32) NOT NULL"
            ]
        else:
            statements = [f"ALTER TABLE {name} RENAME COLUMN corporate_number TO principal_id"]
            if connection.dialect.name == "postgresql":
                statements.append(f"ALTER TABLE {name} ALTER COLUMN principal_id TYPE VARCHAR(32)")
        for statement in statements:
            connection.execute(sa.text(statement))


def _v4_to_v5(connection: Connection) -> None:
    """Version 5: a nullable ``mac`` column on every data table, the row's keyed MAC (NULL for
    the rows written before, which are read, and validated in full, as they were)."""
    preparer = connection.dialect.identifier_preparer
    inspector = sa.inspect(connection)
    for table in DATA_TABLES:
        schema = connection.schema_for_object(table)
        columns = inspector.get_columns(table.name, schema=schema)
        if any(column["name"] == "mac" for column in columns):
            continue  # created by an earlier step of this upgrade (payments, version 3)
        name = preparer.quote(table.name)
        if schema:
            name = f"{preparer.quote_schema(schema)}.{name}"
        connection.execute(sa.text(f"ALTER TABLE {name} ADD COLUMN mac VARCHAR(64)"))


def _v5_to_v6(connection: Connection) -> None:
    """Version 6: on SQLite, ``surety_audit.sequence`` is the table's rowid (INTEGER PRIMARY
    KEY), so an appended event writes one b-tree instead of the table and its primary key
    index. SQLite cannot change a primary key in place: the table is renamed, created anew,
    filled with every row as it was (sequence, time, document and MAC unchanged, so the chain
    and the row MACs verify as before) and the old one dropped. Other engines: no change."""
    if connection.dialect.name != "sqlite":
        return
    preparer = connection.dialect.identifier_preparer
    schema = connection.schema_for_object(audit)
    prefix = f"{preparer.quote_schema(schema)}." if schema else ""
    new = f"{prefix}{preparer.quote(audit.name)}"
    old_name = f"{audit.name}_v5"
    old = f"{prefix}{preparer.quote(old_name)}"
    columns = "sequence, at_us, document, mac"
    connection.execute(sa.text(f"ALTER TABLE {new} RENAME TO {preparer.quote(old_name)}"))
    audit.create(connection)
    # The library's own table names, quoted by the dialect.
    copy = f"INSERT INTO {new} ({columns}) SELECT {columns} FROM {old} ORDER BY sequence"  # noqa: S608
    connection.execute(sa.text(copy))
    connection.execute(sa.text(f"DROP TABLE {old}"))


# Upgrades from version n to n + 1, run in one transaction.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    4: _v4_to_v5,
    5: _v5_to_v6,
}


def read_schema_version(connection: Connection) -> int | None:
    """The schema version recorded in the database, or ``None`` when there is none yet."""
    # The schema the engine maps the table to (a ``schema_translate_map``), else the default.
    schema = connection.schema_for_object(schema_version_table)
    if not sa.inspect(connection).has_table(schema_version_table.name, schema=schema):
        return None
    row = connection.execute(
        sa.select(schema_version_table.c.version).where(schema_version_table.c.id == 1)
    ).first()
    if row is None:
        return None
    version = row[0]
    if isinstance(version, bool) or not isinstance(version, int):
        raise SchemaVersionError(f"surety_schema_version holds {version!r}, not a version")
    return version


_MARIADB_LOCK = "surety_core_schema"


def _lock(connection: Connection, kind: str) -> None:
    # Serialise concurrent upgrades: a transaction-scoped advisory lock on PostgreSQL, a named
    # lock on MariaDB (released by _unlock); SQLite's write lock does the same there.
    if kind == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(7305561274001)"))
    elif kind == "mariadb":
        got = connection.execute(sa.text(f"SELECT GET_LOCK('{_MARIADB_LOCK}', 60)")).scalar()
        if got != 1:
            raise StorageError("another process kept the schema lock for 60 seconds")


def _unlock(connection: Connection, kind: str) -> None:
    if kind == "mariadb":
        connection.execute(sa.text(f"SELECT RELEASE_LOCK('{_MARIADB_LOCK}')"))


def _create(connection: Connection) -> None:
    metadata.create_all(connection, checkfirst=True)
    existing = connection.execute(
        sa.select(counters.c.name).where(counters.c.name == COUNTER_CONTRACT_NUMBER)
    ).first()
    if existing is None:
        connection.execute(sa.insert(counters).values(name=COUNTER_CONTRACT_NUMBER, value=0))
    connection.execute(sa.insert(schema_version_table).values(id=1, version=SCHEMA_VERSION))


def create_schema(engine: Engine | Connection) -> None:
    """Create every table at :data:`SCHEMA_VERSION` (a no-op if it exists at that version).

    ``SchemaVersionError`` if the database holds another version (use :func:`upgrade_schema`).
    """
    upgrade_schema(engine, _create_only=True)


def upgrade_schema(engine: Engine | Connection, *, _create_only: bool = False) -> int:
    """Create the schema, or upgrade it to :data:`SCHEMA_VERSION`; returns the version.

    Refuses (``SchemaVersionError``) a database whose schema is newer than this code knows,
    and (``ConfigurationError``) an engine the store does not support. Runs in one transaction,
    so a failed upgrade changes nothing (except on MariaDB, whose DDL statements commit).
    """
    kind = engine_kind(engine)
    try:
        if isinstance(engine, Connection):
            _upgrade(engine, _create_only, kind)
        else:
            with engine.begin() as connection:
                _upgrade(connection, _create_only, kind)
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
        raise StorageError(f"could not create or upgrade the schema: {reason}") from exc
    return SCHEMA_VERSION


def _upgrade(connection: Connection, create_only: bool, kind: str) -> None:
    _lock(connection, kind)
    try:
        _upgrade_locked(connection, create_only)
    finally:
        _unlock(connection, kind)


def _upgrade_locked(connection: Connection, create_only: bool) -> None:
    found = read_schema_version(connection)
    if found is None:
        _create(connection)
        return
    check_version(found)
    if found == SCHEMA_VERSION:
        return
    if create_only:
        raise SchemaVersionError(
            f"the database has schema version {found}; call upgrade_schema() to reach "
            f"{SCHEMA_VERSION}"
        )
    for version in range(found, SCHEMA_VERSION):
        MIGRATIONS[version](connection)
    connection.execute(
        sa.update(schema_version_table)
        .where(schema_version_table.c.id == 1)
        .values(version=SCHEMA_VERSION)
    )


def check_version(found: int | None, *, exact: bool = False) -> None:
    """Refuse a schema newer than this code (or, with ``exact``, any other version)."""
    if found is None:
        raise SchemaVersionError("the database has no surety_core schema; call create_schema()")
    if found > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"the database has schema version {found}, newer than {SCHEMA_VERSION} known to "
            "this version of surety_core; upgrade the library"
        )
    if found < 1 or (exact and found != SCHEMA_VERSION):
        raise SchemaVersionError(
            f"the database has schema version {found}; call upgrade_schema() to reach "
            f"{SCHEMA_VERSION}"
        )
