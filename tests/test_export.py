"""`ledger export`: JSONL that `import` reads back into the same views (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.conftest import POSTGRES_URL

# The assertions are on the English wording (Swedish, the default, is tested on its own).
pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
VOLATILE = {"recorded_at", "generated_at", "hash", "prev_hash", "evaluated_at"}


def run(db: str, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--db", db, *args], env={"LEDGER_USER": "t"})
    assert result.exit_code in (0, 1), (args, result.output)
    return result


def stable(value: Any) -> Any:
    """A view without what belongs to the ledger that stored it (when, and so the hashes)."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def views(db: str, case: str) -> dict[str, Any]:
    timeline = json.loads(run(db, "timeline", case, "--format", "json").stdout)
    found = {
        "timeline": timeline,
        "known": json.loads(
            run(db, "known", case, "--at", "2019-12-31", "--format", "json").stdout
        ),
        "as_known": json.loads(
            run(db, "timeline", case, "--as-known-at", "2020-03", "--format", "json").stdout
        ),
        "decisions": json.loads(run(db, "decisions", case, "--format", "json").stdout),
        "gaps": json.loads(run(db, "gaps", case, "--format", "json").stdout),
        "check": json.loads(run(db, "check", case, "--format", "json").stdout),
    }
    for entry in timeline["entries"][:60]:
        shown = run(db, "show", f"{case}#{entry['seq']}", "--format", "json").stdout
        found[f"show#{entry['seq']}"] = json.loads(shown)
    return stable(found)


