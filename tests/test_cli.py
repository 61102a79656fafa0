"""The `ledger` command as a user meets it: exit codes, one-line errors, every output format.

Most tests drive `cli.main:cli` in-process with click's CliRunner (click's own formatting of
errors: `Error: ...`). A few run the real program in a subprocess, where `cli.main.main()`
turns every error into one line `error: ...` on stderr with exit status 2 and no traceback.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from projections import schemas
from tests.conftest import clean_env, program

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
POSTGRES_URL = os.environ.get("LEDGER_TEST_DATABASE_URL")

CASE = "NK-T1"
AGENCY = "Socialtjänsten Testköping"
LONG_AGENCY = "Barn- och ungdomshälsovården i Testköpings kommun, mottagningen för små barn"
LONG_SUMMARY = (
    "Late documentation: the home visit of the fourteenth was written into the journal only "
    "at the end of the month, after the second report had come in; " * 4
).strip()

# The view point most tests take: --as-known-at 2019-12-15 means up to 2019-12-16T00:00.
T = "2019-12-15"
T_POINT = datetime.fromisoformat("2019-12-16T00:00:00+01:00")


def case_lines(case: str = CASE) -> list[dict[str, Any]]:
    """Ten entries with every clock shape: assumed and documented `known`, late knowledge,
    month precision straddling T, approximate times, offsets; references by label and seq."""
    return [
        {
            "case": case,
            "ref": "open",
            "type": "CaseOpened",
            "occurred": "2019-03-01",
            "child": "flicka A",
            "municipality": "Testköping",
            "agency": AGENCY,
        },
        {
            "case": case,
            "ref": "report-1",
            "type": "ConcernReportReceived",
            "occurred": "2019-12-10",
            "known": "2019-12-12",
            "reporter_category": "bvc",
            "mandatory_reporter": True,
            "concern": "the girl has lost weight since the move home",
            "actor": "mottagningen",
            "role": "socialsekreterare",
            "agency": AGENCY,
            "summary": "First report of concern after the move home.",
            "source": "journal 2019-12-12",
        },
        {
            "case": case,
            "ref": "pa-1",
            "type": "ProtectionAssessmentMade",
            "occurred": "2019-12-12T15:30",
            "report": "@report-1",
            "immediate_protection_needed": False,
            "assessment": True,
            "basis": ["@report-1"],
            "actor": "socialsekreterare A",
            "role": "socialsekreterare",
            "agency": AGENCY,
            "summary": "No immediate need of protection.",
        },
        {
            "case": case,
            "ref": "obs-bvc",
            "type": "ObservationRecorded",
            "occurred": "~2019-11",
            "known": "2020-01-10",
            "observed_by": "BVC",
            "observation": "weight curve falling",
            "agency": "BVC",
            "summary": "BVC notes the weight loss.",
        },
        {
            "case": case,
            "ref": "obs-preschool",
            "type": "ObservationRecorded",
            "occurred": "2019-12-02",
            "known": "2019-12",
            "observed_by": "förskolan",
            "observation": "bruise on the cheek",
            "agency": "Förskolan",
        },
        {
            "case": case,
            "ref": "req-1",
            "type": "InformationRequested",
            "occurred": "2019-12-13",
            "counterparty": "BVC",
            "legal_ground": "consent",
            "consent_given_by": "mamma",
            "topic": "weight and growth",
            "agency": AGENCY,
        },
        {
            "case": case,
            "ref": "rec-1",
            "type": "InformationReceived",
            "occurred": "2020-01-10T09:00:00+01:00",
            "counterparty": "BVC",
            "in_reply_to": "@req-1",
            "includes": ["@obs-bvc"],
            "agency": "BVC",
        },
        {
            "case": case,
            "type": "MeetingHeld",
            "occurred": "~2019-12-20",
            "participants": ["mamma", "pappa", "socialsekreterare A"],
            "topic": "how the move home goes",
            "agency": AGENCY,
        },
        {
            "case": case,
            "ref": "late-note",
            "type": "NoteRecorded",
            "occurred": "2019-12-14T10:05",
            "known": "2019-12-30",
            "text": "home visit written up late",
            "agency": LONG_AGENCY,
            "summary": LONG_SUMMARY,
        },
        {
            "case": case,
            "ref": "pad-1",
            "type": "PreliminaryAssessmentDecided",
            "occurred": "2020-01-15",
            "reports": ["@report-1"],
            "outcome": "no_investigation",
            "on_behalf_of": "Socialnämnden",
            "basis": ["@pa-1", "#7"],
            "agency": AGENCY,
            "actor": "enhetschef B",
            "role": "enhetschef",
        },
    ]


def many_lines(case: str, count: int, first: int = 0) -> list[dict[str, Any]]:
    """`count` valid lines: reports, each followed by the protection assessment answering it."""
    lines: list[dict[str, Any]] = []
    for n in range(first, first + count):
        day = f"2018-{1 + (n // 56) % 12:02d}-{1 + (n // 2) % 28:02d}"
        if n % 2 == 0:
            lines.append(
                {
                    "case": case,
                    "ref": f"r{n}",
                    "type": "ConcernReportReceived",
                    "occurred": day,
                    "reporter_category": "forskola",
                    "concern": f"worry number {n}",
                }
            )
        else:
            lines.append(
                {
                    "case": case,
                    "ref": f"pa{n}",
                    "type": "ProtectionAssessmentMade",
                    "occurred": day,
                    "report": f"@r{n - 1}",
                    "immediate_protection_needed": False,
                    "basis": [f"@r{n - 1}"],
                }
            )
    return lines


def jsonl(lines: Sequence[dict[str, Any] | str]) -> str:
    return "".join(
        (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n"
        for line in lines
    )


def write(path: Path, lines: Sequence[dict[str, Any] | str]) -> Path:
    path.write_text(jsonl(lines), encoding="utf-8")
    return path


pytestmark = pytest.mark.usefixtures("isolated", "english")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "l.db"


@pytest.fixture
def filled(db: Path, tmp_path: Path) -> Path:
    """A ledger holding CASE (ten entries)."""
    ok(invoke(db, "import", str(write(tmp_path / "case.jsonl", case_lines()))))
    return db


def invoke(db: Path | str, *args: str, input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args], input=input, catch_exceptions=False)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "Traceback" not in result.output
    return result


def user_error(result: Result, *needles: str, one_line: bool = True) -> str:
    """Exit status 2 and click's one-line `Error: ...` naming every needle."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    if one_line:
        assert len(lines) == 1, result.stderr
    assert lines[-1].startswith("Error: "), result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    return result.stderr


