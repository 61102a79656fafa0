"""Personal identity numbers are refused everywhere text enters the ledger, by field, without
ever being repeated (issue: "case key 19121212-1212 imports, and access-log 19121212-1212
writes it into the immutable log").

19121212-1212 is Skatteverket's well-known test personnummer ("Tolvan Tolvansson"),
701063-2391 its example samordningsnummer (born 1970-10-03, day + 60).
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import click
import orjson
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from cli.main import cli
from cli.output import LedgerCommand, LedgerGroup
from ledger.identity_numbers import (
    contains_identity_number,
    identity_number_fields,
    may_hold_identity_number,
)

from .conftest import clean_env, program

TOLVAN = "19121212-1212"
NUMBERS = [
    TOLVAN,
    "191212121212",  # twelve digits, no separator
    "121212-1212",  # ten digits with the separator
    "1212121212",  # ten digits run together
    "121212+1212",  # '+' from the year one turns 100
    "19121212\u20131212",  # an en dash, as a word processor writes it
    "701063-2391",  # a samordningsnummer
    "19701063-2391",
    "barnet (121212-1212) bor hos",  # inside a sentence
    "NK-19121212-1212",  # inside a would-be case key
]
NOT_NUMBERS = [
    "1234-19",  # a court case number
    "T 1234-19",
    "Mål nr 4567-20, Förvaltningsrätten i Linköping",
    "2019-12-20",
    "20191220",
    "2019-12-20T10:15:00+01:00",
    "2019-12-20/2019-12-31",
    "070-123 45 67",  # phone numbers as people write them
    "+46 70 123 45 67",
    "+46701234567",
    "08-508 000 00",
    "8.5-12345/2020",  # an IVO diarienummer
    "212000-0613",  # an organisation number (month 20)
    "NK-2019-0412",
    "121212-1213",  # wrong check digit
    "121232-1212",  # no such day
    "1912121212121",  # thirteen digits
    "SYN-000001",
]


@pytest.mark.parametrize("text", NUMBERS)
def test_every_written_form_is_found(text: str) -> None:
    assert contains_identity_number(text)


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_dates_case_numbers_and_phone_numbers_are_not(text: str) -> None:
    assert not contains_identity_number(text)


@pytest.mark.parametrize("text", NUMBERS)
def test_a_line_holding_one_is_never_passed_over_by_the_cheap_test(text: str) -> None:
    for obj in ({"summary": text}, {"case": text}, {"x": [{"y": text}]}, {text: 1}):
        line = orjson.dumps(obj)
        assert may_hold_identity_number(line), line
        # The same line with its text escaped, as any JSON writer may write it.
        escaped = orjson.dumps(obj).decode().replace(text, text.encode("unicode_escape").decode())
        assert may_hold_identity_number(escaped.encode()), escaped
        ascii_escaped = line.decode().replace(text, "".join(f"\\u{ord(c):04x}" for c in text))
        assert may_hold_identity_number(ascii_escaped.encode()), ascii_escaped
        assert identity_number_fields(orjson.loads(ascii_escaped))


@given(st.text(alphabet=st.sampled_from('0123456789-+ \u2013\u2212aé\u00c0"\\')))
def test_the_cheap_test_finds_every_number_the_full_search_finds(text: str) -> None:
    line = orjson.dumps({"summary": text})
    if contains_identity_number(text):
        assert may_hold_identity_number(line)


# Shaped like a number, so the full search decides: ten or more digits, or six, a separator, four.
SHAPED_LIKE_ONE = {"212000-0613", "121212-1213", "121232-1212", "1912121212121", "+46701234567"}


@pytest.mark.parametrize("text", sorted(set(NOT_NUMBERS) - SHAPED_LIKE_ONE))
def test_ordinary_lines_pass_the_cheap_test(text: str) -> None:
    line = orjson.dumps({"case": "SYN-000001", "occurred": "2019-12-20T10:15", "summary": text})
    assert not may_hold_identity_number(line), text


def _searched_text_by_text(obj: dict) -> list[str]:
    """The fields `identity_number_fields` must name, by searching every text it holds."""

    def texts(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [t for k, v in value.items() for t in (*texts(k), *texts(v))]
        if isinstance(value, list):
            return [t for v in value for t in texts(v)]
        return []

    found = []
    for position, (name, value) in enumerate(obj.items(), start=1):
        if contains_identity_number(name):
            found.append(f"#{position} (its name)")
        elif any(contains_identity_number(t) for t in texts(value)):
            found.append(name)
    return found


_DIGITS_AND_MORE = st.text(
    alphabet=st.sampled_from('0123456789-+ \u2013\u2212\u2011aé"\\\n\x00\ud800'), max_size=16
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _DIGITS_AND_MORE,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(_DIGITS_AND_MORE, inner, max_size=3)
    ),
    max_leaves=8,
)


@given(st.dictionaries(_DIGITS_AND_MORE, _JSON, max_size=4), st.sampled_from([*NUMBERS, ""]))
def test_fields_are_found_as_a_search_of_every_text_finds_them(obj: dict, number: str) -> None:
    # The object is tested as one JSON text first (a quarter of the import's exact path went
    # to searching text by text); the fields named must be those a search of each text names,
    # escapes, lone surrogates and integers too large for JSON included.
    obj = {**obj, "summary": f"x{number}"}
    assert identity_number_fields(obj) == _searched_text_by_text(obj)


def test_fields_are_named_at_any_depth_and_a_name_by_position() -> None:
    obj = {"case": "NK", "changes": {"summary": ["x", TOLVAN]}, "ok": "1234-19", TOLVAN: 1}
    assert identity_number_fields(obj) == ["changes", "#4 (its name)"]


def run(db: Path, *args: str, stdin: str | None = None, user: str = "granskare") -> tuple:
    result = CliRunner().invoke(
        cli, ["--db", str(db), *args], input=stdin, env={"LEDGER_USER": user}
    )
    return result.exit_code, result.output


def entry(**fields: object) -> str:
    base = {
        "case": "NK-PN",
        "type": "ConcernReportReceived",
        "occurred": "2019-12",
        "concern": "oro",
        "reporter_category": "bvc",
    }
    return orjson.dumps({**base, **fields}).decode()


def stored_text(db: Path) -> bytes:
    """Every byte SQLite keeps of the ledger, the access log's rows included."""
    connection = sqlite3.connect(db)
    try:
        return b"\n".join(
            bytes(str(row), "utf-8")
            for table in ("stored_events", "ledger_drafts")
            for row in connection.execute(f"SELECT * FROM {table}")
        )
    except sqlite3.OperationalError:
        return b"".join(
            bytes(str(row), "utf-8") for row in connection.execute("SELECT * FROM stored_events")
        )
    finally:
        connection.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "l.db"
    code, output = run(path, "import", "-", stdin=entry(ref="r1") + "\n")
    assert code == 0, output
    return path


