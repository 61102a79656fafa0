"""The access log ("loggkontroll"): who read which case, when, with which command and why.

Records are appended per case (and to one log for all-case commands), hash-chained like case
entries, listed per case or for all, filtered by --since; every read appends exactly one; the
user comes from --user, else LEDGER_USER, else the operating-system user.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from eventsourcing.persistence import IntegrityError, OperationalError

import ledger.access as access_module
from cli.access import access_log, log_read
from cli.context import State
from cli.main import cli
from ledger.access import (
    ACCESS_TOPIC,
    ALL_CASES_LOG,
    AccessLog,
    AccessRecorded,
    InvalidAccess,
    UnknownUser,
    access_entries,
    access_log_id,
    chain_problems,
    current_user,
    record_access,
)
from ledger.application import CaseLedger
from ledger.case import case_id
from ledger.chain import GENESIS, entry_hash
from ledger.importer import Source, import_sources
from ledger.storage import sqlite_store
from tests.conftest import LILLA_ENTRIES, clean_env

# cli/main.py registers this with one line; until then (and harmlessly after) do it here.
if access_log.name not in cli.commands:
    cli.add_command(access_log)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "lilla-hjartat.jsonl"
CASE = "NK-LH"


pytestmark = pytest.mark.usefixtures("isolated")


def import_example(ledger: CaseLedger) -> None:
    with EXAMPLE.open("rb") as lines:
        import_sources(ledger, [Source(EXAMPLE.name, lines)])


def verify(records: list[AccessRecorded]) -> None:
    """Recompute every hash and link of one log, independently of `chain_problems`."""
    prev = GENESIS
    for seq, record in enumerate(records, start=1):
        assert record.originator_version == seq
        assert record.prev_hash == prev
        payload = {
            "user": record.user,
            "command": record.command,
            "case": record.case,
            "purpose": record.purpose,
            "prev_hash": record.prev_hash,
            "seq": seq,
            "recorded_at": record.timestamp.isoformat(),
        }
        assert entry_hash(payload) == record.hash
        prev = record.hash
    assert chain_problems(records) == []


# --- the write side, on every store ------------------------------------------------------


def test_record_and_list_per_case_and_for_all(ledger: CaseLedger) -> None:
    record_access(ledger, user="anna", command="timeline", case=CASE, purpose="lex Sarah")
    record_access(ledger, user="bo", command="known", case="AS-2020", purpose=None)
    record_access(ledger, user="anna", command="decisions", case=CASE, purpose=None)
    record_access(ledger, user="cia", command="cases", case=None, purpose="loggkontroll")

    mine = access_entries(ledger, CASE)
    assert [(r.seq, r.user, r.command, r.purpose) for r in mine] == [
        (1, "anna", "timeline", "lex Sarah"),
        (2, "anna", "decisions", None),
    ]
    assert all(r.case == CASE for r in mine)
    assert [r.user for r in access_entries(ledger, "AS-2020")] == ["bo"]
    assert access_entries(ledger, "NOBODY-READ-THIS") == []

    everything = access_entries(ledger)
    assert [(r.user, r.command, r.case) for r in everything] == [
        ("anna", "timeline", CASE),
        ("bo", "known", "AS-2020"),
        ("anna", "decisions", CASE),
        ("cia", "cases", None),
    ]
    assert all(isinstance(r, AccessRecorded) for r in everything)
    verify(access_entries(ledger, CASE))
    verify(access_entries(ledger, "AS-2020"))
    verify([everything[-1]])  # the all-cases log


def test_listing_all_pages_through_the_notification_log(
    ledger: CaseLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(access_module, "PAGE", 3)
    for n in range(7):
        record_access(ledger, user=f"u{n}", command="show", case=f"C-{n % 2}", purpose=None)
    assert [r.user for r in access_entries(ledger)] == [f"u{n}" for n in range(7)]


def test_access_records_do_not_mix_with_case_entries(ledger: CaseLedger) -> None:
    import_example(ledger)
    before = len(ledger.history(CASE))
    record_access(ledger, user="anna", command="timeline", case=CASE, purpose=None)
    assert len(ledger.history(CASE)) == before
    assert access_log_id(ledger, CASE) != ledger.case_id(CASE)
    topics = {n.topic for n in ledger.recorder.select_notifications(start=1, limit=1000, topics=[])}
    assert topics == {"ledger:EntryRecorded", ACCESS_TOPIC}


def test_all_entries_yields_only_case_entries(ledger: CaseLedger) -> None:
    import_example(ledger)
    record_access(ledger, user="anna", command="timeline", case=CASE, purpose=None)
    entries = list(ledger.all_entries())
    assert len(entries) == len(ledger.history(CASE))
    assert {type(e).__name__ for e in entries} == {"EntryRecorded"}


def test_a_ledger_whose_first_event_is_an_access_record_opens_in_a_new_process(
    tmp_path: Path,
) -> None:
    db = tmp_path / "first.db"
    app = CaseLedger(sqlite_store(str(db)))
    record_access(app, user="anna", command="cases", case=None, purpose=None)
    app.close()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from ledger.application import CaseLedger\n"
            "from ledger.storage import sqlite_store\n"
            "CaseLedger(sqlite_store(sys.argv[1])).close()\n",
            str(db),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-500:]


def test_since_filters_by_recorded_time(ledger: CaseLedger) -> None:
    for user in ("a", "b", "c"):
        record_access(ledger, user=user, command="timeline", case=CASE, purpose=None)
    second = access_entries(ledger, CASE)[1]
    assert [r.user for r in access_entries(ledger, CASE, since=second.timestamp)] == ["b", "c"]
    assert [r.user for r in access_entries(ledger, None, since=second.timestamp)] == ["b", "c"]
    later = second.timestamp + timedelta(days=1)
    assert access_entries(ledger, CASE, since=later) == []


def test_chain_verifies_and_names_a_tampered_record(ledger: CaseLedger) -> None:
    for n in range(4):
        record_access(ledger, user=f"u{n}", command="show", case=CASE, purpose=f"p{n}")
    records = access_entries(ledger, CASE)
    verify(records)
    # The log replays through the library's repository like any aggregate.
    log = ledger.repository.get(access_log_id(ledger, CASE))
    assert isinstance(log, AccessLog)
    assert (log.version, log.last_hash) == (4, records[-1].hash)

    altered = list(records)
    object.__setattr__(altered[2], "user", "someone else")
    assert chain_problems(altered) == ["access record #3: its content does not match its hash"]
    removed = records[:1] + records[2:]
    assert chain_problems(removed)[0] == "access record #3: expected #2 (a record is missing)"


def test_log_ids_derive_from_case_ids_and_hide_keys_with_a_secret(ledger: CaseLedger) -> None:
    assert access_log_id(ledger, CASE) == access_log_id(ledger, CASE)
    assert access_log_id(ledger, CASE) != access_log_id(ledger, "AS-2020")
    assert access_log_id(ledger, None) == ALL_CASES_LOG
    if ledger.id_secret is None:
        assert ledger.case_id(CASE) == case_id(CASE)


def test_log_ids_are_keyed_when_the_store_is(tmp_path: Path) -> None:
    from eventsourcing.cryptography import AESCipher

    plain = CaseLedger(sqlite_store(str(tmp_path / "a.db")))
    keyed = CaseLedger(sqlite_store(str(tmp_path / "b.db")).with_cipher(AESCipher.create_key(32)))
    try:
        assert access_log_id(plain, CASE) != access_log_id(keyed, CASE)
        record_access(keyed, user="anna", command="timeline", case=CASE, purpose="review")
        assert [r.user for r in access_entries(keyed, CASE)] == ["anna"]
    finally:
        plain.close()
        keyed.close()


def test_concurrent_writer_is_retried_not_lost(
    ledger: CaseLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer that read the log's tail just before another reader appended retries after it."""
    record_access(ledger, user="a", command="timeline", case=CASE, purpose=None)
    stale = access_module._tail(ledger, access_log_id(ledger, CASE), CASE)
    record_access(ledger, user="b", command="timeline", case=CASE, purpose=None)
    real_tail = access_module._tail
    calls = []

    def tail_once_stale(ledger: CaseLedger, log_id: Any, case: str | None) -> AccessLog:
        calls.append(log_id)
        return stale if len(calls) == 1 else real_tail(ledger, log_id, case)

    monkeypatch.setattr(access_module, "_tail", tail_once_stale)
    record_access(ledger, user="c", command="timeline", case=CASE, purpose=None)
    assert len(calls) == 2
    records = access_entries(ledger, CASE)
    assert [r.user for r in records] == ["a", "b", "c"]
    verify(records)


