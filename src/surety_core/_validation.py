"""Field validators shared by the model classes (private).

Each raises :class:`~surety_core.InvalidInputError` naming ``Class.field``; none echoes a secret.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum
from fractions import Fraction
from typing import Any

from surety_core._errors import InvalidInputError

MAX_YEN = 10**13 - 1
"""The largest amount accepted anywhere: just under 10 trillion yen."""

MAX_TEXT = 200
"""Default upper bound on text fields, in characters."""

_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_BAD_TEXT = re.compile("[\x00-\x1f\ud800-\udfff]")
"""Control characters and surrogates (refused in text fields)."""
_BAD_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff]")
"""The same, but line feed and tab are allowed."""
_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_CONTRACT_NUMBER_RE = re.compile(r"^[0-9]{10}$")
_CUSTOMER_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,19}$")


SEPARATORS: frozenset[str] = frozenset(
    "-"
    "\u00ad\u02d7\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212"
    "\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u301c\u3030\u30a0\u30fc\ufe58\ufe63\uff0d\uff70"
)
"""The one table of separators a person may type between the groups of an authentication key
or the digits of a guarantee contract number: every dash or dash-like mark a Japanese input
method or a word processor produces (〜 and ー included). White space of any kind (the
ideographic space U+3000 too) is dropped as well; see :func:`drop_separators`."""


def drop_separators(text: str) -> str:
    """``text`` without white space and :data:`SEPARATORS` (used for keys and numbers alike)."""
    return "".join(c for c in text if not c.isspace() and c not in SEPARATORS)


def field_name(instance: object, attribute: Any) -> str:
    return f"{type(instance).__name__}.{attribute.name}"


def require(value: Any, cls: type[Any] | tuple[type[Any], ...], name: str) -> None:
    """Raise :class:`~surety_core.InvalidInputError` naming ``name`` unless ``value`` is a ``cls``.

    The one "is it an X" check: the attrs validator :func:`instance_of` and every argument
    check of the services, the fee functions, the validation and the stores call it.
    """
    if not isinstance(value, cls):
        wanted = cls.__name__ if isinstance(cls, type) else " or ".join(c.__name__ for c in cls)
        raise InvalidInputError(name, f"must be a {wanted}, not {type(value).__name__}")


def is_aware(value: Any) -> bool:
    """True for a ``datetime`` that knows its offset from UTC (``utcoffset()`` is not ``None``).

    The one test of "timezone-aware": a ``tzinfo`` whose ``utcoffset`` returns ``None`` is naive.
    """
    return isinstance(value, datetime) and value.utcoffset() is not None


def require_aware(value: Any, name: str) -> datetime:
    """``value`` when it is a timezone-aware ``datetime`` (:func:`is_aware`); otherwise raise
    :class:`~surety_core.InvalidInputError` naming ``name``."""
    if not isinstance(value, datetime):
        raise InvalidInputError(name, f"must be a datetime, not {type(value).__name__}")
    if not is_aware(value):
        raise InvalidInputError(name, "must be timezone-aware")
    return value


def aware(instance: object, attribute: Any, value: Any) -> None:
    """An attrs validator for a timezone-aware ``datetime`` (:func:`require_aware`)."""
    require_aware(value, field_name(instance, attribute))


def strip_text(value: Any) -> Any:
    """attrs converter: trim surrounding white space (incl. the ideographic space) of strings."""
    if isinstance(value, str):
        return value.strip().strip("\u3000").strip()
    return value


def text(max_length: int = MAX_TEXT, *, multiline: bool = False) -> Any:
    """An attrs validator for trimmed, non-empty text of at most ``max_length`` characters.

    Control characters are refused, except line feeds and tabs when ``multiline``.
    """
    bad = _BAD_MULTILINE if multiline else _BAD_TEXT

    def check(instance: object, attribute: Any, value: Any) -> None:
        if not isinstance(value, str):
            raise InvalidInputError(
                field_name(instance, attribute), f"must be text, not {type(value).__name__}"
            )
        if not value:
            raise InvalidInputError(field_name(instance, attribute), "must not be empty")
        if len(value) > max_length:
            raise InvalidInputError(
                field_name(instance, attribute), f"must be at most {max_length} characters"
            )
        if bad.search(value):
            raise InvalidInputError(
                field_name(instance, attribute), "must not contain control characters or surrogates"
            )

    return check


def yen(instance: object, attribute: Any, value: Any) -> None:
    """An attrs validator for a positive whole-yen amount within :data:`MAX_YEN`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(
            field_name(instance, attribute),
            f"must be a whole number of yen, not {type(value).__name__}",
        )
    if value <= 0:
        raise InvalidInputError(field_name(instance, attribute), "must be positive")
    if value > MAX_YEN:
        raise InvalidInputError(field_name(instance, attribute), f"must be at most {MAX_YEN} yen")


