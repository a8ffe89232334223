"""One definition of each small rule, and the places that used to keep their own copy agree
with it: the type check, the aware-datetime check, the product-name look-up, the status labels,
the separators of keys and numbers, the next key generation, and version 1 at issuance."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surety_core import (
    ADVANCE_PAYMENT,
    CONTRACT_GUARANTEE,
    Application,
    GuaranteeStatus,
    InvalidInputError,
    Medium,
    Obligee,
    Period,
    Principal,
    ProductRequest,
    Surety,
    Works,
    WorksKind,
    default_products,
)
from surety_core import _validation as v
from surety_core._japanese import MEDIUM_NAMES, STATUS_NAMES, medium_label, status_label
from surety_core.domain._lifecycle import ORIGINAL_REASON, issue
from surety_core.keys import ALPHABET, check_character, parse_key
from surety_core.keys._limiter import next_generation, normalize_contract_number
from surety_core.notify import product_display_name
from surety_core.storage._common import check_aware, check_type
from surety_core.storage._records import KeyRecord, KeyStatus

# -- the type check ----------------------------------------------------------------------


@given(st.one_of(st.integers(), st.text(), st.none(), st.floats(), st.binary()))
def test_one_type_check_everywhere(value: object) -> None:
    """The stores' check is the same function as the validators' and the services'."""
    assert check_type is v.require
    for cls in (int, str, bytes):
        if isinstance(value, cls):
            v.require(value, cls, "x")
        else:
            with pytest.raises(InvalidInputError, match=f"must be a {cls.__name__}, not"):
                v.require(value, cls, "x")


# -- the aware-datetime check ------------------------------------------------------------