def test_a_log_that_keeps_changing_gives_up_with_integrity_error(
    ledger: CaseLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_access(ledger, user="a", command="timeline", case=CASE, purpose=None)

    def always_stale(ledger: CaseLedger, log_id: Any, case: str | None) -> AccessLog:
        return AccessLog.shell(log_id, case, AccessRecorded.create_timestamp())

    monkeypatch.setattr(access_module, "_tail", always_stale)
    monkeypatch.setattr(access_module, "BACKOFF", 0.0)
    monkeypatch.setattr(access_module, "WRITE_DEADLINE", 0.2)
    with pytest.raises(IntegrityError, match="kept changing"):
        record_access(ledger, user="b", command="timeline", case=CASE, purpose=None)
    assert [r.user for r in access_entries(ledger, CASE)] == ["a"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"user": ""}, "user: expected non-empty text"),
        ({"user": "   "}, "user: expected non-empty text"),
        ({"user": "anna\nroot"}, "user: control characters"),
        ({"user": "x" * 201}, "user: longer than 200"),
        ({"user": "bad\udcff"}, "user: not valid text"),
        ({"command": ""}, "command: expected non-empty text"),
        ({"purpose": "why\x00"}, "purpose: control characters"),
        ({"purpose": "p" * 1001}, "purpose: longer than 1000"),
        ({"case": "not a key!"}, "case: 'not a key!' is not a case key"),
    ],
)
def test_unusable_records_are_refused_and_nothing_is_written(
    ledger: CaseLedger, fields: dict[str, Any], message: str
) -> None:
    args: dict[str, Any] = {"user": "anna", "command": "timeline", "case": CASE, "purpose": None}
    args.update(fields)
    with pytest.raises(InvalidAccess, match=message):
        record_access(ledger, **args)
    assert access_entries(ledger) == []


