"""`not_documented`: the act is in the examined records, this detail is not.

Every field of every type but the corrections accepts it, whatever its kind; it is stored as
the string itself, never resolved as a reference or parsed as a time; tables print it
"not documented" and JSON keeps the string.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from ledger.application import CaseLedger
from ledger.entry import InvalidEntry, draft_from_object, field_from_text, validate_changes
from ledger.storage import sqlite_store
from ledger.vocabulary import NOT_DOCUMENTED, VOCABULARY, event_type
from projections.records import to_records

# The assertions read the English wording (Swedish is tested in test_language.py).
pytestmark = pytest.mark.usefixtures("english")

AGENCY = "Socialtjänsten Testköping"
OPEN = {
    "case": "ND-1",
    "ref": "open",
    "type": "CaseOpened",
    "occurred": "2019-03-01",
    "child": "flicka A",
    "municipality": "Testköping",
    "agency": AGENCY,
}
REPORT = {
    "case": "ND-1",
    "ref": "report-1",
    "type": "ConcernReportReceived",
    "occurred": "2019-12-10",
    "reporter_category": "bvc",
    "concern": "weight loss",
    "agency": AGENCY,
}

# One field of each kind, required and optional, with the type it belongs to.
KINDS = [
    ("PreliminaryAssessmentDecided", "outcome", "enum", True),
    ("ProtectionAssessmentMade", "immediate_protection_needed", "bool", True),
    ("ProtectionAssessmentMade", "child_seen", "bool", False),
    ("SupervisionDecision", "fine_sek", "int", False),
    ("InvestigationExtended", "new_deadline", "moment", True),
    ("CoverageDeclared", "period_from", "moment", False),
    ("ProtectionAssessmentMade", "report", "ref", True),
    ("InformationReceived", "in_reply_to", "ref", False),
    ("PreliminaryAssessmentDecided", "reports", "refs", True),
    ("InvestigationOpened", "reports", "refs", False),
    ("ConcernReportReceived", "concern", "text", True),
    ("CareEnded", "decided_by_court", "text", False),
    ("MeetingHeld", "participants", "texts", True),
    ("JudgementRecorded", "rules", "texts", False),
]


def minimal(type_name: str, **given: Any) -> dict[str, Any]:
    """An object of `type_name` with every required field not documented, then `given`."""
    spec = event_type(type_name)
    obj: dict[str, Any] = {
        "case": "ND-1",
        "type": type_name,
        "occurred": "2019-12-11",
        "known": "2019-12-11",
    }
    obj.update({f.name: NOT_DOCUMENTED for f in spec.fields if f.required})
    obj["agency"] = AGENCY
    obj.update(given)
    return obj


def test_the_kinds_listed_cover_every_kind_but_object() -> None:
    kinds = {f.kind for t in VOCABULARY.values() for f in t.fields}
    assert {kind for _, _, kind, _ in KINDS} == kinds - {"object"}
    for type_name, field_name, kind, required in KINDS:
        spec = event_type(type_name).field(field_name)
        assert spec is not None and (spec.kind, spec.required) == (kind, required)


@pytest.mark.parametrize(("type_name", "field_name", "kind", "required"), KINDS)
def test_each_kind_accepts_it_and_keeps_the_string(
    type_name: str, field_name: str, kind: str, required: bool
) -> None:
    draft = draft_from_object(minimal(type_name, **{field_name: NOT_DOCUMENTED}))
    assert draft.fields[field_name] == NOT_DOCUMENTED
    assert draft.as_input()[field_name] == NOT_DOCUMENTED


@pytest.mark.parametrize(
    "name", [n for n, t in VOCABULARY.items() if t.accepts_not_documented and t.fields]
)
def test_every_field_of_every_type_accepts_it(name: str) -> None:
    obj = minimal(name, **{f.name: NOT_DOCUMENTED for f in event_type(name).fields})
    draft = draft_from_object(obj)
    assert set(draft.fields.values()) == {NOT_DOCUMENTED}


def test_corrections_must_say_what_they_correct() -> None:
    obj = {
        "case": "ND-1",
        "type": "EntryCorrected",
        "occurred": "2020-01-01",
        "target": NOT_DOCUMENTED,
        "changes": {"summary": "x"},
        "reason": "r",
    }
    with pytest.raises(InvalidEntry) as invalid:
        draft_from_object(obj)
    (problem,) = invalid.value.problems
    assert problem.field == "target" and "not a reference" in problem.message
    assert "(or not_documented)" not in problem.message  # not offered there


def test_other_words_are_still_refused_and_the_error_offers_it() -> None:
    with pytest.raises(InvalidEntry) as invalid:
        draft_from_object(minimal("ProtectionAssessmentMade", immediate_protection_needed="?"))
    (problem,) = invalid.value.problems
    assert str(problem) == (
        "field 'immediate_protection_needed': expected true or false (or not_documented), got '?'"
    )
    with pytest.raises(InvalidEntry):
        draft_from_object(minimal("PreliminaryAssessmentDecided", outcome="Not documented"))
    with pytest.raises(InvalidEntry):  # inside a list it is a (bad) reference, not the word
        draft_from_object(minimal("PreliminaryAssessmentDecided", reports=[NOT_DOCUMENTED]))


def test_no_enumeration_uses_the_word_as_a_choice() -> None:
    for etype in VOCABULARY.values():
        for spec in etype.fields:
            assert NOT_DOCUMENTED not in spec.choices, f"{etype.name}.{spec.name}"


@pytest.mark.parametrize(("type_name", "field_name", "kind", "required"), KINDS)
def test_command_line_text_of_every_kind_is_the_word(
    type_name: str, field_name: str, kind: str, required: bool
) -> None:
    assert field_from_text(event_type(type_name), field_name, NOT_DOCUMENTED) == NOT_DOCUMENTED


def test_a_correction_may_set_a_field_not_documented() -> None:
    changes, problems = validate_changes(
        event_type("PreliminaryAssessmentDecided"),
        {"outcome": NOT_DOCUMENTED, "reports": NOT_DOCUMENTED},
    )
    assert problems == []
    assert changes == {"outcome": NOT_DOCUMENTED, "reports": NOT_DOCUMENTED}


def test_records_read_it_as_unknown_and_as_no_reference() -> None:
    ledger = CaseLedger(sqlite_store(":memory:"))
    try:
        ledger.record(
            "ND-1",
            [
                draft_from_object(OPEN),
                draft_from_object(REPORT),
                draft_from_object(minimal("ProtectionAssessmentMade", basis=["@report-1"])),
                draft_from_object(minimal("InvestigationExtended", reason="more time")),
            ],
        )
        _, _, assessment, extension = to_records(ledger.history("ND-1"))
    finally:
        ledger.close()
    assert assessment.fields["report"] == NOT_DOCUMENTED
    assert assessment.references() == {2}  # the basis only
    assert assessment.documented("report") is None
    assert assessment.documented("immediate_protection_needed") is None
    assert extension.documented("new_deadline") is None
    assert extension.documented("reason") == "more time"
    assert extension.documented("no_such_field") is None


# --- through the command line -----------------------------------------------------------------


def run(db: Path, *args: str, input: str | None = None) -> Result:
    result = CliRunner().invoke(cli, ["--db", str(db), *args], input=input)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "nd.db"
    lines = "\n".join(json.dumps(o) for o in (OPEN, REPORT))
    (tmp_path / "base.jsonl").write_text(lines + "\n", encoding="utf-8")
    run(path, "import", "-q", str(tmp_path / "base.jsonl"))
    return path


def shown(db: Path, ref: str) -> tuple[str, dict[str, Any]]:
    table = run(db, "show", ref).stdout
    entry = json.loads(run(db, "show", ref, "--format", "json").stdout)["entry"]
    return table, entry


@pytest.mark.parametrize(("type_name", "field_name", "kind", "required"), KINDS)
def test_record_stores_it_show_prints_it_json_keeps_it(
    db: Path, type_name: str, field_name: str, kind: str, required: bool
) -> None:
    spec = event_type(type_name)
    args = ["record", "ND-1", type_name, "--ref", "x", "--occurred", "2019-12-11"]
    for f in spec.fields:
        if f.required or f.name == field_name:
            value = NOT_DOCUMENTED if f.name == field_name else minimal_text(f.kind, f.choices)
            args += ["--field", f"{f.name}={value}"]
    done = run(db, *args)
    assert done.stdout.startswith("recorded ND-1#3")
    table, entry = shown(db, "ND-1@x")
    assert entry["fields"][field_name] == NOT_DOCUMENTED
    line = next(x for x in table.splitlines() if x.strip().startswith(field_name + " "))
    assert line.split(None, 1)[1] == "not documented"
    timeline = json.loads(run(db, "timeline", "ND-1", "--format", "json").stdout)
    assert timeline["entries"][-1]["fields"][field_name] == NOT_DOCUMENTED


def minimal_text(kind: str, choices: tuple[str, ...]) -> str:
    """A valid command-line value of `kind` in the fixture case."""
    return {
        "enum": choices[0] if choices else "",
        "bool": "false",
        "int": "1",
        "moment": "2020-01",
        "ref": "@report-1",
        "refs": "@report-1",
        "text": "t",
        "texts": "a,b",
    }[kind]


def test_import_with_it_skips_reference_resolution(db: Path, tmp_path: Path) -> None:
    lines = [
        minimal("ProtectionAssessmentMade", ref="pa-1", basis=["@report-1"]),
        minimal("PreliminaryAssessmentDecided", ref="fb-1"),
    ]
    path = tmp_path / "nd.jsonl"
    path.write_text("\n".join(json.dumps(o) for o in lines) + "\n", encoding="utf-8")
    run(db, "import", "-q", str(path))
    _, pa = shown(db, "ND-1@pa-1")
    assert pa["fields"]["report"] == NOT_DOCUMENTED
    assert pa["basis"] == [{"seq": 2, "ref": "report-1"}]
    _, fb = shown(db, "ND-1@fb-1")
    assert fb["fields"] == {"reports": NOT_DOCUMENTED, "outcome": NOT_DOCUMENTED}
    # The fingerprint covers the word as given: importing the file again stores nothing.
    run(db, "import", "-q", str(path))
    assert json.loads(run(db, "cases", "--format", "json").stdout)["cases"][0]["entries"] == 4


def test_correct_set_it_on_a_required_enum_and_a_reference_list(db: Path, tmp_path: Path) -> None:
    line = minimal("PreliminaryAssessmentDecided", ref="fb-1", reports=["@report-1"])
    line["outcome"] = "no_investigation"
    run(db, "record", "ND-1", "PreliminaryAssessmentDecided", "--json", "-", input=json.dumps(line))
    done = run(
        db,
        "correct",
        "ND-1@fb-1",
        "--set",
        f"outcome={NOT_DOCUMENTED}",
        "--set",
        f"reports={NOT_DOCUMENTED}",
        "--reason",
        "the journal does not say",
    )
    assert "EntryCorrected" in done.output
    table, entry = shown(db, "ND-1@fb-1")
    assert entry["fields"]["outcome"] == "no_investigation"  # as recorded
    assert entry["current"]["fields"] == {"reports": NOT_DOCUMENTED, "outcome": NOT_DOCUMENTED}
    assert "corrected outcome=not documented, reports=not documented" in table
    now = table.split("as it reads now", 1)[1]
    assert "outcome      not documented" in now and "reports      not documented" in now


def test_a_bad_word_is_a_one_line_error_naming_line_and_field(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps(minimal("ProtectionAssessmentMade", immediate_protection_needed="undocumented"))
        + "\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--db", str(db), "import", str(path)])
    assert result.exit_code == 2
    assert "bad.jsonl:1: field 'immediate_protection_needed'" in result.output
    assert "(or not_documented)" in result.output


def test_types_says_which_types_accept_it(db: Path) -> None:
    assert "any field may be not_documented" in run(db, "types", "HomeVisit").stdout
    assert "not_documented" not in run(db, "types", "EntryCorrected").stdout


NOT_DOCUMENTED_CASE = Path(__file__).parent / "data" / "not-documented.jsonl"


@pytest.mark.parametrize(
    "command",
    [
        ["check", "ND-1"],
        ["check", "ND-1", "--format", "json"],
        ["check", "ND-1", "--as-known-at", "2020-06"],
        ["check", "--all"],
        ["known", "ND-1", "--at", "2021"],
        ["decisions", "ND-1", "--format", "json"],
        ["gaps", "ND-1"],
        ["timeline", "ND-1", "--format", "dot"],
    ],
)
def test_every_view_reads_not_documented_as_unknown(tmp_path: Path, command: list[str]) -> None:
    # References, times, booleans and enumerations all "not documented": no view may parse,
    # resolve or iterate the marker, and no rule may take it for a value.
    db = str(tmp_path / "nd.db")
    runner = CliRunner()
    imported = runner.invoke(cli, ["--db", db, "import", "-q", str(NOT_DOCUMENTED_CASE)])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(cli, ["--db", db, *command])
    assert result.exit_code == 0, result.output
    if command[0] == "check" and "--format" in command:
        findings = json.loads(result.stdout)["findings"]
        # Nothing is declared complete (complete is not documented): never a breach.
        assert not [f for f in findings if f["status"] == "breach"]
