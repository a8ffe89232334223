"""Adapters: the only place where the benchmarks call surety_core.

Each benchmark reaches the library through one small function here. Library names are looked up
with :func:`_need`; when a module or name does not exist, it raises :class:`LibraryMissingError`,
an ``ImportError``, and the suite reports the benchmark as ``skipped`` with that reason instead of
numbers. Any other error is a real failure and propagates.

Everything goes through the library's public API:

* :func:`open_sqlite_store` / :func:`open_postgres_store`: ``surety_core.storage.sql``'s
  ``sqlite_store(path)`` / ``postgres_store(url)``.
* :func:`make_issuer`: the surety's signing key ring and the sample secrets (never production ones),
  the sample rate table and the city's policy; :meth:`Issuer.service` builds one
  ``SuretyService`` per store (``surety_core.testing.samples.surety_service``).
* :func:`apply_batch` / :func:`issue_batch`: the workflow. Each application (one electronic
  advance payment guarantee on its own works, as the contractor files it) is recorded with
  ``SuretyService.apply``; :func:`issue_batch` then issues a batch of applied applications with
  ``SuretyService.issue_many``, **one unit of work per batch** (per application: the rules checked
  again, a number allocated, the certificate signed, the key generated and sealed, the fee
  statement, the completion e-mail in the outbox, the audit event).
* :func:`populate`: fills a store for the verification benchmarks with bulk inserts through the
  library (``SqlUnitOfWork.add_batch`` for contracts, keys and outbox messages, the certificate
  repository for the signed certificates): the same records issuance writes for what the view
  reads, minus the per-application bookkeeping (application, fee statement, audit event), so that
  1,000,000 guarantees fit in minutes.
* :func:`verify`: the obligee's view, ``SuretyService.view(number, key)``: parse the key and the
  number, ask the attempt limiter, look the key record up and compare its HMAC, read the contract
  and its certificate history, append the audit event, commit. Raises on a wrong key.
* :func:`verify_key_only`: the lower-level check alone (``surety_core.keys.verify_key`` in one
  unit of work: limiter, key record, HMAC; no contract, no certificates, no audit event), reported
  as a separate figure.
* :func:`create_sqlite_schema` / :func:`sample_issuance`: for the honest floors
  (``benchmarks.audited``): the library's schema on a new SQLite file, and one application filed
  and issued on such a file, whose stored rows the floors copy.
* :func:`notice_builder`: one key notice PDF through ``surety_core.documents``:
  ``build_key_notice_pdf(key_notice_data_from_contract(contract, key))``, both timed.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import _data

__all__ = [
    "Issuer",
    "LibraryMissingError",
    "apply_batch",
    "audit_secret",
    "check_postgres_store",
    "create_sqlite_schema",
    "issue_batch",
    "make_issuer",
    "notice_builder",
    "open_postgres_store",
    "open_sqlite_store",
    "populate",
    "sample_issuance",
    "verify",
    "verify_key_only",
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


ROW_MAC_KEY = bytes(range(64, 96))
"""The row MAC key of the benchmark stores (the configuration docs/storage.md recommends);
``SURETY_BENCH_ROW_MAC=0`` measures stores without one (every row validated on read)."""


def _row_mac_key() -> bytes | None:
    return None if os.environ.get("SURETY_BENCH_ROW_MAC") == "0" else ROW_MAC_KEY


def open_sqlite_store(path: Path) -> Any:
    """The library's SQLite store on a new file ``path`` (schema created, rows MAC'd)."""
    (sqlite_store,) = _need("surety_core.storage.sql", "sqlite_store")
    key = _row_mac_key()
    return sqlite_store(path) if key is None else sqlite_store(path, row_mac_key=key)


def create_sqlite_schema(path: Path) -> None:
    """The library's SQLite schema on a new file ``path`` (the store opened and closed)."""
    (sqlite_store,) = _need("surety_core.storage.sql", "sqlite_store")
    sqlite_store(path).close()


def check_postgres_store() -> None:
    """Raise :class:`LibraryMissingError` unless :func:`open_postgres_store` can work."""
    _need("surety_core.storage.sql", "postgres_store")


