"""The importer's two ways of checking (in this process, or in worker processes) and its
answer to a writer that gets to a case first: the same ledger, on every store."""

from __future__ import annotations

import io
from pathlib import Path

import orjson
import pytest

from ledger import importer
from ledger.application import CaseLedger
from ledger.chain import GENESIS, entry_hash
from ledger.entry import draft_from_object
from ledger.importer import ImportFailed, Source, import_sources
from ledger.storage import sqlite_store
from ledger.synthetic import generate, write_jsonl


def synthetic(cases: int, events: int, seed: int = 5) -> list[bytes]:
    out = io.BytesIO()
    write_jsonl(generate(cases, events, seed), out)
    return out.getvalue().splitlines()


def asserted(ledger: CaseLedger) -> list[tuple[str, int, str, str, str]]:
    """Every entry as asserted and placed: case, seq, type, fingerprint, and its state without
    the clocks the ledger sets (recorded_at, and the hashes that cover it)."""
    rows = []
    for e in ledger.all_entries():
        state = {k: v for k, v in vars(e).items() if k not in ("timestamp", "hash", "prev_hash")}
        state.pop("originator_id")
        rows.append((e.case, e.originator_version, e.type, e.fingerprint, orjson.dumps(state)))
    return sorted(rows)


def assert_chained(ledger: CaseLedger) -> None:
    last: dict[str, str] = {}
    for e in sorted(ledger.all_entries(), key=lambda e: (e.case, e.originator_version)):
        assert e.prev_hash == last.get(e.case, GENESIS)
        assert e.hash == entry_hash(e.hashed_payload())
        last[e.case] = e.hash


def test_workers_store_what_one_process_stores(tmp_path: Path) -> None:
    data = synthetic(60, 12)
    stored = []
    for workers in (0, 2):
        ledger = CaseLedger(sqlite_store(str(tmp_path / f"ledger-{workers}.db")))
        try:
            report = import_sources(ledger, [Source("in.jsonl", data)], workers=workers)
            assert (report.recorded, report.skipped) == (len(data), 0)
            stored.append(asserted(ledger))
        finally:
            ledger.close()
    assert stored[0] == stored[1] and len(stored[0]) == len(data)


@pytest.mark.parametrize("workers", [0, 2])
def test_an_import_with_workers_is_complete_chained_and_in_input_order(
    ledger: CaseLedger, workers: int
) -> None:
    data = synthetic(40, 15)
    report = import_sources(ledger, [Source("in.jsonl", data)], workers=workers)
    assert (report.recorded, report.skipped, report.lines) == (len(data), 0, len(data))
    assert_chained(ledger)
    # Stored case by case in the order cases first appear in the input.
    first_seen = list(dict.fromkeys(orjson.loads(line)["case"] for line in data))
    stored = list(dict.fromkeys(e.case for e in ledger.all_entries()))
    assert stored == first_seen
    again = import_sources(ledger, [Source("in.jsonl", data)], workers=workers)
    assert (again.recorded, again.skipped) == (0, len(data))


@pytest.mark.parametrize("workers", [0, 2])
def test_problems_found_by_workers_are_reported_in_line_order_and_nothing_is_stored(
    ledger: CaseLedger, workers: int
) -> None:
    data = synthetic(40, 15)
    data[7] = b'{"case":"SYN-000001","type":"NoSuchType","occurred":"2019"}'
    data[450] = data[450].replace(b'"occurred":"', b'"occurred":"x', 1)
    data[599] = b"not json"
    with pytest.raises(ImportFailed) as failed:
        import_sources(ledger, [Source("in.jsonl", data)], workers=workers)
    wheres = [e.where for e in failed.value.errors]
    assert wheres[0] == "in.jsonl:8" and "in.jsonl:451" in wheres and wheres[-1] == "in.jsonl:600"
    assert wheres == sorted(wheres, key=lambda w: int(w.rpartition(":")[2]))
    assert list(ledger.all_entries()) == []


def test_in_process_and_workers_give_the_same_problems(ledger: CaseLedger) -> None:
    data = synthetic(30, 10)
    data[3] = data[3].replace(b'"ref":"e4"', b'"ref":"e1"')  # a label used twice
    data[120] = b'{"case":"SYN-000013","type":"CaseOpened"}'
    found = []
    for workers in (0, 2):
        with pytest.raises(ImportFailed) as failed:
            import_sources(ledger, [Source("in.jsonl", data)], workers=workers)
        found.append([str(e) for e in failed.value.errors])
    assert found[0] == found[1] and len(found[0]) >= 2


def test_a_writer_that_gets_to_a_case_first_makes_the_import_check_again(
    ledger: CaseLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    if ledger.store.kind == "sqlite":
        pytest.skip("on SQLite the import holds the write lock from its start: none gets in")
    data = synthetic(3, 5)
    key = orjson.loads(data[0])["case"]
    note = {
        "case": key,
        "type": "NoteRecorded",
        "occurred": "2020-01-01",
        "text": "Written by someone else while the import was checking.",
    }
    interrupted = []
    sinks = (importer._Transaction, importer._Spool, importer._CopySpool)

    for sink in sinks:
        original = sink.add

        def add(self, rows, original=original):  # type: ignore[no-untyped-def]
            if not interrupted:
                interrupted.append(True)
                ledger.record(key, [draft_from_object(note)])
            original(self, rows)

        monkeypatch.setattr(sink, "add", add)
    report = import_sources(ledger, [Source("in.jsonl", data)], workers=0)
    assert (report.recorded, report.skipped) == (len(data), 0)
    history = ledger.history(key)
    assert history[0].type == "NoteRecorded" and len(history) == 1 + sum(
        orjson.loads(line)["case"] == key for line in data
    )
    assert_chained(ledger)


def test_a_cases_lines_come_back_whole_however_the_input_interleaves_them() -> None:
    keys = ["A-1", "A-1", "B-2", "A-1", "B-2", "B-2", "A-1", "C-3"]
    data = [
        b'{"case":"%s","n":%d,"pad":"%s"}\n' % (k.encode(), i, b"x" * (i * 7))
        for i, k in enumerate(keys)
    ]
    lines = importer._Lines()
    try:
        lines.read([Source("in.jsonl", data)], None)
        for key in set(keys):
            expected = [line for line, k in zip(data, keys, strict=True) if k == key]
            assert lines.raw_lines_of(key) == expected
            assert [line for _, line in lines.lines_of(key)] == expected
        assert [where for where, _ in lines.lines_of("B-2")] == [
            "in.jsonl:3",
            "in.jsonl:5",
            "in.jsonl:6",
        ]
    finally:
        lines.close()
