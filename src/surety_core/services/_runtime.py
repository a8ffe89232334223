"""The runtime every service runs on (private; see :mod:`surety_core.services`).

Owns the unit-of-work plumbing shared by the issuer, the portal and the registry: the actor
checked once per call, the store's unit of work opened, the clock read once per attempt (and the
business date derived from it), the audit event appended in the same transaction, and the retry
of a unit of work that lost an audit-log race. A service method reads: check → load → domain
decision → write → audit, inside :meth:`Runtime.run`.

Must not know: which service calls it, what a key, a signature, a rate or a product is, and how
any store is built (it sees only the :class:`~surety_core.storage.Store` protocol).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, tzinfo
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import (
    ConcurrencyConflictError,
    DuplicateError,
    InvalidInputError,
    NotFoundError,
    TransactionConflictError,
)
from surety_core.audit._chain import AuditAction, append_event, check_event_fields
from surety_core.domain._model import GuaranteeContract
from surety_core.keys._secrets import SecretProvider
from surety_core.storage._protocols import Store, UnitOfWork

__all__ = [
    "BUSINESS_ZONE",
    "Clock",
    "Runtime",
    "Step",
    "business_date",
    "business_zone",
    "check_actor",
    "check_callable",
    "check_secrets",
    "check_store",
    "owned_contract",
    "utc_now",
]

log = logging.getLogger("surety_core.services")

R = TypeVar("R")

Clock = Callable[[], datetime]
"""Returns the current time as an aware ``datetime``."""


def utc_now() -> datetime:
    """The current time in UTC (the default clock)."""
    return datetime.now(UTC)


BUSINESS_ZONE: tzinfo = ZoneInfo("Asia/Tokyo")
"""The zone business dates are taken in by default: Japan (Asia/Tokyo)."""


def business_zone(zone: Any) -> tzinfo:
    """``zone`` as a ``tzinfo``: a ``tzinfo`` as is, or an IANA name such as ``Asia/Tokyo``."""
    if isinstance(zone, tzinfo):
        return zone
    if isinstance(zone, str) and 0 < len(zone) <= 64:
        try:
            return ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    raise InvalidInputError("zone", "must be a tzinfo or an IANA zone name such as Asia/Tokyo")


def business_date(now: datetime, zone: tzinfo = BUSINESS_ZONE) -> date:
    """The business date (issue date, effective date, expiry) at the instant ``now``: the date
    in ``zone`` (Japan by default), so that 08:30 JST on 1 April is 1 April everywhere.

    The one clock → date conversion of the services; the domain receives dates only.
    """
    return v.require_aware(now, "now").astimezone(zone).date()


def check_actor(actor: Any) -> str:
    """The trimmed actor name; non-empty text of at most 200 characters that the audit log
    accepts (no control characters, lone surrogates or anything shaped like a key), else
    :class:`~surety_core.InvalidInputError`. Checked before anything is looked up or compared,
    so that no audited operation can fail at its audit event after doing its work."""
    if not isinstance(actor, str) or not actor.strip() or len(actor) > 200:
        raise InvalidInputError("actor", "must be non-empty text of at most 200 characters")
    who = _CHECKED_ACTORS.get(actor)
    if who is not None and type(actor) is str:
        return who
    who = actor.strip()
    try:
        check_event_fields(actor=who, action=AuditAction.APPLIED, subject="-")
    except InvalidInputError as exc:
        raise InvalidInputError("actor", exc.reason) from None
    if type(actor) is str:
        if len(_CHECKED_ACTORS) >= 256:
            _CHECKED_ACTORS.clear()
        _CHECKED_ACTORS[actor] = who
    return who


_CHECKED_ACTORS: dict[str, str] = {}
"""Actor names already accepted (the check is pure): a service checks its actor on every call."""


def check_store(store: Any) -> Store:
    """``store`` when it is a :class:`~surety_core.storage.Store`; else an
    :class:`~surety_core.InvalidInputError` naming ``store`` (a path string is not a store)."""
    if not isinstance(store, Store):
        hint = (
            ": open one first, for example surety_core.storage.sql.sqlite_store(path), or use "
            "surety_core.development_service(path)"
            if isinstance(store, (str, bytes)) or hasattr(store, "__fspath__")
            else ""
        )
        raise InvalidInputError("store", f"must be a Store, not {type(store).__name__}{hint}")
    return store


def check_secrets(secrets: Any) -> SecretProvider:
    """``secrets`` when it is a :class:`~surety_core.keys.SecretProvider`; else an
    :class:`~surety_core.InvalidInputError` naming ``secrets``."""
    if not isinstance(secrets, SecretProvider):
        raise InvalidInputError(
            "secrets",
            f"must be a SecretProvider (for example surety_core.keys.StaticSecretProvider), "
            f"not {type(secrets).__name__}",
        )
    return secrets


def check_callable(value: Any, name: str, what: str) -> None:
    """An :class:`~surety_core.InvalidInputError` naming ``name`` unless ``value`` is callable
    (or ``None``)."""
    if value is not None and not callable(value):
        raise InvalidInputError(name, f"must be {what}, not {type(value).__name__}")


class _AuditConflictError(TransactionConflictError):
    """Another writer appended to the audit log first: safe to retry the whole unit of work."""


@frozen
class Step:
    """One attempt of one unit of work: the open ``uow``, the time ``now`` read once, the
    business date ``today``, the checked ``actor`` and the ``secrets`` that key the audit log.

    The events of :meth:`audit` are chained and appended when the work is done, last in its
    unit of work (see :meth:`Runtime.run`): a store that serialises writers on the chain's head
    holds it for the append and the commit only, never while the work runs, and a unit of work
    takes the head after every other lock it takes (no lock-order deadlock with it).
    """

    uow: UnitOfWork
    now: datetime
    today: date
    actor: str
    secrets: SecretProvider
    _events: list[tuple[AuditAction, str, tuple[tuple[str, str], ...]]] = field(
        factory=list, init=False, repr=False, eq=False
    )

    def audit(
        self,
        action: AuditAction,
        subject: str,
        details: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    ) -> None:
        """Record the audit event of this step (at :attr:`now`, by :attr:`actor`); it is
        appended to the log when the work returns, in the same transaction."""
        pairs = tuple(details.items()) if isinstance(details, Mapping) else tuple(details)
        self._events.append((action, subject, pairs))

    def append_audit_events(self) -> None:
        """Chain and append the events recorded so far, in order (the runtime calls this when
        the work returns, before the commit)."""
        events, self._events[:] = list(self._events), []
        for action, subject, details in events:
            try:
                append_event(
                    self.uow.audit,
                    secrets=self.secrets,
                    at=self.now,
                    actor=self.actor,
                    action=action,
                    subject=subject,
                    details=details,
                )
            except ConcurrencyConflictError as exc:
                raise _AuditConflictError(str(exc)) from None


class Runtime:
    """Runs a service's work in one unit of work of ``store``.

    * ``secrets``: the secret provider whose current HMAC secret keys each audit event.
    * ``clock``: returns an aware ``datetime``; read once per attempt.
    * ``today``: the business date (default: :func:`business_date` of the clock's time).
    * ``zone``: the zone of business dates (default Asia/Tokyo; a ``tzinfo`` or IANA name).
    * ``retries``: how often a unit of work is retried when it lost a race with a concurrent
      one (:class:`~surety_core.TransactionConflictError`: a deadlock, a serialization
      failure, the audit log's head or a works' contracts changed meanwhile), after a short
      random pause; never for a contract changed by someone else: that conflict is the
      caller's.
    * ``first_use``: a check run once, in a unit of work of its own, before the first work
      (again on the next call when it raised); the services check the secrets fingerprint so.
    """

    __slots__ = ("_clock", "_first_use", "_today", "retries", "secrets", "store", "zone")

    def __init__(
        self,
        store: Store,
        *,
        secrets: SecretProvider,
        clock: Clock = utc_now,
        today: Callable[[], date] | None = None,
        retries: int = 5,
        zone: tzinfo | str = BUSINESS_ZONE,
        first_use: Callable[[UnitOfWork, datetime], None] | None = None,
    ) -> None:
        check_store(store)
        if not callable(clock):
            raise InvalidInputError("clock", "must be a callable returning an aware datetime")
        if today is not None and not callable(today):
            raise InvalidInputError("today", "must be a callable returning a date")
        if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= 100:
            raise InvalidInputError("retries", "must be an integer in 0..100")
        if not isinstance(secrets, SecretProvider):
            raise InvalidInputError("secrets", "must be a SecretProvider")
        self.store = store
        self.secrets = secrets
        self._clock = clock
        self._today = today
        self.retries = retries
        self.zone = business_zone(zone)
        self._first_use = first_use

    def __repr__(self) -> str:
        return f"Runtime(store={type(self.store).__name__}, retries={self.retries})"

    def now(self) -> datetime:
        """The clock's time; a naive one is refused."""
        return v.require_aware(self._clock(), "clock")

    def business_date(self, now: datetime) -> date:
        """The business date at ``now`` (``today()`` when given, else the date in the zone)."""
        return self._today() if self._today is not None else business_date(now, self.zone)

    def run(self, work: Callable[[Step], R], *, actor: str) -> R:
        """Check ``actor``, then run ``work`` in a unit of work (committed when it returns,
        rolled back when it raises), retrying audit-log races. The audit events the work
        recorded are appended after it returns, last before the commit."""
        who = check_actor(actor)
        if self._first_use is not None:
            self._run_first_use(self._first_use)
        for attempt in range(self.retries + 1):
            try:
                with self.store.unit_of_work() as uow:
                    now = self.now()
                    step = Step(uow, now, self.business_date(now), who, self.secrets)
                    result = work(step)
                    step.append_audit_events()
                    return result
            except TransactionConflictError:
                if attempt == self.retries:
                    raise
                log.debug("unit of work lost a race; retrying (attempt %d)", attempt + 1)
                time.sleep(random.uniform(0, 0.002 * 2**attempt))  # noqa: S311 (jitter)
        raise AssertionError("unreachable")  # pragma: no cover

    def _run_first_use(self, check: Callable[[UnitOfWork, datetime], None]) -> None:
        for attempt in range(self.retries + 1):
            try:
                with self.store.unit_of_work() as uow:
                    check(uow, self.now())
            except (TransactionConflictError, DuplicateError):
                if attempt == self.retries:
                    raise
                time.sleep(random.uniform(0, 0.002 * 2**attempt))  # noqa: S311 (jitter)
                continue
            self._first_use = None  # passed: never again in this process
            return


def owned_contract(uow: UnitOfWork, number: str, principal_id: str) -> GuaranteeContract:
    """The contract ``number`` when the principal ``principal_id`` holds it; otherwise the
    same :class:`~surety_core.NotFoundError` for "absent" and "someone else's"."""
    contract = uow.contracts.find(number)
    if contract is None or contract.principal.identifier != principal_id:
        raise NotFoundError(f"no guarantee contract {number} for this principal")
    return contract
