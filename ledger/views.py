"""Materialised per-case views, kept beside the ledger with eventsourcing tracking records.

Cross-case questions (`ledger cases`, `ledger check --all`) must not reread every event each
time. Their answers are kept as one row per (view, case): a JSON document and the case's last
seq it was computed from, and optionally a blob, bytes handed back as they were written (text
a reader splices into its output without decoding it). Rows and the tracking record of the
last notification processed are written in one transaction, so a view resumes after a stop
and never counts an event twice.

The tables live in the ledger's own database: SQLite or PostgreSQL (the same schema), or in
memory for the in-memory store.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    Tracking,
    TrackingRecorder,
)
from eventsourcing.popo import POPOTrackingRecorder
from eventsourcing.utils import Environment

from ledger.message import Message
from ledger.rows import RowCipher, TamperedRow
from ledger.storage import Store, read_only_without

VIEWS_NAME = "ledger_views"


@dataclass(frozen=True, slots=True)
class ViewRow:
    view: str
    case: str
    last_seq: int
    data: Any  # a JSON value
    # Bytes kept beside the data and handed back as they were written, never decoded: text
    # a reader splices into its output as it is (a memoryview when read back).
    blob: bytes | memoryview | None = None


class CaseViews(TrackingRecorder, ABC):
    """Rows of derived data per case, written atomically with tracking."""

    codec: RowCodec

    def close(self) -> None:
        """Close the views' connections: a PostgreSQL pool holds them open until then."""
        datastore = getattr(self, "datastore", None)  # the SQL recorders' (none in memory)
        if datastore is not None:
            datastore.close()

    @abstractmethod
    def apply(self, rows: Sequence[ViewRow], tracking: Tracking | None = None) -> None:
        """Upsert rows (and record tracking, when given) in one transaction."""

    @abstractmethod
    def rows(self, view: str) -> list[ViewRow]:
        """Every row of one view, by case key."""

    @abstractmethod
    def rows_for(self, view: str, cases: Sequence[str]) -> list[ViewRow]:
        """The rows of one view for the given cases."""

    @abstractmethod
    def rows_beside(self, view: str, beside: str) -> tuple[list[ViewRow], dict[str, int]]:
        """`rows(view)`, and each case's last seq in another view `beside` by the codec's
        case column (keyed when sealed), without reading that view's data: read together, in
        one pass and one transaction, so the two agree as the tables stood at one moment."""

    @abstractmethod
    def view_names(self) -> list[str]:
        """The names of the views that have rows."""

    @abstractmethod
    def replace(
        self, application_name: str, rows: Sequence[ViewRow], tracking: Tracking | None
    ) -> None:
        """Every row and the tracking position, replaced in one transaction (a rebuild): a
        reader catching up meanwhile sees the old views or the new, never a mix."""

    @abstractmethod
    def drop(self, views: Sequence[str]) -> None:
        """Delete every row of the given views (views nothing reads any more)."""

    @abstractmethod
    def forget(self, case: str) -> None:
        """Delete every row of a case in every view, leaving no copy in the live database
        (an erased case; the case index writes that it was erased when it catches up)."""


