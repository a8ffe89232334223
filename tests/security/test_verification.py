"""Key verification: no oracle, typos before look-ups, the attempt limiter, no key in logs."""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from attrs import evolve
from hypothesis import given
from hypothesis import strategies as st

from surety_core import (
    AttemptsExceededError,
    DuplicateError,
    InvalidInputError,
    KeyFormatError,
    NotFoundError,
    VerificationError,
)
from surety_core.keys import (
    ALPHABET,
    AuthKey,
    KeyProtector,
    LimiterPolicy,
    StaticSecretProvider,
    WindowAttemptLimiter,
    after_failure,
    check_character,
    generate_key,
    normalize_contract_number,
    parse_key,
    refusal,
    verify_key,
)
from surety_core.storage import AttemptRepository, KeyRepository, UnitOfWork
from surety_core.storage._records import AttemptState, AuditEvent, KeyRecord, KeyStatus

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
NUMBER = "2026000001"


class MemoryKeys:
    """An in-memory KeyRepository following the protocol's stated guarantees."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], KeyRecord] = {}
        self.reads = 0

    def add(self, record: KeyRecord) -> None:
        if (record.contract_number, record.generation) in self.rows:
            raise DuplicateError("key record exists")
        if record.status is KeyStatus.ACTIVE and self._active(record.contract_number):
            raise DuplicateError("an active key record exists")
        self.rows[(record.contract_number, record.generation)] = record

    def _active(self, number: str) -> KeyRecord | None:
        for (n, _), r in self.rows.items():
            if n == number and r.status is KeyStatus.ACTIVE:
                return r
        return None

    def active(self, number: str) -> KeyRecord | None:
        self.reads += 1
        return self._active(number)

    def revoke(self, number: str, generation: int, at: datetime) -> None:
        record = self.rows.get((number, generation))
        if record is None:
            raise NotFoundError(number)
        if record.status is KeyStatus.ACTIVE:
            self.rows[(number, generation)] = evolve(
                record, status=KeyStatus.REVOKED, revoked_at=at
            )

    def history(self, number: str) -> Sequence[KeyRecord]:
        return [r for (n, _), r in sorted(self.rows.items()) if n == number]


class MemoryAttempts:
    """An in-memory AttemptRepository that counts reads and writes."""

    def __init__(self) -> None:
        self.rows: dict[str, AttemptState] = {}
        self.reads = 0
        self.writes = 0

    def get(self, number: str) -> AttemptState | None:
        self.reads += 1
        return self.rows.get(number)

    def put(self, state: AttemptState) -> None:
        self.writes += 1
        self.rows[state.contract_number] = state

    def clear(self, number: str) -> None:
        self.writes += 1
        self.rows.pop(number, None)


class Stores:
    def __init__(self) -> None:
        self.keys = MemoryKeys()
        self.attempts = MemoryAttempts()


class Untouchable:
    """Stores that fail the test if verification reaches them."""

    @property
    def keys(self) -> KeyRepository:
        raise AssertionError("storage was reached")

    @property
    def attempts(self) -> AttemptRepository:
        raise AssertionError("storage was reached")


def make_protector() -> KeyProtector:
    return KeyProtector(
        StaticSecretProvider(
            {"h1": b"h" * 32},
            {"e1": b"e" * 32},
            current_hmac_key_id="h1",
            current_encryption_key_id="e1",
        )
    )


PROTECTOR = make_protector()


def issued(number: str = NUMBER) -> tuple[Stores, AuthKey]:
    stores = Stores()
    key = generate_key()
    stores.keys.add(PROTECTOR.seal(number, 1, key, NOW))
    return stores, key


def test_right_key_verifies_and_writes_nothing() -> None:
    stores, key = issued()
    for text in (key.reveal(), key.reveal().lower(), key):
        record = verify_key(stores, NUMBER, text, protector=PROTECTOR, now=NOW)
        assert record.contract_number == NUMBER
    assert stores.attempts.writes == 0


def test_number_is_normalised() -> None:
    stores, key = issued()
    record = verify_key(
        stores, "２０２６－０００００１", key.reveal(), protector=PROTECTOR, now=NOW
    )
    assert record.generation == 1
    assert normalize_contract_number(" 2026-000001 ") == NUMBER
    for bad in ("12345", "20260000011", "2026OOOOO1", "", "x" * 100):
        with pytest.raises(InvalidInputError):
            normalize_contract_number(bad)


def test_unknown_number_and_wrong_key_are_indistinguishable() -> None:
    stores, key = issued()
    other = generate_key()
    with pytest.raises(VerificationError) as wrong_key:
        verify_key(stores, NUMBER, other.reveal(), protector=PROTECTOR, now=NOW)
    with pytest.raises(VerificationError) as unknown:
        verify_key(stores, "2026999999", key.reveal(), protector=PROTECTOR, now=NOW)
    assert type(wrong_key.value) is type(unknown.value) is VerificationError
    assert str(wrong_key.value) == str(unknown.value) == "verification failed"
    assert wrong_key.value.args == unknown.value.args
    # both count as a failure for their number, so a lockout is no oracle either
    assert stores.attempts.rows[NUMBER].failures == 1
    assert stores.attempts.rows["2026999999"].failures == 1


def test_unknown_number_costs_the_same_hmac_and_compare(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_compare: Callable[..., bool] = hmac.compare_digest
    real_digest: Callable[..., bytes] = hmac.digest

    def compare(a: Any, b: Any) -> bool:
        calls.append("compare")
        return real_compare(a, b)

    def digest(key: Any, msg: Any, algo: Any) -> bytes:
        calls.append("hmac")
        return real_digest(key, msg, algo)

    stores, key = issued()
    wrong = generate_key()
    monkeypatch.setattr(hmac, "compare_digest", compare)
    monkeypatch.setattr(hmac, "digest", digest)
    with pytest.raises(VerificationError):
        verify_key(stores, NUMBER, wrong, protector=PROTECTOR, now=NOW)
    known = list(calls)
    calls.clear()
    with pytest.raises(VerificationError):
        verify_key(stores, "2026999999", wrong, protector=PROTECTOR, now=NOW)
    assert calls == known == ["hmac", "compare"]
    calls.clear()
    verify_key(stores, NUMBER, key, protector=PROTECTOR, now=NOW + timedelta(hours=1))
    assert calls == ["hmac", "compare"]


def test_typos_are_reported_before_any_look_up() -> None:
    key = generate_key()
    compact = key.reveal().replace("-", "")
    typo = compact[:5] + ("A" if compact[5] != "A" else "B") + compact[6:]
    with pytest.raises(KeyFormatError):
        verify_key(Untouchable(), NUMBER, typo, protector=PROTECTOR, now=NOW)
    with pytest.raises(InvalidInputError):
        verify_key(Untouchable(), "12", key, protector=PROTECTOR, now=NOW)


def test_revoked_key_stops_at_once_and_reissued_key_works() -> None:
    stores, old = issued()
    stores.keys.revoke(NUMBER, 1, NOW)
    new = generate_key()
    stores.keys.add(PROTECTOR.seal(NUMBER, 2, new, NOW))
    with pytest.raises(VerificationError):
        verify_key(stores, NUMBER, old, protector=PROTECTOR, now=NOW)
    assert verify_key(stores, NUMBER, new, protector=PROTECTOR, now=NOW).generation == 2


def test_ten_thousand_random_wrong_keys_never_verify() -> None:
    stores, key = issued()
    protector = PROTECTOR
    record = stores.keys.active(NUMBER)
    assert record is not None
    for _ in range(10_000):
        body = "".join(secrets.choice(ALPHABET) for _ in range(19))
        guess = parse_key(body + check_character(body))
        if guess == key:
            continue  # 1 in 31**19: never happens
        assert not protector.matches(record, guess)
    # and through the full path, with a limiter that never locks
    loose = WindowAttemptLimiter(LimiterPolicy(max_failures=1000, window=timedelta(seconds=1)))
    for i in range(1000):
        with pytest.raises(VerificationError):
            verify_key(
                stores,
                NUMBER,
                generate_key(),
                protector=protector,
                now=NOW + timedelta(seconds=2 * i),
                limiter=loose,
            )


@given(st.text(alphabet=ALPHABET, min_size=19, max_size=19))
def test_random_well_formed_keys_do_not_match(body: str) -> None:
    key = generate_key()
    record = PROTECTOR.seal(NUMBER, 1, key, NOW)
    guess = parse_key(body + check_character(body))
    assert PROTECTOR.matches(record, guess) == (guess == key)


# --- the attempt limiter ---------------------------------------------------------------------


def test_lockout_after_n_failures_even_with_the_right_key() -> None:
    stores, key = issued()
    policy = LimiterPolicy(
        max_failures=3, window=timedelta(minutes=10), lockout=timedelta(minutes=30)
    )
    limiter = WindowAttemptLimiter(policy)
    for i in range(3):
        with pytest.raises(VerificationError) as info:
            verify_key(
                stores,
                NUMBER,
                generate_key(),
                protector=PROTECTOR,
                now=NOW + timedelta(minutes=i),
                limiter=limiter,
            )
        assert type(info.value) is VerificationError
    later = NOW + timedelta(minutes=5)
    with pytest.raises(AttemptsExceededError) as refused:
        verify_key(stores, NUMBER, key, protector=PROTECTOR, now=later, limiter=limiter)
    assert refused.value.retry_after == pytest.approx(27 * 60)
    # after the cooling period the right key works and the state is forgotten
    after = NOW + timedelta(minutes=2, seconds=30 * 60)
    verify_key(stores, NUMBER, key, protector=PROTECTOR, now=after, limiter=limiter)
    assert NUMBER not in stores.attempts.rows


def test_success_resets_failures_and_only_then_writes() -> None:
    stores, key = issued()
    with pytest.raises(VerificationError):
        verify_key(stores, NUMBER, generate_key(), protector=PROTECTOR, now=NOW)
    assert stores.attempts.writes == 1
    verify_key(stores, NUMBER, key, protector=PROTECTOR, now=NOW)
    assert stores.attempts.writes == 2
    assert NUMBER not in stores.attempts.rows
    verify_key(stores, NUMBER, key, protector=PROTECTOR, now=NOW)
    assert stores.attempts.writes == 2


def test_limiter_is_per_number() -> None:
    stores, _ = issued()
    other_key = generate_key()
    stores.keys.add(PROTECTOR.seal("2026000002", 1, other_key, NOW))
    for _ in range(5):
        with pytest.raises(VerificationError):
            verify_key(stores, NUMBER, generate_key(), protector=PROTECTOR, now=NOW)
    with pytest.raises(AttemptsExceededError):
        verify_key(stores, NUMBER, generate_key(), protector=PROTECTOR, now=NOW)
    verify_key(stores, "2026000002", other_key, protector=PROTECTOR, now=NOW)


def test_policy_validation() -> None:
    with pytest.raises(InvalidInputError):
        LimiterPolicy(max_failures=0)
    with pytest.raises(InvalidInputError):
        LimiterPolicy(window=timedelta(0))
    with pytest.raises(InvalidInputError):
        LimiterPolicy(lockout=timedelta(seconds=-1))


policies = st.builds(
    LimiterPolicy,
    max_failures=st.integers(1, 10),
    window=st.integers(1, 3600).map(lambda s: timedelta(seconds=s)),
    lockout=st.integers(1, 3600).map(lambda s: timedelta(seconds=s)),
)
offsets = st.lists(st.integers(0, 600), min_size=1, max_size=40)


@given(policies, offsets)
def test_limiter_never_allows_more_than_n_failures_per_lockout(
    policy: LimiterPolicy, gaps: list[int]
) -> None:
    """Replaying failed attempts at increasing times: a lock starts exactly at the N-th failure
    of a window, refusals never exceed the lockout, and the rate stays bounded."""
    state: AttemptState | None = None
    now = NOW
    allowed_times: list[datetime] = []
    for gap in gaps:
        now += timedelta(seconds=gap)
        wait = refusal(state, now)
        if wait is not None:
            assert state is not None
            assert state.locked_until is not None
            assert 0 < wait <= policy.lockout.total_seconds()
            continue
        allowed_times.append(now)
        state = after_failure(state, NUMBER, now, policy)
        assert 1 <= state.failures <= policy.max_failures
        assert (state.locked_until is not None) == (state.failures == policy.max_failures)
        assert state.window_started_at <= now < state.window_started_at + policy.window
    # Rate bound (see the security page): every epoch between resets spans at least
    # D = min(window, lockout), so any interval [t, t + D) meets at most two epochs and so
    # holds at most 2N allowed failures.
    shortest = min(policy.window, policy.lockout)
    for i, start in enumerate(allowed_times):
        inside = [t for t in allowed_times[i:] if t < start + shortest]
        assert len(inside) <= 2 * policy.max_failures


@given(policies, st.integers(0, 100_000))
def test_refusal_is_pure_and_ends(policy: LimiterPolicy, seconds: int) -> None:
    state: AttemptState | None = None
    for _ in range(policy.max_failures):
        state = after_failure(state, NUMBER, NOW, policy)
    assert state is not None
    assert state.locked_until == NOW + policy.lockout
    at = NOW + timedelta(seconds=seconds)
    wait = refusal(state, at)
    if at < NOW + policy.lockout:
        assert wait == (NOW + policy.lockout - at).total_seconds()
    else:
        assert wait is None
        assert after_failure(state, NUMBER, at, policy).failures == 1


def test_window_expiry_restarts_the_count() -> None:
    policy = LimiterPolicy(max_failures=3, window=timedelta(minutes=10))
    state = after_failure(None, NUMBER, NOW, policy)
    state = after_failure(state, NUMBER, NOW + timedelta(minutes=9), policy)
    assert state.failures == 2
    state = after_failure(state, NUMBER, NOW + timedelta(minutes=10), policy)
    assert state.failures == 1
    assert state.locked_until is None


# --- no key in logs, exceptions or reprs ------------------------------------------------------


def test_no_key_text_in_debug_logs_errors_or_reprs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    stores = Stores()
    key = generate_key()
    record = PROTECTOR.seal(NUMBER, 1, key, NOW)
    stores.keys.add(record)
    seen += [
        repr(record),
        str(record),
        repr(key),
        str(key),
        repr(PROTECTOR),
        repr(stores.keys.rows),
    ]
    verify_key(stores, NUMBER, key.reveal(), protector=PROTECTOR, now=NOW)
    unsealed = PROTECTOR.unseal(record)
    seen.append(repr(unsealed))
    compact = key.reveal().replace("-", "")
    near_misses = [
        compact[:3] + ("A" if compact[3] != "A" else "B") + compact[4:],  # typo
        compact[:19],  # too short
        compact[:4] + "0" + compact[5:],  # bad character
    ]
    for text in near_misses:
        with pytest.raises(KeyFormatError) as typo:
            verify_key(stores, NUMBER, text, protector=PROTECTOR, now=NOW)
        seen += [str(typo.value), repr(typo.value)]
    for _ in range(6):
        with pytest.raises(VerificationError) as failed:
            verify_key(stores, NUMBER, generate_key(), protector=PROTECTOR, now=NOW)
        seen += [str(failed.value), repr(failed.value)]
    with pytest.raises(VerificationError) as refused:
        verify_key(stores, NUMBER, key, protector=PROTECTOR, now=NOW)
    seen += [str(refused.value), repr(refused.value), repr(stores.attempts.rows)]
    seen += [r.getMessage() for r in caplog.records]
    seen.append(caplog.text)
    assert any("verification failed" in s for s in seen)
    assert len(caplog.records) >= 8
    everything = "\n".join(seen).upper()
    for i in range(16):
        assert compact[i : i + 5] not in everything
    assert key.reveal() not in everything


def _type_check_only(uow: UnitOfWork) -> None:
    """mypy proves that a whole unit of work is accepted where the key stores are needed."""
    verify_key(uow, NUMBER, "key", protector=PROTECTOR, now=NOW)


def test_check_key_reports_outcomes_without_raising() -> None:
    from surety_core.audit import AuditAction, record_event, verify_audit_chain
    from surety_core.keys import KeyCheckOutcome, check_key

    stores, key = issued()
    outcomes = []
    events: list[AuditEvent] = []
    action = {
        KeyCheckOutcome.SUCCEEDED: AuditAction.VERIFY_SUCCEEDED,
        KeyCheckOutcome.FAILED: AuditAction.VERIFY_FAILED,
        KeyCheckOutcome.REFUSED: AuditAction.VERIFY_REFUSED,
    }
    attempts = [key, *[generate_key() for _ in range(5)], key]
    for attempt in attempts:
        result = check_key(stores, NUMBER, attempt.reveal(), protector=PROTECTOR, now=NOW)
        outcomes.append(result.outcome)
        events.append(
            record_event(
                events[-1] if events else None,
                secrets=PROTECTOR.secrets,
                at=NOW,
                actor="obligee:city-001",
                action=action[result.outcome],
                subject=result.number,
            )
        )
    assert outcomes == [
        KeyCheckOutcome.SUCCEEDED,
        *[KeyCheckOutcome.FAILED] * 5,
        KeyCheckOutcome.REFUSED,
    ]
    assert verify_audit_chain(events, secrets=PROTECTOR.secrets).ok
    refused = check_key(stores, NUMBER, key, protector=PROTECTOR, now=NOW + timedelta(minutes=1))
    assert refused.retry_after == pytest.approx(14 * 60)
    assert refused.record is None
    assert not refused.ok
    with pytest.raises(AttemptsExceededError):
        refused.raise_for_outcome()
    failed = check_key(
        stores, "2026999999", key, protector=PROTECTOR, now=NOW + timedelta(minutes=1)
    )
    assert failed.outcome is KeyCheckOutcome.FAILED
    assert failed.record is None
    with pytest.raises(VerificationError) as info:
        failed.raise_for_outcome()
    assert type(info.value) is VerificationError
    later = check_key(stores, NUMBER, key, protector=PROTECTOR, now=NOW + timedelta(minutes=16))
    assert later.ok
    assert later.raise_for_outcome() is later.record
    assert later.record is not None
    assert later.record.contract_number == NUMBER


def test_issue_and_reissue() -> None:
    from surety_core.keys import issue_key, reissue_key

    stores = Stores()
    first, record = issue_key(stores.keys, PROTECTOR, NUMBER, now=NOW)
    assert record.generation == 1
    assert verify_key(stores, NUMBER, first, protector=PROTECTOR, now=NOW) == record
    with pytest.raises(DuplicateError):
        issue_key(stores.keys, PROTECTOR, NUMBER, now=NOW)
    later = NOW + timedelta(days=3)
    second, new_record = reissue_key(stores.keys, PROTECTOR, NUMBER, now=later)
    assert new_record.generation == 2
    assert second != first
    with pytest.raises(VerificationError):
        verify_key(stores, NUMBER, first, protector=PROTECTOR, now=later)
    assert verify_key(stores, NUMBER, second, protector=PROTECTOR, now=later) == new_record
    history = stores.keys.history(NUMBER)
    assert [(r.generation, r.status, r.revoked_at) for r in history] == [
        (1, KeyStatus.REVOKED, later),
        (2, KeyStatus.ACTIVE, None),
    ]
    assert PROTECTOR.unseal(history[0]) == first  # the old notice can still be explained
    with pytest.raises(NotFoundError):
        reissue_key(stores.keys, PROTECTOR, "2026999999", now=later)


def test_a_failure_timed_before_the_window_start_still_counts() -> None:
    # Concurrent units read the clock before they wait for the number's state: one may see a
    # window opened a moment "later" by another. Restarting the count there let a sixth guess
    # through a limit of five (seen with six threads on the memory store).
    from datetime import timedelta

    from surety_core.keys import LimiterPolicy, after_failure

    policy = LimiterPolicy(max_failures=5)
    start = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    state = None
    for i in range(4):
        state = after_failure(state, "0000000001", start + timedelta(milliseconds=i), policy)
    assert state is not None
    assert state.failures == 4
    earlier = after_failure(state, "0000000001", start - timedelta(milliseconds=5), policy)
    assert earlier.failures == 5
    assert earlier.window_started_at == start
    assert earlier.locked_until is not None
