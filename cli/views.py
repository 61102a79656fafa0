"""The views of one case (its chronology, what was known at a point, its decisions,
its gaps, one entry) and the list of cases."""

from __future__ import annotations

from typing import Any

import click

from cli.context import (
    State,
    case_history,
    case_reference,
    csv_dialect_option,
    entry_at,
    format_option,
    ledger_state,
    output_option,
    page_option,
    parse_point_option,
    parse_start_option,
    parse_view_point_option,
    pass_state,
    point_option,
    trust_store_order,
    view_options,
    width_option,
)
from cli.output import LedgerCommand, UserError, deliver
from projections.language import _
from projections.render import DIAGRAM_FORMATS, SPREADSHEET


@click.command(cls=LedgerCommand)
@format_option(SPREADSHEET)
@csv_dialect_option
@output_option
@width_option
@pass_state
def cases(state: State, fmt: str, csv_dialect: str, output: str | None, width: int | None) -> None:
    """List the cases: entries, time span, where each stands, reports awaiting assessment.

    Read from the materialised case index, which first catches up with what was stored
    since it was last read.

    \b
    Example:
        ledger cases --format json | jq '.cases[].case'
    """
    from projections.cases import CaseSummary
    from projections.kept.case_index import index_rows
    from projections.render import View
    from projections.serialize import document
    from projections.tables import cases_table

    ledger = state.ledger()
    rows = index_rows(ledger, state.views())
    summaries = [s for s in rows if isinstance(s, CaseSummary)]
    erased = [s for s in rows if not isinstance(s, CaseSummary)]
    state.log_read("cases", None)
    items = [summary.to_json() for summary in summaries]
    extra = {"erased": [e.to_json() for e in erased]} if erased else {}
    view = View(
        document(None, cases=items, **extra),
        items,
        lambda width: cases_table(summaries, width, erased),
        sheet="cases",
    )
    deliver(view, fmt, output, width, csv_dialect)


@click.command(cls=LedgerCommand)
@click.argument("reference", metavar="REF")
@format_option()
@output_option
@pass_state
def show(state: State, reference: str, fmt: str, output: str | None) -> None:
    """Show one entry with all its fields and all three clocks.

    REF is CASE#SEQ or CASE@LABEL.

    \b
    Example:
        ledger show NK-LH@pa-1
    """
    from projections.corrections import as_known, history_of
    from projections.records import labels, to_records
    from projections.render import View
    from projections.serialize import document, record_json
    from projections.tables import show_card

    ref = case_reference(reference)
    assert ref.case is not None
    entries = case_history(state, ref.case)
    state.log_read("show", ref.case)
    records = to_records(entries)
    stored = entry_at(entries, ref, reference)
    record_ = records[stored.originator_version - 1]
    refs = labels(records)
    item = record_json(record_, refs)
    item["integrity"] = {"hash": stored.hash, "prev_hash": stored.prev_hash}
    corrections = history_of(records, record_.seq)
    item["history"] = [record_json(c, refs) for c in corrections]
    current = {r.seq: r for r in as_known(records)}[record_.seq]
    item["current"] = record_json(current, refs)
    view = View(
        document(ref.case, entry=item),
        [item],
        lambda _width: show_card(record_, item, corrections, current),
        case=ref.case,
    )
    deliver(view, fmt, output)


