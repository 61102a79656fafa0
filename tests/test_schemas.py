"""The JSON Schemas shipped in the package (DESIGN §8) against the documents the CLI writes."""

from __future__ import annotations

import copy
import json
import socket
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from ledger.application import CaseLedger
from ledger.entry import draft_from_object
from ledger.storage import sqlite_store
from ledger.timeparse import parse_point_moment, to_stockholm
from ledger.vocabulary import VOCABULARY
from projections import schemas
from projections.cases import case_summaries
from projections.corrections import as_known, history_of
from projections.formats import to_json
from projections.records import labels, to_records
from projections.serialize import document, record_json, timeline_document
from projections.timeline import ViewPoint, timeline
from projections.vocabulary_view import type_json

CASE = "NK-S1"
DOCUMENTS = ("timeline", "show", "cases", "types")

# A small case touching every shape an item can take: references in basis and in fields
# (ref, refs), an entry without a ref, an assumed and a documented `known`, imprecise and
# approximate clocks, a clock with an offset, a list field, an object field.
LINES: list[dict[str, Any]] = [
    {
        "ref": "open",
        "type": "CaseOpened",
        "occurred": "2019-03",
        "child": "flicka A",
        "municipality": "Testköping",
        "born": "2016",
    },
    {
        "ref": "report-1",
        "type": "ConcernReportReceived",
        "occurred": "2019-12-10",
        "known": "2019-12-12",
        "reporter_category": "bvc",
        "concern": "weight loss",
        "actor": "mottagningen",
        "role": "socialsekreterare",
        "agency": "Socialtjänsten Testköping",
        "summary": "First report of concern.",
        "source": "journal 1",
    },
    {
        "ref": "pa-1",
        "type": "ProtectionAssessmentMade",
        "occurred": "2019-12-12T15:30",
        "report": "@report-1",
        "immediate_protection_needed": False,
        "assessment": True,
        "basis": ["@report-1"],
    },
    {
        "ref": "obs-1",
        "type": "ObservationRecorded",
        "occurred": "~2019-11",
        "known": "2020-01",
        "observed_by": "BVC",
        "observation": "bruises",
        "agency": "BVC",
    },
    {
        "ref": "req-1",
        "type": "InformationRequested",
        "occurred": "2019-12-13",
        "counterparty": "BVC",
        "legal_ground": "consent",
        "topic": "weight and growth",
    },
    {
        "ref": "rec-1",
        "type": "InformationReceived",
        "occurred": "2020-01-10T09:00:00+01:00",
        "counterparty": "BVC",
        "in_reply_to": "#5",
        "includes": ["@obs-1"],
    },
    {
        "type": "MeetingHeld",
        "occurred": "~2019-12-20",
        "participants": ["mamma", "socialsekreterare A"],
        "topic": "the move home",
    },
    {
        "ref": "fix-1",
        "type": "EntryCorrected",
        "occurred": "2020-02",
        "target": "@report-1",
        "changes": {"summary": "First report of concern (BVC)."},
        "reason": "the reporter was misnamed",
    },
    {
        "ref": "ret-1",
        "type": "EntryRetracted",
        "occurred": "2020-02-03",
        "target": "#7",
        "reason": "recorded in the wrong case",
    },
]


def build(ledger: CaseLedger, case: str = CASE) -> None:
    drafts = [draft_from_object({"case": case, **line}) for line in LINES]
    outcome = ledger.record(case, drafts)
    assert outcome.recorded == len(LINES)


def timeline_doc(
    ledger: CaseLedger, view: ViewPoint | None = None, order: str = "occurred"
) -> dict[str, Any]:
    """What `ledger timeline CASE --format json` writes, through its JSON encoder."""
    view = view or ViewPoint()
    records = to_records(ledger.history(CASE))
    entries = timeline(records, view, order)  # type: ignore[arg-type]
    built = timeline_document(CASE, entries, labels(records), view, order)
    return json.loads(to_json(built))


def show_doc(ledger: CaseLedger, seq: int) -> dict[str, Any]:
    """What `ledger show CASE#SEQ --format json` writes."""
    stored = ledger.history(CASE)
    records = to_records(stored)
    refs = labels(records)
    item = record_json(records[seq - 1], refs)
    item["integrity"] = {"hash": stored[seq - 1].hash, "prev_hash": stored[seq - 1].prev_hash}
    item["history"] = [record_json(c, refs) for c in history_of(records, seq)]
    item["current"] = record_json({r.seq: r for r in as_known(records)}[seq], refs)
    return json.loads(to_json(document(CASE, entry=item)))


