"""Reading the whole ledger for `check --all` and the case index: stored rows go straight to
records, without event objects, and give exactly the records a case's history gives; any row
the quick way declines goes through the mapper and reads as it always did."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import StoredEvent

from ledger.application import CaseLedger, UnknownCase
from ledger.importer import Source, import_sources
from ledger.storage import Store
from ledger.synthetic import generate
from ledger.transcoder import OrjsonTranscoder
from ledger.views import open_views
from projections.kept.case_index import TOPICS, _item, catch_up_cases, read_items
from projections.records import Record, history_records, to_record, to_records

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
KEY = AESCipher.create_key(32)


def _lines() -> list[bytes]:
    generated = [orjson.dumps(obj) + b"\n" for obj in generate(30, 40, seed=5)]
    examples = [
        line
        for name in ("lilla-hjartat.jsonl", "astorp.jsonl")
        for line in (EXAMPLES / name).read_bytes().splitlines(keepends=True)
    ]
    return generated + examples


@pytest.fixture(params=[False, True], ids=["clear", "encrypted"])
def filled(request: pytest.FixtureRequest, store: Store) -> CaseLedger:
    if request.param:
        if store.kind == "memory":
            pytest.skip("encryption at rest is for the stores on disk")
        store = store.with_cipher(KEY)
    ledger = CaseLedger(store)
    import_sources(ledger, [Source("input.jsonl", _lines())], workers=0)
    return ledger


def _cases(ledger: CaseLedger) -> list[str]:
    return sorted({entry.case for entry in ledger.all_entries()})


def test_the_rows_are_the_notifications(filled: CaseLedger) -> None:
    rows = [row for page in filled.notification_rows(TOPICS, 0, 97) for row in page]
    notifications = [n for page in filled.notification_pages(TOPICS, 0, 97) for n in page]
    assert rows == [
        (n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in notifications
    ]
    later = [row for page in filled.notification_rows(TOPICS, rows[500][0], 64) for row in page]
    assert later == rows[501:]


def test_each_row_reads_as_the_mapper_reads_it(filled: CaseLedger) -> None:
    types = set()
    for page in filled.notification_rows(TOPICS, 0, 500):
        items = read_items(filled, page, set())
        expected = [
            (stream, _item(filled.mapper.to_domain_event(StoredEvent(stream, v, topic, state))))
            for _, stream, v, topic, state in page
        ]
        assert items == expected
        types.update(item.type for _, item in items if isinstance(item, Record))
    assert len(types) > 30  # the generated cases and the examples hold most of the vocabulary


def test_the_records_handed_on_are_the_historys(filled: CaseLedger) -> None:
    handed = dict(catch_up_cases(filled, open_views(filled.store), page=333))
    assert sorted(handed) == _cases(filled)
    for case, records in handed.items():
        assert records == to_records(filled.history(case)), case


def test_rows_the_quick_way_declines_read_through_the_mapper(
    filled: CaseLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = list(filled.notification_rows(TOPICS, 0, 1000))
    quick = [read_items(filled, page, set()) for page in pages]
    monkeypatch.setattr(filled.mapper, "entry_state", lambda *args: None)
    assert [read_items(filled, page, set()) for page in pages] == quick


def test_a_record_that_does_not_read_fails_as_the_mapper_path_fails(
    open_ledger: Callable[[], CaseLedger],
) -> None:
    """A state the quick way decodes but that is no entry (a field missing) raises the
    error reading it as an event raises, not another."""
    ledger = open_ledger()
    import_sources(ledger, [Source("input.jsonl", _lines()[:3])], workers=0)
    page = next(ledger.notification_rows(TOPICS))
    _, stream, version, topic, state = page[0]
    broken = orjson.dumps({k: v for k, v in orjson.loads(state).items() if k != "occurred"})
    with pytest.raises(AttributeError, match="occurred"):
        read_items(ledger, [(1, stream, version, topic, broken)], set())


@pytest.mark.parametrize(
    "state",
    [
        b'{"a":1,"timestamp":{"_type_":"datetime_iso","_data_":"2024-01-01T00:00:00+00:00"}}',
        b'{"a":"x\\n","timestamp":{"_type_":"datetime_iso","_data_":"2024-01-01T00:00:00"}}',
    ],
)
def test_the_quick_decoding_is_the_transcoders(state: bytes) -> None:
    transcoder = OrjsonTranscoder()
    assert transcoder.decode_stamped(state) == transcoder.decode(state)


@pytest.mark.parametrize(
    "state",
    [
        # Another tag besides the timestamp, deeper down.
        b'{"timestamp":{"_type_":"datetime_iso","_data_":"2024-01-01T00:00:00"},'
        b'"fields":{"x":{"_type_":"tuple_as_list","_data_":[1,2]}}}',
        # A tag whose key is written with an escape: its bytes do not show `_type_`.
        b'{"timestamp":{"_type_":"datetime_iso","_data_":"2024-01-01T00:00:00"},'
        b'"fields":{"x":{"\\u005ftype_":"tuple_as_list","_data_":[1,2]}}}',
        # No timestamp tag; the one tag is elsewhere.
        b'{"timestamp":"2024","x":{"_type_":"datetime_iso","_data_":"2024-01-01T00:00:00"}}',
        # A timestamp that does not parse, and one not registered.
        b'{"timestamp":{"_type_":"datetime_iso","_data_":"yesterday"}}',
        b'{"timestamp":{"_type_":"nonsense","_data_":"2024-01-01T00:00:00"}}',
        b'[{"_type_":"datetime_iso","_data_":"2024-01-01T00:00:00"}]',
        b"{not json",
    ],
)
def test_the_quick_decoding_declines_what_it_does_not_explain(state: bytes) -> None:
    transcoder = OrjsonTranscoder()
    assert transcoder.decode_stamped(state) is None
    # The general decoding explains it, or raises for the mapper to report.
    with contextlib.suppress(Exception):
        transcoder.decode(state)


def test_a_historys_records_are_made_without_event_objects(filled: CaseLedger) -> None:
    for case in _cases(filled):
        assert history_records(filled, case) == [to_record(e) for e in filled.history(case)]
        assert filled.history_states(case) == [vars(e) for e in filled.history(case)]


def test_a_history_the_quick_way_declines_is_read_as_history_reads_it(
    filled: CaseLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _cases(filled)[0]
    expected = history_records(filled, case)
    monkeypatch.setattr(filled.mapper, "entry_state", lambda *args: None)
    assert history_records(filled, case) == expected
    with pytest.raises(UnknownCase):
        history_records(filled, "NO-SUCH-CASE")
