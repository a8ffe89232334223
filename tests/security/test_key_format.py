"""The key format: alphabet, entropy, check character, tolerant parsing, typo catalogue."""

from __future__ import annotations

import math
import string
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surety_core import KeyFormatError
from surety_core.keys import (
    ALPHABET,
    ENTROPY_BITS,
    KEY_LENGTH,
    AuthKey,
    check_character,
    generate_key,
    normalize_key_text,
    parse_key,
)
from surety_core.keys._format import is_well_formed


def compact_keys() -> st.SearchStrategy[str]:
    return st.text(alphabet=ALPHABET, min_size=19, max_size=19).map(
        lambda body: body + check_character(body)
    )


SAMPLE = "23456789ABCDEFGHJKM"
SAMPLE_KEY = SAMPLE + check_character(SAMPLE)


def test_alphabet_is_unambiguous_and_prime_sized() -> None:
    assert len(ALPHABET) == 31
    assert all(31 % d for d in range(2, 31))
    assert len(set(ALPHABET)) == 31
    assert not set(ALPHABET) & set("01OIL")
    assert set(ALPHABET) <= set(string.ascii_uppercase + string.digits)


def test_entropy_is_at_least_80_bits() -> None:
    assert math.isclose(ENTROPY_BITS, 19 * math.log2(31))
    assert ENTROPY_BITS >= 80


def test_generated_keys_are_well_formed_and_distinct() -> None:
    keys = [generate_key().reveal() for _ in range(2000)]
    assert len(set(keys)) == len(keys)
    for text in keys:
        assert len(text) == 24
        assert [len(g) for g in text.split("-")] == [4, 4, 4, 4, 4]
        assert is_well_formed(text.replace("-", ""))


def test_generated_characters_are_roughly_uniform() -> None:
    counts = dict.fromkeys(ALPHABET, 0)
    for _ in range(1000):
        for c in generate_key().reveal().replace("-", "")[:19]:
            counts[c] += 1
    expected = 19_000 / 31
    # A loose bound (over 6 standard deviations): fails only for a broken generator.
    assert all(abs(n - expected) < 150 for n in counts.values())


def _all_substitutions(compact: str) -> list[str]:
    return [
        compact[:i] + c + compact[i + 1 :]
        for i in range(KEY_LENGTH)
        for c in ALPHABET
        if c != compact[i]
    ]


def _all_transpositions(compact: str) -> list[str]:
    out = []
    for i in range(KEY_LENGTH):
        for j in range(i + 1, KEY_LENGTH):
            if compact[i] != compact[j]:
                chars = list(compact)
                chars[i], chars[j] = chars[j], chars[i]
                out.append("".join(chars))
    return out


@pytest.mark.parametrize("seed", range(20))
def test_every_substitution_and_transposition_is_caught_exhaustively(seed: int) -> None:
    compact = SAMPLE_KEY if seed == 0 else generate_key().reveal().replace("-", "")
    substitutions = _all_substitutions(compact)
    assert len(substitutions) == KEY_LENGTH * 30
    for typo in substitutions:
        assert not is_well_formed(typo)
        with pytest.raises(KeyFormatError):
            parse_key(typo)
    transpositions = _all_transpositions(compact)
    adjacent = [t for t in transpositions if _adjacent_swap(compact, t)]
    assert adjacent  # the sample keys have adjacent distinct characters
    for typo in transpositions:
        assert not is_well_formed(typo)


def _adjacent_swap(a: str, b: str) -> bool:
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1


def test_every_substitution_of_every_check_value_exhaustively() -> None:
    # Over all 31 values of every position of a body, the check catches all substitutions:
    # the weighted sum changes by w_i * (a - b), never 0 modulo 31.
    for position in range(KEY_LENGTH):
        for a in range(31):
            for b in range(31):
                if a != b:
                    assert ((position + 1) * (a - b)) % 31 != 0
    for i in range(KEY_LENGTH - 1):
        assert (i + 1 - (i + 2)) % 31 != 0


@given(compact_keys(), st.integers(0, KEY_LENGTH - 1), st.sampled_from(ALPHABET))
def test_any_single_substitution_fails_the_check(compact: str, i: int, c: str) -> None:
    typo = compact[:i] + c + compact[i + 1 :]
    if typo == compact:
        parse_key(typo)
        return
    with pytest.raises(KeyFormatError, match="check character"):
        parse_key(typo)


@given(compact_keys(), st.integers(0, KEY_LENGTH - 2))
def test_any_adjacent_transposition_fails_the_check(compact: str, i: int) -> None:
    typo = compact[:i] + compact[i + 1] + compact[i] + compact[i + 2 :]
    if typo == compact:
        return
    with pytest.raises(KeyFormatError):
        parse_key(typo)


@given(compact_keys())
def test_well_formed_keys_round_trip_through_the_printed_form(compact: str) -> None:
    key = parse_key(compact)
    assert key.reveal().replace("-", "") == compact
    assert parse_key(key.reveal()) == key


FULLWIDTH = str.maketrans(
    {c: chr(ord(c) + 0xFEE0) for c in string.ascii_uppercase + string.digits + "-"}
)


