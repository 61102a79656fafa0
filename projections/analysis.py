"""The analysis of a case (händelseanalys, lex Sarah): causes by cause area, barriers,
measures with their status, and the timeline entries they explain.

SKL's model for social services (2011; handbook 2015) goes from the course of events (the
timeline) to its underlying causes, sorted by cause area, to the barriers that held or failed,
to measures with an owner, a timetable and a follow-up of their effect. Each of these is an
entry of the case, dated when the analysis made it, so the analysis read "as known at T"
holds only what had been concluded by T. A measure's status is its decided status, changed
only by later `MeasureStatusChanged` entries, never by editing the measure.

`case_analysis` gathers it (pure, over a case's records); `analysis_document` writes the JSON
of `ledger analysis --format json` (`projections/schemas/analysis.schema.json`);
`analysis_table` the Swedish (or English) table; the cause diagram is drawn by
`projections.diagram.cause_graph`. A report template takes all four from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ledger.timeparse import Moment
from ledger.vocabulary import CAUSE_AREAS, MEASURE_DONE
from projections.codes import code_words
from projections.formats import printable, wrap_lines
from projections.language import N_, _, current
from projections.phrases import view_heading
from projections.records import Record
from projections.rules.measures import own_due
from projections.rules.model import Finding
from projections.serialize import clock, document, record_json, refs_json, view_json
from projections.timeline import ViewPoint, timeline

__all__ = [
    "CAUSE",
    "MEASURE",
    "Analysis",
    "Measure",
    "analysis_document",
    "analysis_table",
    "case_analysis",
]

CAUSE = "CauseIdentified"
BARRIER = "BarrierAssessed"
MEASURE = "MeasureDecided"
STATUS_CHANGE = "MeasureStatusChanged"
OVERDUE_RULE = "measure-overdue"

# A measure-overdue finding's status, said of the measure.
FINDING_WORDS: Mapping[str, str] = {
    "warning": N_("overdue"),
    "breach": N_("overdue"),
    "no_record": N_("not documented as done"),
    "undetermined": N_("cannot tell"),
    "pending": N_("not yet due"),
    "info": N_("note"),
}


@dataclass(frozen=True, slots=True)
class Measure:
    """A measure as it stands at the view's point: its decision and every later status."""

    decided: Record
    changes: tuple[Record, ...]  # status changes, in order
    finding: Finding | None  # the measure-overdue finding on it, when the rules found one

    @property
    def status(self) -> str:
        """The latest status: the last change's, else the one it was decided with."""
        for change in reversed(self.changes):
            if isinstance(change.fields.get("status"), str):
                return change.fields["status"]
        return str(self.decided.fields.get("status"))

    @property
    def since(self) -> Moment:
        """When it got that status."""
        return self.changes[-1].occurred if self.changes else self.decided.occurred

    @property
    def due(self) -> Moment | None:
        """Its own due date; None where the records give none."""
        return own_due(self.decided)

    @property
    def done(self) -> bool:
        return self.status in MEASURE_DONE

    @property
    def effect(self) -> str | None:
        """The latest documented evidence of its effect."""
        for change in reversed(self.changes):
            effect = change.documented("effect")
            if isinstance(effect, str):
                return effect
        return None


@dataclass(frozen=True, slots=True)
class Analysis:
    case: str
    view: ViewPoint
    causes: tuple[Record, ...]
    barriers: tuple[Record, ...]
    measures: tuple[Measure, ...]
    explained: tuple[Record, ...]  # the timeline entries causes and barriers point at
    explained_by: Mapping[int, tuple[int, ...]]  # timeline entry → causes and barriers
    records: Mapping[int, Record]  # every visible entry by seq, for names and references

    def by_area(self) -> list[tuple[str, list[Record], list[Record]]]:
        """(area, causes, barriers) in the model's order; a barrier without an area and a
        cause whose area is not documented come last, under "not documented"."""
        areas = [*CAUSE_AREAS, "not_documented"]

        def area_of(record: Record) -> str:
            area = record.fields.get("area")
            return area if area in CAUSE_AREAS else "not_documented"

        return [
            (
                area,
                [c for c in self.causes if area_of(c) == area],
                [b for b in self.barriers if area_of(b) == area],
            )
            for area in areas
        ]


