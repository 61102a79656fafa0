"""`ledger export`: cases out of the ledger, for another ledger or another tool."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from cli.context import (
    case_history,
    not_a_case_key,
    output_option,
    parse_view_point_option,
    pass_state,
    point_option,
)
from cli.output import LedgerCommand, UserError, emit
from projections.language import _

if TYPE_CHECKING:
    from cli.context import State

EXPORT_FORMATS = ("jsonl", "timesketch", "timelinejs")


@click.command(cls=LedgerCommand)
@click.argument("cases", nargs=-1, metavar="[CASE...]")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="jsonl",
    show_default=True,
    help="jsonl: the import format; timesketch: Timesketch JSONL; timelinejs: TimelineJS JSON.",
)
@point_option("--as-known-at", "Only what the social services knew at T (end of that period).")
@output_option
@pass_state
def export(
    state: State, cases: tuple[str, ...], fmt: str, as_known_at: str | None, output: str | None
) -> None:
    """Write CASEs (default: every case) as JSONL that `ledger import` reads back into the
    same views, or for Timesketch or TimelineJS.

    \\b
    Example:
        ledger export NK-LH -o nk-lh.jsonl
        ledger --db new.db import nk-lh.jsonl
    """
    import orjson

    from ledger.references import is_case_key
    from projections.export import import_objects, known_by
    from projections.formats import to_json
    from projections.interchange import timelinejs_document, timesketch_rows
    from projections.records import to_records
    from projections.timeline import ViewPoint, timeline

    point = parse_view_point_option("--as-known-at", as_known_at)

    for case in cases:
        if not is_case_key(case):
            raise UserError(not_a_case_key(case))
    keys = list(dict.fromkeys(cases)) or _every_case(state)
    histories = [(key, case_history(state, key)) for key in keys]
    for key, _history in histories:
        state.log_read("export", key)
    if fmt == "jsonl":
        lines = []
        for _key, history in histories:
            kept = history
            if point is not None:
                try:
                    kept = known_by(history, point.end)
                except ValueError as error:
                    raise UserError(f"--as-known-at: {error}") from None
            lines += [orjson.dumps(obj) for obj in import_objects(kept)]
        emit(b"".join(line + b"\n" for line in lines), output)
        return
    view = ViewPoint(as_known_at=point)
    views = [(key, timeline(to_records(history), view)) for key, history in histories]
    if fmt == "timesketch":
        rows = [
            orjson.dumps(row) for key, entries in views for row in timesketch_rows(key, entries)
        ]
        emit(b"".join(row + b"\n" for row in rows), output)
    elif len(views) == 1:
        emit(to_json(timelinejs_document(*views[0])), output)
    else:
        raise UserError(
            _("--format timelinejs: one case at a time (a TimelineJS file is one timeline)")
        )


def _every_case(state: State) -> list[str]:
    from projections.kept.case_index import case_index

    ledger = state.ledger()
    state.log_read("export", None)  # the list of cases is itself read
    return [summary.case for summary in case_index(ledger, state.views())]