@given(
    compact_keys(),
    st.lists(
        st.sampled_from(
            [
                "-",
                " ",
                "\u3000",
                "\u2010",
                "\u2011",
                "\u2012",
                "\u2013",
                "\u2014",
                "\u2015",
                "\u2212",
                "\u30fc",
                "\uff0d",
                "\uff70",
                "\t",
                "",
            ]
        ),
        min_size=4,
        max_size=4,
    ),
    st.booleans(),
    st.booleans(),
)
def test_tolerant_input(compact: str, separators: list[str], lower: bool, wide: bool) -> None:
    groups = [compact[i : i + 4] for i in range(0, 20, 4)]
    text = groups[0] + "".join(sep + g for sep, g in zip(separators, groups[1:], strict=True))
    if lower:
        text = text.lower()
    if wide:
        text = text.upper().translate(FULLWIDTH)
    text = f"  \u3000{text}\n "
    assert parse_key(text).reveal().replace("-", "") == compact


def test_mixed_width_and_case_example() -> None:
    text = " ２３４５－６７８９ーabcd－EFGH\u3000jkm" + SAMPLE_KEY[-1].lower() + "  "
    assert normalize_key_text(text) == SAMPLE_KEY
    assert parse_key(text).reveal() == "2345-6789-ABCD-EFGH-JKM" + SAMPLE_KEY[-1]


@given(st.text(max_size=60))
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalize_key_text(text)
    assert normalize_key_text(once) == once


@given(compact_keys())
def test_normalisation_is_idempotent_on_printed_keys(compact: str) -> None:
    printed = parse_key(compact).reveal()
    once = normalize_key_text(printed.lower().translate(FULLWIDTH))
    assert once == compact
    assert normalize_key_text(once) == once


# The typo catalogue: what people really do when they copy a key from paper.
TYPOS = {
    "one group missing": SAMPLE_KEY[:16],
    "one character missing": SAMPLE_KEY[:-1],
    "one character doubled": SAMPLE_KEY[:5] + SAMPLE_KEY[4:],
    "zero for O": SAMPLE_KEY[:3] + "0" + SAMPLE_KEY[4:],
    "letter O": SAMPLE_KEY[:3] + "O" + SAMPLE_KEY[4:],
    "one for I": SAMPLE_KEY[:3] + "1" + SAMPLE_KEY[4:],
    "letter I": SAMPLE_KEY[:3] + "I" + SAMPLE_KEY[4:],
    "letter L": SAMPLE_KEY[:3] + "L" + SAMPLE_KEY[4:],
    "punctuation": SAMPLE_KEY[:3] + "." + SAMPLE_KEY[4:],
    "kana": SAMPLE_KEY[:3] + "ア" + SAMPLE_KEY[4:],
    "S for 5": SAMPLE_KEY[:3] + "S" + SAMPLE_KEY[4:],
    "Z for 2": "Z" + SAMPLE_KEY[1:],
    "swapped neighbours": SAMPLE_KEY[:6] + SAMPLE_KEY[7] + SAMPLE_KEY[6] + SAMPLE_KEY[8:],
    "swapped across a dash": SAMPLE_KEY[:3] + SAMPLE_KEY[4] + SAMPLE_KEY[3] + SAMPLE_KEY[5:],
    "one group typed twice": SAMPLE_KEY[:8] + SAMPLE_KEY[4:8] + SAMPLE_KEY[12:],
    "empty": "",
    "only dashes": "----",
    "far too long": SAMPLE_KEY * 20,
}


@pytest.mark.parametrize("name", sorted(TYPOS))
def test_typo_catalogue(name: str) -> None:
    text = TYPOS[name]
    with pytest.raises(KeyFormatError) as info:
        parse_key(text)
    message = str(info.value)
    assert info.value.field == "key"
    if len(normalize_key_text(text[:256])) >= 4:
        for i in range(len(SAMPLE_KEY) - 3):
            assert SAMPLE_KEY[i : i + 4] not in message
    assert "typo" in message or "long" in message


def test_non_text_is_a_key_format_error() -> None:
    with pytest.raises(KeyFormatError):
        parse_key(12345)  # type: ignore[arg-type]
    with pytest.raises(KeyFormatError):
        AuthKey("not a key")


def test_check_character_refuses_bad_bodies() -> None:
    from surety_core import InvalidInputError

    with pytest.raises(InvalidInputError):
        check_character("0" * 19)
    with pytest.raises(InvalidInputError):
        check_character("A" * 18)


def test_documented_example_key_is_valid() -> None:
    assert parse_key("7QXM-4HVA-Z2CN-9KRT-EW3A").reveal() == "7QXM-4HVA-Z2CN-9KRT-EW3A"
    with pytest.raises(KeyFormatError):
        parse_key("7QXM-4HVA-Z2CN-9KRT-EW3B")


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_ascii_fast_path_agrees_with_the_general_normalisation(text: str) -> None:
    from surety_core.keys._format import _step

    general = text
    for _ in range(8):
        general = _step(general)
    assert normalize_key_text(text) == general


@given(st.text(max_size=300))
def test_parse_key_raises_only_key_format_errors(text: str) -> None:
    try:
        key = parse_key(text)
    except KeyFormatError as error:
        field = error.field
    else:
        field = None
        assert is_well_formed(normalize_key_text(text))
        assert key.reveal().replace("-", "") == normalize_key_text(text)
    assert field in (None, "key")


@pytest.mark.parametrize("masked", [lambda k: str(k), lambda k: repr(k), lambda k: f"{k}"])
def test_the_masked_form_of_a_key_points_to_reveal(masked: Callable[[AuthKey], str]) -> None:
    key = generate_key()
    with pytest.raises(KeyFormatError, match=r"masked form.*reveal\(\)") as info:
        parse_key(masked(key))
    assert key.reveal() not in str(info.value)
