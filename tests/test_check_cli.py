"""`ledger check` and `ledger rules` as a user meets them: exit codes, JSON that validates
against the shipped schemas, grouped counts for --all, local-policy overrides, errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from cli.check import check, rules
from cli.main import cli
from projections import schemas
from projections.rules import RULES

# cli/main.py registers these with one line each; until then (and harmlessly after) do it here.
for _command in (check, rules):
    if _command.name not in cli.commands:
        cli.add_command(_command)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
AGENCY = "Socialtjänsten Testköping"


def opened(case: str) -> dict[str, Any]:
    return {
        "case": case,
        "ref": "open",
        "type": "CaseOpened",
        "occurred": "2019-03-01",
        "child": "flicka A",
        "municipality": "Testköping",
        "agency": AGENCY,
    }


def coverage(case: str) -> dict[str, Any]:
    """The test cases are the whole journal: a missing act is a breach, not `no_record`."""
    return {
        "case": case,
        "ref": "coverage",
        "type": "CoverageDeclared",
        "occurred": "2019-03-01",
        "sources": "journal",
        "records": "the whole test journal",
        "complete": True,
    }


def report(case: str, known: str = "2020-03-02T10:00") -> dict[str, Any]:
    return {
        "case": case,
        "ref": "report-1",
        "type": "ConcernReportReceived",
        "occurred": known,
        "reporter_category": "bvc",
        "concern": "weight loss",
        "agency": AGENCY,
    }


def clean_case(case: str = "T-CLEAN") -> list[dict[str, Any]]:
    """Every deadline met, every decision with its basis: no findings at all."""
    return [
        opened(case),
        coverage(case),
        report(case),
        {
            "case": case,
            "ref": "pa-1",
            "type": "ProtectionAssessmentMade",
            "occurred": "2020-03-02T12:00",
            "report": "@report-1",
            "immediate_protection_needed": False,
            "child_seen": True,
            "basis": ["@report-1"],
            "agency": AGENCY,
        },
        {
            "case": case,
            "ref": "fb-1",
            "type": "PreliminaryAssessmentDecided",
            "occurred": "2020-03-10",
            "reports": ["@report-1"],
            "outcome": "no_investigation",
            "basis": ["@report-1", "@pa-1"],
            "agency": AGENCY,
        },
    ]


def breach_case(case: str = "T-BREACH") -> list[dict[str, Any]]:
    """A report nobody assessed: two breaches (same day, 14 days)."""
    return [opened(case), coverage(case), report(case)]


def write(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def invoke(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def ok(result: Result, code: int = 0) -> Result:
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.output
    return result


def user_error(result: Result, *needles: str) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    return result.stderr


def validate(name: str, document: dict[str, Any]) -> None:
    """Against projections/schemas/NAME.schema.json, with the package's own $refs."""
    if name in schemas.NAMES:
        schemas.validate(name, document)
        return
    folder = files("projections").joinpath("schemas")
    loaded = {
        p.name: json.loads(p.read_text(encoding="utf-8"))
        for p in folder.iterdir()
        if p.name.endswith(".schema.json")
    }
    registry = Registry().with_resources(
        (c["$id"], Resource.from_contents(c, default_specification=DRAFT202012))
        for c in loaded.values()
    )
    checker = getattr(schemas, "_format_checker", FormatChecker)()
    contents = loaded[f"{name}.schema.json"]
    Draft202012Validator.check_schema(contents)
    Draft202012Validator(contents, registry=registry, format_checker=checker).validate(document)


def json_of(result: Result) -> dict[str, Any]:
    return json.loads(ok(result).stdout)


