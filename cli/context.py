"""What every command shares: the ledger it opens, its output options, its points in time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from cli.output import UserError
from projections.language import _, say
from projections.render import SPREADSHEET, TEXT_FORMATS

if TYPE_CHECKING:
    from ledger.access import AccessRecorded
    from ledger.application import CaseLedger, Entry
    from ledger.references import Reference
    from ledger.storage import Store
    from ledger.timeparse import Moment
    from ledger.views import CaseViews

OUTPUT_FORMATS = TEXT_FORMATS


class State:
    def __init__(self, db: str | None, user: str | None = None, purpose: str | None = None) -> None:
        self.db = db
        self.user = user
        self.purpose = purpose
        self._ledger: CaseLedger | None = None
        self._store: Store | None = None
        self._views: CaseViews | None = None

    def log_read(self, command: str, case: str | None) -> AccessRecorded:
        """Record this read in the access log before anything is shown (loggkontroll)."""
        from cli.access import log_read

        return log_read(self, command, case, self.user, self.purpose)

    def store(self) -> Store:
        if self._store is None:
            from ledger.storage import StorageError, resolve_store

            try:
                self._store = resolve_store(self.db)
            except StorageError as error:
                raise UserError(str(error)) from None
        return self._store

    def ledger(self, *, create: bool = False) -> CaseLedger:
        """The application; reading commands refuse to create a new SQLite file by accident."""
        if self._ledger is None:
            from ledger.application import CaseLedger

            store = self.store()
            if not create and self.new_sqlite_file() is not None:
                raise UserError(
                    _(
                        "no ledger at {place} (create one with `ledger init` or "
                        "`ledger import FILE`, or point --db / LEDGER_DB at yours)"
                    ).format(place=store.location)
                )
            if create and (path := self.new_sqlite_file()) is not None:
                from ledger.storage import create_private_file

                try:
                    create_private_file(path)
                except OSError as error:
                    raise UserError(
                        _("cannot create the ledger at {place}: {reason}").format(
                            place=path, reason=error.strerror
                        )
                    ) from None
            try:
                self._ledger = CaseLedger(store)
            except Exception as error:  # the store itself is unreachable or unusable
                from ledger.storage import read_only_store, writable_place

                if create or writable_place(store):
                    raise UserError(_cannot_open(store, error)) from None
                # A ledger on a read-only mount: opened for reading (verify works; a
                # command that must write, the access log included, says so in one line).
                try:
                    self._ledger = CaseLedger(read_only_store(store))
                except Exception:
                    raise UserError(_cannot_open(store, error)) from None
        return self._ledger

    def views(self) -> CaseViews:
        """The ledger's kept views (case index, rule results), opened once per command."""
        if self._views is None:
            from ledger.views import open_views

            self._views = open_views(self.ledger().store)
        return self._views

    def close(self) -> None:
        """Close what the command opened, when it ends: on PostgreSQL the ledger and its
        views each hold a pool of connections, which a process running many commands (a
        test suite, a program calling the CLI in-process) would otherwise pile up."""
        views, self._views = self._views, None
        ledger, self._ledger = self._ledger, None
        try:
            if views is not None:
                views.close()
        finally:
            if ledger is not None:
                ledger.close()

    def new_sqlite_file(self) -> str | None:
        """The SQLite path that opening the ledger would create, if it does not exist yet."""
        from pathlib import Path

        store = self.store()
        if store.kind == "sqlite" and not Path(store.location).exists():
            return store.location
        return None

    def discard(self, path: str) -> None:
        """Close the ledger and remove a file it created (with SQLite's side files)."""
        from pathlib import Path

        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(path + suffix).unlink(missing_ok=True)


def _cannot_open(store: Store, error: Exception) -> str:
    return _("cannot open the ledger at {place}: {reason}").format(
        place=store.location, reason=error
    )


pass_state = click.make_pass_decorator(State)


def format_option(*extra: str) -> Callable[[Any], Any]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice((*OUTPUT_FORMATS, *extra)),
        default="table",
        show_default=True,
        help="Output format: a table for people, or JSON, NDJSON (one item a line), CSV"
        + (", xlsx (a spreadsheet; needs -o)" if SPREADSHEET in extra else "")
        + ".",
    )


csv_dialect_option = click.option(
    "--csv-dialect",
    type=click.Choice(("plain", "excel")),
    default="plain",
    show_default=True,
    help="CSV for tools (plain: comma, UTF-8) or for a Swedish Excel (excel: a byte-order "
    "mark, ';' between columns).",
)


