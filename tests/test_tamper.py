"""Tampering behind the ledger's back, with plain SQL on eventsourcing's events table, on a
real SQLite file and on PostgreSQL: `ledger verify` must exit 1 and name the first bad event.

The SQLite table is `stored_events` (rowid, originator_id as 32 hex digits, originator_version,
topic, state); PostgreSQL's is `<schema>.ledger_events` (originator_id uuid,
originator_version, topic, state bytea, notification_id). The names come from the recorder.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
import pytest
from click.testing import CliRunner, Result
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import Mapper, StoredEvent

from cli.integrity import checkpoint, keygen, verify
from cli.main import cli
from ledger import merkle
from ledger.application import CaseLedger
from ledger.case import Case
from ledger.chain import entry_hash
from ledger.checkpoint import parse_checkpoint, read_log
from ledger.checkpoint import verify as verify_note
from ledger.importer import Source, import_sources
from ledger.integrity import prove_consistency
from ledger.storage import Store, postgres_store, sqlite_store
from tests.conftest import postgres_connection

from .conftest import ASTORP_ENTRIES, EXAMPLES, LILLA_ENTRIES, POSTGRES_URL

for command in (keygen, checkpoint, verify):
    cli.add_command(command)

ENVIRONMENT = (
    "LEDGER_DATABASE_URL",
    "LEDGER_CIPHER_KEY",
    "LEDGER_CHECKPOINTS",
    "LEDGER_SIGNING_KEY",
    "LEDGER_VERIFIER_KEY",
)

# The assertions are on the English wording (Swedish, the default, is tested on its own).
pytestmark = pytest.mark.usefixtures("english")

LILLA = EXAMPLES / "lilla-hjartat.jsonl"
ASTORP = EXAMPLES / "astorp.jsonl"
TOTAL = LILLA_ENTRIES + ASTORP_ENTRIES


@dataclass
class Row:
    notification_id: int
    originator_id: UUID
    version: int
    topic: str
    state: bytes


class Table:
    """The events table, reached with plain SQL on a connection of our own."""

    def __init__(self, store: Store, table: str) -> None:
        self.store = store
        self.postgres = store.kind == "postgres"
        if self.postgres:
            schema = store.settings.get("POSTGRES_SCHEMA", "public")
            self.name = f'"{schema}"."{table}"'
            self.nid, self.mark = "notification_id", "%s"
        else:
            self.name, self.nid, self.mark = table, "rowid", "?"

    def _connect(self) -> Any:
        if self.postgres:
            return postgres_connection(self.store)
        return sqlite3.connect(self.store.location, isolation_level=None)

    def sql(self, statement: str, *params: Any) -> list[Any]:
        statement = statement.replace("{t}", self.name).replace("{nid}", self.nid)
        statement = statement.replace("?", self.mark)
        connection = self._connect()
        try:
            cursor = connection.execute(statement, params)
            return list(cursor.fetchall()) if cursor.description else []
        finally:
            connection.close()

    def _id(self, value: UUID) -> Any:
        return value if self.postgres else value.hex

    def rows(self) -> list[Row]:
        found = self.sql(
            "SELECT {nid}, originator_id, originator_version, topic, state FROM {t} ORDER BY {nid}"
        )
        return [
            Row(nid, UUID(str(oid)), version, topic, bytes(state))
            for nid, oid, version, topic, state in found
        ]

    def row(self, case_id: UUID, seq: int) -> Row:
        (found,) = [r for r in self.rows() if (r.originator_id, r.version) == (case_id, seq)]
        return found

    def set_state(self, row: Row, state: bytes) -> None:
        self.sql(
            "UPDATE {t} SET state=? WHERE originator_id=? AND originator_version=?",
            state,
            self._id(row.originator_id),
            row.version,
        )

    def set_version(self, row: Row, version: int) -> None:
        self.sql(
            "UPDATE {t} SET originator_version=? WHERE originator_id=? AND originator_version=?",
            version,
            self._id(row.originator_id),
            row.version,
        )
        row.version = version

    def set_case(self, row: Row, case_id: UUID, version: int) -> None:
        self.sql(
            "UPDATE {t} SET originator_id=?, originator_version=? "
            "WHERE originator_id=? AND originator_version=?",
            self._id(case_id),
            version,
            self._id(row.originator_id),
            row.version,
        )

    def delete(self, row: Row) -> None:
        self.sql(
            "DELETE FROM {t} WHERE originator_id=? AND originator_version=?",
            self._id(row.originator_id),
            row.version,
        )

    def replace_all(self, rows: list[Row]) -> None:
        self.sql("DELETE FROM {t}")
        for row in rows:
            self.sql(
                "INSERT INTO {t} (originator_id, originator_version, topic, state) "
                "VALUES (?, ?, ?, ?)",
                self._id(row.originator_id),
                row.version,
                row.topic,
                row.state,
            )


@dataclass
class Target:
    store: Store
    db: str  # what `--db` takes
    tmp: Path
    env: dict[str, str]

    @property
    def log(self) -> str:
        return str(self.tmp / "ledger.checkpoints")

    @property
    def key(self) -> str:
        return str(self.tmp / "ledger.key")

    def ledger(self) -> CaseLedger:
        return CaseLedger(self.store)

    def table(self) -> Table:
        ledger = self.ledger()
        try:
            return Table(self.store, ledger.recorder.events_table_name)  # type: ignore[attr-defined]
        finally:
            ledger.close()

    def case_id(self, key: str) -> UUID:
        ledger = self.ledger()
        try:
            return ledger.case_id(key)
        finally:
            ledger.close()

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", self.db, *args], env=self.env)

    def import_(self, *paths: Path) -> None:
        result = self.run("import", "-q", *map(str, paths))
        assert result.exit_code == 0, result.output

    def checkpoint(self) -> str:
        if not Path(self.key).exists():
            assert CliRunner().invoke(cli, ["keygen", "--key", self.key]).exit_code == 0
        made = self.run("checkpoint", "--key", self.key, "--checkpoints", self.log)
        assert made.exit_code == 0, made.output
        return made.stdout

    def verify(self) -> Result:
        args = ["verify", "--checkpoints", self.log] if Path(self.log).exists() else ["verify"]
        if Path(self.key).exists():
            args += ["--verifier-key", self.key + ".pub"]
        return self.run(*args)


def first_line(result: Result) -> str:
    return result.stdout.splitlines()[0]


@pytest.fixture(params=["sqlite", "postgres"])
def target_for(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., Target]]:
    """A Target on an SQLite file or a PostgreSQL schema of its own, optionally encrypted."""
    if request.param == "sqlite":
        store = sqlite_store(str(tmp_path / "ledger.db"))
        db = store.location
    else:
        schema = request.getfixturevalue("postgres_schema")
        db = f"{POSTGRES_URL}?schema={schema}"
        store = postgres_store(db)

    def make(cipher_key: str | None = None) -> Target:
        env = {"LEDGER_CIPHER_KEY": cipher_key} if cipher_key else {}
        chosen = store.with_cipher(cipher_key) if cipher_key else store
        quiet = {name: "" for name in ENVIRONMENT}
        return Target(chosen, db, tmp_path, {**quiet, **env})

    yield make


@pytest.fixture
def target(target_for: Callable[..., Target]) -> Target:
    made = target_for()
    made.import_(LILLA, ASTORP)
    return made


def rewrite(target: Target, key: str, seq: int, **changes: Any) -> None:
    """Change an entry as a knowing forger would: through the ledger's own mapper, with its
    hash recomputed (its successor's prev_hash still names the old hash)."""
    table = target.table()
    row = table.row(target.case_id(key), seq)
    ledger = target.ledger()
    stored = StoredEvent(row.originator_id, row.version, row.topic, row.state)
    event = ledger.mapper.to_domain_event(stored)
    event.__dict__.update(changes)
    event.__dict__["hash"] = entry_hash(event.hashed_payload())  # type: ignore[attr-defined]
    table.set_state(row, ledger.mapper.to_stored_event(event).state)
    ledger.close()


def edit_state(state: bytes, **changes: Any) -> bytes:
    value = orjson.loads(state)
    value.update(changes)
    return orjson.dumps(value)


# ---- intact ----


def test_the_freshly_imported_examples_verify(target: Target) -> None:
    result = target.verify()
    assert result.exit_code == 0, result.output
    assert first_line(result).startswith(f"intact: {TOTAL} entries in 2 cases;")
    target.checkpoint()
    again = target.verify()
    assert again.exit_code == 0 and "1 checkpoint consistent" in again.stdout


# ---- one event changed ----


def test_an_edited_state_that_still_decodes(target: Target) -> None:
    table = target.table()
    row = table.row(target.case_id("NK-LH"), 3)
    target.checkpoint()
    table.set_state(row, edit_state(row.state, summary="Nothing happened."))
    result = target.verify()
    assert result.exit_code == 1
    assert first_line(result) == "NK-LH#3: hash mismatch"
    assert "1 checkpoints consistent" not in result.stdout
    refused = target.run("checkpoint", "--key", target.key, "--checkpoints", target.log)
    assert refused.exit_code == 1 and "nothing signed: NK-LH#3: hash mismatch" in refused.output
    assert len(read_log(target.log)) == 1


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"hash": "not hex"}, "NK-LH#3: hash mismatch (the stored hash is not 64 hex digits)"),
        ({"hash": None}, "NK-LH#3: hash mismatch (the stored hash is not 64 hex digits)"),
        ({"case": 5}, "NK-LH#3: undecodable state"),
        ({"timestamp": "yesterday"}, "NK-LH#3: undecodable state"),
    ],
)
def test_an_edited_state_with_fields_of_the_wrong_shape(
    target: Target, changes: dict[str, Any], expected: str
) -> None:
    table = target.table()
    row = table.row(target.case_id("NK-LH"), 3)
    table.set_state(row, edit_state(row.state, **changes))
    result = target.verify()
    assert result.exit_code == 1
    assert first_line(result).startswith(expected)


