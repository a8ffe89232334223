"""The workflow services (private; see :mod:`surety_core.services`).

:class:`SuretyService` tells the briefing's whole story on any :class:`~surety_core.storage.Store`:
apply, issue (a signed certificate, a key, the fee statement and the completion notice in one
transaction), history and details, the key notice, the obligee's view, amendment, release,
claim and expiry. Each call is one unit of work: a failure leaves nothing half-done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any, Protocol, TypeVar

from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import (
    ConcurrencyConflictError,
    DuplicateError,
    InvalidInputError,
    NotFoundError,
)
from surety_core._serialization import from_json, to_json
from surety_core.audit._chain import AuditAction, append_event
from surety_core.certificates._signing import (
    SigningKeyRing,
    certificate_record,
    content_from_contract,
    sign_certificate,
)
from surety_core.domain._checks import check_application
from surety_core.domain._claims import ClaimSettlement
from surety_core.domain._fees import (
    FeeStatement,
    RateTable,
    RefundStatement,
    fee_for_contract,
    fee_for_request,
    refund_on_release,
)
from surety_core.domain._lifecycle import amend as amend_contract
from surety_core.domain._lifecycle import claim as claim_contract
from surety_core.domain._lifecycle import expire as expire_contract
from surety_core.domain._lifecycle import release as release_contract
from surety_core.domain._model import (
    Amendment,
    Application,
    GuaranteeContract,
    GuaranteeStatus,
    GuaranteeVersion,
    Medium,
    ObligeePolicy,
    Period,
    Surety,
)
from surety_core.domain._products import ProductRegistry
from surety_core.domain._standard import default_products
from surety_core.keys._format import AuthKey, generate_key, parse_key
from surety_core.keys._limiter import (
    AttemptLimiter,
    KeyCheck,
    KeyCheckOutcome,
    check_key,
    normalize_contract_number,
)
from surety_core.keys._secrets import KeyProtector, SecretProvider
from surety_core.notify import COMPLETION_NOTICE_KIND, completion_notice, to_outbox
from surety_core.storage._protocols import ContractQuery, Page, Store, UnitOfWork
from surety_core.storage._records import (
    CertificateRecord,
    KeyRecord,
    StatementKind,
    StatementRecord,
)

__all__ = [
    "ORIGINAL_REASON",
    "AmendmentResult",
    "ApplicationReceipt",
    "ApprovalHook",
    "ClaimResult",
    "GuaranteeDetails",
    "GuaranteeSummary",
    "IssuanceResult",
    "IssuedGuarantee",
    "KeyNotice",
    "ObligeeView",
    "PolicyBook",
    "PolicySource",
    "ReleaseResult",
    "SuretyService",
    "VersionView",
    "utc_now",
]

log = logging.getLogger("surety_core.services")

R = TypeVar("R")

ORIGINAL_REASON = "当初契約 (original)"
"""The reason recorded on version 1 of every guarantee contract."""


def utc_now() -> datetime:
    """The current time in UTC (the default clock)."""
    return datetime.now(UTC)


class PolicySource(Protocol):
    """Where the service finds each obligee's policy (a host may read its own table)."""

    def policy_for(self, obligee_code: str) -> ObligeePolicy:
        """The policy of the obligee with ``obligee_code``."""
        ...


