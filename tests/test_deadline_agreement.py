"""`known` and `check` read one deadline computation: for every open investigation, the due
interval `known` reports is the one `check` judges against (issue: they once disagreed by a
day, and `known` honoured an extension decided too late)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.timeparse import parse_point_moment
from projections.knowledge import snapshot
from projections.rules import check

from .test_rules import record


def _day(start: datetime, days: int, precision: str) -> str:
    text = (start + timedelta(days=days)).date().isoformat()
    return text[:7] if precision == "month" else text


@settings(max_examples=60, deadline=None)
@given(
    opened_day=st.integers(0, 700),
    precision=st.sampled_from(["day", "month"]),
    extensions=st.lists(
        st.tuples(st.integers(10, 200), st.integers(100, 300), st.sampled_from(["day", "month"])),
        max_size=2,
    ),
)
def test_known_and_check_give_the_same_due_interval(opened_day, precision, extensions) -> None:
    base = datetime(2019, 1, 1)
    records = [record(1, "InvestigationOpened", _day(base, opened_day, precision))]
    for i, (decided, new, ext_precision) in enumerate(extensions, start=2):
        records.append(
            record(
                i,
                "InvestigationExtended",
                _day(base, opened_day + decided, ext_precision),
                new_deadline=_day(base, opened_day + new, "day"),
                reason="more time",
            )
        )
    # Asked before any deadline can have passed, with every extension already known.
    point = parse_point_moment(_day(base, opened_day + 301, "day"))
    snap = snapshot(records, point)
    [open_] = snap.status.open_investigations
    report = check(records, as_known_at=point.end, point=point)
    [finding] = [f for f in report.findings if f.rule == "investigation-4-months"]
    assert finding.due is not None
    assert (open_.due.lo, open_.due.hi) == (finding.due.lo, finding.due.hi)
    assert open_.due.clock().to_json() == finding.due.clock().to_json()
