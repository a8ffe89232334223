"""The surety's issuer (private; see :mod:`surety_core.services`).

Owns every step that creates or changes a guarantee, and the privileges they need: apply,
issue (one or many), amend, release, claim, expire and key reissue. It is the only service that
holds the surety's Ed25519 signing keys, the rate table, the obligees' policies and the approval
hook. Each step runs in one unit of work of the shared :class:`~._runtime.Runtime` and reads:
check → load → domain decision (:mod:`surety_core.domain`) → write → audit.

Must not know: SQL, SMTP or PDF (it writes records through the store's protocols and queues
notices in the outbox), nor how an obligee's view or a contractor's page is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Protocol, TypeVar

import attrs
from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import (
    ConfigurationError,
    DuplicateError,
    InvalidInputError,
    NotFoundError,
    VerificationError,
)
from surety_core._serialization import to_json
from surety_core.audit._chain import AuditAction, AuditReport
from surety_core.audit._checkpoint import AuditCheckpoint, sign_checkpoint, verify_audit_log
from surety_core.certificates._signing import (
    CertificateContent,
    SigningKeyRing,
    TrustedKeySet,
    certificate_record,
    content_from_contract,
    sign_certificate,
    stated_terms,
)
from surety_core.domain._checks import check_application
from surety_core.domain._claims import ClaimSettlement
from surety_core.domain._fees import (
    FeeAdjustment,
    FeeStatement,
    RateTable,
    RefundStatement,
    fee_for_contract,
    fee_for_request,
    refund_on_release,
)
from surety_core.domain._lifecycle import amend as amend_contract
from surety_core.domain._lifecycle import claim as claim_contract
from surety_core.domain._lifecycle import complete as complete_contract
from surety_core.domain._lifecycle import expire as expire_contract
from surety_core.domain._lifecycle import issue as issue_contract
from surety_core.domain._lifecycle import release as release_contract
from surety_core.domain._model import (
    Amendment,
    Application,
    GuaranteeContract,
    GuaranteeStatus,
    Medium,
    ObligeeEvent,
    ObligeePolicy,
    Surety,
)
from surety_core.domain._payments import (
    ArrangementBook,
    FeeCoverage,
    Payment,
    PaymentArrangement,
    PaymentMethod,
    fee_coverage,
    receipt_for,
)
from surety_core.domain._products import ProductRegistry
from surety_core.domain._rules import raise_if_any
from surety_core.domain._standard import default_products
from surety_core.keys._format import AuthKey, generate_key
from surety_core.keys._limiter import normalize_contract_number
from surety_core.keys._limiter import reissue_key as reissue_key_record
from surety_core.keys._secrets import KeyProtector, SecretProvider
from surety_core.services._fingerprint import fingerprint_check
from surety_core.services._money import additional_due, amendment_fee, fee_charged
from surety_core.services._notices import (
    change_event,
    queue_contractor_notice,
    queue_obligee_notice,
)
from surety_core.services._results import (
    AmendmentResult,
    ApplicationReceipt,
    ClaimResult,
    IssuanceResult,
    IssuedGuarantee,
    KeyNotice,
    PaymentResult,
    ReleaseResult,
)
from surety_core.services._runtime import (
    BUSINESS_ZONE,
    Clock,
    Runtime,
    Step,
    check_callable,
    check_secrets,
    check_store,
    owned_contract,
    utc_now,
)
from surety_core.storage._protocols import Store, UnitOfWork
from surety_core.storage._records import CertificateRecord, StatementKind, StatementRecord

__all__ = ["ApprovalHook", "ArrangementSource", "PolicyBook", "PolicySource", "SuretyIssuer"]

R = TypeVar("R")

_JST = timezone(timedelta(hours=9), "JST")
"""The zone of a paper certificate's date (the documents print dates in Japan)."""

MAX_BATCH = 10_000
"""The most applications :meth:`SuretyIssuer.issue_many` issues in one unit of work."""


