import calendar
import itertools
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ledger.timeparse import (
    STOCKHOLM,
    Moment,
    TimeParseError,
    format_instant,
    known_state,
    occurred_state,
    parse_moment,
    parse_point,
    to_stockholm,
)

PRECISIONS = ("year", "month", "day", "minute", "second")
KNOWN_RANK = {"unknown": 0, "possibly": 1, "known": 2}
OCCURRED_RANK = {"after": 0, "possibly": 1, "before": 2}


# --- examples ---------------------------------------------------------------------------------

EXAMPLES = [
    # input, canonical text, precision, approximate,
    #     start, end
    ("2019", "2019", "year", False,
     "2019-01-01T00:00:00+01:00", "2020-01-01T00:00:00+01:00"),
    ("2019-12", "2019-12", "month", False,
     "2019-12-01T00:00:00+01:00", "2020-01-01T00:00:00+01:00"),
    ("2019-06", "2019-06", "month", False,
     "2019-06-01T00:00:00+02:00", "2019-07-01T00:00:00+02:00"),
    ("2019-12-24", "2019-12-24", "day", False,
     "2019-12-24T00:00:00+01:00", "2019-12-25T00:00:00+01:00"),
    ("2020-02-29", "2020-02-29", "day", False,
     "2020-02-29T00:00:00+01:00", "2020-03-01T00:00:00+01:00"),
    ("~2020-01-07", "~2020-01-07", "day", True,
     "2020-01-07T00:00:00+01:00", "2020-01-08T00:00:00+01:00"),
    ("~2019", "~2019", "year", True,
     "2019-01-01T00:00:00+01:00", "2020-01-01T00:00:00+01:00"),
    ("2020-01-07T16:01", "2020-01-07T16:01", "minute", False,
     "2020-01-07T16:01:00+01:00", "2020-01-07T16:02:00+01:00"),
    ("2020-01-07 16:01", "2020-01-07T16:01", "minute", False,
     "2020-01-07T16:01:00+01:00", "2020-01-07T16:02:00+01:00"),
    ("2020-01-07T16:01:30", "2020-01-07T16:01:30", "second", False,
     "2020-01-07T16:01:30+01:00", "2020-01-07T16:01:31+01:00"),
    ("~2020-01-07 16:01:30", "~2020-01-07T16:01:30", "second", True,
     "2020-01-07T16:01:30+01:00", "2020-01-07T16:01:31+01:00"),
    ("2020-01-07T15:01Z", "2020-01-07T16:01+01:00", "minute", False,
     "2020-01-07T16:01:00+01:00", "2020-01-07T16:02:00+01:00"),
    ("2020-01-07T18:01+03:00", "2020-01-07T16:01+01:00", "minute", False,
     "2020-01-07T16:01:00+01:00", "2020-01-07T16:02:00+01:00"),
    ("2019-06-10T09:15:07+02:00", "2019-06-10T09:15:07+02:00", "second", False,
     "2019-06-10T09:15:07+02:00", "2019-06-10T09:15:08+02:00"),
    ("2019-06-10T07:15:07Z", "2019-06-10T09:15:07+02:00", "second", False,
     "2019-06-10T09:15:07+02:00", "2019-06-10T09:15:08+02:00"),
    ("2019-06-10T02:15-05:00", "2019-06-10T09:15+02:00", "minute", False,
     "2019-06-10T09:15:00+02:00", "2019-06-10T09:16:00+02:00"),
    ("2019-12-31T23:30Z", "2020-01-01T00:30+01:00", "minute", False,
     "2020-01-01T00:30:00+01:00", "2020-01-01T00:31:00+01:00"),
    ("  ~2019-12 \n", "~2019-12", "month", True,
     "2019-12-01T00:00:00+01:00", "2020-01-01T00:00:00+01:00"),
    ("1900", "1900", "year", False,
     "1900-01-01T00:00:00+01:00", "1901-01-01T00:00:00+01:00"),
    ("2200", "2200", "year", False,
     "2200-01-01T00:00:00+01:00", "2201-01-01T00:00:00+01:00"),
    ("2200-12-31T23:59:59", "2200-12-31T23:59:59", "second", False,
     "2200-12-31T23:59:59+01:00", "2201-01-01T00:00:00+01:00"),
    # Spring forward (02:00 -> 03:00): the day has 23 hours and the month ends in summer time.
    ("2019-03-31", "2019-03-31", "day", False,
     "2019-03-31T00:00:00+01:00", "2019-04-01T00:00:00+02:00"),
    ("2019-03", "2019-03", "month", False,
     "2019-03-01T00:00:00+01:00", "2019-04-01T00:00:00+02:00"),
    ("2019-03-31T01:59", "2019-03-31T01:59", "minute", False,
     "2019-03-31T01:59:00+01:00", "2019-03-31T03:00:00+02:00"),
    ("2019-03-31T03:00", "2019-03-31T03:00", "minute", False,
     "2019-03-31T03:00:00+02:00", "2019-03-31T03:01:00+02:00"),
    ("2019-03-31T01:30Z", "2019-03-31T03:30+02:00", "minute", False,
     "2019-03-31T03:30:00+02:00", "2019-03-31T03:31:00+02:00"),
    # Fall back (03:00 -> 02:00): the day has 25 hours; a naive repeat-hour time is the first pass.
    ("2019-10-27", "2019-10-27", "day", False,
     "2019-10-27T00:00:00+02:00", "2019-10-28T00:00:00+01:00"),
    ("2019-10-27T02:30", "2019-10-27T02:30", "minute", False,
     "2019-10-27T02:30:00+02:00", "2019-10-27T02:31:00+02:00"),
    ("2019-10-27T00:30Z", "2019-10-27T02:30+02:00", "minute", False,
     "2019-10-27T02:30:00+02:00", "2019-10-27T02:31:00+02:00"),
    ("2019-10-27T01:30Z", "2019-10-27T02:30+01:00", "minute", False,
     "2019-10-27T02:30:00+01:00", "2019-10-27T02:31:00+01:00"),
    ("2019-10-27T02:59:59+02:00", "2019-10-27T02:59:59+02:00", "second", False,
     "2019-10-27T02:59:59+02:00", "2019-10-27T02:00:00+01:00"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "canonical", "precision", "approx", "start", "end"), EXAMPLES)
