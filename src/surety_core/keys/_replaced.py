"""Telling a replaced key from a wrong one (private; see :mod:`surety_core.keys`).

After a key re-issue the obligee may still hold the old key notice. When a verification failed,
:func:`replaced_key` says whether the key given is the one the last re-issue replaced, so the
view can tell the obligee to ask for the new notice instead of "wrong key". It is asked only
after the attempt was counted as a failure (the limiter is not weakened: a lockout still
refuses first, and a replaced key never opens anything), and it does the same work whatever the
answer — one read of the number's key history and one HMAC compared in constant time — so that
neither its time nor a guess tells an unknown number from a re-issued one.

Must not know: the audit log, contracts, services. It never logs a key.
"""

from __future__ import annotations

from datetime import datetime

from surety_core.keys._format import AuthKey
from surety_core.keys._limiter import _same_work_as_a_hit
from surety_core.keys._secrets import KeyProtector
from surety_core.storage._protocols import KeyRepository
from surety_core.storage._records import KeyRecord, KeyStatus

__all__ = ["replaced_key"]


def replaced_key(
    keys: KeyRepository, protector: KeyProtector, number: str, key: AuthKey, *, now: datetime
) -> KeyRecord | None:
    """The revoked key record of contract ``number`` that ``key`` opens, or ``None``.

    Only the latest revoked generation is compared (the key the last re-issue replaced): one
    HMAC whatever the history holds. An older key, an unknown number and a wrong key give
    ``None`` after the same work.
    """
    revoked = [r for r in keys.history(number) if r.status is KeyStatus.REVOKED]
    if not revoked:
        _same_work_as_a_hit(protector, number, key, now)
        return None
    latest = max(revoked, key=lambda r: r.generation)
    return latest if protector.matches(latest, key) else None