def case_analysis(
    case: str,
    records: Iterable[Record],
    view: ViewPoint | None = None,
    findings: Sequence[Finding] = (),
) -> Analysis:
    """The analysis of `case` as its records read at the view's points in time (corrections
    known by then applied, retracted entries left out); `findings` are the case's rule
    findings read at the same point, of which those of measure-overdue are kept with their
    measure."""
    view = view or ViewPoint()
    visible = [e.record for e in timeline(records, view) if e.record.retracted_by is None]
    by_seq = {r.seq: r for r in visible}
    causes = tuple(r for r in visible if r.type == CAUSE)
    barriers = tuple(r for r in visible if r.type == BARRIER)
    overdue = {f.refs[0]: f for f in findings if f.rule == OVERDUE_RULE and f.refs}
    measures = tuple(
        Measure(
            m,
            tuple(
                r for r in visible if r.type == STATUS_CHANGE and r.fields.get("measure") == m.seq
            ),
            overdue.get(m.seq),
        )
        for m in visible
        if m.type == MEASURE
    )
    explained_by: dict[int, list[int]] = {}
    for record in (*causes, *barriers):
        for seq in record.refs("explains") + record.refs("concerns"):
            if seq in by_seq:
                explained_by.setdefault(seq, []).append(record.seq)
    explained = tuple(r for r in visible if r.seq in explained_by)
    return Analysis(
        case,
        view,
        causes,
        barriers,
        measures,
        explained,
        {seq: tuple(by) for seq, by in explained_by.items()},
        by_seq,
    )


# --- JSON -------------------------------------------------------------------------------------


def _finding_json(finding: Finding | None) -> dict[str, Any] | None:
    if finding is None:
        return None
    return {
        "status": finding.status,
        "policy": finding.policy,
        "due": None if finding.due is None else finding.due.clock().to_json(),
        "message": finding.message,
        "reason": finding.reason,
    }


def measure_json(measure: Measure, labels: Mapping[int, str | None]) -> dict[str, Any]:
    """A measure: its entry, and how it stands (status, since when, evidence of effect, the
    status changes, and the rule's finding on it)."""
    return {
        **record_json(measure.decided, labels),
        "standing": {
            "status": measure.status,
            "since": clock(measure.since),
            "due": clock(measure.due),
            "effect": measure.effect,
            "changes": refs_json((c.seq for c in measure.changes), labels),
            "finding": _finding_json(measure.finding),
        },
    }


def analysis_document(analysis: Analysis, labels: Mapping[int, str | None]) -> dict[str, Any]:
    """`ledger analysis CASE --format json`."""
    return document(
        analysis.case,
        view=view_json(analysis.view),
        areas=[
            {
                "area": area,
                "causes": refs_json((c.seq for c in causes), labels),
                "barriers": refs_json((b.seq for b in barriers), labels),
            }
            for area, causes, barriers in analysis.by_area()
            if causes or barriers
        ],
        causes=[record_json(r, labels) for r in analysis.causes],
        barriers=[record_json(r, labels) for r in analysis.barriers],
        measures=[measure_json(m, labels) for m in analysis.measures],
        explained=[
            {
                **record_json(r, labels),
                "explained_by": refs_json(analysis.explained_by[r.seq], labels),
            }
            for r in analysis.explained
        ],
    )


# --- the table --------------------------------------------------------------------------------


def _ref(record: Record) -> str:
    return f"#{record.seq}" + (f" ({record.ref})" if record.ref else "")


def _refs(seqs: Iterable[int], records: Mapping[int, Record]) -> str:
    return ", ".join(_ref(records[s]) if s in records else f"#{s}" for s in seqs)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return code_words("", value) if value == "not_documented" else printable(str(value))


