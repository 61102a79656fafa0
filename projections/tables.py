"""Table layouts for people: one line per entry, fitted to the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ledger.timeparse import format_instant
from ledger.vocabulary import NOT_DOCUMENTED, EventType
from projections.cases import CaseSummary
from projections.decisions import Decision
from projections.formats import Column, fit_line, table
from projections.gaps import Gaps
from projections.knowledge import PendingRequest, Snapshot
from projections.language import _, ngettext
from projections.phrases import delay_phrase, view_heading
from projections.records import Record
from projections.timeline import TimelineEntry, ViewPoint


def marker_legend() -> str:
    """What the marker letters of the timeline mean."""
    return _(
        "D decision · A assessment (a judgement) · ? possibly known/occurred · c corrected · "
        "x retracted"
    )


def marker(record: Record) -> str:
    return (
        ("D" if record.is_decision else "")
        + ("A" if record.assessment else "")
        + ("c" if record.corrected_by else "")
        + ("x" if record.retracted_by is not None else "")
    )


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


TYPE_WIDTH = 36


def timeline_table(
    entries: Sequence[TimelineEntry],
    width: int = 120,
    *,
    legend: bool = True,
    view: ViewPoint | None = None,
    case: str = "",
) -> str:
    """The chronology; with a `view` that has a point in time, a first line says which."""
    columns = [
        Column("#", 3, ">"),
        Column(_("occurred → known"), 23),
        Column(_("agency"), 16),
        Column("", 4),
        Column(_("type"), TYPE_WIDTH),
        Column(_("summary"), 0),
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
    count = ngettext("{n} entry.", "{n} entries.", len(entries)).format(n=len(entries))
    footer = f"{count} {marker_legend()}\n" if legend else ""
    heading = view_heading(case, view)
    return (
        (fit_line(heading, width) + "\n" if heading else "") + table(columns, rows, width) + footer
    )


def cases_table(summaries: Sequence[CaseSummary], width: int = 120) -> str:
    columns = [
        Column("case", 16),
        Column("entries", 7, ">"),
        Column("first", 16),
        Column("last", 16),
        Column("stands", 22),
        Column("unassessed", 10, ">"),
        Column("last entry", 0),
    ]
    rows = [
        [
            s.case,
            str(s.entries),
            s.first.display(),
            s.last.display(),
            s.status,
            str(len(s.open_reports)) if s.open_reports else "",
            s.last_type,
        ]
        for s in summaries
    ]
    # "unassessed": reports of concern still awaiting a protection assessment.
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
            lines.append(f"  {name:<12} {_one_line(value)}")
    lines.append(f"  assessment   {'yes (a judgement)' if record.assessment else 'no (a fact)'}")
    if item["basis"]:
        lines.append(f"  basis        {_refs_text(item['basis'])}")
    for name, value in item["fields"].items():
        lines.append(f"  {name:<12} {_one_line(_value_text(value))}")
    integrity = item.get("integrity")
    if integrity:
        lines.append(f"  hash         {integrity['hash']}")
        lines.append(f"  prev hash    {integrity['prev_hash']}")
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    # A field is one line of the card: line breaks in stored text must not print as lines
    # of their own (a forged "recorded at" or "hash" line).
    return " ⏎ ".join(str(text).splitlines())


def _refs_text(refs: list[dict[str, Any]]) -> str:
    return ", ".join(f"#{r['seq']}" + (f" (@{r['ref']})" if r["ref"] else "") for r in refs)


def _value_text(value: Any) -> str:
    if value == NOT_DOCUMENTED:
        return "not documented"
    if isinstance(value, dict) and "text" in value and "start" in value:
        return str(value["text"])  # a clock
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
    elif spec.accepts_not_documented:
        lines.append(
            f"  any field may be {NOT_DOCUMENTED}: the act is in the records, that detail is not."
        )
    if spec.legal:
        lines.append("  legal references:")
        for ref in spec.legal:
            period = ""
            if ref.in_force_from or ref.in_force_until:
                period = f" [in force {ref.in_force_from or '…'} → {ref.in_force_until or ''}]"
            note = f" — {ref.note}" if ref.note else ""
            lines.append(f"    {ref.cited()} ({ref.confidence}){period}{note}")
    return "\n".join(lines) + "\n"


def entry_rows(records: Sequence[Record], width: int = 120, *, possibly: bool = False) -> str:
    """The timeline layout for a plain list of entries (used inside other views)."""
    if not records:
        return "  (none)\n"
    entries = [TimelineEntry(r, "possibly" if possibly else None) for r in records]
    return timeline_table(entries, width, legend=False)


def ref_text(record: Record) -> str:
    return f"#{record.seq}" + (f" {record.ref}" if record.ref else "")


def known_table(case: str, snap: Snapshot, width: int = 120, view: ViewPoint | None = None) -> str:
    """The snapshot; `view` adds the other points it was asked at (--as-recorded-at)."""
    status = snap.status
    lines = [view_heading(case, replace(view or ViewPoint(), as_known_at=snap.at)), "", "STATUS"]
    if status.care_in_force and status.care_ordered_by:
        lines.append(
            f"  LVU care: in force (ordered {status.care_ordered_by.occurred.display()}, "
            f"{ref_text(status.care_ordered_by)})"
        )
    elif status.care_ended_by:
        ended = status.care_ended_by
        by = ended.fields.get("decided_by_court") or ended.agency or "not recorded"
        lines.append(f"  LVU care: ended {ended.occurred.display()} by {by} ({ref_text(ended)})")
    else:
        lines.append("  LVU care: none recorded")
    if status.placement:
        p = status.placement
        lines.append(
            f"  placement: {p.fields.get('setting')} ({p.fields.get('legal_form')}) since "
            f"{p.occurred.display()} ({ref_text(p)})"
        )
    if status.living:
        where = status.living.fields.get("to") or status.living.fields.get("setting")
        lines.append(
            f"  the child lives: {where} since {status.living.occurred.display()} "
            f"({ref_text(status.living)})"
        )
    for open_ in status.open_reports:
        lines.append(
            f"  open report {ref_text(open_.report)} ({open_.report.known.display()}): "
            f"awaiting {' and '.join(open_.awaiting)}"
        )
    for inv in status.open_investigations:
        lines.append(f"  open investigation {ref_text(inv.investigation)}: due {inv.due.words()}")
    for label, record in (
        ("removal ban", status.removal_ban),
        ("follow-up", status.follow_up),
        ("the child died", status.child_died),
    ):
        if record:
            lines.append(f"  {label}: {record.occurred.display()} ({ref_text(record)})")
    lines += ["", f"PENDING INFORMATION REQUESTS ({len(snap.pending_requests)})"]
    lines += [pending_line(p) for p in snap.pending_requests] or ["  (none)"]
    parts = "\n".join(lines) + "\n"
    parts += f"\nFACTS: known at the time ({len(snap.facts)})\n" + entry_rows(snap.facts, width)
    parts += (
        f"\nPOSSIBLY KNOWN: the clock straddles the moment ({len(snap.possibly_known)})\n"
        + entry_rows(snap.possibly_known, width, possibly=True)
    )
    parts += (
        f"\nHELD ELSEWHERE: had occurred but was not yet known — hindsight "
        f"({len(snap.held_elsewhere)})\n" + entry_rows(snap.held_elsewhere, width)
    )
    return parts + f"\n{marker_legend()}\n"


def pending_line(pending: PendingRequest) -> str:
    request = pending.request
    answer = "possibly answered" if pending.answered == "possibly" else "not answered"
    replies = ", ".join(ref_text(r) for r in pending.replies)
    maybe = (
        " (the request itself only possibly made by then)"
        if pending.request_known == "possibly"
        else ""
    )
    return (
        f"  {ref_text(request)} {request.occurred.display()} to "
        f"{request.fields.get('counterparty')}: {answer}"
        + (f" — reply {replies}" if replies else "")
        + maybe
    )


def decisions_table(
    case: str, views: Sequence[Decision], width: int = 120, view: ViewPoint | None = None
) -> str:
    lines = [f"{case}: who decided what, on what basis, knowing what ({len(views)} decisions)"]
    lines += [heading] if (heading := view_heading(case, view)) else []
    for view in views:
        d = view.decision
        head = f"{ref_text(d)}  {d.occurred.display()}  {d.type} ({d.spec.swedish})"
        lines += ["", head + (f" — {view.outcome}" if view.outcome else "")]
        who = " ".join(x for x in (d.actor, d.role and f"({d.role})") if x)
        decider = ", ".join(x for x in (who, d.agency if d.agency != d.actor else None) if x)
        if d.on_behalf_of:
            decider += f", on behalf of {d.on_behalf_of} (delegation)"
        lines.append(f"  decided by   {decider or 'not recorded'}")
        if view.legal:
            lines.append(f"  legal ref    {'; '.join(ref.cited() for ref in view.legal)}")
        lines.append(f"  basis        {_seqs(view.basis) or 'none stated'}")
        lines.append(
            f"  known then   {len(view.known_at_decision)} entries: "
            f"{_seqs(view.known_at_decision) or '—'}"
        )
        if view.possibly_known_at_decision:
            lines.append(f"  possibly     {_seqs(view.possibly_known_at_decision)}")
        for pending in view.pending_requests:
            lines.append("  pending    " + pending_line(pending))
        for record in view.hindsight:
            lines.append(
                f"  HINDSIGHT    {ref_text(record)} held by {record.agency or '?'}: "
                f"occurred {record.occurred.display()}, known {record.known.display()}"
            )
        for record in view.later:
            lines.append(
                f"  later        {ref_text(record)} {record.occurred.display()} {record.type}"
            )
    return "\n".join(fit_line(line, width) for line in lines) + "\n"


def gaps_table(case: str, found: Gaps, width: int = 120, view: ViewPoint | None = None) -> str:
    lines = [
        f"{case}: what decisions lacked (hindsight) and how late information arrived",
        *([heading] if (heading := view_heading(case, view)) else []),
        "",
        f"DECISIONS THAT LACKED INFORMATION ({len(found.decisions)})",
    ]
    for view in found.decisions:
        d = view.decision
        lines.append(f"  {ref_text(d)} {d.occurred.display()} {d.type}")
        for record in view.hindsight:
            lines.append(
                f"      missing {ref_text(record)} from {record.agency or '?'}: occurred "
                f"{record.occurred.display()}, known {record.known.display()}"
            )
        for pending in view.pending_requests:
            lines.append("      outstanding" + pending_line(pending)[1:])
    if not found.decisions:
        lines.append("  (none)")
    lines += [
        "",
        "DELAY FROM OCCURRED TO KNOWN, BY AGENCY (documented known clocks; calendar days)",
    ]
    columns = [
        Column("agency", 30),
        Column("entries", 7, ">"),
        Column("late", 5, ">"),
        Column("maybe", 5, ">"),
        Column("median", 22),
        Column("longest", 22),
        Column("decisions lacking", 0),
    ]
    rows = [
        [
            a.agency,
            str(a.entries),
            str(a.late),
            str(a.possibly_late),
            delay_phrase(a.median),
            delay_phrase(a.longest),
            str(a.missing_from),
        ]
        for a in found.agencies
    ]
    return "\n".join(fit_line(line, width) for line in lines) + "\n" + table(columns, rows, width)


def _seqs(seqs: Sequence[int]) -> str:
    return " ".join(f"#{s}" for s in seqs)


def history_lines(corrections: Sequence[Record]) -> str:
    if not corrections:
        return ""
    lines = ["  history"]
    for c in corrections:
        what = (
            "retracted"
            if c.type == "EntryRetracted"
            else "corrected "
            + ", ".join(
                f"{k}={'not documented' if v == NOT_DOCUMENTED else repr(v)}"
                for k, v in c.fields.get("changes", {}).items()
            )
        )
        lines.append(
            f"    #{c.seq} {what} — {c.fields.get('reason')} (occurred "
            f"{c.occurred.display()}, known {c.known.display()}, recorded "
            f"{format_instant(c.recorded_at)})"
        )
    return "\n".join(lines) + "\n"
