"""Japanese display text: labels, amounts, dates and periods (private; pure, no PDF library).

Owns every Japanese word the library shows for a value of the model, once: the status labels
(:data:`STATUS_NAMES`, :func:`status_label`) and the medium labels (:data:`MEDIUM_NAMES`,
:func:`medium_label`), used by the command line, the demo, the web pages and the PDFs. Must not
know: PDFs, terminals or HTML (callers lay the text out), storage, the clock.

* Amounts: ``1,000,000,000円`` (ASCII digits and commas, then 円).
* Western dates: ``2025年4月1日`` (no zero padding).
* Japanese era dates: ``令和7年4月1日``. The first year of an era is written ``元年`` by default
  (``令和元年5月1日``), the usual form on official documents; ``gannen=False`` gives
  ``令和1年5月1日``. Eras: 令和 from 2019-05-01, 平成 from 1989-01-08, 昭和 from 1926-12-25;
  earlier dates are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from surety_core._errors import InvalidInputError
from surety_core._validation import MAX_YEN
from surety_core.domain._model import GuaranteeStatus, Medium, WorksKind

__all__ = [
    "ERAS",
    "MEDIUM_NAMES",
    "STATUS_NAMES",
    "DateStyle",
    "era_year",
    "format_date",
    "format_era_date",
    "format_percent",
    "format_period",
    "format_yen",
    "honorific_for",
    "medium_label",
    "status_label",
    "works_labels",
]

STATUS_NAMES: Mapping[GuaranteeStatus, str] = MappingProxyType(
    {
        GuaranteeStatus.ISSUED: "有効",
        GuaranteeStatus.RELEASED: "解約・返還",
        GuaranteeStatus.CLAIMED: "保証事故",
        GuaranteeStatus.EXPIRED: "期間満了",
        GuaranteeStatus.COMPLETED: "完成・引渡し",
    }
)
"""The one table of status labels (状態), by status. A new status gets its label here (a test
checks that every status has one)."""

MEDIUM_NAMES: Mapping[Medium, str] = MappingProxyType(
    {Medium.ELECTRONIC: "電子", Medium.PAPER: "書面"}
)
"""The one table of medium labels (媒体), by medium."""


def status_label(status: GuaranteeStatus | str, *, english: bool = False) -> str:
    """``有効`` for an issued guarantee; ``有効 (issued)`` with ``english``. A value that is not a
    known status is shown as given."""
    try:
        known = GuaranteeStatus(status)
    except ValueError:
        return str(status)
    name = STATUS_NAMES.get(known)
    if name is None:  # a status added without its label: shown by its value, never a crash
        return known.value
    return f"{name} ({known.value})" if english else name


def medium_label(medium: Medium | str, *, english: bool = False) -> str:
    """``電子`` for electronic; ``電子 (electronic)`` with ``english``. A value that is not a
    known medium is shown as given."""
    try:
        known = Medium(medium)
    except ValueError:
        return str(medium)
    name = MEDIUM_NAMES[known]
    return f"{name} ({known.value})" if english else name


ERAS: tuple[tuple[str, date], ...] = (
    ("令和", date(2019, 5, 1)),
    ("平成", date(1989, 1, 8)),
    ("昭和", date(1926, 12, 25)),
)
"""The supported eras, newest first, with their first day."""


def _check_date(value: Any, field: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInputError(field, f"must be a date, not {type(value).__name__}")
    return value


def format_yen(amount: int) -> str:
    """``1000000000`` → ``"1,000,000,000円"``. Zero is allowed; negatives are refused."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidInputError(
            "amount", f"must be a whole number of yen, not {type(amount).__name__}"
        )
    if not 0 <= amount <= MAX_YEN:
        raise InvalidInputError("amount", f"must be between 0 and {MAX_YEN} yen")
    return f"{amount:,}円"


def format_date(value: date) -> str:
    """``date(2025, 4, 1)`` → ``"2025年4月1日"``."""
    d = _check_date(value, "date")
    return f"{d.year}年{d.month}月{d.day}日"


