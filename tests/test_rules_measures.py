"""measure-overdue: a measure decided after a lex Sarah investigation or händelseanalys is
carried out by its own due date, or within the local-policy months where the records give
none; a warning at most (neither threshold is a statute's), `no_record` outside declared
coverage, ended by cancellation, never ended by the child's death."""

from __future__ import annotations

from typing import Any

import pytest

from projections.records import Record
from projections.rules import Policy

from .test_rules import at, explained, of, one, record
from .test_rules_whole_case import run

# The assertions read the English wording (Swedish is tested in test_language.py).
pytestmark = pytest.mark.usefixtures("english")

RULE = "measure-overdue"


def measure(seq: int = 1, occurred: str = "2021-03-01", **kw: Any) -> Record:
    kw.setdefault("due", "2021-06-30")
    kw.setdefault("status", "planned")
    return record(
        seq, "MeasureDecided", occurred, measure="review the routine", owner="enhetschef", **kw
    )


def changed(seq: int, occurred: str, status: str = "implemented", of_: int = 1) -> Record:
    return record(seq, "MeasureStatusChanged", occurred, measure=of_, status=status)


@pytest.mark.parametrize(("done", "status"), [("2021-06-30", None), ("2021-07-01", "warning")])
def test_a_measure_is_carried_out_by_its_own_due_date(done: str, status: str | None) -> None:
    found = of(run([measure(), changed(2, done)]), RULE)
    assert [(f.status, f.policy) for f in found] == ([(status, "local")] if status else [])


def test_an_evaluated_measure_meets_it_and_a_started_one_does_not() -> None:
    assert not of(run([measure(), changed(2, "2021-05-01", "evaluated")]), RULE)
    finding = one(run([measure(), changed(2, "2021-05-01", "started")]), RULE)
    assert finding.status == "warning" and finding.refs == (1,)
    assert "by its own due date 2021-06-30" in finding.message


def test_a_measure_decided_as_already_carried_out_starts_nothing() -> None:
    report = run([measure(status="implemented")])
    assert explained(report, RULE).triggered == 0


def test_without_a_due_date_the_local_policy_months_apply() -> None:
    records = [measure(due="not_documented"), changed(2, "2021-09-15")]
    finding = one(run(records), RULE)
    assert finding.status == "warning"
    assert "within 6 months (local policy" in finding.message
    assert not of(run(records, policy=Policy(measure_due_months=7)), RULE)
    assert not of(run([measure(due="not_documented"), changed(2, "2021-09-01")]), RULE)


def test_outside_declared_coverage_a_measure_never_recorded_as_done_is_no_record() -> None:
    finding = one(run([measure()], complete=False), RULE)
    assert finding.status == "no_record"
    assert "not documented in the examined records" in (finding.reason or "")


def test_a_measure_still_open_is_pending_until_its_due_date() -> None:
    finding = one(run([measure()], as_known_at=at("2021-05-01")), RULE)
    assert finding.status == "pending"


def test_cancelled_before_it_fell_due_ends_it_and_the_death_does_not() -> None:
    cancelled = run([measure(), changed(2, "2021-05-01", "cancelled")])
    assert not of(cancelled, RULE) and explained(cancelled, RULE).lapsed == 1
    late = one(run([measure(), changed(2, "2021-08-01", "cancelled")]), RULE)
    assert late.status == "warning"
    died = run([record(2, "ChildDied", "2021-02-01"), measure(3, "2021-03-01")])
    assert one(died, RULE).status == "warning"


def test_an_imprecise_due_date_that_the_act_may_have_met_is_undetermined() -> None:
    finding = one(run([measure(due="2021-06"), changed(2, "2021")]), RULE)
    assert finding.status == "undetermined" and "dated only to the year" in (finding.reason or "")
    assert not of(run([measure(due="2021-06"), changed(2, "2021-06")]), RULE)


def test_measures_of_another_agency_are_not_judged() -> None:
    report = run([measure(agency="IVO")])
    assert explained(report, RULE).triggered == 0
