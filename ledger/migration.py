"""Moving a ledger to another store (SQLite to PostgreSQL and back), verbatim.

Everything that makes a ledger checkable lives in its stored rows: each entry's `recorded_at`,
hash and `prev_hash` are inside its state, the Merkle tree is built over the entries in the
order they were stored, access records are chained the same way, and with encryption on the
state is ciphertext that only this key opens, bound to its row's place (stream id, version,
topic; ledger/rows.py). So a migration copies the rows themselves, never the decoded events:
every row of the event store (whatever its topic: entries, access records, the ledger's own
copy of its checkpoints, and any row a later version keeps there) with its stream id, version,
topic and state byte for byte, in notification order, a page per transaction; then the draft
area's rows as they lie (ledger/draft_area.py). Nothing is decoded, so neither the key nor the
ciphertext changes, and the target's tree root is the source's. The notification ids themselves
are the target's (its own sequence); only their order carries meaning.

Resuming: an interrupted migration leaves the target holding the source's first rows (each
page is one transaction). Run again, it first checks that the rows already on the target are
exactly the source's first rows, row for row, then copies the rest; a target holding any other
row, or a draft that differs from the source's, is refused before anything is written.

With encryption on, each case's key is copied too, wrapped as it lies (ledger/case_keys.py: it
is wrapped for the case's stream under the ledger key, both the same on the target), before the
rows it opens; an erased case has none, and its erasure record is a row like any other.

The materialised views are not copied: they are derived, and the caller rebuilds them on the
target (`projections.kept.case_index.reindex`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent

from ledger.case_keys import KeyRow
from ledger.checkpoint import read_log

if TYPE_CHECKING:
    from eventsourcing.persistence import Notification

    from ledger.application import CaseLedger

PAGE = 5000
"""Rows copied per transaction: an interrupted migration loses at most one page's work."""


class MigrationRefused(ValueError):
    """The target holds something the source does not; nothing was written to it."""


DraftRow = tuple[int, str, str]


@dataclass(frozen=True, slots=True)
class Plan:
    """What a migration will do, found before anything is written."""

    rows_there: int  # rows already on the target, each the source's row at that place
    after: int  # the source's notification id of the last of them (0: none)
    drafts: list[DraftRow]  # the source's drafts the target lacks
    drafts_there: int  # drafts already on the target, each equal to the source's
    keys: list[KeyRow] = field(default_factory=list)  # the source's case keys the target lacks


@dataclass(frozen=True, slots=True)
class Copied:
    rows: int
    drafts: int


def _row(stored: StoredEvent) -> tuple[UUID | str, int, str, bytes]:
    """A row as it lies: what a verbatim copy must keep."""
    return (
        _stream(stored.originator_id),
        stored.originator_version,
        stored.topic,
        bytes(stored.state),
    )


def _stream(originator_id: UUID | str) -> UUID:
    return originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))


def _rows(ledger: CaseLedger, after: int = 0, page: int = PAGE) -> Iterator[Notification]:
    for notifications in ledger.notification_pages(None, after=after, page=page):
        yield from notifications


def matched_rows(source: CaseLedger, target: CaseLedger, page: int = PAGE) -> tuple[int, int]:
    """How many rows the target holds, all of them the source's first rows in the same order
    and byte for byte, and the source's notification id of the last of them.

    Raise `MigrationRefused` when the target holds any other row."""
    theirs = _rows(source, page=page)
    count = last = 0
    for held in _rows(target, page=page):
        count += 1
        mine = next(theirs, None)
        if mine is None or _row(held) != _row(mine):
            raise MigrationRefused(_not_the_sources(held, count, beyond=mine is None))
        last = mine.id
    return count, last


def _not_the_sources(held: Notification, count: int, *, beyond: bool) -> str:
    stream, version, topic, _ = _row(held)
    where = "is beyond the source's last row" if beyond else "differs from the source's row there"
    return (
        f"the target holds rows that are not the source's: its row {count} (stream {stream}, "
        f"version {version}, topic {topic}) {where}; migrate into an empty store, or into one "
        "an earlier run from this source filled"
    )


def draft_plan(source: CaseLedger, target: CaseLedger) -> tuple[list[DraftRow], int]:
    """The source's drafts the target lacks, and how many it holds already (each one the
    source's draft: id, case column and sealed document alike).

    Raise `MigrationRefused` when the target holds a draft the source does not."""
    mine = {row[0]: row for row in source.drafts.every_row()}
    held: set[int] = set()
    for row in target.drafts.every_row():
        if mine.get(row[0]) != row:
            why = "the source has no such draft" if row[0] not in mine else "it differs"
            raise MigrationRefused(
                f"the target's draft {row[0]} is not the source's ({why}); drafts are copied "
                "as they lie, so the target must hold none of its own"
            )
        held.add(row[0])
    return [row for id, row in sorted(mine.items()) if id not in held], len(held)


