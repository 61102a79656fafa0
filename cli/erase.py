"""`ledger erase`: crypto-shredding a case after its retention (ledger/erasure.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from cli.context import State, pass_state, unknown_case
from cli.output import LedgerCommand, UserError


@click.command(cls=LedgerCommand)
@click.argument("case")
@click.option("--reason", required=True, help="Why the case is erased (kept in the record).")
@click.option(
    "--before-retention",
    is_flag=True,
    help="Erase although the retention rules do not allow it yet (five years after the last "
    "note, SoL 12:1; not a placed child's documents, SoL 12:2); the record keeps that.",
)
@pass_state
def erase(state: State, case: str, reason: str, before_retention: bool) -> None:
    """Erase a case for good by destroying its key (crypto-shredding), once its retention
    has ended: SoL (2001:453) 12 kap. 1 § culls a personal file five years after its last
    note. Only an encrypted ledger can be erased.

    The erasure is recorded in the case (who, when, why, the retention relied on) and is a
    leaf of the Merkle tree: `verify` still checks every row of the case and reports it as
    erased, checkpoints and proofs made before stay valid, and the case's entries can no
    longer be read by anyone. Its kept views and drafts are deleted.

    \b
    Example:
        ledger --user "arkivarie A" erase NK-2019-0412 --reason "gallring enligt SoL 12:1"
    """
    from ledger.access import UnknownUser, current_user
    from ledger.application import UnknownCase
    from ledger.erasure import ErasureRefused, erase_case
    from ledger.rows import TamperedRow
    from ledger.timeparse import to_stockholm
    from projections.language import _

    ledger = state.ledger()
    try:
        user = current_user(state.user)
    except UnknownUser as error:
        raise UserError(str(error)) from None
    # Erasing reads the case (its chain, its retention) and a refusal can say why: logged
    # like any read, before.
    state.log_read("erase", case)
    try:
        done = erase_case(
            ledger,
            case,
            user=user,
            reason=reason,
            now=datetime.now(UTC),
            before_retention=before_retention,
        )
    except ErasureRefused as error:
        raise UserError(_("{case} was not erased: {why}").format(case=case, why=error)) from None
    except UnknownCase as error:
        raise UserError(unknown_case(error.key)) from None
    except TamperedRow as error:
        raise UserError(
            _("{case} was not erased: {why}; run `ledger verify`").format(case=case, why=error)
        ) from None
    erased = done.erased
    day = to_stockholm(erased.timestamp).date().isoformat()
    if done.outcome == "finished":
        line = _("{case}: the erasure of {day} is finished now (its key is destroyed)")
    elif done.outcome == "already":
        line = _("{case} was already erased on {day}")
    else:
        line = _("{case} erased on {day}: {n} entries unreadable from now on, by design")
    click.echo(line.format(case=case, day=day, n=len(erased.rows)))
    if erased.before_retention:
        click.echo(
            _("erased before its retention ended (--before-retention); the record says so"),
            err=True,
        )
