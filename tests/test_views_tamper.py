"""The kept views attacked with plain SQL (issue hole 4): a case's row deleted or swapped in
the views table, its kept rule results rewritten, the tracking position advanced.

A swapped or moved row is refused wherever it is read (`cases`, `check --all`: one line,
exit 1), since every row is bound to its view, case and last seq. A deleted row, a rewritten
clear report or an advanced tracking position cannot be seen without reading every entry, so
`cases` and `check --all` still answer from the views, and `verify`, which reads every entry,
rebuilds the views, names the case that differs, and exits 1; `reindex` repairs them.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from eventsourcing.cryptography import AESCipher

from cli.main import cli
from ledger.storage import postgres_store

from .conftest import EXAMPLES, POSTGRES_URL, postgres_connection

# The assertions are on the English wording (Swedish, the default, is tested on its own).
pytestmark = pytest.mark.usefixtures("english")

LILLA = EXAMPLES / "lilla-hjartat.jsonl"
ASTORP = EXAMPLES / "astorp.jsonl"


class Ledger:
    """One ledger on SQLite or PostgreSQL, driven by the CLI and tampered with by SQL."""

    def __init__(self, db: str, cipher: str | None) -> None:
        self.db = db
        self.env = {"LEDGER_USER": "granskare", "LEDGER_CIPHER_KEY": cipher}
        self.postgres = db.startswith("postgresql://")

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", self.db, *args], env=self.env)

    def sql(self, statement: str, *params: Any) -> list[Any]:
        if self.postgres:
            store = postgres_store(self.db)
            schema = store.settings["POSTGRES_SCHEMA"]
            with postgres_connection(store) as connection:
                connection.execute(f'SET search_path TO "{schema}"')
                cursor = connection.execute(statement.replace("?", "%s"), params)
                return cursor.fetchall() if cursor.description else []
        connection = sqlite3.connect(self.db)
        try:
            with connection:
                return connection.execute(statement, params).fetchall()
        finally:
            connection.close()

    @property
    def tracking(self) -> str:
        return "ledger_views_tracking" if self.postgres else "tracking"

    def index_rows(self) -> dict[str, tuple[str, str]]:
        """The case index's rows: case key column -> (last_seq, data), by the case they show."""
        return {
            key: (seq, data)
            for key, seq, data in self.sql(
                "SELECT case_key, last_seq, data FROM ledger_case_views WHERE view = ?",
                "case_index",
            )
        }

    def cases(self) -> list[str]:
        result = self.run("cases", "--format", "json")
        assert result.exit_code == 0, result.output
        return [c["case"] for c in json.loads(result.stdout)["cases"]]

    def verify(self) -> Result:
        return self.run("verify")


