"""eventsourcing's application recorders, stamping `recorded_at` under the write lock.

`insert_events(stored_events, stamp=fn)` takes the store's write lock first, reads the row
stored last (and, on PostgreSQL, the server's `clock_timestamp()`), and stores what
`fn(server_now, last_row)` returns instead of `stored_events` (ledger/clock.py). Without
`stamp` (a migration copying rows verbatim) they insert as the library does.

The SQLite recorder also reads the notification log as plain rows (`select_notification_rows`)
for passes over the whole ledger, which need no `Notification` object per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from eventsourcing.utils import retry

Stamp = Callable[[datetime | None, StoredEvent | None], Sequence[StoredEvent]]
"""(the server's time, or None where the writer's clock is the store's; the row stored last)
→ the rows to store."""


class SQLiteStampingRecorder(SQLiteApplicationRecorder):
    def insert_events(
        self, stored_events: Sequence[StoredEvent], *, stamp: Stamp | None = None, **kwargs: Any
    ) -> Sequence[int] | None:
        if stamp is None:
            return super().insert_events(stored_events, **kwargs)
        with self.datastore.transaction(commit=True) as c:
            last = self.lock_for_writing(c)
            return self._insert_events(c, stamp(None, last), **kwargs)

    def lock_for_writing(self, c: SQLiteCursor) -> StoredEvent | None:
        """Take the write lock in the transaction `c` has begun (waiting for another writer,
        up to the lock timeout) and return the row stored last.

        eventsourcing begins SQLite transactions deferred; the lock is taken by the first
        write, so a write that changes nothing comes first: a read first would pin a snapshot
        that another writer could make stale before this one writes."""
        c.execute(f"DELETE FROM {self.events_table_name} WHERE 0")
        c.execute(
            f"SELECT originator_id, originator_version, topic, state "
            f"FROM {self.events_table_name} ORDER BY rowid DESC LIMIT 1"
        )
        row = c.fetchone()
        if row is None:
            return None
        return StoredEvent(
            originator_id=self.convert_originator_id(row["originator_id"]),
            originator_version=row["originator_version"],
            topic=row["topic"],
            state=row["state"],
        )

    def select_notification_rows(
        self, after: int, limit: int, topics: Sequence[str]
    ) -> list[tuple[int, Any, int, str, bytes]]:
        """`select_notifications(after, limit, topics=topics, inclusive_of_start=False)` as
        tuples (notification id, originator id, version, topic, state): the same rows in the
        same order, the originator id as stored (`convert_originator_id` turns it into the
        library's)."""
        marks = ",".join("?" * len(topics))
        where = f"AND topic IN ({marks}) " if topics else ""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT rowid, originator_id, originator_version, topic, state "
                f"FROM {self.events_table_name} WHERE rowid>? {where}ORDER BY rowid LIMIT ?",
                (after, *topics, limit),
            )
            return c.fetchall()  # type: ignore[no-any-return]


class MemoryStampingRecorder(POPOApplicationRecorder):
    def insert_events(
        self, stored_events: Sequence[StoredEvent], *, stamp: Stamp | None = None, **kwargs: Any
    ) -> Sequence[int] | None:
        if stamp is None:
            return super().insert_events(stored_events, **kwargs)
        with self._database_lock:  # re-entrant: the insert takes it again
            last = self._stored_events[-1] if self._stored_events else None
            return super().insert_events(stamp(None, last), **kwargs)


def _postgres_recorder() -> type:
    from psycopg.sql import SQL, Identifier

    from ledger.postgres_recorder import LedgerPostgresRecorder, Row, copy_data

    class PostgresStampingRecorder(LedgerPostgresRecorder):
        def _last_row(self, curs: Any) -> tuple[datetime, StoredEvent | None]:
            """Under the table lock: the server's time and the row stored last."""
            curs.execute(SQL("SELECT clock_timestamp() AS now"))
            now = curs.fetchone()["now"]
            curs.execute(
                SQL(
                    "SELECT originator_id, originator_version, topic, state FROM {0}.{1} "
                    "ORDER BY notification_id DESC LIMIT 1"
                ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
            )
            row = curs.fetchone()
            if row is None:
                return now, None
            return now, StoredEvent(
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )

        @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
        def copy_rows(self, rows: Sequence[Row], *, stamp: Stamp | None = None) -> None:
            """COPY, as LedgerPostgresRecorder does; with `stamp`, the rows it returns for
            the server's time and the row stored last, read under the table lock."""
            if stamp is None:
                return super().copy_rows(rows)
            statement = SQL(
                "COPY {0}.{1} (originator_id, originator_version, topic, state) "
                "FROM STDIN (FORMAT BINARY)"
            ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
            with self.datastore.transaction(commit=True) as curs:
                self._lock_table(curs)
                now, last = self._last_row(curs)
                data = copy_data(stamp(now, last))  # type: ignore[arg-type]
                self._notify_channel(curs)
                with curs.copy(statement) as copy:
                    copy.write(data)
            return None

        def create_table(self) -> None:
            # Processes opening a new ledger at once would race to create its types and
            # tables (a duplicate pg_type row, "tuple concurrently updated"): one at a time,
            # under an advisory lock named by the table.
            name = f"ledger tables {self.datastore.schema}.{self.events_table_name}"
            with self.datastore.get_connection() as conn:
                conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (name,))
                try:
                    super().create_table()
                finally:
                    conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (name,))

        @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
        def insert_events(
            self,
            stored_events: Sequence[StoredEvent],
            *,
            stamp: Stamp | None = None,
            **kwargs: Any,
        ) -> Sequence[int] | None:
            if stamp is None:
                return super().insert_events(stored_events, **kwargs)
            with (
                self.datastore.get_connection() as conn,
                conn.transaction(),
                conn.cursor() as curs,
            ):
                # The table lock eventsourcing takes to keep insert order = commit order;
                # the time is the server's, read under it.
                self._lock_table(curs)
                events = stamp(*self._last_row(curs))
                self._insert_events(curs, events, **kwargs)
                if not events:
                    return []
                self._insert_stored_events(curs, events, **kwargs)
                return self._fetch_ids_after_insert_events(curs, events, **kwargs)

    return PostgresStampingRecorder


def __getattr__(name: str) -> Any:
    # psycopg is an optional extra: the PostgreSQL recorder is built when first named.
    if name == "PostgresStampingRecorder":
        cls = _postgres_recorder()
        globals()[name] = cls
        return cls
    raise AttributeError(name)
