"""The briefing's flow end to end, and its Q&A as tests, on every store we ship."""

from __future__ import annotations

import email
import email.policy
import logging
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from surety_core import (
    ADVANCE_PAYMENT,
    CONTRACT_GUARANTEE,
    Amendment,
    Application,
    AttemptsExceededError,
    ConcurrencyConflictError,
    DuplicateError,
    GuaranteeStatus,
    InvalidInputError,
    KeyFormatError,
    Medium,
    NotFoundError,
    Principal,
    RuleViolationError,
    VerificationError,
    Works,
)
from surety_core.audit import verify_audit_chain
from surety_core.certificates import verify_certificate, verify_chain
from surety_core.keys import LimiterPolicy, WindowAttemptLimiter
from surety_core.notify import FolderNotifier, OutboxDispatcher
from surety_core.storage import ContractQuery, Store
from surety_core.testing import FixedClock, samples

SURETY = samples.surety()
PRINCIPAL = samples.contractor()
OTHER = samples.contractor(
    name="株式会社手賀沼工務店", corporate_number="2010001008824", address="千葉県我孫子市1-1"
)
PERIOD = samples.term()
POLICY = samples.city_policy()
Clock = FixedClock  # the names test_actors.py imports from here
_secrets = samples.secret_provider
WORKS = samples.road_works()
OLD_WORKS = samples.road_works(
    name="旧庁舎解体工事", number="R6-100", announced_on=date(2024, 12, 1)
)


def application(
    reference: str = "APP-0001",
    *,
    works: Works = WORKS,
    advance: Medium | None = Medium.ELECTRONIC,
    contract: Medium | None = Medium.ELECTRONIC,
    email: str | None = samples.CONTRACTOR_EMAIL,
    principal: Principal = PRINCIPAL,
) -> Application:
    return samples.electronic_application(
        reference=reference,
        works=works,
        principal=principal,
        contract=contract,
        advance=advance,
        notification_email=email,
    )


class Env:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.clock = FixedClock()
        self.signing = samples.signing_ring()
        self.service = samples.surety_service(
            store,
            signing_keys=self.signing,
            clock=self.clock,
            limiter=WindowAttemptLimiter(LimiterPolicy(max_failures=3)),
        )


@pytest.fixture
def env(any_store: Store) -> Env:
    return Env(any_store)


def test_briefing_flow_end_to_end(env: Env, tmp_path: Path) -> None:
    service = env.service
    receipt = service.apply(application())
    assert [f.product for f in receipt.fees] == [CONTRACT_GUARANTEE, ADVANCE_PAYMENT]
    result = service.issue("APP-0001")
    contract_g, advance_g = result.guarantees
    assert contract_g.contract.number != advance_g.contract.number
    assert contract_g.contract.number.isdigit()
    assert len(contract_g.contract.number) == 10
    # Different keys for the contract and the advance payment guarantee of the same works.
    assert contract_g.key is not None
    assert advance_g.key is not None
    assert contract_g.key.reveal() != advance_g.key.reveal()

    # History (電子保証履歴一覧) and details (保証契約内容).
    page = service.history(ContractQuery(PRINCIPAL.identifier))
    assert [s.number for s in page.items] == sorted(
        [contract_g.contract.number, advance_g.contract.number]
    )
    row = next(s for s in page.items if s.number == advance_g.contract.number)
    assert (row.amount, row.period, row.surety) == (40_000_000, PERIOD, SURETY.name)
    assert row.product_name == "前払金保証"
    details = service.details(advance_g.contract.number, principal_id=PRINCIPAL.identifier)
    assert details.has_key
    assert len(details.statements) == 1

    # The key notice can be obtained again, with the same key.
    notice = service.key_notice(advance_g.contract.number, principal_id=PRINCIPAL.identifier)
    assert notice.key.reveal() == advance_g.key.reveal()

    # The obligee views each guarantee with number + key.
    for issued in (contract_g, advance_g):
        assert issued.key is not None
        view = service.view(issued.contract.number, issued.key.reveal())
        assert view.status is GuaranteeStatus.ISSUED
        assert view.contract == issued.contract
        content = verify_certificate(view.certificate.document, env.signing.trusted_keys())
        assert content.number == issued.contract.number
        assert content.medium is Medium.ELECTRONIC

    # The completion notices went to the outbox and out by e-mail, without the keys.
    report = OutboxDispatcher(env.store, FolderNotifier(tmp_path)).dispatch_due(env.clock())
    assert len(report.sent) == 2
    mails = sorted(tmp_path.glob("*.eml"))
    assert len(mails) == 2
    for mail in mails:
        message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
        assert "電子保証発行完了のお知らせ" in str(message["Subject"])
        text = mail.read_text(encoding="utf-8")
        assert contract_g.key.reveal() not in text
        assert advance_g.key.reveal() not in text


