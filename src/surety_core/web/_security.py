"""The web layer's own protections (private): security headers, CSRF tokens, the limit per
client address, sealed view tokens and the development session cookie."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "AddressLimiter",
    "Sealer",
    "SecurityHeaders",
    "new_csrf_token",
    "tokens_match",
]

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
"""No script at all, styles and images from the site only, forms post only to the site, never
framed."""

_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)


class SecurityHeaders:
    """ASGI middleware: the security headers on every response, and ``Cache-Control:
    no-store`` on every response but the static files (the stylesheet), which may be cached."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers.extend(h for h in _HEADERS if h[0] not in names)
                if b"cache-control" not in names:
                    cache = b"public, max-age=3600" if static else b"no-store"
                    headers.append((b"cache-control", cache))
                if self.hsts:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def new_csrf_token() -> str:
    """A fresh random token for the double-submit CSRF cookie."""
    return secrets.token_urlsafe(32)


def tokens_match(cookie: str | None, submitted: object) -> bool:
    """True when the form's token equals the cookie's (constant time)."""
    if not cookie or not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(cookie.encode(), submitted.encode())


class AddressLimiter:
    """At most ``max_requests`` verification attempts per client address within ``window``
    seconds (a sliding window in memory, per process), beside the library's limit per number."""

    def __init__(
        self,
        max_requests: int = 60,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_addresses: int = 100_000,
    ) -> None:
        if max_requests < 1 or window <= 0:
            raise ValueError("max_requests must be positive and window above zero")
        self.max_requests = max_requests
        self.window = window
        self._clock = clock
        self._max_addresses = max_addresses
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, address: str, count: int = 1) -> float | None:
        """Count ``count`` attempts from ``address``; ``None`` when allowed, else the seconds
        to wait (nothing is counted then)."""
        now = self._clock()
        with self._lock:
            times = self._seen.get(address)
            if times is None:
                if len(self._seen) >= self._max_addresses:
                    self._forget_idle(now)
                times = self._seen.setdefault(address, deque())
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) + count > self.max_requests:
                if not times:
                    return self.window
                return max(1.0, times[0] + self.window - now)
            times.extend([now] * count)
            return None

    def _forget_idle(self, now: float) -> None:
        for address in [a for a, t in self._seen.items() if not t or t[-1] <= now - self.window]:
            del self._seen[address]


class Sealer:
    """Seals small JSON values with AES-GCM under a key derived from the application secret:
    the view token (number and key, for the certificate download, valid for minutes) and the
    development session (a corporate number). A sealed value reveals nothing and cannot be
    forged or altered."""

    def __init__(self, secret: bytes | None = None) -> None:
        material = secret if secret is not None else os.urandom(32)
        self._aead = AESGCM(hashlib.sha256(b"surety-core web seal\0" + material).digest())

    def seal(self, purpose: str, value: dict[str, object], ttl: float) -> str:
        body = json.dumps({"v": value, "e": time.time() + ttl}, separators=(",", ":")).encode()
        nonce = os.urandom(12)
        sealed = nonce + self._aead.encrypt(nonce, body, purpose.encode())
        return base64.urlsafe_b64encode(sealed).decode().rstrip("=")

    def open(self, purpose: str, token: object) -> dict[str, object] | None:
        """The value sealed for ``purpose``, or ``None`` when the token is invalid or expired."""
        if not isinstance(token, str) or not 16 < len(token) < 2048:
            return None
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            body = json.loads(self._aead.decrypt(raw[:12], raw[12:], purpose.encode()))
        except (ValueError, InvalidTag):
            return None
        if not isinstance(body, dict) or not isinstance(body.get("e"), float | int):
            return None
        value = body.get("v")
        if time.time() > body["e"] or not isinstance(value, dict):
            return None
        return value
