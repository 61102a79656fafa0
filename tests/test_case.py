"""The Case aggregate: seq, labels, references, duplicates and the hash chain."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.case import Case, CaseRejected, case_id
from ledger.chain import GENESIS, entry_hash
from ledger.entry import Draft, draft_from_object


def draft(**obj: Any) -> Draft:
    obj.setdefault("case", "NK-LH")
    obj.setdefault("occurred", "2019-12")
    return draft_from_object(obj)


def report(ref: str = "report-1", **extra: Any) -> Draft:
    return draft(
        ref=ref,
        type="ConcernReportReceived",
        reporter_category="okand",
        concern="worry",
        **extra,
    )


def assessment(ref: str = "pa-1", report_ref: str = "@report-1", **extra: Any) -> Draft:
    return draft(
        ref=ref,
        type="ProtectionAssessmentMade",
        report=report_ref,
        immediate_protection_needed=False,
        basis=[report_ref],
        **extra,
    )


def new_case(key: str = "NK-LH") -> Case:
    return Case.start(case_id(key), key)


def problems_of(rejected: pytest.ExceptionInfo[CaseRejected]) -> list[str]:
    return [
        f"{index}:{problem.field}:{problem.message}" for index, problem in rejected.value.problems
    ]


def test_seq_is_the_position_in_the_case_and_references_resolve_to_seqs() -> None:
    case = new_case()
    outcome = case.record([report(), assessment()])
    assert outcome.seqs == [1, 2] and outcome.recorded == 2
    events = case.collect_events()
    assert [e.originator_version for e in events] == [1, 2]
    assert events[1].basis == [1]
    assert events[1].fields == {"report": 1, "immediate_protection_needed": False}


def test_a_reference_may_point_forward_within_the_same_input() -> None:
    case = new_case()
    outcome = case.record([assessment(report_ref="@report-1"), report()])
    assert outcome.seqs == [1, 2]
    assert case.collect_events()[0].fields["report"] == 2


def test_the_same_input_twice_is_skipped_not_duplicated() -> None:
    case = new_case()
    case.record([report(), assessment()])
    again = case.record([report(), assessment()])
    assert again.recorded == 0 and again.skipped == 2 and again.seqs == [1, 2]
    assert case.version == 2


def test_an_entry_without_ref_is_recognised_by_its_content() -> None:
    note = draft(type="NoteRecorded", text="called the school")
    case = new_case()
    case.record([note])
    assert case.record([note]).skipped == 1
    assert case.version == 1


def test_same_ref_with_different_content_is_a_conflict_and_changes_nothing() -> None:
    case = new_case()
    case.record([report()])
    case.collect_events()
    with pytest.raises(CaseRejected) as rejected:
        case.record([report(summary="something else")])
    assert "already stored as #1 with different content" in problems_of(rejected)[0]
    assert case.version == 1 and not case.collect_events()


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("@nowhere", "does not resolve"),
        ("#9", "does not exist"),
        ("OTHER-1#1", "points into another case"),
        ("@pa-1", "refers to itself"),
    ],
)
def test_bad_references_are_rejected_with_the_field_named(reference: str, expected: str) -> None:
    case = new_case()
    with pytest.raises(CaseRejected) as rejected:
        case.record([report(), assessment(report_ref=reference)])
    found = problems_of(rejected)
    assert any(p.startswith("1:report:") and expected in p for p in found), found
    assert case.version == 0


def test_a_label_used_twice_in_one_input_is_rejected() -> None:
    with pytest.raises(CaseRejected) as rejected:
        new_case().record([report(), report(summary="another")])
    assert "used twice" in problems_of(rejected)[0]


def test_each_entry_is_chained_to_the_previous_by_hash() -> None:
    case = new_case()
    case.record([report(), assessment()])
    first, second = case.collect_events()
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    for event in (first, second):
        assert event.hash == entry_hash(event.hashed_payload())
    tampered = dict(second.hashed_payload(), summary="rewritten")
    assert entry_hash(tampered) != second.hash


def test_case_ids_are_stable_and_hide_keys_when_keyed() -> None:
    assert case_id("NK-LH") == case_id("NK-LH") != case_id("AS-2020")
    assert case_id("NK-LH", b"secret") != case_id("NK-LH")
    assert case_id("NK-LH", b"secret") != case_id("NK-LH", b"other")
