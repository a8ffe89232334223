"""The SQL schema as SQLAlchemy ``MetaData``, its version table and upgrades (private).

Public names are re-exported by :mod:`surety_core.storage.sql`.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from surety_core._errors import SchemaVersionError, StorageError

__all__ = [
    "SCHEMA_VERSION",
    "create_schema",
    "metadata",
    "read_schema_version",
    "upgrade_schema",
]

SCHEMA_VERSION = 2
"""The database schema version this release reads and writes."""

COUNTER_CONTRACT_NUMBER = "contract_number"

metadata = sa.MetaData()
"""Every table, index and sequence of the SQL stores; add it to a host's own migrations."""

schema_version_table = sa.Table(
    "surety_schema_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.Integer, nullable=False),
    comment="One row (id 1): the surety_core schema version of this database.",
)

counters = sa.Table(
    "surety_counters",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
    comment="Counters updated inside a transaction (SQLite's contract-number allocator).",
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
    sa.Column("corporate_number", sa.String(13), nullable=False),
    sa.Column("obligee_code", sa.String(32), nullable=False),
    sa.Column("works_number", sa.String(64), nullable=False),
    sa.Column("issued_on", sa.Date, nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.Index("ix_surety_contracts_principal", "corporate_number", "number"),
    sa.Index("ix_surety_contracts_works", "obligee_code", "works_number", "number"),
    comment="Guarantee contracts: versioned JSON (document) plus columns for queries.",
)

applications = sa.Table(
    "surety_applications",
    metadata,
    sa.Column("reference", sa.String(32), primary_key=True),
    sa.Column("corporate_number", sa.String(13), nullable=False),
    sa.Column("applied_on", sa.Date, nullable=False),
    sa.Column("document", sa.Text, nullable=False),
)

certificates = sa.Table(
    "surety_certificates",
    metadata,
    sa.Column("contract_number", sa.String(10), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("created_at_us", sa.BigInteger, nullable=False),
    sa.Column("document", sa.Text, nullable=False),
)

statements = sa.Table(
    "surety_statements",
    metadata,
    sa.Column("contract_number", sa.String(10), primary_key=True),
    sa.Column("sequence", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    comment="Fee, refund and claim statements kept with each guarantee contract.",
)

payments = sa.Table(
    "surety_payments",
    metadata,
    sa.Column("reference", sa.String(32), primary_key=True),
    sa.Column("sequence", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("document", sa.Text, nullable=False),
    comment="Fee payments received, per application (schema version 2).",
)

keys = sa.Table(
    "surety_keys",
    metadata,
    sa.Column("contract_number", sa.String(10), primary_key=True),
    sa.Column("generation", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    comment="Authentication key records (HMAC digest and sealed key, never the plain key).",
)
sa.Index(
    "ux_surety_keys_active",
    keys.c.contract_number,
    unique=True,
    sqlite_where=keys.c.status == "active",
    postgresql_where=keys.c.status == "active",
)

attempts = sa.Table(
    "surety_attempts",
    metadata,
    sa.Column("contract_number", sa.String(64), primary_key=True),
    sa.Column("document", sa.Text, nullable=False),
)

audit = sa.Table(
    "surety_audit",
    metadata,
    sa.Column("sequence", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("at_us", sa.BigInteger, nullable=False),
    sa.Column("document", sa.Text, nullable=False),
)

outbox = sa.Table(
    "surety_outbox",
    metadata,
    sa.Column("idempotency_key", sa.String(200), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at_us", sa.BigInteger, nullable=False),
    sa.Column("next_attempt_at_us", sa.BigInteger, nullable=True),
    sa.Column("document", sa.Text, nullable=False),
    sa.Index("ix_surety_outbox_due", "status", "created_at_us", "idempotency_key"),
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


def _add_payments(connection: Connection) -> None:
    payments.create(connection, checkfirst=True)


# Upgrades from version n to n + 1, run in one transaction.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _add_payments}
"""1 → 2: the fee payments table (``surety_payments``)."""


def read_schema_version(connection: Connection) -> int | None:
    """The schema version recorded in the database, or ``None`` when there is none yet."""
    if not sa.inspect(connection).has_table(schema_version_table.name):
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


def _lock(connection: Connection) -> None:
    # Serialise concurrent upgrades (PostgreSQL); SQLite's write lock does the same there.
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(7305561274001)"))


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

    Refuses (``SchemaVersionError``) a database whose schema is newer than this code knows.
    Runs in one transaction, so a failed upgrade changes nothing.
    """
    try:
        if isinstance(engine, Connection):
            _upgrade(engine, _create_only)
        else:
            with engine.begin() as connection:
                _upgrade(connection, _create_only)
    except sa.exc.SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:300]
        raise StorageError(f"could not create or upgrade the schema: {reason}") from exc
    return SCHEMA_VERSION


def _upgrade(connection: Connection, create_only: bool) -> None:
    _lock(connection)
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
