"""Sent ledgers: a notifier's local memory of the idempotency keys it delivered (private)."""

from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from surety_core._errors import InvalidInputError
from surety_core.notify._email import safe_file_stem
from surety_core.notify._errors import NotificationError

__all__ = ["FileSentLedger", "MemorySentLedger", "SentLedger"]


@runtime_checkable
class SentLedger(Protocol):
    """Remembers which idempotency keys a notifier has handed over for delivery."""

    def contains(self, idempotency_key: str) -> bool:
        """True when ``idempotency_key`` was recorded as sent."""
        ...

    def record(self, idempotency_key: str, message_id: str, at: datetime) -> None:
        """Record that the message for ``idempotency_key`` was accepted at ``at``. Idempotent."""
        ...


class MemorySentLedger:
    """A ledger in memory: survives nothing but the process; for tests and short-lived tools."""

    def __init__(self) -> None:
        self._sent: dict[str, tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    def contains(self, idempotency_key: str) -> bool:
        with self._lock:
            return idempotency_key in self._sent

    def record(self, idempotency_key: str, message_id: str, at: datetime) -> None:
        with self._lock:
            self._sent.setdefault(idempotency_key, (message_id, at))

    def __len__(self) -> int:
        with self._lock:
            return len(self._sent)


class FileSentLedger:
    """A ledger in a directory: one small marker file per key, created atomically.

    A marker is created with ``O_CREAT | O_EXCL`` and fsynced, so it survives a restart and two
    writers never both create it. Put the directory on local disk next to the process that sends.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        try:
            self._dir = Path(directory)
        except TypeError as exc:
            raise InvalidInputError("directory", "must be a path") from exc
        try:
            self._dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise NotificationError(f"cannot create the ledger directory: {exc}") from exc

    @property
    def directory(self) -> Path:
        return self._dir

    def _path(self, idempotency_key: str) -> Path:
        return self._dir / f"{safe_file_stem(idempotency_key)}.sent"

    def contains(self, idempotency_key: str) -> bool:
        return self._path(idempotency_key).exists()

    def record(self, idempotency_key: str, message_id: str, at: datetime) -> None:
        path = self._path(idempotency_key)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        except OSError as exc:
            raise NotificationError(f"cannot write the sent ledger: {exc}") from exc
        try:
            os.write(fd, f"{message_id}\n{at.isoformat()}\n".encode())
            os.fsync(fd)
        finally:
            os.close(fd)
