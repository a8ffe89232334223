"""The workflow contract test suite: the whole story on a host's store (private; see
:mod:`surety_core.testing.workflow`).

What this module owns: pytest test classes that run apply → issue → completion e-mail → view
(right key, wrong key, typo) → amend → release → claim → history, details and key notice through
the services on whatever store the host provides, with a :class:`~surety_core.testing.FixedClock`
and a :class:`~surety_core.testing.RecordingNotifier`, and assert the outcomes and the audit chain.
Where :mod:`surety_core.testing.contract` proves each repository call, this suite proves that the
calls add up to the library's promises. What it must not know: any particular store.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date, timedelta
from typing import ClassVar

try:
    import pytest
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "surety_core.testing.workflow needs pytest: pip install pytest (or surety-core[test])"
    ) from exc

import attrs

from surety_core._errors import (
    KeyFormatError,
    NotFoundError,
    VerificationError,
)
from surety_core.audit._chain import AuditAction
from surety_core.certificates._signing import SigningKeyRing, verify_certificate, verify_chain
from surety_core.domain._model import Amendment, GuaranteeStatus, Medium
from surety_core.domain._products import ADVANCE_PAYMENT, CONTRACT_GUARANTEE
from surety_core.domain._rules import RuleViolationError
from surety_core.keys._format import ALPHABET, AuthKey
from surety_core.notify import (
    COMPLETION_NOTICE_KIND,
    OutboxDispatcher,
    amendment_notice_key,
    completion_notice_key,
)
from surety_core.services import IssuedGuarantee, SuretyService
from surety_core.storage._protocols import ContractQuery, Store
from surety_core.storage._records import AuditEvent, OutboxStatus
from surety_core.testing import _samples as samples
from surety_core.testing._doubles import FixedClock, RecordingNotifier

__all__ = ["Story", "WorkflowContract", "WorkflowContractBase"]


def _mistyped(key: AuthKey) -> str:
    """``key`` as printed with its sixth character (the first of the second group) mistyped."""
    printed = key.reveal()
    wrong = next(c for c in ALPHABET if c != printed[5])
    return printed[:5] + wrong + printed[6:]


def _key(guarantee: IssuedGuarantee) -> AuthKey:
    if guarantee.key is None:
        raise AssertionError(f"{guarantee.contract.number} was issued without a key")
    return guarantee.key


@attrs.define
class Story:
    """The sample story issued on the store under test (built by the ``story`` fixture).

    ``contract`` and ``advance`` are the electronic contract guarantee and the electronic
    advance payment guarantee of :func:`~surety_core.testing.samples.electronic_application`;
    ``paper`` the paper guarantee of :func:`~surety_core.testing.samples.paper_application`.
    """

    service: SuretyService
    store: Store
    clock: FixedClock
    notifier: RecordingNotifier
    signing_keys: SigningKeyRing
    contract: IssuedGuarantee
    advance: IssuedGuarantee
    paper: IssuedGuarantee

    @property
    def electronic(self) -> tuple[IssuedGuarantee, IssuedGuarantee]:
        return self.contract, self.advance

    def dispatch(self) -> tuple[str, ...]:
        """Send what is due in the outbox to the recording notifier; the keys sent."""
        report = OutboxDispatcher(self.store, self.notifier, clock=self.clock).dispatch_due()
        assert not report.retrying
        assert not report.failed
        return report.sent

    def events(self) -> list[AuditEvent]:
        """The whole audit log, oldest first."""
        with self.store.unit_of_work() as uow:
            return list(uow.audit.events())

    def actions(self) -> list[str]:
        return [str(e.action) for e in self.events()]


class WorkflowContractBase:
    """The fixtures: override ``store`` (a fresh, empty store; close it afterwards).

    ``clock`` (a :class:`~surety_core.testing.FixedClock` at the sample day), ``notifier``
    (a :class:`~surety_core.testing.RecordingNotifier`), ``signing_keys`` and ``service``
    (:func:`~surety_core.testing.samples.surety_service` on the store) may be overridden too,
    for example to run the suite with the host's own secret provider.
    """

    observer: ClassVar[str] = "柏市"
    """The actor name the obligee views under."""

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        """Override: yield a fresh, empty store (and close it afterwards)."""
        pytest.fail("a WorkflowContract subclass must override the 'store' fixture")

    @pytest.fixture
    def clock(self) -> FixedClock:
        return FixedClock(samples.SAMPLE_NOW)

    @pytest.fixture
    def notifier(self) -> RecordingNotifier:
        return RecordingNotifier()

    @pytest.fixture
    def signing_keys(self) -> SigningKeyRing:
        return samples.signing_ring()

    @pytest.fixture
    def service(
        self, store: Store, clock: FixedClock, signing_keys: SigningKeyRing
    ) -> SuretyService:
        return samples.surety_service(store, clock=clock, signing_keys=signing_keys)

    @pytest.fixture
    def story(
        self,
        service: SuretyService,
        store: Store,
        clock: FixedClock,
        notifier: RecordingNotifier,
        signing_keys: SigningKeyRing,
    ) -> Story:
        """Apply for and issue the sample story's three guarantees."""
        contract, advance = service.apply_and_issue(samples.electronic_application()).guarantees
        (paper,) = service.apply_and_issue(samples.paper_application()).guarantees
        return Story(service, store, clock, notifier, signing_keys, contract, advance, paper)


