"""`check --all` answers from kept, compact results built in one decoding pass; what it shows
must be exactly what `check CASE` gives for each case, on generated data and the examples,
built in one pass, after a case grows, and when answered again from the kept rows."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from ledger.application import CaseLedger
from ledger.importer import Source, import_sources
from ledger.storage import sqlite_store
from ledger.synthetic import generate
from ledger.views import open_views
from projections.formats import to_csv, to_json, to_ndjson
from projections.kept.answer import all_json
from projections.kept.rule_results import check_all_answer, check_all_cached
from projections.records import labels, to_records
from projections.rules import (
    DEFAULT_POLICY,
    GROUPS,
    Report,
    all_document,
    check_all_table,
    check_case,
    finding_json,
)

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


# --- the answer from kept parts, byte for byte -------------------------------------------

NOW = datetime(2026, 1, 1, tzinfo=UTC)
GENERATED_AT = re.compile(rb'"generated_at": "[^"]*"')


def _kept_and_fresh(
    ledger: CaseLedger, owner_agency: str | None
) -> tuple[list[Any], list[Report], list[Report], dict[str, dict[int, str | None]]]:
    """The kept parts and reports of every case, and every case checked afresh."""
    views = open_views(ledger.store)
    kept = dict(policy=DEFAULT_POLICY, owner_agency=owner_agency, now=NOW)
    parts, _ = check_all_answer(ledger, views, **kept)  # type: ignore[arg-type]
    checked, _ = check_all_cached(ledger, views, **kept)  # type: ignore[arg-type]
    assert parts is not None and len(parts) == len(checked)
    fresh, refs = [], {}
    for item in checked:
        case = item.report.case or ""
        records = to_records(ledger.history(case))
        fresh.append(check_case(records, **kept))  # type: ignore[arg-type]
        refs[case] = labels(records)
    return parts, [item.report for item in checked], fresh, refs


@pytest.mark.parametrize("owner_agency", [None, "Socialtjänsten Åstorp"])
def test_the_kept_answer_writes_what_checking_every_case_writes(
    tmp_path: Path, owner_agency: str | None
) -> None:
    """JSON spliced from the kept parts is byte for byte the document of the kept reports
    (what `check --all` wrote before it kept parts), under every grouping; and that, the
    table, CSV and NDJSON from the kept reports are what checking every case afresh writes.
    By month too: a trigger's time narrowed by the entry's `after` references
    (projections.records.ordered_after), as a fresh check has it, is grouped as written, as
    the kept report has it; the examples hold such entries."""
    ledger = CaseLedger(sqlite_store(str(tmp_path / "l.db")))
    lines = [orjson.dumps(obj) for obj in generate(12, 70, seed=3)]
    lines += [
        line
        for name in ("lilla-hjartat.jsonl", "astorp.jsonl")
        for line in (EXAMPLES / name).read_bytes().splitlines()
    ]
    import_sources(ledger, [Source("in.jsonl", lines)], workers=0)
    parts, kept, fresh, refs = _kept_and_fresh(ledger, owner_agency)
    assert sum(len(r.findings) for r in fresh) > 50
    for group_by in GROUPS:
        written = GENERATED_AT.sub(
            b"", all_json(parts, group_by, DEFAULT_POLICY, NOW, owner_agency)
        )
        documents = [
            GENERATED_AT.sub(
                b"",
                to_json(all_document(rs, refs, group_by, DEFAULT_POLICY, None, NOW, owner_agency)),
            )
            for rs in (kept, fresh)
        ]
        assert written == documents[0], group_by
        assert written == documents[1], group_by
        for width, explain in ((120, False), (80, True)):
            assert check_all_table(
                kept, refs, group_by, DEFAULT_POLICY, "now", width, explain
            ) == check_all_table(fresh, refs, group_by, DEFAULT_POLICY, "now", width, explain)
    items = [
        [
            {"case": r.case, **finding_json(f, refs[r.case or ""])}
            for r in reports
            for f in r.findings
        ]
        for reports in (kept, fresh)
    ]
    assert to_csv(items[0]) == to_csv(items[1])
    assert to_ndjson("", items[0]) == to_ndjson("", items[1])
    ledger.close()


def test_a_case_without_findings_and_a_ledger_without_any(tmp_path: Path) -> None:
    ledger = CaseLedger(sqlite_store(str(tmp_path / "l.db")))
    import_sources(ledger, [Source("in.jsonl", [orjson.dumps(o) for o in generate(1, 1)])])
    parts, _, fresh, refs = _kept_and_fresh(ledger, None)
    assert not any(r.findings for r in fresh)
    written = all_json(parts, "rule", DEFAULT_POLICY, NOW, None)
    expected = to_json(all_document(fresh, refs, "rule", DEFAULT_POLICY, None, NOW, None))
    assert GENERATED_AT.sub(b"", written) == GENERATED_AT.sub(b"", expected)
    assert b'"findings": []' in written
    ledger.close()


@pytest.mark.parametrize("args", [[], ["--group-by", "month"], ["--fail-on", "warning"]])
def test_check_all_json_is_written_from_the_kept_parts_as_from_the_reports(
    db: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """The command writes the kept answer, and the same bytes (but for the times) as when
    the kept parts cannot give it and the reports do."""
    command = ["--db", str(db), "check", "--all", "--format", "json", *args]
    spliced = CliRunner().invoke(cli, command)
    from projections.kept import rule_results

    def without_parts(*a: Any, **k: Any) -> Any:
        return None, rule_results.refresh(*a, **k)

    monkeypatch.setattr(rule_results, "check_all_answer", without_parts)
    built = CliRunner().invoke(cli, command)
    times = re.compile(rb'"(generated_at|evaluated_at)": "[^"]*"')
    assert spliced.exit_code == built.exit_code
    assert times.sub(b"", spliced.stdout_bytes) == times.sub(b"", built.stdout_bytes)
    assert spliced.stderr == built.stderr


def test_rule_totals_sum_each_field_apart() -> None:
    """A case's rule counts are packed into one integer; summed, no field carries into the
    next, even near the top of its width."""
    from projections.kept.answer import _FIELD_BITS, _RULE_FIELDS, _pack, rule_totals
    from projections.rules import RULES

    width = len(RULES) * _RULE_FIELDS
    first = list(range(width))
    second = [(1 << (_FIELD_BITS - 2)) + i % 3 for i in range(width)]
    third = [0] * width
    totals = rule_totals([{"rules": _pack(f)} for f in (first, second, third)])
    assert totals == [a + b for a, b in zip(first, second, strict=True)]
    assert rule_totals([]) == [0] * width
