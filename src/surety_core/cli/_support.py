"""What the ``surety`` command needs around the library (private): opening stores from a path or
URL, finding the secrets used at issuance, writing private files, and the demo's folder layout."""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import shlex
import stat
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from surety_core._errors import (
    ConfigurationError,
    DevelopmentSecretWarning,
    InvalidInputError,
    SchemaVersionError,
    StorageError,
    SuretyError,
)
from surety_core.certificates._signing import SigningKeyRing, TrustedKeySet
from surety_core.keys._secrets import DEVELOPMENT_SECRET_ENV, DevelopmentSecretProvider

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from surety_core.storage.sql import SqlStore

__all__ = [
    "DB_NAME",
    "SECRETS_DIR",
    "SECRET_FILE",
    "SIGNING_KEYS_FILE",
    "TRUSTED_KEYS_FILE",
    "find_trusted_keys",
    "load_ring",
    "load_trusted_keys",
    "open_store",
    "read_file",
    "regular_file",
    "schema_engine",
    "secret_provider",
    "write_private",
    "write_public",
]

DB_NAME = "surety.db"
"""The demo's SQLite database, ``DIR/surety.db``."""
SECRETS_DIR = "secrets"
"""The demo's private folder (mode 0700) beside the database."""
SECRET_FILE = "dev-secret"  # noqa: S105 - a file name
"""The development master secret in :data:`SECRETS_DIR` (64 hex digits, mode 0600)."""
SIGNING_KEYS_FILE = "signing-keys.json"
"""The surety's signing key ring in :data:`SECRETS_DIR` (mode 0600)."""
TRUSTED_KEYS_FILE = "trusted-keys.json"
"""The surety's public key set beside the database."""

_SQL_EXTRA = "the SQL stores need the 'sql' extra: pip install 'surety-core[sql]'"
_MARIADB_EXTRA = "MariaDB needs the 'mariadb' extra: pip install 'surety-core[mariadb]'"
_PG_EXTRA = "PostgreSQL needs the 'postgres' extra: pip install 'surety-core[postgres]'"


def _is_url(target: str) -> bool:
    return "://" in target


def _sqlalchemy() -> None:
    try:
        import sqlalchemy  # noqa: F401
    except ImportError:
        raise ConfigurationError(_SQL_EXTRA) from None


def _sqlite_path(target: str) -> Path | None:
    """The SQLite file named by a path or a ``sqlite:///`` URL; ``None`` for other URLs."""
    if not _is_url(target):
        return Path(target)
    _sqlalchemy()
    import sqlalchemy as sa

    try:
        url = sa.make_url(target)
    except (sa.exc.ArgumentError, ValueError) as exc:
        raise InvalidInputError("--db", "not a database URL or path") from exc
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise InvalidInputError("--db", "a SQLite URL must name a file")
    return Path(url.database)


def db_folder(target: str) -> Path | None:
    """The folder of the SQLite file ``target`` names (``None`` for a server URL)."""
    path = _sqlite_path(target)
    return None if path is None else path.resolve().parent


def open_store(target: str, *, option: str = "--db") -> SqlStore:
    """A store on an existing database: a SQLite path or ``sqlite:///`` URL, a PostgreSQL or a
    MariaDB URL.

    The schema must already be current (read-only commands never migrate); a missing SQLite file
    is an :class:`InvalidInputError` rather than a new empty database.
    """
    _sqlalchemy()
    from surety_core.storage.sql import postgres_store, sqlite_store

    path = _sqlite_path(target)
    try:
        if path is not None:
            if path.exists() or path.is_symlink():
                regular_file(path, option)
            if not path.is_file():
                raise InvalidInputError(option, f"no database file at {path}")
            if sqlite_header(path, option) == b"":
                raise InvalidInputError(
                    option,
                    f"{path} is an empty file, not a surety_core database: create the schema "
                    f"with surety db init --db {shlex.quote(str(path))}",
                )
            if not _has_schema_table(path):
                raise SchemaVersionError("no surety_core schema")
            return sqlite_store(path, upgrade=False)
        if _server_engine(target, option) == "mariadb":
            from surety_core.storage.sql import mariadb_store

            return mariadb_store(target, upgrade=False)
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise ConfigurationError(_PG_EXTRA) from None
        return postgres_store(target, upgrade=False)
    except SchemaVersionError as exc:
        if "no surety_core schema" not in str(exc):
            raise
        shown = target if path is None else str(path)
        reason = (
            f"{shown} has no surety_core tables: create them with "
            f"surety db init --db {shlex.quote(shown)}"
        )
        if path is not None:  # the file named is not one of ours: bad input, not environment
            raise InvalidInputError(option, reason) from None
        raise SchemaVersionError(reason) from None


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _has_schema_table(path: Path) -> bool:
    """Whether the SQLite file ``path`` has the schema version table, read without writing (a
    store would first switch a foreign file to WAL mode)."""
    import sqlite3

    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return True  # let the store report what is wrong
    try:
        found = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'surety_schema_version'"
        ).fetchone()
    except sqlite3.Error:
        return True
    finally:
        connection.close()
    return found is not None


