"""One line per case: how many entries, the span they cover, when the ledger last changed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ledger.timeparse import Moment, to_stockholm
from projections.records import StoredEntry, to_record


@dataclass
class CaseSummary:
    case: str
    entries: int
    first: Moment
    last: Moment
    last_type: str
    last_recorded_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "entries": self.entries,
            "first_occurred": self.first.to_json(),
            "last_occurred": self.last.to_json(),
            "last_type": self.last_type,
            "last_recorded_at": to_stockholm(self.last_recorded_at).isoformat(),
        }


def case_summaries(entries: Iterable[StoredEntry]) -> list[CaseSummary]:
    """Summaries of every case seen in `entries`, sorted by case key."""
    summaries: dict[str, CaseSummary] = {}
    for entry in entries:
        record = to_record(entry)
        summary = summaries.get(record.case)
        if summary is None:
            summaries[record.case] = CaseSummary(
                record.case, 1, record.occurred, record.occurred, record.type, record.recorded_at
            )
            continue
        summary.entries += 1
        if record.occurred.sort_key() < summary.first.sort_key():
            summary.first = record.occurred
        if record.occurred.sort_key() >= summary.last.sort_key():
            summary.last = record.occurred
            summary.last_type = record.type
        summary.last_recorded_at = max(summary.last_recorded_at, record.recorded_at)
    return [summaries[key] for key in sorted(summaries)]
