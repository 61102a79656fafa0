"""The draft area and chronology spreadsheets (issue 15): the example spreadsheet goes through
`draft import` → `draft check` (its planted errors named by row and column) → fixes →
`draft seal`, and the sealed case's timeline matches the sheet; on every store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import cli
from ledger.application import CaseLedger
from ledger.drafts import DraftsRejected, check, classify, delete, edit, find, import_sheet, seal
from ledger.sheets import SheetError, read_map, read_sheet
from ledger.storage import Store
from projections.records import to_records
from projections.rules import check as check_rules
from tests.conftest import POSTGRES_URL, clean_env, program

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CSV = EXAMPLES / "kronologi-nk-lh.csv"
XLSX = EXAMPLES / "kronologi-nk-lh.xlsx"
CASE = "NK-LH-K"

# The planted errors: (sheet row, column or None, what the message says).
PLANTED = [
    (4, "D (Typ)", "no type yet"),
    (7, "G (Kommentar)", "CareEnded has no comment"),
    (8, None, "field 'to': missing (required for ChildMovedHome)"),
    (11, "A (Datum)", "not a time: 'sen decmber 2019'"),
    (18, "A (Datum)", "2020-02 has only 29 days"),
]
HEADING_CSV = (9, "A (Datum)", "not a time: 'December 2019 – januari 2020'")
HEADING_XLSX = (9, None, "merged cells A9:G9: a heading, not an entry")

# The timeline after the fixes, in the sheet's order of dates: (occurred, summary).
SEALED = [
    ("2016-04", "Flickan föds med abstinenssymtom."),
    ("~2016-06", "Förvaltningsrätten beslutar om vård enligt LVU."),
    ("våren 2018", "Föräldrarna begär att vården ska upphöra."),
    ("2018-09", "Kammarrätten i Jönköping: vården enligt LVU ska upphöra (TT: våren 2019)."),
    ("2019-W14", "Flickan flyttar hem till föräldrarna från familjehemmet."),
    ("2019-12-20/2019-12-31", "Begäran om uppgifter från BVC med föräldrarnas samtycke."),
    ("sen december 2019", "Första orosanmälan kommer in."),
    ("sen december 2019", "Socialtjänsten bedömer att flickan inte behöver omedelbart skydd."),
    ("slutet av december 2019", "Oanmält hembesök; socialsekreterarna släpps inte in."),
    ("början av januari 2020", "Andra orosanmälan kommer in."),
    ("2020-01", "Flickan avlider i föräldrarnas hem."),
    ("mitten av februari 2020", "Lex Sarah-utredning inleds."),
    ("2020-05?", "IVO inleder tillsyn av ärendet."),
    ("2020-10-13", "IVO riktar allvarlig kritik mot socialnämnden."),
]


def draft_by_row(ledger: CaseLedger, row: int) -> Any:
    [found] = [d for d in ledger.drafts.of_case(CASE) if d.data["origin"]["row"] == row]
    return found


def fix(ledger: CaseLedger) -> None:
    """What a reviewer does after reading `draft check`."""
    classify(ledger, draft_by_row(ledger, 4), "ChronologyEntry")
    edit(ledger, draft_by_row(ledger, 7), {"summary": SEALED[3][1], "comment": ""})
    edit(ledger, draft_by_row(ledger, 8), {"to": "föräldrarna"})
    delete(ledger, [draft_by_row(ledger, 9)])
    edit(ledger, draft_by_row(ledger, 11), {"occurred": "sen december 2019"})
    edit(ledger, draft_by_row(ledger, 18), {"occurred": "2020-05?"})


@pytest.mark.parametrize("path", [CSV, XLSX], ids=["csv", "xlsx"])
def test_the_example_spreadsheet_from_draft_to_sealed_timeline(
    ledger: CaseLedger, path: Path
) -> None:
    sheet = read_sheet(path.name, path.read_bytes())
    assert sheet.notes[0].startswith("rad 1: above the header")
    assert "rad 15: empty, skipped" in sheet.notes
    import_sheet(ledger, CASE, sheet)
    stored, _, problems = check(ledger, CASE)
    assert len(stored) == 15
    heading = HEADING_XLSX if path.suffix == ".xlsx" else HEADING_CSV
    expected = sorted([*PLANTED, heading])
    found = sorted((p.origin.row, p.column, p.message) for p in problems)
    assert len(found) == len(expected) + (path.suffix == ".csv")  # the CSV heading has no type
    for (row, column, words), (f_row, f_column, message) in zip(
        [e for e in expected], [f for f in found if f[0] != 9 or heading[2] in f[2]], strict=True
    ):
        assert (row, column) == (f_row, f_column)
        assert words in message
    with pytest.raises(DraftsRejected):
        seal(ledger, CASE)
    assert not ledger.has_case(CASE)  # all or nothing
    fix(ledger)
    assert check(ledger, CASE)[2] == []
    outcome = seal(ledger, CASE)
    assert outcome.recorded == len(SEALED)
    assert ledger.drafts.of_case(CASE) == []
    records = to_records(ledger.history(CASE))
    from projections.ordering import chronological

    timeline = [(r.occurred.text, r.summary) for r in chronological(records)]
    assert timeline == SEALED
    sources = [r.source for r in records]
    sheet_name = ", blad Kronologi" if path.suffix == ".xlsx" else ""
    assert f"{path.name}{sheet_name}, rad 12" in sources  # the row without a source cites itself
    assert "Expressen" in sources  # a row naming its source keeps it


def test_the_xlsx_example_is_current(tmp_path: Path) -> None:
    """The committed workbook is what examples/make_kronologi.py writes (cells and merges)."""
    import openpyxl

    sys.path.insert(0, str(EXAMPLES))
    try:
        import make_kronologi
    finally:
        sys.path.pop(0)
    target = tmp_path / "k.xlsx"
    make_kronologi.workbook().save(target)
    made, committed = openpyxl.load_workbook(target), openpyxl.load_workbook(XLSX)
    assert [list(r) for r in made.active.values] == [list(r) for r in committed.active.values]
    assert str(made.active.merged_cells) == str(committed.active.merged_cells)
    assert CSV.read_bytes() == b"\xef\xbb\xbf" + make_kronologi.csv_text().encode()


def test_a_row_without_a_type_stays_a_draft_until_classified(ledger: CaseLedger) -> None:
    sheet = read_sheet("k.csv", "Datum,Händelse\n2019-12-24,Julafton\n".encode())
    [id] = import_sheet(ledger, CASE, sheet)
    [problem] = check(ledger, CASE)[2]
    assert "no type yet: classify it (ledger draft classify ID TYPE" in problem.message
    classify(ledger, find(ledger, id), "kronologipost")  # the Swedish term works too
    seal(ledger, CASE)
    [entry] = ledger.history(CASE)
    assert (entry.type, entry.source) == ("ChronologyEntry", "k.csv, rad 2")


def test_chronology_entries_are_information_only(ledger: CaseLedger) -> None:
    """An unclassified line starts no rule, even one documented long after it happened."""
    text = (
        "Datum;Känt;Händelse;Typ;Verksamhet\n"
        "2019-12-01;2020-03-01;Hembesök;ChronologyEntry;Socialtjänsten Testköping\n"
        "2019-12-02;2020-03-01;Orosanmälan;ChronologyEntry;Socialtjänsten Testköping\n"
    )
    import_sheet(ledger, CASE, read_sheet("k.csv", text.encode()))
    seal(ledger, CASE)
    report = check_rules(to_records(ledger.history(CASE)))
    assert [f for f in report.findings if f.refs] == []


CSV_FORMS = [
    # delimiter, BOM, encoding
    (",", True, "utf-8"),
    (";", False, "utf-8"),
    (";", False, "cp1252"),
    ("\t", False, "utf-8"),
]


@pytest.mark.parametrize(("delimiter", "bom", "encoding"), CSV_FORMS)
def test_csv_as_people_save_it(delimiter: str, bom: bool, encoding: str) -> None:
    rows = [
        ["Datum", "Händelse", "Källa", "Kommentar"],
        ["sen december 2019", "Anmälan, igen", "", "ok"],
    ]
    text = "\r\n".join(delimiter.join(f'"{c}"' if delimiter in c else c for c in r) for r in rows)
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)
    [row] = read_sheet("k.csv", data).rows
    assert row.values == {
        "occurred": "sen december 2019",
        "summary": "Anmälan, igen",
        "comment": "ok",
    }
    assert row.columns["summary"] == "B (Händelse)"


def test_english_headers_and_a_column_map() -> None:
    english = read_sheet("k.csv", b"Date,Event,Source,Comment,Type\n2019,x,y,z,NoteRecorded\n")
    assert english.rows[0].values["type"] == "NoteRecorded"
    mapping = read_map("m.toml", '[columns]\n"Dag" = "occurred"\n"Notering" = "summary"\n')
    mapped = read_sheet("k.csv", b"Dag;Notering\n2019-12;text\n", mapping)
    assert mapped.rows[0].values == {"occurred": "2019-12", "summary": "text"}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "the file is empty"),
        (b"Vad;Var\n1;2\n", "no header row found"),
        ("Datum;Händelse;Okänt\n2019;x;y\n".encode(), "kolumn C (Okänt): unknown column"),
        (b"Datum;H\xc3\xa4ndelse\n2019;x;stray\n", "rad 2, kolumn C: a value in a column"),
        (b"Datum;Date;H\xc3\xa4ndelse\n", "a second column for 'occurred'"),
    ],
)
def test_sheet_errors_name_the_row_and_column(data: bytes, words: str) -> None:
    with pytest.raises(SheetError) as caught:
        read_sheet("k.csv", data)
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_bad_map_is_named() -> None:
    with pytest.raises(SheetError, match="'Dag': 'when' is not a field"):
        read_map("m.toml", '[columns]\n"Dag" = "when"\n')


def ledger_cli(db: str, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--db", db, *args], env={"LEDGER_USER": "granskare"})


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "l.db")
    schema = request.getfixturevalue("postgres_schema")
    return f"{POSTGRES_URL}?schema={schema}"


def test_the_draft_commands_and_their_access_log(db: str) -> None:
    result = ledger_cli(db, "draft", "import", str(XLSX), "--case", CASE)
    assert result.exit_code == 0, result.output
    assert "15 rader blev utkast i NK-LH-K" in result.output
    assert "rad 15: inget innehåll, hoppades över" in result.output
    checked = ledger_cli(db, "draft", "check", CASE, "--format", "json")
    assert checked.exit_code == 2
    problems = json.loads(checked.stdout)["problems"]
    assert {(p["origin"]["row"], p["column"]) for p in problems} >= {(11, "A (Datum)")}
    listed = json.loads(ledger_cli(db, "draft", "list", CASE, "--format", "json").stdout)
    ids = {d["origin"]["row"]: d["id"] for d in listed["drafts"]}
    steps = [
        ["draft", "classify", str(ids[4]), "ChronologyEntry"],
        ["draft", "edit", str(ids[7]), "--set", f"summary={SEALED[3][1]}", "--set", "comment="],
        ["draft", "edit", str(ids[8]), "--set", "to=föräldrarna"],
        ["draft", "delete", str(ids[9])],
        ["draft", "edit", str(ids[11]), "--set", "occurred=sen december 2019"],
        ["draft", "edit", str(ids[18]), "--set", "occurred=2020-05?"],
        ["draft", "show", str(ids[18])],
        ["draft", "check", CASE],
        ["draft", "seal", CASE],
    ]
    for step in steps:
        result = ledger_cli(db, *step)
        assert result.exit_code == 0, (step, result.output)
    timeline = json.loads(ledger_cli(db, "timeline", CASE, "--format", "json").stdout)
    assert [(e["occurred"]["text"], e["summary"]) for e in timeline["entries"]] == SEALED
    log = json.loads(ledger_cli(db, "access-log", CASE, "--format", "json").stdout)
    commands = [r["command"] for r in log["entries"]]
    assert commands[:11] == [
        "draft import", "draft check", "draft list", "draft classify", "draft edit",
        "draft edit", "draft delete", "draft edit", "draft edit", "draft show", "draft check",
    ]  # fmt: skip
    assert "draft seal" in commands
    assert ledger_cli(db, "verify").exit_code == 0


def test_draft_errors_are_one_line_and_change_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    bad = tmp_path / "bad.csv"
    bad.write_bytes("Datum;Händelse;Konstig\x1b[31m\n2019;x;y\n".encode())
    run = subprocess.run(
        [*program(), "--db", db, "draft", "import", str(bad), "--case", CASE],
        capture_output=True,
        text=True,
        env={**clean_env(), "LEDGER_USER": "t", "LEDGER_LANG": "en"},  # the English wording
    )
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("error: ")
    assert "\x1b" not in run.stderr
    assert "rad 1, kolumn C (Konstig\ufffd[31m): unknown column" in run.stderr
    assert not Path(db).exists()


def test_drafts_are_sealed_with_the_ledger_cipher(store: Store, tmp_path: Path) -> None:
    """With encryption on, neither the case key nor the cells can be read from the table."""
    if store.kind != "sqlite":
        pytest.skip("reads the SQLite file directly")
    import base64
    import os
    import sqlite3

    sealed = store.with_cipher(base64.b64encode(os.urandom(32)).decode())
    ledger = CaseLedger(sealed)
    try:
        import_sheet(ledger, CASE, read_sheet("k.csv", "Datum;Händelse\n2019;Hemlig\n".encode()))
        assert [d.data["values"]["summary"] for d in ledger.drafts.of_case(CASE)] == ["Hemlig"]
    finally:
        ledger.close()
    raw = sqlite3.connect(store.location).execute("SELECT case_key, data FROM ledger_drafts")
    [(column, data)] = raw.fetchall()
    assert CASE not in column and "Hemlig" not in data
