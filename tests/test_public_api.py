"""What a host sees of the package: public exception paths, a quiet logger."""

from __future__ import annotations

import logging
import pickle
from datetime import date

import pytest

import surety_core
from surety_core import (
    RULES,
    AttemptsExceededError,
    CorruptRecordError,
    InvalidInputError,
    KeyFormatError,
    KeyReplacedError,
    RuleViolationError,
    SuretyError,
    VerificationError,
)


@pytest.mark.parametrize(
    "name", [n for n in surety_core.__all__ if n.endswith(("Error", "Warning"))]
)
def test_exceptions_show_their_public_path(name: str) -> None:
    cls = getattr(surety_core, name)
    assert cls.__module__ == "surety_core"
    assert f"surety_core.{name}" in repr(cls)


@pytest.mark.parametrize(
    "error",
    [
        InvalidInputError("amount", "must be positive"),
        KeyFormatError("key", "typo"),
        AttemptsExceededError(900.0),
        KeyReplacedError(date(2025, 4, 2)),
        CorruptRecordError("contract 0000000001", "bad JSON"),
        VerificationError(),
        RuleViolationError([next(iter(RULES)).violation("requests[0].amount")]),
    ],
)
def test_a_public_exception_pickles_round_trip(error: SuretyError) -> None:
    # hosts send errors across processes (job queues, multiprocessing pools)
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error)


def test_a_traceback_names_the_public_path() -> None:
    import traceback

    violation = next(iter(RULES)).violation("requests[0].amount")
    try:
        raise RuleViolationError([violation])
    except RuleViolationError as exc:
        text = "".join(traceback.format_exception(exc))
    assert "surety_core.RuleViolationError:" in text
    assert "domain._rules" not in text.splitlines()[-2]


def test_the_library_logger_has_a_null_handler() -> None:
    handlers = logging.getLogger("surety_core").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_a_library_warning_is_not_printed_by_the_last_resort_handler(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logging.getLogger("surety_core.keys").warning("development secrets in use")
    assert capsys.readouterr().err == ""
