"""SQL stores on SQLAlchemy 2 Core: SQLite (the embedded default) and PostgreSQL (psycopg 3).

Needs the ``sql`` extra (``postgres`` for PostgreSQL). :data:`metadata` is the whole schema, for a
host that manages migrations itself; :func:`create_schema` / :func:`upgrade_schema` create or
upgrade it and record :data:`SCHEMA_VERSION` in the ``surety_schema_version`` table.
"""

from surety_core.storage._sql import SqlStore, SqlUnitOfWork, postgres_store, sqlite_store
from surety_core.storage._sql_schema import (
    SCHEMA_VERSION,
    create_schema,
    metadata,
    read_schema_version,
    upgrade_schema,
)

__all__ = [
    "SCHEMA_VERSION",
    "SqlStore",
    "SqlUnitOfWork",
    "create_schema",
    "metadata",
    "postgres_store",
    "read_schema_version",
    "sqlite_store",
    "upgrade_schema",
]
