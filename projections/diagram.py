"""Graphviz diagrams for investigations: the case timeline and the "what did they know" page.

Both are drawn the same way: time left to right as a row of ticks directly above the lanes,
one tick per period that has entries (days, weeks or months, one unit for the whole
diagram), so empty stretches are compressed and marked with how long they were; one lane (a
cluster) per agency, or per decider, that has entries on the page, in a stable order.
`rank=same` groups tie each period's entries to its tick; invisible weighted edges keep each
lane straight; cross-lane edges carry `constraint=false` so the story's edges never bend the
time axis.

A diagram is made for a page (A4 or A3, landscape): it is laid out, measured, and split by
period into as few pages as it takes for its smallest text (10 pt) to print at 8 pt or
more, with the entries spread as evenly over them as the periods allow. Where one period
holds more entries in one lane than a page can stack, they continue in a column of their own
under the same tick.

The DOT text is deterministic: the same ledger gives the same bytes.
"""

from __future__ import annotations

import html
import itertools
import re
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import graphviz

from ledger.timeparse import STOCKHOLM, Moment, known_state
from ledger.vocabulary import EventType, event_type
from projections.analysis import Analysis
from projections.codes import CATEGORY_WORDS, outcome_words
from projections.corrections import CORRECTION_TYPES, as_known
from projections.decisions import Decision
from projections.language import _, current, ngettext
from projections.ordering import chronological
from projections.phrases import point_phrase
from projections.provenance import LedgerState
from projections.records import Record, case_owner

FONT = "Helvetica"
TEXT_PT = 10  # the smallest text in a diagram, at its natural size
PRINT_MIN_PT = 8  # the smallest text allowed on paper
GREY_FILL, GREY_TEXT = "#eeeeee", "#9a9a9a"
# `arrowhead` is declared first, as its default, so that its place among the edge
# attributes is the same in declaration and in alphabetical order. Graphviz 2.43 (Debian 12)
# lays out an edge between neighbours in one column with a port in a copy of the graph whose
# attributes are in alphabetical order, then reads the arrowhead at its original place:
# 'Arrow type "Helvetica" unknown', and the arrow drawn as the default by luck.
EDGE_DEFAULTS = {
    "arrowhead": "normal",
    "arrowsize": "0.6",
    "fontname": FONT,
    "fontsize": str(TEXT_PT),
}
RED = "#c0392b"

# Shape and fill by vocabulary category; decisions are flat boxes marked with a diamond
# whatever their category (a diamond is twice as tall as a box holding the same words, and a
# lane takes the height of its tallest node).
DECISION_MARK = "◆"
STYLE_BY_CATEGORY: dict[str, tuple[str, str]] = {
    "admin": ("box", "#f4f4f4"),
    "report": ("note", "#fde9c9"),
    "assessment": ("hexagon", "#fff7c2"),
    "decision": ("box", "#d6e6fb"),
    "information": ("component", "#e3f1e0"),
    "contact": ("ellipse", "#f4f4f4"),
    "court": ("box3d", "#e4dcf5"),
    "placement": ("house", "#dcefff"),
    "plan": ("parallelogram", "#eaf4ff"),
    "move": ("cds", "#ffd9b3"),
    "followup": ("box", "#e8f8f5"),
    "incident": ("box", "#f5b7b1"),
    "review": ("tab", "#ebdef0"),
    "oversight": ("box", "#ebdef0"),
    "note": ("box", "#ffffff"),
    "correction": ("box", "#ffffff"),
}
# Octagons drawn as boxes with cut corners: the same look in the height of a box (an octagon
# around four lines of text is half as tall again and twice as wide).
STYLE_EXTRA: dict[str, dict[str, str]] = {
    "incident": {"style": "filled,diagonals"},
    "oversight": {"style": "filled,diagonals", "peripheries": "2"},
    # Graphviz sizes a cds (an arrow) as a box, so its lines ran past its edges: a little more
    # room, no more than NK-LH's four timeline pages allow.
    "move": {"margin": "0.08,0.07"},
}
MINOR_CATEGORIES = frozenset({"note", "contact", "admin"})
# Entries about the case rather than in it: the reviewer's declaration of the records examined
# and the judgements made afterwards. On the time axis a declaration made in 2021 took a page
# and a lane ("agency not recorded") of its own and eight judgements of one day a page; the
# caption names them instead, and the chronology and the findings show them in full.
ABOUT_THE_CASE = frozenset(event_type(n).name for n in ("CoverageDeclared", "JudgementRecorded"))
COLLAPSE_ABOVE = 120  # entries in view; above this, runs of minor entries share one node

LANE_ORDER = (
    ("social services", ("socialtjänst", "socialnämnd", "socialförvaltning", "socialkontor")),
    ("courts", ("rätt", "domstol")),
    ("health", ("bvc", "vård", "sjukhus", "hälso", "förlossning", "barnhälsovård")),
    ("school", ("skola", "förskola")),
    ("police", ("polis",)),
    ("family", ("famil", "förälder", "foraldrar")),
    ("municipality", ("kommun",)),
    ("oversight", ("ivo", "inspektion", "jo", "riksdag")),
)


class DotMissing(RuntimeError):
    """The `dot` program is not installed; the DOT text itself is still available."""


@dataclass(frozen=True, slots=True)
class Paper:
    """A sheet in landscape, with 10 mm margins."""

    name: str
    width_mm: float
    height_mm: float
    margin_mm: float = 10.0

    @property
    def drawable(self) -> tuple[float, float]:
        """Width and height in inches inside the margins."""
        return (
            (self.width_mm - 2 * self.margin_mm) / 25.4,
            (self.height_mm - 2 * self.margin_mm) / 25.4,
        )

    @property
    def size(self) -> str:
        """Graphviz's `size`: scale down (never up) to fit the drawable area."""
        width, height = self.drawable
        return f"{width:.2f},{height:.2f}"

    def fits(self, width: float, height: float) -> bool:
        """Whether a drawing of this natural size (inches) prints with 8 pt text or larger."""
        scale = PRINT_MIN_PT / TEXT_PT
        page_width, page_height = self.drawable
        return width * scale <= page_width and height * scale <= page_height


PAPERS: dict[str, Paper] = {"a4": Paper("a4", 297, 210), "a3": Paper("a3", 420, 297)}


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime | None = None
    end: datetime | None = None

    def admits(self, record: Record) -> bool:
        if self.start is not None and record.occurred.end <= self.start:
            return False
        return not (self.end is not None and record.occurred.start >= self.end)


def lane_rank(agency: str, owner: str | None) -> tuple[int, str]:
    """Where an agency's lane goes: the owning authority first, then by kind, then by name."""
    if owner is not None and agency == owner:
        return (0, agency)
    lowered = agency.lower()
    for index, (_kind, words) in enumerate(LANE_ORDER, start=1):
        if any(word in lowered for word in words):
            return (index, agency)
    return (len(LANE_ORDER) + 1, agency)


