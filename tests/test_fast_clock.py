"""The fast reader of canonical clock texts gives exactly the exact parser's interval for a
text the exact parser writes back unchanged, or leaves the text to it: never a different
answer, and never an answer on a day the clocks change."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ledger.fast_clock import Span, _day, canonical_span
from ledger.timeparse import STOCKHOLM, Moment, TimeParseError, _midnight, parse_moment


def _exact(text: str) -> Moment | None:
    try:
        return parse_moment(text)
    except TimeParseError:
        return None


def _same(fast: Span, exact: Moment) -> None:
    assert fast == exact._key  # the interval, in microseconds since the epoch


ISO = ("year", "month", "day", "minute", "second")


@cache
def _clock_change_days() -> list[date]:
    """Every local day, 1900-2200, on which Stockholm's offset changed: each change is found
    by stepping through UTC six hours at a time (changes lie months apart) and halving the
    step to the instant. The local days before and after it count, unless the change came
    exactly at local midnight."""
    days: list[date] = []
    at, last = datetime(1899, 12, 31, tzinfo=UTC), datetime(2201, 1, 2, tzinfo=UTC)
    step = timedelta(hours=6)

    def offset(instant: datetime) -> timedelta | None:
        return instant.astimezone(STOCKHOLM).utcoffset()

    before = offset(at)
    while at < last:
        after = at + step
        if offset(after) != before:
            low, high = at, after  # offset(low) is the old one, offset(high) the new
            while high - low > timedelta(microseconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == before else (low, middle)
            days.append(low.astimezone(STOCKHOLM).date())
            if (new := high.astimezone(STOCKHOLM)).time() != time(0):  # else between days
                days.append(new.date())
            before = offset(after)
        at = after
    return sorted(set(days))


@st.composite
def clock_texts(draw: st.DrawFn) -> str:
    """Texts in and around the canonical forms: numbers just out of range, other
    separators, Unicode digits, days the clocks change."""
    if draw(st.booleans()):
        day = draw(st.sampled_from(_clock_change_days()))
        year, month, number = day.year, day.month, day.day
        hour = draw(st.integers(0, 4))
    else:
        year = draw(st.integers(1895, 2205))
        month = draw(st.integers(0, 13))
        last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 31
        number = draw(st.integers(0, last + 1))
        hour = draw(st.integers(0, 24))
    minute, second = draw(st.integers(0, 60)), draw(st.integers(0, 60))
    parts = [f"{year:04d}", f"-{month:02d}", f"-{number:02d}", f"T{hour:02d}:{minute:02d}"]
    parts.append(f":{second:02d}")
    text = "".join(parts[: draw(st.integers(1, 5))])
    if draw(st.integers(0, 9)) == 0:  # one character replaced
        at = draw(st.integers(0, len(text) - 1))
        other = draw(st.sampled_from(["-", "T", " ", ":", "+", "_", "٣", "~", "Z", "0", "9"]))
        text = text[:at] + other + text[at + 1 :]
    if draw(st.integers(0, 9)) == 0:
        text += draw(st.sampled_from(["Z", "+01:00", " ", "~", "?"]))
    return ("~" if draw(st.booleans()) else "") + text


@settings(max_examples=3000, deadline=None)
@given(clock_texts())
@example("2019-03-31T02:30")  # missing in Stockholm
@example("2019-10-27T02:30")  # repeated in Stockholm
@example("2019-12-31T23:59:59")
@example("2200-12-31T23:59")
@example("1900-01-01")
@example("2019-12-20T10:00+01:00")
@example("sen december 2019")
def test_fast_reading_is_the_exact_parsers(text: str) -> None:
    fast = canonical_span(text)
    exact = _exact(text)
    if fast is not None:
        assert exact is not None and exact.text == text
        _same(fast, exact)
    elif exact is not None and exact.text == text and exact.precision in ISO:
        # A canonical ISO text is left to the exact parser only with an offset, an EDTF
        # qualifier, or on a day the clocks change.
        if any(c in text for c in "?%+Z"):
            return
        assert exact.precision not in ("year", "month")
        assert _day(text.lstrip("~")[:10]) is None


def test_plain_forms_are_read() -> None:
    for text in ("2019", "~2019-12", "2019-12-24", "2019-06-07T16:01", "~2019-06-07T23:59:59"):
        span = canonical_span(text)
        assert span is not None
        _same(span, parse_moment(text))


@pytest.mark.parametrize(
    "text",
    [
        "2019-03-31T02:30",  # missing in Stockholm
        "2019-03-31T12:00",  # exists, but the day's offset changes
        "2019-10-27T02:30",  # repeated in Stockholm
        "2019-12-20 10:00",  # exact, but not canonical
        "2019-12-20T10:00Z",
        "2019-1２-20",
        "1899",
        "2019-02-29",
        "+019-12-20",
        "2019-12-+1",
        "",
        "~",
    ],
)
def test_what_it_leaves_to_the_exact_parser(text: str) -> None:
    assert canonical_span(text) is None


def test_no_day_the_clocks_change_is_read_fast() -> None:
    days = _clock_change_days()
    assert date(2019, 3, 31) in days and date(2019, 10, 27) in days
    for day in days:
        if 1900 <= day.year <= 2200:
            assert _day(f"{day:%Y-%m-%d}") is None, day


def _micros(instant: datetime) -> int:
    return (instant - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def test_every_plain_day_has_the_exact_parsers_edges() -> None:
    day, last = date(1900, 1, 1), date(2200, 12, 31)
    read = 0
    while day <= last:
        found = _day(f"{day:%Y-%m-%d}")
        if found is not None:
            read += 1
            following = day + timedelta(days=1)
            start = _midnight(day.year, day.month, day.day)
            end = _midnight(following.year, following.month, following.day)
            assert found == parse_moment(f"{day:%Y-%m-%d}")._key, day
            assert found == (_micros(start), _micros(end)), day
        day += timedelta(days=1)
    assert read > 100_000
