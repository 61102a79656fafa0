"""Store order is the clocks' authority: `recorded_at` never goes back in the order the store
keeps, on every store, for entries, access records and imports; `verify` names a row that does,
`checkpoint` signs nothing then, and "as the ledger stood at T" is not answered from it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from cli.main import cli
from ledger.access import AccessLog, record_access
from ledger.application import CaseLedger
from ledger.case import Case
from ledger.clock import TOLERANCE, ClockBehind, StoreOrder, store_time
from ledger.entry import draft_from_object
from ledger.importer import Source, import_sources
from ledger.storage import sqlite_store
from tests import test_tamper
from tests.test_tamper import LILLA, Target, first_line, rewrite

# The assertions are on the English wording of verify (Swedish is tested on its own).
pytestmark = pytest.mark.usefixtures("english")

target_for = test_tamper.target_for  # the fixture: a store of each kind, SQL at hand

NOTE = {"type": "NoteRecorded", "occurred": "2020-01-01", "text": "A note."}


def note(case: str, text: str = "A note.") -> object:
    return draft_from_object({**NOTE, "case": case, "text": text})


def times_in_store_order(ledger: CaseLedger) -> list[datetime]:
    return [
        ledger.mapper.to_domain_event(n).timestamp
        for page in ledger.notification_pages(None)
        for n in page
    ]


def clock_at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """This machine's clock reads `moment` (for entries and access records alike)."""
    for event_class in (Case.EntryRecorded, AccessLog.AccessRecorded):
        monkeypatch.setattr(event_class, "create_timestamp", staticmethod(lambda: moment))


# ---- the rule ----


def test_store_time_takes_the_later_time_within_the_tolerance_and_refuses_beyond() -> None:
    last = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert store_time(last + timedelta(seconds=1), last) == last + timedelta(seconds=1)
    assert store_time(last - timedelta(seconds=30), last) == last
    assert store_time(last - TOLERANCE, last) == last
    with pytest.raises(ClockBehind, match=r"the clock is 301 s behind"):
        store_time(last - TOLERANCE - timedelta(seconds=1), last)
    assert store_time(last, None) == last


def test_store_order_names_the_first_row_that_goes_back_once() -> None:
    order = StoreOrder()
    t = datetime(2026, 1, 1, tzinfo=UTC)
    assert order.see(t, "A#1") is None
    assert order.see(t, "B#1") is None  # equal times: stored at once
    found = order.see(t - timedelta(seconds=1), "A#2")
    assert found is not None and "before that of B#1" in found
    assert order.see(t - timedelta(seconds=2), "A#3") is None  # counted, not repeated
    assert order.back == 2


# ---- writers ----


