"""The keyed MAC a SQL store writes beside every data row and checks on read (private; see
``_sql``).

The MAC is keyed BLAKE2b (32 bytes, written as 64 hexadecimal digits) over the table's name,
the row's primary key (as the store names it in errors: ``0000000001``, ``0000000001/2``) and
the document's UTF-8 bytes, each of the first two preceded by its length, so that no two rows
share a message. A row whose MAC verifies was written by a holder of the key, from a record that
passed every validator, and is unchanged since: the store then decodes it without running the
validators again. Nothing in the row is secret; only the key is.

Owns: the MAC's message and its check. Must not know: the tables' columns or the records.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

from surety_core._errors import InvalidInputError

__all__ = ["RowMac"]

_PERSON: Final = b"surety-row-mac"
_MINIMUM: Final = 32
_MAXIMUM: Final = 64


class RowMac:
    """Seals and checks rows under one key (32 to 64 bytes)."""

    __slots__ = ("_keyed",)

    def __init__(self, key: bytes) -> None:
        if not isinstance(key, bytes | bytearray):
            raise InvalidInputError("row_mac_key", "must be bytes")
        if not _MINIMUM <= len(key) <= _MAXIMUM:
            raise InvalidInputError("row_mac_key", f"must be {_MINIMUM} to {_MAXIMUM} bytes")
        self._keyed: Final = hashlib.blake2b(key=bytes(key), digest_size=32, person=_PERSON)
        """The keyed state before any message, copied for each MAC (cheaper than keying)."""

    def __repr__(self) -> str:
        return "<RowMac>"  # never the key

    def seal(self, table: str, key: str, document: str) -> str:
        """The MAC of ``document`` stored in ``table`` under the primary key ``key``."""
        digest = self._keyed.copy()
        digest.update(f"{len(table)}:{table}{len(key)}:{key}".encode())
        digest.update(document.encode() if isinstance(document, str) else document)
        return digest.hexdigest()

    def verifies(self, table: str, key: str, document: str, mac: str) -> bool:
        """Whether ``mac`` is the MAC of this row (compared in constant time)."""
        if not isinstance(mac, str) or not mac.isascii():
            return False
        return hmac.compare_digest(self.seal(table, key, document), mac)
