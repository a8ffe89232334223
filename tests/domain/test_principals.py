"""Principals who are not corporations: sole proprietors (個人事業主) have no corporate number;
the surety's customer number (取引先番号) identifies them, and one identifier keys every look-up."""

from __future__ import annotations

import base64
import json
from datetime import date
from fractions import Fraction
from typing import Any

import pytest
from attrs import evolve
from hypothesis import given
from hypothesis import strategies as st

from surety_core import (
    RULES,
    ArrangementBook,
    InvalidInputError,
    JointVentureMember,
    PaymentArrangement,
    Principal,
    PrincipalKind,
    RuleViolationError,
    from_json,
    is_valid_principal_id,
    to_json,
    validate_application,
)
from surety_core.certificates import content_from_contract, sign_certificate, verify_certificate
from surety_core.storage import ContractQuery
from surety_core.testing import samples
from surety_core.testing import strategies as s
from surety_core.testing._strategies import joint_ventures

CORPORATE = "7000012050002"


def _codes(build: Any) -> frozenset[str]:
    try:
        build()
    except RuleViolationError as exc:
        return frozenset(exc.codes)
    return frozenset()


# --- the rules, as data -----------------------------------------------------------------------


@given(s.principal_cases())
def test_a_principal_reports_exactly_the_rules_its_fields_break(case: s.PrincipalCase) -> None:
    assert _codes(lambda: Principal(**case.fields)) == case.expected
    assert case.expected <= s.PRINCIPAL_RULE_CODES


@given(s.principal_cases(), st.fractions(Fraction(1, 100), Fraction(1)))
def test_a_joint_venture_member_is_held_to_the_same_rules(
    case: s.PrincipalCase, share: Fraction
) -> None:
    fields = {k: x for k, x in case.fields.items() if k != "address"}
    assert _codes(lambda: JointVentureMember(share=share, **fields)) == case.expected


@given(s.principal_cases())
def test_every_violation_has_a_japanese_and_an_english_message(case: s.PrincipalCase) -> None:
    try:
        Principal(**case.fields)
    except RuleViolationError as exc:
        for violation in exc.violations:
            rule = RULES[violation.code]
            assert violation.rule is rule
            assert violation.message_ja == rule.message_ja
            assert rule.message_en in violation.message_en
            assert rule.message_ja
            assert rule.message_en
            assert violation.path in ("corporate_number", "customer_number", "trade_name")


def test_every_principal_rule_is_reachable_from_the_strategy() -> None:
    seen: set[str] = set()

    @given(s.principal_cases())
    def collect(case: s.PrincipalCase) -> None:
        seen.update(case.expected)

    collect()
    assert seen == s.PRINCIPAL_RULE_CODES
    assert {r.code for r in RULES} >= s.PRINCIPAL_RULE_CODES


def test_the_cases_the_issue_names() -> None:
    # a corporation without a number
    assert _codes(lambda: Principal("株式会社東葛建設", None, "柏市")) == {
        "CORPORATION_WITHOUT_CORPORATE_NUMBER"
    }
    # a sole proprietor with a corporate number (and no customer number): both, at once
    assert _codes(
        lambda: Principal("山田太郎", CORPORATE, "柏市", kind=PrincipalKind.SOLE_PROPRIETOR)
    ) == {"SOLE_PROPRIETOR_WITH_CORPORATE_NUMBER", "SOLE_PROPRIETOR_WITHOUT_CUSTOMER_NUMBER"}
    # a corporation with a 屋号 and no number: both
    assert _codes(lambda: Principal("株式会社東葛建設", None, "柏市", trade_name="東葛")) == {
        "CORPORATION_WITHOUT_CORPORATE_NUMBER",
        "TRADE_NAME_ONLY_FOR_SOLE_PROPRIETOR",
    }
    # a corporation may carry the surety's customer number as well; its corporate number
    # stays its identifier
    corp = Principal("株式会社東葛建設", CORPORATE, "柏市", customer_number="K-000001")
    assert corp.identifier == CORPORATE
    with pytest.raises(RuleViolationError) as info:
        Principal("山田太郎", None, "柏市", kind=PrincipalKind.SOLE_PROPRIETOR)
    assert "[SOLE_PROPRIETOR_WITHOUT_CUSTOMER_NUMBER] customer_number" in str(info.value)