def test_a_flipped_byte_that_no_longer_decodes(target: Target) -> None:
    table = target.table()
    row = table.row(target.case_id("NK-LH"), 3)
    table.set_state(row, bytes([row.state[0] ^ 0xFF]) + row.state[1:])
    result = target.verify()
    assert result.exit_code == 1
    assert first_line(result).startswith("NK-LH#3: undecodable state")


@pytest.mark.parametrize(
    "value",
    [
        "CAST(state AS TEXT)",  # the same characters, stored as text
        "replace(state, 'Norrköping', 'Norrkoping')",  # SQL's replace() gives text
        "NULL",
        "42",
        "X''",
    ],
)
def test_a_state_rewritten_by_sql_as_another_type(
    target_for: Callable[..., Target], value: str
) -> None:
    # SQLite keeps whatever type a statement writes: `verify`, the command every refusal
    # points to, stopped with an internal error on a state that was not bytes.
    target = target_for()
    if target.store.kind != "sqlite":
        pytest.skip("a PostgreSQL bytea column holds bytes only")
    target.import_(LILLA, ASTORP)
    assert target.run("check", "--all").exit_code == 0  # the kept views, rebuilt by verify
    table = target.table()
    row = table.row(target.case_id("NK-LH"), 3)
    table.sql(
        f"UPDATE {{t}} SET state = {value} WHERE originator_id=? AND originator_version=?",
        table._id(row.originator_id),
        row.version,
    )
    result = target.verify()
    assert result.exit_code == 1, result.output
    assert first_line(result).startswith("NK-LH#3: "), result.output
    if value != "X''":
        assert "not the bytes the ledger writes" in first_line(result)
    # Named once, by the scan: the views of its case are not compared again.
    assert result.stdout.count("NK-LH") == 1, result.stdout


