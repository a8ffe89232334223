"""The fast JSON writer writes exactly the bytes of the standard library's encoder."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from surety_core import to_json
from surety_core._serialization import dumps_compact, loads, to_json_data
from surety_core.testing import strategies as s


def reference(data: Any) -> str:
    """The encoder the stored documents were always written with."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@given(st.one_of(s.guarantee_contracts(), s.applications(), s.principals(), s.works()))
def test_records_are_written_byte_for_byte_as_before(record: Any) -> None:
    text = to_json(record)
    assert text == reference(to_json_data(record))
    assert text.encode("utf-8") == reference(to_json_data(record)).encode("utf-8")
    assert loads(text) == json.loads(text)


JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.text(st.characters(codec=None), max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(st.characters(codec=None), max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(JSONISH)
def test_any_text_integer_or_nesting_is_written_as_the_standard_library_writes_it(
    data: Any,
) -> None:
    # Control characters, non-ASCII, lone surrogates (the standard library's fallback), keys
    # that sort differently in UTF-16 and UTF-8, integers beyond 64 bits.
    assert dumps_compact(data) == reference(data)


def test_the_fallback_cases_are_reached() -> None:
    assert dumps_compact({"a": "\ud800"}) == reference({"a": "\ud800"})
    assert dumps_compact([2**70]) == "[1180591620717411303424]"
    assert loads("[1180591620717411303424]") == [2**70]
    assert loads('"\\ud800"') == "\ud800"
