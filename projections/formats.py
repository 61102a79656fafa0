"""Output formats shared by every view: JSON, NDJSON, CSV and fixed-width tables."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson


def to_json(document: Mapping[str, Any]) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


def to_ndjson(case: str, items: Iterable[Mapping[str, Any]]) -> bytes:
    """One item per line, each carrying its case key so streams from many cases can mix."""
    return b"".join(orjson.dumps({"case": case, **item}) + b"\n" for item in items)


def to_ndjson_each(items: Iterable[Mapping[str, Any]], key: str) -> bytes:
    """One item per line for items of many cases (or none), each under its own `key` value."""
    return b"".join(to_ndjson(item[key], [item]) for item in items)


def is_clock(value: Any) -> bool:
    return isinstance(value, Mapping) and "text" in value and "start" in value


def clocks_as_text(value: Any) -> Any:
    """`value` with every clock inside it replaced by its text, as CSV writes clocks."""
    if is_clock(value):
        return value["text"]
    if isinstance(value, Mapping):
        return {k: clocks_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clocks_as_text(v) for v in value]
    return value


def flatten(item: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON item as one CSV row: clocks as their text (nested ones too), references as
    `#SEQ`, the rest JSON."""
    row: dict[str, Any] = {}
    for key, value in item.items():
        if is_clock(value):
            row[key] = value["text"]
            if "assumed" in value:
                row[f"{key}_assumed"] = value["assumed"]
        elif isinstance(value, Mapping) and set(value) == {"seq", "ref"}:
            row[key] = f"#{value['seq']}"
        elif isinstance(value, list) and all(
            isinstance(v, Mapping) and set(v) == {"seq", "ref"} for v in value
        ):
            row[key] = " ".join(f"#{v['seq']}" for v in value)
        elif isinstance(value, (Mapping, list)):
            row[key] = orjson.dumps(clocks_as_text(value)).decode()
        else:
            row[key] = value
    return row


def to_csv(items: Iterable[Mapping[str, Any]], case: str | None = None) -> str:
    rows = [({"case": case} if case else {}) | flatten(item) for item in items]
    if not rows:
        return ""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_cell(v) for k, v in row.items()})
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
    width: int  # 0 = takes whatever the other columns leave
    align: str = "<"


def table(columns: Sequence[Column], rows: Iterable[Sequence[str]], width: int = 120) -> str:
    """Fixed-width rows that fit `width`; long cells end in an ellipsis."""
    fixed = sum(c.width for c in columns if c.width) + len(columns) - 1
    flexible = max(10, width - fixed)
    widths = [c.width or flexible for c in columns]

    def line(cells: Sequence[str]) -> str:
        parts = [
            f"{_fit(cell, w):{c.align}{w}}"
            for cell, w, c in zip(cells, widths, columns, strict=True)
        ]
        return " ".join(parts).rstrip()

    lines = [line([c.title for c in columns])]
    lines.extend(line(row) for row in rows)
    return "\n".join(lines) + "\n"


def fit_line(line: str, width: int) -> str:
    """A line cut to `width` columns, with … where it was cut."""
    return line if len(line) <= width else line[: width - 1] + "…"


def _fit(text: str, width: int) -> str:
    text = printable(" ".join(str(text).split()))
    return text if len(text) <= width else text[: width - 1] + "…"


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


def printable(text: str, *, lines: bool = False) -> str:
    """Text for a terminal: control characters (ANSI escapes, bells) become U+FFFD; with
    `lines`, tabs and line breaks are kept."""
    return text.translate(_LINE_CONTROLS if lines else _CONTROLS)
