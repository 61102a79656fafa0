"""What `import` says about inputs that are not entries to store (issue 15): an empty input,
a view's NDJSON or JSON output, and `--dry-run`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import LILLA_ENTRIES, clean_env, program

ROOT = Path(__file__).resolve().parents[1]
LILLA = ROOT / "examples" / "lilla-hjartat.jsonl"


def ledger(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*program(), *args],
        input=stdin.decode(),
        capture_output=True,
        text=True,
        env={**clean_env(), "LEDGER_USER": "t", "LEDGER_LANG": "en"},
    )


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_an_empty_input_says_so_and_exits_2(tmp_path: Path, content: bytes) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(content)
    db = tmp_path / "l.db"
    run = ledger("--db", str(db), "import", str(empty))
    assert run.returncode == 2
    assert run.stderr == f"error: {empty}: the input is empty; nothing was imported\n"
    assert not db.exists()


@pytest.mark.parametrize("fmt", ["ndjson", "json"])
def test_a_views_output_is_named_in_one_line(tmp_path: Path, fmt: str) -> None:
    db = tmp_path / "l.db"
    assert ledger("--db", str(db), "import", "-q", str(LILLA)).returncode == 0
    view = ledger("--db", str(db), "timeline", "NK-LH", "--format", fmt).stdout
    run = ledger("--db", str(tmp_path / "new.db"), "import", "-", stdin=view.encode())
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1
    what = "the NDJSON output of a view" if fmt == "ndjson" else "the JSON output of a view"
    assert "<stdin>:1: this is " in run.stderr and what in run.stderr
    assert "`ledger export` writes the import format" in run.stderr


def test_dry_run_checks_everything_and_stores_nothing(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    run = ledger("--db", str(db), "import", "--dry-run", str(LILLA))
    assert run.returncode == 0, run.stderr
    assert f"dry run: {LILLA_ENTRIES} entries would be imported into 1 case" in run.stderr
    assert not db.exists()
    assert ledger("--db", str(db), "import", "-q", str(LILLA)).returncode == 0
    again = ledger("--db", str(db), "import", "--dry-run", str(LILLA))
    assert "dry run: 0 entries would be imported" in again.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"case":"X-1","type":"NoteRecorded","occurred":"sent 2019","text":"t"}\n')
    failed = ledger("--db", str(db), "import", "--dry-run", str(bad))
    assert failed.returncode == 2
    assert f"{bad}:1: field 'occurred': not a time: 'sent 2019'" in failed.stderr
