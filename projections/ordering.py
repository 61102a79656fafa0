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
    keys: list[tuple[Any, ...]] = [record_of(item).order_key(by) for item in pool]
    index = {record_of(item).seq: i for i, item in enumerate(pool)}
    waiting = [0] * len(pool)  # how many of its referenced entries are not yet placed
    followers: list[list[int]] = [[] for _ in pool]
    for i, item in enumerate(pool):
        for seq in record_of(item).references():
            j = index.get(seq)
            if j is not None and j != i:
                waiting[i] += 1
                followers[j].append(i)
    ready = [(keys[i], i) for i in range(len(pool)) if waiting[i] == 0]
    heapq.heapify(ready)
    everyone: list[tuple[Any, int]] | None = None  # for breaking cycles: made when one occurs
    placed = [False] * len(pool)
    result: list[T] = []
    while len(result) < len(pool):
        if ready:
            _, i = heapq.heappop(ready)
            if placed[i]:
                continue  # already placed to break a cycle
        else:
            if everyone is None:
                everyone = [(keys[i], i) for i in range(len(pool))]
                heapq.heapify(everyone)
            _, i = heapq.heappop(everyone)
            if placed[i]:
                continue
        placed[i] = True
        result.append(pool[i])
        for k in followers[i]:
            waiting[k] -= 1
            if waiting[k] == 0 and not placed[k]:
                heapq.heappush(ready, (keys[k], k))
    return result
