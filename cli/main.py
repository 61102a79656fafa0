"""The `ledger` command: parse, call ledger/ and projections/, print.

The commands live in modules of their own, listed in cli/commands.py and imported only when
one runs; heavy modules (eventsourcing's persistence, psycopg, graphviz) are imported inside
the commands that need them. So `ledger --help` costs little more than importing click.
"""

from __future__ import annotations

import os
import sys

import click

from cli.commands import LazyGroup
from cli.output import UserError


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--db",
    metavar="PATH",
    default=None,
    help="Ledger store: an SQLite file or a postgresql:// URL "
    "(default: $LEDGER_DATABASE_URL, $LEDGER_DB, ./ledger.db).",
)
@click.option(
    "--user",
    metavar="NAME",
    default=None,
    help="Who is reading, for the access log (default: $LEDGER_USER, else your login name).",
)
@click.option(
    "--purpose",
    metavar="TEXT",
    default=None,
    help="Why you are reading, for the access log, e.g. 'lex Sarah 2024:3'.",
)
@click.option(
    "--lang",
    type=click.Choice(("sv", "en")),
    default=None,
    help="Language of tables, messages and diagrams: sv (Swedish) or en (English) "
    "(default: $LEDGER_LANG, else sv). JSON keys and codes do not change.",
)
@click.version_option(package_name="child-case-ledger", prog_name="ledger")
@click.pass_context
def cli(
    ctx: click.Context, db: str | None, user: str | None, purpose: str | None, lang: str | None
) -> None:
    """An event-sourced timeline and audit ledger for child-protection cases.

    Every case action is an immutable entry with three clocks: when it occurred, when the
    social services knew of it, and when the ledger recorded it.

    \b
    Example:
        ledger import examples/lilla-hjartat.jsonl
        ledger timeline NK-LH --as-known-at 2019-12-31
    """
    from cli.context import State
    from projections.language import UnknownLanguage, resolve, using

    try:
        chosen = resolve(lang, os.environ.get("LEDGER_LANG"))
    except UnknownLanguage as error:
        raise UserError(f"LEDGER_LANG: {error}") from None
    # The whole command speaks the chosen language; the context ends with the command.
    ctx.with_resource(using(chosen))
    ctx.obj = State(db, user, purpose)


def main() -> None:
    """Entry point: click errors and user errors become one line on stderr."""
    try:
        # Without standalone mode click returns ctx.exit()'s code instead of exiting (and
        # handles a closed pipe itself, as `ledger timeline … | head` closes it).
        code = cli.main(prog_name="ledger", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Abort:
        click.echo("error: aborted", err=True)
        sys.exit(1)
    except click.ClickException as error:
        click.echo(f"error: {error.format_message()}", err=True)
        sys.exit(error.exit_code)  # 2 for usage errors and UserError
    except Exception as error:  # a bug, not a user error: one line, the details on request
        from ledger.clock import ClockBehind
        from ledger.storage import busy_reason, is_busy, storage_failure

        if is_busy(error):
            click.echo(f"error: {busy_reason()}; try again then", err=True)
            sys.exit(1)
        # The machine's, not a bug: a clock behind the ledger, a full disk, a read-only store.
        if os.environ.get("LEDGER_DEBUG"):
            raise
        reason = str(error) if isinstance(error, ClockBehind) else storage_failure(error)
        if reason is not None:
            click.echo(f"error: {reason}", err=True)
            sys.exit(2)
        click.echo(
            f"error: internal error ({type(error).__name__}: {error}); "
            "set LEDGER_DEBUG=1 for the traceback",
            err=True,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
