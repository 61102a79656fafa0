"""A bulk import into PostgreSQL goes in with COPY, and stores what the store's own insert
stores: the same rows, notification ids in row order, all or nothing."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError

from ledger.application import CaseLedger
from ledger.case import Case
from ledger.importer import Source, import_sources
from ledger.postgres_recorder import CopyRows, LedgerPostgresRecorder, copy_body, copy_data
from ledger.storage import postgres_store, sqlite_store
from tests.conftest import POSTGRES_URL, postgres_connection
from tests.test_importer import assert_chained, synthetic

TOPIC = Case.EntryRecorded.TOPIC


@pytest.fixture
def postgres(postgres_schema: str) -> CaseLedger:
    ledger = CaseLedger(postgres_store(f"{POSTGRES_URL}?schema={postgres_schema}"))
    yield ledger
    ledger.close()


def table_rows(ledger: CaseLedger) -> list[tuple]:
    schema = ledger.store.settings["POSTGRES_SCHEMA"]
    with postgres_connection(ledger.store) as conn:
        return conn.execute(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            f'FROM "{schema}".ledger_events ORDER BY notification_id'
        ).fetchall()


def test_the_postgres_recorder_copies(postgres: CaseLedger) -> None:
    assert isinstance(postgres.recorder, LedgerPostgresRecorder)
    rows = [(UUID(int=i).bytes, v, TOPIC, bytes([i, v]) * 300) for i in (7, 3) for v in (1, 2)]
    postgres.recorder.copy_rows(rows[:2])
    postgres.recorder.copy_rows(rows[2:])
    stored = table_rows(postgres)
    # Notification ids from the table's sequence, in the order the rows were given.
    assert [r[0] for r in stored] == [1, 2, 3, 4]
    assert [(r[1].bytes, r[2], r[3], bytes(r[4])) for r in stored] == rows


def test_rows_encoded_ahead_read_back_and_copy_as_the_rows_themselves() -> None:
    rows = [
        (UUID(int=i).bytes, v, TOPIC if i % 2 else "other:Topic", bytes(range(i * v % 256)) * v)
        for i in range(1, 40)
        for v in (1, 2, 300)
    ]
    # Encoded in chunks, as the import spools them, and joined into one batch.
    body = b"".join(copy_body(rows[at : at + 7]) for at in range(0, len(rows), 7))
    encoded = CopyRows(body, len(rows))
    assert list(encoded) == rows and len(encoded) == len(rows)
    assert encoded[3] == rows[3] and encoded[-2:] == rows[-2:]
    assert copy_data(encoded) == copy_data(rows)
    assert list(CopyRows(b"", 0)) == [] and copy_data(CopyRows(b"", 0)) == copy_data([])


def test_a_row_already_there_fails_the_whole_copy(postgres: CaseLedger) -> None:
    first = (UUID(int=1).bytes, 1, TOPIC, b"{}")
    postgres.recorder.copy_rows([first])
    with pytest.raises(IntegrityError):
        postgres.recorder.copy_rows([(UUID(int=2).bytes, 1, TOPIC, b"{}"), first])
    assert len(table_rows(postgres)) == 1


@pytest.mark.parametrize("workers", [0, 2])
def test_an_import_stores_on_postgres_what_it_stores_on_sqlite(
    postgres: CaseLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    data = synthetic(30, 8)
    stored = {}
    for name, ledger in (
        ("sqlite", CaseLedger(sqlite_store(str(tmp_path / "l.db")))),
        ("pg", postgres),
    ):
        ticks = itertools.count()
        start = datetime(2024, 1, 1, tzinfo=UTC)
        monkeypatch.setattr(
            Case.EntryRecorded,
            "create_timestamp",
            staticmethod(lambda t=ticks, s=start: s + timedelta(microseconds=next(t))),
        )
        # An import's time is the store's: on PostgreSQL the server's, here made the same.
        monkeypatch.setattr(CaseLedger, "store_time_now", lambda self, s=start: s)
        report = import_sources(ledger, [Source("in.jsonl", data)], workers=workers)
        assert (report.recorded, report.skipped) == (len(data), 0)
        stored[name] = [
            (n.originator_id, n.originator_version, n.topic, n.state)
            for page in ledger.notification_pages(None)
            for n in page
        ]
        if name == "sqlite":
            ledger.close()
    assert stored["pg"] == stored["sqlite"] and len(stored["pg"]) == len(data)
    assert_chained(postgres)
    again = import_sources(postgres, [Source("in.jsonl", data)], workers=workers)
    assert (again.recorded, again.skipped) == (0, len(data))
