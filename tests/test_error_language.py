"""The command line's own error lines speak Swedish first: the `fel:` prefix, the refusals of
the commands (a case the ledger does not hold, a reference without its case, `-o` aimed at a
directory or at the ledger's own file, an approximate --since, an empty import, a binary
format bound for stdout) and main()'s fixed lines (busy, internal error). `--lang en` and
`LEDGER_LANG=en` give the English; the exit statuses do not change with the language."""

from __future__ import annotations

import json
import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from ledger.case import Case
from tests.conftest import EXAMPLES, clean_env, program

pytestmark = pytest.mark.usefixtures("isolated")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("errors") / "l.db"
    done = CliRunner().invoke(
        cli, ["--db", str(path), "import", "-q", str(EXAMPLES / "lilla-hjartat.jsonl")]
    )
    assert done.exit_code == 0, done.output
    return path


def refused(db: Path, *args: str, lang: str | None = None) -> str:
    """The message of a refused command (exit status 2, no traceback): click's last line
    (a usage error comes after the usage)."""
    chosen = ["--lang", lang] if lang else []
    result = CliRunner().invoke(
        cli, ["--db", str(db), *chosen, *args], env={"LEDGER_USER": "granskare"}
    )
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("Error: "), result.stderr
    return lines[-1].removeprefix("Error: ")


def test_an_unknown_case_and_a_bad_reference_in_swedish_and_english(db: Path) -> None:
    assert refused(db, "timeline", "NOPE") == "inget ärende 'NOPE' i liggaren"
    assert refused(db, "timeline", "NOPE", lang="en") == "no case 'NOPE' in the ledger"
    assert refused(db, "show", "NK-LH#999") == "ingen post NK-LH#999 i ärendet NK-LH"
    assert refused(db, "show", "NK-LH#999", lang="en") == "no entry NK-LH#999 in case NK-LH"
    assert refused(db, "show", "#4") == "'#4': ange ärendet, t.ex. NK-LH#4 eller NK-LH@pa-1"
    assert refused(db, "show", "#4", lang="en") == (
        "'#4': name the case, e.g. NK-LH#4 or NK-LH@pa-1"
    )
    assert refused(db, "access-log", "NK LH") == (
        "'NK LH' är ingen ärendenyckel (bokstäver, siffror, '.', '_', '-')"
    )


def test_output_refusals_in_swedish_and_english(db: Path, tmp_path: Path) -> None:
    folder = str(tmp_path)
    assert refused(db, "timeline", "NK-LH", "-o", folder) == (
        f"-o {folder}: är en katalog; ange ett filnamn"
    )
    assert refused(db, "timeline", "NK-LH", "-o", folder, lang="en") == (
        f"-o {folder}: is a directory; give a file name"
    )
    assert refused(db, "timeline", "NK-LH", "-o", str(db)) == (
        f"-o {db}: det är liggarens egen fil {db}; skriv utdata någon annanstans"
    )
    assert refused(db, "timeline", "NK-LH", "--format", "xlsx") == (
        "--format xlsx skriver en binärfil: ange -o FIL.xlsx"
    )
    assert refused(db, "timeline", "NK-LH", "--format", "xlsx", lang="en") == (
        "--format xlsx writes a binary file: give -o FILE.xlsx"
    )


def test_time_options_and_an_empty_import_in_swedish_and_english(db: Path, tmp_path: Path) -> None:
    assert refused(db, "access-log", "--since", "~2020") == (
        "--since: en tidpunkt kan inte vara ungefärlig: '~2020'"
    )
    assert refused(db, "access-log", "--since", "~2020", lang="en") == (
        "--since: a point in time cannot be approximate: '~2020'"
    )
    empty = tmp_path / "tom.jsonl"
    empty.write_text("\n")
    assert refused(db, "import", str(empty)) == f"{empty}: indata är tomma; inget importerades"
    assert refused(db, "import", str(empty), lang="en") == (
        f"{empty}: the input is empty; nothing was imported"
    )
    assert refused(db, "draft", "show", "7") == "inget utkast 7"
    assert refused(db, "draft", "show", "7", lang="en") == "no draft 7"
    assert refused(db, "check") == "ange ett ärende (CASE) att kontrollera, eller --all"
    assert refused(db, "check", "NK-LH", "--months", "3") == (
        "--months används bara tillsammans med --similar-to"
    )


