"""Fixtures of the benchmark tests: a service on every store we ship (for ``issue_many``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from surety_core import Application, Medium
from surety_core.certificates import SigningKeyRing
from surety_core.services import SuretyService
from surety_core.storage import Store
from surety_core.storage.memory import MemoryStore
from surety_core.storage.sql import sqlite_store
from surety_core.testing import FixedClock, samples


def make_application(i: int, *, medium: Medium = Medium.ELECTRONIC) -> Application:
    """An application for one advance payment guarantee on its own works ``W-{i}``."""
    return samples.electronic_application(
        reference=f"APP-{i:04d}",
        works=samples.road_works(number=f"W-{i}"),
        contract=None,
        advance=medium,
    )


SECRETS = samples.secret_provider()
"""The secrets of every benchmark service (the samples' fixed test secrets)."""


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
    signing = samples.signing_ring()
    try:
        yield ServiceEnv(store, make_service(store, signing), signing)
    finally:
        if request.param != "postgres":
            store.close()


def make_service(store: Store, signing: SigningKeyRing) -> SuretyService:
    """The service every benchmark test uses, on ``store`` (fixed clock, test secrets)."""
    return samples.surety_service(store, signing_keys=signing, clock=FixedClock())
