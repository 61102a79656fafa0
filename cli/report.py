"""`ledger report`: the review document of one case, as HTML, PDF, DOCX or Markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from cli.context import (
    case_history,
    ledger_state,
    output_option,
    parse_view_point_option,
    pass_state,
    point_option,
)
from cli.output import LedgerCommand, UserError, binary_needs_file, emit
from projections.language import _

if TYPE_CHECKING:
    from cli.context import State
    from projections.report.model import ReportDocument

REPORT_FORMATS = ("html", "pdf", "docx", "md")
BINARY_FORMATS = ("pdf", "docx")


@click.command(cls=LedgerCommand)
@click.argument("case")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(REPORT_FORMATS),
    default="html",
    show_default=True,
    help="html: one self-contained file; pdf: A4, printed by Chromium; docx: for Word; "
    "md: Markdown.",
)
@output_option
@point_option(
    "--as-known-at", "The case as the social services knew it at T (the end of that period)."
)
@click.option(
    "--template",
    type=click.Choice(("review", "lex-sarah")),
    default="review",
    show_default=True,
    help="review: chronology, decisions, findings, law, diagrams; lex-sarah: the parts of a "
    "lex Sarah investigation (SOSFS 2011:5 ch. 5) first, pre-filled, with places to write.",
)
@click.option(
    "--lang",
    type=click.Choice(("sv", "en")),
    default=None,
    help="The document's language (default: the ledger's --lang, else sv).",
)
@pass_state
def report(
    state: State,
    case: str,
    fmt: str,
    output: str | None,
    as_known_at: str | None,
    template: str,
    lang: str | None,
) -> None:
    """The review document of CASE: a title block saying what it was made from, the
    chronology, the authority's decisions with what was known at each, the rule findings and
    recorded judgements, the provisions in force at the time, and the diagrams on A4 pages.

    Making it is a read: it writes an access record (--user, --purpose), which the title
    block names.

    \b
    Example:
        ledger --purpose "lex Sarah 2024:3" report NK-LH --format pdf -o nk-lh.pdf
        ledger report NK-LH --as-known-at 2019-12-31 --template lex-sarah --format docx -o ls.docx
    """
    from contextlib import nullcontext

    from projections.language import using

    with using(lang) if lang else nullcontext():
        if fmt in BINARY_FORMATS and output in (None, "-"):
            raise UserError(binary_needs_file(fmt))
        emit(_document(state, case, fmt, as_known_at, template), output)


def _document(
    state: State, case: str, fmt: str, as_known_at: str | None, template: str
) -> str | bytes:
    from cli.check import _policy
    from projections.diagram import DotMissing
    from projections.records import to_records
    from projections.report.build import Generation, build_report
    from projections.report.pdf import BrowserMissing, PrintFailed, browser
    from projections.rules import check

    point = parse_view_point_option("--as-known-at", as_known_at)
    if fmt == "pdf":
        try:
            browser()  # before anything is read: no access record for a document never made
        except BrowserMissing as error:
            raise UserError(str(error)) from None
    records = to_records(case_history(state, case))
    policy = _policy(None)
    access = state.log_read("report", case)
    findings = check(records, as_known_at=point.end if point else None, point=point, policy=policy)
    similar = _similar(state, records, findings, policy) if template == "lex-sarah" else None
    generation = Generation(access.timestamp, access.user, access.purpose, access.seq)
    try:
        document = build_report(
            case,
            records,
            check_report=findings,
            generation=generation,
            ledger_state=ledger_state(state, case),
            as_known_at=point,
            template=template,  # type: ignore[arg-type]
            similar=similar,
        )
        return _render(document, fmt)
    except DotMissing:
        raise UserError(
            _(
                "the report's diagrams need the Graphviz program `dot` (install the system "
                "package 'graphviz', e.g. apt-get install graphviz)"
            )
        ) from None
    except (BrowserMissing, PrintFailed) as error:
        raise UserError(str(error)) from None


def _similar(state: State, records: list[Any], report: Any, policy: Any) -> list[Any] | None:
    """Lex Sarah's earlier similar events in the unit's other cases: the findings of the same
    rule in the same unit within 12 months before each of the case's own findings, from the
    kept results of `check --all` (as the records stand now). A report as known at a point
    in time leaves them out: the other cases' records now would be hindsight (rules.md
    Principle 4)."""
    if report.as_known_at is not None:
        return None
    from datetime import UTC, datetime

    from projections.corrections import as_known
    from projections.kept.rule_results import check_all_cached
    from projections.report.lex_sarah import CAUSE_STATUSES
    from projections.rules.similar import earlier_in_other_cases

    ledger = state.ledger()
    checked, _ = check_all_cached(
        ledger, state.views(), policy=policy, owner_agency=None, now=datetime.now(UTC)
    )
    state.log_read("report", None)  # the read across cases
    return earlier_in_other_cases(
        as_known(records), report, [item.report for item in checked], CAUSE_STATUSES
    )


def _render(document: ReportDocument, fmt: str) -> str | bytes:
    if fmt == "md":
        from projections.report.markdown import to_markdown

        return to_markdown(document)
    if fmt == "docx":
        from projections.report.docx import to_docx

        return to_docx(document)
    from projections.report.html import to_html

    page = to_html(document)
    if fmt == "pdf":
        from projections.report.pdf import html_to_pdf

        return html_to_pdf(page)
    return page
