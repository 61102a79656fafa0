"""Findings grouped by month fall in the month their trigger's time names, as written.

A time that names no single month (a season, a week or an interval across two months) is
its own group: never the month it only begins in, which would print an imprecise date as an
exact one. A time narrowed by the entries it followed falls where its record says, so a fresh
check and a kept report group alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from ledger.timeparse import STOCKHOLM, parse_moment
from projections.rules.output import month_group


@pytest.mark.parametrize(
    ("written", "group"),
    [
        ("2019-04-02", "2019-04"),
        ("2019-04-02T23:59", "2019-04"),
        ("~2019-04-02", "~2019-04"),
        ("sen december 2019", "2019-12"),
        ("2019-04-02/2019-04-20", "2019-04"),
        ("v. 14 2019", "2019-04"),  # 1-7 April
        ("2019", "2019"),
        ("~2019", "~2019"),
        # Across months: as written, not the month it begins in.
        ("våren 2019", "våren 2019"),
        ("2019-04-28/2019-05-03", "2019-04-28/2019-05-03"),
        ("v. 9 2019", "2019-W09"),  # 25 February to 3 March
    ],
)
def test_a_trigger_time_falls_in_the_month_it_names(written: str, group: str) -> None:
    moment = parse_moment(written)
    assert month_group(moment) == (group, moment.start)


def test_a_time_narrowed_by_what_it_followed_is_grouped_as_written() -> None:
    spring = parse_moment("våren 2019")
    # After an entry of 10 May: the clock's interval narrows to its last three weeks.
    narrowed = replace(spring, start=datetime(2019, 5, 10, tzinfo=STOCKHOLM))
    assert month_group(narrowed) == month_group(spring) == ("våren 2019", spring.start)
