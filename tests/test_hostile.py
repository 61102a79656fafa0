"""Hostile input: the JSONL importer and the time parser under fuzzing.

Every input must end in a clean `ImportFailed` / `TimeParseError` with one-line messages, or in
a correct import, never in another exception and never in a partial write (the number of
stored events is compared before and after). The real program gets some of the same inputs
on stdin: exit 0, or exit 2 with every stderr line starting "error: " and no traceback.

The tests at the end pin what fuzzing found once: nesting deeper than orjson can write back,
line breaks inside JSON keys, megabyte values quoted in messages, control characters reaching
the terminal.
"""

from __future__ import annotations

import itertools
import json
import subprocess
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from ledger.application import CaseLedger
from ledger.importer import MAX_ERRORS, ImportFailed, ImportReport, Source, import_sources
from ledger.storage import sqlite_store
from ledger.timeparse import Moment, TimeParseError, parse_moment, parse_point
from tests.conftest import clean_env, program

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEW = settings(FUZZ, max_examples=40)

_serial = itertools.count()


@pytest.fixture(scope="module")
def ledger() -> Iterator[CaseLedger]:
    """One in-memory ledger for the module; every check is relative to what it held before."""
    app = CaseLedger(sqlite_store(":memory:"))
    yield app
    app.close()


def stored_events(ledger: CaseLedger) -> int:
    return len(ledger.recorder.select_notifications(start=1, limit=10**9))


def one_line(message: str) -> None:
    assert message, "empty message"
    assert len(message.splitlines()) == 1, repr(message[:300])


def attempt(ledger: CaseLedger, lines: Iterable[bytes]) -> ImportReport | None:
    """Import; a failure must be clean and store nothing, a success exactly what it says."""
    before = stored_events(ledger)
    try:
        report = import_sources(ledger, [Source("fuzz.jsonl", list(lines))])
    except ImportFailed as failed:
        assert stored_events(ledger) == before, "a failed import stored something"
        assert failed.errors
        one_line(str(failed))
        for error in failed.errors:
            one_line(str(error))
            assert error.where.startswith("fuzz.jsonl:")
        return None
    assert stored_events(ledger) == before + report.recorded
    return report


def fresh_case() -> str:
    return f"FZ-{next(_serial):06d}"


def valid_lines(case: str) -> list[dict[str, Any]]:
    return [
        {
            "case": case,
            "ref": "open",
            "type": "CaseOpened",
            "occurred": "2019-03-01",
            "child": "flicka A",
            "municipality": "Testköping",
        },
        {
            "case": case,
            "ref": "report-1",
            "type": "ConcernReportReceived",
            "occurred": "2019-12-10",
            "known": "2019-12-12",
            "reporter_category": "bvc",
            "concern": "weight loss",
            "summary": "First report.",
        },
        {
            "case": case,
            "ref": "pa-1",
            "type": "ProtectionAssessmentMade",
            "occurred": "2019-12-12T15:30",
            "report": "@report-1",
            "immediate_protection_needed": False,
            "assessment": True,
            "basis": ["@report-1"],
        },
        {
            "case": case,
            "type": "EntryCorrected",
            "occurred": "2020-01",
            "target": "@pa-1",
            "reason": "date from the journal",
            "changes": {"occurred": "2019-12-13"},
        },
    ]


def encode(obj: Any, ascii_only: bool = True) -> bytes:
    """As a hostile tool might write it: big ints in full, NaN/Infinity, lone surrogates."""
    return json.dumps(obj, ensure_ascii=ascii_only, allow_nan=True).encode("utf-8", "surrogatepass")


# --- strategies -------------------------------------------------------------------------------