def json_out(result: Result) -> dict[str, Any]:
    return json.loads(ok(result).stdout)


def stored(db: Path | str) -> dict[str, int]:
    """Entries per case, as `ledger cases --format json` reports them."""
    doc = json_out(invoke(db, "cases", "--format", "json"))
    schemas.validate("cases", doc)
    return {item["case"]: item["entries"] for item in doc["cases"]}


def timeline_json(db: Path | str, *options: str) -> dict[str, Any]:
    doc = json_out(invoke(db, "timeline", CASE, "--format", "json", *options))
    schemas.validate("timeline", doc)
    return doc


# --- the real program: exit codes and one line on stderr ----------------------------------


def run(*args: str, program_args: Sequence[str] | None = None) -> subprocess.CompletedProcess:
    env = {**clean_env(), "LEDGER_LANG": "en"}  # the assertions are on the English wording
    return subprocess.run(
        [*(program_args or program()), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def one_line_error(done: subprocess.CompletedProcess, *needles: str) -> str:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stderr.endswith("\n") and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("error: "), done.stderr
    for needle in needles:
        assert needle in done.stderr, done.stderr
    return done.stderr


def test_program_missing_ledger_is_one_line_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    done = run("--db", str(missing), "cases")
    one_line_error(done, "no ledger at", str(missing))
    assert done.stdout == ""
    assert not missing.exists()


def test_program_as_module_unknown_type_is_one_line(tmp_path: Path) -> None:
    done = run("types", "ProtectionAssesmentMade", program_args=[sys.executable, "-m", "cli.main"])
    one_line_error(done, "unknown event type", "did you mean ProtectionAssessmentMade")


def test_program_usage_errors_are_one_line(tmp_path: Path) -> None:
    one_line_error(run("--db", str(tmp_path / "l.db"), "timeline"), "CASE")
    one_line_error(run("--db", str(tmp_path / "l.db"), "timeline", "X", "--format", "xml"), "xml")
    one_line_error(run("nonsense"), "nonsense")


def test_program_import_then_bad_point_and_bad_field(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    source = write(tmp_path / "case.jsonl", case_lines())
    done = run("--db", db, "import", str(source))
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("imported 10 entries into 1 case; 0 already stored")
    one_line_error(
        run("--db", db, "timeline", CASE, "--as-known-at", "2019-13"), "--as-known-at", "2019-13"
    )
    one_line_error(
        run("--db", db, "record", CASE, "NoteRecorded", "--occurred", "2020", "-f", "nope=1"),
        "nope",
    )
    done = run("--db", db, "timeline", CASE, "--format", "json")
    assert done.returncode == 0 and done.stderr == ""
    schemas.validate("timeline", json.loads(done.stdout))


def test_program_bad_import_reports_each_line_and_no_traceback(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    source = write(tmp_path / "bad.jsonl", [*case_lines(), "{oops", *many_lines(CASE, 4)])
    done = run("--db", str(db), "import", str(source))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert all(line.startswith("error: ") for line in lines), done.stderr
    assert lines[0].startswith(f"error: {source}:11: not valid JSON")
    assert lines[-1] == "error: 1 problem(s) in the input; nothing was imported"


# --- init and import ----------------------------------------------------------------------


def test_init_creates_the_store_once_and_an_empty_ledger_lists_no_cases(db: Path) -> None:
    result = ok(invoke(db, "init"))
    assert result.stdout == f"ledger ready at {db} (sqlite)\n"
    assert db.exists()
    ok(invoke(db, "init"))
    assert stored(db) == {}
    assert "\n0 cases." in ok(invoke(db, "cases")).stdout


def test_import_reports_on_stderr_and_reimport_stores_nothing_new(db: Path, tmp_path: Path) -> None:
    source = write(tmp_path / "case.jsonl", [*case_lines(), "", *many_lines("NK-T2", 6)])
    first = ok(invoke(db, "import", str(source)))
    assert first.stdout == ""
    assert first.stderr == (
        "imported 16 entries into 2 cases; 0 already stored (skipped); 16 lines read\n"
    )
    before = json_out(invoke(db, "cases", "--format", "json"))["cases"]
    again = ok(invoke(db, "import", str(source)))
    assert again.stderr == (
        "imported 0 entries into 2 cases; 16 already stored (skipped); 16 lines read\n"
    )
    after = json_out(invoke(db, "cases", "--format", "json"))["cases"]
    assert after == before  # same counts and the same last_recorded_at
    assert stored(db) == {CASE: 10, "NK-T2": 6}
    assert ok(invoke(db, "import", "--quiet", str(source))).stderr == ""


def test_an_interrupted_import_completes_without_duplicates(db: Path, tmp_path: Path) -> None:
    lines = many_lines("NK-T2", 20)
    ok(invoke(db, "import", str(write(tmp_path / "part.jsonl", lines[:8]))))
    result = ok(invoke(db, "import", str(write(tmp_path / "all.jsonl", lines))))
    assert "imported 12 entries into 1 case; 8 already stored (skipped)" in result.stderr
    assert stored(db) == {"NK-T2": 20}


THIRD_BAD_LINE = {
    "bad-time": {
        "case": "NK-BIG",
        "type": "NoteRecorded",
        "occurred": "2019-02-30",
        "text": "a day that does not exist",
    },
    "missing-field": {
        "case": "NK-BIG",
        "ref": "no-concern",
        "type": "ConcernReportReceived",
        "occurred": "2019-05",
        "reporter_category": "skola",
    },
    "unresolvable-reference": {
        "case": "NK-BIG",
        "ref": "pa-orphan",
        "type": "ProtectionAssessmentMade",
        "occurred": "2019-05",
        "report": "@no-such-report",
        "immediate_protection_needed": True,
    },
}
THIRD_BAD_MESSAGE = {
    "bad-time": "2019-02 has only 28 days",
    "missing-field": "field 'concern': missing",
    "unresolvable-reference": "@no-such-report does not resolve",
}


@pytest.mark.parametrize(
    "third",
    ["bad-time", "missing-field", "unresolvable-reference"],
)
def test_three_bad_lines_among_a_hundred_good_ones_store_nothing(
    filled: Path, tmp_path: Path, third: str
) -> None:
    before = stored(filled)
    good = [*many_lines("NK-BIG", 96), *many_lines(CASE, 4, first=1000)]
    bad = [
        "{not json",
        {"case": "NK-BIG", "type": "ConcernReportRecieved", "occurred": "2019-01"},
        THIRD_BAD_LINE[third],
    ]
    lines: list[dict[str, Any] | str] = [*good[:10], "", *good[10:]]
    lines.insert(17, bad[0])
    lines.insert(55, bad[1])
    lines.insert(98, bad[2])
    source = write(tmp_path / "mixed.jsonl", lines)
    numbers = [lines.index(line) + 1 for line in bad]
    assert numbers == [18, 56, 99] and len(lines) == 104

    result = invoke(filled, "import", str(source))
    errors = user_error(result, "3 problem(s) in the input", "nothing was imported", one_line=False)
    reported = [line for line in errors.splitlines() if line.startswith("error: ")]
    assert [line.split(": ")[1] for line in reported] == [f"{source}:{n}" for n in numbers]
    assert "not valid JSON" in reported[0]
    assert "did you mean ConcernReportReceived" in reported[1]
    assert THIRD_BAD_MESSAGE[third] in reported[2]
    assert stored(filled) == before


def test_unresolvable_references_are_all_reported_with_their_lines(
    filled: Path, tmp_path: Path
) -> None:
    before = stored(filled)
    lines: list[dict[str, Any] | str] = [*many_lines("NK-BIG", 100)]
    lines[21] = {**lines[21], "report": "@r999"}  # a label nobody has
    lines[41] = {**lines[41], "basis": ["#500"]}  # beyond the end of the case
    lines[71] = {**lines[71], "case": CASE, "report": "@r70", "basis": []}  # other case's label
    source = write(tmp_path / "refs.jsonl", lines)
    errors = user_error(invoke(filled, "import", str(source)), "3 problem(s)", one_line=False)
    reported = [line for line in errors.splitlines() if line.startswith("error: ")]
    assert reported == [
        f"error: {source}:22: field 'report': @r999 does not resolve: no entry has that ref",
        f"error: {source}:42: field 'basis': #500 does not exist (the case has 99 entries)",
        f"error: {source}:72: field 'report': @r70 does not resolve: no entry has that ref",
    ]
    assert stored(filled) == before


def test_a_reference_to_an_invalid_line_is_not_a_second_error(db: Path, tmp_path: Path) -> None:
    report, assessment = many_lines(CASE, 2)
    source = write(tmp_path / "f.jsonl", [{**report, "occurred": "2019-12-1x"}, assessment])
    errors = user_error(invoke(db, "import", str(source)), "1 problem(s)", one_line=False)
    assert f"{source}:2:" not in errors


def test_a_rejected_import_into_a_new_path_creates_no_ledger(db: Path, tmp_path: Path) -> None:
    source = write(tmp_path / "bad.jsonl", ["{oops"])
    user_error(invoke(db, "import", str(source)), "nothing was imported", one_line=False)
    assert not db.exists()


def test_same_ref_with_different_content_is_a_conflict_and_stores_nothing(
    filled: Path, tmp_path: Path
) -> None:
    changed = case_lines()
    changed[1] = {**changed[1], "summary": "Reworded summary."}
    source = write(tmp_path / "changed.jsonl", [*changed, *many_lines(CASE, 2, first=500)])
    errors = user_error(invoke(filled, "import", str(source)), one_line=False)
    assert (
        f"error: {source}:2: field 'ref': 'report-1' is already stored as #2 with different "
        "content (record a correction instead)"
    ) in errors.splitlines()
    assert "1 problem(s) in the input; nothing was imported" in errors
    assert stored(filled) == {CASE: 10}


def test_import_from_stdin(db: Path) -> None:
    result = ok(invoke(db, "import", "-", input=jsonl(case_lines())))
    assert result.stderr.startswith("imported 10 entries into 1 case;")
    assert stored(db) == {CASE: 10}
    bad = jsonl([*many_lines("NK-T2", 2), '{"case": 1}'])
    errors = user_error(invoke(db, "import", "-", input=bad), one_line=False)
    assert "error: <stdin>:3: " in errors
    assert stored(db) == {CASE: 10}


def test_import_of_a_missing_file_is_one_line(db: Path, tmp_path: Path) -> None:
    user_error(invoke(db, "import", str(tmp_path / "nope.jsonl")), "nope.jsonl")


# --- record --------------------------------------------------------------------------------


def test_record_with_fields_coerces_booleans_and_resolves_references(filled: Path) -> None:
    result = ok(
        invoke(
            filled,
            "record",
            CASE,
            "ProtectionAssessmentMade",
            "--occurred",
            "2020-01-08",
            "--ref",
            "pa-2",
            "--field",
            "report=@report-1",
            "--field",
            "immediate_protection_needed=false",
            "-f",
            "child_seen=yes",
            "--basis",
            "@report-1",
            "--basis",
            "#3",
            "--assessment",
            "--agency",
            AGENCY,
        )
    )
    assert result.stdout == f"recorded {CASE}#11 (@pa-2)\n"
    entry = json_out(invoke(filled, "show", f"{CASE}@pa-2", "--format", "json"))["entry"]
    assert entry["fields"] == {
        "report": {"seq": 2, "ref": "report-1"},
        "immediate_protection_needed": False,
        "child_seen": True,
    }
    assert entry["basis"] == [{"seq": 2, "ref": "report-1"}, {"seq": 3, "ref": "pa-1"}]
    assert entry["assessment"] is True
    assert entry["known"] == {**entry["occurred"], "assumed": True}


def test_record_the_same_entry_twice_stores_it_once(filled: Path) -> None:
    args = ["record", CASE, "NoteRecorded", "--occurred", "2020-02", "--ref", "n1", "-f", "text=x"]
    assert ok(invoke(filled, *args)).stdout == f"recorded {CASE}#11 (@n1)\n"
    again = ok(invoke(filled, *args)).stdout
    assert again == f"already stored as {CASE}#11 (@n1); nothing recorded\n"
    assert stored(filled) == {CASE: 11}


def test_record_reads_json_from_stdin_and_options_win(db: Path) -> None:
    obj = {
        "occurred": "2019-12",
        "known": "2020-01-07",
        "concern": "bruises",
        "reporter_category": "forskola",
        "mandatory_reporter": True,
        "summary": "from stdin",
        "case": "IGNORED-CASE",
    }
    result = ok(
        invoke(
            db,
            "record",
            "NK-NEW",
            "ConcernReportReceived",
            "--json",
            "-",
            "--summary",
            "from the option",
            input=json.dumps(obj),
        )
    )
    assert result.stdout == "recorded NK-NEW#1\n"
    assert stored(db) == {"NK-NEW": 1}
    entry = json_out(invoke(db, "show", "NK-NEW#1", "--format", "json"))["entry"]
    assert entry["summary"] == "from the option"
    assert entry["known"]["text"] == "2020-01-07" and entry["known"]["assumed"] is False
    assert entry["fields"]["mandatory_reporter"] is True


def test_record_a_correction_with_an_object_field_and_see_it_as_known(filled: Path) -> None:
    args = ["record", CASE, "EntryCorrected", "--occurred", "2020-02-03", "--ref", "fix-1"]
    args += ["-f", "target=@report-1", "-f", 'changes={"summary": "Reworded."}']
    args += ["-f", "reason=the summary was wrong"]
    assert ok(invoke(filled, *args)).stdout == f"recorded {CASE}#11 (@fix-1)\n"
    now = {e["ref"]: e for e in timeline_json(filled)["entries"]}
    assert now["report-1"]["summary"] == "Reworded."
    assert now["report-1"]["corrected_by"] == [{"seq": 11, "ref": "fix-1"}]
    assert now["fix-1"]["fields"]["target"] == {"seq": 2, "ref": "report-1"}
    then = {e["ref"]: e for e in timeline_json(filled, "--as-known-at", "2020-01")["entries"]}
    assert then["report-1"]["summary"] == "First report of concern after the move home."
    assert then["report-1"]["corrected_by"] == [] and "fix-1" not in then
    user_error(
        invoke(filled, *args[:5], "-f", "target=#2", "-f", "changes=nope", "-f", "reason=x"),
        "field 'changes'",
        "JSON object",
    )


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["NoteRecorded", "--occurred", "2020", "--field", "nope=1"], ["field 'nope'", "unknown"]),
        (
            [
                *("ProtectionAssessmentMade", "--occurred", "2020", "-f", "report=@report-1"),
                *("-f", "immediate_protection_needed=maybe"),
            ],
            ["immediate_protection_needed", "true or false", "maybe"],
        ),
        (["NoteRecorded", "--occurred", "2020", "--field", "text"], ["--field 'text'"]),
        (["NoteRecorded", "-f", "text=x"], ["field 'occurred': missing"]),
        (["NoteRecorded", "--occurred", "2020-14", "-f", "text=x"], ["occurred", "2020-14"]),
        (["NoteRecorded", "--occurred", "2020", "-f", "text=x", "--basis", "@zz"], ["@zz"]),
        (["NoteRecord", "--occurred", "2020", "-f", "text=x"], ["did you mean NoteRecorded"]),
        (["ConcernReportReceived", "--json", "-"], ["--json", "not valid JSON"]),
    ],
    ids=[
        "unknown-field",
        "bad-bool",
        "no-equals",
        "no-occurred",
        "bad-time",
        "bad-basis",
        "unknown-type",
        "bad-json",
    ],
)
def test_record_rejects_bad_input_in_one_line_and_stores_nothing(
    filled: Path, args: list[str], needles: list[str]
) -> None:
    user_error(invoke(filled, "record", CASE, *args, input="{nope"), *needles)
    assert stored(filled) == {CASE: 10}


# --- timeline ------------------------------------------------------------------------------


def test_timeline_table_fits_120_columns(filled: Path) -> None:
    out = ok(invoke(filled, "timeline", CASE, "--width", "120")).stdout
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 120, "\n".join(lines)
    assert lines[-1].startswith("10 entries.")
    assert "…" not in out  # long cells wrap, nothing is cut
    entries = timeline_json(filled)["entries"]
    flowing = " ".join(" ".join(lines).split())
    for entry in entries:  # every summary whole
        assert " ".join((entry["summary"] or "").split()) in flowing
    assert "~2019-11 → 2020-01-10" in out  # known later than occurred is shown
    assert "2019-03-01 " in out and "2019-03-01 →" not in out  # an assumed known is not
    assert "2019-12-10 → 2019-12-12" in out  # the common day → day form is not cut


def test_cases_table_fits_120_columns(filled: Path) -> None:
    out = ok(invoke(filled, "cases", "--width", "120")).stdout
    assert max(len(line) for line in out.splitlines()) <= 120
    assert CASE in out and out.strip().endswith("1 case.")


def test_timeline_json_entries_carry_the_contract(filled: Path) -> None:
    doc = timeline_json(filled)
    assert doc["case"] == CASE and doc["schema_version"] == 2 and doc["order"] == "occurred"
    assert doc["view"] == {"as_known_at": None, "as_of": None, "as_recorded_at": None}
    entries = doc["entries"]
    assert sorted(e["seq"] for e in entries) == list(range(1, 11))
    for entry in entries:
        for key in ("seq", "ref", "type", "occurred", "known", "recorded_at", "fields"):
            assert key in entry
        for clock in ("occurred", "known"):
            assert {"text", "start", "end", "approximate"} <= set(entry[clock])
        assert entry["knowledge"] is None and entry["occurrence"] is None
    starts = [(e["occurred"]["start"], e["known"]["start"], e["seq"]) for e in entries]
    assert [s[2] for s in starts] == [s[2] for s in sorted(starts, key=_instant_key)]
    by_ref = {e["ref"]: e for e in entries}
    assert by_ref["rec-1"]["fields"]["in_reply_to"] == {"seq": 6, "ref": "req-1"}
    assert by_ref["pad-1"]["basis"] == [{"seq": 3, "ref": "pa-1"}, {"seq": 7, "ref": "rec-1"}]
    assert by_ref[None]["occurred"]["text"] == "~2019-12-20"


def _instant_key(item: tuple[str, str, int]) -> tuple[datetime, datetime, int]:
    return (datetime.fromisoformat(item[0]), datetime.fromisoformat(item[1]), item[2])


def test_timeline_as_known_at_shows_only_what_was_known(filled: Path) -> None:
    everything = {e["seq"]: e for e in timeline_json(filled)["entries"]}
    doc = timeline_json(filled, "--as-known-at", T)
    # The point as the user gave it: a clock whose end is the instant the view is taken at.
    assert doc["view"]["as_known_at"]["text"] == T
    assert datetime.fromisoformat(doc["view"]["as_known_at"]["end"]) == T_POINT
    entries = doc["entries"]
    for entry in entries:
        known = entry["known"]
        assert entry["knowledge"] in ("known", "possibly")
        assert datetime.fromisoformat(known["start"]) < T_POINT
        straddles = datetime.fromisoformat(known["end"]) > T_POINT
        assert entry["knowledge"] == ("possibly" if straddles else "known"), entry
    shown = {e["ref"] for e in entries}
    assert shown == {"open", "report-1", "pa-1", "obs-preschool", "req-1"}
    assert {e["ref"]: e["knowledge"] for e in entries}["obs-preschool"] == "possibly"
    hidden = [e for seq, e in everything.items() if e["ref"] not in shown]
    for entry in hidden:  # nothing known before T was left out
        assert (
            datetime.fromisoformat(entry["known"]["start"]) >= T_POINT
            or entry["known"]["approximate"]
        )
    table = ok(invoke(filled, "timeline", CASE, "--as-known-at", T, "--width", "120")).stdout
    assert table.splitlines()[-1].startswith("5 entries.")


def test_timeline_as_of_filters_by_occurred(filled: Path) -> None:
    doc = timeline_json(filled, "--as-of", "2019-12-12")
    states = {e["ref"]: e["occurrence"] for e in doc["entries"]}
    assert states == {
        "open": "before",
        "report-1": "before",
        "pa-1": "before",
        "obs-bvc": "possibly",  # ~2019-11 may reach into December
        "obs-preschool": "before",
    }
    assert {e["knowledge"] for e in doc["entries"]} == {None}
    both = timeline_json(filled, "--as-of", "2019-12-12", "--as-known-at", "2019-12-12")
    assert {e["ref"] for e in both["entries"]} == {"open", "report-1", "pa-1", "obs-preschool"}


def test_timeline_as_recorded_at_before_the_import_is_empty(filled: Path) -> None:
    assert timeline_json(filled, "--as-recorded-at", "2001")["entries"] == []
    assert len(timeline_json(filled, "--as-recorded-at", "2199")["entries"]) == 10


def test_timeline_order_known_orders_by_knowledge_time(filled: Path) -> None:
    doc = timeline_json(filled, "--order", "known")
    assert doc["order"] == "known"
    keys = [
        (datetime.fromisoformat(e["known"]["start"]), datetime.fromisoformat(e["known"]["end"]))
        for e in doc["entries"]
    ]
    assert keys == sorted(keys)
    by_occurred = [e["seq"] for e in timeline_json(filled)["entries"]]
    assert [e["seq"] for e in doc["entries"]] != by_occurred  # late knowledge moves entries


def test_timeline_ndjson_is_one_item_a_line_with_its_case(filled: Path) -> None:
    out = ok(invoke(filled, "timeline", CASE, "--format", "ndjson")).stdout
    assert out.endswith("\n")
    items = [json.loads(line) for line in out.splitlines()]
    entries = timeline_json(filled)["entries"]
    assert len(items) == len(entries) == 10
    assert all(item["case"] == CASE for item in items)
    assert [{k: v for k, v in item.items() if k != "case"} for item in items] == entries


def test_timeline_csv_has_a_header_and_one_row_per_entry(filled: Path) -> None:
    out = ok(invoke(filled, "timeline", CASE, "--format", "csv")).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    entries = timeline_json(filled)["entries"]
    assert len(rows) == len(entries)
    header = out.splitlines()[0].split(",")
    assert header[:4] == ["case", "seq", "ref", "type"]
    assert {"occurred", "known", "known_assumed", "recorded_at", "basis"} <= set(header)
    assert not any(cell.lstrip().startswith(("{", "[")) for row in rows for cell in row.values())
    for row, entry in zip(rows, entries, strict=True):
        assert row["case"] == CASE
        assert int(row["seq"]) == entry["seq"]
        assert row["occurred"] == entry["occurred"]["text"]
        assert row["known_assumed"] in ("true", "false")
    pad = next(row for row in rows if row["ref"] == "pad-1")
    assert pad["basis"] == "#3; #7"  # every list one way
    assert pad["fields.reports"] == "#2"  # nested fields are columns of their own


def test_output_option_writes_the_file_instead_of_stdout(filled: Path, tmp_path: Path) -> None:
    target = tmp_path / "timeline.json"
    result = ok(invoke(filled, "timeline", CASE, "--format", "json", "-o", str(target)))
    assert result.stdout == ""
    schemas.validate("timeline", json.loads(target.read_text(encoding="utf-8")))
    csv_target = tmp_path / "timeline.csv"
    ok(invoke(filled, "timeline", CASE, "--format", "csv", "--output", str(csv_target)))
    assert len(list(csv.DictReader(csv_target.open(encoding="utf-8")))) == 10
    assert not list(tmp_path.glob("*.partial"))
    user_error(
        invoke(filled, "timeline", CASE, "-o", str(tmp_path / "no" / "such" / "dir" / "t.txt")),
        "does not exist",
    )


@pytest.mark.parametrize(
    ("option", "value", "needles"),
    [
        ("--as-known-at", "2019-13", ["--as-known-at", "2019-13", "month must be 01-12"]),
        ("--as-of", "yesterday", ["--as-of", "yesterday"]),
        ("--as-known-at", "~2019", ["--as-known-at", "cannot be approximate"]),
        ("--as-recorded-at", "2019-02-30", ["--as-recorded-at", "only 28 days"]),
    ],
)
def test_a_bad_point_in_time_is_one_line_naming_the_option(
    filled: Path, option: str, value: str, needles: list[str]
) -> None:
    user_error(invoke(filled, "timeline", CASE, option, value), *needles)


def test_timeline_of_an_unknown_case_is_one_line(filled: Path) -> None:
    user_error(invoke(filled, "timeline", "NK-NOPE"), "no case 'NK-NOPE'")


# --- show ----------------------------------------------------------------------------------


def test_show_by_seq_and_by_label_is_the_same_entry(filled: Path) -> None:
    by_seq = json_out(invoke(filled, "show", f"{CASE}#3", "--format", "json"))
    by_label = json_out(invoke(filled, "show", f"{CASE}@pa-1", "--format", "json"))
    for doc in (by_seq, by_label):
        schemas.validate("show", doc)
        assert doc["case"] == CASE
    assert by_seq["entry"] == by_label["entry"]
    entry = by_seq["entry"]
    assert (entry["seq"], entry["ref"], entry["type"]) == (3, "pa-1", "ProtectionAssessmentMade")
    assert entry["decision"] is True and entry["category"] == "assessment"
    assert len(entry["integrity"]["hash"]) == 64
    first = json_out(invoke(filled, "show", f"{CASE}#1", "--format", "json"))["entry"]
    second = json_out(invoke(filled, "show", f"{CASE}#2", "--format", "json"))["entry"]
    assert second["integrity"]["prev_hash"] == first["integrity"]["hash"]


def test_show_table_spells_out_every_clock_and_field(filled: Path) -> None:
    card = ok(invoke(filled, "show", f"{CASE}#2")).stdout
    assert card.startswith(f"{CASE}#2 (@report-1)\n")
    assert "ConcernReportReceived — orosanmälan inkommen" in card
    assert "occurred     2019-12-10" in card
    assert "known        2019-12-12" in card and "assumed" not in card
    assert "recorded at  " in card
    assert "reporter_category BVC (bvc)" in card.replace("  ", " ")
    label_card = ok(invoke(filled, "show", f"{CASE}@pa-1")).stdout
    assert "report       #2 (@report-1)" in label_card
    assert "immediate_protection_needed no" in label_card
    assert "assumed: same as occurred" in label_card
    assert "assessment   yes" in label_card


def test_show_other_formats(filled: Path) -> None:
    line = ok(invoke(filled, "show", f"{CASE}@rec-1", "--format", "ndjson")).stdout
    item = json.loads(line)
    assert item["case"] == CASE and item["seq"] == 7 and line.count("\n") == 1
    table = ok(invoke(filled, "show", f"{CASE}#7", "--format", "csv")).stdout
    rows = list(csv.DictReader(io.StringIO(table)))
    assert len(rows) == 1 and rows[0]["ref"] == "rec-1"


@pytest.mark.parametrize(
    ("reference", "needles"),
    [
        (f"{CASE}#99", [f"no entry {CASE}#99 in case {CASE}"]),
        (f"{CASE}@nope", [f"no entry {CASE}@nope"]),
        ("NK-NOPE#1", ["no case 'NK-NOPE'"]),
        ("#3", ["name the case"]),
        ("NK T1", ["not a reference"]),
    ],
)
def test_show_of_an_unknown_reference_is_one_line(
    filled: Path, reference: str, needles: list[str]
) -> None:
    user_error(invoke(filled, "show", reference), *needles)


# --- cases and types -----------------------------------------------------------------------


def test_cases_table_and_json(filled: Path, tmp_path: Path) -> None:
    ok(invoke(filled, "import", str(write(tmp_path / "t2.jsonl", many_lines("NK-T2", 4)))))
    table = ok(invoke(filled, "cases")).stdout
    assert table.splitlines()[0].split()[:2] == ["case", "entries"]
    assert CASE in table and "NK-T2" in table and table.strip().endswith("2 cases.")
    doc = json_out(invoke(filled, "cases", "--format", "json"))
    schemas.validate("cases", doc)
    assert doc["case"] is None
    first = doc["cases"][0]
    assert (first["case"], first["entries"]) == (CASE, 10)
    assert first["first_occurred"]["text"] == "2019-03-01"
    assert first["last_occurred"]["text"] == "2020-01-15"
    assert first["last_type"] == "PreliminaryAssessmentDecided"
    ndjson = ok(invoke(filled, "cases", "--format", "ndjson")).stdout.splitlines()
    assert [json.loads(line)["case"] for line in ndjson] == [CASE, "NK-T2"]
    rows = list(csv.DictReader(io.StringIO(ok(invoke(filled, "cases", "--format", "csv")).stdout)))
    assert [(r["case"], r["entries"]) for r in rows] == [(CASE, "10"), ("NK-T2", "4")]


def test_types_lists_the_vocabulary(db: Path) -> None:
    table = ok(invoke(db, "types")).stdout
    assert "ProtectionAssessmentMade" in table and "skyddsbedömning" in table
    assert table.strip().endswith("types. D = decision.")
    doc = json_out(invoke(db, "types", "--format", "json"))
    schemas.validate("types", doc)
    names = [t["type"] for t in doc["types"]]
    assert "ConcernReportReceived" in names and len(names) == len(set(names))
    assert not db.exists()  # the vocabulary needs no ledger


def test_types_one_type(db: Path) -> None:
    card = ok(invoke(db, "types", "ProtectionAssessmentMade")).stdout
    assert card.startswith("ProtectionAssessmentMade — skyddsbedömning")
    assert "immediate_protection_needed" in card and "required" in card
    assert "SoL (2001:453) 11 kap. 1 a §" in card
    doc = json_out(invoke(db, "types", "ProtectionAssessmentMade", "--format", "json"))
    schemas.validate("types", doc)
    (only,) = doc["types"]
    fields = {f["name"]: f for f in only["fields"]}
    assert fields["report"]["kind"] == "ref" and fields["report"]["required"] is True
    assert fields["child_seen"]["required"] is False
    assert "`known` must be given" in ok(invoke(db, "types", "ObservationRecorded")).stdout


def test_types_unknown_is_one_line_with_a_suggestion(db: Path) -> None:
    user_error(invoke(db, "types", "Nope"), "unknown event type 'Nope'")
    user_error(
        invoke(db, "types", "protectionassessment"),
        "unknown event type 'protectionassessment'",
        "did you mean ProtectionAssessmentMade",
    )


# --- reading commands never create a ledger ------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["cases"],
        ["cases", "--format", "json"],
        ["timeline", CASE],
        ["timeline", CASE, "--as-known-at", T, "--format", "json"],
        ["show", f"{CASE}#1"],
    ],
)
def test_reading_a_missing_ledger_is_one_line_and_creates_no_file(
    tmp_path: Path, args: list[str]
) -> None:
    missing = tmp_path / "missing.db"
    user_error(invoke(missing, *args), "no ledger at", str(missing))
    assert not missing.exists()


