"""Where a command's output goes: stdout or `-o FILE`, text or bytes, with one-line errors."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from projections.render import View


class UserError(click.ClickException):
    """A problem with what the user asked for: one line on stderr, exit status 2."""

    exit_code = 2


class Tampered(click.ClickException):
    """The store was changed behind the ledger's back: one line on stderr, exit status 1."""

    exit_code = 1


def refuse_identity_numbers(ctx: click.Context) -> None:
    """Stop a command, before it does anything, when one of its arguments or options holds
    a personal identity number (a case key, --user, --purpose, --set, a file name, ...): the
    ledger never stores one, and an access record or an error message would. The message
    names the parameter, never the number."""
    from ledger.identity_numbers import IDENTITY_NUMBER_MESSAGE, contains_identity_number
    from projections.language import say

    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        texts = [value] if isinstance(value, str) else value if isinstance(value, tuple) else ()
        if any(isinstance(t, str) and contains_identity_number(t) for t in texts):
            if isinstance(param, click.Option):
                name = max(param.opts, key=len)
            else:
                name = param.human_readable_name
            raise UserError(f"{name}: {say(IDENTITY_NUMBER_MESSAGE)}")


class LedgerCommand(click.Command):
    """Every `ledger` command: refuses personal identity numbers in its parameters."""

    def invoke(self, ctx: click.Context) -> Any:
        refuse_identity_numbers(ctx)
        return super().invoke(ctx)


class LedgerGroup(click.Group):
    """The `ledger` command group (and its subgroups): a stored row that the ledger cannot
    have written stops any command with one line, exit 1, whichever command read it; its
    commands are `LedgerCommand`s."""

    command_class = LedgerCommand
    group_class = type  # subgroups are LedgerGroups too

    def invoke(self, ctx: click.Context) -> Any:
        refuse_identity_numbers(ctx)
        try:
            return super().invoke(ctx)
        except click.ClickException:
            raise
        except Exception as error:
            rows = sys.modules.get("ledger.rows")  # not loaded: no row was read, nothing to map
            if rows is not None and isinstance(error, rows.TamperedRow):
                from projections.language import _, say

                raise Tampered(
                    _("{problem}; run `ledger verify`").format(problem=say(str(error)))
                ) from None
            erasure = sys.modules.get("ledger.erasure")
            if erasure is not None and isinstance(error, erasure.CaseErased):
                raise UserError(erased_line(error.erased)) from None
            raise


def erased_line(erased: Any) -> str:
    """What every command that would read an erased case says instead, in one line."""
    from projections.language import _

    return _("{case} was erased on {day} ({reason}); its entries are unreadable by design").format(
        case=erased.case, day=erased.day, reason=erased.reason
    )


def emit(data: str | bytes | Sequence[bytes | memoryview], output: str | None) -> None:
    """Write to `-o FILE` or to stdout. The file is written whole or not at all (a temporary
    file renamed into place, removed when writing fails) and readable by its owner only:
    it holds case data. Bytes may come in pieces, written one after the other as they are
    (a large answer is not copied into one buffer first)."""
    import os
    from pathlib import Path

    from projections.formats import printable
    from projections.language import _

    # Text output may reach a terminal: stored control characters never do (JSON escapes them).
    raw = printable(data, lines=True).encode() if isinstance(data, str) else data
    pieces = [raw] if isinstance(raw, bytes) else raw
    if output in (None, "-"):
        # write, not writelines: a stream that copies what is written (click's test runner
        # does) may override write alone.
        for piece in pieces:
            sys.stdout.buffer.write(piece)
        sys.stdout.flush()
        return
    path = Path(output)
    if not path.parent.exists():
        raise UserError(
            _("-o {file}: the directory {directory} does not exist").format(
                file=output, directory=path.parent
            )
        )
    if path.is_dir():
        raise UserError(_("-o {file}: is a directory; give a file name").format(file=output))
    partial = path.with_name(path.name + ".partial")
    try:
        partial.unlink(missing_ok=True)  # a leftover, or a link planted there: never followed
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                handle.write(piece)
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise UserError(
            _("-o {file}: {reason}").format(file=output, reason=error.strerror or error)
        ) from None