@pytest.mark.parametrize(
    "number",
    ["", "K 1", "ｋ-1", "-K1", "K" * 21, "1234567890123", "7000012050002", "K_1"],
)
def test_a_customer_number_has_one_shape(number: str) -> None:
    with pytest.raises(InvalidInputError, match="customer_number"):
        Principal.sole_proprietor("山田太郎", number, "柏市")


@given(s.customer_numbers(), s.corporate_numbers())
def test_the_two_kinds_of_identifier_never_collide(customer: str, corporate: str) -> None:
    assert customer != corporate
    assert is_valid_principal_id(customer)
    assert is_valid_principal_id(corporate)
    wrong_check_digit = f"{(int(corporate[0]) + 1) % 10}{corporate[1:]}"
    assert not is_valid_principal_id(wrong_check_digit)


def test_an_identifier_is_a_corporate_number_or_a_customer_number() -> None:
    assert ContractQuery("K-000123").principal_id == "K-000123"
    assert ContractQuery(CORPORATE).principal_id == CORPORATE
    for bad in ("7000012050003", "K 000123", "", "x" * 21):
        with pytest.raises(InvalidInputError, match="principal_id"):
            ContractQuery(bad)


# --- the sole proprietor ----------------------------------------------------------------------


def test_a_sole_proprietor_is_identified_by_its_customer_number_and_prints_its_trade_name() -> None:
    sole = samples.sole_proprietor()
    assert sole.kind is PrincipalKind.SOLE_PROPRIETOR
    assert sole.is_sole_proprietor
    assert sole.corporate_number is None
    assert sole.identifier == "K-000123"
    assert sole.display_name == "山田工務店 代表 山田太郎"
    assert samples.sole_proprietor(trade_name=None).display_name == "山田太郎"
    corp = samples.contractor()
    assert (corp.identifier, corp.display_name) == (CORPORATE, "株式会社東葛建設")
    assert not corp.is_sole_proprietor


@given(s.principals())
def test_principals_of_both_kinds_round_trip_and_have_one_identifier(p: Principal) -> None:
    assert from_json(to_json(p)) == p
    expected = p.corporate_number if p.kind is PrincipalKind.CORPORATION else p.customer_number
    assert p.identifier == expected
    assert is_valid_principal_id(p.identifier)
    assert ContractQuery(p.identifier).principal_id == p.identifier


def test_the_strategy_yields_both_kinds_and_joint_ventures_led_by_either() -> None:
    kinds: set[PrincipalKind] = set()
    leads: set[PrincipalKind] = set()

    @given(s.principals(), joint_ventures())
    def collect(p: Principal, jv: Principal) -> None:
        kinds.add(p.kind)
        leads.add(jv.kind)
        (head,) = [m for m in jv.members if m.representative]
        assert (head.kind, head.identifier) == (jv.kind, jv.identifier)

    collect()
    assert kinds == leads == set(PrincipalKind)


def test_a_sole_proprietors_application_passes_validation() -> None:
    application = samples.electronic_application(principal=samples.sole_proprietor())
    assert validate_application(application, samples.city_policy()) == ()


def test_a_joint_venture_led_by_a_sole_proprietor_carries_its_customer_number() -> None:
    head = JointVentureMember(
        "山田太郎",
        None,
        Fraction(1, 2),
        True,
        kind=PrincipalKind.SOLE_PROPRIETOR,
        customer_number="K-000123",
        trade_name="山田工務店",
    )
    other = JointVentureMember("株式会社東葛建設", CORPORATE, Fraction(1, 2))
    jv = Principal.sole_proprietor(
        "山田・東葛共同企業体", "K-000123", "千葉県柏市", members=(head, other)
    )
    assert (head.identifier, head.display_name) == ("K-000123", "山田工務店 代表 山田太郎")
    application = samples.electronic_application(principal=jv)
    assert validate_application(application, samples.city_policy()) == ()
    wrong = evolve(application, principal=evolve(jv, customer_number="K-000999"))
    assert [v.code for v in validate_application(wrong, samples.city_policy())] == [
        "JOINT_VENTURE_REPRESENTATIVE"
    ]
    assert from_json(to_json(jv)) == jv