def test_a_flipped_byte_with_the_kept_views_built(target: Target) -> None:
    # verify rebuilds the kept views from the entries: an entry that did not decode stopped
    # it with an internal error once `check --all` had kept views.
    assert target.run("check", "--all").exit_code == 0
    table = target.table()
    row = table.row(target.case_id("NK-LH"), 3)
    table.set_state(row, bytes([row.state[0] ^ 0xFF]) + row.state[1:])
    result = target.verify()
    assert result.exit_code == 1, result.output
    assert first_line(result).startswith("NK-LH#3: undecodable state")
    assert result.stdout.count("NK-LH") == 1, result.stdout


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(target: Target) -> None:
    rewrite(target, "NK-LH", 3, summary="Nothing happened.")
    result = target.verify()
    assert result.exit_code == 1
    assert first_line(result) == "NK-LH#4: prev_hash does not link to #3"


def test_an_event_moved_to_another_case(target: Target) -> None:
    table = target.table()
    row = table.row(target.case_id("NK-LH"), LILLA_ENTRIES)
    table.set_case(row, target.case_id("AS-2020"), ASTORP_ENTRIES + 1)
    result = target.verify()
    assert result.exit_code == 1
    assert (
        f"AS-2020#{ASTORP_ENTRIES + 1}: stored in the wrong case (the entry says NK-LH)"
        in result.stdout
    )


def test_a_flipped_byte_in_an_encrypted_ledger(target_for: Callable[..., Target]) -> None:
    from eventsourcing.cryptography import AESCipher

    target = target_for(AESCipher.create_key(32))
    target.import_(LILLA)
    assert target.verify().exit_code == 0
    table = target.table()
    row = table.row(target.case_id("NK-LH"), 7)
    assert b"NK-LH" not in row.state
    middle = len(row.state) // 2
    table.set_state(
        row, row.state[:middle] + bytes([row.state[middle] ^ 1]) + row.state[middle + 1 :]
    )
    result = target.verify()
    assert result.exit_code == 1
    assert first_line(result).startswith("NK-LH#7: undecodable state")


# ---- events removed ----


def test_a_deleted_middle_event(target: Target) -> None:
    table = target.table()
    table.delete(table.row(target.case_id("NK-LH"), 5))
    result = target.verify()
    assert result.exit_code == 1
    assert first_line(result) == "NK-LH#5: missing seq 5 (gap)"


