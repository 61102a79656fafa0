"""Encryption at rest (DESIGN §6): with LEDGER_CIPHER_KEY nothing personal reaches the disk.

The real program imports the Lilla Hjärtat example into an SQLite file with a key; the raw
bytes of the file (and of any -wal/-shm side files) hold no summary text, case key, agency,
actor label, type name or access-log user; the timeline reads back with the key; case ids are
keyed; reading without the key, or with a wrong one, is a one-line error.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.cryptography import AESCipher

from ledger.access import access_log_id
from ledger.application import CaseLedger
from ledger.case import case_id
from ledger.storage import sqlite_store
from tests.conftest import LILLA_ENTRIES, clean_env, program

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "lilla-hjartat.jsonl"
CASE = "NK-LH"
READER = "granskare-Zeta-7"
PURPOSE = "loggkontroll-Omega-2024"

# The access-log command is registered here until cli/main.py does it itself.
WITH_ACCESS_LOG = (
    "from cli.main import cli, main\n"
    "from cli.access import access_log\n"
    "if access_log.name not in cli.commands:\n"
    "    cli.add_command(access_log)\n"
    "main()\n"
)


def run(
    *args: str, key: str | None, program_args: Sequence[str] | None = None, **extra: str
) -> subprocess.CompletedProcess:
    env = {**clean_env(), "LEDGER_LANG": "en"}  # the assertions are on the English wording
    if key is not None:
        env["LEDGER_CIPHER_KEY"] = key
    env.update(extra)
    return subprocess.run(
        [*(program_args or program()), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=ROOT,
    )


def one_line_error(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert "internal error" not in done.stderr, done.stderr
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    return done.stderr


def secrets_of_the_example() -> set[str]:
    """Every text of the example that must not appear in clear: case key, refs, summaries'
    words, agencies, actors, roles, type names (short words could occur in ciphertext by
    chance, so only strings of six or more bytes are looked for)."""
    found = {CASE, "protection", "Norrköping", "Lilla Hjärtat", READER, PURPOSE}
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        for name in ("ref", "type", "actor", "agency", "role"):
            if isinstance(obj.get(name), str):
                found.add(obj[name])
        if isinstance(obj.get("summary"), str):
            found.add(obj["summary"][:40])
    return {s for s in found if len(s.encode()) >= 6}


@pytest.fixture(scope="module")
def key() -> str:
    return AESCipher.create_key(32)


@pytest.fixture(scope="module")
def encrypted(tmp_path_factory: pytest.TempPathFactory, key: str) -> Path:
    """An SQLite ledger written by the real program with a key: import, then reads that
    write derived data too (the case index, the access log)."""
    db = tmp_path_factory.mktemp("encrypted") / "ledger.db"
    done = run("--db", str(db), "import", str(EXAMPLE), key=key)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(f"imported {LILLA_ENTRIES} entries into 1 case")
    for args in (("cases",), ("timeline", CASE), ("decisions", CASE)):
        done = run("--db", str(db), *args, key=key)
        assert done.returncode == 0, done.stderr
    done = run(
        "--db",
        str(db),
        "access-log",
        CASE,
        key=key,
        program_args=[sys.executable, "-c", WITH_ACCESS_LOG],
        LEDGER_USER=READER,
    )
    assert done.returncode == 0, done.stderr
    # log_read with a purpose, as the reading commands will call it
    from cli.access import log_read
    from cli.context import State

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEDGER_CIPHER_KEY", key)
        state = State(str(db))
        log_read(state, "timeline", CASE, READER, PURPOSE)
        state.ledger().close()
    return db


def raw_bytes(db: Path) -> dict[str, bytes]:
    files = [db, *(db.with_name(db.name + s) for s in ("-wal", "-shm", "-journal"))]
    return {p.name: p.read_bytes() for p in files if p.exists()}


def test_no_personal_text_reaches_the_disk(encrypted: Path) -> None:
    files = raw_bytes(encrypted)
    assert encrypted.name in files
    leaks = [
        (name, text)
        for name, data in files.items()
        for text in sorted(secrets_of_the_example())
        if text.encode() in data
    ]
    assert leaks == []


def test_the_same_import_without_a_key_does_leak(tmp_path: Path) -> None:
    """The scan above can see plaintext: without a key the same words are on the disk."""
    db = tmp_path / "plain.db"
    assert run("--db", str(db), "import", str(EXAMPLE), key=None).returncode == 0
    data = b"".join(raw_bytes(db).values())
    assert CASE.encode() in data and "Norrköping".encode() in data and b"protection" in data


def test_the_timeline_reads_back_with_the_key(encrypted: Path, key: str) -> None:
    done = run("--db", str(encrypted), "timeline", CASE, "--format", "json", key=key)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["case"] == CASE and len(doc["entries"]) == LILLA_ENTRIES
    assert doc["entries"][0]["agency"] == "Socialtjänsten Norrköping"
    log = run(
        "--db",
        str(encrypted),
        "access-log",
        "--format",
        "json",
        key=key,
        program_args=[sys.executable, "-c", WITH_ACCESS_LOG],
        LEDGER_USER=READER,
    )
    assert log.returncode == 0, log.stderr
    users = {(e["user"], e["purpose"]) for e in json.loads(log.stdout)["entries"]}
    assert {(READER, None), (READER, PURPOSE)} <= users


def test_stored_ids_are_keyed_not_the_plain_uuid5(encrypted: Path, key: str) -> None:
    store = sqlite_store(str(encrypted)).with_cipher(key)
    secret = store.id_secret()
    assert secret is not None
    with sqlite3.connect(encrypted) as conn:
        ids = {UUID(row[0]) for row in conn.execute("SELECT originator_id FROM stored_events")}
    assert case_id(CASE) != case_id(CASE, secret)
    assert case_id(CASE, secret) in ids
    assert case_id(CASE) not in ids
    ledger = CaseLedger(store)
    try:
        assert access_log_id(ledger, CASE) in ids  # the access log hides the key too
    finally:
        ledger.close()
    plain = CaseLedger(sqlite_store(":memory:"))
    try:
        assert access_log_id(plain, CASE) not in ids
    finally:
        plain.close()


def _wrong_key() -> str:
    return AESCipher.create_key(32)


READS = [
    pytest.param(("timeline", CASE), id="timeline"),
    pytest.param(("show", f"{CASE}#1"), id="show"),
    pytest.param(("known", CASE, "--at", "2019-12-31"), id="known"),
    pytest.param(("decisions", CASE), id="decisions"),
    pytest.param(("cases",), id="cases"),
]


@pytest.mark.parametrize("key_kind", ["no key", "wrong key"])
@pytest.mark.parametrize("args", READS)
def test_reading_without_the_right_key_is_a_one_line_error(
    encrypted: Path, args: tuple[str, ...], key_kind: str
) -> None:
    key = None if key_kind == "no key" else _wrong_key()
    done = run("--db", str(encrypted), *args, key=key)
    one_line_error(done)
    assert done.stdout == ""


def test_reading_without_the_key_says_the_key_is_wrong(encrypted: Path) -> None:
    for key in (None, _wrong_key()):
        for args in (("timeline", CASE), ("cases",)):
            assert "LEDGER_CIPHER_KEY" in one_line_error(
                run("--db", str(encrypted), *args, key=key)
            )


@pytest.mark.parametrize("key_kind", ["no key", "wrong key"])
def test_writing_without_the_right_key_is_refused(tmp_path: Path, key: str, key_kind: str) -> None:
    db = tmp_path / "ledger.db"
    assert run("--db", str(db), "import", str(EXAMPLE), key=key).returncode == 0
    with sqlite3.connect(db) as conn:
        before = conn.execute("SELECT count(*) FROM stored_events").fetchone()[0]
    other = tmp_path / "other.jsonl"
    other.write_text(
        json.dumps(
            {
                "case": "NK-OTHER",
                "type": "CaseOpened",
                "occurred": "2020",
                "child": "pojke B",
                "municipality": "Testköping",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    done = run(
        "--db", str(db), "import", str(other), key=None if key_kind == "no key" else _wrong_key()
    )
    with sqlite3.connect(db) as conn:
        after = conn.execute("SELECT count(*) FROM stored_events").fetchone()[0]
    assert after == before
    one_line_error(done)
    assert b"NK-OTHER" not in b"".join(raw_bytes(db).values())
