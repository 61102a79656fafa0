"""`ledger draft …`: the draft area on the command line (parse, call ledger.drafts, print).

Every command that reads or changes drafts writes the access log first (loggkontroll): the
drafts are case data like the entries.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.context import not_a_case_key, output_option, pass_state, width_option
from cli.output import LedgerGroup, UserError, deliver
from projections.language import _, ngettext, say

if TYPE_CHECKING:
    from cli.context import State
    from ledger.draft_area import StoredDraft


@click.group(cls=LedgerGroup)
def draft() -> None:
    """A mutable area for rows on their way into the ledger: import a chronology
    spreadsheet, check it, fix it, seal it.

    \b
    Example:
        ledger draft import examples/kronologi-nk-lh.xlsx --case NK-LH-K
        ledger draft check NK-LH-K
        ledger draft edit 7 --set occurred=2019-12-20
        ledger draft seal NK-LH-K
    """


@draft.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--case", "case", required=True, help="The case the rows belong to.")
@click.option("--map", "map_file", type=click.Path(dir_okay=False), help="Column map (TOML).")
@click.option("--sheet", help="The sheet of an .xlsx workbook (default: the first).")
@pass_state
def import_(state: State, file: str, case: str, map_file: str | None, sheet: str | None) -> None:
    """Read FILE (.csv, .xlsx or .jsonl) into drafts of CASE.

    The header row is found by its column names (Datum, Händelse, Källa, Kommentar, Typ, …;
    English too); name others in --map FILE.toml as a [columns] table ("Dag" = "occurred").
    Rows above the header and empty rows are reported, never silently dropped.

    \b
    Example:
        ledger draft import kronologi.csv --case NK-LH-K --map kolumner.toml
    """
    from ledger.references import is_case_key
    from ledger.sheets import SheetError, read_map, read_sheet

    if not is_case_key(case):
        raise UserError(f"--case: {not_a_case_key(case)}")
    mapping = None
    try:
        if map_file is not None:
            mapping = read_map(map_file, _read(map_file).decode("utf-8-sig"))
        sheet_rows = read_sheet(file, _read(file), mapping, sheet)
    except UnicodeDecodeError:
        raise UserError(_("{file}: not UTF-8 text").format(file=map_file)) from None
    except SheetError as error:
        raise UserError(say(str(error))) from None
    if not sheet_rows.rows:
        raise UserError(
            _("{file}: no rows below the header; nothing was drafted").format(file=file)
        )
    from ledger.drafts import import_sheet, refuse_identity_numbers
    from ledger.identity_numbers import IdentityNumberFound

    try:
        refuse_identity_numbers(case, sheet_rows)
    except IdentityNumberFound as error:
        raise UserError(
            _("{problem}; nothing was drafted").format(problem=say(str(error)))
        ) from None
    ledger = state.ledger(create=True)
    state.log_read("draft import", case)
    ids = import_sheet(ledger, case, sheet_rows)
    for note in sheet_rows.notes:
        click.echo(_("note: {file}, {note}").format(file=Path(file).name, note=say(note)), err=True)
    click.echo(
        ngettext(
            "{n} row drafted into {case} (drafts {first}–{last}); "
            "check it with `ledger draft check {case}`",
            "{n} rows drafted into {case} (drafts {first}–{last}); "
            "check them with `ledger draft check {case}`",
            len(ids),
        ).format(n=len(ids), case=case, first=ids[0], last=ids[-1]),
        err=True,
    )


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise UserError(f"{path}: {error.strerror}") from None


@draft.command("list")
@click.argument("case")
@click.option(
    "--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True
)
@output_option
@width_option
@pass_state
def list_(state: State, case: str, fmt: str, output: str | None, width: int | None) -> None:
    """The drafts of CASE, in the order they were imported.

    \b
    Example:
        ledger draft list NK-LH-K
    """
    from projections.drafts_view import draft_item, drafts_table
    from projections.render import View

    state.log_read("draft list", case)
    drafts = state.ledger().drafts.of_case(case)
    items = [draft_item(d) for d in drafts]
    # The JSON document keeps the shape tools already read: {"case", "drafts"}.
    view = View(
        {"case": case, "drafts": items}, items, lambda width: drafts_table(case, drafts, width)
    )
    deliver(view, fmt, output, width)


def _find(state: State, id: int) -> StoredDraft:
    from ledger.drafts import UnknownDraft, find

    try:
        return find(state.ledger(), id)
    except UnknownDraft:
        raise UserError(_("no draft {id}").format(id=id)) from None


@draft.command("show")
@click.argument("id", type=int)
@click.option(
    "--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True
)
@output_option
@pass_state
def show(state: State, id: int, fmt: str, output: str | None) -> None:
    """One draft: every cell, the column it came from, and where the row came from.

    \b
    Example:
        ledger draft show 7
    """
    from projections.drafts_view import draft_card, draft_item
    from projections.render import View

    found = _find(state, id)
    state.log_read("draft show", found.case)
    item = draft_item(found)
    deliver(View(item, [item], lambda _width: draft_card(found)), fmt, output)


@draft.command("edit")
@click.argument("id", type=int)
@click.option("--set", "sets", multiple=True, required=True, metavar="FIELD=VALUE")
@pass_state
def edit(state: State, id: int, sets: tuple[str, ...]) -> None:
    """Change cells of a draft (an empty VALUE clears the cell).

    \b
    Example:
        ledger draft edit 7 --set occurred=2019-12-20 --set comment=
    """
    from ledger.drafts import edit as edit_draft

    changes: dict[str, str] = {}
    for item in sets:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UserError(_("--set {item}: expected FIELD=VALUE").format(item=repr(item)))
        changes[name.strip()] = value.strip()
    found = _find(state, id)
    state.log_read("draft edit", found.case)
    try:
        edit_draft(state.ledger(), found, changes)
    except ValueError as error:
        raise UserError(f"--set: {say(str(error))}") from None
    click.echo(_("draft {id} changed").format(id=id), err=True)


@draft.command("classify")
@click.argument("id", type=int)
@click.argument("type_name", metavar="TYPE")
@pass_state
def classify(state: State, id: int, type_name: str) -> None:
    """Give a draft its type: a vocabulary name or its Swedish term (`ledger types`);
    ChronologyEntry keeps a row as information only.

    \b
    Example:
        ledger draft classify 7 ConcernReportReceived
    """
    from ledger.drafts import classify as classify_draft
    from ledger.vocabulary import UnknownEventType

    found = _find(state, id)
    state.log_read("draft classify", found.case)
    try:
        changed = classify_draft(state.ledger(), found, type_name)
    except UnknownEventType as error:
        raise UserError(say(str(error))) from None
    click.echo(
        _("draft {id} is a {type}").format(id=id, type=changed.data["values"]["type"]), err=True
    )


@draft.command("delete")
@click.argument("ids", type=int, nargs=-1, required=True)
@pass_state
def delete(state: State, ids: tuple[int, ...]) -> None:
    """Remove drafts (a heading row, a duplicate, a row that is not an entry).

    \b
    Example:
        ledger draft delete 3 4
    """
    from ledger.drafts import delete as delete_drafts

    found = [_find(state, id) for id in ids]
    for case in dict.fromkeys(d.case for d in found):
        state.log_read("draft delete", case)
    delete_drafts(state.ledger(), found)
    click.echo(
        ngettext("{n} draft removed", "{n} drafts removed", len(found)).format(n=len(found)),
        err=True,
    )


@draft.command("check")
@click.argument("case")
@click.option(
    "--format", "fmt", type=click.Choice(("table", "json")), default="table", show_default=True
)
@pass_state
def check(state: State, case: str, fmt: str) -> None:
    """Validate CASE's drafts as `import` would, against what the ledger holds; every
    problem is named by file, row and column. Exit status 2 when there are problems.

    \b
    Example:
        ledger draft check NK-LH-K
    """
    from ledger.drafts import check as check_drafts
    from projections.formats import printable, to_json

    state.log_read("draft check", case)
    stored, _rows, problems = check_drafts(state.ledger(), case)
    if fmt == "json":
        click.echo(
            to_json(
                {
                    "case": case,
                    "drafts": len(stored),
                    "problems": [p.to_json() for p in problems],
                }
            ).decode()
        )
    else:
        for problem in problems:
            click.echo(printable(_("error: {message}").format(message=say(str(problem)))), err=True)
    if not stored:
        raise UserError(_("no drafts in {case}").format(case=case))
    if problems:
        raise UserError(
            _("{n} problem(s) in {drafts} drafts of {case}").format(
                n=len(problems), drafts=len(stored), case=case
            )
        )
    if fmt != "json":
        click.echo(
            ngettext(
                "{n} draft of {case}: no problems; seal it with `ledger draft seal {case}`",
                "{n} drafts of {case}: no problems; seal them with `ledger draft seal {case}`",
                len(stored),
            ).format(n=len(stored), case=case)
        )


@draft.command("seal")
@click.argument("case")
@pass_state
def seal(state: State, case: str) -> None:
    """Record CASE's drafts as entries, all or nothing, each citing its source row (file,
    sheet, row) unless it names its own source; the drafts are then removed.

    \b
    Example:
        ledger draft seal NK-LH-K
    """
    from ledger.drafts import DraftsRejected
    from ledger.drafts import seal as seal_drafts
    from projections.formats import printable

    state.log_read("draft seal", case)
    try:
        outcome = seal_drafts(state.ledger(), case)
    except DraftsRejected as rejected:
        if not rejected.problems:
            raise UserError(_("no drafts in {case}").format(case=case)) from None
        for problem in rejected.problems:
            click.echo(printable(_("error: {message}").format(message=say(str(problem)))), err=True)
        raise UserError(
            _("{n} problem(s) in the drafts of {case}; nothing was sealed").format(
                n=len(rejected.problems), case=case
            )
        ) from None
    click.echo(
        _("sealed {case}: {recorded}, {skipped} already stored").format(
            case=case,
            recorded=ngettext(
                "{n} entry recorded", "{n} entries recorded", outcome.recorded
            ).format(n=outcome.recorded),
            skipped=outcome.skipped,
        ),
        err=True,
    )
