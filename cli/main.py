"""The `ledger` command: parse, call ledger/ and projections/, print.

Heavy modules (eventsourcing's persistence, psycopg, graphviz) are imported inside the
commands that need them, so `ledger --help` costs little more than importing click.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from cli.access import access_log
from cli.analysis import analysis
from cli.check import check, rules
from cli.context import (
    State,
    case_history,
    csv_dialect_option,
    format_option,
    ledger_state,
    output_option,
    page_option,
    parse_point_option,
    parse_start_option,
    parse_view_point_option,
    pass_state,
    point_option,
    trust_store_order,
    view_options,
    width_option,
)
from cli.draft import draft
from cli.erase import erase
from cli.export import export
from cli.integrity import checkpoint, keygen, prove, verify, verify_proof
from cli.migrate import migrate
from cli.output import LedgerGroup, UserError, deliver
from cli.report import report
from projections.language import _, ngettext
from projections.render import DIAGRAM_FORMATS, SPREADSHEET

if TYPE_CHECKING:
    from ledger.application import CaseLedger, Entry
    from ledger.case import Outcome
    from ledger.entry import Draft
    from ledger.references import Reference


@click.group(
    cls=LedgerGroup,
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
    from projections.language import UnknownLanguage, resolve, using

    try:
        chosen = resolve(lang, os.environ.get("LEDGER_LANG"))
    except UnknownLanguage as error:
        raise UserError(f"LEDGER_LANG: {error}") from None
    # The whole command speaks the chosen language; the context ends with the command.
    ctx.with_resource(using(chosen))
    ctx.obj = State(db, user, purpose)


@cli.command()
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


@cli.command("import")
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

    sources, total = _open_sources(files)
    new_file = state.new_sqlite_file()
    ledger = state.ledger(create=True)
    show_bar = sys.stderr.isatty() and total > 5_000_000
    try:
        if show_bar:
            with click.progressbar(length=total, label="validating", file=sys.stderr) as bar:
                report = import_sources(ledger, sources, progress=bar.update, dry_run=dry_run)
        else:
            report = import_sources(ledger, sources, dry_run=dry_run)
    except NotImportFormat as error:
        if new_file is not None:
            state.discard(new_file)
        raise UserError(str(error)) from None
    except ImportFailed as failed:
        if new_file is not None:
            state.discard(new_file)  # bad input changes nothing, not even the file system
        for error in failed.errors:
            click.echo(f"error: {error}", err=True)
        more = " (stopped after the first errors)" if failed.truncated else ""
        raise UserError(
            f"{len(failed.errors)} problem(s) in the input{more}; nothing was imported"
        ) from None
    except WorkerDied as died:
        if new_file is not None:
            state.discard(new_file)
        raise UserError(str(died)) from None
    finally:
        for source in sources:
            close = getattr(source.lines, "close", None)
            if close is not None and source.lines is not sys.stdin.buffer:
                close()
    if not report.lines:
        if new_file is not None:
            state.discard(new_file)
        raise UserError(f"{', '.join(files)}: the input is empty; nothing was imported")
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


@cli.command()
@click.argument("case")
@click.argument("type_name", metavar="TYPE")
@click.option("--occurred", metavar="T", help="When it happened (e.g. 2019-12, ~2020-01-07).")
@click.option("--known", metavar="T", help="When the social services knew (default: occurred).")
@click.option("--ref", metavar="LABEL", help="Your label for this entry, unique in the case.")
@click.option("--actor", help="Who did it (a pseudonymous label).")
@click.option("--role", help="The actor's role, e.g. socialsekreterare.")
@click.option("--agency", help="The actor's agency, e.g. 'Socialtjänsten Norrköping'.")
@click.option("--on-behalf-of", help="The body that owns a delegated decision.")
@click.option("--summary", help="What happened, factually and plainly.")
@click.option("--source", help="Where this comes from: journal id, case number, URL.")
@click.option("--assessment", is_flag=True, help="The entry is a judgement, not a fact.")
@click.option("--basis", multiple=True, metavar="REF", help="A reference it relied on (repeat).")
@click.option(
    "--field",
    "-f",
    "fields",
    multiple=True,
    metavar="NAME=VALUE",
    help="A type field (repeat); see `ledger types TYPE`.",
)
@click.option(
    "--json",
    "json_file",
    type=click.File("rb"),
    metavar="FILE",
    help="Read the entry as one JSON object from FILE or `-` (stdin); options win.",
)
@pass_state
def record(
    state: State,
    case: str,
    type_name: str,
    json_file: Any,
    fields: tuple[str, ...],
    basis: tuple[str, ...],
    assessment: bool,
    **envelope: str | None,
) -> None:
    """Append one entry to CASE.

    \b
    Example:
        ledger record NK-LH ProtectionAssessmentMade --occurred 2019-12 \\
          --field report=@report-1 --field immediate_protection_needed=false --assessment
        echo '{"occurred":"2020-01","concern":"…","reporter_category":"bvc"}' \\
          | ledger record NK-LH ConcernReportReceived --json -
    """
    import orjson
    from eventsourcing.persistence import IntegrityError

    from ledger.entry import field_from_text
    from ledger.strict_json import DUPLICATE_KEY, duplicate_key
    from ledger.vocabulary import UnknownEventType, event_type

    obj: dict[str, Any] = {}
    if json_file is not None:
        try:
            raw = json_file.read()
            loaded = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise UserError(f"--json: not valid JSON ({error})") from None
        if not isinstance(loaded, dict):
            raise UserError("--json: expected one JSON object")
        if (twice := duplicate_key(raw, loaded)) is not None:
            raise UserError(f"--json: field {twice!r}: {DUPLICATE_KEY}")
        obj.update(loaded)
    obj.update({"case": case, "type": type_name})
    obj.update({k: v for k, v in envelope.items() if v is not None})
    if assessment:
        obj["assessment"] = True
    if basis:
        obj["basis"] = list(basis)
    try:
        spec = event_type(type_name)
    except UnknownEventType as error:
        raise UserError(str(error)) from None
    for item in fields:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UserError(f"--field {item!r}: expected NAME=VALUE")
        obj[name] = field_from_text(spec, name, value)
    ledger = state.ledger(create=True)

    def reading() -> None:
        # Recording reads the case (its labels, its entries' content) and a refusal says what
        # it found there: that is a read, logged once the entry itself has passed.
        if ledger.has_case(case):
            state.log_read("record", case)

    try:
        draft, outcome = _record_one(ledger, case, obj, reading)
    except IntegrityError as conflict:
        raise UserError(str(conflict)) from None
    seq = outcome.seqs[0]
    label = f" (@{draft.ref})" if draft.ref else ""
    if outcome.recorded:
        click.echo(_("recorded {entry}").format(entry=f"{case}#{seq}{label}"))
    else:
        click.echo(
            _("already stored as {entry}; nothing recorded").format(entry=f"{case}#{seq}{label}")
        )


@cli.command()
@format_option(SPREADSHEET)
@csv_dialect_option
@output_option
@width_option
@pass_state
def cases(state: State, fmt: str, csv_dialect: str, output: str | None, width: int | None) -> None:
    """List the cases: entries, time span, where each stands, reports awaiting assessment.

    Read from the materialised case index, which first catches up with what was stored
    since it was last read.

    \b
    Example:
        ledger cases --format json | jq '.cases[].case'
    """
    from ledger.views import open_views
    from projections.cases import CaseSummary
    from projections.kept.case_index import index_rows
    from projections.render import View
    from projections.serialize import document
    from projections.tables import cases_table

    ledger = state.ledger()
    rows = index_rows(ledger, open_views(ledger.store))
    summaries = [s for s in rows if isinstance(s, CaseSummary)]
    erased = [s for s in rows if not isinstance(s, CaseSummary)]
    state.log_read("cases", None)
    items = [summary.to_json() for summary in summaries]
    extra = {"erased": [e.to_json() for e in erased]} if erased else {}
    view = View(
        document(None, cases=items, **extra),
        items,
        lambda width: cases_table(summaries, width, erased),
        sheet="cases",
    )
    deliver(view, fmt, output, width, csv_dialect)


@cli.command()
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
        raise UserError(f"--prefix {prefix!r}: case keys take letters, digits, '.', '_', '-'")
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


@cli.command()
@pass_state
def reindex(state: State) -> None:
    """Rebuild the materialised cross-case views from the whole ledger.

    They are kept up to date by themselves; this is for after a restore, or to check.

    \b
    Example:
        ledger reindex
    """
    from ledger.views import open_views
    from projections.kept.case_index import reindex as rebuild

    ledger = state.ledger()
    count = rebuild(ledger, open_views(ledger.store))
    click.echo(
        ngettext(
            "case index rebuilt from {n} entry", "case index rebuilt from {n} entries", count
        ).format(n=count),
        err=True,
    )


@cli.command()
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
            "follow needs PostgreSQL (LEDGER_DATABASE_URL); on SQLite the views catch up "
            "whenever they are read"
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


@cli.command()
@click.argument("reference", metavar="REF")
@format_option()
@output_option
@pass_state
def show(state: State, reference: str, fmt: str, output: str | None) -> None:
    """Show one entry with all its fields and all three clocks.

    REF is CASE#SEQ or CASE@LABEL.

    \b
    Example:
        ledger show NK-LH@pa-1
    """
    from projections.corrections import as_known, history_of
    from projections.records import labels, to_records
    from projections.render import View
    from projections.serialize import document, record_json
    from projections.tables import show_card

    ref = _case_reference(reference)
    assert ref.case is not None
    entries = case_history(state, ref.case)
    state.log_read("show", ref.case)
    records = to_records(entries)
    stored = _entry_at(entries, ref, reference)
    record_ = records[stored.originator_version - 1]
    refs = labels(records)
    item = record_json(record_, refs)
    item["integrity"] = {"hash": stored.hash, "prev_hash": stored.prev_hash}
    corrections = history_of(records, record_.seq)
    item["history"] = [record_json(c, refs) for c in corrections]
    current = {r.seq: r for r in as_known(records)}[record_.seq]
    item["current"] = record_json(current, refs)
    view = View(
        document(ref.case, entry=item),
        [item],
        lambda _width: show_card(record_, item, corrections, current),
        case=ref.case,
    )
    deliver(view, fmt, output)


@cli.command()
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
        raise UserError(str(error)) from None
    items = [type_json(spec) for spec in chosen]
    view = View(
        document(None, types=items),
        items,
        lambda width: type_card(chosen[0]) if type_name else types_table(chosen, width),
        key="type",
        others={"md": lambda: vocabulary_markdown(chosen)},
    )
    deliver(view, fmt, output, width)


@cli.command()
@click.argument("case")
@click.option(
    "--order",
    type=click.Choice(("occurred", "known")),
    default="occurred",
    show_default=True,
    help="Order by when it happened or when it was known.",
)
@point_option("--as-known-at", "Only what the social services knew at T (end of that period).")
@point_option("--as-of", "Only what had occurred by T.")
@point_option("--as-recorded-at", "The ledger as it stood at T (system time).")
@click.option("--from", "from_", metavar="T", help="Window: entries that occurred from T on.")
@click.option("--to", metavar="T", help="Window: entries that occurred up to the end of T.")
@format_option(SPREADSHEET, *DIAGRAM_FORMATS)
@csv_dialect_option
@output_option
@width_option
@page_option
@pass_state
def timeline(
    state: State,
    case: str,
    order: str,
    as_known_at: str | None,
    as_of: str | None,
    as_recorded_at: str | None,
    from_: str | None,
    to: str | None,
    fmt: str,
    csv_dialect: str,
    output: str | None,
    width: int | None,
    page: str,
) -> None:
    """The chronology of CASE, optionally as known at, as of, or as recorded at T.

    T may be imprecise (2019, 2019-12, 2019-12-31): it means the end of that period. With
    --format svg|png|pdf|dot it draws the timeline diagram for a report: one lane per agency,
    decisions as diamonds, stated bases dashed, hindsight gaps red; with --as-known-at what
    was not yet known is greyed and a red line marks T. --page a4|a3 (landscape) splits it
    by period into pages whose text prints at 8 pt or more (FILE-1.svg, FILE-2.svg, ...).

    \b
    Example:
        ledger timeline NK-LH --as-known-at 2019-12-31
        ledger timeline NK-LH --format json | jq '.entries[] | {seq, type}'
        ledger timeline NK-LH --format svg -o nk-lh.svg --from 2019-10
    """
    from projections.records import labels, to_records
    from projections.render import View
    from projections.serialize import timeline_document, timeline_items
    from projections.tables import timeline_table
    from projections.timeline import ViewPoint, as_recorded
    from projections.timeline import timeline as build_timeline

    view = ViewPoint(
        as_known_at=parse_view_point_option("--as-known-at", as_known_at),
        as_of=parse_view_point_option("--as-of", as_of),
        as_recorded_at=parse_view_point_option("--as-recorded-at", as_recorded_at),
    )
    window_start = parse_start_option("--from", from_)
    window_end = parse_point_option("--to", to)
    records = to_records(case_history(state, case))
    state.log_read("timeline", case)
    if as_recorded_at is not None:
        trust_store_order(state)

    def pages() -> Any:
        from projections.decisions import decisions as build_decisions
        from projections.diagram import PAPERS, Window, timeline_pages

        visible = as_recorded(records, view.recorded_by)
        return timeline_pages(
            case,
            visible,
            paper=PAPERS[page],
            as_known_at=view.as_known_at,
            window=Window(window_start, window_end),
            decisions=build_decisions(visible),
            ledger_state=ledger_state(state, case),
        )

    entries = build_timeline(records, view, order)  # type: ignore[arg-type]
    if window_start or window_end:
        entries = [
            e
            for e in entries
            if (window_start is None or e.record.occurred.end > window_start)
            and (window_end is None or e.record.occurred.start < window_end)
        ]
    refs = labels(records)
    output_view = View(
        timeline_document(case, entries, refs, view, order),
        timeline_items(entries, refs),
        lambda width: timeline_table(entries, width, view=view, case=case),
        case=case,
        sheet=case,
        pages=pages,
    )
    deliver(output_view, fmt, output, width, csv_dialect)


def _records_as_recorded(
    state: State, case: str, as_recorded_at: str | None
) -> tuple[Any, Any, Any]:
    from projections.records import labels, to_records
    from projections.timeline import ViewPoint, as_recorded

    view = ViewPoint(as_recorded_at=parse_view_point_option("--as-recorded-at", as_recorded_at))
    history = case_history(state, case)
    if as_recorded_at is not None:
        trust_store_order(state)
    records = as_recorded(to_records(history), view.recorded_by)
    if not records:
        raise UserError(f"case {case!r} had no entries in the ledger at {as_recorded_at}")
    return records, view, labels(records)


@cli.command()
@click.argument("case")
@click.option(
    "--at",
    "at",
    metavar="T",
    required=True,
    help="The moment: 2019-12-31 means the end of that day.",
)
@view_options()
@pass_state
def known(
    state: State,
    case: str,
    at: str,
    as_recorded_at: str | None,
    fmt: str,
    csv_dialect: str,
    output: str | None,
    width: int | None,
) -> None:
    """What the social services could know about CASE at T, without hindsight.

    Facts known then (as they then read), entries possibly known, information requests still
    unanswered, the case's status, and — kept apart — what had occurred but was held elsewhere.

    \b
    Example:
        ledger known NK-LH --at 2019-12-31
        ledger known NK-LH --at 2020-01 --format json | jq '.pending_requests[].ref'
    """
    from dataclasses import replace

    from projections.knowledge import snapshot
    from projections.render import View
    from projections.serialize import known_document
    from projections.tables import known_table

    point = parse_view_point_option("--at", at)
    assert point is not None
    records, view, refs = _records_as_recorded(state, case, as_recorded_at)
    view = replace(view, as_known_at=point)
    state.log_read("known", case)
    snap = snapshot(records, point)
    document_ = known_document(case, snap, refs, view)
    items = [
        {"section": section, **item}
        for section in ("facts", "possibly_known", "held_elsewhere", "pending_requests")
        for item in document_[section]
    ]
    output_view = View(
        document_, items, lambda width: known_table(case, snap, width, view), case=case
    )
    deliver(output_view, fmt, output, width, csv_dialect)


@cli.command()
@click.argument("case")
@view_options(SPREADSHEET, *DIAGRAM_FORMATS)
@page_option
@pass_state
def decisions(
    state: State,
    case: str,
    as_recorded_at: str | None,
    fmt: str,
    csv_dialect: str,
    output: str | None,
    width: int | None,
    page: str,
) -> None:
    """Who decided what in CASE, on what stated basis, knowing what, with what outstanding.

    For every decision: the decider and the body behind a delegated decision, the law, the
    stated basis, what was known and possibly known then, unanswered information requests,
    hindsight (facts that existed elsewhere) and what came of it later. With
    --format svg|png|pdf|dot it draws the one-page "what did they know" diagram.

    \b
    Example:
        ledger decisions NK-LH
        ledger decisions NK-LH --format json | jq '.decisions[] | {ref, outcome}'
        ledger decisions NK-LH --format svg -o nk-lh-decisions.svg
    """
    from projections.decisions import decisions as build_decisions
    from projections.render import View
    from projections.serialize import decision_json, decisions_document
    from projections.tables import decisions_table

    records, view, refs = _records_as_recorded(state, case, as_recorded_at)
    state.log_read("decisions", case)
    views = build_decisions(records)

    def pages() -> Any:
        from projections.diagram import PAPERS, decisions_pages

        return decisions_pages(
            case, views, records, paper=PAPERS[page], ledger_state=ledger_state(state, case)
        )

    output_view = View(
        decisions_document(case, views, refs, view),
        [decision_json(v, refs) for v in views],
        lambda width: decisions_table(case, views, width, view),
        case=case,
        sheet=case,
        pages=pages,
    )
    deliver(output_view, fmt, output, width, csv_dialect)


@cli.command()
@click.argument("case")
@view_options()
@pass_state
def gaps(
    state: State,
    case: str,
    as_recorded_at: str | None,
    fmt: str,
    csv_dialect: str,
    output: str | None,
    width: int | None,
) -> None:
    """The hindsight view of CASE: what each decision lacked and from whom, and how late each
    agency's information reached the social services.

    \b
    Example:
        ledger gaps NK-LH --format json | jq '.agencies'
    """
    from projections.gaps import gaps as build_gaps
    from projections.render import View
    from projections.serialize import gaps_document
    from projections.tables import gaps_table

    records, view, refs = _records_as_recorded(state, case, as_recorded_at)
    state.log_read("gaps", case)
    found = build_gaps(records)
    document_ = gaps_document(case, found, refs, view)
    output_view = View(
        document_,
        document_["agencies"],
        lambda width: gaps_table(case, found, width, view),
        case=case,
    )
    deliver(output_view, fmt, output, width, csv_dialect)


def correction_options(reason_help: str) -> Callable[[Any], Any]:
    """The options a correction or a retraction takes: why, when, who, from where."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(
            (
                click.option("--reason", required=True, help=reason_help),
                click.option("--occurred", metavar="T", help="When it was made (default: now)."),
                click.option(
                    "--known",
                    metavar="T",
                    help="When the social services knew (default: occurred).",
                ),
                click.option("--actor", help="Who made it."),
                click.option("--source", help="Where it comes from."),
            )
        ):
            func = decorator(func)
        return func

    return decorate


