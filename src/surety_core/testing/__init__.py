"""Test support for hosts: sample data, doubles for the ports, and contract test suites.

* :mod:`surety_core.testing.samples`: the sample story as keyword-only factories;
* :class:`RecordingNotifier` and :class:`FixedClock`: doubles for the notifier and the clock;
* :mod:`surety_core.testing.contract`: the storage contract suite (needs pytest);
* :mod:`surety_core.testing.workflow`: the workflow contract suite (needs pytest);
* :mod:`surety_core.testing.strategies`: Hypothesis strategies (needs the ``testing`` extra,
  ``pip install "surety-core[testing]"``); importing this package imports neither pytest nor
  Hypothesis.
"""

from __future__ import annotations

from surety_core.testing._doubles import FixedClock, RecordingNotifier

__all__ = ["FixedClock", "RecordingNotifier"]
