"""The review document of one case, built once as a structure (`model.ReportDocument`).

It holds what a lex Sarah investigator or an IVO inspector hands in: a title block saying
what the document was made from, the chronology, the authority's decisions with what was
known at each, the rule findings and recorded judgements, the law in force at the time, and
the diagrams on A4 pages. Nothing here is computed a second time: the chronology is
`projections.timeline`, the decisions `projections.decisions`, the findings the rule pack's
`Report` (made by the caller), the ledger state `projections.provenance`, the diagrams the
page-fitting functions of `projections.diagram`; this module only chooses and words them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from ledger.legal import LegalReference
from ledger.timeparse import Moment, format_instant, known_state
from projections.codes import code_words, note_words, outcome_words, status_word
from projections.corrections import CORRECTION_TYPES, as_known
from projections.deadlines import in_period
from projections.decisions import Decision, decisions
from projections.diagram import PAPERS, decisions_pages, timeline_pages
from projections.language import _, current, ngettext
from projections.phrases import point_phrase
from projections.provenance import LedgerState
from projections.records import Record, case_authority
from projections.report.lex_sarah import lex_sarah_sections
from projections.report.model import (
    Block,
    Diagram,
    Facts,
    Heading,
    Paragraph,
    ReportDocument,
    Section,
    Table,
)
from projections.report.words import (
    AGREEMENT_WORDS,
    CONFIDENCE_WORDS,
    entry_label,
    ref_line,
    rule_title,
    term,
    words,
)
from projections.rules import RULES, Concordance, Finding, Report
from projections.rules.concordance import further_questions
from projections.rules.pack import AREAS, area_of
from projections.rules.similar import Similar
from projections.rules.wording import judge_name
from projections.timeline import TimelineEntry, ViewPoint, timeline

Template = Literal["review", "lex-sarah"]
TEMPLATES: tuple[Template, ...] = ("review", "lex-sarah")


@dataclass(frozen=True, slots=True)
class Generation:
    """Who made the document, when and why: the access record its read wrote."""

    at: datetime  # the access record's time
    user: str
    purpose: str | None
    access_number: int  # the record's number in the case's access log


def build_report(
    case: str,
    records: Sequence[Record],
    *,
    check_report: Report,
    generation: Generation,
    ledger_state: LedgerState,
    as_known_at: Moment | None = None,
    template: Template = "review",
    with_diagrams: bool = True,
    similar: Sequence[Similar] | None = None,
) -> ReportDocument:
    """The document for `case` from its `records` (every stored entry), as known at
    `as_known_at` (the point as the user gave it) or as the records stand now.

    `check_report` is the rule pack's report for the same point (`projections.rules.check`);
    `generation` the access record of this read; `ledger_state` what it was made from;
    `similar` (lex Sarah) the findings like the case's in its units' other cases.
    """
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}; choose one of {', '.join(TEMPLATES)}")
    at = as_known_at.end if as_known_at is not None else None
    # The records the social services held at the point (known or possibly known), with the
    # corrections known by then: every part of the document reads the same set.
    held = [r for r in records if at is None or known_state(r.known, at) != "unknown"]
    entries = timeline(records, ViewPoint(as_known_at=as_known_at))
    views = decisions(held)
    current_records = as_known(held, at)
    authority = case_authority(current_records)
    labels = {r.seq: r for r in current_records}

    title = (
        _("Lex Sarah investigation: {case}") if template == "lex-sarah" else _("Review: {case}")
    ).format(case=case)
    subtitle = (
        _("as known at {point}").format(point=point_phrase(as_known_at))
        if as_known_at is not None
        else _("as the records stand now")
    )
    sections: list[Section] = []
    if template == "lex-sarah":
        sections += lex_sarah_sections(current_records, check_report, similar)
    sections += [
        _chronology(entries, as_known_at, records),
        _decisions(views, authority.acts, labels),
        _findings(check_report, labels),
        _provisions(current_records, check_report),
    ]
    if with_diagrams:
        sections.append(_diagrams(case, held, views, as_known_at, ledger_state))
    footer = f"{case} · {title.split(':')[0]} · " + _("tree root {root}").format(
        root=ledger_state.root_text
    )
    return ReportDocument(
        lang=current(),
        title=title,
        subtitle=subtitle,
        title_facts=_title_facts(case, as_known_at, generation, ledger_state, check_report),
        sections=tuple(_numbered(sections)),
        footer=footer,
    )


def _numbered(sections: Sequence[Section]) -> list[Section]:
    """Sections numbered in order, as a reviewer cites them ("see 3.")."""
    return [
        Section(s.anchor, f"{n}. {s.heading}", s.blocks, s.landscape)
        for n, s in enumerate(sections, start=1)
    ]


def _title_facts(
    case: str,
    as_known_at: Moment | None,
    generation: Generation,
    ledger_state: LedgerState,
    check_report: Report,
) -> Facts:
    point = (
        _("as known at {point}").format(point=point_phrase(as_known_at))
        if as_known_at is not None
        else _("as the records stand now (no point in time given)")
    )
    owner = check_report.owner_agency or _("not known")
    return Facts(
        (
            (_("Case"), case),
            (_("Case-owning authority"), owner),
            (_("Point in time"), point),
            (
                _("Generated"),
                _("{time} (Stockholm)").format(time=format_instant(generation.at)),
            ),
            (_("By"), generation.user),
            (_("Purpose"), generation.purpose or _("not stated")),
            (
                _("Access record"),
                _("no. {number} in the case's access log").format(number=generation.access_number),
            ),
            (_("Ledger state"), "\n".join(ledger_state.caption())),
        )
    )


# ---- Händelseförlopp ----


def _chronology(
    entries: Sequence[TimelineEntry], as_known_at: Moment | None, records: Sequence[Record]
) -> Section:
    corrections = {r.seq: r for r in records if r.type in CORRECTION_TYPES}
    rows = []
    for entry in entries:
        record = entry.record
        if record.type in CORRECTION_TYPES:
            continue  # shown with the entry they correct
        rows.append(
            (
                f"#{record.seq}",
                record.occurred.display(),
                _what_happened(record, corrections),
                _actor_text(record),
                record.source or _("not given"),
                _("assessment") if record.assessment else _("fact"),
                _known_text(record, entry),
            )
        )
    intro = _(
        "Every entry in the order it occurred. Dates are written at the precision the records "
        "give (a month as 2019-12, an approximate date with ~). The last column says when the "
        "social services knew of it, and whether that time is documented or assumed to be "
        "when it occurred."
    )
    blocks: list[Block] = [Paragraph(intro, "muted")]
    if as_known_at is not None:
        blocks.append(
            Paragraph(
                _(
                    "Only what the social services knew or possibly knew at {point}, with the "
                    "corrections known by then."
                ).format(point=point_phrase(as_known_at)),
                "note",
            )
        )
    blocks.append(
        Table(
            (
                _("No."),
                _("Date"),
                _("What happened"),
                _("Actor and agency"),
                _("Source"),
                _("Fact or assessment"),
                _("Known to the social services"),
            ),
            tuple(rows),
            (5, 9, 31, 16, 15, 10, 14),
        )
    )
    count = ngettext("{n} entry.", "{n} entries.", len(rows)).format(n=len(rows))
    blocks.append(Paragraph(count, "muted"))
    return Section("chronology", _("Chronology"), tuple(blocks))


def _what_happened(record: Record, corrections: dict[int, Record]) -> str:
    lines = [term(record)]
    if record.summary:
        lines.append(record.summary)
    if record.is_decision and (outcome := outcome_words(record)):
        lines.append(_("Outcome: {outcome}").format(outcome=outcome))
    for seq in record.corrected_by:
        correction = corrections[seq]
        changes = correction.fields.get("changes", {})
        changed = ", ".join(
            f"{name} → {_change_text(name, value)}" for name, value in changes.items()
        )
        lines.append(
            _("Corrected by #{seq} (known {known}): {changes}; reason: {reason}").format(
                seq=seq,
                known=correction.known.display(),
                changes=changed,
                reason=correction.fields.get("reason") or _("not given"),
            )
        )
    if record.retracted_by is not None:
        retraction = corrections[record.retracted_by]
        lines.append(
            _("Retracted by #{seq} (known {known}); reason: {reason}").format(
                seq=retraction.seq,
                known=retraction.known.display(),
                reason=retraction.fields.get("reason") or _("not given"),
            )
        )
    return "\n".join(lines)


def _change_text(name: str, value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return code_words(name, value)


def _actor_text(record: Record) -> str:
    who = " ".join(x for x in (record.actor, record.role and f"({record.role})") if x)
    lines = [x for x in (who, record.agency if record.agency != record.actor else None) if x]
    if record.on_behalf_of and record.on_behalf_of != record.agency:
        lines.append(_("on behalf of {body}").format(body=record.on_behalf_of))
    return "\n".join(lines) or _("not recorded")


def _known_text(record: Record, entry: TimelineEntry) -> str:
    # Whether the clock is documented or only assumed to be when it occurred (DESIGN §3).
    how = _("assumed") if record.known_assumed else _("documented")
    text = f"{record.known.display()}\n{how}"
    if entry.knowledge == "possibly":
        text += "\n" + _("possibly known at the point in time")
    return text


# ---- Beslut och kännedom vid beslut ----


def _decisions(
    views: Sequence[Decision], acts: Callable[[Record], bool], labels: dict[int, Record]
) -> Section:
    own = [v for v in views if acts(v.decision)]
    blocks: list[Block] = [
        Paragraph(
            _(
                "Every decision of the case-owning authority (its committee and delegates). "
                "What was known is what the records held when the decision was taken; "
                "what existed elsewhere is what had occurred by then but reached the social "
                "services only afterwards. Courts' and IVO's decisions are in the chronology."
            ),
            "muted",
        )
    ]
    if not own:
        blocks.append(Paragraph(_("The records hold no decision of the authority.")))
    for view in own:
        d = view.decision
        blocks.append(Heading(f"{entry_label(d)} · {d.occurred.display()} · {term(d)}"))
        decider = _actor_text(d)
        if d.on_behalf_of:
            decider += "\n" + _("(delegation)")
        rows: list[tuple[str, str]] = [(_("Decided by"), decider)]
        if outcome := outcome_words(d):
            rows.append((_("Outcome"), outcome))
        law = _law_at(d.spec.legal, d.occurred)
        if law:
            rows.append((_("Law at the time"), "\n".join(law)))
        rows.append((_("Stated basis"), _ref_lines(view.basis, labels) or _("none stated")))
        rows.append(
            (
                _("Known at the decision"),
                ngettext("{n} entry", "{n} entries", len(view.known_at_decision)).format(
                    n=len(view.known_at_decision)
                )
                + (": " + _seq_list(view.known_at_decision) if view.known_at_decision else ""),
            )
        )
        if view.possibly_known_at_decision:
            rows.append((_("Possibly known"), _seq_list(view.possibly_known_at_decision)))
        pending = [
            _("{request} to {counterparty}: {answer}").format(
                request=ref_line(p.request),
                counterparty=p.request.fields.get("counterparty") or _("not recorded"),
                answer=_("possibly answered") if p.answered == "possibly" else _("not answered"),
            )
            for p in view.pending_requests
        ]
        rows.append((_("Requests outstanding"), "\n".join(pending) or _("none")))
        hindsight = [
            _("{entry}, held by {agency}: occurred {occurred}, known {known}").format(
                entry=ref_line(r),
                agency=r.agency or _("not recorded"),
                occurred=r.occurred.display(),
                known=r.known.display(),
            )
            for r in view.hindsight
        ]
        rows.append(
            (_("Existed elsewhere, learned later"), "\n".join(hindsight) or _("nothing recorded"))
        )
        if view.later:
            rows.append((_("Later"), "\n".join(ref_line(r) for r in view.later)))
        blocks.append(Facts(tuple(rows)))
    return Section("decisions", _("Decisions and what was known"), tuple(blocks))


def _ref_lines(seqs: Sequence[int], labels: dict[int, Record]) -> str:
    return "\n".join(ref_line(labels[s]) if s in labels else f"#{s}" for s in seqs)


def _seq_list(seqs: Sequence[int]) -> str:
    return " ".join(f"#{s}" for s in seqs)


def _law_at(legal: Sequence[LegalReference], moment: Moment) -> list[str]:
    """The references whose period may cover `moment`, cited (an unverified one says so)."""
    return [
        _cited(ref)
        for ref in legal
        if in_period(ref.in_force_from, ref.in_force_until, moment) != "no"
    ]


def _cited(ref: LegalReference) -> str:
    return ref.short() + (f" ({_(CONFIDENCE_WORDS['U'])})" if ref.confidence == "U" else "")


# ---- Iakttagelser ----


def _findings(report: Report, labels: dict[int, Record]) -> Section:
    blocks: list[Block] = [
        Paragraph(
            _(
                "The rule pack's findings on the authority's acts, by area, each with the "
                "entries it rests on and the law in force at the time of the entry that "
                "started it. A missing act outside a period the case declares complete is "
                "'not documented in the examined records', never a breach."
            ),
            "muted",
        )
    ]
    by_area: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_area.setdefault(area_of(finding.rule), []).append(finding)
    if not report.findings:
        blocks.append(Paragraph(_("The rules found nothing to flag.")))
    for area in (a for a in AREAS if a in by_area):
        blocks.append(Heading(_(area)))
        rows = []
        for f in by_area[area]:
            what = [rule_title(f.rule), f.message]
            if f.reason:
                what.append(_("Why: {reason}").format(reason=f.reason))
            if f.policy == "local":
                what.append(_("Threshold set by local policy."))
            evidence = [_ref_lines(f.refs, labels)]
            if f.due is not None or f.met is not None:
                evidence.append(
                    _("due {due} · done {done}").format(
                        due=f.due.words() if f.due is not None else "—",
                        done=f.met.display() if f.met is not None else "—",
                    )
                )
            rows.append(
                (
                    status_word(f.status),
                    "\n".join(what),
                    "\n".join(evidence),
                    f.legal_reference,
                )
            )
        blocks.append(
            Table(
                (_("Status"), _("Finding"), _("Evidence"), _("Law at the time")),
                tuple(rows),
                (13, 45, 24, 18),
            )
        )
    blocks.append(Heading(_("Recorded judgements and what the rules say")))
    if not report.concordance:
        blocks.append(Paragraph(_("The records hold no judgement.")))
    else:
        blocks.append(Table(*_judgement_rows(report.concordance, labels), key=0))
    return Section("findings", _("Findings"), tuple(blocks))


def _judgement_rows(
    items: Sequence[Concordance], labels: dict[int, Record]
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...], tuple[int, ...]]:
    rows = []
    for item in items:
        head = "\n".join(
            (
                f"#{item.judgement}",
                judge_name(item.judge),
                item.made.display(),
                code_words("grade", item.grade),
            )
        )
        judged = _seq_list(item.judges) if item.judges else _("the case as a whole")
        question = f"{item.criterion}\n" + _("judges {entries}").format(entries=judged)
        # Each reading and each open question begins with a dash: in a narrow column they
        # run over several lines, and the reader must see where the next one begins.
        rules = [words(AGREEMENT_WORDS, item.summary)]
        rules += [
            f"– {words(AGREEMENT_WORDS, e.agreement)}: {rule_title(e.rule)} "
            f"({status_word(e.status)})" + (f" {_seq_list(e.refs)}" if e.refs else "")
            for e in item.evidence
        ]
        left_open = [
            f"– {rule_title(e.rule)}: {e.reason}"
            for e in item.evidence
            if e.agreement == "cannot_tell"
        ]
        left_open += [f"– {question}" for question in further_questions(item)]
        rows.append((head, question, "\n".join(rules), "\n".join(left_open) or "—"))
    columns = (_("Judgement"), _("Question"), _("What the rules say"), _("Left open"))
    return columns, tuple(rows), (16, 32, 32, 20)


# ---- Tillämpliga bestämmelser vid tidpunkten ----


def case_span(records: Sequence[Record]) -> Moment | None:
    """From the first entry's occurred clock to the last one's: the case's dates."""
    live = [r for r in records if r.type not in CORRECTION_TYPES]
    if not live:
        return None
    first = min(live, key=lambda r: r.occurred.start)
    last = max(live, key=lambda r: r.occurred.end)
    text = f"{first.occurred.display()}/{last.occurred.display()}"
    return Moment(text, first.occurred.start, last.occurred.end, "interval", False)


