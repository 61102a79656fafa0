"""Graphviz diagrams for investigations: the case timeline and the "what did they know" page.

The layout is left to right in time. Time is a row of tick nodes, one per period that has
entries (days, weeks or months, chosen by the span), so empty stretches are compressed and
marked with how long they were. Every agency is a lane (a cluster) in a stable order: the
case-owning social services first, then courts, health, school, police, the family,
oversight. `rank=same` groups tie each period's entries to its tick; invisible weighted edges
keep each lane straight; cross-lane edges carry `constraint=false` so the story's edges
(basis, hindsight, replies, corrections, appeals) never bend the time axis.

The DOT text is deterministic: the same ledger gives the same bytes.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import graphviz

from ledger.timeparse import STOCKHOLM, Moment, known_state
from projections.corrections import CORRECTION_TYPES, as_known
from projections.decisions import Decision, outcome_of
from projections.language import _
from projections.ordering import chronological
from projections.phrases import point_phrase
from projections.records import Record, case_owner

FONT = "Helvetica"
GREY_FILL, GREY_TEXT = "#eeeeee", "#9a9a9a"
RED = "#c0392b"

# Shape and fill by vocabulary category; decisions are diamonds whatever their category.
STYLE_BY_CATEGORY: dict[str, tuple[str, str]] = {
    "admin": ("box", "#f4f4f4"),
    "report": ("note", "#fde9c9"),
    "assessment": ("hexagon", "#fff7c2"),
    "decision": ("diamond", "#d6e6fb"),
    "information": ("component", "#e3f1e0"),
    "contact": ("ellipse", "#f4f4f4"),
    "court": ("box3d", "#e4dcf5"),
    "placement": ("house", "#dcefff"),
    "plan": ("parallelogram", "#eaf4ff"),
    "move": ("cds", "#ffd9b3"),
    "followup": ("box", "#e8f8f5"),
    "incident": ("octagon", "#f5b7b1"),
    "review": ("tab", "#ebdef0"),
    "oversight": ("doubleoctagon", "#ebdef0"),
    "note": ("box", "#ffffff"),
    "correction": ("box", "#ffffff"),
}
MINOR_CATEGORIES = frozenset({"note", "contact", "admin"})
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
    for index, (_code, words) in enumerate(LANE_ORDER, start=1):
        if any(word in lowered for word in words):
            return (index, agency)
    return (len(LANE_ORDER) + 1, agency)


def granularity(records: Sequence[Record]) -> str:
    if not records:
        return "day"
    span = max(r.occurred.start for r in records) - min(r.occurred.start for r in records)
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
    return (local.year, local.month)


def bucket_label(key: tuple[int, ...], unit: str) -> str:
    if unit == "day":
        return f"{key[0]}-{key[1]:02d}-{key[2]:02d}"
    if unit == "week":
        return f"{key[0]} v.{key[1]:02d}"
    return f"{key[0]}-{key[1]:02d}"


def bucket_distance(a: tuple[int, ...], b: tuple[int, ...], unit: str) -> int:
    """How many periods lie strictly between two buckets (for the "gap" marks)."""
    if unit == "month":
        return (b[0] * 12 + b[1]) - (a[0] * 12 + a[1]) - 1
    if unit == "week":
        start_a = datetime.fromisocalendar(a[0], a[1], 1)
        start_b = datetime.fromisocalendar(b[0], b[1], 1)
        return (start_b - start_a).days // 7 - 1
    return (datetime(*b) - datetime(*a)).days - 1  # type: ignore[misc]


def gap_text(periods: int, unit: str) -> str:
    names = {"day": ("day", "days"), "week": ("week", "weeks"), "month": ("month", "months")}
    singular, plural = names[unit]
    if unit == "month" and periods >= 24:
        return f"{periods // 12} years"
    return f"{periods} {singular if periods == 1 else plural}"


def short(text: str | None, width: int = 28, lines: int = 3) -> str:
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


def node_label(record: Record, extra: str = "") -> str:
    head = f"#{record.seq} {record.occurred.display()}"
    if not record.known_assumed and record.known.text != record.occurred.text:
        head += f" (known {record.known.display()})"
    parts = [_escape(head), _escape(record.spec.swedish[:34]), short(record.headline)]
    if extra:
        parts.append(_escape(extra))
    return _text("\\n".join(p for p in parts if p))


def node_style(record: Record) -> dict[str, str]:
    shape, fill = STYLE_BY_CATEGORY.get(record.spec.category, ("box", "#ffffff"))
    if record.is_decision:
        shape = "diamond"
        fill = "#d6e6fb" if record.spec.category != "court" else "#e4dcf5"
    style = "filled"
    if record.spec.category == "correction":
        style = "filled,dashed"
    if record.retracted_by is not None:
        style = "filled,dashed"
        fill = GREY_FILL
    return {"shape": shape, "fillcolor": fill, "style": style}


@dataclass(frozen=True, slots=True)
class Group:
    """One node of the diagram: an entry, or a run of minor entries collapsed into one."""

    node_id: str
    records: tuple[Record, ...]
    lane: str
    bucket: tuple[int, ...]


def timeline_graph(
    case: str,
    records: Iterable[Record],
    *,
    as_known_at: Moment | None = None,
    window: Window = Window(),
    decisions: Sequence[Decision] = (),
    title_suffix: str = "",
) -> graphviz.Digraph:
    """The case timeline as a Graphviz graph (see the module docstring for the layout);
    `as_known_at` is the point as the user gave it (`parse_point_moment`)."""
    point = as_known_at
    at = point.end if point is not None else None
    everything = chronological(as_known(records, at))
    shown = [r for r in everything if window.admits(r)]
    owner = case_owner(everything)
    unit = granularity(shown)
    groups = _groups(shown, unit, collapse=len(shown) > COLLAPSE_ABOVE)
    node_of = {r.seq: g.node_id for g in groups for r in g.records}

    graph = graphviz.Digraph(name=f"timeline_{_ident(case)}")
    title = _("{case} — timeline").format(case=case) + (f" {title_suffix}" if title_suffix else "")
    if point is not None:
        title += " · " + _("as known at {point}").format(point=point_phrase(point))
    graph.attr(
        rankdir="LR",
        newrank="true",
        nodesep="0.25",
        ranksep="0.35",
        labelloc="t",
        fontname=FONT,
        fontsize="18",
        label=_escape(title),
        compound="true",
        # Straight edges: dot's spline routers lose flat edges inside clusters ("spline",
        # "polyline") or take minutes on a few hundred entries ("curved").
        splines="line",
    )
    graph.attr("node", fontname=FONT, fontsize="10", margin="0.08,0.04")
    graph.attr("edge", fontname=FONT, fontsize="9", arrowsize="0.6")

    buckets = sorted({g.bucket for g in groups})
    tick_id = {key: f"t{i}" for i, key in enumerate(buckets)}
    axis: list[tuple[str, str, dict[str, str]]] = []
    previous = None
    for key in buckets:
        label = bucket_label(key, unit)
        if previous is not None and (gap := bucket_distance(previous, key, unit)) > 0:
            label = f"⋯ {gap_text(gap, unit)} ⋯\\n{label}"
        axis.append((tick_id[key], label, {}))
        previous = key
    if at is not None and point is not None:
        # The cut gets a rank of its own right after the period that contains T.
        cut_key = _cut_bucket(at, unit)
        position = sum(1 for key in buckets if key <= cut_key)
        label = _("known at") + "\\n" + point_phrase(point)
        axis.insert(position, ("t_cut", label, {"fontcolor": RED, "fontsize": "12"}))
    with graph.subgraph(name="cluster_axis") as axis_graph:
        axis_graph.attr(label="time", style="invis")
        for node_id, label, extra in axis:
            axis_graph.node(node_id, label, **({"shape": "plaintext", "fontsize": "11"} | extra))
        for (first, _l1, _x1), (second, _l2, _x2) in itertools.pairwise(axis):
            axis_graph.edge(first, second, style="invis", weight="100")

    lanes = sorted({g.lane for g in groups}, key=lambda lane: lane_rank(lane, owner))
    for index, lane in enumerate(lanes):
        members = [g for g in groups if g.lane == lane]
        with graph.subgraph(name=f"cluster_lane{index}") as sub:
            sub.attr(
                label=_escape(lane),
                labeljust="l",
                style="rounded,filled",
                fillcolor="#f7f7f7" if index % 2 else "#ffffff",
                color="#cccccc",
                fontsize="12",
            )
            # An invisible anchor at the left edge of every lane (see "lanes" below).
            sub.node(f"lane{index}", "", shape="point", style="invis", width="0")
            for group in members:
                sub.node(group.node_id, **_group_attrs(group, at))
            chain = [f"lane{index}", *(g.node_id for g in members)]
            for first, second in itertools.pairwise(chain):
                sub.edge(first, second, style="invis", weight="10")
            if at is not None:
                sub.node(f"cut{index}", "", shape="point", width="0.03", color=RED)

    # Lanes keep their order because one invisible node points at every lane's anchor with
    # ordering=out; flat edges alone do not survive dot's reordering of clusters.
    graph.node("lanes", "", shape="point", style="invis", width="0", ordering="out")
    with graph.subgraph() as anchors:
        anchors.attr(rank="same")
        anchors.node("t_start", "", shape="point", style="invis", width="0")
        for index in range(len(lanes)):
            anchors.node(f"lane{index}")
        anchors.node("legend", _legend_label(at is not None), shape="plaintext")
    for target in ("t_start", *(f"lane{i}" for i in range(len(lanes))), "legend"):
        graph.edge("lanes", target, style="invis")
    if axis:
        graph.edge("t_start", axis[0][0], style="invis", weight="100")

    for key in buckets:
        with graph.subgraph() as same:
            same.attr(rank="same")
            same.node(tick_id[key])
            for group in groups:
                if group.bucket == key:
                    same.node(group.node_id)
    if at is not None:
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

    _story_edges(graph, shown, node_of, decisions)
    return graph


def _cut_bucket(at: datetime, unit: str) -> tuple[int, ...]:
    # The point means "the end of that period"; the last instant before it is inside it.
    return bucket(at - timedelta(microseconds=1), unit)


def _groups(records: Sequence[Record], unit: str, *, collapse: bool) -> list[Group]:
    groups: list[Group] = []
    placed: dict[int, tuple[int, ...]] = {}
    for record in records:
        lane = record.agency or "(agency not recorded)"
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


def _group_attrs(group: Group, as_known_at: datetime | None) -> dict[str, str]:
    if len(group.records) > 1:
        first, last = group.records[0], group.records[-1]
        label = (
            f"{len(group.records)} minor entries\\n#{first.seq}–#{last.seq}\\n"
            f"{first.occurred.display()} – {last.occurred.display()}"
        )
        attrs = {"shape": "folder", "fillcolor": "#f4f4f4", "style": "filled", "label": label}
        record = first
    else:
        record = group.records[0]
        extra = ""
        if record.retracted_by is not None:
            extra = f"retracted by #{record.retracted_by}"
        elif record.corrected_by:
            extra = "corrected by " + ", ".join(f"#{s}" for s in record.corrected_by)
        attrs = node_style(record) | {"label": node_label(record, extra)}
    if as_known_at is not None:
        state = known_state(record.known, as_known_at)
        if state == "unknown":
            attrs.update(fillcolor=GREY_FILL, fontcolor=GREY_TEXT, color=GREY_TEXT)
        elif state == "possibly":
            attrs.update(
                style=attrs["style"] + ",dashed", label=attrs["label"] + "\\n(possibly known)"
            )
    attrs["label"] = _text(attrs["label"])
    attrs["tooltip"] = _escape(record.headline or record.type)
    return attrs


def _story_edges(
    graph: graphviz.Digraph,
    records: Sequence[Record],
    node_of: dict[int, str],
    decisions: Sequence[Decision],
) -> None:
    drawn: set[tuple[str, str, str]] = set()

    def edge(tail: int, head: int, kind: str, **attrs: str) -> None:
        if tail not in node_of or head not in node_of or node_of[tail] == node_of[head]:
            return
        key = (node_of[tail], node_of[head], kind)
        if key in drawn:
            return
        drawn.add(key)
        graph.edge(node_of[tail], node_of[head], constraint="false", **attrs)

    for record in records:
        if record.is_decision:
            for seq in record.basis:
                edge(record.seq, seq, "basis", style="dashed", color="#2e6fbf")
        fields = record.fields
        if record.type == "InformationReceived" and isinstance(fields.get("in_reply_to"), int):
            edge(record.seq, fields["in_reply_to"], "reply", color="#2e8b57", xlabel="answers")
        if record.type in CORRECTION_TYPES and isinstance(fields.get("target"), int):
            verb = "retracts" if record.type == "EntryRetracted" else "corrects"
            edge(
                record.seq,
                fields["target"],
                "correction",
                color="#777777",
                style="dotted",
                xlabel=verb,
            )
        if record.type in ("AppealDecided", "AppealLodged") and isinstance(
            fields.get("appealed"), int
        ):
            edge(record.seq, fields["appealed"], "appeal", color="#6c3483", xlabel="on appeal")
    for view in decisions:
        for missing in view.hindsight:
            edge(
                missing.seq,
                view.decision.seq,
                "hindsight",
                color=RED,
                penwidth="1.6",
                xlabel=f"not known at #{view.decision.seq}",
                fontcolor=RED,
            )


LEGEND_SHAPES = (
    ("decision", "#d6e6fb", "diamond"),
    ("report of concern", "#fde9c9", "note"),
    ("assessment", "#fff7c2", "hexagon"),
    ("information", "#e3f1e0", "component"),
    ("court", "#e4dcf5", "box3d"),
    ("move", "#ffd9b3", "arrow"),
    ("incident", "#f5b7b1", "octagon"),
    ("review / oversight", "#ebdef0", "tab, octagon"),
)
LEGEND_EDGES = (
    ("stated basis", "#2e6fbf", "dashed"),
    ("hindsight gap: existed, not yet known", RED, "red"),
    ("answers / on appeal", "#2e8b57", "green / purple"),
    ("correction / retraction", "#777777", "dotted"),
)


def _legend_label(with_cut: bool) -> str:
    rows = ['<TR><TD COLSPAN="2"><B>legend</B></TD></TR>']
    for text, fill, shape in LEGEND_SHAPES:
        rows.append(f'<TR><TD BGCOLOR="{fill}">{shape}</TD><TD ALIGN="LEFT">{text}</TD></TR>')
    for text, color, style in LEGEND_EDGES:
        rows.append(
            f'<TR><TD><FONT COLOR="{color}">{style} →</FONT></TD><TD ALIGN="LEFT">{text}</TD></TR>'
        )
    if with_cut:
        rows.append(
            f'<TR><TD BGCOLOR="{GREY_FILL}">grey</TD><TD ALIGN="LEFT">not yet known at the cut'
            f'</TD></TR><TR><TD>dashed</TD><TD ALIGN="LEFT">possibly known</TD></TR>'
            f'<TR><TD><FONT COLOR="{RED}">red line</FONT></TD><TD ALIGN="LEFT">the cut</TD></TR>'
        )
    return (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">'
        + "".join(rows)
        + "</TABLE>>"
    )


def decisions_graph(
    case: str, views: Sequence[Decision], records: Sequence[Record] = ()
) -> graphviz.Digraph:
    """One row per decision: its stated basis, what was pending and what was held elsewhere."""
    by_seq = {r.seq: r for r in records}
    graph = graphviz.Digraph(name=f"decisions_{_ident(case)}")
    graph.attr(
        rankdir="LR",
        labelloc="t",
        fontname=FONT,
        fontsize="18",
        nodesep="0.2",
        label=_escape(f"{case} — what did they know when they decided?"),
    )
    graph.attr("node", fontname=FONT, fontsize="10")
    graph.attr("edge", fontname=FONT, fontsize="9", arrowsize="0.6")
    # dot stacks unconnected clusters last-first; feeding them in reverse reads top-down in time.
    for view in reversed(views):
        d = view.decision
        prefix = f"d{d.seq}"
        with graph.subgraph(name=f"cluster_{prefix}") as sub:
            decider = ", ".join(x for x in (d.actor, d.agency) if x)
            if d.on_behalf_of:
                decider += f" for {d.on_behalf_of}"
            sub.attr(
                label=_escape(f"#{d.seq} {d.occurred.display()} · {decider}"),
                labeljust="l",
                style="rounded",
                color="#bbbbbb",
                fontsize="11",
            )
            words = outcome_of(view.decision, human=True)
            outcome = f"\\n→ {_escape(words)}" if words else ""
            sub.node(prefix, node_label(d) + outcome, **node_style(d))
            for seq in view.basis:
                basis = by_seq.get(seq)
                text = f"#{seq} stated basis"
                if basis is not None:
                    text = _escape(f"#{seq} {basis.ref or ''} {basis.occurred.display()}")
                    text += "\\n" + _escape(basis.spec.swedish[:32])
                sub.node(
                    f"{prefix}_b{seq}",
                    text,
                    shape="box",
                    style="filled",
                    fillcolor="#eef4fc",
                    fontsize="9",
                )
                sub.edge(f"{prefix}_b{seq}", prefix, style="dashed", color="#2e6fbf")
            summary = f"known then: {len(view.known_at_decision)} entries" + (
                f"\\npossibly known: {len(view.possibly_known_at_decision)}"
                if view.possibly_known_at_decision
                else ""
            )
            sub.node(f"{prefix}_known", summary, shape="plaintext", fontsize="9")
            sub.edge(f"{prefix}_known", prefix, style="invis")
            for pending in view.pending_requests:
                r = pending.request
                status = (
                    "answer possibly arrived" if pending.answered == "possibly" else "unanswered"
                )
                sub.node(
                    f"{prefix}_p{r.seq}",
                    _escape(f"#{r.seq} request to {r.fields.get('counterparty')}") + "\\n" + status,
                    shape="component",
                    style="filled",
                    fillcolor="#fdebd0",
                    fontsize="9",
                )
                sub.edge(
                    f"{prefix}_p{r.seq}",
                    prefix,
                    color="#e67e22",
                    style="dotted",
                    label="outstanding",
                )
            for held in view.hindsight:
                sub.node(
                    f"{prefix}_h{held.seq}",
                    node_label(held),
                    shape="box",
                    style="filled",
                    fillcolor="#fadbd8",
                    color=RED,
                    fontsize="9",
                )
                sub.edge(
                    f"{prefix}_h{held.seq}",
                    prefix,
                    color=RED,
                    label=_escape(f"held by {held.agency or '?'}"),
                    fontcolor=RED,
                )
            for later in view.later:
                sub.node(
                    f"{prefix}_l{later.seq}",
                    _escape(f"later #{later.seq} {later.occurred.display()}") + "\\n" + later.type,
                    shape="box",
                    style="rounded",
                    fontsize="9",
                    color="#888888",
                )
                sub.edge(prefix, f"{prefix}_l{later.seq}", color="#888888")
    return graph


def render(graph: graphviz.Digraph, fmt: str) -> bytes:
    """Run `dot`; raise `DotMissing` when the program is not installed."""
    try:
        return graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound as missing:
        raise DotMissing(str(missing)) from None


def _ident(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text)
