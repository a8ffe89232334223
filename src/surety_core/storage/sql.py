"""SQL stores on SQLAlchemy 2 Core: SQLite (the embedded default), PostgreSQL (psycopg 3) and
MariaDB (PyMySQL).

Needs the ``sql`` extra (``postgres`` for PostgreSQL, ``mariadb`` for MariaDB). Any other engine
is refused by every entry point with the same ``ConfigurationError`` (see
:data:`SUPPORTED_ENGINES`). :data:`metadata` is the whole schema, for a
host that manages migrations itself; :func:`create_schema` / :func:`upgrade_schema` create or
upgrade it and record :data:`SCHEMA_VERSION` in the ``surety_schema_version`` table.
"""

from surety_core.storage._sql import (
    SqlStore,
    SqlUnitOfWork,
    mariadb_store,
    postgres_store,
    sqlite_store,
)
from surety_core.storage._sql_schema import (
    SCHEMA_VERSION,
    SUPPORTED_ENGINES,
    create_schema,
    metadata,
    read_schema_version,
    upgrade_schema,
)

__all__ = [
    "SCHEMA_VERSION",
    "SUPPORTED_ENGINES",
    "SqlStore",
    "SqlUnitOfWork",
    "create_schema",
    "mariadb_store",
    "metadata",
    "postgres_store",
    "read_schema_version",
    "sqlite_store",
    "upgrade_schema",
]