def era_year(value: date) -> tuple[str, int]:
    """The era name and the year within the era of ``value``: ``("令和", 7)`` for 2025-04-01."""
    d = _check_date(value, "date")
    for name, first_day in ERAS:
        if d >= first_day:
            return name, d.year - first_day.year + 1
    raise InvalidInputError("date", "dates before 1926-12-25 (昭和元年) are not supported")


def format_era_date(value: date, *, gannen: bool = True) -> str:
    """``date(2025, 4, 1)`` → ``"令和7年4月1日"``.

    The first year of an era is ``元年`` unless ``gannen=False`` (then ``令和1年``).
    """
    name, year = era_year(value)
    year_text = "元" if year == 1 and gannen else str(year)
    return f"{name}{year_text}年{value.month}月{value.day}日"


def format_period(start: date, end: date, *, era: bool = False) -> str:
    """``"2025年4月1日から2026年3月31日まで"`` (or in the era form with ``era=True``)."""
    _check_date(start, "start")
    _check_date(end, "end")
    if end < start:
        raise InvalidInputError("end", "must not be before start")
    fmt = format_era_date if era else format_date
    return f"{fmt(start)}から{fmt(end)}まで"


def format_percent(rate: Fraction) -> str:
    """A rate as a percentage: ``Fraction(1, 400)`` → ``"0.25%"``.

    Exact when the percentage has at most 6 decimal places, else rounded to 6 (``"0.333333%"``).
    """
    if not isinstance(rate, Fraction) or not 0 <= rate <= 1:
        raise InvalidInputError("rate", "must be a Fraction between 0 and 1")
    scaled = rate * 100 * 10**6
    micro = round(scaled)
    whole, frac = divmod(micro, 10**6)
    digits = f"{frac:06d}".rstrip("0")
    return f"{whole}.{digits}%" if digits else f"{whole}%"


class DateStyle(StrEnum):
    """How a document writes its dates, chosen by the host: one style for every date on it."""

    ERA = "era"
    """和暦: ``令和7年4月1日`` (the first year of an era as ``元年``); the default."""
    WESTERN = "western"
    """西暦: ``2025年4月1日``."""

    def date_text(self, value: date) -> str:
        """``value`` in this style."""
        return format_era_date(value) if self is DateStyle.ERA else format_date(value)

    def period_text(self, start: date, end: date) -> str:
        """``…から…まで`` in this style."""
        return format_period(start, end, era=self is DateStyle.ERA)


_HONORIFIC_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("事務所", "貴事務所"),
    ("機構", "貴機構"),
    ("公社", "貴公社"),
    ("公団", "貴公団"),
    ("組合", "貴組合"),
    ("会社", "貴社"),
    ("大学", "貴学"),
    ("市", "貴市"),
    ("町", "貴町"),
    ("村", "貴村"),
    ("区", "貴区"),
    ("県", "貴県"),
    ("都", "貴都"),
    ("道", "貴道"),
    ("府", "貴府"),
    ("省", "貴省"),
    ("庁", "貴庁"),
    ("局", "貴局"),
    ("所", "貴所"),
)


def honorific_for(name: str) -> str:
    """How a letter addresses the obligee ``name`` in its text: ``貴市`` for 柏市, ``貴町`` for a
    town, ``貴県``, ``貴局`` for a bureau (…水道局), ``貴機構``, ``貴社`` for a company…; ``貴職``
    (the official in charge) for any other name."""
    text = str(name).strip()
    if text.startswith("株式会社"):
        return "貴社"
    for suffix, honorific in _HONORIFIC_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return honorific
    return "貴職"


def works_labels(kind: WorksKind | str) -> tuple[str, str]:
    """The labels of a works' name and number as documents print them: ``("工事名", "工事番号")``
    for construction, ``("業務名", "業務番号")`` for the services (consulting, design, survey,
    investigation), ``("件名", "契約番号")`` for manufacture (and an unknown kind)."""
    try:
        known = WorksKind(kind)
    except ValueError:
        return "件名", "契約番号"
    if known is WorksKind.CONSTRUCTION:
        return "工事名", "工事番号"
    if known.is_service:
        return "業務名", "業務番号"
    return "件名", "契約番号"
