"""The review document as Markdown (CommonMark with pipe tables): for a wiki, a merge request
or a text editor. Diagrams are inline SVG images (data: URIs), so the file stands alone.

Case text is escaped twice over: HTML's `<`, `>` and `&` become entities (Markdown passes raw
HTML through), and the characters Markdown gives meaning to are backslash-escaped, so a
summary can start no heading, link, image, emphasis or table cell.
"""

from __future__ import annotations

import base64
import re

from projections.diagram import render_dot
from projections.language import _
from projections.report.model import (
    Block,
    Diagram,
    Facts,
    Heading,
    Items,
    Paragraph,
    ReportDocument,
    Table,
    ToWrite,
)

# Inline markup anywhere in a line; block markup only where a line starts.
_INLINE = re.compile(r"([\\`*_\[\]|~])")
_LINE_START = re.compile(r"\A(\s*[#+=-]|\s*\d+(?=[.)]))")


def escape(text: str) -> str:
    """Case text as inert Markdown on one line (its line breaks become `<br>`)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE.sub(r"\\\1", text)
    text = "<br>".join(line.strip() for line in text.split("\n"))
    # "# x" would be a heading, "- x" an item, "1. x" a numbered item: escape the marker
    # (for a number, the punctuation after it).
    return _LINE_START.sub(
        lambda m: m.group(1) + "\\" if m.group(1)[-1].isdigit() else "\\" + m.group(1), text
    )


def to_markdown(document: ReportDocument) -> str:
    lines = [f"# {escape(document.title)}", "", f"*{escape(document.subtitle)}*", ""]
    lines += _facts(document.title_facts)
    for section in document.sections:
        lines += [f"## {escape(section.heading)}", ""]
        for block in section.blocks:
            lines += _block(block)
    lines += ["---", "", escape(document.footer), ""]
    return "\n".join(lines)


def _block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return [f"{'#' * min(max(block.level, 3), 4)} {escape(block.text)}", ""]
    if isinstance(block, Paragraph):
        text = escape(block.text)
        if block.tone == "muted":
            return [f"*{text}*", ""]
        return [f"> {text}" if block.tone == "note" else text, ""]
    if isinstance(block, Facts):
        return _facts(block)
    if isinstance(block, Table):
        return _table(block.columns, block.rows)
    if isinstance(block, Items):
        return [*(f"- {escape(item)}" for item in block.items), ""]
    if isinstance(block, ToWrite):
        mark = escape(_("To be written"))
        return [f"> **{mark}:** {escape(block.prompt)}", ">", "> &nbsp;", ""]
    if isinstance(block, Diagram):
        svg = render_dot(block.dot, "svg")
        data = base64.b64encode(svg).decode("ascii")
        return [f"![{escape(block.title)}](data:image/svg+xml;base64,{data})", ""]
    raise TypeError(f"not a block: {block!r}")


def _facts(facts: Facts) -> list[str]:
    return [*(f"- **{escape(label)}:** {escape(value)}" for label, value in facts.rows), ""]


def _table(columns: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> list[str]:
    out = [
        "| " + " | ".join(escape(c) for c in columns) + " |",
        "|" + "|".join("---" for _c in columns) + "|",
    ]
    out += ["| " + " | ".join(escape(cell) for cell in row) + " |" for row in rows]
    return [*out, ""]
