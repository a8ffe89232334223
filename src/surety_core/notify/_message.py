"""The notification value and its outbox form (private; see :mod:`surety_core.notify`).

Pure: no mail library is imported here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import InvalidInputError
from surety_core.storage._records import OutboxMessage

__all__ = [
    "MAX_BODY",
    "RESERVED_HEADERS",
    "Notification",
    "from_outbox",
    "to_outbox",
]

MAX_BODY = 10_000
"""The longest body, in characters. Escaped for the outbox it always fits ``OutboxMessage.body``."""

RESERVED_HEADERS = frozenset(
    {
        "bcc",
        "cc",
        "content-transfer-encoding",
        "content-type",
        "date",
        "from",
        "message-id",
        "mime-version",
        "reply-to",
        "sender",
        "subject",
        "to",
        "x-surety-idempotency-key",
    }
)
"""Header names a notification may not set itself: the notifier writes them."""

_HEADER_NAME_RE = re.compile(r"^[!-9;-~]{1,76}$")


_BAD_BODY = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
"""Control characters other than tab and line feed, DEL, and surrogates."""
_BAD_LINE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def _body_text(instance: object, attribute: Any, value: Any) -> None:
    name = v.field_name(instance, attribute)
    if not isinstance(value, str):
        raise InvalidInputError(name, f"must be text, not {type(value).__name__}")
    if not value.strip():
        raise InvalidInputError(name, "must not be empty")
    if len(value) > MAX_BODY:
        raise InvalidInputError(name, f"must be at most {MAX_BODY} characters")
    if _BAD_BODY.search(value):
        raise InvalidInputError(
            name, "must not contain control characters (other than line feed and tab)"
        )


def _normalise_newlines(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    return value


def _to_headers(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(value.items())
    if isinstance(value, list):
        return tuple(tuple(item) if isinstance(item, list) else item for item in value)
    return value


def _headers(instance: object, attribute: Any, value: Any) -> None:
    name = v.field_name(instance, attribute)
    if not isinstance(value, tuple):
        raise InvalidInputError(name, f"must be a tuple of pairs, not {type(value).__name__}")
    if len(value) > 20:
        raise InvalidInputError(name, "must hold at most 20 headers")
    seen: set[str] = set()
    for i, item in enumerate(value):
        if not (isinstance(item, tuple) and len(item) == 2):
            raise InvalidInputError(f"{name}[{i}]", "must be a (name, value) pair")
        key, text = item
        if not isinstance(key, str) or not _HEADER_NAME_RE.fullmatch(key):
            raise InvalidInputError(f"{name}[{i}]", "header name must be printable ASCII, no ':'")
        lowered = key.lower()
        if lowered in RESERVED_HEADERS or lowered.startswith("content-"):
            raise InvalidInputError(f"{name}[{i}]", f"header {key!r} is set by the notifier")
        if lowered in seen:
            raise InvalidInputError(f"{name}[{i}]", f"header {key!r} appears twice")
        seen.add(lowered)
        if not isinstance(text, str) or not text or len(text) > 900:
            raise InvalidInputError(f"{name}[{i}]", "header value must be 1-900 characters")
        if _BAD_LINE.search(text):
            raise InvalidInputError(f"{name}[{i}]", "header value must be one line of text")


@frozen
class Notification:
    """One message to one recipient, identified by ``idempotency_key``.

    A notifier delivers a given ``idempotency_key`` at most once as far as it can tell (see
    the documentation on what "exactly once" means for e-mail). ``subject`` is one line;
    ``body`` is plain text (line feeds and tabs allowed, ``CRLF`` normalised to ``LF``).
    ``sender`` overrides the notifier's default sender address; ``headers`` are extra
    ``(name, value)`` header pairs (a mapping is accepted), never one the notifier writes.
    """

    idempotency_key: str = field(validator=v.text(200))
    recipient: str = field(converter=v.strip_text, validator=v.email)
    subject: str = field(validator=v.text(500))
    body: str = field(converter=_normalise_newlines, validator=_body_text)
    sender: str | None = field(default=None, validator=v.optional_email)
    headers: tuple[tuple[str, str], ...] = field(
        default=(), converter=_to_headers, validator=_headers
    )


# ---------------------------------------------------------------- outbox form


def to_outbox(notification: Notification, *, kind: str, created_at: datetime) -> OutboxMessage:
    """The outbox record that queues ``notification`` (status pending, no attempts yet).

    The body is stored as written (line feeds and tabs included).
    The outbox record has no place for ``sender`` or ``headers``: a notification that sets them
    is refused with :class:`~surety_core.InvalidInputError` rather than silently changed.
    """
    if not isinstance(notification, Notification):
        raise InvalidInputError(
            "notification", f"must be a Notification, not {type(notification).__name__}"
        )
    if notification.sender is not None:
        raise InvalidInputError("Notification.sender", "cannot be stored in the outbox")
    if notification.headers:
        raise InvalidInputError("Notification.headers", "cannot be stored in the outbox")
    return OutboxMessage(
        idempotency_key=notification.idempotency_key,
        kind=kind,
        recipient=notification.recipient,
        subject=notification.subject,
        body=notification.body,
        created_at=created_at,
    )


def from_outbox(message: OutboxMessage) -> Notification:
    """The notification that ``message`` queues (the inverse of :func:`to_outbox`)."""
    if not isinstance(message, OutboxMessage):
        raise InvalidInputError(
            "message", f"must be an OutboxMessage, not {type(message).__name__}"
        )
    return Notification(
        idempotency_key=message.idempotency_key,
        recipient=message.recipient,
        subject=message.subject,
        body=message.body,
    )
