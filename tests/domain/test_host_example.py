"""The host example of docs/testing.md: a host's own property tests built on our strategies.

The host here has a screen that shows the fee of each request of an application, and wants to
prove two things about it: valid applications always pass validation and get a positive fee,
and every rule the library knows is reported when it is broken.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from surety_core import (
    GuaranteeContract,
    WorksKind,
    fee_for_request,
    sample_rate_table,
    validate_application,
)
from surety_core.testing import strategies as s

TABLE = sample_rate_table()  # a host passes its own RateTable here


def host_fee_screen(case: s.ApplicationCase) -> list[tuple[str, int]]:
    """The host's own code under test: one (product, fee) line per request."""
    return [
        (request.product, fee_for_request(TABLE, case.application, request).total)
        for request in case.application.requests
    ]


@given(s.application_cases(works=s.works(kind=WorksKind.CONSULTING)))
def test_valid_consulting_applications_get_a_fee(case: s.ApplicationCase) -> None:
    assert (
        validate_application(
            case.application, case.policy, products=case.products, existing=case.existing
        )
        == ()
    )
    lines = host_fee_screen(case)
    assert len(lines) == len(case.application.requests)
    assert all(fee >= 1_000 for _, fee in lines)  # the sample table's minimum fee


@given(s.invalid_applications())
def test_each_broken_rule_is_reported(case: s.ApplicationCase) -> None:
    found = validate_application(
        case.application, case.policy, products=case.products, existing=case.existing
    )
    assert {v.code for v in found} == case.expected


@given(st.from_type(GuaranteeContract))  # works through the Hypothesis entry point
def test_contracts_from_type(contract: GuaranteeContract) -> None:
    assert [v.number for v in contract.versions] == list(range(1, contract.version + 1))