def sqlite_header(path: Path, option: str) -> bytes:
    """The first bytes of the existing regular file ``path`` (``b""`` when it is empty);
    :class:`InvalidInputError` naming ``option`` and the path when it is not a SQLite database."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise InvalidInputError(option, f"cannot read {path}: {_reason(exc)}") from None
    if head and head != _SQLITE_MAGIC:
        raise InvalidInputError(option, f"{path} is not a SQLite database")
    return head


def _server_engine(target: str, option: str) -> str:
    """``"postgresql"`` or ``"mariadb"`` for a server URL whose driver is installed; the store's
    unsupported-engine error for any other engine."""
    import sqlalchemy as sa

    from surety_core.storage._sql_schema import unsupported_engine

    try:
        backend = sa.make_url(target).get_backend_name()
    except (sa.exc.ArgumentError, ValueError) as exc:
        raise InvalidInputError(option, "not a database URL or path") from exc
    if backend in ("postgresql", "postgres"):
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise ConfigurationError(_PG_EXTRA) from None
        return "postgresql"
    if backend in ("mariadb", "mysql"):
        if importlib.util.find_spec("pymysql") is None:
            raise ConfigurationError(_MARIADB_EXTRA)
        return "mariadb"
    raise unsupported_engine(backend)


def schema_engine(target: str) -> tuple[Engine, str]:
    """A SQLAlchemy engine for ``target`` (path or URL) and a printable name without password."""
    _sqlalchemy()
    import sqlalchemy as sa

    path = _sqlite_path(target)
    if path is not None:
        if not path.parent.is_dir():
            raise InvalidInputError("--db", f"no folder {path.parent} for the database")
        if path.exists() or path.is_symlink():
            sqlite_header(regular_file(path, "--db"), "--db")
        url = sa.URL.create("sqlite+pysqlite", database=str(path))
        return sa.create_engine(url), str(path)
    kind = _server_engine(target, "--db")
    url = sa.make_url(target)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if kind == "mariadb":
        url = url.set(drivername="mysql+pymysql").update_query_dict({"charset": "utf8mb4"})
    try:
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise InvalidInputError("--db", f"unsupported database URL ({type(exc).__name__})") from exc
    return engine, url.render_as_string(hide_password=True)


@contextlib.contextmanager
def _quiet_development_warning() -> Iterator[None]:
    """Keep :class:`DevelopmentSecretWarning` out of ``warnings`` (the log line says it once)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DevelopmentSecretWarning)
        yield


def secret_provider(
    *, db: str | None = None, secrets: str | None = None, folder: Path | None = None
) -> DevelopmentSecretProvider:
    """The development secrets used at issuance, found in this order:

    1. ``--secrets FILE`` (must exist; refused together with the environment variable),
    2. the environment variable ``SURETY_CORE_DEV_SECRET`` (64 hex digits),
    3. ``secrets/dev-secret`` beside the SQLite database ``db`` (the demo's layout),
    4. with ``folder`` (the demo): ``folder/secrets/dev-secret``, created if missing.
    """
    from_env = os.environ.get(DEVELOPMENT_SECRET_ENV)
    if secrets is not None:
        if from_env is not None:
            raise InvalidInputError(
                "--secrets", f"give either --secrets or {DEVELOPMENT_SECRET_ENV}, not both"
            )
        return _secret_file(regular_file(Path(secrets), "--secrets"), "--secrets")
    if from_env is not None:
        with _quiet_development_warning():
            return DevelopmentSecretProvider()
    if folder is not None:
        private = folder / SECRETS_DIR
        private.mkdir(mode=0o700, parents=True, exist_ok=True)
        with _quiet_development_warning():
            return DevelopmentSecretProvider(private / SECRET_FILE)
    near = db_folder(db) if db is not None else None
    if near is not None and (near / SECRETS_DIR / SECRET_FILE).is_file():
        return _secret_file(near / SECRETS_DIR / SECRET_FILE, "--db")
    raise ConfigurationError(
        "no secrets found for this database: pass --secrets FILE, set "
        f"{DEVELOPMENT_SECRET_ENV}, or keep {SECRETS_DIR}/{SECRET_FILE} beside the SQLite file"
    )