def test_wrong_key_and_unknown_number_get_the_same_rejection(env: Env) -> None:
    issued = env.service.apply_and_issue(application(contract=None)).guarantees[0]
    assert issued.key is not None
    other = env.service.apply_and_issue(
        application("APP-0002", works=_works("R7-002"), contract=None)
    ).guarantees[0]
    assert other.key is not None
    with pytest.raises(VerificationError) as wrong:
        env.service.view(issued.contract.number, other.key.reveal())
    with pytest.raises(VerificationError) as unknown:
        env.service.view("9999999999", other.key.reveal())
    assert type(wrong.value) is type(unknown.value) is VerificationError
    assert str(wrong.value) == str(unknown.value)


def test_typo_is_caught_before_any_lookup(env: Env) -> None:
    issued = env.service.apply_and_issue(application(contract=None)).guarantees[0]
    assert issued.key is not None
    typed = issued.key.reveal()
    i = next(i for i, c in enumerate(typed) if c.isalnum())
    replacement = next(c for c in "ABCDEFGHJKMNPQRSTUVWXYZ23456789" if c != typed[i])
    with pytest.raises(KeyFormatError):
        env.service.view(issued.contract.number, typed[:i] + replacement + typed[i + 1 :])
    with env.store.unit_of_work() as uow:
        actions = [e.action for e in uow.audit.events()]
    assert "verify_failed" not in actions  # nothing was looked up, nothing counted


def test_full_width_key_from_an_ime_is_accepted(env: Env) -> None:
    issued = env.service.apply_and_issue(application(contract=None)).guarantees[0]
    assert issued.key is not None
    full_width = "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in issued.key.reveal().lower()
    )
    number = "".join(chr(ord(c) + 0xFEE0) for c in issued.contract.number)
    assert env.service.view(number, f"  {full_width}\u3000").number == issued.contract.number


def test_limiter_refuses_even_the_right_key_then_recovers(env: Env) -> None:
    issued = env.service.apply_and_issue(application(contract=None)).guarantees[0]
    assert issued.key is not None
    other = env.service.apply_and_issue(
        application("APP-0002", works=_works("R7-002"), contract=None)
    ).guarantees[0]
    assert other.key is not None
    for _ in range(3):
        with pytest.raises(VerificationError):
            env.service.view(issued.contract.number, other.key.reveal())
    with pytest.raises(AttemptsExceededError):
        env.service.view(issued.contract.number, issued.key.reveal())
    env.clock.advance(hours=1)
    assert env.service.view(issued.contract.number, issued.key.reveal()).number


def test_mixed_media_across_products_of_one_works_are_allowed(env: Env) -> None:
    result = env.service.apply_and_issue(
        application(advance=Medium.ELECTRONIC, contract=Medium.PAPER)
    )
    contract_g, advance_g = result.guarantees
    assert contract_g.contract.medium is Medium.PAPER
    assert contract_g.key is None
    assert advance_g.contract.medium is Medium.ELECTRONIC
    assert advance_g.key is not None
    with pytest.raises(NotFoundError):
        env.service.key_notice(contract_g.contract.number, principal_id=PRINCIPAL.identifier)


