"""A checking worker that dies (killed, out of memory) stops the import at once.

The attack: kill one of an import's worker processes. The import hung forever, holding
SQLite's write lock, and every other command then failed "busy". Now the import notices at
once, rolls back, releases the lock and says so in one line (exit 2).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, clean_env, program

LINES = 40_000  # enough for worker processes (5,000 lines or more) and a few seconds' work


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(child) for child in text.split()]


def entries(db: str, env: dict[str, str]) -> int:
    done = subprocess.run(
        [*program(), "--db", db, "verify", "--format", "json"],
        capture_output=True,
        env=env,
        check=True,
    )
    return json.loads(done.stdout)["entries"]


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "l.db")
    return f"{POSTGRES_URL}?schema={request.getfixturevalue('postgres_schema')}"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_a_killed_worker_stops_the_import_and_releases_the_ledger(tmp_path: Path, db: str) -> None:
    env = {**clean_env(), "LEDGER_USER": "t", "LEDGER_LANG": "en"}  # the English wording
    source = tmp_path / "big.jsonl"
    with source.open("wb") as out:
        subprocess.run(
            [*program(), "generate", "--cases", "800", "--events-per-case", str(LINES // 800)],
            stdout=out,
            check=True,
            env=env,
        )
    # Something to keep: the import must roll back to exactly this.
    small = tmp_path / "small.jsonl"
    small.write_text(
        Path(__file__).resolve().parents[1].joinpath("examples/astorp.jsonl").read_text()
    )
    subprocess.run([*program(), "--db", db, "import", "-q", str(small)], check=True, env=env)
    before = entries(db, env)

    importing = subprocess.Popen(
        [*program(), "--db", db, "import", "-q", str(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while len(workers) < 2 and importing.poll() is None and time.monotonic() < deadline:
            workers = children(importing.pid)
            time.sleep(0.01)
        assert len(workers) >= 2, "the import started no worker processes"
        time.sleep(0.3)  # let them take work
        killed_at = time.monotonic()
        os.kill(workers[0], signal.SIGKILL)
        try:
            _, stderr = importing.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("the import hung after its worker was killed")
        noticed = time.monotonic() - killed_at
    finally:
        if importing.poll() is None:
            os.killpg(importing.pid, signal.SIGKILL)
            importing.wait()

    assert importing.returncode == 2, stderr
    assert stderr.startswith("error: ") and stderr.count("\n") == 1, stderr
    assert "worker" in stderr and "nothing was imported" in stderr
    assert noticed < 10
    assert entries(db, env) == before  # rolled back (SQLite), nothing spooled stored (others)
    # The lock is free: another writer goes ahead at once.
    started = time.monotonic()
    again = subprocess.run(
        [*program(), "--db", db, "import", "-q", str(small)],
        capture_output=True,
        text=True,
        env=env,
        timeout=20,
    )
    assert again.returncode == 0, again.stderr
    assert time.monotonic() - started < 10
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_workers_do_not_outlive_a_killed_import(tmp_path: Path) -> None:
    env = {**clean_env(), "LEDGER_USER": "t"}
    source = tmp_path / "big.jsonl"
    with source.open("wb") as out:
        subprocess.run(
            [*program(), "generate", "--cases", "800", "--events-per-case", str(LINES // 800)],
            stdout=out,
            check=True,
            env=env,
        )
    importing = subprocess.Popen(
        [*program(), "--db", str(tmp_path / "l.db"), "import", "-q", str(source)], env=env
    )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and importing.poll() is None and time.monotonic() < deadline:
        workers = children(importing.pid)
        time.sleep(0.01)
    assert len(workers) >= 2, "the import started no worker processes"
    importing.kill()
    importing.wait()
    deadline = time.monotonic() + 10
    alive = list(workers)
    while alive and time.monotonic() < deadline:
        alive = [w for w in alive if Path(f"/proc/{w}").exists() and not zombie(w)]
        time.sleep(0.05)
    for worker in alive:
        os.kill(worker, signal.SIGKILL)
    assert not alive, "worker processes lived on after their import was killed"


def zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except (FileNotFoundError, IndexError):
        return True
