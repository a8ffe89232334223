"""Every service, given junk, raises only the library's own errors and changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.workflow.test_flow import PRINCIPAL, Env, application

from surety_core import SuretyError
from surety_core.storage.memory import MemoryStore

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.binary(max_size=10),
    st.dates(),
    st.lists(st.integers(), max_size=3),
    st.just("0000000001"),
    st.just(PRINCIPAL.identifier),
    st.just(date(2025, 10, 1)),
)


def _env() -> Env:
    env = Env(MemoryStore())
    env.service.apply_and_issue(application())
    return env


def _snapshot(env: Env) -> tuple[Any, ...]:
    with env.store.unit_of_work() as uow:
        return (
            tuple(uow.contracts.for_works("kashiwa", "R7-001")),
            tuple(uow.outbox.all()),
            tuple(uow.keys.history("0000000001")),
            tuple(uow.statements.for_contract("0000000001")),
        )


CALLS = {
    "apply": lambda s, a, b, c: s.apply(a),
    "issue": lambda s, a, b, c: s.issue(a),
    "history": lambda s, a, b, c: s.history(a),
    "details": lambda s, a, b, c: s.details(a, principal_id=b),
    "key_notice": lambda s, a, b, c: s.key_notice(a, principal_id=b),
    "reissue_key": lambda s, a, b, c: s.reissue_key(a, principal_id=b, actor=c),
    "view": lambda s, a, b, c: s.view(a, b),
    "amend": lambda s, a, b, c: s.amend(a, b),
    "release": lambda s, a, b, c: s.release(a, b),
    "claim": lambda s, a, b, c: s.claim(a, b, advance_paid=c, completed_value=c),
    "expire": lambda s, a, b, c: s.expire(a, b),
}


@pytest.mark.parametrize("name", sorted(CALLS))
@given(a=junk, b=junk, c=junk)
def test_junk_raises_only_library_errors(name: str, a: Any, b: Any, c: Any) -> None:
    env = _env()
    before = _snapshot(env)
    try:
        CALLS[name](env.service, a, b, c)
    except SuretyError:
        assert _snapshot(env) == before
