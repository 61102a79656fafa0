"""`check --all` answers from kept, compact results built in one decoding pass; what it shows
must be exactly what `check CASE` gives for each case, on generated data and the examples,
built in one pass, after a case grows, and when answered again from the kept rows."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

pytestmark = pytest.mark.usefixtures("isolated", "english")


def run(db: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def document(db: Path, *args: str) -> dict[str, Any]:
    return json.loads(run(db, *args, "--format", "json").stdout)


def per_case(db: Path, cases: list[str]) -> dict[str, dict[str, Any]]:
    return {case: document(db, "check", case) for case in cases}


def assert_agrees(whole: dict[str, Any], singles: dict[str, dict[str, Any]]) -> None:
    assert [c["case"] for c in whole["cases"]] == sorted(singles)
    by_case: dict[str, list[dict[str, Any]]] = {case: [] for case in singles}
    for finding in whole["findings"]:
        item = dict(finding)
        by_case[item.pop("case")].append(item)
    for case, single in singles.items():
        assert by_case[case] == single["findings"], case
    # The rules' explanation summed over the cases, as each case's check gives it.
    for merged in whole["explain"]:
        items = [e for s in singles.values() for e in s["explain"] if e["rule"] == merged["rule"]]
        for key in ("triggered", "met", "lapsed", "ended_by_death"):
            assert merged[key] == sum(e[key] for e in items), (merged["rule"], key)
        findings: Counter[str] = Counter()
        for e in items:
            findings.update(e["findings"])
        assert merged["findings"] == dict(findings), merged["rule"]
        assert [(n["case"], n["seq"]) for n in merged["not_in_force"]] == [
            (case, n["seq"])
            for case, s in singles.items()
            for e in s["explain"]
            if e["rule"] == merged["rule"]
            for n in e["not_in_force"]
        ]


def without_times(whole: dict[str, Any]) -> dict[str, Any]:
    return {**whole, "generated_at": None, "view": {**whole["view"], "evaluated_at": None}}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Generated cases; the tests add the examples and entries later, so the index catch-up
    meets a ledger that grew."""
    path = tmp_path / "l.db"
    generated = tmp_path / "syn.jsonl"
    run(
        path,
        "generate",
        "--cases",
        "25",
        "--events-per-case",
        "60",
        "--seed",
        "11",
        "-o",
        str(generated),
    )
    run(path, "import", "-q", str(generated))
    return path


def test_check_all_agrees_with_each_case_built_in_one_pass_and_after_growing(db: Path) -> None:
    first = document(db, "check", "--all")
    cases = [c["case"] for c in first["cases"]]
    assert len(cases) == 25 and first["findings"]
    assert_agrees(first, per_case(db, cases))
    # Answered again from the kept rows: the same document.
    assert without_times(document(db, "check", "--all")) == without_times(first)
    # The examples arrive later: the index catches up, the new cases are checked from the
    # records it read, the others are kept.
    run(db, "import", *(str(EXAMPLES / n) for n in ("lilla-hjartat.jsonl", "astorp.jsonl")))
    # And a generated case grows: checked again from its history.
    run(
        db,
        "record",
        cases[3],
        "NoteRecorded",
        "--occurred",
        "2024-05-02",
        "--field",
        "text=Called the school.",
    )
    grown = document(db, "check", "--all")
    assert_agrees(grown, per_case(db, [c["case"] for c in grown["cases"]]))
    for group_by in ("month", "agency", "unit"):
        grouped = document(db, "check", "--all", "--group-by", group_by)
        assert sum(g["findings"] for g in grouped["summary"]) == len(grown["findings"])
