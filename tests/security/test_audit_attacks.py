"""Attacks on the audit log by someone who can write its table, and by an insider who also holds
the HMAC secret: each must be named by the verifier against the last signed checkpoint."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from attrs import evolve
from hypothesis import example, given, settings
from hypothesis import strategies as st

from surety_core import InvalidInputError, VerificationError
from surety_core.audit import (
    GENESIS_HASH,
    AuditCheckpoint,
    AuditProblem,
    append_event,
    event_hash,
    record_event,
    sign_checkpoint,
    verify_audit_chain,
    verify_audit_log,
)
from surety_core.certificates import SigningKeyRing
from surety_core.keys import StaticSecretProvider
from surety_core.storage._records import AuditEvent

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
SECRETS = StaticSecretProvider(
    {"a1": b"a" * 32}, {"e1": b"e" * 32}, current_hmac_key_id="a1", current_encryption_key_id="e1"
)
ROTATED = StaticSecretProvider(
    {"a1": b"a" * 32, "a2": b"b" * 32},
    {"e1": b"e" * 32},
    current_hmac_key_id="a2",
    current_encryption_key_id="e1",
)
RING = SigningKeyRing.generate("audit-test")
TRUSTED = RING.trusted_keys()


class ListLog:
    """An audit log an attacker can edit freely (it is a list)."""

    def __init__(self, rows: list[AuditEvent] | None = None) -> None:
        self.rows = list(rows or [])

    def append(self, event: AuditEvent) -> None:
        self.rows.append(event)

    def last(self) -> AuditEvent | None:
        return self.rows[-1] if self.rows else None

    def events(self, after: int = 0, limit: int | None = None) -> Iterator[AuditEvent]:
        index = next((i for i, e in enumerate(self.rows) if e.sequence > after), len(self.rows))
        chosen = self.rows[index:]
        return iter(chosen if limit is None else chosen[:limit])


def chain(length: int, secrets: StaticSecretProvider = SECRETS) -> list[AuditEvent]:
    log = ListLog()
    for i in range(length):
        append_event(
            log,
            secrets=secrets,
            at=NOW + timedelta(seconds=i),
            actor=f"user-{i % 3}",
            action="verify_failed",
            subject=f"20260000{i % 100:02d}",
            details={"n": str(i)},
        )
    return log.rows


def rehash_unkeyed(events: list[AuditEvent]) -> list[AuditEvent]:
    """What an attacker without the secret can do: recompute every link with plain SHA-256
    (the scheme of the unkeyed chain), keeping the key id."""
    out: list[AuditEvent] = []
    for event in events:
        previous = out[-1].hash if out else GENESIS_HASH
        body = (
            json.dumps(
                [event.sequence, event.at.isoformat(), event.actor, event.action, event.subject],
                ensure_ascii=False,
            ).encode()
            + previous
        )
        out.append(evolve(event, previous_hash=previous, hash=hashlib.sha256(body).digest()))
    return out


def rehash_with(events: list[AuditEvent], secret: bytes, key_id: str) -> list[AuditEvent]:
    """What an insider holding the HMAC secret can do: a fully consistent keyed chain."""
    out: list[AuditEvent] = []
    for event in events:
        previous = out[-1].hash if out else GENESIS_HASH
        fresh = event_hash(
            secret=secret,
            key_id=key_id,
            sequence=event.sequence,
            at=event.at,
            actor=event.actor,
            action=event.action,
            subject=event.subject,
            details=event.details,
            previous_hash=previous,
        )
        out.append(evolve(event, previous_hash=previous, hash=fresh, key_id=key_id))
    return out


def check(rows: list[AuditEvent], checkpoint: AuditCheckpoint | None = None):  # type: ignore[no-untyped-def]
    return verify_audit_log(
        ListLog(rows), secrets=SECRETS, checkpoint=checkpoint, trusted=TRUSTED, page_size=4
    )


GOOD = chain(10)
CHECKPOINT = sign_checkpoint(GOOD[-1], RING, at=NOW + timedelta(hours=1))


def test_an_intact_log_verifies_against_its_checkpoint() -> None:
    report = check(GOOD, CHECKPOINT)
    assert report.ok, report.describe()
    assert report.checked == 10
    assert report.head == GOOD[-1].hash
    # Events appended after the checkpoint are still covered by their keyed links.
    more = ListLog(GOOD)
    append_event(more, secrets=SECRETS, at=NOW, actor="x", action="issued", subject="s")
    assert verify_audit_log(more, secrets=SECRETS, checkpoint=CHECKPOINT, trusted=TRUSTED).ok


def test_edit_and_rehash_without_the_secret_is_named_at_the_edited_event() -> None:
    edited = list(GOOD)
    edited[3] = evolve(edited[3], actor="forger")
    forged = GOOD[:3] + rehash_unkeyed(edited)[3:]
    report = check(forged, CHECKPOINT)
    assert (report.broken_index, report.broken_sequence) == (3, 4)
    assert report.problem is AuditProblem.ALTERED
    # Even without a checkpoint the keyed link is enough.
    assert verify_audit_chain(forged, secrets=SECRETS).problem is AuditProblem.ALTERED


def test_rehashing_with_a_guessed_secret_is_detected() -> None:
    forged = rehash_with(
        [evolve(e, actor="forger") if e.sequence == 5 else e for e in GOOD], b"x" * 32, "a1"
    )
    report = check(forged)
    assert report.problem is AuditProblem.ALTERED
    assert report.broken_sequence == 1


def test_an_appended_forged_event_is_detected() -> None:
    tail = GOOD[-1]
    forged = evolve(tail, sequence=11, previous_hash=tail.hash, actor="forger")
    report = check([*GOOD, forged], CHECKPOINT)
    assert (report.broken_sequence, report.problem) == (11, AuditProblem.ALTERED)


def test_reordered_events_are_detected() -> None:
    swapped = list(GOOD)
    swapped[4], swapped[5] = swapped[5], swapped[4]
    report = check(swapped, CHECKPOINT)
    assert (report.broken_index, report.broken_sequence) == (4, 6)
    assert report.problem is AuditProblem.MISSING  # event 6 stands where 5 belongs


def test_dropping_the_tail_is_detected_against_the_checkpoint() -> None:
    assert check(GOOD[:7]).ok  # without a checkpoint nothing can tell
    report = check(GOOD[:7], CHECKPOINT)
    assert report.problem is AuditProblem.TRUNCATED
    assert report.broken_sequence == 8
    assert "sequence 8" in report.describe()
    empty = check([], CHECKPOINT)
    assert empty.problem is AuditProblem.TRUNCATED


def test_an_insider_with_the_secret_cannot_rewrite_past_the_checkpoint() -> None:
    # Edit event 3 and re-key the whole chain with the real secret: every link checks ...
    rewritten = rehash_with(
        [evolve(e, subject="9999999999") if e.sequence == 3 else e for e in GOOD], b"a" * 32, "a1"
    )
    assert check(rewritten).ok
    # ... but the event at the checkpoint's sequence no longer has the signed hash.
    report = check(rewritten, CHECKPOINT)
    assert (report.broken_sequence, report.problem) == (10, AuditProblem.CHECKPOINT_MISMATCH)
    # Dropping the tail and re-appending other events is caught the same way.
    replaced = rehash_with([*GOOD[:8], *chain(10)[8:]], b"a" * 32, "a1")
    replaced[8] = evolve(replaced[8], actor="other")
    replaced = rehash_with(replaced, b"a" * 32, "a1")
    assert not check(replaced, CHECKPOINT).ok


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_single_tampering_is_detected(data: st.DataObject) -> None:
    n = data.draw(st.integers(2, 9), label="length")
    events = GOOD[:n]
    checkpoint = sign_checkpoint(events[-1], RING, at=NOW)
    kind = data.draw(st.sampled_from(["edit", "drop", "swap", "truncate", "duplicate"]))
    i = data.draw(st.integers(0, n - 2), label="index")
    rows = list(events)
    if kind == "edit":
        field = data.draw(st.sampled_from(["actor", "subject", "action", "at", "details"]))
        value: Any = {
            "actor": "forger",
            "subject": "0000000000",
            "action": "issued",
            "at": rows[i].at + timedelta(microseconds=1),
            "details": (("n", "forged"),),
        }[field]
        rows[i] = evolve(rows[i], **{field: value})
        if data.draw(st.booleans(), label="rehash the rest without the secret"):
            rows = rows[:i] + rehash_unkeyed(rows)[i:]
    elif kind == "drop":
        del rows[i]
    elif kind == "swap":
        rows[i], rows[i + 1] = rows[i + 1], rows[i]
    elif kind == "truncate":
        rows = rows[: i + 1]
    else:
        rows.insert(i + 1, rows[i])
    report = verify_audit_chain(
        rows,
        secrets=SECRETS,
        expected_head=checkpoint.head,
        expected_sequence=checkpoint.sequence,
    )
    assert not report.ok
    if kind != "duplicate":  # a store's primary key keeps a sequence from repeating
        assert not check(rows, checkpoint).ok


def test_rotation_keeps_old_events_verifying() -> None:
    log = ListLog(chain(3))
    for i in range(3):
        append_event(log, secrets=ROTATED, at=NOW, actor="a", action="issued", subject=str(i))
    assert [e.key_id for e in log.rows] == ["a1"] * 3 + ["a2"] * 3
    assert verify_audit_log(log, secrets=ROTATED).ok
    # A provider that no longer holds the old secret names the first event it cannot check.
    retired = StaticSecretProvider(
        {"a2": b"b" * 32},
        {"e1": b"e" * 32},
        current_hmac_key_id="a2",
        current_encryption_key_id="e1",
    )
    report = verify_audit_log(log, secrets=retired)
    assert (report.broken_sequence, report.problem) == (1, AuditProblem.UNKNOWN_KEY)
    # An unkeyed event (the old format, or a forgery without a key id) is named too.
    report = verify_audit_chain([evolve(GOOD[0], key_id=None)], secrets=SECRETS)
    assert report.problem is AuditProblem.UNKEYED


def test_checkpoint_file_round_trip_and_forgery() -> None:
    data = CHECKPOINT.to_json()
    again = AuditCheckpoint.from_json(data)
    assert again == CHECKPOINT
    again.verify(TRUSTED)
    moved = json.loads(data)
    moved["sequence"] = 7
    forged = AuditCheckpoint.from_json(json.dumps(moved, sort_keys=True, separators=(",", ":")))
    with pytest.raises(VerificationError):
        forged.verify(TRUSTED)
    with pytest.raises(VerificationError):
        check(GOOD, forged)
    with pytest.raises(VerificationError):
        CHECKPOINT.verify(SigningKeyRing.generate("audit-test").trusted_keys())
    for bad in (b"", b"[]", b"{}", data.replace(b'"sequence":10', b'"sequence":true'), b"x" * 5000):
        with pytest.raises(InvalidInputError):
            AuditCheckpoint.from_json(bad)
    assert sign_checkpoint(None, RING, at=NOW).sequence == 0
    assert verify_audit_log(
        ListLog(), secrets=SECRETS, checkpoint=sign_checkpoint(None, RING, at=NOW), trusted=TRUSTED
    ).ok


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb", "\x00", "tab\there"])
def test_a_lone_surrogate_or_control_character_is_refused_at_write(text: str) -> None:
    with pytest.raises(InvalidInputError):
        record_event(
            None,
            secrets=SECRETS,
            at=NOW,
            actor="a",
            action="issued",
            subject="s",
            details={"k": text},
        )
    with pytest.raises(InvalidInputError):
        record_event(
            None,
            secrets=SECRETS,
            at=NOW,
            actor="a",
            action="issued",
            subject="s",
            details={text: "v"},
        )


def test_a_bad_stored_row_is_reported_not_raised(tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    from surety_core.storage.sql import sqlite_store

    path = tmp_path / "audit.db"
    store = sqlite_store(path)
    for i in range(5):
        with store.unit_of_work() as uow:
            append_event(uow.audit, secrets=SECRETS, at=NOW, actor="a", action="x", subject=str(i))
    with store.unit_of_work() as uow:
        assert verify_audit_log(uow.audit, secrets=SECRETS, page_size=2).ok
    # Someone writes a lone surrogate (as a JSON escape) into row 3, then garbage into row 4.
    db = sqlite3.connect(path)
    (document,) = db.execute("SELECT document FROM surety_audit WHERE sequence = 3").fetchone()
    db.execute(
        "UPDATE surety_audit SET document = ? WHERE sequence = 3",
        (document.replace('"subject":"2"', '"subject":"\\ud800"'),),
    )
    db.execute("UPDATE surety_audit SET document = 'not json' WHERE sequence = 4")
    db.commit()
    db.close()
    store = sqlite_store(path)
    with store.unit_of_work() as uow:
        report = verify_audit_log(uow.audit, secrets=SECRETS, page_size=2)
    assert not report.ok
    assert report.problem is AuditProblem.UNREADABLE
    assert report.broken_index == 2
    assert report.checked == 2


_ANY_TEXT = st.text(st.characters(codec=None), max_size=40)


@given(
    key_id=_ANY_TEXT,
    sequence=st.integers(min_value=1, max_value=2**70),
    actor=_ANY_TEXT,
    action=_ANY_TEXT,
    subject=_ANY_TEXT,
    details=st.lists(st.tuples(_ANY_TEXT, _ANY_TEXT), max_size=4),
    previous=st.binary(min_size=32, max_size=32),
)
@example(  # DEL: json.dumps escapes it, orjson does not
    key_id="h1",
    sequence=1,
    actor="obligee",
    action="verify_succeeded",
    subject="\x7f",
    details=[("note", "\x1f\n")],
    previous=bytes(32),
)
@settings(max_examples=300, deadline=None)
def test_the_canonical_encoding_is_the_standard_librarys_byte_for_byte(
    key_id: str,
    sequence: int,
    actor: str,
    action: str,
    subject: str,
    details: list[tuple[str, str]],
    previous: bytes,
) -> None:
    """The fast encoder writes exactly ``json.dumps(ensure_ascii=True)``: any text, lone
    surrogates, control characters and integers beyond 64 bits included, so that every hash
    already in a chain still verifies."""
    import hmac as hmac_module

    from surety_core.audit._chain import _CONTEXT, _canonical

    at = datetime(2026, 4, 1, 9, 30, 15, 123456, tzinfo=UTC)
    fields: dict[str, Any] = {
        "key_id": key_id,
        "sequence": sequence,
        "at": at,
        "actor": actor,
        "action": action,
        "subject": subject,
        "details": details,
        "previous_hash": previous,
    }
    expected = json.dumps(
        [
            _CONTEXT,
            key_id,
            sequence,
            at.isoformat(timespec="microseconds"),
            actor,
            action,
            subject,
            [list(pair) for pair in details],
            previous.hex(),
        ],
        ensure_ascii=True,
        separators=(",", ":"),
    ).encode("ascii")
    assert _canonical(**fields) == expected
    secret = hashlib.sha256(key_id.encode("utf-8", "surrogatepass")).digest()
    assert event_hash(secret=secret, **fields) == hmac_module.digest(secret, expected, "sha256")