def _record_one(
    ledger: CaseLedger,
    case: str,
    obj: dict[str, Any],
    reading: Callable[[], None] | None = None,
) -> tuple[Draft, Outcome]:
    """Validate one entry and record it; what the entry or the case rejects is a UserError.
    `reading` runs once the entry has passed on its own, before the case is read."""
    from ledger.case import CaseRejected
    from ledger.entry import InvalidEntry, draft_from_object

    try:
        draft = draft_from_object(obj)
        if reading is not None:
            reading()
        return draft, ledger.record(case, [draft])
    except InvalidEntry as invalid:
        raise UserError(str(invalid)) from None
    except CaseRejected as rejected:
        raise UserError("; ".join(str(p[-1]) for p in rejected.problems)) from None


def _append_correction(
    state: State,
    ref: Reference,
    obj: dict[str, Any],
    occurred: str | None,
    known: str | None,
    actor: str | None,
    source: str | None,
) -> None:
    """Record a correction or retraction of the entry `ref` (already found in its case), made
    at the given clocks (now, unless told) by `actor`, from `source`."""
    assert ref.case is not None
    target = f"#{ref.seq}" if ref.seq is not None else f"@{ref.label}"
    obj = {"case": ref.case, "target": target, **obj, **_correction_clocks(occurred, known)}
    obj.update({k: v for k, v in (("actor", actor), ("source", source)) if v})
    draft, outcome = _record_one(state.ledger(), ref.case, obj)
    entry = _("{entry} ({type} of {target})").format(
        entry=f"{ref.case}#{outcome.seqs[0]}", type=draft.type, target=ref
    )
    if outcome.recorded:
        click.echo(_("recorded {entry}").format(entry=entry))
    else:
        click.echo(_("already stored as {entry}").format(entry=entry))


