"""`ledger generate`: synthetic cases for tests, demos and benchmarks."""

from __future__ import annotations

import sys

import click

from cli.context import output_option
from cli.output import LedgerCommand, UserError


@click.command(cls=LedgerCommand)
@click.option("--cases", type=click.IntRange(1), default=100, show_default=True)
@click.option("--events-per-case", type=click.IntRange(1), default=20, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same file.")
@click.option("--prefix", default="SYN", show_default=True, help="Case keys: PREFIX-000001…")
@output_option
def generate(cases: int, events_per_case: int, seed: int, prefix: str, output: str | None) -> None:
    """Write synthetic but realistic cases as JSONL, for tests, demos and benchmarks.

    Reports, assessments, decisions with bases, information requests answered late,
    placements and corrections, with imprecise and delayed clocks. Nothing in it is real.

    \b
    Example:
        ledger generate --cases 1000 --events-per-case 50 --seed 7 | ledger --db big.db import -
    """
    from ledger.references import is_case_key
    from ledger.synthetic import generate as synthesise
    from ledger.synthetic import write_jsonl

    if not is_case_key(f"{prefix}-000001"):
        from projections.language import _

        raise UserError(
            _("--prefix {prefix}: case keys take letters, digits, '.', '_', '-'").format(
                prefix=repr(prefix)
            )
        )
    entries = synthesise(cases, events_per_case, seed=seed, prefix=prefix)
    if output in (None, "-"):
        write_jsonl(entries, sys.stdout.buffer)  # streamed: a million entries need no memory
        sys.stdout.flush()
        return
    try:
        with open(output, "wb") as out:
            write_jsonl(entries, out)
    except OSError as error:
        raise UserError(f"-o {output}: {error.strerror}") from None