class PolicySource(Protocol):
    """Where the issuer finds each obligee's policy (a host may read its own table)."""

    def policy_for(self, obligee_code: str) -> ObligeePolicy:
        """The policy of the obligee with ``obligee_code``."""
        ...


class ArrangementSource(Protocol):
    """Where the issuer finds consolidated monthly payment arrangements (保証料一括納付);
    :class:`~surety_core.ArrangementBook` is one, a host may read its own table."""

    def arrangement_for(self, principal_id: str, on: date) -> PaymentArrangement | None:
        """The arrangement covering the contractor ``principal_id`` on ``on``, or ``None``."""
        ...


@frozen
class PolicyBook:
    """A :class:`PolicySource` from a fixed set of policies.

    An obligee without a policy is a setup mistake, not a business rule: :meth:`policy_for`
    raises :class:`~surety_core.ConfigurationError` naming it. An obligee that has not adopted
    electronic guarantees gets ``ObligeePolicy(code)`` (paper only, the usual caps and
    minimums).
    """

    policies: tuple[ObligeePolicy, ...] = field(
        converter=v.to_tuple, validator=v.tuple_of(ObligeePolicy, max_length=100_000)
    )
    _by_code: Mapping[str, ObligeePolicy] = field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        by_code = {p.obligee_code: p for p in self.policies}
        if len(by_code) != len(self.policies):
            raise InvalidInputError("PolicyBook.policies", "one policy per obligee code")
        object.__setattr__(self, "_by_code", by_code)

    def policy_for(self, obligee_code: str) -> ObligeePolicy:
        found = self._by_code.get(obligee_code)
        if found is None:
            known = ", ".join(sorted(self._by_code)[:20]) or "none"
            raise ConfigurationError(
                f"no policy for the obligee {str(obligee_code)[:40]!r} in the policy book "
                f"(obligees with a policy: {known}); add ObligeePolicy({str(obligee_code)[:40]!r}) "
                "to the PolicyBook (electronic_from=None for paper only)"
            )
        return found


ApprovalHook = Callable[[Application], None]
"""An optional approval step before issuance: called with the application; raise a
``SuretyError`` to refuse (nothing is issued then)."""

_STATUS_ACTION: Mapping[GuaranteeStatus, AuditAction] = {
    GuaranteeStatus.RELEASED: AuditAction.RELEASED,
    GuaranteeStatus.CLAIMED: AuditAction.CLAIMED,
    GuaranteeStatus.EXPIRED: AuditAction.EXPIRED,
    GuaranteeStatus.COMPLETED: AuditAction.COMPLETED,
}
"""The audit action of a change by the status it leads to (any other change is an amendment)."""