@click.command(cls=LedgerCommand)
@click.argument("case")
@click.option(
    "--order",
    type=click.Choice(("occurred", "known")),
    default="occurred",
    show_default=True,
    help="Order by when it happened or when it was known.",
)
@point_option("--as-known-at", "Only what the social services knew at T (end of that period).")
@point_option("--as-of", "Only what had occurred by T.")
@point_option("--as-recorded-at", "The ledger as it stood at T (system time).")
@click.option("--from", "from_", metavar="T", help="Window: entries that occurred from T on.")
@click.option("--to", metavar="T", help="Window: entries that occurred up to the end of T.")
@format_option(SPREADSHEET, *DIAGRAM_FORMATS)
@csv_dialect_option
@output_option
@width_option
@page_option
@pass_state
def timeline(
    state: State,
    case: str,
    order: str,
    as_known_at: str | None,
    as_of: str | None,
    as_recorded_at: str | None,
    from_: str | None,
    to: str | None,
    fmt: str,
    csv_dialect: str,
    output: str | None,
    width: int | None,
    page: str,
) -> None:
    """The chronology of CASE, optionally as known at, as of, or as recorded at T.

    T may be imprecise (2019, 2019-12, 2019-12-31): it means the end of that period. With
    --format svg|png|pdf|dot it draws the timeline diagram for a report: one lane per agency,
    decisions as boxes marked ◆, stated bases dashed, hindsight gaps red; with --as-known-at what
    was not yet known is greyed and a red line marks T. --page a4|a3 (landscape) splits it
    by period into pages whose text prints at 8 pt or more (FILE-1.svg, FILE-2.svg, ...).

    \b
    Example:
        ledger timeline NK-LH --as-known-at 2019-12-31
        ledger timeline NK-LH --format json | jq '.entries[] | {seq, type}'
        ledger timeline NK-LH --format svg -o nk-lh.svg --from 2019-10
    """
    from projections.records import labels, to_records
    from projections.render import View
    from projections.serialize import timeline_document, timeline_items
    from projections.tables import timeline_table
    from projections.timeline import ViewPoint, as_recorded
    from projections.timeline import timeline as build_timeline

    view = ViewPoint(
        as_known_at=parse_view_point_option("--as-known-at", as_known_at),
        as_of=parse_view_point_option("--as-of", as_of),
        as_recorded_at=parse_view_point_option("--as-recorded-at", as_recorded_at),
    )
    window_start = parse_start_option("--from", from_)
    window_end = parse_point_option("--to", to)
    records = to_records(case_history(state, case))
    state.log_read("timeline", case)
    if as_recorded_at is not None:
        trust_store_order(state)

    def pages() -> Any:
        from projections.decisions import decisions as build_decisions
        from projections.diagram import PAPERS, Window, timeline_pages

        visible = as_recorded(records, view.recorded_by)
        return timeline_pages(
            case,
            visible,
            paper=PAPERS[page],
            as_known_at=view.as_known_at,
            window=Window(window_start, window_end),
            decisions=build_decisions(visible),
            ledger_state=ledger_state(state, case),
        )

    entries = build_timeline(records, view, order)  # type: ignore[arg-type]
    if window_start or window_end:
        entries = [
            e
            for e in entries
            if (window_start is None or e.record.occurred.end > window_start)
            and (window_end is None or e.record.occurred.start < window_end)
        ]
    refs = labels(records)
    output_view = View(
        timeline_document(case, entries, refs, view, order),
        timeline_items(entries, refs),
        lambda width: timeline_table(entries, width, view=view, case=case),
        case=case,
        sheet=case,
        pages=pages,
    )
    deliver(output_view, fmt, output, width, csv_dialect)


def _records_as_recorded(
    state: State, case: str, as_recorded_at: str | None
) -> tuple[Any, Any, Any]:
    from projections.records import labels, to_records
    from projections.timeline import ViewPoint, as_recorded

    view = ViewPoint(as_recorded_at=parse_view_point_option("--as-recorded-at", as_recorded_at))
    history = case_history(state, case)
    if as_recorded_at is not None:
        trust_store_order(state)
    records = as_recorded(to_records(history), view.recorded_by)
    if not records:
        raise UserError(
            _("case {case} had no entries in the ledger at {point}").format(
                case=repr(case), point=as_recorded_at
            )
        )
    return records, view, labels(records)