def open_postgres_store(url: str) -> Any:
    """The library's PostgreSQL store on an empty database (SQLAlchemy URL, schema created)."""
    (postgres_store,) = _need("surety_core.storage.sql", "postgres_store")
    key = _row_mac_key()
    return postgres_store(url) if key is None else postgres_store(url, row_mac_key=key)


# --- the surety -----------------------------------------------------------------------------

BUSINESS_DAY = _data.ISSUED_ON
"""The business date of every benchmark service (the works are announced and applied for then)."""
EMAIL = "keiyaku@example.co.jp"


@dataclass
class Issuer:
    """What issuance and verification resolve once: the library's names, keys, secrets, and one
    ``SuretyService`` per store. Resolving here keeps look-ups out of the timed loops."""

    lib: dict[str, Any]
    ring: Any
    secrets: Any
    protector: Any
    next_application: int = 0
    _services: dict[int, tuple[Any, Any]] = field(default_factory=dict)

    def service(self, store: Any) -> Any:
        """The ``SuretyService`` on ``store`` (built once per store)."""
        found = self._services.get(id(store))
        if found is None or found[0] is not store:
            lib = self.lib
            service = lib["surety_service"](
                store,
                secrets=self.secrets,
                signing_keys=self.ring,
                clock=lib["utc_now"],
                today=lambda: BUSINESS_DAY,
            )
            found = (store, service)
            self._services[id(store)] = found
        return found[1]


def make_issuer() -> Issuer:
    """The surety's signing key ring and a key protector with benchmark secrets."""
    lib: dict[str, Any] = {}
    for module, names in (
        ("surety_core.testing.samples", ("surety_service", "secret_provider", "signing_ring")),
        ("surety_core.testing.samples", ("electronic_application", "guarantee_contract")),
        ("surety_core.services", ("SuretyService", "utc_now")),
        ("surety_core.keys", ("KeyProtector", "generate_key")),
        ("surety_core.keys", ("verify_key",)),
        ("surety_core.certificates", ("sign_certificate",)),
        ("surety_core.certificates", ("content_from_contract", "certificate_record")),
        ("surety_core.notify", ("completion_notice", "to_outbox", "COMPLETION_NOTICE_KIND")),
    ):
        lib.update(zip(names, _need(module, *names), strict=True))
    if not hasattr(lib["SuretyService"], "issue_many"):
        raise LibraryMissingError("surety_core.services.SuretyService has no issue_many")
    secrets = lib["secret_provider"]()
    return Issuer(
        lib=lib,
        ring=lib["signing_ring"](kid="bench-1"),
        secrets=secrets,
        protector=lib["KeyProtector"](secrets),
    )


def _works(i: int) -> Any:
    import attrs

    return attrs.evolve(_data.WORKS, number=f"B-{i:09d}")


def _application(issuer: Issuer) -> Any:
    issuer.next_application += 1
    i = issuer.next_application
    lib = issuer.lib
    works = _works(i)
    return lib["electronic_application"](
        reference=f"BENCH-{i:010d}",
        principal=_data.PRINCIPAL,
        works=works,
        contract=None,
        applied_on=BUSINESS_DAY,
        notification_email=EMAIL,
    )


def apply_batch(store: Any, issuer: Issuer, count: int) -> list[str]:
    """File ``count`` applications (``SuretyService.apply``, one unit of work each); references."""
    service = issuer.service(store)
    references = []
    for _ in range(count):
        application = _application(issuer)
        service.apply(application)
        references.append(application.reference)
    return references


def issue_batch(
    store: Any, issuer: Issuer, references: Iterable[str], *, collect: bool
) -> list[tuple[str, str]]:
    """Issue the applied ``references`` in one unit of work (``SuretyService.issue_many``).

    Returns ``(number, key text)`` of each guarantee when ``collect``, else ``[]`` (the stream
    benchmark must not hold them).
    """
    results = issuer.service(store).issue_many(list(references))
    if not collect:
        return []
    return [(g.contract.number, g.key.reveal()) for r in results for g in r.guarantees]