class SuretyIssuer:
    """The surety's side of the workflow, on any store.

    * ``store``: a :class:`~surety_core.storage.Store` (ours or the host's).
    * ``surety``: the surety company issuing the guarantees.
    * ``secrets``: HMAC and encryption secrets for the keys (:mod:`surety_core.keys`).
    * ``signing_keys``: the surety's Ed25519 keys (:mod:`surety_core.certificates`).
    * ``rate_table``: fee rates as data; ``policies``: each obligee's policy.
    * ``products``: the product set (default: the three built-in products).
    * ``clock``, ``today``, ``zone``, ``retries``: see :class:`~surety_core.services.SuretyService`.
    * ``approval``: an optional hook called before issuance.
    * ``arrangements``: the contractors' consolidated monthly payment arrangements
      (保証料一括納付); without one, issuance waits until the fee is received
      (:meth:`record_payment`), else rule ``FEE_NOT_RECEIVED``.
    * ``portal_name``: the contractors' portal named in the completion notice.
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
        clock: Clock = utc_now,
        today: Callable[[], date] | None = None,
        zone: tzinfo | str = BUSINESS_ZONE,
        approval: ApprovalHook | None = None,
        retries: int = 5,
        portal_name: str = "受注者向けポータル",
        arrangements: ArrangementSource | None = None,
    ) -> None:
        check_store(store)
        v.require(surety, Surety, "surety")
        check_secrets(secrets)
        v.require(signing_keys, SigningKeyRing, "signing_keys")
        v.require(rate_table, RateTable, "rate_table")
        products = default_products() if products is None else products
        v.require(products, ProductRegistry, "products")
        if isinstance(policies, ObligeePolicy) or not callable(
            getattr(policies, "policy_for", None)
        ):
            raise InvalidInputError(
                "policies",
                f"must be a PolicySource such as PolicyBook([...]), not {type(policies).__name__}",
            )
        check_callable(approval, "approval", "a callable taking the application")
        if not isinstance(portal_name, str) or not portal_name.strip() or len(portal_name) > 100:
            raise InvalidInputError(
                "portal_name", "must be non-empty text of at most 100 characters"
            )
        self._runtime = Runtime(
            store,
            secrets=secrets,
            clock=clock,
            today=today,
            retries=retries,
            zone=zone,
            first_use=fingerprint_check(KeyProtector(check_secrets(secrets)), write=True),
        )
        self._surety = surety
        self._protector = KeyProtector(secrets)
        self._signing = signing_keys
        self._rates = rate_table
        self._policies = policies
        self._products = products
        self._approval = approval
        self._portal_name = portal_name
        self._arrangements: ArrangementSource = (
            ArrangementBook() if arrangements is None else arrangements
        )

    def __repr__(self) -> str:
        return f"SuretyIssuer(surety={self._surety.code!r})"

    @property
    def products(self) -> ProductRegistry:
        return self._products

    @property
    def surety(self) -> Surety:
        return self._surety

    @property
    def trusted_keys(self) -> TrustedKeySet:
        """The public keys that verify this issuer's certificates (its signing ring's)."""
        return self._signing.trusted_keys()

    # -- writes shared by the steps ------------------------------------------------------

    def _sign(
        self, uow: UnitOfWork, contract: GuaranteeContract, now: datetime, *, new: bool = False
    ) -> CertificateRecord | None:
        """Sign the contract's current version as the next certificate version, under the
        terms its earlier version named (else the product's): ``None`` for a paper guarantee,
        only electronic content is signed. ``new``: the contract was added in this unit of work
        under a fresh number, so it has no history to read."""
        if contract.medium is not Medium.ELECTRONIC:
            return None
        history = () if new else uow.certificates.history(contract.number)
        previous = history[-1].digest if history else None
        terms = stated_terms(history[-1].document) if history else None
        content = content_from_contract(
            contract,
            issued_at=now,
            previous_digest=previous,
            terms=self._products.terms_of(contract.product) if terms is None else terms,
        )
        document = sign_certificate(content, self._signing)
        record = certificate_record(content, document, created_at=now, sequence=len(history) + 1)
        uow.certificates.add(record)
        return record

    def _add_statement(
        self,
        step: Step,
        number: str,
        kind: StatementKind,
        statement: FeeStatement | RefundStatement | ClaimSettlement | FeeAdjustment,
        *,
        new: bool = False,
    ) -> None:
        sequence = 1 if new else len(step.uow.statements.for_contract(number)) + 1
        step.uow.statements.add(
            StatementRecord(
                contract_number=number,
                sequence=sequence,
                kind=kind,
                document=to_json(statement),
                created_at=step.now,
            )
        )

    def _queue_notice(self, step: Step, contract: GuaranteeContract, recipient: str | None) -> None:
        """The contractor's completion notice, or amendment notice for a later version."""
        queue_contractor_notice(
            step,
            contract,
            recipient,
            portal_name=self._portal_name,
            product_names=self._products.names(),
        )

    def _tell_obligee(
        self,
        step: Step,
        contract: GuaranteeContract,
        event: ObligeeEvent | None,
        generation: int | None = None,
    ) -> None:
        """The obligee's notice of ``event``, when its policy asks for one (never a key)."""
        queue_obligee_notice(
            step,
            self._policies,
            contract,
            event,
            product_names=self._products.names(),
            generation=generation,
        )

    # -- apply and issue ----------------------------------------------------------------

    def apply(self, application: Application, *, actor: str = "principal") -> ApplicationReceipt:
        """Validate ``application`` against every rule and the obligee's policy, and record it.

        Raises :class:`~surety_core.RuleViolationError` with every violation, or
        :class:`~surety_core.DuplicateError` for a reference already used.
        """
        v.require(application, Application, "application")
        works = application.works
        policy = self._policies.policy_for(works.obligee.code)

        def work(step: Step) -> ApplicationReceipt:
            existing = step.uow.contracts.for_works(works.obligee.code, works.number)
            check_application(application, policy, products=self._products, existing=existing)
            step.uow.applications.add(application)
            step.audit(
                AuditAction.APPLIED,
                application.reference,
                {"requests": str(len(application.requests))},
            )
            fees = tuple(fee_for_request(self._rates, application, r) for r in application.requests)
            return ApplicationReceipt(application.reference, fees)

        return self._runtime.run(work, actor=actor)

    def issue(self, reference: str, *, actor: str = "surety") -> IssuanceResult:
        """Issue every guarantee of an applied application, in one transaction.

        Per request: a contract number, the guarantee contract (version 1), its signed
        certificate (paper too: the same content, recorded, with no key), the fee statement,
        and for electronic requests a new authentication key and the completion notice in the
        outbox. The rules are checked again against what exists now.
        """
        v.require(reference, str, "reference")
        return self._runtime.run(lambda step: self._issue_in(step, reference), actor=actor)

    def issue_many(
        self, references: Iterable[str], *, actor: str = "surety"
    ) -> tuple[IssuanceResult, ...]:
        """Issue several applied applications in **one** unit of work (bulk issuance).

        Each application is issued exactly as :meth:`issue` issues it (same checks, records,
        notices and audit events, in the order given). The trade-off: one transaction for the
        whole batch saves a commit per application, but any failure (an unknown or already
        issued reference, a rule violation, a refusal of the approval hook) rolls the **whole
        batch** back, and a SQLite store holds its write lock until the batch is done. Keep
        batches modest (hundreds) and fall back to :meth:`issue` to isolate a failing one.
        """
        if isinstance(references, str):
            raise InvalidInputError("references", "must be a collection of references, not text")
        try:
            refs = tuple(references)
        except TypeError:
            raise InvalidInputError("references", "must be a collection of references") from None
        if not all(isinstance(r, str) for r in refs):
            raise InvalidInputError("references", "every reference must be text")
        if len(set(refs)) != len(refs):
            raise InvalidInputError("references", "a reference appears twice")
        if len(refs) > MAX_BATCH:
            raise InvalidInputError("references", "at most 10,000 per batch")

        def work(step: Step) -> tuple[IssuanceResult, ...]:
            defer = getattr(step.uow, "defer_inserts", None)
            if callable(defer):
                defer()  # a SQL store writes each table's new rows with one executemany
            return tuple(self._issue_in(step, reference) for reference in refs)

        return self._runtime.run(work, actor=actor) if refs else ()

    def _issue_in(self, step: Step, reference: str) -> IssuanceResult:
        """Issue the application ``reference`` inside ``step`` (see :meth:`issue`)."""
        uow = step.uow
        application = uow.applications.get(reference)
        works = application.works
        policy = self._policies.policy_for(works.obligee.code)
        existing = uow.contracts.for_works(works.obligee.code, works.number)
        if any(c.application_reference == reference for c in existing):
            raise DuplicateError(f"application {reference} was already issued")
        check_application(application, policy, products=self._products, existing=existing)
        raise_if_any(list(self._coverage(uow, application, step.today).violations()))
        if self._approval is not None:
            self._approval(application)
        issued: list[IssuedGuarantee] = []
        for request in application.requests:
            contract = issue_contract(
                application,
                request,
                number=uow.numbers.allocate(),
                surety=self._surety,
                on=step.today,
            )
            uow.contracts.add(contract)
            # The number was allocated just now (never handed out before): it has no
            # certificate, statement or key yet, so none is read back.
            certificate = self._sign(uow, contract, step.now, new=True)
            fee = fee_for_contract(self._rates, contract)
            self._add_statement(step, contract.number, StatementKind.FEE, fee, new=True)
            key: AuthKey | None = None
            if contract.medium is Medium.ELECTRONIC:
                key = generate_key()
                uow.keys.add(self._protector.seal(contract.number, 1, key, step.now))
                self._queue_notice(step, contract, application.notification_email)
            step.audit(
                AuditAction.ISSUED,
                contract.number,
                {
                    "application": reference,
                    "product": contract.product,
                    "medium": contract.medium.value,
                    "version": str(contract.version),
                },
            )
            issued.append(IssuedGuarantee(contract, certificate, fee, key))
        return IssuanceResult(reference, tuple(issued))

    def apply_and_issue(self, application: Application, *, actor: str = "surety") -> IssuanceResult:
        """:meth:`apply` then :meth:`issue`: same-day issuance with nothing waiting (the fee
        must be covered by a consolidated monthly payment arrangement, as nothing can have been
        paid for an application not yet made)."""
        self.apply(application, actor=actor)
        return self.issue(application.reference, actor=actor)

    # -- the audit log -------------------------------------------------------------------

    def verify_audit_log(self, *, checkpoint: AuditCheckpoint | None = None) -> AuditReport:
        """Check the store's whole audit log with this issuer's secrets (and, given the last
        ``checkpoint``, against it with this issuer's public keys); see
        :func:`~surety_core.audit.verify_audit_log`."""
        with self._runtime.store.unit_of_work() as uow:
            return verify_audit_log(
                uow.audit,
                secrets=self._runtime.secrets,
                checkpoint=checkpoint,
                trusted=self._signing.trusted_keys(),
            )

    def checkpoint_audit_log(self, *, checkpoint: AuditCheckpoint | None = None) -> AuditCheckpoint:
        """Verify the audit log (against ``checkpoint`` if given), then sign its head with the
        current signing key. Raises :class:`~surety_core.VerificationError` naming the first bad
        event when the log does not verify. Keep the result away from the database."""
        report = self.verify_audit_log(checkpoint=checkpoint)
        if not report.ok:
            raise VerificationError(report.describe())
        return sign_checkpoint(report.last, self._signing, at=self._runtime.now())

    # -- payments -----------------------------------------------------------------------

    def _coverage(self, uow: UnitOfWork, application: Application, on: date) -> FeeCoverage:
        due = sum(fee_for_request(self._rates, application, r).total for r in application.requests)
        arrangement = self._arrangements.arrangement_for(application.principal.identifier, on)
        return fee_coverage(
            due=due,
            payments=uow.payments.for_reference(application.reference),
            arrangement=arrangement,
        )

    def _coverage_with_amendments(
        self, uow: UnitOfWork, application: Application, on: date
    ) -> FeeCoverage:
        """:meth:`_coverage` with the additional fees of amendments added to what is due."""
        coverage = self._coverage(uow, application, on)
        extra = additional_due(uow, application)
        return attrs.evolve(coverage, due=coverage.due + extra) if extra else coverage

    def fee_coverage(self, reference: str, *, actor: str = "surety") -> FeeCoverage:
        """Whether the fee of the application ``reference`` is covered today, and how: the fees
        of its requests plus the additional fees (追加保証料) of amendments to its guarantees."""
        v.require(reference, str, "reference")

        def work(step: Step) -> FeeCoverage:
            application = step.uow.applications.get(reference)
            return self._coverage_with_amendments(step.uow, application, step.today)

        return self._runtime.run(work, actor=actor)

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
        """Record a fee payment received for the application ``reference`` (保証料の入金).

        ``payer`` defaults to the contractor's name. Returns the payment, the coverage after it
        and the data of the paper receipt (領収証). ``NotFoundError`` for an unknown application.
        """
        v.require(reference, str, "reference")

        def work(step: Step) -> PaymentResult:
            application = step.uow.applications.get(reference)
            kept = step.uow.payments.for_reference(reference)
            payment = Payment(
                reference=reference,
                sequence=len(kept) + 1,
                amount=amount,
                received_on=received_on,
                method=method,
                payer=application.principal.name if payer is None else payer,
            )
            step.uow.payments.add(payment)
            step.audit(
                AuditAction.PAYMENT_RECEIVED,
                reference,
                {
                    "sequence": str(payment.sequence),
                    "amount": str(payment.amount),
                    "method": payment.method.value,
                },
            )
            coverage = self._coverage_with_amendments(step.uow, application, step.today)
            receipt = receipt_for(payment, surety_name=self._surety.name)
            return PaymentResult(payment, coverage, receipt)

        return self._runtime.run(work, actor=actor)

    # -- the paper certificate ----------------------------------------------------------

    def paper_certificate(self, number: str, *, actor: str = "surety") -> CertificateContent:
        """What the paper certificate (正本) of paper guarantee ``number`` states for its
        current version: the product's approved terms, and for a later version what changed;
        dated the day the version was issued (the issue date, then the amendment's effective
        date), so printing it again gives the same page. Nothing is signed or stored: build the
        PDF with :func:`surety_core.documents.paper_certificate_pdf`, print, seal and hand it
        over. An electronic guarantee raises :class:`~surety_core.InvalidInputError` (its
        certificate is the signed one); an unknown number :class:`~surety_core.NotFoundError`.
        """
        compact = normalize_contract_number(number)

        def work(step: Step) -> CertificateContent:
            contract = step.uow.contracts.get(compact)
            if contract.medium is not Medium.PAPER:
                raise InvalidInputError(
                    "number", "is an electronic guarantee: its certificate is the signed one"
                )
            day = contract.issued_on if contract.version == 1 else contract.current.effective_on
            return content_from_contract(
                contract,
                issued_at=datetime.combine(day, time(0, 0), _JST),
                previous_digest=None,
                terms=self._products.terms_of(contract.product),
            )

        return self._runtime.run(work, actor=actor)

    # -- keys ---------------------------------------------------------------------------

    def reissue_key(self, number: str, *, principal_id: str, actor: str = "surety") -> KeyNotice:
        """Replace a leaked key: the old one stops working at once; returns the new notice."""
        compact = normalize_contract_number(number)

        def work(step: Step) -> KeyNotice:
            contract = owned_contract(step.uow, compact, principal_id)
            if step.uow.keys.active(compact) is None:
                raise NotFoundError(f"guarantee contract {compact} has no authentication key")
            key, record = reissue_key_record(step.uow.keys, self._protector, compact, now=step.now)
            step.audit(AuditAction.KEY_REISSUED, compact, {"generation": str(record.generation)})
            self._tell_obligee(step, contract, ObligeeEvent.KEY_REISSUED, record.generation)
            return KeyNotice(
                contract=contract,
                product_name=self._products.name_of(contract.product),
                key=key,
                generation=record.generation,
                key_issued_at=record.created_at,
            )

        return self._runtime.run(work, actor=actor)

    # -- changes -----------------------------------------------------------------------

    def _change(
        self,
        number: str,
        actor: str,
        change: Callable[[Step, GuaranteeContract], tuple[GuaranteeContract, R]],
    ) -> R:
        compact = normalize_contract_number(number)

        def work(step: Step) -> R:
            old = step.uow.contracts.get(compact)
            new, result = change(step, old)
            step.uow.contracts.replace(old, new)
            self._tell_obligee(step, new, change_event(old, new))
            # A status change signs nothing: a certificate states the terms, the registry the
            # status (a signed status would go stale). Amendments sign their new version.
            step.audit(
                _STATUS_ACTION.get(new.status, AuditAction.AMENDED),
                compact,
                {"version": str(new.version), "status": new.status.value},
            )
            return result

        return self._runtime.run(work, actor=actor)

    def amend(self, number: str, amendment: Amendment, *, actor: str = "surety") -> AmendmentResult:
        """Amend a guarantee (変更): a new version with the same medium, re-signed, with a new
        fee statement; the obligee then sees the latest version and the history.

        Raises :class:`~surety_core.RuleViolationError` (every violation, e.g. a change of
        medium or an amendment after release) or
        :class:`~surety_core.ConcurrencyConflictError` when another amendment won.
        """
        v.require(amendment, Amendment, "amendment")

        def change(step: Step, old: GuaranteeContract) -> tuple[GuaranteeContract, AmendmentResult]:
            works = old.works
            policy = self._policies.policy_for(works.obligee.code)
            existing = step.uow.contracts.for_works(works.obligee.code, works.number)
            new = amend_contract(old, amendment, policy, products=self._products, existing=existing)
            certificate = self._sign(step.uow, new, step.now)
            adjustment = amendment_fee(step, self._rates, old, new, self._add_statement)
            recipient = None
            if old.application_reference is not None:
                found = _find_application(step.uow, old.application_reference)
                recipient = None if found is None else found.notification_email
            self._queue_notice(step, new, recipient)
            return new, AmendmentResult(new, certificate, adjustment.fee, adjustment)

        return self._change(number, actor, change)

    def release(self, number: str, on: date, *, actor: str = "surety") -> ReleaseResult:
        """Release or cancel a guarantee (解約・返還) on ``on``, with a refund statement when the
        rate table refunds this product. The key still opens the view, which shows it."""

        def change(step: Step, old: GuaranteeContract) -> tuple[GuaranteeContract, ReleaseResult]:
            new = release_contract(old, on)
            refund: RefundStatement | None = None
            if self._rates.rate_for(old.product).refundable:
                refund = refund_on_release(
                    self._rates, old, fee_paid=fee_charged(step.uow, old.number), released_on=on
                )
                self._add_statement(step, old.number, StatementKind.REFUND, refund)
            return new, ReleaseResult(new, refund)

        return self._change(number, actor, change)

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
        """Record a claim (保証事故) and settle it (see :func:`surety_core.claim`): for an
        advance-type guarantee, advance paid + partial payments − value of work completed; for a
        contract guarantee, the penalty (違約金); never above the guaranteed amount. An expired
        guarantee takes a claim for a default during its period (``default_on``)."""

        def change(step: Step, old: GuaranteeContract) -> tuple[GuaranteeContract, ClaimResult]:
            new, settlement = claim_contract(
                old,
                on,
                advance_paid=advance_paid,
                completed_value=completed_value,
                partial_payments=partial_payments,
                paid_by_others=paid_by_others,
                penalty=penalty,
                default_on=default_on,
                products=self._products,
            )
            self._add_statement(step, old.number, StatementKind.CLAIM, settlement)
            return new, ClaimResult(new, settlement)

        return self._change(number, actor, change)

    def expire(self, number: str, on: date, *, actor: str = "surety") -> GuaranteeContract:
        """Mark a guarantee expired (期間満了) on ``on``, after its period ended."""

        def change(
            step: Step, old: GuaranteeContract
        ) -> tuple[GuaranteeContract, GuaranteeContract]:
            new = expire_contract(old, on)
            return new, new

        return self._change(number, actor, change)

    def complete(self, number: str, on: date, *, actor: str = "surety") -> GuaranteeContract:
        """Record the completion and hand-over of the works (完成・引渡し) on ``on``: the
        guarantee ends fulfilled (see :func:`surety_core.complete`)."""

        def change(
            step: Step, old: GuaranteeContract
        ) -> tuple[GuaranteeContract, GuaranteeContract]:
            new = complete_contract(old, on)
            return new, new

        return self._change(number, actor, change)


def _find_application(uow: UnitOfWork, reference: str) -> Application | None:
    try:
        return uow.applications.get(reference)
    except NotFoundError:
        return None
