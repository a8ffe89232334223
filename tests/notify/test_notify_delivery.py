"""Delivery tests: the completion notice, the SMTP notifier against a real SMTP server (aiosmtpd on
127.0.0.1, ephemeral port) that can refuse or fail on purpose, the folder notifier, and the outbox
dispatcher over an honest in-memory outbox store.

The helpers live in this module rather than a conftest.py: mypy sees every conftest.py under
tests/ as the same top-level module "conftest" (no package bases are configured).
"""

from __future__ import annotations

import asyncio
import copy
import email
import inspect
import ipaddress
import random
import re
import socket
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

import attrs
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from surety_core import (
    ConfigurationError,
    DuplicateError,
    GuaranteeContract,
    GuaranteeVersion,
    InvalidInputError,
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
from surety_core.notify import (
    COMPLETION_NOTICE_KIND,
    COMPLETION_NOTICE_TITLE,
    IDEMPOTENCY_HEADER,
    DispatchReport,
    ExponentialBackoff,
    FileSentLedger,
    FolderNotifier,
    MemorySentLedger,
    Notification,
    NotificationError,
    Notifier,
    OutboxDispatcher,
    PermanentNotificationError,
    SentLedger,
    SmtpNotifier,
    TlsMode,
    completion_notice,
    completion_notice_key,
    format_yen,
    from_outbox,
    message_id_for,
    product_display_name,
    to_outbox,
)
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

    def claim(
        self, now: datetime, lease_until: datetime, limit: int = 100
    ) -> Sequence[OutboxMessage]:
        # One unit of work at a time holds the store's rows, so claiming is reading + writing.
        taken = [attrs.evolve(m, next_attempt_at=lease_until) for m in self.due(now, limit)]
        self._rows.update((m.idempotency_key, m) for m in taken)
        return taken

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
    exception). ``fail_commits`` makes the next N commits that record something (a message
    added, sent or failed; a dispatcher's claim aside) fail with ``StorageError`` and change
    nothing, like a database that went away. ``commits`` counts successful such commits.
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
            if self._work == self._store._rows:
                return  # nothing written: nothing to commit
            before = self._store._rows
            records_outcome = any(
                key not in before
                or (m.status, m.attempts) != (before[key].status, before[key].attempts)
                for key, m in self._work.items()
            )
            if not records_outcome:  # a dispatcher's claim (lease) only
                self._store._rows = dict(self._work)
                return
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


class _EphemeralController(Controller):
    """``Controller`` bound to port 0: learn the real port before the start-up handshake."""

    def _trigger_server(self) -> None:
        server = self.server
        assert isinstance(server, asyncio.Server)
        self.port = server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


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
    return AuthResult(success=ok, handled=False)


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


def body_of(message: EmailMessage) -> str:
    """The decoded text body with MIME's canonical CRLF line ends turned back into LF."""
    text = message.get_content()
    assert isinstance(text, str)
    return text.replace("\r\n", "\n")


def queue(store: OutboxOnlyStore, *notifications: Notification, at: datetime = T0) -> None:
    with store.unit_of_work() as uow:
        for i, n in enumerate(notifications):
            uow.outbox.add(to_outbox(n, kind="test", created_at=at + timedelta(seconds=i)))


def note(key: str, recipient: str = "keiri@kashiwa-kensetsu.example") -> Notification:
    return Notification(
        idempotency_key=key,
        recipient=recipient,
        subject=f"お知らせ {key}",
        body=f"本文 {key}\n二行目：保証金額 1,000,000,000円\n",
    )


def plain_notifier(server: SmtpServer, **kwargs: Any) -> SmtpNotifier:
    options: dict[str, Any] = {
        "sender": "desk@surety.example",
        "tls": "none",
        "timeout": 10,
        "local_hostname": "client.test",
    }
    options.update(kwargs)
    return SmtpNotifier("127.0.0.1", server.port, **options)


def statuses(store: OutboxOnlyStore) -> dict[str, tuple[OutboxStatus, int]]:
    with store.unit_of_work() as uow:
        return {m.idempotency_key: (m.status, m.attempts) for m in uow.outbox.all()}


# ================================================================ the completion notice

EXPECTED_BODY = """柏建設株式会社 御中

東日本建設業保証株式会社です。
下記の電子保証の発行手続きが完了しましたので、お知らせいたします。

■ 保証契約の内容
保証契約番号：0000000001
保証の種類：前払金保証
工事名：市道00000号線道路改良工事
発注者：柏市
保証金額：1,000,000,000円
保証期間：2025/01/01 - 2025/12/31
保証会社：東日本建設業保証株式会社

■ 認証キーの取得方法
受注者向けポータルにログインし、「電子保証履歴一覧」画面から本保証の「詳細」を開いて、
「電子保証にかかる「認証キー」のお知らせ」をダウンロードしてください。
ダウンロードしたお知らせを、紙の保証証書に代えて柏市へご提出ください。

※このメールには認証キーを記載していません。当社が認証キーをメールでお送りすることは
　ありません。認証キーを記載したメールが届いた場合は、開かずに当社へご連絡ください。
※電子保証の内容は、発注者が保証契約番号と認証キーにより確認します。

お問い合わせ先：東日本建設業保証 千葉支店 電子保証窓口 043-000-0000

----
Electronic guarantee No. 0000000001 has been issued. Log in to the contractor portal to \
download the authentication key notice and submit it to the obligee. This e-mail never \
contains the authentication key.
"""


def test_completion_notice_text(contract: GuaranteeContract) -> None:
    n = completion_notice(
        contract,
        recipient="keiri@kashiwa-kensetsu.example",
        surety_contact="東日本建設業保証 千葉支店 電子保証窓口 043-000-0000",
    )
    assert n.subject == "電子保証発行完了のお知らせ（保証契約番号：0000000001）"
    assert n.body == EXPECTED_BODY
    assert n.idempotency_key == "completion_notice:0000000001:v1"
    assert n.idempotency_key == completion_notice_key(contract)
    assert n.recipient == "keiri@kashiwa-kensetsu.example"
    assert COMPLETION_NOTICE_TITLE in n.subject


def test_completion_notice_takes_no_key() -> None:
    """The template cannot carry an authentication key: no parameter could hold one."""
    names = [p.lower() for p in inspect.signature(completion_notice).parameters]
    assert names == [
        "contract",
        "recipient",
        "surety_contact",
        "portal_name",
        "portal_url",
        "product_names",
        "english",
    ]
    assert not any("key" in name or "secret" in name for name in names)
    # And the contract it reads has no key either: keys live in KeyRecord, not in the model.
    assert not any("key" in a.name for a in attrs.fields(GuaranteeContract))


@pytest.mark.parametrize(
    ("product", "shown"),
    [
        ("advance_payment", "前払金保証"),
        ("intermediate_advance_payment", "中間前払金保証"),
        ("contract_guarantee", "契約保証"),
        ("bid_bond", "bid_bond"),
    ],
)
def test_completion_notice_product_names(product: str, shown: str) -> None:
    n = completion_notice(make_contract(product=product), recipient="a@example.jp")
    assert f"保証の種類：{shown}\n" in n.body
    assert product_display_name(product) == shown


def test_completion_notice_options() -> None:
    consulting = attrs.evolve(WORKS, kind=WorksKind.CONSULTING, name="橋梁点検業務")
    n = completion_notice(
        make_contract(product="bid_bond", works=consulting),
        recipient="a@example.jp",
        portal_name="e-Net保証",
        portal_url="https://portal.surety.example/",
        product_names={"bid_bond": "契約保証予約"},
        english=False,
    )
    assert "業務名：橋梁点検業務\n" in n.body
    assert "工事名" not in n.body
    assert "保証の種類：契約保証予約\n" in n.body
    assert "e-Net保証（https://portal.surety.example/）にログインし" in n.body
    assert "Electronic guarantee" not in n.body
    assert "お問い合わせ先" not in n.body


def test_completion_notice_refuses_paper_and_bad_input(contract: GuaranteeContract) -> None:
    with pytest.raises(InvalidInputError, match="medium"):
        completion_notice(make_contract(medium=Medium.PAPER), recipient="a@example.jp")
    with pytest.raises(InvalidInputError, match="recipient"):
        completion_notice(contract, recipient="nobody")
    with pytest.raises(InvalidInputError, match="surety_contact"):
        completion_notice(contract, recipient="a@example.jp", surety_contact="a\nb")
    with pytest.raises(InvalidInputError, match="contract"):
        completion_notice("0000000001", recipient="a@example.jp")  # type: ignore[arg-type]


def test_format_yen_example() -> None:
    assert format_yen(1_000_000_000) == "1,000,000,000円"
    with pytest.raises(InvalidInputError):
        format_yen(True)


def test_completion_notice_through_the_outbox(contract: GuaranteeContract) -> None:
    n = completion_notice(contract, recipient="a@example.jp")
    record = to_outbox(n, kind=COMPLETION_NOTICE_KIND, created_at=T0)
    assert record.kind == "completion_notice"
    assert from_outbox(record) == n


# ================================================================ SMTP


def test_smtp_delivers_japanese_exactly(
    smtp_server: SmtpServer, mailbox: Mailbox, contract: GuaranteeContract, clock: FakeClock
) -> None:
    n = completion_notice(contract, recipient="keiri@kashiwa-kensetsu.example")
    notifier = plain_notifier(smtp_server, sender_name="東日本建設業保証株式会社", clock=clock)
    notifier.send(n)

    assert len(mailbox.accepted) == 1
    got = mailbox.accepted[0]
    assert got["Subject"] == "電子保証発行完了のお知らせ（保証契約番号：0000000001）"
    assert body_of(got) == n.body
    assert got["Message-ID"] == message_id_for(n.idempotency_key, "surety.example")
    assert got[IDEMPOTENCY_HEADER] == "completion_notice:0000000001:v1"
    assert got["Date"].datetime == T0
    assert got["From"].addresses[0].display_name == "東日本建設業保証株式会社"
    assert got["From"].addresses[0].addr_spec == "desk@surety.example"
    assert got["To"].addresses[0].addr_spec == "keiri@kashiwa-kensetsu.example"
    assert got.get_content_type() == "text/plain"
    assert got.get_content_charset() == "utf-8"
    assert mailbox.envelopes == [("desk@surety.example", ["keiri@kashiwa-kensetsu.example"])]


def test_smtp_starttls_and_login(
    mailbox: Mailbox, server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    with SmtpServer(
        mailbox,
        tls_context=server_tls,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    ) as server:
        notifier = plain_notifier(
            server,
            tls=TlsMode.STARTTLS,
            ssl_context=client_tls,
            username="kashiwa-desk",
            password="正しいパスワード",
        )
        notifier.send(note("tls-1"))
        assert mailbox.logins == ["kashiwa-desk"]
        assert mailbox.deliveries() == {"tls-1": 1}
        assert "正しいパスワード" not in repr(notifier)
        assert "login=yes" in repr(notifier)

        wrong = plain_notifier(
            server,
            tls=TlsMode.STARTTLS,
            ssl_context=client_tls,
            username="kashiwa-desk",
            password="違う",
        )
        with pytest.raises(NotificationError) as caught:
            wrong.send(note("tls-2"))
        assert not caught.value.permanent  # about the account, not the message
        assert caught.value.code == 535
        assert "違う" not in str(caught.value)
        assert mailbox.deliveries() == {"tls-1": 1}


def test_smtp_starttls_verifies_the_certificate(
    mailbox: Mailbox, server_tls: ssl.SSLContext
) -> None:
    with SmtpServer(mailbox, tls_context=server_tls, require_starttls=True) as server:
        # The default context trusts the system CAs only, not the self-signed test certificate.
        notifier = plain_notifier(server, tls="starttls")
        with pytest.raises(NotificationError, match="TLS failed") as caught:
            notifier.send(note("untrusted"))
        assert not caught.value.permanent
    assert mailbox.accepted == []


def test_smtp_starttls_is_required_when_asked(smtp_server: SmtpServer, mailbox: Mailbox) -> None:
    # This server offers no STARTTLS: the notifier must not fall back to plain text.
    notifier = plain_notifier(smtp_server, tls="starttls")
    with pytest.raises(NotificationError, match=r"STARTTLS|extension"):
        notifier.send(note("no-tls"))
    assert mailbox.accepted == []


def test_smtp_implicit_tls(
    mailbox: Mailbox, server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    with SmtpServer(mailbox, ssl_context=server_tls) as server:
        notifier = plain_notifier(server, tls=TlsMode.SSL, ssl_context=client_tls)
        notifier.send(note("ssl-1"))
    assert mailbox.deliveries() == {"ssl-1": 1}
    assert body_of(mailbox.accepted[0]) == note("ssl-1").body


def test_smtp_errors_are_classified(smtp_server: SmtpServer, mailbox: Mailbox) -> None:
    notifier = plain_notifier(smtp_server)
    mailbox.refuse.add("gone@kashiwa-kensetsu.example")
    with pytest.raises(PermanentNotificationError) as refused:
        notifier.send(note("r-1", recipient="gone@kashiwa-kensetsu.example"))
    assert refused.value.code == 550
    assert "recipient refused" in str(refused.value)

    mailbox.fail_data = 1
    with pytest.raises(NotificationError) as busy:
        notifier.send(note("b-1"))
    assert not busy.value.permanent
    assert busy.value.code == 451
    notifier.send(note("b-1"))
    assert mailbox.deliveries() == {"b-1": 1}


def test_smtp_unreachable_server_is_transient() -> None:
    with socket.socket() as probe:  # a port that nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    notifier = SmtpNotifier("127.0.0.1", port, sender="desk@surety.example", tls="none", timeout=5)
    with pytest.raises(NotificationError, match="connection failed") as caught:
        notifier.send(note("x"))
    assert not caught.value.permanent


def test_smtp_ledger_prevents_a_second_delivery(
    smtp_server: SmtpServer, mailbox: Mailbox, tmp_path: Path
) -> None:
    memory = MemorySentLedger()
    notifier = plain_notifier(smtp_server, ledger=memory)
    notifier.send(note("once"))
    notifier.send(note("once"))
    assert len(memory) == 1
    assert mailbox.deliveries() == {"once": 1}

    # A file ledger survives a restart: a new notifier on the same folder does not resend.
    first = plain_notifier(smtp_server, ledger=FileSentLedger(tmp_path / "ledger"))
    first.send(note("durable"))
    again = plain_notifier(smtp_server, ledger=FileSentLedger(tmp_path / "ledger"))
    assert isinstance(again.ledger, SentLedger)
    again.send(note("durable"))
    assert mailbox.deliveries() == {"once": 1, "durable": 1}
    (marker,) = (tmp_path / "ledger").iterdir()
    assert marker.read_text().startswith(message_id_for("durable", "surety.example"))

    # A failed send is not recorded, so it is tried again.
    mailbox.fail_data = 1
    with pytest.raises(NotificationError):
        again.send(note("later"))
    assert not again.ledger.contains("later")
    again.send(note("later"))
    assert mailbox.deliveries()["later"] == 1


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"tls": "none", "username": "u", "password": "p"}, ConfigurationError),
        ({"username": "u"}, InvalidInputError),
        ({"tls": "tls13"}, InvalidInputError),
        ({"port": 0}, InvalidInputError),
        ({"port": True}, InvalidInputError),
        ({"timeout": 0}, InvalidInputError),
        ({"sender": "nobody"}, InvalidInputError),
        ({"ssl_context": "yes"}, InvalidInputError),
        ({"message_id_domain": "no domain"}, InvalidInputError),
    ],
)
def test_smtp_settings_are_checked(kwargs: dict[str, Any], error: type[Exception]) -> None:
    options: dict[str, Any] = {"sender": "desk@surety.example"}
    options.update(kwargs)
    with pytest.raises(error):
        SmtpNotifier("mail.example", **options)


