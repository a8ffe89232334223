"""The application on a database, and serving it with uvicorn (private; ``surety serve``)."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable

from starlette.applications import Starlette

from surety_core._errors import ConfigurationError, InvalidInputError
from surety_core.keys import SecretProvider
from surety_core.services import ContractorPortal, ObligeeRegistry
from surety_core.storage import Store
from surety_core.web._app import create_app
from surety_core.web._security import AddressLimiter

__all__ = ["app_from_database", "serve"]

log = logging.getLogger("surety_core.web")


def _services(store: Store, secrets: SecretProvider) -> tuple[ObligeeRegistry, ContractorPortal]:
    """The registry (no signing key: it only views) and the portal on ``store``."""
    return ObligeeRegistry(store, secrets), ContractorPortal(store, secrets)


def app_from_database(
    db: str,
    *,
    secrets: str | None = None,
    trust: str | None = None,
    dev_sign_in: bool = False,
    secure_cookies: bool = True,
    registry: bool = True,
    portal: bool = True,
    address_limiter: AddressLimiter | None = None,
) -> tuple[Starlette, Callable[[], None]]:
    """The application on an existing database (a SQLite path or a database URL), and the call
    that closes its store.

    ``secrets`` and ``trust`` are found as the ``surety`` command finds them: ``--secrets
    FILE`` or ``SURETY_CORE_DEV_SECRET`` or ``secrets/dev-secret`` beside a SQLite file; the
    public key set ``trusted-keys.json`` beside it unless ``trust`` names one.
    """
    from surety_core.cli._support import find_trusted_keys, open_store, secret_provider

    trusted = find_trusted_keys(trust, db)
    store = open_store(db)
    try:
        provider = secret_provider(db=db, secrets=secrets)
        obligee, contractor = _services(store, provider)
    except BaseException:
        store.close()
        raise
    app = create_app(
        registry=obligee if registry else None,
        portal=contractor if portal else None,
        trusted_keys=None if trusted is None else trusted[0],
        dev_sign_in=dev_sign_in,
        secure_cookies=secure_cookies,
        address_limiter=address_limiter,
    )
    return app, store.close


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    db: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    secrets: str | None = None,
    trust: str | None = None,
    dev_sign_in: bool = False,
    write: Callable[[str], None] = print,
) -> int:
    """Serve the registry and the portal on ``db`` with uvicorn until interrupted; returns 0.

    Bound to 127.0.0.1 unless ``host`` says otherwise. Off the loopback the cookies are
    ``Secure`` (put TLS in front) and the development sign-in is refused.
    """
    try:
        import uvicorn
    except ImportError:  # pragma: no cover - the extra is missing
        raise ConfigurationError(
            "serving needs the 'web' extra: pip install 'surety-core[web]'"
        ) from None
    local = _loopback(host)
    if dev_sign_in and not local:
        raise InvalidInputError(
            "--dev-sign-in", "the development sign-in is only for a server bound to the loopback"
        )
    if not 0 <= port <= 65535:
        raise InvalidInputError("--port", "must be between 0 and 65535")
    app, close = app_from_database(
        db, secrets=secrets, trust=trust, dev_sign_in=dev_sign_in, secure_cookies=not local
    )
    shown = f"[{host}]" if ":" in host else host
    write(f"serving {db} on http://{shown}:{port}/  (registry: /registry, portal: /portal)")
    if dev_sign_in:
        write("development sign-in enabled: sign in at /portal/sign-in with a corporate number")
    write("press Ctrl+C to stop")
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
    finally:
        close()
    return 0