def test_fee_does_not_depend_on_the_medium(env: Env) -> None:
    electronic = env.service.apply_and_issue(application(contract=None)).guarantees[0]
    paper = env.service.apply_and_issue(
        application("APP-0002", works=_works("R7-002"), advance=Medium.PAPER, contract=None)
    ).guarantees[0]
    assert electronic.fee.total == paper.fee.total > 0


def test_amendment_keeps_the_medium_and_the_obligee_sees_the_history(env: Env) -> None:
    result = env.service.apply_and_issue(
        application(advance=Medium.ELECTRONIC, contract=Medium.PAPER)
    )
    contract_g, advance_g = result.guarantees
    assert advance_g.key is not None
    env.clock.advance(days=30)
    smaller = _works("R7-001", price=90_000_000)
    amended = env.service.amend(
        advance_g.contract.number,
        Amendment(36_000_000, PERIOD, smaller, date(2025, 5, 1), "請負代金額の減額"),
    )
    assert amended.contract.version == 2
    assert amended.contract.medium is Medium.ELECTRONIC
    view = env.service.view(advance_g.contract.number, advance_g.key.reveal())
    assert view.current_version == 2
    assert [v.amount for v in view.versions] == [40_000_000, 36_000_000]
    chain = verify_chain([c.document for c in view.history], env.signing.trusted_keys())
    assert [c.version for c in chain] == [1, 2]

    # Paper stays paper; electronic stays electronic.
    for number, other_medium in (
        (contract_g.contract.number, Medium.ELECTRONIC),
        (advance_g.contract.number, Medium.PAPER),
    ):
        with pytest.raises(RuleViolationError) as info:
            env.service.amend(
                number,
                Amendment(
                    9_000_000 if number == contract_g.contract.number else 36_000_000,
                    PERIOD,
                    smaller,
                    date(2025, 5, 2),
                    "媒体変更の申出",
                    medium=other_medium,
                ),
            )
        assert "MEDIUM_FIXED" in info.value.codes


def test_release_and_claim_show_in_the_view(env: Env) -> None:
    result = env.service.apply_and_issue(application())
    contract_g, advance_g = result.guarantees
    assert contract_g.key is not None
    assert advance_g.key is not None
    released = env.service.release(contract_g.contract.number, date(2025, 10, 1))
    assert released.contract.status is GuaranteeStatus.RELEASED
    claimed = env.service.claim(
        advance_g.contract.number,
        date(2025, 11, 1),
        advance_paid=40_000_000,
        completed_value=15_000_000,
    )
    assert claimed.settlement.payout == 25_000_000
    assert (
        env.service.view(contract_g.contract.number, contract_g.key.reveal()).status
        is GuaranteeStatus.RELEASED
    )
    assert (
        env.service.view(advance_g.contract.number, advance_g.key.reveal()).status
        is GuaranteeStatus.CLAIMED
    )
    with pytest.raises(RuleViolationError):
        env.service.amend(
            advance_g.contract.number,
            Amendment(30_000_000, PERIOD, WORKS, date(2025, 11, 2), "変更"),
        )


def test_the_view_shows_an_ended_period_as_expired(env: Env) -> None:
    issued = env.service.apply_and_issue(application(contract=None)).guarantees[0]
    assert issued.key is not None
    env.clock.set(datetime(2026, 4, 2, tzinfo=UTC))
    assert env.service.view(issued.contract.number, issued.key.reveal()).status is (
        GuaranteeStatus.EXPIRED
    )
    expired = env.service.expire(issued.contract.number, date(2026, 4, 1))
    assert expired.status is GuaranteeStatus.EXPIRED


def test_reissued_key_replaces_the_old_one_at_once(env: Env) -> None:
    issued = env.service.apply_and_issue(application(contract=None)).guarantees[0]
    assert issued.key is not None
    notice = env.service.reissue_key(issued.contract.number, principal_id=PRINCIPAL.identifier)
    assert notice.generation == 2
    assert notice.key.reveal() != issued.key.reveal()
    with pytest.raises(VerificationError):
        env.service.view(issued.contract.number, issued.key.reveal())
    assert env.service.view(issued.contract.number, notice.key.reveal()).number


