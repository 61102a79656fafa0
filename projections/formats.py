"""Output formats shared by every view: JSON, NDJSON, CSV, xlsx and tables that fit a width."""

from __future__ import annotations

import csv
import io
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson


def to_json(document: Mapping[str, Any]) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


def to_ndjson(case: str, items: Iterable[Mapping[str, Any]]) -> bytes:
    """One item per line, each carrying its case key so streams from many cases can mix."""
    return b"".join(orjson.dumps({"case": case, **item}) + b"\n" for item in items)


def is_clock(value: Any) -> bool:
    return isinstance(value, Mapping) and "text" in value and "start" in value


# Every list in a CSV cell or spreadsheet cell is written one way: its items' texts joined by
# this separator.
LIST_SEPARATOR = "; "


def _is_reference(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {"seq", "ref"}


def cell_text(value: Any) -> str:
    """A JSON value as the text of one cell: a clock as its text, a reference as `#SEQ`, a list
    joined by LIST_SEPARATOR, an object as `key: value` pairs; never JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_clock(value):
        return str(value["text"])
    if _is_reference(value):
        return f"#{value['seq']}"
    if isinstance(value, Mapping):
        return ", ".join(
            f"{key}: {cell_text(item)}" for key, item in value.items() if item not in (None, [], {})
        )
    if isinstance(value, list):
        return LIST_SEPARATOR.join(cell_text(item) for item in value)
    return str(value)


def flatten(item: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON item as one flat row: nested objects become columns of their own (`fields.report`),
    clocks their text (with `…_assumed` beside a knowledge clock), references `#SEQ`, lists one
    cell each (cell_text); no cell holds JSON."""
    row: dict[str, Any] = {}

    def put(column: str, value: Any) -> None:
        if is_clock(value):
            row[column] = value["text"]
            if "assumed" in value:
                row[f"{column}_assumed"] = value["assumed"]
        elif _is_reference(value):
            row[column] = f"#{value['seq']}"
        elif isinstance(value, Mapping) and value:
            for key, inner in value.items():
                put(f"{column}.{key}", inner)
        elif isinstance(value, (Mapping, list)):
            row[column] = cell_text(value)
        else:
            row[column] = value

    for key, value in item.items():
        put(key, value)
    return row


def rows_of(items: Iterable[Mapping[str, Any]], case: str | None = None) -> list[dict[str, Any]]:
    """Flat rows of items, each with its case first when one is given."""
    return [({"case": case} if case else {}) | flatten(item) for item in items]


CSV_DIALECTS = ("plain", "excel")


def to_csv(
    items: Iterable[Mapping[str, Any]], case: str | None = None, dialect: str = "plain"
) -> str | bytes:
    """CSV of flat rows. `excel` is for a Swedish spreadsheet: a byte-order mark so it reads
    UTF-8 and `;` between columns (the Swedish list separator)."""
    rows = rows_of(items, case)
    if not rows:
        return ""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    excel = dialect == "excel"
    writer = csv.DictWriter(
        out,
        fieldnames=columns,
        delimiter=";" if excel else ",",
        lineterminator="\n",
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_cell(v) for k, v in row.items()})
    if not excel:
        return out.getvalue()
    # The byte-order mark goes in as bytes: text for a terminal never carries one.
    return b"\xef\xbb\xbf" + printable(out.getvalue(), lines=True).encode()


def to_xlsx(items: Iterable[Mapping[str, Any]], case: str | None = None, sheet: str = "") -> bytes:
    """A spreadsheet of the same flat rows as CSV, every text cell stored as text (a cell that
    starts with `=` is never a formula)."""
    from openpyxl import Workbook

    rows = rows_of(items, case)
    columns = list(dict.fromkeys(key for row in rows for key in row))
    book = Workbook()
    worksheet = book.active
    worksheet.title = (sheet or "ledger")[:31]
    worksheet.append(columns)
    for number, row in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            value = row.get(column)
            cell = worksheet.cell(row=number, column=index)
            if isinstance(value, str):
                cell.value = printable(value, lines=True)
                cell.data_type = "s"  # text, even when it starts with "=" (openpyxl's formula)
            else:
                cell.value = value
    worksheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# A spreadsheet evaluates a cell starting with these as a formula (=HYPERLINK, DDE
# "+cmd|..."); OWASP's rule: prefix such a cell with a single quote so it reads as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    width: int  # the most it takes (less when its cells are narrower); 0 = takes the rest
    align: str = "<"


# Below this many columns for the flexible column (a summary, a message), it goes on lines of
# its own under the row instead, so a narrow terminal wraps it rather than cutting it.
FLEXIBLE_MIN = 40


