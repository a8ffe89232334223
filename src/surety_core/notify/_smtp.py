"""The SMTP notifier: stdlib ``smtplib`` and ``email`` only (private; see
:mod:`surety_core.notify`)."""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum

from surety_core._errors import ConfigurationError, InvalidInputError
from surety_core.notify._email import check_domain, check_sender, message_id_for, render_email
from surety_core.notify._errors import NotificationError, PermanentNotificationError
from surety_core.notify._ledger import SentLedger
from surety_core.notify._message import Notification

__all__ = ["SmtpNotifier", "TlsMode"]

_log = logging.getLogger("surety_core.notify")


class TlsMode(StrEnum):
    """How the SMTP connection is protected."""

    NONE = "none"
    """Plain text (a local relay only; login is refused in this mode)."""
    STARTTLS = "starttls"
    """Connect in plain text, then upgrade with ``STARTTLS`` (port 587); the upgrade is required."""
    SSL = "ssl"
    """TLS from the first byte ("implicit TLS", SMTPS, port 465)."""


_DEFAULT_PORTS = {TlsMode.NONE: 25, TlsMode.STARTTLS: 587, TlsMode.SSL: 465}


def _reply_text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _classify(code: int, what: str, reply: object) -> NotificationError:
    text = f"{what}: {code} {_reply_text(reply)}"[:500]
    if 500 <= code <= 599:
        return PermanentNotificationError(text, code=code)
    return NotificationError(text, code=code)


