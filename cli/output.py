"""Where a command's output goes: stdout or `-o FILE`, text or bytes, with one-line errors."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

import click


class UserError(click.ClickException):
    """A problem with what the user asked for: one line on stderr, exit status 2."""

    exit_code = 2


class Tampered(click.ClickException):
    """The store was changed behind the ledger's back: one line on stderr, exit status 1."""

    exit_code = 1


class LedgerGroup(click.Group):
    """The `ledger` command group: a stored row that the ledger cannot have written stops any
    command with one line, exit 1, whichever command read it."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException:
            raise
        except Exception as error:
            rows = sys.modules.get("ledger.rows")  # not loaded: no row was read, nothing to map
            if rows is not None and isinstance(error, rows.TamperedRow):
                raise Tampered(f"{error}; run `ledger verify`") from None
            raise


def emit(data: str | bytes, output: str | None) -> None:
    """Write to `-o FILE` or to stdout. The file is written whole or not at all (a temporary
    file renamed into place, removed when writing fails) and readable by its owner only:
    it holds case data."""
    import os
    from pathlib import Path

    from projections.formats import printable

    # Text output may reach a terminal: stored control characters never do (JSON escapes them).
    raw = printable(data, lines=True).encode() if isinstance(data, str) else data
    if output in (None, "-"):
        sys.stdout.buffer.write(raw)
        sys.stdout.flush()
        return
    path = Path(output)
    if not path.parent.exists():
        raise UserError(f"-o {output}: the directory {path.parent} does not exist")
    if path.is_dir():
        raise UserError(f"-o {output}: is a directory; give a file name")
    partial = path.with_name(path.name + ".partial")
    try:
        partial.unlink(missing_ok=True)  # a leftover, or a link planted there: never followed
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise UserError(f"-o {output}: {error.strerror or error}") from None


def refuse_output(output: str, protected: Iterable[str]) -> None:
    """Stop `-o` from overwriting a directory or one of `protected` (the ledger's database,
    SQLite's side files, the checkpoints log), by whatever path, link or hard link it is
    named."""
    import os
    from pathlib import Path

    path = Path(output)
    if path.is_dir():
        raise UserError(f"-o {output}: is a directory; give a file name")
    written = [os.path.realpath(path), os.path.realpath(str(path) + ".partial")]
    for name in protected:
        own = os.path.realpath(name)
        same_file = path.exists() and Path(own).exists() and os.path.samefile(path, own)
        if own in written or same_file:
            raise UserError(
                f"-o {output}: that is the ledger's own file {name}; write the output elsewhere"
            )


def table_width(explicit: int | None) -> int:
    """Tables fit 120 columns, or a wider terminal."""
    import shutil

    if explicit:
        return max(60, explicit)
    return max(120, shutil.get_terminal_size((120, 24)).columns)