@pytest.fixture(params=["sqlite", "postgres"])
def dbs(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "sqlite":
        return str(tmp_path / "a.db"), str(tmp_path / "b.db")
    first = request.getfixturevalue("postgres_schema")
    return f"{POSTGRES_URL}?schema={first}", str(tmp_path / "b.db")


def test_export_then_import_gives_identical_views(dbs: tuple[str, str], tmp_path: Path) -> None:
    source, target = dbs
    generated = tmp_path / "gen.jsonl"
    result = CliRunner().invoke(
        cli,
        [
            "generate",
            "--cases",
            "3",
            "--events-per-case",
            "40",
            "--seed",
            "7",
            "-o",
            str(generated),
        ],
    )
    assert result.exit_code == 0, result.output
    for path in (EXAMPLES / "lilla-hjartat.jsonl", EXAMPLES / "astorp.jsonl", generated):
        run(source, "import", "-q", str(path))
    # Corrections and a retraction on top of the examples' own judgements.
    run(source, "correct", "NK-LH@pa-1", "--set", "occurred=2019-12-27", "--reason", "journal",
        "--known", "2020-02-20")  # fmt: skip
    run(source, "retract", "NK-LH@home-visit-1", "--reason", "wrong case", "--known", "2020-03")
    exported = tmp_path / "all.jsonl"
    run(source, "export", "-o", str(exported))
    assert run(target, "import", str(exported)).exit_code == 0
    cases = [
        c["case"] for c in json.loads(run(source, "cases", "--format", "json").stdout)["cases"]
    ]
    assert len(cases) == 5
    assert [
        c["case"] for c in json.loads(run(target, "cases", "--format", "json").stdout)["cases"]
    ] == cases
    for case in cases:
        assert views(source, case) == views(target, case), case
    # Exporting the copy gives the same file: nothing was lost or rewritten on the way.
    again = tmp_path / "again.jsonl"
    run(target, "export", "-o", str(again))
    assert again.read_bytes() == exported.read_bytes()
    # And re-importing it into the copy finds every entry stored.
    result = CliRunner().invoke(
        cli, ["--db", target, "import", str(again)], env={"LEDGER_USER": "t"}
    )
    assert "0 entries" in result.output and "already stored" in result.output


def test_export_of_one_case_and_an_unknown_case(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    run(db, "import", "-q", str(EXAMPLES / "astorp.jsonl"), str(EXAMPLES / "lilla-hjartat.jsonl"))
    lines = run(db, "export", "NK-LH").stdout.splitlines()
    assert {json.loads(line)["case"] for line in lines} == {"NK-LH"}
    result = CliRunner().invoke(cli, ["--db", db, "export", "NO-SUCH"], env={"LEDGER_USER": "t"})
    assert result.exit_code == 2
    assert "no case 'NO-SUCH'" in result.output


HOSTILE = (
    '{"case":"H-1","ref":"a","type":"NoteRecorded","occurred":"sen december 2019",'
    '"agency":"<b>BVC</b>","summary":"<script>alert(1)</script>","text":"t"}\n'
    '{"case":"H-1","ref":"b","type":"NoteRecorded","occurred":"2019-12","known":"2020-01-07",'
    '"agency":"Socialtjänsten","text":"t2"}\n'
    '{"case":"H-1","ref":"c","type":"NoteRecorded","occurred":"2020-01-07T16:01","text":"t3"}\n'
)


@pytest.fixture
def hostile_db(tmp_path: Path) -> str:
    db = str(tmp_path / "h.db")
    source = tmp_path / "h.jsonl"
    source.write_text(HOSTILE)
    run(db, "import", "-q", str(source))
    return db


def test_timesketch_rows_carry_the_documented_fields(hostile_db: str) -> None:
    """Timesketch's JSONL import needs message, datetime (ISO 8601) and timestamp_desc, and
    takes timestamp in microseconds; one row per clock."""
    from datetime import datetime

    rows = [
        json.loads(line)
        for line in run(hostile_db, "export", "--format", "timesketch").stdout.splitlines()
    ]
    assert len(rows) == 3 * 3
    for row in rows:
        assert {"message", "datetime", "timestamp", "timestamp_desc"} <= row.keys()
        assert isinstance(row["timestamp"], int)
        instant = datetime.fromisoformat(row["datetime"])
        assert row["timestamp"] == int(instant.timestamp() * 1_000_000)
        assert {"case", "type", "precision"} <= row.keys()
    # In the timeline's order: 2019-12 (known 2020-01-07), then sen december 2019 (assumed).
    assert [r["timestamp_desc"] for r in rows[:3]] == ["occurred", "known", "recorded"]
    assert [r["timestamp_desc"] for r in rows[3:6]] == ["occurred", "known (assumed)", "recorded"]
    assert (rows[3]["clock"], rows[3]["precision"]) == ("sen december 2019", "part_of_month")


def test_timelinejs_dates_are_only_as_precise_as_known(hostile_db: str) -> None:
    """TimelineJS needs events, each with a start_date holding at least a year, and a text or
    media; agencies are groups; texts are HTML-escaped (TimelineJS renders HTML)."""
    output = run(hostile_db, "export", "H-1", "--format", "timelinejs").stdout
    document = json.loads(output)
    events = document["events"]
    assert all("year" in e["start_date"] and e["text"]["headline"] for e in events)
    month, late_december, minute = events
    assert late_december["start_date"] == {
        "year": 2019,
        "month": 12,
        "day": 21,
        "display_date": "sen december 2019",
    }
    assert late_december["end_date"] == {"year": 2019, "month": 12, "day": 31}
    assert month["start_date"] == {"year": 2019, "month": 12, "display_date": "2019-12"}
    assert "end_date" not in month
    assert minute["start_date"]["hour"] == 16 and minute["start_date"]["minute"] == 1
    assert {e["group"] for e in events} == {"&lt;b&gt;BVC&lt;/b&gt;", "Socialtjänsten", "—"}
    assert "<script>" not in output and "&lt;script&gt;" in output


def test_export_as_known_at(hostile_db: str, tmp_path: Path) -> None:
    lines = run(hostile_db, "export", "--as-known-at", "2020-01-06").stdout.splitlines()
    assert [json.loads(line)["ref"] for line in lines] == ["a"]
    rows = run(hostile_db, "export", "--format", "timesketch", "--as-known-at", "2020-01-06").stdout
    assert {json.loads(line)["seq"] for line in rows.splitlines()} == {1}
