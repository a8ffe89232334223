"""The fast JSON writer writes exactly the standard library's bytes, and the direct decoder
reads exactly what the cattrs converter reads."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import attrs
import pytest
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
from surety_core._serialization import (
    dumps_compact,
    dumps_compact_bytes,
    from_json,
    from_json_trusted,
    loads,
    to_json_data,
)
from surety_core.certificates import _signing, canonical_content, content_from_contract
from surety_core.storage import (
    AttemptState,
    AuditEvent,
    CertificateRecord,
    KeyRecord,
    KeyStatus,
)
from surety_core.testing import samples
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


@given(JSONISH)
def test_the_bytes_writer_writes_the_standard_library_s_utf8(data: Any) -> None:
    """What is signed (a certificate's canonical content): the same bytes as before, or the
    same error for text that has no UTF-8 form (a lone surrogate)."""
    try:
        expected: Any = reference(data).encode()
    except UnicodeEncodeError:
        expected = UnicodeEncodeError
    try:
        got: Any = dumps_compact_bytes(data)
    except UnicodeEncodeError:
        got = UnicodeEncodeError
    assert got == expected


@given(s.guarantee_contracts())
def test_a_certificate_s_signed_content_is_the_standard_library_s_bytes(
    contract: GuaranteeContract,
) -> None:
    content = content_from_contract(contract, issued_at=samples.SAMPLE_NOW, previous_digest=None)
    assert canonical_content(content) == reference(
        {
            "content": _signing._content_data(content),
            "schema": _signing.CERTIFICATE_SCHEMA,
            "schema_version": _signing.CERTIFICATE_SCHEMA_VERSION,
        }
    ).encode("utf-8")


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


# --- the trusted decoder (rows whose MAC verifies) builds exactly what validation builds --------


def _same_when_trusted(record: Any) -> None:
    cls = type(record)
    text = to_json(record)
    trusted = from_json_trusted(text, cls)
    assert trusted == from_json(text, cls) == record
    assert type(trusted) is cls
    assert to_json(trusted) == text  # and writes it back byte for byte


@given(
    st.one_of(
        s.guarantee_contracts(),
        s.applications(),
        s.principals(),
        s.works(),
        s.rate_tables(),
    )
)
def test_the_trusted_decoder_builds_what_the_validating_decoder_builds(record: Any) -> None:
    _same_when_trusted(record)


def test_the_stored_records_decode_the_same_when_trusted() -> None:
    event = samples.audit_event(sequence=1)
    for record in (
        samples.key_record(),
        samples.key_record(status=KeyStatus.REVOKED, revoked_at=event.at),
        samples.certificate_record(),
        samples.statement_record(),
        event,
        samples.audit_event(sequence=2, previous=event),
        samples.outbox_message(),
        samples.attempt_state(),
    ):
        _same_when_trusted(record)


def test_the_trusted_decoder_skips_the_validators_and_falls_back_on_bad_data() -> None:
    contract = samples.guarantee_contract()
    payload = to_json_data(contract)
    payload["data"]["versions"][0]["amount"] = -1  # refused by the validators
    text = json.dumps(payload, ensure_ascii=False)
    with pytest.raises(InvalidInputError):
        from_json(text, GuaranteeContract)
    # authenticated rows are not validated again: what was written is what is read
    assert from_json_trusted(text, GuaranteeContract).versions[0].amount == -1
    # data the trusted decoder cannot read at all goes to the validating decoder's error
    payload["data"]["versions"] = "not a list"
    with pytest.raises(InvalidInputError, match="GuaranteeContract"):
        from_json_trusted(json.dumps(payload), GuaranteeContract)


@given(st.data())
def test_the_trusted_decoder_reads_damaged_data_as_validation_does_when_it_is_valid(
    data: st.DataObject,
) -> None:
    """Whatever the validating decoder accepts (a value replaced, a defaulted field left out,
    as in a row written before the field existed), the trusted decoder builds the same: its
    inline type checks and its two paths (every field present, or some left to their
    defaults) agree with validation on everything validation accepts."""
    record = data.draw(
        st.one_of(s.guarantee_contracts(), s.applications(), s.principals(), s.works())
    )
    cls = type(record)
    broken = damaged(unstructure(record), data.draw)
    try:
        expected = structure(broken, cls)
    except InvalidInputError:
        return
    got = _serialization.structure_trusted(broken, cls)
    assert got == expected
    assert to_json(got) == to_json(expected)  # the same types all the way down


@pytest.mark.parametrize("cls", [GuaranteeContract, Works, KeyRecord, AuditEvent])
def test_a_document_without_its_defaulted_fields_decodes_the_same_when_trusted(
    cls: type[Any],
) -> None:
    makers: dict[type[Any], Callable[[], Any]] = {
        GuaranteeContract: samples.guarantee_contract,
        Works: samples.road_works,
        KeyRecord: samples.key_record,
        AuditEvent: lambda: samples.audit_event(sequence=1),
    }
    record = makers[cls]()
    plain = loads(to_json(record))["data"]
    defaulted = [f.name for f in attrs.fields(cls) if f.default is not attrs.NOTHING]
    assert defaulted
    for name in defaulted:
        plain.pop(name, None)
    expected = structure(plain, cls)
    assert _serialization.structure_trusted(plain, cls) == expected


def test_the_hot_records_have_a_trusted_decoder() -> None:
    for cls in (*RECORD_TYPES, KeyRecord, CertificateRecord, AuditEvent, AttemptState):
        assert _serialization._trusted_decoder(cls) is not None, cls


_EVENT_TEXT = st.text(st.characters(codec=None), max_size=30)


@given(
    sequence=st.integers(min_value=1, max_value=2**62),
    at=st.datetimes(timezones=st.timezones()),
    actor=_EVENT_TEXT,
    action=_EVENT_TEXT,
    subject=_EVENT_TEXT,
    details=st.lists(st.tuples(_EVENT_TEXT, _EVENT_TEXT), max_size=4),
    previous=st.binary(max_size=64),
    digest=st.binary(max_size=64),
    key_id=st.none() | _EVENT_TEXT,
)
def test_an_audit_event_is_written_as_the_converter_writes_it(
    sequence: int,
    at: Any,
    actor: str,
    action: str,
    subject: str,
    details: list[tuple[str, str]],
    previous: bytes,
    digest: bytes,
    key_id: str | None,
) -> None:
    """The audit event's own writer (every audited operation appends one) and the converter
    write the same text; built without validation, so that any field value is compared."""
    event = object.__new__(AuditEvent)
    for name, value in (
        ("sequence", sequence),
        ("at", at),
        ("actor", actor),
        ("action", action),
        ("subject", subject),
        ("details", tuple(details)),
        ("previous_hash", previous),
        ("hash", digest),
        ("key_id", key_id),
    ):
        object.__setattr__(event, name, value)
    assert to_json(event) == reference(
        {
            "type": "AuditEvent",
            "schema_version": _serialization.SCHEMA_VERSION,
            "data": unstructure(event),
        }
    )


@given(
    st.text(st.sampled_from("AQZaz09+/=\n é"), max_size=12)
    | st.binary().map(lambda b: __import__("base64").b64encode(b).decode())
)
def test_bytes_decode_exactly_what_strict_base64_accepts(text: str) -> None:
    import base64
    import binascii

    try:
        expected: bytes | None = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        expected = None
    try:
        found: bytes | None = structure(text, bytes)
    except InvalidInputError:
        found = None
    assert found == expected
