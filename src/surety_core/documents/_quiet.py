"""Silence the PDF libraries' own logs while they read outside files (private).

pypdf logs a warning for every oddity of a hostile file (thousands of lines for one file), and
pyHanko logs tracebacks for certificates it cannot chain. Their loggers (``pypdf.*``,
``pyhanko.*``, ``pyhanko_certvalidator.*``) are children of three parents whose level is raised
above CRITICAL while any thread is inside :func:`quiet_libraries`, and put back when the last
one leaves; Python warnings are ignored inside too.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import warnings
from collections.abc import Iterator

__all__ = ["QUIET_LOGGERS", "quiet_libraries"]

QUIET_LOGGERS = ("pypdf", "pyhanko", "pyhanko_certvalidator")

_lock = threading.Lock()
_depth = 0
_saved: dict[str, int] = {}


@contextlib.contextmanager
def quiet_libraries() -> Iterator[None]:
    """The PDF libraries' logs and warnings silenced for the duration."""
    global _depth
    with _lock:
        if _depth == 0:
            for name in QUIET_LOGGERS:
                logger = logging.getLogger(name)
                _saved[name] = logger.level
                logger.setLevel(logging.CRITICAL + 1)
        _depth += 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                for name in QUIET_LOGGERS:
                    logging.getLogger(name).setLevel(_saved.pop(name, logging.NOTSET))