pytestmark = pytest.mark.usefixtures("isolated", "english")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A ledger with the two examples, a clean case and a case with breaches."""
    path = tmp_path / "l.db"
    lines = clean_case() + breach_case()
    ok(invoke(path, "import", str(write(tmp_path / "t.jsonl", lines))))
    ok(
        invoke(
            path, "import", *(str(EXAMPLES / n) for n in ("lilla-hjartat.jsonl", "astorp.jsonl"))
        )
    )
    return path


# --- help -----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["check", "rules"])
def test_every_command_s_help_has_an_example(command: str) -> None:
    result = ok(CliRunner().invoke(cli, [command, "--help"]))
    assert "Example:" in result.stdout
    assert f"ledger {command}" in result.stdout


# --- exit codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "fail_on", "code"),
    [
        ("T-BREACH", None, 0),
        ("T-BREACH", "breach", 1),
        ("T-BREACH", "warning", 1),
        ("T-CLEAN", "breach", 0),
        ("T-CLEAN", "warning", 0),
        ("AS-2020", "breach", 0),
        ("AS-2020", "warning", 0),  # public sources only: no_record, not warning
    ],
)
def test_fail_on_sets_the_exit_status(db: Path, case: str, fail_on: str | None, code: int) -> None:
    args = ["check", case] + (["--fail-on", fail_on] if fail_on else [])
    result = ok(invoke(db, *args), code)
    assert case in result.stdout  # the findings are printed either way


# The real entry point, cli.main.main(), runs click with standalone_mode=False; the exit
# status must survive that (ctx.exit would not).
PROGRAM = (
    "from cli.main import cli, main\n"
    "from cli.check import check, rules\n"
    "for c in (check, rules):\n"
    "    cli.commands.get(c.name) or cli.add_command(c)\n"
    "main()\n"
)


def program(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROGRAM, "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_program_exits_1_on_fail_on_and_2_on_a_bad_config(db: Path, tmp_path: Path) -> None:
    done = program(db, "check", "T-BREACH", "--fail-on", "breach")
    assert done.returncode == 1, done.stderr
    assert "T-BREACH" in done.stdout
    assert done.stderr.strip() == "check: 2 findings at or above --fail-on breach"
    assert program(db, "check", "T-CLEAN", "--fail-on", "warning").returncode == 0
    config = tmp_path / "bad.toml"
    config.write_text("[rules]\nunknown = 1\n", encoding="utf-8")
    done = program(db, "check", "T-CLEAN", "--rules-config", str(config))
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith("error: --rules-config:") and "unknown key 'unknown'" in line
    assert "Traceback" not in done.stderr


def test_fail_on_with_all_fails_when_any_case_has_a_breach(db: Path) -> None:
    ok(invoke(db, "check", "--all", "--fail-on", "breach"), 1)


def test_a_clean_case_has_no_findings(db: Path) -> None:
    document = json_of(invoke(db, "check", "T-CLEAN", "--format", "json"))
    assert document["findings"] == []
    assert "no findings" in ok(invoke(db, "check", "T-CLEAN")).stdout


# --- JSON -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["NK-LH", "AS-2020", "T-BREACH", "T-CLEAN"])
def test_check_json_validates_and_carries_the_contract(db: Path, case: str) -> None:
    document = json_of(invoke(db, "check", case, "--format", "json"))
    validate("check", document)
    assert document["case"] == case and document["schema_version"] == 2
    assert [item["rule"] for item in document["explain"]][:2] == [
        "protection-assessment-same-day",
        "preliminary-assessment-14-days",
    ]
    assert len(document["explain"]) == len(RULES)
    for finding in document["findings"]:
        assert set(finding) == {
            "rule",
            "severity",
            "status",
            "refs",
            "due",
            "met_at",
            "message",
            "legal_reference",
            "policy",
            "reason",
        }
        assert all(set(ref) == {"seq", "ref"} for ref in finding["refs"])


def test_breach_json_names_the_report_and_its_due_time_in_stockholm(db: Path) -> None:
    document = json_of(invoke(db, "check", "T-BREACH", "--format", "json"))
    same_day = next(f for f in document["findings"] if f["rule"].endswith("same-day"))
    assert same_day["status"] == "breach"
    assert same_day["refs"] == [{"seq": 3, "ref": "report-1"}]
    # Principle 6: the due time is a clock, the day by whose end the act was due.
    assert same_day["due"] == {
        "text": "2020-03-02",
        "start": "2020-03-02T00:00:00+01:00",
        "end": "2020-03-03T00:00:00+01:00",
        "approximate": False,
    }
    assert "#3 (report-1)" in same_day["message"]


def test_as_known_at_gives_pending_with_the_due_time(db: Path) -> None:
    document = json_of(
        invoke(db, "check", "T-BREACH", "--as-known-at", "2020-03-02T12:00", "--format", "json")
    )
    validate("check", document)
    # The point in time as the user gave it, a clock (DESIGN §11).
    assert document["view"]["as_known_at"] == {
        "text": "2020-03-02T12:00",
        "start": "2020-03-02T12:00:00+01:00",
        "end": "2020-03-02T12:01:00+01:00",
        "approximate": False,
    }
    statuses = {f["rule"]: (f["status"], f["due"]["text"]) for f in document["findings"]}
    assert statuses["protection-assessment-same-day"] == ("pending", "2020-03-02")
    assert statuses["preliminary-assessment-14-days"] == ("pending", "2020-03-16")
    ok(invoke(db, "check", "T-BREACH", "--as-known-at", "2020-03-02T12:00", "--fail-on", "breach"))


def test_check_all_json_validates_and_groups_by_rule(db: Path) -> None:
    document = json_of(invoke(db, "check", "--all", "--group-by", "rule", "--format", "json"))
    validate("check", document)
    assert document["case"] is None and document["group_by"] == "rule"
    assert [c["case"] for c in document["cases"]] == ["AS-2020", "NK-LH", "T-BREACH", "T-CLEAN"]
    singles = {
        case: json_of(invoke(db, "check", case, "--format", "json"))["findings"]
        for case in ("AS-2020", "NK-LH", "T-BREACH", "T-CLEAN")
    }
    expected: dict[str, dict[str, int]] = {}
    cases: dict[str, set[str]] = {}
    for case, findings in singles.items():
        for finding in findings:
            counts = expected.setdefault(finding["rule"], {})
            counts[finding["status"]] = counts.get(finding["status"], 0) + 1
            cases.setdefault(finding["rule"], set()).add(case)
    got = {item["group"]: item for item in document["summary"]}
    assert {k: v["by_status"] for k, v in got.items()} == expected
    assert {k: v["cases"] for k, v in got.items()} == {k: len(v) for k, v in cases.items()}
    assert {k: v["findings"] for k, v in got.items()} == {
        k: sum(v.values()) for k, v in expected.items()
    }
    assert len(document["findings"]) == sum(len(f) for f in singles.values())
    assert all(f["case"] in singles for f in document["findings"])
    # Courts' and IVO's decisions are never judged (rules.md Principle 1).
    assert "NK-LH" not in cases.get("decision-without-basis", set())


def test_check_all_table_shows_the_counts(db: Path) -> None:
    out = ok(invoke(db, "check", "--all")).stdout
    assert "rule check of 4 cases" in out and "BY RULE" in out
    line = next(row for row in out.splitlines() if row.startswith("home-move-without-revised"))
    assert line.split()[1] == "2"  # AS-2020 and NK-LH


@pytest.mark.parametrize("group_by", ["month", "agency"])
def test_check_all_groups_by_month_or_agency(db: Path, group_by: str) -> None:
    document = json_of(invoke(db, "check", "--all", "--group-by", group_by, "--format", "json"))
    validate("check", document)
    groups = [item["group"] for item in document["summary"]]
    assert sum(item["findings"] for item in document["summary"]) == len(document["findings"])
    if group_by == "month":
        assert "2020-03" in groups and "2019-12" in groups
    else:
        assert AGENCY in groups and "Socialtjänsten Åstorp" in groups


def test_rules_json_lists_the_fifteen_rules_and_validates() -> None:
    document = json_of(CliRunner().invoke(cli, ["rules", "--format", "json"]))
    validate("rules", document)
    ids = [item["id"] for item in document["rules"]]
    assert len(ids) == len(set(ids)) == len(RULES)
    assert ids[0] == "protection-assessment-same-day"
    assert ids[-1] == "measure-overdue"
    followup = next(item for item in document["rules"] if item["id"] == "followup-after-care")
    assert followup["in_force_from"] == "2022-07-01"
    assert followup["local_policy"][0]["key"] == "followup_start_months"
    same_day = document["rules"][0]
    assert {ref["sfs"] for ref in same_day["legal"]} >= {"2001:453", "2025:400"}


def test_rules_table_lists_every_rule_and_the_local_policy() -> None:
    out = ok(CliRunner().invoke(cli, ["rules"])).stdout
    for item in ("protection-assessment-same-day", "late-documentation", "2022-07-01 →"):
        assert item in out
    assert "protection_cutoff_hour = 16" in out
    assert f"{len(RULES)} rules." in out


# --- other formats --------------------------------------------------------------------------


def test_ndjson_and_csv_carry_the_case_on_every_finding(db: Path) -> None:
    lines = ok(invoke(db, "check", "T-BREACH", "--format", "ndjson")).stdout.splitlines()
    items = [json.loads(line) for line in lines]
    assert items and all(item["case"] == "T-BREACH" for item in items)
    rows = list(
        csv.DictReader(io.StringIO(ok(invoke(db, "check", "--all", "--format", "csv")).stdout))
    )
    assert {row["case"] for row in rows} == {"AS-2020", "NK-LH", "T-BREACH"}
    assert all(row["refs"].startswith("#") for row in rows)


def test_output_to_a_file(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "findings.json"
    ok(invoke(db, "check", "NK-LH", "--format", "json", "-o", str(target)))
    validate("check", json.loads(target.read_text(encoding="utf-8")))


# --- the table ------------------------------------------------------------------------------


def test_explain_says_the_2022_rules_were_not_in_force_for_lilla_hjartat(db: Path) -> None:
    out = ok(invoke(db, "check", "NK-LH", "--explain")).stdout
    assert f"RULES ({len(RULES)})" in out
    line = next(row for row in out.splitlines() if row.startswith("followup-after-care"))
    assert "not in force" in line
    # Kammarrätten ended the care; the committee's 2018 refusal predates LVU 13 § b.
    line = next(r for r in out.splitlines() if r.startswith("removal-ban-considered-at-care-end"))
    assert "not in force" in line
    assert "followup-after-care —" not in out  # no finding block for it
    plain = ok(invoke(db, "check", "NK-LH")).stdout
    assert f"RULES ({len(RULES)})" not in plain


def test_the_table_fits_its_width(db: Path) -> None:
    out = ok(invoke(db, "check", "NK-LH", "--explain", "--width", "100")).stdout
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "HOME-MOVE" not in out
    assert "NO RECORD     home-move-without-revised-plan" in out


# --- local policy ---------------------------------------------------------------------------


def test_an_override_is_used_and_shown(db: Path, tmp_path: Path) -> None:
    config = tmp_path / "policy.toml"
    config.write_text("[rules]\nprotection_cutoff_hour = 9\n", encoding="utf-8")
    document = json_of(
        invoke(db, "check", "T-BREACH", "--rules-config", str(config), "--format", "json")
    )
    validate("check", document)
    assert document["policy"]["overrides"] == [
        {"key": "protection_cutoff_hour", "value": 9, "default": 16}
    ]
    assert document["policy"]["source"] == str(config)
    same_day = next(f for f in document["findings"] if f["rule"].endswith("same-day"))
    assert same_day["due"]["text"] == "2020-03-03"  # 10:00 is after a 09:00 cut-off
    out = ok(invoke(db, "check", "T-BREACH", "--rules-config", str(config))).stdout
    assert "override: protection_cutoff_hour = 9 (default 16)" in out


def test_a_ledger_toml_in_the_working_directory_is_read(db: Path, tmp_path: Path) -> None:
    (tmp_path / "ledger.toml").write_text("[rules]\nlate_documentation_days = 3\n", "utf-8")
    document = json_of(invoke(db, "check", "T-CLEAN", "--format", "json"))
    assert document["policy"]["source"] == "ledger.toml"
    assert document["policy"]["late_documentation_days"] == 3
    rules_doc = json_of(CliRunner().invoke(cli, ["rules", "--format", "json"]))
    assert rules_doc["policy"]["overrides"][0]["key"] == "late_documentation_days"


def test_a_bad_rules_config_key_is_a_one_line_error(db: Path, tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[rules]\nlate_documentation_dayz = 3\n", encoding="utf-8")
    user_error(
        invoke(db, "check", "NK-LH", "--rules-config", str(config)),
        "late_documentation_dayz",
        "unknown key",
    )
    config.write_text('[rules]\nfollowup_start_months = "one"\n', encoding="utf-8")
    user_error(invoke(db, "check", "NK-LH", "--rules-config", str(config)), "followup_start_months")
    user_error(invoke(db, "check", "NK-LH", "--rules-config", str(tmp_path / "nope.toml")))


# --- usage errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["check"], "CASE"),
        (["check", "NK-LH", "--all"], "not both"),
        (["check", "NK-LH", "--group-by", "rule"], "--group-by"),
        (["check", "NK-LH", "--as-known-at", "2019-13"], "--as-known-at"),
        (["check", "NK-LH", "--fail-on", "info"], "--fail-on"),
        (["check", "NO-SUCH-CASE"], "NO-SUCH-CASE"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(db: Path, args: list[str], needle: str) -> None:
    result = invoke(db, *args)
    assert result.exit_code == 2, result.output
    assert needle in result.stderr
    assert "Traceback" not in result.output


def test_commands_are_click_commands() -> None:
    assert isinstance(check, click.Command) and isinstance(rules, click.Command)
