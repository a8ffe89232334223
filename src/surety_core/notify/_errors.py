"""Errors of the notification adapters (private; import them from :mod:`surety_core.notify`)."""

from __future__ import annotations

from surety_core._errors import SuretyError

__all__ = ["NotificationError", "PermanentNotificationError"]


class NotificationError(SuretyError):
    """A notification could not be delivered *this time*; retrying may succeed.

    Raised for everything that is not about the message itself: the server is unreachable or
    busy (SMTP 4xx), the connection or TLS handshake failed, the login was refused, the disk is
    full. The outbox dispatcher retries these with backoff. ``code`` is the SMTP reply code when
    there was one.
    """

    permanent: bool = False
    """``True`` for :class:`PermanentNotificationError`: retrying the same message cannot help."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        self.code = code
        super().__init__(message)


class PermanentNotificationError(NotificationError):
    """This message can never be delivered as it is (e.g. SMTP 5xx: recipient or content refused).

    The outbox dispatcher gives up on the message at once (status ``FAILED``).
    """

    permanent = True