def _correction_clocks(occurred: str | None, known: str | None) -> dict[str, str]:
    from datetime import UTC

    from ledger.timeparse import to_stockholm

    # The correction itself is made now unless told otherwise (minute precision, Stockholm);
    # a correction documented as known earlier was made by then.
    now = to_stockholm(datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M")
    clocks = {"occurred": occurred or known or now}
    if known:
        clocks["known"] = known
    return clocks


@cli.command()
@click.argument("reference", metavar="REF")
@click.option(
    "--set",
    "changes",
    multiple=True,
    required=True,
    metavar="FIELD=VALUE",
    help="A corrected value (repeat). Envelope fields or the entry's type fields.",
)
@correction_options("Why the entry is corrected.")
@pass_state
def correct(
    state: State,
    reference: str,
    changes: tuple[str, ...],
    reason: str,
    occurred: str | None,
    known: str | None,
    actor: str | None,
    source: str | None,
) -> None:
    """Correct an entry by appending an EntryCorrected event; the original stays as it was.

    Views "as known at T" apply the correction only from its `known` time on.

    \b
    Example:
        ledger correct NK-LH@pa-1 --set occurred=2019-12-27 --reason "date from the journal" \\
          --known 2020-02-20
    """
    from ledger.entry import change_from_text
    from ledger.vocabulary import event_type

    texts: dict[str, str] = {}
    for item in changes:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UserError(f"--set {item!r}: expected FIELD=VALUE")
        texts[name] = value
    ref, target_type = _find_target(state, reference, "correct")
    spec = event_type(target_type)
    parsed = {name: change_from_text(spec, name, text) for name, text in texts.items()}
    obj = {"type": "EntryCorrected", "changes": parsed, "reason": reason}
    _append_correction(state, ref, obj, occurred, known, actor, source)


def _find_target(state: State, reference: str, command: str) -> tuple[Reference, str]:
    """The entry a correction points at, and its type; a one-line error if there is none.
    Finding it reads the case, and what is said about it (no such entry, a field its type
    lacks) tells of its content: the read is logged first."""
    ref = _case_reference(reference)
    assert ref.case is not None
    history = case_history(state, ref.case)
    state.log_read(command, ref.case)
    return ref, _entry_at(history, ref, reference).type


def _case_reference(text: str) -> Reference:
    """A reference that names its case (NK-LH#4, NK-LH@pa-1), or a one-line error."""
    from ledger.references import BadReference, parse_reference

    try:
        ref = parse_reference(text)
    except BadReference as error:
        raise UserError(str(error)) from None
    if ref.case is None:
        raise UserError(f"{text!r}: name the case, e.g. NK-LH#4 or NK-LH@pa-1")
    return ref


def _entry_at(entries: Sequence[Entry], ref: Reference, text: str) -> Entry:
    """The first stored entry `ref` points at in its case's history, or a one-line error."""
    for entry in entries:
        if entry.originator_version == ref.seq or (ref.label and entry.ref == ref.label):
            return entry
    raise UserError(f"no entry {text} in case {ref.case}")


@cli.command()
@click.argument("reference", metavar="REF")
@correction_options("Why the entry was wrongly recorded.")
@pass_state
def retract(
    state: State,
    reference: str,
    reason: str,
    occurred: str | None,
    known: str | None,
    actor: str | None,
    source: str | None,
) -> None:
    """Retract a wrongly recorded entry by appending an EntryRetracted event.

    The entry stays in the ledger (and in views as known before the retraction), marked.

    \b
    Example:
        ledger retract NK-LH#19 --reason "recorded in the wrong case"
    """
    ref, _ = _find_target(state, reference, "retract")
    obj = {"type": "EntryRetracted", "reason": reason}
    _append_correction(state, ref, obj, occurred, known, actor, source)


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


for _command in (
    check,
    rules,
    analysis,
    keygen,
    checkpoint,
    verify,
    prove,
    verify_proof,
    access_log,
    draft,
    export,
    report,
    migrate,
    erase,
):
    cli.add_command(_command)

if __name__ == "__main__":
    main()
