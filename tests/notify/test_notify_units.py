"""Pure parts of notifications: the Notification value, its outbox form, the rendered e-mail,
safe file names, Message-IDs and the backoff policy. Property-based first."""

from __future__ import annotations

import email
import random
import re
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from surety_core import InvalidInputError, SuretyError
from surety_core.notify import (
    IDEMPOTENCY_HEADER,
    MAX_BODY,
    DispatchReport,
    ExponentialBackoff,
    Notification,
    NotificationError,
    PermanentNotificationError,
    from_outbox,
    message_id_for,
    render_email,
    safe_file_stem,
    to_outbox,
)
from surety_core.storage import OutboxStatus

T0 = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)

# Text as people write it in these messages: Japanese, ASCII, full-width forms, emoji.
_chars = st.characters(
    codec="utf-8",
    exclude_categories=("Cc", "Cs", "Zl", "Zp"),
)
one_line = st.text(_chars, min_size=1, max_size=120).filter(lambda s: s.strip() == s and s)
body_text = (
    st.lists(
        st.text(st.one_of(_chars, st.just("\t"), st.just("\\")), max_size=80),
        min_size=1,
        max_size=8,
    )
    .map("\n".join)
    .filter(lambda s: s.strip() != "")
)
keys = st.text(_chars, min_size=1, max_size=200).filter(lambda s: s.strip() == s and s)
addresses = st.from_regex(r"\A[a-z][a-z0-9._-]{0,20}@[a-z]{1,10}\.(jp|com|lg\.jp)\Z")


@st.composite
def notifications(draw: st.DrawFn) -> Notification:
    return Notification(
        idempotency_key=draw(keys),
        recipient=draw(addresses),
        subject=draw(one_line),
        body=draw(body_text),
    )


# ---------------------------------------------------------------- errors


def test_errors_are_in_the_hierarchy() -> None:
    assert issubclass(NotificationError, SuretyError)
    assert issubclass(PermanentNotificationError, NotificationError)
    assert NotificationError("x").permanent is False
    assert PermanentNotificationError("x", code=550).permanent is True
    assert PermanentNotificationError("x", code=550).code == 550


# ---------------------------------------------------------------- Notification


@given(notifications())
def test_outbox_form_round_trips(n: Notification) -> None:
    record = to_outbox(n, kind="completion_notice", created_at=T0)
    assert record.status is OutboxStatus.PENDING
    assert record.attempts == 0
    assert record.body == n.body
    assert from_outbox(record) == n


def test_outbox_keeps_the_body_as_written() -> None:
    n = Notification(
        idempotency_key="k1", recipient="a@example.jp", subject="件名", body="一行目\n\t二行目 \\n"
    )
    record = to_outbox(n, kind="test", created_at=T0)
    assert record.body == "一行目\n\t二行目 \\n"
    assert from_outbox(record).body == "一行目\n\t二行目 \\n"


def test_longest_body_fits_the_outbox() -> None:
    n = Notification(
        idempotency_key="k", recipient="a@example.jp", subject="s", body="\n" * (MAX_BODY - 1) + "x"
    )
    assert from_outbox(to_outbox(n, kind="test", created_at=T0)) == n


def test_outbox_refuses_what_it_cannot_hold() -> None:
    with pytest.raises(InvalidInputError, match="sender"):
        to_outbox(
            Notification(
                idempotency_key="k",
                recipient="a@example.jp",
                subject="s",
                body="b",
                sender="desk@example.jp",
            ),
            kind="test",
            created_at=T0,
        )
    with pytest.raises(InvalidInputError, match="headers"):
        to_outbox(
            Notification(
                idempotency_key="k",
                recipient="a@example.jp",
                subject="s",
                body="b",
                headers={"X-Case": "1"},
            ),
            kind="test",
            created_at=T0,
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"subject": "two\nlines"}, "subject"),
        ({"subject": ""}, "subject"),
        ({"recipient": "not-an-address"}, "recipient"),
        ({"recipient": "宛先@example.jp"}, "recipient"),
        ({"body": "   \n "}, "body"),
        ({"body": "bell\x07"}, "body"),
        ({"body": "x" * (MAX_BODY + 1)}, "body"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"idempotency_key": "a\r\nBcc: x@evil.example"}, "idempotency_key"),
        ({"sender": "nobody"}, "sender"),
        ({"headers": {"Bcc": "x@evil.example"}}, "headers"),
        ({"headers": {"Content-Type": "text/html"}}, "headers"),
        ({"headers": {"X-Ok": "a\nb"}}, "headers"),
        ({"headers": {"Bad Name": "v"}}, "headers"),
        ({"headers": [("X-A", "1"), ("x-a", "2")]}, "headers"),
        ({"headers": "X-A: 1"}, "headers"),
    ],
)
def test_notification_refuses_bad_input(changes: dict[str, Any], field: str) -> None:
    base: dict[str, Any] = {
        "idempotency_key": "k",
        "recipient": "a@example.jp",
        "subject": "s",
        "body": "b",
    }
    with pytest.raises(InvalidInputError, match=f"Notification.{field}"):
        Notification(**{**base, **changes})