def refuse_output(output: str, protected: Iterable[str]) -> None:
    """Stop `-o` from overwriting a directory or one of `protected` (the ledger's database,
    SQLite's side files, the checkpoints log), by whatever path, link or hard link it is
    named."""
    import os
    from pathlib import Path

    from projections.language import _

    path = Path(output)
    if path.is_dir():
        raise UserError(_("-o {file}: is a directory; give a file name").format(file=output))
    written = [os.path.realpath(path), os.path.realpath(str(path) + ".partial")]
    for name in protected:
        own = os.path.realpath(name)
        same_file = path.exists() and Path(own).exists() and os.path.samefile(path, own)
        if own in written or same_file:
            raise UserError(
                _(
                    "-o {file}: that is the ledger's own file {own}; write the output elsewhere"
                ).format(file=output, own=name)
            )


def binary_needs_file(fmt: str) -> str:
    """The refusal of a binary format (xlsx, png, pdf, docx) bound for stdout."""
    from projections.language import _

    return _("--format {format} writes a binary file: give -o FILE.{format}").format(format=fmt)


def busy() -> str:
    """Why a write waited in vain: another process holds the ledger."""
    from ledger.storage import SQLITE_LOCK_SECONDS
    from projections.language import _

    return _(
        "the ledger is busy: another process has been writing to it for over {seconds} s "
        "(an import holds it until it ends)"
    ).format(seconds=SQLITE_LOCK_SECONDS)


def table_width(explicit: int | None) -> int:
    """Tables fit `--width`, else the terminal (COLUMNS, or 120 when not a terminal), never
    narrower than 80 columns unless asked."""
    import shutil

    if explicit:
        return max(40, explicit)
    return max(80, shutil.get_terminal_size((120, 24)).columns)


def deliver(
    view: View,
    fmt: str,
    output: str | None,
    width: int | None = None,
    csv_dialect: str = "plain",
) -> None:
    """The one way every command writes its view: rendered in `fmt`, to -o FILE or stdout.
    Binary formats (xlsx, png, pdf) need -o; a diagram of several pages goes to FILE-1.EXT,
    FILE-2.EXT, ...; without the `dot` program a diagram is kept as its DOT source."""
    from pathlib import Path

    from projections.language import _, ngettext
    from projections.render import BINARY_FORMATS, DIAGRAM_FORMATS, render, render_pages

    if fmt in BINARY_FORMATS and output in (None, "-"):
        raise UserError(binary_needs_file(fmt))
    if fmt not in DIAGRAM_FORMATS or fmt == "dot":
        emit(render(view, fmt, width=table_width(width), csv_dialect=csv_dialect), output)
        return
    from cli.context import page_files
    from projections.diagram import DotMissing

    try:
        drawn = render_pages(view, fmt)
    except DotMissing:
        dot_path = Path(output).with_suffix(".dot") if output not in (None, "-") else None
        if dot_path is None:
            raise UserError(
                _(
                    "the Graphviz program `dot` is not installed (install the system package "
                    "'graphviz'); --format dot writes the diagram's source"
                )
            ) from None
        emit(render(view, "dot"), str(dot_path))
        raise UserError(
            _(
                "the Graphviz program `dot` is not installed (install the system package "
                "'graphviz', e.g. apt-get install graphviz); wrote {file} instead"
            ).format(file=dot_path)
        ) from None
    if output in (None, "-"):
        if len(drawn) > 1:
            raise UserError(
                _("the diagram has {n} pages: give -o FILE.{format}").format(
                    n=len(drawn), format=fmt
                )
            )
        emit(drawn[0], output)  # an SVG may go to stdout
        return
    names = [output] if len(drawn) == 1 else page_files(output, len(drawn))
    for name, data in zip(names, drawn, strict=True):
        emit(data, name)
    if len(names) > 1:
        pages = ngettext("{n} page: {files}", "{n} pages: {files}", len(names))
        click.echo(pages.format(n=len(names), files=", ".join(names)), err=True)
