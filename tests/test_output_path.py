"""One output path: tables that fit the terminal by wrapping, CSV for a Swedish Excel, xlsx
spreadsheets read back, and a note's text as its summary."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from cli.main import cli
from tests.conftest import EXAMPLES

HOSTILE = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("output") / "o.db")
    for name in ("lilla-hjartat.jsonl", "astorp.jsonl"):
        done = CliRunner().invoke(cli, ["--db", path, "import", "-q", str(EXAMPLES / name)])
        assert done.exit_code == 0, done.output
    note = orjson.dumps(
        {"occurred": "2020-02-01", "agency": "Socialtjänsten Norrköping", "text": HOSTILE}
    ).decode()
    done = CliRunner().invoke(
        cli, ["--db", path, "record", "NK-LH", "NoteRecorded", "--json", "-"], input=note
    )
    assert done.exit_code == 0, done.output
    return path


def run(db: str, *args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(cli, ["--db", db, *args], env={"LEDGER_LANG": None, **(env or {})})
    assert result.exit_code == 0, result.output
    return result.stdout


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_timeline_fits_an_80_column_terminal_without_cutting(db: str, lang: str) -> None:
    table = run(db, "--lang", lang, "timeline", "NK-LH", env={"COLUMNS": "80"})
    assert widest(table) <= 80, table
    assert "…" not in table  # agencies, types and summaries wrap, never cut
    flowing = " ".join(table.split())
    assert "Förvaltningsrätten i Linköping" in flowing or "Förvaltningsrätten i" in table
    doc = orjson.loads(run(db, "timeline", "NK-LH", "--format", "json"))
    for entry in doc["entries"]:
        for word in (entry["summary"] or "").split()[:3]:
            assert word in flowing


def test_width_is_honoured_and_other_tables_fit_it(db: str) -> None:
    wide = run(db, "timeline", "NK-LH", "--width", "140")
    assert 80 < widest(wide) <= 140
    for command in (
        ["timeline", "NK-LH"],
        ["known", "NK-LH", "--at", "2019-12-31"],
        ["decisions", "NK-LH"],
        ["gaps", "NK-LH"],
        ["check", "NK-LH"],
        ["cases"],
    ):
        table = run(db, *command, "--width", "80")
        assert widest(table) <= 80, (command, table)


def test_csv_for_swedish_excel_is_bom_semicolons_and_flat(db: str) -> None:
    result = CliRunner().invoke(
        cli, ["--db", db, "timeline", "NK-LH", "--format", "csv", "--csv-dialect", "excel"]
    )
    assert result.exit_code == 0, result.output
    raw = result.stdout_bytes
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    text = raw.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows and rows[0]["case"] == "NK-LH"
    assert "fields.to" in rows[0] or any("fields." in key for key in rows[0])
    for row in rows:
        for value in row.values():
            assert not value.startswith(("{", "[", "=", "+", "@")), value
    note = next(row for row in rows if "HYPERLINK" in row["fields.text"])
    assert note["fields.text"] == "'" + HOSTILE  # the formula stays text
    plain = run(db, "timeline", "NK-LH", "--format", "csv")
    assert not plain.startswith("\ufeff") and plain.splitlines()[0].startswith("case,seq,")


@pytest.mark.parametrize(
    ("command", "count_key"),
    [
        (["timeline", "NK-LH"], "entries"),
        (["decisions", "NK-LH"], "decisions"),
        (["check", "NK-LH"], "findings"),
        (["cases"], "cases"),
    ],
)
def test_xlsx_reads_back_with_the_same_rows(
    db: str, tmp_path: Path, command: list[str], count_key: str
) -> None:
    target = tmp_path / "out.xlsx"
    run(db, *command, "--format", "xlsx", "-o", str(target))
    sheet = load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    doc = orjson.loads(run(db, *command, "--format", "json"))
    assert len(rows) - 1 == len(doc[count_key])
    header = rows[0]
    assert header[0] == "case"
    for row in rows[1:]:
        for value in row:
            assert not (isinstance(value, str) and value.startswith(("{", "["))), value


def test_xlsx_keeps_a_formula_as_text_and_needs_a_file(db: str, tmp_path: Path) -> None:
    target = tmp_path / "timeline.xlsx"
    run(db, "timeline", "NK-LH", "--format", "xlsx", "-o", str(target))
    sheet = load_workbook(target).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == HOSTILE]
    assert cells and all(cell.data_type == "s" for cell in cells)  # text, not a formula
    refused = CliRunner().invoke(
        cli, ["--db", db, "timeline", "NK-LH", "--format", "xlsx"], env={"LEDGER_LANG": "en"}
    )
    assert refused.exit_code == 2 and "give -o" in refused.output


def test_a_note_without_summary_reads_by_its_text(db: str) -> None:
    table = run(db, "--lang", "en", "timeline", "NK-LH", "--from", "2020-02-01")
    assert "HYPERLINK" in table  # the note's text stands as its summary
    doc = orjson.loads(run(db, "timeline", "NK-LH", "--format", "json", "--from", "2020-02"))
    note = next(e for e in doc["entries"] if e["type"] == "NoteRecorded")
    assert note["summary"] is None  # JSON keeps the summary as recorded