def test_the_last_events_deleted_after_a_checkpoint(target: Target) -> None:
    target.checkpoint()
    table = target.table()
    rows = [r for r in table.rows() if r.topic == Case.EntryRecorded.TOPIC]
    for row in rows[-2:]:
        table.delete(row)
    # The chains alone cannot see a cut-off end; the ledger keeps its checkpoints, so verify
    # will not go on without the key to check them.
    unchecked = target.run("verify")
    assert unchecked.exit_code == 2 and "--verifier-key" in unchecked.output
    result = target.verify()
    assert result.exit_code == 1
    assert first_line(result) == (
        f"entry {TOTAL - 1}: tree no longer consistent with checkpoint of size {TOTAL}: the "
        f"ledger has {TOTAL - 2} entries (entries {TOTAL - 1}–{TOTAL} are missing)"
    )


def test_a_last_event_deleted_and_recorded_again_after_a_checkpoint(target: Target) -> None:
    target.checkpoint()
    table = target.table()
    entries = [r for r in table.rows() if r.topic == Case.EntryRecorded.TOPIC]
    table.delete(entries[-1])
    target.import_(LILLA, ASTORP)  # stores the missing entry again, with a new recorded_at
    assert len([r for r in table.rows() if r.topic == Case.EntryRecorded.TOPIC]) == TOTAL
    result = target.verify()
    assert result.exit_code == 1
    # The leaves kept beside the checkpoint name the entry stored again, not an untouched one.
    assert first_line(result) == (
        f"AS-2020#{ASTORP_ENTRIES}: tree no longer consistent with checkpoint of size {TOTAL} "
        "(root mismatch); the first entry that differs from what the checkpoint covered"
    )


# ---- events reordered ----


def test_two_events_with_swapped_states(target: Target) -> None:
    table = target.table()
    second = table.row(target.case_id("NK-LH"), 2)
    third = table.row(target.case_id("NK-LH"), 3)
    table.set_state(second, third.state)
    table.set_state(third, second.state)
    result = target.verify()
    assert result.exit_code == 1
    assert first_line(result) == "NK-LH#2: reordered (holds the content of #3)"
    assert "NK-LH#3: reordered (holds the content of #2)" in result.stdout


def test_two_events_with_swapped_versions(target: Target) -> None:
    table = target.table()
    second = table.row(target.case_id("NK-LH"), 2)
    third = table.row(target.case_id("NK-LH"), 3)
    table.set_version(second, 1000)
    table.set_version(third, 2)
    table.set_version(second, 3)
    result = target.verify()
    assert result.exit_code == 1
    assert first_line(result) == "NK-LH#3: reordered (stored before #2)"
    assert "NK-LH#2: reordered (stored after #3)" in result.stdout


# ---- the whole ledger replaced ----


def rebuilt_rows(tmp_path: Path) -> list[Row]:
    """A second ledger from an edited copy of the input: every chain self-consistent."""
    edited = LILLA.read_text(encoding="utf-8").replace("hade abstinenssymtom.", "hade inga symtom.")
    assert edited != LILLA.read_text(encoding="utf-8")
    store = sqlite_store(str(tmp_path / "rebuilt.db"))
    ledger = CaseLedger(store)
    sources = [
        Source("edited.jsonl", edited.encode().splitlines()),
        Source("astorp.jsonl", ASTORP.read_bytes().splitlines()),
    ]
    import_sources(ledger, sources)
    ledger.close()
    return Table(store, "stored_events").rows()


def test_a_rebuilt_ledger_is_caught_by_the_checkpoint(target: Target) -> None:
    target.checkpoint()
    table = target.table()
    table.replace_all(rebuilt_rows(target.tmp))
    assert target.run("verify").exit_code == 0  # self-consistent chains: only a checkpoint tells
    result = target.verify()
    assert result.exit_code == 1
    first = first_line(result)
    assert first.endswith(
        f": tree no longer consistent with checkpoint of size {TOTAL} (root mismatch)"
    )
    assert first.split(":")[0] in ("NK-LH#1", "AS-2020#1")


def test_a_later_checkpoint_narrows_down_where_the_ledger_changed(
    target_for: Callable[..., Target],
) -> None:
    target = target_for()
    target.import_(ASTORP)
    target.checkpoint()
    target.import_(LILLA)
    target.checkpoint()
    table = target.table()
    row = table.row(target.case_id("NK-LH"), LILLA_ENTRIES)
    edited = edit_state(row.state, hash=entry_hash({"forged": True}))
    table.set_state(row, edited)
    result = target.verify()
    assert result.exit_code == 1
    assert first_line(result) == f"NK-LH#{LILLA_ENTRIES}: hash mismatch"
    assert (
        f"NK-LH#{LILLA_ENTRIES}: tree no longer consistent with checkpoint of size {TOTAL} "
        "(root mismatch); the first entry that differs from what the checkpoint covered"
    ) in result.stdout


