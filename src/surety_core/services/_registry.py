"""The obligee's registry (private; see :mod:`surety_core.services`).

Owns the obligee's view (閲覧): a guarantee contract number and its authentication key open the
contract, its version history and its signed certificates. The key is checked by
:func:`~surety_core.keys.check_key` under the attempt limiter; every attempt that reaches the
store is audited (never the key), and a failed attempt is committed before it is raised.

Must not know: signing keys, rate tables, policies or the approval hook. It is built from a
store and a secret provider alone (plus, optionally, a limiter, the product set and a clock),
so an obligee-facing process holds no private key. Nor SQL, SMTP or PDF.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, tzinfo

from surety_core import _validation as v
from surety_core._errors import (
    ConfigurationError,
    CorruptRecordError,
    InvalidInputError,
    KeyFormatError,
    KeyReplacedError,
    SuretyError,
)
from surety_core.audit._chain import AuditAction
from surety_core.domain._model import GuaranteeStatus
from surety_core.domain._products import ProductRegistry
from surety_core.domain._standard import default_products
from surety_core.keys._format import AuthKey, parse_key_quietly
from surety_core.keys._limiter import (
    AttemptLimiter,
    KeyCheck,
    KeyCheckOutcome,
    WindowAttemptLimiter,
    check_key,
    normalize_contract_number,
)
from surety_core.keys._replaced import replaced_key
from surety_core.keys._secrets import KeyProtector, SecretProvider
from surety_core.services._fingerprint import MISMATCH, fingerprint_check
from surety_core.services._results import ObligeeView, VersionView
from surety_core.services._runtime import (
    BUSINESS_ZONE,
    Clock,
    Runtime,
    Step,
    check_actor,
    check_secrets,
    utc_now,
)
from surety_core.storage._protocols import Store
from surety_core.storage._records import KeyRecord

__all__ = ["ObligeeRegistry"]

log = logging.getLogger("surety_core.services")


class ObligeeRegistry:
    """The obligee's side of the workflow: :meth:`view`, on any store.

    * ``store``: a :class:`~surety_core.storage.Store`.
    * ``secrets``: the secret provider whose HMAC keys check the authentication keys.
    * ``limiter``: the attempt limiter (default: the window limiter).
    * ``products``: the product set, for the product names (default: the built-in three).
    * ``clock``, ``today``, ``zone``, ``retries``: see :class:`~surety_core.services.SuretyService`.
    """

    def __init__(
        self,
        store: Store,
        secrets: SecretProvider,
        *,
        limiter: AttemptLimiter | None = None,
        products: ProductRegistry | None = None,
        clock: Clock = utc_now,
        today: Callable[[], date] | None = None,
        zone: tzinfo | str = BUSINESS_ZONE,
        retries: int = 5,
    ) -> None:
        products = default_products() if products is None else products
        v.require(products, ProductRegistry, "products")
        if limiter is not None and not callable(getattr(limiter, "check", None)):
            raise InvalidInputError(
                "limiter", f"must be an AttemptLimiter, not {type(limiter).__name__}"
            )
        self._runtime = Runtime(
            store,
            secrets=secrets,
            clock=clock,
            today=today,
            retries=retries,
            zone=zone,
            first_use=fingerprint_check(KeyProtector(check_secrets(secrets)), write=False),
        )
        self._protector = KeyProtector(check_secrets(secrets))
        self._limiter = limiter
        self._products = products
        self._matched: set[tuple[str, str]] = set()
        """(HMAC id, encryption id) pairs whose secrets opened a stored key record."""

    def __repr__(self) -> str:
        return f"ObligeeRegistry(products={len(self._products)})"

    @property
    def products(self) -> ProductRegistry:
        return self._products

    def _secrets_match(self, record: KeyRecord | None) -> None:
        """A :class:`~surety_core.ConfigurationError` when the secrets in use do not fit the
        stored key record (another secret file than at issuance): the sealed key must decrypt
        and its HMAC digest must match, which is the stored fingerprint of both secrets.
        Checked before the given key is compared, so a setup mistake is never counted as a
        failed attempt."""
        if record is None:
            return
        ids = (record.hmac_key_id, record.encryption_key_id)
        if ids in self._matched:
            # These secrets already opened a record sealed under the same ids in this store:
            # they are the issuer's (a record that fails now is corrupt, and is reported as
            # such by the key check, not as a setup mistake).
            return
        try:
            # the encryption key opens the sealed key, and the HMAC secret gives its digest
            sealed = self._protector.unseal(record)
            if not self._protector.matches(record, sealed):
                raise ConfigurationError("the HMAC secret differs")
        except (ConfigurationError, CorruptRecordError):
            raise ConfigurationError(MISMATCH) from None
        if len(self._matched) < 64:
            self._matched.add(ids)

    def unlock(self, number: str, *, actor: str = "operator") -> bool:
        """Clear the attempt limiter's state for ``number`` (an operator's action, audited as
        ``attempts_cleared``); ``True`` when there was a state to clear."""
        compact = normalize_contract_number(number)

        def work(step: Step) -> bool:
            had = step.uow.attempts.get(compact) is not None
            step.uow.attempts.clear(compact)
            step.audit(AuditAction.ATTEMPTS_CLEARED, compact, {"had_state": str(had).lower()})
            return had

        return self._runtime.run(work, actor=actor)

    def view(self, number: str, key: str | AuthKey, *, actor: str = "obligee") -> ObligeeView:
        """The registry view for a guarantee contract number + authentication key (閲覧).

        A typo in the key raises :class:`~surety_core.KeyFormatError` and a malformed number
        :class:`~surety_core.InvalidInputError`, both before any look-up. A wrong key and an
        unknown number raise the same :class:`~surety_core.VerificationError`; too many
        failures raise :class:`~surety_core.AttemptsExceededError`, even with the right key.
        The key that the last re-issue replaced raises :class:`~surety_core.KeyReplacedError`
        (a ``VerificationError``, counted as a failure like any other) so that the obligee asks
        for the new key notice.
        Every attempt that reaches the store is audited (never the key).
        """
        parsed = parse_key_quietly(key)
        del key  # no typed key text stays in this frame (crash reports show frame locals)
        if isinstance(parsed, KeyFormatError):
            raise parsed
        auth_key = parsed
        compact = normalize_contract_number(number)
        # Every audited field is checked before the key is compared (the actor here; the
        # subject and details are the normalised number and digits).
        check_actor(actor)
        compared: list[datetime] = []
        replaced_on: list[datetime | None] = []

        def work(step: Step) -> tuple[KeyCheck, ObligeeView | None]:
            uow = step.uow
            prefetch = getattr(uow, "prefetch_view", None)
            if callable(prefetch):
                prefetch(compact)  # a SQL store reads the rows below in one statement
            self._secrets_match(uow.keys.active(compact))
            check = check_key(
                uow,
                compact,
                auth_key,
                protector=self._protector,
                now=step.now,
                limiter=self._limiter,
            )
            if check.outcome is not KeyCheckOutcome.REFUSED:
                compared.append(step.now)
            if check.record is None:
                refused = check.outcome is KeyCheckOutcome.REFUSED
                replaced = None if refused else self._replaced(step, compact, auth_key)
                step.audit(
                    AuditAction.VERIFY_REFUSED if refused else AuditAction.VERIFY_FAILED,
                    compact,
                    {} if replaced is None else {"replaced_generation": str(replaced.generation)},
                )
                replaced_on.append(None if replaced is None else replaced.revoked_at)
                return check, None
            contract = uow.contracts.get(compact)
            history = tuple(uow.certificates.history(compact))
            step.audit(
                AuditAction.VERIFY_SUCCEEDED,
                compact,
                {"generation": str(check.record.generation), "version": str(contract.version)},
            )
            status = contract.status
            if status is GuaranteeStatus.ISSUED and step.today > contract.period.end:
                status = GuaranteeStatus.EXPIRED
            return check, ObligeeView(
                number=compact,
                product=contract.product,
                product_name=self._products.name_of(contract.product),
                status=status,
                current_version=contract.version,
                contract=contract,
                versions=tuple(VersionView.of(x) for x in contract.versions),
                certificate=history[-1],
                history=history,
                viewed_at=step.now,
            )

        # A failure is committed (limiter state and audit event) before it is raised.
        try:
            check, view = self._runtime.run(work, actor=actor)
        except Exception:
            # Whatever failed after the key was compared rolled the unit of work back: count
            # the attempt as a failure in a unit of work of its own, so no guess goes uncounted.
            if compared:
                self._count_failure(compact, compared[-1])
            raise
        if view is None:
            revoked_at = replaced_on[-1] if replaced_on else None
            if revoked_at is not None:
                raise KeyReplacedError(revoked_at.astimezone(self._runtime.zone).date())
            check.raise_for_outcome()
            raise AssertionError("a failed check always raises")  # pragma: no cover
        return view

    def _replaced(self, step: Step, number: str, key: AuthKey) -> KeyRecord | None:
        """The key record that ``key`` opened before a re-issue replaced it (see
        :func:`~surety_core.keys._replaced.replaced_key`); only asked after a counted failure."""
        return replaced_key(step.uow.keys, self._protector, number, key, now=step.now)

    def _count_failure(self, number: str, now: datetime) -> None:
        limiter = self._limiter if self._limiter is not None else WindowAttemptLimiter()
        try:
            with self._runtime.store.unit_of_work() as uow:
                limiter.failed(uow.attempts, number, uow.attempts.get(number), now)
        except SuretyError:
            log.warning("could not count a failed verification of %s", number)
