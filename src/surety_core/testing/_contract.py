"""The storage contract test suite: prove a :class:`~surety_core.storage.Store` right.

A host that implements the storage protocols on its own database subclasses
:class:`StoreContract` in its own tests and provides a ``store`` fixture that yields a fresh,
empty store; plain pytest then runs every test below against it::

    import pytest
    from surety_core.testing.contract import StoreContract

    class TestMyStore(StoreContract):
        @pytest.fixture
        def store(self):
            store = MyStore(...)
            yield store
            store.close()

The tests cover every guarantee documented on the protocols: CRUD, ``NotFoundError`` and
``DuplicateError``, ordering, paging and every query filter, optimistic concurrency on
``contracts.replace``, rollback of a unit of work across all repositories, the outbox's due/mark
semantics, audit sequencing, the attempt limiter's state, key activation and revocation, and the
contract-number allocator; with ``supports_threads = True`` (the default) also concurrent use from
several threads. The themed base classes (:class:`ContractsContract`, :class:`KeysContract`, ...)
can be used one by one. Only pytest is needed.
"""

from __future__ import annotations

import queue
import random
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any, ClassVar, Final

import attrs

try:
    import pytest
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "surety_core.testing.contract needs pytest: pip install pytest (or surety-core[test])"
    ) from exc

from surety_core._errors import (
    ConcurrencyConflictError,
    DuplicateError,
    InvalidInputError,
    NotFoundError,
    TransactionConflictError,
)
from surety_core.domain._model import (
    Application,
    GuaranteeContract,
    GuaranteeStatus,
    GuaranteeVersion,
    Medium,
    Obligee,
    Principal,
    Works,
)
from surety_core.domain._payments import Payment, PaymentMethod
from surety_core.storage._protocols import ContractQuery, Store, UnitOfWork
from surety_core.storage._records import (
    AttemptState,
    AuditEvent,
    CertificateRecord,
    KeyRecord,
    KeyStatus,
    OutboxMessage,
    OutboxStatus,
    StatementKind,
    StatementRecord,
)
from surety_core.testing import _samples as samples

__all__ = [
    "ApplicationsContract",
    "AttemptsContract",
    "AuditContract",
    "CertificatesContract",
    "ConcurrencyContract",
    "ContractsContract",
    "DocumentedBehaviourContract",
    "InterleavingContract",
    "KeysContract",
    "NumbersContract",
    "OutboxContract",
    "PaymentsContract",
    "PortalContract",
    "StatementsContract",
    "StoreContract",
    "StoreContractBase",
    "UnitOfWorkContract",
]

# --- the suite's data: the sample story (testing/_samples.py), in many variants (private) -----

_T0 = samples.SAMPLE_NOW
_JST = timezone(timedelta(hours=9))
_PRODUCTS = ("advance_payment", "contract_guarantee", "intermediate_advance_payment")
_PERIOD = samples.term()

_corporate = samples.corporate_number
_number = samples.contract_number


def _obligee(code: str = "kashiwa") -> Obligee:
    return samples.city(name="柏市" if code == "kashiwa" else "千葉県", code=code)


def _works(obligee: str = "kashiwa", number: str = "R7-001", price: int = 100_000_000) -> Works:
    return samples.road_works(obligee=_obligee(obligee), number=number, contract_price=price)


_SOLE = 2
"""The suite's contractor number 2 is a sole proprietor (個人事業主, no corporate number)."""


def _principal_id(corporate: int) -> str:
    """The identifier of the ``corporate``-th contractor of the suite."""
    return samples.customer_number(corporate) if corporate == _SOLE else _corporate(corporate)


def _contractor(corporate: int) -> Principal:
    if corporate == _SOLE:
        return samples.sole_proprietor(
            name=f"山田太郎{corporate}",
            customer_number=_principal_id(corporate),
            address="千葉県柏市豊四季2-2-2",
            trade_name=f"テスト工務店{corporate}",
        )
    return samples.contractor(
        name=f"株式会社テスト建設{corporate}",
        corporate_number=_corporate(corporate),
        address="千葉県柏市柏5-10-1",
    )


def _contract(
    number: str,
    *,
    corporate: int = 0,
    product: str = "advance_payment",
    status: GuaranteeStatus = GuaranteeStatus.ISSUED,
    medium: Medium = Medium.ELECTRONIC,
    obligee: str = "kashiwa",
    works: str = "R7-001",
    issued_on: date = date(2025, 4, 1),
    versions: int = 1,
    application: str | None = None,
) -> GuaranteeContract:
    """A contract of the ``corporate``-th contractor with ``versions`` versions (each amendment
    lowers the amount by 1 M yen and the contract price by 2.5 M yen)."""
    first = samples.guarantee_contract(
        number=number,
        product=product,
        works=_works(obligee, works),
        principal=_contractor(corporate),
        medium=medium,
        issued_on=issued_on,
        status=status,
        status_on=None if status is GuaranteeStatus.ISSUED else issued_on + timedelta(days=30),
        application_reference=f"APP-{number}" if application is None else application,
    )
    history = tuple(
        GuaranteeVersion(
            number=n,
            amount=40_000_000 - 1_000_000 * (n - 1),
            period=_PERIOD,
            works=_works(obligee, works, 100_000_000 - 2_500_000 * (n - 1)),
            effective_on=issued_on + timedelta(days=n - 1),
            reason="当初" if n == 1 else f"第{n - 1}回変更",
        )
        for n in range(1, versions + 1)
    )
    return attrs.evolve(first, versions=history)


def _amended(
    contract: GuaranteeContract, *, works: str | None = None, obligee: str | None = None
) -> GuaranteeContract:
    current = contract.current
    new_works = _works(
        obligee or current.works.obligee.code, works or current.works.number, 90_000_000
    )
    version = GuaranteeVersion(
        number=current.number + 1,
        amount=current.amount - 1_000_000,
        period=current.period,
        works=new_works,
        effective_on=current.effective_on + timedelta(days=1),
        reason="請負代金額の減額",
    )
    return attrs.evolve(contract, versions=(*contract.versions, version))


def _released(contract: GuaranteeContract) -> GuaranteeContract:
    return attrs.evolve(contract, status=GuaranteeStatus.RELEASED, status_on=date(2025, 6, 1))


def _application(reference: str = "APP-1") -> Application:
    return samples.electronic_application(
        reference=reference,
        principal=samples.contractor(
            name="株式会社テスト建設0", corporate_number=_corporate(0), address="千葉県柏市"
        ),
        works=_works(),
        contract=Medium.PAPER,
        applied_on=date(2025, 3, 20),
        notification_email="keiri@example.co.jp",
    )


def _key(
    number: str,
    generation: int = 1,
    *,
    status: KeyStatus = KeyStatus.ACTIVE,
    revoked_at: datetime | None = None,
) -> KeyRecord:
    return samples.key_record(
        number=number, generation=generation, status=status, revoked_at=revoked_at
    )


def _certificate(number: str, version: int = 1) -> CertificateRecord:
    return samples.certificate_record(number=number, version=version)


def _statement(
    number: str, sequence: int = 1, kind: StatementKind = StatementKind.FEE
) -> StatementRecord:
    return samples.statement_record(number=number, sequence=sequence, kind=kind)


def _event(sequence: int, previous: AuditEvent | None = None) -> AuditEvent:
    return samples.audit_event(sequence=sequence, previous=previous)


def _message(
    key: str, created_at: datetime = _T0, *, next_attempt_at: datetime | None = None
) -> OutboxMessage:
    return samples.outbox_message(
        idempotency_key=key, created_at=created_at, next_attempt_at=next_attempt_at
    )


