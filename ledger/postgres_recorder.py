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
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

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


def copy_body(rows: Iterable[Row]) -> bytes:
    """The rows in PostgreSQL's binary COPY format, without its header and trailer: the
    bodies of consecutive runs of rows join into the body of all of them."""
    parts: list[bytes] = []
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
    return b"".join(parts)


class CopyRows(Sequence[Row]):
    """Rows already in COPY's binary format (`copy_body`), `count` of them: an import encodes
    each chunk as it is checked, and stores the bytes as they are. Read as rows (decoded)
    only where they must be stamped again."""

    def __init__(self, body: bytes, count: int) -> None:
        self.body = body
        self.count = count

    def __len__(self) -> int:
        return self.count

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...
    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        return list(self)[index]

    def __iter__(self) -> Iterator[Row]:
        body, at = memoryview(self.body), 0
        row_head, length = _ROW.unpack_from, _LENGTH.unpack_from
        for _ in range(self.count):
            _fields, _, originator, _, version, size = row_head(body, at)
            at += _ROW.size
            topic = bytes(body[at : at + size]).decode()
            at += size
            (size,) = length(body, at)
            at += _LENGTH.size
            yield originator, version, topic, bytes(body[at : at + size])
            at += size


def copy_data(rows: Iterable[Row]) -> bytes:
    """The rows in PostgreSQL's binary COPY format."""
    body = rows.body if isinstance(rows, CopyRows) else copy_body(rows)
    return b"".join((_SIGNATURE, body, _TRAILER))


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
