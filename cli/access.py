"""`ledger access-log` and `log_read`: the access log ("loggkontroll") on the command line.

Every reading command calls `State.log_read(COMMAND, CASE)` before it prints, so each read
appends exactly one access record; `ledger access-log` lists them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import click

from cli.context import (
    format_option,
    not_a_case_key,
    output_option,
    parse_start_option,
    pass_state,
    width_option,
)
from cli.output import LedgerCommand, UserError, busy, deliver
from projections.language import _, say

if TYPE_CHECKING:
    from cli.context import State
    from ledger.access import AccessRecorded


def log_read(
    state: State, command: str, case: str | None, user: str | None, purpose: str | None
) -> AccessRecorded:
    """Append one access record for a read of `case` (None: a command that reads every case),
    and return it (a report names its own).

    Call it before printing anything: when the record cannot be written, the command stops
    with a one-line error and shows nothing (no read without a log line).
    """
    from eventsourcing.persistence import IntegrityError, PersistenceError

    from ledger.access import InvalidAccess, UnknownUser, current_user, record_access
    from ledger.storage import is_busy, storage_failure

    ledger = state.ledger()
    try:
        who = current_user(user)
        return record_access(ledger, user=who, command=command, case=case, purpose=purpose)
    except (InvalidAccess, UnknownUser) as error:
        raise UserError(say(str(error))) from None
    except IntegrityError as error:
        raise click.ClickException(
            _("{problem}; nothing was shown").format(problem=error)
        ) from None
    except PersistenceError as error:
        if is_busy(error):
            raise click.ClickException(
                _("cannot write the access log: {reason}; nothing was shown").format(reason=busy())
            ) from None
        reason = storage_failure(error) or f"{type(error).__name__}: {error}"
        raise click.ClickException(
            _("cannot write the access log ({reason}); nothing was shown").format(reason=reason)
        ) from None


def _since(text: str | None) -> datetime | None:
    if text is not None and text.strip().startswith("~"):
        raise UserError(
            _("--since: a point in time cannot be approximate: {text}").format(text=repr(text))
        )
    return parse_start_option("--since", text)


@click.command("access-log", cls=LedgerCommand)
@click.argument("case", required=False)
@click.option(
    "--since",
    metavar="T",
    default=None,
    help="Only reads recorded from the start of T on (2024, 2024-05, 2024-05-14T09:00).",
)
@format_option()
@output_option
@width_option
@pass_state
def access_log(
    state: State,
    case: str | None,
    since: str | None,
    fmt: str,
    output: str | None,
    width: int | None,
) -> None:
    """Who read which case, when, with which command and why (the access log).

    Every reading command (timeline, known, decisions, gaps, show, check, cases) records the
    user (--user, else $LEDGER_USER, else the login name), the command, the case and the
    stated purpose (--purpose). With CASE, the reads of that case and those of the commands
    that read all cases (cases, check --all); without, every read. A read of all cases shows
    case null / "(all cases)".
    Reading the access log is itself recorded, after the listing is taken.

    \b
    Example:
        ledger access-log NK-LH --since 2024-05
        ledger access-log --format json | jq '.entries[] | {user, case, command}'
    """
    from ledger.access import access_entries, reads_of
    from ledger.references import is_case_key
    from projections.access_log import access_item, access_table
    from projections.render import View
    from projections.serialize import document

    if case is not None and not is_case_key(case):
        raise UserError(not_a_case_key(case))
    start = _since(since)
    ledger = state.ledger()
    records = access_entries(ledger, None, start) if case is None else reads_of(ledger, case, start)
    state.log_read("access-log", case)
    items = [access_item(r) for r in records]
    view = View(
        document(case, entries=items),  # type: ignore[arg-type]
        items,
        lambda width: access_table(records, width),
    )
    deliver(view, fmt, output, width)
