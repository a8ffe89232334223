"""Test support for hosts: Hypothesis strategies and the storage contract test suite.

The strategies need the ``testing`` extra (``pip install "surety-core[testing]"``).
"""

from __future__ import annotations

__all__: list[str] = []
