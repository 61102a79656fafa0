"""The materialised case index: incremental, resumable, exactly once, same on every store."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import Tracking

from ledger.application import CaseLedger
from ledger.importer import Source, import_sources
from ledger.storage import Store
from ledger.synthetic import generate, write_jsonl
from ledger.views import open_views
from projections.cases import case_summaries
from projections.kept.case_index import (
    ENTRY_TOPIC,
    INDEX_VIEW,
    CaseIndexProjection,
    case_index,
    catch_up,
    reindex,
)


def synthetic(cases: int, events: int, seed: int) -> Source:
    buffer = io.BytesIO()
    write_jsonl(generate(cases, events, seed=seed), buffer)
    return Source(f"synthetic-{seed}", buffer.getvalue().splitlines())


def from_scratch(ledger: CaseLedger) -> list[dict]:
    return [s.to_json() for s in case_summaries(ledger.all_entries())]


def test_the_index_equals_a_summary_built_from_scratch(ledger: CaseLedger) -> None:
    import_sources(ledger, [synthetic(12, 15, seed=3)])
    views = open_views(ledger.store)
    assert [s.to_json() for s in case_index(ledger, views)] == from_scratch(ledger)


def test_the_index_catches_up_with_only_what_is_new(ledger: CaseLedger) -> None:
    views = open_views(ledger.store)
    import_sources(ledger, [synthetic(5, 10, seed=1)])
    assert catch_up(ledger, views) == 50
    assert catch_up(ledger, views) == 0  # nothing new: nothing applied twice
    import_sources(ledger, [synthetic(8, 10, seed=1)])  # the first 5 cases are skipped
    assert catch_up(ledger, views) == 30
    assert [s.to_json() for s in case_index(ledger, views)] == from_scratch(ledger)


def test_the_index_resumes_after_a_stop(
    store: Store, open_ledger: Callable[[], CaseLedger]
) -> None:
    if store.kind == "memory":
        pytest.skip("an in-memory store lives inside one application")
    first = open_ledger()
    import_sources(first, [synthetic(4, 10, seed=7)])
    catch_up(first, open_views(store))
    second = open_ledger()  # a new process, as it were: new application, new view object
    import_sources(second, [synthetic(6, 10, seed=7)])
    views = open_views(store)
    assert views.max_tracking_id(second.name) is not None
    assert catch_up(second, views) == 20
    assert len(views.rows(INDEX_VIEW)) == 6


def test_reindex_rebuilds_the_same_index(ledger: CaseLedger) -> None:
    import_sources(ledger, [synthetic(6, 12, seed=5)])
    views = open_views(ledger.store)
    before = [s.to_json() for s in case_index(ledger, views)]
    assert reindex(ledger, views) == 72
    assert [s.to_json() for s in case_index(ledger, views)] == before


def test_a_reader_writing_while_the_index_is_rebuilt_leaves_it_whole(ledger: CaseLedger) -> None:
    import_sources(ledger, [synthetic(6, 12, seed=5)])
    views = open_views(ledger.store)
    catch_up(ledger, views)
    import_sources(ledger, [synthetic(9, 12, seed=5)])  # three more cases
    # A reader has read the new entries and writes them while the rebuild reads the log.
    position = views.max_tracking_id(ledger.name)
    newest = ledger.recorder.select_notifications(
        start=position, limit=1000, topics=[ENTRY_TOPIC], inclusive_of_start=False
    )
    select = ledger.recorder.select_notifications

    def select_while_a_reader_writes(*args: Any, **kwargs: Any) -> Any:
        page = select(*args, **kwargs)
        if newest:
            events = [ledger.mapper.to_domain_event(n) for n in newest]
            CaseIndexProjection(view=views).process_batch(
                events, Tracking(ledger.name, newest[-1].id)
            )
            newest.clear()
        return page

    ledger.recorder.select_notifications = select_while_a_reader_writes  # type: ignore[method-assign]
    try:
        assert reindex(ledger, views, page=20) == 108
    finally:
        del ledger.recorder.select_notifications
    assert not newest, "the reader wrote"
    assert [s.to_json() for s in case_index(ledger, views)] == from_scratch(ledger)


def test_the_index_says_where_a_case_stands(ledger: CaseLedger) -> None:
    from ledger.entry import draft_from_object

    def entry(**obj: object) -> object:
        return draft_from_object({"case": "S-1", **obj})

    ledger.record(
        "S-1",
        [
            entry(
                ref="r1",
                type="ConcernReportReceived",
                occurred="2021-01-04",
                reporter_category="skola",
                concern="bruises",
            ),
            entry(ref="c", type="CareOrdered", occurred="2021-02-01", court="FR", grounds="lvu_2"),
        ],
    )
    [summary] = case_index(ledger, open_views(ledger.store))
    assert summary.status == "LVU care" and summary.open_reports == [1]
    ledger.record(
        "S-1",
        [
            entry(
                type="ProtectionAssessmentMade",
                occurred="2021-01-04",
                report="@r1",
                immediate_protection_needed=False,
            )
        ],
    )
    [summary] = case_index(ledger, open_views(ledger.store))
    assert summary.open_reports == [] and summary.entries == 3


def test_an_encrypted_ledger_keeps_its_index_sealed(tmp_path: Path) -> None:
    from eventsourcing.cryptography import AESCipher

    from ledger.storage import sqlite_store

    path = tmp_path / "sealed.db"
    store = sqlite_store(str(path)).with_cipher(AESCipher.create_key(32))
    ledger = CaseLedger(store)
    import_sources(ledger, [synthetic(3, 5, seed=2)])
    summaries = case_index(ledger, open_views(store))
    assert [s.case for s in summaries] == ["SYN-000001", "SYN-000002", "SYN-000003"]
    ledger.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"SYN-00000" not in raw
