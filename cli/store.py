"""The ledger's store and its kept views: create it, rebuild and follow the views."""

from __future__ import annotations

import click

from cli.context import State, pass_state
from cli.output import LedgerCommand, UserError
from projections.language import _, ngettext


@click.command(cls=LedgerCommand)
@pass_state
def init(state: State) -> None:
    """Create the ledger store (an SQLite file unless configured otherwise).

    \b
    Example:
        ledger --db review.db init
    """
    store = state.store()
    state.ledger(create=True)
    click.echo(
        _("ledger ready at {location} ({kind})").format(location=store.location, kind=store.kind)
    )


@click.command(cls=LedgerCommand)
@pass_state
def reindex(state: State) -> None:
    """Rebuild the materialised cross-case views from the whole ledger.

    They are kept up to date by themselves; this is for after a restore, or to check.

    \b
    Example:
        ledger reindex
    """
    from projections.kept.case_index import reindex as rebuild

    ledger = state.ledger()
    count = rebuild(ledger, state.views())
    click.echo(
        ngettext(
            "case index rebuilt from {n} entry", "case index rebuilt from {n} entries", count
        ).format(n=count),
        err=True,
    )


@click.command(cls=LedgerCommand)
@click.option("--seconds", type=float, default=None, help="Stop after this long (default: never).")
@pass_state
def follow(state: State, seconds: float | None) -> None:
    """Keep the case index current from PostgreSQL notifications until interrupted.

    SQLite has no notifications; there the views catch up whenever they are read.

    \b
    Example:
        ledger --db postgresql://ledger@db.example/ledger follow
    """
    import threading

    from projections.kept.case_index import follow as follow_notifications

    store = state.store()
    if store.kind != "postgres":
        raise UserError(
            _(
                "follow needs PostgreSQL (LEDGER_DATABASE_URL); on SQLite the views catch up "
                "whenever they are read"
            )
        )
    until = threading.Event()
    # A daemon timer: stopped early (Ctrl-C), the program must not wait for it to fire.
    timer = threading.Timer(seconds or 0, until.set)
    timer.daemon = True
    if seconds is not None:
        timer.start()
    click.echo(_("following {location}; Ctrl-C to stop").format(location=store.location), err=True)
    try:
        follow_notifications(store, until=until)
    except KeyboardInterrupt:
        until.set()
    finally:
        timer.cancel()
