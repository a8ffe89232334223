"""Fixtures of the benchmark tests: a service on every store we ship (for ``issue_many``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import attrs
import pytest

from surety_core import (
    ADVANCE_PAYMENT,
    Application,
    Medium,
    Obligee,
    ObligeePolicy,
    Period,
    Principal,
    ProductRequest,
    Surety,
    Works,
    WorksKind,
    sample_rate_table,
)
from surety_core.certificates import SigningKeyRing
from surety_core.keys import StaticSecretProvider
from surety_core.services import PolicyBook, SuretyService
from surety_core.storage import Store
from surety_core.storage.memory import MemoryStore
from surety_core.storage.sql import sqlite_store

CITY = Obligee(name="柏市", code="kashiwa")
SURETY = Surety(name="東日本建設業保証株式会社", code="ejcs")
PRINCIPAL = Principal("株式会社東葛建設", "7000012050002", "千葉県柏市柏1-1-1")
WORKS = Works(
    obligee=CITY,
    name="市道0001号線道路改良工事",
    number="R7-001",
    kind=WorksKind.CONSTRUCTION,
    contract_price=100_000_000,
    period=Period(date(2025, 4, 1), date(2026, 3, 31)),
    announced_on=date(2025, 3, 1),
)
NOW = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)


def make_application(i: int, *, medium: Medium = Medium.ELECTRONIC) -> Application:
    """An application for one advance payment guarantee on its own works ``W-{i}``."""
    works = attrs.evolve(WORKS, number=f"W-{i}")
    return Application(
        reference=f"APP-{i:04d}",
        principal=PRINCIPAL,
        works=works,
        requests=(ProductRequest(ADVANCE_PAYMENT, medium, 40_000_000, works.period),),
        applied_on=date(2025, 4, 1),
        notification_email="keiyaku@example.co.jp",
    )


SECRETS = StaticSecretProvider(
    {"h1": b"h" * 32}, {"e1": b"e" * 32}, current_hmac_key_id="h1", current_encryption_key_id="e1"
)
"""The test secrets of every benchmark service."""


@dataclass
class ServiceEnv:
    store: Store
    service: SuretyService
    signing: SigningKeyRing


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def service_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceEnv]:
    if request.param == "postgres":
        store: Store = request.getfixturevalue("pg_store")
    elif request.param == "memory":
        store = MemoryStore()
    else:
        store = sqlite_store(tmp_path / "s.db")
    signing = SigningKeyRing.generate("k1")
    try:
        yield ServiceEnv(store, make_service(store, signing), signing)
    finally:
        if request.param != "postgres":
            store.close()


def make_service(store: Store, signing: SigningKeyRing) -> SuretyService:
    """The service every benchmark test uses, on ``store`` (fixed clock, test secrets)."""
    return SuretyService(
        store,
        surety=SURETY,
        secrets=SECRETS,
        signing_keys=signing,
        rate_table=sample_rate_table(),
        policies=PolicyBook([ObligeePolicy("kashiwa", electronic_from=date(2025, 1, 1))]),
        clock=lambda: NOW,
    )
