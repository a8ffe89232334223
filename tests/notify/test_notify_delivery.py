"""Delivery tests: the completion notice, the SMTP notifier against a real SMTP server (aiosmtpd on
127.0.0.1, ephemeral port) that can refuse or fail on purpose, the folder notifier, and the outbox
dispatcher over an honest in-memory outbox store.

The helpers live in this module rather than a conftest.py: mypy sees every conftest.py under
tests/ as the same top-level module "conftest" (no package bases are configured).
"""

from __future__ import annotations

import copy
import email
import ipaddress
import ssl
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from surety_core import (
    DuplicateError,
    GuaranteeContract,
    GuaranteeVersion,
    Medium,
    NotFoundError,
    Obligee,
    Period,
    Principal,
    StorageError,
    Surety,
    Works,
    WorksKind,
)
from surety_core.notify import IDEMPOTENCY_HEADER
from surety_core.storage import OutboxMessage, OutboxRepository, OutboxStatus

# ---------------------------------------------------------------- outbox store


class _MemoryOutbox:
    """The outbox repository over a dict of one unit of work's working copy."""

    def __init__(self, rows: dict[str, OutboxMessage]) -> None:
        self._rows = rows

    def add(self, message: OutboxMessage) -> None:
        if message.idempotency_key in self._rows:
            raise DuplicateError(message.idempotency_key)
        self._rows[message.idempotency_key] = message

    def get(self, idempotency_key: str) -> OutboxMessage:
        try:
            return self._rows[idempotency_key]
        except KeyError:
            raise NotFoundError(idempotency_key) from None

    def due(self, now: datetime, limit: int = 100) -> Sequence[OutboxMessage]:
        rows = [
            m
            for m in self._rows.values()
            if m.status is OutboxStatus.PENDING
            and (m.next_attempt_at is None or m.next_attempt_at <= now)
        ]
        rows.sort(key=lambda m: (m.created_at, m.idempotency_key))
        return rows[:limit]

    def mark_sent(self, idempotency_key: str, at: datetime) -> None:
        m = self.get(idempotency_key)
        if m.status is OutboxStatus.SENT:
            return
        self._rows[idempotency_key] = OutboxMessage(
            idempotency_key=m.idempotency_key,
            kind=m.kind,
            recipient=m.recipient,
            subject=m.subject,
            body=m.body,
            created_at=m.created_at,
            status=OutboxStatus.SENT,
            attempts=m.attempts + 1,
            next_attempt_at=None,
            sent_at=at,
            last_error=m.last_error,
        )

    def mark_failed(
        self, idempotency_key: str, error: str, at: datetime, next_attempt_at: datetime | None
    ) -> None:
        m = self.get(idempotency_key)
        self._rows[idempotency_key] = OutboxMessage(
            idempotency_key=m.idempotency_key,
            kind=m.kind,
            recipient=m.recipient,
            subject=m.subject,
            body=m.body,
            created_at=m.created_at,
            status=OutboxStatus.PENDING if next_attempt_at is not None else OutboxStatus.FAILED,
            attempts=m.attempts + 1,
            next_attempt_at=next_attempt_at,
            sent_at=None,
            last_error=error,
        )

    def all(self) -> Sequence[OutboxMessage]:
        return sorted(self._rows.values(), key=lambda m: (m.created_at, m.idempotency_key))


class OutboxOnlyStore:
    """A real, minimal transactional store of the outbox alone.

    A unit of work works on a copy and publishes it on a normal exit (rolls back on an
    exception). ``fail_commits`` makes the next N commits fail with ``StorageError`` and change
    nothing, like a database that went away. ``commits`` counts successful commits.
    """

    def __init__(self) -> None:
        self._rows: dict[str, OutboxMessage] = {}
        self._lock = threading.Lock()
        self.fail_commits = 0
        self.commits = 0

    def unit_of_work(self) -> _UnitOfWork:
        return _UnitOfWork(self)

    def close(self) -> None:
        pass


class _UnitOfWork:
    def __init__(self, store: OutboxOnlyStore) -> None:
        self._store = store
        self._work: dict[str, OutboxMessage] = {}
        self.outbox: OutboxRepository = _MemoryOutbox(self._work)

    def __enter__(self) -> Self:
        with self._store._lock:
            self._work.update(copy.copy(self._store._rows))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            return
        with self._store._lock:
            if self._store.fail_commits > 0:
                self._store.fail_commits -= 1
                raise StorageError("commit failed: the database went away")
            self._store._rows = dict(self._work)
            self._store.commits += 1


