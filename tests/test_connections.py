"""A command closes what it opened: on PostgreSQL the ledger and its kept views each hold a
pool of connections, and a process that runs many commands in-process (this test suite, a
program driving the CLI) ran the server out of connections when none was ever closed."""

from __future__ import annotations

import gc
import time
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from ledger.storage import postgres_store

from .conftest import EXAMPLES, POSTGRES_URL, postgres_connection


def _open_connections(name: str) -> int:
    """Connections made under this application name (other processes may use the server)."""
    with postgres_connection(postgres_store(POSTGRES_URL or "")) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
            "AND pid <> pg_backend_pid()",
            (name,),
        ).fetchone()
    return int(row[0])


def test_commands_leave_no_connection_open(
    postgres_schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"ledger-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("PGAPPNAME", name)  # libpq names every connection this test makes
    db = f"{POSTGRES_URL}?schema={postgres_schema}"
    runner = CliRunner()

    def run(*args: str) -> None:
        result = runner.invoke(cli, ["--db", db, "--user", "tester", *args])
        assert result.exit_code == 0, result.output

    run("import", "-q", str(EXAMPLES / "lilla-hjartat.jsonl"))
    before = _open_connections(name)
    # Closed by the command, not by the collector finding the pools some time later.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for command in (["cases"], ["check", "--all"], ["timeline", "NK-LH"], ["verify"]):
            run(*command)
            # A backend leaves pg_stat_activity a moment after its client hung up.
            deadline = time.monotonic() + 10
            while _open_connections(name) > before and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _open_connections(name) <= before, command
    finally:
        if collecting:
            gc.enable()
