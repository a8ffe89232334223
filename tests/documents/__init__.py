"""Tests of surety_core.documents (a package so that mypy tells the conftest files apart)."""
