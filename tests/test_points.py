"""A view says the point in time it was asked for as the user gave it, in every output."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "examples" / "lilla-hjartat.jsonl")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    from cli.main import cli

    path = str(tmp_path_factory.mktemp("points") / "p.db")
    assert CliRunner().invoke(cli, ["--db", path, "import", "-q", EXAMPLE]).exit_code == 0
    return path


def run(db: str, *args: str) -> str:
    from cli.main import cli

    result = CliRunner().invoke(cli, ["--db", db, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def run_en(db: str, *args: str) -> str:
    return run(db, "--lang", "en", *args)


@pytest.mark.parametrize(
    ("lang", "text", "phrase"),
    [
        ("en", "2019-12-31", "the end of 2019-12-31"),
        ("en", "2019-12", "the end of 2019-12"),
        ("en", "2019", "the end of 2019"),
        ("en", "2019-12-31T14:00", "2019-12-31 14:00"),
        ("sv", "2019-12-31", "vid utgången av 2019-12-31"),
        ("sv", "2019-12", "vid utgången av 2019-12"),
        ("sv", "2019-12-31T14:00", "2019-12-31 14:00"),
    ],
)
def test_a_point_is_printed_as_given(lang: str, text: str, phrase: str) -> None:
    from ledger.timeparse import parse_point_moment
    from projections.language import using
    from projections.phrases import point_phrase

    with using(lang):
        assert point_phrase(parse_point_moment(text)) == phrase


def test_known_says_at_the_end_of_the_day_never_the_next_midnight(db: str) -> None:
    table = run_en(db, "known", "NK-LH", "--at", "2019-12-31")
    assert table.splitlines()[0] == "NK-LH as known at the end of 2019-12-31 (Stockholm)"
    assert "2020-01-01" not in table.splitlines()[0]
    doc = orjson.loads(run_en(db, "known", "NK-LH", "--at", "2019-12-31", "--format", "json"))
    for point in (doc["at"], doc["view"]["as_known_at"]):
        assert point == {
            "text": "2019-12-31",
            "start": "2019-12-31T00:00:00+01:00",
            "end": "2020-01-01T00:00:00+01:00",
            "approximate": False,
        }


def test_every_view_table_says_what_was_asked(db: str) -> None:
    known_at = run_en(db, "timeline", "NK-LH", "--as-known-at", "2019-12")
    assert known_at.splitlines()[0] == "NK-LH as known at the end of 2019-12 (Stockholm)"
    both = run_en(
        db, "timeline", "NK-LH", "--as-of", "2019-12-10T14:00", "--as-recorded-at", "2100"
    )
    assert both.splitlines()[0] == (
        "NK-LH as of 2019-12-10 14:00 · as recorded at the end of 2100 (Stockholm)"
    )
    plain = run_en(db, "timeline", "NK-LH")
    assert not plain.startswith("NK-LH")  # no point asked, no such line
    for command in ("decisions", "gaps"):
        table = run_en(db, command, "NK-LH", "--as-recorded-at", "2100-01-02")
        assert "NK-LH as recorded at the end of 2100-01-02 (Stockholm)" in table.splitlines()[:3]
    known = run_en(db, "known", "NK-LH", "--at", "2019-12-31", "--as-recorded-at", "2100")
    assert known.splitlines()[0] == (
        "NK-LH as known at the end of 2019-12-31 · as recorded at the end of 2100 (Stockholm)"
    )


def test_the_diagram_title_and_cut_line_say_the_point_as_given(db: str) -> None:
    source = run_en(db, "timeline", "NK-LH", "--as-known-at", "2019-12-31", "--format", "dot")
    assert 'label="NK-LH — timeline · as known at the end of 2019-12-31 · ' in source
    assert 't_cut [label="known at\\nthe end of 2019-12-31"' in source
    assert "2020-01-01 00:00" not in source


def test_the_swedish_tables_say_the_point_in_swedish(db: str) -> None:
    table = run(db, "known", "NK-LH", "--at", "2019-12-31", "--as-recorded-at", "2100")
    assert table.splitlines()[0] == (
        "NK-LH känt vid utgången av 2019-12-31 · som liggaren såg ut vid utgången av 2100 "
        "(svensk tid)"
    )
    both = run(db, "timeline", "NK-LH", "--as-of", "2019-12-10T14:00")
    assert both.splitlines()[0] == "NK-LH inträffat 2019-12-10 14:00 (svensk tid)"