# --- help ------------------------------------------------------------------------------------


def commands() -> Iterator[list[str]]:
    yield []
    for name in sorted(cli.commands):
        yield [name]


@pytest.mark.parametrize("path", list(commands()), ids=lambda p: " ".join(p) or "ledger")
def test_help_exits_0_and_shows_an_example(path: list[str]) -> None:
    for flag in ("--help", "-h"):
        result = CliRunner().invoke(cli, [*path, flag])
        assert result.exit_code == 0, result.output
        assert "Example" in result.stdout
        assert result.stdout.startswith("Usage: ")


def test_every_command_has_a_one_line_example_in_its_help() -> None:
    for name, command in cli.commands.items():
        assert isinstance(command, click.Command)
        text = command.help or ""
        assert "Example" in text, name
        example = text.split("Example", 1)[1].strip().splitlines()
        assert example and example[1].strip().startswith("ledger "), (name, example)


# --- PostgreSQL: the same command line on the other store ---------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "l.db")
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need LEDGER_TEST_DATABASE_URL=postgresql://user@host/db")
    schema = request.getfixturevalue("postgres_schema")
    return f"{POSTGRES_URL}?schema={schema}"


def test_import_reimport_and_views_on_every_store(any_db: str, tmp_path: Path) -> None:
    source = write(tmp_path / "case.jsonl", case_lines())
    ok(invoke(any_db, "init"))
    assert "imported 10 entries" in ok(invoke(any_db, "import", str(source))).stderr
    assert "10 already stored" in ok(invoke(any_db, "import", str(source))).stderr
    assert stored(any_db) == {CASE: 10}
    doc = timeline_json(any_db, "--as-known-at", T)
    assert {e["ref"] for e in doc["entries"]} == {
        "open",
        "report-1",
        "pa-1",
        "obs-preschool",
        "req-1",
    }
    schemas.validate("show", json_out(invoke(any_db, "show", f"{CASE}@pa-1", "--format", "json")))


