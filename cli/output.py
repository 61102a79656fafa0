"""Where a command's output goes: stdout or `-o FILE`, text or bytes, with one-line errors."""

from __future__ import annotations

import sys

import click


class UserError(click.ClickException):
    """A problem with what the user asked for: one line on stderr, exit status 2."""

    exit_code = 2


def emit(data: str | bytes, output: str | None) -> None:
    """Write to `-o FILE` (atomically: a temporary file renamed into place) or to stdout."""
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
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(raw)
    partial.replace(path)


def table_width(explicit: int | None) -> int:
    """Tables fit 120 columns, or a wider terminal."""
    import shutil

    if explicit:
        return max(60, explicit)
    return max(120, shutil.get_terminal_size((120, 24)).columns)