def _checked_output(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Refuse `-o` naming a directory or one of the ledger's own files, before anything is
    read or written."""
    if value in (None, "-"):
        return value
    import os

    from cli.output import refuse_output

    protected: list[str] = []
    state = ctx.find_object(State)
    if state is not None:
        from cli.integrity import checkpoints_path
        from ledger.storage import store_files

        try:
            protected += store_files(state.store())
            protected.append(str(checkpoints_path(state, None)))
        except UserError:
            pass  # no usable store (the command says so if it needs one): nothing of it to spare
        given = ctx.params.get("log_file") or os.environ.get("LEDGER_CHECKPOINTS")
        if given:
            protected.append(given)
    refuse_output(value, protected)
    return value


output_option = click.option(
    "-o",
    "--output",
    metavar="FILE",
    default=None,
    callback=_checked_output,
    help="Write to FILE instead of stdout (created readable by you only).",
)
width_option = click.option(
    "--width",
    type=int,
    default=None,
    help="Table width in columns (default: the terminal's, at least 80).",
)


def point_option(name: str, help_text: str) -> Callable[[Any], Any]:
    return click.option(name, metavar="T", default=None, help=help_text)


def parse_point_option(name: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    from ledger.timeparse import TimeParseError, parse_point

    try:
        return parse_point(text)
    except TimeParseError as error:
        raise UserError(f"{name}: {say(str(error))}") from None


def parse_view_point_option(name: str, text: str | None) -> Moment | None:
    """A view's point in time as the user gave it (the view prints it that way)."""
    if text is None:
        return None
    from ledger.timeparse import TimeParseError, parse_point_moment

    try:
        return parse_point_moment(text)
    except TimeParseError as error:
        raise UserError(f"{name}: {say(str(error))}") from None


def parse_start_option(name: str, text: str | None) -> datetime | None:
    """Where the time an option names begins (2024 begins 2024-01-01 00:00, Stockholm)."""
    if text is None:
        return None
    from ledger.timeparse import TimeParseError, parse_moment

    try:
        return parse_moment(text).start
    except TimeParseError as error:
        raise UserError(f"{name}: {say(str(error))}") from None


def view_options(*extra_formats: str) -> Callable[[Any], Any]:
    """The options every per-case view shares."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(
            (
                point_option("--as-recorded-at", "The ledger as it stood at T (system time)."),
                format_option(*extra_formats),
                csv_dialect_option,
                output_option,
                width_option,
            )
        ):
            func = decorator(func)
        return func

    return decorate


def trust_store_order(state: State) -> None:
    """Before answering "as the ledger stood at T": stop, naming the row, when recorded_at
    goes back anywhere in store order (a back-dated row would be shown as already there)."""
    from cli.output import Tampered
    from ledger.integrity import store_order_problem

    problem = store_order_problem(state.ledger())
    if problem is not None:
        raise Tampered(
            _(
                "{problem}; the ledger as it stood then cannot be told from recorded_at; "
                "run `ledger verify`"
            ).format(problem=problem)
        )


def case_history(state: State, case: str) -> list[Any]:
    from ledger.application import UnknownCase

    try:
        return state.ledger().history(case)
    except UnknownCase as error:
        raise UserError(unknown_case(error.key)) from None


def unknown_case(key: str) -> str:
    """The refusal of a case key the ledger does not hold."""
    return _("no case {case} in the ledger").format(case=repr(key))


page_option = click.option(
    "--page",
    type=click.Choice(("a4", "a3")),
    default="a4",
    show_default=True,
    help="Diagrams: the paper (landscape) the pages are made for; text prints at 8 pt or more.",
)


def page_files(output: str, count: int) -> list[str]:
    """FILE.svg for several pages: FILE-1.svg, FILE-2.svg, ..."""
    from pathlib import Path

    path = Path(output)
    return [str(path.with_name(f"{path.stem}-{n}{path.suffix}")) for n in range(1, count + 1)]


def ledger_state(state: State, case: str) -> Any:
    """The ledger state a diagram or report is made from (`projections.provenance`): the
    case's entries, the Merkle tree's size and root from the ledger's integrity functions,
    and the latest note of the checkpoints log."""
    from ledger.checkpoint import NoteError, parse_checkpoint, read_log
    from ledger.integrity import tree_head
    from projections.provenance import LatestCheckpoint, LedgerState

    ledger = state.ledger()
    head = tree_head(ledger)
    latest = None
    try:
        from cli.integrity import checkpoints_path

        notes = read_log(checkpoints_path(state, None))
    except (UserError, NoteError, OSError):
        notes = []  # no log for this store, or a broken one (`verify` says so): none shown
    if notes:
        body = notes[-1].text.split("\n\n", 1)[0] + "\n"
        try:
            point = parse_checkpoint(body)
            latest = LatestCheckpoint(len(notes), point.size, point.root)
        except NoteError:
            latest = None
    return LedgerState(len(case_history(state, case)), head.size, head.root, latest)


def not_a_case_key(text: str) -> str:
    """The refusal of a text that cannot be a case key."""
    return _("{text} is not a case key (letters, digits, '.', '_', '-')").format(text=repr(text))


def case_reference(text: str) -> Reference:
    """A reference that names its case (NK-LH#4, NK-LH@pa-1), or a one-line error."""
    from ledger.references import BadReference, parse_reference

    try:
        ref = parse_reference(text)
    except BadReference as error:
        raise UserError(say(str(error))) from None
    if ref.case is None:
        raise UserError(
            _("{reference}: name the case, e.g. NK-LH#4 or NK-LH@pa-1").format(reference=repr(text))
        )
    return ref


def entry_at(entries: Sequence[Entry], ref: Reference, text: str) -> Entry:
    """The first stored entry `ref` points at in its case's history, or a one-line error."""
    for entry in entries:
        if entry.originator_version == ref.seq or (ref.label and entry.ref == ref.label):
            return entry
    raise UserError(_("no entry {reference} in case {case}").format(reference=text, case=ref.case))
