"""What a review document is made of, independent of its format.

`projections.report.build` makes one `ReportDocument` from a case; each format (HTML, PDF,
DOCX, Markdown) renders the same structure in its own module, so the four never disagree on
what the document says. Every text here is plain, unescaped case text: each renderer escapes
it for its own format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Tone = Literal["plain", "note", "muted"]


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    level: int = 3  # 2 is a section's own heading; 3 and 4 are inside a section


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    tone: Tone = "plain"


@dataclass(frozen=True, slots=True)
class Facts:
    """Label and value pairs (a definition list); a value may hold several lines."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table with a header row. `widths` are relative column widths (they sum to 100);
    a cell may hold several lines, separated by newlines. `key` marks the column that
    identifies a row (an entry's number), kept together in every format."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]
    key: int = 0

    def __post_init__(self) -> None:
        if len(self.widths) != len(self.columns):
            raise ValueError("a width for every column")
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError("every row has a cell for every column")


@dataclass(frozen=True, slots=True)
class Items:
    """A bulleted list."""

    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ToWrite:
    """A place the ledger cannot fill: what only a person can write (an investigator's
    analysis, the closing decision). Rendered as an empty, clearly marked box."""

    prompt: str


@dataclass(frozen=True, slots=True)
class Diagram:
    """One page of a diagram, as Graphviz DOT (made for A4 landscape); renderers draw it."""

    title: str
    dot: str


Block = Heading | Paragraph | Facts | Table | Items | ToWrite | Diagram


@dataclass(frozen=True, slots=True)
class Section:
    """A numbered part of the document. `landscape` sections start on a page of their own,
    turned, for diagrams made for landscape paper."""

    anchor: str  # a stable id: "chronology", "decisions", ...
    heading: str
    blocks: tuple[Block, ...]
    landscape: bool = False


@dataclass(frozen=True, slots=True)
class ReportDocument:
    lang: str
    title: str
    subtitle: str
    title_facts: Facts  # the title block: case, point in time, generation, ledger state
    sections: tuple[Section, ...]
    footer: str  # a short line for every printed page: case, template, ledger root

    def texts(self) -> list[str]:
        """Every text of the document in order (tests read it, and the Markdown check)."""
        found = [self.title, self.subtitle]
        found += [t for row in self.title_facts.rows for t in row]
        for section in self.sections:
            found.append(section.heading)
            for block in section.blocks:
                found += block_texts(block)
        return found


def block_texts(block: Block) -> list[str]:
    if isinstance(block, Heading | Paragraph):
        return [block.text]
    if isinstance(block, Facts):
        return [t for row in block.rows for t in row]
    if isinstance(block, Table):
        return [*block.columns, *(cell for row in block.rows for cell in row)]
    if isinstance(block, Items):
        return list(block.items)
    if isinstance(block, ToWrite):
        return [block.prompt]
    return [block.title]
