"""Table layouts for people: one line per entry, fitted to the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.timeparse import format_instant
from ledger.vocabulary import EventType
from projections.cases import CaseSummary
from projections.formats import Column, table
from projections.records import Record
from projections.timeline import TimelineEntry

MARKER_LEGEND = "D decision · A assessment (a judgement, not a fact) · ? possibly known / occurred"


def marker(record: Record) -> str:
    return ("D" if record.is_decision else "") + ("A" if record.assessment else "")


def when(record: Record) -> str:
    """Occurred, and where the social services learned of it later, `→ known`."""
    occurred = record.occurred.display()
    if record.known_assumed or record.known.text == record.occurred.text:
        return occurred
    return f"{occurred} → {record.known.display()}"


def type_label(record: Record, width: int) -> str:
    english = record.type
    room = width - len(english) - 3
    swedish = record.spec.swedish
    if room < 6:
        return english
    if len(swedish) > room:
        swedish = swedish[: room - 1] + "…"
    return f"{english} ({swedish})"


TYPE_WIDTH = 38


def timeline_table(entries: Sequence[TimelineEntry], width: int = 120) -> str:
    columns = [
        Column("#", 3, ">"),
        Column("occurred → known", 21),
        Column("agency", 16),
        Column("", 3),
        Column("type", TYPE_WIDTH),
        Column("summary", 0),
    ]
    rows = []
    for entry in entries:
        record = entry.record
        flag = "?" if "possibly" in (entry.knowledge, entry.occurrence) else ""
        rows.append(
            [
                str(record.seq),
                when(record),
                record.agency or "—",
                marker(record) + flag,
                type_label(record, TYPE_WIDTH),
                record.summary or "",
            ]
        )
    return table(columns, rows, width) + f"{len(entries)} entries. {MARKER_LEGEND}\n"


def cases_table(summaries: Sequence[CaseSummary], width: int = 120) -> str:
    columns = [
        Column("case", 16),
        Column("entries", 7, ">"),
        Column("first", 11),
        Column("last", 11),
        Column("last entry", 30),
        Column("last recorded", 0),
    ]
    rows = [
        [
            s.case,
            str(s.entries),
            s.first.display(),
            s.last.display(),
            s.last_type,
            format_instant(s.last_recorded_at),
        ]
        for s in summaries
    ]
    return table(columns, rows, width) + f"{len(summaries)} case{'s' * (len(summaries) != 1)}.\n"


def entry_card(record: Record, item: dict[str, Any]) -> str:
    """One entry, every field on its own line, clocks spelled out."""
    spec = record.spec
    known = record.known.display() + (
        " (assumed: same as occurred)" if record.known_assumed else ""
    )
    lines = [
        f"{record.case}#{record.seq}" + (f" (@{record.ref})" if record.ref else ""),
        f"  type         {record.type} — {spec.swedish} [{spec.category}"
        + (", decision" if spec.decision else "")
        + "]",
        f"  occurred     {record.occurred.display()}",
        f"  known        {known}",
        f"  recorded at  {format_instant(record.recorded_at)}",
    ]
    for name in ("actor", "role", "agency", "on_behalf_of", "summary", "source"):
        value = getattr(record, name)
        if value:
            lines.append(f"  {name:<12} {value}")
    lines.append(f"  assessment   {'yes (a judgement)' if record.assessment else 'no (a fact)'}")
    if item["basis"]:
        lines.append(f"  basis        {_refs_text(item['basis'])}")
    for name, value in item["fields"].items():
        lines.append(f"  {name:<12} {_value_text(value)}")
    integrity = item.get("integrity")
    if integrity:
        lines.append(f"  hash         {integrity['hash']}")
        lines.append(f"  prev hash    {integrity['prev_hash']}")
    return "\n".join(lines) + "\n"


def _refs_text(refs: list[dict[str, Any]]) -> str:
    return ", ".join(f"#{r['seq']}" + (f" (@{r['ref']})" if r["ref"] else "") for r in refs)


def _value_text(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"seq", "ref"}:
        return _refs_text([value])
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return _refs_text(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def types_table(specs: Sequence[EventType], width: int = 120) -> str:
    columns = [
        Column("type", 28),
        Column("swedish", 36),
        Column("category", 11),
        Column("D", 1),
        Column("fields (? optional)", 0),
    ]
    rows = [
        [
            spec.name,
            spec.swedish,
            spec.category,
            "D" if spec.decision else "",
            ", ".join(f.name + ("" if f.required else "?") for f in spec.fields),
        ]
        for spec in specs
    ]
    return table(columns, rows, width) + f"{len(specs)} types. D = decision.\n"


def type_card(spec: EventType) -> str:
    lines = [
        f"{spec.name} — {spec.swedish}",
        f"  category   {spec.category}" + (" (decision)" if spec.decision else ""),
    ]
    if spec.description:
        lines.append(f"  {spec.description}")
    if spec.requires_known:
        lines.append("  `known` must be given (when the social services learned of it).")
    lines.append("  fields:")
    for f in spec.fields:
        choice = f" one of: {', '.join(f.choices)}" if f.choices else ""
        need = "required" if f.required else "optional"
        lines.append(f"    {f.name:<28} {f.kind:<7} {need:<9} {f.doc}{choice}")
    if not spec.fields:
        lines.append("    (none beyond the envelope)")
    if spec.legal:
        lines.append("  legal references:")
        for ref in spec.legal:
            period = ""
            if ref.in_force_from or ref.in_force_until:
                period = f" [in force {ref.in_force_from or '…'} → {ref.in_force_until or ''}]"
            note = f" — {ref.note}" if ref.note else ""
            lines.append(f"    {ref.short()} ({ref.confidence}){period}{note}")
    return "\n".join(lines) + "\n"