def test_examples(
    text: str, canonical: str, precision: str, approx: bool, start: str, end: str
) -> None:
    m = parse_moment(text)
    assert m.text == canonical
    assert m.start.isoformat() == start
    assert m.end.isoformat() == end
    assert m.precision == precision
    assert m.approximate is approx
    assert parse_moment(m.text) == m


ERRORS = [
    ("2019-13", "month must be 01-12"),
    ("2019-00", "month must be 01-12"),
    ("2019-02-30", "2019-02 has only 28 days"),
    ("2019-02-29", "2019-02 has only 28 days"),
    ("2100-02-29", "2100-02 has only 28 days"),
    ("2019-04-31", "2019-04 has only 30 days"),
    ("2019-12-00", "day must be 01-31"),
    ("2019-12-32", "day must be 01-31"),
    ("", "empty"),
    ("   ", "empty"),
    ("yesterday", "expected YYYY"),
    ("now", "expected YYYY"),
    ("2019-1", "expected YYYY"),
    ("19", "expected YYYY"),
    ("20190", "expected YYYY"),
    ("2019-12-1", "expected YYYY"),
    ("20191224", "expected YYYY"),
    ("2019/12/24", "expected YYYY"),
    ("2019-12-24T", "expected YYYY"),
    ("2019-12-24T10", "expected YYYY"),
    ("2019-12-24t10:00", "expected YYYY"),
    ("2019-12-24T10:00z", "expected YYYY"),
    ("2019-12-24  10:00", "expected YYYY"),
    ("2019-12Z", "expected YYYY"),
    ("2019-12-24Z", "expected YYYY"),
    ("2019-12-24T10:00+0100", "expected YYYY"),
    ("2019-12-24T10:00+01", "expected YYYY"),
    ("~ 2019", "expected YYYY"),
    ("２０１９", "expected YYYY"),  # full-width digits are not ASCII digits
    ("~", "nothing after ~"),
    ("~~2019", "only one ~ is allowed"),
    ("2019-12-01T24:00", "hour must be 00-23"),
    ("2019-12-01T10:60", "minute must be 00-59"),
    ("2019-12-01T10:00:60", "second must be 00-59"),
    ("1899", "year must be 1900-2200"),
    ("2201", "year must be 1900-2200"),
    ("0000-01-01", "year must be 1900-2200"),
    ("2019-12-01T10:00:00.5", "fractional seconds are not accepted"),
    ("2019-12-01T10:00:00,5", "fractional seconds are not accepted"),
    ("2019-12-01T10:00:00.000Z", "fractional seconds are not accepted"),
    ("2019-12-01T10:00+25:00", "offset must be between -12:00 and +14:00"),
    ("2019-12-01T10:00+14:01", "offset must be between -12:00 and +14:00"),
    ("2019-12-01T10:00-12:30", "offset must be between -12:00 and +14:00"),
    ("2019-12-01T10:00+01:60", "offset minutes must be 00-59"),
    ("2019-03-31T02:30", "2019-03-31T02:30 does not exist in Europe/Stockholm"),
    ("2019-03-31 02:00:00", "does not exist in Europe/Stockholm"),
    ("~2020-03-29T02:59", "does not exist in Europe/Stockholm"),
    # An offset that moves the instant out of range in Stockholm time.
    ("2200-12-31T23:30-01:00", "year must be 1900-2200; in Stockholm this is 2201-01-01 01:30"),
    ("1900-01-01T00:30+02:00", "year must be 1900-2200"),
]