def _provisions(records: Sequence[Record], report: Report) -> Section:
    """Every legal reference of the case's entry types and of the rules applied to it, in
    the version in force at the dates it is cited for."""
    cited_by: dict[LegalReference, list[str]] = {}
    for record in records:
        if record.type in CORRECTION_TYPES or record.retracted_by is not None:
            continue
        for ref in record.spec.legal:
            if in_period(ref.in_force_from, ref.in_force_until, record.occurred) != "no":
                cited_by.setdefault(ref, []).append(f"#{record.seq}")
    span = case_span(records)
    applied = {e.rule for e in report.explain if e.status == "applied"}
    for rule_ in RULES:
        if rule_.id not in applied:
            continue
        for ref in rule_.legal_at(span):
            cited_by.setdefault(ref, []).append(
                _("rule: {title}").format(title=rule_title(rule_.id))
            )
    rows = []
    for ref in sorted(cited_by, key=lambda r: (r.law, r.sfs, r.provision, r.in_force_from)):
        rows.append(
            (
                _cited(ref),
                _period_words(ref),
                note_words(ref),
                words(CONFIDENCE_WORDS, ref.confidence),
                ", ".join(dict.fromkeys(cited_by[ref])),
            )
        )
    blocks: list[Block] = [
        Paragraph(
            _(
                "The provisions the case's entries and the applied rules cite, each in the "
                "version in force at the dates it is cited for. SoL (2001:453) was in force "
                "until 2025-06-30; socialtjänstlagen (2025:400) from 2025-07-01, with "
                "renumbered paragraphs (the conversion table of ledger.sol_conversion)."
            ),
            "muted",
        )
    ]
    if span is not None:
        blocks.append(
            Paragraph(_("The case's dates: {span}.").format(span=span.display()), "muted")
        )
    blocks.append(
        Table(
            (_("Provision"), _("In force"), _("Concerns"), _("Reading"), _("Cited for")),
            tuple(rows),
            (24, 14, 28, 14, 20),
        )
        if rows
        else Paragraph(_("No provision is cited."))
    )
    return Section("provisions", _("Provisions in force at the time"), tuple(blocks))


