"""Times as case files state them: possibly imprecise, possibly approximate, Stockholm local.

A written time such as ``2019-12`` or ``~2020-01-07T16:01`` becomes a `Moment`: the half-open
interval ``[start, end)`` it names, its precision, and whether it was marked approximate.

Besides these ISO forms, the dates of journal prints and chronologies are read (`_journal`):
ISO 8601 intervals (``2019-12-20/2019-12-31``, also what a deadline prints), ISO weeks
(``2019-W52``, ``v. 52 2019``), EDTF qualifiers (``2019-12~``, ``2019-12?``) and seasons
(``2019-21``), Swedish months, days, parts of months and seasons ("20 december 2019", "sen
december 2019", "början av december 2019", "våren 2018"), and ``ca`` for approximate. Each is
an interval at its own precision, and its canonical text keeps that precision: a form that
means exactly an ISO time becomes that time (``december 2019`` is ``2019-12``, ``ca
2019-12-20`` is ``~2019-12-20``); a phrase with no ISO equivalent keeps its words, normalised
(``sen december 2019``), so what the ledger prints it reads back as the same Moment.

Every datetime this module returns is aware and shows Stockholm local wall time, but its
tzinfo is a fixed offset (``+01:00`` or ``+02:00``), not ``ZoneInfo("Europe/Stockholm")``.
Python compares two datetimes that share one ZoneInfo by wall time and ignores ``fold``, so
during the autumn repeat hour 02:30 (second pass) would sort before 02:45 (first pass) although
it happened later. With fixed offsets every comparison is by instant. For calendar arithmetic
on local time convert first: ``dt.astimezone(STOCKHOLM)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache, lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from ledger.message import Message, MessageError

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

Precision = Literal[
    "year", "season", "month", "part_of_month", "week", "interval", "day", "minute", "second"
]

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
_EXPECTED = Message(
    "expected YYYY, YYYY-MM, YYYY-MM-DD[THH:MM[:SS][Z|±HH:MM]] (optionally ~), A/B,"
    " v. 52 2019, våren 2019 or sen december 2019"
)
# Real zones lie between -12:00 and +14:00; anything further out is a typo.
_MIN_OFFSET = timedelta(hours=-12)
_MAX_OFFSET = timedelta(hours=14)
_ONE_DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
_STEP = {"minute": timedelta(minutes=1), "second": timedelta(seconds=1)}
_FORMAT = {
    "year": "%Y",
    "month": "%Y-%m",
    "day": "%Y-%m-%d",
    "minute": "%Y-%m-%d %H:%M",
    "second": "%Y-%m-%d %H:%M:%S",
}


class TimeParseError(MessageError, ValueError):
    """A time that cannot be read; the message (a `Message`) is one line and quotes the text."""


@dataclass(frozen=True, slots=True)
class Moment:
    """The interval ``[start, end)`` named by a written time; build it with `parse_moment`."""

    text: str
    start: datetime
    end: datetime
    precision: Precision
    approximate: bool
    # Start and end, widened by one unit of precision when approximate. Every comparison of
    # clocks reads them (rules, views, ordering), so they are computed once, when made.
    earliest: datetime = field(init=False, repr=False, compare=False)
    latest: datetime = field(init=False, repr=False, compare=False)
    # (start, end) in whole microseconds since the epoch: orders as the instants do, and
    # sorting and heaps compare integers instead of aware datetimes.
    _key: tuple[int, int] = field(init=False, repr=False, compare=False)
    # `display()` once written: findings and explanations show the same clocks many times.
    _shown: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_shown", "")
        object.__setattr__(
            self, "_key", ((self.start - _EPOCH) // _MICRO, (self.end - _EPOCH) // _MICRO)
        )
        if self.approximate:
            object.__setattr__(self, "earliest", _shift(self.start, self.precision, -1))
            object.__setattr__(self, "latest", _shift(self.end, self.precision, 1))
        else:
            object.__setattr__(self, "earliest", self.start)
            object.__setattr__(self, "latest", self.end)

    def display(self) -> str:
        """Stockholm local time at its own precision, e.g. ``~2020-01-07``; a journal form
        (an interval, a week, a season, a part of a month, an uncertain date) as its text."""
        shown = self._shown
        if shown:
            return shown
        if self.precision not in _FORMAT or self.text[-1] in _UNCERTAIN:
            shown = self.text
        else:
            prefix = "~" if self.approximate else ""
            shown = prefix + self.start.strftime(_FORMAT[self.precision])
        object.__setattr__(self, "_shown", shown)
        return shown

    def to_json(self) -> dict[str, object]:
        """The JSON shape of a clock in every output (DESIGN §8)."""
        return {
            "text": self.text,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "approximate": self.approximate,
        }

    def sort_key(self) -> tuple[int, int]:
        """Order by start, then end (as whole microseconds since the epoch)."""
        return self._key


def parse_moment(text: str) -> Moment:
    """Read a written time; raise `TimeParseError` for anything not exactly one of the forms."""
    if not isinstance(text, str):
        raise _error(text, Message("expected text, got {kind}", kind=type(text).__name__))
    return _parse_text(text)


# Case files repeat the same few time strings; Moments are frozen, so parses can be shared.
@lru_cache(maxsize=16384)
def _parse_text(text: str) -> Moment:
    body = text.strip()
    approximate = body.startswith("~")
    if approximate:
        body = body[1:]
    if not body:
        raise _error(text, Message("nothing after ~") if approximate else Message("empty"))
    match = _FORM.fullmatch(body)
    if match is None or (match["month"] is not None and match["day"] is None and body[5] == "2"):
        # Not today's forms, or an EDTF season (2019-21): a journal form, or an error.
        journal = _journal(text, body, approximate)
        if journal is not None:
            return journal
        if body.startswith("~"):
            raise _error(text, Message("only one ~ is allowed"))
        if _FRACTION.search(body):
            raise _error(text, Message("fractional seconds are not accepted"))
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
        raise TimeParseError(_approximate_point(text))
    moment = parse_moment(text)
    if moment.approximate:  # ca, 2019-12?, 2019-12~
        raise TimeParseError(_approximate_point(text))
    return moment


def _approximate_point(text: object) -> Message:
    return Message("a point in time cannot be approximate: {text}", text=_quote(text))


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
    month = _check(text, parts["month"], 1, 12, Message("month must be 01-12"))
    if parts["day"] is None:
        start = _wall(datetime(year, month, 1))
        end = _shift(start, "month", 1)
        return Moment(f"{tilde}{year:04d}-{month:02d}", start, end, "month", approximate)
    days = _days_in_month(year, month)
    day = _check(text, parts["day"], 1, 31, Message("day must be 01-31"))
    if day > days:
        shown = f"{year:04d}-{month:02d}"
        raise _error(text, Message("{month} has only {days} days", month=shown, days=days))
    if parts["hour"] is None:
        start = _midnight(year, month, day)
        following = date(year, month, day) + _ONE_DAY
        end = _midnight(following.year, following.month, following.day)
        return Moment(f"{tilde}{year:04d}-{month:02d}-{day:02d}", start, end, "day", approximate)

    hour = _check(text, parts["hour"], 0, 23, Message("hour must be 00-23"))
    minute = _check(text, parts["minute"], 0, 59, Message("minute must be 00-59"))
    precision: Precision = "minute" if parts["second"] is None else "second"
    second = 0
    if parts["second"] is not None:
        second = _check(text, parts["second"], 0, 59, Message("second must be 00-59"))
    wall = datetime(year, month, day, hour, minute, second)
    if parts["zone"] is None:
        zone = _hour_zone(year, month, day, hour)
        if zone is None:
            raise _error(
                text,
                Message(
                    "{time} does not exist in Europe/Stockholm",
                    time=wall.strftime("%Y-%m-%dT%H:%M"),
                ),
            )
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
            raise _error(
                text,
                Message(
                    "year must be {first}-{last}; in Stockholm this is {local}",
                    first=MIN_YEAR,
                    last=MAX_YEAR,
                    local=start.strftime("%Y-%m-%d %H:%M"),
                ),
            )
        # Stockholm's own offset keeps the text unambiguous in the autumn repeat hour.
        suffix = _offset_text(start)
    shown = "%Y-%m-%dT%H:%M" if precision == "minute" else "%Y-%m-%dT%H:%M:%S"
    end = to_stockholm(start + _STEP[precision])
    return Moment(f"{tilde}{start.strftime(shown)}{suffix}", start, end, precision, approximate)


# --- journal dates -----------------------------------------------------------------------------

_WINTER = Message("winter spans two years: write 'vintern 2019/2020' or an interval")
_UNCERTAIN = "?%"
"""EDTF's uncertain (`?`) and uncertain-and-approximate (`%`) qualifiers: read as approximate
(the interval is widened like `~`) and kept in the text, so the doubt is not lost."""

# How an approximate journal form is widened: by one of its own units, in calendar terms.
_JOURNAL_UNITS: dict[str, tuple[Precision, int]] = {
    "season": ("month", 3),
    "part_of_month": ("day", 10),
    "week": ("day", 7),
}

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "jan", "january"),
            ("februari", "feb", "february"),
            ("mars", "mar", "march"),
            ("april", "apr"),
            ("maj", "may"),
            ("juni", "jun", "june"),
            ("juli", "jul", "july"),
            ("augusti", "aug", "august"),
            ("september", "sep", "sept"),
            ("oktober", "okt", "oct", "october"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>[0-9]{4})"

# Parts of a month as journals write them: the first, middle and last ten days or so.
PARTS = {
    "början av": "early",
    "i början av": "early",
    "tidig": "early",
    "tidigt i": "early",
    "mitten av": "mid",
    "i mitten av": "mid",
    "slutet av": "late",
    "i slutet av": "late",
    "sen": "late",
    "sent i": "late",
}
_PART_DAYS = {"early": (1, 11), "mid": (11, 21), "late": (21, None)}  # [first, next) day
# EDTF seasons (21-23) and the Swedish words; the months are Sweden's meteorological seasons.
SEASONS = {"21": (3, "våren"), "22": (6, "sommaren"), "23": (9, "hösten")}
_SEASON_WORDS = {
    "våren": "21",
    "vår": "21",
    "sommaren": "22",
    "sommar": "22",
    "hösten": "23",
    "höst": "23",
}
_APPROXIMATE_WORDS = r"(?:ca\.?|cirka|c:a|omkring|ungefär)"

_EDTF_QUALIFIED = re.compile(r"(?P<base>[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?)(?P<q>[~?%])")
_EDTF_SEASON = re.compile(r"(?P<year>[0-9]{4})-(?P<season>2[0-9])")
_ISO_WEEK = re.compile(r"(?P<year>[0-9]{4})-?w(?P<week>[0-9]{2})")
_SV_WEEK = re.compile(r"(?:v\.?|vecka|week)\s*(?P<week>[0-9]{1,2}),?\s+(?:år\s+)?" + _YEAR)
_SV_DAY = re.compile(r"(?:den\s+)?(?P<day>[0-9]{1,2})\s+" + _MONTH + r",?\s+" + _YEAR)
_SV_MONTH = re.compile(r"(?:i\s+)?" + _MONTH + r"\s+" + _YEAR)
_SV_PART = re.compile(
    "(?P<part>" + "|".join(sorted(PARTS, key=len, reverse=True)) + r")\s+" + _MONTH + r"\s+" + _YEAR
)
_SV_SEASON = re.compile(
    r"(?:under\s+|på\s+)?(?P<season>"
    + "|".join(sorted(_SEASON_WORDS, key=len, reverse=True))
    + r")\s+"
    + _YEAR
)
_SV_WINTER = re.compile(
    r"(?:under\s+|på\s+)?(?:vintern|vinter)\s+"
    + _YEAR
    + r"(?:\s*[/-]\s*(?P<next>[0-9]{2}|[0-9]{4}))?"
)
_SV_APPROXIMATE = re.compile(_APPROXIMATE_WORDS + r"\s+(?P<rest>.+)")
_SPACES = re.compile(r"\s+")


def _journal(text: str, body: str, approximate: bool) -> Moment | None:
    """A journal form (module docstring), or None when `body` is none of them.

    `body` is the stripped text without a leading `~` (then `approximate` is set); a form
    that is recognised but wrong (week 54, an interval that ends before it starts) raises.
    """
    words = _SPACES.sub(" ", body.casefold())
    if approximate and _SV_APPROXIMATE.fullmatch(words):
        raise _error(text, Message("only one of ~ and ca is allowed"))
    if not approximate and (match := _SV_APPROXIMATE.fullmatch(words)):
        inner = _parse_text(match["rest"])
        if inner.approximate:
            raise _error(text, Message("only one of ~ and ca is allowed"))
        if inner.precision == "interval":
            raise _error(text, Message("an interval cannot be approximate; widen it instead"))
        return _approximately(inner, "ca ")
    if "/" in body and not _SV_WINTER.fullmatch(words):
        return _interval(text, body, approximate)
    found = _journal_exact(text, body, words)
    if found is None:
        return None
    if approximate:
        if found.approximate:
            raise _error(text, Message("only one ~ is allowed"))
        return _approximately(found, "~")
    return found


def _journal_exact(text: str, body: str, words: str) -> Moment | None:
    """A journal form without a leading ~ or ca."""
    if match := _EDTF_QUALIFIED.fullmatch(body):
        base = _parse_text(match["base"])
        if match["q"] == "~":  # the same as today's ~ prefix, so written as that
            return _parse_text("~" + base.text)
        return Moment(base.text + match["q"], base.start, base.end, base.precision, True)
    if match := _EDTF_SEASON.fullmatch(body):
        year = _year(text, match["year"])
        code = match["season"]
        if code == "24":
            raise _error(text, _WINTER)
        if code not in SEASONS:
            raise _error(text, Message("month must be 01-12 (or 21-23 for spring, summer, autumn)"))
        return _months(f"{year:04d}-{code}", year, SEASONS[code][0], 3, "season")
    if match := _ISO_WEEK.fullmatch(words) or _SV_WEEK.fullmatch(words):
        return _week(text, _year(text, match["year"]), int(match["week"]))
    if match := _SV_DAY.fullmatch(words):
        year, month = _year(text, match["year"]), MONTHS[match["month"]]
        day = int(match["day"])
        if not 1 <= day <= _days_in_month(year, month):
            shown = f"{year:04d}-{month:02d}"
            raise _error(text, Message("{month} has no day {day}", month=shown, day=day))
        return _parse_text(f"{year:04d}-{month:02d}-{day:02d}")
    if match := _SV_MONTH.fullmatch(words):
        return _parse_text(f"{_year(text, match['year']):04d}-{MONTHS[match['month']]:02d}")
    if match := _SV_PART.fullmatch(words):
        year, month = _year(text, match["year"]), MONTHS[match["month"]]
        first, following = _PART_DAYS[PARTS[match["part"]]]
        start = _midnight(year, month, first)
        end = (
            _midnight(year, month, following)
            if following is not None
            else _shift(_midnight(year, month, 1), "month", 1)
        )
        phrase = f"{match['part'].removeprefix('i ')} {_month_name(month)} {year:04d}"
        return Moment(phrase, start, end, "part_of_month", False)
    if match := _SV_SEASON.fullmatch(words):
        year = _year(text, match["year"])
        code = _SEASON_WORDS[match["season"]]
        first, name = SEASONS[code]
        return _months(f"{name} {year:04d}", year, first, 3, "season")
    if match := _SV_WINTER.fullmatch(words):
        year = _year(text, match["year"])
        following = match["next"]
        if following is None:
            raise _error(text, _WINTER)
        wanted = f"{year + 1:04d}"
        if following not in (wanted, wanted[2:]):
            raise _error(
                text, Message("the winter after {year} ends in {next}", year=year, next=year + 1)
            )
        return _months(f"vintern {year:04d}/{year + 1:04d}", year, 12, 3, "season")
    return None


def _interval(text: str, body: str, approximate: bool) -> Moment | None:
    """An ISO 8601 interval of two times in today's forms, ``A/B``: from A's start to B's
    end. None when it is not two parts (the caller then says what is expected)."""
    parts = body.split("/")
    if len(parts) != 2 or not all(_FORM.fullmatch(part.strip()) for part in parts):
        return None
    if approximate:
        raise _error(text, Message("an interval cannot be approximate; widen it instead"))
    first, last = (_parse_text(part) for part in parts)
    if last.start < first.start or last.end < first.end:
        raise _error(
            text,
            Message(
                "the interval ends ({last}) before it starts ({first})",
                last=last.text,
                first=first.text,
            ),
        )
    if first == last:
        return first
    return Moment(f"{first.text}/{last.text}", first.start, last.end, "interval", False)


def _approximately(moment: Moment, mark: str) -> Moment:
    """The same interval marked approximate: ISO forms take `~`, phrases `ca `."""
    if moment.precision in _FORMAT:
        return _parse_text("~" + moment.text)
    prefix = "~" if moment.text[:1].isdigit() else "ca "
    return Moment(prefix + moment.text, moment.start, moment.end, moment.precision, True)


def _week(text: str, year: int, week: int) -> Moment:
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        shown = f"{year:04d}"
        raise _error(
            text, Message("{year} has no ISO week {week}", year=shown, week=week)
        ) from None
    following = monday + timedelta(days=7)
    start = _midnight(monday.year, monday.month, monday.day)
    end = _midnight(following.year, following.month, following.day)
    return Moment(f"{year:04d}-W{week:02d}", start, end, "week", False)


def _months(shown: str, year: int, month: int, count: int, precision: Precision) -> Moment:
    start = _midnight(year, month, 1)
    return Moment(shown, start, _shift(start, "month", count), precision, False)


def _month_name(month: int) -> str:
    return next(name for name, number in MONTHS.items() if number == month)


def _year(text: str, digits: str) -> int:
    year = int(digits)
    _check_year(text, year)
    return year


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
    if precision in _JOURNAL_UNITS:
        precision, units = _JOURNAL_UNITS[precision][0], units * _JOURNAL_UNITS[precision][1]
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
    minutes = _check(text, zone[4:6], 0, 59, Message("offset minutes must be 00-59"))
    offset = timedelta(hours=int(zone[1:3]), minutes=minutes) * (-1 if zone[0] == "-" else 1)
    if not _MIN_OFFSET <= offset <= _MAX_OFFSET:
        raise _error(text, Message("offset must be between -12:00 and +14:00"))
    return offset


def _check_year(text: str, year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _error(text, Message("year must be {first}-{last}", first=MIN_YEAR, last=MAX_YEAR))


def _check(text: str, digits: str, low: int, high: int, reason: Message) -> int:
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


_OFFSET_WRITTEN = re.compile(r"(?:Z|[+-]\d\d:\d\d)$")


def parse_input_moment(text: str) -> Moment:
    """A time as input gives it (import, record, drafts): `parse_moment`, and a local time
    without an offset in the autumn repeat hour is refused, since it names two instants an
    hour apart (a local time in the spring gap names none, and `parse_moment` refuses it).
    Texts the ledger wrote itself keep reading as before: they carry the offset there."""
    moment = parse_moment(text)
    if moment.precision in ("minute", "second") and not _OFFSET_WRITTEN.search(moment.text):
        wall = moment.start.replace(tzinfo=None)
        first = wall.replace(tzinfo=STOCKHOLM, fold=0).utcoffset()
        if first != wall.replace(tzinfo=STOCKHOLM, fold=1).utcoffset():
            raise _error(
                text,
                Message(
                    "{time} occurs twice in Europe/Stockholm, as the clocks go back; write the "
                    "offset: +02:00 for the first time, +01:00 for the second",
                    time=wall.strftime("%Y-%m-%dT%H:%M"),
                ),
            )
    return moment


def _error(text: object, reason: Message) -> TimeParseError:
    return TimeParseError(
        Message("not a time: {text} ({reason})", text=_quote(text), reason=reason)
    )
