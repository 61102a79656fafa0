"""Diagrams: structure (lanes, ranks, edges), determinism, scale and the missing-`dot` path."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from ledger.timeparse import parse_moment, parse_point, parse_point_moment
from projections.decisions import decisions
from projections.diagram import (
    GREY_FILL,
    RED,
    Window,
    decisions_graph,
    lane_rank,
    render,
    timeline_graph,
)
from projections.records import case_owner

from .test_knowledge import record

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
HAS_DOT = shutil.which("dot") is not None


def story() -> list:
    """A small case: a report, a BVC observation that arrives late, a decision without it."""
    return [
        record(
            1,
            "CaseOpened",
            "2019-11-01",
            child="the child",
            municipality="X",
            agency="Socialtjänsten X",
        ),
        record(
            2,
            "ConcernReportReceived",
            "2019-12-10",
            reporter_category="bvc",
            concern="worry",
            agency="Socialtjänsten X",
        ),
        record(
            3,
            "InformationRequested",
            "2019-12-11",
            counterparty="BVC",
            legal_ground="consent",
            topic="health",
            agency="Socialtjänsten X",
        ),
        record(
            4,
            "ObservationRecorded",
            "2019-12-05",
            "2020-01-20",
            observed_by="BVC",
            observation="weight loss",
            agency="BVC",
        ),
        record(
            5,
            "ProtectionAssessmentMade",
            "2019-12-12",
            report=2,
            immediate_protection_needed=False,
            basis=(2,),
            agency="Socialtjänsten X",
        ),
        record(
            6, "InformationReceived", "2020-01-20", counterparty="BVC", in_reply_to=3, agency="BVC"
        ),
        record(
            7,
            "CareOrdered",
            "2020-02-03",
            court="Förvaltningsrätten i X",
            grounds="lvu_2",
            agency="Förvaltningsrätten i X",
        ),
    ]


def source_of(**kwargs) -> str:
    records = story()
    return timeline_graph("T-1", records, decisions=decisions(records), **kwargs).source


def clusters(source: str) -> list[str]:
    found = re.findall(
        r'subgraph cluster_lane\d+ \{\n\t\t[^\n]*\blabel=(?:"([^"]+)"|(\w+))', source
    )
    return [quoted or bare for quoted, bare in found]


def rank_groups(source: str) -> list[set[str]]:
    """The node names of every `rank=same` group."""
    groups = []
    for block in re.findall(r"\{\n\t\trank=same\n(.*?)\n\t\}", source, flags=re.S):
        groups.append({line.split()[0] for line in block.splitlines() if "->" not in line})
    return groups


def test_lanes_put_the_case_owner_first_then_courts_then_health() -> None:
    assert clusters(source_of()) == ["Socialtjänsten X", "Förvaltningsrätten i X", "BVC"]
    assert case_owner(story()) == "Socialtjänsten X"
    assert lane_rank("IVO", None) > lane_rank("BVC", None) > lane_rank("Kammarrätten", None)


def test_each_period_is_one_rank_with_its_tick() -> None:
    source = source_of()
    as_sets = rank_groups(source)
    # 10–12 December 2019 fall in one ISO week, 5 December in the week before.
    assert {"t2", "e2", "e3", "e5"} in as_sets and {"t1", "e4"} in as_sets
    assert any({"t_start", "lane0", "lane1", "lane2"} <= s for s in as_sets)
    assert any({"t_legend", "lg_decision"} <= s for s in as_sets)  # the legend: one column


def test_story_edges_basis_dashed_hindsight_red_reply_green() -> None:
    source = source_of()
    assert re.search(r"e5 -> e2 \[[^]]*style=dashed", source), "decision → stated basis"
    assert re.search(rf'e4 -> e5 \[[^]]*color="{RED}"', source), "hindsight gap → decision"
    assert re.search(r'e6 -> e3 \[[^]]*color="#2e8b57"', source), "reply → request"
    assert "constraint=false" in re.search(r"e5 -> e2 \[[^]]*\]", source).group(0)


def test_as_known_at_greys_what_was_not_yet_known_and_draws_the_cut() -> None:
    source = source_of(as_known_at=parse_point_moment("2019-12-31"))
    node_6 = re.search(r"\te6 \[[^]]*\]", source).group(0)
    node_5 = re.search(r"\te5 \[[^]]*\]", source).group(0)
    assert GREY_FILL in node_6 and GREY_FILL not in node_5
    assert "t_cut" in source and re.search(rf't_cut -> cut0 \[[^]]*color="{RED}"', source)


def test_the_same_ledger_gives_the_same_bytes() -> None:
    assert source_of() == source_of()
    records = story()
    views = decisions(records)
    assert (
        decisions_graph("T-1", views, records).source
        == decisions_graph("T-1", views, records).source
    )


def test_a_window_keeps_only_what_occurred_in_it() -> None:
    window = Window(parse_moment("2019-12").start, parse_point("2019-12"))
    source = source_of(window=window)
    assert "\te5 [" in source and "\te1 [" not in source and "\te7 [" not in source


def test_a_large_case_collapses_runs_of_minor_entries() -> None:
    records = [
        record(
            seq,
            "NoteRecorded",
            f"2020-{1 + seq // 45:02d}-{1 + seq % 28:02d}",
            text=f"note {seq}",
            agency="Socialtjänsten X",
        )
        for seq in range(1, 501)
    ]
    source = timeline_graph("BIG-1", records).source
    nodes = re.findall(r"\n\t\t(e\d+) \[", source)
    assert 0 < len(nodes) < 100
    assert "shape=folder" in source and "lg_minor" in source  # collapsed, and in the legend
    if HAS_DOT:
        assert render(timeline_graph("BIG-1", records), "svg").startswith(b"<?xml")


def test_the_decisions_diagram_shows_pending_requests_and_hindsight() -> None:
    records = story()
    source = decisions_graph("T-1", decisions(records), records).source
    assert "utestående: #3 till BVC, obesvarad" in source  # BVC request not yet answered
    assert (
        "d5_h -> d5" in source and "#4 2019-12-05 BVC: iakttagelse" in source
    )  # BVC's observation


def unrooted(source: str) -> str:
    return re.sub(r"trädrot [A-Za-z0-9+/=]+", "trädrot …", source)


@pytest.mark.skipif(not HAS_DOT, reason="the Graphviz program `dot` is not installed")
def test_the_readme_diagrams_are_current(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "docs.db")
    assert (
        runner.invoke(
            cli, ["--db", db, "import", "-q", str(ROOT / "examples" / "lilla-hjartat.jsonl")]
        ).exit_code
        == 0
    )
    timeline = runner.invoke(
        cli, ["--db", db, "timeline", "NK-LH", "--as-known-at", "2019-12-31", "--format", "dot"]
    )
    decided = runner.invoke(cli, ["--db", db, "decisions", "NK-LH", "--format", "dot"])
    hint = "run `make docs` and commit docs/"
    # The caption's tree root is this ledger's own (its entries' recorded_at differ).
    assert unrooted(timeline.stdout) == unrooted((DOCS / "lilla-hjartat.dot").read_text()), hint
    assert unrooted(decided.stdout) == unrooted(
        (DOCS / "lilla-hjartat-decisions.dot").read_text()
    ), hint
    # A4 pages: lilla-hjartat-1.svg, -2.svg, ...
    # The decisions diagram, caption and all, on at most two A4 pages.
    assert len(list(DOCS.glob("lilla-hjartat-decisions-[0-9]*.svg"))) <= 2, hint
    svg = "".join(page.read_text() for page in sorted(DOCS.glob("lilla-hjartat-[0-9]*.svg")))
    for node in re.findall(r"\n\t\t(e\d+) \[", timeline.stdout):
        assert f"<title>{node}</title>" in svg, hint


def test_without_dot_the_dot_file_is_written_and_the_error_names_the_package(
    tmp_path: Path,
) -> None:
    db = tmp_path / "l.db"
    ledger = Path(sys.executable).parent / "ledger"
    env = {**os.environ, "PATH": str(tmp_path / "empty-path")}
    subprocess.run(
        [str(ledger), "--db", str(db), "import", "-q", str(ROOT / "examples" / "astorp.jsonl")],
        check=True,
        env=env,
    )
    done = subprocess.run(
        [
            str(ledger),
            "--db",
            str(db),
            "timeline",
            "AS-2020",
            "--format",
            "svg",
            "-o",
            str(tmp_path / "as.svg"),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "graphviz" in done.stderr
    assert (tmp_path / "as.dot").read_text().startswith("digraph")
    assert not (tmp_path / "as.svg").exists()


def test_binary_formats_need_an_output_file(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "l.db")
    runner.invoke(cli, ["--db", db, "import", "-q", str(ROOT / "examples" / "astorp.jsonl")])
    args = ["--db", db, "timeline", "AS-2020", "--format", "png"]
    result = runner.invoke(cli, args, env={"LEDGER_LANG": "en"})  # the English wording
    assert result.exit_code == 2 and "-o FILE.png" in result.output
