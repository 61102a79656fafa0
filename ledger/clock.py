"""The store's clock: `recorded_at` follows the order the store keeps (DESIGN §3).

`recorded_at` says when the ledger stored a row. Taken from each writer's clock as it made its
events, it could go back in store order: two writers race, one machine's clock is behind,
or someone rewrites a row's time by hand. A view "as the ledger stood on day T" would then
show an entry that was stored later as if it had been there.

So the time is taken by the writer while it holds the store's write lock, after it has read
the time of the row stored last: on SQLite this machine's clock, on PostgreSQL the server's
`clock_timestamp()`. The writer takes the later of the two, so `recorded_at` never decreases
in store order. A clock more than `TOLERANCE` behind the last row is not papered over (every
later row would carry the same borrowed time): the writer refuses in one line, naming the
difference, and nothing is stored. Every row written in one transaction carries the same
time: they were stored at once.

An event's hash covers its `recorded_at`, so events made before the lock was taken are
stamped again under it (`restamp`), their hashes with them; a bulk import takes its time
once, under the lock it holds for the whole import (SQLite), or is stamped again when
another writer overtook it (other stores).

`verify` checks the order (`StoreOrder`) for every entry, access record and kept checkpoint,
and names the first row stored after a row with a later time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ledger.chain import Chained, entry_hash
from ledger.message import Message

TOLERANCE = timedelta(minutes=5)
"""How far a writer's clock may be behind the last stored row and still write (at that row's
time): a clock adjusted by a few seconds, or two machines a little apart, should not stop
work; a clock minutes behind is wrong and is named."""


class ClockBehind(ValueError):
    """The writer's clock is further behind the store's last row than `TOLERANCE`."""

    def __init__(self, now: datetime, last: datetime) -> None:
        behind = (last - now).total_seconds()
        super().__init__(
            f"the clock is {behind:.0f} s behind the ledger's last stored row "
            f"(recorded_at {last.isoformat()}); correct the clock (of this machine, or the "
            "database server) before writing"
        )


def utc(moment: datetime) -> datetime:
    """A server's time in the ledger's zone (UTC, like eventsourcing's timestamps)."""
    return moment.astimezone(UTC)


def store_time(now: datetime, last: datetime | None) -> datetime:
    """The time to stamp rows with: `now`, or the last stored row's time when the clock is
    behind it by at most `TOLERANCE`; raise `ClockBehind` beyond."""
    if last is None or now >= last:
        return now
    if last - now > TOLERANCE:
        raise ClockBehind(now, last)
    return last


def restamp(events: Iterable[Any], at: datetime) -> None:
    """Give events made before the write lock was taken the time taken under it, and redo
    the hash chain of chained events (their hash covers `recorded_at`): the first event of a
    stream in the batch keeps its link to what is stored, later ones link to the new hash."""
    new_hashes: dict[Any, str] = {}
    for event in events:
        object.__setattr__(event, "timestamp", at)
        if not isinstance(event, Chained):
            continue
        stream = event.originator_id  # type: ignore[attr-defined]
        if stream in new_hashes:
            object.__setattr__(event, "prev_hash", new_hashes[stream])
        new_hash = entry_hash(event.hashed_payload())
        object.__setattr__(event, "hash", new_hash)
        new_hashes[stream] = new_hash


@dataclass
class StoreOrder:
    """Reads rows' times in store order and tells the first that goes back."""

    latest: datetime | None = None
    latest_where: str | None = None
    first_back: str | None = None  # what is wrong with the first row out of order
    back: int = 0  # rows out of order in all

    def see(self, recorded_at: datetime, where: str) -> str | None:
        """What is wrong with this row (`where` names it), when it is the first out of order."""
        latest = self.latest
        if latest is not None and recorded_at < latest:
            self.back += 1
            if self.first_back is None:
                self.first_back = Message(
                    "recorded_at {time} is before that of {where} ({latest}), stored before "
                    "it: out of store order (back-dated)",
                    time=recorded_at.isoformat(),
                    where=self.latest_where,
                    latest=latest.isoformat(),
                )
                return self.first_back
            return None
        self.latest, self.latest_where = recorded_at, where
        return None
