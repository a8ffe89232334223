"""The secrets fingerprint check every service runs before its first work (private).

The key store keeps one key record under the reserved number
:data:`~surety_core.keys.SECRETS_FINGERPRINT_NUMBER`, sealed with the secrets the database was
written with. A service given other secrets (another secret file, a wrong environment variable)
refuses with :class:`~surety_core.ConfigurationError` before anything is read, compared or
counted, so a setup mistake never looks like a wrong key and never locks a number.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from surety_core._errors import ConfigurationError
from surety_core.keys._secrets import SECRETS_FINGERPRINT_NUMBER, KeyProtector
from surety_core.storage._protocols import UnitOfWork

__all__ = ["MISMATCH", "fingerprint_check"]

MISMATCH = (
    "these secrets do not match this database: they cannot open the key records sealed at "
    "issuance (use the secrets the issuer used); nothing was counted"
)


def fingerprint_check(
    protector: KeyProtector, *, write: bool
) -> Callable[[UnitOfWork, datetime], None]:
    """The check for :class:`~surety_core.services._runtime.Runtime`'s ``first_use``.

    ``write`` (the issuer): a database without a fingerprint gets one, and a fingerprint under
    secret ids that are no longer current is sealed again under the current ones (so that the
    old secrets can be retired after a rotation). Without ``write`` (the registry, the portal)
    a missing fingerprint is left alone: each key record is then checked on its own.
    """

    def check(uow: UnitOfWork, now: datetime) -> None:
        record = uow.keys.active(SECRETS_FINGERPRINT_NUMBER)
        if record is None:
            if write:
                uow.keys.add(protector.fingerprint(now))
            return
        if not protector.opens_fingerprint(record):
            raise ConfigurationError(MISMATCH)
        if write and protector.needs_reseal(record):
            uow.keys.revoke(SECRETS_FINGERPRINT_NUMBER, record.generation, now)
            uow.keys.add(protector.fingerprint(now, record.generation + 1))

    return check
