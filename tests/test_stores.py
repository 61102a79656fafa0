"""The same behaviour on every store: memory, an SQLite file and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import orjson
import pytest

from ledger.application import CaseLedger, ImportRejected, UnknownCase
from ledger.chain import GENESIS, entry_hash
from ledger.entry import draft_from_object
from ledger.importer import ImportFailed, Source, import_sources
from ledger.storage import Store


def lines(*objs: str) -> Source:
    return Source("input.jsonl", [o.encode() for o in objs])


REPORT = (
    '{"case":"NK-LH","ref":"report-1","type":"ConcernReportReceived","occurred":"2019-12",'
    '"reporter_category":"okand","concern":"worry","summary":"First report."}'
)
ASSESSMENT = (
    '{"case":"NK-LH","ref":"pa-1","type":"ProtectionAssessmentMade","occurred":"2019-12",'
    '"report":"@report-1","immediate_protection_needed":false,"basis":["@report-1"],'
    '"assessment":true}'
)
OTHER_CASE = (
    '{"case":"AS-2020","ref":"move","type":"ChildMovedHome","occurred":"2020","to":"foraldrar"}'
)


def test_import_then_read_back_the_history(ledger: CaseLedger) -> None:
    report = import_sources(ledger, [lines(REPORT, ASSESSMENT, OTHER_CASE)])
    assert (report.recorded, report.skipped, report.cases) == (3, 0, {"NK-LH", "AS-2020"})
    history = ledger.history("NK-LH")
    assert [(e.originator_version, e.type, e.ref) for e in history] == [
        (1, "ConcernReportReceived", "report-1"),
        (2, "ProtectionAssessmentMade", "pa-1"),
    ]
    assert history[1].fields["report"] == 1 and history[1].basis == [1]
    assert {e.case for e in ledger.all_entries()} == {"NK-LH", "AS-2020"}


def test_recorded_at_is_the_library_timestamp_and_the_chain_verifies(ledger: CaseLedger) -> None:
    import_sources(ledger, [lines(REPORT, ASSESSMENT)])
    first, second = ledger.history("NK-LH")
    assert first.timestamp <= second.timestamp
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash
    assert all(e.hash == entry_hash(e.hashed_payload()) for e in (first, second))


def test_reimport_skips_what_is_stored(ledger: CaseLedger) -> None:
    import_sources(ledger, [lines(REPORT, ASSESSMENT)])
    again = import_sources(ledger, [lines(REPORT, ASSESSMENT, OTHER_CASE)])
    assert (again.recorded, again.skipped) == (1, 2)
    assert len(ledger.history("NK-LH")) == 2


def test_a_bad_line_anywhere_stores_nothing(ledger: CaseLedger) -> None:
    bad_reference = ASSESSMENT.replace('"basis":["@report-1"]', '"basis":["@nowhere"]')
    with pytest.raises(ImportFailed) as failed:
        import_sources(ledger, [lines(OTHER_CASE, REPORT, bad_reference)])
    assert [str(e) for e in failed.value.errors] == [
        "input.jsonl:3: field 'basis': @nowhere does not resolve: no entry has that ref"
    ]
    assert list(ledger.all_entries()) == []


def test_a_conflicting_ref_on_reimport_stores_nothing(ledger: CaseLedger) -> None:
    import_sources(ledger, [lines(REPORT)])
    changed = REPORT.replace("First report.", "Another text.")
    with pytest.raises(ImportFailed) as failed:
        import_sources(ledger, [lines(OTHER_CASE, changed)])
    assert "already stored as #1 with different content" in str(failed.value.errors[0])
    assert len(list(ledger.all_entries())) == 1


def test_record_many_is_all_or_nothing_across_cases(ledger: CaseLedger) -> None:
    good = [
        draft_from_object(
            {"case": "A-1", "type": "NoteRecorded", "occurred": "2020", "text": "a note"}
        )
    ]
    bad = [
        draft_from_object(
            {
                "case": "B-1",
                "type": "NoteRecorded",
                "occurred": "2020",
                "text": "b",
                "basis": ["#5"],
            }
        )
    ]
    with pytest.raises(ImportRejected):
        ledger.record_many({"A-1": good, "B-1": bad})
    assert not ledger.has_case("A-1")


def test_an_unknown_case_is_an_error(ledger: CaseLedger) -> None:
    with pytest.raises(UnknownCase):
        ledger.history("NOPE-1")


def test_a_second_application_sees_the_same_ledger(
    store: Store, open_ledger: Callable[[], CaseLedger]
) -> None:
    if store.kind == "memory":
        pytest.skip("an in-memory store lives inside one application")
    import_sources(open_ledger(), [lines(REPORT)])
    second = open_ledger()
    second.record("NK-LH", [draft_from_object(orjson.loads(ASSESSMENT))])
    assert [e.originator_version for e in open_ledger().history("NK-LH")] == [1, 2]


def test_two_writers_appending_in_turn_both_land_in_order(
    store: Store, open_ledger: Callable[[], CaseLedger]
) -> None:
    if store.kind == "memory":
        pytest.skip("an in-memory store lives inside one application")
    first, second = open_ledger(), open_ledger()
    import_sources(first, [lines(REPORT)])
    note = {"case": "NK-LH", "type": "NoteRecorded", "occurred": "2020", "text": "x"}
    first.record("NK-LH", [draft_from_object(dict(note, text="from the first"))])
    second.record("NK-LH", [draft_from_object(dict(note, text="from the second"))])
    texts = [e.fields.get("text") for e in open_ledger().history("NK-LH")]
    assert texts == [None, "from the first", "from the second"]