def cause_text(cause: Record, records: Mapping[int, Record]) -> str:
    """One cause or contributing factor in a sentence: area, kind, what, what it explains."""
    return _("{area} · {kind}: {description} (explains {refs})").format(
        area=code_words("area", cause.fields.get("area")),
        kind=code_words("kind", cause.fields.get("kind")),
        description=_text(cause.fields.get("description")),
        refs=_refs(cause.refs("explains"), records) or "—",
    )


def measure_text(measure: Measure) -> str:
    """One measure in a sentence: what, who owns it, by when, and where it stands."""
    decided = measure.decided
    return _("{measure} · owner: {owner} · due: {due} · status: {status} ({since})").format(
        measure=_text(decided.fields.get("measure")),
        owner=_text(decided.fields.get("owner")),
        due=measure.due.display() if measure.due is not None else _("not documented"),
        status=code_words("status", measure.status),
        since=measure.since.display(),
    )


def analysis_table(analysis: Analysis, width: int = 120) -> str:
    """Causes by cause area, barriers, measures, and the timeline entries explained."""
    records = analysis.records
    lines = [_("{case}: analysis of causes and measures").format(case=analysis.case)]
    if heading := view_heading(analysis.case, analysis.view):
        lines.append(heading)
    lines += ["", _("CAUSES BY CAUSE AREA")]
    if not analysis.causes and not analysis.barriers:
        lines.append("  " + _("none recorded"))
    for area, causes, barriers in analysis.by_area():
        if not causes and not barriers:
            continue
        lines.append(code_words("area", area).capitalize())
        for cause in causes:
            lines.append(
                f"  {_ref(cause)} {cause.occurred.display()}  "
                f"{code_words('kind', cause.fields.get('kind'))}: "
                f"{_text(cause.fields.get('description'))}"
            )
            explains = _refs(cause.refs("explains"), records)
            lines.append("      " + _("explains: {refs}").format(refs=explains or "—"))
        for barrier in barriers:
            lines.append(
                f"  {_ref(barrier)} {barrier.occurred.display()}  "
                + _("barrier {state}: {barrier}").format(
                    state=code_words("state", barrier.fields.get("state")),
                    barrier=_text(barrier.fields.get("barrier")),
                )
            )
    lines += ["", _("MEASURES")]
    if not analysis.measures:
        lines.append("  " + _("none recorded"))
    for m in analysis.measures:
        decided = m.decided
        due = m.due.display() if m.due is not None else _("not documented")
        lines.append(
            f"  {_ref(decided)} {decided.occurred.display()}  "
            f"{_text(decided.fields.get('measure'))}"
        )
        lines.append(
            "      "
            + _("owner: {owner} · due: {due} · status: {status} ({since})").format(
                owner=_text(decided.fields.get("owner")),
                due=due,
                status=code_words("status", m.status),
                since=m.since.display(),
            )
        )
        addresses = _refs(decided.refs("addresses"), records)
        lines.append(
            "      "
            + _("addresses: {refs} · evidence of effect: {effect}").format(
                refs=addresses or "—", effect=_text(m.effect) or "—"
            )
        )
        if m.finding is not None:
            lines.append(
                "      "
                + _("rule measure-overdue: {verdict}").format(
                    verdict=_(FINDING_WORDS[m.finding.status])
                )
                + (f" ({m.finding.reason})" if m.finding.reason else "")
            )
    out = wrap_lines(lines, width)
    out += "\n" + _("TIMELINE ENTRIES EXPLAINED") + "\n"
    if not analysis.explained:
        out += "  " + _("none") + "\n"
    explained_lines = [
        f"  {_ref(r)} {r.occurred.display()}  {r.spec.swedish if current() == 'sv' else r.type}: "
        f"{_text(r.summary)}  ← {_refs(analysis.explained_by[r.seq], records)}"
        for r in analysis.explained
    ]
    out += wrap_lines(explained_lines, width) if explained_lines else ""
    return out
