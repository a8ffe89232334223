"""Notices after a change: the contractor's amendment e-mail, the obligee's notices (per its
policy, never with a key), and the view telling a replaced key from a wrong one."""

from __future__ import annotations

import re
from datetime import date

import pytest

from surety_core import (
    Amendment,
    AttemptsExceededError,
    KeyReplacedError,
    ObligeeEvent,
    ObligeePolicy,
    VerificationError,
)
from surety_core.audit import AuditAction
from surety_core.keys import LimiterPolicy, WindowAttemptLimiter, generate_key
from surety_core.services import SuretyService
from surety_core.storage import OutboxMessage, Store
from surety_core.testing import FixedClock, samples

CITY_DESK = "keiyaku@city.kashiwa.example.jp"
PERIOD = samples.term()
KEY_LIKE = re.compile(r"[0-9A-Z]{4}(?:[- ][0-9A-Z]{4}){3,}")


def service(store: Store, policy: ObligeePolicy) -> SuretyService:
    return samples.surety_service(
        store,
        policies=samples.policy_book(policies=[policy]),
        clock=FixedClock(),
        limiter=WindowAttemptLimiter(LimiterPolicy(max_failures=3)),
    )


def outbox(store: Store) -> list[OutboxMessage]:
    with store.unit_of_work() as uow:
        return list(uow.outbox.all())


def obligee_messages(store: Store) -> list[OutboxMessage]:
    return [m for m in outbox(store) if m.kind == "obligee_notice"]


@pytest.fixture
def city(any_store: Store) -> SuretyService:
    return service(any_store, samples.city_policy(notice_email=CITY_DESK))


def test_the_amendment_e_mail_says_the_amendment_is_complete_and_what_changed(
    city: SuretyService, any_store: Store
) -> None:
    issued = city.apply_and_issue(samples.electronic_application(contract=None)).guarantees[0]
    works = samples.road_works(contract_price=90_000_000)
    city.amend(
        issued.contract.number,
        Amendment(36_000_000, PERIOD, works, date(2025, 5, 1), "請負代金額の減額"),
    )
    (mail,) = [m for m in outbox(any_store) if m.kind == "amendment_notice"]
    assert mail.recipient == samples.CONTRACTOR_EMAIL
    assert (
        mail.subject
        == f"電子保証変更手続き完了のお知らせ（保証契約番号：{issued.contract.number}）"
    )
    assert "変更手続きが完了しました" in mail.body
    assert "発行手続きが完了しました" not in mail.body
    assert "■ 変更の内容（第2版）" in mail.body
    assert "変更日：2025年5月1日" in mail.body
    assert "変更理由：請負代金額の減額" in mail.body
    assert "保証金額：40,000,000円 → 36,000,000円" in mail.body
    assert "請負代金額：100,000,000円 → 90,000,000円" in mail.body
    assert "保証期間：" not in mail.body.split("■ 変更後の保証契約の内容")[0]  # unchanged
    assert mail.idempotency_key == f"amendment_notice:{issued.contract.number}:v2"
    completion = [m for m in outbox(any_store) if m.kind == "completion_notice"]
    assert len(completion) == 1  # the issuance's, not a second one


def test_the_obligee_is_told_of_each_change_and_never_given_a_key(
    city: SuretyService, any_store: Store
) -> None:
    contract_g, advance_g = city.apply_and_issue(samples.electronic_application()).guarantees
    assert contract_g.key is not None
    assert advance_g.key is not None
    keys = [contract_g.key.reveal(), advance_g.key.reveal()]
    number = advance_g.contract.number
    assert obligee_messages(any_store) == []  # issuance: the contractor brings the notice

    city.amend(
        number, Amendment(36_000_000, PERIOD, samples.road_works(), date(2025, 5, 1), "減額")
    )
    notice = city.reissue_key(number, principal_id=samples.contractor().identifier)
    keys.append(notice.key.reveal())
    city.release(contract_g.contract.number, date(2025, 10, 1))
    city.claim(number, date(2025, 11, 1), advance_paid=36_000_000, completed_value=10_000_000)

    messages = {m.idempotency_key: m for m in obligee_messages(any_store)}
    assert sorted(messages) == sorted(
        [
            f"obligee_notice:amended:{number}:v2",
            f"obligee_notice:key_reissued:{number}:g2",
            f"obligee_notice:released:{contract_g.contract.number}",
            f"obligee_notice:claimed:{number}",
        ]
    )
    assert {m.recipient for m in messages.values()} == {CITY_DESK}
    amended, reissued, released, claimed = (
        messages[f"obligee_notice:{event}"].body
        for event in (
            f"amended:{number}:v2",
            f"key_reissued:{number}:g2",
            f"released:{contract_g.contract.number}",
            f"claimed:{number}",
        )
    )
    assert amended.startswith("柏市 御中\n")
    assert "貴市が発注者である下記の保証について、変更の手続きが完了いたしました" in amended
    assert "保証金額：40,000,000円 → 36,000,000円" in amended
    assert "amended on 2025-05-01" in amended  # the amendment's date, not the day it was keyed
    assert "これまでの認証キーは使用できません" in reissued
    assert "2025年10月1日をもって解約・返還" in released
    assert "2025年11月1日付けで保証事故として受け付けいたしました" in claimed
    # No key, old or new, in any message anybody was sent, nor anything shaped like one.
    for message in outbox(any_store):
        for key in keys:
            assert key not in message.body
            assert key not in message.subject
            assert key.replace("-", "") not in message.body.replace("-", "")
        assert not KEY_LIKE.search(message.body), message.body


