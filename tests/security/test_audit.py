"""The hash-chained audit log: building, verifying, and detecting every kind of edit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from attrs import evolve
from hypothesis import given
from hypothesis import strategies as st

from surety_core import InvalidInputError
from surety_core.audit import (
    GENESIS_HASH,
    AuditAction,
    AuditProblem,
    append_event,
    record_event,
    verify_audit_chain,
)
from surety_core.keys import StaticSecretProvider, generate_key
from surety_core.storage._records import AuditEvent

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
SECRETS = StaticSecretProvider(
    {"a1": b"a" * 32}, {"e1": b"e" * 32}, current_hmac_key_id="a1", current_encryption_key_id="e1"
)


def chain(length: int) -> list[AuditEvent]:
    events: list[AuditEvent] = []
    actions = list(AuditAction)
    for i in range(length):
        events.append(
            record_event(
                events[-1] if events else None,
                secrets=SECRETS,
                at=NOW + timedelta(seconds=i),
                actor=f"user-{i % 3}",
                action=actions[i % len(actions)],
                subject=f"20260000{i % 100:02d}",
                details={"ip": f"192.0.2.{i % 250}", "n": str(i)},
            )
        )
    return events


CHAIN = chain(12)


def test_record_event_links() -> None:
    first, second = CHAIN[0], CHAIN[1]
    assert first.sequence == 1
    assert first.previous_hash == GENESIS_HASH
    assert second.sequence == 2
    assert second.previous_hash == first.hash
    assert len(first.hash) == 32
    assert first.action == "applied"
    assert first.details == (("ip", "192.0.2.0"), ("n", "0"))
    report = verify_audit_chain(CHAIN, secrets=SECRETS)
    assert report.ok
    assert bool(report)
    assert report.checked == 12
    assert report.head == CHAIN[-1].hash
    assert "intact" in report.describe()


def test_plain_string_actions_and_pair_details() -> None:
    event = record_event(
        None,
        secrets=SECRETS,
        at=NOW,
        actor="system",
        action="host.custom",
        subject="x",
        details=[("b", "2"), ("a", "")],
    )
    assert event.details == (("a", ""), ("b", "2"))
    assert verify_audit_chain([event], secrets=SECRETS).ok


def test_hash_does_not_depend_on_the_time_zone_representation() -> None:
    jst = timezone(timedelta(hours=9))
    event = CHAIN[0]
    same_instant = evolve(event, at=event.at.astimezone(jst))
    assert verify_audit_chain([same_instant, *CHAIN[1:]], secrets=SECRETS).ok


def test_empty_chain_is_intact_and_anchor_detects_truncation() -> None:
    assert verify_audit_chain([], secrets=SECRETS).ok
    report = verify_audit_chain(CHAIN[:-2], secrets=SECRETS, expected_head=CHAIN[-1].hash)
    assert not report.ok
    assert report.problem is AuditProblem.TRUNCATED
    assert report.broken_sequence == 11
    assert verify_audit_chain(CHAIN, secrets=SECRETS, expected_head=CHAIN[-1].hash).ok


def test_pages_continue_from_a_trusted_event() -> None:
    assert verify_audit_chain(CHAIN[5:], secrets=SECRETS, after=CHAIN[4]).ok
    report = verify_audit_chain(CHAIN[6:], secrets=SECRETS, after=CHAIN[4])
    assert report.problem is AuditProblem.MISSING
    assert report.broken_index == 0


def _broken(events: list[AuditEvent]) -> tuple[int | None, int | None, AuditProblem | None]:
    report = verify_audit_chain(events, secrets=SECRETS)
    assert not report.ok
    assert report.problem is not None
    assert str(report.problem) in report.describe()
    return report.broken_index, report.broken_sequence, report.problem


def test_altered_event() -> None:
    events = list(CHAIN)
    events[4] = evolve(events[4], actor="someone-else")
    assert _broken(events) == (4, 5, AuditProblem.ALTERED)
    events = list(CHAIN)
    events[4] = evolve(events[4], details=(("ip", "203.0.113.9"), ("n", "4")))
    assert _broken(events) == (4, 5, AuditProblem.ALTERED)
    events = list(CHAIN)
    events[4] = evolve(events[4], at=events[4].at + timedelta(microseconds=1))
    assert _broken(events) == (4, 5, AuditProblem.ALTERED)


def test_altered_and_rehashed_event_breaks_the_next_link() -> None:
    events = list(CHAIN)
    forged = record_event(
        events[3],
        secrets=SECRETS,
        at=events[4].at,
        actor="forger",
        action="issued",
        subject="x",
        details={},
    )
    events[4] = forged
    assert _broken(events) == (5, 6, AuditProblem.BROKEN_LINK)


def test_deleted_event() -> None:
    events = CHAIN[:3] + CHAIN[4:]
    assert _broken(events) == (3, 5, AuditProblem.MISSING)


def test_deleted_and_renumbered_events() -> None:
    events = CHAIN[:3] + [evolve(e, sequence=e.sequence - 1) for e in CHAIN[4:]]
    assert _broken(events)[0] == 3  # renumbering breaks the hash of the first moved event


def test_reordered_events() -> None:
    events = list(CHAIN)
    events[5], events[6] = events[6], events[5]
    assert _broken(events) == (5, 7, AuditProblem.MISSING)
    events = list(CHAIN)
    events[5], events[3] = events[3], events[5]
    assert _broken(events) == (3, 6, AuditProblem.MISSING)
    events = [*CHAIN[:6], CHAIN[2], *CHAIN[6:]]
    assert _broken(events) == (6, 3, AuditProblem.OUT_OF_ORDER)


def test_inserted_event() -> None:
    intruder = record_event(
        CHAIN[3],
        secrets=SECRETS,
        at=NOW,
        actor="intruder",
        action="issued",
        subject="x",
        details={},
    )
    events = [*CHAIN[:4], intruder, *CHAIN[4:]]
    assert _broken(events) == (5, 5, AuditProblem.OUT_OF_ORDER)


def test_bad_start() -> None:
    assert _broken(CHAIN[1:]) == (0, 2, AuditProblem.BAD_START)
    fake_first = evolve(CHAIN[0], previous_hash=b"\x01" * 32)
    rehashed = record_event(None, secrets=SECRETS, at=NOW, actor="a", action="issued", subject="s")
    assert _broken([fake_first])[2] is AuditProblem.ALTERED
    assert verify_audit_chain([rehashed], secrets=SECRETS).ok


@given(st.data())
def test_any_single_field_edit_is_detected(data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(CHAIN) - 1))
    original = CHAIN[index]
    edits = {
        "sequence": lambda: evolve(
            original, sequence=original.sequence + data.draw(st.integers(1, 5))
        ),
        "at": lambda: evolve(
            original, at=original.at + timedelta(seconds=data.draw(st.integers(1, 10**6)))
        ),
        "actor": lambda: evolve(
            original, actor=original.actor + data.draw(st.text("xyz", min_size=1))
        ),
        "action": lambda: evolve(
            original,
            action=data.draw(
                st.sampled_from(["issued", "amended", "x"]).filter(lambda a: a != original.action)
            ),
        ),
        "subject": lambda: evolve(original, subject=original.subject + "0"),
        "details": lambda: evolve(original, details=(*original.details, ("z", "1"))),
        "previous_hash": lambda: evolve(original, previous_hash=bytes(31) + b"\x07"),
        "hash": lambda: evolve(original, hash=bytes(x ^ 1 for x in original.hash)),
    }
    name = data.draw(st.sampled_from(sorted(edits)))
    events = list(CHAIN)
    events[index] = edits[name]()
    report = verify_audit_chain(events, secrets=SECRETS)
    assert not report.ok
    assert report.broken_index == index


@given(st.lists(st.integers(0, len(CHAIN) - 1), min_size=1, max_size=len(CHAIN), unique=True))
def test_any_deletion_that_leaves_the_tail_is_detected(dropped: list[int]) -> None:
    events = [e for i, e in enumerate(CHAIN) if i not in dropped]
    if not events:
        return
    report = verify_audit_chain(events, secrets=SECRETS, expected_head=CHAIN[-1].hash)
    assert not report.ok
    first = min(dropped)
    assert report.broken_index == min(first, len(events))


@given(st.permutations(list(range(len(CHAIN)))))
def test_any_reordering_is_detected(order: list[int]) -> None:
    events = [CHAIN[i] for i in order]
    report = verify_audit_chain(events, secrets=SECRETS)
    expected = list(range(len(CHAIN)))
    if order == expected:
        assert report.ok
    else:
        assert not report.ok
        assert report.broken_index == next(i for i, j in enumerate(order) if i != j)


def test_keys_never_enter_the_audit_log() -> None:
    key = generate_key()
    forms = [
        key.reveal(),
        key.reveal().lower(),
        key.reveal().replace("-", ""),
        key.reveal().replace("-", " "),
        f"the key is {key.reveal()}.",
        "key=" + key.reveal().replace("-", "－"),
    ]
    for text in forms:
        with pytest.raises(InvalidInputError) as info:
            record_event(
                None,
                secrets=SECRETS,
                at=NOW,
                actor="a",
                action="issued",
                subject="s",
                details={"k": text},
            )
        assert key.reveal() not in str(info.value)
        with pytest.raises(InvalidInputError):
            record_event(
                None, secrets=SECRETS, at=NOW, actor=text[:200], action="issued", subject="s"
            )
        with pytest.raises(InvalidInputError):
            record_event(
                None, secrets=SECRETS, at=NOW, actor="a", action="issued", subject=text[:200]
            )
        with pytest.raises(InvalidInputError):
            record_event(
                None,
                secrets=SECRETS,
                at=NOW,
                actor="a",
                action="issued",
                subject="s",
                details={text: "x"},
            )


def test_ordinary_details_are_not_mistaken_for_keys() -> None:
    digest = "ab" * 32
    for value in (digest, "2026000001", "192.0.2.1", "株式会社テスト建設", "ABCD-EFGH", "A" * 40):
        record_event(
            None,
            secrets=SECRETS,
            at=NOW,
            actor="a",
            action="issued",
            subject="s",
            details={"v": value},
        )


def test_bad_fields_are_refused() -> None:
    with pytest.raises(InvalidInputError):
        record_event(
            None, secrets=SECRETS, at=datetime(2026, 1, 1), actor="a", action="issued", subject="s"
        )
    with pytest.raises(InvalidInputError):
        record_event(None, secrets=SECRETS, at=NOW, actor="", action="issued", subject="s")
    with pytest.raises(InvalidInputError):
        record_event(None, secrets=SECRETS, at=NOW, actor="a", action="not a code!", subject="s")
    with pytest.raises(InvalidInputError):
        record_event(
            None,
            secrets=SECRETS,
            at=NOW,
            actor="a",
            action="issued",
            subject="s",
            details=[("a", "1"), ("a", "2")],
        )
    with pytest.raises(InvalidInputError):
        record_event(
            None,
            secrets=SECRETS,
            at=NOW,
            actor="a",
            action="issued",
            subject="s",
            details=[("a", 1)],  # type: ignore[list-item]
        )
    with pytest.raises(InvalidInputError):
        record_event(
            None,
            secrets=SECRETS,
            at=NOW,
            actor="a",
            action="issued",
            subject="s",
            details={str(i): "" for i in range(51)},
        )
    with pytest.raises(InvalidInputError):
        record_event("x", secrets=SECRETS, at=NOW, actor="a", action="issued", subject="s")  # type: ignore[arg-type]
    # The verifier reports a bad row rather than raising.
    report = verify_audit_chain(["x"], secrets=SECRETS)  # type: ignore[list-item]
    assert report.problem is AuditProblem.UNREADABLE


class MemoryLog:
    def __init__(self) -> None:
        self.rows: list[AuditEvent] = []

    def append(self, event: AuditEvent) -> None:
        if event.sequence != len(self.rows) + 1:
            raise AssertionError("sequence")
        self.rows.append(event)

    def last(self) -> AuditEvent | None:
        return self.rows[-1] if self.rows else None

    def events(self, after: int = 0, limit: int | None = None) -> Iterator[AuditEvent]:
        chosen = [e for e in self.rows if e.sequence > after]
        return iter(chosen if limit is None else chosen[:limit])


def test_append_event_chains_onto_the_log() -> None:
    log = MemoryLog()
    for i in range(5):
        append_event(
            log,
            secrets=SECRETS,
            at=NOW,
            actor="system",
            action=AuditAction.VERIFY_FAILED,
            subject="2026000001",
            details={"try": str(i)},
        )
    assert [e.sequence for e in log.rows] == [1, 2, 3, 4, 5]
    assert verify_audit_chain(log.events(), secrets=SECRETS).ok
    assert verify_audit_chain(log.events(after=2), secrets=SECRETS, after=log.rows[1]).ok