def test_blank_purpose_is_no_purpose(ledger: CaseLedger) -> None:
    record_access(ledger, user=" anna ", command="timeline", case=CASE, purpose="  ")
    (record,) = access_entries(ledger, CASE)
    assert (record.user, record.purpose) == ("anna", None)


# --- who is reading ------------------------------------------------------------------------


def test_current_user_prefers_explicit_then_environment_then_os(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(access_module.getpass, "getuser", lambda: "osuser")
    assert current_user(None) == "osuser"
    monkeypatch.setenv("LEDGER_USER", "envuser")
    assert current_user(None) == "envuser"
    assert current_user("flaguser") == "flaguser"
    assert current_user("  ") == "envuser"  # an empty --user does not hide the others
    monkeypatch.setenv("LEDGER_USER", "")
    assert current_user(None) == "osuser"


def test_current_user_without_any_source_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_user() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr(access_module.getpass, "getuser", no_user)
    with pytest.raises(UnknownUser, match="give --user NAME or set LEDGER_USER"):
        current_user(None)
    assert current_user("anna") == "anna"


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "l.db"
    ledger = CaseLedger(sqlite_store(str(path)))
    import_example(ledger)
    ledger.close()
    return path


def invoke(db: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args], env=env, catch_exceptions=False)


def records_in(db: Path, case: str | None = None) -> list[AccessRecorded]:
    ledger = CaseLedger(sqlite_store(str(db)))
    try:
        return access_entries(ledger, case)
    finally:
        ledger.close()


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def state_for(db: Path) -> State:
    return State(str(db))


