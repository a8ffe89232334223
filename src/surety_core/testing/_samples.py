"""The sample story as data: one city, one surety, one contractor, their works and applications.

What this module owns: the example values that the demo, the benchmarks, the contract suites
and the tests share, each built by a keyword-only factory whose every part can be replaced
(``road_works(contract_price=90_000_000)``, ``electronic_application(contract=None)``). What it
must not know: pytest or Hypothesis (``surety demo`` imports it in a plain installation).
Private; the public face is :mod:`surety_core.testing.samples`.

The story: 柏市 (the obligee) accepts electronic guarantees for works announced from
2025-01-01; 株式会社東葛建設 (the contractor, the principal) applies for an electronic contract
guarantee and an electronic advance payment guarantee on a road works, and for a paper advance
payment guarantee on a school works; 東日本建設業保証株式会社 (the surety) issues them. By
default everything happens on :data:`SAMPLE_DAY`; pass ``start=`` to move the story.
The secrets and the rate table are for tests and demos only, never for production.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from surety_core._validation import corporate_number_check_digit
from surety_core.certificates._signing import SigningKeyRing
from surety_core.domain._fees import RateTable, sample_rate_table
from surety_core.domain._model import (
    Application,
    GuaranteeContract,
    GuaranteeStatus,
    GuaranteeVersion,
    Medium,
    Obligee,
    ObligeePolicy,
    Period,
    Principal,
    ProductRequest,
    Surety,
    Works,
    WorksKind,
)
from surety_core.domain._payments import ArrangementBook, PaymentArrangement
from surety_core.domain._products import ADVANCE_PAYMENT, CONTRACT_GUARANTEE
from surety_core.keys._secrets import SecretProvider, StaticSecretProvider
from surety_core.services import ORIGINAL_REASON, PolicyBook, PolicySource, SuretyService
from surety_core.storage._protocols import Store
from surety_core.storage._records import (
    AttemptState,
    AuditEvent,
    CertificateRecord,
    KeyRecord,
    KeyStatus,
    OutboxMessage,
    StatementKind,
    StatementRecord,
)
from surety_core.testing._doubles import SAMPLE_NOW, FixedClock

__all__ = [
    "CONTRACTOR_EMAIL",
    "SAMPLE_DAY",
    "SAMPLE_NOW",
    "arrangement_book",
    "attempt_state",
    "audit_event",
    "certificate_record",
    "city",
    "city_policy",
    "consulting_works",
    "contract_number",
    "contractor",
    "corporate_number",
    "customer_number",
    "electronic_application",
    "guarantee_contract",
    "key_record",
    "outbox_message",
    "paper_application",
    "policy_book",
    "rate_table",
    "road_works",
    "school_works",
    "secret_provider",
    "signing_ring",
    "sole_proprietor",
    "statement_record",
    "surety",
    "surety_service",
    "term",
]

SAMPLE_DAY = SAMPLE_NOW.date()
"""The day the sample story starts: 2025-04-01 (contracts signed, applications made, issued)."""

CONTRACTOR_EMAIL = "keiyaku@tokatsu-kensetsu.example"
"""Where the contractor wants its completion notices (a reserved ``.example`` domain)."""

_ANNOUNCED_BEFORE = timedelta(days=31)
"""How long before the start of the works they were announced (2025-03-01 for the sample day)."""


def city(*, name: str = "柏市", code: str = "kashiwa") -> Obligee:
    """The obligee (発注者): 柏市, code ``kashiwa``."""
    return Obligee(name=name, code=code)


def city_policy(
    *, obligee_code: str = "kashiwa", electronic_from: date | None = date(2025, 1, 1), **more: Any
) -> ObligeePolicy:
    """The city's policy: electronic guarantees for works announced from 2025-01-01, the usual
    caps; any other :class:`~surety_core.ObligeePolicy` field can be given in ``more``."""
    return ObligeePolicy(obligee_code, electronic_from=electronic_from, **more)


def policy_book(*, policies: Iterable[ObligeePolicy] | None = None) -> PolicyBook:
    """A :class:`~surety_core.services.PolicyBook` with :func:`city_policy` (or ``policies``)."""
    return PolicyBook(tuple(policies) if policies is not None else (city_policy(),))


def surety(
    *,
    name: str = "東日本建設業保証株式会社",
    code: str = "ejcs",
    representative: str | None = None,
    branch: str | None = None,
    address: str | None = None,
    telephone: str | None = None,
) -> Surety:
    """The surety company (保証会社); the printed details are left out unless given."""
    return Surety(
        name=name,
        code=code,
        representative=representative,
        branch=branch,
        address=address,
        telephone=telephone,
    )


_sample_surety = surety  # for the factories whose ``surety=`` parameter hides the function


def contractor(
    *,
    name: str = "株式会社東葛建設",
    corporate_number: str = "7000012050002",
    address: str = "千葉県柏市柏1-1-1",
) -> Principal:
    """The contractor (受注者, the principal), with a valid 13-digit corporate number."""
    return Principal(name, corporate_number, address)


def corporate_number(index: int = 0, /) -> str:
    """The ``index``-th of a series of valid 13-digit corporate numbers (法人番号), for as many
    different contractors as a test needs (``corporate_number(0)`` is ``2001000000000``)."""
    base = f"{1_000_000_000 + index:012d}"
    return f"{corporate_number_check_digit(base)}{base}"


def sole_proprietor(
    *,
    name: str = "山田太郎",
    customer_number: str = "K-000123",
    address: str = "千葉県柏市豊四季2-2-2",
    trade_name: str | None = "山田工務店",
) -> Principal:
    """A contractor who is a sole proprietor (個人事業主): no corporate number; the surety's
    customer number (取引先番号) identifies him, documents print ``山田工務店 代表 山田太郎``."""
    return Principal.sole_proprietor(name, customer_number, address, trade_name=trade_name)


def customer_number(index: int = 0, /) -> str:
    """The ``index``-th of a series of valid customer numbers (取引先番号), ``K-000000`` on."""
    return f"K-{index:06d}"


def arrangement_book(
    *, principal_ids: Iterable[str] | None = None, starts_on: date = date(2025, 1, 1)
) -> ArrangementBook:
    """Consolidated monthly payment arrangements (保証料一括納付) from ``starts_on`` for the
    sample contractor (or the principals whose identifiers are ``principal_ids``): issuance then
    need not wait for a payment."""
    numbers = (contractor().identifier,) if principal_ids is None else tuple(principal_ids)
    return ArrangementBook(
        tuple(
            PaymentArrangement(number, f"IK{i + 1:04d}", starts_on)
            for i, number in enumerate(numbers)
        )
    )


def contract_number(index: int = 1, /) -> str:
    """The ``index``-th guarantee contract number, as the stores allocate them (``0000000001``)."""
    return f"{index:010d}"


def term(*, start: date = SAMPLE_DAY, days: int = 365) -> Period:
    """A period of ``days`` days from ``start`` (both ends included): one year by default."""
    return Period(start, start + timedelta(days=days - 1))


def _works(
    kind: WorksKind,
    name: str,
    number: str,
    contract_price: int,
    obligee: Obligee | None,
    start: date,
    period: Period | None,
    announced_on: date | None,
) -> Works:
    period = period if period is not None else term(start=start)
    return Works(
        obligee=obligee if obligee is not None else city(),
        name=name,
        number=number,
        kind=kind,
        contract_price=contract_price,
        period=period,
        announced_on=announced_on if announced_on is not None else start - _ANNOUNCED_BEFORE,
    )


def road_works(
    *,
    name: str = "市道0001号線道路改良工事",
    number: str = "R7-001",
    contract_price: int = 100_000_000,
    obligee: Obligee | None = None,
    start: date = SAMPLE_DAY,
    period: Period | None = None,
    announced_on: date | None = None,
    kind: WorksKind = WorksKind.CONSTRUCTION,
) -> Works:
    """The road works (construction, 100 M yen, one year from ``start``, announced a month
    before): the works of :func:`electronic_application`."""
    return _works(kind, name, number, contract_price, obligee, start, period, announced_on)


def school_works(
    *,
    name: str = "市立第二中学校体育館改修工事",
    number: str = "R7-014",
    contract_price: int = 60_000_000,
    obligee: Obligee | None = None,
    start: date = SAMPLE_DAY,
    period: Period | None = None,
    announced_on: date | None = None,
) -> Works:
    """The school works (construction, 60 M yen): the works of :func:`paper_application`."""
    return _works(
        WorksKind.CONSTRUCTION, name, number, contract_price, obligee, start, period, announced_on
    )


def consulting_works(
    *,
    name: str = "市道0002号線道路詳細設計業務委託",
    number: str = "R7-C03",
    contract_price: int = 20_000_000,
    obligee: Obligee | None = None,
    start: date = SAMPLE_DAY,
    period: Period | None = None,
    announced_on: date | None = None,
) -> Works:
    """A design service (業務委託, consulting, 20 M yen): the consulting rules apply to it."""
    return _works(
        WorksKind.CONSULTING, name, number, contract_price, obligee, start, period, announced_on
    )


def electronic_application(
    *,
    reference: str = "APP-0001",
    works: Works | None = None,
    principal: Principal | None = None,
    contract: Medium | None = Medium.ELECTRONIC,
    advance: Medium | None = Medium.ELECTRONIC,
    contract_amount: int = 10_000_000,
    advance_amount: int = 40_000_000,
    applied_on: date | None = None,
    notification_email: str | None = CONTRACTOR_EMAIL,
) -> Application:
    """An electronic contract guarantee (10 % of the price) and an electronic advance payment
    guarantee (40 %) on :func:`road_works`. ``contract=None`` or ``advance=None`` leaves that
    request out; ``Medium.PAPER`` asks for it on paper. Both cover the works' period; the
    application is made on the works' first day unless ``applied_on`` is given."""
    works = works if works is not None else road_works()
    requests = []
    if contract is not None:
        requests.append(ProductRequest(CONTRACT_GUARANTEE, contract, contract_amount, works.period))
    if advance is not None:
        requests.append(ProductRequest(ADVANCE_PAYMENT, advance, advance_amount, works.period))
    return Application(
        reference=reference,
        principal=principal if principal is not None else contractor(),
        works=works,
        requests=tuple(requests),
        applied_on=applied_on if applied_on is not None else works.period.start,
        notification_email=notification_email,
    )


