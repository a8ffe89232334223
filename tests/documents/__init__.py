"""Tests of surety_core.documents (a package only so that mypy can tell the conftest files apart)."""