def _attempt(number: str, failures: int = 1) -> AttemptState:
    return samples.attempt_state(number=number, failures=failures)


class _BoomError(Exception):
    """Raised inside a unit of work to force a rollback."""


# --- the suite ------------------------------------------------------------------------------


class StoreContractBase:
    """Provides the ``store`` fixture hook and helpers; subclasses override ``store``."""

    supports_threads: ClassVar[bool] = True
    """Set to ``False`` for a store that must not be shared between threads."""

    threads: ClassVar[int] = 4
    """How many threads the concurrency tests start."""

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        """Override: yield a fresh, empty store (and close it afterwards)."""
        pytest.fail("a StoreContract subclass must override the 'store' fixture")

    @staticmethod
    def add(store: Store, *contracts: GuaranteeContract) -> None:
        with store.unit_of_work() as uow:
            for contract in contracts:
                uow.contracts.add(contract)


class ContractsContract(StoreContractBase):
    """Guarantee contracts: add, get, find, replace, for_works, query."""

    def test_add_then_get_returns_an_equal_contract(self, store: Store) -> None:
        original = _contract(_number(7), versions=3, status=GuaranteeStatus.CLAIMED)
        self.add(store, original)
        with store.unit_of_work() as uow:
            assert uow.contracts.get(original.number) == original
            assert uow.contracts.find(original.number) == original

    def test_get_missing_raises_not_found_and_find_returns_none(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            with pytest.raises(NotFoundError):
                uow.contracts.get(_number(1))
            assert uow.contracts.find(_number(1)) is None

    def test_add_duplicate_number_raises(self, store: Store) -> None:
        self.add(store, _contract(_number(1)))
        with pytest.raises(DuplicateError), store.unit_of_work() as uow:
            uow.contracts.add(_contract(_number(1), product="contract_guarantee"))
        with store.unit_of_work() as uow:
            assert uow.contracts.get(_number(1)).product == "advance_payment"

    def test_add_duplicate_in_one_unit_of_work_raises(self, store: Store) -> None:
        with pytest.raises(DuplicateError), store.unit_of_work() as uow:
            uow.contracts.add(_contract(_number(1)))
            uow.contracts.add(_contract(_number(1)))
        with store.unit_of_work() as uow:
            assert uow.contracts.find(_number(1)) is None

    def test_replace_with_current_old_succeeds(self, store: Store) -> None:
        old = _contract(_number(3))
        self.add(store, old)
        new = _amended(old)
        with store.unit_of_work() as uow:
            uow.contracts.replace(old, new)
            assert uow.contracts.get(old.number) == new
        with store.unit_of_work() as uow:
            assert uow.contracts.get(old.number) == new
            released = _released(new)
            uow.contracts.replace(new, released)
        with store.unit_of_work() as uow:
            assert uow.contracts.get(old.number) == released

    def test_replace_with_stale_version_conflicts_and_changes_nothing(self, store: Store) -> None:
        old = _contract(_number(3))
        self.add(store, old)
        first = _amended(old)
        with store.unit_of_work() as uow:
            uow.contracts.replace(old, first)
        with pytest.raises(ConcurrencyConflictError), store.unit_of_work() as uow:
            uow.contracts.replace(old, _amended(old, works="R7-999"))
        with store.unit_of_work() as uow:
            assert uow.contracts.get(old.number) == first

    def test_replace_with_stale_status_conflicts(self, store: Store) -> None:
        old = _contract(_number(3))
        self.add(store, old)
        with store.unit_of_work() as uow:
            uow.contracts.replace(old, _released(old))
        with pytest.raises(ConcurrencyConflictError), store.unit_of_work() as uow:
            uow.contracts.replace(old, _amended(old))
        with store.unit_of_work() as uow:
            assert uow.contracts.get(old.number).status is GuaranteeStatus.RELEASED

    def test_replace_missing_raises_not_found(self, store: Store) -> None:
        old = _contract(_number(3))
        with pytest.raises(NotFoundError), store.unit_of_work() as uow:
            uow.contracts.replace(old, _amended(old))

    def test_replace_a_contract_added_in_the_same_unit_of_work(self, store: Store) -> None:
        old = _contract(_number(4))
        new = _amended(old)
        with store.unit_of_work() as uow:
            uow.contracts.add(old)
            uow.contracts.replace(old, new)
        with store.unit_of_work() as uow:
            assert uow.contracts.get(old.number) == new

    def test_for_works_lists_by_current_version_ordered_by_number(self, store: Store) -> None:
        a = _contract(_number(30), works="R7-001")
        b = _contract(_number(10), works="R7-001", product="contract_guarantee")
        moved = _contract(_number(20), works="R7-001")
        other_obligee = _contract(_number(5), works="R7-001", obligee="chiba")
        other_works = _contract(_number(6), works="R7-002")
        self.add(store, a, b, moved, other_obligee, other_works)
        with store.unit_of_work() as uow:
            uow.contracts.replace(moved, _amended(moved, works="R7-002"))
        with store.unit_of_work() as uow:
            found = uow.contracts.for_works("kashiwa", "R7-001")
            assert [x.number for x in found] == [_number(10), _number(30)]
            found = uow.contracts.for_works("kashiwa", "R7-002")
            assert [x.number for x in found] == [_number(6), _number(20)]
            assert [x.number for x in uow.contracts.for_works("chiba", "R7-001")] == [_number(5)]
            assert list(uow.contracts.for_works("kashiwa", "none")) == []

    @staticmethod
    def _dataset() -> list[GuaranteeContract]:
        rng = random.Random(20250401)
        contracts = []
        numbers = rng.sample(range(1, 10_000), 48)
        for i, n in enumerate(numbers):
            contracts.append(
                _contract(
                    _number(n),
                    corporate=i % 3,
                    product=_PRODUCTS[i % 3 if i % 5 else 0],
                    status=list(GuaranteeStatus)[i % 4 if i % 3 else 0],
                    medium=Medium.PAPER if i % 7 in (1, 4) else Medium.ELECTRONIC,
                    obligee="chiba" if i % 4 == 1 else "kashiwa",
                    works=f"R7-{i % 5:03d}",
                    issued_on=date(2025, 1, 1) + timedelta(days=(i * 37) % 300),
                    versions=1 + i % 2,
                )
            )
        return contracts

    @staticmethod
    def _queries() -> list[ContractQuery]:
        rng = random.Random(7)
        days = [date(2025, 1, 1) + timedelta(days=d) for d in (0, 40, 99, 150, 299, 400)]
        queries = [
            ContractQuery(principal_id=_principal_id(0)),
            ContractQuery(principal_id=_principal_id(9)),
            ContractQuery(principal_id=_principal_id(1), limit=1),
            ContractQuery(principal_id=_principal_id(1), offset=3, limit=4),
            ContractQuery(principal_id=_principal_id(2), offset=100),
            ContractQuery(
                principal_id=_principal_id(0),
                issued_from=date(2025, 3, 1),
                issued_to=date(2025, 3, 1),
            ),
        ]
        for _ in range(80):
            start = rng.choice([None, *days])
            queries.append(
                ContractQuery(
                    principal_id=_principal_id(rng.randrange(3)),
                    product=rng.choice([None, None, *_PRODUCTS]),
                    status=rng.choice([None, None, *GuaranteeStatus]),
                    medium=rng.choice([None, None, *Medium]),
                    obligee_code=rng.choice([None, None, "kashiwa", "chiba", "nowhere"]),
                    issued_from=start,
                    issued_to=rng.choice([None, *(d for d in days if start is None or d >= start)]),
                    offset=rng.choice([0, 0, 1, 2, 5]),
                    limit=rng.choice([1, 2, 3, 50, 500]),
                )
            )
        return queries

    def test_query_applies_every_filter_orders_by_number_and_pages(self, store: Store) -> None:
        dataset = self._dataset()
        self.add(store, *dataset)
        with store.unit_of_work() as uow:
            for query in self._queries():
                expected = sorted((x for x in dataset if query.matches(x)), key=lambda x: x.number)
                page = uow.contracts.query(query)
                assert page.total == len(expected), query
                assert list(page.items) == expected[query.offset : query.offset + query.limit]
                assert (page.offset, page.limit) == (query.offset, query.limit)
                assert page.has_more == (query.offset + query.limit < len(expected))

    def test_query_filters_on_the_current_version(self, store: Store) -> None:
        first = _contract(_number(1), obligee="kashiwa")
        self.add(store, first)
        with store.unit_of_work() as uow:
            uow.contracts.replace(first, _amended(first, obligee="chiba"))
        with store.unit_of_work() as uow:
            query = ContractQuery(principal_id=_principal_id(0), obligee_code="chiba")
            assert [x.number for x in uow.contracts.query(query).items] == [_number(1)]
            query = ContractQuery(principal_id=_principal_id(0), obligee_code="kashiwa")
            assert uow.contracts.query(query).total == 0

    def test_query_sees_status_changes(self, store: Store) -> None:
        first = _contract(_number(1))
        self.add(store, first)
        with store.unit_of_work() as uow:
            uow.contracts.replace(first, _released(first))
        with store.unit_of_work() as uow:
            query = ContractQuery(principal_id=_principal_id(0), status=GuaranteeStatus.RELEASED)
            assert uow.contracts.query(query).total == 1
            query = ContractQuery(principal_id=_principal_id(0), status=GuaranteeStatus.ISSUED)
            assert uow.contracts.query(query).total == 0

    def test_a_sole_proprietors_contracts_are_kept_and_found_by_customer_number(
        self, store: Store
    ) -> None:
        sole, corporate = _contract(_number(1), corporate=_SOLE), _contract(_number(2))
        self.add(store, sole, corporate)
        with store.unit_of_work() as uow:
            back = uow.contracts.get(_number(1))
            assert back == sole
            assert back.principal.corporate_number is None
            assert back.principal.identifier == _principal_id(_SOLE)
            assert back.principal.display_name == f"テスト工務店{_SOLE} 代表 山田太郎{_SOLE}"
            page = uow.contracts.query(ContractQuery(principal_id=_principal_id(_SOLE)))
            assert [x.number for x in page.items] == [_number(1)]
            # exactly that customer number: not another case, prefix or neighbour
            for other in (
                _principal_id(_SOLE).lower(),
                f"{_principal_id(_SOLE)}0",
                samples.customer_number(_SOLE + 1),
            ):
                assert uow.contracts.query(ContractQuery(principal_id=other)).total == 0
            page = uow.contracts.query(ContractQuery(principal_id=_principal_id(0)))
            assert [x.number for x in page.items] == [_number(2)]


class PortalContract(StoreContractBase):
    """The contractor portal on this store for a sole proprietor (個人事業主): issuance, then the
    history, details and key notice found by the customer number, and no one else's."""

    def test_a_sole_proprietor_uses_the_portal_by_customer_number(self, store: Store) -> None:
        sole = samples.sole_proprietor()
        service = samples.surety_service(
            store, arrangements=samples.arrangement_book(principal_ids=[sole.identifier])
        )
        issued = service.apply_and_issue(samples.electronic_application(principal=sole))
        numbers = sorted(g.contract.number for g in issued.guarantees)
        assert len(numbers) == 2
        page = service.history(ContractQuery(sole.identifier))
        assert [x.number for x in page.items] == numbers
        assert service.portal.history_list(sole.identifier).total == 2
        for g in issued.guarantees:
            details = service.details(g.contract.number, principal_id=sole.identifier)
            assert details.contract.principal == sole
            notice = service.key_notice(g.contract.number, principal_id=sole.identifier)
            assert g.key is not None
            assert notice.key.reveal() == g.key.reveal()
        others = (samples.contractor().identifier, samples.customer_number(1), "k-000123")
        for other in others:
            assert service.history(ContractQuery(other)).total == 0
            with pytest.raises(NotFoundError):
                service.details(numbers[0], principal_id=other)
            with pytest.raises(NotFoundError):
                service.key_notice(numbers[0], principal_id=other)
        with store.unit_of_work() as uow:
            found = uow.contracts.query(ContractQuery(sole.identifier)).items
            (application,) = {c.application_reference for c in found}
            assert application is not None
            assert uow.applications.get(application).principal == sole


class ApplicationsContract(StoreContractBase):
    """Applications: add, get, duplicates."""

    def test_add_get_and_duplicates(self, store: Store) -> None:
        application = _application("APP-1")
        with store.unit_of_work() as uow:
            uow.applications.add(application)
            assert uow.applications.get("APP-1") == application
        with store.unit_of_work() as uow:
            assert uow.applications.get("APP-1") == application
            with pytest.raises(NotFoundError):
                uow.applications.get("APP-2")
        with pytest.raises(DuplicateError), store.unit_of_work() as uow:
            uow.applications.add(_application("APP-1"))


class CertificatesContract(StoreContractBase):
    """Certificate versions: add, get, history oldest first."""

    def test_history_is_oldest_first_and_get_finds_each(self, store: Store) -> None:
        records = [_certificate(_number(1), v) for v in (2, 1, 3)]
        with store.unit_of_work() as uow:
            for record in records:
                uow.certificates.add(record)
            uow.certificates.add(_certificate(_number(2), 1))
        with store.unit_of_work() as uow:
            history = uow.certificates.history(_number(1))
            assert [r.version for r in history] == [1, 2, 3]
            assert list(history) == sorted(records, key=lambda r: r.version)
            assert uow.certificates.get(_number(1), 2) == records[0]
            assert list(uow.certificates.history(_number(3))) == []

    def test_missing_and_duplicate(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.certificates.add(_certificate(_number(1), 1))
        with store.unit_of_work() as uow:
            with pytest.raises(NotFoundError):
                uow.certificates.get(_number(1), 2)
            with pytest.raises(NotFoundError):
                uow.certificates.get(_number(2), 1)
        with pytest.raises(DuplicateError), store.unit_of_work() as uow:
            uow.certificates.add(_certificate(_number(1), 1))


class StatementsContract(StoreContractBase):
    """Statements kept with a contract: add, list by sequence, duplicates, rollback."""

    def test_listed_by_sequence_per_contract(self, store: Store) -> None:
        records = [
            _statement(_number(1), 2, StatementKind.REFUND),
            _statement(_number(1), 1),
            _statement(_number(2), 1, StatementKind.CLAIM),
        ]
        with store.unit_of_work() as uow:
            for record in records:
                uow.statements.add(record)
            assert [r.sequence for r in uow.statements.for_contract(_number(1))] == [1, 2]
        with store.unit_of_work() as uow:
            assert list(uow.statements.for_contract(_number(1))) == [records[1], records[0]]
            assert list(uow.statements.for_contract(_number(2))) == [records[2]]
            assert list(uow.statements.for_contract(_number(3))) == []

    def test_duplicate_and_rollback(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.statements.add(_statement(_number(1), 1))
        with pytest.raises(DuplicateError), store.unit_of_work() as uow:
            uow.statements.add(_statement(_number(1), 1, StatementKind.REFUND))
        with pytest.raises(_BoomError), store.unit_of_work() as uow:
            uow.statements.add(_statement(_number(1), 2))
            raise _BoomError
        with store.unit_of_work() as uow:
            assert [r.kind for r in uow.statements.for_contract(_number(1))] == [StatementKind.FEE]


def _payment(reference: str, sequence: int = 1, amount: int = 10_000) -> Payment:
    return Payment(
        reference=reference,
        sequence=sequence,
        amount=amount,
        received_on=date(2025, 4, 1),
        method=PaymentMethod.BANK_TRANSFER,
        payer="株式会社東葛建設",
    )


class PaymentsContract(StoreContractBase):
    """Fee payments kept per application: add, list by sequence, duplicates, rollback."""

    def test_listed_by_sequence_per_reference(self, store: Store) -> None:
        payments = [_payment("APP-1", 2, 5), _payment("APP-1", 1, 7), _payment("APP-2", 1)]
        with store.unit_of_work() as uow:
            for payment in payments:
                uow.payments.add(payment)
            assert [p.sequence for p in uow.payments.for_reference("APP-1")] == [1, 2]
        with store.unit_of_work() as uow:
            assert list(uow.payments.for_reference("APP-1")) == [payments[1], payments[0]]
            assert list(uow.payments.for_reference("APP-2")) == [payments[2]]
            assert list(uow.payments.for_reference("APP-3")) == []

    def test_duplicate_and_rollback(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.payments.add(_payment("APP-1", 1))
        with pytest.raises(DuplicateError), store.unit_of_work() as uow:
            uow.payments.add(_payment("APP-1", 1, 99))
        with pytest.raises(_BoomError), store.unit_of_work() as uow:
            uow.payments.add(_payment("APP-1", 2))
            raise _BoomError
        with store.unit_of_work() as uow:
            assert [p.amount for p in uow.payments.for_reference("APP-1")] == [10_000]


class KeysContract(StoreContractBase):
    """Key records: add, active, revoke, history."""

    def test_active_history_and_revocation(self, store: Store) -> None:
        number = _number(5)
        first = _key(number, 1)
        with store.unit_of_work() as uow:
            assert uow.keys.active(number) is None
            uow.keys.add(first)
            assert uow.keys.active(number) == first
        with store.unit_of_work() as uow:
            assert uow.keys.active(number) == first
            uow.keys.revoke(number, 1, _T0 + timedelta(days=3))
            assert uow.keys.active(number) is None
            second = _key(number, 2)
            uow.keys.add(second)
        with store.unit_of_work() as uow:
            assert uow.keys.active(number) == second
            history = uow.keys.history(number)
            assert [r.generation for r in history] == [1, 2]
            assert history[0].status is KeyStatus.REVOKED
            assert history[0].revoked_at == _T0 + timedelta(days=3)
            assert history[0].digest == first.digest
            assert history[0].ciphertext == first.ciphertext

    def test_revoke_is_idempotent_and_keeps_the_first_time(self, store: Store) -> None:
        number = _number(5)
        with store.unit_of_work() as uow:
            uow.keys.add(_key(number, 1))
        for day in (3, 4):
            with store.unit_of_work() as uow:
                uow.keys.revoke(number, 1, _T0 + timedelta(days=day))
        with store.unit_of_work() as uow:
            assert uow.keys.history(number)[0].revoked_at == _T0 + timedelta(days=3)

    def test_revoke_missing_raises_not_found(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.keys.add(_key(_number(5), 1))
        with store.unit_of_work() as uow:
            with pytest.raises(NotFoundError):
                uow.keys.revoke(_number(5), 2, _T0)
            with pytest.raises(NotFoundError):
                uow.keys.revoke(_number(6), 1, _T0)

    def test_duplicate_generation_and_second_active_raise(self, store: Store) -> None:
        number = _number(5)
        with store.unit_of_work() as uow:
            uow.keys.add(_key(number, 1))
        with pytest.raises(DuplicateError), store.unit_of_work() as uow:
            uow.keys.add(_key(number, 1, status=KeyStatus.REVOKED, revoked_at=_T0))
        with pytest.raises(DuplicateError), store.unit_of_work() as uow:
            uow.keys.add(_key(number, 2))
        with store.unit_of_work() as uow:
            uow.keys.add(_key(number, 2, status=KeyStatus.REVOKED, revoked_at=_T0))
            assert [r.generation for r in uow.keys.history(number)] == [1, 2]
            assert uow.keys.active(number) == _key(number, 1)

    def test_keys_of_different_contracts_are_separate(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.keys.add(_key(_number(1), 1))
            uow.keys.add(_key(_number(2), 1))
            uow.keys.revoke(_number(1), 1, _T0)
        with store.unit_of_work() as uow:
            assert uow.keys.active(_number(1)) is None
            assert uow.keys.active(_number(2)) == _key(_number(2), 1)
            assert list(uow.keys.history(_number(3))) == []


class AttemptsContract(StoreContractBase):
    """The attempt limiter's state: get, put (insert or replace), clear."""

    def test_put_get_replace_clear(self, store: Store) -> None:
        number = _number(9)
        with store.unit_of_work() as uow:
            assert uow.attempts.get(number) is None
            uow.attempts.put(_attempt(number, 1))
        with store.unit_of_work() as uow:
            assert uow.attempts.get(number) == _attempt(number, 1)
            uow.attempts.put(_attempt(number, 5))
            assert uow.attempts.get(number) == _attempt(number, 5)
        with store.unit_of_work() as uow:
            assert uow.attempts.get(number) == _attempt(number, 5)
            assert uow.attempts.get(_number(8)) is None
            uow.attempts.clear(number)
            uow.attempts.clear(_number(8))
            assert uow.attempts.get(number) is None
        with store.unit_of_work() as uow:
            assert uow.attempts.get(number) is None
            uow.attempts.put(_attempt(number, 2))
        with store.unit_of_work() as uow:
            assert uow.attempts.get(number) == _attempt(number, 2)


class AuditContract(StoreContractBase):
    """The audit log: sequenced append, last, events."""

    def test_append_last_and_events(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            assert uow.audit.last() is None
            assert list(uow.audit.events()) == []
        events: list[AuditEvent] = []
        for sequence in range(1, 8):
            with store.unit_of_work() as uow:
                event = _event(sequence, events[-1] if events else None)
                uow.audit.append(event)
                assert uow.audit.last() == event
                events.append(event)
        with store.unit_of_work() as uow:
            assert uow.audit.last() == events[-1]
            assert list(uow.audit.events()) == events
            assert list(uow.audit.events(after=3)) == events[3:]
            assert list(uow.audit.events(after=3, limit=2)) == events[3:5]
            assert list(uow.audit.events(after=7)) == []
            assert list(uow.audit.events(limit=1)) == events[:1]

    def test_events_include_own_uncommitted_appends(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.audit.append(_event(1))
            uow.audit.append(_event(2, _event(1)))
            assert [e.sequence for e in uow.audit.events(after=1)] == [2]
        with store.unit_of_work() as uow:
            assert [e.sequence for e in uow.audit.events()] == [1, 2]

    def test_taken_sequence_conflicts_and_a_gap_is_refused(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.audit.append(_event(1))
            uow.audit.append(_event(2, _event(1)))
        with pytest.raises(ConcurrencyConflictError), store.unit_of_work() as uow:
            uow.audit.append(_event(2, _event(1)))
        with pytest.raises(InvalidInputError), store.unit_of_work() as uow:
            uow.audit.append(_event(4))
        with store.unit_of_work() as uow:
            assert [e.sequence for e in uow.audit.events()] == [1, 2]

    def test_first_event_must_be_one(self, store: Store) -> None:
        with pytest.raises(InvalidInputError), store.unit_of_work() as uow:
            uow.audit.append(_event(2))


class OutboxContract(StoreContractBase):
    """The outbox: add, get, due order, mark_sent, mark_failed, all."""

    def test_add_get_duplicate_missing(self, store: Store) -> None:
        message = _message("issued:0000000001")
        with store.unit_of_work() as uow:
            uow.outbox.add(message)
            assert uow.outbox.get(message.idempotency_key) == message
        with store.unit_of_work() as uow:
            assert uow.outbox.get(message.idempotency_key) == message
            with pytest.raises(NotFoundError):
                uow.outbox.get("issued:0000000002")
            with pytest.raises(NotFoundError):
                uow.outbox.mark_sent("issued:0000000002", _T0)
            with pytest.raises(NotFoundError):
                uow.outbox.mark_failed("issued:0000000002", "x", _T0, None)
        with pytest.raises(DuplicateError), store.unit_of_work() as uow:
            uow.outbox.add(_message("issued:0000000001", _T0 + timedelta(hours=1)))

    def test_due_is_oldest_first_then_by_key_and_respects_limit(self, store: Store) -> None:
        later = _T0 + timedelta(minutes=5)
        messages = [
            _message("c", later),
            _message("b", _T0),
            # The same instant written with another UTC offset sorts as the same time.
            _message("a", (_T0 + timedelta(minutes=5)).astimezone(_JST)),
            _message("d", _T0 - timedelta(minutes=1)),
            _message("e", _T0, next_attempt_at=_T0 + timedelta(hours=1)),
        ]
        with store.unit_of_work() as uow:
            for message in messages:
                uow.outbox.add(message)
        with store.unit_of_work() as uow:
            due = uow.outbox.due(_T0 + timedelta(minutes=10))
            assert [m.idempotency_key for m in due] == ["d", "b", "a", "c"]
            limited = uow.outbox.due(_T0 + timedelta(minutes=10), limit=2)
            assert [m.idempotency_key for m in limited] == ["d", "b"]
            # Only next_attempt_at holds a message back (created_at does not).
            due_early = uow.outbox.due(_T0 + timedelta(minutes=59))
            assert [m.idempotency_key for m in due_early] == ["d", "b", "a", "c"]
            due_later = uow.outbox.due(_T0 + timedelta(hours=1))
            assert [m.idempotency_key for m in due_later] == ["d", "b", "e", "a", "c"]
            assert [m.idempotency_key for m in uow.outbox.all()] == ["d", "b", "e", "a", "c"]

    def test_mark_sent_is_idempotent_and_leaves_due(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.outbox.add(_message("k1"))
            uow.outbox.add(_message("k2", _T0 + timedelta(seconds=1)))
        sent_at = _T0 + timedelta(minutes=1)
        for at in (sent_at, sent_at + timedelta(minutes=1)):
            with store.unit_of_work() as uow:
                uow.outbox.mark_sent("k1", at)
        with store.unit_of_work() as uow:
            sent = uow.outbox.get("k1")
            assert sent.status is OutboxStatus.SENT
            assert sent.attempts == 1
            assert sent.sent_at == sent_at
            assert [m.idempotency_key for m in uow.outbox.due(_T0 + timedelta(days=1))] == ["k2"]
            uow.outbox.mark_failed("k1", "late report", _T0 + timedelta(minutes=3), None)
            assert uow.outbox.get("k1").status is OutboxStatus.SENT

    def test_mark_failed_retries_later_or_gives_up(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.outbox.add(_message("k1"))
            uow.outbox.add(_message("k2"))
        retry_at = _T0 + timedelta(minutes=5)
        with store.unit_of_work() as uow:
            uow.outbox.mark_failed("k1", "450 mailbox busy", _T0 + timedelta(minutes=1), retry_at)
            uow.outbox.mark_failed("k2", "550 no such user", _T0 + timedelta(minutes=1), None)
        with store.unit_of_work() as uow:
            k1 = uow.outbox.get("k1")
            assert (k1.status, k1.attempts, k1.last_error) == (
                OutboxStatus.PENDING,
                1,
                "450 mailbox busy",
            )
            assert k1.next_attempt_at == retry_at
            k2 = uow.outbox.get("k2")
            assert (k2.status, k2.attempts) == (OutboxStatus.FAILED, 1)
            assert list(uow.outbox.due(_T0 + timedelta(minutes=4))) == []
            assert [m.idempotency_key for m in uow.outbox.due(retry_at)] == ["k1"]
            uow.outbox.mark_failed("k1", "450 again", retry_at, retry_at + timedelta(minutes=10))
            uow.outbox.mark_sent("k1", retry_at + timedelta(minutes=10))
        with store.unit_of_work() as uow:
            k1 = uow.outbox.get("k1")
            assert (k1.status, k1.attempts, k1.last_error) == (OutboxStatus.SENT, 3, "450 again")
            assert k1.next_attempt_at is None


class NumbersContract(StoreContractBase):
    """The contract-number allocator."""

    def test_numbers_are_ten_digits_increasing_and_never_reused(self, store: Store) -> None:
        seen: list[str] = []
        for _ in range(3):
            with store.unit_of_work() as uow:
                seen.extend(uow.numbers.allocate() for _ in range(3))
        with pytest.raises(_BoomError), store.unit_of_work() as uow:
            seen.append(uow.numbers.allocate())
            raise _BoomError
        with store.unit_of_work() as uow:
            seen.append(uow.numbers.allocate())
        assert all(len(n) == 10 and n.isascii() and n.isdigit() for n in seen)
        assert len(set(seen)) == len(seen), "a rolled-back number was handed out again"
        committed = seen[:-2] + seen[-1:]
        assert committed == sorted(committed)
        assert seen[:-2] == sorted(seen[:-2])


class UnitOfWorkContract(StoreContractBase):
    """Transactions: own writes visible, commit, rollback across every repository."""

    @staticmethod
    def _write_everything(uow: UnitOfWork, number: str) -> None:
        uow.contracts.add(_contract(number))
        uow.applications.add(_application(f"APP-{number}"))
        uow.certificates.add(_certificate(number, 1))
        uow.keys.add(_key(number, 1))
        uow.attempts.put(_attempt(number))
        last = uow.audit.last()
        uow.audit.append(_event(last.sequence + 1 if last else 1, last))
        uow.outbox.add(_message(f"issued:{number}"))

    @staticmethod
    def _nothing_of(store: Store, number: str, audit_events: int) -> None:
        with store.unit_of_work() as uow:
            assert uow.contracts.find(number) is None
            with pytest.raises(NotFoundError):
                uow.applications.get(f"APP-{number}")
            assert list(uow.certificates.history(number)) == []
            assert list(uow.keys.history(number)) == []
            assert uow.attempts.get(number) is None
            assert len(list(uow.audit.events())) == audit_events
            with pytest.raises(NotFoundError):
                uow.outbox.get(f"issued:{number}")

    def test_commit_makes_every_write_visible(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            self._write_everything(uow, _number(1))
            assert uow.contracts.get(_number(1)) == _contract(_number(1))
        with store.unit_of_work() as uow:
            assert uow.contracts.get(_number(1)) == _contract(_number(1))
            assert uow.applications.get(f"APP-{_number(1)}") == _application(f"APP-{_number(1)}")
            assert uow.certificates.get(_number(1), 1) == _certificate(_number(1), 1)
            assert uow.keys.active(_number(1)) == _key(_number(1), 1)
            assert uow.attempts.get(_number(1)) == _attempt(_number(1))
            assert uow.audit.last() == _event(1)
            assert uow.outbox.get(f"issued:{_number(1)}") == _message(f"issued:{_number(1)}")

    def test_exception_rolls_back_every_repository(self, store: Store) -> None:
        with pytest.raises(_BoomError), store.unit_of_work() as uow:
            self._write_everything(uow, _number(1))
            raise _BoomError
        self._nothing_of(store, _number(1), 0)

    def test_rollback_undoes_updates_and_deletes(self, store: Store) -> None:
        old = _contract(_number(1))
        with store.unit_of_work() as uow:
            self._write_everything(uow, _number(1))
        with pytest.raises(_BoomError), store.unit_of_work() as uow:
            uow.contracts.replace(old, _released(old))
            uow.keys.revoke(_number(1), 1, _T0)
            uow.attempts.clear(_number(1))
            uow.outbox.mark_sent(f"issued:{_number(1)}", _T0)
            uow.audit.append(_event(2, _event(1)))
            raise _BoomError
        with store.unit_of_work() as uow:
            assert uow.contracts.get(_number(1)) == old
            assert uow.keys.active(_number(1)) == _key(_number(1), 1)
            assert uow.attempts.get(_number(1)) == _attempt(_number(1))
            assert uow.outbox.get(f"issued:{_number(1)}").status is OutboxStatus.PENDING
            assert [e.sequence for e in uow.audit.events()] == [1]

    def test_a_failing_write_rolls_back_the_whole_unit(self, store: Store) -> None:
        old = _contract(_number(1))
        self.add(store, old)
        with store.unit_of_work() as uow:
            uow.contracts.replace(old, _amended(old))
        with pytest.raises(ConcurrencyConflictError), store.unit_of_work() as uow:
            self._write_everything(uow, _number(2))
            uow.contracts.replace(old, _released(old))
        self._nothing_of(store, _number(2), 0)

    def test_reads_see_own_writes_before_commit(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.contracts.add(_contract(_number(2), corporate=1))
            query = ContractQuery(principal_id=_principal_id(1))
            assert [x.number for x in uow.contracts.query(query).items] == [_number(2)]
            assert [x.number for x in uow.contracts.for_works("kashiwa", "R7-001")] == [_number(2)]
            uow.outbox.add(_message("m"))
            assert [m.idempotency_key for m in uow.outbox.due(_T0)] == ["m"]
            assert [m.idempotency_key for m in uow.outbox.all()] == ["m"]


class ConcurrencyContract(StoreContractBase):
    """Several threads on one store (skipped when ``supports_threads`` is false)."""

    def _run(self, work: Callable[[int], None]) -> list[BaseException]:
        if not self.supports_threads:
            pytest.skip("this store is not shared between threads")
        errors: list[BaseException] = []
        barrier = threading.Barrier(self.threads)

        def target(i: int) -> None:
            try:
                barrier.wait(timeout=30)
                work(i)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=target, args=(i,)) for i in range(self.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a thread hung"
        return errors

    def _run_ok(self, work: Callable[[int], None]) -> None:
        errors = self._run(work)
        assert not errors, f"{len(errors)} thread(s) failed: {errors!r}"

    def test_concurrent_issuance_allocates_unique_numbers_and_loses_nothing(
        self, store: Store
    ) -> None:
        per_thread = 25
        committed: list[str] = []
        lock = threading.Lock()

        def work(i: int) -> None:
            for _ in range(per_thread):
                with store.unit_of_work() as uow:
                    number = uow.numbers.allocate()
                    uow.contracts.add(_contract(number, corporate=i))
                    uow.keys.add(_key(number))
                    uow.outbox.add(_message(f"issued:{number}"))
                with lock:
                    committed.append(number)

        self._run_ok(work)
        assert len(committed) == len(set(committed)) == per_thread * self.threads
        with store.unit_of_work() as uow:
            for number in committed:
                assert uow.contracts.get(number).number == number
                assert uow.keys.active(number) is not None
            assert len(uow.outbox.all()) == len(committed)
            for i in range(self.threads):
                page = uow.contracts.query(ContractQuery(principal_id=_principal_id(i)))
                assert page.total == per_thread

    def test_of_two_concurrent_replaces_exactly_one_wins(self, store: Store) -> None:
        for round_ in range(5):
            old = _contract(_number(100 + round_))
            self.add(store, old)
            outcomes: list[tuple[int, str]] = []

            def work(
                i: int,
                old: GuaranteeContract = old,
                outcomes: list[tuple[int, str]] = outcomes,
            ) -> None:
                try:
                    with store.unit_of_work() as uow:
                        uow.contracts.replace(old, _amended(old, works=f"W-{i}"))
                    outcomes.append((i, "won"))
                except ConcurrencyConflictError:
                    outcomes.append((i, "conflict"))

            self._run_ok(work)
            winners = [i for i, outcome in outcomes if outcome == "won"]
            assert len(winners) == 1, outcomes
            assert len(outcomes) == self.threads
            with store.unit_of_work() as uow:
                stored = uow.contracts.get(old.number)
                assert stored.version == 2
                assert stored.works.number == f"W-{winners[0]}"

    def test_concurrent_audit_appends_keep_a_gapless_sequence(self, store: Store) -> None:
        per_thread = 10

        def work(i: int) -> None:
            done = 0
            while done < per_thread:
                try:
                    with store.unit_of_work() as uow:
                        last = uow.audit.last()
                        uow.audit.append(_event(last.sequence + 1 if last else 1, last))
                    done += 1
                except ConcurrencyConflictError:
                    continue

        self._run_ok(work)
        with store.unit_of_work() as uow:
            sequences = [e.sequence for e in uow.audit.events()]
        assert sequences == list(range(1, per_thread * self.threads + 1))

    def test_only_one_concurrent_active_key_per_contract(self, store: Store) -> None:
        number = _number(77)
        results: list[int] = []

        def work(i: int) -> None:
            try:
                with store.unit_of_work() as uow:
                    uow.keys.add(_key(number, i + 1))
                results.append(i + 1)
            except DuplicateError:
                pass

        self._run_ok(work)
        assert len(results) == 1
        with store.unit_of_work() as uow:
            active = uow.keys.active(number)
            assert active is not None
            assert active.generation == results[0]
            assert len(uow.keys.history(number)) == 1


_COMMIT: Final = object()


class _Unit:
    """One unit of work driven step by step from a test, in a thread of its own (a store may
    make a second unit wait for the first: a database lock). :meth:`send` queues a step and
    waits briefly for it; :meth:`end` commits (or rolls back) and returns the exception that
    ended the unit, if any. A step that raised ends the unit there: the exception leaves the
    ``with`` block, as the protocol asks, and later steps are ignored."""

    def __init__(self, store: Store, pause: float) -> None:
        self._store = store
        self._pause = pause
        self._steps: queue.Queue[Any] = queue.Queue()
        self._done: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.results: list[Any] = []
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            step = self._steps.get()
            if step is _COMMIT:
                self._done.put(("end", None))
                return
            with self._store.unit_of_work() as uow:
                while step is not _COMMIT:
                    if step is _BoomError:
                        raise _BoomError
                    self.results.append(step(uow))
                    self._done.put(("step", None))
                    step = self._steps.get()
        except BaseException as exc:
            self.error = exc
        self._done.put(("end", None))

    def send(self, step: Callable[[UnitOfWork], Any]) -> bool:
        """Queue ``step``; ``True`` when it finished within the pause (``False``: it waits)."""
        self._steps.put(step)
        try:
            self._done.get(timeout=self._pause)
        except queue.Empty:
            return False
        return True

    def run(self, step: Callable[[UnitOfWork], Any]) -> None:
        """Queue ``step`` and wait until it has finished: the first unit's step, which nothing
        can block, must be done before the second unit starts (on a loaded machine a short pause
        could otherwise let the second unit go first and hold the lock the first one needs)."""
        self._steps.put(step)
        try:
            self._done.get(timeout=60)
        except queue.Empty:
            raise AssertionError("an uncontended step of a unit of work hung") from None

    def end(self, *, commit: bool = True) -> BaseException | None:
        self._steps.put(_COMMIT if commit else _BoomError)
        self._steps.put(_COMMIT)
        self._thread.join(timeout=60)
        assert not self._thread.is_alive(), "a unit of work hung"
        return None if isinstance(self.error, _BoomError) else self.error


class InterleavingContract(StoreContractBase):
    """Two units of work interleaved step by step: every rule checked when a call is made is
    checked again at commit, and a commit is all or nothing (skipped without threads).

    A store may make the second unit wait for the first (a lock), refuse at the call, or refuse
    at commit; each is right as long as the outcome is one of the serial ones."""

    pause: ClassVar[float] = 0.2
    """How long a step may take before the test counts it as waiting for the other unit."""

    def _units(self, store: Store) -> tuple[_Unit, _Unit]:
        if not self.supports_threads:
            pytest.skip("this store is not shared between threads")
        return _Unit(store, self.pause), _Unit(store, self.pause)

    @pytest.mark.parametrize(
        "first_second",
        [
            "contract number",
            "application reference",
            "application and product",
            "active key",
            "key generation",
            "certificate version",
            "statement sequence",
            "outbox key",
        ],
    )
    def test_a_duplicate_is_refused_at_commit_too(self, store: Store, first_second: str) -> None:
        def pair() -> tuple[Callable[[UnitOfWork], Any], Callable[[UnitOfWork], Any]]:
            n = _number(1)
            if first_second == "contract number":
                return (
                    lambda u: u.contracts.add(_contract(n)),
                    lambda u: u.contracts.add(_contract(n, corporate=1)),
                )
            if first_second == "application reference":
                return (
                    lambda u: u.applications.add(_application("APP-7")),
                    lambda u: u.applications.add(
                        attrs.evolve(_application("APP-7"), notification_email=None)
                    ),
                )
            if first_second == "application and product":
                return (
                    lambda u: u.contracts.add(_contract(n, application="APP-7")),
                    lambda u: u.contracts.add(_contract(_number(2), application="APP-7")),
                )
            if first_second == "active key":
                return (
                    lambda u: u.keys.add(_key(n, 1)),
                    lambda u: u.keys.add(_key(n, 2)),
                )
            if first_second == "key generation":
                return (
                    lambda u: u.keys.add(_key(n, 1)),
                    lambda u: u.keys.add(_key(n, 1, status=KeyStatus.REVOKED, revoked_at=_T0)),
                )
            if first_second == "certificate version":
                return (
                    lambda u: u.certificates.add(_certificate(n, 1)),
                    lambda u: u.certificates.add(
                        attrs.evolve(_certificate(n, 1), created_at=_T0 + timedelta(hours=1))
                    ),
                )
            if first_second == "statement sequence":
                return (
                    lambda u: u.statements.add(_statement(n, 1)),
                    lambda u: u.statements.add(_statement(n, 1, kind=StatementKind.REFUND)),
                )
            return (
                lambda u: u.outbox.add(_message("k")),
                lambda u: u.outbox.add(_message("k", _T0 + timedelta(hours=1))),
            )

        first, second = pair()
        a, b = self._units(store)
        a.run(first)
        b.send(second)
        assert a.end() is None, "the first unit to commit wins"
        error = b.end()
        assert isinstance(error, DuplicateError), f"the second must be refused, got {error!r}"
        with store.unit_of_work() as uow:
            check = self._stored(first_second)
            assert check(uow), "what is stored is the first unit's record"

    @staticmethod
    def _stored(case: str) -> Callable[[UnitOfWork], bool]:
        n = _number(1)
        checks: dict[str, Callable[[UnitOfWork], bool]] = {
            "contract number": lambda u: u.contracts.get(n) == _contract(n),
            "application reference": lambda u: u.applications.get("APP-7") == _application("APP-7"),
            "application and product": lambda u: u.contracts.find(_number(2)) is None,
            "active key": lambda u: [k.generation for k in u.keys.history(n)] == [1],
            "key generation": lambda u: (
                u.keys.history(n) == (_key(n, 1),) or list(u.keys.history(n)) == [_key(n, 1)]
            ),
            "certificate version": lambda u: u.certificates.get(n, 1) == _certificate(n, 1),
            "statement sequence": lambda u: (
                list(u.statements.for_contract(n)) == [_statement(n, 1)]
            ),
            "outbox key": lambda u: u.outbox.get("k") == _message("k"),
        }
        return checks[case]

    def test_an_optimistic_replace_is_checked_at_commit_too(self, store: Store) -> None:
        old = _contract(_number(1))
        self.add(store, old)
        a, b = self._units(store)
        a.run(lambda u: u.contracts.replace(old, _amended(old, works="W-A")))
        b.send(lambda u: u.contracts.replace(old, _amended(old, works="W-B")))
        assert a.end() is None
        error = b.end()
        assert isinstance(error, ConcurrencyConflictError), f"got {error!r}"
        with store.unit_of_work() as uow:
            assert uow.contracts.get(old.number).works.number == "W-A"

    def test_a_commit_that_fails_half_way_leaves_nothing(self, store: Store) -> None:
        old = _contract(_number(1))
        self.add(store, old)
        a, b = self._units(store)
        a.run(lambda u: u.contracts.replace(old, _released(old)))
        # b writes first, then loses its replace: its earlier writes must go too.
        b.send(lambda u: u.contracts.add(_contract(_number(2), corporate=1)))
        b.send(lambda u: u.outbox.add(_message("b")))
        b.send(lambda u: u.contracts.replace(old, _amended(old)))
        assert a.end() is None
        assert isinstance(b.end(), ConcurrencyConflictError)
        with store.unit_of_work() as uow:
            assert uow.contracts.find(_number(2)) is None
            with pytest.raises(NotFoundError):
                uow.outbox.get("b")
            assert uow.contracts.get(old.number) == _released(old)

    def test_a_rolled_back_unit_never_makes_a_number_come_round_again(self, store: Store) -> None:
        a, b = self._units(store)
        a.run(lambda u: u.numbers.allocate())
        b.send(lambda u: u.numbers.allocate())
        assert a.end(commit=False) is None  # a rolls back
        assert b.end() is None
        with store.unit_of_work() as uow:
            after = [uow.numbers.allocate() for _ in range(3)]
        handed_out = a.results + b.results + after
        assert len(set(handed_out)) == len(handed_out) == 5, handed_out

    def test_limiter_state_updates_are_never_lost(self, store: Store) -> None:
        number = _number(5)

        def one_more(uow: UnitOfWork) -> None:
            state = uow.attempts.get(number)
            failures = 0 if state is None else state.failures
            uow.attempts.put(_attempt(number, failures + 1))

        a, b = self._units(store)
        a.run(one_more)
        b.send(one_more)
        ended = [a.end(), b.end()]
        lost = [e for e in ended if e is not None]
        assert all(isinstance(e, ConcurrencyConflictError) for e in lost), lost
        with store.unit_of_work() as uow:
            state = uow.attempts.get(number)
            assert state is not None
            assert state.failures == 2 - len(lost), "a failure count was overwritten"

    def test_a_rule_across_one_works_holds_at_commit(self, store: Store) -> None:
        def issue_if_none(corporate: int, number: str) -> Callable[[UnitOfWork], bool]:
            def step(uow: UnitOfWork) -> bool:
                if uow.contracts.for_works("kashiwa", "R7-009"):
                    return False
                uow.contracts.add(_contract(number, corporate=corporate, works="R7-009"))
                return True

            return step

        a, b = self._units(store)
        a.run(issue_if_none(0, _number(1)))
        b.send(issue_if_none(1, _number(2)))
        ended = [a.end(), b.end()]
        assert all(e is None or isinstance(e, ConcurrencyConflictError) for e in ended), ended
        with store.unit_of_work() as uow:
            assert len(uow.contracts.for_works("kashiwa", "R7-009")) == 1

    def test_claims_of_two_dispatchers_never_overlap(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            for key in ("m1", "m2", "m3"):
                uow.outbox.add(_message(key))
        lease = _T0 + timedelta(minutes=5)
        a, b = self._units(store)
        a.run(lambda u: [m.idempotency_key for m in u.outbox.claim(_T0, lease, 2)])
        b.send(lambda u: [m.idempotency_key for m in u.outbox.claim(_T0, lease, 10)])
        ended = [a.end(), b.end()]
        assert all(e is None or isinstance(e, TransactionConflictError) for e in ended), ended
        taken = [
            key
            for unit, e in zip((a, b), ended, strict=True)
            if e is None
            for key in unit.results[0]
        ]
        assert len(taken) == len(set(taken)), f"a message was claimed twice: {taken}"


class DocumentedBehaviourContract(StoreContractBase):
    """What the protocol documents beyond the data: input checks, the unit of work's life,
    exact identifiers, inclusive bounds, the outbox's error text and a failed message."""

    def test_a_unit_of_work_is_entered_once_and_refuses_use_outside_its_block(
        self, store: Store
    ) -> None:
        uow = store.unit_of_work()
        with pytest.raises(InvalidInputError):
            uow.contracts.find(_number(1))
        with uow:
            uow.outbox.add(_message("inside"))
        with pytest.raises(InvalidInputError):
            uow.outbox.add(_message("after"))
        with pytest.raises(InvalidInputError):
            uow.contracts.find(_number(1))
        with pytest.raises(InvalidInputError), uow:
            pass
        with store.unit_of_work() as check:
            assert [m.idempotency_key for m in check.outbox.all()] == ["inside"]

    def test_identifiers_are_compared_exactly(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.applications.add(_application("APP-1"))
            uow.applications.add(_application("app-1"))
            uow.contracts.add(_contract(_number(1), works="R7-001"))
            uow.contracts.add(_contract(_number(2), works="r7-001", corporate=1))
            uow.outbox.add(_message("k"))
            uow.outbox.add(_message("K"))
            uow.outbox.add(_message("k "))
            uow.attempts.put(_attempt(_number(1)))
        with store.unit_of_work() as uow:
            assert uow.applications.get("app-1").reference == "app-1"
            with pytest.raises(NotFoundError):
                uow.applications.get("App-1")
            assert [c.number for c in uow.contracts.for_works("kashiwa", "R7-001")] == [_number(1)]
            assert [c.number for c in uow.contracts.for_works("kashiwa", "r7-001")] == [_number(2)]
            assert uow.contracts.for_works("kashiwa", "R7-001 ") == ()
            assert len(uow.outbox.all()) == 3
            assert uow.contracts.find(f" {_number(1)}") is None
            assert uow.attempts.get(f"{_number(1)} ") is None
            assert uow.keys.active(f"{_number(1)} ") is None

    def test_date_bounds_are_inclusive(self, store: Store) -> None:
        day = date(2025, 4, 1)
        self.add(store, _contract(_number(1), issued_on=day))
        with store.unit_of_work() as uow:
            for query in (
                ContractQuery(_corporate(0), issued_from=day),
                ContractQuery(_corporate(0), issued_to=day),
                ContractQuery(_corporate(0), issued_from=day, issued_to=day),
            ):
                assert uow.contracts.query(query).total == 1, query
            uow.outbox.add(_message("m", next_attempt_at=_T0 + timedelta(minutes=1)))
            assert [m.idempotency_key for m in uow.outbox.due(_T0 + timedelta(minutes=1))] == ["m"]

    def test_inputs_are_checked(self, store: Store) -> None:
        naive = datetime(2025, 4, 1, 9, 0)
        with store.unit_of_work() as uow:
            uow.outbox.add(_message("m"))
            uow.keys.add(_key(_number(1)))
            bad_calls: list[Callable[[], object]] = [
                lambda: uow.contracts.add("contract"),  # type: ignore[arg-type]
                lambda: uow.outbox.due(naive),
                lambda: uow.outbox.due(_T0, limit=0),
                lambda: uow.outbox.claim(_T0, _T0, 10),
                lambda: uow.outbox.mark_sent("m", naive),
                lambda: uow.outbox.mark_failed("m", "x", naive, None),
                lambda: uow.keys.revoke(_number(1), 1, naive),
                lambda: list(uow.audit.events(after=-1)),
                lambda: list(uow.audit.events(limit=0)),
                lambda: uow.audit.append(_event(3)),
            ]
            for call in bad_calls:
                with pytest.raises(InvalidInputError):
                    call()

    def test_last_error_is_kept_to_its_first_2000_characters(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.outbox.add(_message("m"))
            uow.outbox.mark_failed("m", "e" * 5000, _T0, _T0 + timedelta(minutes=1))
            assert uow.outbox.get("m").last_error == "e" * 2000

    def test_mark_failed_on_a_failed_message_records_the_attempt(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.outbox.add(_message("m"))
            uow.outbox.mark_failed("m", "550 no such user", _T0, None)
            failed = uow.outbox.get("m")
            assert (failed.status, failed.attempts) == (OutboxStatus.FAILED, 1)
            uow.outbox.mark_failed("m", "550 again", _T0, None)
            again = uow.outbox.get("m")
            assert (again.status, again.attempts, again.last_error) == (
                OutboxStatus.FAILED,
                2,
                "550 again",
            )
            retry = _T0 + timedelta(hours=1)
            uow.outbox.mark_failed("m", "try later", _T0, retry)
            revived = uow.outbox.get("m")
            assert (revived.status, revived.next_attempt_at) == (OutboxStatus.PENDING, retry)


class StoreContract(
    ContractsContract,
    ApplicationsContract,
    CertificatesContract,
    StatementsContract,
    PaymentsContract,
    PortalContract,
    KeysContract,
    AttemptsContract,
    AuditContract,
    OutboxContract,
    NumbersContract,
    UnitOfWorkContract,
    ConcurrencyContract,
    InterleavingContract,
    DocumentedBehaviourContract,
):
    """The whole suite. Subclass it as ``Test...`` and override the ``store`` fixture."""