def paper_application(
    *,
    reference: str = "APP-0002",
    works: Works | None = None,
    principal: Principal | None = None,
    amount: int = 24_000_000,
    applied_on: date | None = None,
    notification_email: str | None = None,
) -> Application:
    """A paper advance payment guarantee (40 %) on :func:`school_works`: no key, no e-mail."""
    works = works if works is not None else school_works()
    return Application(
        reference=reference,
        principal=principal if principal is not None else contractor(),
        works=works,
        requests=(ProductRequest(ADVANCE_PAYMENT, Medium.PAPER, amount, works.period),),
        applied_on=applied_on if applied_on is not None else works.period.start,
        notification_email=notification_email,
    )


def guarantee_contract(
    *,
    number: str = "0000000001",
    product: str = ADVANCE_PAYMENT,
    amount: int = 40_000_000,
    works: Works | None = None,
    principal: Principal | None = None,
    surety: Surety | None = None,
    medium: Medium = Medium.ELECTRONIC,
    issued_on: date | None = None,
    status: GuaranteeStatus = GuaranteeStatus.ISSUED,
    status_on: date | None = None,
    application_reference: str | None = "APP-0001",
) -> GuaranteeContract:
    """An issued guarantee contract with one version, as issuance builds it (without a store):
    by default the electronic advance payment guarantee of :func:`electronic_application`."""
    works = works if works is not None else road_works()
    issued_on = issued_on if issued_on is not None else works.period.start
    return GuaranteeContract(
        number=number,
        product=product,
        principal=principal if principal is not None else contractor(),
        surety=surety if surety is not None else _sample_surety(),
        medium=medium,
        issued_on=issued_on,
        versions=(
            GuaranteeVersion(
                number=1,
                amount=amount,
                period=works.period,
                works=works,
                effective_on=issued_on,
                reason=ORIGINAL_REASON,
            ),
        ),
        status=status,
        status_on=status_on,
        application_reference=application_reference,
    )


