"""`ledger export --format jsonl`: a case's entries as the import format (DESIGN §5).

Each stored entry becomes the object that, imported in seq order into a ledger without the
case, stores the same entry at the same seq: the clocks as their texts (an assumed `known`
left out, so it is assumed again), references written back as `@ref` where the target has a
label and `#seq` where it has none, corrections and judgements like any other entry. Only
`recorded_at` (and so the hashes) belongs to the new ledger.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from ledger.timeparse import known_state, parse_moment
from ledger.vocabulary import NOT_DOCUMENTED, EventType, event_type
from projections.records import StoredEntry

__all__ = ["import_objects", "known_by"]

_ENVELOPE = ("actor", "role", "agency", "on_behalf_of", "summary", "source")


def import_objects(entries: Sequence[StoredEntry]) -> Iterator[dict[str, Any]]:
    """One case's entries (in seq order) as import objects, in seq order."""
    refs = {entry.originator_version: entry.ref for entry in entries}
    types = {entry.originator_version: entry.type for entry in entries}

    def reference(seq: Any) -> Any:
        if not isinstance(seq, int) or isinstance(seq, bool):
            return seq  # not_documented, kept as written
        label = refs.get(seq)
        return f"@{label}" if label is not None else f"#{seq}"

    for entry in entries:
        spec = event_type(entry.type)
        obj: dict[str, Any] = {"case": entry.case}
        if entry.ref is not None:
            obj["ref"] = entry.ref
        obj["type"] = entry.type
        obj["occurred"] = entry.occurred
        if entry.known is not None:
            obj["known"] = entry.known
        for name in _ENVELOPE:
            value = getattr(entry, name)
            if value is not None:
                obj[name] = value
        if entry.assessment:
            obj["assessment"] = True
        if entry.basis:
            obj["basis"] = [reference(seq) for seq in entry.basis]
        fields = _fields(spec, entry.fields, reference)
        if "changes" in fields and "target" in entry.fields:
            target = types.get(entry.fields["target"])
            if target is not None:
                fields["changes"] = _changes(event_type(target), fields["changes"], reference)
        obj.update(fields)
        yield obj


def _fields(spec: EventType, fields: Mapping[str, Any], reference: Any) -> dict[str, Any]:
    written: dict[str, Any] = {}
    for name, value in fields.items():
        field = spec.field(name)
        if value == NOT_DOCUMENTED or field is None:
            written[name] = value
        elif field.kind == "ref":
            written[name] = reference(value)
        elif field.kind == "refs":
            written[name] = [reference(v) for v in value]
        else:
            written[name] = value
    return written


def _changes(target: EventType, changes: Mapping[str, Any], reference: Any) -> dict[str, Any]:
    """A correction's changes with their references written back (basis and the corrected
    type's reference fields)."""
    written = _fields(target, {k: v for k, v in changes.items() if k != "basis"}, reference)
    if "basis" in changes:
        written["basis"] = [reference(seq) for seq in changes["basis"]]
    return {name: written[name] for name in changes}


def known_by(entries: Sequence[StoredEntry], at: datetime) -> list[StoredEntry]:
    """The entries the social services certainly knew at `at` (their `known` clock, or
    `occurred` when it is assumed, ends by then); corrections likewise. Raise ValueError when
    a kept entry refers to one left out: the file would not import."""
    kept = [e for e in entries if known_state(parse_moment(e.known or e.occurred), at) == "known"]
    seqs = {e.originator_version for e in kept}
    for entry in kept:
        spec = event_type(entry.type)
        referred = list(entry.basis)
        for field in spec.reference_fields:
            value = entry.fields.get(field.name)
            referred += value if isinstance(value, list) else [value]
        missing = [s for s in referred if isinstance(s, int) and s not in seqs]
        if missing:
            raise ValueError(
                f"{entry.case}#{entry.originator_version} was known by then but refers to "
                f"#{missing[0]}, which was not; export without --as-known-at"
            )
    return kept
