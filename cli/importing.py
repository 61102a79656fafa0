"""`ledger import`: JSONL entries from files or stdin, checked whole before anything is stored."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from cli.context import State, pass_state
from cli.output import LedgerCommand, UserError
from projections.language import _, ngettext, say


@click.command("import", cls=LedgerCommand)
@click.argument("files", nargs=-1, required=True, metavar="FILE... | -")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
@click.option("--dry-run", is_flag=True, help="Check everything as for real; store nothing.")
@pass_state
def import_(state: State, files: tuple[str, ...], quiet: bool, dry_run: bool) -> None:
    """Import JSONL entries (one JSON object a line) from FILEs or `-` for stdin.

    The whole input is validated first; on any problem every one is reported with its line
    and nothing is stored. Entries already stored are skipped, so re-running is safe.

    \b
    Example:
        ledger import examples/lilla-hjartat.jsonl examples/astorp.jsonl
        cat case.jsonl | ledger import -
    """
    from ledger.importer import ImportFailed, NotImportFormat, WorkerDied, import_sources
    from ledger.worker_memory import keep_freed_memory

    keep_freed_memory()  # this process lives for one import (its workers inherit it)
    sources, total = _open_sources(files)
    new_file = state.new_sqlite_file()
    ledger = state.ledger(create=True)
    show_bar = sys.stderr.isatty() and total > 5_000_000
    try:
        if show_bar:
            with click.progressbar(length=total, label=_("validating"), file=sys.stderr) as bar:
                report = import_sources(ledger, sources, progress=bar.update, dry_run=dry_run)
        else:
            report = import_sources(ledger, sources, dry_run=dry_run)
    except NotImportFormat as error:
        if new_file is not None:
            state.discard(new_file)
        raise UserError(_line(error.errors[0])) from None
    except ImportFailed as failed:
        if new_file is not None:
            state.discard(new_file)  # bad input changes nothing, not even the file system
        # Input refused for what a stored case holds says what it holds: a read, logged first
        # (input refused for itself changes nothing, not even the access log).
        for case in sorted({e.stored_case for e in failed.errors if e.stored_case}):
            state.log_read("import", case)
        for error in failed.errors:
            click.echo(_("error: {message}").format(message=_line(error)), err=True)
        if failed.truncated:
            stop = _(
                "{n} problem(s) in the input (stopped after the first errors); nothing was imported"
            )
        else:
            stop = _("{n} problem(s) in the input; nothing was imported")
        raise UserError(stop.format(n=len(failed.errors))) from None
    except WorkerDied as died:
        if new_file is not None:
            state.discard(new_file)
        raise UserError(say(str(died))) from None
    finally:
        for source in sources:
            close = getattr(source.lines, "close", None)
            if close is not None and source.lines is not sys.stdin.buffer:
                close()
    if not report.lines:
        if new_file is not None:
            state.discard(new_file)
        raise UserError(
            _("{files}: the input is empty; nothing was imported").format(files=", ".join(files))
        )
    if dry_run and new_file is not None:
        state.discard(new_file)  # a dry run leaves no trace, not even a new file
    # Each count carries its own words, so Swedish agrees in number (1 post, 2 poster).
    counts = {
        "cases": ngettext("{n} case", "{n} cases", len(report.cases)).format(n=len(report.cases)),
        "lines": ngettext("{n} line read", "{n} lines read", report.lines).format(n=report.lines),
    }
    if dry_run:
        click.echo(
            ngettext(
                "dry run: {n} entry would be imported into {cases}; {skipped} already stored; "
                "{lines}; nothing was stored",
                "dry run: {n} entries would be imported into {cases}; {skipped} already "
                "stored; {lines}; nothing was stored",
                report.recorded,
            ).format(n=report.recorded, skipped=report.skipped, **counts),
            err=True,
        )
    elif not quiet:
        click.echo(
            ngettext(
                "imported {n} entry into {cases}; {skipped} already stored (skipped); {lines}",
                "imported {n} entries into {cases}; {skipped} already stored (skipped); {lines}",
                report.recorded,
            ).format(n=report.recorded, skipped=report.skipped, **counts),
            err=True,
        )


def _line(error: Any) -> str:
    """A problem of the input in the reader's language, after the line it is on."""
    return f"{error.where}: {say(error.message)}"


def _open_sources(files: tuple[str, ...]) -> tuple[list[Any], int]:

    from ledger.importer import Source

    sources = []
    total = 0
    for name in files:
        if name == "-":
            sources.append(Source("<stdin>", sys.stdin.buffer))
            continue
        try:
            handle = open(name, "rb")  # noqa: SIM115 - closed by the command after import
        except OSError as error:
            raise UserError(f"{name}: {error.strerror}") from None
        total += os.fstat(handle.fileno()).st_size
        sources.append(Source(name, handle))
    return sources, total
