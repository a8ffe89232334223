"""Example tests of the model's constructors, the corporate number and the JSON form."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from surety_core import (
    GuaranteeContract,
    GuaranteeVersion,
    InvalidInputError,
    Medium,
    Obligee,
    ObligeePolicy,
    Period,
    Principal,
    Surety,
    Works,
    WorksKind,
    corporate_number_check_digit,
    from_json,
    is_valid_corporate_number,
    to_json,
)
from surety_core.testing import samples

CITY = samples.city()
WORKS = samples.road_works(name="市道改良工事")


def test_known_corporate_number() -> None:
    # The National Tax Agency's own corporate number.
    assert is_valid_corporate_number("7000012050002")
    assert corporate_number_check_digit("000012050002") == 7
    assert not is_valid_corporate_number("7000012050003")
    assert not is_valid_corporate_number("700001205000")
    assert not is_valid_corporate_number("７000012050002")


def test_period_is_inclusive() -> None:
    p = Period(date(2025, 1, 1), date(2025, 12, 31))
    assert p.days == 365
    assert date(2025, 12, 31) in p
    assert str(p) == "2025/01/01 - 2025/12/31"
    with pytest.raises(InvalidInputError, match=r"Period\.end"):
        Period(date(2025, 1, 2), date(2025, 1, 1))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"contract_price": 0}, "Works.contract_price"),
        ({"contract_price": -5}, "Works.contract_price"),
        ({"contract_price": 1.5}, "Works.contract_price"),
        ({"contract_price": True}, "Works.contract_price"),
        ({"name": "   "}, "Works.name"),
        ({"name": "x" * 201}, "Works.name"),
        ({"kind": "construction"}, "Works.kind"),
        ({"announced_on": datetime(2025, 1, 1)}, "Works.announced_on"),
        ({"obligee": "柏市"}, "Works.obligee"),
    ],
)
def test_bad_works_fields(kwargs: dict[str, Any], field: str) -> None:
    base: dict[str, Any] = {
        "obligee": CITY,
        "name": "工事",
        "number": "1",
        "kind": WorksKind.CONSTRUCTION,
        "contract_price": 1,
        "period": WORKS.period,
        "announced_on": date(2025, 1, 1),
    }
    with pytest.raises(InvalidInputError) as info:
        Works(**{**base, **kwargs})
    assert info.value.field == field


def test_text_is_trimmed_including_ideographic_space() -> None:
    assert Obligee(name="\u3000柏市 ", code="kashiwa").name == "柏市"


def test_principal_rejects_wrong_check_digit() -> None:
    with pytest.raises(InvalidInputError, match="check digit"):
        Principal("株式会社テスト", "7000012050003", "千葉県")


def test_contract_round_trips_through_json() -> None:
    contract = GuaranteeContract(
        number="0000000001",
        product="advance_payment",
        principal=samples.contractor(address="千葉県柏市"),
        surety=Surety("東日本建設業保証株式会社", "ejcs"),
        medium=Medium.ELECTRONIC,
        issued_on=date(2025, 4, 2),
        versions=[GuaranteeVersion(1, 40_000_000, WORKS.period, WORKS, date(2025, 4, 2), "当初")],
    )
    assert from_json(to_json(contract), GuaranteeContract) == contract
    # Two problems in sibling records: both are reported, not only the first.
    bad = to_json(contract).replace('"7000012050002"', '"7000012050003"').replace('"当初"', '""')
    with pytest.raises(InvalidInputError) as info:
        from_json(bad)
    message = str(info.value)
    assert "Principal.corporate_number" in message
    assert "GuaranteeVersion.reason" in message
    with pytest.raises(InvalidInputError, match=r"GuaranteeContract\.number"):
        from_json(to_json(contract).replace('"0000000001"', '"123"'))


def test_versions_must_be_numbered_from_one() -> None:
    version = GuaranteeVersion(2, 1, WORKS.period, WORKS, date(2025, 4, 2), "x")
    with pytest.raises(InvalidInputError, match="version numbers"):
        GuaranteeContract(
            "0000000001",
            "advance_payment",
            samples.contractor(address="千葉県柏市"),
            Surety("保証", "s"),
            Medium.PAPER,
            date(2025, 4, 2),
            (version,),
        )


def test_policy_round_trip_and_acceptance() -> None:
    policy = ObligeePolicy("kashiwa", electronic_from=date(2025, 1, 1), excluded_works={"X"})
    assert from_json(to_json(policy)) == policy
    assert policy.accepts_electronic(WORKS)
    assert not ObligeePolicy("kashiwa").accepts_electronic(WORKS)


@pytest.mark.parametrize(
    "text",
    ["", "null", "[]", '{"type": "Nope", "schema_version": 1, "data": {}}', "{", "\x00"],
)
def test_from_json_rejects_garbage(text: str) -> None:
    with pytest.raises(InvalidInputError):
        from_json(text)


def test_unknown_schema_version_is_refused() -> None:
    text = to_json(CITY).replace('"schema_version":1', '"schema_version":99')
    with pytest.raises(InvalidInputError, match="schema version"):
        from_json(text)