def test_crlf_is_normalised_and_headers_accept_a_mapping() -> None:
    n = Notification(
        idempotency_key="k",
        recipient="a@example.jp",
        subject="s",
        body="a\r\nb",
        headers={"X-Case-Number": "R7-001"},
    )
    assert n.body == "a\nb"
    assert n.headers == (("X-Case-Number", "R7-001"),)


# ---------------------------------------------------------------- rendering


def body_of(message: EmailMessage) -> str:
    """The decoded text body with MIME's canonical CRLF line ends turned back into LF."""
    text = message.get_content()
    assert isinstance(text, str)
    return text.replace("\r\n", "\n")


def _parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@given(notifications(), st.sampled_from(["base64", "auto"]))
def test_rendered_email_decodes_exactly(n: Notification, cte: Any) -> None:
    data = render_email(n, sender="desk@surety.example", date=T0, transfer_encoding=cte).as_bytes()
    if cte == "base64":
        data.decode("ascii")  # 7-bit clean: passes any relay
    parsed = _parse(data)
    assert parsed["Subject"] == n.subject
    # An e-mail body ends with a line end; one is added when the text has none.
    assert body_of(parsed) == n.body + ("" if n.body.endswith("\n") else "\n")
    assert parsed["To"].addresses[0].addr_spec == n.recipient
    assert parsed[IDEMPOTENCY_HEADER] == n.idempotency_key
    assert parsed["Message-ID"] == message_id_for(n.idempotency_key, "surety.example")
    assert parsed.get_content_charset() == "utf-8"


def test_rendered_email_headers() -> None:
    n = Notification(
        idempotency_key="completion_notice:0000000001:v1",
        recipient="keiri@kashiwa-kensetsu.example",
        subject="電子保証発行完了のお知らせ",
        body="本文です。\n",
        headers={"X-Case": "R7-001"},
    )
    msg = render_email(n, sender="desk@surety.example", sender_name="東日本建設業保証", date=T0)
    raw = msg.as_bytes()
    assert b"=?utf-8?" in raw  # RFC 2047 encoded Japanese subject and display name
    parsed = _parse(raw)
    assert parsed["From"].addresses[0].display_name == "東日本建設業保証"
    assert parsed["From"].addresses[0].addr_spec == "desk@surety.example"
    assert parsed["Date"].datetime == T0
    assert parsed["MIME-Version"] == "1.0"
    assert parsed["Content-Transfer-Encoding"] == "base64"
    assert parsed["X-Case"] == "R7-001"
    # The notification's own sender wins over the notifier's default.
    other = render_email(
        Notification(
            idempotency_key="k",
            recipient="a@example.jp",
            subject="s",
            body="b",
            sender="other@desk.example",
        ),
        sender="desk@surety.example",
        date=T0,
    )
    assert other["From"].addresses[0].addr_spec == "other@desk.example"
    assert other["Message-ID"].endswith("@desk.example>")


def test_long_lines_fall_back_to_base64() -> None:
    n = Notification(idempotency_key="k", recipient="a@example.jp", subject="s", body="あ" * 400)
    msg = render_email(n, sender="a@example.jp", date=T0, transfer_encoding="auto")
    assert msg["Content-Transfer-Encoding"] == "base64"  # 1,200 octets > 998
    assert body_of(_parse(msg.as_bytes())) == n.body + "\n"
    short = attrs.evolve(n, body="あ" * 332)
    msg = render_email(short, sender="a@example.jp", date=T0, transfer_encoding="auto")
    assert msg["Content-Transfer-Encoding"] == "8bit"


