"""The draft area: rows a reviewer is still transcribing, mutable, outside the chain and the
Merkle tree, in the ledger's own database (SQLite or PostgreSQL, the same schema; in memory
for the in-memory store).

A transcription mistake must not become a permanent correction, so drafts are edited and
deleted in place until `draft seal` turns them into entries. Each row is a JSON document
keyed by an id the store gives out and by its case; with encryption on, the document is
sealed with the ledger's cipher and the case column is a keyed hash, as the views' rows are
(ledger/views.py), so a draft reveals no more than an entry does.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

from ledger.storage import Store, read_only_without

DRAFTS_NAME = "ledger_drafts"


@dataclass(frozen=True, slots=True)
class StoredDraft:
    id: int
    case: str
    data: dict[str, Any]  # {"origin": {...}, "values": {...}, "columns": {...}, "merged": ...}


class DraftCodec:
    """Rows in clear, or sealed with the ledger's cipher (and the case as a keyed hash)."""

    def __init__(self, cipher: Any = None, id_secret: bytes | None = None) -> None:
        self.cipher = cipher
        self.id_secret = id_secret

    def column(self, case: str) -> str:
        if self.id_secret is None:
            return case
        return hmac.new(self.id_secret, b"draft:" + case.encode(), hashlib.sha256).hexdigest()

    def seal(self, case: str, data: dict[str, Any]) -> str:
        raw = orjson.dumps({"case": case, "data": data})
        if self.cipher is None:
            return raw.decode()
        return base64.b64encode(self.cipher.encrypt(raw)).decode()

    def open(self, id: int, text: str) -> StoredDraft:
        raw = text.encode() if self.cipher is None else self.cipher.decrypt(base64.b64decode(text))
        content = orjson.loads(raw)
        return StoredDraft(id, content["case"], content["data"])


