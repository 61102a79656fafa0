"""Table layouts for people: one line per entry, fitted to the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ledger.timeparse import format_instant, to_stockholm
from ledger.vocabulary import NOT_DOCUMENTED, EventType, event_type
from projections.cases import CaseSummary, ErasedCase
from projections.codes import cited, code_words, outcome_words
from projections.decisions import Decision
from projections.formats import Column, table, wrap_lines
from projections.gaps import Gaps
from projections.knowledge import PendingRequest, Snapshot
from projections.language import N_, _, current, ngettext
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


def type_label(record: Record) -> str:
    """The entry's type for people: the Swedish term in Swedish; in English the type name with
    the Swedish term beside it (the column wraps it, never cuts it)."""
    if current() == "sv":
        return record.spec.swedish
    return f"{record.type} ({record.spec.swedish})"


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
        Column(_("agency"), 20),
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
                type_label(record),
                record.headline or "",
            ]
        )
    count = ngettext("{n} entry.", "{n} entries.", len(entries)).format(n=len(entries))
    footer = wrap_lines([f"{count} {marker_legend()}"], width) if legend else ""
    heading = view_heading(case, view)
    return (wrap_lines([heading], width) if heading else "") + table(columns, rows, width) + footer


def cases_table(
    summaries: Sequence[CaseSummary], width: int = 120, erased: Sequence[ErasedCase] = ()
) -> str:
    columns = [
        Column(_("case"), 16),
        Column(_("entries"), 7, ">"),
        Column(_("first"), 16),
        Column(_("last"), 16),
        Column(_("stands"), 22),
        Column(_("unassessed"), 10, ">"),
        Column(_("last entry"), 0),
    ]
    rows = [
        [
            s.case,
            str(s.entries),
            s.first.display(),
            s.last.display(),
            _(s.status),
            str(len(s.open_reports)) if s.open_reports else "",
            event_type(s.last_type).swedish if current() == "sv" else s.last_type,
        ]
        for s in summaries
    ]
    # "unassessed": reports of concern still awaiting a protection assessment.
    count = ngettext("{n} case.", "{n} cases.", len(summaries)).format(n=len(summaries))
    gone = "".join(
        ngettext(
            "{case}: erased on {day} ({n} entry, unreadable by design)",
            "{case}: erased on {day} ({n} entries, unreadable by design)",
            e.entries,
        ).format(case=e.case, day=to_stockholm(e.erased_at).date().isoformat(), n=e.entries)
        + "\n"
        for e in erased
    )
    return table(columns, rows, width) + count + "\n" + gone


def entry_card(record: Record, item: dict[str, Any]) -> str:
    """One entry, every field on its own line, clocks spelled out."""
    spec = record.spec
    known = record.known.display() + (
        _(" (assumed: same as occurred)") if record.known_assumed else ""
    )
    kind = spec.category + (_(", decision") if spec.decision else "")
    lines = [
        f"{record.case}#{record.seq}" + (f" (@{record.ref})" if record.ref else ""),
        _card(_("type"), f"{record.type} — {spec.swedish} [{kind}]"),
        _card(_("occurred"), record.occurred.display()),
        _card(_("known"), known),
        _card(_("recorded at"), format_instant(record.recorded_at)),
    ]
    for name in ("actor", "role", "agency", "on_behalf_of", "summary", "source"):
        value = getattr(record, name)
        if value:
            lines.append(_card(_FIELD_WORDS[name], _one_line(value)))
    lines.append(
        _card(_("assessment"), _("yes (a judgement)") if record.assessment else _("no (a fact)"))
    )
    if item["basis"]:
        lines.append(_card(_("basis"), _refs_text(item["basis"])))
    for name, value in item["fields"].items():
        lines.append(_card(name, _one_line(_value_text(value, name))))
    integrity = item.get("integrity")
    if integrity:
        lines.append(_card(_("hash"), integrity["hash"]))
        lines.append(_card(_("prev hash"), integrity["prev_hash"]))
    return "\n".join(lines) + "\n"


# The envelope's fields by name in the reader's language (type fields keep their names: they
# are what `record --field` and the import format take).
_FIELD_WORDS = {
    "actor": N_("actor"),
    "role": N_("role"),
    "agency": N_("agency"),
    "on_behalf_of": N_("on behalf of"),
    "summary": N_("summary"),
    "source": N_("source"),
}


def _card(label: str, value: str) -> str:
    """One line of a card: the label padded to a column, then the value."""
    return f"  {_(label):<12} {value}"


def _one_line(text: str) -> str:
    # A field is one line of the card: line breaks in stored text must not print as lines
    # of their own (a forged "recorded at" or "hash" line).
    return " ⏎ ".join(str(text).splitlines())


def _refs_text(refs: list[dict[str, Any]]) -> str:
    return ", ".join(f"#{r['seq']}" + (f" (@{r['ref']})" if r["ref"] else "") for r in refs)


def _value_text(value: Any, field: str = "") -> str:
    if value == NOT_DOCUMENTED:
        return code_words(field, NOT_DOCUMENTED)
    if isinstance(value, dict) and "text" in value and "start" in value:
        return str(value["text"])  # a clock
    if isinstance(value, dict) and set(value) == {"seq", "ref"}:
        return _refs_text([value])
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return _refs_text(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_worded(field, v) for v in value)
    return _worded(field, value)


def _worded(field: str, value: Any) -> str:
    """A field's value in words, with the code beside it when they differ (the code is what
    `correct --set` and the import format take)."""
    words = code_words(field, value)
    return words if words == str(value) else f"{words} ({value})"


def types_table(specs: Sequence[EventType], width: int = 120) -> str:
    columns = [
        Column(_("type"), 28),
        Column(_("swedish"), 36),
        Column(_("category"), 11),
        Column("D", 1),
        Column(_("fields (? optional)"), 0),
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
    count = ngettext("{n} type.", "{n} types.", len(specs)).format(n=len(specs))
    return table(columns, rows, width) + count + " " + _("D = decision.") + "\n"


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
        return _("  (none)") + "\n"
    entries = [TimelineEntry(r, "possibly" if possibly else None) for r in records]
    return timeline_table(entries, width, legend=False)


def ref_text(record: Record) -> str:
    return f"#{record.seq}" + (f" {record.ref}" if record.ref else "")


def known_table(case: str, snap: Snapshot, width: int = 120, view: ViewPoint | None = None) -> str:
    """The snapshot; `view` adds the other points it was asked at (--as-recorded-at)."""
    status = snap.status
    heading = view_heading(case, replace(view or ViewPoint(), as_known_at=snap.at))
    lines = [heading, "", _("STATUS")]
    if status.care_in_force and status.care_ordered_by:
        lines.append(
            _("  LVU care: in force (ordered {time}, {ref})").format(
                time=status.care_ordered_by.occurred.display(),
                ref=ref_text(status.care_ordered_by),
            )
        )
    elif status.care_ended_by:
        ended = status.care_ended_by
        by = ended.fields.get("decided_by_court") or ended.agency or _("not recorded")
        lines.append(
            _("  LVU care: ended {time} by {by} ({ref})").format(
                time=ended.occurred.display(), by=by, ref=ref_text(ended)
            )
        )
    else:
        lines.append(_("  LVU care: none recorded"))
    if status.placement:
        p = status.placement
        lines.append(
            _("  placement: {setting} ({form}) since {time} ({ref})").format(
                setting=code_words("setting", p.fields.get("setting")),
                form=code_words("legal_form", p.fields.get("legal_form")),
                time=p.occurred.display(),
                ref=ref_text(p),
            )
        )
    if status.living:
        where = status.living.fields.get("to") or status.living.fields.get("setting")
        lines.append(
            _("  the child lives: {where} since {time} ({ref})").format(
                where=code_words("to", where),
                time=status.living.occurred.display(),
                ref=ref_text(status.living),
            )
        )
    for open_ in status.open_reports:
        lines.append(
            _("  open report {ref} ({time}): awaiting {what}").format(
                ref=ref_text(open_.report),
                time=open_.report.known.display(),
                what=_(" and ").join(_(what) for what in open_.awaiting),
            )
        )
    for inv in status.open_investigations:
        lines.append(
            _("  open investigation {ref}: due {due}").format(
                ref=ref_text(inv.investigation), due=inv.due.words()
            )
        )
    for label, record in (
        (_("removal ban"), status.removal_ban),
        (_("follow-up"), status.follow_up),
        (_("the child died"), status.child_died),
    ):
        if record:
            lines.append(f"  {label}: {record.occurred.display()} ({ref_text(record)})")
    lines += [
        "",
        _("PENDING INFORMATION REQUESTS ({n})").format(n=len(snap.pending_requests)),
    ]
    lines += [pending_line(p) for p in snap.pending_requests] or [_("  (none)")]
    parts = wrap_lines(lines, width)
    parts += "\n" + wrap_lines(
        [_("FACTS: known at the time ({n})").format(n=len(snap.facts))], width
    )
    parts += entry_rows(snap.facts, width)
    parts += (
        "\n"
        + wrap_lines(
            [
                _("POSSIBLY KNOWN: the clock straddles the moment ({n})").format(
                    n=len(snap.possibly_known)
                )
            ],
            width,
        )
        + entry_rows(snap.possibly_known, width, possibly=True)
    )
    parts += (
        "\n"
        + wrap_lines(
            [
                _("HELD ELSEWHERE: had occurred but was not yet known — hindsight ({n})").format(
                    n=len(snap.held_elsewhere)
                )
            ],
            width,
        )
        + entry_rows(snap.held_elsewhere, width)
    )
    return parts + "\n" + wrap_lines([marker_legend()], width)


def pending_line(pending: PendingRequest) -> str:
    request = pending.request
    answer = _("possibly answered") if pending.answered == "possibly" else _("not answered")
    replies = ", ".join(ref_text(r) for r in pending.replies)
    maybe = (
        _(" (the request itself only possibly made by then)")
        if pending.request_known == "possibly"
        else ""
    )
    line = _("  {ref} {time} to {whom}: {answer}").format(
        ref=ref_text(request),
        time=request.occurred.display(),
        whom=code_words("counterparty", request.fields.get("counterparty")),
        answer=answer,
    )
    if replies:
        line += _(" — reply {replies}").format(replies=replies)
    return line + maybe


def decisions_table(
    case: str, views: Sequence[Decision], width: int = 120, view: ViewPoint | None = None
) -> str:
    lines = [
        ngettext(
            "{case}: who decided what, on what basis, knowing what ({n} decision)",
            "{case}: who decided what, on what basis, knowing what ({n} decisions)",
            len(views),
        ).format(case=case, n=len(views))
    ]
    lines += [heading] if (heading := view_heading(case, view)) else []
    for view in views:
        d = view.decision
        kind = d.spec.swedish if current() == "sv" else f"{d.type} ({d.spec.swedish})"
        head = f"{ref_text(d)}  {d.occurred.display()}  {kind}"
        outcome = outcome_words(d) or ""
        lines += ["", head + (f" — {outcome}" if outcome else "")]
        who = " ".join(x for x in (d.actor, d.role and f"({d.role})") if x)
        decider = ", ".join(x for x in (who, d.agency if d.agency != d.actor else None) if x)
        if d.on_behalf_of:
            decider += _(", on behalf of {body} (delegation)").format(body=d.on_behalf_of)
        lines.append(_line(_("decided by"), decider or _("not recorded")))
        if view.legal:
            lines.append(_line(_("legal ref"), "; ".join(cited(ref) for ref in view.legal)))
        lines.append(_line(_("basis"), _seqs(view.basis) or _("none stated")))
        known = ngettext("{n} entry", "{n} entries", len(view.known_at_decision)).format(
            n=len(view.known_at_decision)
        )
        lines.append(_line(_("known then"), f"{known}: {_seqs(view.known_at_decision) or '—'}"))
        if view.possibly_known_at_decision:
            lines.append(_line(_("possibly"), _seqs(view.possibly_known_at_decision)))
        for pending in view.pending_requests:
            lines.append(_line(_("pending"), pending_line(pending).strip()))
        for record in view.hindsight:
            lines.append(
                _line(
                    _("HINDSIGHT"),
                    _("{ref} held by {agency}: occurred {occurred}, known {known}").format(
                        ref=ref_text(record),
                        agency=record.agency or "?",
                        occurred=record.occurred.display(),
                        known=record.known.display(),
                    ),
                )
            )
        for record in view.later:
            kind = record.spec.swedish if current() == "sv" else record.type
            lines.append(
                _line(_("later"), f"{ref_text(record)} {record.occurred.display()} {kind}")
            )
    return wrap_lines(lines, width)


def _line(label: str, value: str) -> str:
    """A labelled line of a decision's block: the label padded to a column."""
    return f"  {label:<12} {value}"


