"""Plain input types of the documents (private; see :mod:`surety_core.documents`).

Each is a frozen attrs class validated at construction. They hold what is printed, already
decided by the caller (names as text, amounts in whole yen, dates), so the builders do no
look-ups and no I/O.
"""

from __future__ import annotations

import hashlib
import re
import string
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from attrs import field, frozen

from surety_core import _validation as v
from surety_core._errors import InvalidInputError
from surety_core._japanese import DateStyle
from surety_core.domain._model import Period, WorksKind

__all__ = [
    "DEFAULT_VIEWING_INSTRUCTIONS",
    "KEY_NOTICE_CHANGEABLE",
    "KEY_NOTICE_TITLE",
    "DocumentIdentity",
    "KeyNoticeData",
    "KeyNoticeProfile",
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


KEY_NOTICE_TITLE = "電子保証にかかる「認証キー」のお知らせ"
"""The default title of the key notice (a surety words it otherwise: :class:`KeyNoticeProfile`)."""

KEY_NOTICE_CHANGEABLE = frozenset(
    {"works_name", "works_number", "obligee_name", "amount", "period"}
)
"""The rows of a key notice that an amendment can change and the notice marks 変更."""

_LEAD_FIELDS = frozenset(
    {"obligee", "honorific", "product", "surety", "number", "version", "service"}
)


def _template(allowed: frozenset[str]) -> Any:
    """A validator for text with ``{name}`` placeholders drawn from ``allowed`` only."""

    def check(instance: object, attribute: Any, value: Any) -> None:
        name = v.field_name(instance, attribute)
        items = value if isinstance(value, tuple) else (value,)
        for item in items:
            try:
                parsed = list(string.Formatter().parse(item))
            except ValueError as exc:
                raise InvalidInputError(name, f"is not a valid template ({exc})") from None
            for _, field_name, spec, conversion in parsed:
                if field_name is None:
                    continue
                if field_name not in allowed or spec or conversion:
                    names = ", ".join(f"{{{n}}}" for n in sorted(allowed))
                    raise InvalidInputError(name, f"may use only the placeholders {names}")

    return check


_URL_RE = re.compile(r"^https?://[!-~]+$")


def _url(instance: object, attribute: Any, value: Any) -> None:
    name = v.field_name(instance, attribute)
    if not isinstance(value, str) or len(value) > 200 or not _URL_RE.fullmatch(value):
        raise InvalidInputError(name, "must be an http(s) address of printable ASCII, at most 200")
    _template(frozenset({"number"}))(instance, attribute, value)


@frozen
class KeyNoticeProfile:
    """How one surety words and lays out its key notices (the defaults are the usual wording).

    * ``title``: the title (default :data:`KEY_NOTICE_TITLE`).
    * ``date_style``: one style for every date on the notice (和暦 by default).
    * ``viewing_url``: the address of the viewing service (閲覧サービス), printed with a QR code
      of it; ``{number}`` in it is replaced by the contract number (never the key). ``None``
      leaves the address and the QR code out.
    * ``service_name``: what the notice calls the viewing service.
    * ``document_number``: the notice's document number (文書番号) with ``{number}``,
      ``{version}`` and ``{generation}`` (the key's); one notice, one number.
    * ``lead`` / ``lead_amended``: the opening sentences for a first notice / for the notice of a
      later version (変更); ``lead_reissued`` is added when the key was re-issued. They may use
      ``{obligee}``, ``{honorific}`` (貴市, 貴町, 貴局… from the obligee's name), ``{product}``,
      ``{surety}``, ``{number}``, ``{version}`` and ``{service}``.
    * ``viewing_instructions``: how to view the certificate; ``footnote``: the line at the foot.
    """

    title: str = field(default=KEY_NOTICE_TITLE, converter=v.strip_text, validator=v.text(40))
    date_style: DateStyle = field(
        default=DateStyle.ERA, converter=DateStyle, validator=v.enum_of(DateStyle)
    )
    viewing_url: str | None = field(default=None, validator=v.optional(_url))
    service_name: str = field(
        default="電子保証閲覧サービス", converter=v.strip_text, validator=v.text(40)
    )
    document_number: str = field(
        default="電保第{number}-{version}-{generation}号",
        converter=v.strip_text,
        validator=[v.text(40), _template(frozenset({"number", "version", "generation"}))],
    )
    lead: tuple[str, ...] = field(
        default=(
            "下記の保証契約について、保証証書に代えて電子証書を発行いたしました。",
            "{honorific}におかれましては、保証契約番号と認証キーにより、{service}で"
            "電子証書の内容をご確認くださいますようお願い申し上げます。",
        ),
        converter=v.to_tuple,
        validator=[v.tuple_of(str, min_length=1, max_length=4), _template(_LEAD_FIELDS)],
    )
    lead_amended: tuple[str, ...] = field(
        default=(
            "下記の保証契約について変更の手続きが完了し、変更後の内容（第{version}版）の"
            "電子証書を発行いたしました。",
            "{honorific}におかれましては、保証契約番号と認証キーにより、{service}で"
            "変更後の内容と変更の履歴をご確認くださいますようお願い申し上げます。",
        ),
        converter=v.to_tuple,
        validator=[v.tuple_of(str, min_length=1, max_length=4), _template(_LEAD_FIELDS)],
    )
    lead_reissued: tuple[str, ...] = field(
        default=("認証キーを再発行いたしました。これまでの認証キーは使用できません。",),
        converter=v.to_tuple,
        validator=[v.tuple_of(str, max_length=2), _template(_LEAD_FIELDS)],
    )
    viewing_instructions: tuple[str, ...] = field(
        default=DEFAULT_VIEWING_INSTRUCTIONS, converter=v.to_tuple, validator=_lines(8)
    )
    footnote: str = field(
        default="この認証キーは、この保証契約の電子証書の閲覧に限り使用します。"
        "大切に保管してください。",
        converter=v.strip_text,
        validator=v.text(120),
    )


def _changed(instance: object, attribute: Any, value: Any) -> None:
    name = v.field_name(instance, attribute)
    if not isinstance(value, frozenset) or not value <= KEY_NOTICE_CHANGEABLE:
        allowed = ", ".join(sorted(KEY_NOTICE_CHANGEABLE))
        raise InvalidInputError(name, f"must be a set of the row names {allowed}")


def _version_on(instance: KeyNoticeData, attribute: Any, value: Any) -> None:
    v.optional_date(instance, attribute, value)
    if instance.version > 1 and value is None:
        raise InvalidInputError("KeyNoticeData.version_on", "is required for a later version")


@frozen
class KeyNoticeData:
    """Everything printed on 「電子保証にかかる「認証キー」のお知らせ」 for one guarantee.

    ``key`` is the authentication key exactly as it is printed (grouped, e.g. ``"7KQM-3XTA-..."``);
    it is a secret and never appears in ``repr``. ``issued_on`` is the notice's own date;
    ``original_issued_on`` the guarantee's issue date (default: ``issued_on``). A later
    ``version`` (an amendment) states the version, its date ``version_on`` and marks the
    ``changed`` rows 変更; a ``key_generation`` above 1 says the key was re-issued. The texts, the
    date style and the viewing address come from ``profile``; the sender block from the
    ``surety_*`` fields (``None`` leaves a line out).
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
    works_kind: WorksKind = field(default=WorksKind.CONSTRUCTION, validator=v.enum_of(WorksKind))
    """Chooses the labels: 工事名 for construction, 業務名 for the services."""
    document_number: str | None = field(default=None, validator=v.optional(v.text(40)))
    surety_branch: str | None = field(default=None, validator=v.optional(v.text(80)))
    surety_address: str | None = field(default=None, validator=v.optional(v.text(200)))
    surety_telephone: str | None = field(default=None, validator=v.optional(v.text(40)))
    version: int = field(default=1, validator=v.positive_int)
    version_on: date | None = field(default=None, validator=_version_on)
    original_issued_on: date | None = field(default=None, validator=v.optional_date)
    changed: frozenset[str] = field(
        default=frozenset(), converter=v.to_frozenset, validator=_changed
    )
    key_generation: int = field(default=1, validator=v.positive_int)
    profile: KeyNoticeProfile = field(
        factory=KeyNoticeProfile, validator=v.instance_of(KeyNoticeProfile)
    )
