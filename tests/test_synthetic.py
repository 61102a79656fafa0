"""The synthetic case generator: deterministic, valid against the vocabulary, importable."""

from __future__ import annotations

import io
import random
from collections import Counter
from pathlib import Path

import orjson
import pytest

from ledger.application import CaseLedger
from ledger.entry import draft_from_object
from ledger.importer import Source, import_sources
from ledger.storage import sqlite_store
from ledger.synthetic import generate, generate_case, write_jsonl
from ledger.timeparse import parse_moment
from ledger.vocabulary import VOCABULARY


def _lines(cases: int, events: int, seed: int = 0) -> list[bytes]:
    buffer = io.BytesIO()
    write_jsonl(generate(cases, events, seed=seed), buffer)
    return buffer.getvalue().splitlines(keepends=True)


def test_same_seed_gives_identical_output() -> None:
    assert _lines(15, 25, seed=3) == _lines(15, 25, seed=3)


def test_different_seeds_differ() -> None:
    assert _lines(15, 25, seed=3) != _lines(15, 25, seed=4)


def test_a_case_does_not_depend_on_how_many_are_generated() -> None:
    assert _lines(5, 12, seed=9) == _lines(8, 12, seed=9)[: 5 * 12]


def test_generate_case_is_deterministic_for_an_equal_rng() -> None:
    first = generate_case("NK-1", 40, random.Random(11))
    assert first == generate_case("NK-1", 40, random.Random(11))
    assert first != generate_case("NK-1", 40, random.Random(12))


@pytest.mark.parametrize("events", [0, 1, 2, 3, 7, 30, 120])
def test_exactly_the_requested_number_of_events(events: int) -> None:
    for seed in range(5):
        objs = generate_case("K-1", events, random.Random(seed))
        assert len(objs) == events
        assert [o["ref"] for o in objs] == [f"e{i}" for i in range(1, events + 1)]


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        generate_case("K-1", -1, random.Random(0))
    with pytest.raises(ValueError):
        list(generate(-1, 3))


def test_every_object_validates_and_keys_are_numbered() -> None:
    objs = list(generate(40, 30, seed=1, prefix="TST"))
    assert len(objs) == 1200
    keys = sorted({o["case"] for o in objs})
    assert keys == [f"TST-{n:06d}" for n in range(1, 41)]
    for obj in objs:
        draft = draft_from_object(obj)
        assert draft.type in VOCABULARY
        assert 20 <= len(obj["summary"]) <= 400
        if VOCABULARY[obj["type"]].requires_known:
            assert parse_moment(obj["known"]).start > parse_moment(obj["occurred"]).start


def test_cases_follow_a_storyline() -> None:
    objs = list(generate(60, 30, seed=2))
    by_case: dict[str, list[dict]] = {}
    for obj in objs:
        by_case.setdefault(obj["case"], []).append(obj)
    for case in by_case.values():
        assert case[0]["type"] == "CoverageDeclared"
        assert case[1]["type"] == "CaseOpened"
        assert case[2]["type"] == "ConcernReportReceived"
        assert len({o["ref"] for o in case}) == len(case)
    types = Counter(o["type"] for o in objs)
    for expected in (
        "ProtectionAssessmentMade",
        "PreliminaryAssessmentDecided",
        "InvestigationOpened",
        "InformationRequested",
        "InformationReceived",
        "ObservationRecorded",
        "HomeVisit",
        "InvestigationClosed",
        "PlacementStarted",
        "CareOrdered",
        "NoteRecorded",
        "EntryCorrected",
    ):
        assert types[expected] > 0, expected
    # Some times are imprecise or approximate, and the clocks move forward over months.
    occurred = [o["occurred"] for o in objs]
    assert any(text.startswith("~") for text in occurred)
    assert any(len(text) == 7 for text in occurred)
    assert any("T" in text for text in occurred)
    for case in by_case.values():
        first = parse_moment(case[0]["occurred"]).start
        last = max(parse_moment(o["occurred"]).start for o in case)
        assert (last - first).days >= 30


def test_information_arrives_after_it_was_sent() -> None:
    received = [o for o in generate(60, 30, seed=5) if o["type"] == "InformationReceived"]
    assert received
    for obj in received:
        assert parse_moment(obj["known"]).start > parse_moment(obj["occurred"]).start


def test_write_jsonl_writes_one_object_per_line() -> None:
    objs = generate_case("K-1", 10, random.Random(0))
    buffer = io.BytesIO()
    assert write_jsonl(objs, buffer) == 10
    lines = buffer.getvalue().splitlines()
    assert [orjson.loads(line) for line in lines] == objs


def test_import_records_then_skips(tmp_path: Path) -> None:
    lines = _lines(20, 30, seed=7)
    ledger = CaseLedger(sqlite_store(str(tmp_path / "x.db")))
    try:
        first = import_sources(ledger, [Source("syn", lines)])
        assert (first.recorded, first.skipped, len(first.cases)) == (600, 0, 20)
        second = import_sources(ledger, [Source("syn", lines)])
        assert (second.recorded, second.skipped) == (0, 600)
        assert len(ledger.history("SYN-000001")) == 30
    finally:
        ledger.close()