@pytest.mark.parametrize(("text", "reason"), ERRORS)
def test_errors_name_the_text_and_reason(text: str, reason: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_moment(text)
    message = str(caught.value)
    assert message.startswith(f"not a time: {text!r} (")
    assert reason in message
    assert "\n" not in message


def test_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="month must be 01-12"):
        parse_moment("2019-13")


def test_error_message_for_long_text_stays_short() -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_moment("2019-12-24 " + "x" * 10_000)
    assert len(str(caught.value)) < 250


@pytest.mark.parametrize("value", [None, 2019, 2019.5, datetime(2019, 1, 1), b"2019", [0] * 999])
def test_non_text_is_an_error(value: object) -> None:
    with pytest.raises(TimeParseError, match="expected text, got") as caught:
        parse_moment(value)  # type: ignore[arg-type]
    assert len(str(caught.value)) < 150


def test_fold_texts_round_trip_to_different_instants() -> None:
    first = parse_moment("2019-10-27T02:30")
    second = parse_moment("2019-10-27T01:30Z")
    assert first.display() == second.display() == "2019-10-27 02:30"
    assert second.start - first.start == timedelta(hours=1)
    assert first != second
    assert parse_moment(second.text) == second
    assert parse_moment("2019-10-27T02:30+02:00").start == first.start


def test_ordering_and_comparison_are_by_instant_in_the_fold() -> None:
    # Datetimes sharing one ZoneInfo compare by wall time; these must compare by instant.
    early = parse_moment("2019-10-27T02:45+02:00")  # 00:45 UTC
    late = parse_moment("2019-10-27T02:30+01:00")  # 01:30 UTC
    assert early.end <= late.start
    assert early.sort_key() < late.sort_key()
    assert sorted([late, early], key=Moment.sort_key) == [early, late]
    assert known_state(late, early.end) == "unknown"
    assert known_state(early, late.start) == "known"
    assert occurred_state(late, parse_point("2019-10-27T02:50+02:00")) == "after"


def test_start_and_end_carry_stockholm_offsets() -> None:
    winter = parse_moment("2019-12-24T10:00Z")
    summer = parse_moment("2019-06-24T10:00Z")
    assert winter.start.utcoffset() == timedelta(hours=1)
    assert summer.start.utcoffset() == timedelta(hours=2)
    assert (winter.start.hour, summer.start.hour) == (11, 12)
    assert winter.start == datetime(2019, 12, 24, 11, tzinfo=STOCKHOLM)


# --- earliest / latest ------------------------------------------------------------------------