@frozen
class PolicyBook:
    """A :class:`PolicySource` from a fixed set of policies.

    An obligee without a policy gets the default one: paper only, the usual caps and minimums
    (electronic guarantees need the obligee's consent, so none is assumed).
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
        return found if found is not None else ObligeePolicy(obligee_code)


ApprovalHook = Callable[[Application], None]
"""An optional approval step before issuance: called with the application; raise a
``SuretyError`` to refuse (nothing is issued then)."""


@frozen
class VersionView:
    """One version as the obligee and the contractor see it."""

    version: int
    amount: int
    period: Period
    effective_on: date
    reason: str

    @classmethod
    def of(cls, version: GuaranteeVersion) -> VersionView:
        return cls(
            version.number, version.amount, version.period, version.effective_on, version.reason
        )


@frozen
class GuaranteeSummary:
    """One row of the history list (電子保証履歴一覧) and the contract summary
    (保証契約内容): number, content, amount, period, surety, and the state."""

    number: str
    product: str
    product_name: str
    content: str
    """保証契約内容: the product and the works it guarantees."""
    amount: int
    period: Period
    surety: str
    obligee: str
    medium: Medium
    status: GuaranteeStatus
    version: int
    issued_on: date

    @classmethod
    def of(cls, contract: GuaranteeContract, products: ProductRegistry) -> GuaranteeSummary:
        name = _product_name(products, contract.product)
        return cls(
            number=contract.number,
            product=contract.product,
            product_name=name,
            content=f"{name} {contract.works.name}",
            amount=contract.amount,
            period=contract.period,
            surety=contract.surety.name,
            obligee=contract.obligee.name,
            medium=contract.medium,
            status=contract.status,
            version=contract.version,
            issued_on=contract.issued_on,
        )


@frozen
class IssuedGuarantee:
    """One guarantee issued from an application. ``key`` is ``None`` for paper; its repr is
    masked (see :class:`~surety_core.keys.AuthKey`)."""

    contract: GuaranteeContract
    certificate: CertificateRecord
    fee: FeeStatement
    key: AuthKey | None


@frozen
class IssuanceResult:
    """The guarantees issued for one application, in request order."""

    reference: str
    guarantees: tuple[IssuedGuarantee, ...]


@frozen
class ApplicationReceipt:
    """An accepted application with the fee of each request (the fee never depends on the
    medium)."""

    reference: str
    fees: tuple[FeeStatement, ...]


@frozen
class KeyNotice:
    """The data of one 「電子保証にかかる「認証キー」のお知らせ」: the only place a key shows."""

    contract: GuaranteeContract
    product_name: str
    key: AuthKey
    generation: int
    key_issued_at: datetime

    @property
    def number(self) -> str:
        return self.contract.number


@frozen
class GuaranteeDetails:
    """Everything the contractor sees for one of its guarantees (詳細)."""

    summary: GuaranteeSummary
    contract: GuaranteeContract
    versions: tuple[VersionView, ...]
    statements: tuple[FeeStatement | RefundStatement | ClaimSettlement, ...]
    certificates: tuple[CertificateRecord, ...]
    has_key: bool


@frozen
class ObligeeView:
    """What the registry shows an obligee for a number + key (閲覧).

    ``status`` is the state as of the view: an issued guarantee whose period has ended shows
    as expired. ``versions`` is the full history, oldest first; ``certificate`` the latest
    signed document (verify it offline with the surety's key set).
    """

    number: str
    product: str
    product_name: str
    status: GuaranteeStatus
    current_version: int
    contract: GuaranteeContract
    versions: tuple[VersionView, ...]
    certificate: CertificateRecord
    history: tuple[CertificateRecord, ...]
    viewed_at: datetime


@frozen
class AmendmentResult:
    """An amended contract with its new signed version and fee statement."""

    contract: GuaranteeContract
    certificate: CertificateRecord
    fee: FeeStatement


@frozen
class ReleaseResult:
    """A released contract with its refund statement, when the rate table refunds."""

    contract: GuaranteeContract
    refund: RefundStatement | None


@frozen
class ClaimResult:
    """A claimed contract with its settlement."""

    contract: GuaranteeContract
    settlement: ClaimSettlement


class _AuditConflictError(ConcurrencyConflictError):
    """Another writer appended to the audit log first: safe to retry the whole unit of work."""


def _product_name(products: ProductRegistry, code: str) -> str:
    return products.get(code).name_ja if code in products else code


def _require(value: Any, cls: type[Any], name: str) -> None:
    if not isinstance(value, cls):
        raise InvalidInputError(name, f"must be a {cls.__name__}, not {type(value).__name__}")


def _actor(actor: Any) -> str:
    if not isinstance(actor, str) or not actor.strip() or len(actor) > 200:
        raise InvalidInputError("actor", "must be non-empty text of at most 200 characters")
    return actor.strip()


class SuretyService:
    """The services a host calls, on any store.

    * ``store``: a :class:`~surety_core.storage.Store` (ours or the host's).
    * ``surety``: the surety company issuing the guarantees.
    * ``secrets``: HMAC and encryption secrets for the keys (:mod:`surety_core.keys`).
    * ``signing_keys``: the surety's Ed25519 keys (:mod:`surety_core.certificates`).
    * ``rate_table``: fee rates as data; ``policies``: each obligee's policy.
    * ``products``: the product set (default: the three products of the briefing).
    * ``limiter``: the attempt limiter for the obligee view (default: the window limiter).
    * ``clock``: returns an aware ``datetime`` (default UTC now); the business date is
      ``clock().date()`` unless ``today`` is given.
    * ``approval``: an optional hook called before issuance.
    * ``retries``: how often a unit of work is retried when the audit log had a concurrent
      writer (never for a contract changed by someone else: that conflict is the caller's).
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
        clock: Callable[[], datetime] = utc_now,
        today: Callable[[], date] | None = None,
        approval: ApprovalHook | None = None,
        retries: int = 5,
        portal_name: str = "受注者向けポータル",
    ) -> None:
        _require(surety, Surety, "surety")
        _require(signing_keys, SigningKeyRing, "signing_keys")
        _require(rate_table, RateTable, "rate_table")
        self._store = store
        self._surety = surety
        self._protector = KeyProtector(secrets)
        self._signing = signing_keys
        self._rates = rate_table
        self._policies = policies
        self._products = default_products() if products is None else products
        _require(self._products, ProductRegistry, "products")
        self._product_names = {p.code: p.name_ja for p in self._products}
        self._limiter = limiter
        self._clock = clock
        self._today = today
        self._approval = approval
        self._retries = retries
        self._portal_name = portal_name

    def __repr__(self) -> str:
        return f"SuretyService(surety={self._surety.code!r})"

    @property
    def products(self) -> ProductRegistry:
        return self._products

    @property
    def surety(self) -> Surety:
        return self._surety

    # -- plumbing -----------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise InvalidInputError("clock", "must return a timezone-aware datetime")
        return now

    def _date(self, now: datetime) -> date:
        return self._today() if self._today is not None else now.date()

    def _run(self, work: Callable[[UnitOfWork], R]) -> R:
        """Run ``work`` in a unit of work, retrying audit-log races."""
        for attempt in range(self._retries + 1):
            try:
                with self._store.unit_of_work() as uow:
                    return work(uow)
            except _AuditConflictError:
                if attempt == self._retries:
                    raise
                log.debug("audit log race; retrying (attempt %d)", attempt + 1)
        raise AssertionError("unreachable")  # pragma: no cover

    def _audit(
        self,
        uow: UnitOfWork,
        *,
        at: datetime,
        actor: str,
        action: AuditAction,
        subject: str,
        details: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    ) -> None:
        try:
            append_event(
                uow.audit, at=at, actor=actor, action=action, subject=subject, details=details
            )
        except ConcurrencyConflictError as exc:
            raise _AuditConflictError(str(exc)) from None

    def _sign(
        self, uow: UnitOfWork, contract: GuaranteeContract, now: datetime
    ) -> CertificateRecord:
        history = uow.certificates.history(contract.number)
        previous = history[-1].digest if history else None
        content = content_from_contract(contract, issued_at=now, previous_digest=previous)
        document = sign_certificate(content, self._signing)
        record = certificate_record(content, document, created_at=now)
        uow.certificates.add(record)
        return record

    def _add_statement(
        self,
        uow: UnitOfWork,
        number: str,
        kind: StatementKind,
        statement: FeeStatement | RefundStatement | ClaimSettlement,
        now: datetime,
    ) -> None:
        sequence = len(uow.statements.for_contract(number)) + 1
        uow.statements.add(
            StatementRecord(
                contract_number=number,
                sequence=sequence,
                kind=kind,
                document=to_json(statement),
                created_at=now,
            )
        )

    def _queue_notice(
        self, uow: UnitOfWork, contract: GuaranteeContract, recipient: str | None, now: datetime
    ) -> None:
        if contract.medium is not Medium.ELECTRONIC or recipient is None:
            return
        notification = completion_notice(
            contract,
            recipient=recipient,
            portal_name=self._portal_name,
            product_names=self._product_names,
        )
        uow.outbox.add(to_outbox(notification, kind=COMPLETION_NOTICE_KIND, created_at=now))

    def _owned(self, uow: UnitOfWork, number: str, corporate_number: str) -> GuaranteeContract:
        contract = uow.contracts.find(number)
        if contract is None or contract.principal.corporate_number != corporate_number:
            # The same answer for "absent" and "someone else's".
            raise NotFoundError(f"no guarantee contract {number} for this principal")
        return contract

    # -- apply and issue ----------------------------------------------------------------

    def apply(self, application: Application, *, actor: str = "principal") -> ApplicationReceipt:
        """Validate ``application`` against every rule and the obligee's policy, and record it.

        Raises :class:`~surety_core.RuleViolationError` with every violation, or
        :class:`~surety_core.DuplicateError` for a reference already used.
        """
        _require(application, Application, "application")
        who = _actor(actor)
        policy = self._policies.policy_for(application.works.obligee.code)

        def work(uow: UnitOfWork) -> ApplicationReceipt:
            existing = uow.contracts.for_works(
                application.works.obligee.code, application.works.number
            )
            check_application(application, policy, products=self._products, existing=existing)
            uow.applications.add(application)
            now = self._now()
            self._audit(
                uow,
                at=now,
                actor=who,
                action=AuditAction.APPLIED,
                subject=application.reference,
                details={"requests": str(len(application.requests))},
            )
            fees = tuple(fee_for_request(self._rates, application, r) for r in application.requests)
            return ApplicationReceipt(application.reference, fees)

        return self._run(work)

    def issue(self, reference: str, *, actor: str = "surety") -> IssuanceResult:
        """Issue every guarantee of an applied application, in one transaction.

        Per request: a contract number, the guarantee contract (version 1), its signed
        certificate (paper too: the same content, recorded, with no key), the fee statement,
        and for electronic requests a new authentication key and the completion notice in the
        outbox. The rules are checked again against what exists now.
        """
        who = _actor(actor)
        if not isinstance(reference, str):
            raise InvalidInputError("reference", "must be text")
        return self._run(lambda uow: self._issue_in(uow, reference, who))

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
        who = _actor(actor)
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
        if len(refs) > 10_000:
            raise InvalidInputError("references", "at most 10,000 per batch")

        def work(uow: UnitOfWork) -> tuple[IssuanceResult, ...]:
            return tuple(self._issue_in(uow, reference, who) for reference in refs)

        return self._run(work) if refs else ()

    def _issue_in(self, uow: UnitOfWork, reference: str, who: str) -> IssuanceResult:
        """Issue the application ``reference`` inside ``uow`` (see :meth:`issue`)."""
        application = uow.applications.get(reference)
        works = application.works
        policy = self._policies.policy_for(works.obligee.code)
        existing = uow.contracts.for_works(works.obligee.code, works.number)
        if any(c.application_reference == reference for c in existing):
            raise DuplicateError(f"application {reference} was already issued")
        check_application(application, policy, products=self._products, existing=existing)
        if self._approval is not None:
            self._approval(application)
        now = self._now()
        today = self._date(now)
        issued: list[IssuedGuarantee] = []
        for request in application.requests:
            number = uow.numbers.allocate()
            contract = GuaranteeContract(
                number=number,
                product=request.product,
                principal=application.principal,
                surety=self._surety,
                medium=request.medium,
                issued_on=today,
                versions=(
                    GuaranteeVersion(
                        number=1,
                        amount=request.amount,
                        period=request.period,
                        works=works,
                        effective_on=today,
                        reason=ORIGINAL_REASON,
                    ),
                ),
                application_reference=reference,
            )
            uow.contracts.add(contract)
            certificate = self._sign(uow, contract, now)
            fee = fee_for_contract(self._rates, contract)
            self._add_statement(uow, number, StatementKind.FEE, fee, now)
            key: AuthKey | None = None
            if request.medium is Medium.ELECTRONIC:
                key = generate_key()
                uow.keys.add(self._protector.seal(number, 1, key, now))
                self._queue_notice(uow, contract, application.notification_email, now)
            self._audit(
                uow,
                at=now,
                actor=who,
                action=AuditAction.ISSUED,
                subject=number,
                details={
                    "application": reference,
                    "product": request.product,
                    "medium": request.medium.value,
                    "version": "1",
                },
            )
            issued.append(IssuedGuarantee(contract, certificate, fee, key))
        return IssuanceResult(reference, tuple(issued))

    def apply_and_issue(self, application: Application, *, actor: str = "surety") -> IssuanceResult:
        """:meth:`apply` then :meth:`issue`: same-day issuance with nothing waiting."""
        self.apply(application, actor=actor)
        return self.issue(application.reference, actor=actor)

    # -- the contractor's side --------------------------------------------------------

    def history(self, query: ContractQuery) -> Page[GuaranteeSummary]:
        """A principal's guarantees (電子保証履歴一覧), filtered and paged."""
        _require(query, ContractQuery, "query")

        def work(uow: UnitOfWork) -> Page[GuaranteeSummary]:
            page = uow.contracts.query(query)
            return Page(
                items=tuple(GuaranteeSummary.of(c, self._products) for c in page.items),
                total=page.total,
                offset=page.offset,
                limit=page.limit,
            )

        return self._run(work)

    def details(self, number: str, *, corporate_number: str) -> GuaranteeDetails:
        """One guarantee of the principal with ``corporate_number`` (詳細).

        Raises :class:`~surety_core.NotFoundError` when it does not exist or is another's.
        """
        compact = normalize_contract_number(number)

        def work(uow: UnitOfWork) -> GuaranteeDetails:
            contract = self._owned(uow, compact, corporate_number)
            statements = tuple(from_json(s.document) for s in uow.statements.for_contract(compact))
            return GuaranteeDetails(
                summary=GuaranteeSummary.of(contract, self._products),
                contract=contract,
                versions=tuple(VersionView.of(x) for x in contract.versions),
                statements=statements,
                certificates=tuple(uow.certificates.history(compact)),
                has_key=uow.keys.active(compact) is not None,
            )

        return self._run(work)

    def _notice(self, contract: GuaranteeContract, record: KeyRecord) -> KeyNotice:
        return KeyNotice(
            contract=contract,
            product_name=_product_name(self._products, contract.product),
            key=self._protector.unseal(record),
            generation=record.generation,
            key_issued_at=record.created_at,
        )

    def key_notice(
        self, number: str, *, corporate_number: str, actor: str = "principal"
    ) -> KeyNotice:
        """The data of the key notice of one electronic guarantee, obtainable again at any time
        (the key is decrypted from its sealed record). Audited, without the key."""
        compact = normalize_contract_number(number)
        who = _actor(actor)

        def work(uow: UnitOfWork) -> KeyNotice:
            contract = self._owned(uow, compact, corporate_number)
            record = uow.keys.active(compact)
            if record is None:
                raise NotFoundError(f"guarantee contract {compact} has no authentication key")
            self._audit(
                uow,
                at=self._now(),
                actor=who,
                action=AuditAction.KEY_NOTICE_DOWNLOADED,
                subject=compact,
                details={"generation": str(record.generation)},
            )
            return self._notice(contract, record)

        return self._run(work)

    def reissue_key(
        self, number: str, *, corporate_number: str, actor: str = "surety"
    ) -> KeyNotice:
        """Replace a leaked key: the old one stops working at once; returns the new notice."""
        compact = normalize_contract_number(number)
        who = _actor(actor)

        def work(uow: UnitOfWork) -> KeyNotice:
            contract = self._owned(uow, compact, corporate_number)
            old = uow.keys.active(compact)
            if old is None:
                raise NotFoundError(f"guarantee contract {compact} has no authentication key")
            now = self._now()
            uow.keys.revoke(compact, old.generation, now)
            record = self._protector.seal(compact, old.generation + 1, generate_key(), now)
            uow.keys.add(record)
            self._audit(
                uow,
                at=now,
                actor=who,
                action=AuditAction.KEY_REISSUED,
                subject=compact,
                details={"generation": str(record.generation)},
            )
            return self._notice(contract, record)

        return self._run(work)

    # -- the obligee's side ------------------------------------------------------------

    def view(self, number: str, key: str | AuthKey, *, actor: str = "obligee") -> ObligeeView:
        """The registry view for a guarantee contract number + authentication key (閲覧).

        A typo in the key raises :class:`~surety_core.KeyFormatError` and a malformed number
        :class:`~surety_core.InvalidInputError`, both before any look-up. A wrong key and an
        unknown number raise the same :class:`~surety_core.VerificationError`; too many
        failures raise :class:`~surety_core.AttemptsExceededError`, even with the right key.
        Every attempt that reaches the store is audited (never the key).
        """
        auth_key = parse_key(key)
        compact = normalize_contract_number(number)
        who = _actor(actor)

        def work(uow: UnitOfWork) -> tuple[KeyCheck, ObligeeView | None]:
            now = self._now()
            check = check_key(
                uow, compact, auth_key, protector=self._protector, now=now, limiter=self._limiter
            )
            if check.record is None:
                refused = check.outcome is KeyCheckOutcome.REFUSED
                action = AuditAction.VERIFY_REFUSED if refused else AuditAction.VERIFY_FAILED
                self._audit(uow, at=now, actor=who, action=action, subject=compact)
                return check, None
            contract = uow.contracts.get(compact)
            history = tuple(uow.certificates.history(compact))
            self._audit(
                uow,
                at=now,
                actor=who,
                action=AuditAction.VERIFY_SUCCEEDED,
                subject=compact,
                details={
                    "generation": str(check.record.generation),
                    "version": str(contract.version),
                },
            )
            status = contract.status
            if status is GuaranteeStatus.ISSUED and self._date(now) > contract.period.end:
                status = GuaranteeStatus.EXPIRED
            return check, ObligeeView(
                number=compact,
                product=contract.product,
                product_name=_product_name(self._products, contract.product),
                status=status,
                current_version=contract.version,
                contract=contract,
                versions=tuple(VersionView.of(x) for x in contract.versions),
                certificate=history[-1],
                history=history,
                viewed_at=now,
            )

        # A failure is committed (limiter state and audit event) before it is raised.
        check, view = self._run(work)
        if view is None:
            check.raise_for_outcome()
            raise AssertionError("a failed check always raises")  # pragma: no cover
        return view

    # -- changes -----------------------------------------------------------------------

    def _change(
        self,
        number: str,
        actor: str,
        change: Callable[[UnitOfWork, GuaranteeContract, datetime], tuple[GuaranteeContract, R]],
    ) -> R:
        compact = normalize_contract_number(number)
        who = _actor(actor)

        def work(uow: UnitOfWork) -> R:
            old = uow.contracts.get(compact)
            now = self._now()
            new, result = change(uow, old, now)
            uow.contracts.replace(old, new)
            action = {
                GuaranteeStatus.RELEASED: AuditAction.RELEASED,
                GuaranteeStatus.CLAIMED: AuditAction.CLAIMED,
                GuaranteeStatus.EXPIRED: AuditAction.EXPIRED,
            }.get(new.status, AuditAction.AMENDED)
            self._audit(
                uow,
                at=now,
                actor=who,
                action=action,
                subject=compact,
                details={"version": str(new.version), "status": new.status.value},
            )
            return result

        return self._run(work)

    def amend(self, number: str, amendment: Amendment, *, actor: str = "surety") -> AmendmentResult:
        """Amend a guarantee (変更): a new version with the same medium, re-signed, with a new
        fee statement; the obligee then sees the latest version and the history.

        Raises :class:`~surety_core.RuleViolationError` (every violation, e.g. a change of
        medium or an amendment after release) or
        :class:`~surety_core.ConcurrencyConflictError` when another amendment won.
        """
        _require(amendment, Amendment, "amendment")

        def change(
            uow: UnitOfWork, old: GuaranteeContract, now: datetime
        ) -> tuple[GuaranteeContract, AmendmentResult]:
            works = old.works
            policy = self._policies.policy_for(works.obligee.code)
            existing = uow.contracts.for_works(works.obligee.code, works.number)
            new = amend_contract(old, amendment, policy, products=self._products, existing=existing)
            certificate = self._sign(uow, new, now)
            fee = fee_for_contract(self._rates, new)
            self._add_statement(uow, new.number, StatementKind.FEE, fee, now)
            recipient = None
            if old.application_reference is not None:
                found = _find_application(uow, old.application_reference)
                recipient = None if found is None else found.notification_email
            self._queue_notice(uow, new, recipient, now)
            return new, AmendmentResult(new, certificate, fee)

        return self._change(number, actor, change)

    def release(self, number: str, on: date, *, actor: str = "surety") -> ReleaseResult:
        """Release or cancel a guarantee (解約・返還) on ``on``, with a refund statement when the
        rate table refunds this product. The key still opens the view, which shows it."""

        def change(
            uow: UnitOfWork, old: GuaranteeContract, now: datetime
        ) -> tuple[GuaranteeContract, ReleaseResult]:
            new = release_contract(old, on)
            refund: RefundStatement | None = None
            if self._rates.rate_for(old.product).refundable:
                refund = refund_on_release(
                    self._rates, old, fee_paid=_fee_paid(uow, old.number), released_on=on
                )
                self._add_statement(uow, old.number, StatementKind.REFUND, refund, now)
            return new, ReleaseResult(new, refund)

        return self._change(number, actor, change)

    def claim(
        self,
        number: str,
        on: date,
        *,
        advance_paid: int,
        completed_value: int,
        actor: str = "surety",
    ) -> ClaimResult:
        """Record a claim (保証事故): payout = advance paid − value of work completed, never
        negative and never above the guaranteed amount."""

        def change(
            uow: UnitOfWork, old: GuaranteeContract, now: datetime
        ) -> tuple[GuaranteeContract, ClaimResult]:
            new, settlement = claim_contract(
                old,
                on,
                advance_paid=advance_paid,
                completed_value=completed_value,
                products=self._products,
            )
            self._add_statement(uow, old.number, StatementKind.CLAIM, settlement, now)
            return new, ClaimResult(new, settlement)

        return self._change(number, actor, change)

    def expire(self, number: str, on: date, *, actor: str = "surety") -> GuaranteeContract:
        """Mark a guarantee expired (期間満了) on ``on``, after its period ended."""

        def change(
            uow: UnitOfWork, old: GuaranteeContract, now: datetime
        ) -> tuple[GuaranteeContract, GuaranteeContract]:
            new = expire_contract(old, on)
            return new, new

        return self._change(number, actor, change)


def _find_application(uow: UnitOfWork, reference: str) -> Application | None:
    try:
        return uow.applications.get(reference)
    except NotFoundError:
        return None


def _fee_paid(uow: UnitOfWork, number: str) -> int:
    """The total of the latest fee statement of ``number`` (0 if none)."""
    fees = [s for s in uow.statements.for_contract(number) if s.kind is StatementKind.FEE]
    if not fees:
        return 0
    statement = from_json(fees[-1].document, FeeStatement)
    return statement.total
