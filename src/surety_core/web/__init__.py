"""The registry and the portal on the web (the optional extra ``surety-core[web]``).

* :func:`create_app` — the ASGI application (Starlette): the obligee's registry (viewing form,
  result, certificate PDF), its JSON API with an OpenAPI document, and the contractor's portal
  (history, details, key notice PDF) behind the host's authentication.
* :class:`RegistryService`, :class:`PortalService` — what the pages need from the services, by
  actor (``surety_core.services`` satisfies both).
* :data:`Authenticator` — the host's authentication: a request to a corporate number or ``None``.
* :class:`AddressLimiter` — the limit per client address, beside the library's limit per number.
* :func:`app_from_database`, :func:`serve` — the application on a database, and serving it with
  uvicorn (``surety serve``).
"""

from surety_core.web._app import create_app
from surety_core.web._openapi import MAX_BATCH, openapi_document
from surety_core.web._protocols import Authenticator, PortalService, RegistryService
from surety_core.web._security import CONTENT_SECURITY_POLICY, AddressLimiter
from surety_core.web._serve import app_from_database, serve

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "MAX_BATCH",
    "AddressLimiter",
    "Authenticator",
    "PortalService",
    "RegistryService",
    "app_from_database",
    "create_app",
    "openapi_document",
    "serve",
]