WIDENED = [
    ("~2019", "2018-01-01T00:00:00+01:00", "2021-01-01T00:00:00+01:00"),
    ("~2019-12", "2019-11-01T00:00:00+01:00", "2020-02-01T00:00:00+01:00"),
    ("~2019-01", "2018-12-01T00:00:00+01:00", "2019-03-01T00:00:00+01:00"),
    ("~2020-01-07", "2020-01-06T00:00:00+01:00", "2020-01-09T00:00:00+01:00"),
    ("~2020-03-01", "2020-02-29T00:00:00+01:00", "2020-03-03T00:00:00+01:00"),
    ("~2019-03-31", "2019-03-30T00:00:00+01:00", "2019-04-02T00:00:00+02:00"),
    ("~2019-10-26", "2019-10-25T00:00:00+02:00", "2019-10-28T00:00:00+01:00"),
    ("~2020-01-07T16:01", "2020-01-07T16:00:00+01:00", "2020-01-07T16:03:00+01:00"),
    ("~2020-01-07T16:01:30", "2020-01-07T16:01:29+01:00", "2020-01-07T16:01:32+01:00"),
    ("~2019-03-31T01:59", "2019-03-31T01:58:00+01:00", "2019-03-31T03:01:00+02:00"),
    ("~2200", "2199-01-01T00:00:00+01:00", "2202-01-01T00:00:00+01:00"),
    ("2020-01-07", "2020-01-07T00:00:00+01:00", "2020-01-08T00:00:00+01:00"),
]


@pytest.mark.parametrize(("text", "earliest", "latest"), WIDENED)
def test_earliest_and_latest(text: str, earliest: str, latest: str) -> None:
    m = parse_moment(text)
    assert m.earliest.isoformat() == earliest
    assert m.latest.isoformat() == latest


# --- display, JSON, instants ------------------------------------------------------------------

DISPLAYS = [
    ("2019", "2019"),
    ("2019-12", "2019-12"),
    ("~2019-12", "~2019-12"),
    ("2019-12-24", "2019-12-24"),
    ("~2020-01-07", "~2020-01-07"),
    ("2020-01-07T16:01", "2020-01-07 16:01"),
    ("2020-01-07T16:01:30", "2020-01-07 16:01:30"),
    ("~2020-01-07 16:01:30", "~2020-01-07 16:01:30"),
    ("2020-01-07T15:01Z", "2020-01-07 16:01"),
    ("2019-06-10T07:15:07Z", "2019-06-10 09:15:07"),
    ("1900-01-01T00:00:00", "1900-01-01 00:00:00"),
]


@pytest.mark.parametrize(("text", "shown"), DISPLAYS)
def test_display(text: str, shown: str) -> None:
    assert parse_moment(text).display() == shown


def test_to_json() -> None:
    assert parse_moment("~2019-12").to_json() == {
        "text": "~2019-12",
        "start": "2019-12-01T00:00:00+01:00",
        "end": "2020-01-01T00:00:00+01:00",
        "approximate": True,
    }
    assert parse_moment("2020-01-07T15:01Z").to_json() == {
        "text": "2020-01-07T16:01+01:00",
        "start": "2020-01-07T16:01:00+01:00",
        "end": "2020-01-07T16:02:00+01:00",
        "approximate": False,
    }


def test_moments_are_hashable_values() -> None:
    assert len({parse_moment("2019-12"), parse_moment(" 2019-12"), parse_moment("~2019-12")}) == 2
    with pytest.raises(AttributeError):
        parse_moment("2019").text = "2020"  # type: ignore[misc]


def test_format_instant_and_to_stockholm() -> None:
    recorded = datetime(2026, 11, 22, 17, 4, 5, 999_999, tzinfo=UTC)
    assert format_instant(recorded) == "2026-11-22 18:04:05"
    assert format_instant(datetime(2026, 6, 22, 17, 4, 5, tzinfo=UTC)) == "2026-06-22 19:04:05"
    local = to_stockholm(recorded)
    assert local == recorded
    assert local.isoformat() == "2026-11-22T18:04:05.999999+01:00"
    in_fold = to_stockholm(datetime(2019, 10, 27, 1, 30, tzinfo=UTC))
    assert in_fold.isoformat() == "2019-10-27T02:30:00+01:00"
    assert in_fold > to_stockholm(datetime(2019, 10, 27, 0, 45, tzinfo=UTC))


