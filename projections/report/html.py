"""The review document as one self-contained HTML file: inline CSS, diagrams as inline SVG,
nothing fetched from anywhere (no fonts, scripts, images or links out). Printed by a browser
it gives A4 pages: the text in portrait, each diagram page on a landscape page of its own.

Every case text is escaped here (`html.escape`); the SVG comes from Graphviz, which escapes
the text it draws, and is cleaned of what could reach outside the document.
"""

from __future__ import annotations

import html
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
    Section,
    Table,
    ToWrite,
)

# The page box: A4 portrait for text, with the footer line and the page number in the
# bottom margin; diagram pages are A4 landscape with the 10 mm margins they were made for.
PAGE_CSS = """
@page { size: A4 portrait; margin: 18mm 16mm 20mm 16mm;
  @bottom-left { content: FOOTER; font: 7.5pt sans-serif; color: #555; }
  @bottom-right { content: counter(page) " / " counter(pages); font: 7.5pt sans-serif;
    color: #555; } }
@page landscape { size: A4 landscape; margin: 10mm;
  @bottom-right { content: counter(page) " / " counter(pages); font: 7pt sans-serif;
    color: #555; } }
"""
CSS = """
html { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 9.5pt;
  line-height: 1.35; color: #111; }
body { margin: 0; }
h1 { font-size: 18pt; margin: 0 0 2mm 0; }
.subtitle { font-size: 12pt; margin: 0 0 6mm 0; color: #333; }
h2 { font-size: 13pt; margin: 8mm 0 3mm 0; border-bottom: 1px solid #999;
  break-after: avoid; }
h3 { font-size: 10.5pt; margin: 5mm 0 2mm 0; break-after: avoid; }
p { margin: 0 0 2.5mm 0; }
p.muted { color: #444; font-size: 8.5pt; }
p.note { border-left: 3px solid #c0392b; padding-left: 2mm; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin: 0 0 4mm 0;
  font-size: 8pt; }
thead { display: table-header-group; }
th { background: #e8e8e8; text-align: left; font-weight: bold; font-size: 7.5pt; }
th, td { border: 0.5pt solid #888; padding: 1mm 1.2mm; vertical-align: top;
  overflow-wrap: break-word; }
tr { break-inside: avoid; }
table.facts { font-size: 9pt; break-inside: avoid; }
table.facts th { background: #f3f3f3; font-size: inherit; }
.titleblock table.facts { font-size: 9.5pt; }
.titleblock { border: 1px solid #999; padding: 3mm 4mm; margin-bottom: 6mm; }
ul { margin: 0 0 3mm 0; padding-left: 5mm; }
.towrite { border: 1.2pt dashed #c0392b; min-height: 22mm; padding: 1.5mm 2mm;
  margin: 0 0 4mm 0; break-inside: avoid; }
.towrite .mark { color: #c0392b; font-weight: bold; font-size: 8pt; }
section.landscape .diagram { page: landscape; break-before: page; break-inside: avoid;
  margin: 0; }
.diagram h3 { margin: 0 0 2mm 0; font-size: 9pt; }
.diagram svg { display: block; width: 100%; height: auto; max-height: 178mm; }
.line { display: block; }
"""


def to_html(document: ReportDocument) -> str:
    """The whole document as HTML text (UTF-8 when encoded)."""
    footer = _css_string(document.footer)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(document.lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        # A reader that honours it fetches nothing, whatever a text would try.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{_e(document.title)}</title>",
        f"<style>{PAGE_CSS.replace('FOOTER', footer)}{CSS}</style>",
        "</head>",
        "<body>",
        '<header class="titleblock">',
        f"<h1>{_e(document.title)}</h1>",
        f'<p class="subtitle">{_e(document.subtitle)}</p>',
        _facts(document.title_facts),
        "</header>",
    ]
    diagrams = 0
    for section in document.sections:
        html_, diagrams = _section(section, diagrams)
        parts.append(html_)
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _lines(text: str) -> str:
    """Text with its line breaks kept, each line escaped."""
    lines = text.split("\n")
    if len(lines) == 1:
        return _e(text)
    return "".join(f'<span class="line">{_e(line)}</span>' for line in lines)


def _css_string(text: str) -> str:
    """`text` as a CSS string literal: quotes, backslashes and line ends escaped, and `<`
    so it can never close the style element."""
    escaped = "".join(c if c.isalnum() or c in " ·:-_.,()#/" else f"\\{ord(c):06x}" for c in text)
    return f'"{escaped}"'


def _section(section: Section, diagrams: int) -> tuple[str, int]:
    css = ' class="landscape"' if section.landscape else ""
    parts = [f'<section id="{_e(section.anchor)}"{css}>']
    if not section.landscape:
        parts.append(f"<h2>{_e(section.heading)}</h2>")
    for block in section.blocks:
        if isinstance(block, Diagram):
            diagrams += 1
            heading = f"{section.heading} · {block.title}" if section.landscape else block.title
            parts.append(_diagram(block, heading, diagrams))
        else:
            parts.append(_block(block))
    parts.append("</section>")
    return "\n".join(parts), diagrams


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        level = min(max(block.level, 3), 4)
        return f"<h{level}>{_e(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        css = f' class="{block.tone}"' if block.tone != "plain" else ""
        return f"<p{css}>{_lines(block.text)}</p>"
    if isinstance(block, Facts):
        return _facts(block)
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Items):
        return "<ul>" + "".join(f"<li>{_lines(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, ToWrite):
        mark = _e(_("To be written"))
        return f'<div class="towrite"><span class="mark">{mark}:</span> {_e(block.prompt)}</div>'
    raise TypeError(f"not a block: {block!r}")


def _facts(facts: Facts) -> str:
    # A table rather than a definition list: pasted into a word processor it stays two
    # columns.
    rows = "".join(
        f"<tr><th>{_e(label)}</th><td>{_lines(value)}</td></tr>" for label, value in facts.rows
    )
    return (
        '<table class="facts"><colgroup><col style="width:28%"><col style="width:72%">'
        f"</colgroup><tbody>{rows}</tbody></table>"
    )


def _table(table: Table) -> str:
    cols = "".join(f'<col style="width:{w}%">' for w in table.widths)
    head = "".join(f"<th>{_e(c)}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_lines(cell)}</td>" for cell in row) + "</tr>" for row in table.rows
    )
    return (
        f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _diagram(block: Diagram, heading: str, number: int) -> str:
    svg = inline_svg(render_dot(block.dot, "svg").decode("utf-8"), f"d{number}-")
    return f'<div class="diagram"><h3>{_e(heading)}</h3>{svg}</div>'


_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.S)
_ID = re.compile(r'\b(id|href|xlink:href)="#?([^"]*)"')


def inline_svg(svg: str, prefix: str) -> str:
    """Graphviz's SVG made fit to sit inside HTML: no XML prologue or DOCTYPE, its ids made
    unique to the page, no link out of the document (an `href` stays only as an in-page
    anchor), sized by the page rather than in points."""
    svg = _PROLOGUE.sub("", svg, count=1)

    def rename(match: re.Match[str]) -> str:
        name, value = match.group(1), match.group(2)
        if name == "id":
            return f'id="{prefix}{value}"'
        return f'{name}="#{prefix}{value}"' if match.group(0).count("#") else ""

    svg = _ID.sub(rename, svg)
    return re.sub(r'<svg width="[^"]*" height="[^"]*"', "<svg", svg, count=1)
