"""Diagrams made for paper: every page prints its text at 8 pt or more on A4 landscape."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from cli.context import State
from ledger.timeparse import parse_point_moment
from projections.decisions import decisions
from projections.diagram import (
    ABOUT_THE_CASE,
    PAPERS,
    _balanced_ranges,
    decisions_pages,
    layout_size,
    seq_ranges,
    timeline_pages,
)
from projections.language import using
from projections.records import to_records

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz `dot`")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list]:
    from click.testing import CliRunner

    from cli.main import cli

    db = str(tmp_path_factory.mktemp("pages") / "p.db")
    files = [str(ROOT / "examples" / n) for n in ("lilla-hjartat.jsonl", "astorp.jsonl")]
    assert CliRunner().invoke(cli, ["--db", db, "import", "-q", *files]).exit_code == 0
    ledger = State(db).ledger()
    return {case: to_records(ledger.history(case)) for case in ("NK-LH", "AS-2020")}


def natural(source: str) -> tuple[float, float]:
    import graphviz

    return layout_size(graphviz.Source(re.sub(r' size="[^"]*"', "", source)))


@pytest.mark.parametrize("case", ["NK-LH", "AS-2020"])
def test_every_page_prints_its_text_at_8_pt_or_more(records: dict, case: str) -> None:
    paper = PAPERS["a4"]
    point = parse_point_moment("2019-12-31")
    views = decisions(records[case])
    pages = timeline_pages(case, records[case], paper=paper, as_known_at=point, decisions=views)
    pages += decisions_pages(case, views, records[case], paper=paper)
    for page in pages:
        assert paper.fits(*natural(page.source)), page.name
        assert 'size="10.91,7.48"' in page.source
    shown = {n for p in pages for n in re.findall(r"\n\t\t(e\d+) \[", p.source)}
    drawn = {r.seq for r in records[case] if r.type not in ("EntryCorrected", *ABOUT_THE_CASE)}
    assert shown == {f"e{seq}" for seq in drawn}


def test_entries_about_the_case_are_named_in_the_caption_not_drawn_in_a_lane(
    records: dict,
) -> None:
    """A coverage declaration (2021) took a page and a lane 'agency not recorded' of its own,
    eight judgements of one day another page; the caption names them instead."""
    with using("sv"):
        pages = timeline_pages("NK-LH", records["NK-LH"], paper=PAPERS["a4"])
    about = [r for r in records["NK-LH"] if r.type in ABOUT_THE_CASE]
    assert {r.type for r in about} == set(ABOUT_THE_CASE)
    source = "".join(p.source for p in pages)
    for record in about:
        assert f"\t\te{record.seq} [" not in source
    assert "(verksamhet inte registrerad)" not in source
    judged = seq_ranges(r.seq for r in about if r.type == "JudgementRecorded")
    for page in pages:  # every page's caption says where they are
        assert "Inte på tidsaxeln (se händelseförloppet):" in page.source
        assert f"bedömning i efterhand {judged}" in page.source


@pytest.mark.parametrize("point", [None, "2019-12-31"])
def test_the_nk_lh_timeline_takes_at_most_five_full_a4_pages(
    records: dict, point: str | None
) -> None:
    """It took 8 pages (9 as known at 2019-12-31): pages before the cut were measured with
    the cut line's column they do not draw, and entries about the case had pages of their own.
    Then 7, filled greedily with tall decision diamonds: the last page held one entry."""
    recs = records["NK-LH"]
    pages = timeline_pages(
        "NK-LH",
        recs,
        paper=PAPERS["a4"],
        as_known_at=parse_point_moment(point) if point else None,
        decisions=decisions(recs),
    )
    assert len(pages) <= 5
    cuts = [p for p in pages if "t_cut" in p.source]
    assert len(cuts) == (1 if point else 0)
    per_page = [len(set(re.findall(r"\n\t\t(e\d+) \[", p.source))) for p in pages]
    assert min(per_page) >= 3, per_page


def test_pages_are_balanced_not_filled_greedily() -> None:
    """Nine periods of one entry, four to a page at most: a greedy fill gives 4, 4 and 1;
    the same three pages hold 3, 3 and 3."""
    reach = [min(i + 3, 8) for i in range(9)]
    cost, ranges = _balanced_ranges(reach, [1] * 9)
    assert ranges == [(0, 2), (3, 5), (6, 8)]
    assert cost == (3, 27)
    # The fewest pages come first: evenness never buys an extra page.
    _cost, ranges = _balanced_ranges([0, 2, 2], [5, 1, 1])
    assert ranges == [(0, 0), (1, 2)]


def test_the_nk_lh_pages_are_fuller_than_a_greedy_fill(records: dict) -> None:
    recs = records["NK-LH"]
    pages = timeline_pages("NK-LH", recs, paper=PAPERS["a4"], decisions=decisions(recs))
    per_page = [len(set(re.findall(r"\n\t\t(e\d+) \[", p.source))) for p in pages]
    assert sum(per_page) / len(per_page) >= 7, per_page


def test_decisions_are_flat_boxes_marked_with_a_diamond(records: dict) -> None:
    """A diamond is twice as tall as a box holding the same words: it took the height of a
    lane and the page count with it."""
    recs = records["NK-LH"]
    with using("sv"):
        pages = timeline_pages("NK-LH", recs, paper=PAPERS["a4"], decisions=decisions(recs))
    source = "".join(p.source for p in pages)
    assert "shape=diamond" not in source
    decided = [r for r in recs if r.is_decision]
    for record in decided:
        node = re.search(rf"\n\t\te{record.seq} \[([^\n]*)\]", source)
        assert node is not None
        assert f'label="◆ #{record.seq} · ' in node.group(1)
        assert "shape=box" in node.group(1)


def test_the_decisions_diagram_shows_what_was_learned_later(records: dict) -> None:
    recs = records["NK-LH"]
    with using("sv"):
        views = decisions(recs)
        pages = decisions_pages("NK-LH", views, recs, paper=PAPERS["a4"])
    source = "".join(p.source for p in pages)
    refusal = next(v for v in views if v.decision.type == "CareTerminationDecided")
    assert {r.type for r in refusal.later} >= {"AppealLodged"}
    assert "senare: " + seq_ranges(r.seq for r in refusal.later) in source
    with using("en"):
        english = decisions_pages("NK-LH", views, recs, paper=PAPERS["a4"])
    assert "later: " in "".join(p.source for p in english)


def test_the_decisions_diagram_of_nk_lh_takes_two_a4_pages_in_words(records: dict) -> None:
    with using("sv"):
        views = decisions(records["NK-LH"])
        pages = decisions_pages("NK-LH", views, records["NK-LH"], paper=PAPERS["a4"])
    assert len(pages) <= 2
    source = "".join(p.source for p in pages)
    for code in ("lvu_2", "foraldrar", "not_documented", "familjehem (lvu)", "→ refused"):
        assert code not in source
    assert "grund: 2 § LVU" in source and "→ avslag" in source
    lanes = re.findall(r'cluster_lane\d+ \{\n\t\tlabel="([^"]*)"', source)
    assert len(lanes) == len(set(lanes))  # each decider named once
    assert "Kammarrätten i Jönköping, Kammarrätten" not in source


def test_the_legend_draws_shapes_in_words_and_greyed_nodes_grey_their_edges(
    records: dict,
) -> None:
    with using("sv"):
        recs = records["NK-LH"]
        pages = timeline_pages(
            "NK-LH",
            recs,
            paper=PAPERS["a4"],
            as_known_at=parse_point_moment("2019-12-31"),
            decisions=decisions(recs),
        )
    source = "".join(p.source for p in pages)
    assert re.search(r'lg_decision \[label="◆ beslut" [^\n]*shape=box', source)
    for shape_name in (">diamond<", ">note<", ">hexagon<", ">box3d<"):
        assert shape_name not in source
    greyed = set(re.findall(r"\n\t\t(e\d+) \[[^\n]*fillcolor=\"#eeeeee\"", source))
    for tail, head, attrs in re.findall(r"\n\t(e\d+) -> (e\d+) \[([^\n]*)\]", source):
        if tail in greyed and head in greyed:
            assert 'color="#9a9a9a"' in attrs
    for page in pages:
        pairs = re.findall(r"\n\t(e\d+) -> (e\d+) \[", page.source)
        assert len({frozenset(p) for p in pairs}) == len(pairs)  # one edge per relation


def test_entries_stacked_in_one_period_read_top_down_in_time(records: dict) -> None:
    """Three entries of December 2019 in the social services' lane stacked with the first
    report at the bottom and the assessment made on it at the top."""
    import graphviz

    recs = records["NK-LH"]
    pages = timeline_pages("NK-LH", recs, paper=PAPERS["a4"], decisions=decisions(recs))
    page = next(p for p in pages if "\t\te16 [" in p.source)
    plain = graphviz.Source(page.source).pipe(format="plain", encoding="utf-8", quiet=True)
    y = {
        parts[1]: float(parts[3])
        for parts in (line.split() for line in plain.splitlines())
        if parts[0] == "node"
    }
    # #16 the report, #17 the request for information, #18 the protection assessment: one
    # column (2019-12) of one lane; dot's y grows upwards.
    assert y["e16"] > y["e17"] > y["e18"]


def test_every_page_has_lanes_only_for_agencies_with_entries_on_it(records: dict) -> None:
    recs = records["NK-LH"]
    pages = timeline_pages("NK-LH", recs, paper=PAPERS["a4"], decisions=decisions(recs))
    for page in pages:
        lanes = re.findall(r"subgraph cluster_lane\d+ \{(.*?)\n\t\}", page.source, re.S)
        assert lanes
        for lane in lanes:
            assert re.search(r"\n\t\t(e\d+) \[", lane), lane[:80]
    # Förlossningsvården has one entry, in 2016: a lane on the first page only.
    assert ["Förlossningsvården" in p.source for p in pages] == [True] + [False] * (len(pages) - 1)


def test_a_term_is_cut_at_its_explanation_not_at_a_genitive_colon() -> None:
    """IVO's decision was drawn as "IVO": the term "IVO:s beslut" was cut at its colon."""
    from ledger.vocabulary import event_type
    from projections.diagram import type_term

    with using("sv"):
        assert type_term(event_type("SupervisionDecision")) == "IVO:s beslut"
        assert type_term(event_type("OmbudsmanDecision")) == "JO:s beslut"
        assert type_term(event_type("PreliminaryAssessmentDecided")) == "förhandsbedömning"