class WorkflowContract(WorkflowContractBase):
    """apply → issue → view → amend → release → claim → history, details, key notice."""

    # -- apply and issue --------------------------------------------------------------------

    def test_apply_records_the_application_and_quotes_a_fee_per_request(
        self, service: SuretyService, store: Store
    ) -> None:
        application = samples.electronic_application()
        receipt = service.apply(application)
        assert receipt.reference == application.reference
        assert [f.product for f in receipt.fees] == [CONTRACT_GUARANTEE, ADVANCE_PAYMENT]
        assert all(f.total > 0 for f in receipt.fees)
        with store.unit_of_work() as uow:
            assert uow.applications.get(application.reference) == application
            assert [str(e.action) for e in uow.audit.events()] == [AuditAction.APPLIED]

    def test_issue_gives_each_electronic_guarantee_its_own_key_and_paper_none(
        self, story: Story
    ) -> None:
        numbers = [g.contract.number for g in (*story.electronic, story.paper)]
        assert len(set(numbers)) == 3
        assert all(len(n) == 10 and n.isdigit() for n in numbers)
        assert _key(story.contract).reveal() != _key(story.advance).reveal()
        assert story.paper.key is None
        assert [g.contract.medium for g in (*story.electronic, story.paper)] == [
            Medium.ELECTRONIC,
            Medium.ELECTRONIC,
            Medium.PAPER,
        ]
        trusted = story.signing_keys.trusted_keys()
        for issued in (*story.electronic, story.paper):
            assert issued.contract.status is GuaranteeStatus.ISSUED
            assert issued.contract.issued_on == story.clock.today()
            if issued.contract.medium is Medium.PAPER:
                assert issued.certificate is None  # only electronic content is signed
                continue
            assert issued.certificate is not None
            content = verify_certificate(issued.certificate.document, trusted)
            assert (content.number, content.version) == (issued.contract.number, 1)
        # The fee does not depend on the medium: the same amount costs the same on paper.
        electronic = samples.electronic_application(
            reference="APP-0003",
            works=samples.school_works(number="R7-015"),
            contract=None,
            advance_amount=story.paper.contract.amount,
        )
        assert story.service.apply(electronic).fees[0].total == story.paper.fee.total

    def test_completion_notices_reach_the_notifier_once_and_carry_no_key(
        self, story: Story
    ) -> None:
        sent = story.dispatch()
        expected = {completion_notice_key(g.contract) for g in story.electronic}
        assert set(sent) == expected  # the paper guarantee gets no completion notice
        assert set(story.notifier.idempotency_keys) == expected
        assert len(story.notifier.to(samples.CONTRACTOR_EMAIL)) == 2
        assert story.dispatch() == ()  # nothing is sent twice
        assert len(story.notifier.messages) == 2
        texts = "\n".join(story.notifier.texts())
        for issued in story.electronic:
            assert issued.contract.number in texts
            assert _key(issued).reveal() not in texts
            assert _key(issued).reveal().replace("-", "") not in texts.replace("-", "")
        with story.store.unit_of_work() as uow:
            assert {m.kind for m in uow.outbox.all()} == {COMPLETION_NOTICE_KIND}
            # Recorded as sent: a dispatcher's claim (lease) alone would also keep a second
            # round quiet, but only until the lease ends.
            assert {m.status for m in uow.outbox.all()} == {OutboxStatus.SENT}

    # -- the obligee's view -----------------------------------------------------------------

    def test_the_obligee_views_each_guarantee_with_its_key(self, story: Story) -> None:
        trusted = story.signing_keys.trusted_keys()
        for issued in story.electronic:
            view = story.service.view(
                issued.contract.number, _key(issued).reveal(), actor=self.observer
            )
            assert view.number == issued.contract.number
            assert view.status is GuaranteeStatus.ISSUED
            assert view.contract == issued.contract
            assert view.current_version == 1
            assert view.viewed_at == story.clock()
            assert verify_certificate(view.certificate.document, trusted).number == view.number
        assert story.actions().count(AuditAction.VERIFY_SUCCEEDED) == 2

    def test_a_wrong_key_is_rejected_exactly_like_an_unknown_number(self, story: Story) -> None:
        other_key = _key(story.contract).reveal()
        with pytest.raises(VerificationError) as wrong:
            story.service.view(story.advance.contract.number, other_key, actor=self.observer)
        with pytest.raises(VerificationError) as unknown:
            story.service.view("9999999999", other_key, actor=self.observer)
        assert type(wrong.value) is type(unknown.value)
        assert str(wrong.value) == str(unknown.value)
        assert story.actions()[-2:] == [AuditAction.VERIFY_FAILED, AuditAction.VERIFY_FAILED]
        with story.store.unit_of_work() as uow:
            state = uow.attempts.get(story.advance.contract.number)
        assert state is not None
        assert state.failures == 1

    def test_a_typo_is_caught_before_anything_is_looked_up_or_counted(self, story: Story) -> None:
        before = story.actions()
        with pytest.raises(KeyFormatError):
            story.service.view(
                story.advance.contract.number, _mistyped(_key(story.advance)), actor=self.observer
            )
        assert story.actions() == before
        with story.store.unit_of_work() as uow:
            assert uow.attempts.get(story.advance.contract.number) is None

    # -- changes ----------------------------------------------------------------------------

    def test_an_amendment_is_version_2_for_the_obligee_and_is_announced(self, story: Story) -> None:
        story.dispatch()
        story.clock.advance(days=30)
        advance = story.advance.contract
        smaller = attrs.evolve(advance.works, contract_price=90_000_000)
        amended = story.service.amend(
            advance.number,
            Amendment(36_000_000, advance.period, smaller, story.clock.today(), "請負代金額の減額"),
        )
        assert (amended.contract.version, amended.contract.amount) == (2, 36_000_000)
        assert amended.contract.medium is Medium.ELECTRONIC
        view = story.service.view(advance.number, _key(story.advance).reveal(), actor=self.observer)
        assert view.current_version == 2
        assert [v.amount for v in view.versions] == [40_000_000, 36_000_000]
        chain = verify_chain([c.document for c in view.history], story.signing_keys.trusted_keys())
        assert [c.version for c in chain] == [1, 2]
        assert story.dispatch() == (amendment_notice_key(amended.contract),)
        assert story.notifier.delivered[-1].recipient == samples.CONTRACTOR_EMAIL
        assert "変更手続きが完了しました" in story.notifier.delivered[-1].body

    def test_release_ends_the_guarantee_for_the_obligee(self, story: Story) -> None:
        on = story.clock.today() + timedelta(days=180)
        released = story.service.release(story.advance.contract.number, on)
        assert released.contract.status is GuaranteeStatus.RELEASED
        assert released.contract.status_on == on
        assert released.refund is not None  # the sample table refunds advance guarantees
        view = story.service.view(
            story.advance.contract.number, _key(story.advance).reveal(), actor=self.observer
        )
        assert view.status is GuaranteeStatus.RELEASED
        with pytest.raises(RuleViolationError):
            story.service.release(story.advance.contract.number, on)

    def test_a_claim_settles_and_freezes_the_guarantee(self, story: Story) -> None:
        advance = story.advance.contract
        claimed = story.service.claim(
            advance.number,
            date(2025, 11, 1),
            advance_paid=40_000_000,
            completed_value=15_000_000,
        )
        assert claimed.contract.status is GuaranteeStatus.CLAIMED
        assert claimed.settlement.payout == 25_000_000
        view = story.service.view(advance.number, _key(story.advance).reveal(), actor=self.observer)
        assert view.status is GuaranteeStatus.CLAIMED
        with pytest.raises(RuleViolationError):
            story.service.amend(
                advance.number,
                Amendment(30_000_000, advance.period, advance.works, date(2025, 11, 2), "変更"),
            )

    # -- the contractor's side --------------------------------------------------------------

    def test_the_contractor_sees_its_history_details_and_key_notice(self, story: Story) -> None:
        corporate = samples.contractor().identifier
        page = story.service.history(ContractQuery(corporate))
        assert page.total == 3
        assert [s.number for s in page.items] == sorted(
            g.contract.number for g in (*story.electronic, story.paper)
        )
        details = story.service.details(story.advance.contract.number, principal_id=corporate)
        assert details.contract == story.advance.contract
        assert details.has_key
        assert len(details.statements) == 1
        assert not story.service.details(
            story.paper.contract.number, principal_id=corporate
        ).has_key
        for issued in story.electronic:
            notice = story.service.key_notice(issued.contract.number, principal_id=corporate)
            assert notice.key.reveal() == _key(issued).reveal()
            assert notice.generation == 1
        with pytest.raises(NotFoundError):
            story.service.key_notice(story.paper.contract.number, principal_id=corporate)
        stranger = samples.corporate_number(99)
        assert story.service.history(ContractQuery(stranger)).total == 0
        with pytest.raises(NotFoundError):
            story.service.key_notice(story.advance.contract.number, principal_id=stranger)

    # -- the audit chain --------------------------------------------------------------------

    def test_the_audit_chain_holds_the_whole_story_in_order_and_no_key(self, story: Story) -> None:
        corporate = samples.contractor().identifier
        advance, contract = story.advance, story.contract
        story.clock.advance(hours=1)
        story.service.view(advance.contract.number, _key(advance).reveal(), actor=self.observer)
        with pytest.raises(VerificationError):
            story.service.view(advance.contract.number, _key(contract).reveal())
        with pytest.raises(KeyFormatError):
            story.service.view(advance.contract.number, _mistyped(_key(advance)))
        story.clock.advance(days=30)
        smaller = attrs.evolve(advance.contract.works, contract_price=90_000_000)
        story.service.amend(
            advance.contract.number,
            Amendment(36_000_000, advance.contract.period, smaller, story.clock.today(), "減額"),
        )
        story.clock.advance(days=30)
        story.service.release(contract.contract.number, story.clock.today())
        story.service.claim(
            advance.contract.number,
            story.clock.today(),
            advance_paid=36_000_000,
            completed_value=6_000_000,
        )
        story.service.key_notice(advance.contract.number, principal_id=corporate)
        story.dispatch()

        events = story.events()
        assert story.service.verify_audit_log().ok
        assert [e.sequence for e in events] == list(range(1, len(events) + 1))
        assert all(a.at <= b.at for a, b in itertools.pairwise(events))
        by_subject = [(str(e.action), e.subject) for e in events]
        first = by_subject.index((AuditAction.APPLIED, "APP-0001"))
        assert by_subject.index((AuditAction.ISSUED, advance.contract.number)) > first
        tail = [a for a, s in by_subject if s == advance.contract.number]
        assert tail[-5:] == [
            AuditAction.VERIFY_SUCCEEDED,
            AuditAction.VERIFY_FAILED,
            AuditAction.AMENDED,
            AuditAction.CLAIMED,
            AuditAction.KEY_NOTICE_DOWNLOADED,
        ]
        assert (AuditAction.RELEASED, contract.contract.number) in by_subject
        dumped = repr(events) + "".join(repr(e.details) for e in events)
        for issued in story.electronic:
            key = _key(issued).reveal()
            assert key not in dumped
            assert key.replace("-", "") not in dumped
