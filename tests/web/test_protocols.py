"""The pages need only two small protocols, by actor: the façade ``SuretyService`` and the
services split by actor (``ObligeeRegistry``, ``ContractorPortal``) both satisfy them. The
assignments below are checked by ``mypy --strict``; the test runs the pages on the façade."""

from __future__ import annotations

from starlette.requests import Request
from starlette.testclient import TestClient
from tests.web.conftest import PRINCIPAL, Demo

from surety_core.certificates import SigningKeyRing
from surety_core.cli._support import open_store, secret_provider
from surety_core.domain import Surety, sample_rate_table
from surety_core.services import ContractorPortal, ObligeeRegistry, PolicyBook, SuretyService
from surety_core.web import PortalService, RegistryService, create_app


def test_the_facade_and_the_split_services_serve_the_same_pages(demo: Demo) -> None:
    store = open_store(demo.db)
    try:
        secrets = secret_provider(db=demo.db)
        facade = SuretyService(
            store,
            surety=Surety(name="web test", code="web"),
            secrets=secrets,
            signing_keys=SigningKeyRing.generate("unused"),
            rate_table=sample_rate_table(),
            policies=PolicyBook([]),
        )
        registries: list[RegistryService] = [facade, ObligeeRegistry(store, secrets)]
        portals: list[PortalService] = [facade, ContractorPortal(store, secrets)]

        def authenticate(request: Request) -> str | None:
            return PRINCIPAL

        for registry, portal in zip(registries, portals, strict=True):
            app = create_app(
                registry=registry, portal=portal, authenticate=authenticate, secure_cookies=False
            )
            with TestClient(app) as client:
                pair = {"number": "0000000001", "key": demo.keys["0000000001"]}
                assert client.post("/api/v1/verify", json=pair).status_code == 200
                assert "0000000002" in client.get("/portal/history").text
    finally:
        store.close()
