"""The folder notifier: one ``.eml`` file per notification (private; see
:mod:`surety_core.notify`)."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from surety_core._errors import InvalidInputError
from surety_core.notify._email import check_domain, check_sender, render_email, safe_file_stem
from surety_core.notify._errors import NotificationError
from surety_core.notify._message import Notification

__all__ = ["FolderNotifier"]

_log = logging.getLogger("surety_core.notify")


class FolderNotifier:
    """Writes each notification as an ``.eml`` file in ``path`` (for demos and local testing).

    The file is named from the idempotency key (:meth:`path_for`), written to a temporary file,
    fsynced and then linked into place, which fails if the name exists: a key is written at most
    once, even by two processes at the same time, and a reader never sees a partial file.
    The body is 8-bit UTF-8 where lines allow, so the files are readable in a text editor.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        sender: str = "noreply@surety.invalid",
        sender_name: str | None = None,
        message_id_domain: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        try:
            self.path = Path(path)
        except TypeError as exc:
            raise InvalidInputError("path", "must be a path") from exc
        self.sender = check_sender("sender", sender)
        self.sender_name = sender_name
        self.message_id_domain = (
            check_domain("message_id_domain", message_id_domain)
            if message_id_domain is not None
            else None
        )
        self._clock = clock or (lambda: datetime.now(UTC))
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise NotificationError(f"cannot create the folder: {exc}") from exc

    def __repr__(self) -> str:
        return f"FolderNotifier({str(self.path)!r})"

    def path_for(self, idempotency_key: str) -> Path:
        """The file that holds (or will hold) the message for ``idempotency_key``."""
        return self.path / f"{safe_file_stem(idempotency_key)}.eml"

    def send(self, message: Notification) -> None:
        """Write ``message`` unless a file for its idempotency key exists already."""
        if not isinstance(message, Notification):
            raise InvalidInputError(
                "message", f"must be a Notification, not {type(message).__name__}"
            )
        final = self.path_for(message.idempotency_key)
        if final.exists():
            _log.info("notification %r already written; not writing again", final.name)
            return
        data = render_email(
            message,
            sender=self.sender,
            sender_name=self.sender_name,
            message_id_domain=self.message_id_domain,
            date=self._clock(),
            transfer_encoding="auto",
        ).as_bytes()
        tmp = self.path / f".{final.stem}.{secrets.token_hex(8)}.tmp"
        try:
            with open(tmp, "xb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, final)
            except FileExistsError:
                _log.info("notification %r written concurrently; keeping that one", final.name)
        except OSError as exc:
            raise NotificationError(f"cannot write {final.name}: {exc}") from exc
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
