"""Test support for hosts: Hypothesis strategies and the storage contract test suite.

The strategies live in :mod:`surety_core.testing.strategies` and need the ``testing`` extra
(``pip install "surety-core[testing]"``); importing this package does not import Hypothesis.
"""

from __future__ import annotations

__all__: list[str] = []