def run(db: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The installed program, so main() writes the line as a user sees it."""
    return subprocess.run(
        [*program(), "--db", str(db), *args],
        capture_output=True,
        text=True,
        env={**clean_env(), "LEDGER_USER": "granskare", **(env or {})},
        timeout=120,
    )


def test_the_error_line_says_fel_and_keeps_its_exit_status(db: Path) -> None:
    swedish = run(db, "timeline", "NOPE")
    assert (swedish.returncode, swedish.stderr) == (2, "fel: inget ärende 'NOPE' i liggaren\n")
    english = run(db, "--lang", "en", "timeline", "NOPE")
    assert (english.returncode, english.stderr) == (2, "error: no case 'NOPE' in the ledger\n")
    assert run(db, "timeline", "NOPE", env={"LEDGER_LANG": "en"}).stderr == english.stderr
    at = run(db, "timeline", "NK-LH", "--as-known-at", "igår")
    assert at.returncode == 2 and at.stderr.startswith("fel: --as-known-at: "), at.stderr
    at_en = run(db, "--lang", "en", "timeline", "NK-LH", "--as-known-at", "igår")
    assert at_en.returncode == 2 and at_en.stderr.startswith("error: --as-known-at: ")
    # click's own usage errors stay English; the prefix follows --lang even when click stops
    # before the command has chosen its language.
    assert run(db, "nosuch").stderr == "fel: No such command 'nosuch'.\n"
    assert run(db, "--lang", "en", "nosuch").stderr == "error: No such command 'nosuch'.\n"
    unknown = run(db, "timeline", "NK-LH", env={"LEDGER_LANG": "de"})
    assert (unknown.returncode, unknown.stderr) == (
        2,
        "fel: LEDGER_LANG: okänt språk 'de'; välj ett av sv, en\n",
    )


def main_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, list[str]]:
    """main() in this process (to make it fail on purpose): its exit status and stderr."""
    from cli import main as entry

    monkeypatch.setattr(sys, "argv", ["ledger", *argv])
    with pytest.raises(SystemExit) as exited:
        entry.main()
    code = exited.value.code
    assert isinstance(code, int)
    return code, capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        (
            "sv",
            "fel: internt fel (RuntimeError: trasig); sätt LEDGER_DEBUG=1 för att se spårningen "
            "(traceback)",
        ),
        (
            "en",
            "error: internal error (RuntimeError: trasig); set LEDGER_DEBUG=1 for the traceback",
        ),
    ],
)
def test_an_internal_error_is_one_line_in_the_language_asked_for(
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lang: str,
    line: str,
) -> None:
    from ledger.application import CaseLedger

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("trasig")

    monkeypatch.setattr(CaseLedger, "history", broken)
    code, lines = main_line(monkeypatch, capsys, "--db", str(db), "--lang", lang, "show", "NK-LH#1")
    assert (code, lines) == (1, [line])


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        (
            "sv",
            "fel: kan inte skriva i åtkomstloggen: liggaren är upptagen: en annan process har "
            "skrivit till den i mer än 1 s (en import håller den tills den är klar); inget visades",
        ),
        (
            "en",
            "error: cannot write the access log: the ledger is busy: another process has been "
            "writing to it for over 1 s (an import holds it until it ends); nothing was shown",
        ),
    ],
)
def test_a_busy_ledger_is_one_line_in_the_language_asked_for(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lang: str,
    line: str,
) -> None:
    import sqlite3

    from ledger import storage

    db = tmp_path / "busy.db"
    recorded = CliRunner().invoke(
        cli,
        ["--db", str(db), "record", "B-1", "NoteRecorded", "--occurred", "2020-01", "-f", "text=a"],
    )
    assert recorded.exit_code == 0, recorded.output
    monkeypatch.setattr(storage, "SQLITE_LOCK_SECONDS", 1)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's long write transaction
    try:
        code, lines = main_line(
            monkeypatch, capsys, "--db", str(db), "--lang", lang, "timeline", "B-1"
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert (code, lines) == (1, [line])


# What the ledger layer finds wrong with input (ledger/entry.py, case.py, timeparse.py,
# references.py, vocabulary.py, sheets.py, drafts.py) is said in the reader's language too:
# one line a problem, exit status 2, nothing stored.


def entries(db: Path) -> int:
    """The case entries a ledger file holds (access records aside); 0 without a file."""
    if not db.exists():
        return 0
    connection = sqlite3.connect(db)
    try:
        query = "SELECT COUNT(*) FROM stored_events WHERE topic = ?"
        return connection.execute(query, (Case.EntryRecorded.TOPIC,)).fetchone()[0]
    finally:
        connection.close()


BAD_INPUT = (
    '{"case": "NK-X", "type": "NoteRecorded", "occurred": "2020-01-08", "text": "x"',
    '{"case": "NK-X", "type": "NoteAdded", "occurred": "2020-01-08", "text": "x"}',
    '{"case": "NK-X", "type": "NoteRecorded", "occurred": "2020-13-08", "text": "x"}',
    '{"case": "NK-Y", "type": "NoteRecorded", "occurred": "2020-01-08", "text": "x", '
    '"basis": ["#5"]}',
    '{"case": "NK-Y", "type": "NoteRecorded", "occurred": "2020-01-09", "text": "y", '
    '"basis": ["fem"]}',
)


def test_the_problems_of_an_import_in_swedish_and_english(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(BAD_INPUT) + "\n")
    db = tmp_path / "new.db"
    swedish = run(db, "import", str(source))
    assert swedish.returncode == 2
    assert swedish.stderr.splitlines() == [
        # what the JSON parser says of the line is its own words
        f"fel: {source}:1: inte giltig JSON (unexpected end of data)",
        f"fel: {source}:2: fält 'type': okänd posttyp 'NoteAdded' (menade du NoteRecorded?)",
        f"fel: {source}:3: fält 'occurred': ogiltig tidpunkt: '2020-13-08' "
        "(månaden måste vara 01-12)",
        f"fel: {source}:4: fält 'basis': #5 finns inte (antal poster i ärendet: 1)",
        f"fel: {source}:5: fält 'basis': ogiltig referens: 'fem' "
        "(väntade #NR, @REF, ÄRENDE#NR eller ÄRENDE@REF)",
        "fel: 5 problem i indata; inget importerades",
    ]
    english = run(db, "--lang", "en", "import", str(source))
    assert english.returncode == 2
    assert english.stderr.splitlines() == [
        f"error: {source}:1: not valid JSON (unexpected end of data)",
        f"error: {source}:2: field 'type': unknown event type 'NoteAdded' "
        "(did you mean NoteRecorded?)",
        f"error: {source}:3: field 'occurred': not a time: '2020-13-08' (month must be 01-12)",
        f"error: {source}:4: field 'basis': #5 does not exist (the case has 1 entries)",
        f"error: {source}:5: field 'basis': not a reference: 'fem' "
        "(expected #SEQ, @REF, CASE#SEQ or CASE@REF)",
        "error: 5 problem(s) in the input; nothing was imported",
    ]
    assert run(db, "import", str(source), env={"LEDGER_LANG": "en"}).stderr == english.stderr
    assert not db.exists()


def test_the_problems_of_record_and_correct_in_swedish_and_english(db: Path) -> None:
    before = entries(db)
    for args, swedish, english in [
        (
            ("record", "NK-LH", "NoteRecorded", "--occurred", "2020-02-30", "-f", "text=x"),
            "fält 'occurred': ogiltig tidpunkt: '2020-02-30' (2020-02 har bara 29 dagar)",
            "field 'occurred': not a time: '2020-02-30' (2020-02 has only 29 days)",
        ),
        (
            ("record", "NK-LH", "Anteckning", "--occurred", "2020-02"),
            "okänd posttyp 'Anteckning'",
            "unknown event type 'Anteckning'",
        ),
        (
            ("record", "NK-LH", "NoteRecorded", "--occurred=2020-02", "--basis=@inget", "-ftext=x"),
            "fält 'basis': @inget leder ingenstans: ingen post har den etiketten (ref)",
            "field 'basis': @inget does not resolve: no entry has that ref",
        ),
        (
            ("correct", "NK-LH#1", "--set", "occurred=v. 54 2019", "--reason", "r"),
            "fält 'changes.occurred': ogiltig tidpunkt: 'v. 54 2019' (2019 har ingen ISO-vecka 54)",
            "field 'changes.occurred': not a time: 'v. 54 2019' (2019 has no ISO week 54)",
        ),
    ]:
        said = run(db, *args)
        assert (said.returncode, said.stderr) == (2, f"fel: {swedish}\n"), args
        said = run(db, "--lang", "en", *args)
        assert (said.returncode, said.stderr) == (2, f"error: {english}\n"), args
    assert entries(db) == before


def test_the_problems_of_a_spreadsheet_in_swedish_and_english(tmp_path: Path) -> None:
    db = tmp_path / "drafts.db"
    unknown = tmp_path / "okänd.csv"
    unknown.write_text("Datum;Händelse;Humör\n2019-12-20;Orosanmälan;glad\n")
    refused = run(db, "draft", "import", str(unknown), "--case", "NK-K")
    assert (refused.returncode, refused.stderr) == (
        2,
        "fel: okänd.csv, rad 1, kolumn C (Humör): okänd kolumn; koppla den till ett fält i "
        "--map FIL.toml\n",
    )
    refused = run(db, "--lang", "en", "draft", "import", str(unknown), "--case", "NK-K")
    assert (refused.returncode, refused.stderr) == (
        2,
        "error: okänd.csv, rad 1, kolumn C (Humör): unknown column; map it to a field in "
        "--map FILE.toml\n",
    )
    assert not db.exists()

    sheet = tmp_path / "kronologi.csv"
    sheet.write_text(
        "Datum;Händelse;Typ\n2019-12-20;Orosanmälan;ChronologyEntry\n"
        "20 decembr 2019;Samtal;ChronologyEntry\n"
    )
    assert run(db, "draft", "import", str(sheet), "--case", "NK-K").returncode == 0
    sealed = run(db, "draft", "seal", "NK-K")
    assert sealed.returncode == 2
    assert sealed.stderr.splitlines() == [
        "fel: kronologi.csv, rad 3, kolumn A (Datum) (utkast 2): ogiltig tidpunkt: "
        "'20 decembr 2019' (väntade ÅÅÅÅ, ÅÅÅÅ-MM, ÅÅÅÅ-MM-DD[Ttt:mm[:ss][Z|±tt:mm]] "
        "(med eller utan ~), A/B, v. 52 2019, våren 2019 eller sen december 2019)",
        "fel: 1 problem i utkasten till NK-K; inget förseglades",
    ]
    sealed = run(db, "--lang", "en", "draft", "seal", "NK-K")
    assert sealed.returncode == 2
    assert sealed.stderr.splitlines() == [
        "error: kronologi.csv, rad 3, kolumn A (Datum) (draft 2): not a time: "
        "'20 decembr 2019' (expected YYYY, YYYY-MM, YYYY-MM-DD[THH:MM[:SS][Z|±HH:MM]] "
        "(optionally ~), A/B, v. 52 2019, våren 2019 or sen december 2019)",
        "error: 1 problem(s) in the drafts of NK-K; nothing was sealed",
    ]
    assert entries(db) == 0
    # The JSON keeps the English, whatever the language.
    checked = run(db, "draft", "check", "NK-K", "--format", "json")
    [problem] = json.loads(checked.stdout)["problems"]
    assert problem["message"] == (
        "not a time: '20 decembr 2019' (expected YYYY, YYYY-MM, "
        "YYYY-MM-DD[THH:MM[:SS][Z|±HH:MM]] (optionally ~), A/B, v. 52 2019, våren 2019 or "
        "sen december 2019)"
    )


def test_a_problem_checked_in_a_worker_process_is_still_said_in_swedish() -> None:
    """Worker processes hand their LineErrors back pickled: the Messages survive the trip."""
    from ledger.entry import InvalidEntry
    from ledger.importer import LineError, _draft
    from projections.language import say, using

    with pytest.raises(InvalidEntry) as invalid:
        _draft(b'{"case": "NK-X", "occurred": "2020-13"}')
    errors = [LineError("in.jsonl:1", str(p)) for p in invalid.value.problems]
    back = pickle.loads(pickle.dumps(errors))
    assert back == errors
    with using("sv"):
        assert [say(e.message) for e in back] == [
            "fält 'type': saknas",
            "fält 'occurred': ogiltig tidpunkt: '2020-13' (månaden måste vara 01-12)",
        ]
    with using("en"):
        assert [say(e.message) for e in back] == [
            "field 'type': missing",
            "field 'occurred': not a time: '2020-13' (month must be 01-12)",
        ]