@pytest.fixture
def store() -> OutboxOnlyStore:
    return OutboxOnlyStore()


# ---------------------------------------------------------------- clock


class FakeClock:
    """A clock that only moves when told; ``sleep`` advances it (for ``run_until_idle``)."""

    def __init__(self, start: datetime) -> None:
        self.current = start
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.current += timedelta(seconds=seconds)


T0 = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


# ---------------------------------------------------------------- SMTP server


class Mailbox:
    """An aiosmtpd handler that records what it accepts and fails on purpose when told.

    * ``fail_data``: answer the next N ``DATA`` commands with ``451`` (temporary failure);
    * ``refuse``: recipients answered with ``550`` at ``RCPT``;
    * ``accepted``: every message accepted, parsed (``policy.default``), in order.
    """

    def __init__(self) -> None:
        self.fail_data = 0
        self.refuse: set[str] = set()
        self.accepted: list[EmailMessage] = []
        self.envelopes: list[tuple[str | None, list[str]]] = []
        self.data_attempts = 0
        self.logins: list[str] = []
        self._lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.data_attempts += 1
            if self.fail_data > 0:
                self.fail_data -= 1
                return "451 4.3.0 Temporary failure, try again later"
            raw = envelope.original_content or envelope.content
            assert isinstance(raw, bytes)
            parsed = email.message_from_bytes(raw, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            self.accepted.append(parsed)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def deliveries(self) -> Counter[str]:
        """How many times each idempotency key was accepted."""
        with self._lock:
            return Counter(str(m[IDEMPOTENCY_HEADER]) for m in self.accepted)


class _EphemeralController(Controller):  # type: ignore[misc]
    """``Controller`` bound to port 0: learn the real port before the start-up handshake."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    def __init__(self, mailbox: Mailbox, **kwargs: Any) -> None:
        self.mailbox = mailbox
        self.controller = _EphemeralController(
            mailbox, hostname="127.0.0.1", port=0, server_hostname="mail.test", **kwargs
        )

    @property
    def port(self) -> int:
        port = self.controller.port
        assert isinstance(port, int)
        return port

    def __enter__(self) -> Self:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def smtp_server(mailbox: Mailbox) -> Iterator[SmtpServer]:
    with SmtpServer(mailbox) as server:
        yield server


# ---------------------------------------------------------------- TLS


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 / localhost and its key (PEM files)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def server_tls(tls_files: tuple[Path, Path]) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(*tls_files)
    return ctx


@pytest.fixture
def client_tls(tls_files: tuple[Path, Path]) -> ssl.SSLContext:
    """A verifying client context that trusts only the test certificate."""
    return ssl.create_default_context(cafile=str(tls_files[0]))


def authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"kashiwa-desk",
        "正しいパスワード".encode(),
    )
    if ok:
        server.event_handler.logins.append(auth_data.login.decode())
    return AuthResult(success=ok)


# ---------------------------------------------------------------- domain sample

CITY = Obligee(name="柏市", code="kashiwa")
SURETY = Surety(name="東日本建設業保証株式会社", code="ejcs")
PRINCIPAL = Principal(
    name="柏建設株式会社", corporate_number="7000012050002", address="千葉県柏市柏5-10-1"
)
WORKS = Works(
    obligee=CITY,
    name="市道00000号線道路改良工事",
    number="R7-001",
    kind=WorksKind.CONSTRUCTION,
    contract_price=2_500_000_000,
    period=Period(date(2025, 1, 1), date(2025, 12, 31)),
    announced_on=date(2024, 11, 1),
)


def make_contract(
    *,
    number: str = "0000000001",
    product: str = "advance_payment",
    medium: Medium = Medium.ELECTRONIC,
    works: Works = WORKS,
    amount: int = 1_000_000_000,
) -> GuaranteeContract:
    return GuaranteeContract(
        number=number,
        product=product,
        principal=PRINCIPAL,
        surety=SURETY,
        medium=medium,
        issued_on=date(2025, 1, 1),
        versions=(
            GuaranteeVersion(
                number=1,
                amount=amount,
                period=Period(date(2025, 1, 1), date(2025, 12, 31)),
                works=works,
                effective_on=date(2025, 1, 1),
                reason="新規",
            ),
        ),
    )


@pytest.fixture
def contract() -> GuaranteeContract:
    return make_contract()
