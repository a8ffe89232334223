"""The fast JSON writer writes exactly the standard library's bytes, and the direct decoder
reads exactly what the cattrs converter reads."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from surety_core import (
    Application,
    GuaranteeContract,
    InvalidInputError,
    Principal,
    Works,
    _serialization,
    structure,
    to_json,
    unstructure,
)
from surety_core._serialization import dumps_compact, loads, to_json_data
from surety_core.storage import AuditEvent, CertificateRecord, KeyRecord
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


def _nested(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=4) | st.dictionaries(
        st.text(st.characters(codec=None), max_size=8), inner, max_size=4
    )


JSONISH = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.text(st.characters(codec=None), max_size=40),
    _nested,
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


# --- the direct decoder reads exactly what the converter reads ---------------------------------

RECORD_TYPES = (GuaranteeContract, Application, Principal, Works)


def converter_result(data: Any, cls: type[Any]) -> Any:
    """What the cattrs converter alone makes of ``data``: the object, or the error text."""
    try:
        return _serialization.converter.structure(data, cls)
    except Exception as exc:
        return ("error", type(exc).__name__)


def damaged(data: Any, draw: Callable[[st.SearchStrategy[Any]], Any]) -> Any:
    """``data`` with one value somewhere replaced by junk, a key dropped or a key added."""
    if isinstance(data, dict) and data:
        key = draw(st.sampled_from(sorted(data)))
        action = draw(st.sampled_from(["junk", "drop", "add", "deeper"]))
        copy = dict(data)
        if action == "drop":
            del copy[key]
        elif action == "add":
            copy[draw(st.text(max_size=5))] = 1
        elif action == "deeper" and isinstance(data[key], dict | list):
            copy[key] = damaged(data[key], draw)
        else:
            copy[key] = draw(JUNK_VALUES)
        return copy
    if isinstance(data, list) and data:
        index = draw(st.integers(0, len(data) - 1))
        copy_list = list(data)
        copy_list[index] = damaged(data[index], draw) if draw(st.booleans()) else None
        return copy_list
    return draw(JUNK_VALUES)


JUNK_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["2025-01-01", "2025-01-01T00:00:00+09:00", "1/2", "AAAA", "electronic"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@given(st.data())
def test_the_direct_decoder_agrees_with_the_converter(data: st.DataObject) -> None:
    record = data.draw(
        st.one_of(s.guarantee_contracts(), s.applications(), s.principals(), s.works())
    )
    cls = type(record)
    plain = unstructure(record)
    assert structure(plain, cls) == record
    broken = damaged(plain, data.draw)
    expected = converter_result(broken, cls)
    try:
        got: Any = structure(broken, cls)
    except InvalidInputError:
        assert isinstance(expected, tuple), "the direct decoder refused what cattrs reads"
    else:
        assert got == expected
        assert type(got) is type(expected)


def test_the_hot_records_have_a_direct_decoder() -> None:
    for cls in (*RECORD_TYPES, KeyRecord, CertificateRecord, AuditEvent):
        assert _serialization._decoder(cls) is not None, cls