def granularity(records: Sequence[Record], *, coarse: bool = False) -> str:
    """The diagram's one tick unit, by the span it covers; `coarse` (the decisions diagram,
    a few entries over years) counts years once the span passes two."""
    if not records:
        return "day"
    span = max(r.occurred.start for r in records) - min(r.occurred.start for r in records)
    if coarse and span > timedelta(days=731):
        return "year"
    if span <= timedelta(days=62):
        return "day"
    if span <= timedelta(days=400):
        return "week"
    return "month"


def bucket(moment_start: datetime, unit: str) -> tuple[int, ...]:
    local = moment_start.astimezone(STOCKHOLM)
    if unit == "day":
        return (local.year, local.month, local.day)
    if unit == "week":
        iso = local.isocalendar()
        return (iso.year, iso.week)
    if unit == "year":
        return (local.year,)
    return (local.year, local.month)


# One tick of each unit at its longest (an hour more for a change of clocks).
_UNIT_SPAN = {
    "day": timedelta(days=1, hours=1),
    "week": timedelta(days=7, hours=1),
    "month": timedelta(days=31, hours=1),
    "year": timedelta(days=366, hours=1),
}


def wider_period(records: Sequence[Record], unit: str) -> str | None:
    """The period the records share when each is dated more coarsely than one tick of
    `unit` (an entry dated "2020" in a diagram of weeks); None otherwise."""
    texts = {r.occurred.display() for r in records}
    if len(texts) != 1 or any(
        r.occurred.end - r.occurred.start <= _UNIT_SPAN[unit] for r in records
    ):
        return None
    return texts.pop()


def bucket_label(key: tuple[int, ...], unit: str) -> str:
    if unit == "day":
        return f"{key[0]}-{key[1]:02d}-{key[2]:02d}"
    if unit == "week":
        return _("{year} week {week:02d}").format(year=key[0], week=key[1])
    if unit == "year":
        return str(key[0])
    return f"{key[0]}-{key[1]:02d}"


def bucket_distance(a: tuple[int, ...], b: tuple[int, ...], unit: str) -> int:
    """How many periods lie strictly between two buckets (for the "gap" marks)."""
    if unit == "year":
        return b[0] - a[0] - 1
    if unit == "month":
        return (b[0] * 12 + b[1]) - (a[0] * 12 + a[1]) - 1
    if unit == "week":
        start_a = datetime.fromisocalendar(a[0], a[1], 1)
        start_b = datetime.fromisocalendar(b[0], b[1], 1)
        return (start_b - start_a).days // 7 - 1
    return (datetime(*b) - datetime(*a)).days - 1  # type: ignore[misc]


def gap_text(periods: int, unit: str) -> str:
    """How long an empty stretch was, in the diagram's one tick unit."""
    if unit == "day":
        return ngettext("{n} day", "{n} days", periods).format(n=periods)
    if unit == "week":
        return ngettext("{n} week", "{n} weeks", periods).format(n=periods)
    if unit == "year":
        return ngettext("{n} year", "{n} years", periods).format(n=periods)
    return ngettext("{n} month", "{n} months", periods).format(n=periods)


def short(text: str | None, width: int = 24, lines: int = 2) -> str:
    if not text:
        return ""
    wrapped = textwrap.wrap(" ".join(text.split()), width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1] + "…"
    return "\\n".join(_escape(line) for line in wrapped)


# `dot` refuses a quoted string over 16,384 bytes; this many characters stay below it even
# at four bytes each with every backslash and quote escaped.
MAX_DOT_TEXT = 2_000


def _escape(text: str) -> str:
    # Entry text is data, never DOT: graphviz's own helper makes backslashes literal (no
    # \N or \l escapes) and marks the text as not HTML, so `<...>` can never become an
    # HTML-like label (links, images) or close the attribute list; quoting adds the \".
    if len(text) > MAX_DOT_TEXT:
        text = text[: MAX_DOT_TEXT - 1] + "…"
    return graphviz.escape(text)


def _text(label: str) -> str:
    """A label assembled from escaped parts and `\\n` breaks, still never HTML."""
    return graphviz.nohtml(label)


def type_term(spec: EventType) -> str:
    """What an entry is, in the reader's language: the Swedish term of the vocabulary, or the
    type's name in words."""
    if current() == "sv":
        # The head of the term: "förhandsbedömning: beslut att ..." is a förhandsbedömning;
        # "IVO:s beslut" is whole (a genitive colon has no space after it).
        return re.split(r":\s|[(/]", spec.swedish, maxsplit=1)[0].strip()
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", spec.name).capitalize()


def entry_head(record: Record) -> str:
    """`#18 · 2019-12`, with the documented knowledge time when it differs."""
    head = f"#{record.seq} · {record.occurred.display()}"
    if not record.known_assumed and record.known.text != record.occurred.text:
        head += " " + _("(known {when})").format(when=record.known.display())
    return head


def node_label(record: Record, extra: str = "") -> str:
    width = 26
    head = entry_head(record)
    if record.is_decision:
        head = f"{DECISION_MARK} {head}"
    parts = [_escape(head), short(type_term(record.spec), width, 2)]
    if record.is_decision and (outcome := outcome_words(record)):
        parts.append(short("→ " + outcome, width, 2))
    else:
        parts.append(short(record.summary))
    if extra:
        parts.append(_escape(extra))
    return _text("\\n".join(p for p in parts if p))


def node_style(record: Record) -> dict[str, str]:
    shape, fill = STYLE_BY_CATEGORY.get(record.spec.category, ("box", "#ffffff"))
    extra = dict(STYLE_EXTRA.get(record.spec.category, {}))
    style = extra.pop("style", "filled")
    if record.is_decision:
        # One look for every decision, whatever its category (a court's in the court's fill).
        shape = "box"
        fill = "#d6e6fb" if record.spec.category != "court" else "#e4dcf5"
        style = "filled,rounded"
        extra = {"penwidth": "1.8"}
    if record.spec.category == "correction":
        style = "filled,dashed"
    if record.retracted_by is not None:
        style += "" if "dashed" in style else ",dashed"
        fill = GREY_FILL
    return {"shape": shape, "fillcolor": fill, "style": style} | extra


# ---- the page engine: lanes, ticks, stacks, pages ----


@dataclass(frozen=True, slots=True)
class Item:
    """One node in a lane at a period."""

    node_id: str
    lane: str
    bucket: tuple[int, ...]
    attrs: Mapping[str, str]
    greyed: bool = False
    legend: str | None = None  # the legend row this node's shape stands for
    # The entry's own period where it is wider than the diagram's tick ("2020" in a diagram
    # of weeks): a column holding only such entries is labelled with it, never as a week.
    period: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """One edge between two items; at most one per pair of nodes."""

    tail: str
    head: str
    attrs: Mapping[str, str]
    legend: str | None = None
    # Whose greying greys the edge: both ends, or only the head (a hindsight edge stays red
    # while its decision is known: the fact's being unknown is what it shows).
    grey_with: str = "both"


