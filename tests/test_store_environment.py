"""What the machine does to the ledger: many processes opening a fresh PostgreSQL ledger at
once, a ledger on a read-only mount, a full disk; and the reads that `record`, `correct` and
`retract` make, logged before anything about the case is said."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from ledger.access import access_entries
from ledger.application import CaseLedger
from ledger.storage import postgres_store, sqlite_store
from tests.conftest import POSTGRES_URL, clean_env, postgres_connection, program

ROOT = Path(__file__).resolve().parents[1]
LILLA = ROOT / "examples" / "lilla-hjartat.jsonl"


def ledger_program(db: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*program(), "--db", str(db), *args],
        capture_output=True,
        text=True,
        # The assertions read the English wording (Swedish is tested on its own).
        env={**clean_env(), "LEDGER_USER": "granskare A", "LEDGER_LANG": "en"},
    )


# ---- concurrent first opens on PostgreSQL ----


def _open(url: str) -> str:
    try:
        ledger = CaseLedger(postgres_store(url))
    except Exception as error:  # reported to the test
        return f"{type(error).__name__}: {error}"
    ledger.close()
    return ""


@pytest.fixture
def fresh_schemas() -> Iterator[list[str]]:
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need LEDGER_TEST_DATABASE_URL=postgresql://user@host/db")
    names = [f"ledger_test_open_{uuid.uuid4().hex[:10]}" for _ in range(4)]
    yield names
    with postgres_connection(postgres_store(POSTGRES_URL)) as conn:
        for name in names:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def test_processes_opening_a_fresh_postgres_ledger_at_once_all_succeed(
    fresh_schemas: list[str],
) -> None:
    failures: list[str] = []
    with ProcessPoolExecutor(8, mp_context=get_context("fork")) as pool:
        for schema in fresh_schemas:  # a new schema each round: every open is a first one
            with postgres_connection(postgres_store(POSTGRES_URL)) as conn:  # type: ignore[arg-type]
                conn.execute(f'CREATE SCHEMA "{schema}"')
            url = f"{POSTGRES_URL}?schema={schema}"
            failures += [f for f in pool.map(_open, [url] * 8) if f]
    assert failures == []


# ---- a read-only store ----


def _read_only(directory: Path) -> bool:
    """Make `directory` read-only for this process; False where that cannot be done."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        for file in directory.iterdir():
            file.chmod(0o444)
        return True
    # root writes through file modes: remount a tmpfs read-only instead, when allowed
    remount = subprocess.run(["mount", "-o", "remount,ro", str(directory)], capture_output=True)
    return remount.returncode == 0


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "store"
    directory.mkdir()
    if os.geteuid() == 0:
        made = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(directory)],
            capture_output=True,
        )
        if made.returncode != 0:
            pytest.skip("running as root without permission to mount a tmpfs")
    try:
        yield directory
    finally:
        if os.geteuid() == 0:  # lazily: detached at once, freed when the last file closes
            subprocess.run(["umount", "-l", str(directory)], capture_output=True)
        else:
            directory.chmod(0o755)


def test_verify_works_on_a_read_only_store_and_reads_say_why_they_cannot_log(
    mounted: Path,
) -> None:
    db = mounted / "ledger.db"
    assert ledger_program(db, "import", "-q", str(LILLA)).returncode == 0
    assert ledger_program(db, "timeline", "NK-LH").returncode == 0  # an access record too
    assert _read_only(mounted)
    probe = sqlite3.connect(db)
    try:
        with pytest.raises(sqlite3.OperationalError):  # really read-only
            probe.execute("CREATE TABLE t (x)")
    finally:
        probe.close()
    verified = ledger_program(db, "verify")
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("intact: 45 entries in 1 case")
    shown = ledger_program(db, "timeline", "NK-LH")
    assert shown.returncode != 0 and shown.stdout == ""
    assert shown.stderr.count("\n") == 1
    assert "cannot write the access log (the ledger cannot be written here" in shown.stderr
    assert "internal error" not in shown.stderr


# ---- a full disk ----