def table(columns: Sequence[Column], rows: Iterable[Sequence[str]], width: int = 120) -> str:
    """Rows that fit `width` columns: every cell is kept whole, wrapped within its column; the
    flexible column (width 0) takes what the others leave, or, when that is too little, the
    lines under its row."""
    cells = [[_clean(cell) for cell in row] for row in rows]
    natural = [max([len(c.title), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    # A column's cap never breaks a word of its title (translated titles are longer).
    caps = [max([c.width, *(len(w) for w in c.title.split())]) if c.width else 0 for c in columns]
    widths = [min(n, cap) if cap else n for n, cap in zip(natural, caps, strict=True)]
    flexible = next((i for i, c in enumerate(columns) if not c.width), None)
    below = False
    if flexible is not None:
        others = sum(w for i, w in enumerate(widths) if i != flexible) + len(columns) - 1
        room = width - others
        if room >= min(FLEXIBLE_MIN, natural[flexible]):
            widths[flexible] = min(natural[flexible], room)
        else:
            below = True
    shown = [i for i in range(len(columns)) if not (below and i == flexible)]
    # Still too wide: columns give way (their cells wrap), first those that can without
    # breaking a word, then the widest, down to a few columns.
    words: list[int] = []  # each column's longest word, sought only when columns must give
    while sum(widths[i] for i in shown) + len(shown) - 1 > width:
        if not words:
            words = [
                max(
                    len(w)
                    for text in (c.title, *(row[i] for row in cells))
                    for w in [*text.split(), ""]
                )
                for i, c in enumerate(columns)
            ]
        slack = [i for i in shown if widths[i] > max(words[i], 4)]
        give = max(slack or shown, key=lambda i: widths[i])
        if widths[give] <= 4:
            break
        widths[give] -= 1
    indent = " " * (widths[0] + 1) if below else ""

    specs = [(i, widths[i], f"{columns[i].align}{widths[i]}") for i in shown]

    def block(row: Sequence[str]) -> list[str]:
        wrapped = [(_wrap_cell(row[i], w), spec) for i, w, spec in specs]
        height = max(len(cell) for cell, _ in wrapped)
        lines = [
            " ".join(
                format(cell[n] if n < len(cell) else "", spec) for cell, spec in wrapped
            ).rstrip()
            for n in range(height)
        ]
        if below and flexible is not None and row[flexible]:
            # under the heading, the name of the column that runs under each row
            room = max(20, width - len(indent))
            lines += [indent + piece for piece in _wrap_cell(row[flexible], room)]
        return lines

    out = block([c.title for c in columns])
    for row in cells:
        out += block(row)
    return "\n".join(out) + "\n"


def _clean(text: object) -> str:
    return printable(" ".join(str(text).split()))


# Where textwrap's `wordsep_re` may break a word at a hyphen: after a letter (its `letter`
# class), or at a dash of two hyphens or more.
_BREAKS = re.compile(r"-(?<=[^\d\W]-)|--")


def _wrap_cell(text: str, width: int) -> list[str]:
    """A cell's text in lines of at most `width` columns (long words are broken), as
    `textwrap.wrap` gives them. A table of `check --all` wraps a cell of every finding: plain
    text is filled here, in a fraction of the time, to the same lines."""
    if len(text) <= width:
        return [text]
    # Plain text: no hyphen textwrap may break at (one after a letter, or a dash of two), no
    # whitespace but single spaces between words (it would collapse, expand or drop it; a
    # printable text holds no whitespace but spaces), no word longer than the line. A date's
    # hyphens follow digits: they leave a text plain.
    if (
        width > 0
        and text.isprintable()
        and "  " not in text
        and text[0] != " " != text[-1]
        and ("-" not in text or _BREAKS.search(text) is None)
    ):
        words = text.split(" ")
        if max(map(len, words)) <= width:
            lines, line = [], words[0]
            for word in words[1:]:
                if len(line) + 1 + len(word) <= width:
                    line += " " + word
                else:
                    lines.append(line)
                    line = word
            lines.append(line)
            return lines
    return textwrap.wrap(text, width=max(1, width)) or [""]


def wrap_lines(lines: Iterable[str], width: int) -> str:
    """Lines of a report fitted to `width` by wrapping, never cutting: a continuation starts
    under the value of a labelled line ("  decided by   …") or under its first word."""
    out: list[str] = []
    for line in lines:
        line = printable(line)
        if len(line) <= width:
            out.append(line)
            continue
        label = re.match(r"^(\s*\S+(?: \S+)*\s{2,})", line)
        lead = len(line) - len(line.lstrip())
        hang = len(label.group(1)) if label and len(label.group(1)) <= width // 2 else lead + 4
        out += textwrap.wrap(
            line, width=width, subsequent_indent=" " * hang, break_on_hyphens=False
        ) or [""]
    return "\n".join(out) + "\n"


# C0 and C1 control characters: stored as given, never sent raw to a reviewer's terminal.
# Nor are bidi controls (a right-to-left override makes "BVC" print as "CVB" and reorders
# the rest of the line), zero-width characters (two names that print the same) and the
# Unicode line and paragraph separators (lines a terminal or editor may break at).
_INVISIBLE = [
    0x061C,  # arabic letter mark
    *range(0x200B, 0x2010),  # zero-width space, non-joiner, joiner; LRM, RLM
    0x2028,
    0x2029,
    *range(0x202A, 0x202F),  # LRE, RLE, PDF, LRO, RLO
    *range(0x2060, 0x2065),  # word joiner, invisible operators
    *range(0x2066, 0x206A),  # LRI, RLI, FSI, PDI
    0xFEFF,  # zero-width no-break space
]
_CONTROLS = dict.fromkeys([*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *_INVISIBLE], "\ufffd")


_LINE_CONTROLS = {k: v for k, v in _CONTROLS.items() if k not in (0x09, 0x0A)}


def _any_of(table: Mapping[int, str]) -> re.Pattern[str]:
    return re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(table)) + "]")


# Nearly every text holds none of them. Looking for one is a quick scan, where `translate`
# looks every character up in its table (the slow way for any text that is not ASCII).
_FOUND = {False: _any_of(_CONTROLS).search, True: _any_of(_LINE_CONTROLS).search}


def printable(text: str, *, lines: bool = False) -> str:
    """Text for a terminal: control characters (ANSI escapes, bells) become U+FFFD; with
    `lines`, tabs and line breaks are kept."""
    if _FOUND[lines](text) is None:
        return text
    return text.translate(_LINE_CONTROLS if lines else _CONTROLS)
