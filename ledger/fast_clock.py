"""Canonical clock texts read without the general time grammar.

The import's fast path meets each distinct clock text once, and on generated or exported
input nearly all of them are canonical: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``,
``YYYY-MM-DDTHH:MM`` or ``YYYY-MM-DDTHH:MM:SS``, each possibly after ``~``, exactly as
`ledger.timeparse` writes them. For those, slicing fixed positions and reusing one computation
per day costs a fraction of the grammar's regular expression, group dictionary and checks.

`canonical_moment` answers only where it can be sure to give the very Moment
`timeparse.parse_moment` gives and that Moment's text is the text itself: on a day Stockholm
changes its clocks (where a local time may be missing or repeated) and for every other form it
answers None, and the caller asks the exact parser. tests/test_fast_clock.py compares the two.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from ledger.timeparse import (
    MAX_YEAR,
    MIN_YEAR,
    STOCKHOLM,
    Moment,
    _days_in_month,
    _midnight,
    _zone,
)

_MINUTE = timedelta(minutes=1)
_SECOND = timedelta(seconds=1)
_ONE_DAY = timedelta(days=1)

_Day = tuple[int, int, int, timezone, datetime, datetime]
"""year, month, day, the day's one offset, its start and its end (the next day's start)."""


def canonical_moment(text: str) -> Moment | None:
    """The Moment `parse_moment(text)` gives, when `text` is canonical in one of the forms
    above and not on a day the clocks change; None otherwise (ask the exact parser)."""
    approximate = text[:1] == "~"
    body = text[1:] if approximate else text
    size = len(body)
    if not body.isascii():
        return None
    if size == 4:
        if not body.isdigit() or not MIN_YEAR <= (year := int(body)) <= MAX_YEAR:
            return None
        start, end = _midnight(year, 1, 1), _midnight(year + 1, 1, 1)
        return Moment(text, start, end, "year", approximate)
    if size == 7:
        if body[4] != "-" or not (body[:4] + body[5:]).isdigit():
            return None
        year, month = int(body[:4]), int(body[5:])
        if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
            return None
        following = year * 12 + month  # the next month's index, counting January 0 as 0
        start = _midnight(year, month, 1)
        return Moment(
            text, start, _midnight(following // 12, following % 12 + 1, 1), "month", approximate
        )
    if size != 10 and size != 16 and size != 19:
        return None
    day = _day(body[:10])
    if day is None:
        return None
    if size == 10:
        return Moment(text, day[4], day[5], "day", approximate)
    if body[10] != "T" or body[13] != ":" or not (body[11:13] + body[14:16]).isdigit():
        return None
    hour, minute = int(body[11:13]), int(body[14:16])
    if hour > 23 or minute > 59:
        return None
    year, month, number, zone = day[0], day[1], day[2], day[3]
    if size == 16:
        start = datetime(year, month, number, hour, minute, tzinfo=zone)
        return Moment(text, start, start + _MINUTE, "minute", approximate)
    if body[16] != ":" or not body[17:].isdigit() or (second := int(body[17:])) > 59:
        return None
    start = datetime(year, month, number, hour, minute, second, tzinfo=zone)
    return Moment(text, start, start + _SECOND, "second", approximate)


@lru_cache(maxsize=8192)
def _day(text: str) -> _Day | None:
    """A canonical ``YYYY-MM-DD`` whose every local time has one offset, with that offset
    and the day's edges; None for anything else, and for a day the clocks change.

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
    zone = _zone(offset)
    start = datetime(year, month, number, tzinfo=zone)
    end = datetime(following.year, following.month, following.day, tzinfo=zone)
    return year, month, number, zone, start, end