@pytest.mark.parametrize(
    ("command", "case"),
    [
        ("timeline", CASE),
        ("known", CASE),
        ("decisions", CASE),
        ("gaps", CASE),
        ("show", CASE),
        ("check", CASE),
        ("check", None),
        ("cases", None),
    ],
)
def test_log_read_appends_exactly_one_record(db: Path, command: str, case: str | None) -> None:
    state = state_for(db)
    log_read(state, command, case, "anna", "lex Sarah 2020:3")
    state.ledger().close()
    (record,) = records_in(db)
    assert (record.user, record.command, record.case, record.purpose) == (
        "anna",
        command,
        case,
        "lex Sarah 2020:3",
    )
    assert (record.seq, record.prev_hash) == (1, GENESIS)


def test_log_read_takes_the_user_from_the_environment_then_the_os(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(access_module.getpass, "getuser", lambda: "osuser")
    log_read(state_for(db), "timeline", CASE, None, None)
    monkeypatch.setenv("LEDGER_USER", "envuser")
    log_read(state_for(db), "timeline", CASE, None, None)
    log_read(state_for(db), "timeline", CASE, "flaguser", None)
    assert [r.user for r in records_in(db, CASE)] == ["osuser", "envuser", "flaguser"]


def test_log_read_refuses_bad_input_with_a_user_error(db: Path) -> None:
    with pytest.raises(click.ClickException) as raised:
        log_read(state_for(db), "timeline", CASE, "anna\x1b[2J", None)
    assert raised.value.exit_code == 2
    assert "control characters" in raised.value.format_message()
    assert records_in(db) == []


@pytest.mark.usefixtures("isolated", "english")  # the assertions are on the English wording
def test_log_read_that_cannot_write_stops_the_read(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(ledger: CaseLedger, **_: Any) -> None:
        raise OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(access_module, "record_access", read_only)
    with pytest.raises(click.ClickException) as raised:
        log_read(state_for(db), "timeline", CASE, "anna", None)
    assert raised.value.exit_code == 1
    assert "cannot write the access log" in raised.value.format_message()
    assert "nothing was shown" in raised.value.format_message()


def test_access_log_lists_per_case_and_for_all(db: Path) -> None:
    log_read(state_for(db), "timeline", CASE, "anna", "lex Sarah")
    log_read(state_for(db), "cases", None, "bo", None)
    log_read(state_for(db), "known", "AS-2020", "cia", None)

    doc = json.loads(ok(invoke(db, "access-log", CASE, "--format", "json")).stdout)
    assert set(doc) >= {"schema_version", "case", "generated_at", "entries"}
    assert doc["case"] == CASE
    # The case's own reads, and the read of all cases (`cases` showed NK-LH too).
    assert [(e["user"], e["command"], e["purpose"]) for e in doc["entries"]] == [
        ("anna", "timeline", "lex Sarah"),
        ("bo", "cases", None),
    ]
    item = doc["entries"][0]
    assert set(item) == {
        "seq",
        "case",
        "recorded_at",
        "user",
        "command",
        "purpose",
        "prev_hash",
        "hash",
    }
    assert item["prev_hash"] == GENESIS and item["seq"] == 1

    everything = json.loads(ok(invoke(db, "access-log", "--format", "json")).stdout)
    assert everything["case"] is None
    # The first listing was itself a read of NK-LH, recorded after it was taken.
    assert [(e["user"], e["command"], e["case"]) for e in everything["entries"]][:4] == [
        ("anna", "timeline", CASE),
        ("bo", "cases", None),
        ("cia", "known", "AS-2020"),
        (current_user(None), "access-log", CASE),
    ]


def test_each_access_log_read_appends_exactly_one_record(db: Path) -> None:
    for n in range(3):
        ok(invoke(db, "access-log", CASE, env={"LEDGER_USER": f"u{n}"}))
        assert len(records_in(db, CASE)) == n + 1
    assert [r.user for r in records_in(db, CASE)] == ["u0", "u1", "u2"]
    verify(records_in(db, CASE))


def test_access_log_formats_and_output_file(db: Path, tmp_path: Path) -> None:
    log_read(state_for(db), "timeline", CASE, "anna", "lex Sarah")
    log_read(state_for(db), "check", None, "bo", None)

    table = ok(invoke(db, "access-log")).stdout  # Swedish, the default
    lines = table.splitlines()
    assert lines[0].split() == ["registrerad", "ärende", "användare", "kommando", "syfte"]
    assert "anna" in lines[1] and "lex Sarah" in lines[1] and CASE in lines[1]
    assert "(alla ärenden)" in lines[2] and "bo" in lines[2]
    english = ok(invoke(db, "--lang", "en", "access-log")).stdout.splitlines()
    assert english[0].split() == ["recorded", "case", "user", "command", "purpose"]
    assert "(all cases)" in english[2]

    ndjson = ok(invoke(db, "access-log", "--format", "ndjson")).stdout
    items = [json.loads(line) for line in ndjson.splitlines()]
    assert [(i["case"], i["user"]) for i in items][:2] == [(CASE, "anna"), (None, "bo")]

    rows = list(csv.DictReader(io.StringIO(ok(invoke(db, "access-log", "--format", "csv")).stdout)))
    assert rows[0]["user"] == "anna" and rows[1]["case"] == ""

    out = tmp_path / "log.json"
    assert ok(invoke(db, "access-log", CASE, "--format", "json", "-o", str(out))).stdout == ""
    assert json.loads(out.read_text())["entries"][0]["user"] == "anna"


def test_access_log_since(db: Path) -> None:
    log_read(state_for(db), "timeline", CASE, "anna", None)
    past = json.loads(
        ok(invoke(db, "access-log", CASE, "--since", "2000", "--format", "json")).stdout
    )
    assert [e["user"] for e in past["entries"]] == ["anna"]
    future = ok(invoke(db, "access-log", CASE, "--since", "2199-12-31", "--format", "json"))
    assert json.loads(future.stdout)["entries"] == []


@pytest.mark.usefixtures("isolated", "english")  # the assertions are on the English wording
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--since", "yesterday"), "--since: not a time: 'yesterday'"),
        (("--since", "~2020"), "--since: a point in time cannot be approximate"),
        (("not a key",), "is not a case key"),
    ],
)
def test_access_log_bad_input_is_one_line_and_logs_nothing(
    db: Path, args: tuple[str, ...], needle: str
) -> None:
    result = invoke(db, "access-log", *args)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1 and needle in result.stderr, result.stderr
    assert records_in(db) == []


