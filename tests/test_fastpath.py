"""The import's fast path stores exactly what the exact path stores, row for row and byte for
byte, and hands every line it does not take as written to the exact path."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from eventsourcing.cryptography import AESCipher

from ledger import fastpath, importer
from ledger.application import CaseLedger
from ledger.case import Case, case_id
from ledger.importer import ImportFailed, Source, import_sources
from ledger.rows import RowCipher
from ledger.storage import sqlite_store
from ledger.synthetic import generate

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
KEY = AESCipher.create_key(32)


@pytest.fixture
def same_clock_and_nonces(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Timestamps and nonces that repeat from one import to the next, so the two paths' rows
    can be compared byte for byte."""

    def restart() -> None:
        ticks = itertools.count()
        nonces = itertools.count()
        start = datetime(2024, 1, 1, tzinfo=UTC)
        monkeypatch.setattr(
            Case.EntryRecorded,
            "create_timestamp",
            staticmethod(lambda: start + timedelta(microseconds=next(ticks))),
        )
        monkeypatch.setattr(
            RowCipher,
            "random_bytes",
            staticmethod(lambda n: next(nonces).to_bytes(n, "big")),
        )

    restart.__name__ = "restart"
    yield restart  # type: ignore[misc]


def _stored(tmp_path: Path, name: str, lines: list[bytes], *, exact: bool, cipher: bool) -> list:
    store = sqlite_store(str(tmp_path / f"{name}.db"))
    if cipher:
        store = store.with_cipher(KEY)
    ledger = CaseLedger(store)
    try:
        report = import_sources(ledger, [Source("input.jsonl", lines)], workers=0, exact=exact)
    finally:
        ledger.close()
    conn = sqlite3.connect(tmp_path / f"{name}.db")
    try:
        rows = conn.execute(
            "SELECT originator_id, originator_version, topic, state FROM stored_events "
            "ORDER BY rowid"
        ).fetchall()
    finally:
        conn.close()
    assert report.recorded == len(rows)
    return rows


def _generated() -> list[bytes]:
    return [orjson.dumps(obj) + b"\n" for obj in generate(40, 25, seed=11)]


def _examples() -> list[bytes]:
    return [
        line
        for name in ("lilla-hjartat.jsonl", "astorp.jsonl")
        for line in (EXAMPLES / name).read_bytes().splitlines(keepends=True)
    ]


@pytest.mark.parametrize("cipher", [False, True], ids=["clear", "encrypted"])
@pytest.mark.parametrize("source", [_generated, _examples], ids=["generated", "examples"])
def test_fast_path_stores_the_exact_paths_bytes(
    tmp_path: Path, same_clock_and_nonces, monkeypatch: pytest.MonkeyPatch, source, cipher: bool
) -> None:
    lines = source()
    taken = []
    original = fastpath.fast_rows

    def counting(*args):
        rows = original(*args)
        taken.append(rows is not None)
        return rows

    monkeypatch.setattr(importer, "fast_rows", counting)
    same_clock_and_nonces()
    exact = _stored(tmp_path, "exact", lines, exact=True, cipher=cipher)
    assert taken == []  # the exact path alone
    same_clock_and_nonces()
    fast = _stored(tmp_path, "fast", lines, exact=False, cipher=cipher)
    assert len(fast) == len(exact) > 0
    for fast_row, exact_row in zip(fast, exact, strict=True):
        assert fast_row == exact_row
    # Most cases really went the fast path (a case with a correction goes the exact one).
    assert sum(taken) >= 0.8 * len(taken), taken


def _case_lines() -> list[dict]:
    return [
        {
            "case": "FP-1",
            "ref": "r1",
            "type": "ConcernReportReceived",
            "occurred": "2019-12-02",
            "actor": "mottagningen",
            "agency": "Socialtjänsten Norrköping",
            "reporter_category": "okand",
            "concern": "Oro för barnet.",
            "summary": "Orosanmälan.",
        },
        {
            "case": "FP-1",
            "type": "ProtectionAssessmentMade",
            "occurred": "2019-12-02",
            "actor": "socialsekreterare A",
            "agency": "Socialtjänsten Norrköping",
            "report": "@r1",
            "immediate_protection_needed": False,
            "basis": ["@r1"],
            "summary": "Skyddsbedömning.",
        },
    ]


