"""Per-case data keys, wrapped by the ledger key, kept in the ledger's own database.

With encryption on, every entry of a case is sealed with a key of its own (a random 256-bit
AES-GCM key), not with the ledger key. The case key is stored wrapped (RFC 3394 AES key wrap,
`cryptography`'s keywrap) under a key derived from the ledger key and the case's stream id
(HKDF-SHA256), in a table of its own (`ledger_case_keys`): a wrapped key copied to another
case does not unwrap there. Destroying the one row that holds a case's wrapped key makes
every entry of that case unreadable for good, while the rows themselves (and so the hash
chains, the Merkle tree and every checkpoint) stay exactly as they were: crypto-shredding
(`ledger erase`, ledger/erasure.py).

Cases stored before case keys existed (their entries sealed with the ledger key) get none:
a key is only made for a stream that has no rows yet, so a case is sealed with one key or the
other, never a mix. Such a case cannot be erased on its own.

Deleting leaves no copy in the live database where the store can prevent it: SQLite deletes
with `secure_delete` on (the freed space is overwritten) and truncates its write-ahead log;
PostgreSQL rewrites the table (`VACUUM FULL`). Backups and file-system copies made before the
erasure still hold the wrapped key, which the ledger key opens (README, threat model).
"""

from __future__ import annotations

import functools
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import (
    InvalidUnwrap,
    aes_key_unwrap,
    aes_key_wrap,
)

from ledger.storage import Store

KEYS_TABLE = "ledger_case_keys"
CASE_KEY_BYTES = 32

KeyRow = tuple[str, bytes]
"""A stored row as it lies: the stream id (32 hex digits) and the wrapped key."""


class BadCaseKey(ValueError):
    """A wrapped key that does not unwrap for its case (moved, altered, another ledger key)."""


class CaseKeyTable(ABC):
    """The wrapped keys of every case."""

    @abstractmethod
    def wrapped(self, streams: Sequence[UUID] | None = None) -> dict[UUID, bytes]:
        """The wrapped keys of the given streams (None: of every stream) that have one."""

    @abstractmethod
    def insert(self, rows: Sequence[tuple[UUID, bytes]]) -> None:
        """Store wrapped keys in one transaction; a stream that has one already keeps it."""

    @abstractmethod
    def destroy(self, stream: UUID) -> bool:
        """Delete a stream's wrapped key, leaving no copy in the live database; whether it
        had one."""

    @abstractmethod
    def every_row(self) -> list[KeyRow]:
        """Every stored row as it lies, by stream: for `migrate`."""

    def put_rows(self, rows: Sequence[KeyRow]) -> None:
        """Store rows as they lay in another store (rows already there are kept)."""
        self.insert([(UUID(hex=stream), wrapped) for stream, wrapped in rows])


def scrub_sqlite(datastore: Any, statement: str, parameters: Sequence[Any]) -> int:
    """Run a DELETE on an SQLite datastore so that what it deletes is gone from the file:
    the freed space is overwritten (`secure_delete`), and the write-ahead log, which still
    holds the old pages, is copied back and emptied. How many rows it deleted."""
    with datastore.get_connection(commit=True) as connection:
        cursor = connection.cursor()
        cursor.execute("PRAGMA secure_delete = ON")
        cursor.execute("BEGIN")
        try:
            cursor.execute(statement, parameters)
            cursor.execute("SELECT changes()")
            deleted = int(cursor.fetchone()[0])
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return max(deleted, 0)


@functools.cache
def _sqlite_class() -> type[CaseKeyTable]:
    from eventsourcing.sqlite import SQLiteRecorder

    class SQLiteCaseKeys(SQLiteRecorder, CaseKeyTable):
        def construct_create_table_statements(self) -> list[str]:
            return [
                f"CREATE TABLE IF NOT EXISTS {KEYS_TABLE} ("
                "stream TEXT PRIMARY KEY, wrapped BLOB NOT NULL) WITHOUT ROWID"
            ]

        def wrapped(self, streams: Sequence[UUID] | None = None) -> dict[UUID, bytes]:
            found: dict[UUID, bytes] = {}
            with self.datastore.transaction(commit=False) as c:
                if streams is None:
                    c.execute(f"SELECT stream, wrapped FROM {KEYS_TABLE}")
                    rows = c.fetchall()
                else:
                    rows = []
                    hexes = [s.hex for s in streams]
                    for start in range(0, len(hexes), 500):
                        chunk = hexes[start : start + 500]
                        marks = ",".join("?" * len(chunk))
                        c.execute(
                            f"SELECT stream, wrapped FROM {KEYS_TABLE} WHERE stream IN ({marks})",
                            chunk,
                        )
                        rows += c.fetchall()
            for stream, wrapped in rows:
                found[UUID(hex=stream)] = bytes(wrapped)
            return found

        def insert(self, rows: Sequence[tuple[UUID, bytes]]) -> None:
            if not rows:
                return
            with self.datastore.transaction(commit=True) as c:
                c.executemany(
                    f"INSERT INTO {KEYS_TABLE} (stream, wrapped) VALUES (?, ?) "
                    "ON CONFLICT (stream) DO NOTHING",
                    [(stream.hex, wrapped) for stream, wrapped in rows],
                )

        def destroy(self, stream: UUID) -> bool:
            return (
                scrub_sqlite(
                    self.datastore, f"DELETE FROM {KEYS_TABLE} WHERE stream = ?", (stream.hex,)
                )
                > 0
            )

        def every_row(self) -> list[KeyRow]:
            with self.datastore.transaction(commit=False) as c:
                c.execute(f"SELECT stream, wrapped FROM {KEYS_TABLE} ORDER BY stream")
                return [(r[0], bytes(r[1])) for r in c.fetchall()]

    return SQLiteCaseKeys


