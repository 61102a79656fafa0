"""Entries as they read at a point in time: corrections known by then applied, not later ones."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from ledger.timeparse import known_state, parse_moment
from projections.records import Record

CORRECTED = "EntryCorrected"
RETRACTED = "EntryRetracted"
CORRECTION_TYPES = (CORRECTED, RETRACTED)

_ENVELOPE = ("actor", "role", "agency", "on_behalf_of", "summary", "source", "assessment")


def as_known(records: Iterable[Record], at: datetime | None = None) -> list[Record]:
    """Each entry as it read at `at` (or now): only corrections known by `at` are applied."""
    by_seq = {record.seq: record for record in records}
    for record in sorted(by_seq.values(), key=lambda r: r.seq):
        if record.type not in CORRECTION_TYPES:
            continue
        if at is not None and known_state(record.known, at) != "known":
            continue
        target = by_seq.get(record.fields.get("target"))  # type: ignore[arg-type]
        if target is None:
            continue
        if record.type == RETRACTED:
            by_seq[target.seq] = replace(target, retracted_by=record.seq)
        else:
            by_seq[target.seq] = corrected(target, record.fields.get("changes", {}), record.seq)
    return list(by_seq.values())


def corrected(target: Record, changes: dict[str, Any], by: int) -> Record:
    """`target` with one correction's changes applied."""
    updates: dict[str, Any] = {"corrected_by": (*target.corrected_by, by)}
    fields = dict(target.fields)
    for name, value in changes.items():
        if name == "occurred":
            updates["occurred"] = parse_moment(value)
        elif name == "known":
            updates["known"] = parse_moment(value)
            updates["known_assumed"] = False
        elif name == "basis":
            updates["basis"] = tuple(value)
        elif name in _ENVELOPE:
            updates[name] = value
        else:
            fields[name] = value
    if "occurred" in updates and target.known_assumed and "known" not in updates:
        updates["known"] = updates["occurred"]  # an assumed clock follows the one it copies
    updates["fields"] = fields
    return replace(target, **updates)


def history_of(records: Iterable[Record], seq: int) -> list[Record]:
    """The corrections and retractions of one entry, in the order they were recorded."""
    return sorted(
        (r for r in records if r.type in CORRECTION_TYPES and r.fields.get("target") == seq),
        key=lambda r: r.seq,
    )