@pytest.mark.parametrize("function", [to_stockholm, format_instant])
def test_naive_instants_are_refused(function: object) -> None:
    with pytest.raises(ValueError, match="aware datetime"):
        function(datetime(2019, 12, 24, 10))  # type: ignore[operator]


# --- points and states ------------------------------------------------------------------------

POINTS = [
    ("2019-12-31", "2020-01-01T00:00:00+01:00"),
    ("2019", "2020-01-01T00:00:00+01:00"),
    ("2019-12", "2020-01-01T00:00:00+01:00"),
    ("2019-03-30", "2019-03-31T00:00:00+01:00"),
    ("2019-03-31", "2019-04-01T00:00:00+02:00"),
    ("2020-01-07T16:01", "2020-01-07T16:02:00+01:00"),
    ("2020-01-07T16:01:30", "2020-01-07T16:01:31+01:00"),
    ("2020-01-07T15:01Z", "2020-01-07T16:02:00+01:00"),
]


@pytest.mark.parametrize(("text", "point"), POINTS)
def test_parse_point(text: str, point: str) -> None:
    assert parse_point(text).isoformat() == point


@pytest.mark.parametrize("text", ["~2019", " ~2019-12-31", "~2020-01-07T16:01"])
def test_point_cannot_be_approximate(text: str) -> None:
    with pytest.raises(TimeParseError, match="a point in time cannot be approximate") as caught:
        parse_point(text)
    assert repr(text) in str(caught.value)


def test_point_errors_are_parse_errors() -> None:
    with pytest.raises(TimeParseError, match="not a time: 'yesterday'"):
        parse_point("yesterday")


STATES = [
    # known, at, known_state, occurred_state
    ("2019-12-24", "2019-12-24", "known", "before"),
    ("2019-12-24", "2019-12-23", "unknown", "after"),
    ("2019-12-24", "2019-12-24T11:00", "possibly", "possibly"),
    ("2019-12", "2019-12-24", "possibly", "possibly"),
    ("2019-12", "2019-12", "known", "before"),
    ("2019-12", "2019-11", "unknown", "after"),
    ("2019-12", "2019", "known", "before"),
    ("~2019-12", "2019-12", "possibly", "possibly"),
    ("~2019-12", "2020-01", "known", "before"),
    ("~2019-12", "2019-10", "unknown", "after"),
    ("~2019-12", "2019-09", "unknown", "after"),
    ("2020-01-07T16:01", "2020-01-07T16:01", "known", "before"),
    ("2020-01-07T16:01", "2020-01-07T16:00:59", "unknown", "after"),
    ("2020-01-07T16:01", "2020-01-07T16:01:30", "possibly", "possibly"),
    ("~2020-01-07T16:01", "2020-01-07T16:01", "possibly", "possibly"),
    ("2020-01-07T16:01:30", "2020-01-07T16:01:30", "known", "before"),
]


@pytest.mark.parametrize(("text", "at", "known", "occurred"), STATES)
def test_states(text: str, at: str, known: str, occurred: str) -> None:
    point = parse_point(at)
    assert known_state(parse_moment(text), point) == known
    assert occurred_state(parse_moment(text), point) == occurred


def test_states_accept_any_aware_point_and_refuse_naive() -> None:
    m = parse_moment("2019-12-24")
    assert known_state(m, datetime(2019, 12, 24, 23, 0, tzinfo=UTC)) == "known"
    assert known_state(m, datetime(2019, 12, 24, 22, 59, tzinfo=UTC)) == "possibly"
    assert occurred_state(m, datetime(2019, 12, 24, 0, 0, tzinfo=STOCKHOLM)) == "after"
    with pytest.raises(ValueError, match="aware datetime"):
        known_state(m, datetime(2019, 12, 25))
    with pytest.raises(ValueError, match="aware datetime"):
        occurred_state(m, datetime(2019, 12, 25))


# --- calendar edges ---------------------------------------------------------------------------


@cache
def all_days() -> list[date]:
    first, last = date(1899, 1, 1), date(2202, 12, 31)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_every_local_midnight_exists() -> None:
    # Day, month and year edges are local midnights; the module relies on them all existing.
    for day in all_days():
        midnight = datetime(day.year, day.month, day.day, tzinfo=STOCKHOLM)
        back = midnight.astimezone(UTC).astimezone(STOCKHOLM)
        assert back.replace(tzinfo=None) == midnight.replace(tzinfo=None), day