def test_adapters_are_notifiers(tmp_path: Path) -> None:
    assert isinstance(SmtpNotifier("m.example", sender="a@b.example"), Notifier)
    assert isinstance(FolderNotifier(tmp_path), Notifier)
    assert isinstance(ScriptedNotifier([]), Notifier)
    assert isinstance(MemorySentLedger(), SentLedger)
    assert isinstance(FileSentLedger(tmp_path / "l"), SentLedger)


def test_smtp_default_ports() -> None:
    assert SmtpNotifier("m.example", sender="a@b.example", tls="none").port == 25
    assert SmtpNotifier("m.example", sender="a@b.example").port == 587
    assert SmtpNotifier("m.example", sender="a@b.example", tls="ssl").port == 465


# ================================================================ folder


def test_folder_writes_one_parsable_file(tmp_path: Path, contract: GuaranteeContract) -> None:
    notifier = FolderNotifier(tmp_path / "mail", sender="desk@surety.example", clock=lambda: T0)
    n = completion_notice(contract, recipient="keiri@kashiwa-kensetsu.example")
    notifier.send(n)
    path = notifier.path_for(n.idempotency_key)
    assert path.name.startswith("completion_notice_0000000001_v1-")
    assert path.suffix == ".eml"
    assert [p.name for p in (tmp_path / "mail").iterdir()] == [path.name]
    data = path.read_bytes()
    assert "保証契約番号：0000000001" in data.decode("utf-8")  # 8-bit: readable as text
    parsed = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Subject"] == n.subject
    assert body_of(parsed) == n.body
    assert parsed["Message-ID"] == message_id_for(n.idempotency_key, "surety.example")


