"""`ledger generate`: deterministic synthetic cases that import cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli

# The assertions are on the English wording (Swedish, the default, is tested on its own).
pytestmark = pytest.mark.usefixtures("english")


def test_the_same_seed_writes_the_same_file_and_it_imports(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["generate", "--cases", "4", "--events-per-case", "6", "--seed", "9"]
    first = runner.invoke(cli, args)
    second = runner.invoke(cli, [*args, "-o", str(tmp_path / "g.jsonl")])
    assert first.exit_code == second.exit_code == 0
    assert first.stdout_bytes == (tmp_path / "g.jsonl").read_bytes()
    assert len(first.stdout_bytes.splitlines()) == 24
    db = str(tmp_path / "g.db")
    done = runner.invoke(cli, ["--db", db, "import", str(tmp_path / "g.jsonl")])
    assert done.exit_code == 0 and "imported 24 entries into 4 cases" in done.stderr
    other = runner.invoke(cli, [*args[:-1], "10"])
    assert other.stdout_bytes != first.stdout_bytes


def test_a_bad_prefix_is_a_one_line_error() -> None:
    result = CliRunner().invoke(cli, ["generate", "--prefix", "no space"])
    assert result.exit_code == 2 and "--prefix" in result.output