class DraftArea(ABC):
    """The drafts of every case."""

    codec: DraftCodec

    @abstractmethod
    def add(self, case: str, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Store new drafts of a case in one transaction; their ids in order."""

    @abstractmethod
    def of_case(self, case: str) -> list[StoredDraft]:
        """A case's drafts in the order they were added."""

    @abstractmethod
    def get(self, id: int) -> StoredDraft | None: ...

    @abstractmethod
    def update(self, draft: StoredDraft) -> None: ...

    @abstractmethod
    def delete(self, ids: Sequence[int]) -> int:
        """Remove drafts by id, in one transaction; how many there were."""

    @abstractmethod
    def every_row(self) -> Iterator[tuple[int, str, str]]:
        """Every stored row as it lies (id, case column, document): for `migrate`."""

    @abstractmethod
    def put_rows(self, rows: Sequence[tuple[int, str, str]]) -> None:
        """Store rows as they lay in another store, ids kept; rows already there are kept."""

    @abstractmethod
    def forget(self, case: str) -> None:
        """Delete every draft of a case, leaving no copy in the live database (an erased
        case, ledger/erasure.py)."""


@functools.cache
def _sqlite_class() -> type[DraftArea]:
    from eventsourcing.sqlite import SQLiteRecorder

    class SQLiteDrafts(SQLiteRecorder, DraftArea):
        def construct_create_table_statements(self) -> list[str]:
            return [
                "CREATE TABLE IF NOT EXISTS ledger_drafts ("
                "id INTEGER PRIMARY KEY AUTOINCREMENT, case_key TEXT NOT NULL, "
                "data TEXT NOT NULL)",
                "CREATE INDEX IF NOT EXISTS ledger_drafts_case ON ledger_drafts (case_key, id)",
            ]

        def add(self, case: str, rows: Sequence[dict[str, Any]]) -> list[int]:
            ids = []
            with self.datastore.transaction(commit=True) as c:
                for data in rows:
                    c.execute(
                        "INSERT INTO ledger_drafts (case_key, data) VALUES (?, ?)",
                        (self.codec.column(case), self.codec.seal(case, data)),
                    )
                    ids.append(c.lastrowid)
            return ids

        def of_case(self, case: str) -> list[StoredDraft]:
            with self.datastore.transaction(commit=False) as c:
                c.execute(
                    "SELECT id, data FROM ledger_drafts WHERE case_key = ? ORDER BY id",
                    (self.codec.column(case),),
                )
                return [self.codec.open(r[0], r[1]) for r in c.fetchall()]

        def get(self, id: int) -> StoredDraft | None:
            with self.datastore.transaction(commit=False) as c:
                c.execute("SELECT id, data FROM ledger_drafts WHERE id = ?", (id,))
                row = c.fetchone()
            return self.codec.open(row[0], row[1]) if row else None

        def update(self, draft: StoredDraft) -> None:
            with self.datastore.transaction(commit=True) as c:
                c.execute(
                    "UPDATE ledger_drafts SET data = ? WHERE id = ?",
                    (self.codec.seal(draft.case, draft.data), draft.id),
                )

        def delete(self, ids: Sequence[int]) -> int:
            with self.datastore.transaction(commit=True) as c:
                c.executemany("DELETE FROM ledger_drafts WHERE id = ?", [(i,) for i in ids])
                return len(ids)

        def every_row(self) -> Iterator[tuple[int, str, str]]:
            with self.datastore.transaction(commit=False) as c:
                c.execute("SELECT id, case_key, data FROM ledger_drafts ORDER BY id")
                rows = [(r[0], r[1], r[2]) for r in c.fetchall()]
            yield from rows

        def put_rows(self, rows: Sequence[tuple[int, str, str]]) -> None:
            with self.datastore.transaction(commit=True) as c:
                c.executemany(
                    "INSERT INTO ledger_drafts (id, case_key, data) VALUES (?, ?, ?) "
                    "ON CONFLICT (id) DO NOTHING",
                    rows,
                )

        def forget(self, case: str) -> None:
            from ledger.case_keys import scrub_sqlite

            scrub_sqlite(
                self.datastore,
                "DELETE FROM ledger_drafts WHERE case_key = ?",
                (self.codec.column(case),),
            )

    return SQLiteDrafts


@functools.cache
def _postgres_class() -> type[DraftArea]:
    from eventsourcing.postgres import PostgresRecorder
    from psycopg.sql import SQL, Identifier

    class PostgresDrafts(PostgresRecorder, DraftArea):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.table = Identifier(self.datastore.schema, "ledger_drafts")
            self.sql_create_statements.append(
                SQL(
                    "CREATE TABLE IF NOT EXISTS {0} (id bigserial PRIMARY KEY, "
                    "case_key text NOT NULL, data text NOT NULL)"
                ).format(self.table)
            )

        def add(self, case: str, rows: Sequence[dict[str, Any]]) -> list[int]:
            ids = []
            with self.datastore.transaction(commit=True) as curs:
                for data in rows:
                    curs.execute(
                        SQL("INSERT INTO {0} (case_key, data) VALUES (%s, %s) RETURNING id").format(
                            self.table
                        ),
                        (self.codec.column(case), self.codec.seal(case, data)),
                    )
                    ids.append(curs.fetchone()["id"])
            return ids

        def of_case(self, case: str) -> list[StoredDraft]:
            with self.datastore.transaction(commit=False) as curs:
                curs.execute(
                    SQL("SELECT id, data FROM {0} WHERE case_key = %s ORDER BY id").format(
                        self.table
                    ),
                    (self.codec.column(case),),
                )
                return [self.codec.open(r["id"], r["data"]) for r in curs.fetchall()]

        def get(self, id: int) -> StoredDraft | None:
            with self.datastore.transaction(commit=False) as curs:
                curs.execute(
                    SQL("SELECT id, data FROM {0} WHERE id = %s").format(self.table), (id,)
                )
                row = curs.fetchone()
            return self.codec.open(row["id"], row["data"]) if row else None

        def update(self, draft: StoredDraft) -> None:
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(
                    SQL("UPDATE {0} SET data = %s WHERE id = %s").format(self.table),
                    (self.codec.seal(draft.case, draft.data), draft.id),
                )

        def delete(self, ids: Sequence[int]) -> int:
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(
                    SQL("DELETE FROM {0} WHERE id = ANY(%s)").format(self.table), (list(ids),)
                )
                return len(ids)

        def every_row(self) -> Iterator[tuple[int, str, str]]:
            with self.datastore.transaction(commit=False) as curs:
                curs.execute(
                    SQL("SELECT id, case_key, data FROM {0} ORDER BY id").format(self.table)
                )
                rows = [(r["id"], r["case_key"], r["data"]) for r in curs.fetchall()]
            yield from rows

        def put_rows(self, rows: Sequence[tuple[int, str, str]]) -> None:
            with self.datastore.transaction(commit=True) as curs:
                curs.executemany(
                    SQL(
                        "INSERT INTO {0} (id, case_key, data) VALUES (%s, %s, %s) "
                        "ON CONFLICT (id) DO NOTHING"
                    ).format(self.table),
                    rows,
                )
                # New drafts continue after the copied ids.
                curs.execute(
                    SQL(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                        "GREATEST((SELECT MAX(id) FROM {0}), 1))"
                    ).format(self.table),
                    (f'"{self.datastore.schema}".ledger_drafts',),
                )

        def forget(self, case: str) -> None:
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(
                    SQL("DELETE FROM {0} WHERE case_key = %s").format(self.table),
                    (self.codec.column(case),),
                )
            # The deleted tuples stay in the table's pages until they are rewritten.
            with self.datastore.get_connection() as connection:  # autocommit: VACUUM
                connection.execute(SQL("VACUUM FULL {0}").format(self.table))

    return PostgresDrafts


class MemoryDrafts(DraftArea):
    """For the in-memory store: the same behaviour in a dictionary."""

    def __init__(self) -> None:
        self._rows: dict[int, tuple[str, str]] = {}
        self._next = 1
        self._lock = threading.Lock()

    def add(self, case: str, rows: Sequence[dict[str, Any]]) -> list[int]:
        ids = []
        with self._lock:
            for data in rows:
                self._rows[self._next] = (self.codec.column(case), self.codec.seal(case, data))
                ids.append(self._next)
                self._next += 1
        return ids

    def of_case(self, case: str) -> list[StoredDraft]:
        column = self.codec.column(case)
        return [self.codec.open(i, d) for i, (c, d) in sorted(self._rows.items()) if c == column]

    def get(self, id: int) -> StoredDraft | None:
        found = self._rows.get(id)
        return self.codec.open(id, found[1]) if found else None

    def update(self, draft: StoredDraft) -> None:
        self._rows[draft.id] = (
            self.codec.column(draft.case),
            self.codec.seal(draft.case, draft.data),
        )

    def delete(self, ids: Sequence[int]) -> int:
        with self._lock:
            for id in ids:
                self._rows.pop(id, None)
        return len(ids)

    def every_row(self) -> Iterator[tuple[int, str, str]]:
        for id, (column, data) in sorted(self._rows.items()):
            yield id, column, data

    def put_rows(self, rows: Sequence[tuple[int, str, str]]) -> None:
        with self._lock:
            for id, column, data in rows:
                self._rows.setdefault(id, (column, data))
                self._next = max(self._next, id + 1)

    def forget(self, case: str) -> None:
        column = self.codec.column(case)
        with self._lock:
            self._rows = {i: row for i, row in self._rows.items() if row[0] != column}


def open_drafts(store: Store, datastore: Any) -> DraftArea:
    """The draft area of a store, on the application's own datastore (its connections and
    settings), its table created when missing; `datastore` is None for the memory store."""
    if store.kind == "memory" or read_only_without(store, "ledger_drafts"):
        # (Opened read-only without drafts ever made: none, as a writable ledger has none.)
        area: DraftArea = MemoryDrafts()
        area.codec = DraftCodec()
        return area
    recorder_class = _sqlite_class() if store.kind == "sqlite" else _postgres_class()
    area = recorder_class(datastore)  # type: ignore[call-arg]
    if store.settings.get("CREATE_TABLE") != "n":
        area.create_table()  # type: ignore[attr-defined]
    environment = Environment(DRAFTS_NAME, dict(store.settings))
    cipher = AESCipher(environment) if store.encrypted else None
    area.codec = DraftCodec(cipher, store.id_secret())
    return area
