"""The lex Sarah template: the parts of an investigation under SOSFS 2011:5 ch. 5, each
pre-filled with what the ledger holds and a marked place for what only the investigator can
write (the analysis, the consequences, the decision).
"""

from __future__ import annotations

from collections.abc import Sequence

from projections.analysis import case_analysis, cause_text, measure_text
from projections.codes import code_words, status_word
from projections.corrections import CORRECTION_TYPES
from projections.language import _
from projections.records import Record
from projections.report.model import Block, Heading, Items, Paragraph, Section, ToWrite
from projections.report.words import ref_line, rule_title
from projections.rules import Report
from projections.rules.similar import Similar

# The parts of a lex Sarah investigation the regulation asks for, in its order.
INCIDENT_TYPES = ("ChildDied", "SeriousIncidentRecorded")
NOTICED_TYPES = ("LexSarahReportMade", "LexSarahInvestigationOpened", "SupervisionOpened")
EARLIER_TYPES = ("ConcernReportReceived", *INCIDENT_TYPES)
MEASURE_TYPES = ("MeasuresReported",)
CLOSING_TYPES = ("LexSarahInvestigationClosed", "LexSarahReportedToIVO")
# Findings that may bear on the causes: those that say something was not done in time.
CAUSE_STATUSES = ("breach", "warning", "no_record", "undetermined")


def lex_sarah_sections(
    records: Sequence[Record], report: Report, similar: Sequence[Similar] | None = None
) -> list[Section]:
    """The lex Sarah parts, from the case's current records (corrections applied) and the
    rule pack's report for the same point in time; `similar` the findings of the same rule
    in the same unit's other cases before the case's own (`rules.similar`), when asked as
    the records stand now."""
    live = [r for r in records if r.type not in CORRECTION_TYPES and r.retracted_by is None]

    def of(*types: str) -> list[Record]:
        return [r for r in live if r.type in types]

    incidents = of(*INCIDENT_TYPES)
    first_incident = min((r.occurred.start for r in incidents), default=None)
    earlier = [
        r for r in of(*EARLIER_TYPES) if first_incident is None or r.occurred.end <= first_incident
    ]
    # The causes the investigation recorded (händelseanalys) first; then what the rules find
    # in the records, as material for the analysis, never as its conclusion.
    analysis = case_analysis(report.case or "", records, findings=report.findings)
    causes = [
        f"#{c.seq} {c.occurred.display()} {cause_text(c, analysis.records)}"
        for _area, found, _barriers in analysis.by_area()
        for c in found
    ] + [
        f"{status_word(f.status)}: {rule_title(f.rule)} (" + " ".join(f"#{s}" for s in f.refs) + ")"
        for f in report.findings
        if f.status in CAUSE_STATUSES
    ]
    measures = [
        f"#{m.decided.seq} {m.decided.occurred.display()} {measure_text(m)}"
        for m in analysis.measures
    ]
    closing = of(*CLOSING_TYPES)
    parts: list[tuple[str, list[str], str]] = [
        (
            _("What happened and its consequences for the child"),
            [_line(r) for r in (*incidents, *of("LexSarahReportMade"))],
            _("The consequences for the child, as the investigation found them."),
        ),
        (
            _("When and where it happened"),
            [f"{ref_line(r)}" for r in incidents],
            _("Where it happened, and the period the investigation covers."),
        ),
        (
            _("How it was noticed"),
            [_line(r) for r in of(*NOTICED_TYPES)],
            _("How the missförhållande or the risk of one came to the provider's notice."),
        ),
        (
            _("Causes"),
            causes,
            _(
                "The investigation's analysis of the causes: routines, competence, staffing, "
                "information between agencies. The rule findings above are material for it, "
                "not its conclusion."
            ),
        ),
        (
            _("Earlier similar events"),
            [_line(r) for r in earlier] + [_similar_line(item) for item in similar or ()],
            _("Similar events earlier in this case and in the unit's other cases."),
        ),
        (
            _("Risk of recurrence"),
            [],
            _("Whether it may happen again, here or in other cases, and why."),
        ),
        (
            _("Measures, with dates"),
            [*measures, *(_line(r) for r in of(*MEASURE_TYPES))],
            _("Measures taken or planned, who is responsible, and by when."),
        ),
        (
            _("The closing decision"),
            [_closing_line(r) for r in closing],
            _(
                "The decision to close the investigation: date, decider, whether the matter "
                "is serious and reported to IVO; signature."
            ),
        ),
    ]
    blocks: list[Block] = [
        Paragraph(
            _(
                "The parts of a lex Sarah investigation under SOSFS 2011:5 ch. 5 (paragraph "
                "not verified). Under each, what the ledger holds; the boxes marked "
                "'To be written' are for what only the investigator can write."
            ),
            "muted",
        )
    ]
    for heading, found, prompt in parts:
        blocks.append(Heading(heading))
        if found:
            blocks.append(Paragraph(_("From the ledger:"), "muted"))
            blocks.append(Items(tuple(found)))
        else:
            blocks.append(Paragraph(_("The ledger holds nothing for this part."), "muted"))
        blocks.append(ToWrite(prompt))
    return [Section("lex-sarah", _("Lex Sarah investigation"), tuple(blocks))]


def _similar_line(item: Similar) -> str:
    """A finding in another case of the same unit, before one of this case's."""
    finding = item.finding
    assert finding.trigger_time is not None
    when = finding.trigger_time.display() + ("" if item.within == "yes" else " ?")
    return _("{case}#{seq} {time}, {unit}: {status}: {rule}").format(
        case=item.case,
        seq=finding.refs[0],
        time=when,
        unit=finding.unit,
        status=status_word(finding.status),
        rule=rule_title(finding.rule),
    )


def _line(record: Record) -> str:
    text = record.summary or ""
    for name in ("description", "concerns", "scope", "circumstances", "reason"):
        value = record.documented(name)
        if value and value not in text:
            text = f"{text} {value}".strip()
    return f"{ref_line(record)}: {text}" if text else ref_line(record)


def _closing_line(record: Record) -> str:
    parts = [_line(record)]
    if record.type == "LexSarahInvestigationClosed":
        reported = record.documented("reported_to_ivo")
        if reported is not None:
            parts.append(
                _("Reported to IVO: {answer}").format(answer=_("yes") if reported else _("no"))
            )
        serious = record.documented("serious")
        if serious is not None:
            parts.append(
                _("Judged serious: {answer}").format(answer=_("yes") if serious else _("no"))
            )
        if findings := record.documented("findings"):
            parts.append(_("Findings: {text}").format(text=code_words("findings", findings)))
    return " ".join(parts)
