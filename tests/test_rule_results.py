"""`check --all` keeps per-case results and re-checks only what changed."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

from ledger.application import CaseLedger
from ledger.entry import draft_from_object
from ledger.importer import Source, import_sources
from ledger.synthetic import generate, write_jsonl
from ledger.views import open_views
from projections.kept.rule_results import check_all_cached, report_from_state, report_to_state
from projections.records import labels, to_records
from projections.rules import all_document, check_case
from projections.rules_config import DEFAULT_POLICY, Policy

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def filled(ledger: CaseLedger, cases: int = 8) -> None:
    buffer = io.BytesIO()
    write_jsonl(generate(cases, 12, seed=4), buffer)
    import_sources(ledger, [Source("syn", buffer.getvalue().splitlines())])


def reports_json(checked: list) -> list:
    return [report_to_state(item.report) for item in checked]


def test_a_second_run_rechecks_nothing_and_gives_the_same_reports(ledger: CaseLedger) -> None:
    filled(ledger)
    views = open_views(ledger.store)
    first, stats = check_all_cached(
        ledger, views, policy=DEFAULT_POLICY, owner_agency=None, now=NOW
    )
    assert (stats.cases, stats.rechecked) == (8, 8)
    again, stats = check_all_cached(
        ledger, views, policy=DEFAULT_POLICY, owner_agency=None, now=NOW
    )
    assert stats.rechecked == 0
    assert reports_json(again) == reports_json(first)
    fresh = [check_case(to_records(ledger.history(item.report.case)), now=NOW) for item in first]
    assert [report_to_state(r) for r in fresh] == reports_json(first)


def test_only_the_case_that_grew_is_checked_again(ledger: CaseLedger) -> None:
    filled(ledger)
    views = open_views(ledger.store)
    check_all_cached(ledger, views, policy=DEFAULT_POLICY, owner_agency=None, now=NOW)
    ledger.record(
        "SYN-000003",
        [
            draft_from_object(
                {
                    "case": "SYN-000003",
                    "type": "NoteRecorded",
                    "occurred": "2025-12-01",
                    "text": "x",
                }
            )
        ],
    )
    _, stats = check_all_cached(ledger, views, policy=DEFAULT_POLICY, owner_agency=None, now=NOW)
    assert stats.rechecked == 1


def test_another_policy_or_a_passed_deadline_means_checking_again(ledger: CaseLedger) -> None:
    views = open_views(ledger.store)
    ledger.record(
        "P-1",
        [
            draft_from_object(
                {
                    "case": "P-1",
                    "type": "ConcernReportReceived",
                    "occurred": "2025-12-30T10:00",
                    "reporter_category": "skola",
                    "concern": "bruises",
                }
            )
        ],
    )
    [item], _ = check_all_cached(
        ledger,
        views,
        policy=DEFAULT_POLICY,
        owner_agency=None,
        now=datetime(2025, 12, 30, 12, tzinfo=UTC),
    )
    assert {f.status for f in item.report.findings} >= {"pending"}
    later = datetime(2026, 2, 1, tzinfo=UTC)
    [item], stats = check_all_cached(
        ledger, views, policy=DEFAULT_POLICY, owner_agency=None, now=later
    )
    assert stats.rechecked == 1 and "pending" not in {f.status for f in item.report.findings}
    _, stats = check_all_cached(
        ledger,
        views,
        policy=Policy(protection_cutoff_hour=12),
        owner_agency=None,
        now=later + timedelta(days=1),
    )
    assert stats.rechecked == 1


def test_a_kept_report_keeps_what_check_all_shows(ledger: CaseLedger) -> None:
    """The kept row is compact (no notes, coverage or concordance, which only `check CASE`
    shows), yet every finding comes back whole and `check --all` reads the same from it."""
    filled(ledger, cases=3)
    for key in ("SYN-000001", "SYN-000002", "SYN-000003"):
        records = to_records(ledger.history(key))
        report = check_case(records, now=NOW)
        state = report_to_state(report)
        kept = report_from_state(state, DEFAULT_POLICY)
        assert kept.findings == report.findings
        assert report_to_state(kept) == state
        refs = {key: labels(records)}
        shown = [
            {
                **all_document([r], refs, "rule", DEFAULT_POLICY, None, NOW, None),
                "generated_at": None,
            }
            for r in (kept, report)
        ]
        assert shown[0] == shown[1]


def test_the_rebuild_decodes_each_entry_once(ledger: CaseLedger) -> None:
    """The index catch-up hands each case it read whole on to the rules: no entry is
    decoded a second time for its case's history."""
    filled(ledger, cases=5)
    views = open_views(ledger.store)
    decoded = 0
    decode = ledger.mapper.to_domain_event
    entry_state = ledger.mapper.entry_state  # type: ignore[attr-defined]

    def counting(stored: Any) -> Any:
        nonlocal decoded
        decoded += 1
        return decode(stored)

    def counting_states(*row: Any) -> Any:
        nonlocal decoded
        state = entry_state(*row)
        decoded += state is not None  # None: the mapper decodes it (counted there)
        return state

    ledger.mapper.to_domain_event = counting  # type: ignore[method-assign]
    ledger.mapper.entry_state = counting_states  # type: ignore[attr-defined]
    _, stats = check_all_cached(ledger, views, policy=DEFAULT_POLICY, owner_agency=None, now=NOW)
    assert stats.rechecked == 5
    assert decoded == 5 * 12


def test_a_case_that_resumes_later_in_the_log_is_checked_whole(ledger: CaseLedger) -> None:
    """Entries of a case stored after other cases' (a case recorded again after an import)
    are in the same catch-up pass: that case is checked from its whole history."""
    filled(ledger, cases=3)
    report = {
        "case": "SYN-000001",
        "type": "ConcernReportReceived",
        "occurred": "2025-12-01T10:00",
        "reporter_category": "skola",
        "concern": "bruises",
    }
    ledger.record("SYN-000001", [draft_from_object(report)])
    views = open_views(ledger.store)
    checked, _ = check_all_cached(ledger, views, policy=DEFAULT_POLICY, owner_agency=None, now=NOW)
    kept = {item.report.case: report_to_state(item.report) for item in checked}
    assert kept == {
        key: report_to_state(check_case(to_records(ledger.history(key)), now=NOW))
        for key in ("SYN-000001", "SYN-000002", "SYN-000003")
    }
    resumed = next(item.report for item in checked if item.report.case == "SYN-000001")
    assert any(13 in finding.refs for finding in resumed.findings)
