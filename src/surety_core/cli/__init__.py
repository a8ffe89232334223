"""The ``surety`` command line (also ``python -m surety_core``).

This package sits on top of everything else: it parses arguments, calls the services by actor
(the registry for ``verify``, the portal for ``notice``) and the adapters, and prints. It owns the
exit codes and the one-line error messages; it must not hold business rules of its own.

* :mod:`._commands` — the parser and one function per command;
* :mod:`._demo` — the demo, one function per step of the story;
* :mod:`._support` — opening stores, key rings and secrets named on the command line;
* :mod:`._text` — text tables that keep their columns with Japanese (double-width) text.
"""

from surety_core.cli._commands import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, EXIT_REJECTED, main

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_OK", "EXIT_REJECTED", "main"]