def test_folder_is_idempotent(tmp_path: Path) -> None:
    notifier = FolderNotifier(tmp_path)
    notifier.send(note("k-1"))
    before = notifier.path_for("k-1").read_bytes()
    changed = attrs.evolve(note("k-1"), body="別の本文")
    FolderNotifier(tmp_path).send(changed)  # another instance, same folder
    assert notifier.path_for("k-1").read_bytes() == before
    notifier.send(note("k-2"))
    assert len(list(tmp_path.iterdir())) == 2


def test_folder_same_key_from_many_threads(tmp_path: Path) -> None:
    notifier = FolderNotifier(tmp_path)
    barrier = threading.Barrier(8)

    def send(i: int) -> None:
        barrier.wait()
        notifier.send(attrs.evolve(note("race"), body=f"writer {i}"))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    files = list(tmp_path.iterdir())
    assert len(files) == 1  # one message, no temporary files left behind
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert re.fullmatch(r"writer [0-7]\n", body_of(parsed))


def test_folder_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(NotificationError):
        FolderNotifier(blocker / "sub")
    with pytest.raises(InvalidInputError):
        FolderNotifier(tmp_path).send("not a notification")  # type: ignore[arg-type]


# ================================================================ dispatcher


def test_dispatcher_retries_through_a_failing_server(
    smtp_server: SmtpServer, mailbox: Mailbox, store: OutboxOnlyStore, clock: FakeClock
) -> None:
    keys = [f"m-{i}" for i in range(3)]
    queue(store, *(note(k) for k in keys))
    mailbox.fail_data = 4  # the server fails the first four deliveries, then recovers
    dispatcher = OutboxDispatcher(
        store,
        plain_notifier(smtp_server),
        clock=clock,
        backoff=ExponentialBackoff(jitter=0.5, rng=random.Random(7)),
    )
    report = dispatcher.run_until_idle(sleep=clock.sleep)

    assert mailbox.deliveries() == dict.fromkeys(keys, 1)  # nothing lost, nothing twice
    assert mailbox.data_attempts == 3 + 4
    assert sorted(report.sent) == keys
    assert len(report.retrying) == 4
    assert report.failed == ()
    final = statuses(store)
    assert all(status is OutboxStatus.SENT for status, _ in final.values())
    assert sum(attempts for _, attempts in final.values()) == 7
    assert clock.slept  # it waited (on the test clock) for the backoff
    assert all(0 < s <= 3600 for s in clock.slept)
    # Delivered bodies decode exactly.
    for got in mailbox.accepted:
        assert body_of(got) == note(str(got[IDEMPOTENCY_HEADER])).body


