"""The façade over the three actors' services (private; see :mod:`surety_core.services`).

Owns :class:`SuretyService`: today's constructor and methods, kept so that a host's code keeps
working. It builds a :class:`~._issuer.SuretyIssuer`, a :class:`~._portal.ContractorPortal` and
an :class:`~._registry.ObligeeRegistry` from its arguments and delegates each method to the one
whose actor performs it.

Must not know: any step of the workflow itself (no unit of work, audit or domain call is written
here), nor SQL, SMTP or PDF.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, tzinfo

from surety_core._errors import KeyFormatError
from surety_core.audit._chain import AuditReport
from surety_core.audit._checkpoint import AuditCheckpoint
from surety_core.certificates._signing import CertificateContent, SigningKeyRing, TrustedKeySet
from surety_core.domain._fees import RateTable
from surety_core.domain._model import Amendment, Application, GuaranteeContract, Surety
from surety_core.domain._payments import FeeCoverage, PaymentMethod
from surety_core.domain._products import ProductRegistry
from surety_core.keys._format import AuthKey, parse_key_quietly
from surety_core.keys._limiter import AttemptLimiter
from surety_core.keys._secrets import SecretProvider
from surety_core.services._issuer import (
    ApprovalHook,
    ArrangementSource,
    PolicySource,
    SuretyIssuer,
)
from surety_core.services._portal import ContractorPortal
from surety_core.services._registry import ObligeeRegistry
from surety_core.services._results import (
    AmendmentResult,
    ApplicationReceipt,
    ClaimResult,
    GuaranteeDetails,
    GuaranteeSummary,
    IssuanceResult,
    KeyNotice,
    ObligeeView,
    PaymentResult,
    ReleaseResult,
)
from surety_core.services._runtime import BUSINESS_ZONE, Clock, utc_now
from surety_core.storage._protocols import ContractQuery, Page, Store

__all__ = ["SuretyService"]


class SuretyService:
    """All services of the three actors on one store: the issuer's (:attr:`issuer`), the
    contractor's portal (:attr:`portal`) and the obligee's registry (:attr:`registry`).

    A process that serves one actor only should build that actor's service instead: an
    obligee-facing process needs an :class:`~surety_core.services.ObligeeRegistry`, which holds
    no signing key and no rate table.

    * ``store``: a :class:`~surety_core.storage.Store` (ours or the host's).
    * ``surety``: the surety company issuing the guarantees.
    * ``secrets``: HMAC and encryption secrets for the keys (:mod:`surety_core.keys`).
    * ``signing_keys``: the surety's Ed25519 keys (:mod:`surety_core.certificates`).
    * ``rate_table``: fee rates as data; ``policies``: each obligee's policy.
    * ``products``: the product set (default: the three built-in products).
    * ``limiter``: the attempt limiter for the obligee view (default: the window limiter).
    * ``clock``: returns an aware ``datetime`` (default UTC now); the business date is the
      clock's date in ``zone`` (default Asia/Tokyo, a ``tzinfo`` or IANA name) unless ``today``
      is given.
    * ``approval``: an optional hook called before issuance.
    * ``retries``: how often a unit of work is retried when it lost a race with a concurrent
      one (:class:`~surety_core.TransactionConflictError`); never for a contract changed by
      someone else: that conflict is the caller's.
    """

    def __init__(
        self,
        store: Store,
        *,
        surety: Surety,
        secrets: SecretProvider,
        signing_keys: SigningKeyRing,
        rate_table: RateTable,
        policies: PolicySource,
        products: ProductRegistry | None = None,
        limiter: AttemptLimiter | None = None,
        clock: Clock = utc_now,
        today: Callable[[], date] | None = None,
        zone: tzinfo | str = BUSINESS_ZONE,
        approval: ApprovalHook | None = None,
        retries: int = 5,
        portal_name: str = "受注者向けポータル",
        arrangements: ArrangementSource | None = None,
    ) -> None:
        self.issuer = SuretyIssuer(
            store,
            surety=surety,
            secrets=secrets,
            signing_keys=signing_keys,
            rate_table=rate_table,
            policies=policies,
            products=products,
            clock=clock,
            today=today,
            zone=zone,
            approval=approval,
            retries=retries,
            portal_name=portal_name,
            arrangements=arrangements,
        )
        products = self.issuer.products
        self.portal = ContractorPortal(
            store,
            secrets,
            products=products,
            clock=clock,
            today=today,
            zone=zone,
            retries=retries,
        )
        self.registry = ObligeeRegistry(
            store,
            secrets,
            limiter=limiter,
            products=products,
            clock=clock,
            today=today,
            zone=zone,
            retries=retries,
        )

    def __repr__(self) -> str:
        return f"SuretyService(surety={self.issuer.surety.code!r})"

    @property
    def products(self) -> ProductRegistry:
        return self.issuer.products

    @property
    def surety(self) -> Surety:
        return self.issuer.surety

    @property
    def trusted_keys(self) -> TrustedKeySet:
        """The public keys that verify the certificates this service signs."""
        return self.issuer.trusted_keys

    # -- the surety's issuer -------------------------------------------------------------

    def apply(self, application: Application, *, actor: str = "principal") -> ApplicationReceipt:
        """:meth:`SuretyIssuer.apply <surety_core.services.SuretyIssuer.apply>`."""
        return self.issuer.apply(application, actor=actor)

    def issue(self, reference: str, *, actor: str = "surety") -> IssuanceResult:
        """:meth:`SuretyIssuer.issue <surety_core.services.SuretyIssuer.issue>`."""
        return self.issuer.issue(reference, actor=actor)

    def issue_many(
        self, references: Iterable[str], *, actor: str = "surety"
    ) -> tuple[IssuanceResult, ...]:
        """:meth:`SuretyIssuer.issue_many <surety_core.services.SuretyIssuer.issue_many>`."""
        return self.issuer.issue_many(references, actor=actor)

    def apply_and_issue(self, application: Application, *, actor: str = "surety") -> IssuanceResult:
        """:meth:`SuretyIssuer.apply_and_issue
        <surety_core.services.SuretyIssuer.apply_and_issue>`."""
        return self.issuer.apply_and_issue(application, actor=actor)

    def record_payment(
        self,
        reference: str,
        *,
        amount: int,
        received_on: date,
        method: PaymentMethod,
        payer: str | None = None,
        actor: str = "surety",
    ) -> PaymentResult:
        """:meth:`SuretyIssuer.record_payment
        <surety_core.services.SuretyIssuer.record_payment>`."""
        return self.issuer.record_payment(
            reference,
            amount=amount,
            received_on=received_on,
            method=method,
            payer=payer,
            actor=actor,
        )

    def fee_coverage(self, reference: str, *, actor: str = "surety") -> FeeCoverage:
        """:meth:`SuretyIssuer.fee_coverage <surety_core.services.SuretyIssuer.fee_coverage>`."""
        return self.issuer.fee_coverage(reference, actor=actor)

    def amend(self, number: str, amendment: Amendment, *, actor: str = "surety") -> AmendmentResult:
        """:meth:`SuretyIssuer.amend <surety_core.services.SuretyIssuer.amend>`."""
        return self.issuer.amend(number, amendment, actor=actor)

    def release(self, number: str, on: date, *, actor: str = "surety") -> ReleaseResult:
        """:meth:`SuretyIssuer.release <surety_core.services.SuretyIssuer.release>`."""
        return self.issuer.release(number, on, actor=actor)

    def claim(
        self,
        number: str,
        on: date,
        *,
        advance_paid: int | None = None,
        completed_value: int | None = None,
        partial_payments: int = 0,
        paid_by_others: int = 0,
        penalty: int | None = None,
        default_on: date | None = None,
        actor: str = "surety",
    ) -> ClaimResult:
        """:meth:`SuretyIssuer.claim <surety_core.services.SuretyIssuer.claim>`."""
        return self.issuer.claim(
            number,
            on,
            advance_paid=advance_paid,
            completed_value=completed_value,
            partial_payments=partial_payments,
            paid_by_others=paid_by_others,
            penalty=penalty,
            default_on=default_on,
            actor=actor,
        )

    def complete(self, number: str, on: date, *, actor: str = "surety") -> GuaranteeContract:
        """:meth:`SuretyIssuer.complete <surety_core.services.SuretyIssuer.complete>`."""
        return self.issuer.complete(number, on, actor=actor)

    def expire(self, number: str, on: date, *, actor: str = "surety") -> GuaranteeContract:
        """:meth:`SuretyIssuer.expire <surety_core.services.SuretyIssuer.expire>`."""
        return self.issuer.expire(number, on, actor=actor)

    def verify_audit_log(self, *, checkpoint: AuditCheckpoint | None = None) -> AuditReport:
        """:meth:`SuretyIssuer.verify_audit_log
        <surety_core.services.SuretyIssuer.verify_audit_log>`."""
        return self.issuer.verify_audit_log(checkpoint=checkpoint)

    def checkpoint_audit_log(self, *, checkpoint: AuditCheckpoint | None = None) -> AuditCheckpoint:
        """:meth:`SuretyIssuer.checkpoint_audit_log
        <surety_core.services.SuretyIssuer.checkpoint_audit_log>`."""
        return self.issuer.checkpoint_audit_log(checkpoint=checkpoint)

    def paper_certificate(self, number: str, *, actor: str = "surety") -> CertificateContent:
        """:meth:`SuretyIssuer.paper_certificate
        <surety_core.services.SuretyIssuer.paper_certificate>`."""
        return self.issuer.paper_certificate(number, actor=actor)

    def reissue_key(self, number: str, *, principal_id: str, actor: str = "surety") -> KeyNotice:
        """:meth:`SuretyIssuer.reissue_key <surety_core.services.SuretyIssuer.reissue_key>`."""
        return self.issuer.reissue_key(number, principal_id=principal_id, actor=actor)

    # -- the contractor's portal ---------------------------------------------------------

    def history(self, query: ContractQuery) -> Page[GuaranteeSummary]:
        """:meth:`ContractorPortal.history <surety_core.services.ContractorPortal.history>`."""
        return self.portal.history(query)

    def details(self, number: str, *, principal_id: str) -> GuaranteeDetails:
        """:meth:`ContractorPortal.details <surety_core.services.ContractorPortal.details>`."""
        return self.portal.details(number, principal_id=principal_id)

    def key_notice(self, number: str, *, principal_id: str, actor: str = "principal") -> KeyNotice:
        """:meth:`ContractorPortal.key_notice
        <surety_core.services.ContractorPortal.key_notice>`."""
        return self.portal.key_notice(number, principal_id=principal_id, actor=actor)

    # -- the obligee's registry ----------------------------------------------------------

    def view(self, number: str, key: str | AuthKey, *, actor: str = "obligee") -> ObligeeView:
        """:meth:`ObligeeRegistry.view <surety_core.services.ObligeeRegistry.view>`."""
        parsed = parse_key_quietly(key)
        del key  # no typed key text stays in this frame (crash reports show frame locals)
        if isinstance(parsed, KeyFormatError):
            raise parsed
        return self.registry.view(number, parsed, actor=actor)

    def unlock(self, number: str, *, actor: str = "operator") -> bool:
        """:meth:`ObligeeRegistry.unlock <surety_core.services.ObligeeRegistry.unlock>`."""
        return self.registry.unlock(number, actor=actor)