def test_a_writer_whose_clock_is_behind_never_stores_an_earlier_time(
    ledger: CaseLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.record("ORD-A", [note("ORD-A")])
    (first,) = ledger.history("ORD-A")
    clock_at(monkeypatch, first.timestamp - timedelta(minutes=1))
    ledger.record("ORD-B", [note("ORD-B")])
    record_access(ledger, user="granskare A", command="timeline", case="ORD-B")
    (second,) = ledger.history("ORD-B")
    assert second.timestamp >= first.timestamp
    times = times_in_store_order(ledger)
    assert times == sorted(times)
    if ledger.store.kind != "postgres":  # there the server's clock decides
        assert second.timestamp == first.timestamp


def test_a_clock_far_behind_is_refused_and_nothing_is_stored(
    ledger: CaseLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.record("ORD-A", [note("ORD-A")])
    (first,) = ledger.history("ORD-A")
    clock_at(monkeypatch, first.timestamp - timedelta(hours=2))
    if ledger.store.kind == "postgres":
        # The server's clock, not this machine's: the entry is stored at the server's time.
        ledger.record("ORD-B", [note("ORD-B")])
        (second,) = ledger.history("ORD-B")
        assert abs(second.timestamp - datetime.now(UTC)) < timedelta(minutes=1)
        return
    with pytest.raises(ClockBehind):
        ledger.record("ORD-B", [note("ORD-B")])
    with pytest.raises(ClockBehind):
        record_access(ledger, user="granskare A", command="timeline", case="ORD-A")
    assert not ledger.has_case("ORD-B")
    assert len(times_in_store_order(ledger)) == 1


def test_on_postgres_recorded_at_is_the_servers_time(
    ledger: CaseLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    if ledger.store.kind != "postgres":
        pytest.skip("PostgreSQL only")
    clock_at(monkeypatch, datetime(2000, 1, 1, tzinfo=UTC))
    ledger.record("ORD-A", [note("ORD-A")])
    recorded = record_access(ledger, user="granskare A", command="timeline", case="ORD-A")
    (entry,) = ledger.history("ORD-A")
    for moment in (entry.timestamp, recorded.timestamp):
        assert abs(moment - datetime.now(UTC)) < timedelta(minutes=1)
    # The access record returned is the one stored, its hash over the server's time.
    (stored,) = [e for e in ledger.events.get(recorded.originator_id) if e.originator_version == 1]
    assert (stored.timestamp, stored.hash) == (recorded.timestamp, recorded.hash)


def test_an_import_stamps_its_entries_with_one_time_not_before_the_last_row(
    ledger: CaseLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.record("ORD-A", [note("ORD-A")])
    (first,) = ledger.history("ORD-A")
    clock_at(monkeypatch, first.timestamp - timedelta(seconds=30))
    lines = LILLA.read_bytes().splitlines()
    import_sources(ledger, [Source("lilla.jsonl", lines)], workers=0)
    times = times_in_store_order(ledger)
    assert times == sorted(times)
    imported = {e.timestamp for e in ledger.history("NK-LH")}
    assert len(imported) == 1 and min(imported) >= first.timestamp


def test_an_import_checked_in_worker_processes_keeps_store_order(tmp_path: Path) -> None:
    from ledger.synthetic import generate

    ledger = CaseLedger(sqlite_store(str(tmp_path / "ledger.db")))
    try:
        ledger.record("ORD-A", [note("ORD-A")])
        lines = [orjson.dumps(obj) for obj in generate(30, 40, seed=5)]
        import_sources(ledger, [Source("gen.jsonl", lines)], workers=2)
        times = times_in_store_order(ledger)
        assert len(times) == 1 + len(lines) and times == sorted(times)
    finally:
        ledger.close()


def test_concurrent_writers_and_readers_keep_store_order(
    open_ledger: Callable[[], CaseLedger], store
) -> None:
    if store.kind == "memory":
        pytest.skip("an in-memory store lives inside one application")
    errors: list[BaseException] = []

    def work(n: int) -> None:
        ledger = open_ledger()
        try:
            for i in range(8):
                key = f"ORD-{n}"
                ledger.record(key, [note(key, f"note {i}")])
                record_access(ledger, user="granskare A", command="show", case=key)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    times = times_in_store_order(open_ledger())
    assert len(times) == 64 and times == sorted(times)


# ---- the attack: a row back-dated behind the ledger's back ----


def test_a_back_dated_entry_is_named_by_verify_and_not_trusted_as_recorded_at(
    target_for: Callable[..., Target],
) -> None:
    """NK-LH's newest entry, recorded after Åstorp's import, rewritten with plain SQL to
    carry the time of NK-LH's own import (its hash recomputed): within its case nothing
    goes back, but in store order it follows rows recorded later."""
    target = target_for()
    target.import_(LILLA)
    astorp = Path(__file__).resolve().parents[1] / "examples" / "astorp.jsonl"
    target.import_(astorp)
    added = target.run(
        "record", "NK-LH", "NoteRecorded", "--occurred", "2020-01-08", "--field", "text=Later."
    )
    assert added.exit_code == 0, added.output
    ledger = target.ledger()
    history = ledger.history("NK-LH")
    ledger.close()
    newest, imported_at = len(history), history[0].timestamp
    assert history[-1].timestamp > imported_at
    assert target.verify().exit_code == 0
    rewrite(target, "NK-LH", newest, timestamp=imported_at)

    result = target.verify()
    assert result.exit_code == 1, result.output
    # (before that of Åstorp's entries, and of the read `record` logged just before it)
    assert first_line(result).startswith(
        f"NK-LH#{newest}: recorded_at {imported_at.isoformat()} is before that of "
    )
    assert "out of store order (back-dated)" in first_line(result)

    assert CliRunner().invoke(cli, ["keygen", "--key", target.key]).exit_code == 0
    refused = target.run("checkpoint", "--key", target.key, "--checkpoints", target.log)
    assert refused.exit_code == 1 and "out of store order" in refused.output

    point = (imported_at + timedelta(seconds=1)).isoformat(timespec="seconds")
    view = target.run("timeline", "NK-LH", "--as-recorded-at", point)
    assert view.exit_code == 1
    assert f"NK-LH#{newest}" in view.output and "Later." not in view.output
    assert len(view.output.strip().splitlines()) == 1
    assert target.run("timeline", "NK-LH").exit_code == 0  # the present view still answers


def test_an_import_overtaken_by_another_writer_is_stamped_again_under_the_lock(
    ledger: CaseLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside SQLite an import takes its time before checking and stores in batches; a
    writer that stored a later time meanwhile makes the batch be stamped again, its chains
    redone, so store order and every hash hold."""
    if ledger.store.kind == "sqlite":
        pytest.skip("on SQLite the import holds the write lock from its start")
    from ledger.integrity import verify_ledger

    ledger.record("ORD-A", [note("ORD-A")])
    (first,) = ledger.history("ORD-A")
    earlier = first.timestamp - timedelta(seconds=20)
    monkeypatch.setattr(CaseLedger, "store_time_now", lambda self: earlier)
    lines = LILLA.read_bytes().splitlines()
    import_sources(ledger, [Source("lilla.jsonl", lines)], workers=0)
    times = times_in_store_order(ledger)
    assert times == sorted(times)
    assert min(e.timestamp for e in ledger.history("NK-LH")) >= first.timestamp
    report = verify_ledger(ledger, [], None)
    assert report.intact, report.first