def test_dispatcher_backoff_schedule(
    smtp_server: SmtpServer, mailbox: Mailbox, store: OutboxOnlyStore, clock: FakeClock
) -> None:
    queue(store, note("slow"))
    mailbox.fail_data = 2
    dispatcher = OutboxDispatcher(
        store,
        plain_notifier(smtp_server),
        clock=clock,
        backoff=lambda n: timedelta(minutes=10 * n),
    )
    first = dispatcher.dispatch_due()
    assert first.retrying == ("slow",)
    with store.unit_of_work() as uow:
        m = uow.outbox.get("slow")
    assert m.next_attempt_at == T0 + timedelta(minutes=10)
    assert m.last_error is not None
    assert m.last_error.startswith("transient: message refused: 451")
    # Not due yet: nothing is sent.
    assert dispatcher.dispatch_due(now=T0 + timedelta(minutes=9)).attempted == 0
    second = dispatcher.dispatch_due(now=T0 + timedelta(minutes=10))
    assert second.retrying == ("slow",)
    with store.unit_of_work() as uow:
        assert uow.outbox.get("slow").next_attempt_at == T0 + timedelta(minutes=30)
    third = dispatcher.dispatch_due(now=T0 + timedelta(minutes=30))
    assert third.sent == ("slow",)
    assert statuses(store) == {"slow": (OutboxStatus.SENT, 3)}
    assert mailbox.deliveries() == {"slow": 1}


