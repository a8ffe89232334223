"""Hypothesis entry point: registers strategies so ``st.from_type(Model)`` works (private)."""

from __future__ import annotations


def _register() -> None:
    """Called by Hypothesis at start-up through the ``hypothesis`` entry point."""
