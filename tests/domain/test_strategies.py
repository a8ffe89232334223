"""The public strategies: import without Hypothesis, and ``st.from_type`` through the plugin."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from surety_core import (
    Application,
    GuaranteeContract,
    Medium,
    ObligeePolicy,
    RateTable,
    Works,
    WorksKind,
    validate_application,
)
from surety_core.testing import strategies as s


def test_import_without_hypothesis_names_the_extra() -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.modules["hypothesis"] = None  # as if Hypothesis were not installed
        import surety_core, surety_core.testing  # the core and the package import fine
        try:
            import surety_core.testing.strategies
        except ImportError as exc:
            print(exc)
        else:
            print("imported")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "surety-core[testing]" in result.stdout


def test_importing_strategies_first_then_from_type() -> None:
    # Hypothesis runs our entry point while it is imported by the strategies module itself.
    code = textwrap.dedent(
        """
        import surety_core.testing.strategies
        from hypothesis import strategies as st
        from surety_core import GuaranteeContract
        print(type(st.from_type(GuaranteeContract).example()).__name__)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "GuaranteeContract"


@settings(max_examples=30)  # a smoke test of the registration; the strategies are tested elsewhere
@given(
    st.from_type(GuaranteeContract),
    st.from_type(Application),
    st.from_type(Works),
    st.from_type(ObligeePolicy),
    st.from_type(RateTable),
)
def test_from_type_works_through_the_entry_point(
    contract: GuaranteeContract,
    application: Application,
    works: Works,
    policy: ObligeePolicy,
    table: RateTable,
) -> None:
    assert isinstance(contract, GuaranteeContract)
    assert isinstance(application, Application)
    assert isinstance(works, Works)
    assert isinstance(policy, ObligeePolicy)
    assert isinstance(table, RateTable)


@given(s.works(kind=WorksKind.CONSULTING, contract_price=st.just(5_000_000)))
def test_parts_are_replaceable(works: Works) -> None:
    assert works.kind is WorksKind.CONSULTING
    assert works.contract_price == 5_000_000


@given(s.guarantee_contracts(medium=Medium.ELECTRONIC))
@settings(max_examples=60, deadline=None)
def test_electronic_contracts_are_drawn_whatever_policy_the_works_start_with(
    contract: GuaranteeContract,
) -> None:
    """Asking for a medium draws a policy that accepts it (the amendments drawn after the
    application are then valid too, instead of failing with ELECTRONIC_NOT_ACCEPTED)."""
    assert contract.medium is Medium.ELECTRONIC


@given(s.application_cases(medium=Medium.ELECTRONIC))
@settings(max_examples=60, deadline=None)
def test_an_electronic_application_case_is_valid_under_its_policy(case: Any) -> None:
    assert all(q.medium is Medium.ELECTRONIC for q in case.application.requests)
    assert validate_application(case.application, case.policy, existing=case.existing) == ()