def test_render_refuses_naive_dates() -> None:
    n = Notification(idempotency_key="k", recipient="a@example.jp", subject="s", body="b")
    with pytest.raises(InvalidInputError, match="date"):
        render_email(n, sender="a@example.jp", date=datetime(2025, 1, 1))
    with pytest.raises(InvalidInputError, match="sender"):
        render_email(n, sender="nobody")


@given(keys, keys)
def test_message_ids_and_file_stems_follow_the_key(a: str, b: str) -> None:
    assert message_id_for(a, "surety.example") == message_id_for(a, "SURETY.example")
    assert re.fullmatch(
        r"<surety\.[0-9a-f]{64}@surety\.example>", message_id_for(a, "surety.example")
    )
    stem = safe_file_stem(a)
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,90}", stem)
    assert not stem.startswith(".")
    assert safe_file_stem(a) == stem
    if a != b:
        assert message_id_for(a, "x.example") != message_id_for(b, "x.example")
        assert safe_file_stem(a) != safe_file_stem(b)


def test_file_stem_is_readable() -> None:
    assert safe_file_stem("completion_notice:0000000001:v1").startswith(
        "completion_notice_0000000001_v1-"
    )
    assert safe_file_stem("../../etc/passwd").startswith("etc_passwd-")
    assert safe_file_stem("完了").startswith("message-")


def test_message_id_refuses_bad_domains() -> None:
    with pytest.raises(InvalidInputError):
        message_id_for("k", "bad domain")
    with pytest.raises(InvalidInputError):
        message_id_for("", "ok.example")


# ---------------------------------------------------------------- backoff


@given(
    base=st.integers(1, 600),
    factor=st.floats(1, 10),
    cap=st.integers(1, 86_400),
    jitter=st.floats(0, 1),
    seed=st.integers(0, 2**32),
    attempts=st.lists(st.integers(1, 60), min_size=1, max_size=20),
)
def test_backoff_is_bounded_and_reproducible(
    base: int, factor: float, cap: int, jitter: float, seed: int, attempts: list[int]
) -> None:
    def policy_(s: int) -> ExponentialBackoff:
        return ExponentialBackoff(
            base=timedelta(seconds=base),
            factor=factor,
            cap=timedelta(seconds=cap),
            jitter=jitter,
            rng=random.Random(s),
        )

    one, two = policy_(seed), policy_(seed)
    delays = [one(n) for n in attempts]
    assert delays == [two(n) for n in attempts]
    for n, delay in zip(attempts, delays, strict=True):
        nominal = one.nominal(n)
        assert nominal <= timedelta(seconds=cap)
        assert nominal == timedelta(seconds=min(cap, base * factor ** (n - 1))) or (
            abs((nominal - timedelta(seconds=min(cap, base * factor ** (n - 1)))).total_seconds())
            < 1e-3
        )
        assert nominal * (1 - jitter) - timedelta(microseconds=1) <= delay <= nominal


@given(st.integers(1, 30))
def test_backoff_grows(n: int) -> None:
    b = ExponentialBackoff(jitter=0)
    assert b(n) <= b(n + 1)
    assert b(1) == timedelta(seconds=30)
    assert b(2) == timedelta(seconds=60)
    assert b(30) == timedelta(hours=1)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"base": timedelta(0)},
        {"cap": 10},
        {"factor": 0.5},
        {"jitter": 1.5},
        {"jitter": True},
    ],
)
def test_backoff_refuses_bad_settings(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError):
        ExponentialBackoff(**kwargs)
    with pytest.raises(InvalidInputError):
        ExponentialBackoff()(0)


def test_reports_add_up() -> None:
    a = DispatchReport(sent=("a",), retrying=("b",))
    b = DispatchReport(sent=("b",), failed=("c",), store_error="down")
    total = a + b
    assert total.sent == ("a", "b")
    assert total.failed == ("c",)
    assert total.attempted == 4
    assert total.store_error == "down"