def key_plan(source: CaseLedger, target: CaseLedger) -> list[KeyRow]:
    """The source's case keys (wrapped, as they lie) the target lacks.

    Raise `MigrationRefused` when the target holds a key the source does not (another
    ledger's, or one the source destroyed since: an erased case)."""
    if source.key_ring is None or target.key_ring is None:
        return []
    mine = dict(source.key_ring.table.every_row())
    held = dict(target.key_ring.table.every_row())
    for stream, wrapped in held.items():
        if mine.get(stream) != wrapped:
            raise MigrationRefused(
                f"the target holds a case key the source does not (stream {stream}; another "
                "ledger's, or the key of a case erased since); migrate into an empty store"
            )
    return [(stream, wrapped) for stream, wrapped in mine.items() if stream not in held]


def plan(source: CaseLedger, target: CaseLedger, page: int = PAGE) -> Plan:
    """Check the target against the source and find what is left to copy (nothing written)."""
    rows_there, after = matched_rows(source, target, page)
    drafts, drafts_there = draft_plan(source, target)
    return Plan(rows_there, after, drafts, drafts_there, key_plan(source, target))


def carry_out(
    source: CaseLedger,
    target: CaseLedger,
    planned: Plan,
    *,
    page: int = PAGE,
    progress: Callable[[int], None] | None = None,
) -> Copied:
    """Copy the rows after the planned position, a page per transaction (calling
    `progress` with the rows copied so far after each), then the missing drafts in one
    transaction. Rows the source gained since the plan are copied too."""
    if target.key_ring is not None:
        # Before the rows they open; the keys of cases the source gained since the plan too.
        target.key_ring.table.put_rows(key_plan(source, target))
    copied = 0
    for notifications in source.notification_pages(None, after=planned.after, page=page):
        # As the bulk import stores its rows: by COPY where the target is PostgreSQL.
        rows = [
            (_stream(n.originator_id).bytes, n.originator_version, n.topic, bytes(n.state))
            for n in notifications
        ]
        try:
            target.insert_rows(rows)
        except IntegrityError:
            raise MigrationRefused(
                "the target was written to during the migration (a row is already there); "
                "stop other writers and run the migration again"
            ) from None
        copied += len(rows)
        if progress is not None:
            progress(copied)
    if planned.drafts:
        target.drafts.put_rows(planned.drafts)
    return Copied(copied, len(planned.drafts))


def confirm(source: CaseLedger, target: CaseLedger, page: int = PAGE) -> int:
    """Read both stores again and check the target holds every row of the source, in order,
    byte for byte, and nothing else, and the source's case keys as they lie; the number of
    rows. `MigrationRefused` otherwise."""
    if (
        source.key_ring is not None
        and target.key_ring is not None
        and source.key_ring.table.every_row() != target.key_ring.table.every_row()
    ):
        raise MigrationRefused(
            "the case keys differ between source and target (a case created or erased "
            "during the migration); run the migration again"
        )
    count = 0
    for mine, held in zip_longest(_rows(source, page=page), _rows(target, page=page)):
        count += 1
        if held is None:
            raise MigrationRefused(
                f"the source has rows from its row {count} on that the target lacks (written "
                "during the migration); run the migration again to copy them"
            )
        if mine is None or _row(held) != _row(mine):
            raise MigrationRefused(_not_the_sources(held, count, beyond=mine is None))
    return count


# ---- the checkpoints log beside the store ----


@dataclass(frozen=True, slots=True)
class LogCopy:
    """What becomes of the checkpoints log: `content` is written to `target` (None: nothing
    to write, the target already holds it or the source has none)."""

    source: Path
    target: Path
    notes: int
    content: bytes | None


def checkpoints_plan(source: Path, target: Path) -> LogCopy:
    """The source's checkpoints log, to be copied as it is to the target's place.

    A target log that holds the source's first notes (an earlier migration, before the
    source signed more) is replaced; one that holds any other note is refused."""
    if not source.exists():
        return LogCopy(source, target, 0, None)
    notes = [note.text for note in read_log(source)]
    if target.exists() and os.path.samefile(source, target):
        return LogCopy(source, target, len(notes), None)  # one log for both stores
    held = [note.text for note in read_log(target)]
    if held != notes[: len(held)]:
        raise MigrationRefused(
            f"the target's checkpoints log {target} holds checkpoints the source's "
            f"{source} does not; move it away or name another with --to-checkpoints"
        )
    content = None if len(held) == len(notes) else source.read_bytes()
    return LogCopy(source, target, len(notes), content)


def write_log(copy: LogCopy) -> None:
    """Write the planned log whole or not at all (a temporary file renamed into place)."""
    if copy.content is None:
        return
    copy.target.parent.mkdir(parents=True, exist_ok=True)
    partial = copy.target.with_name(copy.target.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(copy.content)
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(copy.target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def is_empty(ledger: CaseLedger) -> bool:
    """Whether a store holds no rows and no drafts (nothing to migrate from it)."""
    return not any(True for _ in ledger.notification_pages(None, page=1)) and not any(
        True for _ in ledger.drafts.every_row()
    )
