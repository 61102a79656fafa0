"""The JSON shapes other tools rely on (DESIGN §8): entries, references, documents."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ledger.timeparse import Moment, parse_moment, to_stockholm
from ledger.vocabulary import NOT_DOCUMENTED
from projections.decisions import Decision
from projections.gaps import Gaps
from projections.knowledge import CaseStatus, Delay, PendingRequest, Snapshot
from projections.records import Record
from projections.timeline import TimelineEntry, ViewPoint

# 2: every time in every output is a clock, points in time and deadlines included.
SCHEMA_VERSION = 2


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
        elif kind == "moment" and isinstance(value, str) and value != NOT_DOCUMENTED:
            # Every time is a clock (DESIGN §11): a birth dated "2016" is not 2016-01-01.
            fields[name] = parse_moment(value).to_json()
        else:
            fields[name] = value
    return {
        "seq": record.seq,
        "ref": record.ref,
        "type": record.type,
        "category": spec.category,
        "decision": spec.decision,
        "occurred": record.occurred.to_json(),
        "known": known_clock(record),
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
        "corrected_by": [reference(seq, labels) for seq in record.corrected_by],
        "retracted_by": None
        if record.retracted_by is None
        else reference(record.retracted_by, labels),
    }


def known_clock(record: Record) -> dict[str, Any]:
    """The `known` clock, saying whether it was given or assumed from `occurred`."""
    return {**record.known.to_json(), "assumed": record.known_assumed}


def instant(value: datetime | None) -> str | None:
    """An instant as JSON writes it: ISO 8601 in Stockholm local time."""
    return to_stockholm(value).isoformat() if value is not None else None


def clock(moment: Moment | None) -> dict[str, Any] | None:
    """A clock as every JSON output writes it (DESIGN §8), or None."""
    return moment.to_json() if moment is not None else None


def view_json(view: ViewPoint) -> dict[str, Any]:
    """The points the view was asked for, as the user gave them: each means its clock's end."""
    return {
        "as_known_at": clock(view.as_known_at),
        "as_of": clock(view.as_of),
        "as_recorded_at": clock(view.as_recorded_at),
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


def refs_json(seqs: Iterable[int], labels: Mapping[int, str | None]) -> list[dict[str, Any]]:
    return [reference(seq, labels) for seq in seqs]


def pending_json(pending: PendingRequest, labels: Mapping[int, str | None]) -> dict[str, Any]:
    item = record_json(pending.request, labels)
    item["answered"] = pending.answered
    item["request_known"] = pending.request_known
    item["replies"] = refs_json((r.seq for r in pending.replies), labels)
    return item


def _ref_or_none(record: Record | None, labels: Mapping[int, str | None]) -> Any:
    return reference(record.seq, labels) if record is not None else None


def status_json(status: CaseStatus, labels: Mapping[int, str | None]) -> dict[str, Any]:
    ended = status.care_ended_by
    return {
        "open_reports": [
            {
                "report": reference(open_.report.seq, labels),
                "known": known_clock(open_.report),
                "awaiting": list(open_.awaiting),
            }
            for open_ in status.open_reports
        ],
        "open_investigations": [
            {
                "investigation": reference(open_.investigation.seq, labels),
                "opened": open_.investigation.occurred.to_json(),
                "due": open_.due.clock().to_json(),
            }
            for open_ in status.open_investigations
        ],
        "care": {
            "in_force": status.care_in_force,
            "ordered": _ref_or_none(status.care_ordered_by, labels),
            "ended": _ref_or_none(ended, labels),
            "ended_by": None
            if ended is None
            else {
                "court": ended.fields.get("decided_by_court"),
                "actor": ended.actor,
                "agency": ended.agency,
                "on_behalf_of": ended.on_behalf_of,
            },
        },
        "placement": None
        if status.placement is None
        else {
            **reference(status.placement.seq, labels),
            "setting": status.placement.fields.get("setting"),
            "legal_form": status.placement.fields.get("legal_form"),
        },
        "living": None
        if status.living is None
        else {
            **reference(status.living.seq, labels),
            "where": status.living.fields.get("to") or status.living.fields.get("setting"),
        },
        "removal_ban": _ref_or_none(status.removal_ban, labels),
        "follow_up": _ref_or_none(status.follow_up, labels),
        "child_died": _ref_or_none(status.child_died, labels),
    }


def held_json(record: Record, labels: Mapping[int, str | None]) -> dict[str, Any]:
    item = record_json(record, labels)
    item["held_by"] = record.agency
    return item


def known_document(
    case: str, snap: Snapshot, labels: Mapping[int, str | None], view: ViewPoint
) -> dict[str, Any]:
    return document(
        case,
        at=snap.at.to_json(),
        view=view_json(view),
        facts=[record_json(r, labels) for r in snap.facts],
        possibly_known=[record_json(r, labels) for r in snap.possibly_known],
        held_elsewhere=[held_json(r, labels) for r in snap.held_elsewhere],
        pending_requests=[pending_json(p, labels) for p in snap.pending_requests],
        status=status_json(snap.status, labels),
    )


def decision_json(view: Decision, labels: Mapping[int, str | None]) -> dict[str, Any]:
    item = record_json(view.decision, labels)
    item.update(
        outcome=view.outcome,
        delegated=view.delegated,
        legal_references=[ref.cited() for ref in view.legal],
        known_at_decision=refs_json(view.known_at_decision, labels),
        possibly_known_at_decision=refs_json(view.possibly_known_at_decision, labels),
        pending_requests=[pending_json(p, labels) for p in view.pending_requests],
        hindsight=[held_json(r, labels) for r in view.hindsight],
        later=[record_json(r, labels) for r in view.later],
    )
    return item


def decisions_document(
    case: str, views: list[Decision], labels: Mapping[int, str | None], view: ViewPoint
) -> dict[str, Any]:
    return document(case, view=view_json(view), decisions=[decision_json(d, labels) for d in views])


def delay_json(delay: Delay | None) -> dict[str, Any] | None:
    """A delay as a range of calendar days, marked when it rests on an estimated clock."""
    if delay is None:
        return None
    return {"min_days": delay.min_days, "max_days": delay.max_days, "estimated": delay.estimated}


def gaps_document(
    case: str, found: Gaps, labels: Mapping[int, str | None], view: ViewPoint
) -> dict[str, Any]:
    return document(
        case,
        view=view_json(view),
        decisions=[
            {
                **reference(d.decision.seq, labels),
                "type": d.decision.type,
                "occurred": d.decision.occurred.to_json(),
                "missing": [held_json(r, labels) for r in d.hindsight],
                "pending_requests": [pending_json(p, labels) for p in d.pending_requests],
            }
            for d in found.decisions
        ],
        agencies=[
            {
                "agency": a.agency,
                "entries": a.entries,
                "late": a.late,
                "possibly_late": a.possibly_late,
                "median_delay": delay_json(a.median),
                "longest_delay": delay_json(a.longest),
                "missing_from_decisions": a.missing_from,
            }
            for a in found.agencies
        ],
    )
