"""Notifications: the notifier port, SMTP and folder adapters, templates and the outbox dispatcher.

A service queues a :class:`Notification` in the outbox (:func:`to_outbox`) in the same unit of
work as the event it announces; an :class:`OutboxDispatcher` later sends the due messages through
a :class:`Notifier` (:class:`SmtpNotifier`, :class:`FolderNotifier`, or the host's own) with
retries and backoff. :func:`completion_notice` builds the 電子保証発行完了のお知らせ and
:func:`amendment_notice` the 電子保証変更手続き完了のお知らせ to the contractor;
:func:`obligee_notice` tells the obligee that a guarantee it holds was amended, released, claimed
or its key re-issued. None of them ever contains an authentication key. See the guide
"Notifications" for delivery guarantees.
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
from surety_core.notify._obligee import (
    OBLIGEE_NOTICE_KIND,
    OBLIGEE_NOTICE_TITLES,
    obligee_notice,
    obligee_notice_key,
)
from surety_core.notify._smtp import SmtpNotifier, TlsMode
from surety_core.notify._templates import (
    AMENDMENT_NOTICE_KIND,
    AMENDMENT_NOTICE_TITLE,
    COMPLETION_NOTICE_KIND,
    COMPLETION_NOTICE_TITLE,
    PRODUCT_NAMES,
    amendment_notice,
    amendment_notice_key,
    completion_notice,
    completion_notice_key,
    format_yen,
    product_display_name,
)

__all__ = [
    "AMENDMENT_NOTICE_KIND",
    "AMENDMENT_NOTICE_TITLE",
    "COMPLETION_NOTICE_KIND",
    "COMPLETION_NOTICE_TITLE",
    "IDEMPOTENCY_HEADER",
    "MAX_BODY",
    "OBLIGEE_NOTICE_KIND",
    "OBLIGEE_NOTICE_TITLES",
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
    "amendment_notice",
    "amendment_notice_key",
    "completion_notice",
    "completion_notice_key",
    "format_yen",
    "from_outbox",
    "message_id_for",
    "obligee_notice",
    "obligee_notice_key",
    "product_display_name",
    "render_email",
    "safe_file_stem",
    "to_outbox",
]
