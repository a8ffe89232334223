"""Notifications: the notifier port, SMTP and folder adapters, templates and the outbox dispatcher.

A service queues a :class:`Notification` in the outbox (:func:`to_outbox`) in the same unit of
work as the event it announces; an :class:`OutboxDispatcher` later sends the due messages through
a :class:`Notifier` (:class:`SmtpNotifier`, :class:`FolderNotifier`, or the host's own) with
retries and backoff. :func:`completion_notice` builds the 電子保証発行完了のお知らせ, which never
contains an authentication key. See the guide "Notifications" for delivery guarantees.
"""

from surety_core.notify._dispatch import (
    Backoff,
    DispatchReport,
    ExponentialBackoff,
    Notifier,
    OutboxDispatcher,
    OutboxStore,
    OutboxUnitOfWork,
)
from surety_core.notify._email import (
    IDEMPOTENCY_HEADER,
    message_id_for,
    render_email,
    safe_file_stem,
)
from surety_core.notify._errors import NotificationError, PermanentNotificationError
from surety_core.notify._folder import FolderNotifier
from surety_core.notify._ledger import FileSentLedger, MemorySentLedger, SentLedger
from surety_core.notify._message import (
    MAX_BODY,
    RESERVED_HEADERS,
    Notification,
    from_outbox,
    to_outbox,
)
from surety_core.notify._smtp import SmtpNotifier, TlsMode
from surety_core.notify._templates import (
    COMPLETION_NOTICE_KIND,
    COMPLETION_NOTICE_TITLE,
    PRODUCT_NAMES,
    completion_notice,
    completion_notice_key,
    format_yen,
    product_display_name,
)

__all__ = [
    "COMPLETION_NOTICE_KIND",
    "COMPLETION_NOTICE_TITLE",
    "IDEMPOTENCY_HEADER",
    "MAX_BODY",
    "PRODUCT_NAMES",
    "RESERVED_HEADERS",
    "Backoff",
    "DispatchReport",
    "ExponentialBackoff",
    "FileSentLedger",
    "FolderNotifier",
    "MemorySentLedger",
    "Notification",
    "NotificationError",
    "Notifier",
    "OutboxDispatcher",
    "OutboxStore",
    "OutboxUnitOfWork",
    "PermanentNotificationError",
    "SentLedger",
    "SmtpNotifier",
    "TlsMode",
    "completion_notice",
    "completion_notice_key",
    "format_yen",
    "from_outbox",
    "message_id_for",
    "product_display_name",
    "render_email",
    "safe_file_stem",
    "to_outbox",
]
