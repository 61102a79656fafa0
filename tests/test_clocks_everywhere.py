"""Every time in the JSON and CSV of timeline, known, decisions and gaps is a clock
(DESIGN §11): only `recorded_at` and `generated_at` are exact instants."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from cli.main import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.jsonl"))
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# A time as case files write it (2019, ~2019-12, 2019-12-10T16:00): outside a clock it would
# be a time a consumer must parse, and an imprecise one it may read as an instant.
TIME_TEXT = re.compile(r"^~?\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}.*)?)?)?$")
# `evaluated_at` is exact only when no point in time was asked ("now", like generated_at).
# A law's in-force dates are exact calendar dates set by statute, not recorded clocks.
EXACT = {"recorded_at", "generated_at", "evaluated_at", "in_force_from", "in_force_until"}
CLOCK = {"text", "start", "end", "approximate"}
NOT_YET: tuple[tuple[str, ...], ...] = ()


def bare_instants(
    value: Any, path: tuple[str, ...] = (), pattern: re.Pattern[str] = TIME_TEXT
) -> Iterator[tuple[str, ...]]:
    """Paths of time strings that are neither exact by contract nor inside a clock."""
    if isinstance(value, dict):
        if set(value) >= CLOCK:
            return
        for key, item in value.items():
            if key not in EXACT:
                yield from bare_instants(item, (*path, key), pattern)
    elif isinstance(value, list):
        for item in value:
            yield from bare_instants(item, (*path, "*"), pattern)
    elif isinstance(value, str) and pattern.match(value) and path not in NOT_YET:
        yield path


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[str]]:
    path = str(tmp_path_factory.mktemp("clocks") / "c.db")
    imported = CliRunner().invoke(cli, ["--db", path, "import", "-q", *map(str, EXAMPLES)])
    assert imported.exit_code == 0, imported.output
    cases = []
    for example in EXAMPLES:
        for line in example.read_bytes().splitlines():
            if line.strip() and (case := orjson.loads(line)["case"]) not in cases:
                cases.append(case)
    return path, cases


VIEWS = [
    ("timeline",),
    ("timeline", "--order", "known"),
    ("timeline", "--as-known-at", "2019-12-31"),
    ("timeline", "--as-of", "2019-12", "--as-recorded-at", "2100"),
    ("known", "--at", "2019-12-31"),
    ("known", "--at", "2020-10-14T12:00", "--as-recorded-at", "2100"),
    ("decisions",),
    ("decisions", "--as-recorded-at", "2100"),
    ("gaps",),
    ("check",),
    ("check", "--explain"),
    ("check", "--as-known-at", "2020-01-05"),
    ("check", "--as-known-at", "2020-10-14"),
]


def outputs(db: tuple[str, list[str]], fmt: str) -> Iterator[tuple[str, str]]:
    path, cases = db
    for case in cases:
        for command, *options in VIEWS:
            args = ["--db", path, command, case, *options, "--format", fmt]
            result = CliRunner().invoke(cli, args)
            assert result.exit_code == 0, (args, result.output)
            yield " ".join(args[2:]), result.stdout


def test_the_walk_finds_a_bare_instant() -> None:
    found = list(bare_instants({"at": "2020-01-01T00:00:00+01:00", "x": [{"due": "~2019"}]}))
    assert found == [("at",), ("x", "*", "due")]
    assert not list(
        bare_instants({"at": {"text": "2019", "start": "", "end": "", "approximate": 0}})
    )
    assert not list(bare_instants({"generated_at": "2020-01-01T00:00:00+01:00"}))


def test_no_json_document_states_a_time_as_a_bare_instant(db: tuple[str, list[str]]) -> None:
    for name, text in outputs(db, "json"):
        assert not list(bare_instants(orjson.loads(text))), name
    for name, text in outputs(db, "ndjson"):
        for line in text.splitlines():
            assert not list(bare_instants(orjson.loads(line))), name


def test_csv_writes_every_clock_as_its_text(db: tuple[str, list[str]]) -> None:
    for name, text in outputs(db, "csv"):
        for row in csv.DictReader(io.StringIO(text)):
            for column, cell in row.items():
                if column in EXACT:
                    continue
                if cell.startswith(("{", "[")):
                    # In CSV a clock is its text, nested ones too: no instant is left.
                    assert not list(bare_instants(orjson.loads(cell), (), INSTANT)), (name, column)
                    assert '"start"' not in cell, (name, column)  # nested clocks as text too
                else:
                    assert not INSTANT.match(cell), (name, column, cell)
