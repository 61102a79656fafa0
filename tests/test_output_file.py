"""`-o FILE` never destroys the ledger, never leaves a partial file, and keeps case data private.

The attacks: `ledger timeline NK-LH -o ledger.db` overwrote the database (exit 0); the same
aimed at SQLite's side files or the checkpoints log; `-o DIR` failed as an "internal error"
and left `DIR.partial` holding case data. Files written with `-o` were world-readable.
"""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, POSTGRES_URL, ROOT, clean_env, program


def ledger(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*program(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        # The assertions are on the English wording.
        env={**clean_env(), "LEDGER_USER": "t", "LEDGER_LANG": "en", **(env or {})},
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    done = ledger(tmp_path, "--db", "ledger.db", "import", "-q", str(EXAMPLES / "astorp.jsonl"))
    assert done.returncode == 0, done.stderr
    assert ledger(tmp_path, "--db", "ledger.db", "timeline", "AS-2020").returncode == 0
    return tmp_path / "ledger.db"


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def assert_refused(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    assert "internal error" not in done.stderr
    for word in words:
        assert word in done.stderr


@pytest.mark.parametrize(
    "target",
    [
        "ledger.db",
        "./ledger.db",
        "ledger.db-wal",
        "ledger.db-shm",
        "ledger.db-journal",
        "ledger.db.checkpoints",
    ],
)
@pytest.mark.parametrize("command", [["timeline", "AS-2020"], ["verify"], ["cases"]])
def test_o_refuses_the_ledgers_own_files(db: Path, target: str, command: list[str]) -> None:
    before = snapshot(db.parent)
    done = ledger(db.parent, "--db", "ledger.db", *command, "-o", target)
    assert_refused(done, target)
    assert snapshot(db.parent) == before  # not one byte changed, no .partial left
    assert ledger(db.parent, "--db", "ledger.db", "verify").returncode == 0


def test_o_refuses_the_database_by_another_path(db: Path, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.db").symlink_to(db)
    os.link(db, tmp_path / "hard.db")
    before = snapshot(db.parent)
    for target in ("sub/../ledger.db", str(db), "link.db", "hard.db"):
        assert_refused(ledger(db.parent, "--db", "ledger.db", "cases", "-o", target))
    assert snapshot(db.parent) == before


def test_o_refuses_the_checkpoints_log_given_to_verify(db: Path) -> None:
    (db.parent / "elsewhere.log").write_text("")
    done = ledger(
        db.parent,
        "--db",
        "ledger.db",
        "verify",
        "-o",
        "elsewhere.log",
        "--checkpoints",
        "elsewhere.log",
    )
    assert_refused(done, "elsewhere.log")
    done = ledger(
        db.parent,
        "--db",
        "ledger.db",
        "timeline",
        "AS-2020",
        "-o",
        "elsewhere.log",
        env={"LEDGER_CHECKPOINTS": "elsewhere.log"},
    )
    assert_refused(done, "elsewhere.log")
    assert (db.parent / "elsewhere.log").read_text() == ""


def test_o_refuses_a_directory_and_leaves_no_partial_file(db: Path) -> None:
    (db.parent / "out").mkdir()
    before = snapshot(db.parent)
    for fmt in ("table", "csv", "svg", "dot"):
        done = ledger(
            db.parent, "--db", "ledger.db", "timeline", "AS-2020", "-o", "out", "--format", fmt
        )
        assert_refused(done, "out", "directory")
    assert snapshot(db.parent) == before
    assert not list(db.parent.glob("*.partial")) and not list((db.parent / "out").iterdir())


def test_a_failed_write_leaves_no_partial_file(tmp_path: Path) -> None:
    """A write that fails half-way (here: the file size limit, as a full disk would)."""

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    script = (
        "from cli.output import UserError, emit\n"
        "try:\n"
        "    emit(b'x' * 100_000, 'out.svg')\n"
        "except UserError as error:\n"
        "    print(error.message)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        preexec_fn=small_files,
        env={**clean_env(), "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("-o out.svg: ") and done.stdout.count("\n") == 1, done.stdout
    assert list(tmp_path.iterdir()) == []


def test_files_with_case_data_are_private(db: Path, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        for fmt in ("table", "json", "csv", "dot"):
            target = tmp_path / f"out.{fmt}"
            done = ledger(
                tmp_path,
                "--db",
                "ledger.db",
                "timeline",
                "AS-2020",
                "--format",
                fmt,
                "-o",
                str(target),
            )
            assert done.returncode == 0, done.stderr
            assert stat.S_IMODE(target.stat().st_mode) == 0o600, fmt
        # An existing, world-readable file is replaced by a private one.
        existing = tmp_path / "existing.json"
        existing.write_text("{}")
        existing.chmod(0o644)
        assert ledger(tmp_path, "--db", "ledger.db", "cases", "-o", str(existing)).returncode == 0
        assert stat.S_IMODE(existing.stat().st_mode) == 0o600
        # So is a new ledger, and SQLite's side files follow its mode.
        fresh = tmp_path / "fresh"
        fresh.mkdir()
        done = ledger(fresh, "--db", "new.db", "import", "-q", str(EXAMPLES / "astorp.jsonl"))
        assert done.returncode == 0, done.stderr
        for path in fresh.iterdir():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    finally:
        os.umask(old)


def test_on_postgresql_o_refuses_the_checkpoints_log(tmp_path: Path, postgres_schema: str) -> None:
    from cli.integrity import postgres_log
    from ledger.storage import postgres_store

    url = f"{POSTGRES_URL}?schema={postgres_schema}"
    env = {"LEDGER_DATABASE_URL": url, "XDG_STATE_HOME": str(tmp_path / "state")}
    done = ledger(tmp_path, "import", "-q", str(EXAMPLES / "astorp.jsonl"), env=env)
    assert done.returncode == 0, done.stderr
    log = postgres_log(postgres_store(url).settings, env)
    log.parent.mkdir(parents=True)
    log.write_text("")
    done = ledger(tmp_path, "timeline", "AS-2020", "-o", str(log), env=env)
    assert_refused(done, str(log))
    assert log.read_text() == ""
    assert ledger(tmp_path, "timeline", "AS-2020", "-o", "out.txt", env=env).returncode == 0
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == 0o600
