"""`ledger follow`: the case index kept current from PostgreSQL's notifications, as a program."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ledger.application import CaseLedger
from ledger.importer import Source, import_sources
from ledger.storage import postgres_store
from ledger.synthetic import generate, write_jsonl
from ledger.views import open_views
from projections.cases import case_summaries
from projections.kept.case_index import INDEX_VIEW
from tests.conftest import POSTGRES_URL, ROOT

PROGRAM = "from cli.main import main; main()"


pytestmark = pytest.mark.usefixtures("isolated")  # the program takes its store from --db alone


def synthetic(cases: int, seed: int) -> Source:
    buffer = io.BytesIO()
    write_jsonl(generate(cases, 8, seed=seed), buffer)
    return Source(f"synthetic-{seed}", buffer.getvalue().splitlines())


def start_follow(url: str, seconds: float = 120) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            PROGRAM,
            "--db",
            url,
            "--lang",
            "en",
            "follow",
            "--seconds",
            str(seconds),
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    first = process.stderr.readline()
    assert first.startswith("following "), first
    return process


def indexed_cases(url: str, expected: int, timeout: float = 30.0) -> list[dict]:
    """The index rows as `follow` wrote them, read without catching up, once all are there."""
    views = open_views(postgres_store(url))
    deadline = time.monotonic() + timeout
    while True:
        rows = views.rows(INDEX_VIEW)
        if len(rows) >= expected or time.monotonic() > deadline:
            return [row.data for row in sorted(rows, key=lambda row: row.case)]
        time.sleep(0.1)


def test_follow_applies_the_backlog_and_then_each_new_entry(postgres_schema: str) -> None:
    url = f"{POSTGRES_URL}?schema={postgres_schema}"
    ledger = CaseLedger(postgres_store(url))
    try:
        import_sources(ledger, [synthetic(3, seed=11)])  # before follow starts: the backlog
        process = start_follow(url)
        try:
            import_sources(ledger, [synthetic(10, seed=11)])  # while it follows: 7 more
            rows = indexed_cases(url, expected=10)
            expected = [s.to_state() for s in case_summaries(ledger.all_entries())]
            assert rows == sorted(expected, key=lambda state: state["case"])
        finally:
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=30)
        assert process.returncode == 0, stderr
        assert "Traceback" not in stderr
    finally:
        ledger.close()


def test_follow_stops_by_itself_after_seconds(postgres_schema: str) -> None:
    process = start_follow(f"{POSTGRES_URL}?schema={postgres_schema}", seconds=0.5)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr


def test_follow_refuses_sqlite_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, "--db", str(tmp_path / "l.db"), "follow"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "LEDGER_LANG": "en"},  # the assertion is on the English wording
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "error: follow needs PostgreSQL (LEDGER_DATABASE_URL); on SQLite the views catch up "
        "whenever they are read"
    ]
