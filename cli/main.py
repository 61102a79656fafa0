"""The `ledger` command: parse, call ledger/ and projections/, print.

The commands live in modules of their own, listed in cli/commands.py and imported only when
one runs; heavy modules (eventsourcing's persistence, psycopg, graphviz) are imported inside
the commands that need them. So `ledger --help` costs little more than importing click.
"""

from __future__ import annotations

import os
import sys
from contextvars import ContextVar

import click

from cli.commands import LazyGroup
from cli.output import UserError

# The language the command chose, for main()'s line after the command has ended (the
# language ends with the command's context); None until the root command has chosen.
_spoken: ContextVar[str | None] = ContextVar("ledger_spoken_language", default=None)


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
    # The whole command speaks the chosen language; the context ends with the command, so
    # main() keeps the choice for the error line it writes afterwards.
    ctx.with_resource(using(chosen))
    _spoken.set(chosen)
    ctx.obj = State(db, user, purpose)
    ctx.call_on_close(ctx.obj.close)


def main() -> None:
    """Entry point: click errors and user errors become one line on stderr, in the language
    the command spoke."""
    _spoken.set(None)  # a choice left by an earlier command in this thread is not this one's
    try:
        # Without standalone mode click returns ctx.exit()'s code instead of exiting (and
        # handles a closed pipe itself, as `ledger timeline … | head` closes it).
        code = cli.main(prog_name="ledger", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except Exception as error:
        from projections.language import using

        with using(_spoken_language(error)):
            said = _error_line(error)
        if said is None:
            raise
        line, status = said
        click.echo(line, err=True)
        sys.exit(status)


def _error_line(error: Exception) -> tuple[str, int] | None:
    """The one line on stderr and the exit status for an error that ends a command; None for
    a bug when LEDGER_DEBUG asks for its traceback."""
    from projections.language import _

    if isinstance(error, click.exceptions.Abort):
        return _("error: aborted"), 1
    if isinstance(error, click.ClickException):
        # 2 for usage errors and UserError
        return _("error: {message}").format(message=error.format_message()), error.exit_code
    # A bug, not a user error: one line, the details on request.
    from cli.output import busy
    from ledger.clock import ClockBehind
    from ledger.storage import is_busy, storage_failure

    if is_busy(error):
        return _("error: {reason}; try again then").format(reason=busy()), 1
    # The machine's, not a bug: a clock behind the ledger, a full disk, a read-only store.
    if os.environ.get("LEDGER_DEBUG"):
        return None
    reason = str(error) if isinstance(error, ClockBehind) else storage_failure(error)
    if reason is not None:
        return _("error: {message}").format(message=reason), 2
    return (
        _("error: internal error ({kind}: {problem}); set LEDGER_DEBUG=1 for the traceback").format(
            kind=type(error).__name__, problem=error
        ),
        1,
    )


def _spoken_language(error: Exception) -> str:
    """The language of main()'s own line: the one the command chose, else (click stopped
    before the command could choose: `ledger --lang en nosuchcommand`) --lang as parsed so
    far, else LEDGER_LANG's, else Swedish."""
    from projections.language import DEFAULT, UnknownLanguage, resolve

    chosen = _spoken.get()
    if chosen is not None:
        return chosen
    parsed = getattr(error, "ctx", None)  # a usage error knows the command it was parsing
    given = parsed.find_root().params.get("lang") if parsed is not None else None
    try:
        return resolve(given, os.environ.get("LEDGER_LANG"))
    except UnknownLanguage:
        return DEFAULT


if __name__ == "__main__":
    main()
