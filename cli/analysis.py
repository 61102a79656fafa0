"""`ledger analysis CASE`: the händelseanalys of a case (causes by cause area, barriers,
measures and the timeline entries they explain) as a table, JSON, or a cause diagram.

Listed in cli/commands.py; the projections are imported inside the command.
"""

from __future__ import annotations

import click

from cli.check import _policy
from cli.context import (
    State,
    case_history,
    format_option,
    ledger_state,
    output_option,
    parse_point_option,
    parse_view_point_option,
    pass_state,
    point_option,
    width_option,
)
from cli.output import LedgerCommand, UserError, deliver
from projections.language import _
from projections.render import DIAGRAM_FORMATS


@click.command(cls=LedgerCommand)
@click.argument("case")
@point_option(
    "--as-known-at",
    "The analysis as it stood at T: only causes, barriers, measures and status changes "
    "known by then (end of that period).",
)
@click.option(
    "--rules-config",
    metavar="FILE",
    default=None,
    help="TOML file whose [rules] table sets measure_due_months, for measures without a "
    "due date (default: ./ledger.toml when present).",
)
@format_option(*DIAGRAM_FORMATS)
@output_option
@width_option
@pass_state
def analysis(
    state: State,
    case: str,
    as_known_at: str | None,
    rules_config: str | None,
    fmt: str,
    output: str | None,
    width: int | None,
) -> None:
    """The analysis of CASE (händelseanalys, lex Sarah): causes and contributing factors by
    cause area with the timeline entries they explain, barriers that held or failed, and
    measures with owner, due date, status, evidence of effect and whether they are overdue.

    With --format svg|png|pdf|dot it draws the cause diagram: the timeline entries, one bone
    per cause area meeting at the event analysed, and the measures with the causes they
    address.

    \b
    Example:
        ledger analysis NK-LH
        ledger analysis NK-LH --format json | jq '.measures[] | {ref, status: .standing.status}'
        ledger analysis NK-LH --format svg -o nk-lh-orsaker.svg
    """
    from projections.analysis import analysis_document, analysis_table, case_analysis
    from projections.records import labels, to_records
    from projections.render import View
    from projections.rules import check
    from projections.timeline import ViewPoint

    if fmt in ("ndjson", "csv"):
        raise UserError(
            _(
                "--format {format}: the analysis has several lists; use table, json or a "
                "diagram format ({formats})"
            ).format(format=fmt, formats=", ".join(DIAGRAM_FORMATS))
        )
    point = parse_view_point_option("--as-known-at", as_known_at)
    horizon = parse_point_option("--as-known-at", as_known_at)
    policy = _policy(rules_config)
    records = to_records(case_history(state, case))
    state.log_read("analysis", case)
    report = check(records, as_known_at=horizon, point=point, policy=policy)
    found = case_analysis(case, records, ViewPoint(as_known_at=point), report.findings)

    def pages() -> list[object]:
        from projections.diagram import cause_graph

        return [cause_graph(found, ledger_state(state, case))]

    view = View(
        analysis_document(found, labels(records)),
        [],
        lambda width: analysis_table(found, width),
        case=case,
        pages=pages,
    )
    deliver(view, fmt, output, width)