@functools.cache
def _postgres_class() -> type[CaseKeyTable]:
    from eventsourcing.postgres import PostgresRecorder
    from psycopg.sql import SQL, Identifier

    class PostgresCaseKeys(PostgresRecorder, CaseKeyTable):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.table = Identifier(self.datastore.schema, KEYS_TABLE)
            self.sql_create_statements.append(
                SQL(
                    "CREATE TABLE IF NOT EXISTS {0} (stream text PRIMARY KEY, "
                    "wrapped bytea NOT NULL)"
                ).format(self.table)
            )

        def wrapped(self, streams: Sequence[UUID] | None = None) -> dict[UUID, bytes]:
            with self.datastore.transaction(commit=False) as curs:
                if streams is None:
                    curs.execute(SQL("SELECT stream, wrapped FROM {0}").format(self.table))
                else:
                    curs.execute(
                        SQL("SELECT stream, wrapped FROM {0} WHERE stream = ANY(%s)").format(
                            self.table
                        ),
                        ([s.hex for s in streams],),
                    )
                rows = curs.fetchall()
            return {UUID(hex=r["stream"]): bytes(r["wrapped"]) for r in rows}

        def insert(self, rows: Sequence[tuple[UUID, bytes]]) -> None:
            if not rows:
                return
            with self.datastore.transaction(commit=True) as curs:
                curs.executemany(
                    SQL(
                        "INSERT INTO {0} (stream, wrapped) VALUES (%s, %s) "
                        "ON CONFLICT (stream) DO NOTHING"
                    ).format(self.table),
                    [(stream.hex, wrapped) for stream, wrapped in rows],
                )

        def destroy(self, stream: UUID) -> bool:
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(
                    SQL("DELETE FROM {0} WHERE stream = %s").format(self.table), (stream.hex,)
                )
                had = curs.rowcount > 0
            # The deleted tuple stays in the table's pages until they are rewritten.
            with self.datastore.get_connection() as connection:  # autocommit: VACUUM
                connection.execute(SQL("VACUUM FULL {0}").format(self.table))
            return had

        def every_row(self) -> list[KeyRow]:
            with self.datastore.transaction(commit=False) as curs:
                curs.execute(
                    SQL("SELECT stream, wrapped FROM {0} ORDER BY stream").format(self.table)
                )
                return [(r["stream"], bytes(r["wrapped"])) for r in curs.fetchall()]

    return PostgresCaseKeys


class MemoryCaseKeys(CaseKeyTable):
    """For the in-memory store: the same behaviour in a dictionary."""

    def __init__(self) -> None:
        self._rows: dict[UUID, bytes] = {}
        self._lock = threading.Lock()

    def wrapped(self, streams: Sequence[UUID] | None = None) -> dict[UUID, bytes]:
        with self._lock:
            if streams is None:
                return dict(self._rows)
            return {s: self._rows[s] for s in streams if s in self._rows}

    def insert(self, rows: Sequence[tuple[UUID, bytes]]) -> None:
        with self._lock:
            for stream, wrapped in rows:
                self._rows.setdefault(stream, wrapped)

    def destroy(self, stream: UUID) -> bool:
        with self._lock:
            return self._rows.pop(stream, None) is not None

    def every_row(self) -> list[KeyRow]:
        with self._lock:
            return sorted((s.hex, w) for s, w in self._rows.items())


def open_case_keys(store: Store, datastore: Any) -> CaseKeyTable:
    """The case keys of a store, on the application's own datastore, the table created when
    missing; `datastore` is None for the memory store."""
    if store.kind == "memory":
        return MemoryCaseKeys()
    from eventsourcing.persistence import IntegrityError, InternalError

    table_class = _sqlite_class() if store.kind == "sqlite" else _postgres_class()
    table = table_class(datastore)  # type: ignore[call-arg]
    for attempts_left in reversed(range(3)):
        try:
            table.create_table()  # type: ignore[attr-defined]
            break
        except (IntegrityError, InternalError):
            # Processes opening a new PostgreSQL ledger at once race to create the table;
            # the losers find it made on a second look.
            if not attempts_left:
                raise
    return table


