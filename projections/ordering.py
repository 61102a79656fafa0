"""The one order every view puts entries in: chronological, but never before what they cite.

DESIGN §3 orders by `occurred.start`, then `known.start`, then seq. Imprecise clocks break
that: a closing dated "2020" starts on 1 January and so would come before an opening dated
2020-02 that it refers to. An entry's references (its basis, every reference field, and the
optional `after` for ordering imprecise entries) are therefore constraints: the result is
the topological order of the reference graph that is lexicographically smallest by the sort
key (Kahn's algorithm over a heap, O(n log n)). References to entries outside the list are
ignored. A cycle cannot come from well-formed input, but corrections can make one; it must
not hang, so when every remaining entry waits on another, the earliest by the sort key goes
next regardless and the rest keep their constraints.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar

from projections.records import Record

Order = Literal["occurred", "known"]
ORDERS: tuple[Order, ...] = ("occurred", "known")

T = TypeVar("T")


def chronological(records: Iterable[Record], by: Order = "occurred") -> list[Record]:
    """`records` by (occurred, known, seq), or (known, occurred, seq) with `by="known"`,
    with no entry before an entry it refers to."""
    return ordered(records, lambda r: r, by)


def ordered(
    items: Iterable[T], record_of: Callable[[T], Record], by: Order = "occurred"
) -> list[T]:
    """`items` (each standing for one record, unique by seq) in `chronological` order."""
    if by not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}, not {by!r}")
    pool = list(items)
    records = [record_of(item) for item in pool]
    keys: list[tuple[Any, ...]] = [record.order_key(by) for record in records]
    # Each entry is known by its place in the order of the keys (a stable sort, so equal keys
    # keep the input's order, as the heap's (key, index) pairs did): the heaps then hold
    # integers, which compare much faster than the keys, and pop in the same order.
    by_key = sorted(range(len(pool)), key=keys.__getitem__)
    place = [0] * len(pool)
    for p, i in enumerate(by_key):
        place[i] = p
    index = {record.seq: place[i] for i, record in enumerate(records)}
    waiting = [0] * len(pool)  # how many of its referenced entries are not yet placed
    followers: list[list[int]] = [[] for _ in pool]
    for i, record in enumerate(records):
        p = place[i]
        for seq in record.references():
            q = index.get(seq)
            if q is not None and q != p:
                waiting[p] += 1
                followers[q].append(p)
    ready = [p for p in range(len(pool)) if waiting[p] == 0]  # ascending: already a heap
    everyone: list[int] | None = None  # for breaking cycles: made when one occurs
    placed = [False] * len(pool)
    result: list[T] = []
    while len(result) < len(pool):
        if ready:
            p = heapq.heappop(ready)
            if placed[p]:
                continue  # already placed to break a cycle
        else:
            if everyone is None:
                everyone = list(range(len(pool)))  # ascending: already a heap
            p = heapq.heappop(everyone)
            if placed[p]:
                continue
        placed[p] = True
        result.append(pool[by_key[p]])
        for k in followers[p]:
            waiting[k] -= 1
            if waiting[k] == 0 and not placed[k]:
                heapq.heappush(ready, k)
    return result