def _translate(exc: Exception) -> NotificationError:
    """Map an ``smtplib``/socket error to ours: 5xx about the message is permanent."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [(code, reply) for code, reply in exc.recipients.values()]
        if codes and all(500 <= code <= 599 for code, _ in codes):
            return _classify(codes[0][0], "recipient refused", codes[0][1])
        code, reply = codes[0] if codes else (0, "")
        return NotificationError(f"recipient refused: {code} {_reply_text(reply)}"[:500], code=code)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return _classify(exc.smtp_code, "sender refused", exc.smtp_error)
    if isinstance(exc, smtplib.SMTPDataError):
        return _classify(exc.smtp_code, "message refused", exc.smtp_error)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # About the account, not this message: retry (after the operator fixes it).
        return NotificationError(
            f"login refused: {exc.smtp_code} {_reply_text(exc.smtp_error)}"[:500],
            code=exc.smtp_code,
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return NotificationError(
            f"server error: {exc.smtp_code} {_reply_text(exc.smtp_error)}"[:500],
            code=exc.smtp_code,
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return NotificationError(f"server does not support a required extension: {exc}"[:500])
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return NotificationError(f"TLS failed: {exc}"[:500])
    if isinstance(exc, smtplib.SMTPException | OSError):
        return NotificationError(f"connection failed: {type(exc).__name__}: {exc}"[:500])
    return NotificationError(f"unexpected failure: {type(exc).__name__}"[:500])


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """``AUTH``: ``smtplib``'s own login for ASCII credentials; for others, ``AUTH PLAIN`` with
    UTF-8 as RFC 4616 specifies (``smtplib`` encodes credentials as ASCII only)."""
    if username.isascii() and password.isascii():
        smtp.login(username, password)
        return
    smtp.ehlo_or_helo_if_needed()
    mechanisms = smtp.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" not in mechanisms:
        raise smtplib.SMTPNotSupportedError(
            "non-ASCII credentials need AUTH PLAIN, which the server does not offer"
        )
    token = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


class SmtpNotifier:
    """Sends each notification as one UTF-8 e-mail through an SMTP server.

    One connection per message (opened, used, closed). The ``Message-ID`` is derived from the
    idempotency key (:func:`message_id_for`), so the same notification always carries the same id.
    With a ``ledger``, a key already recorded there is not sent again, and a successful send is
    recorded. Errors: :class:`PermanentNotificationError` when the server refuses the message or
    recipient with a 5xx reply; :class:`NotificationError` (transient) for everything else.

    ``tls``: :class:`TlsMode` (``"none"``, ``"starttls"``, ``"ssl"``); ``ssl_context`` defaults to
    :func:`ssl.create_default_context` (certificate and host name verified). ``username`` and
    ``password`` log in (``AUTH``) and need TLS. ``port`` defaults to 25, 587 or 465 by mode.
    """

    def __init__(
        self,
        host: str,
        port: int | None = None,
        *,
        sender: str,
        sender_name: str | None = None,
        tls: TlsMode | str = TlsMode.STARTTLS,
        ssl_context: ssl.SSLContext | None = None,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        local_hostname: str | None = None,
        message_id_domain: str | None = None,
        ledger: SentLedger | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if not isinstance(host, str) or not host or len(host) > 253:
            raise InvalidInputError("host", "must be a host name or address")
        try:
            mode = TlsMode(tls)
        except ValueError as exc:
            raise InvalidInputError("tls", "must be 'none', 'starttls' or 'ssl'") from exc
        if port is None:
            port = _DEFAULT_PORTS[mode]
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise InvalidInputError("port", "must be an integer from 1 to 65535")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
            raise InvalidInputError("timeout", "must be a positive number of seconds")
        if ssl_context is not None and not isinstance(ssl_context, ssl.SSLContext):
            raise InvalidInputError("ssl_context", "must be an ssl.SSLContext")
        if (username is None) != (password is None):
            raise InvalidInputError("password", "username and password go together")
        if username is not None and mode is TlsMode.NONE:
            raise ConfigurationError("SMTP login needs TLS: use tls='starttls' or tls='ssl'")
        if sender_name is not None and (not isinstance(sender_name, str) or not sender_name):
            raise InvalidInputError("sender_name", "must be non-empty text")
        self.host = host
        self.port = port
        self.sender = check_sender("sender", sender)
        self.sender_name = sender_name
        self.tls = mode
        self._ssl_context = ssl_context
        self._username = username
        self._password = password
        self.timeout = float(timeout)
        self.local_hostname = local_hostname
        self.message_id_domain = (
            check_domain("message_id_domain", message_id_domain)
            if message_id_domain is not None
            else None
        )
        self.ledger = ledger
        self._clock = clock or (lambda: datetime.now(UTC))

    def __repr__(self) -> str:
        login = "yes" if self._username is not None else "no"
        return (
            f"SmtpNotifier(host={self.host!r}, port={self.port}, tls={self.tls.value!r}, "
            f"sender={self.sender!r}, login={login})"
        )

    def _context(self) -> ssl.SSLContext:
        return self._ssl_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        if self.tls is TlsMode.SSL:
            return smtplib.SMTP_SSL(
                self.host,
                self.port,
                local_hostname=self.local_hostname,
                timeout=self.timeout,
                context=self._context(),
            )
        smtp = smtplib.SMTP(
            self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout
        )
        try:
            if self.tls is TlsMode.STARTTLS:
                smtp.ehlo()
                smtp.starttls(context=self._context())
                smtp.ehlo()
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: Notification) -> None:
        """Deliver ``message`` unless the ledger shows its idempotency key was delivered."""
        if not isinstance(message, Notification):
            raise InvalidInputError(
                "message", f"must be a Notification, not {type(message).__name__}"
            )
        key = message.idempotency_key
        if self.ledger is not None and self.ledger.contains(key):
            _log.info("notification %r already sent (ledger); not sending again", key)
            return
        now = self._clock()
        email_message = render_email(
            message,
            sender=self.sender,
            sender_name=self.sender_name,
            message_id_domain=self.message_id_domain,
            date=now,
        )
        try:
            smtp = self._connect()
            try:
                if self._username is not None and self._password is not None:
                    _login(smtp, self._username, self._password)
                smtp.send_message(email_message)
            finally:
                try:
                    smtp.quit()
                except (smtplib.SMTPException, OSError):
                    smtp.close()
        except Exception as exc:
            error = _translate(exc)
            _log.warning("notification %r not sent: %s", key, error)
            raise error from exc
        _log.info("notification %r sent to %s", key, self.host)
        if self.ledger is not None:
            domain = self.message_id_domain or (message.sender or self.sender).rpartition("@")[2]
            try:
                self.ledger.record(key, message_id_for(key, domain), now)
            except NotificationError:
                # The message is out; raising would make a caller retry and send it twice.
                _log.exception("notification %r sent but not recorded in the ledger", key)