def test_dispatcher_gives_up(
    smtp_server: SmtpServer, mailbox: Mailbox, store: OutboxOnlyStore, clock: FakeClock
) -> None:
    mailbox.refuse.add("gone@kashiwa-kensetsu.example")
    queue(store, note("refused", recipient="gone@kashiwa-kensetsu.example"), note("ok"))
    mailbox.fail_data = 0
    dispatcher = OutboxDispatcher(store, plain_notifier(smtp_server), clock=clock)
    report = dispatcher.run_until_idle(sleep=clock.sleep)
    assert report.failed == ("refused",)
    assert report.sent == ("ok",)
    assert statuses(store) == {
        "refused": (OutboxStatus.FAILED, 1),  # permanent: no retry
        "ok": (OutboxStatus.SENT, 1),
    }
    with store.unit_of_work() as uow:
        error = uow.outbox.get("refused").last_error
    assert error is not None
    assert error.startswith("permanent: recipient refused: 550")

    # A server that never recovers: give up after max_attempts.
    queue(store, note("doomed"), at=T0 + timedelta(hours=1))
    mailbox.fail_data = 1000
    stubborn = OutboxDispatcher(store, plain_notifier(smtp_server), clock=clock, max_attempts=3)
    report = stubborn.run_until_idle(sleep=clock.sleep)
    assert report.failed == ("doomed",)
    assert len(report.retrying) == 2
    assert statuses(store)["doomed"] == (OutboxStatus.FAILED, 3)
    assert "doomed" not in mailbox.deliveries()


