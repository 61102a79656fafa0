"""Validating one input object against the envelope, the vocabulary and the time grammar."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.entry import InvalidEntry, draft_from_object, field_from_text
from ledger.references import Reference
from ledger.vocabulary import event_type

GOOD: dict[str, Any] = {
    "case": "NK-LH",
    "ref": "pa-1",
    "type": "ProtectionAssessmentMade",
    "occurred": "2019-12",
    "report": "@report-1",
    "immediate_protection_needed": False,
    "assessment": True,
    "basis": ["@report-1", "#1"],
    "agency": "Socialtjänsten Norrköping",
}


def problems(obj: Any) -> list[str]:
    with pytest.raises(InvalidEntry) as invalid:
        draft_from_object(obj)
    return [str(p) for p in invalid.value.problems]


def test_a_good_object_becomes_a_draft_with_references_as_written() -> None:
    draft = draft_from_object(GOOD)
    assert draft.type == "ProtectionAssessmentMade"
    assert draft.occurred.text == "2019-12" and draft.known is None
    assert draft.basis == (Reference(None, None, "report-1"), Reference(None, 1, None))
    assert draft.fields["report"] == Reference(None, None, "report-1")
    assert draft.as_input()["basis"] == ["@report-1", "#1"]


def test_every_problem_is_reported_with_its_field() -> None:
    found = problems(
        dict(
            GOOD,
            occurred="2019-13",
            immediate_protection_needed="no",
            basis=["report-1"],
            colour="red",
        )
    )
    assert any(p.startswith("field 'occurred': not a time") for p in found)
    assert any(p.startswith("field 'immediate_protection_needed': expected true") for p in found)
    assert any(p.startswith("field 'basis': not a reference") for p in found)
    assert any(p.startswith("field 'colour': unknown field") for p in found)


def test_missing_required_fields_and_unknown_types_are_named() -> None:
    no_report = {k: v for k, v in GOOD.items() if k != "report"}
    assert "field 'report': missing (required for ProtectionAssessmentMade)" in problems(no_report)
    found = problems(dict(GOOD, type="ProtectionAssesmentMade"))
    assert any("did you mean ProtectionAssessmentMade" in p for p in found)


def test_the_ledger_clocks_cannot_be_given_in_input() -> None:
    found = problems(dict(GOOD, recorded_at="2019-12-01", seq=4))
    assert "field 'recorded_at': is set by the ledger and cannot be given" in found
    assert "field 'seq': is set by the ledger and cannot be given" in found


def test_an_outside_observation_must_say_when_it_became_known() -> None:
    observation = {
        "case": "NK-LH",
        "type": "ObservationRecorded",
        "occurred": "2019-11",
        "observed_by": "BVC",
        "observation": "weight loss",
    }
    assert "field 'known': missing" in problems(observation)
    assert draft_from_object(dict(observation, known="2020-01")).known.text == "2020-01"


def test_known_before_occurred_is_rejected() -> None:
    found = problems(dict(GOOD, occurred="2020-01-10", known="2020-01-02"))
    assert any(p.startswith("field 'known': 2020-01-02 is before") for p in found)


@pytest.mark.parametrize("bad", [[], "text", 7, None])
def test_non_objects_are_rejected(bad: Any) -> None:
    assert problems(bad) == ["expected a JSON object"]


def test_enumerations_accept_only_the_listed_words() -> None:
    obj = {
        "case": "X-1",
        "type": "ConcernReportReceived",
        "occurred": "2020",
        "reporter_category": "neighbour",
        "concern": "noise",
    }
    assert any("expected one of bvc" in p for p in problems(obj))


def test_command_line_field_values_are_read_by_their_kind() -> None:
    spec = event_type("ProtectionAssessmentMade")
    assert field_from_text(spec, "immediate_protection_needed", "false") is False
    assert field_from_text(spec, "report", "@report-1") == "@report-1"
    reports = event_type("PreliminaryAssessmentDecided")
    assert field_from_text(reports, "reports", "@r1, @r2") == ["@r1", "@r2"]
    fine = event_type("SupervisionDecision")
    assert field_from_text(fine, "fine_sek", "1000000") == 1_000_000
