"""A service on a given store, sample applications, and child-process workers for the races.

Children are started with ``python -m tests.concurrency._workload ACTION KIND TARGET SCHEMA ...``
and print one line per operation (``ok REF``, ``refused REF CODE``, ``error REF TYPE TEXT``), so
the parent can check every outcome against what the database holds afterwards.
"""

from __future__ import annotations

import functools
import random
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from surety_core import (
    ADVANCE_PAYMENT,
    CONTRACT_GUARANTEE,
    Amendment,
    Application,
    AttemptsExceededError,
    ConcurrencyConflictError,
    DuplicateError,
    Medium,
    Obligee,
    ObligeePolicy,
    Period,
    Principal,
    ProductRequest,
    RuleViolationError,
    Surety,
    SuretyError,
    VerificationError,
    Works,
    WorksKind,
    sample_rate_table,
)
from surety_core.certificates import SigningKeyRing
from surety_core.keys import LimiterPolicy, StaticSecretProvider, WindowAttemptLimiter, generate_key
from surety_core.notify import Notification, OutboxDispatcher
from surety_core.services import PolicyBook, SuretyService
from surety_core.storage import Store
from surety_core.testing import samples

CITY = Obligee(name="柏市", code="kashiwa")
SURETY = Surety(name="東日本建設業保証株式会社", code="ejcs")
PERIOD = Period(date(2025, 4, 1), date(2026, 3, 31))
POLICY = ObligeePolicy("kashiwa", electronic_from=date(2025, 1, 1))
MAX_FAILURES = 5
_CORPORATE = ("7000012050002", "2010001008824")


def principal(i: int) -> Principal:
    return Principal(f"株式会社テスト建設{i}", _CORPORATE[i % 2], "千葉県柏市柏1-1-1")


def works(number: str) -> Works:
    return Works(
        obligee=CITY,
        name=f"市道{number}号線道路改良工事",
        number=number,
        kind=WorksKind.CONSTRUCTION,
        contract_price=100_000_000,
        period=PERIOD,
        announced_on=date(2025, 3, 1),
    )


def application(
    reference: str, works_number: str, *, contract: bool = True, who: int = 0
) -> Application:
    """An application for one works: an electronic advance of 40,000,000円 and, with
    ``contract``, an electronic contract guarantee of 10,000,000円."""
    requests = [ProductRequest(ADVANCE_PAYMENT, Medium.ELECTRONIC, 40_000_000, PERIOD)]
    if contract:
        requests.insert(
            0, ProductRequest(CONTRACT_GUARANTEE, Medium.ELECTRONIC, 10_000_000, PERIOD)
        )
    return Application(
        reference=reference,
        principal=principal(who),
        works=works(works_number),
        requests=tuple(requests),
        applied_on=date(2025, 4, 1),
        notification_email="keiyaku@example.co.jp",
    )


def secrets() -> StaticSecretProvider:
    return StaticSecretProvider(
        {"h1": b"h" * 32},
        {"e1": b"e" * 32},
        current_hmac_key_id="h1",
        current_encryption_key_id="e1",
    )


SIGNING = SigningKeyRing.generate("k1")


def service(store: Store, *, retries: int = 5) -> SuretyService:
    return SuretyService(
        store,
        surety=SURETY,
        secrets=secrets(),
        signing_keys=SIGNING,
        rate_table=sample_rate_table(),
        policies=PolicyBook([POLICY]),
        # 保証料一括納付: the fee need not be recorded before each issuance in this workload
        arrangements=samples.arrangement_book(principal_ids=_CORPORATE),
        limiter=WindowAttemptLimiter(LimiterPolicy(max_failures=MAX_FAILURES)),
        retries=retries,
    )


def open_store(kind: str, target: str, schema: str) -> Store:
    from surety_core.storage.sql import mariadb_store, postgres_store, sqlite_store

    if kind == "sqlite":
        return sqlite_store(target)
    if kind == "mariadb":
        return mariadb_store(target)
    if kind == "postgres":
        return postgres_store(target, schema=schema, pool_size=2)
    raise SystemExit(f"unknown store kind {kind}")


def outcome(reference: str, fn: Callable[[], object]) -> str:
    """One line naming how ``fn`` ended: ok, duplicate, refused (rule codes) or error."""
    try:
        fn()
    except DuplicateError:
        return f"duplicate {reference}"
    except RuleViolationError as exc:
        codes = ",".join(sorted({v.code for v in exc.violations}))
        return f"refused {reference} {codes}"
    except SuretyError as exc:
        return f"error {reference} {type(exc).__name__} {str(exc)[:200]!r}"
    return f"ok {reference}"


