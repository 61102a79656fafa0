"""`check --all --group-by unit` and `check --all --similar-to CASE#SEQ --months N`: the
recurrence question of a lex Sarah investigation, across cases, from the kept results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from ledger.access import access_entries
from ledger.application import CaseLedger
from ledger.storage import sqlite_store
from projections import schemas

pytestmark = pytest.mark.usefixtures("isolated", "english")

UNIT = "Socialtjänsten Testköping"
OTHER = "Socialtjänsten Annanstad"


def unassessed(case: str, when: str, agency: str | None = UNIT) -> list[dict[str, Any]]:
    """A case whose one report of concern was never assessed (breaches inside complete
    coverage): the triggering entry comes from `agency`'s socialsekreterare."""
    envelope = {"agency": agency, "role": "socialsekreterare"} if agency else {}
    return [
        {
            "case": case,
            "ref": "coverage",
            "type": "CoverageDeclared",
            "occurred": "2015-01-01",
            "sources": "journal",
            "records": "the whole test journal",
            "complete": True,
        },
        {
            "case": case,
            "ref": "report-1",
            "type": "ConcernReportReceived",
            "occurred": when,
            "reporter_category": "skola",
            "concern": "bruises",
            **envelope,
        },
    ]


def invoke(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


@pytest.fixture
def db(tmp_path: Path) -> Path:
    lines = [
        *unassessed("A", "2020-03-02T10:00"),  # same unit, 3 months before: similar
        *unassessed("B", "2020-06-01T10:00"),  # the entry asked about
        *unassessed("C", "2020-04-01T10:00", OTHER),  # another unit
        *unassessed("D", "2018-06-01T10:00"),  # same unit, two years before
        *unassessed("E", "2020-08-01T10:00"),  # same unit, after
        *unassessed("F", "2019"),  # same unit: may lie before the window or in it
        *unassessed("G", "2020-05-01T10:00", None),  # no agency: no unit
    ]
    path = tmp_path / "l.db"
    source = tmp_path / "cases.jsonl"
    source.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    ok(invoke(path, "import", str(source)))
    return path


def test_group_by_unit_counts_each_unit(db: Path) -> None:
    document = json.loads(
        ok(invoke(db, "check", "--all", "--group-by", "unit", "--format", "json")).stdout
    )
    schemas.validate("check", document)
    groups = {item["group"]: item["cases"] for item in document["summary"]}
    assert groups[f"{UNIT} / socialsekreterare"] == 5
    assert groups[f"{OTHER} / socialsekreterare"] == 1
    assert groups["(agency not recorded)"] == 1
    assert "BY UNIT" in ok(invoke(db, "check", "--all", "--group-by", "unit")).stdout


def test_similar_events_in_the_same_unit_before_the_entry(db: Path) -> None:
    result = ok(
        invoke(
            db,
            "--user",
            "utredare",
            "--purpose",
            "lex Sarah 2020:4",
            "check",
            "--all",
            "--similar-to",
            "B@report-1",
            "--months",
            "12",
            "--format",
            "json",
        )
    )
    document = json.loads(result.stdout)
    schemas.validate("similar", document)
    assert document["similar_to"]["case"] == "B" and document["similar_to"]["seq"] == 2
    assert document["similar_to"]["unit"] == f"{UNIT} / socialsekreterare"
    assert "protection-assessment-same-day" in document["similar_to"]["rules"]
    found = {(f["case"], f["rule"], f["within"]) for f in document["findings"]}
    assert {case for case, _, _ in found} == {"A", "F"}
    assert ("A", "protection-assessment-same-day", "yes") in found
    assert ("F", "protection-assessment-same-day", "possibly") in found
    assert all(f["same"] == ["rule", "type"] for f in document["findings"])
    # Two years back, D is in the window too; E (after the entry) never is.
    wider = json.loads(
        ok(
            invoke(
                db, "check", "--all", "--similar-to", "B#2", "--months", "24", "--format", "json"
            )
        ).stdout
    )
    assert {f["case"] for f in wider["findings"]} == {"A", "D", "F"}
    # The read is in the access log: of the case asked about, and across cases.
    ledger = CaseLedger(sqlite_store(str(db)))
    try:
        reads = [
            (r.command, r.case, r.user, r.purpose)
            for r in access_entries(ledger)
            if r.command == "check --similar-to"
        ]
    finally:
        ledger.close()
    assert reads[:2] == [
        ("check --similar-to", "B", "utredare", "lex Sarah 2020:4"),
        ("check --similar-to", None, "utredare", "lex Sarah 2020:4"),
    ]


def test_similar_events_table_marks_the_uncertain_ones(db: Path) -> None:
    out = ok(invoke(db, "check", "--all", "--similar-to", "B@report-1")).stdout
    assert "Similar events in Socialtjänsten Testköping / socialsekreterare" in out
    assert "A#2" in out and "F#2" in out and "C#2" not in out
    assert "the clocks leave open whether it lies in the window" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["check", "B", "--similar-to", "B#2"], "--similar-to goes with --all"),
        (["check", "--all", "--months", "3"], "--months goes with --similar-to"),
        (["check", "--all", "--similar-to", "B#9"], "no entry B#9 in case B"),
        (["check", "--all", "--similar-to", "#2"], "name the case"),
        (["check", "--all", "--similar-to", "G#2"], "records no agency"),
        (["check", "--all", "--similar-to", "B#2", "--months", "0"], "--months"),
        (["check", "--all", "--similar-to", "B#2", "--group-by", "unit"], "no --group-by"),
    ],
)
def test_similar_to_errors_are_one_line(db: Path, args: list[str], needle: str) -> None:
    result = invoke(db, *args)
    assert result.exit_code == 2, result.output
    assert needle in result.stderr
    assert "Traceback" not in result.output


def test_the_lex_sarah_report_lists_earlier_similar_events_in_the_unit(
    db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "b.md"
    ok(invoke(db, "report", "B", "--template", "lex-sarah", "--format", "md", "-o", str(out)))
    text = out.read_text(encoding="utf-8")
    part = text.split("Earlier similar events", 1)[1].split("###", 1)[0]
    assert "A#2 2020-03-02 10:00, Socialtjänsten Testköping / socialsekreterare: breach" in part
    assert "F#2 2019 ?" in part
    for elsewhere in ("C#2", "D#2", "E#2", "G#2"):
        assert elsewhere not in part
    # As known at a point in time, the other cases as they stand now would be hindsight.
    ok(
        invoke(
            db,
            "report",
            "B",
            "--template",
            "lex-sarah",
            "--as-known-at",
            "2020-07-01",
            "--format",
            "md",
            "-o",
            str(out),
        )
    )
    assert "A#2" not in out.read_text(encoding="utf-8")