class RowCodec:
    """How a row is written: in clear, or sealed with the ledger's cipher when it has one.

    Sealed rows key the case by a keyed hash and keep the case key only inside the encrypted
    data, so an encrypted ledger's views reveal no more than its events do.

    Every row is bound to its place, as entries are: its content names its view, case and
    last seq, and a sealed row also has them as AES-GCM associated data. A row copied or
    swapped into another case, view or position is refused when read (`TamperedRow`), so
    `cases` and `check --all` cannot be made to show one case's data as another's. Rows
    written before this name only their case, which is still checked.
    """

    def __init__(self, cipher: Any = None, id_secret: bytes | None = None) -> None:
        self.cipher = cipher
        self.id_secret = id_secret

    def column(self, case: str) -> str:
        if self.id_secret is None:
            return case
        return hmac.new(self.id_secret, case.encode(), hashlib.sha256).hexdigest()

    def seal(self, row: ViewRow) -> tuple[str, str, int, str | bytes]:
        """The row's columns as stored. A row with a blob is bytes: its content, a line
        break, and the blob as it is (sealed whole, with the ledger's cipher); any other row
        is text."""
        column = self.column(row.case)
        content = {"view": row.view, "case": row.case, "last_seq": row.last_seq, "data": row.data}
        if row.blob is not None:
            # The content names the blob's size and checksum. A sealed row needs neither (its
            # tag covers the blob), but a clear one does: a blob altered, or put beside
            # another row's content, no longer matches what that content names. The checksum
            # checks consistency, not authorship: without a key, whoever rewrites the blob
            # can rewrite the content too, as with any clear row (`verify` finds both).
            content["blob"] = [len(row.blob), zlib.crc32(row.blob)]
            data = b"".join((orjson.dumps(content), b"\n", row.blob))
            if self.cipher is not None:
                data = self.cipher.encrypt_row(data, _place(row.view, column, row.last_seq))
            return (row.view, column, row.last_seq, data)
        data = orjson.dumps(content)
        text = (
            base64.b64encode(
                self.cipher.encrypt_row(data, _place(row.view, column, row.last_seq))
            ).decode()
            if self.cipher is not None
            else data.decode()
        )
        return (row.view, column, row.last_seq, text)

    def text(self, stored: str | bytes) -> str:
        """What `seal` gave, as text, for a table that holds only text: a sealed row with a
        blob in base64, as every other sealed row is."""
        if isinstance(stored, str):
            return stored
        return base64.b64encode(stored).decode() if self.cipher is not None else stored.decode()

    def open(
        self,
        view: str,
        column: str,
        last_seq: int,
        text: str | bytes,
        binary: bool = False,
    ) -> ViewRow:
        """The row stored at (view, column, last_seq), or `TamperedRow` when what is stored
        there was written for another place or cannot be read. `text` may come as its UTF-8
        bytes (SQLite hands them over without making a string first); `binary` says a
        sealed row is stored as its bytes, not in base64 (SQLite keeps a row with a blob so).
        A blob comes back as a view of the bytes read, not copied."""
        try:
            if self.cipher is not None:
                sealed = text if binary else base64.b64decode(text)
                raw = self.cipher.decrypt_row(sealed, _place(view, column, last_seq))
            else:
                raw = text if isinstance(text, bytes) else text.encode()
            # JSON written compactly holds no raw line break: the first one ends the content.
            end = raw.find(b"\n")
            whole = memoryview(raw)
            content = orjson.loads(whole[:end] if end >= 0 else whole)
            case = content["case"]
            bound = "view" not in content or (
                content["view"] == view and content["last_seq"] == last_seq
            )
            blob = None
            if end >= 0 or "blob" in content:
                size, checksum = content["blob"]
                blob = whole[end + 1 :]
                bound = (
                    bound
                    and end >= 0
                    and len(blob) == size
                    and (self.cipher is not None or zlib.crc32(blob) == checksum)
                )
        except (ValueError, KeyError, TypeError, binascii.Error):
            bound, case = False, None
        if not bound or not isinstance(case, str) or self.column(case) != column:
            raise TamperedRow(
                Message(
                    "a kept row of the view {view} was not written where it is stored (moved, "
                    "swapped or altered); `ledger reindex` rebuilds the views",
                    view=repr(view),
                )
            )
        return ViewRow(view, case, last_seq, content["data"], blob)


def _place(view: str, column: str, last_seq: int) -> bytes:
    """The associated data that binds a sealed view row to its place."""
    return b"ledger view\x00%s\x00%s\x00%d" % (view.encode(), column.encode(), last_seq)


# How much of an SQLite database file the views' connections map into memory (address
# space, not memory: only the pages read are loaded, and they are the file's cached pages).
_MMAP_SIZE = 1 << 30
# A row's data as its bytes, and whether it is stored as bytes (a row with a blob) or as text.
_SQLITE_DATA = "CAST(data AS BLOB), typeof(data) = 'blob'"


