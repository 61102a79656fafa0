"""The example cases import cleanly and their timelines say what the public record says."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import orjson
import pytest

from ledger.application import CaseLedger
from ledger.importer import Source, import_sources
from ledger.storage import sqlite_store
from ledger.timeparse import parse_point, parse_point_moment
from projections.records import Record, to_records
from projections.timeline import ViewPoint, timeline

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FILES = ("lilla-hjartat.jsonl", "astorp.jsonl")


@pytest.fixture(scope="module")
def example_ledger(tmp_path_factory: pytest.TempPathFactory) -> CaseLedger:
    ledger = CaseLedger(sqlite_store(str(tmp_path_factory.mktemp("ex") / "examples.db")))
    sources = [Source(name, (EXAMPLES / name).read_bytes().splitlines()) for name in FILES]
    report = import_sources(ledger, sources)
    assert report.skipped == 0 and report.cases == {"NK-LH", "AS-2020"}
    return ledger


def records(ledger: CaseLedger, case: str) -> list[Record]:
    return to_records(ledger.history(case))


def by_ref(rs: list[Record]) -> dict[str | None, Record]:
    return {r.ref: r for r in rs}


@pytest.mark.parametrize("name", FILES)
def test_every_example_line_names_its_source_and_a_pseudonymous_actor(name: str) -> None:
    for number, line in enumerate((EXAMPLES / name).read_bytes().splitlines(), start=1):
        obj = orjson.loads(line)
        assert obj.get("source"), f"{name}:{number} has no source"
        assert obj.get("actor") not in ("the child", "Lilla Hjärtat"), f"{name}:{number}"


def test_reimporting_the_examples_stores_nothing_new(example_ledger: CaseLedger) -> None:
    sources = [Source(name, (EXAMPLES / name).read_bytes().splitlines()) for name in FILES]
    again = import_sources(example_ledger, sources)
    assert again.recorded == 0 and again.skipped == again.lines


def test_lilla_hjartat_two_reports_two_assessments_no_immediate_protection(
    example_ledger: CaseLedger,
) -> None:
    rs = records(example_ledger, "NK-LH")
    reports = [r for r in rs if r.type == "ConcernReportReceived"]
    assessments = [r for r in rs if r.type == "ProtectionAssessmentMade"]
    assert [r.occurred.text for r in reports] == ["2019-12", "2020-01"]
    assert [a.fields["report"] for a in assessments] == [r.seq for r in reports]
    assert all(a.fields["immediate_protection_needed"] is False for a in assessments)
    assert all(a.assessment and a.is_decision for a in assessments)


def test_lilla_hjartat_conflicting_court_dates_are_kept_apart(example_ledger: CaseLedger) -> None:
    rulings = [
        r
        for r in records(example_ledger, "NK-LH")
        if r.type == "AppealDecided" and r.agency == "Kammarrätten i Jönköping"
    ]
    assert sorted(r.occurred.text for r in rulings) == ["2018-09", "2019"]
    assert len({r.source for r in rulings}) == 2


def test_lilla_hjartat_move_home_was_planned_with_the_parents_steering(
    example_ledger: CaseLedger,
) -> None:
    plans = [r for r in records(example_ledger, "NK-LH") if r.type == "HomeTransitionPlanned"]
    assert [p.fields["led_by"] for p in plans] == ["foraldrar"]


def test_the_timeline_at_the_end_of_2019_knows_nothing_from_2020(
    example_ledger: CaseLedger,
) -> None:
    at = parse_point("2019-12-31")
    entries = timeline(
        records(example_ledger, "NK-LH"), ViewPoint(as_known_at=parse_point_moment("2019-12-31"))
    )
    assert entries, "the case had a history by the end of 2019"
    certain = [e for e in entries if e.knowledge == "known"]
    assert all(e.record.known.latest <= at for e in certain)
    assert all(e.record.known.start.year < 2020 for e in certain)
    # "~2019-12" may have been early January and "~2020-01" late December: both are shown,
    # and said to be only possibly known, never silently in or out.
    possibly = {e.record.ref for e in entries if e.knowledge == "possibly"}
    assert possibly == {"bvc-request", "bvc-reply"}
    refs = {e.record.ref for e in entries}
    assert {"report-1", "pa-1"} <= refs
    assert not refs & {"report-2", "pa-2", "child-died", "ivo-decision"}


def test_the_timeline_is_in_occurred_order_with_seq_breaking_ties(
    example_ledger: CaseLedger,
) -> None:
    entries = timeline(records(example_ledger, "NK-LH"))
    keys = [e.record.order_key() for e in entries]
    assert keys == sorted(keys)
    starts: list[datetime] = [e.record.occurred.start for e in entries]
    assert starts == sorted(starts)


def test_astorp_records_ivos_decision_with_what_it_criticised(example_ledger: CaseLedger) -> None:
    rs = by_ref(records(example_ledger, "AS-2020"))
    decision = next(r for r in rs.values() if r.type == "SupervisionDecision")
    assert decision.agency == "IVO" and decision.assessment
    criticised = {r.type for r in rs.values() if r.seq in decision.basis}
    assert {"HomeTransitionPlanned", "ChildMovedHome"} <= criticised
    types = {r.type for r in rs.values()}
    assert "FosterCarerSupportProvided" not in types
    assert not any(r.type == "PlanAdopted" and r.fields.get("revision") for r in rs.values())