@cache
def dst_days() -> list[date]:
    """Days between 1900 and 2200 on which Stockholm changed its clocks."""
    return [
        day
        for day in all_days()
        if 1900 <= day.year <= 2200
        and datetime(day.year, day.month, day.day, 12, tzinfo=STOCKHOLM).utcoffset()
        != (datetime(day.year, day.month, day.day, tzinfo=STOCKHOLM) - timedelta(hours=12))
        .astimezone(STOCKHOLM)
        .utcoffset()
    ]


def test_dst_days_found() -> None:
    days = dst_days()
    assert date(2019, 3, 31) in days
    assert date(2019, 10, 27) in days
    assert 400 < len(days) < 500


# --- properties -------------------------------------------------------------------------------

OFFSETS = st.builds(
    lambda minutes: (
        f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    ),
    st.integers(-12 * 60, 14 * 60),
)


@st.composite
def texts(draw: st.DrawFn, precision: str | None = None, approximate: bool | None = None) -> str:
    """A valid written time, often on a day the clocks change."""
    precision = precision or draw(st.sampled_from(PRECISIONS))
    if draw(st.booleans()):
        day = draw(st.sampled_from(dst_days()))
        hour = draw(st.integers(0, 4))
    else:
        year = draw(st.integers(1900, 2200))
        month = draw(st.integers(1, 12))
        day = date(year, month, draw(st.integers(1, calendar.monthrange(year, month)[1])))
        hour = draw(st.integers(0, 23))
    if approximate is None:
        approximate = draw(st.booleans())
    text = "~" if approximate else ""
    text += f"{day:%Y}"
    if precision != "year":
        text += f"-{day:%m}"
    if precision not in ("year", "month"):
        text += f"-{day:%d}"
    if precision in ("minute", "second"):
        text += draw(st.sampled_from("T ")) + f"{hour:02d}:{draw(st.integers(0, 59)):02d}"
        if precision == "second":
            text += f":{draw(st.integers(0, 59)):02d}"
        text += draw(st.one_of(st.just(""), st.just("Z"), OFFSETS))
    return draw(st.sampled_from(["", " ", "\t"])) + text + draw(st.sampled_from(["", " ", "\n"]))


def parse_or_reject(text: str) -> Moment:
    """Parse a generated text; only the two legitimate refusals are skipped."""
    try:
        return parse_moment(text)
    except TimeParseError as error:
        message = str(error)
        assume("does not exist in Europe/Stockholm" not in message)
        assume("in Stockholm this is" not in message)
        raise


def moments(precision: str | None = None, approximate: bool | None = None) -> st.SearchStrategy:
    return texts(precision, approximate).map(parse_or_reject)


def utc(dt: datetime) -> datetime:
    return dt.astimezone(UTC)


@st.composite
def points_near(draw: st.DrawFn, m: Moment) -> datetime:
    """An aware point, often on or next to one of the moment's edges."""
    if draw(st.booleans()):
        return draw(
            st.datetimes(
                datetime(1898, 1, 1),
                datetime(2203, 1, 1),
                timezones=st.sampled_from([UTC, STOCKHOLM, timezone(timedelta(hours=-5))]),
                allow_imaginary=False,
            )
        )
    edge = draw(st.sampled_from([m.earliest, m.start, m.end, m.latest]))
    nudge = draw(st.sampled_from([0, 1, -1, 60, -60, 3600, -3600]))
    return edge + timedelta(seconds=nudge)


@settings(max_examples=200)
@given(moments())
def test_text_round_trips(m: Moment) -> None:
    again = parse_moment(m.text)
    assert again == m
    assert again.text == m.text
    assert hash(again) == hash(m)
    assert m.text == m.text.strip()


@settings(max_examples=200)
@given(moments())
def test_interval_shape(m: Moment) -> None:
    assert m.earliest <= m.start < m.end <= m.latest
    assert (m.earliest < m.start and m.end < m.latest) is m.approximate
    assert m.display().startswith("~") is m.approximate
    assert m.to_json()["text"] == m.text
    assert datetime.fromisoformat(str(m.to_json()["start"])) == m.start
    assert datetime.fromisoformat(str(m.to_json()["end"])) == m.end