def test_the_obligee_chooses_which_events(any_store: Store) -> None:
    only_release = samples.city_policy(notice_email=CITY_DESK, notify={ObligeeEvent.RELEASED})
    svc = service(any_store, only_release)
    issued = svc.apply_and_issue(samples.electronic_application(contract=None)).guarantees[0]
    number = issued.contract.number
    svc.amend(number, Amendment(36_000_000, PERIOD, samples.road_works(), date(2025, 5, 1), "減額"))
    svc.reissue_key(number, principal_id=samples.contractor().identifier)
    svc.release(number, date(2025, 10, 1))
    assert [m.idempotency_key for m in obligee_messages(any_store)] == [
        f"obligee_notice:released:{number}"
    ]


def test_without_an_address_the_obligee_gets_no_notice(any_store: Store) -> None:
    svc = service(any_store, samples.city_policy())
    issued = svc.apply_and_issue(samples.electronic_application(contract=None)).guarantees[0]
    svc.release(issued.contract.number, date(2025, 10, 1))
    assert obligee_messages(any_store) == []
    assert ObligeePolicy("x").notice_recipient(ObligeeEvent.RELEASED) is None
    assert ObligeePolicy("x", notice_email=CITY_DESK).notify == frozenset(ObligeeEvent)


# -- the key a re-issue replaced -------------------------------------------------------------


def test_the_replaced_key_is_told_apart_from_a_wrong_one(
    city: SuretyService, any_store: Store
) -> None:
    issued = city.apply_and_issue(samples.electronic_application(contract=None)).guarantees[0]
    assert issued.key is not None
    number, old = issued.contract.number, issued.key.reveal()
    new = city.reissue_key(number, principal_id=samples.contractor().identifier).key

    with pytest.raises(KeyReplacedError) as replaced:
        city.view(number, old)
    assert replaced.value.replaced_on == date(2025, 4, 1)
    assert isinstance(replaced.value, VerificationError)
    assert old not in str(replaced.value)
    # A wrong key and an unknown number still get the one opaque answer.
    with pytest.raises(VerificationError) as wrong:
        city.view(number, generate_key().reveal())
    assert type(wrong.value) is VerificationError
    # Both failures were counted: the third failure locks the number, the new key too.
    with pytest.raises(KeyReplacedError):
        city.view(number, old)
    with pytest.raises(AttemptsExceededError):
        city.view(number, new.reveal())
    with pytest.raises(AttemptsExceededError):  # locked: the refusal comes before any compare
        city.view(number, old)
    with any_store.unit_of_work() as uow:
        events = [e for e in uow.audit.events() if e.subject == number]
    failed = [e for e in events if e.action == AuditAction.VERIFY_FAILED]
    assert [dict(e.details).get("replaced_generation") for e in failed] == ["1", None, "1"]


def test_only_the_key_the_last_re_issue_replaced_is_recognised(
    city: SuretyService, any_store: Store
) -> None:
    issued = city.apply_and_issue(samples.electronic_application(contract=None)).guarantees[0]
    assert issued.key is not None
    number, first = issued.contract.number, issued.key.reveal()
    owner = samples.contractor().identifier
    second = city.reissue_key(number, principal_id=owner).key.reveal()
    third = city.reissue_key(number, principal_id=owner).key.reveal()
    with pytest.raises(KeyReplacedError):
        city.view(number, second)
    with pytest.raises(VerificationError) as older:
        city.view(number, first)
    assert type(older.value) is VerificationError
    assert city.view(number, third).number == number
