"""Strict JSON: a wrongly typed value anywhere in any registered type is refused, with its path.

Before, ``"false"`` became True, 40000000.9 became 40000000, ``["X"]`` became the text
``"['X']"`` and ``schema_version: true`` was accepted.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surety_core import (
    GuaranteeContract,
    GuaranteeStatus,
    InvalidInputError,
    Progress,
    claim,
    fee_for_contract,
    from_json,
    from_json_data,
    refund_on_release,
    to_json,
)
from surety_core._serialization import _TYPES
from surety_core.storage._records import (
    AttemptState,
    AuditEvent,
    CertificateRecord,
    KeyRecord,
    OutboxMessage,
    StatementKind,
    StatementRecord,
)
from surety_core.testing import strategies as s

AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)

RECORDS: tuple[Any, ...] = (
    KeyRecord("0000000001", 1, "h1", b"d" * 32, "e1", b"c" * 40, AT),
    CertificateRecord("0000000001", 1, b"{}", b"x" * 32, AT),
    AuditEvent(
        1, AT, "obligee", "verify_failed", "0000000001", (("n", "1"),), bytes(32), b"h" * 32, "h1"
    ),
    OutboxMessage("k-1", "issued", "a@example.jp", "件名", "本文", AT, attempts=2, sent_at=AT),
    AttemptState("0000000001", 3, AT, AT),
    StatementRecord("0000000001", 1, StatementKind.FEE, "{}", AT),
)  # fmt: skip


@st.composite
def samples(draw: st.DrawFn) -> list[Any]:
    """At least one instance of every registered JSON type."""
    case = draw(s.application_cases())
    app = case.application
    contract = draw(s.guarantee_contracts(status=GuaranteeStatus.ISSUED))
    table = draw(s.rate_tables(refundable=True))
    fee = fee_for_contract(table, contract)
    last = max(contract.issued_on, contract.current.effective_on)
    found: list[Any] = [app, app.works, app.works.obligee, app.works.period, app.principal]
    found += [case.policy, *app.requests, *[r.progress for r in app.requests if r.progress]]
    found += [contract, contract.surety, *contract.versions, table, *table.rates]
    found += [band for rate in table.rates for band in rate.bands]
    found += [fee, *fee.lines]
    found.append(refund_on_release(table, contract, fee_paid=fee.total, released_on=last))
    advance = draw(s.guarantee_contracts(product="advance_payment", status=GuaranteeStatus.ISSUED))
    day = max(advance.issued_on, advance.current.effective_on)
    found.append(claim(advance, day, advance_paid=advance.amount, completed_value=0)[1])
    found.append(draw(s.amendment_cases()).amendment)
    rule = _a_rule()
    found += [rule, rule.violation("requests[0].amount", "too high"), *RECORDS]
    found.append(Progress(AT.date(), scheduled_work_done=draw(st.booleans()), completed_value=0))
    found += _later_types()
    found.append(_an_adjustment(table, contract))
    return found


def _an_adjustment(table: Any, contract: Any) -> Any:
    from attrs import evolve

    from surety_core.domain._fees import fee_on_amendment
    from surety_core.domain._model import GuaranteeVersion

    current = contract.current
    version = GuaranteeVersion(
        current.number + 1, current.amount, current.period, current.works, current.effective_on, "x"
    )
    amended = evolve(contract, versions=(*contract.versions, version))
    return fee_on_amendment(table, contract, amended, charged=0)


def _later_types() -> list[Any]:
    """One of each type added to the JSON form after the strategies were written."""
    from fractions import Fraction

    from surety_core.domain._claims import ClaimCase
    from surety_core.domain._model import (
        ElectronicAcceptance,
        JointVentureMember,
        KindShare,
        WorksKind,
    )
    from surety_core.domain._payments import (
        Payment,
        PaymentArrangement,
        PaymentMethod,
        sample_payee_account,
    )

    day = AT.date()
    return [
        ClaimCase("0000000001", day, 1_000_000, default_on=day),
        ElectronicAcceptance(day),
        JointVentureMember("株式会社東葛建設", "7000012050002", Fraction(1, 2), True),
        KindShare(WorksKind.CONSTRUCTION, Fraction(4, 10)),
        Payment("APP-1", 1, 10_000, day, PaymentMethod.BANK_TRANSFER, "株式会社東葛建設"),
        PaymentArrangement("7000012050002", "IK0001", day),
        sample_payee_account(),
    ]


def _a_rule() -> Any:
    from surety_core.domain._rules import Rule, RuleSource

    return Rule("X_RULE", "規則", "a rule", RuleSource.BRIEFING)


def _leaves(data: Any, path: str = "$") -> list[tuple[str, Any]]:
    """Every value in a JSON document with its path (containers too), except nulls."""
    found: list[tuple[str, Any]] = []
    if data is not None:
        found.append((path, data))
    if isinstance(data, dict):
        for key, value in data.items():
            found += _leaves(value, f"{path}.{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _leaves(value, f"{path}[{index}]")
    return found


def _wrong(value: Any) -> list[Any]:
    """Values of another JSON type than ``value``, including the lenient conversions."""
    if isinstance(value, bool):
        return [str(value).lower(), int(value), [value]]
    if isinstance(value, int):
        return [str(value), value + 0.9, float(value), True, [value]]
    if isinstance(value, str):
        return [1, 1.5, True, [value], {"x": value}]
    if isinstance(value, list):
        return ["".join(map(str, value)) or "x", {"0": value}, 1]
    if isinstance(value, dict):
        return [list(value), "x", 1]
    return ["x"]


def _replace(data: Any, path: str, new: Any) -> Any:
    if path == "$":
        return new
    copy = json.loads(json.dumps(data))
    parts = path[2:].replace("[", ".[").split(".")
    target = copy
    for part in parts[:-1]:
        target = target[int(part[1:-1])] if part.startswith("[") else target[part]
    last = parts[-1]
    if last.startswith("["):
        target[int(last[1:-1])] = new
    else:
        target[last] = new
    return copy


@settings(max_examples=3, deadline=None)
@given(samples())
def test_every_registered_type_is_sampled(objects: list[Any]) -> None:
    assert {type(o).__name__ for o in objects} == set(_TYPES)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(samples(), st.data())
def test_a_wrongly_typed_value_is_refused_with_its_path(
    objects: list[Any], data: st.DataObject
) -> None:
    obj = data.draw(st.sampled_from(objects), label="object")
    envelope = json.loads(to_json(obj))
    assert from_json_data(envelope, type(obj)) == obj
    path, value = data.draw(st.sampled_from(_leaves(envelope["data"])), label="path")
    wrong = data.draw(st.sampled_from(_wrong(value)), label="wrong")
    bad = {**envelope, "data": _replace(envelope["data"], path, wrong)}
    with pytest.raises(InvalidInputError) as info:
        from_json_data(bad, type(obj))
    if path != "$":
        # The message names the path of the bad value (or of the field that holds it).
        field = path.split(".")[1].split("[")[0]
        assert field in str(info.value)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["versions"][0].__setitem__("amount", 40000000.9), "$.versions[0].amount"),
        (lambda d: d["versions"][0]["works"].__setitem__("name", ["X"]), "$.versions[0].works"),
        (lambda d: d.__setitem__("number", 1), "$.number"),
        (lambda d: d.__setitem__("versions", "abc"), "$.versions"),
        (lambda d: d.__setitem__("medium", ["paper"]), "$.medium"),
    ],
)  # fmt: skip
@settings(max_examples=5, deadline=None)
@given(contract=s.guarantee_contracts())
def test_the_reported_coercions_are_refused(
    change: Any, path: str, contract: GuaranteeContract
) -> None:
    envelope = json.loads(to_json(contract))
    change(envelope["data"])
    with pytest.raises(InvalidInputError) as info:
        from_json(json.dumps(envelope))
    assert path in str(info.value)


def test_false_as_text_is_not_true() -> None:
    progress = Progress(AT.date(), scheduled_work_done=False, completed_value=0)
    envelope = json.loads(to_json(progress))
    envelope["data"]["scheduled_work_done"] = "false"
    with pytest.raises(InvalidInputError, match=r"scheduled_work_done"):
        from_json(json.dumps(envelope))


@pytest.mark.parametrize("version", [True, 1.0, "1", [1], None])
def test_schema_version_is_an_integer(version: Any) -> None:
    envelope = json.loads(to_json(RECORDS[-1]))
    envelope["schema_version"] = version
    with pytest.raises(InvalidInputError, match="schema_version"):
        from_json_data(envelope)
