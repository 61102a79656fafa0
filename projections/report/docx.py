"""The review document as DOCX (python-docx), for reviewers who write in Word.

A4 portrait for the text, tables whose header row repeats on every page, and each diagram
page in a landscape section of its own, drawn as a 200 dpi PNG (Word does not read SVG from
python-docx). python-docx escapes the XML; control characters, which XML cannot hold at all,
become U+FFFD first.
"""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.image.image import Image
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from projections.diagram import render_dot
from projections.formats import printable
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

PORTRAIT = (Mm(210), Mm(297))
TEXT_WIDTH_MM = 178  # 210 mm less 16 mm margins either side
DIAGRAM_BOX_MM = (277, 178)  # A4 landscape less 10 mm margins, less a heading line
DIAGRAM_DPI = 200
GREY = RGBColor(0x44, 0x44, 0x44)
RED = RGBColor(0xC0, 0x39, 0x2B)


def _t(text: str) -> str:
    return printable(text, lines=True).replace("\t", " ")


def to_docx(document: ReportDocument) -> bytes:
    doc = Document()
    _page(doc.sections[0], landscape=False)
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(9.5)
    doc.core_properties.title = _t(document.title)
    doc.core_properties.language = document.lang
    doc.add_heading(_t(document.title), level=0)
    subtitle = doc.add_paragraph(_t(document.subtitle))
    subtitle.runs[0].font.size = Pt(12)
    _facts(doc, document.title_facts)
    landscape = False
    for section in document.sections:
        if section.landscape != landscape:
            new = doc.add_section(WD_SECTION.NEW_PAGE)
            _page(new, landscape=section.landscape)
            landscape = section.landscape
        if not section.landscape:
            doc.add_heading(_t(section.heading), level=1)
        first = True
        for block in section.blocks:
            if isinstance(block, Diagram):
                _diagram(doc, block, section.heading, new_page=not first)
                first = False
            else:
                _block(doc, block)
    # Later sections' footers are linked to the first one's.
    footer = doc.sections[0].footer.paragraphs[0]
    footer.text = _t(document.footer)
    footer.runs[0].font.size = Pt(7.5)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page(section: Any, *, landscape: bool) -> None:
    width, height = PORTRAIT
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = height, width
        margins = (Mm(10),) * 4
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = width, height
        margins = (Mm(18), Mm(16), Mm(20), Mm(16))
    (
        section.top_margin,
        section.right_margin,
        section.bottom_margin,
        section.left_margin,
    ) = margins


def _block(doc: Any, block: Block) -> None:
    if isinstance(block, Heading):
        doc.add_heading(_t(block.text), level=min(max(block.level - 1, 2), 3))
    elif isinstance(block, Paragraph):
        para = doc.add_paragraph()
        _lines_into(para, block.text)
        for run in para.runs:
            if block.tone == "muted":
                run.font.size = Pt(8.5)
                run.font.color.rgb = GREY
            elif block.tone == "note":
                run.font.bold = True
    elif isinstance(block, Facts):
        _facts(doc, block)
    elif isinstance(block, Table):
        _table(doc, block)
    elif isinstance(block, Items):
        for item in block.items:
            _lines_into(doc.add_paragraph(style="List Bullet"), item)
    elif isinstance(block, ToWrite):
        box = doc.add_table(rows=1, cols=1, style="Table Grid")
        cell = box.rows[0].cells[0]
        para = cell.paragraphs[0]
        mark = para.add_run(_t(_("To be written")) + ": ")
        mark.font.bold = True
        mark.font.color.rgb = RED
        para.add_run(_t(block.prompt))
        for _n in range(3):
            cell.add_paragraph("")
        doc.add_paragraph("")
    else:
        raise TypeError(f"not a block: {block!r}")


def _lines_into(para: Any, text: str) -> None:
    """`text` into a paragraph, its line breaks kept as breaks."""
    for number, line in enumerate(_t(text).split("\n")):
        run = para.add_run()
        if number:
            run.add_break()
        run.add_text(line)


def _facts(doc: Any, facts: Facts) -> None:
    table = doc.add_table(rows=0, cols=2, style="Table Grid")
    for label, value in facts.rows:
        cells = table.add_row().cells
        run = cells[0].paragraphs[0].add_run(_t(label))
        run.font.bold = True
        _cell_text(cells[1], value)
    _widths(table, (25, 75))
    doc.add_paragraph("")


def _table(doc: Any, block: Table) -> None:
    table = doc.add_table(rows=1, cols=len(block.columns), style="Table Grid")
    header = table.rows[0]
    _repeat_header(header)
    for cell, name in zip(header.cells, block.columns, strict=True):
        run = cell.paragraphs[0].add_run(_t(name))
        run.font.bold = True
        run.font.size = Pt(8)
    for row in block.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            _cell_text(cell, text, size=8)
    _widths(table, block.widths)
    doc.add_paragraph("")


def _cell_text(cell: Any, text: str, size: float | None = None) -> None:
    lines = _t(text).split("\n")
    first = cell.paragraphs[0]
    for number, line in enumerate(lines):
        para = first if number == 0 else cell.add_paragraph()
        run = para.add_run(line)
        if size is not None:
            run.font.size = Pt(size)


def _widths(table: Any, widths: tuple[int, ...]) -> None:
    table.autofit = False
    total = sum(widths)
    for row in table.rows:
        for cell, share in zip(row.cells, widths, strict=True):
            cell.width = Mm(TEXT_WIDTH_MM * share / total)


def _repeat_header(row: Any) -> None:
    """Word repeats a row marked as a header row at the top of every page."""
    properties = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    properties.append(flag)


def _diagram(doc: Any, block: Diagram, heading: str, *, new_page: bool) -> None:
    if new_page:
        doc.add_page_break()
    title = doc.add_paragraph()
    run = title.add_run(_t(f"{heading} · {block.title}"))
    run.font.bold = True
    png = render_dot(block.dot, "png", dpi=DIAGRAM_DPI)
    image = Image.from_blob(png)
    box_w, box_h = DIAGRAM_BOX_MM
    scale = min(box_w / image.px_width, box_h / image.px_height)
    doc.add_picture(
        io.BytesIO(png), width=Mm(image.px_width * scale), height=Mm(image.px_height * scale)
    )