# --- records written before sole proprietors ---------------------------------------------------


def test_a_principal_written_before_reads_as_a_corporation() -> None:
    old = {
        "type": "Principal",
        "schema_version": 1,
        "data": {"name": "株式会社東葛建設", "corporate_number": CORPORATE, "address": "柏市"},
    }
    back = from_json(json.dumps(old), Principal)
    assert back.kind is PrincipalKind.CORPORATION
    assert back == samples.contractor(address="柏市")
    member = {
        "type": "JointVentureMember",
        "schema_version": 1,
        "data": {"name": "株式会社東葛建設", "corporate_number": CORPORATE, "share": "1/2"},
    }
    assert from_json(json.dumps(member), JointVentureMember).identifier == CORPORATE


def test_a_corporation_is_written_exactly_as_before() -> None:
    # the same keys, so stored documents and signed certificate contents do not change
    contract = samples.guarantee_contract()
    payload = json.loads(to_json(contract))
    assert set(payload["data"]["principal"]) == {"name", "corporate_number", "address", "members"}
    assert from_json(json.dumps(payload)) == contract
    member = JointVentureMember("株式会社東葛建設", CORPORATE, Fraction(1, 2))
    assert set(json.loads(to_json(member))["data"]) == {
        "name",
        "corporate_number",
        "share",
        "representative",
    }
    sole = json.loads(to_json(samples.sole_proprietor()))["data"]
    assert (sole["kind"], sole["customer_number"], sole["corporate_number"]) == (
        "sole_proprietor",
        "K-000123",
        None,
    )


def test_certificates_of_both_kinds_verify_and_a_corporations_content_is_unchanged() -> None:
    ring = samples.signing_ring()
    for principal, keys in (
        (samples.contractor(), {"name", "corporate_number", "address", "members"}),
        (
            samples.sole_proprietor(),
            {"name", "corporate_number", "address", "members", "kind", "customer_number"}
            | {"trade_name"},
        ),
    ):
        contract = samples.guarantee_contract(principal=principal)
        content = content_from_contract(
            contract, issued_at=samples.SAMPLE_NOW, previous_digest=None
        )
        document = sign_certificate(content, ring)
        assert verify_certificate(document, ring.trusted_keys()).principal == principal
        payload = json.loads(base64.b64decode(json.loads(document)["payload"]))
        assert set(payload["content"]["principal"]) == keys


def test_a_payment_arrangement_written_before_reads_with_the_corporate_number() -> None:
    old = {
        "type": "PaymentArrangement",
        "schema_version": 1,
        "data": {
            "corporate_number": CORPORATE,
            "agreement": "IK0001",
            "starts_on": "2025-01-01",
            "ends_on": None,
        },
    }
    back = from_json(json.dumps(old), PaymentArrangement)
    assert back == PaymentArrangement(CORPORATE, "IK0001", date(2025, 1, 1))
    assert '"principal_id"' in to_json(back)
    both = {**old, "data": {**old["data"], "principal_id": CORPORATE}}  # type: ignore[dict-item]
    with pytest.raises(InvalidInputError, match="unknown field"):
        from_json(json.dumps(both), PaymentArrangement)


def test_an_arrangement_covers_a_sole_proprietor_by_customer_number() -> None:
    book = ArrangementBook((PaymentArrangement("K-000123", "IK0002", date(2025, 1, 1)),))
    assert book.arrangement_for("K-000123", date(2025, 4, 1)) is not None
    assert book.arrangement_for("k-000123", date(2025, 4, 1)) is None
    assert book.arrangement_for(CORPORATE, date(2025, 4, 1)) is None


def test_a_record_breaking_a_principal_rule_is_refused_with_its_code() -> None:
    bad = {
        "type": "Principal",
        "schema_version": 1,
        "data": {"name": "山田太郎", "corporate_number": None, "address": "柏市"},
    }
    with pytest.raises(InvalidInputError, match="CORPORATION_WITHOUT_CORPORATE_NUMBER"):
        from_json(json.dumps(bad))
