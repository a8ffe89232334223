"""Reading an outside file safely (private): regular files only, bounded, never blocking."""

from __future__ import annotations

import os
import stat

from surety_core._errors import InvalidInputError

__all__ = ["read_regular_file"]


def read_regular_file(path: str | os.PathLike[str], *, limit: int, option: str) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    The file is opened without blocking (a FIFO with no writer does not hang) and checked on the
    open descriptor: a FIFO, a device (``/dev/zero``), a socket or a folder is refused before a
    byte is read, and reading stops one byte past ``limit``. Every refusal is an
    :class:`~surety_core.InvalidInputError` naming ``option``, with the path shown escaped.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        raise InvalidInputError("limit", "must be a positive integer")
    if not isinstance(path, str | bytes | os.PathLike):
        raise InvalidInputError(option, f"must be a path, not {type(path).__name__}")
    name = os.fsdecode(path)
    shown = repr(name)[1:-1][:200]
    if "\x00" in name:
        raise InvalidInputError(option, f"a path cannot contain a NUL byte ({shown})")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(name, flags)
    except FileNotFoundError:
        raise InvalidInputError(option, f"no file at {shown}") from None
    except OSError as exc:
        raise InvalidInputError(option, f"cannot read {shown}: {exc.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InvalidInputError(option, f"{shown} is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise InvalidInputError(option, f"{shown} is not a regular file")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InvalidInputError(option, f"cannot read {shown}: {exc.strerror}") from None
    finally:
        os.close(fd)
    if size > limit:
        raise InvalidInputError(option, f"{shown} is larger than {limit:,} bytes")
    return b"".join(chunks)