def test_rule_violations_are_all_reported_and_nothing_is_recorded(env: Env) -> None:
    bad = application(works=OLD_WORKS, email=None)  # announced before the start date, no e-mail
    with pytest.raises(RuleViolationError) as info:
        env.service.apply(bad)
    assert len(set(info.value.codes)) >= 2
    with env.store.unit_of_work() as uow, pytest.raises(NotFoundError):
        uow.applications.get("APP-0001")
    # Paper is always allowed, also for the works announced before the start date.
    paper = application(works=OLD_WORKS, advance=Medium.PAPER, contract=Medium.PAPER, email=None)
    assert len(env.service.apply_and_issue(paper).guarantees) == 2


def test_issue_twice_is_refused_and_leaves_nothing_half_done(env: Env) -> None:
    env.service.apply_and_issue(application())
    with pytest.raises(DuplicateError):
        env.service.issue("APP-0001")
    page = env.service.history(ContractQuery(PRINCIPAL.identifier))
    assert page.total == 2


def test_a_failure_mid_issuance_rolls_everything_back(any_store: Store) -> None:
    calls = []

    def approve(app: Application) -> None:
        calls.append(app.reference)
        raise InvalidInputError("approval", "refused by the underwriter")

    env = Env(any_store)
    service = samples.surety_service(
        any_store, signing_keys=env.signing, clock=env.clock, approval=approve
    )
    service.apply(application())
    with pytest.raises(InvalidInputError, match="underwriter"):
        service.issue("APP-0001")
    assert calls == ["APP-0001"]
    with any_store.unit_of_work() as uow:
        assert len(uow.outbox.all()) == 0
        assert len(uow.contracts.for_works("kashiwa", "R7-001")) == 0


def test_contractor_sees_only_its_own_guarantees(env: Env) -> None:
    issued = env.service.apply_and_issue(application(contract=None)).guarantees[0]
    with pytest.raises(NotFoundError):
        env.service.key_notice(issued.contract.number, principal_id=OTHER.identifier)
    with pytest.raises(NotFoundError):
        env.service.details(issued.contract.number, principal_id=OTHER.identifier)
    assert env.service.history(ContractQuery(OTHER.identifier)).total == 0


def test_two_concurrent_amendments_one_wins(env: Env) -> None:
    issued = env.service.apply_and_issue(application(contract=None)).guarantees[0]
    number = issued.contract.number
    with env.store.unit_of_work() as uow:
        stale = uow.contracts.get(number)
    env.service.amend(number, Amendment(39_000_000, PERIOD, WORKS, date(2025, 5, 1), "変更1"))
    with env.store.unit_of_work() as uow:
        now = uow.contracts.get(number)
        assert now.version == 2
    with pytest.raises(ConcurrencyConflictError), env.store.unit_of_work() as uow:
        uow.contracts.replace(stale, now)


def test_audit_chain_is_intact_and_holds_no_key(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    result = env.service.apply_and_issue(application())
    keys = [g.key.reveal() for g in result.guarantees if g.key is not None]
    for g in result.guarantees:
        assert g.key is not None
        env.service.view(g.contract.number, g.key.reveal())
        with pytest.raises(VerificationError):
            env.service.view(g.contract.number, keys[0] if g.key.reveal() != keys[0] else keys[1])
    with env.store.unit_of_work() as uow:
        events = list(uow.audit.events())
        records = [
            repr(r)
            for n in (g.contract.number for g in result.guarantees)
            for r in uow.keys.history(n)
        ]
    assert verify_audit_chain(events, secrets=_secrets()).ok
    actions = [e.action for e in events]
    assert actions.count("verify_succeeded") == 2
    assert actions.count("verify_failed") == 2
    dumped = repr(events) + repr(result) + caplog.text + "".join(records)
    for key in keys:
        assert key not in dumped
        assert key.replace("-", "") not in dumped


def _works(number: str, *, price: int = 100_000_000) -> Works:
    return samples.road_works(name=f"工事 {number}", number=number, contract_price=price)
