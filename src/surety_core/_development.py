"""The development front door: a whole service on a SQLite file in one call (private; see
:func:`surety_core.development_service`).

Owns where a development setup keeps its parts: the database file, and beside it the folder
``secrets/`` with the development master secret (``dev-secret``) and the signing key ring
(``signing-keys.json``), plus the public ``trusted-keys.json`` (the layout the demo and the
command line use, so ``surety verify --db FILE`` finds the secrets on its own).

Must not know: how a guarantee is issued (it only builds the :class:`SuretyService`).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path

from surety_core._errors import DevelopmentSecretWarning, InvalidInputError
from surety_core.certificates._signing import SigningKeyRing
from surety_core.cli._support import (
    SECRET_FILE,
    SECRETS_DIR,
    SIGNING_KEYS_FILE,
    TRUSTED_KEYS_FILE,
    load_ring,
    write_private,
    write_public,
)
from surety_core.domain._fees import sample_rate_table
from surety_core.domain._model import ObligeePolicy, Surety
from surety_core.domain._payments import PaymentArrangement
from surety_core.domain._products import ProductRegistry
from surety_core.keys._secrets import DevelopmentSecretProvider
from surety_core.services._issuer import ArrangementSource, PolicySource
from surety_core.services._runtime import Clock, utc_now
from surety_core.services._service import SuretyService

__all__ = [
    "DEVELOPMENT_SURETY",
    "EveryContractorArranged",
    "EveryObligeeElectronic",
    "development_service",
]

DEVELOPMENT_SURETY = Surety("開発用保証株式会社", "dev")
"""The surety of a development service unless another is given."""


class EveryObligeeElectronic:
    """A development :class:`~surety_core.services.PolicySource`: every obligee accepts
    electronic guarantees (for works announced from 2000-01-01) with the usual caps and
    minimums. A real host reads each obligee's policy from its own master data instead."""

    def policy_for(self, obligee_code: str) -> ObligeePolicy:
        return ObligeePolicy(obligee_code, electronic_from=date(2000, 1, 1))

    def __repr__(self) -> str:
        return "EveryObligeeElectronic()"


class EveryContractorArranged:
    """A development arrangement source: every contractor pays its fees under a consolidated
    monthly payment arrangement (保証料一括納付), so issuance need not wait for a payment. A
    real host lists the arrangements it has agreed (:class:`~surety_core.ArrangementBook`)."""

    def arrangement_for(self, principal_id: str, on: date) -> PaymentArrangement | None:
        return PaymentArrangement(principal_id, "DEV", date(2000, 1, 1))

    def __repr__(self) -> str:
        return "EveryContractorArranged()"


def _signing_ring(private: Path, folder: Path) -> tuple[SigningKeyRing, bool]:
    path = private / SIGNING_KEYS_FILE
    if path.is_file():
        ring, created = load_ring(path, "signing keys"), False
    else:
        ring, created = SigningKeyRing.generate(), True
        write_private(path, ring.to_json())
    write_public(folder / TRUSTED_KEYS_FILE, ring.trusted_keys().to_json())
    return ring, created


def development_service(
    path: str | os.PathLike[str] = "surety-dev.db",
    *,
    surety: Surety | None = None,
    policies: PolicySource | None = None,
    arrangements: ArrangementSource | None = None,
    products: ProductRegistry | None = None,
    clock: Clock = utc_now,
    today: Callable[[], date] | None = None,
) -> SuretyService:
    """FOR DEVELOPMENT ONLY: a :class:`~surety_core.services.SuretyService` on the SQLite file
    ``path`` (created with its schema when missing), in one call, and a
    :class:`~surety_core.DevelopmentSecretWarning` that says so.

    Beside the file it keeps ``secrets/dev-secret`` (the development master secret) and
    ``secrets/signing-keys.json`` (the signing keys), created on the first call and reused
    afterwards, so that keys and certificates of earlier runs keep verifying; and the public
    ``trusted-keys.json``. The environment variable ``SURETY_CORE_DEV_SECRET`` overrides the
    secret file. ``policies`` defaults to :class:`EveryObligeeElectronic`, ``arrangements`` to
    :class:`EveryContractorArranged` (fees need not be recorded first); ``surety`` to
    :data:`DEVELOPMENT_SURETY`; the rate table is the sample one.

    ``service.trusted_keys`` is the public key set that verifies its certificates.
    """
    try:
        target = Path(os.fspath(path))
    except TypeError:
        raise InvalidInputError("path", f"must be a file path, not {type(path).__name__}") from None
    if not str(target) or str(target) == ":memory:" or target.is_dir():
        raise InvalidInputError("path", "must name a SQLite file (not a folder or ':memory:')")
    from surety_core.storage.sql import sqlite_store

    folder = target.resolve().parent
    private = folder / SECRETS_DIR
    private.mkdir(mode=0o700, parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DevelopmentSecretWarning)
        secrets = DevelopmentSecretProvider(private / SECRET_FILE)
    ring, created = _signing_ring(private, folder)
    existed = target.is_file() and target.stat().st_size > 0
    store = sqlite_store(target)
    warnings.warn(
        f"surety_core.development_service: {'opened' if existed else 'created'} {target} with "
        f"DEVELOPMENT secrets and signing keys ({'new' if created else 'kept'}) in {private}. "
        "NEVER use this in production: build SuretyService with your own store, "
        "SecretProvider and SigningKeyRing.",
        DevelopmentSecretWarning,
        stacklevel=2,
    )
    return SuretyService(
        store,
        surety=DEVELOPMENT_SURETY if surety is None else surety,
        secrets=secrets,
        signing_keys=ring,
        rate_table=sample_rate_table(),
        policies=EveryObligeeElectronic() if policies is None else policies,
        arrangements=EveryContractorArranged() if arrangements is None else arrangements,
        products=products,
        clock=clock,
        today=today,
    )
