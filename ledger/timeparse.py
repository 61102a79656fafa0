"""Times as case files state them: possibly imprecise, possibly approximate, Stockholm local.

A written time such as ``2019-12`` or ``~2020-01-07T16:01`` becomes a `Moment`: the half-open
interval ``[start, end)`` it names, its precision, and whether it was marked approximate.

Every datetime this module returns is aware and shows Stockholm local wall time, but its
tzinfo is a fixed offset (``+01:00`` or ``+02:00``), not ``ZoneInfo("Europe/Stockholm")``.
Python compares two datetimes that share one ZoneInfo by wall time and ignores ``fold``, so
during the autumn repeat hour 02:30 (second pass) would sort before 02:45 (first pass) although
it happened later. With fixed offsets every comparison is by instant. For calendar arithmetic
on local time convert first: ``dt.astimezone(STOCKHOLM)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache, lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

__all__ = [
    "STOCKHOLM",
    "Moment",
    "Precision",
    "TimeParseError",
    "add_months",
    "format_instant",
    "known_state",
    "occurred_state",
    "parse_moment",
    "parse_point",
    "parse_point_moment",
    "precedes",
    "to_stockholm",
]

STOCKHOLM = ZoneInfo("Europe/Stockholm")

Precision = Literal["year", "month", "day", "minute", "second"]

MIN_YEAR = 1900
MAX_YEAR = 2200

_FORM = re.compile(
    r"(?P<year>[0-9]{4})"
    r"(?:-(?P<month>[0-9]{2})"
    r"(?:-(?P<day>[0-9]{2})"
    r"(?:[T ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?"
    r"(?P<zone>Z|[+-][0-9]{2}:[0-9]{2})?"
    r")?)?)?"
)
_FRACTION = re.compile(r"T?[0-9]{2}:[0-9]{2}:[0-9]{2}[.,][0-9]")
_EXPECTED = (
    "expected YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] with optional Z or ±HH:MM,"
    " optionally prefixed by ~"
)
# Real zones lie between -12:00 and +14:00; anything further out is a typo.
_MIN_OFFSET = timedelta(hours=-12)
_MAX_OFFSET = timedelta(hours=14)
_ONE_DAY = timedelta(days=1)
_STEP = {"minute": timedelta(minutes=1), "second": timedelta(seconds=1)}
_FORMAT = {
    "year": "%Y",
    "month": "%Y-%m",
    "day": "%Y-%m-%d",
    "minute": "%Y-%m-%d %H:%M",
    "second": "%Y-%m-%d %H:%M:%S",
}


class TimeParseError(ValueError):
    """A time that cannot be read; the message is one line and quotes the text."""


@dataclass(frozen=True, slots=True)
class Moment:
    """The interval ``[start, end)`` named by a written time; build it with `parse_moment`."""

    text: str
    start: datetime
    end: datetime
    precision: Precision
    approximate: bool

    @property
    def earliest(self) -> datetime:
        """Start, widened by one unit of precision when approximate."""
        return _shift(self.start, self.precision, -1) if self.approximate else self.start

    @property
    def latest(self) -> datetime:
        """End, widened by one unit of precision when approximate."""
        return _shift(self.end, self.precision, 1) if self.approximate else self.end

    def display(self) -> str:
        """Stockholm local time at its own precision, e.g. ``~2020-01-07``."""
        prefix = "~" if self.approximate else ""
        return prefix + self.start.strftime(_FORMAT[self.precision])

    def to_json(self) -> dict[str, object]:
        """The JSON shape of a clock in every output (DESIGN §8)."""
        return {
            "text": self.text,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "approximate": self.approximate,
        }

    def sort_key(self) -> tuple[datetime, datetime]:
        """Order by start, then end."""
        return (self.start, self.end)


def parse_moment(text: str) -> Moment:
    """Read a written time; raise `TimeParseError` for anything not exactly one of the forms."""
    if not isinstance(text, str):
        raise _error(text, f"expected text, got {type(text).__name__}")
    return _parse_text(text)


# Case files repeat the same few time strings; Moments are frozen, so parses can be shared.
@lru_cache(maxsize=16384)
def _parse_text(text: str) -> Moment:
    body = text.strip()
    approximate = body.startswith("~")
    if approximate:
        body = body[1:]
    if not body:
        raise _error(text, "nothing after ~" if approximate else "empty")
    match = _FORM.fullmatch(body)
    if match is None:
        if body.startswith("~"):
            raise _error(text, "only one ~ is allowed")
        if _FRACTION.search(body):
            raise _error(text, "fractional seconds are not accepted")
        raise _error(text, _EXPECTED)
    return _build(text, match, approximate)


def parse_point(text: str) -> datetime:
    """A point in time for a view: the end of the period the text names."""
    return parse_point_moment(text).end


def parse_point_moment(text: str) -> Moment:
    """A point in time for a view as the user gave it: the period whose end it means.

    Views keep the Moment, not only its end, so they can say what was asked ("at the end of
    2019-12-31") instead of an instant the user never wrote (2020-01-01 00:00).
    """
    if isinstance(text, str) and text.strip().startswith("~"):
        raise TimeParseError(f"a point in time cannot be approximate: {_quote(text)}")
    return parse_moment(text)


def known_state(known: Moment, at: datetime) -> Literal["known", "possibly", "unknown"]:
    """Whether a fact whose `known` clock is `known` had entered the records before `at`."""
    _require_aware(at)
    # The fact entered the records at some instant in [earliest, latest).
    if known.latest <= at:
        return "known"
    if known.earliest >= at:
        return "unknown"
    return "possibly"


def occurred_state(occurred: Moment, at: datetime) -> Literal["before", "possibly", "after"]:
    """Whether something whose `occurred` clock is `occurred` had happened before `at`."""
    _require_aware(at)
    if occurred.latest <= at:
        return "before"
    if occurred.earliest >= at:
        return "after"
    return "possibly"


def precedes(a: Moment, b: Moment) -> Literal["yes", "possibly", "no"]:
    """Whether the instant `a` names certainly, possibly or certainly not came before `b`'s."""
    if a.latest <= b.earliest:
        return "yes"
    if a.earliest >= b.latest:
        return "no"
    return "possibly"


def add_months(dt: datetime, months: int) -> datetime:
    """The same Stockholm wall time `months` later (clamped to the month's last day)."""
    local = dt.astimezone(STOCKHOLM)
    index = local.year * 12 + local.month - 1 + months
    year, month = divmod(index, 12)
    day = min(local.day, _days_in_month(year, month + 1))
    return to_stockholm(local.replace(year=year, month=month + 1, day=day, fold=0))


def to_stockholm(dt: datetime) -> datetime:
    """An aware datetime as Stockholm local time, with a fixed offset (see module docstring)."""
    _require_aware(dt)
    local = dt.astimezone(STOCKHOLM)
    return local.replace(tzinfo=_zone(_utcoffset(local)), fold=0)


def format_instant(dt: datetime) -> str:
    """An exact instant for people, Stockholm local: ``2026-11-22 18:04:05``."""
    return to_stockholm(dt).strftime("%Y-%m-%d %H:%M:%S")


def _build(text: str, match: re.Match[str], approximate: bool) -> Moment:
    parts = match.groupdict()
    year = int(parts["year"])
    _check_year(text, year)
    tilde = "~" if approximate else ""
    if parts["month"] is None:
        start = _wall(datetime(year, 1, 1))
        end = _wall(datetime(year + 1, 1, 1))
        return Moment(f"{tilde}{year:04d}", start, end, "year", approximate)
    month = _check(text, parts["month"], 1, 12, "month must be 01-12")
    if parts["day"] is None:
        start = _wall(datetime(year, month, 1))
        end = _shift(start, "month", 1)
        return Moment(f"{tilde}{year:04d}-{month:02d}", start, end, "month", approximate)
    days = _days_in_month(year, month)
    day = _check(text, parts["day"], 1, 31, "day must be 01-31")
    if day > days:
        raise _error(text, f"{year:04d}-{month:02d} has only {days} days")
    if parts["hour"] is None:
        start = _midnight(year, month, day)
        following = date(year, month, day) + _ONE_DAY
        end = _midnight(following.year, following.month, following.day)
        return Moment(f"{tilde}{year:04d}-{month:02d}-{day:02d}", start, end, "day", approximate)

    hour = _check(text, parts["hour"], 0, 23, "hour must be 00-23")
    minute = _check(text, parts["minute"], 0, 59, "minute must be 00-59")
    precision: Precision = "minute" if parts["second"] is None else "second"
    second = 0
    if parts["second"] is not None:
        second = _check(text, parts["second"], 0, 59, "second must be 00-59")
    wall = datetime(year, month, day, hour, minute, second)
    if parts["zone"] is None:
        zone = _hour_zone(year, month, day, hour)
        if zone is None:
            raise _error(text, f"{wall:%Y-%m-%dT%H:%M} does not exist in Europe/Stockholm")
        start = wall.replace(tzinfo=zone)
        if minute < 59 or (precision == "second" and second < 59):
            # Stockholm's offset changes only on the hour, so the end keeps the start's.
            end = start + _STEP[precision]
        else:
            end = to_stockholm(start + _STEP[precision])
        shown = f"{tilde}{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}"
        if precision == "second":
            shown += f":{second:02d}"
        return Moment(shown, start, end, precision, approximate)
    else:
        start = to_stockholm(wall.replace(tzinfo=_zone(_offset(text, parts["zone"]))))
        if not MIN_YEAR <= start.year <= MAX_YEAR:
            local = f"{start:%Y-%m-%d %H:%M}"
            raise _error(text, f"year must be {MIN_YEAR}-{MAX_YEAR}; in Stockholm this is {local}")
        # Stockholm's own offset keeps the text unambiguous in the autumn repeat hour.
        suffix = _offset_text(start)
    shown = "%Y-%m-%dT%H:%M" if precision == "minute" else "%Y-%m-%dT%H:%M:%S"
    end = to_stockholm(start + _STEP[precision])
    return Moment(f"{tilde}{start.strftime(shown)}{suffix}", start, end, precision, approximate)


_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    # calendar.monthrange also works out the weekday, which costs more than all of this.
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 29 if month == 2 and leap else _DAYS[month - 1]


@lru_cache(maxsize=65536)
def _midnight(year: int, month: int, day: int) -> datetime:
    return _wall(datetime(year, month, day))


@lru_cache(maxsize=65536)
def _hour_zone(year: int, month: int, day: int, hour: int) -> timezone | None:
    """Stockholm's offset for every wall time in this local hour; None when the hour does
    not exist (the spring gap). Offsets change only on the hour, so one lookup serves every
    minute of it: the repeat hour in autumn is taken at its first occurrence, as `_wall` does.
    """
    wall = datetime(year, month, day, hour)
    start = _wall(wall)
    if start.replace(tzinfo=None) != wall:
        return None
    return start.tzinfo  # type: ignore[return-value]


def _wall(wall: datetime) -> datetime:
    """A naive Stockholm wall time as an instant.

    In the autumn repeat hour this takes the first occurrence (fold=0, the PEP 495 default), so
    a naive text means what any other Python reader takes it to mean; the second occurrence is
    written with its offset (``+01:00``), which is what canonical texts do. A wall time in the
    spring gap comes back moved past the gap; callers that must reject it compare wall times.
    """
    return to_stockholm(wall.replace(tzinfo=STOCKHOLM).astimezone(UTC))


def _shift(edge: datetime, precision: Precision, units: int) -> datetime:
    """`edge` moved by whole units of `precision`; calendar units move in local wall time."""
    if precision in _STEP:
        return to_stockholm(edge + units * _STEP[precision])
    wall = edge.replace(tzinfo=None)
    if precision == "year":
        wall = wall.replace(year=wall.year + units)
    elif precision == "month":
        index = wall.year * 12 + wall.month - 1 + units
        wall = wall.replace(year=index // 12, month=index % 12 + 1)
    else:
        wall = wall + timedelta(days=units)
    # Calendar edges are local midnights; Stockholm has never changed its clocks at midnight
    # (a test checks every day), so the wall time always exists.
    return _wall(wall)


@cache
def _zone(offset: timedelta) -> timezone:
    return timezone(offset)


def _utcoffset(aware: datetime) -> timedelta:
    offset = aware.utcoffset()
    assert offset is not None, "callers pass aware datetimes"
    return offset


def _offset_text(local: datetime) -> str:
    minutes = _utcoffset(local) // timedelta(minutes=1)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _offset(text: str, zone: str) -> timedelta:
    if zone == "Z":
        return timedelta(0)
    minutes = _check(text, zone[4:6], 0, 59, "offset minutes must be 00-59")
    offset = timedelta(hours=int(zone[1:3]), minutes=minutes) * (-1 if zone[0] == "-" else 1)
    if not _MIN_OFFSET <= offset <= _MAX_OFFSET:
        raise _error(text, "offset must be between -12:00 and +14:00")
    return offset


def _check_year(text: str, year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _error(text, f"year must be {MIN_YEAR}-{MAX_YEAR}")


def _check(text: str, digits: str, low: int, high: int, reason: str) -> int:
    value = int(digits)
    if not low <= value <= high:
        raise _error(text, reason)
    return value


def _require_aware(dt: datetime) -> None:
    if not isinstance(dt, datetime) or dt.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got {dt!r}")


def _quote(value: object) -> str:
    # repr keeps the message on one line whatever the input holds; long input is cut.
    if isinstance(value, str) and len(value) > 60:
        value = value[:57] + "..."
    shown = repr(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _error(text: object, reason: str) -> TimeParseError:
    return TimeParseError(f"not a time: {_quote(text)} ({reason})")
