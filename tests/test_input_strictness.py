"""Input that used to be taken in a meaning it may not have had: a key given twice (the last
won), text in another Unicode form (a second copy on re-import, a second lane), references
that go round in a circle, and a local time that names two instants (the autumn repeat hour)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from ledger.application import CaseLedger
from ledger.importer import ImportFailed, Source, import_sources
from ledger.storage import sqlite_store

# The assertions read the English wording (Swedish is tested on its own).
pytestmark = pytest.mark.usefixtures("english")

AGENCY = "Socialtjänsten Norrköping"


def run(tmp_path: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(
        cli, ["--db", str(tmp_path / "l.db"), *args], input=stdin, env={"LEDGER_USER": "t"}
    )


def import_lines(tmp_path: Path, name: str, *lines: str) -> Result:
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return run(tmp_path, "import", str(path))


def stored(tmp_path: Path, key: str) -> list:
    ledger = CaseLedger(sqlite_store(str(tmp_path / "l.db")))
    try:
        return ledger.history(key) if ledger.has_case(key) else []
    finally:
        ledger.close()


def note(**extra: object) -> dict:
    return {"case": "IN-1", "type": "NoteRecorded", "occurred": "2020-01-01", **extra}


# ---- duplicate keys ----


@pytest.mark.parametrize(
    "line",
    [
        '{"case":"IN-1","type":"NoteRecorded","occurred":"2020-01-01","text":"a","text":"b"}',
        '{"case":"IN-1","type":"NoteRecorded","text":"a","occurred":"2020-01-01",'
        '"occurred":"2019-01-01"}',
    ],
    ids=["text", "occurred"],
)
def test_a_key_given_twice_is_an_error_naming_line_and_key(tmp_path: Path, line: str) -> None:
    result = import_lines(tmp_path, "in.jsonl", line)
    assert result.exit_code == 2
    twice = "text" if 'text":"b' in line else "occurred"
    assert f"in.jsonl:1: field '{twice}': given twice in one object" in result.output
    assert stored(tmp_path, "IN-1") == []


def test_a_key_given_twice_in_a_nested_object_or_on_stdin_is_an_error(tmp_path: Path) -> None:
    ok = import_lines(tmp_path, "a.jsonl", orjson.dumps(note(ref="n", text="x")).decode())
    assert ok.exit_code == 0, ok.output
    correction = (
        '{"case":"IN-1","type":"EntryCorrected","occurred":"2020-02-01","target":"@n",'
        '"reason":"r","changes":{"text":"y","text":"z"}}'
    )
    result = import_lines(tmp_path, "b.jsonl", correction)
    assert result.exit_code == 2 and "b.jsonl:1: field 'text': given twice" in result.output
    record = run(
        tmp_path, "record", "IN-1", "NoteRecorded", "--json", "-",
        stdin='{"occurred":"2020-01-02","text":"a","text":"b"}',
    )  # fmt: skip
    assert record.exit_code == 2 and "--json: field 'text': given twice" in record.output
    assert len(stored(tmp_path, "IN-1")) == 1


def test_a_string_holding_quote_colon_is_not_taken_for_a_key(tmp_path: Path) -> None:
    line = orjson.dumps(note(text='he said "stop": twice', summary='a "b": c')).decode()
    assert import_lines(tmp_path, "in.jsonl", line).exit_code == 0


# ---- one Unicode form ----


def test_nfc_and_nfd_text_are_one_text(tmp_path: Path) -> None:
    def line(form: str, ref: str | None) -> str:
        text = unicodedata.normalize(form, "Förälder ringde; barnet mår bättre.")
        extra = {"ref": ref} if ref else {}
        obj = note(agency=unicodedata.normalize(form, AGENCY), text=text, **extra)
        return orjson.dumps(obj).decode()

    first = import_lines(tmp_path, "nfc.jsonl", line("NFC", "n1"), line("NFC", None))
    assert first.exit_code == 0, first.output
    again = import_lines(tmp_path, "nfd.jsonl", line("NFD", "n1"), line("NFD", None))
    assert again.exit_code == 0, again.output  # not a conflict on n1
    assert "0 entries" in again.output and "2 already stored" in again.output
    entries = stored(tmp_path, "IN-1")
    assert len(entries) == 2
    assert {e.agency for e in entries} == {AGENCY}  # one lane
    assert all(unicodedata.is_normalized("NFC", e.fields["text"]) for e in entries)


def test_nfd_input_is_stored_as_nfc_on_the_fast_path_too(tmp_path: Path) -> None:
    lines = [
        orjson.dumps(note(ref=f"n{i}", agency=unicodedata.normalize("NFD", AGENCY), text="x"))
        for i in range(3)
    ]
    ledger = CaseLedger(sqlite_store(str(tmp_path / "l.db")))
    try:
        import_sources(ledger, [Source("in.jsonl", lines)], workers=0)
        assert {e.agency for e in ledger.history("IN-1")} == {AGENCY}
    finally:
        ledger.close()


# ---- reference cycles ----


@pytest.mark.parametrize("field", ["basis", "after"])
def test_references_in_a_circle_are_an_error(tmp_path: Path, field: str) -> None:
    lines = [
        orjson.dumps(note(ref="a", text="a", **{field: ["@c"]})).decode(),
        orjson.dumps(note(ref="b", text="b", **{field: ["@a"]})).decode(),
        orjson.dumps(note(ref="c", text="c", **{field: ["@b"]})).decode(),
    ]
    result = import_lines(tmp_path, "in.jsonl", *lines)
    assert result.exit_code == 2
    assert f"field '{field}': the references form a cycle: @a → @c → @b → @a" in result.output
    assert stored(tmp_path, "IN-1") == []


def test_a_forward_reference_without_a_cycle_still_imports(tmp_path: Path) -> None:
    lines = [
        orjson.dumps(note(ref="a", text="a", basis=["@b"])).decode(),
        orjson.dumps(note(ref="b", text="b")).decode(),
    ]
    assert import_lines(tmp_path, "in.jsonl", *lines).exit_code == 0
    assert stored(tmp_path, "IN-1")[0].basis == [2]


def test_a_cycle_is_found_by_the_library_call_too(tmp_path: Path) -> None:
    lines = [
        orjson.dumps(note(ref="a", text="a", after=["@b"])),
        orjson.dumps(note(ref="b", text="b", after=["@a"])),
    ]
    ledger = CaseLedger(sqlite_store(str(tmp_path / "l.db")))
    try:
        with pytest.raises(ImportFailed) as failed:
            import_sources(ledger, [Source("in.jsonl", lines)], workers=0)
        assert [str(e) for e in failed.value.errors] == [
            "in.jsonl:2: field 'after': the references form a cycle: @a → @b → @a"
        ]
    finally:
        ledger.close()


# ---- daylight saving time ----


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("occurred", "2019-10-27T02:30", "occurs twice in Europe/Stockholm"),
        ("known", "2019-10-27T02:00:15", "occurs twice in Europe/Stockholm"),
        ("occurred", "2019-03-31T02:30", "does not exist in Europe/Stockholm"),
        ("known", "~2020-03-29T02:10", "does not exist in Europe/Stockholm"),
    ],
)
def test_local_times_at_either_dst_edge_are_errors_naming_the_field(
    tmp_path: Path, field: str, value: str, says: str
) -> None:
    obj = note(text="x", occurred="2019-01-01")
    obj[field] = value
    result = import_lines(tmp_path, "in.jsonl", orjson.dumps(obj).decode())
    assert result.exit_code == 2
    assert f"in.jsonl:1: field '{field}': not a time: '{value}'" in result.output
    assert says in result.output
    by_hand = run(tmp_path, "record", "IN-1", "NoteRecorded", f"--{field}", value,
                  *(["--occurred", "2019-01-01"] if field == "known" else []),
                  "--field", "text=x")  # fmt: skip
    assert by_hand.exit_code == 2 and says in by_hand.output


@pytest.mark.parametrize("value", ["2019-10-27T02:30+02:00", "2019-10-27T02:30+01:00"])
def test_the_repeat_hour_with_its_offset_is_taken(tmp_path: Path, value: str) -> None:
    result = import_lines(
        tmp_path, "in.jsonl", orjson.dumps(note(text="x", occurred=value)).decode()
    )
    assert result.exit_code == 0, result.output
    assert stored(tmp_path, "IN-1")[0].occurred == value
