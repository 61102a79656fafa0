"""`ledger types`: the event vocabulary, its fields and legal references."""

from __future__ import annotations

import click

from cli.context import format_option, output_option, width_option
from cli.output import LedgerCommand, UserError, deliver


@click.command(cls=LedgerCommand)
@click.argument("type_name", metavar="[TYPE]", required=False)
@format_option("md")
@output_option
@width_option
def types(type_name: str | None, fmt: str, output: str | None, width: int | None) -> None:
    """List the event vocabulary, or show one TYPE with its fields and legal references.

    `--format md` writes the Markdown document of docs/vocabulary.md.

    \b
    Example:
        ledger types
        ledger types ProtectionAssessmentMade
        ledger types --format md -o docs/vocabulary.md
    """
    from ledger.vocabulary import VOCABULARY, UnknownEventType, event_type
    from projections.render import View
    from projections.serialize import document
    from projections.tables import type_card, types_table
    from projections.vocabulary_view import type_json, vocabulary_markdown

    try:
        chosen = [event_type(type_name)] if type_name else list(VOCABULARY.values())
    except UnknownEventType as error:
        from projections.language import say

        raise UserError(say(str(error))) from None
    items = [type_json(spec) for spec in chosen]
    view = View(
        document(None, types=items),
        items,
        lambda width: type_card(chosen[0]) if type_name else types_table(chosen, width),
        key="type",
        others={"md": lambda: vocabulary_markdown(chosen)},
    )
    deliver(view, fmt, output, width)
