"""Crypto-shredding (issue 13, deliverable 13): each case sealed with a key of its own, and
`ledger erase` destroying it after the retention, recorded, with every proof still holding.

On SQLite and PostgreSQL (when LEDGER_TEST_DATABASE_URL is set).
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cli.main import cli
from ledger.application import CaseLedger
from ledger.case_keys import KeyRing
from ledger.erasure import (
    ERASURE_TOPIC,
    CaseErased,
    ErasureRefused,
    add_years,
    erase_case,
    retention,
)
from ledger.integrity import verify_ledger
from ledger.rows import row_place
from ledger.storage import resolve_store
from tests.conftest import EXAMPLES, LILLA_ENTRIES, POSTGRES_URL, postgres_connection

KINDS = ["sqlite", "postgres"]
EXAMPLE_FILES = [str(EXAMPLES / "lilla-hjartat.jsonl"), str(EXAMPLES / "astorp.jsonl")]
ERASURE_SEQ = LILLA_ENTRIES + 1  # the erasure record follows the case's last entry
ENTRY_ROWS = "SELECT count(*) FROM stored_events WHERE topic <> 'ledger:AccessRecorded'"


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def key() -> str:
    return new_key()


@pytest.fixture(params=KINDS)
def db(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in ("LEDGER_DB", "LEDGER_DATABASE_URL", "LEDGER_CIPHER_KEY", "LEDGER_CHECKPOINTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    if request.param == "sqlite":
        return str(tmp_path / "ledger.db")
    schema = request.getfixturevalue("postgres_schema")
    return f"{POSTGRES_URL}?schema={schema}"


def run(db: str | None, *args: str, key: str | None = None, lang: str = "en") -> Any:
    prefix = ["--db", db] if db else []
    env = {"LEDGER_USER": "arkivarie A", "LEDGER_CIPHER_KEY": key, "LEDGER_LANG": lang}
    return CliRunner().invoke(cli, [*prefix, *args], env=env)


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return result


def one_line_error(result: Any, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def open_ledger(db: str, key: str | None) -> CaseLedger:
    env = {"LEDGER_CIPHER_KEY": key} if key else {}
    return CaseLedger(resolve_store(db, env))


def sql(db: str, statement: str, *parameters: Any) -> list[tuple[Any, ...]]:
    """Run SQL behind the ledger's back (an attacker with write access, no key); the event
    table is called `stored_events` on both stores here."""
    if db.startswith("postgresql://"):
        statement = statement.replace("stored_events", "ledger_events")
        from ledger.storage import postgres_store

        store = postgres_store(db)
        schema = store.settings["POSTGRES_SCHEMA"]
        with postgres_connection(store) as conn:
            conn.execute(f'SET search_path TO "{schema}"')
            cursor = conn.execute(statement.replace("?", "%s"), parameters)
            return cursor.fetchall() if cursor.description else []
    conn = sqlite3.connect(db)
    try:
        found = conn.execute(statement, parameters).fetchall()
        conn.commit()
        return found
    finally:
        conn.close()


def filled(db: str, key: str, tmp_path: Path) -> str:
    """The two example cases, a signed checkpoint and a proof of NK-LH#3 made before any
    erasure; returns the verifier key file."""
    ok(run(db, "import", "-q", *EXAMPLE_FILES, key=key))
    signing = tmp_path / "signing.key"
    ok(run(None, "keygen", "--name", "test-ledger", "--key", str(signing)))
    ok(run(db, "checkpoint", "--key", str(signing), key=key))
    ok(run(db, "prove", "NK-LH#3", "-o", str(tmp_path / "before.proof.json"), key=key))
    return str(signing) + ".pub"


def erase_nk_lh(db: str, key: str) -> Any:
    return ok(
        run(db, "erase", "NK-LH", "--reason", "gallring (test)", "--before-retention", key=key)
    )


# ---- one key per case ----


def test_each_case_is_sealed_with_a_key_of_its_own(db: str, key: str) -> None:
    ok(run(db, "import", "-q", *EXAMPLE_FILES, key=key))
    ledger = open_ledger(db, key)
    try:
        ring = ledger.key_ring
        assert ring is not None
        assert len(ring.table.every_row()) == 2  # NK-LH and AS-2020
        stored = ledger.recorder.select_events(ledger.case_id("NK-LH"), limit=1)[0]
        place = row_place(stored.originator_id, 1, stored.topic).data
        state = bytes(stored.state)
        nonce, tag, body = state[:12], state[12:28], state[28:]
        with pytest.raises(InvalidTag):  # not the ledger key
            AESGCM(base64.b64decode(key)).decrypt(nonce, body + tag, place)
        case_key = ring.key(ledger.case_id("NK-LH"))
        other_key = ring.key(ledger.case_id("AS-2020"))
        assert case_key is not None and other_key is not None and case_key != other_key
        assert AESGCM(case_key).decrypt(nonce, body + tag, place)  # its own key opens it
    finally:
        ledger.close()


def test_a_wrapped_key_moved_to_another_case_does_not_open_it(db: str, key: str) -> None:
    ok(run(db, "import", "-q", *EXAMPLE_FILES, key=key))
    ok(run(db, "record", "X-1", "NoteRecorded", "--occurred", "2020", "--field", "text=x", key=key))
    ledger = open_ledger(db, key)
    try:
        first, second = ledger.case_id("NK-LH").hex, ledger.case_id("AS-2020").hex
    finally:
        ledger.close()
    [(a,)] = sql(db, "SELECT wrapped FROM ledger_case_keys WHERE stream = ?", first)
    [(b,)] = sql(db, "SELECT wrapped FROM ledger_case_keys WHERE stream = ?", second)
    sql(db, "UPDATE ledger_case_keys SET wrapped = ? WHERE stream = ?", bytes(b), first)
    sql(db, "UPDATE ledger_case_keys SET wrapped = ? WHERE stream = ?", bytes(a), second)
    line = one_line_error(run(db, "timeline", "NK-LH", key=key), code=1)
    assert "NK-LH#1" in line
    assert run(db, "verify", key=key).exit_code == 1


def test_a_dry_run_import_stores_no_key(db: str, key: str) -> None:
    ok(run(db, "init", key=key))
    ok(run(db, "import", "--dry-run", *EXAMPLE_FILES, key=key))
    assert sql(db, "SELECT count(*) FROM ledger_case_keys")[0][0] == 0


# ---- when a case may be erased ----


def _entry(recorded: datetime, known: str | None = None, type: str = "NoteRecorded") -> Any:
    return SimpleNamespace(timestamp=recorded, known=known, type=type)


def test_retention_ends_five_years_after_the_last_note() -> None:
    early = datetime(2019, 3, 1, 12, tzinfo=UTC)
    last = datetime(2020, 2, 29, 9, tzinfo=UTC)
    kept = retention([_entry(early), _entry(last)])
    assert kept.last_note == last
    assert kept.ends == datetime(2025, 3, 1, 9, tzinfo=UTC)  # 29 February: the day after
    assert kept.refusal(kept.ends - timedelta(seconds=1)) is not None
    assert kept.refusal(kept.ends) is None
    # A note the social services knew later than the ledger recorded it counts from then.
    later = retention([_entry(early, known="2021-06")])
    assert later.last_note == datetime(2021, 6, 30, 22, tzinfo=UTC)  # end of June, Stockholm
    # SoL 12:2: a placed child's documents are not culled, whenever.
    placed = retention([_entry(early, type="PlacementStarted")])
    assert "12 kap. 2 §" in (placed.refusal(add_years(early, 50)) or "")


def test_erase_refuses_an_unencrypted_ledger(db: str) -> None:
    ok(run(db, "import", "-q", *EXAMPLE_FILES))
    before = sql(db, ENTRY_ROWS)
    line = one_line_error(run(db, "erase", "AS-2020", "--reason", "gallring"))
    assert "only an encrypted ledger can be erased" in line
    assert sql(db, ENTRY_ROWS) == before
    ok(run(db, "timeline", "AS-2020"))


def test_erase_before_the_retention_is_refused_and_changes_nothing(db: str, key: str) -> None:
    ok(run(db, "import", "-q", *EXAMPLE_FILES, key=key))
    rows = sql(db, ENTRY_ROWS)
    line = one_line_error(run(db, "erase", "AS-2020", "--reason", "gallring", key=key))
    assert "retention" in line and "--before-retention" in line
    line = one_line_error(run(db, "erase", "NK-LH", "--reason", "gallring", key=key))
    assert "12 kap. 2 §" in line  # a placed child
    assert sql(db, ENTRY_ROWS) == rows
    assert sql(db, "SELECT count(*) FROM ledger_case_keys")[0][0] == 2
    ok(run(db, "timeline", "AS-2020", key=key))


def test_erase_after_the_retention_needs_no_override(db: str, key: str) -> None:
    ok(run(db, "import", "-q", *EXAMPLE_FILES, key=key))
    ledger = open_ledger(db, key)
    try:
        ends = retention(ledger.history("AS-2020")).ends
        with pytest.raises(ErasureRefused):
            erase_case(
                ledger,
                "AS-2020",
                user="arkivarie A",
                reason="gallring",
                now=ends - timedelta(days=1),
            )
        done = erase_case(ledger, "AS-2020", user="arkivarie A", reason="gallring", now=ends)
        assert done.outcome == "erased" and not done.erased.before_retention
        with pytest.raises(CaseErased):
            ledger.history("AS-2020")
    finally:
        ledger.close()


# ---- an erased case ----


def test_an_erased_case_is_recorded_and_read_as_erased(db: str, key: str, tmp_path: Path) -> None:
    filled(db, key, tmp_path)
    erased = erase_nk_lh(db, key)
    assert "NK-LH erased on " in erased.output and f"{LILLA_ENTRIES} entries" in erased.output
    # Who, when, why: in the record (sealed with the ledger key, in the tree).
    ledger = open_ledger(db, key)
    try:
        record = ledger.recorder.select_events(ledger.case_id("NK-LH"), desc=True, limit=1)[0]
        assert record.topic == ERASURE_TOPIC and record.originator_version == ERASURE_SEQ
        event = ledger.mapper.to_domain_event(record)
        assert (event.user, event.reason, event.before_retention) == (
            "arkivarie A",
            "gallring (test)",
            True,
        )
        assert len(event.rows) == LILLA_ENTRIES
    finally:
        ledger.close()
    for command in (
        ["timeline", "NK-LH"],
        ["show", "NK-LH#3"],
        ["check", "NK-LH"],
        ["known", "NK-LH", "--at", "2020"],
        ["decisions", "NK-LH"],
        ["gaps", "NK-LH"],
        ["report", "NK-LH", "-o", str(tmp_path / "nk-lh.html")],
        ["record", "NK-LH", "NoteRecorded", "--occurred", "2020-01-08", "--field", "text=x"],
    ):
        line = one_line_error(run(db, *command, key=key))
        assert "NK-LH was erased on" in line and "unreadable by design" in line, command
    assert not (tmp_path / "nk-lh.html").exists()
    swedish = one_line_error(run(db, "timeline", "NK-LH", key=key, lang="sv"))
    assert "raderades" in swedish
    # Nothing was added to it, and the other case reads as before.
    assert (
        sql(db, "SELECT max(originator_version) FROM stored_events WHERE topic = ?", ERASURE_TOPIC)[
            0
        ][0]
        == ERASURE_SEQ
    )
    ok(run(db, "timeline", "AS-2020", key=key))
    cases = ok(run(db, "cases", key=key)).output
    assert "NK-LH: erased on" in cases and "AS-2020" in cases
    listed = json.loads(ok(run(db, "cases", "--format", "json", key=key)).output)
    assert [c["case"] for c in listed["cases"]] == ["AS-2020"]
    assert [(e["case"], e["entries"]) for e in listed["erased"]] == [("NK-LH", LILLA_ENTRIES)]
    # Running it again says so and changes nothing.
    again = ok(run(db, "erase", "NK-LH", "--reason", "x", "--before-retention", key=key))
    assert "already erased" in again.output


def test_an_erased_case_verifies_and_every_proof_holds(db: str, key: str, tmp_path: Path) -> None:
    verifier = filled(db, key, tmp_path)
    ok(run(db, "check", "--all", key=key))  # kept rule results of both cases
    erase_nk_lh(db, key)
    assert "NK-LH" not in ok(run(db, "check", "--all", "--format", "json", key=key)).output
    verified = ok(run(db, "verify", "--verifier-key", verifier, key=key)).output
    assert "NK-LH: erased on" in verified and "unreadable by design" in verified
    assert "intact:" in verified and "1 checkpoint consistent" in verified
    report = json.loads(
        ok(run(db, "verify", "--verifier-key", verifier, "--format", "json", key=key)).output
    )
    assert report["intact"] and [e["case"] for e in report["erased"]] == ["NK-LH"]
    # A checkpoint after the erasure covers the record; the one before still holds.
    signing = verifier.removesuffix(".pub")
    ok(run(db, "checkpoint", "--key", signing, key=key))
    assert (
        "2 checkpoints consistent"
        in ok(run(db, "verify", "--verifier-key", verifier, key=key)).output
    )
    # The proof handed on before still holds (offline); the erasure record can be proved.
    ok(run(None, "verify-proof", str(tmp_path / "before.proof.json"), "--verifier-key", verifier))
    record_proof = str(tmp_path / "erasure.proof.json")
    ok(run(db, "prove", f"NK-LH#{ERASURE_SEQ}", "-o", record_proof, key=key))
    ok(run(None, "verify-proof", record_proof, "--verifier-key", verifier))
    line = one_line_error(run(db, "prove", "NK-LH#3", "-o", str(tmp_path / "x.json"), key=key))
    assert "erased" in line and "proofs made before still hold" in line
    ok(run(db, "reindex", key=key))
    ok(run(db, "verify", "--verifier-key", verifier, key=key))


def test_tampering_with_an_erased_case_is_found(db: str, key: str, tmp_path: Path) -> None:
    verifier = filled(db, key, tmp_path)
    erase_nk_lh(db, key)
    ok(run(db, "checkpoint", "--key", verifier.removesuffix(".pub"), key=key))
    stream = sql(db, "SELECT originator_id FROM stored_events WHERE topic = ?", ERASURE_TOPIC)[0][0]
    (state,) = sql(
        db,
        "SELECT state FROM stored_events WHERE originator_id = ? AND originator_version = 3",
        stream,
    )[0]
    altered = bytes(state)[:-1] + bytes([bytes(state)[-1] ^ 1])
    sql(
        db,
        "UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = 3",
        altered,
        stream,
    )
    result = run(db, "verify", "--verifier-key", verifier, key=key)
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith("NK-LH#3: changed since the case was erased")
    sql(
        db,
        "UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = 3",
        bytes(state),
        stream,
    )
    ok(run(db, "verify", "--verifier-key", verifier, key=key))
    # Without its erasure record the case's entries open with no key, and the tree shrank.
    sql(db, "DELETE FROM stored_events WHERE topic = ?", ERASURE_TOPIC)
    result = run(db, "verify", "--verifier-key", verifier, key=key)
    assert result.exit_code == 1
    assert "undecodable state" in result.output.splitlines()[0]


def test_an_interrupted_erasure_is_finished_by_running_it_again(
    db: str, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(run(db, "import", "-q", *EXAMPLE_FILES, key=key))
    ledger = open_ledger(db, key)
    try:

        def killed(self: KeyRing, stream: Any) -> bool:
            raise KeyboardInterrupt

        with monkeypatch.context() as patch:
            patch.setattr(KeyRing, "destroy", killed)
            with pytest.raises(KeyboardInterrupt):
                erase_case(
                    ledger,
                    "AS-2020",
                    user="a",
                    reason="r",
                    now=datetime.now(UTC),
                    before_retention=True,
                )
        with pytest.raises(CaseErased):
            ledger.history("AS-2020")
        report = verify_ledger(ledger, [], None)
        assert any("key still exists" in p.what for p in report.problems)
    finally:
        ledger.close()
    finished = ok(run(db, "erase", "AS-2020", "--reason", "r", key=key))
    assert "finished now" in finished.output
    ok(run(db, "verify", key=key))


def test_no_copy_of_the_key_the_views_or_the_drafts_stays_in_the_sqlite_file(
    tmp_path: Path, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "ledger.db")
    ok(run(db, "import", "-q", *EXAMPLE_FILES, key=key))
    ok(run(db, "cases", key=key))  # the case index holds NK-LH's row
    ok(
        run(
            db, "draft", "import", str(EXAMPLES / "kronologi-nk-lh.csv"), "--case", "NK-LH", key=key
        )
    )
    drafts = [data for (data,) in sql(db, "SELECT data FROM ledger_drafts")]
    assert drafts
    ledger = open_ledger(db, key)
    try:
        stream = ledger.case_id("NK-LH").hex
    finally:
        ledger.close()
    (wrapped,) = sql(db, "SELECT wrapped FROM ledger_case_keys WHERE stream = ?", stream)[0]
    before = {row for (row,) in sql(db, "SELECT data FROM ledger_case_views")}
    erase_nk_lh(db, key)
    gone = before - {row for (row,) in sql(db, "SELECT data FROM ledger_case_views")}
    assert len(gone) == 1  # NK-LH's row in the case index
    files = [Path(db), *(Path(db + suffix) for suffix in ("-wal", "-journal"))]
    content = b"".join(path.read_bytes() for path in files if path.exists())
    assert bytes(wrapped) not in content
    assert gone.pop().encode()[:64] not in content
    assert sql(db, "SELECT count(*) FROM ledger_drafts")[0][0] == 0
    assert not any(draft.encode()[:64] in content for draft in drafts)


def test_a_case_stored_before_case_keys_cannot_be_erased_alone(
    tmp_path: Path, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "ledger.db")
    with monkeypatch.context() as before:  # a ledger written before cases had keys
        before.setattr(KeyRing, "prepare", lambda self, streams, **_: None)
        before.setattr(KeyRing, "key", lambda self, stream, create=False: None)
        ok(run(db, "import", "-q", *EXAMPLE_FILES, key=key))
    assert sql(db, "SELECT count(*) FROM ledger_case_keys")[0][0] == 0
    ok(run(db, "timeline", "AS-2020", key=key))
    ok(
        run(
            db,
            "record",
            "AS-2020",
            "NoteRecorded",
            "--occurred",
            "2020-07",
            "--field",
            "text=x",
            key=key,
        )
    )
    assert sql(db, "SELECT count(*) FROM ledger_case_keys")[0][0] == 0  # never a mix
    line = one_line_error(
        run(db, "erase", "AS-2020", "--reason", "r", "--before-retention", key=key)
    )
    assert "stored before cases had keys of their own" in line
    ok(run(db, "verify", key=key))


# ---- moving a ledger ----


@pytest.fixture
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    kind = request.param
    if kind == "sqlite":
        yield str(tmp_path / "target.db")
        return
    schema = request.getfixturevalue("postgres_schema")
    yield f"{POSTGRES_URL}?schema={schema}"


@pytest.mark.parametrize("target", ["sqlite", "postgres"], indirect=True)
def test_migration_carries_the_wrapped_keys_and_the_erasure(
    tmp_path: Path, key: str, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    source = str(tmp_path / "source.db")
    verifier = filled(source, key, tmp_path)
    erase_nk_lh(source, key)
    ok(
        run(
            source,
            "migrate",
            "--to",
            target,
            "--to-checkpoints",
            str(tmp_path / "t.checkpoints"),
            key=key,
        )
    )
    assert sql(source, "SELECT stream, wrapped FROM ledger_case_keys") == [
        (s, bytes(w)) for s, w in sql(target, "SELECT stream, wrapped FROM ledger_case_keys")
    ]
    verified = ok(
        run(
            target,
            "verify",
            "--verifier-key",
            verifier,
            "--checkpoints",
            str(tmp_path / "t.checkpoints"),
            key=key,
        )
    ).output
    assert "NK-LH: erased on" in verified
    ok(run(target, "timeline", "AS-2020", key=key))  # its key came along
    assert "was erased on" in one_line_error(run(target, "timeline", "NK-LH", key=key))