@pytest.fixture(params=["sqlite", "sqlite-encrypted", "postgres", "postgres-encrypted"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledger]:
    cipher = AESCipher.create_key(32) if request.param.endswith("encrypted") else None
    if request.param.startswith("sqlite"):
        db = str(tmp_path / "l.db")
    else:
        db = f"{POSTGRES_URL}?schema={request.getfixturevalue('postgres_schema')}"
    opened = Ledger(db, cipher)
    synthetic = tmp_path / "syn.jsonl"  # generated cases have breaches to hide
    assert (
        opened.run("generate", "--cases", "3", "--seed", "3", "-o", str(synthetic)).exit_code == 0
    )
    assert opened.run("import", str(LILLA), str(ASTORP), str(synthetic)).exit_code == 0
    assert "NK-LH" in opened.cases()
    yield opened


def first_line(result: Result) -> str:
    return result.output.splitlines()[0]


def refused_then_repaired(ledger: Ledger, readers: list[tuple[str, ...]]) -> None:
    """Each reader refuses the moved row in one line (exit 1), `verify` names it, and
    `reindex` rebuilds the views."""
    for args in readers:
        result = ledger.run(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "was not written where it is stored" in result.output
        assert len(result.output.strip().splitlines()) == 1
    verified = ledger.verify()
    assert verified.exit_code == 1
    assert "was not written where it is stored" in verified.output
    assert ledger.run("reindex").exit_code == 0


def test_an_untouched_ledger_verifies_with_its_views(ledger: Ledger) -> None:
    assert ledger.run("check", "--all", "--format", "json").exit_code == 0
    result = ledger.verify()
    assert result.exit_code == 0, result.output
    assert "kept views rebuilt and compared" in result.output


def test_a_deleted_index_row_is_named_by_verify_and_reindex_repairs_it(ledger: Ledger) -> None:
    before = ledger.cases()
    (key,) = sorted(ledger.index_rows())[:1]
    ledger.sql("DELETE FROM ledger_case_views WHERE view = ? AND case_key = ?", "case_index", key)
    (hidden,) = set(before) - set(ledger.cases())  # `cases` is fooled until verify or reindex
    result = ledger.verify()
    assert result.exit_code == 1
    assert first_line(result).startswith(f"{hidden}: case index: no row, although the case has")
    assert ledger.run("reindex").exit_code == 0
    assert ledger.cases() == before
    assert ledger.verify().exit_code == 0


def test_a_swapped_row_is_refused_by_cases_and_check_all(ledger: Ledger) -> None:
    """Swapping two cases' rows (their data, or their keys) no longer shows one case's
    summary or findings as another's: every read refuses, exit 1, one line."""
    for view in ("case_index", None, ":answer"):
        assert ledger.run("check", "--all", "--format", "json").exit_code == 0
        rows = ledger.sql(
            "SELECT view, case_key, data FROM ledger_case_views WHERE view = ? ORDER BY case_key",
            view if view == "case_index" else _rules_view(ledger) + (view or ""),
        )
        (view_a, key_a, data_a), (_, key_b, data_b) = rows[:2]
        ledger.sql(
            "UPDATE ledger_case_views SET data = ? WHERE view = ? AND case_key = ?",
            data_b,
            view_a,
            key_a,
        )
        ledger.sql(
            "UPDATE ledger_case_views SET data = ? WHERE view = ? AND case_key = ?",
            data_a,
            view_a,
            key_b,
        )
        readers = [("check", "--all", "--fail-on", "breach")]
        if view == "case_index":
            readers.append(("cases",))
        if view == ":answer":
            # The JSON answer is written from the kept parts.
            readers = [("check", "--all", "--format", "json", "--fail-on", "breach")]
        refused_then_repaired(ledger, readers)
        if view is not None:
            assert ledger.verify().exit_code == 0


def _rules_view(ledger: Ledger) -> str:
    names = [
        name
        for (name,) in ledger.sql("SELECT DISTINCT view FROM ledger_case_views")
        if name.startswith("rules:") and not name.endswith((":recheck", ":answer"))
    ]
    assert len(names) == 1
    return names[0]


def test_an_advanced_tracking_position_is_named_by_verify(ledger: Ledger, tmp_path: Path) -> None:
    new_case = tmp_path / "new.jsonl"
    lines = [
        json.loads(line) | {"case": "NK-NEW"}
        for line in LILLA.read_text(encoding="utf-8").splitlines()[:3]
        if line.strip()
    ]
    new_case.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    assert ledger.run("import", str(new_case)).exit_code == 0
    # The attacker moves the index past the new case's entries before anyone reads it.
    (last,) = ledger.sql("SELECT MAX(notification_id) FROM " + ledger.tracking)
    assert last[0] is not None
    entry_ids = _entry_notification_ids(ledger)
    ledger.sql(f"UPDATE {ledger.tracking} SET notification_id = ?", max(entry_ids))
    assert "NK-NEW" not in ledger.cases()  # hidden, until verify or reindex
    result = ledger.verify()
    assert result.exit_code == 1
    assert first_line(result).startswith("NK-NEW: case index: no row")
    # Past every entry (onto an access record): not an entry it read.
    ledger.sql(f"UPDATE {ledger.tracking} SET notification_id = ?", max(entry_ids) + 1000)
    assert "is not an entry it read" in ledger.verify().output
    assert ledger.run("reindex").exit_code == 0
    assert "NK-NEW" in ledger.cases()
    assert ledger.verify().exit_code == 0


def _entry_notification_ids(ledger: Ledger) -> list[int]:
    if ledger.postgres:
        rows = ledger.sql(
            "SELECT notification_id FROM ledger_events WHERE topic = ?", "ledger:EntryRecorded"
        )
    else:
        rows = ledger.sql("SELECT rowid FROM stored_events WHERE topic = ?", "ledger:EntryRecorded")
    return [r[0] for r in rows]


def test_a_rewritten_clear_report_is_named_by_verify(ledger: Ledger) -> None:
    """Without a cipher anyone can rewrite a kept report (its breaches gone): `check --all
    --fail-on breach` then says 0, and verify, which runs the rules again, names the case."""
    if ledger.env["LEDGER_CIPHER_KEY"]:
        pytest.skip("sealed rows cannot be rewritten without the key")
    assert ledger.run("check", "--all", "--fail-on", "breach").exit_code == 1
    view = _rules_view(ledger)
    for key, data in ledger.sql(
        "SELECT case_key, data FROM ledger_case_views WHERE view = ?", view
    ):
        content = json.loads(data)
        findings = content["data"]["report"]["findings"]
        # A kept finding is a compact row: [rule, status, ...].
        content["data"]["report"]["findings"] = [f for f in findings if f[1] != "breach"]
        ledger.sql(
            "UPDATE ledger_case_views SET data = ? WHERE view = ? AND case_key = ?",
            json.dumps(content),
            view,
            key,
        )
    assert ledger.run("check", "--all", "--fail-on", "breach").exit_code == 0  # fooled
    result = ledger.verify()
    assert result.exit_code == 1
    assert "kept rule results: the kept report" in result.output
    assert "is not what the rules give" in first_line(result)


def test_a_rewritten_clear_answer_is_named_by_verify(ledger: Ledger) -> None:
    """The kept parts of the JSON answer rewritten (their breaches gone): `check --all
    --format json --fail-on breach` is fooled as the table is by a rewritten report, and
    verify names the case."""
    if ledger.env["LEDGER_CIPHER_KEY"]:
        pytest.skip("sealed rows cannot be rewritten without the key")
    json_check = ("check", "--all", "--format", "json", "--fail-on", "breach")
    assert ledger.run(*json_check).exit_code == 1
    view = _rules_view(ledger) + ":answer"
    for key, data in ledger.sql(
        "SELECT case_key, data FROM ledger_case_views WHERE view = ?", view
    ):
        # The row's content, a line break, its findings' bytes (as SQLite holds them).
        stored = data if isinstance(data, bytes) else data.encode()
        head, findings = stored.split(b"\n", 1)
        content = json.loads(head)
        content["data"]["counts"]["by_status"].pop("breach", None)
        rewritten = json.dumps(content).encode() + b"\n" + findings
        ledger.sql(
            "UPDATE ledger_case_views SET data = ? WHERE view = ? AND case_key = ?",
            rewritten if isinstance(data, bytes) else rewritten.decode(),
            view,
            key,
        )
    assert ledger.run(*json_check).exit_code == 0  # fooled
    assert ledger.run("check", "--all", "--fail-on", "breach").exit_code == 1
    result = ledger.verify()
    assert result.exit_code == 1
    assert "the kept part of the answer" in first_line(result)
    assert ledger.run("reindex").exit_code == 0
    assert ledger.run(*json_check).exit_code == 1
    assert ledger.verify().exit_code == 0


def test_a_moved_or_altered_findings_blob_is_refused(ledger: Ledger) -> None:
    """The answer's kept findings are bytes beside each part's counts. Two cases' findings
    swapped (in clear), or a byte of them changed (sealed: in the ciphertext), are refused
    by `check --all --format json` and named by verify, as a swapped row is."""
    json_check = ("check", "--all", "--format", "json", "--fail-on", "breach")
    assert ledger.run(*json_check).exit_code == 1
    view = _rules_view(ledger) + ":answer"
    rows = ledger.sql(
        "SELECT case_key, data FROM ledger_case_views WHERE view = ? ORDER BY case_key", view
    )
    sealed = bool(ledger.env["LEDGER_CIPHER_KEY"])
    # SQLite holds these rows as bytes (sealed: the ciphertext itself); PostgreSQL as text
    # (sealed: in base64).
    stored = [
        (key, base64.b64decode(data) if isinstance(data, str) and sealed else data)
        for key, data in rows
    ]
    stored = [(key, data.encode() if isinstance(data, str) else data) for key, data in stored]

    def kept(data: bytes) -> Any:
        if not ledger.postgres:
            return data
        return base64.b64encode(data).decode() if sealed else data.decode()

    if sealed:
        (key_a, data_a), *_ = stored
        changed = {key_a: data_a[:-1] + bytes([data_a[-1] ^ 0x01])}
    else:
        with_findings = [(key, data.split(b"\n", 1)) for key, data in stored]
        (key_a, (head_a, blob_a)), (key_b, (head_b, blob_b)) = [
            item for item in with_findings if item[1][1]
        ][:2]
        changed = {key_a: head_a + b"\n" + blob_b, key_b: head_b + b"\n" + blob_a}
    for key, data in changed.items():
        ledger.sql(
            "UPDATE ledger_case_views SET data = ? WHERE view = ? AND case_key = ?",
            kept(data),
            view,
            key,
        )
    refused_then_repaired(ledger, [json_check])
    assert ledger.run(*json_check).exit_code == 1  # the breaches, from repaired rows
    assert ledger.verify().exit_code == 0


def test_results_kept_in_another_language_are_judged_in_it(ledger: Ledger) -> None:
    """Kept for a reader of English, verified for a reader of Swedish: each kept report is
    judged again in the language its messages were written in, and found intact (it was
    reported as rewritten)."""
    assert ledger.run("--lang", "en", "check", "--all", "--format", "json").exit_code == 0
    for lang in ("sv", "en"):
        result = ledger.run("--lang", lang, "verify")
        assert result.exit_code == 0, result.output
    # Rewritten, it is still found out, in its own language.
    view = _rules_view(ledger)
    (key, data), *_ = ledger.sql(
        "SELECT case_key, data FROM ledger_case_views WHERE view = ? ORDER BY case_key", view
    )
    if ledger.env["LEDGER_CIPHER_KEY"] is None:
        for old, new in (
            ('"evaluated_at":"', '"evaluated_at":"1'),
            ('"findings":[[', '"findings":['),
        ):
            ledger.sql(
                "UPDATE ledger_case_views SET data = ? WHERE view = ? AND case_key = ?",
                data.replace(old, new, 1),
                view,
                key,
            )
            result = ledger.run("--lang", "sv", "verify")
            assert result.exit_code == 1
            assert "bevarade regelresultat" in first_line(result), result.output


def test_results_an_earlier_version_kept_are_not_tampering_and_go(ledger: Ledger) -> None:
    """Rule results kept by an earlier version of the ledger (named without a version, in a
    shape nothing reads) are no sign of tampering: `verify` passes over them, and the next
    `check --all` drops them."""
    assert ledger.run("check", "--all", "--format", "json").exit_code == 0
    earlier = "rules:0123456789abcdef"
    ledger.sql(
        "INSERT INTO ledger_case_views SELECT ? || substr(view, ?), case_key, last_seq, data "
        "FROM ledger_case_views WHERE view LIKE ?",
        earlier,
        len(_rules_view(ledger)) + 1,
        "rules:%",
    )
    count = "SELECT count(*) FROM ledger_case_views WHERE view LIKE ?"
    assert ledger.sql(count, earlier + "%")[0][0] > 0
    result = ledger.verify()
    assert result.exit_code == 0, result.output
    assert ledger.run("check", "--all", "--format", "json").exit_code == 0
    assert ledger.sql(count, earlier + "%")[0][0] == 0
    assert ledger.verify().exit_code == 0


def _with_a_deadline_ahead(ledger: Ledger, tmp_path: Path) -> str:
    """A report of concern received today: its same-day deadline is still open, so its kept
    results say when the case must be judged again (tomorrow). The recheck view's name."""
    from datetime import date

    line = {
        "case": "REC-1",
        "type": "ConcernReportReceived",
        "occurred": date.today().isoformat(),
        "agency": "Socialtjänsten X",
        "summary": "Orosanmälan inkom.",
        "reporter_category": "skola",
        "concern": "Oro.",
    }
    source = tmp_path / "today.jsonl"
    source.write_text(json.dumps(line) + "\n")
    assert ledger.run("import", str(source)).exit_code == 0
    assert ledger.run("check", "--all", "--format", "json").exit_code == 0
    return _rules_view(ledger) + ":recheck"


def test_a_rewritten_clear_recheck_time_is_named_by_verify(ledger: Ledger, tmp_path: Path) -> None:
    """A case's kept time to be judged again rewritten to none: once its deadline passed,
    `check --all` would go on answering from the kept results, the breach unseen. Verify
    said the views were intact; it now names the case."""
    if ledger.env["LEDGER_CIPHER_KEY"]:
        pytest.skip("sealed rows cannot be rewritten without the key")
    view = _with_a_deadline_ahead(ledger, tmp_path)
    [(data,)] = ledger.sql(
        "SELECT data FROM ledger_case_views WHERE view = ? AND case_key = ?", view, "REC-1"
    )
    content = json.loads(data)
    assert content["data"] is not None  # tomorrow
    content["data"] = None
    ledger.sql(
        "UPDATE ledger_case_views SET data = ? WHERE view = ? AND case_key = ?",
        json.dumps(content),
        view,
        "REC-1",
    )
    assert ledger.run("check", "--all").exit_code == 0  # reads it as written
    result = ledger.verify()
    assert result.exit_code == 1, result.output
    assert first_line(result).startswith("REC-1: kept rule results: the kept time"), result.output
    assert ledger.run("reindex").exit_code == 0
    assert ledger.verify().exit_code == 0


def test_an_unreadable_recheck_row_is_named_by_verify(ledger: Ledger, tmp_path: Path) -> None:
    """`check --all` refused a recheck row it could not open while verify called the views
    intact: verify now reads every kept row, and says where."""
    view = _with_a_deadline_ahead(ledger, tmp_path)
    # Every case's row (sealed, the case column holds a keyed hash of the key).
    ledger.sql("UPDATE ledger_case_views SET data = ? WHERE view = ?", "not a kept row", view)
    assert ledger.run("check", "--all").exit_code == 1
    result = ledger.verify()
    assert result.exit_code == 1, result.output
    assert first_line(result).startswith("kept rule results: a kept row of the view"), result.output
    assert ledger.run("reindex").exit_code == 0
    assert ledger.verify().exit_code == 0


@pytest.mark.parametrize("view", ["notes", "rules:v9:0123456789abcdef:answer"])
def test_rows_under_a_view_the_ledger_does_not_write_are_named_by_verify(
    ledger: Ledger, view: str
) -> None:
    """Rows nothing reads (an unknown view, a companion without its report) were passed over:
    verify now accounts for every row of the views table too."""
    assert ledger.run("check", "--all").exit_code == 0
    if view.startswith("rules:"):
        view = _rules_view(ledger).replace(_rules_view(ledger).split(":")[2], "0" * 16) + ":answer"
    ledger.sql(
        "INSERT INTO ledger_case_views (view, case_key, last_seq, data) VALUES (?, ?, ?, ?)",
        view,
        "NK-LH",
        1,
        "{}",
    )
    result = ledger.verify()
    assert result.exit_code == 1, result.output
    assert first_line(result) == (
        f"kept views: rows under the view {view!r}, which the ledger does not write "
        "(`ledger reindex` rebuilds the views without them)"
    )
    assert ledger.run("reindex").exit_code == 0
    assert ledger.verify().exit_code == 0