@pytest.mark.parametrize(
    ("change", "accepted"),
    [
        ({}, True),
        ({"occurred": "2019-12-2"}, False),  # a time the exact path reports
        ({"occurred": " 2019-12-02"}, False),  # written differently from its canonical form
        ({"summary": " Skyddsbedömning."}, False),  # blanks the exact path strips
        ({"assessment": False}, False),  # false is written by leaving it out
        ({"assessment": True}, True),
        ({"basis": []}, False),
        ({"basis": ["@nowhere"]}, False),  # does not resolve
        ({"basis": ["#2"]}, False),  # refers to itself
        ({"basis": ["#1"]}, True),
        ({"seq": 4}, False),  # set by the ledger
        ({"colour": "red"}, False),  # not a field of the type
        ({"immediate_protection_needed": "no"}, False),
        ({"immediate_protection_needed": "not_documented"}, True),
        ({"report": "@nowhere"}, False),
        ({"report": "FP-1#1"}, True),
        ({"report": "OTHER#1"}, False),  # into another case
        ({"known": "2019-12-01"}, False),  # known before it occurred
        ({"source": None}, False),  # absent values are dropped by the exact path
        ({"summary": "Barnet 19121212-1212 bedömdes."}, False),  # refused by the exact path
        ({"summary": "Barnet 121212\u20131212 bedömdes."}, False),
        ({"summary": "Dom 1234-19, tel. 070-123 45 67, dnr 8.5-12345/2020."}, True),
    ],
)
def test_fast_path_takes_only_what_the_exact_path_keeps_as_written(
    change: dict, accepted: bool
) -> None:
    objects = _case_lines()
    objects[1] = {**objects[1], **change}
    lines = [orjson.dumps(obj) for obj in objects]
    ledger = CaseLedger(sqlite_store(":memory:"))
    try:
        case = Case.start(case_id("FP-1"), "FP-1")
        rows = fastpath.fast_rows(case, lines, ledger.mapper)
    finally:
        ledger.close()
    assert (rows is not None) is accepted


def test_an_identity_number_written_with_escapes_goes_the_exact_path() -> None:
    objects = _case_lines()
    objects[1]["summary"] = "Barnet PNR."
    lines = [orjson.dumps(obj) for obj in objects]
    lines[1] = lines[1].replace(b"PNR", b"\\u0031\\u0039121212-1212")
    assert "19121212-1212" in orjson.loads(lines[1])["summary"]
    ledger = CaseLedger(sqlite_store(":memory:"))
    try:
        rows = fastpath.fast_rows(Case.start(case_id("FP-1"), "FP-1"), lines, ledger.mapper)
    finally:
        ledger.close()
    assert rows is None


def test_a_case_the_fast_path_declines_is_checked_and_reported_exactly(tmp_path: Path) -> None:
    objects = _case_lines()
    objects[1]["basis"] = ["@nowhere"]
    lines = [orjson.dumps(obj) + b"\n" for obj in objects]
    ledger = CaseLedger(sqlite_store(str(tmp_path / "l.db")))
    try:
        with pytest.raises(ImportFailed) as failed:
            import_sources(ledger, [Source("in.jsonl", lines)], workers=0)
        assert [str(e) for e in failed.value.errors] == [
            "in.jsonl:2: field 'basis': @nowhere does not resolve: no entry has that ref"
        ]
    finally:
        ledger.close()


def test_a_reimport_skips_what_is_stored(tmp_path: Path) -> None:
    lines = _generated()[:60]
    ledger = CaseLedger(sqlite_store(str(tmp_path / "l.db")))
    try:
        first = import_sources(ledger, [Source("in.jsonl", lines)], workers=0)
        again = import_sources(ledger, [Source("in.jsonl", lines)], workers=0)
    finally:
        ledger.close()
    assert (first.recorded, first.skipped) == (60, 0)
    assert (again.recorded, again.skipped) == (0, 60)


def test_the_chain_hash_made_in_place_is_the_chained_payloads() -> None:
    from ledger.chain import chain_hash_at, chained_payload_at, entry_hash

    state = {"case": "NK-1", "type": "CaseOpened", "fields": {"b": 1, "a": [2]}, "prev_hash": "0"}
    before = list(state.items())
    at = "2026-12-06T11:00:00+00:00"
    assert chain_hash_at(state, 7, at) == entry_hash(chained_payload_at(state, 7, at))
    assert list(state.items()) == before  # left as it was, key order too


def test_a_line_that_is_not_utf8_sends_its_case_the_exact_path(tmp_path: Path) -> None:
    """A case's lines are tested for NFC all at once: a line of bytes that are not UTF-8
    among them sends the case to the exact path, which names the line."""
    objects = _case_lines()
    objects[1]["summary"] = "Barnet å PLACE."
    lines = [orjson.dumps(obj) + b"\n" for obj in objects]
    lines[1] = lines[1].replace(b"PLACE", b"\xff\xfe")
    ledger = CaseLedger(sqlite_store(str(tmp_path / "l.db")))
    try:
        assert fastpath.fast_rows(Case.start(case_id("FP-1"), "FP-1"), lines, ledger.mapper) is None
        with pytest.raises(ImportFailed) as failed:
            import_sources(ledger, [Source("in.jsonl", lines)], workers=0)
        assert [e.where for e in failed.value.errors] == ["in.jsonl:2"]
    finally:
        ledger.close()
