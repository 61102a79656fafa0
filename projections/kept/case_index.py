"""The materialised case index behind `ledger cases`, kept from the notification log.

`CaseIndexProjection` is an eventsourcing `Projection`: it folds each new entry into its
case's summary and writes the summary with the tracking record of the notification, in one
transaction. On PostgreSQL a `ProjectionRunner` can keep it current from notifications
(`ledger follow`); SQLite has no subscriptions, so every reader first catches up by polling
the notification log from the tracked position (`catch_up`), a page at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    IntegrityError,
    MapperDeserialisationError,
    StoredEvent,
    Tracking,
)
from eventsourcing.projection import Projection

from ledger.application import CaseLedger, Entry
from ledger.erasure import ERASURE_TOPIC, Erased
from ledger.message import Message
from ledger.rows import TamperedRow
from ledger.storage import Store
from ledger.views import VIEWS_NAME, CaseViews, ViewRow, open_views
from projections.cases import (
    CaseSummary,
    ErasedCase,
    Summary,
    summarise_records,
    summary_from_state,
)
from projections.records import Record, ordered_after, record_of_state, to_record

INDEX_VIEW = "case_index"
ENTRY_TOPIC = Entry.TOPIC
TOPICS = (ENTRY_TOPIC, ERASURE_TOPIC)
PAGE = 2000


class CaseIndexProjection(Projection[CaseViews]):
    name = VIEWS_NAME  # the runner names the view's tables after the projection
    topics = TOPICS

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.process_batch([domain_event], tracking)

    def process_batch(self, events: Sequence[Any], tracking: Tracking) -> None:
        """Fold a page of entries (and erasure records) into the index, tracked by the
        page's last notification."""
        self.fold([_item(event) for event in events], tracking)

    def fold(self, records: Sequence[Record | Erased], tracking: Tracking) -> None:
        """`process_batch` for entries already decoded into records."""
        cases = sorted({record.case for record in records})
        known = {
            row.case: summary_from_state(row.data) for row in self.view.rows_for(INDEX_VIEW, cases)
        }
        summaries = summarise_records(records, known)
        rows = [
            ViewRow(INDEX_VIEW, case, summaries[case].last_seq, summaries[case].to_state())
            for case in cases
            if case in summaries
        ]
        try:
            self.view.apply(rows, tracking)
        except IntegrityError:
            # Another reader got here first and tracked this position or a later one, in its
            # own transaction: the view already holds these entries, and this write rolled
            # back whole. Folding is idempotent per case (by seq), so nothing counts twice.
            return


def catch_up(ledger: CaseLedger, views: CaseViews, page: int = PAGE) -> int:
    """Apply every entry stored since the index's tracked position; returns how many."""
    counted = [0]
    for _ in _catch_up(ledger, views, page, counted, hand_on=False):
        pass
    return counted[0]


def catch_up_cases(
    ledger: CaseLedger, views: CaseViews, page: int = PAGE, counted: list[int] | None = None
) -> Iterator[tuple[str, list[Record]]]:
    """`catch_up`, handing on the way each case whose every entry this pass read, as its
    records (`to_records`), once the pass has moved on to another case.

    Each stored entry is decoded once, for the index and for whoever checks the case: a
    ledger's entries mostly lie case after case in the log, so a case is complete when the
    next entry belongs to another. A case that began before the pass is not handed on, nor
    again a case whose entries resume after it was: the index then holds a later last seq
    than the records handed on, and the caller reads that case's history. `counted[0]` is
    increased by the number of entries applied."""
    return _catch_up(ledger, views, page, counted, hand_on=True)


def _catch_up(
    ledger: CaseLedger,
    views: CaseViews,
    page: int,
    counted: list[int] | None,
    *,
    hand_on: bool,
) -> Iterator[tuple[str, list[Record]]]:
    projection = CaseIndexProjection(view=views)
    reading: dict[str, list[Record]] = {}  # cases whose every entry so far was in this pass
    seen: set[str] = set()
    ids: dict[str, Any] = {}
    previous: str | None = None
    erased: set[Any] | None = None
    for rows in ledger.notification_rows(TOPICS, views.max_tracking_id(ledger.name) or 0, page):
        if erased is None:
            # Read once there is something to read: finding the erasure records scans the
            # whole log (no index by topic), which a reader with nothing new is spared.
            erased = ledger.erased_streams()
        read = read_items(ledger, rows, erased)
        items = [item for _, item in read]
        projection.fold(items, Tracking(ledger.name, rows[-1][0]))
        if counted is not None:
            counted[0] += len(items)
        if not hand_on:
            continue
        for stream, record in read:
            if isinstance(record, Erased):
                # An erased case is never checked: what was read of it is dropped.
                reading.pop(record.case, None)
                seen.add(record.case)
                continue
            case = record.case
            if case != previous and previous in reading:
                yield previous, ordered_after(reading.pop(previous))  # type: ignore[arg-type]
            if case not in ids:
                ids[case] = ledger.case_id(case)
            if ids[case] != stream:
                # As `CaseLedger.history` refuses it when reading the case it was put in.
                raise TamperedRow(
                    Message(
                        "{case}#{seq}: the stored entry lies in another case's stream (moved)",
                        case=case,
                        seq=record.seq,
                    )
                )
            if case in reading:
                reading[case].append(record)
            elif case not in seen and record.seq == 1:
                reading[case] = [record]
            seen.add(case)
            previous = case
    for case, records in reading.items():
        yield case, ordered_after(records)