def cases_doc(ledger: CaseLedger) -> dict[str, Any]:
    items = [summary.to_json() for summary in case_summaries(ledger.all_entries())]
    return json.loads(to_json(document(None, cases=items)))


def types_doc(names: list[str] | None = None) -> dict[str, Any]:
    chosen = [VOCABULARY[n] for n in names] if names else list(VOCABULARY.values())
    return json.loads(to_json(document(None, types=[type_json(spec) for spec in chosen])))


@pytest.fixture(scope="module")
def memory_ledger() -> CaseLedger:
    ledger = CaseLedger(sqlite_store(":memory:"))
    build(ledger)
    return ledger


# --- the schema files themselves ----------------------------------------------------------


@pytest.mark.parametrize("name", schemas.NAMES)
def test_each_schema_is_a_valid_draft_2020_12_schema_with_an_id(name: str) -> None:
    loaded = schemas.schema(name)
    Draft202012Validator.check_schema(loaded)
    assert loaded["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert loaded["$id"].endswith(f"/{name}.schema.json")


def test_the_schemas_are_package_data_next_to_the_projections() -> None:
    folder = files("projections").joinpath("schemas")
    shipped = sorted(p.name for p in folder.iterdir() if p.name.endswith(".json"))
    assert shipped == sorted(f"{name}.schema.json" for name in schemas.NAMES)
    ids = {schemas.schema(name)["$id"] for name in schemas.NAMES}
    assert len(ids) == len(schemas.NAMES)


def test_schema_returns_a_copy_and_accepts_the_file_name() -> None:
    first = schemas.schema("timeline")
    first["properties"].clear()
    assert schemas.schema("timeline.schema.json")["properties"]


def test_an_unknown_schema_name_is_a_key_error_naming_the_choices() -> None:
    with pytest.raises(KeyError, match="timeline"):
        schemas.schema("timelines")
    with pytest.raises(KeyError):
        schemas.validate("nope", {})


@pytest.mark.parametrize("name", DOCUMENTS)
def test_documents_are_closed_and_carry_the_envelope(name: str) -> None:
    loaded = schemas.schema(name)
    assert loaded["additionalProperties"] is False
    assert loaded["required"][:3] == ["schema_version", "case", "generated_at"]
    assert loaded["properties"]["schema_version"] == {"const": 2}


def test_validation_needs_no_network(
    monkeypatch: pytest.MonkeyPatch, memory_ledger: CaseLedger
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the schema loader tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    schemas._validator.cache_clear()
    schemas._registry.cache_clear()
    schemas.validate("timeline", timeline_doc(memory_ledger))
    schemas.validate("show", show_doc(memory_ledger, 3))


# --- documents built through the API validate -----------------------------------------------


def test_timeline_documents_validate_on_every_store(ledger: CaseLedger) -> None:
    build(ledger)
    at = parse_point_moment("2019-12-31")
    tomorrow = parse_point_moment(f"{datetime.now() + timedelta(days=1):%Y-%m-%d}")
    views = [
        ViewPoint(),
        ViewPoint(as_known_at=at),
        ViewPoint(as_of=at),
        ViewPoint(as_known_at=at, as_of=parse_point_moment("2019-12-15")),
        ViewPoint(as_recorded_at=tomorrow),
    ]
    for view in views:
        for order in ("occurred", "known"):
            doc = timeline_doc(ledger, view, order)
            schemas.validate("timeline", doc)
            assert doc["order"] == order
    full = timeline_doc(ledger)
    assert len(full["entries"]) == len(LINES)
    assert {e["knowledge"] for e in full["entries"]} == {None}
    known_at = timeline_doc(ledger, ViewPoint(as_known_at=at))
    assert {e["knowledge"] for e in known_at["entries"]} <= {"known", "possibly"}
    assert "obs-1" not in {e["ref"] for e in known_at["entries"]}  # known only in 2020


def test_every_entry_validates_as_a_show_document(ledger: CaseLedger) -> None:
    build(ledger)
    for seq in range(1, len(LINES) + 1):
        doc = show_doc(ledger, seq)
        schemas.validate("show", doc)
        assert doc["entry"]["seq"] == seq
    first = show_doc(ledger, 1)["entry"]
    assert first["integrity"]["prev_hash"] == "0" * 64
    corrected = show_doc(ledger, 2)["entry"]
    assert [c["ref"] for c in corrected["history"]] == ["fix-1"]
    assert corrected["summary"] == "First report of concern."
    assert corrected["current"]["summary"] == "First report of concern (BVC)."


def test_the_shapes_the_schemas_admit_are_the_ones_produced(memory_ledger: CaseLedger) -> None:
    entries = {e["seq"]: e for e in timeline_doc(memory_ledger)["entries"]}
    assert entries[1]["known"]["assumed"] is True and "assumed" not in entries[1]["occurred"]
    assert entries[2]["known"]["assumed"] is False
    assert entries[3]["basis"] == [{"seq": 2, "ref": "report-1"}]
    assert entries[3]["fields"]["report"] == {"seq": 2, "ref": "report-1"}
    assert entries[6]["fields"]["in_reply_to"] == {"seq": 5, "ref": "req-1"}
    assert entries[6]["fields"]["includes"] == [{"seq": 4, "ref": "obs-1"}]
    assert entries[7]["ref"] is None and entries[7]["occurred"]["approximate"] is True
    assert entries[8]["fields"]["changes"] == {"summary": "First report of concern (BVC)."}
    assert entries[8]["fields"]["target"] == {"seq": 2, "ref": "report-1"}
    # Corrections known at the view's point apply: now both do, at the end of 2019 neither.
    assert entries[2]["summary"] == "First report of concern (BVC)."
    assert entries[2]["corrected_by"] == [{"seq": 8, "ref": "fix-1"}]
    assert entries[7]["retracted_by"] == {"seq": 9, "ref": "ret-1"}
    assert entries[1]["corrected_by"] == [] and entries[1]["retracted_by"] is None
    then = timeline_doc(memory_ledger, ViewPoint(as_known_at=parse_point_moment("2019-12-31")))
    schemas.validate("timeline", then)
    earlier = {e["seq"]: e for e in then["entries"]}
    assert earlier[2]["summary"] == "First report of concern."
    assert earlier[2]["corrected_by"] == [] and earlier[7]["retracted_by"] is None


def test_cases_document_validates(ledger: CaseLedger) -> None:
    build(ledger)
    build(ledger, "NK-S2")
    doc = cases_doc(ledger)
    schemas.validate("cases", doc)
    assert [c["case"] for c in doc["cases"]] == [CASE, "NK-S2"]
    assert doc["case"] is None


def test_an_empty_ledger_gives_a_valid_cases_document() -> None:
    schemas.validate("cases", cases_doc(CaseLedger(sqlite_store(":memory:"))))


def test_types_documents_validate_for_the_whole_vocabulary_and_one_type() -> None:
    schemas.validate("types", types_doc())
    schemas.validate("types", types_doc(["ProtectionAssessmentMade"]))


# Aware instants, written as Stockholm wall time: every generated text names a real moment
# (a naive wall time could fall in the spring-forward gap, which is rightly an error).
REVIEW_YEARS = st.datetimes(
    min_value=datetime(2019, 1, 1), max_value=datetime(2020, 12, 31), timezones=st.just(UTC)
).map(to_stockholm)


@settings(max_examples=60, deadline=None)
@given(
    known_at=REVIEW_YEARS,
    as_of=st.none() | REVIEW_YEARS,
    order=st.sampled_from(["occurred", "known"]),
)
def test_any_view_gives_a_valid_timeline_document(
    memory_ledger: CaseLedger, known_at: datetime, as_of: datetime | None, order: str
) -> None:
    view = ViewPoint(
        as_known_at=parse_point_moment(known_at.strftime("%Y-%m-%dT%H:%M")),
        as_of=parse_point_moment(as_of.strftime("%Y-%m-%d")) if as_of else None,
    )
    doc = timeline_doc(memory_ledger, view, order)
    schemas.validate("timeline", doc)
    limit = datetime.fromisoformat(doc["view"]["as_known_at"]["end"])
    for entry in doc["entries"]:
        known = entry["known"]
        assert datetime.fromisoformat(known["start"]) < limit or known["approximate"]


# --- the schemas reject what the contract forbids -------------------------------------------


@pytest.fixture
def timeline_sample(memory_ledger: CaseLedger) -> dict[str, Any]:
    return timeline_doc(memory_ledger)


def rejects(name: str, doc: dict[str, Any], *needles: str) -> jsonschema.ValidationError:
    with pytest.raises(jsonschema.ValidationError) as raised:
        schemas.validate(name, doc)
    text = str(raised.value)
    for needle in needles:
        assert needle in text, text
    return raised.value


def test_a_sample_is_valid_before_it_is_broken(timeline_sample: dict[str, Any]) -> None:
    schemas.validate("timeline", timeline_sample)


def test_rejects_an_entry_without_seq(timeline_sample: dict[str, Any]) -> None:
    del timeline_sample["entries"][0]["seq"]
    rejects("timeline", timeline_sample, "'seq' is a required property")


def test_rejects_an_extra_top_level_key(timeline_sample: dict[str, Any]) -> None:
    timeline_sample["debug"] = True
    rejects("timeline", timeline_sample, "debug")


def test_rejects_an_extra_key_in_an_item(timeline_sample: dict[str, Any]) -> None:
    timeline_sample["entries"][0]["hash"] = "abc"
    rejects("timeline", timeline_sample, "hash")


@pytest.mark.parametrize(
    ("breakage", "needle"),
    [
        (lambda c: c.pop("approximate"), "'approximate' is a required property"),
        (lambda c: c.pop("end"), "'end' is a required property"),
        (lambda c: c.update(start="2019-12"), "2019-12"),
        (lambda c: c.update(start="2019-12-01 00:00:00+01:00"), "2019-12-01 00:00:00"),
        (lambda c: c.update(end="2019-02-30T00:00:00+01:00"), "2019-02-30"),
        (lambda c: c.update(text="Dec 2019"), "Dec 2019"),
        (lambda c: c.update(approximate="no"), "'no'"),
        (lambda c: c.update(assumed=False), "assumed"),
        (lambda c: c.update(precision="month"), "precision"),
    ],
    ids=[
        "no-approximate",
        "no-end",
        "start-not-instant",
        "start-without-T",
        "impossible-date",
        "bad-text",
        "approximate-not-bool",
        "assumed-on-occurred",
        "extra-key",
    ],
)
def test_rejects_a_malformed_occurred_clock(
    timeline_sample: dict[str, Any], breakage: Any, needle: str
) -> None:
    breakage(timeline_sample["entries"][0]["occurred"])
    rejects("timeline", timeline_sample, needle)


def test_rejects_a_known_clock_without_assumed(timeline_sample: dict[str, Any]) -> None:
    del timeline_sample["entries"][0]["known"]["assumed"]
    rejects("timeline", timeline_sample, "'assumed' is a required property")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("schema_version",), 1),
        (("generated_at",), "yesterday"),
        (("generated_at",), "2020-01-01T00:00:00"),
        (("case",), None),
        (("order",), "recorded"),
        (("entries", 0, "knowledge"), "unknown"),
        (("entries", 0, "occurrence"), "after"),
        (("entries", 0, "seq"), 0),
        (("entries", 0, "ref"), "has space"),
        (("entries", 0, "basis"), [{"seq": 1}]),
        (("entries", 0, "basis"), ["#1"]),
        (("entries", 0, "fields"), []),
        (("entries", 0, "recorded_at"), "2020-01-01"),
        (("entries", 0, "category"), "gossip"),
        (("entries", 0, "summary"), 3),
        (("view", "as_of"), "2019"),
    ],
)
def test_rejects_wrong_values(
    timeline_sample: dict[str, Any], path: tuple[Any, ...], value: Any
) -> None:
    target: Any = timeline_sample
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    error = rejects("timeline", timeline_sample)
    assert tuple(error.absolute_path)[: len(path)] == path, error


