"""Corrections from the shell: `correct`, `retract`, and `show` with the entry's history."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.conftest import LILLA_ENTRIES

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "lilla-hjartat.jsonl"


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "l.db")
    assert CliRunner().invoke(cli, ["--db", path, "import", "-q", str(EXAMPLE)]).exit_code == 0
    return path


def invoke(db: str, *args: str) -> object:
    return CliRunner().invoke(cli, ["--db", db, *args])


def test_a_correction_is_applied_only_from_when_it_was_known(db: str) -> None:
    done = invoke(
        db,
        "correct",
        "NK-LH@pa-1",
        "--set",
        "occurred=2019-12-27",
        "--set",
        "immediate_protection_needed=false",
        "--reason",
        "journal date",
        "--known",
        "2020-02-20",
    )
    assert done.exit_code == 0 and "EntryCorrected" in done.output

    def pa_1_at(at: str) -> dict:
        result = invoke(db, "known", "NK-LH", "--at", at, "--format", "json")
        return next(f for f in orjson.loads(result.stdout_bytes)["facts"] if f["ref"] == "pa-1")

    assert pa_1_at("2020-01-31")["occurred"]["text"] == "2019-12"
    corrected = pa_1_at("2020-03-01")
    assert corrected["occurred"]["text"] == "2019-12-27"
    assert [c["seq"] for c in corrected["corrected_by"]] == [LILLA_ENTRIES + 1]

    shown = orjson.loads(invoke(db, "show", "NK-LH@pa-1", "--format", "json").stdout_bytes)
    entry = shown["entry"]
    assert entry["occurred"]["text"] == "2019-12"  # as recorded
    assert entry["current"]["occurred"]["text"] == "2019-12-27"  # as it reads now
    [history] = entry["history"]
    assert history["fields"]["reason"] == "journal date"
    assert history["known"]["text"] == "2020-02-20"


def test_a_retraction_marks_the_entry_but_keeps_it(db: str) -> None:
    assert invoke(db, "retract", "NK-LH#19", "--reason", "wrong case").exit_code == 0
    document = orjson.loads(invoke(db, "timeline", "NK-LH", "--format", "json").stdout_bytes)
    home_visit = next(e for e in document["entries"] if e["seq"] == 19)
    assert home_visit["retracted_by"] == {"seq": LILLA_ENTRIES + 1, "ref": None}
    row = next(
        line for line in invoke(db, "timeline", "NK-LH").output.splitlines() if line[:3] == "19 "
    )
    assert "x" in row.split()[2:4]  # the marker column, before the type


@pytest.mark.usefixtures("english")  # the assertions are on the English wording
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["correct", "NK-LH@pa-1", "--set", "colour=red", "--reason", "r"], "changes.colour"),
        (["correct", "NK-LH@nowhere", "--set", "summary=x", "--reason", "r"], "no entry"),
        (["correct", "NK-LH@pa-1", "--set", "occurred=2019-13", "--reason", "r"], "not a time"),
        (
            ["correct", "NK-LH@pa-1", "--set", "assessment=nope", "--reason", "r"],
            "changes.assessment",
        ),
        (["retract", "pa-1", "--reason", "r"], "not a reference"),
        (["retract", "@pa-1", "--reason", "r"], "name the case"),
    ],
)
def test_bad_corrections_are_one_line_errors_and_change_nothing(
    db: str, args: list[str], expected: str
) -> None:
    result = invoke(db, *args)
    assert result.exit_code == 2 and expected in result.output
    cases = orjson.loads(invoke(db, "cases", "--format", "json").stdout_bytes)["cases"]
    assert cases[0]["entries"] == LILLA_ENTRIES
