"""Hostile text in diagrams: whatever an entry says, it reaches Graphviz as inert text.

The attacks are the ones an entry's author can make through the import file: a `summary`
shaped like a DOT HTML string that closes its attribute list and adds statements (a forged
green "child safe" node), an `agency` shaped like an HTML-like label carrying a
`javascript:` link and an `<IMG SRC>` of a file on the machine that renders, and malformed
`<x>` text that used to stop `dot`. Every diagram format is rendered from one case that
carries a corpus of such strings.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from ledger.timeparse import parse_point_moment
from projections.decisions import decisions
from projections.diagram import decisions_graph, render, timeline_graph

from .test_knowledge import record

pytestmark = pytest.mark.skipif(
    shutil.which("dot") is None, reason="the Graphviz program `dot` is not installed"
)

FORGED_SUMMARY = (
    "<x> ]; forged [label=<child safe> shape=diamond style=filled fillcolor=green]; "
    "e1 -> forged [color=green]; y [tooltip=<y>"
)


def hostile_agency(image: Path) -> str:
    return (
        "<<TABLE><TR><TD HREF='javascript:alert(1)'>click</TD></TR>"
        f"<TR><TD><IMG SRC='{image}'/></TD></TR></TABLE>>"
    )


# Quotes, <>, &, backslashes (an odd number at the end too), escString sequences, DOT
# keywords and punctuation, newlines, XML/SVG markup, and one long string.
CORPUS = [
    '"',
    'a "quoted" word',
    "\\",
    "ends in a backslash \\",
    'backslash quote \\" and \\\\"',
    "\\N \\G \\E \\T \\H \\L \\l \\r \\n",
    "<x>",
    "<",
    ">",
    "<<B>bold</B>>",
    "a & b &amp; &lt;c&gt; &#x3C;",
    "node",
    "strict digraph { a -> b }",
    "subgraph cluster_x { label=evil }",
    "} ]; [ { -- -> ; , =",
    "line one\nline two\r\nline three",
    "<!-- comment --> <![CDATA[ x ]]> <?xml version='1.0'?>",
    "<script>alert(1)</script>",
    "<a xlink:href='javascript:alert(1)'>x</a> url(http://example.org/x)",
    "javascript:alert(1)",
    "%s %d {0} $(id)",
    "x" * 20_000,  # the longest text the ledger stores; 100 kB goes in below, in memory
]


def corpus_case(image: Path) -> list[dict]:
    """A case whose texts are all hostile: summaries, agencies, actors, the deciding body."""
    home = "Socialtjänsten X"
    lines: list[dict] = [
        {
            "case": "H-1",
            "ref": "open",
            "type": "CaseOpened",
            "occurred": "2019-11-01",
            "agency": home,
            "child": "c",
            "municipality": "X",
            "summary": FORGED_SUMMARY,
        },
        {
            "case": "H-1",
            "ref": "report",
            "type": "ConcernReportReceived",
            "occurred": "2019-11-02",
            "agency": home,
            "reporter_category": "bvc",
            "concern": "c",
            "summary": "<x>",
        },
        {
            "case": "H-1",
            "ref": "request",
            "type": "InformationRequested",
            "occurred": "2019-11-03",
            "agency": home,
            "counterparty": "BVC",
            "legal_ground": "consent",
            "topic": "<x>",
            "summary": "<<I>request</I>>",
        },
        {
            "case": "H-1",
            "ref": "held",
            "type": "ObservationRecorded",
            "occurred": "2019-11-04",
            "known": "2019-12-20",
            "agency": hostile_agency(image),
            "observed_by": "BVC",
            "observation": "o",
            "summary": "<y>",
        },
    ]
    for index, text in enumerate(CORPUS):
        lines.append(
            {
                "case": "H-1",
                "ref": f"note-{index}",
                "type": "NoteRecorded",
                "occurred": f"2019-11-{5 + index % 20:02d}",
                "agency": text if len(text) < 1000 else home,
                "actor": text,
                "text": "t",
                "summary": text,
            }
        )
    lines.append(
        {
            "case": "H-1",
            "ref": "pa",
            "type": "ProtectionAssessmentMade",
            "occurred": "2019-12-01",
            "agency": "<x>",
            "actor": "<<B>x</B>>",
            "on_behalf_of": "<y> ]; z [",
            "report": "@report",
            "immediate_protection_needed": False,
            "basis": ["@report"],
            "summary": "<b>no</b> \\",
        }
    )
    return lines


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("hostile-diagram")
    image = tmp / "secret.png"
    # A real PNG the hostile label asks `dot` to embed: made by `dot` itself.
    subprocess.run(["dot", "-Tpng", "-o", str(image)], input=b"digraph { secret }", check=True)
    lines = corpus_case(image)
    source = tmp / "hostile.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    db = tmp / "h.db"
    done = CliRunner().invoke(cli, ["--db", str(db), "--user", "t", "import", "-q", str(source)])
    assert done.exit_code == 0, done.output
    return db, image


def run(db: Path, *args: str) -> str:
    done = CliRunner().invoke(cli, ["--db", str(db), "--user", "t", *args])
    assert done.exit_code == 0, done.output
    return done.stdout


def layout(dot_source: str) -> dict:
    """What `dot` makes of the DOT text: its nodes, clusters and their attributes (of every
    page, when the diagram has several)."""
    merged: dict = {"objects": [], "edges": []}
    for index, page in enumerate(dot_source.split("\ndigraph ")):
        done = subprocess.run(
            ["dot", "-Tjson0"],
            input=(page if index == 0 else "digraph " + page).encode(),
            capture_output=True,
            check=True,
        )
        graph = json.loads(done.stdout)
        merged["objects"] += graph.get("objects", [])
        merged["edges"] += graph.get("edges", [])
    return merged


def test_a_summary_cannot_add_dot_statements(hostile_db: tuple[Path, Path]) -> None:
    db, _ = hostile_db
    graph = layout(run(db, "timeline", "H-1", "--format", "dot"))
    names = {obj["name"] for obj in graph["objects"]}
    assert "forged" not in names and "y" not in names
    first = next(obj for obj in graph["objects"] if obj["name"] == "e1")
    assert first["tooltip"] == FORGED_SUMMARY  # the text itself, inert
    assert not any(edge.get("color") == "green" for edge in graph.get("edges", []))


def test_an_agency_never_becomes_an_html_label(hostile_db: tuple[Path, Path]) -> None:
    db, _image = hostile_db
    for command in ("timeline", "decisions"):
        source = run(db, command, "H-1", "--format", "dot")
        graph = layout(source)
        labels = [x.get("label", "") for x in graph["objects"] + graph.get("edges", [])]
        # shown as text (the decisions diagram wraps it inside a note of what was held)
        assert any("<<TABLE><TR><TD" in label for label in labels)
        # Outside quoted strings, only the legend (the program's own table) is HTML-like,
        # and no attribute is a link.
        bare = re.sub(r'"(?:\\.|[^"\\])*"', '""', source)
        # one legend of line styles per page
        assert bare.count("=<") == bare.count("lg_lines [label=<")
        assert not re.search(r"\b(URL|href|tailURL|headURL|labelURL|edgeURL)=", bare)


@pytest.mark.parametrize("command", ["timeline", "decisions"])
@pytest.mark.parametrize("fmt", ["dot", "svg", "png", "pdf"])
def test_the_hostile_corpus_renders_in_every_format(
    hostile_db: tuple[Path, Path], tmp_path: Path, command: str, fmt: str
) -> None:
    db, image = hostile_db
    out = tmp_path / f"h.{fmt}"
    extra = ["--as-known-at", "2019-12-01"] if command == "timeline" else []
    done = CliRunner().invoke(
        cli,
        ["--db", str(db), "--user", "t", command, "H-1", *extra, "--format", fmt, "-o", str(out)],
    )
    assert done.exit_code == 0, done.output
    # Several pages go to h-1.svg, h-2.svg, ...; each is checked.
    pages = [out] if out.exists() else sorted(tmp_path.glob(f"h-*.{fmt}"))
    assert pages
    for page in pages:
        check_rendered(page.read_bytes(), fmt, image)


def check_rendered(data: bytes, fmt: str, image: Path) -> None:
    if fmt == "png":
        assert data.startswith(b"\x89PNG")
    elif fmt == "pdf":
        assert data.startswith(b"%PDF")
    elif fmt == "svg":
        text = data.decode()
        root = ET.fromstring(text)  # well-formed XML
        tags = {element.tag.rsplit("}", 1)[-1] for element in root.iter()}
        assert not tags & {"script", "image", "foreignObject", "use", "iframe"}
        for element in root.iter():
            for name, value in element.attrib.items():
                assert not name.endswith("href"), (name, value)
                assert not name.startswith("on"), (name, value)
        # Hostile text may appear as text and as a tooltip (a title), never as a link.
        for element in root.iter():
            for name, value in element.attrib.items():
                if not name.endswith("title"):
                    assert "javascript:" not in value and str(image) not in value, (name, value)


def test_100_kb_texts_render_in_every_format() -> None:
    """Longer than the ledger stores today (an older or foreign store may hold more)."""
    huge = '<a href="javascript:x">' + '\\"<&>' * 25_000 + "</a>"
    records = [
        replace(
            record(
                1,
                "ConcernReportReceived",
                "2019-12-10",
                reporter_category="bvc",
                concern="c",
                agency=huge,
                summary=huge,
            ),
            actor=huge,
        ),
        replace(
            record(
                2,
                "ProtectionAssessmentMade",
                "2019-12-12",
                report=1,
                immediate_protection_needed=False,
                basis=(1,),
                agency=huge,
                summary=huge,
            ),
            actor=huge,
            on_behalf_of=huge,
        ),
    ]
    views = decisions(records)
    for graph in (
        timeline_graph(
            "T-1", records, decisions=views, as_known_at=parse_point_moment("2019-12-11")
        ),
        decisions_graph("T-1", views, records),
    ):
        for fmt in ("svg", "png", "pdf"):
            assert render(graph, fmt)


def test_the_cause_diagram_keeps_hostile_causes_measures_and_barriers_inert(
    tmp_path: Path,
) -> None:
    from projections.analysis import case_analysis
    from projections.diagram import cause_graph

    image = tmp_path / "secret.png"
    subprocess.run(["dot", "-Tpng", "-o", str(image)], input=b"digraph { secret }", check=True)
    hostile = hostile_agency(image)
    records = [
        record(1, "ConcernReportReceived", "2019-12-10", reporter_category="bvc", concern="c"),
        record(
            2,
            "CauseIdentified",
            "2020-02-01",
            area="routines",
            kind="root_cause",
            description=FORGED_SUMMARY,
            explains=[1],
        ),
        record(
            3,
            "BarrierAssessed",
            "2020-02-01",
            barrier=hostile,
            state="failed",
            concerns=[1],
        ),
        record(
            4,
            "MeasureDecided",
            "2020-02-01",
            measure=FORGED_SUMMARY,
            owner=hostile,
            due="2020-06",
            status="planned",
            addresses=[2, 3],
        ),
    ]
    records = [replace(r, summary=text) for r, text in zip(records, CORPUS, strict=False)]
    graph = cause_graph(case_analysis("<x> ]; y [", records))
    laid = layout(graph.source)
    names = {obj["name"] for obj in laid["objects"]}
    assert "forged" not in names and "y" not in names
    assert not any(edge.get("color") == "green" for edge in laid["edges"])
    labels = [obj.get("label", "") for obj in laid["objects"]]
    assert any("<x> ]; forged" in label for label in labels)  # shown as text
    bare = re.sub(r'"(?:\\.|[^"\\])*"', '""', graph.source)
    assert "=<" not in bare
    assert not re.search(r"\b(URL|href|tailURL|headURL|labelURL|edgeURL)=", bare)
    for fmt in ("svg", "png", "pdf"):
        check_rendered(render(graph, fmt), fmt, image)
