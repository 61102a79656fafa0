"""`known`, `decisions` and `gaps` as JSON: valid against the shipped schemas, from the shell."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from cli.main import cli
from projections import schemas

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("kj") / "l.db")
    files = [str(EXAMPLES / "lilla-hjartat.jsonl"), str(EXAMPLES / "astorp.jsonl")]
    assert CliRunner().invoke(cli, ["--db", path, "import", *files]).exit_code == 0
    return path


def run(db: str, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["--db", db, *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout_bytes)


@pytest.mark.parametrize("at", ["2019-12-31", "2020-01", "2021"])
def test_known_validates_and_keeps_hindsight_apart(db: str, at: str) -> None:
    document = run(db, "known", "NK-LH", "--at", at)
    schemas.validate("known", document)
    facts = {item["seq"] for item in document["facts"]}
    held = {item["seq"] for item in document["held_elsewhere"]}
    assert not facts & held


def test_known_at_the_end_of_2019_lists_the_bvc_request_as_pending(db: str) -> None:
    document = run(db, "known", "NK-LH", "--at", "2019-12-31")
    [pending] = document["pending_requests"]
    assert pending["ref"] == "bvc-request" and pending["fields"]["counterparty"] == "BVC"
    assert all(item["known"]["start"] < "2020" for item in document["facts"])


@pytest.mark.parametrize("case", ["NK-LH", "AS-2020"])
def test_decisions_validate_and_answer_who_decided_on_what(db: str, case: str) -> None:
    document = run(db, "decisions", case)
    schemas.validate("decisions", document)
    for decision in document["decisions"]:
        assert decision["decision"] is True
        assert {"actor", "agency", "on_behalf_of", "basis", "known_at_decision"} <= set(decision)


def test_astorp_move_home_decision_has_ivos_criticism_later(db: str) -> None:
    document = run(db, "decisions", "AS-2020")
    plan = next(d for d in document["decisions"] if d["type"] == "HomeTransitionPlanned")
    assert [later["type"] for later in plan["later"]] == [
        "SupervisionDecision",
        *["JudgementRecorded"] * 6,
    ]
    assert [later["ref"] for later in plan["later"]][1:] == [f"ivo-a{n}" for n in range(1, 7)]


def test_gaps_validate(db: str) -> None:
    schemas.validate("gaps", run(db, "gaps", "NK-LH"))


def test_as_recorded_at_before_the_ledger_existed_is_a_one_line_error(db: str) -> None:
    args = ["--db", db, "decisions", "NK-LH", "--as-recorded-at", "2001"]
    result = CliRunner().invoke(cli, args, env={"LEDGER_LANG": "en"})  # the English wording
    assert result.exit_code == 2 and "no entries" in result.output


def test_verify_json_validates_intact_and_tampered(db: str, tmp_path: Path) -> None:
    import sqlite3

    schemas.validate("verify", run(db, "verify"))
    copy = tmp_path / "copy.db"
    # The backup API copies what is still in the write-ahead log too; copying the file alone
    # can miss the tables themselves while another connection has not checkpointed them.
    with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    with sqlite3.connect(copy) as conn:
        conn.execute("DELETE FROM stored_events WHERE rowid = 3")
    result = CliRunner().invoke(cli, ["--db", str(copy), "verify", "--format", "json"])
    document = orjson.loads(result.stdout_bytes)
    schemas.validate("verify", document)
    assert result.exit_code == 1 and document["intact"] is False and document["first"]
