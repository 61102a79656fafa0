"""Canonical clock texts read without the general time grammar.

The import's fast path meets each distinct clock text once, and on generated or exported
input nearly all of them are canonical: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``,
``YYYY-MM-DDTHH:MM`` or ``YYYY-MM-DDTHH:MM:SS``, each possibly after ``~``, exactly as
`ledger.timeparse` writes them. A line written so is stored as written; all the fast path
needs of its clocks is that they are canonical, and where the interval of one lies (a line is
refused when it was known before it happened). So `canonical_span` gives the interval as two
integers, without building a Moment: slicing fixed positions, with one computation per day.

`canonical_span` answers only where it can be sure that `timeparse.parse_moment` reads the
text as that very text, with that interval (`Moment._key`, microseconds since the epoch): on a
day Stockholm changes its clocks (where a local time may be missing or repeated) and for every
other form it answers None, and the caller asks the exact parser. tests/test_fast_clock.py
compares the two.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from ledger.timeparse import (
    _EPOCH,
    _MICRO,
    MAX_YEAR,
    MIN_YEAR,
    STOCKHOLM,
    _days_in_month,
    _midnight,
)

Span = tuple[int, int]
"""[start, end) in whole microseconds since the epoch, as `Moment._key`."""

_ONE_DAY = timedelta(days=1)
_MINUTE_US = 60_000_000
_SECOND_US = 1_000_000
_DAY_US = 86_400 * _SECOND_US
_NAIVE_EPOCH = _EPOCH.replace(tzinfo=None)

_Day = tuple[int, int]
"""The day's start and end (the next day's start), in microseconds since the epoch."""


def canonical_span(text: str) -> Span | None:
    """The interval `parse_moment(text)` gives, when `text` is canonical in one of the forms
    above and not on a day the clocks change; None otherwise (ask the exact parser)."""
    body = text[1:] if text[:1] == "~" else text
    size = len(body)
    if not body.isascii():
        return None
    if size == 4:
        if not body.isdigit():
            return None
        return _year(int(body))
    if size == 7:
        if body[4] != "-" or not (body[:4] + body[5:]).isdigit():
            return None
        return _month(int(body[:4]), int(body[5:]))
    if size != 10 and size != 16 and size != 19:
        return None
    day = _day(body[:10])
    if day is None:
        return None
    if size == 10:
        return day
    if body[10] != "T" or body[13] != ":" or not (body[11:13] + body[14:16]).isdigit():
        return None
    hour, minute = int(body[11:13]), int(body[14:16])
    if hour > 23 or minute > 59:
        return None
    # The day kept one offset throughout (`_day`), so a wall time on it lies that far after
    # the day's start.
    start = day[0] + (hour * 60 + minute) * _MINUTE_US
    if size == 16:
        return start, start + _MINUTE_US
    if body[16] != ":" or not body[17:].isdigit() or (second := int(body[17:])) > 59:
        return None
    start += second * _SECOND_US
    return start, start + _SECOND_US


def _micros(instant: datetime) -> int:
    return (instant - _EPOCH) // _MICRO


@lru_cache(maxsize=1024)
def _year(year: int) -> Span | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    return _micros(_midnight(year, 1, 1)), _micros(_midnight(year + 1, 1, 1))


@lru_cache(maxsize=4096)
def _month(year: int, month: int) -> Span | None:
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        return None
    following = year * 12 + month  # the next month's index, counting January 0 as 0
    return (
        _micros(_midnight(year, month, 1)),
        _micros(_midnight(following // 12, following % 12 + 1, 1)),
    )


@lru_cache(maxsize=8192)
def _day(text: str) -> _Day | None:
    """A canonical ``YYYY-MM-DD`` whose every local time has one offset, as its interval;
    None for anything else, and for a day the clocks change.

    Stockholm changes its clocks at night but never at midnight (tests/test_timeparse.py
    checks every day), so a day whose start and end carry the same offset kept that offset
    all day: a local time on it ends, a minute or a second later, on that offset too, also at
    23:59. The edges are those `timeparse` computes (tests/test_fast_clock.py compares every
    day from 1900 to 2200)."""
    if text[4] != "-" or text[7] != "-" or not (text[:4] + text[5:7] + text[8:]).isdigit():
        return None
    year, month, number = int(text[:4]), int(text[5:7]), int(text[8:])
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        return None
    if not 1 <= number <= _days_in_month(year, month):
        return None
    following = date(year, month, number) + _ONE_DAY
    # The offsets of the day's first and the next day's first local instant (fold 0, as
    # timeparse takes a repeated wall time), without building either as an instant.
    offset = STOCKHOLM.utcoffset(datetime(year, month, number))
    if offset is None or offset != STOCKHOLM.utcoffset(
        datetime(following.year, following.month, following.day)
    ):
        return None
    # Local midnight as a UTC wall time; the day lasts 24 hours, its offset being one.
    start = (datetime(year, month, number) - offset - _NAIVE_EPOCH) // _MICRO
    return start, start + _DAY_US