def test_a_tick_holding_only_entries_dated_by_year_names_the_year_not_a_week(
    records: dict,
) -> None:
    """AS-2020's entries dated "2020" sat under "2020 v. 01": an imprecise date shown as a
    week. The tick says the period they share, and no count of weeks is made from it."""
    with using("sv"):
        (page,) = timeline_pages("AS-2020", records["AS-2020"], paper=PAPERS["a4"])
    labels = [
        label.strip('"') for label in re.findall(r"\n\t+t\d+ \[label=(\"[^\"]*\"|\S+)", page.source)
    ]
    assert labels[0] == "2020" and "~2020-06" in labels
    assert not any("v. 01" in label or "veckor" in label for label in labels), labels


@pytest.mark.parametrize("case", ["NK-LH", "AS-2020"])
@pytest.mark.parametrize("as_known_at", [None, "2019-12-31"])
def test_dot_draws_every_page_without_a_warning(
    records: dict, case: str, as_known_at: str | None
) -> None:
    # Graphviz 2.43 mixed up an edge's attributes (`Arrow type "Helvetica" unknown`) where a
    # greyed edge between neighbours in one column carried a font colour it had no label for.
    import subprocess

    point = parse_point_moment(as_known_at) if as_known_at else None
    views = decisions(records[case])
    pages = timeline_pages(case, records[case], as_known_at=point, decisions=views)
    pages += decisions_pages(case, views, records[case])
    for page in pages:
        done = subprocess.run(
            ["dot", "-Tsvg", "-o", "/dev/null"], input=page.source, capture_output=True, text=True
        )
        assert (done.returncode, done.stderr) == (0, ""), page.name