def rate_table() -> RateTable:
    """The SAMPLE rate table (:func:`~surety_core.sample_rate_table`): invented numbers."""
    return sample_rate_table()


def secret_provider(
    *,
    hmac_key_id: str = "h1",
    hmac_secret: bytes = b"h" * 32,
    encryption_key_id: str = "e1",
    encryption_key: bytes = b"e" * 32,
) -> StaticSecretProvider:
    """Fixed secrets for tests and development (an HMAC secret and an AES-256 key that anyone
    can read here: never use them for real keys)."""
    return StaticSecretProvider(
        {hmac_key_id: hmac_secret},
        {encryption_key_id: encryption_key},
        current_hmac_key_id=hmac_key_id,
        current_encryption_key_id=encryption_key_id,
    )


def signing_ring(*, kid: str | None = "k1") -> SigningKeyRing:
    """A new Ed25519 signing ring with one key named ``kid`` (``None``: derived from the key)."""
    return SigningKeyRing.generate(kid)


def surety_service(
    store: Store,
    *,
    surety: Surety | None = None,
    secrets: SecretProvider | None = None,
    signing_keys: SigningKeyRing | None = None,
    rate_table: RateTable | None = None,
    policies: PolicySource | None = None,
    clock: Callable[[], datetime] | None = None,
    **options: Any,
) -> SuretyService:
    """A :class:`~surety_core.services.SuretyService` on ``store`` with the sample parts: the
    surety, :func:`secret_provider`, a new :func:`signing_ring`, the sample rate table, the
    city's policy, :func:`arrangement_book` (so the sample contractor's issuance need not wait
    for a payment) and a :class:`~surety_core.testing.FixedClock` at :data:`SAMPLE_NOW`.
    ``options`` go to the service as they are (``limiter=``, ``approval=``, ``products=``...)."""
    return SuretyService(
        store,
        surety=surety if surety is not None else _sample_surety(),
        secrets=secrets if secrets is not None else secret_provider(),
        signing_keys=signing_keys if signing_keys is not None else signing_ring(),
        rate_table=rate_table if rate_table is not None else sample_rate_table(),
        policies=policies if policies is not None else policy_book(),
        clock=clock if clock is not None else FixedClock(),
        **({"arrangements": arrangement_book()} | options),
    )