def non_negative_yen(instance: object, attribute: Any, value: Any) -> None:
    """An attrs validator for a whole-yen amount that may be zero."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(
            field_name(instance, attribute),
            f"must be a whole number of yen, not {type(value).__name__}",
        )
    if not 0 <= value <= MAX_YEN:
        raise InvalidInputError(
            field_name(instance, attribute), f"must be between 0 and {MAX_YEN} yen"
        )


def a_date(instance: object, attribute: Any, value: Any) -> None:
    """An attrs validator for a calendar date (a ``datetime`` is refused)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInputError(
            field_name(instance, attribute), f"must be a date, not {type(value).__name__}"
        )


def optional_date(instance: object, attribute: Any, value: Any) -> None:
    if value is not None:
        a_date(instance, attribute, value)


def positive_int(instance: object, attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(
            field_name(instance, attribute), f"must be an integer, not {type(value).__name__}"
        )
    if value <= 0:
        raise InvalidInputError(field_name(instance, attribute), "must be positive")


def share(instance: object, attribute: Any, value: Any) -> None:
    """An attrs validator for a fraction in (0, 1]."""
    if not isinstance(value, Fraction):
        raise InvalidInputError(
            field_name(instance, attribute), f"must be a Fraction, not {type(value).__name__}"
        )
    if not 0 < value <= 1:
        raise InvalidInputError(
            field_name(instance, attribute), "must be greater than 0 and at most 1"
        )


def enum_of(enum_type: type[Enum]) -> Any:
    """An attrs validator: the value is a member of ``enum_type`` (:func:`require`)."""

    def check(instance: object, attribute: Any, value: Any) -> None:
        require(value, enum_type, field_name(instance, attribute))

    return check


def instance_of(cls: type[Any]) -> Any:
    """An attrs validator: the value is a ``cls`` (:func:`require`)."""

    def check(instance: object, attribute: Any, value: Any) -> None:
        require(value, cls, field_name(instance, attribute))

    return check


def code(instance: object, attribute: Any, value: Any) -> None:
    """An attrs validator for an identifier code: 1-32 ASCII letters, digits, ``_ . -``."""
    if not isinstance(value, str):
        raise InvalidInputError(
            field_name(instance, attribute), f"must be text, not {type(value).__name__}"
        )
    if not _CODE_RE.fullmatch(value):
        raise InvalidInputError(
            field_name(instance, attribute), "must be 1-32 ASCII letters, digits, '_', '.' or '-'"
        )


def is_valid_email(value: str) -> bool:
    """True for a syntactically valid, ASCII e-mail address (``local@domain.tld``)."""
    return len(value) <= 254 and _EMAIL_RE.fullmatch(value) is not None


def email(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, str):
        raise InvalidInputError(
            field_name(instance, attribute), f"must be text, not {type(value).__name__}"
        )
    if not is_valid_email(value):
        raise InvalidInputError(field_name(instance, attribute), "is not a valid e-mail address")


def optional_email(instance: object, attribute: Any, value: Any) -> None:
    if value is not None:
        email(instance, attribute, value)


def contract_number(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, str):
        raise InvalidInputError(
            field_name(instance, attribute), f"must be text, not {type(value).__name__}"
        )
    if not _CONTRACT_NUMBER_RE.fullmatch(value):
        raise InvalidInputError(
            field_name(instance, attribute), "must be exactly 10 ASCII digits, like '0000000001'"
        )


def corporate_number_check_digit(base: str) -> int:
    """The check digit of a 12-digit corporate number base (法人番号の検査用数字).

    Q = 9 - (sum(P_n * Q_n for n in 1..12) mod 9), where P_n is the n-th digit counted from
    the right of the base and Q_n is 1 for odd n and 2 for even n.
    """
    if len(base) != 12 or not base.isascii() or not base.isdigit():
        raise InvalidInputError("corporate_number", "base must be 12 ASCII digits")
    total = sum(int(d) * (1 if n % 2 else 2) for n, d in enumerate(reversed(base), start=1))
    return 9 - total % 9


def is_valid_corporate_number(value: str) -> bool:
    """True for a 13-digit corporate number (法人番号) whose first digit is its check digit."""
    if len(value) != 13 or not value.isascii() or not value.isdigit():
        return False
    return int(value[0]) == corporate_number_check_digit(value[1:])


def corporate_number(instance: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, str):
        raise InvalidInputError(
            field_name(instance, attribute), f"must be text, not {type(value).__name__}"
        )
    if len(value) != 13 or not value.isascii() or not value.isdigit():
        raise InvalidInputError(field_name(instance, attribute), "must be exactly 13 ASCII digits")
    if not is_valid_corporate_number(value):
        raise InvalidInputError(
            field_name(instance, attribute), "check digit (the first digit) is wrong"
        )


def is_valid_customer_number(value: str) -> bool:
    """True for a surety-assigned customer number (取引先番号): 1-20 ASCII letters, digits and
    ``-``, starting with a letter or digit, and not 13 digits (a corporate number's shape, so
    the two kinds of principal identifier never collide)."""
    if not _CUSTOMER_NUMBER_RE.fullmatch(value):
        return False
    return not (len(value) == 13 and value.isdigit())


def customer_number(instance: object, attribute: Any, value: Any) -> None:
    name = field_name(instance, attribute)
    if not isinstance(value, str):
        raise InvalidInputError(name, f"must be text, not {type(value).__name__}")
    if not _CUSTOMER_NUMBER_RE.fullmatch(value):
        raise InvalidInputError(name, "must be 1-20 ASCII letters, digits or '-'")
    if not is_valid_customer_number(value):
        raise InvalidInputError(name, "must not be 13 digits (that is a corporate number)")


def is_valid_principal_id(value: str) -> bool:
    """True for a principal identifier: a corporate number or a customer number."""
    return is_valid_corporate_number(value) or is_valid_customer_number(value)


def principal_id(instance: object, attribute: Any, value: Any) -> None:
    """A principal's identifier: a valid corporate number (法人番号) or customer number."""
    name = field_name(instance, attribute)
    if not isinstance(value, str):
        raise InvalidInputError(name, f"must be text, not {type(value).__name__}")
    if len(value) == 13 and value.isascii() and value.isdigit():
        corporate_number(instance, attribute, value)
    elif not is_valid_customer_number(value):
        raise InvalidInputError(
            name,
            "must be a 13-digit corporate number or a customer number (1-20 ASCII"
            " letters, digits or '-')",
        )


def tuple_of(cls: type[Any], *, min_length: int = 0, max_length: int = 1000) -> Any:
    def check(instance: object, attribute: Any, value: Any) -> None:
        name = field_name(instance, attribute)
        if not isinstance(value, tuple):
            raise InvalidInputError(name, f"must be a tuple, not {type(value).__name__}")
        if not min_length <= len(value) <= max_length:
            raise InvalidInputError(name, f"must hold {min_length} to {max_length} items")
        for i, item in enumerate(value):
            if not isinstance(item, cls):
                raise InvalidInputError(
                    f"{name}[{i}]", f"must be a {cls.__name__}, not {type(item).__name__}"
                )

    return check


def to_tuple(value: Any) -> Any:
    """attrs converter: accept any list for a tuple field (other values pass to the validator)."""
    if isinstance(value, list):
        return tuple(value)
    return value


def optional(check: Any) -> Any:
    """Wrap an attrs validator so that ``None`` is also accepted."""

    def inner(instance: object, attribute: Any, value: Any) -> None:
        if value is not None:
            check(instance, attribute, value)

    return inner


def to_frozenset(value: Any) -> Any:
    """attrs converter: accept a set, list or tuple for a frozenset field."""
    if isinstance(value, set | list | tuple):
        return frozenset(value)
    return value