def _wrapping_key(ledger_key: bytes, stream: UUID) -> bytes:
    """The key that wraps one case's key: bound to the ledger key and to the case's stream."""
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"ledger case key\x00" + stream.bytes,
    ).derive(ledger_key)


def wrap(ledger_key: bytes, stream: UUID, case_key: bytes) -> bytes:
    return aes_key_wrap(_wrapping_key(ledger_key, stream), case_key)


def unwrap(ledger_key: bytes, stream: UUID, wrapped: bytes) -> bytes:
    try:
        return aes_key_unwrap(_wrapping_key(ledger_key, stream), wrapped)
    except (InvalidUnwrap, ValueError):
        raise BadCaseKey(
            f"the stored key of stream {stream} does not unwrap for it (moved, altered or "
            "wrapped under another ledger key)"
        ) from None


class KeyRing:
    """The case keys one process uses: unwrapped on first use and kept in memory.

    `random_bytes` makes new keys (the cipher's own source of randomness); `has_rows` tells
    whether a stream holds rows already (a case stored before case keys existed)."""

    def __init__(
        self,
        ledger_key: bytes,
        table: CaseKeyTable,
        random_bytes: Callable[[int], bytes],
        has_rows: Callable[[UUID], bool],
    ) -> None:
        self.ledger_key = ledger_key
        self.table = table
        self.random_bytes = random_bytes
        self.has_rows = has_rows
        self._keys: dict[UUID, bytes | None] = {}  # None: the stream has no key of its own
        self._wrapped: dict[UUID, bytes] | None = None
        self._lock = threading.RLock()

    def key(self, stream: UUID, *, create: bool = False) -> bytes | None:
        """The case key of a stream; None when it has none (sealed with the ledger key, or
        its key destroyed). With `create`, a stream without rows and without a key gets one."""
        with self._lock:
            if stream in self._keys:
                # None here: a stream with rows and no key (sealed with the ledger key, or
                # erased), which never gets one; so a worker process never writes a key.
                return self._keys[stream]
            if self._wrapped is None:
                self._wrapped = self.table.wrapped()  # one read for a whole scan
            wrapped = self._wrapped.get(stream)
            if wrapped is None:
                wrapped = self.table.wrapped([stream]).get(stream)  # made meanwhile elsewhere
            if wrapped is None and create and not self.has_rows(stream):
                self.prepare([stream])
                return self._keys[stream]
            key = None if wrapped is None else unwrap(self.ledger_key, stream, wrapped)
            self._keys[stream] = key
            return key

    def prepare(
        self, streams: Iterable[UUID], *, persist: bool = True, fresh: bool = False
    ) -> None:
        """Make keys for new streams in one transaction (an import does this before it
        checks anything, so no key is written while its rows are). Streams with a key or
        with rows are left as they are (`fresh`: the store has no rows at all). Without
        `persist` the keys live in memory only (a dry run)."""
        with self._lock:
            wanted = [s for s in dict.fromkeys(streams) if s not in self._keys]
            if not wanted:
                return
            stored = self.table.wrapped(wanted)
            new = [s for s in wanted if s not in stored and (fresh or not self.has_rows(s))]
            made = [(s, wrap(self.ledger_key, s, self.random_bytes(CASE_KEY_BYTES))) for s in new]
            if persist:
                self.table.insert(made)
                stored.update(self.table.wrapped([s for s, _ in made]))  # a racing writer's
            else:
                stored.update(made)
            for stream in wanted:
                wrapped = stored.get(stream)
                self._keys[stream] = (
                    None if wrapped is None else unwrap(self.ledger_key, stream, wrapped)
                )
                if self._wrapped is not None and wrapped is not None:
                    self._wrapped[stream] = wrapped

    def any_unwraps(self, tries: int = 16) -> bool | None:
        """Whether one of the first stored keys unwraps under the ledger key (AES key wrap
        checks its own integrity); None when there are no keys."""
        with self._lock:
            if self._wrapped is None:
                self._wrapped = self.table.wrapped()
            for stream, wrapped in list(self._wrapped.items())[:tries]:
                try:
                    unwrap(self.ledger_key, stream, wrapped)
                except BadCaseKey:
                    continue
                return True
            return False if self._wrapped else None

    def has_key(self, stream: UUID) -> bool:
        """Whether the store holds a key for this stream now (not what this process cached)."""
        return bool(self.table.wrapped([stream]))

    def destroy(self, stream: UUID) -> bool:
        """Destroy a stream's key in the store and in this process; whether it had one."""
        with self._lock:
            self._keys[stream] = None
            if self._wrapped is not None:
                self._wrapped.pop(stream, None)
            return self.table.destroy(stream)
