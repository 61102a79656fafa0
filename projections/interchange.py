"""A case's timeline for other tools: Timesketch JSONL and TimelineJS JSON.

Both read the timeline as the view shows it (corrections known by then applied, retracted
entries marked), and neither makes a time more precise than the records do: Timesketch gets
each clock's start as its instant with the clock's text, end and precision beside it;
TimelineJS gets only the date parts the precision gives (a month-precision clock has no day).
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ledger.timeparse import Moment
from projections.timeline import TimelineEntry

__all__ = ["timelinejs_document", "timesketch_rows"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_PARTS = {
    "year": ("year",),
    "season": ("year", "month"),
    "month": ("year", "month"),
    "part_of_month": ("year", "month", "day"),
    "week": ("year", "month", "day"),
    "interval": ("year", "month", "day"),
    "day": ("year", "month", "day"),
    "minute": ("year", "month", "day", "hour", "minute"),
    "second": ("year", "month", "day", "hour", "minute", "second"),
}
# Clocks spanning more than one unit of their parts also get an end date.
_SPANS = frozenset({"season", "part_of_month", "week", "interval"})


def _microseconds(instant: datetime) -> int:
    return (instant - _EPOCH) // timedelta(microseconds=1)


def timesketch_rows(case: str, entries: Sequence[TimelineEntry]) -> Iterator[dict[str, Any]]:
    """One row per clock of every entry (occurred, known, recorded), with Timesketch's
    required `message`, `datetime`, `timestamp` (µs) and `timestamp_desc`."""
    for entry in entries:
        record = entry.record
        message = record.summary or record.type
        common = {
            "case": case,
            "seq": record.seq,
            "ref": record.ref,
            "type": record.type,
            "agency": record.agency,
            "actor": record.actor,
            "source": record.source,
            "retracted": record.retracted_by is not None,
        }
        clocks: list[tuple[str, Moment | None, datetime]] = [
            ("occurred", record.occurred, record.occurred.start),
            (
                "known (assumed)" if record.known_assumed else "known",
                record.known,
                record.known.start,
            ),
            ("recorded", None, record.recorded_at),
        ]
        for description, moment, instant in clocks:
            row: dict[str, Any] = {
                "message": message,
                "datetime": instant.isoformat(),
                "timestamp": _microseconds(instant),
                "timestamp_desc": description,
                **common,
            }
            if moment is not None:
                row |= {
                    "clock": moment.text,
                    "precision": moment.precision,
                    "approximate": moment.approximate,
                    "end": moment.end.isoformat(),
                }
            else:
                row |= {"clock": instant.isoformat(), "precision": "exact", "approximate": False}
            yield row


def _date(moment: Moment, instant: datetime, display: bool) -> dict[str, Any]:
    local = instant
    parts = {name: getattr(local, name) for name in _PARTS[moment.precision]}
    if display:
        parts["display_date"] = html.escape(moment.text, quote=False)
    return parts


def timelinejs_document(case: str, entries: Sequence[TimelineEntry]) -> dict[str, Any]:
    """A TimelineJS timeline: one event per entry, agencies as groups, dates only as precise
    as the clock (its text as the date shown). TimelineJS renders texts as HTML, so every
    text is escaped: a `<script>` in a summary stays text."""
    events = []
    for entry in entries:
        record = entry.record
        moment = record.occurred
        event: dict[str, Any] = {
            "unique_id": f"{case}-{record.seq}",
            "start_date": _date(moment, moment.start, display=True),
            "text": {
                "headline": html.escape(record.summary or record.type, quote=False),
                "text": html.escape(
                    " · ".join(
                        part
                        for part in (
                            record.type,
                            f"känt {record.known.text}" if not record.known_assumed else None,
                            record.source,
                            "återkallad" if record.retracted_by is not None else None,
                        )
                        if part
                    ),
                    quote=False,
                ),
            },
            "group": html.escape(record.agency or "—", quote=False),
        }
        if moment.precision in _SPANS:
            # The last day inside the clock: its end is the next day's midnight.
            event["end_date"] = _date(moment, moment.end - timedelta(days=1), display=False)
        events.append(event)
    title = {"text": {"headline": html.escape(case, quote=False), "text": "ledger export"}}
    return {"title": title, "events": events}