def guess(svc: SuretyService, number: str, label: str) -> str:
    """View ``number`` with a random (wrong) key: ``failed`` when the key was compared,
    ``refused`` when the limiter refused without comparing, ``error`` otherwise."""
    try:
        svc.view(number, generate_key().reveal())
    except AttemptsExceededError:
        return f"refused {label}"
    except VerificationError:
        return f"failed {label}"
    except SuretyError as exc:
        return f"error {label} {type(exc).__name__} {str(exc)[:200]!r}"
    return f"viewed {label}"


class LedgerNotifier:
    """Appends each sent message's idempotency key to a shared file (one line per send)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def send(self, message: Notification) -> None:
        with self._path.open("a", encoding="utf-8") as ledger:
            ledger.write(message.idempotency_key + "\n")


def mix(
    svc: SuretyService, store: Store, rng: random.Random, references: list[str], ledger: Path
) -> None:
    """Issue every reference (in a random order), and in between: view each issued guarantee
    with its right key, guess wrong keys at the victim numbers, amend, and dispatch the outbox.
    One line per operation: ``<kind> <outcome> <subject>``."""
    dispatcher = OutboxDispatcher(store, LedgerNotifier(ledger))
    order = list(references)
    rng.shuffle(order)
    victims = [line for line in (ledger.parent / "victims").read_text().split() if line]
    for reference in order:
        print("issue", outcome(reference, functools.partial(svc.issue, reference)), flush=True)
        for number in rng.sample(victims, 2):
            print("guess", guess(svc, number, number), flush=True)
        with store.unit_of_work() as uow:
            mine = list(uow.contracts.for_works("kashiwa", works_of(reference)))
        for contract in mine:
            notice = svc.key_notice(contract.number, principal_id=contract.principal.identifier)
            try:
                svc.view(contract.number, notice.key.reveal())
                print(f"view ok {contract.number}", flush=True)
            except SuretyError as exc:
                print(f"view error {contract.number} {type(exc).__name__}", flush=True)
            if contract.product == ADVANCE_PAYMENT and rng.random() < 0.5:
                amendment = Amendment(
                    contract.amount - 1_000_000,
                    PERIOD,
                    contract.works,
                    date(2025, 5, 1),
                    "請負代金額の減額",
                )
                try:
                    svc.amend(contract.number, amendment)
                    print(f"amend ok {contract.number}", flush=True)
                except (ConcurrencyConflictError, RuleViolationError):
                    print(f"amend lost {contract.number}", flush=True)
                except SuretyError as exc:
                    print(f"amend error {contract.number} {type(exc).__name__}", flush=True)
        report = dispatcher.dispatch_due()
        print(f"dispatch sent {len(report.sent)}", flush=True)
    report = dispatcher.run_until_idle(max_rounds=5)
    print(f"dispatch sent {len(report.sent)}", flush=True)


def works_of(reference: str) -> str:
    """The works number of a load-test reference ``APP-<works>-<n>``."""
    return reference.split("-", 1)[1].rsplit("-", 1)[0]


def main(argv: list[str]) -> None:
    action, kind, target, schema, seed, *rest = argv
    store = open_store(kind, target, schema)
    svc = service(store)
    rng = random.Random(int(seed))
    try:
        if action == "issue":
            references = list(rest)
            rng.shuffle(references)
            for reference in references:
                print(outcome(reference, functools.partial(svc.issue, reference)), flush=True)
        elif action == "guess":
            number, count = rest
            for i in range(int(count)):
                print(guess(svc, number, f"{number}#{i}"), flush=True)
        elif action == "chain":
            # Views and issuance interleaved, with no retry: a unit of work that lost a race
            # for the audit chain's head fails here instead of being run again.
            svc = service(store, retries=0)
            for item in rest:
                kind_, _, subject = item.partition("=")
                if kind_ == "issue":
                    done = outcome(subject, functools.partial(svc.issue, subject))
                    print("issue", done, flush=True)
                else:
                    number, _, key = subject.partition(":")
                    done = outcome(number, functools.partial(svc.view, number, key))
                    print("view", done, flush=True)
        elif action == "mix":
            ledger, *references = rest
            mix(svc, store, rng, references, Path(ledger))
        else:
            raise SystemExit(f"unknown action {action}")
    finally:
        store.close()


if __name__ == "__main__":
    main(sys.argv[1:])