# ---- a checkpoint in a third party's hands ----


def test_a_third_party_holding_a_checkpoint_checks_that_the_ledger_only_grew(
    target_for: Callable[..., Target],
) -> None:
    target = target_for()
    target.import_(LILLA)
    handed_over = target.checkpoint()  # the note text ...
    verifier_key = Path(target.key + ".pub").read_text()  # ... and the verifier key

    old = parse_checkpoint(verify_note(handed_over, verifier_key))
    assert old.size == LILLA_ENTRIES

    target.import_(ASTORP)
    newer = target.checkpoint()
    ledger = target.ledger()
    proof = prove_consistency(ledger, old.size)
    ledger.close()

    new = parse_checkpoint(verify_note(newer, verifier_key))
    assert (new.size, new.root) == (proof.new_size, proof.new_root) and new.size == TOTAL
    assert merkle.verify_consistency(old.size, new.size, old.root, new.root, proof.path)
    assert [n.text for n in read_log(target.log)] == [handed_over, newer]

    # The last entry is then rewritten, hash and all: no proof can satisfy the third party.
    rewrite(target, "NK-LH", LILLA_ENTRIES, summary="rewritten")
    ledger = target.ledger()
    forged = prove_consistency(ledger, old.size)
    ledger.close()
    assert not merkle.verify_consistency(
        old.size, forged.new_size, old.root, forged.new_root, forged.path
    )


# ---- every row accounted for: alias topics, rows outside the tree, moved ciphertext ----
#
# eventsourcing resolves any `module:qualname` topic, so a row stored under
# `ledger.case:Case.EntryRecorded` decoded as an entry although `verify`, the Merkle tree and
# checkpoints read only the exact topic `ledger:EntryRecorded`. With encryption on and no
# key, another case's ciphertext copied into NK-LH as seq 29 under that alias made `show
# NK-LH#29` print the other child's entry while `verify` said "intact".

ALIAS = "ledger.case:Case.EntryRecorded"


def insert(table: Table, row: Row) -> None:
    table.sql(
        "INSERT INTO {t} (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
        table._id(row.originator_id),
        row.version,
        row.topic,
        row.state,
    )


def prepared(target_for: Callable[..., Target], encrypted: bool) -> Target:
    target = target_for(AESCipher.create_key(32) if encrypted else None)
    target.import_(LILLA, ASTORP)
    target.checkpoint()
    assert target.verify().exit_code == 0
    return target


# The seq after NK-LH's last entry: where a forged row is appended.
NEXT = LILLA_ENTRIES + 1
FORGED = f"NK-LH#{NEXT}"


def copy_into_nk_lh(target: Target, topic: str) -> None:
    """The attack: AS-2020's entry #3, ciphertext and all, becomes NK-LH's next entry."""
    table = target.table()
    source = table.row(target.case_id("AS-2020"), 3)
    insert(table, Row(0, target.case_id("NK-LH"), NEXT, topic, source.state))


def assert_refused_to_show(target: Target) -> None:
    for args in (["show", FORGED], ["timeline", "NK-LH"], ["check", "NK-LH"]):
        shown = target.run("--user", "t", *args)
        assert shown.exit_code == 1, (args, shown.output)
        assert shown.output.lower().startswith("error: ") and shown.output.count("\n") == 1
        assert FORGED in shown.output, shown.output
        assert "AS-2020" not in shown.output and "moved-home" not in shown.output


@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "clear"])
def test_a_row_under_an_alias_topic_is_refused_and_reported(
    target_for: Callable[..., Target], encrypted: bool
) -> None:
    target = prepared(target_for, encrypted)
    copy_into_nk_lh(target, ALIAS)
    assert_refused_to_show(target)
    result = target.verify()
    assert result.exit_code == 1, result.output
    assert first_line(result).startswith(f"{FORGED}: "), result.output
    assert ALIAS in first_line(result)


def test_another_cases_ciphertext_under_the_exact_topic_does_not_decrypt(
    target_for: Callable[..., Target],
) -> None:
    target = prepared(target_for, encrypted=True)
    copy_into_nk_lh(target, Case.EntryRecorded.TOPIC)
    assert_refused_to_show(target)
    result = target.verify()
    assert result.exit_code == 1
    assert first_line(result).startswith(f"{FORGED}: undecodable state"), result.output