# --- the example case file -------------------------------------------------------------------


LILLA_HJARTAT = EXAMPLES / "lilla-hjartat.jsonl"


@pytest.mark.skipif(
    not LILLA_HJARTAT.exists(), reason="examples/lilla-hjartat.jsonl not written yet"
)
def test_lilla_hjartat_as_known_at_the_end_of_2019_knows_nothing_from_2020(db: Path) -> None:
    """Nothing the social services learned in 2020 is shown as known at 2019-12-31.

    An approximate `known` such as `~2020-01` may reach back into December (DESIGN §3 widens
    an approximate time by one unit), so such an entry is shown, but only as possibly known.
    """
    ok(invoke(db, "import", str(LILLA_HJARTAT)))
    doc = json_out(
        invoke(db, "timeline", "NK-LH", "--as-known-at", "2019-12-31", "--format", "json")
    )
    schemas.validate("timeline", doc)
    assert doc["entries"]
    for entry in doc["entries"]:
        if entry["known"]["start"].startswith("2020"):
            assert entry["knowledge"] == "possibly" and entry["known"]["approximate"], entry
        else:
            assert entry["known"]["start"] < "2020", entry
    certain = [e for e in doc["entries"] if e["knowledge"] == "known"]
    assert certain and not any(e["known"]["start"].startswith("2020") for e in certain)