def gaps_table(case: str, found: Gaps, width: int = 120, view: ViewPoint | None = None) -> str:
    lines = [
        _("{case}: what decisions lacked (hindsight) and how late information arrived").format(
            case=case
        ),
        *([heading] if (heading := view_heading(case, view)) else []),
        "",
        _("DECISIONS THAT LACKED INFORMATION ({n})").format(n=len(found.decisions)),
    ]
    for view in found.decisions:
        d = view.decision
        kind = d.spec.swedish if current() == "sv" else d.type
        lines.append(f"  {ref_text(d)} {d.occurred.display()} {kind}")
        for record in view.hindsight:
            lines.append(
                _("      missing {ref} from {agency}: occurred {occurred}, known {known}").format(
                    ref=ref_text(record),
                    agency=record.agency or "?",
                    occurred=record.occurred.display(),
                    known=record.known.display(),
                )
            )
        for pending in view.pending_requests:
            lines.append("      " + _("outstanding") + pending_line(pending)[1:])
    if not found.decisions:
        lines.append(_("  (none)"))
    lines += [
        "",
        _("DELAY FROM OCCURRED TO KNOWN, BY AGENCY (documented known clocks; calendar days)"),
    ]
    columns = [
        Column(_("agency"), 30),
        Column(_("entries"), 7, ">"),
        Column(_("late"), 5, ">"),
        Column(_("maybe"), 5, ">"),
        Column(_("median"), 22),
        Column(_("longest"), 22),
        Column(_("decisions lacking"), 10, ">"),
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
    return wrap_lines(lines, width) + table(columns, rows, width)


def _seqs(seqs: Sequence[int]) -> str:
    return " ".join(f"#{s}" for s in seqs)


def show_card(
    record: Record, item: dict[str, Any], corrections: Sequence[Record], current_: Record
) -> str:
    """`ledger show`: the entry as recorded, its corrections, and as it reads now."""
    card = entry_card(record, item) + history_lines(corrections)
    if corrections:
        card += _("  as it reads now") + "\n" + entry_card(current_, item["current"])
    return card


def history_lines(corrections: Sequence[Record]) -> str:
    if not corrections:
        return ""
    lines = [_("  history")]
    for c in corrections:
        what = (
            _("retracted")
            if c.type == "EntryRetracted"
            else _("corrected")
            + " "
            + ", ".join(
                f"{k}={code_words(k, v) if v == NOT_DOCUMENTED else repr(v)}"
                for k, v in c.fields.get("changes", {}).items()
            )
        )
        lines.append(
            _(
                "    #{seq} {what} — {reason} (occurred {occurred}, known {known}, recorded "
                "{recorded})"
            ).format(
                seq=c.seq,
                what=what,
                reason=c.fields.get("reason"),
                occurred=c.occurred.display(),
                known=c.known.display(),
                recorded=format_instant(c.recorded_at),
            )
        )
    return "\n".join(lines) + "\n"