def test_rejects_a_reference_with_an_extra_key(memory_ledger: CaseLedger) -> None:
    doc = show_doc(memory_ledger, 3)
    doc["entry"]["basis"][0]["case"] = CASE
    rejects("show", doc, "case")


def test_show_requires_integrity_and_forbids_timeline_members(memory_ledger: CaseLedger) -> None:
    doc = show_doc(memory_ledger, 3)
    broken = copy.deepcopy(doc)
    del broken["entry"]["integrity"]
    rejects("show", broken, "'integrity' is a required property")
    broken = copy.deepcopy(doc)
    broken["entry"]["knowledge"] = None
    rejects("show", broken, "knowledge")
    broken = copy.deepcopy(doc)
    broken["entry"]["integrity"]["hash"] = "not-a-hash"
    rejects("show", broken, "not-a-hash")
    broken = copy.deepcopy(doc)
    broken["entry"]["current"]["integrity"] = doc["entry"]["integrity"]
    rejects("show", broken, "integrity")
    broken = copy.deepcopy(doc)
    del broken["entry"]["current"]["seq"]
    rejects("show", broken, "'seq' is a required property")


def test_cases_and_types_documents_have_no_case_key(memory_ledger: CaseLedger) -> None:
    doc = cases_doc(memory_ledger)
    doc["case"] = CASE
    rejects("cases", doc)
    doc = types_doc(["NoteRecorded"])
    doc["types"][0]["fields"][0]["kind"] = "blob"
    rejects("types", doc, "blob")
