"""The contractor's amendment notice and the obligee's notices, as values: what they say, what
they refuse, and that none can carry a key (property-based over the library's contracts)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surety_core import (
    GuaranteeContract,
    InvalidInputError,
    Medium,
    ObligeeEvent,
    WorksKind,
)
from surety_core.notify import (
    AMENDMENT_NOTICE_TITLE,
    MAX_BODY,
    OBLIGEE_NOTICE_TITLES,
    amendment_notice,
    obligee_notice,
)
from surety_core.testing import samples
from surety_core.testing.strategies import guarantee_contracts

CITY_DESK = "keiyaku@city.kashiwa.example.jp"
KEY_LIKE = re.compile(r"[0-9A-Z]{4}(?:[- ][0-9A-Z]{4}){3,}")


def amended(contract: GuaranteeContract, **changes: Any) -> GuaranteeContract:
    version = attrs.evolve(
        contract.current, number=contract.version + 1, effective_on=date(2025, 6, 1), **changes
    )
    return attrs.evolve(contract, versions=(*contract.versions, version))


@pytest.fixture
def contract() -> GuaranteeContract:
    return samples.guarantee_contract()


def test_the_amendment_notice_of_a_service_contract(contract: GuaranteeContract) -> None:
    works = attrs.evolve(
        samples.consulting_works(), site="柏市柏一丁目地内", contract_price=22_000_000
    )
    base = attrs.evolve(
        contract,
        versions=(
            attrs.evolve(
                contract.current, works=attrs.evolve(works, site=None, contract_price=20_000_000)
            ),
        ),
    )
    later = amended(base, works=works, reason="業務内容の追加")
    mail = amendment_notice(later, recipient=samples.CONTRACTOR_EMAIL)
    assert mail.subject == f"{AMENDMENT_NOTICE_TITLE}（保証契約番号：{later.number}）"
    assert "請負代金額：20,000,000円 → 22,000,000円" in mail.body
    assert "履行場所：— → 柏市柏一丁目地内" in mail.body
    assert "業務名：市道0002号線道路詳細設計業務委託" in mail.body
    assert "工事名" not in mail.body
    assert "変更理由：業務内容の追加" in mail.body
    assert "The amendment of electronic guarantee" in mail.body
    assert "version 2" in amendment_notice(later, recipient=CITY_DESK).body
    assert "----" not in amendment_notice(later, recipient=CITY_DESK, english=False).body


def test_the_amendment_notice_refuses_what_it_is_not_for(contract: GuaranteeContract) -> None:
    with pytest.raises(InvalidInputError, match="amended"):
        amendment_notice(contract, recipient=CITY_DESK)
    with pytest.raises(InvalidInputError, match="electronic"):
        amendment_notice(
            attrs.evolve(amended(contract, amount=1_000), medium=Medium.PAPER), recipient=CITY_DESK
        )


def test_obligee_notices_refuse_what_they_are_not_for(contract: GuaranteeContract) -> None:
    on = date(2025, 6, 1)
    with pytest.raises(InvalidInputError, match="generation"):
        obligee_notice(contract, ObligeeEvent.KEY_REISSUED, recipient=CITY_DESK, on=on)
    with pytest.raises(InvalidInputError, match="keys"):
        obligee_notice(
            attrs.evolve(contract, medium=Medium.PAPER),
            ObligeeEvent.KEY_REISSUED,
            recipient=CITY_DESK,
            on=on,
            generation=2,
        )
    with pytest.raises(InvalidInputError, match="amended"):
        obligee_notice(contract, ObligeeEvent.AMENDED, recipient=CITY_DESK, on=on)
    with pytest.raises(InvalidInputError, match="date"):
        obligee_notice(
            contract,
            ObligeeEvent.RELEASED,
            recipient=CITY_DESK,
            on=datetime(2025, 6, 1),
        )
    with pytest.raises(InvalidInputError, match="event"):
        obligee_notice(contract, "lost", recipient=CITY_DESK, on=on)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        obligee_notice(contract, ObligeeEvent.RELEASED, recipient="not an address", on=on)


def test_a_paper_guarantee_s_release_is_told_without_the_viewing_service(
    contract: GuaranteeContract,
) -> None:
    paper = attrs.evolve(contract, medium=Medium.PAPER)
    body = obligee_notice(
        paper, ObligeeEvent.RELEASED, recipient=CITY_DESK, on=date(2025, 9, 1)
    ).body
    assert "2025年9月1日をもって解約・返還" in body
    assert "閲覧サービス" not in body


events = st.sampled_from(list(ObligeeEvent))


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(contract=guarantee_contracts(max_amendments=2), event=events, day=st.dates())
def test_any_notice_of_any_contract_is_sound_and_keyless(
    contract: GuaranteeContract, event: ObligeeEvent, day: date
) -> None:
    contract = attrs.evolve(contract, medium=Medium.ELECTRONIC)
    if event is ObligeeEvent.AMENDED and contract.version < 2:
        event = ObligeeEvent.RELEASED
    message = obligee_notice(contract, event, recipient=CITY_DESK, on=day, generation=2)
    assert message.subject.startswith(OBLIGEE_NOTICE_TITLES[event])
    assert contract.number in message.subject
    assert len(message.body) <= MAX_BODY
    assert message.body.startswith(f"{contract.obligee.name} 御中\n")
    assert not KEY_LIKE.search(message.body)
    if contract.version > 1:
        mail = amendment_notice(contract, recipient=samples.CONTRACTOR_EMAIL)
        assert not KEY_LIKE.search(mail.body)
        before, after = contract.versions[-2], contract.versions[-1]
        assert ("保証金額：" in mail.body.split("■ 変更後")[0]) is (before.amount != after.amount)


@pytest.mark.parametrize("kind", list(WorksKind))
def test_labels_follow_the_works_kind(contract: GuaranteeContract, kind: WorksKind) -> None:
    works = attrs.evolve(contract.works, kind=kind)
    version = attrs.evolve(contract.current, works=works)
    body = obligee_notice(
        attrs.evolve(contract, versions=(version,)),
        ObligeeEvent.RELEASED,
        recipient=CITY_DESK,
        on=date(2025, 9, 1),
    ).body
    assert ("工事名：" in body) is (kind is WorksKind.CONSTRUCTION)
    assert ("業務名：" in body) is kind.is_service
