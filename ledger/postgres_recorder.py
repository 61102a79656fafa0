"""PostgreSQL: eventsourcing's application recorder, with a bulk insert by COPY for imports.

eventsourcing inserts a transaction's events with one `INSERT ... SELECT FROM unnest(%s)` of
composite values, which psycopg builds value by value in Python. An import of many thousand
checked rows spends more time there than the ledger spends checking them. `copy_rows`
inserts the same rows with `COPY ... FROM STDIN (FORMAT BINARY)` from bytes built directly,
under the same conditions as `insert_events`: one transaction, the table locked in EXCLUSIVE
mode first (so notification ids are handed out in commit order: readers tailing the
notification log never pass over a gap filled later), the channel notified, and the
notification ids taken from the table's own sequence, in row order. A row already there
fails the whole transaction with eventsourcing's `IntegrityError`, as an insert does.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

RECORDER_TOPIC = "ledger.postgres_recorder:LedgerPostgresRecorder"

# PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html):
# the signature, flags and header extension length; then per row the field count and each
# field as a length and its bytes (uuid: 16 bytes, bigint: 8, text and bytea as they are);
# then -1 for the end.
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_ROW = struct.Struct(">hi16siqi")  # 4 fields, the uuid, the bigint, the topic's length
_LENGTH = struct.Struct(">i")
_TRAILER = struct.pack(">h", -1)

Row = tuple[bytes, int, str, bytes]
"""A stored event: the originator id's 16 bytes, its version, the topic, the state."""


def copy_data(rows: Iterable[Row]) -> bytes:
    """The rows in PostgreSQL's binary COPY format."""
    parts = [_SIGNATURE]
    add = parts.append
    row_head, length = _ROW.pack, _LENGTH.pack
    encoded: dict[str, bytes] = {}
    for originator, version, topic, state in rows:
        text = encoded.get(topic)
        if text is None:
            text = encoded[topic] = topic.encode()
        add(row_head(4, 16, originator, 8, version, len(text)))
        add(text)
        add(length(len(state)))
        add(state)
    add(_TRAILER)
    return b"".join(parts)


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    """eventsourcing's PostgreSQL application recorder with `copy_rows` for bulk imports."""

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # as insert_events
    def copy_rows(self, rows: Iterable[Row]) -> None:
        """Insert `rows` in one transaction with COPY, as `insert_events` would insert them."""
        if self.datastore.originator_id_type != "uuid":
            raise NotImplementedError("COPY rows carry binary uuids")
        data = copy_data(rows)
        statement = SQL(
            "COPY {schema}.{table} (originator_id, originator_version, topic, state) "
            "FROM STDIN (FORMAT BINARY)"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        with self.datastore.transaction(commit=True) as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
            with curs.copy(statement) as copy:
                copy.write(data)