# --- stored records, for a host that tests its own store without the services ---------------


def key_record(
    *,
    number: str = "0000000001",
    generation: int = 1,
    status: KeyStatus = KeyStatus.ACTIVE,
    revoked_at: datetime | None = None,
    created_at: datetime | None = None,
) -> KeyRecord:
    """A sealed-key record with stand-in bytes (no real key can be recovered from it); created
    ``generation`` days after :data:`SAMPLE_NOW` unless ``created_at`` is given."""
    return KeyRecord(
        contract_number=number,
        generation=generation,
        hmac_key_id="hmac-2025",
        digest=bytes([generation]) * 32,
        encryption_key_id="enc-2025",
        ciphertext=b"\x00\x01sealed" + number.encode() + bytes([generation]) * 12,
        created_at=SAMPLE_NOW + timedelta(days=generation) if created_at is None else created_at,
        status=status,
        revoked_at=revoked_at,
    )


def certificate_record(*, number: str = "0000000001", version: int = 1) -> CertificateRecord:
    """A certificate record with a stand-in document (not signed: for storage tests only)."""
    return CertificateRecord(
        contract_number=number,
        version=version,
        document=b"%signed\x00\xff" + number.encode() + bytes([version]) * 100,
        digest=bytes([version]) * 32,
        created_at=SAMPLE_NOW + timedelta(hours=version),
    )


def statement_record(
    *, number: str = "0000000001", sequence: int = 1, kind: StatementKind = StatementKind.FEE
) -> StatementRecord:
    """A statement record with a small stand-in JSON document."""
    return StatementRecord(
        contract_number=number,
        sequence=sequence,
        kind=kind,
        document='{"type":"FeeStatement","note":"保証料計算書 ' + f"{number}/{sequence}" + '"}',
        created_at=SAMPLE_NOW + timedelta(minutes=sequence),
    )


def audit_event(*, sequence: int = 1, previous: AuditEvent | None = None) -> AuditEvent:
    """An audit event linked to ``previous`` with a stand-in hash (not a valid chain: the
    storage contract checks order and links, :func:`~surety_core.audit.append_event` hashes)."""
    return AuditEvent(
        sequence=sequence,
        at=SAMPLE_NOW + timedelta(seconds=sequence),
        actor="operator:山田",
        action="guarantee.issued",
        subject=contract_number(sequence),
        details=(("product", "advance_payment"), ("medium", "electronic")),
        previous_hash=previous.hash if previous else bytes(32),
        hash=sequence.to_bytes(32, "big"),
    )


def outbox_message(
    *,
    idempotency_key: str = "0000000001",
    created_at: datetime = SAMPLE_NOW,
    next_attempt_at: datetime | None = None,
    recipient: str = "keiri@example.co.jp",
) -> OutboxMessage:
    """A completion notice waiting in the outbox."""
    return OutboxMessage(
        idempotency_key=idempotency_key,
        kind="issuance_completed",
        recipient=recipient,
        subject="電子保証発行完了のお知らせ",
        body=f"保証契約番号 {idempotency_key} の電子保証を発行しました。",
        created_at=created_at,
        next_attempt_at=next_attempt_at,
    )


def attempt_state(*, number: str = "0000000001", failures: int = 1) -> AttemptState:
    """The attempt limiter's state after ``failures`` wrong keys (locked from the fifth)."""
    return AttemptState(
        contract_number=number,
        failures=failures,
        window_started_at=SAMPLE_NOW,
        locked_until=SAMPLE_NOW + timedelta(minutes=15) if failures >= 5 else None,
    )