@dataclass(frozen=True, slots=True)
class Cut:
    """The point a view is known at: a red line after the period that contains it."""

    key: tuple[int, ...]
    label: str  # escaped DOT text


@dataclass(frozen=True, slots=True)
class LegendRow:
    key: str
    words: str
    attrs: Mapping[str, str] = field(default_factory=dict)  # a node's shape, or an edge's style
    edge: bool = False


@dataclass(frozen=True, slots=True)
class Layout:
    """Everything a diagram draws, before it is split into pages."""

    name: str
    title: str
    unit: str
    items: tuple[Item, ...]
    lanes: tuple[str, ...]  # in drawing order
    lane_labels: Mapping[str, str]
    links: tuple[Link, ...] = ()
    legend: tuple[LegendRow, ...] = ()
    cut: Cut | None = None
    caption: tuple[str, ...] = ()


Column = tuple[tuple[int, ...], int]  # (period, continuation)


def _columns(items: Sequence[Item], stack: int) -> dict[str, Column]:
    """Each item's column: its period, continued in further columns once a lane holds
    `stack` items in it."""
    seen: dict[tuple[str, tuple[int, ...]], int] = {}
    column: dict[str, Column] = {}
    for item in items:
        index = seen.get((item.lane, item.bucket), 0)
        seen[(item.lane, item.bucket)] = index + 1
        column[item.node_id] = (item.bucket, index // stack)
    return column


def _page_graph(
    layout: Layout,
    columns: Sequence[Column],
    column_of: Mapping[str, Column],
    *,
    page: tuple[int, int] | None,
    paper: Paper | None,
    with_cut: bool,
) -> graphviz.Digraph:
    """One page: the columns given, their items, their lanes, the links between them."""
    wanted = set(columns)
    items = [i for i in layout.items if column_of[i.node_id] in wanted]
    on_page = {i.node_id for i in items}
    grey = {i.node_id for i in items if i.greyed}
    suffix = f"_p{page[0]}" if page is not None else ""
    graph = graphviz.Digraph(name=layout.name + suffix)
    title = layout.title
    if page is not None and page[1] > 1:
        first, last = columns[0][0], columns[-1][0]
        span = bucket_label(first, layout.unit)
        if last != first:
            span += " – " + bucket_label(last, layout.unit)
        title += " · " + _("{span} (page {page} of {pages})").format(
            span=span, page=page[0], pages=page[1]
        )
    label = "\\n".join(_escape(line) for line in (title, *layout.caption))
    attrs = {
        "rankdir": "LR",
        "newrank": "true",
        "nodesep": "0.12",
        "ranksep": "0.3",
        "labelloc": "t",
        "labeljust": "l",
        "fontname": FONT,
        "fontsize": "11",
        "label": _text(label),
        # Straight edges: dot's spline routers lose flat edges inside clusters ("spline",
        # "polyline") or take minutes on a few hundred entries ("curved").
        "splines": "line",
    }
    if paper is not None:
        attrs["size"] = paper.size
    graph.attr(**attrs)
    graph.attr("node", fontname=FONT, fontsize=str(TEXT_PT), margin="0.06,0.03")
    graph.attr("edge", **EDGE_DEFAULTS)

    # The axis: one tick per column; a period's continuation columns have an empty tick.
    tick_id = {column: f"t{i}" for i, column in enumerate(columns)}
    axis: list[tuple[str, str, dict[str, str]]] = []
    previous: tuple[int, ...] | None = None
    previous_exact = True
    for column in columns:
        key, continued = column
        label = "" if continued else _tick_label(key, layout.unit, items, column_of)
        exact = continued or label == bucket_label(key, layout.unit)
        text = label
        # An empty stretch is counted only between ticks that are periods of the unit: from a
        # wider period ("2020") no count of weeks is true.
        if not continued and previous is not None and exact and previous_exact:
            gap = bucket_distance(previous, key, layout.unit)
            if gap > 0:
                text = f"⋯ {gap_text(gap, layout.unit)} ⋯\\n{text}"
        axis.append((tick_id[column], text, {}))
        if not continued:
            previous, previous_exact = key, exact
    cut = layout.cut if with_cut else None
    if cut is not None:
        position = sum(1 for column in columns if column[0] <= cut.key)
        axis.insert(
            position, ("t_cut", _text(cut.label), {"fontcolor": RED, "fontsize": str(TEXT_PT)})
        )
    lanes = [lane for lane in layout.lanes if any(i.lane == lane for i in items)]
    # The axis sits directly above the first lane: one invisible node orders the rank of
    # the lane anchors (ordering=out), which in a left-to-right layout reads bottom to top.
    with graph.subgraph(name="cluster_axis") as axis_graph:
        axis_graph.attr(label="", style="invis")
        for node_id, text, extra in axis:
            axis_graph.node(node_id, text, **({"shape": "plaintext"} | extra))
        for (first, _t1, _e1), (second, _t2, _e2) in itertools.pairwise(axis):
            axis_graph.edge(first, second, style="invis", weight="100")

    # dot stacks the nodes of one rank bottom up in a left-to-right layout: within a column,
    # the later entries come first so that a stack reads top down in time.
    order = {item.node_id: index for index, item in enumerate(items)}

    def stacked(item: Item) -> tuple[Column, int]:
        return column_of[item.node_id], -order[item.node_id]

    for index, lane in enumerate(lanes):
        members = sorted((i for i in items if i.lane == lane), key=stacked)
        with graph.subgraph(name=f"cluster_lane{index}") as sub:
            sub.attr(
                label=_escape(layout.lane_labels.get(lane, lane)),
                labeljust="l",
                style="rounded,filled",
                fillcolor="#f7f7f7" if index % 2 else "#ffffff",
                color="#cccccc",
                fontsize=str(TEXT_PT + 1),
            )
            sub.node(f"lane{index}", "", shape="point", style="invis", width="0")
            for item in members:
                sub.node(item.node_id, **item.attrs)
            chain = [f"lane{index}", *(i.node_id for i in members)]
            for first, second in itertools.pairwise(chain):
                sub.edge(first, second, style="invis", weight="10")
            if cut is not None:
                sub.node(f"cut{index}", "", shape="point", width="0.03", color=RED)

    graph.node("lanes", "", shape="point", style="invis", width="0", ordering="out")
    with graph.subgraph() as anchors:
        anchors.attr(rank="same")
        anchors.node("t_start", "", shape="point", style="invis", width="0")
        for index in range(len(lanes)):
            anchors.node(f"lane{index}")
    for target in (*(f"lane{i}" for i in reversed(range(len(lanes)))), "t_start"):
        graph.edge("lanes", target, style="invis")
    if axis:
        graph.edge("t_start", axis[0][0], style="invis", weight="100")

    for column in columns:
        with graph.subgraph() as same:
            same.attr(rank="same")
            same.node(tick_id[column])
            for item in items:
                if column_of[item.node_id] == column:
                    same.node(item.node_id)
    if cut is not None:
        with graph.subgraph() as same:
            same.attr(rank="same")
            same.node("t_cut")
            for index in range(len(lanes)):
                same.node(f"cut{index}")
        cut_line = ["t_cut", *(f"cut{i}" for i in range(len(lanes)))]
        for upper, lower in itertools.pairwise(cut_line):
            graph.edge(
                upper, lower, color=RED, penwidth="2.5", arrowhead="none", constraint="false"
            )

    # Lanes and the stacks inside a lane's column read top down.
    position = {item.node_id: (lanes.index(item.lane), order[item.node_id]) for item in items}
    used_legend: set[str] = {i.legend for i in items if i.legend}
    for link in layout.links:
        if link.tail not in on_page or link.head not in on_page:
            continue
        edge_attrs = dict(link.attrs)
        greyed = link.head in grey or (link.grey_with == "both" and link.tail in grey)
        if greyed:
            edge_attrs.update(color=GREY_TEXT, fontcolor=GREY_TEXT)
        if column_of[link.tail] == column_of[link.head]:
            # Within one column dot draws an edge as two arcs unless it leaves and enters on
            # the sides that face each other (lanes and stacks are in drawing order).
            below = position[link.tail] < position[link.head]
            edge_attrs.update(tailport="s" if below else "n", headport="n" if below else "s")
        graph.edge(link.tail, link.head, constraint="false", **edge_attrs)
        if link.legend:
            used_legend.add(link.legend)
    if grey:
        used_legend.add("grey")
    if any("dashed" in i.attrs.get("style", "") for i in items):
        used_legend.add("dashed")
    if cut is not None:
        used_legend.add("cut")
    _legend(graph, [row for row in layout.legend if row.key in used_legend], axis)
    return graph


def _legend(
    graph: graphviz.Digraph, rows: Sequence[LegendRow], axis: Sequence[tuple[str, str, dict]]
) -> None:
    """The legend, in a column of its own after the last period: the real shapes, each with
    its words inside, and the real line styles (table cells whose bottom border is drawn in
    the edge's colour and style)."""
    if not rows:
        return
    shapes = [row for row in rows if not row.edge]
    lines = [row for row in rows if row.edge]
    ids = [f"lg_{row.key}" for row in shapes] + (["lg_lines"] if lines else [])
    with graph.subgraph(name="cluster_legend") as legend:
        legend.attr(label=_escape(_("Legend")), labeljust="l", style="rounded", color="#cccccc")
        for row in shapes:
            legend.node(f"lg_{row.key}", _escape(row.words), **row.attrs)
        if lines:
            legend.node("lg_lines", _line_samples(lines), shape="plaintext")
        # Stacked in one rank, which a left-to-right layout draws bottom to top: chain them
        # last to first so they read top down.
        for lower, upper in itertools.pairwise(reversed(ids)):
            legend.edge(lower, upper, style="invis")
    with graph.subgraph() as same:
        same.attr(rank="same")
        same.node("t_legend", "", shape="point", style="invis", width="0")
        for node_id in ids:
            same.node(node_id)
    if axis:
        graph.edge(axis[-1][0], "t_legend", style="invis", weight="100")


def _line_samples(rows: Sequence[LegendRow]) -> str:
    """The legend's line styles as an HTML-like table of the program's own words (escaped):
    the one HTML-like label of a diagram, never holding entry text."""
    cells = []
    for row in rows:
        color = row.attrs.get("color", "#000000")
        style = row.attrs.get("style", "solid")
        weight = "2" if float(row.attrs.get("penwidth", "1")) > 1 else "1"
        cells.append(
            f'<TR><TD WIDTH="36" HEIGHT="10" SIDES="B" BORDER="{weight}" STYLE="{style}" '
            f'COLOR="{color}"> </TD><TD ALIGN="LEFT">{html.escape(row.words)}</TD></TR>'
        )
    return '<<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="1">' + "".join(cells) + "</TABLE>>"


def layout_size(graph: graphviz.Digraph) -> tuple[float, float]:
    """The natural width and height (inches) `dot` lays the graph out at."""
    source = graph.source
    measured = graphviz.Source(source).pipe(format="plain", encoding="utf-8", quiet=True)
    _graph, _scale, width, height = measured.split("\n", 1)[0].split()[:4]
    return float(width), float(height)


def paginate(layout: Layout, paper: Paper | None) -> list[graphviz.Digraph]:
    """The layout as pages that each fit `paper` at 8 pt or more (one page when no paper):
    split by period, and a period's stack in a lane continued in columns of its own where
    one column would not fit."""
    if paper is not None:
        try:
            return _paper_pages(layout, paper)
        except graphviz.ExecutableNotFound:
            pass  # nothing to measure with: one page at its natural size (dot is missing)
    column_of = _columns(layout.items, stack=1_000_000)
    columns = sorted(set(column_of.values()))
    return [_page_graph(layout, columns, column_of, page=None, paper=None, with_cut=True)]


def _paper_pages(layout: Layout, paper: Paper) -> list[graphviz.Digraph]:
    """Pages that fit `paper`: the fewest the stack heights allow, then the most even."""
    best: tuple[tuple[int, int], list[tuple[int, int]], list[Column], dict[str, Column]] | None
    best = None
    # Stacks of 3, 2 and 1 give the same page wherever no lane holds more than one entry in a
    # period: each page is measured (a `dot` run) once.
    sizes: dict[str, tuple[float, float]] = {}
    for stack in (3, 2, 1):
        column_of = _columns(layout.items, stack)
        columns = sorted(set(column_of.values()))
        reach = _reach(layout, columns, column_of, paper, sizes)
        if reach is None:
            continue
        weights = Counter(column_of[item.node_id] for item in layout.items)
        cost, found = _balanced_ranges(reach, [weights[c] for c in columns])
        if best is None or cost < best[0]:
            best = (cost, found, columns, column_of)
    if best is None:  # a single column too tall even one entry a lane: print it smaller
        column_of = _columns(layout.items, 1)
        columns = sorted(set(column_of.values()))
        ranges = [(i, i) for i in range(len(columns))] or [(0, -1)]
    else:
        _cost, ranges, columns, column_of = best
    cut_at = _cut_position(layout, columns)
    pages = []
    for number, (first, last) in enumerate(ranges, start=1):
        with_cut = _holds_cut(cut_at, first, last)
        pages.append(
            _page_graph(
                layout,
                columns[first : last + 1],
                column_of,
                page=(number, len(ranges)),
                paper=paper,
                with_cut=with_cut,
            )
        )
    return pages


def _cut_position(layout: Layout, columns: Sequence[Column]) -> int | None:
    """How many columns come before the cut line (None: no cut)."""
    if layout.cut is None:
        return None
    return sum(1 for column in columns if column[0] <= layout.cut.key)


def _holds_cut(cut_at: int | None, first: int, last: int) -> bool:
    """Whether the page of columns first..last draws the cut: the one it follows, or the
    first page when the cut comes before every column."""
    return cut_at is not None and (first < cut_at <= last + 1 or (cut_at == 0 and first == 0))


def _reach(
    layout: Layout,
    columns: Sequence[Column],
    column_of: Mapping[str, Column],
    paper: Paper,
    sizes: dict[str, tuple[float, float]],
) -> list[int] | None:
    """For each column, the last column a page starting with it can run to and still fit
    `paper`; None when one column alone does not fit.

    A page that fits still fits without its first column, so the reach never falls as the
    start moves right: one sweep measures each page once or twice (a `dot` run each)."""
    cut_at = _cut_position(layout, columns)

    def fits(first: int, last: int) -> bool:
        # Measured as drawn: the cut line's column only on the page that holds it.
        graph = _page_graph(
            layout,
            columns[first : last + 1],
            column_of,
            page=(1, 2),
            paper=None,
            with_cut=_holds_cut(cut_at, first, last),
        )
        source = graph.source
        if source not in sizes:
            sizes[source] = layout_size(graph)
        return paper.fits(*sizes[source])

    reach: list[int] = []
    last = 0
    for first in range(len(columns)):
        last = max(last, first)
        if last == first and not fits(first, first):
            return None
        while last + 1 < len(columns) and fits(first, last + 1):
            last += 1
        reach.append(last)
    return reach


def _balanced_ranges(
    reach: Sequence[int], weights: Sequence[int]
) -> tuple[tuple[int, int], list[tuple[int, int]]]:
    """Runs of columns, each within its start's reach: the fewest pages, and among those the
    most even (the least sum of squared entries a page), so that no page is left with the
    one or two entries a greedy fill leaves over. Returns the cost (pages, spread) and the
    runs."""
    count = len(reach)
    if count == 0:
        return (1, 0), [(0, -1)]
    prefix = list(itertools.accumulate(weights, initial=0))
    # best[i]: the cost of the columns from i to the end, and where its first page ends.
    best: list[tuple[tuple[int, int], int]] = [((0, 0), -1)] * (count + 1)
    for first in reversed(range(count)):
        options = []
        for last in range(first, reach[first] + 1):
            (pages, spread), _end = best[last + 1]
            entries = prefix[last + 1] - prefix[first]
            options.append(((pages + 1, spread + entries * entries), last))
        best[first] = min(options)
    ranges = []
    first = 0
    while first < count:
        last = best[first][1]
        ranges.append((first, last))
        first = last + 1
    return best[0][0], ranges


# ---- the timeline ----


@dataclass(frozen=True, slots=True)
class Group:
    """One node of the diagram: an entry, or a run of minor entries collapsed into one."""

    node_id: str
    records: tuple[Record, ...]
    lane: str
    bucket: tuple[int, ...]


def timeline_layout(
    case: str,
    records: Iterable[Record],
    *,
    as_known_at: Moment | None = None,
    window: Window = Window(),
    decisions: Sequence[Decision] = (),
    ledger_state: LedgerState | None = None,
) -> Layout:
    """The case timeline, before pages (see the module docstring for the layout);
    `as_known_at` is the point as the user gave it (`parse_point_moment`)."""
    point = as_known_at
    at = point.end if point is not None else None
    everything = chronological(as_known(records, at))
    in_window = [r for r in everything if window.admits(r)]
    shown = [r for r in in_window if r.type not in ABOUT_THE_CASE]
    owner = case_owner(everything)
    unit = granularity(shown)
    groups = _groups(shown, unit, collapse=len(shown) > COLLAPSE_ABOVE)
    node_of = {r.seq: g.node_id for g in groups for r in g.records}
    title = _("{case} — timeline").format(case=case)
    if point is not None:
        title += " · " + _("as known at {point}").format(point=point_phrase(point))
    items = tuple(replace(_group_item(g, at), period=wider_period(g.records, unit)) for g in groups)
    lanes = tuple(sorted({g.lane for g in groups}, key=lambda lane: lane_rank(lane, owner)))
    cut = None
    if at is not None and point is not None:
        cut = Cut(
            _cut_bucket(at, unit),
            _escape(_("known at")) + "\\n" + _escape(point_phrase(point)),
        )
    return Layout(
        name=f"timeline_{_ident(case)}",
        title=title,
        unit=unit,
        items=items,
        lanes=lanes,
        lane_labels={},
        links=tuple(_story_links(shown, node_of, decisions)),
        legend=_timeline_legend(),
        cut=cut,
        caption=(
            *_not_drawn([r for r in in_window if r.type in ABOUT_THE_CASE]),
            *(ledger_state.caption() if ledger_state is not None else ()),
        ),
    )


def _not_drawn(records: Sequence[Record]) -> tuple[str, ...]:
    """The caption's line naming the entries about the case that the time axis leaves out:
    each kind by its term, with its entries' numbers."""
    if not records:
        return ()
    return (_("Not on the time axis (see the chronology): {kinds}").format(kinds=by_term(records)),)


def by_term(records: Iterable[Record]) -> str:
    """Entries named by kind: `överklagande #9; bedömning i efterhand #32–#34`."""
    seqs_of: dict[str, list[int]] = {}
    for record in records:
        seqs_of.setdefault(type_term(record.spec), []).append(record.seq)
    return "; ".join(f"{term} {seq_ranges(seqs)}" for term, seqs in seqs_of.items())


def seq_ranges(seqs: Iterable[int]) -> str:
    """Entry numbers with runs joined: `#31–#39, #41`."""
    runs: list[list[int]] = []
    for seq in sorted(set(seqs)):
        if runs and seq == runs[-1][-1] + 1:
            runs[-1].append(seq)
        else:
            runs.append([seq])
    return ", ".join(f"#{run[0]}" if len(run) == 1 else f"#{run[0]}–#{run[-1]}" for run in runs)


def timeline_pages(
    case: str,
    records: Iterable[Record],
    *,
    paper: Paper | None = None,
    as_known_at: Moment | None = None,
    window: Window = Window(),
    decisions: Sequence[Decision] = (),
    ledger_state: LedgerState | None = None,
) -> list[graphviz.Digraph]:
    """The timeline as pages that fit `paper` (one unscaled page without)."""
    layout = timeline_layout(
        case,
        records,
        as_known_at=as_known_at,
        window=window,
        decisions=decisions,
        ledger_state=ledger_state,
    )
    return paginate(layout, paper)


def timeline_graph(
    case: str,
    records: Iterable[Record],
    *,
    as_known_at: Moment | None = None,
    window: Window = Window(),
    decisions: Sequence[Decision] = (),
    ledger_state: LedgerState | None = None,
) -> graphviz.Digraph:
    """The whole timeline in one graph, at its natural size."""
    return timeline_pages(
        case,
        records,
        as_known_at=as_known_at,
        window=window,
        decisions=decisions,
        ledger_state=ledger_state,
    )[0]


def _cut_bucket(at: datetime, unit: str) -> tuple[int, ...]:
    # The point means "the end of that period"; the last instant before it is inside it.
    return bucket(at - timedelta(microseconds=1), unit)


def _tick_label(
    key: tuple[int, ...], unit: str, items: Sequence[Item], column_of: Mapping[str, Column]
) -> str:
    """A column's tick: its period, or the wider period all its entries share."""
    periods = {i.period for i in items if column_of[i.node_id][0] == key}
    if len(periods) == 1 and (period := periods.pop()) is not None:
        return period
    return bucket_label(key, unit)


def _groups(records: Sequence[Record], unit: str, *, collapse: bool) -> list[Group]:
    groups: list[Group] = []
    placed: dict[int, tuple[int, ...]] = {}
    for record in records:
        lane = record.agency or _("(agency not recorded)")
        # An imprecise entry is drawn no earlier than what it refers to, as it is ordered
        # (a closing dated "2020" would otherwise sit in January, before its own opening).
        key = max(
            [bucket(record.occurred.start, unit)]
            + [placed[seq] for seq in record.references() if seq in placed]
        )
        placed[record.seq] = key
        last = groups[-1] if groups else None
        if (
            collapse
            and last is not None
            and last.lane == lane
            and last.bucket == key
            and record.spec.category in MINOR_CATEGORIES
            and all(r.spec.category in MINOR_CATEGORIES for r in last.records)
        ):
            groups[-1] = Group(last.node_id, (*last.records, record), lane, key)
            continue
        groups.append(Group(f"e{record.seq}", (record,), lane, key))
    # A run ends when another lane or period intervenes; keep the order stable by seq.
    return groups


def _group_item(group: Group, as_known_at: datetime | None) -> Item:
    if len(group.records) > 1:
        first, last = group.records[0], group.records[-1]
        label = (
            _escape(_("{n} minor entries").format(n=len(group.records)))
            + f"\\n#{first.seq}–#{last.seq}\\n"
            + f"{first.occurred.display()} – {last.occurred.display()}"
        )
        attrs = {"shape": "folder", "fillcolor": "#f4f4f4", "style": "filled", "label": label}
        record = first
        legend = "minor"
    else:
        record = group.records[0]
        extra = ""
        if record.retracted_by is not None:
            extra = _("retracted by #{seq}").format(seq=record.retracted_by)
        elif record.corrected_by:
            extra = _("corrected by {seqs}").format(
                seqs=", ".join(f"#{s}" for s in record.corrected_by)
            )
        attrs = node_style(record) | {"label": node_label(record, extra)}
        legend = "decision" if record.is_decision else record.spec.category
    greyed = False
    if as_known_at is not None:
        state = known_state(record.known, as_known_at)
        if state == "unknown":
            greyed = True
            attrs.update(fillcolor=GREY_FILL, fontcolor=GREY_TEXT, color=GREY_TEXT)
        elif state == "possibly":
            attrs.update(
                style=attrs["style"] + ",dashed",
                label=attrs["label"] + "\\n" + _escape(_("(possibly known)")),
            )
    attrs["label"] = _text(attrs["label"])
    attrs["tooltip"] = _escape(record.summary or record.type)
    return Item(group.node_id, group.lane, group.bucket, attrs, greyed, legend)


# One relation, one edge: where two relations join the same pair of nodes, the first of
# these kinds is drawn.
_LINK_PRIORITY = ("hindsight", "basis", "reply", "appeal", "correction")


def _story_links(
    records: Sequence[Record], node_of: dict[int, str], decisions: Sequence[Decision]
) -> list[Link]:
    found: dict[frozenset[str], tuple[int, Link]] = {}

    def link(tail: int, head: int, kind: str, grey_with: str = "both", **attrs: str) -> None:
        if tail not in node_of or head not in node_of or node_of[tail] == node_of[head]:
            return
        pair = frozenset((node_of[tail], node_of[head]))
        rank = _LINK_PRIORITY.index(kind)
        if pair in found and found[pair][0] <= rank:
            return
        found[pair] = (rank, Link(node_of[tail], node_of[head], attrs, kind, grey_with))

    for record in records:
        if record.is_decision:
            for seq in record.basis:
                link(record.seq, seq, "basis", style="dashed", color="#2e6fbf")
        fields = record.fields
        if record.type == "InformationReceived" and isinstance(fields.get("in_reply_to"), int):
            link(record.seq, fields["in_reply_to"], "reply", color="#2e8b57")
        if record.type in CORRECTION_TYPES and isinstance(fields.get("target"), int):
            link(record.seq, fields["target"], "correction", color="#777777", style="dotted")
        if record.type in ("AppealDecided", "AppealLodged") and isinstance(
            fields.get("appealed"), int
        ):
            link(record.seq, fields["appealed"], "appeal", color="#6c3483")
    for view in decisions:
        for missing in view.hindsight:
            link(missing.seq, view.decision.seq, "hindsight", "head", color=RED, penwidth="1.6")
    # Drawn in the order the relations were found, for the same bytes every time.
    return [entry[1] for entry in found.values()]


def _timeline_legend() -> tuple[LegendRow, ...]:
    rows = [
        LegendRow(
            "decision",
            f"{DECISION_MARK} {_('decision')}",
            {
                "shape": "box",
                "style": "filled,rounded",
                "fillcolor": "#d6e6fb",
                "penwidth": "1.8",
                "height": "0.3",
            },
        )
    ]
    for category, (shape, fill) in STYLE_BY_CATEGORY.items():
        if category == "decision":
            continue
        rows.append(
            LegendRow(
                category,
                _(CATEGORY_WORDS[category]),
                {"shape": shape, "style": "filled", "fillcolor": fill, "height": "0.3"}
                | STYLE_EXTRA.get(category, {}),
            )
        )
    rows.append(
        LegendRow(
            "minor",
            _("minor entries together"),
            {"shape": "folder", "style": "filled", "fillcolor": "#f4f4f4", "height": "0.3"},
        )
    )
    rows.append(
        LegendRow(
            "grey",
            _("not yet known"),
            {
                "shape": "box",
                "style": "filled",
                "fillcolor": GREY_FILL,
                "fontcolor": GREY_TEXT,
                "color": GREY_TEXT,
                "height": "0.3",
            },
        )
    )
    rows.append(
        LegendRow(
            "dashed",
            _("possibly known (or retracted)"),
            {"shape": "box", "style": "dashed", "height": "0.3"},
        )
    )
    rows += [
        LegendRow("basis", _("stated basis"), {"style": "dashed", "color": "#2e6fbf"}, True),
        LegendRow("hindsight", _("existed, not known"), {"color": RED, "penwidth": "1.6"}, True),
        LegendRow("reply", _("answers"), {"color": "#2e8b57"}, True),
        LegendRow("appeal", _("on appeal"), {"color": "#6c3483"}, True),
        LegendRow(
            "correction", _("corrects, retracts"), {"color": "#777777", "style": "dotted"}, True
        ),
        LegendRow(
            "cut",
            _("the point known at"),
            {"color": RED, "penwidth": "2.5", "arrowhead": "none"},
            True,
        ),
    ]
    return tuple(rows)


# ---- the decisions diagram ----


def decider_of(record: Record) -> str:
    """Who decided, named once: the actor, their agency, and the body they decided for."""
    names = dict.fromkeys(x for x in (record.actor, record.agency) if x)  # each name once
    who = ", ".join(names) or _("(decider not recorded)")
    if record.on_behalf_of and record.on_behalf_of != record.agency:
        who += " " + _("for {body}").format(body=record.on_behalf_of)
    return who


def decisions_layout(
    case: str,
    views: Sequence[Decision],
    records: Sequence[Record] = (),
    *,
    ledger_state: LedgerState | None = None,
) -> Layout:
    """One lane per decider, decisions in time: each with its result in words, its stated
    basis, what was known then, what was outstanding, and what existed elsewhere."""
    by_seq = {r.seq: r for r in records}
    owner = case_owner(list(records)) if records else None
    unit = granularity([v.decision for v in views], coarse=True)
    items: list[Item] = []
    links: list[Link] = []
    for view in views:
        d = view.decision
        lane = decider_of(d)
        key = bucket(d.occurred.start, unit)
        lines = [_escape(entry_head(d)), short(type_term(d.spec), 34, 2)]
        if outcome := outcome_words(d):
            lines.append(short("→ " + outcome, 34, 2))
        basis = [
            f"#{seq} {type_term(by_seq[seq].spec)}" if seq in by_seq else f"#{seq}"
            for seq in view.basis
        ]
        if basis:
            lines.append(short(_("basis: {refs}").format(refs="; ".join(basis)), 34, 2))
        lines.append(
            _escape(
                _("known: {known} · possibly: {possibly}").format(
                    known=len(view.known_at_decision),
                    possibly=len(view.possibly_known_at_decision),
                )
            )
        )
        if view.later:
            # What came after and refers to it (an appeal, a ruling, a correction, a
            # judgement): learned later, never known when it was decided.
            lines.append(
                short(
                    _("later: {entries}").format(entries=seq_ranges(r.seq for r in view.later)),
                    34,
                    1,
                )
            )
        for pending in view.pending_requests:
            request = pending.request
            status = (
                _("answer possibly arrived") if pending.answered == "possibly" else _("unanswered")
            )
            lines.append(
                short(
                    _("outstanding: #{seq} to {whom}, {status}").format(
                        seq=request.seq,
                        whom=request.fields.get("counterparty") or "?",
                        status=status,
                    ),
                    34,
                    2,
                )
            )
        style = node_style(d)
        items.append(
            Item(
                f"d{d.seq}",
                lane,
                key,
                {
                    "shape": "box",
                    "style": "rounded,filled",
                    "fillcolor": style["fillcolor"],
                    "label": _text("\\n".join(lines)),
                    "tooltip": _escape(d.summary or d.type),
                },
                legend="court" if d.spec.category == "court" else "decision",
                period=wider_period([d], unit),
            )
        )
        if view.hindsight:
            held = [
                short(
                    f"#{h.seq} {h.occurred.display()} {h.agency or '?'}: {type_term(h.spec)}",
                    30,
                    2,
                )
                for h in view.hindsight
            ]
            items.append(
                Item(
                    f"d{d.seq}_h",
                    lane,
                    key,
                    {
                        "shape": "note",
                        "style": "filled",
                        "fillcolor": "#fadbd8",
                        "color": RED,
                        "label": _text(
                            _escape(_("existed elsewhere, not known:")) + "\\n" + "\\n".join(held)
                        ),
                    },
                    legend="held",
                )
            )
            links.append(
                Link(f"d{d.seq}_h", f"d{d.seq}", {"color": RED, "penwidth": "1.6"}, "hindsight")
            )
    lanes = sorted(
        dict.fromkeys(i.lane for i in items),
        key=lambda lane: lane_rank(
            next(v.decision.agency or "" for v in views if decider_of(v.decision) == lane), owner
        ),
    )
    legend = (
        LegendRow(
            "decision",
            _("decision"),
            {"shape": "box", "style": "rounded,filled", "fillcolor": "#d6e6fb", "height": "0.3"},
        ),
        LegendRow(
            "court",
            _("court's decision"),
            {"shape": "box", "style": "rounded,filled", "fillcolor": "#e4dcf5", "height": "0.3"},
        ),
        LegendRow(
            "held",
            _("existed elsewhere, not yet known"),
            {
                "shape": "note",
                "style": "filled",
                "fillcolor": "#fadbd8",
                "color": RED,
                "height": "0.3",
            },
        ),
        LegendRow("hindsight", _("missing from the decision"), {"color": RED}, True),
    )
    return Layout(
        name=f"decisions_{_ident(case)}",
        title=_("{case} — what did they know when they decided?").format(case=case),
        unit=unit,
        items=tuple(items),
        lanes=tuple(lanes),
        lane_labels={},
        links=tuple(links),
        legend=legend,
        caption=ledger_state.caption() if ledger_state is not None else (),
    )


def decisions_pages(
    case: str,
    views: Sequence[Decision],
    records: Sequence[Record] = (),
    *,
    paper: Paper | None = None,
    ledger_state: LedgerState | None = None,
) -> list[graphviz.Digraph]:
    return paginate(decisions_layout(case, views, records, ledger_state=ledger_state), paper)


def decisions_graph(
    case: str,
    views: Sequence[Decision],
    records: Sequence[Record] = (),
    *,
    ledger_state: LedgerState | None = None,
) -> graphviz.Digraph:
    return decisions_pages(case, views, records, ledger_state=ledger_state)[0]


def render(graph: graphviz.Digraph, fmt: str) -> bytes:
    """Run `dot`; raise `DotMissing` when the program is not installed."""
    # (measuring pages needs `dot` too; without it `paginate` gives one natural page)
    try:
        # quiet: dot 2.43 warns of an unknown arrow type on edges with ports inside a rank,
        # and draws them right.
        return graph.pipe(format=fmt, quiet=True)
    except graphviz.ExecutableNotFound as missing:
        raise DotMissing(str(missing)) from None


def render_dot(source: str, fmt: str, *, dpi: int | None = None) -> bytes:
    """Draw a page kept as DOT text (a report keeps its diagrams so); `dpi` sets the
    resolution of a raster format. Raise `DotMissing` when `dot` is not installed."""
    graph = graphviz.Source(source)
    if dpi is not None:
        # A graph attribute set before the page's own: the first line opens the graph.
        head, _sep, rest = source.partition("{")
        graph = graphviz.Source(f"{head}{{\n\tdpi={int(dpi)}{rest}")
    try:
        return graph.pipe(format=fmt, quiet=True)
    except graphviz.ExecutableNotFound as missing:
        raise DotMissing(str(missing)) from None


def render_pages(pages: Sequence[graphviz.Digraph], fmt: str) -> list[bytes]:
    return [render(page, fmt) for page in pages]


def _ident(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text)


# ---- the cause diagram (händelseanalys) ----

# Barriers: green when they held, red when they failed or were missing.
BARRIER_FILL = {"held": "#d5f0d5", "failed": "#f8d0cc", "missing": "#f8d0cc"}
MEASURE_FILL = "#e3ecfa"
CAUSE_FILL = "#fff2cc"


def cause_graph(analysis: Analysis, ledger_state: LedgerState | None = None) -> graphviz.Digraph:
    """The fishbone of a händelseanalys, laid out left to right: the timeline entries the
    analysis explains (in time order), the causes and barriers on one bone per cause area,
    the bones meeting at the event analysed, and the measures with the causes they address.

    Every text comes from entries and is escaped, never DOT or HTML."""
    from projections.codes import code_words

    graph = graphviz.Digraph(name=f"causes_{_ident(analysis.case)}")
    title = _("{case}: causes and measures (händelseanalys)").format(case=analysis.case)
    caption = [
        _(
            "Dashed lines: a cause or barrier explains the timeline entry. "
            "Blue arrows: a measure addresses the cause."
        )
    ]
    if ledger_state is not None:
        caption += list(ledger_state.caption())
    graph.attr(
        rankdir="LR",
        newrank="true",
        compound="true",
        nodesep="0.15",
        ranksep="0.5",
        labelloc="t",
        labeljust="l",
        fontname=FONT,
        fontsize="11",
        label=_text("\\n".join(_escape(line) for line in (title, *caption))),
    )
    graph.attr("node", fontname=FONT, fontsize=str(TEXT_PT), margin="0.08,0.04")
    graph.attr("edge", **EDGE_DEFAULTS)

    def head(record: Record, words: str) -> str:
        return _escape(f"#{record.seq} · {record.occurred.display()} · {words}")

    # The timeline column: what the causes explain, oldest at the top.
    with graph.subgraph(name="cluster_timeline") as lane:
        lane.attr(label=_escape(_("Timeline")), style="rounded", color="#999999")
        # One column (one rank); dot orders it to keep the lines to the causes short, so
        # each entry carries its own date.
        lane.attr(rank="same")
        for record in analysis.explained:
            lane.node(
                f"e{record.seq}",
                _text("\\n".join([head(record, type_term(record.spec)), short(record.summary)])),
                **node_style(record),
            )

    event = "event"
    graph.node(
        event,
        _text(_escape(_("The event analysed")) + "\\n" + _escape(analysis.case)),
        shape="box",
        style="filled,bold",
        fillcolor="#f4f4f4",
        penwidth="2",
    )
    bones = [(area, causes, barriers) for area, causes, barriers in analysis.by_area()]
    bones = [bone for bone in bones if bone[1] or bone[2]]
    if not bones:
        graph.node("none", _escape(_("no causes recorded")), shape="plaintext")
        graph.edge("none", event, style="invis")
    for area, causes, barriers in bones:
        cluster = f"cluster_area_{_ident(area)}"
        with graph.subgraph(name=cluster) as bone:
            bone.attr(
                label=_escape(code_words("area", area).capitalize()),
                style="rounded",
                color="#7f6000",
                fontsize="11",
            )
            for cause in causes:
                bone.node(
                    f"e{cause.seq}",
                    _text(
                        "\\n".join(
                            [
                                head(cause, code_words("kind", cause.fields.get("kind"))),
                                short(_plain(cause.fields.get("description")), 30, 4),
                            ]
                        )
                    ),
                    shape="box",
                    style="filled",
                    fillcolor=CAUSE_FILL,
                )
            for barrier in barriers:
                state = str(barrier.fields.get("state"))
                bone.node(
                    f"e{barrier.seq}",
                    _text(
                        "\\n".join(
                            [
                                head(
                                    barrier,
                                    _("barrier {state}").format(state=code_words("state", state)),
                                ),
                                short(_plain(barrier.fields.get("barrier")), 30, 3),
                            ]
                        )
                    ),
                    shape="octagon",
                    style="filled",
                    fillcolor=BARRIER_FILL.get(state, "#ffffff"),
                )
        first = (causes or barriers)[0]
        graph.edge(f"e{first.seq}", event, ltail=cluster, penwidth="2", color="#7f6000")
    shown = set(analysis.records) & {
        r.seq for r in (*analysis.explained, *analysis.causes, *analysis.barriers)
    }
    for record in (*analysis.causes, *analysis.barriers):
        for seq in record.refs("explains") + record.refs("concerns"):
            if seq in shown:
                graph.edge(f"e{seq}", f"e{record.seq}", style="dashed", arrowhead="none")

    with graph.subgraph(name="cluster_measures") as lane:
        lane.attr(label=_escape(_("Measures")), style="rounded", color="#3465a4")
        for measure in analysis.measures:
            decided = measure.decided
            due = measure.due.display() if measure.due is not None else _("not documented")
            lines = [
                head(decided, _("measure")),
                short(_plain(decided.fields.get("measure")), 30, 3),
                _escape(_("owner: {owner}").format(owner=_plain(decided.fields.get("owner")))),
                _escape(_("due: {due}").format(due=due)),
                _escape(_("status: {status}").format(status=code_words("status", measure.status))),
            ]
            lane.node(
                f"e{decided.seq}",
                _text("\\n".join(lines)),
                shape="box",
                style="filled,rounded",
                fillcolor=MEASURE_FILL,
            )
    for measure in analysis.measures:
        graph.edge(event, f"e{measure.decided.seq}", style="invis")
        for seq in measure.decided.refs("addresses"):
            if seq in shown:
                graph.edge(
                    f"e{seq}", f"e{measure.decided.seq}", color="#3465a4", constraint="false"
                )
    return graph


def _plain(value: object) -> str:
    """A field's text for a diagram; a detail the records do not give says so."""
    if value is None or value == "not_documented":
        return _("not documented")
    return str(value)
