"""Adapters: the only place where the benchmarks call surety_core's issuance, keys and documents.

Each benchmark reaches the library through one small function here, so wiring the suite to the
library's final API means editing this file alone. Library names are looked up with
:func:`_need`; when a module or name does not exist (yet), it raises
:class:`LibraryMissingError`, an ``ImportError``, and the suite reports the benchmark as
``skipped`` with that reason instead of numbers. Any other error is a real failure and propagates.

The functions and what each must do:

* :func:`open_sqlite_store` / :func:`open_postgres_store`: the library's store on a file / URL.
* :func:`make_issuer`: everything created or looked up once (signing key ring, key protector
  with its secrets, the library functions the timed loops call).
* :func:`issue_batch`: issue ``count`` electronic guarantees in **one unit of work** (validate,
  allocate numbers, sign the certificate, generate and seal the key, store contract, certificate,
  key record and the completion e-mail in the outbox); used by ``issue_sqlite``, by
  ``issue_stream_rss`` and to populate the stores of the verification benchmarks.
* :func:`verify`: the obligee's view, number + key text → the certificate view (``verify_sqlite``,
  ``verify_scale_*``); must raise on a wrong key.
* :func:`notice_builder`: a zero-argument function that builds one key notice PDF (``notice_pdf``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import _data

__all__ = [
    "Issuer",
    "LibraryMissingError",
    "check_postgres_store",
    "issue_batch",
    "make_issuer",
    "notice_builder",
    "open_postgres_store",
    "open_sqlite_store",
    "verify",
]


class LibraryMissingError(ImportError):
    """A library module or name the benchmark needs is not available."""


def _need(module: str, *names: str) -> list[Any]:
    """``module``'s attributes ``names``; :class:`LibraryMissingError` naming what is absent."""
    try:
        loaded = importlib.import_module(module)
    except ImportError as exc:
        raise LibraryMissingError(f"{module} is not importable ({exc})") from exc
    missing = [name for name in names if not hasattr(loaded, name)]
    if missing:
        raise LibraryMissingError(f"{module} has no {', '.join(missing)}")
    return [getattr(loaded, name) for name in names]


# --- storage --------------------------------------------------------------------------------


def open_sqlite_store(path: Path) -> Any:
    """The library's SQLite store on a new file ``path`` (schema created)."""
    (sqlite_store,) = _need("surety_core.storage.sql", "sqlite_store")
    return sqlite_store(path)


def check_postgres_store() -> None:
    """Raise :class:`LibraryMissingError` unless :func:`open_postgres_store` can work."""
    _need("surety_core.storage.sql", "postgres_store")


def open_postgres_store(url: str) -> Any:
    """The library's PostgreSQL store on an empty database (SQLAlchemy URL, schema created)."""
    (postgres_store,) = _need("surety_core.storage.sql", "postgres_store")
    return postgres_store(url)


# --- issuance -------------------------------------------------------------------------------


@dataclass
class Issuer:
    """What issuance and verification resolve once: library functions, key ring, key protector.

    Resolving names here, not per call, keeps look-up overhead out of the timed loops.
    """

    ring: Any
    protector: Any
    generate_key: Any = None
    parse_key: Any = None
    sign_certificate: Any = None
    outbox_message: Any = None


def make_issuer() -> Issuer:
    """A signing key ring and a key protector with benchmark secrets (never production ones)."""
    (signing_key_ring, sign_certificate) = _need(
        "surety_core.certificates", "SigningKeyRing", "sign_certificate"
    )
    (key_protector, static_secrets, generate_key, parse_key) = _need(
        "surety_core.keys", "KeyProtector", "StaticSecrets", "generate_key", "parse_key"
    )
    (outbox_message,) = _need("surety_core.storage", "OutboxMessage")
    ring = signing_key_ring.generate("bench-1")
    protector = key_protector(static_secrets(hmac={"h1": b"h" * 32}, encryption={"e1": b"e" * 32}))
    return Issuer(
        ring=ring,
        protector=protector,
        generate_key=generate_key,
        parse_key=parse_key,
        sign_certificate=sign_certificate,
        outbox_message=outbox_message,
    )


def issue_batch(store: Any, issuer: Issuer, count: int, *, collect: bool) -> list[tuple[str, str]]:
    """Issue ``count`` electronic guarantees in one unit of work.

    Returns ``(number, key text)`` of each when ``collect`` (for later verification), else ``[]``
    (the stream benchmark must not hold them).
    """
    issued: list[tuple[str, str]] = []
    now = datetime.now(UTC)
    with store.unit_of_work() as uow:
        for _ in range(count):
            number = uow.numbers.allocate()
            contract = _data.contract(number)
            key = issuer.generate_key()
            uow.contracts.add(contract)
            uow.certificates.add(issuer.sign_certificate(issuer.ring, contract, now))
            uow.keys.add(issuer.protector.seal(number, key, generation=1, at=now))
            uow.outbox.add(
                issuer.outbox_message(
                    idempotency_key=f"issued:{number}",
                    kind="issued",
                    recipient="keiyaku@example.co.jp",
                    subject="電子保証発行完了のお知らせ",
                    body=f"保証契約番号 {number} の電子保証を発行しました。",
                    created_at=now,
                )
            )
            if collect:
                issued.append((number, key.reveal()))
    return issued


# --- verification ---------------------------------------------------------------------------


def verify(store: Any, issuer: Issuer, number: str, key_text: str) -> Any:
    """The obligee's view: parse the key, check it against the active record, read the history."""
    key = issuer.parse_key(key_text)
    with store.unit_of_work() as uow:
        record = uow.keys.active(number)
        if record is None or not issuer.protector.matches(record, key):
            raise AssertionError(f"verification of {number} was rejected")
        return uow.contracts.get(number), uow.certificates.history(number)


# --- documents ------------------------------------------------------------------------------


def notice_builder() -> Callable[[], bytes]:
    """A function that builds the key notice PDF of the example guarantee (bytes)."""
    (key_notice_pdf,) = _need("surety_core.documents", "key_notice_pdf")
    (generate_key,) = _need("surety_core.keys", "generate_key")
    contract = _data.contract("0000000001")
    key = generate_key()

    def build() -> bytes:
        pdf: bytes = key_notice_pdf(contract, key, issued_on=_data.ISSUED_ON)
        return pdf

    return build