def test_a_writer_kept_waiting_by_another_process_gets_one_line_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    from cli import main as program
    from ledger import storage

    db = tmp_path / "busy.db"
    ok(invoke(db, "record", "B-1", "NoteRecorded", "--occurred", "2020-01", "--field", "text=a"))
    monkeypatch.setattr(storage, "SQLITE_LOCK_SECONDS", 1)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's long write transaction
    try:
        argv = ["ledger", "--db", str(db), "record", "B-1", "NoteRecorded", "--occurred"]
        monkeypatch.setattr(sys, "argv", [*argv, "2020-02", "--field", "text=b"])
        with pytest.raises(SystemExit) as exited:
            program.main()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert exited.value.code == 1
    # Recording into a case reads it, so the read is logged first: that write waits.
    assert capsys.readouterr().err.splitlines() == [
        "error: cannot write the access log: the ledger is busy: another process has been "
        "writing to it for over 1 s (an import holds it until it ends); nothing was shown"
    ]
    timeline = json.loads(ok(invoke(db, "timeline", "B-1", "--format", "json")).stdout)
    assert [entry["seq"] for entry in timeline["entries"]] == [1]


def test_a_reader_kept_waiting_by_another_process_shows_nothing_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from ledger import storage

    db = tmp_path / "busy.db"
    ok(invoke(db, "record", "B-1", "NoteRecorded", "--occurred", "2020-01", "--field", "text=a"))
    monkeypatch.setattr(storage, "SQLITE_LOCK_SECONDS", 1)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = CliRunner().invoke(cli, ["--db", str(db), "timeline", "B-1"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: cannot write the access log: the ledger is busy: another process has been "
        "writing to it for over 1 s (an import holds it until it ends); nothing was shown"
    ]
