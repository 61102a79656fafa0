"""Similar events in the same unit before an entry: the recurrence question of a lex Sarah
investigation (has this happened before, here or in the unit's other cases?).

An entry's similar events are the findings, in any case, whose triggering entry comes from
the same unit (`records.unit_of`) within the N months before it, and which concern the same
rule as a finding the entry itself triggered or an entry of the same type. Clocks are
imprecise (rules.md Principle 6): a finding whose trigger may lie inside the window or
outside it is listed as possibly in the window, never silently in or out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from ledger.timeparse import Moment, add_months, format_instant
from projections.codes import status_word
from projections.formats import Column, table, wrap_lines
from projections.language import _, ngettext
from projections.records import Record, unit_of
from projections.rules.model import Finding, Report
from projections.rules.output import finding_json
from projections.serialize import document, reference

Within = Literal["yes", "possibly"]


@dataclass(frozen=True, slots=True)
class SimilarQuery:
    """The entry asked about and the window before it."""

    case: str
    record: Record
    unit: str
    rules: tuple[str, ...]  # the rules of the findings the entry itself triggered
    months: int
    window_from: datetime  # the earliest the window may start: N months before the entry

    @property
    def window_until(self) -> datetime:
        return self.record.occurred.latest


@dataclass(frozen=True, slots=True)
class Similar:
    case: str
    finding: Finding
    within: Within
    same: tuple[str, ...]  # "rule" and/or "type": what makes it similar


def similar_query(record: Record, report: Report | None, months: int) -> SimilarQuery | None:
    """The query for `record` (as it reads now) and its case's report; None when the entry
    records no agency, so has no unit to compare."""
    unit = unit_of(record)
    if unit is None:
        return None
    rules = (
        tuple(dict.fromkeys(f.rule for f in report.findings if f.refs[:1] == (record.seq,)))
        if report is not None
        else ()
    )
    return SimilarQuery(
        case=record.case,
        record=record,
        unit=unit,
        rules=rules,
        months=months,
        window_from=add_months(record.occurred.earliest, -months),
    )


def similar_findings(query: SimilarQuery, reports: Sequence[Report]) -> list[Similar]:
    """The findings of `reports` similar to the query's entry, in the order they happened."""
    found: list[Similar] = []
    for report in reports:
        for finding in report.findings:
            if finding.unit != query.unit or finding.trigger_time is None:
                continue
            if report.case == query.case and finding.refs[:1] == (query.record.seq,):
                continue  # the entry's own findings
            same = tuple(
                what
                for what, alike in (
                    ("rule", finding.rule in query.rules),
                    ("type", finding.trigger_type == query.record.type),
                )
                if alike
            )
            within = _within(finding.trigger_time, query)
            if same and within is not None:
                found.append(Similar(report.case or "", finding, within, same))
    found.sort(key=lambda s: (s.finding.trigger_time.sort_key(), s.case, s.finding.refs))  # type: ignore[union-attr]
    return found


def _within(time: Moment, query: SimilarQuery) -> Within | None:
    """Whether a trigger at `time` lies in the window [N months before, the entry): certainly,
    possibly, or certainly not (None)."""
    if time.latest <= query.window_from or time.earliest >= query.window_until:
        return None
    if time.earliest >= query.window_from and time.latest <= query.record.occurred.earliest:
        return "yes"
    return "possibly"


# --- outputs --------------------------------------------------------------------------------


def _window_clock(query: SimilarQuery) -> dict[str, Any]:
    """The window as a clock: the days it may cover, as an ISO interval of dates."""
    start = query.window_from
    last_day = format_instant(query.window_until - timedelta(microseconds=1))[:10]
    return {
        "text": f"{format_instant(start)[:10]}/{last_day}",
        "start": start.isoformat(),
        "end": query.window_until.isoformat(),
        "approximate": False,
    }


def similar_item(item: Similar, labels: Mapping[str, Mapping[int, str | None]]) -> dict[str, Any]:
    finding = item.finding
    assert finding.trigger_time is not None
    return {
        "case": item.case,
        **finding_json(finding, labels.get(item.case, {})),
        "unit": finding.unit,
        "trigger_type": finding.trigger_type,
        "trigger_time": finding.trigger_time.to_json(),
        "within": item.within,
        "same": list(item.same),
    }


def similar_document(
    query: SimilarQuery,
    found: Sequence[Similar],
    labels: Mapping[str, Mapping[int, str | None]],
    target_labels: Mapping[int, str | None],
) -> dict[str, Any]:
    """`ledger check --all --similar-to CASE#SEQ --format json`."""
    record = query.record
    return document(
        None,  # type: ignore[arg-type]
        similar_to={
            "case": query.case,
            **reference(record.seq, target_labels),
            "type": record.type,
            "unit": query.unit,
            "occurred": record.occurred.to_json(),
            "rules": list(query.rules),
        },
        months=query.months,
        window=_window_clock(query),
        findings=[similar_item(item, labels) for item in found],
    )


def similar_table(query: SimilarQuery, found: Sequence[Similar], width: int = 120) -> str:
    record = query.record
    lines = [
        _("Similar events in {unit}, {months} months before {case}#{seq} ({type}, {time})").format(
            unit=query.unit,
            months=query.months,
            case=query.case,
            seq=record.seq,
            type=record.type,
            time=record.occurred.display(),
        ),
        _("similar: the same rule ({rules}) or an entry of the same type ({type})").format(
            rules=", ".join(query.rules) or _("none flagged the entry"), type=record.type
        ),
        ngettext("{n} finding", "{n} findings", len(found)).format(n=len(found)),
        "",
    ]
    columns = [
        Column(_("case"), 12),
        Column(_("time"), 12),
        Column(_("status"), 12),
        Column(_("rule"), 38),
        Column(_("message"), 0),
    ]
    rows = [
        [
            f"{item.case}#{item.finding.refs[0]}",
            item.finding.trigger_time.display()  # type: ignore[union-attr]
            + ("" if item.within == "yes" else " ?"),
            status_word(item.finding.status, short=True),
            item.finding.rule,
            item.finding.message,
        ]
        for item in found
    ]
    lines += table(columns, rows, width).rstrip("\n").split("\n") if rows else [_("  (none)")]
    if any(item.within == "possibly" for item in found):
        lines += ["", _("? the clocks leave open whether it lies in the window")]
    return wrap_lines(lines, width).rstrip("\n") + "\n"


def earlier_in_other_cases(
    records: Sequence[Record],
    report: Report,
    reports: Sequence[Report],
    statuses: Sequence[str],
    months: int = 12,
) -> list[Similar]:
    """For a lex Sarah investigation of a case: the similar events, in the unit's other
    cases, before each entry the case's own findings of `statuses` were triggered by."""
    current = {r.seq: r for r in records}
    found: dict[tuple[str, str, tuple[int, ...]], Similar] = {}
    for seq in dict.fromkeys(f.refs[0] for f in report.findings if f.status in statuses):
        record = current.get(seq)
        query = similar_query(record, report, months) if record is not None else None
        if query is None:
            continue
        for item in similar_findings(query, reports):
            if item.case != report.case:
                found.setdefault((item.case, item.finding.rule, item.finding.refs), item)
    return sorted(
        found.values(),
        key=lambda s: (s.finding.trigger_time.sort_key(), s.case, s.finding.refs),  # type: ignore[union-attr]
    )