def _item(event: Any) -> Record | Erased:
    """What the index folds: an entry as a record, an erasure record as it is."""
    return event if isinstance(event, Erased) else to_record(event)


def _pages(ledger: CaseLedger, after: int, page: int) -> Iterator[tuple[list[Any], int]]:
    """The entries (as records) and erasure records stored after notification `after`, a
    page at a time, each page with the notification id of its last row."""
    erased = ledger.erased_streams()
    for rows in ledger.notification_rows(TOPICS, after, page):
        yield [item for _, item in read_items(ledger, rows, erased)], rows[-1][0]


def _event(ledger: CaseLedger, stored: Any, erased: set[Any]) -> Any:
    """The event of a stored row; None for an entry of a case found erased (added to
    `erased`)."""
    try:
        return ledger.mapper.to_domain_event(stored)
    except MapperDeserialisationError:
        if stored.originator_id not in ledger.erased_streams():
            raise
        erased.add(stored.originator_id)
        return None


def read_items(
    ledger: CaseLedger, rows: Sequence[tuple[int, UUID, int, str, bytes]], erased: set[Any]
) -> list[tuple[UUID, Record | Erased]]:
    """The entries (as records) and erasure records of plain rows
    (`CaseLedger.notification_rows`), each with its row's stream, leaving out the entries
    of erased cases (they open with no key; their erasure record stands for them). A case
    erased since `erased` was read is found at its first entry that no longer opens.

    An entry becomes its record straight from its decoded state (`RowMapper.entry_state`,
    `record_of_state`), with no event object; any row that way does not read goes through
    the mapper and gives the same item, or raises the same error."""
    entry_state = ledger.mapper.entry_state  # type: ignore[attr-defined]
    out: list[tuple[UUID, Record | Erased]] = []
    for _id, stream, version, topic, state in rows:
        if topic == ENTRY_TOPIC:
            if stream in erased:
                continue
            attributes = entry_state(stream, version, state)
            if attributes is not None:
                try:
                    out.append((stream, record_of_state(attributes)))
                    continue
                except Exception:  # the mapper's path below raises what it raises
                    pass
        event = _event(ledger, StoredEvent(stream, version, topic, state), erased)
        if event is not None:
            out.append((stream, _item(event)))
    return out


def case_index(ledger: CaseLedger, views: CaseViews) -> list[CaseSummary]:
    """The index of the cases that were not erased, current as of this call."""
    return [s for s in index_rows(ledger, views) if isinstance(s, CaseSummary)]


def erased_cases(ledger: CaseLedger, views: CaseViews) -> list[ErasedCase]:
    """The erased cases, current as of this call."""
    return [s for s in index_rows(ledger, views) if isinstance(s, ErasedCase)]


def index_rows(ledger: CaseLedger, views: CaseViews) -> list[Summary]:
    catch_up(ledger, views)
    return [summary_from_state(row.data) for row in views.rows(INDEX_VIEW)]


def reindex(ledger: CaseLedger, views: CaseViews, page: int = PAGE) -> int:
    """Rebuild the index from the whole notification log; returns how many entries it read.

    The new index is built aside (a summary per case, read a page at a time) and put in
    place in one transaction, with its tracking position: a reader catching up meanwhile
    works on the old index or the new one. Forgetting first and catching up after would let
    such a reader track a late position over a half-empty index, which no one would fill.
    """
    summaries: dict[str, Summary] = {}
    position = read = 0
    for items, last in _pages(ledger, 0, page):
        summaries = summarise_records(items, summaries)
        position = last
        read += len(items)
    rows = [ViewRow(INDEX_VIEW, case, s.last_seq, s.to_state()) for case, s in summaries.items()]
    views.replace(ledger.name, rows, Tracking(ledger.name, position) if position else None)
    return read


def follow(store: Store, *, until: threading.Event) -> None:
    """Keep the index current from PostgreSQL's notifications until `until` is set."""
    from eventsourcing.projection import ProjectionRunner

    from ledger.views import postgres_views_class

    class FollowedLedger(CaseLedger):
        name = "ledger"  # the tracked application name, as in catch_up()

        def __init__(self, env: Any = None) -> None:
            super().__init__(store)

    ledger = CaseLedger(store)
    views = open_views(store)
    catch_up(ledger, views)  # the backlog in pages; the runner then follows one by one
    ledger.close()
    runner = ProjectionRunner(
        application_class=FollowedLedger,
        projection_class=CaseIndexProjection,
        view_class=postgres_views_class(),
        env=dict(store.settings),
    )
    runner.view.codec = views.codec  # type: ignore[attr-defined]
    with runner:
        while not until.wait(0.5):
            if runner.is_interrupted.is_set():
                runner.run_forever(timeout=0)
                return
