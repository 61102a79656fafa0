"""`ledger migrate`: the whole ledger into another store, verbatim (ledger/migration.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.context import State, pass_state
from cli.output import LedgerCommand, UserError
from projections.language import _

if TYPE_CHECKING:
    from ledger.application import CaseLedger
    from ledger.migration import LogCopy, Plan

DEFAULT_BATCH = 5000


@click.command(cls=LedgerCommand)
@click.option(
    "--to",
    "to_url",
    metavar="URL",
    required=True,
    help="The target store: a postgresql:// URL, or an SQLite file (created when missing).",
)
@click.option(
    "--from",
    "from_url",
    metavar="URL",
    default=None,
    help="The source store (default: the ledger of --db, $LEDGER_DATABASE_URL, $LEDGER_DB, "
    "./ledger.db).",
)
@click.option(
    "--checkpoints",
    "log_file",
    metavar="FILE",
    envvar="LEDGER_CHECKPOINTS",
    default=None,
    help="The source's checkpoints log (default: $LEDGER_CHECKPOINTS, else where `verify` "
    "looks for the source's).",
)
@click.option(
    "--to-checkpoints",
    "to_log_file",
    metavar="FILE",
    envvar="LEDGER_CHECKPOINTS",
    default=None,
    help="Where the target's checkpoints log goes (default as for --checkpoints, for the target).",
)
@click.option(
    "--batch",
    type=click.IntRange(1, 1_000_000),
    default=DEFAULT_BATCH,
    show_default=True,
    help="Rows copied per transaction; an interrupted run loses at most one batch.",
)
@pass_state
def migrate(
    state: State,
    to_url: str,
    from_url: str | None,
    log_file: str | None,
    to_log_file: str | None,
    batch: int,
) -> None:
    """Copy the whole ledger to another store: every stored row (entries, access records)
    byte for byte in the order it was stored, the drafts, the checkpoints log; then rebuild
    the case index there. The target has the same tree root, and `verify` passes on it.

    Interrupted, run it again: rows already on the target are checked against the source
    and skipped. A target that holds anything else is refused before anything is written.
    Encrypted ledgers are copied as they lie (LEDGER_CIPHER_KEY opens both stores), each
    case's wrapped key with them; an erased case stays erased.

    \b
    Example:
        ledger --db ledger.db migrate --to postgresql://ledger@db.example/ledger
        ledger migrate --from postgresql://ledger@db.example/ledger --to copy.db
    """
    from ledger.migration import MigrationRefused, is_empty
    from ledger.storage import same_store

    source_state = State(from_url, state.user, state.purpose) if from_url else state
    target_state = State(to_url, state.user, state.purpose)
    source_store, target_store = source_state.store(), target_state.store()
    if target_store.kind == "memory" or source_store.kind == "memory":
        raise UserError(_("an in-memory ledger cannot take part in a migration; name a store"))
    if same_store(source_store, target_store):
        raise UserError(_("--to {place}: that is the source ledger itself").format(place=to_url))

    source = source_state.ledger()
    if is_empty(source):
        raise UserError(
            _(
                "the ledger at {place} holds nothing to migrate "
                "(no entries, access records or drafts)"
            ).format(place=source_store.location)
        )
    source_log = _log_path(source_state, log_file)
    target_log = _log_path(target_state, to_log_file)
    new_file = target_state.new_sqlite_file()
    target = target_state.ledger(create=True)
    try:
        planned, log_copy = _plan(source, target, source_log, target_log, batch)
    except MigrationRefused as error:
        if new_file is not None:
            target_state.discard(new_file)
        raise UserError(
            _("--to {place}: {problem}; nothing was copied").format(
                place=target_store.location, problem=error
            )
        ) from None

    # A migration reads every case (to copy it elsewhere): it is logged like any other read,
    # before the copy, so the target's access log shows it too.
    source_state.log_read("migrate", None)
    _carry_out(source, target, planned, log_copy, batch, target_store.location)


def _log_path(state: State, given: str | None) -> Path:
    from cli.integrity import checkpoints_path

    return checkpoints_path(state, given)


def _plan(
    source: CaseLedger, target: CaseLedger, source_log: Path, target_log: Path, batch: int
) -> tuple[Plan, LogCopy]:
    from ledger.checkpoint import NoteError
    from ledger.migration import checkpoints_plan, plan

    planned = plan(source, target, page=batch)
    try:
        log_copy = checkpoints_plan(source_log, target_log)
    except (NoteError, OSError) as error:
        raise UserError(
            _("cannot copy the checkpoints log: {problem}").format(problem=error)
        ) from None
    return planned, log_copy


def _carry_out(
    source: CaseLedger,
    target: CaseLedger,
    planned: Plan,
    log_copy: LogCopy,
    batch: int,
    where: str,
) -> None:
    import base64

    from ledger.integrity import tree_head
    from ledger.migration import MigrationRefused, carry_out, confirm, write_log
    from ledger.views import open_views
    from projections.kept.case_index import reindex
    from projections.language import ngettext

    if planned.rows_there:
        click.echo(
            _("{n} rows already on the target, checked against the source").format(
                n=planned.rows_there
            ),
            err=True,
        )

    def progress(copied: int) -> None:
        click.echo(_("{n} rows copied").format(n=planned.rows_there + copied), err=True)

    try:
        copied = carry_out(source, target, planned, page=batch, progress=progress)
        total = confirm(source, target, page=batch)
    except MigrationRefused as error:
        raise UserError(f"--to {where}: {error}") from None
    try:
        write_log(log_copy)
    except OSError as error:
        raise UserError(
            _("cannot write the checkpoints log {file}: {problem}").format(
                file=log_copy.target, problem=error
            )
        ) from None
    target_views = open_views(target.store)
    try:
        read = reindex(target, target_views)
    finally:
        target_views.close()
    head = tree_head(target)

    lines = [
        _(
            "migrated to {target}: {total} rows, identical to the source's and in its order "
            "({copied} copied, {there} already there)"
        ).format(target=where, total=total, copied=copied.rows, there=planned.rows_there),
        _("drafts: {copied} copied, {there} already there").format(
            copied=copied.drafts, there=planned.drafts_there
        ),
        _checkpoints_line(log_copy),
        ngettext(
            "case index rebuilt on the target from {n} entry",
            "case index rebuilt on the target from {n} entries",
            read,
        ).format(n=read),
        _("tree root {root} ({n} entries); check it with `ledger --db TARGET verify`").format(
            root=base64.b64encode(head.root).decode(), n=head.size
        ),
    ]
    click.echo("\n".join(lines))


def _checkpoints_line(log_copy: LogCopy) -> str:
    from projections.language import _

    if log_copy.notes == 0:
        return _("checkpoints log: none at {path}").format(path=log_copy.source)
    if log_copy.content is None:
        return _("checkpoints log: {path} already holds the source's {n}").format(
            path=log_copy.target, n=log_copy.notes
        )
    return _("checkpoints log: {n} copied to {path}").format(n=log_copy.notes, path=log_copy.target)
