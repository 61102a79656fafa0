"""One order for every view: chronological, and never before an entry it refers to."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.timeparse import parse_point_moment
from projections.decisions import decisions
from projections.diagram import timeline_graph
from projections.knowledge import snapshot
from projections.ordering import chronological
from projections.records import Record
from projections.timeline import timeline

from .test_diagram import rank_groups
from .test_knowledge import cases, record


def lex_sarah() -> list[Record]:
    """The NK-LH shape: a closing dated only "2020", after an opening in 2020-02 that it
    refers to, and a death in 2020-01 that the opening refers to."""
    return [
        record(1, "ConcernReportReceived", "2019-12-10", reporter_category="okänd", concern="c"),
        record(2, "ChildDied", "2020-01", "~2020-01-30", agency="Familjen"),
        record(3, "LexSarahInvestigationOpened", "2020-02", basis=[2]),
        record(
            4,
            "LexSarahInvestigationClosed",
            "2020",
            basis=[1, 3],
            reported_to_ivo=False,
            findings="f",
        ),
    ]


def seqs(items: list[Any]) -> list[int]:
    return [getattr(i, "record", i).seq for i in items]


def test_a_year_only_closing_comes_after_the_opening_it_refers_to() -> None:
    assert seqs(chronological(lex_sarah())) == [1, 2, 3, 4]
    assert seqs(chronological(lex_sarah(), "known")) == [1, 2, 3, 4]


def test_every_view_uses_the_one_order() -> None:
    records = lex_sarah()
    assert seqs(timeline(records)) == [1, 2, 3, 4]
    assert seqs(timeline(records, order="known")) == [1, 2, 3, 4]
    assert seqs(snapshot(records, parse_point_moment("2021")).facts) == [1, 2, 3, 4]
    assert [d.decision.seq for d in decisions(records)] == [4]
    # The diagram's lane chain follows the order, and the closing is drawn in the opening's
    # period (2020-02), not in January before it. Within one period the chain runs from the
    # later entry to the earlier, as dot stacks a rank bottom up: the stack reads top down.
    source = timeline_graph("T-1", records).source
    assert "e4 -> e3 [style=invis" in source
    assert {"t2", "e3", "e4"} in rank_groups(source)


def test_references_outside_the_list_are_ignored() -> None:
    records = lex_sarah()
    assert seqs(chronological(records[2:])) == [3, 4]


def test_a_cycle_does_not_hang_and_keeps_every_entry() -> None:
    records = [
        record(1, "NoteRecorded", "2020-03", basis=[2]),
        record(2, "NoteRecorded", "2020-01", basis=[1]),
        record(3, "NoteRecorded", "2020-02"),
    ]
    # #3 is free and goes first; then #1 and #2 wait on each other, and the earlier by the
    # sort key (#2) breaks the cycle; #1 follows it as its reference asks.
    assert seqs(chronological(records)) == [3, 2, 1]


@settings(max_examples=150, deadline=None)
@given(cases(), st.sampled_from(["occurred", "known"]))
def test_the_order_is_the_sort_key_wherever_references_allow(
    records: list[Record], by: str
) -> None:
    result = chronological(records, by)  # type: ignore[arg-type]
    assert sorted(seqs(result)) == [r.seq for r in records]
    position = {r.seq: i for i, r in enumerate(result)}
    for r in result:
        for seq in r.references():
            if seq in position and seq != r.seq:
                assert position[seq] < position[r.seq]
    # Each step takes the earliest (by the sort key) of the entries whose references are
    # all placed: the order differs from the plain sort only where a reference forces it.
    placed: set[int] = set()
    present = {r.seq for r in records}
    for chosen in result:
        free = [r for r in records if r.seq not in placed and r.references() & present <= placed]
        assert chosen.seq == min(free, key=lambda r: r.order_key(by)).seq
        placed.add(chosen.seq)


def test_without_references_the_order_is_the_sort_key() -> None:
    records = [
        record(3, "NoteRecorded", "2020"),
        record(1, "NoteRecorded", "2020-01-05", "2020-03"),
        record(2, "NoteRecorded", "2019-12", "2020-01"),
    ]
    assert seqs(chronological(records)) == [2, 3, 1]
    assert seqs(chronological(records, "known")) == [2, 3, 1]
