"""Whose actions: a request of the social services is never pending at a court's or IVO's
decision (rules.md Principle 1); those decisions are still listed with what was known."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from projections.decisions import decisions
from projections.records import Record

from .test_knowledge import record

# The assertions read the English wording (Swedish is tested in test_language.py).
pytestmark = pytest.mark.usefixtures("english")

EXAMPLE = str(Path(__file__).resolve().parents[1] / "examples" / "lilla-hjartat.jsonl")
OWNER = "Socialtjänsten"


def case() -> list[Record]:
    return [
        record(1, "CaseOpened", "2019-01-01", agency=OWNER),
        record(
            2,
            "InformationRequested",
            "2019-12-10",
            counterparty="BVC",
            legal_ground="consent",
            topic="t",
        ),
        record(
            3,
            "AppealDecided",
            "2019-12-12",
            agency="Kammarrätten",
            appealed=1,
            court="KR",
            outcome="upheld",
        ),
        record(
            4, "ProtectionAssessmentMade", "2019-12-13", report=1, immediate_protection_needed=False
        ),
        replace(
            record(
                5,
                "ProtectionAssessmentMade",
                "2019-12-14",
                report=1,
                immediate_protection_needed=False,
            ),
            agency="Någon",
            on_behalf_of="Socialnämnden",
        ),
        record(6, "SupervisionDecision", "2019-12-15", agency="IVO"),
    ]


def pending(records: list[Record]) -> dict[int, list[int]]:
    return {d.decision.seq: [p.request.seq for p in d.pending_requests] for d in decisions(records)}


def test_no_request_is_pending_at_a_court_or_ivo_decision() -> None:
    records = case()
    found = pending(records)
    assert found[3] == [] and found[6] == []  # the court's ruling, IVO's decision
    assert found[4] == [2]  # the authority's own assessment
    assert 3 in found and 6 in found  # still listed


def test_a_decision_on_behalf_of_the_committee_is_the_authoritys() -> None:
    records = case()
    # #5 is taken by a delegate for the committee the owner's staff act for.
    records.append(replace(record(7, "NoteRecorded", "2019-01-02"), on_behalf_of="Socialnämnden"))
    assert pending(records)[5] == [2]


def test_a_request_of_another_body_is_not_pending_at_the_authoritys_decision() -> None:
    records = case()
    records[1] = replace(records[1], agency="IVO")
    assert pending(records)[4] == []


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("whose") / "w.db")
    assert CliRunner().invoke(cli, ["--db", path, "import", "-q", EXAMPLE]).exit_code == 0
    return path


def test_nk_lh_kammarrattens_ruling_has_no_outstanding_bvc_request(db: str) -> None:
    table = CliRunner().invoke(cli, ["--db", db, "decisions", "NK-LH"]).stdout
    ruling = table.split("#14 kamr-ruling-tt")[1].split("\n\n")[0]
    assert "AppealDecided" in ruling and "pending" not in ruling
    pa1 = table.split("#18 pa-1")[1].split("\n\n")[0]
    assert "pending" in pa1 and "#17 bvc-request" in pa1
    dot = (
        CliRunner()
        .invoke(cli, ["--db", db, "--lang", "sv", "decisions", "NK-LH", "--format", "dot"])
        .stdout
    )
    # Outstanding requests are written inside each decision's node.
    node = {n: label for n, label in re.findall(r'\n\t\t(d\d+) \[label="([^"]*)"', dot)}
    assert "utestående" not in node["d14"]
    assert "utestående: #17 till BVC" in node["d18"]
    gaps = CliRunner().invoke(cli, ["--db", db, "gaps", "NK-LH"]).stdout
    assert "#14 kamr-ruling-tt" not in gaps
