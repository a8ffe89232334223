"""Hypothesis entry point: registers strategies so ``st.from_type(Model)`` works (private)."""

from __future__ import annotations


def _register() -> None:
    """Called by Hypothesis at start-up through the ``hypothesis`` entry point."""
    from hypothesis import strategies as st

    from surety_core import _fees, _model
    from surety_core.testing import strategies as s

    st.register_type_strategy(_model.Period, s.periods())
    st.register_type_strategy(_model.Obligee, s.obligees())
    st.register_type_strategy(_model.Principal, s.principals())
    st.register_type_strategy(_model.Surety, s.sureties())
    st.register_type_strategy(_model.Works, s.works())
    st.register_type_strategy(_model.ObligeePolicy, s.obligee_policies())
    st.register_type_strategy(_model.Application, s.applications())
    st.register_type_strategy(_model.GuaranteeContract, s.guarantee_contracts())
    st.register_type_strategy(_fees.RateTable, s.rate_tables())