def assert_refused(code: int, output: str, field: str) -> None:
    assert code == 2, output
    lines = output.strip().splitlines()
    assert len(lines) == 1 or lines[-1].lower().startswith("error: 1 problem"), output
    assert f"{field}: holds what looks like a Swedish personal identity number" in output
    assert "1212" not in output and "2391" not in output  # never repeated


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("line", "field"),
    [
        (entry(case=TOLVAN), "field 'case'"),
        (entry(summary=f"Barnet {TOLVAN} flyttade hem"), "field 'summary'"),
        (entry(actor="701063-2391"), "field 'actor'"),
        (entry(concern="oro för 121212-1212"), "field 'concern'"),
        (entry(ref="r2", source="191212121212"), "field 'source'"),
    ],
)
def test_import_refuses_the_number_in_the_case_key_and_every_text_field(
    db: Path, line: str, field: str
) -> None:
    before = stored_text(db)
    code, output = run(db, "import", "-", stdin=line + "\n")
    assert_refused(code, output, f"<stdin>:1: {field}")
    assert stored_text(db) == before


@pytest.mark.usefixtures("english")
def test_the_access_log_never_takes_the_number(db: Path) -> None:
    """The reported attack: `access-log 19121212-1212` wrote the number into the log."""
    before = stored_text(db)
    for args, field in [
        (("access-log", TOLVAN), "CASE"),
        (("timeline", TOLVAN), "CASE"),
        (("show", f"{TOLVAN}#1"), "REF"),
        (("check", TOLVAN), "CASE"),
        (("export", TOLVAN), "[CASE...]"),
        (("--user", "121212-1212", "timeline", "NK-PN"), "--user"),
        (("--purpose", f"utredning av {TOLVAN}", "timeline", "NK-PN"), "--purpose"),
    ]:
        assert_refused(*run(db, *args), field)
    code, output = run(db, "timeline", "NK-PN", user="701063-2391")
    assert_refused(code, output, "user")
    assert stored_text(db) == before
    assert TOLVAN.encode() not in Path(db).read_bytes()