def test_a_ciphertext_moved_to_another_seq_of_its_own_case_does_not_decrypt(
    target_for: Callable[..., Target],
) -> None:
    """Two encrypted entries of one case swapped: each is bound to its own place."""
    target = prepared(target_for, encrypted=True)
    table = target.table()
    nk = target.case_id("NK-LH")
    third, fourth = table.row(nk, 3), table.row(nk, 4)
    table.set_state(third, fourth.state)
    table.set_state(fourth, third.state)
    result = target.verify()
    assert result.exit_code == 1
    assert first_line(result).startswith("NK-LH#3: undecodable state"), result.output


@pytest.mark.parametrize("topic", ["ledger:Something", "ledger:AccessRecorded", ALIAS])
def test_verify_reports_rows_of_unknown_topics_and_streams(
    target_for: Callable[..., Target], topic: str
) -> None:
    """A row in a stream that is no case, under a topic the ledger does not write (or one it
    does, in the wrong stream): named by its stream and version."""
    target = prepared(target_for, encrypted=False)
    table = target.table()
    source = table.row(target.case_id("AS-2020"), 2)
    stray = Row(0, target.case_id("NO-SUCH-CASE"), 7, topic, source.state)
    insert(table, stray)
    result = target.verify()
    assert result.exit_code == 1, result.output
    assert f"case {stray.originator_id}#7" in result.stdout, result.output


def test_a_ledger_written_without_row_binding_still_reads_and_verifies(
    target_for: Callable[..., Target],
) -> None:
    """Rows encrypted before ciphertext was bound to its row (eventsourcing's own mapper
    and cipher, no associated data) still read and verify."""
    key = AESCipher.create_key(32)
    target = target_for(key)
    target.import_(LILLA)
    ledger = CaseLedger(target.store)
    try:
        env = type("Env", (), {"get": lambda self, name, default=None: key})()
        legacy = Mapper(ledger.mapper.transcoder, cipher=AESCipher(env))  # type: ignore[arg-type]
        table = target.table()
        for row in table.rows():
            event = ledger.mapper.to_domain_event(
                StoredEvent(row.originator_id, row.version, row.topic, row.state)
            )
            table.set_state(row, legacy.to_stored_event(event).state)
        # Such a ledger had no case keys either (ledger/case_keys.py): its entries are sealed
        # with the ledger key alone.
        assert ledger.key_ring is not None
        for stream, _ in ledger.key_ring.table.every_row():
            ledger.key_ring.table.destroy(UUID(hex=stream))
    finally:
        ledger.close()
    assert target.verify().exit_code == 0
    shown = target.run("--user", "t", "show", "NK-LH#3")
    assert shown.exit_code == 0, shown.output


# ---- the access log anchored in every checkpoint ----
#
# Each access log is hash-chained, but deleting a case's newest read records, its whole log,
# or rewriting a user name with every later hash recomputed left every chain whole and
# `verify` said "intact" with a signed checkpoint present.


def read_three_times(target: Target) -> None:
    for user in ("granskare A", "granskare B", "granskare C"):
        assert target.run("--user", user, "show", "NK-LH#1").exit_code == 0


def access_rows(target: Target, key: str) -> list[Row]:
    from ledger.access import ACCESS_TOPIC, access_log_id

    ledger = target.ledger()
    try:
        log_id = access_log_id(ledger, key)
    finally:
        ledger.close()
    rows = [r for r in target.table().rows() if r.topic == ACCESS_TOPIC]
    return [r for r in rows if r.originator_id == log_id]


def checkpointed_reads(target_for: Callable[..., Target]) -> Target:
    target = target_for()
    target.import_(LILLA)
    read_three_times(target)
    target.checkpoint()
    assert target.verify().exit_code == 0
    return target


def assert_access_tampering_found(target: Target) -> None:
    result = target.verify()
    assert result.exit_code == 1, result.output
    assert "access" in first_line(result), result.output
    assert "1 checkpoint consistent" not in result.stdout


def test_deleting_the_newest_read_records_is_found(target_for: Callable[..., Target]) -> None:
    target = checkpointed_reads(target_for)
    table = target.table()
    for row in access_rows(target, "NK-LH")[-2:]:
        table.delete(row)
    assert_access_tampering_found(target)


def test_deleting_a_cases_whole_access_log_is_found(target_for: Callable[..., Target]) -> None:
    target = checkpointed_reads(target_for)
    table = target.table()
    for row in access_rows(target, "NK-LH"):
        table.delete(row)
    assert_access_tampering_found(target)