def test_every_case_declares_its_journal_complete_from_the_start() -> None:
    """So rules may call a missing act a breach (rules.md Principle 3), from the first day."""
    for events in (1, 30):
        for obj in generate(25, events, seed=6):
            if obj["ref"] != "e1":
                continue
            assert obj["type"] == "CoverageDeclared"
            assert (obj["sources"], obj["complete"]) == ("journal", True)
            assert "period_from" not in obj and "period_until" not in obj  # the whole case
            assert obj["known"] == obj["occurred"]
            assert draft_from_object(obj).known is not None
    for objs in (generate_case("K-1", 30, random.Random(s)) for s in range(10)):
        opened = next(o for o in objs if o["type"] == "CaseOpened")
        assert parse_moment(objs[0]["occurred"]).start <= parse_moment(opened["occurred"]).end


def test_the_whole_case_acts_appear_in_realistic_proportions() -> None:
    types = Counter(o["type"] for o in generate(200, 40, seed=8))
    for name in (
        "InvestigationNotified",
        "InvestigationPlanned",
        "ConsultationHeld",
        "DrugTestRequested",
        "MaterialCommunicated",
        "BestInterestAssessed",
        "PlacementVisit",
        "ContactVisitHeld",
        "SupportDecided",
        "SupportStarted",
    ):
        assert types[name] > 0, name
    # Most investigations are notified; a drug test is answered once; acts around an
    # investigation are rarer than the investigations themselves.
    assert types["InvestigationOpened"] * 0.7 <= types["InvestigationNotified"]
    assert types["InvestigationNotified"] <= types["InvestigationOpened"]
    answered = types["DrugTestTaken"] + types["DrugTestDeclined"]
    assert answered <= types["DrugTestRequested"] and types["DrugTestDeclined"] < answered
    assert types["ConsultationHeld"] < types["InvestigationOpened"]


def test_every_type_of_the_vocabulary_is_generated() -> None:
    """Benchmarks and rule tests over generated data reach every act a case can hold."""
    types = Counter(o["type"] for o in generate(300, 150, seed=1))
    assert sorted(set(VOCABULARY) - set(types)) == []


def test_the_new_acts_keep_their_storylines_and_proportions() -> None:
    objs = list(generate(300, 150, seed=1))
    types = Counter(o["type"] for o in objs)
    # Every request to end care gets the committee's decision (LVU 21 §), bar a case cut short.
    assert types["CareTerminationRequested"] - 5 <= types["CareTerminationDecided"]
    assert types["CareTerminationDecided"] <= types["CareTerminationRequested"]
    # A transfer of custody is considered far more often than applied for, and decided once.
    assert types["CustodyTransferDecided"] <= types["CustodyTransferApplied"]
    assert types["CustodyTransferApplied"] * 3 < types["CustodyTransferConsidered"]
    # The police track: every police report is discussed at the barnahus; few reach a court.
    assert types["BarnahusConsultation"] <= types["PoliceReportFiled"]
    assert types["CriminalJudgment"] < types["PoliceReportFiled"] / 2
    # Deaths are rare beside other serious incidents; each has the lex Sarah chain.
    assert 0 < types["ChildDied"] < types["SeriousIncidentRecorded"]
    assert types["LexSarahReportedToIVO"] <= types["LexSarahInvestigationClosed"]
    # Consent is mostly kept; a measure's status changes at most once per measure here.
    assert types["ConsentWithdrawn"] < types["ConsentGiven"] / 5
    assert types["MeasureStatusChanged"] <= types["MeasureDecided"]
    assert types["OpenCareDecided"] < types["SupportDecided"]


def test_judgements_and_analyses_concern_the_authoritys_own_earlier_acts() -> None:
    """IVO judges the social services, never a court; a cause explains what came before."""
    by_case: dict[str, dict[str, dict]] = {}
    for obj in generate(300, 150, seed=1):
        refs = by_case.setdefault(obj["case"], {})
        refs[obj["ref"]] = obj
        named = {
            "JudgementRecorded": "judges",
            "CauseIdentified": "explains",
        }.get(obj["type"])
        if named is None:
            continue
        for target in obj[named]:
            earlier = refs[target.lstrip("@")]  # defined before: KeyError otherwise
            assert earlier["agency"].startswith("Socialtjänsten")
            assert VOCABULARY[earlier["type"]].category in ("decision", "assessment")


def test_after_the_childs_death_only_reviews_and_notes_follow() -> None:
    objs = list(generate(300, 150, seed=1))
    deaths = [o for o in objs if o["type"] == "ChildDied"]
    assert deaths
    for death in deaths:
        case = [o for o in objs if o["case"] == death["case"]]
        later = case[case.index(death) + 1 :]
        assert not {o["type"] for o in later} & {
            "ConcernReportReceived",
            "PlacementStarted",
            "HomeVisit",
            "ChildConversation",
        }