def test_dispatcher_can_retry_permanent_errors(store: OutboxOnlyStore, clock: FakeClock) -> None:
    notifier = ScriptedNotifier(["permanent", "ok"])
    queue(store, note("p"))
    dispatcher = OutboxDispatcher(store, notifier, clock=clock, retry_permanent=True)
    report = dispatcher.run_until_idle(sleep=clock.sleep)
    assert report.retrying == ("p",)
    assert report.sent == ("p",)
    assert notifier.delivered == Counter({"p": 1})


def test_sent_but_not_marked_is_not_sent_again(
    smtp_server: SmtpServer, mailbox: Mailbox, store: OutboxOnlyStore, clock: FakeClock
) -> None:
    queue(store, note("a"), note("b"))
    dispatcher = OutboxDispatcher(store, plain_notifier(smtp_server), clock=clock)
    store.fail_commits = 1  # the database goes away right after the first send
    report = dispatcher.dispatch_due()
    assert report.unrecorded == ("a",)
    assert report.store_error is not None
    assert "went away" in report.store_error
    assert mailbox.deliveries() == {"a": 1}  # the round stopped: "b" was not sent
    assert statuses(store) == {"a": (OutboxStatus.PENDING, 0), "b": (OutboxStatus.PENDING, 0)}

    store.fail_commits = 1  # still down: the sent message is not sent again, nothing else is
    report = dispatcher.dispatch_due()
    assert report.attempted == 1
    assert report.unrecorded == ("a",)
    assert mailbox.deliveries() == {"a": 1}

    clock.current += dispatcher.lease  # the database is back; the first round's claims expired
    report = dispatcher.dispatch_due()
    assert report.sent == ("a", "b")
    assert mailbox.deliveries() == {"a": 1, "b": 1}
    assert statuses(store) == {"a": (OutboxStatus.SENT, 1), "b": (OutboxStatus.SENT, 1)}