@settings(max_examples=200)
@given(moments())
def test_edges_are_stockholm_local_time(m: Moment) -> None:
    for edge in (m.start, m.end, m.earliest, m.latest):
        real = edge.astimezone(STOCKHOLM)
        assert edge.utcoffset() == real.utcoffset()
        assert edge.replace(tzinfo=None) == real.replace(tzinfo=None)


@settings(max_examples=200)
@given(moments())
def test_one_unit_long(m: Moment) -> None:
    start, end = m.start.replace(tzinfo=None), m.end.replace(tzinfo=None)
    if m.precision == "minute":
        assert m.end - m.start == timedelta(minutes=1)
    elif m.precision == "second":
        assert m.end - m.start == timedelta(seconds=1)
    else:
        assert start.time() == end.time() == datetime.min.time()
        if m.precision == "day":
            assert end == start + timedelta(days=1)
        elif m.precision == "month":
            assert start.day == end.day == 1
            assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == 1
        else:
            assert (start.month, start.day, end.month, end.day) == (1, 1, 1, 1)
            assert end.year == start.year + 1


@settings(max_examples=200)
@given(moments(approximate=False), moments(approximate=False))
def test_order_follows_instants(a: Moment, b: Moment) -> None:
    if a.end <= b.start:
        assert a.sort_key() < b.sort_key()
    instants_a = (utc(a.start), utc(a.end))
    instants_b = (utc(b.start), utc(b.end))
    assert (a.sort_key() < b.sort_key()) is (instants_a < instants_b)
    assert (a.sort_key() == b.sort_key()) is (instants_a == instants_b)


@settings(max_examples=200)
@given(
    st.sampled_from(dst_days()) | st.dates(date(1900, 1, 1), date(2200, 12, 31)),
    st.times(),
    st.booleans(),
)
def test_nesting(day: date, clock: datetime, approximate: bool) -> None:
    wall = datetime.combine(day, clock).replace(microsecond=0)
    tilde = "~" if approximate else ""
    texts = [
        f"{tilde}{wall:%Y}",
        f"{tilde}{wall:%Y-%m}",
        f"{tilde}{wall:%Y-%m-%d}",
        f"{tilde}{wall:%Y-%m-%dT%H:%M}",
        f"{tilde}{wall:%Y-%m-%dT%H:%M:%S}",
    ]
    try:
        chain = [parse_moment(text) for text in texts]
    except TimeParseError as error:
        assume("does not exist in Europe/Stockholm" not in str(error))
        raise
    for outer, inner in itertools.pairwise(chain):
        assert outer.start <= inner.start < inner.end <= outer.end
        assert outer.earliest <= inner.earliest < inner.latest <= outer.latest


@settings(max_examples=200)
@given(st.data())
def test_known_state_follows_its_definition(data: st.DataObject) -> None:
    k = data.draw(moments())
    t = data.draw(points_near(k))
    state = known_state(k, t)
    assert (state == "known") is (k.latest <= t)
    assert (state == "possibly") is (k.earliest < t < k.latest)
    assert (state == "unknown") is (t <= k.earliest)
    assert OCCURRED_RANK[occurred_state(k, t)] == KNOWN_RANK[state]


@settings(max_examples=200)
@given(st.data())
def test_states_are_monotonic(data: st.DataObject) -> None:
    k = data.draw(moments())
    first, second = sorted((data.draw(points_near(k)), data.draw(points_near(k))), key=utc)
    assert KNOWN_RANK[known_state(k, first)] <= KNOWN_RANK[known_state(k, second)]
    assert OCCURRED_RANK[occurred_state(k, first)] <= OCCURRED_RANK[occurred_state(k, second)]
    if known_state(k, first) == "known":
        assert known_state(k, second) == "known"


@settings(max_examples=200)
@given(texts())
def test_point_is_end_of_moment(text: str) -> None:
    m = parse_or_reject(text)
    if m.approximate:
        with pytest.raises(TimeParseError, match="cannot be approximate"):
            parse_point(text)
    else:
        assert parse_point(text) == m.end
        assert known_state(m, parse_point(text)) == "known"
        assert occurred_state(m, parse_point(text)) == "before"
