"""The chronology of a case, optionally as known at, as of, or as recorded at a point in time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from ledger.timeparse import Moment, known_state, occurred_state
from projections.corrections import as_known
from projections.ordering import Order, ordered
from projections.records import Record


@dataclass(frozen=True, slots=True)
class ViewPoint:
    """The points in time a view is taken at, as the user gave them (`parse_point_moment`):
    each means the end of its period. None means "no limit" on that clock."""

    as_known_at: Moment | None = None
    as_of: Moment | None = None
    as_recorded_at: Moment | None = None

    @property
    def known_by(self) -> datetime | None:
        return _end(self.as_known_at)

    @property
    def occurred_by(self) -> datetime | None:
        return _end(self.as_of)

    @property
    def recorded_by(self) -> datetime | None:
        return _end(self.as_recorded_at)


def _end(point: Moment | None) -> datetime | None:
    return point.end if point is not None else None


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    record: Record
    # "possibly" where an imprecise clock straddles the view's point: shown, and said so.
    knowledge: Literal["known", "possibly"] | None = None
    occurrence: Literal["before", "possibly"] | None = None


def as_recorded(records: Iterable[Record], at: datetime | None) -> list[Record]:
    """The entries the ledger itself held at `at` (system time)."""
    if at is None:
        return list(records)
    return [r for r in records if r.recorded_at <= at]


def timeline(
    records: Iterable[Record], view: ViewPoint = ViewPoint(), order: Order = "occurred"
) -> list[TimelineEntry]:
    """Entries in chronological order (`projections.ordering`), filtered by the view's clocks."""
    entries = []
    known_by, occurred_by = view.known_by, view.occurred_by
    for record in as_known(as_recorded(records, view.recorded_by), known_by):
        knowledge = occurrence = None
        if known_by is not None:
            state = known_state(record.known, known_by)
            if state == "unknown":
                continue
            knowledge = state
        if occurred_by is not None:
            happened = occurred_state(record.occurred, occurred_by)
            if happened == "after":
                continue
            occurrence = happened
        entries.append(TimelineEntry(record, knowledge, occurrence))
    return ordered(entries, lambda e: e.record, order)