def test_a_rewritten_user_with_recomputed_hashes_is_found(
    target_for: Callable[..., Target],
) -> None:
    target = checkpointed_reads(target_for)
    table = target.table()
    ledger = target.ledger()
    try:
        prev_hash = None
        for row in access_rows(target, "NK-LH"):
            stored = StoredEvent(row.originator_id, row.version, row.topic, row.state)
            record = ledger.mapper.to_domain_event(stored)
            if record.user == "granskare B":  # type: ignore[attr-defined]
                record.__dict__["user"] = "granskare A"
            if prev_hash is not None:
                record.__dict__["prev_hash"] = prev_hash
            record.__dict__["hash"] = entry_hash(record.hashed_payload())  # type: ignore[attr-defined]
            prev_hash = record.hash  # type: ignore[attr-defined]
            table.set_state(row, ledger.mapper.to_stored_event(record).state)
    finally:
        ledger.close()
    # Every chain is whole again: only the checkpoint can tell.
    assert_access_tampering_found(target)


def test_reads_after_a_checkpoint_keep_the_ledger_intact(
    target_for: Callable[..., Target],
) -> None:
    target = checkpointed_reads(target_for)
    read_three_times(target)
    target.checkpoint()
    read_three_times(target)
    result = target.verify()
    assert result.exit_code == 0, result.output
    assert "2 checkpoints consistent" in result.stdout


def test_a_checkpoint_made_before_access_records_were_anchored_still_verifies(
    target_for: Callable[..., Target],
) -> None:
    """Older checkpoints hold no access line: they vouch for the entries only."""
    from ledger.checkpoint import append_log, checkpoint_body, parse_signer, sign

    target = target_for()
    target.import_(LILLA)
    assert CliRunner().invoke(cli, ["keygen", "--key", target.key]).exit_code == 0
    ledger = target.ledger()
    try:
        tree = merkle.Tree(
            merkle.leaf_hash(
                bytes.fromhex(r.originator_id.hex)
                + r.version.to_bytes(8, "big")
                + bytes.fromhex(
                    ledger.mapper.to_domain_event(
                        StoredEvent(r.originator_id, r.version, r.topic, r.state)
                    ).hash
                )  # type: ignore[attr-defined]
            )
            for r in target.table().rows()
            if r.topic == Case.EntryRecorded.TOPIC
        )
    finally:
        ledger.close()
    signer = parse_signer(Path(target.key).read_text().strip())
    append_log(target.log, sign(checkpoint_body(signer.name, tree.size, tree.root()), signer))
    result = target.verify()
    assert result.exit_code == 0, result.output
    assert "1 checkpoint consistent" in result.stdout


def test_a_malformed_access_line_makes_the_checkpoint_invalid(
    target_for: Callable[..., Target],
) -> None:
    from ledger.checkpoint import append_log, checkpoint_body, parse_signer, sign

    target = target_for()
    target.import_(LILLA)
    target.checkpoint()
    (note,) = read_log(target.log)
    signer = parse_signer(Path(target.key).read_text().strip())
    checkpoint = parse_checkpoint(verify_note(note.text, signer.verifier()))
    body = checkpoint_body(checkpoint.origin, checkpoint.size, checkpoint.root, ("access 1 x",))
    append_log(target.log, sign(body, signer))
    result = target.verify()
    assert result.exit_code == 1
    assert "checkpoint 2 of the log is not valid: malformed access line" in result.stdout


# ---- checkpoints kept in the ledger as well as in the exported log ----
#
# Deleting or emptying the checkpoints file made `verify --verifier-key` say intact after
# the newest entries were deleted.


def cut_the_tail(target: Target) -> None:
    table = target.table()
    for row in [r for r in table.rows() if r.topic == Case.EntryRecorded.TOPIC][-2:]:
        table.delete(row)


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_tail_deletion_is_found_when_the_checkpoints_file_is_gone(
    target: Target, how: str
) -> None:
    target.checkpoint()
    cut_the_tail(target)
    args = ["verify", "--verifier-key", target.key + ".pub"]
    if how == "deleted":
        Path(target.log).unlink()
    else:
        Path(target.log).write_text("")
        args += ["--checkpoints", target.log]
    result = target.run(*args)
    assert result.exit_code == 1, result.output
    assert f"tree no longer consistent with checkpoint of size {TOTAL}" in result.stdout
    if how == "emptied":
        assert "missing from the checkpoints log (deleted or emptied)" in result.stdout


def test_checkpoints_deleted_from_the_database_are_found(
    target_for: Callable[..., Target],
) -> None:
    from ledger.custody import CHECKPOINT_TOPIC

    target = target_for()
    target.import_(LILLA)
    target.checkpoint()
    target.import_(ASTORP)
    target.checkpoint()
    table = target.table()
    newest = [r for r in table.rows() if r.topic == CHECKPOINT_TOPIC][-1]
    table.delete(newest)
    result = target.verify()
    assert result.exit_code == 1, result.output
    assert "not in the ledger's copy (deleted from the database)" in result.stdout