@click.command(cls=LedgerCommand)
@click.argument("case")
@click.option(
    "--at",
    "at",
    metavar="T",
    required=True,
    help="The moment: 2019-12-31 means the end of that day.",
)
@view_options()
@pass_state
def known(
    state: State,
    case: str,
    at: str,
    as_recorded_at: str | None,
    fmt: str,
    csv_dialect: str,
    output: str | None,
    width: int | None,
) -> None:
    """What the social services could know about CASE at T, without hindsight.

    Facts known then (as they then read), entries possibly known, information requests still
    unanswered, the case's status, and — kept apart — what had occurred but was held elsewhere.

    \b
    Example:
        ledger known NK-LH --at 2019-12-31
        ledger known NK-LH --at 2020-01 --format json | jq '.pending_requests[].ref'
    """
    from dataclasses import replace

    from projections.knowledge import snapshot
    from projections.render import View
    from projections.serialize import known_document
    from projections.tables import known_table

    point = parse_view_point_option("--at", at)
    assert point is not None
    records, view, refs = _records_as_recorded(state, case, as_recorded_at)
    view = replace(view, as_known_at=point)
    state.log_read("known", case)
    snap = snapshot(records, point)
    document_ = known_document(case, snap, refs, view)
    items = [
        {"section": section, **item}
        for section in ("facts", "possibly_known", "held_elsewhere", "pending_requests")
        for item in document_[section]
    ]
    output_view = View(
        document_, items, lambda width: known_table(case, snap, width, view), case=case
    )
    deliver(output_view, fmt, output, width, csv_dialect)


@click.command(cls=LedgerCommand)
@click.argument("case")
@view_options(SPREADSHEET, *DIAGRAM_FORMATS)
@page_option
@pass_state
def decisions(
    state: State,
    case: str,
    as_recorded_at: str | None,
    fmt: str,
    csv_dialect: str,
    output: str | None,
    width: int | None,
    page: str,
) -> None:
    """Who decided what in CASE, on what stated basis, knowing what, with what outstanding.

    For every decision: the decider and the body behind a delegated decision, the law, the
    stated basis, what was known and possibly known then, unanswered information requests,
    hindsight (facts that existed elsewhere) and what came of it later. With
    --format svg|png|pdf|dot it draws the one-page "what did they know" diagram.

    \b
    Example:
        ledger decisions NK-LH
        ledger decisions NK-LH --format json | jq '.decisions[] | {ref, outcome}'
        ledger decisions NK-LH --format svg -o nk-lh-decisions.svg
    """
    from projections.decisions import decisions as build_decisions
    from projections.render import View
    from projections.serialize import decision_json, decisions_document
    from projections.tables import decisions_table

    records, view, refs = _records_as_recorded(state, case, as_recorded_at)
    state.log_read("decisions", case)
    views = build_decisions(records)

    def pages() -> Any:
        from projections.diagram import PAPERS, decisions_pages

        return decisions_pages(
            case, views, records, paper=PAPERS[page], ledger_state=ledger_state(state, case)
        )

    output_view = View(
        decisions_document(case, views, refs, view),
        [decision_json(v, refs) for v in views],
        lambda width: decisions_table(case, views, width, view),
        case=case,
        sheet=case,
        pages=pages,
    )
    deliver(output_view, fmt, output, width, csv_dialect)


@click.command(cls=LedgerCommand)
@click.argument("case")
@view_options()
@pass_state
def gaps(
    state: State,
    case: str,
    as_recorded_at: str | None,
    fmt: str,
    csv_dialect: str,
    output: str | None,
    width: int | None,
) -> None:
    """The hindsight view of CASE: what each decision lacked and from whom, and how late each
    agency's information reached the social services.

    \b
    Example:
        ledger gaps NK-LH --format json | jq '.agencies'
    """
    from projections.gaps import gaps as build_gaps
    from projections.render import View
    from projections.serialize import gaps_document
    from projections.tables import gaps_table

    records, view, refs = _records_as_recorded(state, case, as_recorded_at)
    state.log_read("gaps", case)
    found = build_gaps(records)
    document_ = gaps_document(case, found, refs, view)
    output_view = View(
        document_,
        document_["agencies"],
        lambda width: gaps_table(case, found, width, view),
        case=case,
    )
    deliver(output_view, fmt, output, width, csv_dialect)
