"""What was known at the time: snapshots, decisions, hindsight and corrections."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ledger.application import CaseLedger
from ledger.importer import Source, import_sources
from ledger.storage import sqlite_store
from ledger.timeparse import (
    Moment,
    known_state,
    occurred_state,
    parse_moment,
    parse_point,
    parse_point_moment,
    precedes,
)
from projections.corrections import as_known
from projections.decisions import decisions, knowledge_at
from projections.gaps import gaps
from projections.knowledge import Snapshot, snapshot
from projections.records import Record, to_records

from .test_examples import EXAMPLES, FILES

# ---------------------------------------------------------------- the example cases


@pytest.fixture(scope="module")
def example_records(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Record]]:
    ledger = CaseLedger(sqlite_store(str(tmp_path_factory.mktemp("k") / "k.db")))
    import_sources(
        ledger, [Source(name, (EXAMPLES / name).read_bytes().splitlines()) for name in FILES]
    )
    return {case: to_records(ledger.history(case)) for case in ("NK-LH", "AS-2020")}


def by_ref(records: list[Record]) -> dict[str | None, Record]:
    return {r.ref: r for r in records}


@pytest.mark.parametrize("assessment", ["pa-1", "pa-2"])
def test_each_protection_assessment_shows_the_bvc_information_as_its_clocks_say(
    example_records: dict[str, list[Record]], assessment: str
) -> None:
    records = example_records["NK-LH"]
    refs = by_ref(records)
    view = next(d for d in decisions(records) if d.decision.ref == assessment)
    request, reply = refs["bvc-request"], refs["bvc-reply"]
    reply_known = knowledge_at(view.decision, reply)
    pending = {p.request.seq: p for p in view.pending_requests}
    if reply_known == "known":
        assert request.seq not in pending
    else:
        # Taken while BVC's answer was outstanding (or possibly so): it says which.
        assert pending[request.seq].answered == ("possibly" if reply_known == "possibly" else "no")
    occurred_before = precedes(reply.occurred, view.decision.occurred) == "yes"
    known_after = precedes(reply.known, view.decision.occurred) == "no"
    assert (reply in view.hindsight) == (occurred_before and known_after)
    assert view.outcome == "no immediate protection needed"
    assert refs["report-1" if assessment == "pa-1" else "report-2"].seq in view.basis


def test_the_first_assessment_was_taken_before_bvc_answered(
    example_records: dict[str, list[Record]],
) -> None:
    view = next(d for d in decisions(example_records["NK-LH"]) if d.decision.ref == "pa-1")
    [pending] = view.pending_requests
    assert pending.request.ref == "bvc-request" and pending.request.fields["counterparty"] == "BVC"


def test_the_snapshot_at_the_end_of_2019_holds_no_fact_known_only_in_2020(
    example_records: dict[str, list[Record]],
) -> None:
    at = parse_point("2019-12-31")
    snap = snapshot(example_records["NK-LH"], parse_point_moment("2019-12-31"))
    assert snap.facts and all(r.known.latest <= at for r in snap.facts)
    assert not [r for r in snap.facts if r.known.start.year >= 2020]
    assert {"report-2", "pa-2", "child-died"} <= {r.ref for r in snap.not_yet_known}
    status = snap.status
    assert not status.care_in_force and status.care_ended_by is not None
    assert status.living is not None and status.living.fields["to"] == "foraldrar"
    assert [o.report.ref for o in status.open_reports] == ["report-1"]


def test_astorp_decisions_list_the_move_home_plan_with_ivos_criticism_later(
    example_records: dict[str, list[Record]],
) -> None:
    views = {d.decision.type: d for d in decisions(example_records["AS-2020"])}
    plan = views["HomeTransitionPlanned"]
    # IVO's decision and its judgements A1–A6, each referring to the plan it judged.
    assert [r.type for r in plan.later] == ["SupervisionDecision", *["JudgementRecorded"] * 6]
    assert {r.agency for r in plan.later} == {"IVO"}


def test_gaps_summarise_documented_delays_per_agency(
    example_records: dict[str, list[Record]],
) -> None:
    found = gaps(example_records["NK-LH"])
    delays = {a.agency: a for a in found.agencies}
    assert delays["Förlossningsvården"].late == 1
    assert all(a.entries >= a.late for a in found.agencies)


# ---------------------------------------------------------------- corrections


def record(seq: int, type_: str, occurred: str, known: str | None = None, **fields: Any) -> Record:
    moment = parse_moment(occurred)
    return Record(
        case="T-1",
        seq=seq,
        ref=f"e{seq}",
        type=type_,
        occurred=moment,
        known=parse_moment(known) if known else moment,
        known_assumed=known is None,
        recorded_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=seq),
        actor=None,
        role=None,
        agency=fields.pop("agency", "Socialtjänsten"),
        on_behalf_of=None,
        summary=fields.pop("summary", None),
        source=None,
        assessment=False,
        basis=tuple(fields.pop("basis", ())),
        fields=fields,
    )


def test_a_snapshot_shows_an_entry_as_it_read_before_its_correction_was_known() -> None:
    records = [
        record(1, "NoteRecorded", "2020-01-10", text="first", summary="original"),
        record(
            2,
            "EntryCorrected",
            "2020-03-01",
            target=1,
            reason="typo",
            changes={"summary": "corrected", "occurred": "2020-01-09"},
        ),
    ]
    before = snapshot(records, parse_point_moment("2020-02-01")).facts
    after = snapshot(records, parse_point_moment("2020-03-02")).facts
    assert [(r.seq, r.summary) for r in before] == [(1, "original")]
    note = next(r for r in after if r.seq == 1)
    assert note.summary == "corrected" and note.occurred.text == "2020-01-09"
    assert note.corrected_by == (2,)


def test_a_retraction_marks_the_entry_from_when_it_was_known() -> None:
    records = [
        record(1, "NoteRecorded", "2020-01-10", text="wrong case"),
        record(2, "EntryRetracted", "2020-02-01", target=1, reason="wrong case"),
    ]
    assert as_known(records, parse_point("2020-01-31"))[0].retracted_by is None
    assert as_known(records, parse_point("2020-02-01"))[0].retracted_by == 2


# ---------------------------------------------------------------- properties

DAY0 = datetime(2019, 1, 1, tzinfo=UTC)
TYPES = ("NoteRecorded", "ObservationRecorded", "InformationRequested", "InformationReceived")


@st.composite
def moments(draw: st.DrawFn, after: str | None = None) -> str:
    start = parse_moment(after).start if after else DAY0
    day = start + timedelta(days=draw(st.integers(0, 400)))
    precision = draw(st.sampled_from(["day", "day", "day", "month", "year"]))
    text = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[precision]
    approximate = draw(st.booleans()) and draw(st.booleans())
    return ("~" if approximate else "") + day.strftime(text)


@st.composite
def cases(draw: st.DrawFn) -> list[Record]:
    count = draw(st.integers(1, 14))
    records: list[Record] = []
    for seq in range(1, count + 1):
        type_ = draw(st.sampled_from(TYPES))
        occurred = draw(moments())
        known = draw(st.one_of(st.none(), moments(after=occurred)))
        if known and parse_moment(known).end <= parse_moment(occurred).start:
            known = None
        fields: dict[str, Any] = {}
        requests = [r.seq for r in records if r.type == "InformationRequested"]
        if type_ == "InformationReceived" and requests:
            fields["in_reply_to"] = draw(st.sampled_from(requests))
        if type_ == "InformationRequested":
            fields["counterparty"] = "BVC"
        records.append(
            record(
                seq,
                type_,
                occurred,
                known,
                agency=draw(st.sampled_from(["Socialtjänsten", "BVC", "Förskolan"])),
                **fields,
            )
        )
    return records


def points() -> st.SearchStrategy[Moment]:
    """Points in time as a user gives them: a minute, around noon Stockholm time."""
    return st.integers(0, 500).map(
        lambda d: parse_point_moment(f"{DAY0 + timedelta(days=d, hours=12):%Y-%m-%dT%H:%M}")
    )


def seen(snap: Snapshot) -> tuple[Any, ...]:
    """What the social services could see at the moment: everything but the hindsight list."""
    return (
        snap.facts,
        snap.possibly_known,
        [(p.request.seq, p.answered, [r.seq for r in p.replies]) for p in snap.pending_requests],
        snap.status,
    )


@settings(max_examples=150, deadline=None)
@given(cases(), points(), st.data())
def test_entries_known_after_t_never_change_what_was_known_at_t(
    records: list[Record], at: Moment, data: st.DataObject
) -> None:
    later = [r for r in data.draw(cases()) if known_state(r.known, at.end) == "unknown"]
    appended = [replace(r, seq=len(records) + i + 1) for i, r in enumerate(later)]
    # A reply to an earlier request that arrives after T must not show up at T either.
    requests = [r.seq for r in records if r.type == "InformationRequested"]
    appended = [
        replace(r, fields={**r.fields, "in_reply_to": requests[0]})
        if r.type == "InformationReceived" and requests
        else r
        for r in appended
    ]
    assert seen(snapshot(records + appended, at)) == seen(snapshot(records, at))


@settings(max_examples=150, deadline=None)
@given(cases(), points(), st.data())
def test_a_correction_known_after_t_never_changes_the_snapshot_at_t(
    records: list[Record], at: Moment, data: st.DataObject
) -> None:
    target = data.draw(st.sampled_from(records))
    known = data.draw(moments())
    correction = record(
        len(records) + 1,
        "EntryCorrected",
        known,
        None,
        target=target.seq,
        reason="r",
        changes={"summary": "changed", "occurred": "2019-06-01"},
    )
    assume(known_state(correction.known, at.end) == "unknown")
    assert snapshot([*records, correction], at).facts == snapshot(records, at).facts


@settings(max_examples=200, deadline=None)
@given(cases(), points())
def test_held_elsewhere_had_occurred_by_t_and_became_known_after(
    records: list[Record], at: Moment
) -> None:
    for held in snapshot(records, at).held_elsewhere:
        assert occurred_state(held.occurred, at.end) == "before"
        assert held.occurred.latest <= at.end <= held.known.earliest


@settings(max_examples=200, deadline=None)
@given(cases(), points())
def test_facts_possibly_known_and_not_yet_known_partition_the_case(
    records: list[Record], at: Moment
) -> None:
    snap = snapshot(records, at)
    parts = [snap.facts, snap.possibly_known, snap.not_yet_known]
    seqs = [r.seq for part in parts for r in part]
    assert sorted(seqs) == [r.seq for r in records]
    assert {r.seq for r in snap.held_elsewhere} <= {r.seq for r in snap.not_yet_known}
