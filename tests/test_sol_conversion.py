"""The one SoL (2001:453) → socialtjänstlag (2025:400) table: every SoL reference of the
vocabulary and the rule pack goes through it, acts from 2025-07-01 cite the new paragraph, and
an unverified counterpart says "paragraph not verified" instead of guessing."""

from __future__ import annotations

import pytest

from ledger.legal import NOT_VERIFIED
from ledger.sol_conversion import SOL_CONVERSION, Conversion, sol
from ledger.timeparse import parse_moment
from ledger.vocabulary import VOCABULARY
from projections.rules import RULES


def _sol_references():
    for spec in VOCABULARY.values():
        yield spec.name, spec.legal
    for rule_ in RULES:
        yield rule_.id, rule_.legal


def test_every_old_sol_reference_is_paired_with_its_row_of_the_table() -> None:
    seen = 0
    for owner, refs in _sol_references():
        old = [r for r in refs if r.law == "SoL" and r.sfs == "2001:453"]
        new = [r for r in refs if r.law == "SoL" and r.sfs == "2025:400"]
        assert len(old) == len(new), owner
        for before, after in zip(old, new, strict=True):
            row = SOL_CONVERSION[before.provision]
            assert after.provision == row.new and after.confidence == row.confidence, owner
            assert before.in_force_until == after.in_force_from == "2025-07-01", owner
            assert row.source in after.note, owner
            seen += 1
    assert seen > 20


def test_every_row_carries_its_source_and_confidence_and_only_u_rows_lack_a_paragraph() -> None:
    for row in SOL_CONVERSION.values():
        assert row.source and row.confidence in ("H", "M", "U")
        assert bool(row.new) == (row.confidence != "U")
    with pytest.raises(ValueError):
        Conversion("4 kap. 1 §", "", "M", "a guess without a paragraph")
    with pytest.raises(ValueError):
        Conversion("4 kap. 1 §", "4 kap. 1 §", "U", "a guessed paragraph")


def test_an_unverified_counterpart_prints_paragraph_not_verified() -> None:
    old, new = sol("4 kap. 1 §", "bistånd", "M")
    assert old.cited() == "SoL (2001:453) 4 kap. 1 §"
    assert new.cited() == f"SoL (2025:400) ({NOT_VERIFIED})"


def test_a_paragraph_missing_from_the_table_is_an_error_not_a_placeholder() -> None:
    with pytest.raises(KeyError):
        sol("99 kap. 1 §", "no such paragraph", "H")


def test_the_law_in_force_at_the_act_is_cited() -> None:
    same_day = next(r for r in RULES if r.id == "protection-assessment-same-day")
    assert "SoL (2025:400) 20 kap. 1 §" in same_day.citation(parse_moment("2026-02-03"))
    assert "2025:400" not in same_day.citation(parse_moment("2025-06-30"))


def test_a_2026_case_s_findings_cite_socialtjanstlag_2025_400(tmp_path) -> None:
    # Through the command a reviewer runs: import a 2026 case, check it, read the JSON.
    import json

    from click.testing import CliRunner

    from cli.main import cli

    agency = "Socialtjänsten Testköping"
    lines = [
        {
            "case": "T-2026",
            "ref": "open",
            "type": "CaseOpened",
            "occurred": "2026-01-10",
            "child": "pojke B",
            "municipality": "Testköping",
            "agency": agency,
        },
        {
            "case": "T-2026",
            "ref": "coverage",
            "type": "CoverageDeclared",
            "occurred": "2026-01-10",
            "sources": "journal",
            "records": "the whole journal",
            "complete": True,
        },
        {
            "case": "T-2026",
            "ref": "report-1",
            "type": "ConcernReportReceived",
            "occurred": "2026-01-12T09:00",
            "reporter_category": "skola",
            "concern": "bruises",
            "agency": agency,
        },
        {
            "case": "T-2026",
            "ref": "utr",
            "type": "InvestigationOpened",
            "occurred": "2026-01-20",
            "reports": ["@report-1"],
            "agency": agency,
        },
    ]
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    db = str(tmp_path / "l.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "import", str(path)]).exit_code == 0
    result = runner.invoke(
        cli, ["--db", db, "check", "T-2026", "--format", "json"], catch_exceptions=False
    )
    findings = json.loads(result.stdout)["findings"]
    cited = {f["rule"]: f["legal_reference"] for f in findings}
    assert cited["protection-assessment-same-day"] == "SoL (2025:400) 20 kap. 1 §"
    assert cited["investigation-4-months"] == "SoL (2025:400) 20 kap. 3 §"
    assert all("2001:453" not in text for text in cited.values() if "SoL" in text)


def test_a_converted_paragraphs_note_is_swedish_first_and_english_on_request() -> None:
    """The 2025 counterpart's note was composed in English ("… (from SoL (2001:453) …: 2025:400
    read beside …)") and printed so in Swedish tables, the report's appendix and `types`."""
    from click.testing import CliRunner

    from cli.main import cli
    from projections.codes import note_words
    from projections.language import using

    _old, new = sol(
        "11 kap. 1 a § första stycket",
        "immediate assessment of the child's need of protection",
        "H",
    )
    with using("sv"):
        swedish = note_words(new)
    with using("en"):
        english = note_words(new)
    assert english == new.note
    assert "(från SoL (2001:453) 11 kap. 1 a § första stycket: " in swedish
    assert swedish.startswith("omedelbar bedömning av barnets behov av skydd (från ")
    for word in ("from SoL", "read beside", "content match", "key not read", "protection"):
        assert word not in swedish
    assert "2025:400 läst bredvid 2001:453" in swedish
    out = CliRunner().invoke(cli, ["types", "ProtectionAssessmentMade"]).output
    assert "(från SoL (2001:453) 11 kap. 1 a §" in out and "read beside" not in out
    out = CliRunner().invoke(cli, ["--lang", "en", "types", "ProtectionAssessmentMade"]).output
    assert "(from SoL (2001:453) 11 kap. 1 a §" in out and "read beside" in out
