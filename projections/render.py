"""One output path: a command's document rendered in whichever format the reader asked for.

Every command builds one `View` (its JSON document, its items as rows, its table for people,
and whatever else it offers, such as Markdown or a diagram) and `render` turns it into the
bytes or text of a format; the command line only writes them where they go.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from projections.formats import to_csv, to_json, to_ndjson, to_xlsx

TEXT_FORMATS = ("table", "json", "ndjson", "csv")
SPREADSHEET = "xlsx"
DIAGRAM_FORMATS = ("dot", "svg", "png", "pdf")
BINARY_FORMATS = (SPREADSHEET, "png", "pdf")


class NotOffered(ValueError):
    """The view has no such format."""


@dataclass(frozen=True)
class View:
    """What a command shows, ready for every format it offers."""

    document: Mapping[str, Any]  # the JSON document (schema_version, case, generated_at, …)
    items: Sequence[Mapping[str, Any]]  # one row each in NDJSON, CSV and xlsx
    table: Callable[[int], str]  # the table for people at a width
    case: str | None = None  # the case stamped on each row; None: the rows carry their own
    key: str = "case"  # without a case: the item field NDJSON writes as each line's case
    sheet: str = ""  # the xlsx sheet's name
    others: Mapping[str, Callable[[], str | bytes]] = field(default_factory=dict)  # md, …
    pages: Callable[[], Sequence[Any]] | None = None  # the diagram's pages (Graphviz graphs)


def render(view: View, fmt: str, *, width: int = 120, csv_dialect: str = "plain") -> str | bytes:
    """`view` in the format `fmt`: text for table, csv, dot and Markdown; bytes otherwise.
    Diagrams drawn by Graphviz come page by page from `render_pages`."""
    if fmt == "table":
        return view.table(width)
    if fmt == "json":
        return to_json(view.document)
    if fmt == "ndjson":
        if view.case is not None:
            return to_ndjson(view.case, view.items)
        return b"".join(to_ndjson(item[view.key], [item]) for item in view.items)
    if fmt == "csv":
        return to_csv(view.items, view.case, csv_dialect)
    if fmt == SPREADSHEET:
        return to_xlsx(view.items, view.case, view.sheet)
    if fmt in view.others:
        return view.others[fmt]()
    if fmt == "dot" and view.pages is not None:
        return "".join(page.source for page in view.pages())  # one graph after another
    raise NotOffered(f"--format {fmt} is not offered here")


def render_pages(view: View, fmt: str) -> list[bytes]:
    """Each page of the view's diagram drawn by Graphviz in `fmt` (svg, png, pdf)."""
    from projections.diagram import render as draw

    if view.pages is None or fmt not in DIAGRAM_FORMATS:
        raise NotOffered(f"--format {fmt} is not offered here")
    return [draw(page, fmt) for page in view.pages()]