def test_without_any_checkpoint_verify_says_a_tail_deletion_cannot_be_detected(
    target: Target,
) -> None:
    result = target.verify()
    assert result.exit_code == 0
    assert "no checkpoints" in result.stdout
    assert "deleting the newest entries cannot be detected" in result.stdout


def test_a_log_from_before_the_ledger_kept_copies_verifies_and_is_copied(
    target: Target,
) -> None:
    from ledger.custody import CHECKPOINT_TOPIC

    target.checkpoint()
    table = target.table()
    for row in table.rows():
        if row.topic == CHECKPOINT_TOPIC:
            table.delete(row)  # as a ledger checkpointed by an earlier version stands
    assert target.verify().exit_code == 0
    target.import_(LILLA)
    target.checkpoint()  # unchanged tree: nothing appended, but the old note is copied
    kept = [r for r in table.rows() if r.topic == CHECKPOINT_TOPIC]
    assert len(kept) == len(read_log(target.log)) == 1
    assert target.verify().exit_code == 0


def test_a_third_partys_checkpoint_finds_what_both_copies_lost(
    target: Target, tmp_path: Path
) -> None:
    from ledger.custody import CHECKPOINT_TOPIC

    target.checkpoint()
    theirs = tmp_path / "reviewer.checkpoints"
    theirs.write_text(Path(target.log).read_text())  # handed to a reviewer
    cut_the_tail(target)
    table = target.table()
    for row in table.rows():
        if row.topic == CHECKPOINT_TOPIC:
            table.delete(row)
    Path(target.log).unlink()
    key = ["--verifier-key", target.key + ".pub"]
    fooled = target.run("verify", *key)
    assert fooled.exit_code == 0 and "cannot be detected" in fooled.stdout
    result = target.run("verify", *key, "--against", str(theirs))
    assert result.exit_code == 1, result.output
    assert first_line(result).startswith(
        f"{theirs} checkpoint 1: tree no longer consistent with checkpoint of size {TOTAL}"
    )
    assert "0 of 1 checkpoints given with --against consistent" in result.stdout
    missing = target.run("verify", *key, "--against", str(tmp_path / "none"))
    assert missing.exit_code == 2


def test_postgres_checkpoints_log_is_per_database_not_the_working_directory(
    postgres_schema: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    state = tmp_path / "state"
    env = {name: "" for name in ENVIRONMENT} | {"XDG_STATE_HOME": str(state)}
    key = str(tmp_path / "k.key")
    assert CliRunner().invoke(cli, ["keygen", "--key", key]).exit_code == 0
    written = []
    for schema in (postgres_schema, None):
        db = f"{POSTGRES_URL}?schema={schema}" if schema else None
        if db is None:  # a second database: another schema of the same server
            other = f"{postgres_schema}_b"
            with postgres_connection(postgres_store(POSTGRES_URL)) as conn:
                conn.execute(f'CREATE SCHEMA "{other}"')
            db = f"{POSTGRES_URL}?schema={other}"
        try:
            run = lambda *a, db=db: CliRunner().invoke(cli, ["--db", db, *a], env=env)  # noqa: E731
            assert run("import", "-q", str(LILLA)).exit_code == 0
            made = run("checkpoint", "--key", key)
            assert made.exit_code == 0, made.output
            written.append(sorted(p.name for p in (state / "ledger").iterdir()))
            assert run("verify", "--verifier-key", key + ".pub").exit_code == 0
        finally:
            if schema is None:
                with postgres_connection(postgres_store(POSTGRES_URL)) as conn:
                    conn.execute(f'DROP SCHEMA "{postgres_schema}_b" CASCADE')
    assert not list(tmp_path.glob("*.checkpoints"))  # nothing in the working directory
    assert len(written[0]) == 1 and len(written[1]) == 2  # one log per database


# ---- clocks ----


def test_a_back_dated_newest_entry_is_reported(target: Target) -> None:
    """The newest entry's recorded_at rewritten into the past, its hash recomputed (nothing
    follows it in its case to break): its case's previous entry was recorded later, which
    cannot be, so verify names it and checkpoint signs nothing."""
    ledger = target.ledger()
    last = len(ledger.history("NK-LH"))
    ledger.close()
    back = datetime(2020, 1, 1, tzinfo=UTC)
    rewrite(target, "NK-LH", last, timestamp=back)
    result = target.verify()
    assert result.exit_code == 1
    assert first_line(result).startswith(
        f"NK-LH#{last}: recorded_at 2020-01-01T00:00:00+00:00 is before that of #{last - 1}"
    )
    assert CliRunner().invoke(cli, ["keygen", "--key", target.key]).exit_code == 0
    refused = target.run("checkpoint", "--key", target.key, "--checkpoints", target.log)
    assert refused.exit_code == 1 and "back-dated" in refused.output