def test_access_log_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["access-log", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout and "ledger access-log NK-LH" in result.stdout


def test_access_log_leaves_the_case_index_alone(db: Path) -> None:
    log_read(state_for(db), "cases", None, "anna", None)
    doc = json.loads(ok(invoke(db, "cases", "--format", "json")).stdout)
    assert [(c["case"], c["entries"]) for c in doc["cases"]] == [(CASE, LILLA_ENTRIES)]


def test_program_access_log_errors_are_one_line(db: Path) -> None:
    """The real program (main()): one line `error: ...`, exit 2, no traceback."""
    script = (
        "from cli.main import cli, main\n"
        "from cli.access import access_log\n"
        "if access_log.name not in cli.commands:\n"
        "    cli.add_command(access_log)\n"
        "main()\n"
    )
    env = {**clean_env(), "LEDGER_LANG": "en"}  # the assertions are on the English wording
    env["LEDGER_USER"] = "anna\tbad"
    done = subprocess.run(
        [sys.executable, "-c", script, "--db", str(db), "access-log", CASE],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    assert "control characters" in done.stderr
    env["LEDGER_USER"] = "anna"
    done = subprocess.run(
        [sys.executable, "-c", script, "--db", str(db), "access-log", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["entries"] == []
    assert [(r.user, r.command) for r in records_in(db)] == [("anna", "access-log")]


# --- the reading commands, once cli/main.py calls log_read ----------------------------------

READS = [
    (("timeline", CASE), "timeline", CASE),
    (("known", CASE, "--at", "2019-12-31"), "known", CASE),
    (("decisions", CASE), "decisions", CASE),
    (("gaps", CASE), "gaps", CASE),
    (("show", f"{CASE}#1"), "show", CASE),
    (("check", CASE), "check", CASE),
    (("check", "--all"), "check", None),
    (("cases",), "cases", None),
]


@pytest.mark.parametrize(("args", "command", "case"), READS, ids=[r[1] for r in READS])
def test_every_reading_command_appends_exactly_one_record(
    db: Path, args: tuple[str, ...], command: str, case: str | None
) -> None:
    from cli.check import check, rules

    for extra in (check, rules):
        if extra.name not in cli.commands:
            cli.add_command(extra)
    ok(invoke(db, "--user", "anna", "--purpose", "lex Sarah 2020:3", *args))
    (record,) = records_in(db)
    assert (record.user, record.command, record.case, record.purpose) == (
        "anna",
        command,
        case,
        "lex Sarah 2020:3",
    )
    ok(invoke(db, *args, env={"LEDGER_USER": "bo"}))
    assert [r.user for r in records_in(db)] == ["anna", "bo"]


def test_verify_finds_a_deleted_access_record(tmp_path: Path) -> None:
    import sqlite3

    from ledger.integrity import verify_ledger

    db = tmp_path / "audit.db"
    app = CaseLedger(sqlite_store(str(db)))
    import_example(app)
    for user in ("anna", "bo", "cecilia"):
        record_access(app, user=user, command="timeline", case=CASE, purpose=None)
    assert verify_ledger(app, [], None).intact
    app.close()
    with sqlite3.connect(db) as conn:
        conn.execute(
            "DELETE FROM stored_events WHERE topic = ? AND originator_version = 2", (ACCESS_TOPIC,)
        )
    report = verify_ledger(CaseLedger(sqlite_store(str(db))), [], None)
    assert not report.intact
    assert any("access log" in str(p) and CASE in str(p) for p in report.problems)


def test_a_cases_access_log_lists_the_reads_of_all_cases_too(db: Path) -> None:
    """A loggkontroll of one child's file: `cases` and `check --all` showed it as well."""
    env = {"LEDGER_USER": "granskare C", "LEDGER_LANG": "en"}
    assert invoke(db, "timeline", "NK-LH", env=env).exit_code == 0
    assert invoke(db, "cases", env=env).exit_code == 0
    assert invoke(db, "check", "--all", env=env).exit_code in (0, 1)
    listed = invoke(db, "access-log", "NK-LH", "--format", "json", env=env)
    entries = json.loads(listed.output)["entries"]
    assert [(e["case"], e["command"]) for e in entries] == [
        ("NK-LH", "timeline"),
        (None, "cases"),
        (None, "check"),
    ]
    table = invoke(db, "access-log", "NK-LH", env=env).output
    assert "(all cases)" in table
    # Another case's own reads stay out of it.
    log_read(state_for(db), "known", "AS-2020", "cia", None)
    again = json.loads(invoke(db, "access-log", "NK-LH", "--format", "json", env=env).output)
    assert "AS-2020" not in {e["case"] for e in again["entries"]}