@functools.cache
def _sqlite_class() -> type[CaseViews]:
    from eventsourcing.sqlite import SQLiteTrackingRecorder

    class SQLiteViews(SQLiteTrackingRecorder, CaseViews):
        def construct_create_table_statements(self) -> list[str]:
            return [
                *super().construct_create_table_statements(),
                "CREATE TABLE IF NOT EXISTS ledger_case_views ("
                "view TEXT NOT NULL, case_key TEXT NOT NULL, last_seq INTEGER NOT NULL, "
                "data TEXT NOT NULL, PRIMARY KEY (view, case_key)) WITHOUT ROWID",
            ]

        def apply(self, rows: Sequence[ViewRow], tracking: Tracking | None = None) -> None:
            with self.datastore.transaction(commit=True) as c:
                self._write(c, rows, tracking)

        @contextmanager
        def _reading(self) -> Iterator[Any]:
            """A read transaction on a connection that maps the database file into memory:
            kept rows are large (an answer's findings are tens of MB over a thousand cases)
            and are read whole, and SQLite then copies them out of the mapped pages instead
            of reading each page into its cache with a system call first (half the CPU of
            reading them). Setting the size again on a connection that has it does nothing."""
            with self.datastore.transaction(commit=False) as c:
                c.execute(f"PRAGMA mmap_size = {_MMAP_SIZE}")
                yield c

        def _write(self, c: Any, rows: Sequence[ViewRow], tracking: Tracking | None) -> None:
            c.executemany(
                "INSERT INTO ledger_case_views VALUES (?, ?, ?, ?) "
                "ON CONFLICT (view, case_key) DO UPDATE SET "
                "last_seq = excluded.last_seq, data = excluded.data",
                [self.codec.seal(r) for r in rows],
            )
            if tracking is not None:
                self._insert_tracking(c, tracking)

        def rows(self, view: str) -> list[ViewRow]:
            with self._reading() as c:
                # The data as stored, in bytes: no string is made of it only to be encoded.
                c.execute(
                    f"SELECT case_key, last_seq, {_SQLITE_DATA} FROM ledger_case_views "
                    "WHERE view = ?",
                    (view,),
                )
                found = [self.codec.open(view, *r) for r in c.fetchall()]
            return sorted(found, key=lambda r: r.case)

        def rows_beside(self, view: str, beside: str) -> tuple[list[ViewRow], dict[str, int]]:
            with self._reading() as c:
                # The rows of `beside` give their seqs only: their data is not read.
                c.execute(
                    "SELECT view = ?1, case_key, last_seq, "
                    "CASE WHEN view = ?1 THEN CAST(data AS BLOB) END, "
                    "CASE WHEN view = ?1 THEN typeof(data) = 'blob' END "
                    "FROM ledger_case_views WHERE view IN (?1, ?2)",
                    (view, beside),
                )
                found, seqs = [], {}
                for in_view, column, last_seq, data, binary in c.fetchall():
                    if in_view:
                        found.append(self.codec.open(view, column, last_seq, data, binary))
                    else:
                        seqs[column] = last_seq
            return sorted(found, key=lambda r: r.case), seqs

        def rows_for(self, view: str, cases: Sequence[str]) -> list[ViewRow]:
            found: list[ViewRow] = []
            columns = [self.codec.column(case) for case in cases]
            with self._reading() as c:
                for start in range(0, len(columns), 500):
                    chunk = columns[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    c.execute(
                        f"SELECT case_key, last_seq, {_SQLITE_DATA} FROM ledger_case_views "
                        f"WHERE view = ? AND case_key IN ({marks})",
                        (view, *chunk),
                    )
                    found += [self.codec.open(view, *r) for r in c.fetchall()]
            return found

        def view_names(self) -> list[str]:
            with self._reading() as c:
                c.execute("SELECT DISTINCT view FROM ledger_case_views ORDER BY view")
                return [r[0] for r in c.fetchall()]

        def replace(
            self, application_name: str, rows: Sequence[ViewRow], tracking: Tracking | None
        ) -> None:
            with self.datastore.transaction(commit=True) as c:
                c.execute("DELETE FROM ledger_case_views")
                c.execute("DELETE FROM tracking WHERE application_name = ?", (application_name,))
                self._write(c, rows, tracking)

        def drop(self, views: Sequence[str]) -> None:
            with self.datastore.transaction(commit=True) as c:
                c.executemany(
                    "DELETE FROM ledger_case_views WHERE view = ?", [(view,) for view in views]
                )

        def forget(self, case: str) -> None:
            from ledger.case_keys import scrub_sqlite

            scrub_sqlite(
                self.datastore,
                "DELETE FROM ledger_case_views WHERE case_key = ?",
                (self.codec.column(case),),
            )

    return SQLiteViews


# A row's data as its UTF-8 bytes (`_data_as_bytes`), as SQLite hands it over: no string is
# made of a blob only to be encoded again. varchar is text by another name (a cast costs
# nothing), so the loader for it alone is replaced and the other text columns stay strings.
_POSTGRES_DATA = "data::varchar AS data"


def _data_as_bytes(cursor: Any) -> None:
    cursor.adapters.register_loader("varchar", _bytes_loader())


@functools.cache
def _bytes_loader() -> type:
    from psycopg.adapt import Loader

    class BytesLoader(Loader):
        def load(self, data: Any) -> bytes:
            return bytes(data)

    return BytesLoader


@functools.cache
def postgres_views_class() -> type[CaseViews]:
    from eventsourcing.postgres import PostgresTrackingRecorder
    from psycopg.sql import SQL, Identifier

    class PostgresViews(PostgresTrackingRecorder, CaseViews):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.views_table = Identifier(self.datastore.schema, "ledger_case_views")
            self.sql_create_statements.append(
                SQL(
                    "CREATE TABLE IF NOT EXISTS {0} (view text NOT NULL, "
                    "case_key text NOT NULL, last_seq bigint NOT NULL, data text NOT NULL, "
                    "PRIMARY KEY (view, case_key))"
                ).format(self.views_table)
            )

        def apply(self, rows: Sequence[ViewRow], tracking: Tracking | None = None) -> None:
            with self.datastore.transaction(commit=True) as curs:
                self._write(curs, rows, tracking)

        def _write(self, curs: Any, rows: Sequence[ViewRow], tracking: Tracking | None) -> None:
            curs.executemany(
                SQL(
                    "INSERT INTO {0} VALUES (%s, %s, %s, %s) ON CONFLICT (view, case_key) "
                    "DO UPDATE SET last_seq = excluded.last_seq, data = excluded.data"
                ).format(self.views_table),
                [(v, c, s, self.codec.text(d)) for v, c, s, d in map(self.codec.seal, rows)],
            )
            if tracking is not None:
                self._insert_tracking(curs, tracking)

        def rows(self, view: str) -> list[ViewRow]:
            with self.datastore.transaction(commit=False) as curs:
                _data_as_bytes(curs)
                curs.execute(
                    SQL(
                        f"SELECT case_key, last_seq, {_POSTGRES_DATA} FROM {{0}} WHERE view = %s"
                    ).format(self.views_table),
                    (view,),
                )
                found = [
                    self.codec.open(view, r["case_key"], r["last_seq"], r["data"])
                    for r in curs.fetchall()
                ]
            return sorted(found, key=lambda r: r.case)

        def rows_beside(self, view: str, beside: str) -> tuple[list[ViewRow], dict[str, int]]:
            with self.datastore.transaction(commit=False) as curs:
                _data_as_bytes(curs)
                # The rows of `beside` give their seqs only: their data is not read.
                curs.execute(
                    SQL(
                        "SELECT view = %(view)s AS in_view, case_key, last_seq, "
                        "CASE WHEN view = %(view)s THEN data::varchar END AS data "
                        "FROM {0} WHERE view IN (%(view)s, %(beside)s)"
                    ).format(self.views_table),
                    {"view": view, "beside": beside},
                )
                found, seqs = [], {}
                for r in curs.fetchall():
                    if r["in_view"]:
                        found.append(self.codec.open(view, r["case_key"], r["last_seq"], r["data"]))
                    else:
                        seqs[r["case_key"]] = r["last_seq"]
            return sorted(found, key=lambda r: r.case), seqs

        def rows_for(self, view: str, cases: Sequence[str]) -> list[ViewRow]:
            with self.datastore.transaction(commit=False) as curs:
                _data_as_bytes(curs)
                curs.execute(
                    SQL(
                        f"SELECT case_key, last_seq, {_POSTGRES_DATA} FROM {{0}} "
                        "WHERE view = %s AND case_key = ANY(%s)"
                    ).format(self.views_table),
                    (view, [self.codec.column(case) for case in cases]),
                )
                return [
                    self.codec.open(view, r["case_key"], r["last_seq"], r["data"])
                    for r in curs.fetchall()
                ]

        def view_names(self) -> list[str]:
            with self.datastore.transaction(commit=False) as curs:
                curs.execute(
                    SQL("SELECT DISTINCT view FROM {0} ORDER BY view").format(self.views_table)
                )
                return [r["view"] for r in curs.fetchall()]

        def replace(
            self, application_name: str, rows: Sequence[ViewRow], tracking: Tracking | None
        ) -> None:
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(SQL("DELETE FROM {0}").format(self.views_table))
                curs.execute(
                    SQL("DELETE FROM {0}.{1} WHERE application_name = %s").format(
                        Identifier(self.datastore.schema), Identifier(self.tracking_table_name)
                    ),
                    (application_name,),
                )
                self._write(curs, rows, tracking)

        def drop(self, views: Sequence[str]) -> None:
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(
                    SQL("DELETE FROM {0} WHERE view = ANY(%s)").format(self.views_table),
                    (list(views),),
                )

        def forget(self, case: str) -> None:
            with self.datastore.transaction(commit=True) as curs:
                curs.execute(
                    SQL("DELETE FROM {0} WHERE case_key = %s").format(self.views_table),
                    (self.codec.column(case),),
                )
            # The deleted tuples stay in the table's pages until they are rewritten.
            with self.datastore.get_connection() as connection:  # autocommit: VACUUM
                connection.execute(SQL("VACUUM FULL {0}").format(self.views_table))

    return PostgresViews


class MemoryCaseViews(POPOTrackingRecorder, CaseViews):
    """For the in-memory store: the same behaviour in dictionaries."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[tuple[str, str], ViewRow] = {}

    def apply(self, rows: Sequence[ViewRow], tracking: Tracking | None = None) -> None:
        with self._database_lock:
            if tracking is not None:
                self._assert_tracking_uniqueness(tracking)
            for row in rows:
                self._rows[(row.view, row.case)] = row
            if tracking is not None:
                self._insert_tracking(tracking)

    def rows(self, view: str) -> list[ViewRow]:
        return sorted((r for r in self._rows.values() if r.view == view), key=lambda r: r.case)

    def rows_for(self, view: str, cases: Sequence[str]) -> list[ViewRow]:
        return [self._rows[(view, c)] for c in cases if (view, c) in self._rows]

    def rows_beside(self, view: str, beside: str) -> tuple[list[ViewRow], dict[str, int]]:
        with self._database_lock:
            seqs = {r.case: r.last_seq for r in self._rows.values() if r.view == beside}
            return self.rows(view), seqs

    def view_names(self) -> list[str]:
        return sorted({view for view, _ in self._rows})

    def replace(
        self, application_name: str, rows: Sequence[ViewRow], tracking: Tracking | None
    ) -> None:
        with self._database_lock:
            self._rows = {(row.view, row.case): row for row in rows}
            self._max_tracking_ids.pop(application_name, None)
            if tracking is not None:
                self._insert_tracking(tracking)

    def drop(self, views: Sequence[str]) -> None:
        with self._database_lock:
            self._rows = {place: row for place, row in self._rows.items() if place[0] not in views}

    def forget(self, case: str) -> None:
        with self._database_lock:
            self._rows = {place: row for place, row in self._rows.items() if place[1] != case}


def open_views(store: Store) -> CaseViews:
    """The views of a store, tables created when missing, sealed when the store is encrypted."""
    environment = Environment(VIEWS_NAME, dict(store.settings))
    if store.kind == "memory" or read_only_without(store, "ledger_case_views"):
        # Never kept, and opened read-only: empty, as a writable ledger's are on first use.
        views: CaseViews = MemoryCaseViews()
    else:
        view_class = _sqlite_class() if store.kind == "sqlite" else postgres_views_class()
        factory = InfrastructureFactory.construct(environment)
        for attempts_left in reversed(range(3)):
            try:
                views = factory.tracking_recorder(view_class)  # type: ignore[arg-type,assignment]
                break
            except IntegrityError:
                # Processes opening the views for the first time at once all create their
                # tables and record eventsourcing's migration marker in them; the losers'
                # transactions roll back, and on a second look they find the tables made.
                if not attempts_left:
                    raise
    if store.kind == "memory":
        views.codec = RowCodec()  # rows never leave the process
    else:
        cipher = RowCipher(environment) if store.encrypted else None
        views.codec = RowCodec(cipher, store.id_secret())
    return views
