"""Keys leave no trace: a crash report with every frame's locals shows no typed key.

Before, the typed key stayed a ``str`` local (the ``key`` parameter) in the frames of the façade,
the registry view, ``check_key`` and ``verify_key`` for the whole call, so a traceback formatted
with ``capture_locals=True`` (as error reporters do) printed it.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from surety_core import SuretyError
from surety_core.keys import (
    AuthKey,
    KeyProtector,
    LimiterPolicy,
    StaticSecretProvider,
    WindowAttemptLimiter,
    check_key,
    generate_key,
    verify_key,
)
from surety_core.services import ObligeeRegistry, SuretyService
from surety_core.storage.memory import MemoryStore

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
SECRETS = StaticSecretProvider(
    {"h1": b"h" * 32}, {"e1": b"e" * 32}, current_hmac_key_id="h1", current_encryption_key_id="e1"
)
PROTECTOR = KeyProtector(SECRETS)
NUMBER = "2026000001"


def _report(call: Callable[[], object]) -> str:
    """The traceback of the error ``call`` raises, with every frame's locals."""
    with pytest.raises(SuretyError) as info:
        call()
    report = traceback.TracebackException.from_exception(info.value, capture_locals=True)
    return "".join(report.format())


def _forms(key: AuthKey) -> list[str]:
    text = key.reveal()
    return [text, text.replace("-", ""), text.lower()]


def _typo(key: AuthKey) -> str:
    text = key.reveal()
    return text[:-1] + ("A" if text[-1] != "A" else "B")


def _setup(with_contract: bool = False) -> tuple[MemoryStore, AuthKey]:
    store = MemoryStore()
    key = generate_key()
    with store.unit_of_work() as uow:
        uow.keys.add(PROTECTOR.seal(NUMBER, 1, key, NOW))
    return store, key


def test_a_failing_view_leaves_no_key_in_its_frames() -> None:
    store, key = _setup()
    limiter = WindowAttemptLimiter(LimiterPolicy(max_failures=2))
    registry = ObligeeRegistry(store, SECRETS, limiter=limiter, clock=lambda: NOW)
    wrong = generate_key()
    typo = _typo(key)
    reports = [
        # the right key, failing after the comparison (the contract is missing)
        _report(lambda: registry.view(NUMBER, key.reveal())),
        # a wrong key: the opaque failure
        _report(lambda: registry.view(NUMBER, wrong.reveal().lower())),
        # locked: refused even with the right key
        _report(lambda: registry.view(NUMBER, key.reveal())),
        # a typo: refused before any look-up
        _report(lambda: registry.view(NUMBER, _typo(key))),
    ]
    for report in reports:
        assert "registry.view" in report or "in view" in report
        for form in [*_forms(key), *_forms(wrong), typo]:
            assert form not in report


def test_the_facade_and_the_key_functions_leave_no_key_in_their_frames() -> None:
    store, key = _setup()
    from surety_core import Surety, sample_rate_table
    from surety_core.certificates import SigningKeyRing
    from surety_core.services import PolicyBook

    service = SuretyService(
        store,
        surety=Surety(name="保証", code="s"),
        secrets=SECRETS,
        signing_keys=SigningKeyRing.generate("k"),
        rate_table=sample_rate_table(),
        policies=PolicyBook([]),
        clock=lambda: NOW,
    )
    report = _report(lambda: service.view(NUMBER, key.reveal()))
    with store.unit_of_work() as uow:
        for call in (
            lambda: verify_key(uow, "2026000002", key.reveal(), protector=PROTECTOR, now=NOW),
            lambda: check_key(uow, "bad number", key.reveal(), protector=PROTECTOR, now=NOW),
        ):
            report += _report(call)
    for form in _forms(key):
        assert form not in report
