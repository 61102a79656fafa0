"""gaps: delays as ranges with estimates marked, and every decision that lacked something."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from cli.main import cli
from projections.gaps import gaps

from .test_knowledge import record

# The assertions read the English wording (Swedish is tested in test_language.py).
pytestmark = pytest.mark.usefixtures("english")

EXAMPLE = str(Path(__file__).resolve().parents[1] / "examples" / "lilla-hjartat.jsonl")


def test_a_month_and_an_approximate_day_give_a_range_marked_estimated() -> None:
    died = record(1, "ChildDied", "2020-01", "~2020-01-30", agency="Familjen")
    [found] = gaps([died]).agencies
    assert found.longest is not None
    assert (found.longest.min_days, found.longest.max_days, found.longest.estimated) == (
        0,
        29,
        True,
    )
    assert found.late == 0 and found.possibly_late == 1


def test_exact_days_give_an_exact_delay_not_an_estimate() -> None:
    seen = record(1, "NoteRecorded", "2019-12-10", "2019-12-20", agency="Förskolan")
    [found] = gaps([seen]).agencies
    assert found.longest is not None
    assert (found.longest.min_days, found.longest.max_days, found.longest.estimated) == (
        10,
        10,
        False,
    )
    assert found.late == 1 and found.possibly_late == 0


def test_a_decision_taken_with_a_request_outstanding_lacked_information() -> None:
    records = [
        record(
            1,
            "InformationRequested",
            "2019-12-10",
            counterparty="BVC",
            legal_ground="consent",
            topic="t",
        ),
        record(
            2, "ProtectionAssessmentMade", "2019-12-11", report=9, immediate_protection_needed=False
        ),
        record(
            3, "InformationReceived", "2019-12-20", counterparty="BVC", in_reply_to=1, agency="BVC"
        ),
    ]
    lacking = gaps(records).decisions
    assert [d.decision.seq for d in lacking] == [2]
    assert [p.request.seq for p in lacking[0].pending_requests] == [1]
    assert not lacking[0].hindsight


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("gaps") / "g.db")
    assert CliRunner().invoke(cli, ["--db", path, "import", "-q", EXAMPLE]).exit_code == 0
    return path


def test_nk_lh_gaps_say_the_familys_delay_as_an_estimated_range(db: str) -> None:
    table = CliRunner().invoke(cli, ["--db", db, "gaps", "NK-LH"]).stdout
    familjen = next(line for line in table.splitlines() if line.startswith("Familjen"))
    assert "0–29 days, estimated" in familjen
    assert " 29 " not in familjen.replace("0–29", "")
    assert "DECISIONS THAT LACKED INFORMATION (0)" not in table
    assert "#18 pa-1" in table and "outstanding #17 bvc-request" in table
    doc = orjson.loads(
        CliRunner().invoke(cli, ["--db", db, "gaps", "NK-LH", "--format", "json"]).stdout
    )
    delays = {a["agency"]: a for a in doc["agencies"]}
    assert delays["Familjen"]["longest_delay"] == {"min_days": 0, "max_days": 29, "estimated": True}
    pa1 = next(d for d in doc["decisions"] if d["ref"] == "pa-1")
    assert [p["ref"] for p in pa1["pending_requests"]] == ["bvc-request"]
