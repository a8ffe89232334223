"""Plain input types of the documents (private; see :mod:`surety_core.documents`).

Each is a frozen attrs class validated at construction. They hold what is printed, already
decided by the caller (names as text, amounts in whole yen, dates), so the builders do no
look-ups and no I/O.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import InvalidInputError
from surety_core.domain._model import Period

__all__ = [
    "DEFAULT_VIEWING_INSTRUCTIONS",
    "DocumentIdentity",
    "KeyNoticeData",
]

JST = timezone(timedelta(hours=9), "JST")

DEFAULT_VIEWING_INSTRUCTIONS: tuple[str, ...] = (
    "1. 保証会社の電子保証閲覧サービスを開きます。",
    "2. 保証契約番号と認証キーを入力し、電子証書を表示します。",
    "3. 表示された内容が契約の内容と一致することをご確認ください。",
    "画面の印刷物や写しは保証証書の提出になりません。認証キーでご確認ください。",
)
"""How the obligee views the certificate (printed on the key notice unless replaced)."""

_KEY_RE = re.compile(r"^[A-Za-z0-9]+(?:[- ][A-Za-z0-9]+)*$")


def _key_as_printed(instance: object, attribute: Any, value: Any) -> None:
    name = v.field_name(instance, attribute)
    if not isinstance(value, str):
        raise InvalidInputError(name, f"must be text, not {type(value).__name__}")
    if not 4 <= len(value) <= 64 or not _KEY_RE.fullmatch(value):
        # Never echo the key itself.
        raise InvalidInputError(
            name, "must be 4-64 ASCII letters and digits in groups separated by '-' or ' '"
        )


def _lines(max_items: int, max_length: int = 120) -> Any:
    check_text = v.text(max_length)

    def check(instance: object, attribute: Any, value: Any) -> None:
        v.tuple_of(str, max_length=max_items)(instance, attribute, value)
        for item in value:
            check_text(instance, attribute, item)

    return check


def _id_bytes(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, bytes) or len(value) != 16:
        raise InvalidInputError(v.field_name(instance, attribute), "must be exactly 16 bytes")


@frozen
class DocumentIdentity:
    """What makes a PDF file unique: its trailer ``/ID`` and its creation time.

    Given as input so that the same document built twice is byte-for-byte the same.
    """

    document_id: bytes = field(validator=_id_bytes)
    created_at: datetime = field(validator=v.aware)

    @classmethod
    def derive(cls, seed: str, on: date) -> DocumentIdentity:
        """A stable identity: ``/ID`` from SHA-256 of ``seed``, created at 00:00 JST ``on``."""
        if isinstance(on, datetime) or not isinstance(on, date):
            raise InvalidInputError("on", f"must be a date, not {type(on).__name__}")
        digest = hashlib.sha256(seed.encode("utf-8")).digest()[:16]
        return cls(digest, datetime.combine(on, time(0, 0), JST))


@frozen
class KeyNoticeData:
    """Everything printed on 「電子保証にかかる「認証キー」のお知らせ」 for one guarantee.

    ``key`` is the authentication key exactly as it is printed (grouped, e.g. ``"7KQM-3XTA-..."``);
    it is a secret and never appears in ``repr``.
    """

    product_name: str = field(converter=v.strip_text, validator=v.text(40))
    """The product in Japanese (e.g. 前払金保証), so the obligee routes the notice."""
    contract_number: str = field(validator=v.contract_number)
    key: str = field(repr=False, validator=_key_as_printed)
    works_name: str = field(converter=v.strip_text, validator=v.text(120))
    works_number: str = field(converter=v.strip_text, validator=v.text(64))
    obligee_name: str = field(converter=v.strip_text, validator=v.text(60))
    principal_name: str = field(converter=v.strip_text, validator=v.text(60))
    amount: int = field(validator=v.yen)
    period: Period = field(validator=v.instance_of(Period))
    surety_name: str = field(converter=v.strip_text, validator=v.text(60))
    issued_on: date = field(validator=v.a_date)
    viewing_instructions: tuple[str, ...] = field(
        default=DEFAULT_VIEWING_INSTRUCTIONS, converter=v.to_tuple, validator=_lines(8)
    )
