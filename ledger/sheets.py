"""Chronology spreadsheets as reviewers make them: CSV (comma or semicolon, with or without a
byte-order mark, UTF-8 or Windows-1252), XLSX, or JSONL, read into rows of text cells.

The header row is found by its column names (`Datum | Händelse | Källa | Kommentar` and the
usual Swedish and English variants); other names are given in a map file (`--map FILE.toml`,
a `[columns]` table from header to field). Nothing is dropped silently: title rows above the
header and empty rows are reported, and a row of merged cells (a section heading) is kept as
a row that `draft check` names until it is edited or deleted.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any

import orjson

from ledger.entry import ENVELOPE_FIELDS
from ledger.message import Message, MessageError
from ledger.strict_json import DUPLICATE_KEY, duplicate_key
from ledger.vocabulary import VOCABULARY

__all__ = [
    "COLUMN_NAMES",
    "Origin",
    "Sheet",
    "SheetError",
    "SheetRow",
    "read_map",
    "read_sheet",
]

# Where each column goes: an envelope field of the entry, `comment` (the reviewer's comment),
# or a type field of the vocabulary (any type's, by its own name).
COLUMN_NAMES: Mapping[str, str] = {
    **{name: "occurred" for name in ("datum", "date", "när", "tidpunkt", "händelsedatum",
                                      "occurred", "inträffade", "datum/tid")},
    **{name: "known" for name in ("känd", "känt", "kännedom", "känt datum", "datum känt",
                                   "inkom", "inkommen", "known", "known at")},
    **{name: "summary" for name in ("händelse", "händelser", "vad hände", "beskrivning",
                                     "sammanfattning", "event", "description", "summary",
                                     "what happened")},
    **{name: "source" for name in ("källa", "källor", "referens", "dokument", "source",
                                    "sources", "reference")},
    **{name: "comment" for name in ("kommentar", "kommentarer", "anmärkning", "notering",
                                     "granskarens kommentar", "comment", "comments", "note",
                                     "notes", "remark")},
    **{name: "type" for name in ("typ", "händelsetyp", "posttyp", "type", "event type")},
    **{name: "actor" for name in ("aktör", "utförare", "handläggare", "actor", "who")},
    **{name: "role" for name in ("roll", "befattning", "role")},
    **{name: "agency" for name in ("myndighet", "verksamhet", "instans", "organisation",
                                    "huvudman", "agency", "organisation/agency")},
    **{name: "on_behalf_of" for name in ("på uppdrag av", "on behalf of")},
    **{name: "basis" for name in ("underlag", "beslutsunderlag", "basis")},
    **{name: "assessment" for name in ("bedömning", "assessment")},
    **{name: "ref" for name in ("ref", "id", "etikett", "label")},
    **{name: "case" for name in ("ärende", "case")},
}  # fmt: skip
_TYPE_FIELDS = frozenset(spec.name for t in VOCABULARY.values() for spec in t.fields)
TARGETS = frozenset({*ENVELOPE_FIELDS, "comment", *_TYPE_FIELDS})
_PUNCTUATION = re.compile(r"[\s:.*]+$")
_SPACES = re.compile(r"\s+")


class SheetError(MessageError, ValueError):
    """A file that cannot be read as a chronology; the message (a `Message`) is one line
    naming where. Where is written as a source citation ("kronologi.xlsx, blad Kronologi,
    rad 5", `Origin.cite`), the same in every language."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a row came from: the file's name, its sheet (XLSX) and the row's number."""

    file: str
    sheet: str | None
    row: int

    def cite(self) -> str:
        """The row as a source citation: "kronologi.xlsx, blad Kronologi, rad 5"."""
        sheet = f", blad {self.sheet}" if self.sheet else ""
        return f"{self.file}{sheet}, rad {self.row}"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "sheet": self.sheet, "row": self.row}


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One row: its cells by target (`occurred`, `summary`, a type field, ...), each with the
    column it came from ("B (Händelse)"); `merged` names a merged range it lies in."""

    origin: Origin
    values: dict[str, Any]
    columns: dict[str, str]
    merged: str | None = None


@dataclass
class Sheet:
    rows: list[SheetRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was not taken, and why (Messages)


def read_map(path: str, text: str) -> dict[str, str]:
    """A column map: a TOML `[columns]` table from header (as written) to field."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SheetError(
            Message("{path}: not TOML ({error})", path=path, error=str(error))
        ) from None
    columns = document.get("columns")
    if not isinstance(columns, dict) or set(document) != {"columns"}:
        raise SheetError(
            Message('{path}: expected one table [columns] of "Header" = "field"', path=path)
        )
    mapping: dict[str, str] = {}
    for header, target in columns.items():
        if not isinstance(target, str) or target not in TARGETS:
            raise SheetError(
                Message(
                    "{path}: column {header}: {target} is not a field "
                    "(occurred, known, summary, source, comment, type, actor, role, agency, "
                    "on_behalf_of, basis, assessment, ref, or a type's field)",
                    path=path,
                    header=repr(header),
                    target=repr(target),
                )
            )
        mapping[_header_key(header)] = target
    return mapping


def read_sheet(
    name: str, data: bytes, mapping: Mapping[str, str] | None = None, sheet: str | None = None
) -> Sheet:
    """The rows of a chronology file, by its suffix: .csv, .xlsx or .jsonl."""
    suffix = PurePath(name).suffix.lower()
    short = PurePath(name).name
    if not data.strip():
        raise SheetError(Message("{file}: the file is empty", file=name))
    if suffix in (".jsonl", ".ndjson", ".json"):
        return _jsonl(short, data)
    if suffix == ".xlsx":
        grid, merged, sheet_name = _xlsx(name, data, sheet)
    elif suffix in (".csv", ".txt", ".tsv"):
        if sheet is not None:
            raise SheetError(
                Message("{file}: a CSV file has no sheets (--sheet is for .xlsx)", file=name)
            )
        grid, merged, sheet_name = _csv(name, data, mapping or {}), {}, None
    else:
        raise SheetError(Message("{file}: expected a .csv, .xlsx or .jsonl file", file=name))
    return _rows(short, sheet_name, grid, merged, mapping or {})


def _header_key(text: str) -> str:
    return _SPACES.sub(" ", _PUNCTUATION.sub("", text.strip())).casefold()


def _target(header: str, mapping: Mapping[str, str]) -> str | None:
    key = _header_key(header)
    if key in mapping:
        return mapping[key]
    if key in COLUMN_NAMES:
        return COLUMN_NAMES[key]
    return header.strip() if header.strip() in _TYPE_FIELDS else None


def _printable(text: str) -> str:
    """A header for messages: control characters (terminal escapes) made inert."""
    return "".join(c if c.isprintable() else "\ufffd" for c in text)[:60]


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _rows(
    file: str,
    sheet: str | None,
    grid: list[list[str]],
    merged: Mapping[int, str],
    mapping: Mapping[str, str],
) -> Sheet:
    result = Sheet()
    where = f"{file}" + (f", blad {sheet}" if sheet else "")
    header_at = _header_row(grid, mapping)
    if header_at is None:
        raise SheetError(
            Message(
                "{where}: no header row found (a row naming a date column such as 'Datum' and "
                "another such as 'Händelse'); name other columns in --map FILE.toml",
                where=where,
            )
        )
    header = grid[header_at - 1]
    columns: dict[int, tuple[str, str]] = {}  # index -> (target, "B (Händelse)")
    for index, cell in enumerate(header):
        if not cell.strip():
            continue
        target = _target(cell, mapping)
        column = f"{_letter(index)} ({_printable(cell.strip())})"
        place = f"{where}, rad {header_at}, kolumn {column}"  # a citation: the same in English
        if target is None:
            raise SheetError(
                Message(
                    "{place}: unknown column; map it to a field in --map FILE.toml", place=place
                )
            )
        if target in (t for t, _ in columns.values()):
            other = next(c for t, c in columns.values() if t == target)
            raise SheetError(
                Message(
                    "{place}: a second column for '{target}' (also {other})",
                    place=place,
                    target=target,
                    other=other,
                )
            )
        columns[index] = (target, column)
    for number in range(1, header_at):
        if any(cell.strip() for cell in grid[number - 1]):
            text = " ".join(c.strip() for c in grid[number - 1] if c.strip())
            place = f"rad {number}"
            result.notes.append(
                Message(
                    "{place}: above the header, not an entry: {text}",
                    place=place,
                    text=repr(text[:60]),
                )
            )
    for number in range(header_at + 1, len(grid) + 1):
        cells = grid[number - 1]
        values: dict[str, Any] = {}
        named: dict[str, str] = {}
        stray = [i for i, c in enumerate(cells) if c.strip() and i not in columns]
        if stray:
            place = f"{where}, rad {number}, kolumn {_letter(stray[0])}"
            raise SheetError(Message("{place}: a value in a column without a header", place=place))
        for index, (target, column) in columns.items():
            text = cells[index].strip() if index < len(cells) else ""
            named[target] = column  # an empty cell is still named when it is missed
            if text:
                values[target] = text
        if not values:
            place = f"rad {number}"
            if number in merged:
                result.notes.append(
                    Message(
                        "{place}: merged cells {cells}, empty", place=place, cells=merged[number]
                    )
                )
            else:
                result.notes.append(Message("{place}: empty, skipped", place=place))
            continue
        origin = Origin(file, sheet, number)
        result.rows.append(SheetRow(origin, values, named, merged.get(number)))
    return result


def _header_row(grid: list[list[str]], mapping: Mapping[str, str]) -> int | None:
    """The number of the first row that names a date column and another known column."""
    for number, cells in enumerate(grid, start=1):
        targets = [_target(cell, mapping) for cell in cells if cell.strip()]
        if "occurred" in targets and len([t for t in targets if t]) >= 2:
            return number
    return None


def _csv(name: str, data: bytes, mapping: Mapping[str, str]) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV (semikolonavgränsad)" on Swedish Windows writes Windows-1252.
        text = data.decode("cp1252", errors="strict") if _is_cp1252(data) else None
        if text is None:
            raise SheetError(
                Message("{file}: neither UTF-8 nor Windows-1252 text", file=name)
            ) from None
    # The delimiter is the one under which a header row appears (a title above the header may
    # hold commas); the most frequent one when none does, so the caller can say so.
    grids = []
    for delimiter in sorted(";,\t", key=text.count, reverse=True):
        try:
            grid = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as error:
            raise SheetError(
                Message("{file}: not CSV ({error})", file=name, error=str(error))
            ) from None
        if _header_row(grid, mapping) is not None:
            return grid
        grids.append(grid)
    return grids[0]


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _xlsx(name: str, data: bytes, sheet: str | None) -> tuple[list[list[str]], dict[int, str], str]:
    from zipfile import BadZipFile

    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as error:
        raise SheetError(
            Message("{file}: not an XLSX workbook ({error})", file=name, error=type(error).__name__)
        ) from None
    if sheet is None:
        ws = book.worksheets[0]
    elif sheet in book.sheetnames:
        ws = book[sheet]
    else:
        raise SheetError(
            Message(
                "{file}: no sheet {sheet} (sheets: {sheets})",
                file=name,
                sheet=repr(sheet),
                sheets=", ".join(book.sheetnames),
            )
        )
    merged: dict[int, str] = {}
    for cells in ws.merged_cells.ranges:
        if cells.min_col != cells.max_col:
            for row in range(cells.min_row, cells.max_row + 1):
                merged[row] = cells.coord
    grid = [[_cell_text(value) for value in row] for row in ws.iter_rows(values_only=True)]
    return grid, merged, ws.title


def _cell_text(value: Any) -> str:
    """A cell as text: a date cell as its ISO day (or minute, when it has a time of day)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%dT%H:%M" if value.second == 0 else "%Y-%m-%dT%H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _line(file: str, number: int) -> str:
    return f"{file}:{number}"


def _jsonl(file: str, data: bytes) -> Sheet:
    """JSONL drafts: each line an object in the import format (case and type may be left
    out; the draft's case is given, and a row without a type waits to be classified)."""
    result = Sheet()
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise SheetError(
                Message("{place}: not valid JSON", place=_line(file, number))
            ) from None
        if not isinstance(obj, dict):
            raise SheetError(Message("{place}: expected a JSON object", place=_line(file, number)))
        if (twice := duplicate_key(line, obj)) is not None:
            raise SheetError(
                Message(
                    "{place}: field {field}: {problem}",
                    place=_line(file, number),
                    field=repr(twice),
                    problem=DUPLICATE_KEY,
                )
            )
        values = {k: v for k, v in obj.items() if v is not None}
        result.rows.append(SheetRow(Origin(file, None, number), values, {k: k for k in values}))
    return result
