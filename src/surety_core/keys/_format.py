"""Authentication keys (認証キー): generation, human format, tolerant parsing (private).

The format: 20 characters from a 31-character alphabet without ``0 O 1 I L``, shown as five
groups of four (``XXXX-XXXX-XXXX-XXXX-XXXX``). The first 19 are random (19 × log2 31 ≈ 94.1
bits); the last is a check character chosen so that ``sum((i + 1) * value(c_i)) ≡ 0 (mod 31)``
over all 20 positions. Because 31 is prime and the weights 1..20 are distinct and non-zero
modulo 31, the check catches every single-character substitution (the sum changes by
``w_i * (a - b)``, a product of non-zero residues) and every transposition of any two positions,
adjacent or not (the sum changes by ``(w_i - w_j) * (a - b)``).
"""

from __future__ import annotations

import hmac
import operator
import re
import secrets
import unicodedata
from typing import NoReturn, SupportsIndex

from surety_core import _validation as v
from surety_core._errors import InvalidInputError, KeyFormatError

__all__ = [
    "ALPHABET",
    "ENTROPY_BITS",
    "GROUP_SIZE",
    "KEY_LENGTH",
    "AuthKey",
    "check_character",
    "contains_key_like",
    "generate_key",
    "is_well_formed",
    "key_bytes",
    "normalize_key_text",
    "parse_key",
    "parse_key_quietly",
]

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""The 31 key characters: digits 2-9 and A-Z without I, L and O (31 is prime)."""

KEY_LENGTH = 20
"""Characters in a key, check character included."""

GROUP_SIZE = 4
"""Characters per printed group."""

_PRIME = len(ALPHABET)
_RANDOM_LENGTH = KEY_LENGTH - 1
_VALUES = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = tuple(range(1, KEY_LENGTH + 1))
_VALUE_SET = frozenset(_VALUES)
_MAX_INPUT = 256

ENTROPY_BITS = _RANDOM_LENGTH * 4.954196310386876  # log2(31)
"""Bits of entropy of a generated key (≈ 94.1)."""

# Every separator a person may type between groups: the one table shared with contract numbers
# (:data:`surety_core._validation.SEPARATORS`) and white space of any kind.
_ASCII_DROP = {i: None for i in range(128) if chr(i).isspace() or chr(i) in v.SEPARATORS}

_KEY_LIKE = re.compile(
    rf"(?<![0-9A-Z])[{ALPHABET}]{{4}}(?:[\s\-]*[{ALPHABET}]{{4}}){{4}}(?![0-9A-Z])"
)


def _step(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).upper()
    text = unicodedata.normalize("NFKC", text)
    return v.drop_separators(text)


def normalize_key_text(text: str) -> str:
    """The compact, canonical form of typed key text (idempotent).

    NFKC (full-width letters and digits from Japanese input methods become ASCII), upper case,
    and every white space and dash removed. Does not check the result; see :func:`parse_key`.
    Raises :class:`~surety_core.KeyFormatError` for non-text or absurdly long input.
    """
    if not isinstance(text, str):
        raise KeyFormatError("key", f"must be text, not {type(text).__name__}")
    if len(text) > _MAX_INPUT:
        raise KeyFormatError("key", f"is too long (more than {_MAX_INPUT} characters)")
    if text.isascii():
        # Printable ASCII is already NFKC; one pass reaches the fixed point.
        return text.upper().translate(_ASCII_DROP)
    current = text
    for _ in range(8):
        following = _step(current)
        if following == current:
            return current
        current = following
    return current  # pragma: no cover - no input seen needs more than three rounds


def check_character(body: str) -> str:
    """The check character for the 19 leading characters ``body`` (all from :data:`ALPHABET`)."""
    if len(body) != _RANDOM_LENGTH or any(c not in _VALUES for c in body):
        raise InvalidInputError("body", f"must be {_RANDOM_LENGTH} characters of the alphabet")
    total = sum(w * _VALUES[c] for w, c in zip(_WEIGHTS, body, strict=False))
    # Solve total + w_last * x ≡ 0 (mod p) for x.
    inverse = pow(_WEIGHTS[-1], -1, _PRIME)
    return ALPHABET[(-total * inverse) % _PRIME]


def _checksum_ok(compact: str) -> bool:
    """``compact``: KEY_LENGTH characters of the alphabet (both checked by every caller)."""
    total: int = sum(map(operator.mul, _WEIGHTS, map(_VALUES.__getitem__, compact)))
    return total % _PRIME == 0


def is_well_formed(compact: str) -> bool:
    """True when ``compact`` (already normalised) has the right length, alphabet and check."""
    return (
        len(compact) == KEY_LENGTH and all(c in _VALUES for c in compact) and _checksum_ok(compact)
    )


def _group(compact: str) -> str:
    return "-".join(compact[i : i + GROUP_SIZE] for i in range(0, len(compact), GROUP_SIZE))


_MASK = _group("*" * KEY_LENGTH)


class AuthKey:
    """An authentication key (認証キー). Holds the secret; never shows it.

    ``repr``, ``str`` and formatting give a masked form; :meth:`reveal` is the only way to the
    value (used by the key notice). Keys compare in constant time, are not hashable, and refuse
    pickling and the library's JSON converter. Build one with :func:`generate_key` or
    :func:`parse_key`.
    """

    #: Marks a type whose values the JSON converter refuses (see ``surety_core._serialization``).
    __surety_secret__ = True

    __slots__ = ("_compact",)
    _compact: str

    def __init__(self, compact: str) -> None:
        if not isinstance(compact, str) or not is_well_formed(compact):
            raise KeyFormatError("key", "is not a well-formed authentication key")
        object.__setattr__(self, "_compact", compact)

    def reveal(self) -> str:
        """The key as printed on the notice: ``XXXX-XXXX-XXXX-XXXX-XXXX``. Handle with care."""
        return _group(self._compact)

    def __repr__(self) -> str:
        return f"AuthKey('{_MASK}')"

    def __str__(self) -> str:
        return _MASK

    def __format__(self, format_spec: str) -> str:
        return format(_MASK, format_spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AuthKey):
            return NotImplemented
        return hmac.compare_digest(self._compact.encode(), other._compact.encode())

    __hash__ = None  # type: ignore[assignment]

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("AuthKey is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("AuthKey is immutable")

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        raise InvalidInputError(None, "an AuthKey cannot be pickled or copied out of process")

    def __copy__(self) -> AuthKey:
        return self

    def __deepcopy__(self, memo: object) -> AuthKey:
        return self

    def __getstate__(self) -> NoReturn:
        raise InvalidInputError(None, "an AuthKey cannot be pickled or copied out of process")


def key_bytes(key: AuthKey) -> bytes:
    """The compact key as ASCII bytes, for hashing and sealing (library use only)."""
    if not isinstance(key, AuthKey):
        raise InvalidInputError("key", f"must be an AuthKey, not {type(key).__name__}")
    return key._compact.encode("ascii")


def generate_key() -> AuthKey:
    """A new random key from the OS CSPRNG (:mod:`secrets`): ≈ 94.1 bits of entropy."""
    value = secrets.randbelow(_PRIME**_RANDOM_LENGTH)
    chars = []
    for _ in range(_RANDOM_LENGTH):
        value, digit = divmod(value, _PRIME)
        chars.append(ALPHABET[digit])
    body = "".join(chars)
    return AuthKey(body + check_character(body))


def parse_key(text: str | AuthKey) -> AuthKey:
    """Parse typed key text into an :class:`AuthKey`.

    Tolerates full-width characters, lower case, spaces (also U+3000) and any dash between or
    inside groups. Raises :class:`~surety_core.KeyFormatError` for a typo: wrong length, a
    character outside the alphabet, or a failed check character. The message never repeats the
    key. An :class:`AuthKey` is returned unchanged.
    """
    if isinstance(text, AuthKey):
        return text
    if isinstance(text, str) and text.strip() in (_MASK, f"AuthKey('{_MASK}')"):
        raise KeyFormatError(
            "key",
            "this is the masked form of a key (str(key) never shows it); pass the AuthKey "
            "itself, or key.reveal() where the real text is needed",
        )
    compact = normalize_key_text(text)
    if len(compact) != KEY_LENGTH:
        raise KeyFormatError(
            "key", f"must have {KEY_LENGTH} characters (found {len(compact)}); check for a typo"
        )
    bad = (
        []
        if _VALUE_SET.issuperset(compact)
        else [i + 1 for i, c in enumerate(compact) if c not in _VALUES]
    )
    if bad:
        positions = ", ".join(str(i) for i in bad[:5])
        raise KeyFormatError(
            "key",
            f"character(s) at position(s) {positions} cannot occur in a key "
            "(keys never use 0, O, 1, I or L); check for a typo",
        )
    if not _checksum_ok(compact):
        raise KeyFormatError("key", "the check character does not match; check for a typo")
    key = object.__new__(AuthKey)  # checked just above: not twice
    object.__setattr__(key, "_compact", compact)
    return key


def parse_key_quietly(text: str | AuthKey) -> AuthKey | KeyFormatError:
    """:func:`parse_key`, returning (not raising) a fresh :class:`~surety_core.KeyFormatError`
    with no traceback, so that the caller can drop the typed text from its frame (``del``)
    before raising: a crash report with frame locals then shows no key, not even a mistyped
    one. Library boundaries use it::

        parsed = parse_key_quietly(key)
        del key
        if isinstance(parsed, KeyFormatError):
            raise parsed
    """
    try:
        return parse_key(text)
    except KeyFormatError as exc:
        return KeyFormatError(exc.field, exc.reason)


def contains_key_like(text: str) -> bool:
    """True when ``text`` holds something that parses as a well-formed key.

    Looks for 20 key characters, grouped by four with optional spaces or dashes, standing
    alone, whose check character matches. Used to refuse keys in audit details.
    """
    if len(text) < KEY_LENGTH and text.isascii():
        return False  # a key needs 20 key characters, and NFKC leaves ASCII as it is
    folded = unicodedata.normalize("NFKC", text).upper()
    folded = "".join("-" if c in v.SEPARATORS else c for c in folded)
    for match in _KEY_LIKE.finditer(folded):
        compact = "".join(c for c in match.group(0) if c in _VALUES)
        if is_well_formed(compact):
            return True
    return False
