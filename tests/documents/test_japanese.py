"""Japanese formatting: amounts, Western and era dates, with the era boundaries."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surety_core import MAX_YEN, InvalidInputError
from surety_core.documents import (
    ERAS,
    era_year,
    format_date,
    format_era_date,
    format_percent,
    format_period,
    format_yen,
)

SHOWA_START = date(1926, 12, 25)
dates = st.dates(min_value=SHOWA_START, max_value=date(2200, 12, 31))


@pytest.mark.parametrize(
    ("amount", "text"),
    [(0, "0円"), (1, "1円"), (999, "999円"), (1000, "1,000円"), (1_000_000_000, "1,000,000,000円")],
)
def test_format_yen_examples(amount: int, text: str) -> None:
    assert format_yen(amount) == text


@given(st.integers(min_value=0, max_value=MAX_YEN))
def test_format_yen_reads_back(amount: int) -> None:
    text = format_yen(amount)
    assert text.endswith("円")
    digits = text[:-1]
    assert int(digits.replace(",", "")) == amount
    groups = digits.split(",")
    assert 1 <= len(groups[0]) <= 3
    assert all(len(g) == 3 for g in groups[1:])


@pytest.mark.parametrize("bad", [-1, MAX_YEN + 1, True, 1.5, "100"])
def test_format_yen_refuses(bad: object) -> None:
    with pytest.raises(InvalidInputError):
        format_yen(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "western", "era"),
    [
        (date(2025, 4, 1), "2025年4月1日", "令和7年4月1日"),
        (date(2019, 5, 1), "2019年5月1日", "令和元年5月1日"),
        (date(2019, 4, 30), "2019年4月30日", "平成31年4月30日"),
        (date(1989, 1, 8), "1989年1月8日", "平成元年1月8日"),
        (date(1989, 1, 7), "1989年1月7日", "昭和64年1月7日"),
        (date(1926, 12, 25), "1926年12月25日", "昭和元年12月25日"),
        (date(2020, 1, 1), "2020年1月1日", "令和2年1月1日"),
    ],
)
def test_date_examples(day: date, western: str, era: str) -> None:
    assert format_date(day) == western
    assert format_era_date(day) == era


def test_gannen_can_be_numeric() -> None:
    assert format_era_date(date(2019, 5, 1), gannen=False) == "令和1年5月1日"


def test_before_showa_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        format_era_date(date(1926, 12, 24))


@given(dates)
def test_era_is_the_latest_that_started(day: date) -> None:
    name, year = era_year(day)
    starts = dict(ERAS)
    assert starts[name] <= day
    assert all(not (start <= day and start > starts[name]) for start in starts.values())
    assert year == day.year - starts[name].year + 1
    assert year >= 1


@given(st.sampled_from([start for _, start in ERAS]), st.integers(min_value=1, max_value=3))
def test_boundaries(start: date, offset: int) -> None:
    name, year = era_year(start)
    assert year == 1
    assert format_era_date(start).startswith(f"{name}元年")
    before = start - timedelta(days=offset)
    if before >= SHOWA_START:
        assert era_year(before)[0] != name


@given(dates)
def test_western_date_reads_back(day: date) -> None:
    text = format_date(day)
    y, rest = text.split("年")
    m, rest = rest.split("月")
    assert date(int(y), int(m), int(rest.rstrip("日"))) == day


@given(dates, dates)
def test_period(a: date, b: date) -> None:
    start, end = min(a, b), max(a, b)
    assert format_period(start, end) == f"{format_date(start)}から{format_date(end)}まで"
    assert format_period(start, end, era=True).startswith(format_era_date(start))


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (Fraction(1, 400), "0.25%"),
        (Fraction(0), "0%"),
        (Fraction(1), "100%"),
        (Fraction(1, 3), "33.333333%"),
        (Fraction(13, 10000), "0.13%"),
    ],
)
def test_format_percent_examples(rate: Fraction, text: str) -> None:
    assert format_percent(rate) == text


@given(st.integers(min_value=0, max_value=10**8))
def test_format_percent_is_exact_to_six_places(millionths_of_percent: int) -> None:
    rate = Fraction(millionths_of_percent, 10**8)
    text = format_percent(rate)
    assert Fraction(text.rstrip("%")) / 100 == rate


@pytest.mark.parametrize("bad", [Fraction(-1, 2), Fraction(3, 2), 0.25])
def test_format_percent_refuses(bad: object) -> None:
    with pytest.raises(InvalidInputError):
        format_percent(bad)  # type: ignore[arg-type]