def test_after_a_restart_the_ledger_prevents_a_duplicate(
    smtp_server: SmtpServer,
    mailbox: Mailbox,
    store: OutboxOnlyStore,
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    queue(store, note("a"))
    ledger_dir = tmp_path / "ledger"
    crashed = OutboxDispatcher(
        store, plain_notifier(smtp_server, ledger=FileSentLedger(ledger_dir)), clock=clock
    )
    store.fail_commits = 1
    assert crashed.dispatch_due().unrecorded == ("a",)
    del crashed  # the process dies; its memory of the unrecorded send is gone
    clock.current += timedelta(minutes=5)  # its claim (lease) expires

    restarted = OutboxDispatcher(
        store, plain_notifier(smtp_server, ledger=FileSentLedger(ledger_dir)), clock=clock
    )
    assert restarted.dispatch_due().sent == ("a",)
    assert mailbox.deliveries() == {"a": 1}
    assert statuses(store) == {"a": (OutboxStatus.SENT, 1)}


def test_without_a_ledger_a_restart_redelivers_detectably(
    smtp_server: SmtpServer, mailbox: Mailbox, store: OutboxOnlyStore, clock: FakeClock
) -> None:
    """The documented limit: no ledger, crash after the send → the same message again."""
    queue(store, note("a"))
    store.fail_commits = 1
    OutboxDispatcher(store, plain_notifier(smtp_server), clock=clock).dispatch_due()
    clock.current += timedelta(minutes=5)  # the crashed dispatcher's claim expires
    OutboxDispatcher(store, plain_notifier(smtp_server), clock=clock).dispatch_due()
    assert mailbox.deliveries() == {"a": 2}
    first, second = mailbox.accepted
    assert first["Message-ID"] == second["Message-ID"]  # a reader can tell it is a duplicate


def test_folder_demo_flow(tmp_path: Path, store: OutboxOnlyStore, clock: FakeClock) -> None:
    contracts = [
        make_contract(number="0000000001", product="advance_payment"),
        make_contract(number="0000000002", product="contract_guarantee", amount=250_000_000),
    ]
    with store.unit_of_work() as uow:
        for c in contracts:
            n = completion_notice(c, recipient="keiri@kashiwa-kensetsu.example")
            uow.outbox.add(to_outbox(n, kind=COMPLETION_NOTICE_KIND, created_at=clock()))
    folder = FolderNotifier(tmp_path, clock=clock)
    dispatcher = OutboxDispatcher(store, folder, clock=clock)
    assert sorted(dispatcher.run_until_idle(sleep=clock.sleep).sent) == [
        "completion_notice:0000000001:v1",
        "completion_notice:0000000002:v1",
    ]
    assert dispatcher.run_until_idle(sleep=clock.sleep) == DispatchReport()
    files = sorted(tmp_path.iterdir())
    assert len(files) == 2
    parsed = email.message_from_bytes(files[1].read_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    assert "保証の種類：契約保証\n" in body_of(parsed)
    assert "保証金額：250,000,000円\n" in body_of(parsed)


def test_a_broken_backoff_is_a_caller_error(store: OutboxOnlyStore, clock: FakeClock) -> None:
    queue(store, note("x"))
    dispatcher = OutboxDispatcher(
        store,
        ScriptedNotifier(["transient"]),
        clock=clock,
        backoff=lambda n: timedelta(seconds=-1),
    )
    with pytest.raises(InvalidInputError, match="backoff"):
        dispatcher.dispatch_due()


def test_dispatcher_checks_its_arguments(store: OutboxOnlyStore) -> None:
    notifier = ScriptedNotifier([])
    with pytest.raises(InvalidInputError):
        OutboxDispatcher(store, notifier, max_attempts=0)
    with pytest.raises(InvalidInputError):
        OutboxDispatcher(object(), notifier)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        OutboxDispatcher(store, object())  # type: ignore[arg-type]
    dispatcher = OutboxDispatcher(store, notifier)
    with pytest.raises(InvalidInputError):
        dispatcher.dispatch_due(now=datetime(2025, 1, 1))
    with pytest.raises(InvalidInputError):
        dispatcher.dispatch_due(limit=0)
    with pytest.raises(InvalidInputError):
        dispatcher.run_until_idle(max_rounds=0)


# ---------------------------------------------------------------- dispatcher properties


class ScriptedNotifier:
    """A notifier whose outcomes follow a script ("ok", "transient", "permanent", "crash");
    after the script it succeeds. It counts real deliveries per key, like the ledger-free SMTP
    server would, so a double send is visible."""

    def __init__(self, script: list[str]) -> None:
        self.script = list(script)
        self.calls: Counter[str] = Counter()
        self.delivered: Counter[str] = Counter()

    def send(self, message: Notification) -> None:
        key = message.idempotency_key
        self.calls[key] += 1
        outcome = self.script.pop(0) if self.script else "ok"
        if outcome == "transient":
            raise NotificationError("451 try later", code=451)
        if outcome == "permanent":
            raise PermanentNotificationError("550 no such user", code=550)
        if outcome == "crash":
            raise RuntimeError("host notifier bug")
        self.delivered[key] += 1


@settings(max_examples=60)
@given(
    count=st.integers(1, 6),
    script=st.lists(st.sampled_from(["ok", "transient", "permanent", "crash"]), max_size=30),
    store_failures=st.lists(st.booleans(), max_size=30),
    max_attempts=st.integers(1, 5),
    seed=st.integers(0, 1000),
)
def test_dispatcher_invariants(
    count: int, script: list[str], store_failures: list[bool], max_attempts: int, seed: int
) -> None:
    store = OutboxOnlyStore()
    clock = FakeClock(T0)
    keys = [f"k{i}" for i in range(count)]
    queue(store, *(note(k) for k in keys))
    notifier = ScriptedNotifier(script)
    dispatcher = OutboxDispatcher(
        store,
        notifier,
        clock=clock,
        max_attempts=max_attempts,
        backoff=ExponentialBackoff(rng=random.Random(seed)),
    )
    total = DispatchReport()
    for fail in [*store_failures, *([False] * (count * max_attempts + 2))]:
        store.fail_commits = int(fail)
        total = total + dispatcher.run_until_idle(max_rounds=1, sleep=clock.sleep)
        if not dispatcher.pending():
            break
    final = statuses(store)
    assert set(final) == set(keys)
    for key, (status, attempts) in final.items():
        assert status in (OutboxStatus.SENT, OutboxStatus.FAILED), key  # nothing stuck
        assert notifier.delivered[key] <= 1, key  # never twice, even when marking failed
        assert 1 <= attempts <= max_attempts
        if status is OutboxStatus.SENT:
            assert notifier.delivered[key] == 1
        else:
            assert notifier.delivered[key] == 0
            with store.unit_of_work() as uow:
                error = uow.outbox.get(key).last_error
            assert error is not None
            # Given up only for a permanent error or after the last allowed attempt.
            assert error.startswith("permanent:") or attempts == max_attempts
        # Every send that was recorded counts as an attempt; an unrecorded failed attempt is
        # simply tried again, so calls can exceed the recorded attempts but never fall short.
        assert notifier.calls[key] >= attempts