class _NoOffset(tzinfo):
    """A tzinfo whose offset is unknown: the datetime is naive although ``tzinfo`` is set."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


@given(
    st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=9)), _NoOffset()]))
)
def test_one_aware_check_everywhere(moment: datetime) -> None:
    """Aware means ``utcoffset() is not None``; a tzinfo without an offset is refused by every
    former copy (records, certificates, the dispatcher, the stores, the JSON form)."""
    aware = moment.utcoffset() is not None
    assert v.is_aware(moment) is aware
    assert check_aware is v.require_aware
    if aware:
        assert v.require_aware(moment, "at") is moment
    else:
        with pytest.raises(InvalidInputError, match="timezone-aware"):
            v.require_aware(moment, "at")
        with pytest.raises(InvalidInputError):
            KeyRecord(
                contract_number="0000000001",
                generation=1,
                hmac_key_id="h1",
                digest=b"d" * 32,
                encryption_key_id="e1",
                ciphertext=b"s" * 40,
                status=KeyStatus.ACTIVE,
                created_at=moment,
            )


# -- the product-name look-up ------------------------------------------------------------


@given(st.one_of(st.sampled_from([p.code for p in default_products()]), st.text(max_size=20)))
def test_one_product_name_look_up(code: str) -> None:
    registry = default_products()
    expected = registry.get(code).name_ja if code in registry else code
    assert registry.name_of(code) == expected
    assert product_display_name(code) == expected
    assert registry.names().get(code, code) == expected


# -- the status labels -------------------------------------------------------------------


@pytest.mark.parametrize("status", list(GuaranteeStatus))
def test_one_status_label_table(status: GuaranteeStatus) -> None:
    assert status_label(status) == STATUS_NAMES[status]
    assert status_label(status.value, english=True) == f"{STATUS_NAMES[status]} ({status.value})"
    assert STATUS_NAMES[GuaranteeStatus.RELEASED] == "解約・返還"


@pytest.mark.parametrize("medium", list(Medium))
def test_one_medium_label_table(medium: Medium) -> None:
    assert medium_label(medium, english=True) == f"{MEDIUM_NAMES[medium]} ({medium.value})"


# -- the separators of keys and numbers ---------------------------------------------------

_SEPARATOR_OR_SPACE = st.sampled_from([*sorted(v.SEPARATORS), " ", "\u3000", "\t"])


@given(
    st.text(alphabet="0123456789", min_size=10, max_size=10),
    st.lists(_SEPARATOR_OR_SPACE, min_size=9, max_size=9),
    st.booleans(),
)
def test_a_number_takes_every_separator_a_key_takes(
    digits: str, separators: list[str], wide: bool
) -> None:
    text = digits[0] + "".join(s + d for s, d in zip(separators, digits[1:], strict=True))
    if wide:
        text = text.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    assert normalize_contract_number(text) == digits


@given(
    st.text(alphabet=ALPHABET, min_size=19, max_size=19).map(lambda b: b + check_character(b)),
    st.lists(_SEPARATOR_OR_SPACE, min_size=4, max_size=4),
)
def test_a_key_takes_the_same_separators(compact: str, separators: list[str]) -> None:
    groups = [compact[i : i + 4] for i in range(0, 20, 4)]
    text = groups[0] + "".join(s + g for s, g in zip(separators, groups[1:], strict=True))
    assert parse_key(text).reveal().replace("-", "") == compact


def test_wave_dash_works_in_a_key_and_in_a_number() -> None:
    """〜 (U+301C) was a key separator but refused in a number."""
    assert normalize_contract_number("00000〜00001") == "0000000001"
    body = "23456789ABCDEFGHJKM"
    key = body + check_character(body)
    assert (
        parse_key("〜".join(key[i : i + 4] for i in range(0, 20, 4))).reveal().replace("-", "")
        == key
    )


# -- the next key generation -------------------------------------------------------------


def _record(generation: int, status: KeyStatus) -> KeyRecord:
    at = datetime(2025, 4, 1, tzinfo=UTC)
    return KeyRecord(
        contract_number="0000000001",
        generation=generation,
        hmac_key_id="h1",
        digest=b"d" * 32,
        encryption_key_id="e1",
        ciphertext=b"s" * 40,
        status=status,
        created_at=at,
        revoked_at=at if status is KeyStatus.REVOKED else None,
    )


@given(st.lists(st.integers(1, 1000), unique=True, max_size=8), st.data())
def test_next_generation_never_repeats(generations: list[int], data: st.DataObject) -> None:
    """Higher than every generation ever recorded (active or revoked), 1 for the first key."""
    active = data.draw(st.sampled_from(generations)) if generations else None
    history = [
        _record(g, KeyStatus.ACTIVE if g == active else KeyStatus.REVOKED) for g in generations
    ]
    following = next_generation(history)
    assert following == (max(generations) + 1 if generations else 1)
    assert all(following > r.generation for r in history)


# -- version 1 at issuance ----------------------------------------------------------------

_CITY = Obligee(name="柏市", code="kashiwa")
_PERIOD = Period(date(2025, 4, 1), date(2026, 3, 31))
_WORKS = Works(
    obligee=_CITY,
    name="市道0001号線道路改良工事",
    number="R7-001",
    kind=WorksKind.CONSTRUCTION,
    contract_price=100_000_000,
    period=_PERIOD,
    announced_on=date(2025, 3, 1),
)


@given(st.sampled_from([ADVANCE_PAYMENT, CONTRACT_GUARANTEE]), st.sampled_from(list(Medium)))
def test_issue_builds_version_one(product: str, medium: Medium) -> None:
    request = ProductRequest(product, medium, 10_000_000, _PERIOD)
    application = Application(
        reference="APP-1",
        principal=Principal("株式会社東葛建設", "7000012050002", "千葉県柏市柏1-1-1"),
        works=_WORKS,
        requests=(request,),
        applied_on=date(2025, 4, 1),
    )
    surety = Surety(name="東日本建設業保証株式会社", code="ejcs")
    on = date(2025, 4, 2)
    contract = issue(application, request, number="0000000007", surety=surety, on=on)
    assert contract.status is GuaranteeStatus.ISSUED
    assert (contract.version, contract.issued_on, contract.medium) == (1, on, medium)
    (version,) = contract.versions
    assert (version.amount, version.period, version.works) == (10_000_000, _PERIOD, _WORKS)
    assert (version.effective_on, version.reason) == (on, ORIGINAL_REASON)
    assert contract.application_reference == "APP-1"
    other = ProductRequest(product, medium, 20_000_000, _PERIOD)
    with pytest.raises(InvalidInputError):
        issue(application, other, number="0000000008", surety=surety, on=on)
