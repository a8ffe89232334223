"""Turning a notification into an RFC 5322 message (private; see :mod:`surety_core.notify`)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Literal

from surety_core import _validation as v
from surety_core._errors import InvalidInputError
from surety_core._validation import is_valid_email
from surety_core.notify._message import Notification

__all__ = ["IDEMPOTENCY_HEADER", "message_id_for", "render_email", "safe_file_stem"]

IDEMPOTENCY_HEADER = "X-Surety-Idempotency-Key"
"""The header that repeats the notification's idempotency key in every message we send."""

_DOMAIN_RE = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
_UNSAFE_RE = re.compile(r"[^A-Za-z0-9._-]+")


def key_digest(idempotency_key: str) -> str:
    """A stable hex digest of an idempotency key (SHA-256 of its UTF-8 bytes)."""
    return hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()


def check_domain(field: str, domain: str) -> str:
    if not isinstance(domain, str) or len(domain) > 253 or not _DOMAIN_RE.fullmatch(domain):
        raise InvalidInputError(field, "must be a DNS domain name like 'mail.example.jp'")
    return domain.lower()


def message_id_for(idempotency_key: str, domain: str) -> str:
    """The ``Message-ID`` of the message for ``idempotency_key``: the same key, the same id.

    ``<surety.{sha256 hex of the key}@{domain}>``; a re-delivery of the same notification is
    thereby recognisable by any mail system or reader that compares message ids.
    """
    if not isinstance(idempotency_key, str) or not idempotency_key:
        raise InvalidInputError("idempotency_key", "must be non-empty text")
    return f"<surety.{key_digest(idempotency_key)}@{check_domain('domain', domain)}>"


def safe_file_stem(idempotency_key: str) -> str:
    """A file name stem for ``idempotency_key``: readable part + digest, safe on any file system.

    Distinct keys give distinct stems (the SHA-256 digest decides), even when their readable
    parts are the same after unsafe characters are replaced.
    """
    readable = _UNSAFE_RE.sub("_", idempotency_key).strip("._")[:60] or "message"
    return f"{readable}-{key_digest(idempotency_key)[:24]}"


def check_sender(field: str, sender: str) -> str:
    if not isinstance(sender, str) or not is_valid_email(sender):
        raise InvalidInputError(field, "is not a valid e-mail address")
    return sender


def render_email(
    notification: Notification,
    *,
    sender: str,
    sender_name: str | None = None,
    message_id_domain: str | None = None,
    date: datetime | None = None,
    transfer_encoding: Literal["base64", "auto"] = "base64",
) -> EmailMessage:
    """The e-mail for ``notification``: UTF-8 text, headers encoded per RFC 2047.

    ``From`` is ``notification.sender`` or ``sender`` (with ``sender_name`` as display name);
    ``Message-ID`` is :func:`message_id_for` under ``message_id_domain`` (default: the sender's
    domain); ``Date`` is ``date`` (default: now, UTC). The body is base64 by default, which
    passes any relay; ``"auto"`` writes 8-bit UTF-8 text when every line fits in 998 octets
    (readable ``.eml`` files), else base64.
    """
    if not isinstance(notification, Notification):
        raise InvalidInputError(
            "notification", f"must be a Notification, not {type(notification).__name__}"
        )
    from_addr = check_sender("sender", notification.sender or sender)
    domain = message_id_domain or from_addr.rpartition("@")[2]
    when = date if date is not None else datetime.now(UTC)
    v.require_aware(when, "date")

    msg = EmailMessage(policy=policy.SMTP)
    local, _, addr_domain = from_addr.rpartition("@")
    msg["From"] = Address(display_name=sender_name or "", username=local, domain=addr_domain)
    rlocal, _, rdomain = notification.recipient.rpartition("@")
    msg["To"] = Address(username=rlocal, domain=rdomain)
    msg["Subject"] = notification.subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = message_id_for(notification.idempotency_key, domain)
    msg[IDEMPOTENCY_HEADER] = notification.idempotency_key
    for name, value in notification.headers:
        msg[name] = value
    cte = "base64"
    if transfer_encoding == "auto" and all(
        len(line.encode("utf-8")) <= 998 for line in notification.body.split("\n")
    ):
        cte = "8bit"  # RFC 5322 allows lines of up to 998 octets
    msg.set_content(notification.body, charset="utf-8", cte=cte)
    return msg