def _secret_file(path: Path, option: str) -> DevelopmentSecretProvider:
    """The provider of the secret file ``path``; a file that is not one is bad input naming
    ``option`` and the path (exit 2), not a failure of the environment."""
    try:
        with _quiet_development_warning():
            return DevelopmentSecretProvider(path)
    except (ConfigurationError, InvalidInputError) as exc:
        reason = getattr(exc, "reason", None) or str(exc)
        raise InvalidInputError(option, f"{path} is not a usable secret file ({reason})") from None


def regular_file(path: Path, option: str) -> Path:
    """``path`` when it names an existing regular file (symlinks to one are fine); otherwise
    :class:`InvalidInputError` naming ``option``: a FIFO would block, a device never ends."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InvalidInputError(option, f"no file at {path}") from None
    except (OSError, ValueError) as exc:
        raise InvalidInputError(option, f"cannot read {path}: {_reason(exc)}") from None
    if stat.S_ISDIR(mode):
        raise InvalidInputError(option, f"{path} is a folder, not a file")
    if not stat.S_ISREG(mode):
        raise InvalidInputError(option, f"{path} is not a regular file")
    return path


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or type(exc).__name__


def read_file(path: Path, option: str, *, limit: int = 16 << 20) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit``); :class:`InvalidInputError`
    naming ``option`` otherwise (missing, a folder, a FIFO or device, a NUL byte, too large)."""
    from surety_core.documents._files import read_regular_file

    return read_regular_file(path, limit=limit, option=option)


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, then rename) with ``mode``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read (0600): signing keys, key notices."""
    try:
        _write(path, data, 0o600)
    except OSError as exc:
        raise StorageError(f"cannot write {path}: {exc.strerror}") from None


def write_public(path: Path, data: bytes) -> None:
    """Write an ordinary file (0644): public keys, certificates, statements."""
    try:
        _write(path, data, 0o644)
    except OSError as exc:
        raise StorageError(f"cannot write {path}: {exc.strerror}") from None


def load_ring(path: Path, option: str) -> SigningKeyRing:
    """The signing key ring in ``path`` (written by ``surety keys generate`` or the demo)."""
    try:
        return SigningKeyRing.from_json(read_file(path, option, limit=1 << 20))
    except ConfigurationError as exc:
        raise InvalidInputError(
            option, f"{path} is not a usable signing key ring ({exc})"
        ) from None


def find_trusted_keys(trust: str | None, db: str | None) -> tuple[TrustedKeySet, Path] | None:
    """The trusted key set from ``--trust`` or ``trusted-keys.json`` beside the SQLite ``db``."""
    if trust is not None:
        path = Path(trust)
    else:
        near = db_folder(db) if db is not None else None
        if near is None or not (near / TRUSTED_KEYS_FILE).is_file():
            return None
        path = near / TRUSTED_KEYS_FILE
    return load_trusted_keys(path), path


def load_trusted_keys(path: Path) -> TrustedKeySet:
    """The public key set in ``path`` (``trusted-keys.json``, ``surety keys export``)."""
    try:
        return TrustedKeySet.from_json(read_file(path, "--trust", limit=1 << 20))
    except SuretyError as exc:
        if isinstance(exc, InvalidInputError) and exc.field == "--trust":
            raise
        raise InvalidInputError("--trust", f"{path} is not a usable key set ({exc})") from None


class OnceFilter(logging.Filter):
    """Lets each distinct message through once (the development-secret warning)."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message in self._seen:
            return False
        self._seen.add(message)
        return True
