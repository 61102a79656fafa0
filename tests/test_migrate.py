"""`ledger migrate` (issue 15, deliverable 5): a ledger copied to another store verbatim.

SQLite to PostgreSQL, PostgreSQL to SQLite and SQLite to SQLite, with encryption on and off:
the target holds the same rows in the same order byte for byte (entries with their
`recorded_at` and hashes, access records, ciphertext), the same drafts and checkpoints log,
its case index rebuilt, and `verify` passes on it with the source's tree root. A killed run
completes when run again; a target holding anything else is refused and left as it was.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from click.testing import CliRunner

from cli.main import cli
from ledger.application import CaseLedger
from ledger.storage import resolve_store
from tests.conftest import EXAMPLES, POSTGRES_URL, clean_env, program

KINDS = ["sqlite", "postgres"]
DIRECTIONS = [("sqlite", "postgres"), ("postgres", "sqlite"), ("sqlite", "sqlite")]


@pytest.fixture
def place(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """Makes a fresh store of a kind: an SQLite path in tmp_path or a PostgreSQL schema."""
    for name in ("LEDGER_DB", "LEDGER_DATABASE_URL", "LEDGER_CIPHER_KEY", "LEDGER_CHECKPOINTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    # A PostgreSQL ledger's checkpoints log lives in the user's state directory: the test's.
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    made: list[str] = []

    def make(kind: str, name: str) -> str:
        if kind == "sqlite":
            return str(tmp_path / f"{name}.db")
        if not POSTGRES_URL:
            pytest.skip("PostgreSQL tests need LEDGER_TEST_DATABASE_URL")
        schema = request.getfixturevalue("postgres_schema") if not made else _schema()
        made.append(schema)
        return f"{POSTGRES_URL}?schema={schema}"

    yield make
    for schema in made[1:]:
        _drop(schema)


def _schema() -> str:
    import uuid

    from tests.conftest import postgres_connection, postgres_store

    schema = f"ledger_test_{uuid.uuid4().hex[:12]}"
    with postgres_connection(postgres_store(POSTGRES_URL or "")) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return schema


def _drop(schema: str) -> None:
    from tests.conftest import postgres_connection, postgres_store

    with postgres_connection(postgres_store(POSTGRES_URL or "")) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def env_for(key: str | None) -> dict[str, str | None]:
    return {"LEDGER_USER": "granskare", "LEDGER_CIPHER_KEY": key, "LEDGER_LANG": "en"}


def ledger_cli(db: str | None, *args: str, key: str | None = None) -> Any:
    prefix = ["--db", db] if db else []
    return CliRunner().invoke(cli, [*prefix, *args], env=env_for(key))


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return result


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def fill(db: str, key: str | None, tmp_path: Path) -> str:
    """A source with entries of two cases, drafts, reads in the access log and a signed
    checkpoint; returns the verifier key file."""
    examples = [str(EXAMPLES / "lilla-hjartat.jsonl"), str(EXAMPLES / "astorp.jsonl")]
    ok(ledger_cli(db, "import", "-q", *examples, key=key))
    ok(
        ledger_cli(
            db, "draft", "import", str(EXAMPLES / "kronologi-nk-lh.csv"), "--case", "K", key=key
        )
    )
    ok(ledger_cli(db, "timeline", "NK-LH", key=key))
    signing = tmp_path / "signing.key"
    if not signing.exists():
        ok(ledger_cli(None, "keygen", "--name", "test-ledger", "--key", str(signing)))
    ok(ledger_cli(db, "checkpoint", "--key", str(signing), key=key))
    return str(signing) + ".pub"


def rows(db: str, key: str | None) -> list[tuple[Any, ...]]:
    """Every row of the event store in notification order, as it lies."""
    env = {"LEDGER_CIPHER_KEY": key} if key else {}
    ledger = CaseLedger(resolve_store(db, env))
    try:
        return [
            (n.originator_id, n.originator_version, n.topic, bytes(n.state))
            for page in ledger.notification_pages(None)
            for n in page
        ]
    finally:
        ledger.close()


def drafts(db: str, key: str | None) -> list[tuple[int, str, str]]:
    """Every row of the draft area, as it lies."""
    env = {"LEDGER_CIPHER_KEY": key} if key else {}
    ledger = CaseLedger(resolve_store(db, env))
    try:
        return list(ledger.drafts.every_row())
    finally:
        ledger.close()


def verified(db: str, pub: str, key: str | None) -> dict[str, Any]:
    report = json.loads(
        ok(ledger_cli(db, "verify", "--verifier-key", pub, "--format", "json", key=key)).stdout
    )
    assert report["intact"], report["problems"]
    return report


def timeline_json(db: str, case: str, key: str | None) -> dict[str, Any]:
    document = json.loads(ok(ledger_cli(db, "timeline", case, "--format", "json", key=key)).stdout)
    document.pop("generated_at")
    return document


def cases_json(db: str, key: str | None) -> list[Any]:
    return json.loads(ok(ledger_cli(db, "cases", "--format", "json", key=key)).stdout)["cases"]


@pytest.mark.parametrize("encrypted", [False, True], ids=["clear", "encrypted"])
@pytest.mark.parametrize(
    ("source_kind", "target_kind"), DIRECTIONS, ids=[f"{a}-to-{b}" for a, b in DIRECTIONS]
)
def test_a_ledger_moves_verbatim(
    place: Any, tmp_path: Path, source_kind: str, target_kind: str, encrypted: bool
) -> None:
    key = new_key() if encrypted else None
    source, target = place(source_kind, "source"), place(target_kind, "target")
    pub = fill(source, key, tmp_path)
    before = verified(source, pub, key)
    said = ok(ledger_cli(source, "verify", "--verifier-key", pub, key=key)).stdout
    assert said.endswith(
        "\ndrafts: 15 rows outside the chains and the tree by design "
        "(mutable until `ledger draft seal`)\n"
    )

    done = ok(
        ledger_cli(
            source, "migrate", "--to", target, "--to-checkpoints", "target.checkpoints", key=key
        )
    )

    assert "15 copied" in done.stdout and "1 copied to target.checkpoints" in done.stdout
    assert rows(target, key) == rows(source, key)  # the migration's own access record too
    topics = {row[2] for row in rows(target, key)}
    assert topics == {"ledger:EntryRecorded", "ledger:AccessRecorded", "ledger:CheckpointKept"}
    assert drafts(target, key) == drafts(source, key) and len(drafts(source, key)) == 15
    after = json.loads(
        ok(
            ledger_cli(
                target,
                "verify",
                "--verifier-key",
                pub,
                "--checkpoints",
                "target.checkpoints",
                "--format",
                "json",
                key=key,
            )
        ).stdout
    )
    assert after["intact"] and after["root"] == before["root"]
    assert after["entries"] == before["entries"] and after["checkpoints"][0]["consistent"]
    assert f"tree root {before['root']}" in done.stdout
    assert timeline_json(target, "NK-LH", key) == timeline_json(source, "NK-LH", key)
    assert cases_json(target, key) == cases_json(source, key)
    listed = json.loads(
        ok(ledger_cli(target, "draft", "list", "K", "--format", "json", key=key)).stdout
    )
    assert len(listed["drafts"]) == 15
    # New drafts on the target take ids after the copied ones.
    ok(
        ledger_cli(
            target,
            "draft",
            "import",
            str(EXAMPLES / "kronologi-nk-lh.csv"),
            "--case",
            "K2",
            key=key,
        )
    )
    new_ids = [d[0] for d in drafts(target, key)][15:]
    assert len(new_ids) == 15 and min(new_ids) > max(d[0] for d in drafts(source, key))
    log = json.loads(ok(ledger_cli(target, "access-log", "--format", "json", key=key)).stdout)
    assert "migrate" in [r["command"] for r in log["entries"]]


def test_the_ciphertext_is_the_sources_and_needs_the_key_and_the_summary_is_swedish(
    place: Any, tmp_path: Path
) -> None:
    key = new_key()
    source, target = place("sqlite", "source"), place("sqlite", "target")
    fill(source, key, tmp_path)
    swedish = CliRunner().invoke(
        cli, ["--db", source, "migrate", "--to", target], env={**env_for(key), "LEDGER_LANG": None}
    )
    assert swedish.exit_code == 0, swedish.output
    assert "flyttad till" in swedish.stdout and "utkast: 15 kopierade" in swedish.stdout
    without = ledger_cli(target, "timeline", "NK-LH", key=None)
    assert without.exit_code == 2 and "LEDGER_CIPHER_KEY" in without.output
    assert b"Norrk" not in Path(target).read_bytes()


def run_migrate(*args: str, key: str | None, **popen: Any) -> subprocess.Popen[str]:
    env = {**clean_env(), "LEDGER_USER": "granskare", "LEDGER_LANG": "en"}
    if key:
        env["LEDGER_CIPHER_KEY"] = key
    return subprocess.Popen(
        [*program(), "migrate", *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **popen,
    )


@pytest.mark.parametrize(
    ("source_kind", "target_kind", "encrypted"),
    [("sqlite", "postgres", True), ("postgres", "sqlite", False), ("sqlite", "sqlite", False)],
)
def test_a_killed_migration_completes_when_run_again(
    place: Any, tmp_path: Path, source_kind: str, target_kind: str, encrypted: bool
) -> None:
    key = new_key() if encrypted else None
    source, target = place(source_kind, "source"), place(target_kind, "target")
    generated = tmp_path / "generated.jsonl"
    ok(
        ledger_cli(
            None, "generate", "--cases", "12", "--events-per-case", "25", "-o", str(generated)
        )
    )
    ok(ledger_cli(source, "import", "-q", str(generated), key=key))
    pub = fill(source, key, tmp_path)
    total = len(rows(source, key))

    running = run_migrate("--from", source, "--to", target, "--batch", "2", key=key)
    assert running.stderr is not None
    first = running.stderr.readline()  # written once the first page is committed
    running.send_signal(signal.SIGKILL)
    running.wait(timeout=60)
    assert "2 rows copied" in first, first
    held = len(rows(target, key))
    assert 0 < held < total  # killed between pages: a prefix of the source, nothing more

    again = run_migrate("--from", source, "--to", target, "--batch", "50", key=key)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert f"{held} rows already on the target, checked against the source" in err
    stored = rows(source, key)  # the second run's access record is the source's last row
    assert rows(target, key) == stored
    assert f"{len(stored) - held} copied, {held} already there" in out
    assert "drafts: 15 copied" in out and drafts(target, key) == drafts(source, key)
    assert verified(target, pub, key)["root"] == verified(source, pub, key)["root"]


def test_a_target_holding_anything_else_is_refused_and_left_alone(
    place: Any, tmp_path: Path
) -> None:
    source, target = place("sqlite", "source"), place("sqlite", "target")
    fill(source, None, tmp_path)
    ok(ledger_cli(target, "import", "-q", str(EXAMPLES / "astorp.jsonl")))
    held = rows(target, None), drafts(target, None)
    refused = ledger_cli(source, "migrate", "--to", target)
    assert refused.exit_code == 2
    assert "the target holds rows that are not the source's: its row 1" in refused.output
    assert "nothing was copied" in refused.output
    assert (rows(target, None), drafts(target, None)) == held

    # A complete copy whose source then changed a draft: the copies no longer agree.
    copy = place("sqlite", "copy")
    ok(ledger_cli(source, "migrate", "--to", copy))
    ok(ledger_cli(source, "draft", "edit", "1", "--set", "summary=Rättad"))
    refused = ledger_cli(source, "migrate", "--to", copy)
    assert (
        refused.exit_code == 2
        and "the target's draft 1 is not the source's (it differs)" in refused.output
    )

    # New entries in the source are copied by running it again.
    fresh = place("sqlite", "fresh")
    ok(ledger_cli(source, "migrate", "--to", fresh))
    ok(
        ledger_cli(
            source,
            "record",
            "NK-LH",
            "NoteRecorded",
            "--occurred",
            "2020-02",
            "--field",
            "text=Ny.",
        )
    )
    again = ok(ledger_cli(source, "migrate", "--to", fresh))
    # The read `record` logged first, the new entry, and the read of this migration.
    assert "3 copied" in again.stdout
    assert rows(fresh, None) == rows(source, None)
    assert drafts(fresh, None) == drafts(source, None)


def test_a_foreign_checkpoints_log_at_the_target_is_refused(place: Any, tmp_path: Path) -> None:
    source, target = place("sqlite", "source"), place("sqlite", "target")
    fill(source, None, tmp_path)
    other = place("sqlite", "other")
    fill(other, None, tmp_path)
    Path(target + ".checkpoints").write_bytes(Path(other + ".checkpoints").read_bytes())
    refused = ledger_cli(source, "migrate", "--to", target)
    assert refused.exit_code == 2
    assert "holds checkpoints the source's" in refused.output
    assert not Path(target).exists()


def one_line_error(args: list[str], cwd: Path) -> str:
    done = subprocess.run(
        [*program(), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**clean_env(), "LEDGER_USER": "granskare", "LEDGER_LANG": "en"},  # English wording
        timeout=60,
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr


def test_bad_urls_and_a_missing_source_are_one_line(place: Any, tmp_path: Path) -> None:
    source = place("sqlite", "source")
    ok(ledger_cli(source, "import", "-q", str(EXAMPLES / "astorp.jsonl")))
    cases = {
        ("--db", source, "migrate", "--to", "mysql://ledger@host/db"): "not a ledger store",
        ("--db", source, "migrate", "--to", "postgresql://"): "needs a host and a database",
        (
            "--db",
            source,
            "migrate",
            "--to",
            "postgresql://postgres@127.0.0.1:1/test",
        ): "cannot open",
        ("--db", source, "migrate", "--to", source): "that is the source ledger itself",
        ("migrate", "--from", "missing.db", "--to", "new.db"): "no ledger at missing.db",
        ("migrate", "--from", "sqlite3://x", "--to", "new.db"): "not a ledger store",
    }
    for args, words in cases.items():
        assert words in one_line_error(list(args), tmp_path), args
    assert not (tmp_path / "new.db").exists() and not (tmp_path / "missing.db").exists()
    empty = tmp_path / "empty.db"
    ok(ledger_cli(str(empty), "init"))
    assert "holds nothing to migrate" in one_line_error(
        ["--db", str(empty), "migrate", "--to", "new.db"], tmp_path
    )
    assert not (tmp_path / "new.db").exists()


def test_a_migration_to_postgresql_goes_in_with_copy(
    place: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ledger.postgres_recorder import LedgerPostgresRecorder

    source, target = place("sqlite", "source"), place("postgres", "target")
    fill(source, None, tmp_path)
    copied: list[tuple[Any, ...]] = []
    copy_rows = LedgerPostgresRecorder.copy_rows

    def counted(self: LedgerPostgresRecorder, given: Any) -> None:
        given = list(given)
        copied.extend(given)
        copy_rows(self, given)

    monkeypatch.setattr(LedgerPostgresRecorder, "copy_rows", counted)
    ok(ledger_cli(source, "migrate", "--to", target))
    moved = rows(source, None)
    assert rows(target, None) == moved
    # Every row went in by COPY, the migration's own access record on the source too.
    assert [(UUID(bytes=r[0]), r[1], r[2], bytes(r[3])) for r in copied] == moved