def test_a_full_disk_is_one_clear_line_and_nothing_is_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The disk fills while the import stores its rows (SQLite's own error, injected)."""
    from cli import main as cli_main
    from ledger import importer

    def full(self, rows):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(importer._Transaction, "add", full)
    monkeypatch.setenv("LEDGER_USER", "t")
    monkeypatch.setenv("LEDGER_LANG", "en")  # the assertion is on the English wording
    monkeypatch.delenv("LEDGER_DEBUG", raising=False)
    db = tmp_path / "l.db"
    monkeypatch.setattr(sys, "argv", ["ledger", "--db", str(db), "import", str(LILLA)])
    with pytest.raises(SystemExit) as exited:
        cli_main.main()
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err == (
        "error: the disk holding the ledger is full; nothing was written "
        "(free space and try again)\n"
    )
    ledger = CaseLedger(sqlite_store(str(db)))
    try:
        assert not ledger.has_case("NK-LH")
    finally:
        ledger.close()


def test_a_full_tmpfs_is_one_clear_line(mounted: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs a small tmpfs (root)")
    subprocess.run(["mount", "-o", "remount,size=64k", str(mounted)], check=True)
    result = ledger_program(mounted / "l.db", "import", str(LILLA))
    assert result.returncode == 2
    assert result.stderr == (
        "error: the disk holding the ledger is full; nothing was written "
        "(free space and try again)\n"
    )


# ---- reads made by writing commands ----


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "--user", "granskare B", *args])


def reads(db: Path, case: str) -> list[tuple[str, str]]:
    ledger = CaseLedger(sqlite_store(str(db)))
    try:
        return [(r.user, r.command) for r in access_entries(ledger, case)]
    finally:
        ledger.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "l.db"
    assert run(path, "import", "-q", str(LILLA)).exit_code == 0
    return path


@pytest.mark.parametrize(
    "args",
    [
        ("correct", "NK-LH@no-such-entry", "--set", "summary=x", "--reason", "r"),
        ("correct", "NK-LH@pa-1", "--set", "no_such_field=x", "--reason", "r"),
        ("retract", "NK-LH#999", "--reason", "r"),
    ],
    ids=["correct-missing", "correct-bad-field", "retract-missing"],
)
def test_a_correction_that_is_refused_logged_its_read_first(db: Path, args: tuple) -> None:
    result = run(db, *args)
    assert result.exit_code == 2
    assert reads(db, "NK-LH") == [("granskare B", args[0])]


@pytest.mark.usefixtures("english")
def test_a_record_refused_for_what_the_case_holds_logged_its_read_first(db: Path) -> None:
    result = run(
        db, "record", "NK-LH", "NoteRecorded", "--occurred", "2020-01-08",
        "--ref", "pa-1", "--field", "text=Another note under a label in use.",
    )  # fmt: skip
    assert result.exit_code == 2 and "already stored as #" in result.output
    assert reads(db, "NK-LH") == [("granskare B", "record")]


@pytest.mark.usefixtures("english")
def test_an_import_refused_for_what_the_case_holds_logged_its_read_first(
    db: Path, tmp_path: Path
) -> None:
    line = {
        "case": "NK-LH", "type": "NoteRecorded", "ref": "pa-1", "occurred": "2020-01-08",
        "actor": "socialsekreterare 1", "role": "socialsekreterare",
        "agency": "Socialtjänsten Norrköping", "summary": "Another note under a label in use.",
        "source": "journal", "text": "Another note under a label in use.",
    }  # fmt: skip
    again = tmp_path / "again.jsonl"
    again.write_text(json.dumps(line) + "\n")
    result = run(db, "import", str(again))
    assert result.exit_code == 2 and "already stored as #" in result.output
    assert reads(db, "NK-LH") == [("granskare B", "import")]


def test_an_import_refused_for_itself_reads_nothing(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"case": "NK-LH", "type": "NoteRecorded", "occurred": "not a date"}\n')
    assert run(db, "import", str(bad)).exit_code == 2
    assert reads(db, "NK-LH") == []


def test_a_record_into_a_new_case_reads_nothing(db: Path) -> None:
    result = run(
        db, "record", "NEW-1", "NoteRecorded", "--occurred", "2020-01-08", "--field", "text=x"
    )
    assert result.exit_code == 0, result.output
    assert reads(db, "NEW-1") == []
