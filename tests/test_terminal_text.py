"""Stored text cannot forge lines in `show` or reorder what a reviewer reads.

The attacks: a summary with line breaks that prints as extra, official-looking lines of
the entry card (`recorded at`, `hash`); bidi overrides (U+202E) and zero-width characters in
an agency or a user name that make a table read differently from what is stored.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from projections.formats import printable

# The assertions read the English wording (Swedish is tested in test_language.py).
pytestmark = pytest.mark.usefixtures("english")

FORGED = "Nothing of note.\n  recorded at  2019-01-01 00:00\r\n  hash         0000\u2028  source  x"
BIDI = "\u202eBVC\u202c \u2066x\u2069 \u200bzero\u200dwidth\ufeff\u2060"
HIDDEN = set("\u202e\u202c\u2066\u2069\u200b\u200d\ufeff\u2060\u2028\r")


@pytest.fixture
def db(tmp_path: Path) -> str:
    line = {
        "case": "T-1",
        "ref": "n",
        "type": "NoteRecorded",
        "occurred": "2019-11-01",
        "agency": BIDI,
        "text": "t",
        "summary": FORGED,
    }
    source = tmp_path / "t.jsonl"
    source.write_text(json.dumps(line) + "\n")
    path = str(tmp_path / "t.db")
    done = CliRunner().invoke(cli, ["--db", path, "import", "-q", str(source)])
    assert done.exit_code == 0, done.output
    return path


def test_a_summary_cannot_add_lines_to_the_entry_card(db: str) -> None:
    shown = CliRunner().invoke(cli, ["--db", db, "--user", "t", "show", "T-1#1"])
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert sum(line.lstrip().startswith("recorded at") for line in lines) == 1
    assert sum(line.lstrip().startswith("hash") for line in lines) == 1
    summary = next(line for line in lines if line.lstrip().startswith("summary"))
    assert "Nothing of note." in summary and "2019-01-01 00:00" in summary


@pytest.mark.parametrize(
    "args",
    [["show", "T-1#1"], ["timeline", "T-1"], ["access-log", "T-1"], ["cases"]],
    ids=" ".join,
)
def test_bidi_and_zero_width_characters_never_reach_the_terminal(db: str, args: list[str]) -> None:
    CliRunner().invoke(cli, ["--db", db, "--user", f"gr\u202eanskare{BIDI}", "show", "T-1#1"])
    done = CliRunner().invoke(cli, ["--db", db, "--user", "t", *args])
    assert done.exit_code == 0, done.output
    assert not HIDDEN & set(done.stdout), [hex(ord(c)) for c in HIDDEN & set(done.stdout)]


def test_printable_keeps_ordinary_text() -> None:
    text = "Socialtjänsten Norrköping — åäö ÅÄÖ é ü ß 💡 “quoted” «x»"
    assert printable(text) == text
