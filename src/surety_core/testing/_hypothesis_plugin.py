"""Hypothesis entry point: registers strategies so ``st.from_type(Model)`` works (private).

The strategies are resolved lazily (a callable per type), because Hypothesis runs this hook
while it is itself being imported — possibly from ``surety_core.testing.strategies``.
"""

from __future__ import annotations

from typing import Any


def _strategy(name: str) -> Any:
    def resolve(_type: type[Any]) -> Any:
        from surety_core.testing import strategies

        return getattr(strategies, name)()

    return resolve


def _register() -> None:
    """Called by Hypothesis at start-up through the ``hypothesis`` entry point."""
    from hypothesis import strategies as st

    from surety_core.domain import _fees, _model

    for cls, name in (
        (_model.Period, "periods"),
        (_model.Obligee, "obligees"),
        (_model.Principal, "principals"),
        (_model.Surety, "sureties"),
        (_model.Works, "works"),
        (_model.ObligeePolicy, "obligee_policies"),
        (_model.Application, "applications"),
        (_model.GuaranteeContract, "guarantee_contracts"),
        (_fees.RateTable, "rate_tables"),
    ):
        st.register_type_strategy(cls, _strategy(name))