def _period_words(ref: LegalReference) -> str:
    if ref.in_force_from and ref.in_force_until:
        return _("from {start}, before {end}").format(
            start=ref.in_force_from, end=ref.in_force_until
        )
    if ref.in_force_until:  # the day it ceased to apply (ledger.legal: exclusive)
        return _("before {end}").format(end=ref.in_force_until)
    if ref.in_force_from:
        return _("from {start}").format(start=ref.in_force_from)
    return _("throughout the case")


# ---- diagrams ----


def _diagrams(
    case: str,
    held: Sequence[Record],
    views: Sequence[Decision],
    as_known_at: Moment | None,
    ledger_state: LedgerState,
) -> Section:
    paper = PAPERS["a4"]
    timeline_ = timeline_pages(
        case,
        held,
        paper=paper,
        as_known_at=as_known_at,
        decisions=views,
        ledger_state=ledger_state,
    )
    decided = decisions_pages(case, views, held, paper=paper, ledger_state=ledger_state)
    blocks: list[Block] = []
    for number, page in enumerate(timeline_, start=1):
        title = _("Timeline, page {n} of {count}").format(n=number, count=len(timeline_))
        blocks.append(Diagram(title, page.source))
    for number, page in enumerate(decided, start=1):
        title = _("Decisions and what was known, page {n} of {count}").format(
            n=number, count=len(decided)
        )
        blocks.append(Diagram(title, page.source))
    return Section("diagrams", _("Diagrams"), tuple(blocks), landscape=True)
