"""Journal dates: intervals, weeks, EDTF qualifiers and seasons, Swedish phrases (issue 15).

Each becomes an interval with its precision kept in its text, and the text the ledger prints
reads back as the same Moment (deadlines included)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cli.main import cli
from ledger.timeparse import (
    MONTHS,
    PARTS,
    TimeParseError,
    parse_moment,
    parse_point,
    parse_point_moment,
)
from projections.deadlines import Due, end_of_day

EXAMPLES = [
    # written, canonical text, precision, approximate, first day, last day (inclusive)
    ("2019-12-20/2019-12-31", "2019-12-20/2019-12-31", "interval", False,
     "2019-12-20", "2019-12-31"),
    ("2019-12/2020-01", "2019-12/2020-01", "interval", False, "2019-12-01", "2020-01-31"),
    ("2020-04-10/2020-04-10", "2020-04-10", "day", False, "2020-04-10", "2020-04-10"),
    ("2019-12~", "~2019-12", "month", True, "2019-12-01", "2019-12-31"),
    ("2019~", "~2019", "year", True, "2019-01-01", "2019-12-31"),
    ("2019-12-20~", "~2019-12-20", "day", True, "2019-12-20", "2019-12-20"),
    ("2019-12?", "2019-12?", "month", True, "2019-12-01", "2019-12-31"),
    ("2019-12%", "2019-12%", "month", True, "2019-12-01", "2019-12-31"),
    ("2019-21", "2019-21", "season", False, "2019-03-01", "2019-05-31"),
    ("2019-22", "2019-22", "season", False, "2019-06-01", "2019-08-31"),
    ("2019-23", "2019-23", "season", False, "2019-09-01", "2019-11-30"),
    ("början av december 2019", "början av december 2019", "part_of_month", False,
     "2019-12-01", "2019-12-10"),
    ("i början av december 2019", "början av december 2019", "part_of_month", False,
     "2019-12-01", "2019-12-10"),
    ("mitten av december 2019", "mitten av december 2019", "part_of_month", False,
     "2019-12-11", "2019-12-20"),
    ("Slutet av  December 2019", "slutet av december 2019", "part_of_month", False,
     "2019-12-21", "2019-12-31"),
    ("sen december 2019", "sen december 2019", "part_of_month", False, "2019-12-21", "2019-12-31"),
    ("sen feb. 2020", "sen februari 2020", "part_of_month", False, "2020-02-21", "2020-02-29"),
    ("tidig mars 2019", "tidig mars 2019", "part_of_month", False, "2019-03-01", "2019-03-10"),
    ("våren 2018", "våren 2018", "season", False, "2018-03-01", "2018-05-31"),
    ("hösten 2019", "hösten 2019", "season", False, "2019-09-01", "2019-11-30"),
    ("vintern 2019/2020", "vintern 2019/2020", "season", False, "2019-12-01", "2020-02-29"),
    ("vintern 2019-20", "vintern 2019/2020", "season", False, "2019-12-01", "2020-02-29"),
    ("v. 52 2019", "2019-W52", "week", False, "2019-12-23", "2019-12-29"),
    ("v 1 2020", "2020-W01", "week", False, "2019-12-30", "2020-01-05"),
    ("vecka 9, 2020", "2020-W09", "week", False, "2020-02-24", "2020-03-01"),
    ("2020-W01", "2020-W01", "week", False, "2019-12-30", "2020-01-05"),
    ("ca 2019-12-20", "~2019-12-20", "day", True, "2019-12-20", "2019-12-20"),
    ("cirka 2019-12", "~2019-12", "month", True, "2019-12-01", "2019-12-31"),
    ("ca v. 52 2019", "~2019-W52", "week", True, "2019-12-23", "2019-12-29"),
    ("ca slutet av december 2019", "ca slutet av december 2019", "part_of_month", True,
     "2019-12-21", "2019-12-31"),
    ("20 december 2019", "2019-12-20", "day", False, "2019-12-20", "2019-12-20"),
    ("den 3 jan 2020", "2020-01-03", "day", False, "2020-01-03", "2020-01-03"),
    ("december 2019", "2019-12", "month", False, "2019-12-01", "2019-12-31"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "canonical", "precision", "approx", "first", "last"), EXAMPLES)
def test_journal_forms(
    text: str, canonical: str, precision: str, approx: bool, first: str, last: str
) -> None:
    m = parse_moment(text)
    assert (m.text, m.precision, m.approximate) == (canonical, precision, approx)
    assert m.start.date().isoformat() == first
    assert m.start.time().isoformat() == "00:00:00"
    assert end_of_day(date.fromisoformat(last)) == m.end
    again = parse_moment(m.text)
    assert again == m  # what the ledger prints reads back as the same clock
    assert m.display() == m.text or m.precision in ("year", "month", "day")


def test_approximate_forms_widen_by_one_of_their_units() -> None:
    week = parse_moment("ca v. 52 2019")
    assert week.earliest == parse_moment("2019-W51").start
    assert week.latest == parse_moment("2020-W01").end
    season = parse_moment("~2019-21")
    assert season.earliest == parse_moment("2018-12").start
    assert season.latest == parse_moment("2019-08").end
    uncertain = parse_moment("2019-12?")
    assert (uncertain.earliest, uncertain.latest) == (
        parse_moment("2019-11").start,
        parse_moment("2020-01").end,
    )


JOURNAL_ERRORS = [
    ("2019-24", "winter spans two years"),
    ("vintern 2019", "winter spans two years"),
    ("vintern 2019/2021", "the winter after 2019 ends in 2020"),
    ("2019-25", "month must be 01-12 (or 21-23"),
    ("2019-12-31/2019-12-01", "the interval ends (2019-12-01) before it starts (2019-12-31)"),
    ("~2019-12-20/2019-12-31", "an interval cannot be approximate"),
    ("ca 2019-12-20/2019-12-31", "an interval cannot be approximate"),
    ("2019-12-20/", "expected YYYY"),
    ("2019-12-20/2019-12-31/2020-01-05", "expected YYYY"),
    ("v. 54 2019", "2019 has no ISO week 54"),
    ("2019-W00", "2019 has no ISO week 0"),
    ("31 februari 2019", "2019-02 has no day 31"),
    ("ca ~2019", "only one of ~ and ca is allowed"),
    ("ca ca 2019", "only one of ~ and ca is allowed"),
    ("~2019-12?", "only one ~ is allowed"),
    ("slutet av 2019", "expected YYYY"),
    ("sen decembr 2019", "expected YYYY"),
    ("våren 1899", "year must be 1900-2200"),
    ("december 19", "expected YYYY"),
]


@pytest.mark.parametrize(("text", "reason"), JOURNAL_ERRORS)
def test_journal_errors_quote_the_text_and_say_why(text: str, reason: str) -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_moment(text)
    message = str(caught.value)
    assert message.startswith(f"not a time: {text!r} (")
    assert reason in message
    assert len(message) < 250


@pytest.mark.parametrize("text", ["ca 2019", "2019-12?", "2019-12~", "ca sen december 2019"])
def test_a_point_in_time_cannot_be_approximate_in_any_form(text: str) -> None:
    with pytest.raises(TimeParseError, match="cannot be approximate"):
        parse_point_moment(text)


def test_a_journal_point_means_its_end() -> None:
    assert parse_point("sen december 2019") == parse_moment("2020-01").start
    assert parse_point("v. 52 2019") == parse_moment("2019-12-30").start
    assert parse_point("2019-12-20/2019-12-31") == parse_moment("2020-01-01").start


@settings(max_examples=300)
@given(st.dates(date(1900, 1, 1), date(2200, 12, 31)), st.integers(0, 400))
def test_every_deadline_text_reads_back_as_its_clock(first: date, span: int) -> None:
    last = min(first + timedelta(days=span), date(2200, 12, 31))
    due = Due(end_of_day(first), end_of_day(last))
    clock = due.clock()
    read = parse_moment(due.text)
    assert (read.start, read.end) == (clock.start, clock.end)
    assert read.text == due.text


@settings(max_examples=300)
@given(
    st.integers(1900, 2200),
    st.integers(1, 12),
    st.sampled_from(sorted(PARTS)),
    st.sampled_from(sorted(MONTHS)),
    st.booleans(),
)
def test_parts_of_months_nest_in_their_month(
    year: int, _month: int, part: str, month_name: str, approximate: bool
) -> None:
    text = ("ca " if approximate else "") + f"{part} {month_name} {year}"
    m = parse_moment(text)
    month = parse_moment(f"{year:04d}-{MONTHS[month_name]:02d}")
    assert month.start <= m.start < m.end <= month.end
    assert parse_moment(m.text) == m
    assert m.approximate is approximate
    assert m.earliest <= m.start < m.end <= m.latest


@settings(max_examples=200)
@given(st.integers(1900, 2200), st.integers(1, 53))
def test_weeks_are_seven_days_from_a_monday(year: int, week: int) -> None:
    try:
        m = parse_moment(f"v. {week} {year}")
    except TimeParseError as error:
        assert week == 53 and "no ISO week 53" in str(error)
        return
    assert m.start.weekday() == 0
    assert (m.end.date() - m.start.date()).days == 7
    assert parse_moment(m.text) == m


@pytest.mark.usefixtures("english")
def test_record_and_views_take_journal_dates(tmp_path: Path) -> None:
    """`record --occurred`, `--known` and a view's `--as-known-at` share the one grammar."""
    db = str(tmp_path / "l.db")
    runner = CliRunner()
    steps = [
        ["record", "J-1", "NoteRecorded", "--occurred", "sen december 2019", "--known",
         "v. 1 2020", "--agency", "BVC", "--field", "text=Weight loss noted."],
        ["record", "J-1", "NoteRecorded", "--occurred", "2019-12-20/2019-12-31",
         "--agency", "BVC", "--field", "text=Second note."],
    ]  # fmt: skip
    for args in steps:
        result = runner.invoke(cli, ["--db", db, *args], env={"LEDGER_USER": "t"})
        assert result.exit_code == 0, result.output
    result = runner.invoke(
        cli,
        ["--db", db, "timeline", "J-1", "--as-known-at", "v. 52 2019", "--format", "json"],
        env={"LEDGER_USER": "t"},
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert [e["occurred"]["text"] for e in document["entries"]] == ["2019-12-20/2019-12-31"]
    assert document["view"]["as_known_at"]["text"] == "2019-W52"
    result = runner.invoke(
        cli, ["--db", db, "timeline", "J-1", "--format", "json"], env={"LEDGER_USER": "t"}
    )
    first = json.loads(result.output)["entries"][0]
    assert first["occurred"]["text"] in ("sen december 2019", "2019-12-20/2019-12-31")
    texts = {e["known"]["text"] for e in json.loads(result.output)["entries"]}
    assert "2020-W01" in texts
    bad = runner.invoke(
        cli,
        ["--db", db, "record", "J-1", "NoteRecorded", "--occurred", "sent 2019",
         "--agency", "BVC", "--field", "text=x"],
        env={"LEDGER_USER": "t"},
    )  # fmt: skip
    assert bad.exit_code == 2
    assert "not a time: 'sent 2019'" in bad.output