def populate(store: Any, issuer: Issuer, count: int) -> list[tuple[str, str]]:
    """Store ``count`` issued electronic guarantees in one unit of work with bulk inserts.

    Per guarantee: a number from the store's allocator, the validated contract, its signed
    certificate, a generated and sealed key, the completion e-mail in the outbox. Returns
    ``(number, key text)`` of each.
    """
    lib = issuer.lib
    now = datetime.now(UTC)
    contracts, keys, messages, certificates = [], [], [], []
    issued: list[tuple[str, str]] = []
    with store.unit_of_work() as uow:
        for _ in range(count):
            number = uow.numbers.allocate()
            issuer.next_application += 1
            works = _works(issuer.next_application)
            contract = lib["guarantee_contract"](
                number=number,
                works=works,
                principal=_data.PRINCIPAL,
                surety=_data.SURETY,
                issued_on=BUSINESS_DAY,
                application_reference=None,
            )
            content = lib["content_from_contract"](contract, issued_at=now, previous_digest=None)
            document = lib["sign_certificate"](content, issuer.ring)
            certificates.append(lib["certificate_record"](content, document, created_at=now))
            key = lib["generate_key"]()
            keys.append(issuer.protector.seal(number, 1, key, now))
            notice = lib["completion_notice"](contract, recipient=EMAIL)
            messages.append(
                lib["to_outbox"](notice, kind=lib["COMPLETION_NOTICE_KIND"], created_at=now)
            )
            contracts.append(contract)
            issued.append((number, key.reveal()))
        uow.add_batch(contracts=contracts, keys=keys, messages=messages)
        for record in certificates:
            uow.certificates.add(record)
    return issued


def audit_secret() -> tuple[str, bytes]:
    """The current HMAC secret (id, bytes) of the sample secret provider: the audit chain's key."""
    (secret_provider,) = _need("surety_core.testing.samples", "secret_provider")
    provider = secret_provider()
    key_id: str = provider.current_hmac_key_id
    secret: bytes = provider.hmac_secret(key_id)
    return key_id, secret


def sample_issuance(path: Path) -> None:
    """One application filed and issued (``apply`` + ``issue_many``) on a new SQLite file.

    Independent of :func:`make_issuer` and the other adapters, so the honest floors need only
    this and :func:`create_sqlite_schema`.
    """
    (sqlite_store,) = _need("surety_core.storage.sql", "sqlite_store")
    surety_service, electronic_application = _need(
        "surety_core.testing.samples", "surety_service", "electronic_application"
    )
    store = sqlite_store(path)
    try:
        service = surety_service(store, today=lambda: BUSINESS_DAY)
        application = electronic_application(
            reference="FLOOR-TEMPLATE",
            principal=_data.PRINCIPAL,
            works=_works(1),
            contract=None,
            applied_on=BUSINESS_DAY,
            notification_email=EMAIL,
        )
        service.apply(application)
        service.issue_many([application.reference])
    finally:
        store.close()


# --- verification ---------------------------------------------------------------------------


def verify(store: Any, issuer: Issuer, number: str, key_text: str) -> Any:
    """The obligee's view through the service; raises on a wrong key."""
    view = issuer.service(store).view(number, key_text)
    if view.number != number:
        raise AssertionError(f"the view of {number} showed {view.number}")
    return view


def verify_key_only(store: Any, issuer: Issuer, number: str, key_text: str) -> Any:
    """``surety_core.keys.verify_key`` in one unit of work (limiter, key record, HMAC)."""
    with store.unit_of_work() as uow:
        return issuer.lib["verify_key"](
            uow, number, key_text, protector=issuer.protector, now=datetime.now(UTC)
        )


# --- documents ------------------------------------------------------------------------------


def notice_builder() -> Callable[[], bytes]:
    """A function that builds the key notice PDF of the example guarantee (bytes)."""
    (build_key_notice_pdf, key_notice_data_from_contract) = _need(
        "surety_core.documents", "build_key_notice_pdf", "key_notice_data_from_contract"
    )
    (generate_key,) = _need("surety_core.keys", "generate_key")
    contract = _data.contract("0000000001")
    key = generate_key()

    def build() -> bytes:
        # From the contract each time: formatting the notice's lines is part of the work (the
        # reportlab floor draws lines already formatted, so this only favours the floor).
        data = key_notice_data_from_contract(contract, key, issued_on=_data.ISSUED_ON)
        pdf: bytes = build_key_notice_pdf(data)
        return pdf

    return build