@pytest.mark.usefixtures("english")
def test_record_and_corrections_refuse_it(db: Path) -> None:
    before = stored_text(db)
    refused = [
        (("record", TOLVAN, "ChronologyEntry", "--occurred", "2019-12"), "CASE"),
        (
            ("record", "NK-PN", "ChronologyEntry", "--occurred", "2019-12", "--summary", TOLVAN),
            "--summary",
        ),
        (("correct", "NK-PN@r1", "--set", f"summary=pnr {TOLVAN}", "--reason", "x"), "--set"),
        (("correct", "NK-PN@r1", "--set", "summary=y", "--reason", TOLVAN), "--reason"),
        (("retract", "NK-PN#1", "--reason", f"fel barn, {TOLVAN}"), "--reason"),
    ]
    for args, field in refused:
        assert_refused(*run(db, *args), field)
    code, output = run(
        db,
        "record",
        "NK-PN",
        "ChronologyEntry",
        "--json",
        "-",
        stdin=f'{{"occurred": "2019-12", "summary": "{TOLVAN}"}}',
    )
    assert_refused(code, output, "field 'summary'")
    assert stored_text(db) == before


def test_realistic_texts_that_are_not_numbers_are_recorded(db: Path) -> None:
    summary = "; ".join(NOT_NUMBERS)
    code, output = run(
        db, "record", "NK-PN", "ChronologyEntry", "--occurred", "2019-12-20", "--summary", summary
    )
    assert code == 0, output
    code, output = run(db, "--purpose", "granskning 1234-19", "timeline", "NK-PN")
    assert code == 0, output


@pytest.mark.usefixtures("english")
def test_drafts_refuse_it_by_row_and_column(db: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "kronologi.csv"
    sheet.write_text(
        "Datum;Händelse;Källa\n2019-12-20;Orosanmälan;journal\n"
        f"2019-12-21;Samtal om barnet {TOLVAN};journal\n",
        encoding="utf-8",
    )
    before = stored_text(db)
    code, output = run(db, "draft", "import", str(sheet), "--case", "NK-PN-K")
    assert_refused(code, output, "kronologi.csv, rad 3, kolumn B (Händelse)")
    assert_refused(*run(db, "draft", "import", str(sheet), "--case", TOLVAN), "--case")
    assert stored_text(db) == before

    sheet.write_text("Datum;Händelse\n2019-12-20;Orosanmälan\n", encoding="utf-8")
    code, output = run(db, "draft", "import", str(sheet), "--case", "NK-PN-K")
    assert code == 0, output
    assert_refused(*run(db, "draft", "edit", "1", "--set", f"summary={TOLVAN}"), "--set")
    assert TOLVAN.encode() not in Path(db).read_bytes()


def test_the_subprocess_error_is_one_line(tmp_path: Path) -> None:
    run_ = subprocess.run(
        [*program(), "--db", str(tmp_path / "l.db"), "import", "-"],
        input=entry(case=TOLVAN) + "\n",
        capture_output=True,
        text=True,
        env={**clean_env(), "LEDGER_USER": "t"},
    )
    assert run_.returncode == 2
    assert "Traceback" not in run_.stderr and "1212" not in run_.stderr
    assert not (tmp_path / "l.db").exists()


def test_every_command_checks_its_parameters() -> None:
    """A command added later cannot forget the check: every one is a LedgerCommand."""

    def walk(group: click.Group) -> list[click.Command]:
        found: list[click.Command] = []
        context = click.Context(group)
        for name in group.list_commands(context):
            command = group.get_command(context, name)
            assert command is not None, name
            found.append(command)
            if isinstance(command, click.Group):
                found += walk(command)
        return found

    commands = walk(cli)
    assert len(commands) > 20
    for command in commands:
        assert isinstance(command, LedgerCommand | LedgerGroup), command.name
