"""docs/acts.md: the example of every act of the whole case imports, and reads in the timeline
with its Swedish term; the doc's block is what the test imports, so the doc cannot rot."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from cli.main import cli
from ledger.vocabulary import VOCABULARY

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "acts.md"

NEW_TYPES = (
    "ContactVisitHeld",
    "ContactRestrictionDecided",
    "ContactRestrictionReviewed",
    "PlacementVisit",
    "SupportDecided",
    "SupportStarted",
    "SupportEnded",
    "OpenCareDecided",
    "CustodyTransferConsidered",
    "CustodyTransferApplied",
    "CustodyTransferDecided",
    "SpecialGuardianAppointed",
    "CaseClosed",
    "CaseTransferRequested",
    "CaseTransferAnswered",
    "InvestigationPlanned",
    "InvestigationNotified",
    "MaterialCommunicated",
    "CoordinatedPlanMeeting",
    "ConsultationHeld",
    "PoliceReportFiled",
    "BarnahusConsultation",
    "MedicalExaminationOrdered",
    "MedicalExaminationHeld",
    "ProsecutionBrought",
    "CriminalJudgment",
    "DrugTestRequested",
    "DrugTestTaken",
    "DrugTestDeclined",
    "LexSarahReportMade",
    "StatementRequested",
    "StatementSubmitted",
    "ComplaintReceived",
    "OmbudsmanDecision",
    "ChildDeathReviewed",
    "ConsentGiven",
    "ConsentWithdrawn",
    "InterviewStatement",
    "BestInterestAssessed",
)

DEATH_REVIEW = {
    "case": "EX-2",
    "ref": "lud",
    "type": "ChildDeathReviewed",
    "occurred": "2022-05",
    "report": "not_documented",
    "findings": "the agencies did not share what they knew",
    "agency": "Socialstyrelsen",
}


def _block() -> str:
    [block] = re.findall(r"```jsonl\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    return block


def test_every_new_act_is_in_the_vocabulary_with_a_swedish_term() -> None:
    for name in NEW_TYPES:
        assert VOCABULARY[name].swedish, name


def test_the_doc_example_imports_and_reads_in_the_timeline_in_swedish(tmp_path: Path) -> None:
    case_file = tmp_path / "acts.jsonl"
    case_file.write_text(_block() + json.dumps(DEATH_REVIEW) + "\n", encoding="utf-8")
    db = str(tmp_path / "l.db")
    runner = CliRunner()
    imported = runner.invoke(cli, ["--db", db, "import", str(case_file)])
    assert imported.exit_code == 0, imported.output
    seen = set()
    for case in ("EX-1", "EX-2"):
        result = runner.invoke(cli, ["--db", db, "timeline", case, "--format", "json"])
        assert result.exit_code == 0, result.output
        seen |= {e["type"] for e in json.loads(result.stdout)["entries"]}
    assert set(NEW_TYPES) <= seen
    table = runner.invoke(cli, ["--db", db, "timeline", "EX-1"]).stdout
    for term in ("umgänge", "drogtest vägrat", "kommunicering", "intervjuuppgift"):
        assert term in table
