"""The JSON shapes other tools rely on (DESIGN §8): entries, references, documents."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ledger.timeparse import to_stockholm
from projections.records import Record
from projections.timeline import TimelineEntry, ViewPoint

SCHEMA_VERSION = 1


def reference(seq: int, labels: Mapping[int, str | None]) -> dict[str, Any]:
    return {"seq": seq, "ref": labels.get(seq)}


def record_json(record: Record, labels: Mapping[int, str | None]) -> dict[str, Any]:
    """An entry as every JSON output writes it, references as `{"seq", "ref"}` objects."""
    spec = record.spec
    fields: dict[str, Any] = {}
    for name, value in record.fields.items():
        kind = spec.field(name).kind if spec.field(name) else None
        if kind == "ref" and isinstance(value, int):
            fields[name] = reference(value, labels)
        elif kind == "refs" and isinstance(value, list):
            fields[name] = [reference(v, labels) for v in value]
        else:
            fields[name] = value
    known = record.known.to_json()
    known["assumed"] = record.known_assumed
    return {
        "seq": record.seq,
        "ref": record.ref,
        "type": record.type,
        "category": spec.category,
        "decision": spec.decision,
        "occurred": record.occurred.to_json(),
        "known": known,
        "recorded_at": to_stockholm(record.recorded_at).isoformat(),
        "actor": record.actor,
        "role": record.role,
        "agency": record.agency,
        "on_behalf_of": record.on_behalf_of,
        "summary": record.summary,
        "source": record.source,
        "assessment": record.assessment,
        "basis": [reference(seq, labels) for seq in record.basis],
        "fields": fields,
    }


def view_json(view: ViewPoint) -> dict[str, Any]:
    def point(value: datetime | None) -> str | None:
        return to_stockholm(value).isoformat() if value is not None else None

    return {
        "as_known_at": point(view.as_known_at),
        "as_of": point(view.as_of),
        "as_recorded_at": point(view.as_recorded_at),
    }


def document(case: str, **lists_and_values: Any) -> dict[str, Any]:
    """A top-level JSON object: schema_version, case, generated_at, then the view's content."""
    return {
        "schema_version": SCHEMA_VERSION,
        "case": case,
        "generated_at": to_stockholm(datetime.now(UTC)).isoformat(),
        **lists_and_values,
    }


def timeline_items(
    entries: Iterable[TimelineEntry], labels: Mapping[int, str | None]
) -> list[dict[str, Any]]:
    items = []
    for entry in entries:
        item = record_json(entry.record, labels)
        item["knowledge"] = entry.knowledge
        item["occurrence"] = entry.occurrence
        items.append(item)
    return items


def timeline_document(
    case: str,
    entries: list[TimelineEntry],
    labels: Mapping[int, str | None],
    view: ViewPoint,
    order: str,
) -> dict[str, Any]:
    return document(
        case, view=view_json(view), order=order, entries=timeline_items(entries, labels)
    )