FIELD_NAMES = [
    "case",
    "ref",
    "type",
    "occurred",
    "known",
    "actor",
    "role",
    "agency",
    "on_behalf_of",
    "summary",
    "source",
    "assessment",
    "basis",
    "seq",
    "recorded_at",
    "hash",
    "prev_hash",
    "child",
    "municipality",
    "report",
    "immediate_protection_needed",
    "reporter_category",
    "concern",
    "target",
    "changes",
    "reason",
    "text",
]
# Keys are short and free of line breaks: raw keys in messages are a known bug (see the end).
KEYS = st.sampled_from(FIELD_NAMES) | st.text(
    alphabet=st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=12
)
AWKWARD = st.sampled_from(
    [
        10**400,
        -(10**400),
        2**53,
        -(2**63),
        2**64,
        -0,
        -0.0,
        1e308,
        float("inf"),
        float("nan"),
        "",
        " ",
        "\x00",
        "a\x00b",
        "\x1b[2J",
        "\ufeff2019",
        "\ud800",
        "a\udfffb",
        "2019-02-30",
        "~~2019",
        "2019-12-31T24:00",
        "#0",
        "#99999999999",
        "@open",
        "@nope",
        "OTHER-CASE#1",
        "OTHER-CASE@open",
        "#1",
        "\u2028",
        "x" * 20_001,
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | AWKWARD
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)


@st.composite
def mutated_file(draw: st.DrawFn) -> list[bytes]:
    """A valid case file with one line mutated: fields replaced, added or removed."""
    case = fresh_case()
    objs = valid_lines(case)
    index = draw(st.integers(0, len(objs) - 1))
    obj = dict(objs[index])
    for key in draw(st.lists(st.sampled_from(sorted(obj)), max_size=2)):
        obj.pop(key, None)
    obj.update(draw(st.dictionaries(KEYS, VALUES, min_size=1, max_size=3)))
    objs[index] = obj
    ascii_only = draw(st.booleans())
    return [encode(o, ascii_only) for o in objs]


# --- the importer, in-process ------------------------------------------------------------------


@FUZZ
@given(st.lists(st.binary(max_size=300), max_size=6))
@example([b"\xef\xbb\xbf{}"])
@example([b"\x00" * 10])
@example([b"\xff\xfe\xfd"])
@example([b"[" * 10_000 + b"]" * 10_000])
@example([b'{"case":"X-1"}\r\n', b"\r\n", b"   "])
def test_random_bytes(ledger: CaseLedger, lines: list[bytes]) -> None:
    attempt(ledger, lines)


@FUZZ
@given(mutated_file())
def test_mutated_case_files(ledger: CaseLedger, lines: list[bytes]) -> None:
    attempt(ledger, lines)


@FUZZ
@given(st.lists(st.tuples(KEYS, VALUES), max_size=8).map(dict))
def test_arbitrary_objects(ledger: CaseLedger, obj: dict[str, Any]) -> None:
    attempt(ledger, [encode(obj)])


@FEW
@given(st.integers(0, 3), st.sampled_from(range(6)))
def test_one_bad_line_stores_nothing_of_the_good_ones(
    ledger: CaseLedger, position: int, which: int
) -> None:
    case = fresh_case()
    good = [orjson.dumps(o) for o in valid_lines(case)]
    bad = [
        b"[" * 10_000 + b"]" * 10_000,
        b'{"case":"'
        + case.encode()
        + b'","type":"NoteRecorded","occurred":"2019","text":'
        + str(10**400).encode()
        + b"}",
        b'{"case":"' + case.encode() + b'","type":"NoteRecorded","occurred":"2019","text":"\xff"}',
        orjson.dumps(
            {"case": case, "type": "NoteRecorded", "occurred": "2019", "text": "t", "basis": ["#9"]}
        ),
        orjson.dumps(
            {
                "case": case,
                "type": "NoteRecorded",
                "occurred": "2019",
                "text": "t",
                "basis": ["OTHER-CASE#1"],
            }
        ),
        b"\xef\xbb\xbf" + good[0],
    ][which]
    lines = [*good[:position], bad, *good[position:]]
    assert attempt(ledger, lines) is None
    assert not ledger.has_case(case)


def note(rest: bytes, case: bytes = b"H-1") -> bytes:
    """A NoteRecorded line with `rest` (raw JSON members) after its envelope."""
    return b'{"case":"' + case + b'","type":"NoteRecorded","occurred":"2019",' + rest + b"}"


HOSTILE_LINES: dict[str, tuple[bytes, str | None]] = {
    # name: (line, a word the error must contain; None: the line imports)
    "10,000 nested lists": (b"[" * 10_000 + b"]" * 10_000, "not valid JSON"),
    "10**400": (note(b'"text":1' + b"0" * 400), "not valid JSON"),
    "1e400": (note(b'"text":1e400'), "not valid JSON"),
    "-0 as text": (note(b'"text":-0'), "text"),
    "invalid UTF-8": (note(b'"text":"\xc3\x28"'), "UTF-8"),
    "lone surrogate": (note(b'"text":"\\ud800"'), "surrogate"),
    "BOM": (b"\xef\xbb\xbf" + note(b'"text":"t"'), "BOM"),
    "raw NUL": (note(b'"text":"a\x00b"'), "not valid JSON"),
    "raw control character": (note(b'"text":"a\x07b"'), "not valid JSON"),
    "escaped NUL and controls": (note(b'"text":"a\\u0000\\u0007\\u001bb"'), None),
    "NUL in a time": (
        b'{"case":"H-1","type":"NoteRecorded","occurred":"2019\\u0000","text":"t"}',
        "occurred",
    ),
    "reference into another case": (note(b'"text":"t","basis":["H-1#1"]', b"H-2"), "another case"),
    "system field": (note(b'"text":"t","seq":1', b"H-2"), "set by the ledger"),
    "a list of 100,000 references": (
        note(b'"text":"t","basis":' + orjson.dumps(["#1"] * 100_000), b"H-2"),
        "basis",
    ),
    "10 MB summary": (note(b'"text":"t","summary":' + orjson.dumps("x" * 10_000_000)), "longer"),
    "10 MB of spaces": (b" " * 10_000_000, None),
    "a JSON string": (b'"just text"', "expected a JSON object"),
    "null": (b"null", "expected a JSON object"),
}


@pytest.mark.parametrize("name", list(HOSTILE_LINES))
def test_named_hostile_lines(ledger: CaseLedger, name: str) -> None:
    line, needle = HOSTILE_LINES[name]
    before = stored_events(ledger)
    if needle is None:
        report = attempt(ledger, [line])
        assert report is not None
        return
    with pytest.raises(ImportFailed) as failed:
        import_sources(ledger, [Source("fuzz.jsonl", [line])])
    assert stored_events(ledger) == before
    messages = [str(e) for e in failed.value.errors]
    for message in messages:
        one_line(message)
        assert len(message) < 1000, message[:200]
    assert any(needle in m for m in messages), messages


def test_enormous_changes_object_is_rejected_and_stores_nothing(ledger: CaseLedger) -> None:
    case = fresh_case()
    assert attempt(ledger, [orjson.dumps(o) for o in valid_lines(case)[:1]]) is not None
    before = stored_events(ledger)
    changes = {f"field_{n}": n for n in range(100_000)}
    line = orjson.dumps(
        {
            "case": case,
            "type": "EntryCorrected",
            "occurred": "2020",
            "target": "@open",
            "reason": "r",
            "changes": changes,
        }
    )
    with pytest.raises(ImportFailed):
        import_sources(ledger, [Source("big.jsonl", [line])])
    assert stored_events(ledger) == before


def test_a_correct_file_still_imports_after_all_that(ledger: CaseLedger) -> None:
    case = fresh_case()
    report = attempt(ledger, [orjson.dumps(o) for o in valid_lines(case)])
    assert report is not None and report.recorded == 4
    assert len(ledger.history(case)) == 4


@pytest.mark.parametrize("line", [b'{"case": []}', b'{"case": "U-1", "ref": {"a": 1}}'])
def test_unhashable_case_or_ref_in_an_invalid_line(ledger: CaseLedger, line: bytes) -> None:
    attempt(ledger, [line])


def test_errors_are_capped(ledger: CaseLedger) -> None:
    case = fresh_case()
    assert attempt(ledger, [orjson.dumps(valid_lines(case)[0])]) is not None
    # Each line's `changes` stays within the size limit, but every key is a problem.
    lines = [
        orjson.dumps(
            {
                "case": case,
                "type": "EntryCorrected",
                "occurred": "2020",
                "target": "@open",
                "reason": f"r{copy}",
                "changes": {f"field_{n}": n for n in range(900)},
            }
        )
        for copy in range(3)
    ]
    with pytest.raises(ImportFailed) as failed:
        import_sources(ledger, [Source("many.jsonl", lines)])
    assert len(failed.value.errors) <= MAX_ERRORS
    assert failed.value.truncated


# --- the real program ---------------------------------------------------------------------------


def run_import(db: Path, data: bytes) -> subprocess.CompletedProcess:
    env = {**clean_env(), "LEDGER_LANG": "en"}  # the assertions are on the English wording
    return subprocess.run(
        [*program(), "--db", str(db), "import", "-"],
        input=data,
        capture_output=True,
        env=env,
        timeout=120,
    )


def count_in(db: Path) -> int:
    app = CaseLedger(sqlite_store(str(db)))
    try:
        return stored_events(app)
    finally:
        app.close()


@pytest.fixture(scope="module")
def program_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("hostile") / "ledger.db"
    done = run_import(db, b"\n".join(orjson.dumps(o) for o in valid_lines("P-1")) + b"\n")
    assert done.returncode == 0, done.stderr
    return db


def check_program(db: Path, data: bytes) -> subprocess.CompletedProcess:
    before = count_in(db)
    done = run_import(db, data)
    stderr = done.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in done.stderr and "internal error" not in stderr, stderr[:2000]
    if done.returncode == 0:
        assert count_in(db) >= before
        return done
    assert done.returncode == 2, stderr[:2000]
    assert stderr.endswith("\n")
    for line in stderr.splitlines():
        assert line.startswith("error: "), line[:300]
    assert count_in(db) == before, "a failed import stored something"
    return done


PROGRAM_INPUTS = [
    "10,000 nested lists",
    "10**400",
    "invalid UTF-8",
    "lone surrogate",
    "BOM",
    "raw NUL",
    "reference into another case",
    "10 MB summary",
    "escaped NUL and controls",
]


@pytest.mark.parametrize("name", PROGRAM_INPUTS)
def test_program_import_stdin(program_db: Path, name: str) -> None:
    line, needle = HOSTILE_LINES[name]
    done = check_program(program_db, line + b"\n")
    assert done.returncode == (0 if needle is None else 2)
    if needle is not None:
        assert needle in done.stderr.decode("utf-8", "replace")


@settings(FUZZ, max_examples=4)
@given(st.binary(min_size=1, max_size=2000))
def test_program_import_random_bytes(program_db: Path, data: bytes) -> None:
    check_program(program_db, data)


def test_program_unhashable_case(program_db: Path) -> None:
    check_program(program_db, b'{"case": []}\n')


# --- the time parser ----------------------------------------------------------------------------

TIME_FORM = (
    r"~?[0-9]{4}(-[0-9]{2}(-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?)?)?)?"
)
TIMEISH = st.text(alphabet="0123456789-:T ~Z+.,WZ\u0660\uff10", max_size=30)


def parses_cleanly(text: Any) -> Moment | None:
    try:
        moment = parse_moment(text)
    except TimeParseError as error:
        one_line(str(error))
        assert str(error).startswith("not a time: ") or "approximate" in str(error)
        assert len(str(error)) < 400
        return None
    assert moment.start < moment.end
    assert moment.start.utcoffset() is not None and moment.end.utcoffset() is not None
    again = parse_moment(moment.text)
    assert (again.start, again.end, again.precision, again.approximate) == (
        moment.start,
        moment.end,
        moment.precision,
        moment.approximate,
    ), moment.text
    return moment


def point_cleanly(text: Any) -> datetime | None:
    try:
        point = parse_point(text)
    except TimeParseError as error:
        one_line(str(error))
        return None
    assert point.utcoffset() is not None
    return point


@FUZZ
@given(st.text(max_size=60) | TIMEISH | st.from_regex(TIME_FORM, fullmatch=True))
@example("\ud800")
@example("2019\x00")
@example("\ufeff2019")
@example("9" * 1_000_000)
@example("~" * 10_000)
@example("2019-12-31T23:59:60")
@example("1900-01-01T00:00+14:00")
@example("2200-12-31T23:59:59-12:00")
@example("2019-10-27T02:30")
@example("2020-03-29T02:30")
def test_parse_moment_and_point(text: str) -> None:
    moment = parses_cleanly(text)
    point = point_cleanly(text)
    if moment is not None and not moment.approximate:
        assert point == moment.end
    if moment is None:
        assert point is None


@FEW
@given(st.from_regex(TIME_FORM, fullmatch=True))
def test_valid_forms_parse_or_name_the_problem(text: str) -> None:
    assume(text)
    parses_cleanly(text)


@pytest.mark.parametrize(
    "value", [None, 2019, 2019.5, b"2019", ["2019"], {"at": "2019"}, True, 10**400]
)
def test_non_text_is_a_time_parse_error(value: Any) -> None:
    with pytest.raises(TimeParseError):
        parse_moment(value)
    with pytest.raises(TimeParseError):
        parse_point(value)


# --- what fuzzing found once ---------------------------------------------------------------------


def _deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_deep_nesting_in_a_text_field(ledger: CaseLedger) -> None:
    line = (
        b'{"case":"DEEP-1","type":"NoteRecorded","occurred":"2019","text":"t","summary":'
        + _deep(1000)
        + b"}"
    )
    attempt(ledger, [line])


def test_deep_nesting_in_changes(ledger: CaseLedger) -> None:
    case = fresh_case()
    opened = orjson.dumps(valid_lines(case)[0])
    line = (
        b'{"case":"' + case.encode() + b'","type":"EntryCorrected","occurred":"2020",'
        b'"target":"@open","reason":"r","changes":{"summary":' + _deep(300) + b"}}"
    )
    attempt(ledger, [opened, line])


def test_line_breaks_in_keys_stay_on_one_line(ledger: CaseLedger) -> None:
    case = fresh_case()
    lines = [
        orjson.dumps(
            {"case": case, "type": "NoteRecorded", "occurred": "2019", "text": "t", "a\nb": 1}
        ),
        orjson.dumps(valid_lines(case)[0]),
        orjson.dumps(
            {
                "case": case,
                "type": "EntryCorrected",
                "occurred": "2020",
                "target": "@open",
                "reason": "r",
                "changes": {"x\u2028y": 1},
            }
        ),
    ]
    with pytest.raises(ImportFailed) as failed:
        import_sources(ledger, [Source("keys.jsonl", lines)])
    for error in failed.value.errors:
        one_line(str(error))


@pytest.mark.parametrize("field", ["case", "ref", "type", "unknown key", "basis"])
def test_long_values_are_quoted_short(ledger: CaseLedger, field: str) -> None:
    big = "x" * 1_000_000
    obj: dict[str, Any] = {"case": "L-1", "type": "NoteRecorded", "occurred": "2019", "text": "t"}
    if field == "unknown key":
        obj[big] = 1
    elif field == "basis":
        obj["basis"] = [big]
    else:
        obj[field] = big
    with pytest.raises(ImportFailed) as failed:
        import_sources(ledger, [Source("long.jsonl", [orjson.dumps(obj)])])
    assert all(len(str(e)) < 1000 for e in failed.value.errors)


def test_control_characters_do_not_reach_the_terminal(tmp_path: Path) -> None:
    db = tmp_path / "ctl.db"
    line = note(b'"text":"t","summary":"a\\u001b[2Jb\\u0007"', b"CTL-1")
    assert run_import(db, line + b"\n").returncode == 0
    env = clean_env()
    done = subprocess.run(
        [*program(), "--db", str(db), "timeline", "CTL-1"],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert b"\x1b" not in done.stdout and b"\x07" not in done.stdout
