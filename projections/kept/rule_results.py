"""`ledger check --all` without rereading the whole ledger.

Each case's report is kept in the materialised views, keyed by the case's last seq (from the
case index), by the policy it was judged under and by the language of its messages. A later run
re-checks only the cases that grew, and those whose result depended on "now": a report with an
open deadline is re-checked once that deadline has passed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from time import process_time
from typing import Any

import orjson

from ledger.application import CaseLedger
from ledger.gc_pause import paused_gc
from ledger.timeparse import Moment, parse_moment
from ledger.views import CaseViews, ViewRow
from projections.deadlines import Due
from projections.kept.answer import all_json_pieces, case_part
from projections.kept.case_index import INDEX_VIEW, catch_up_cases
from projections.language import LANGUAGES, current
from projections.records import Record, to_records
from projections.rules import (
    RULES,
    STATUSES,
    Finding,
    NotInForce,
    Report,
    RuleExplain,
    check_case,
)
from projections.rules_config import Policy

RECHECK = ":recheck"  # a companion view: when each case's report may change with time alone
ANSWER = ":answer"  # a companion view: each case's part of the JSON answer (kept/answer.py)
RULES_PREFIX = "rules:"
# Version 4 kept the policy and owner agency in each row, so `verify` can check it; version 5
# keeps compact finding rows (no explanation notes, concordance or coverage, which only
# `check CASE` shows and computes itself; no severity or legal reference, which follow from
# the rule and the trigger's time) with each finding's unit and trigger type. Version 6
# keeps each case's part of the JSON answer beside its report, in the companion view ANSWER.
# Version 7 keeps that part's findings as the row's blob, bytes spliced into the answer as they
# are, no longer as a JSON string inside its data. Version 8: a rule that cites no paragraph
# names its source in the reader's language (it was always English), and the kept findings'
# text holds it.
_STATE_VERSION = 9
# Since version 7 a view's name says its version: a view kept by an earlier version, which
# nothing reads again, is known by its name (`earlier_version`) and dropped.
_CURRENT_PREFIX = f"{RULES_PREFIX}v{_STATE_VERSION}:"
_FLUSH = 500  # kept rows written per transaction while rebuilding


@dataclass(frozen=True, slots=True)
class CheckedCase:
    report: Report
    labels: dict[int, str | None]


@dataclass(frozen=True, slots=True)
class CacheStats:
    cases: int
    rechecked: int
    # Process CPU seconds of the refresh, and of its two stages after decoding: running the
    # rules, and writing the kept rows (encoding included). The rest is reading: the index
    # catch-up's single decoding pass, and histories of cases that began before it.
    cpu: float = 0.0
    cpu_rules: float = 0.0
    cpu_write: float = 0.0

    @property
    def cpu_read(self) -> float:
        return self.cpu - self.cpu_rules - self.cpu_write


def refresh(
    ledger: CaseLedger,
    views: CaseViews,
    *,
    policy: Policy,
    owner_agency: str | None,
    now: datetime,
) -> CacheStats:
    """Bring the kept results up to date: check again only the cases that grew since, and
    those whose open deadline has passed. Reads no kept report, only seqs and due times.

    Entries stored since the case index's position are decoded once, for the index and for
    the rules: a case whose every entry is among them is checked from the records the index
    catch-up read. Any other stale case is checked from its history."""
    return _refresh(ledger, views, policy=policy, owner_agency=owner_agency, now=now)[0]


def _refresh(
    ledger: CaseLedger,
    views: CaseViews,
    *,
    policy: Policy,
    owner_agency: str | None,
    now: datetime,
) -> tuple[CacheStats, dict[str, int]]:
    """`refresh`, and each kept report's last seq after it (by the codec's case column):
    those it read, and those it wrote."""
    started = process_time()
    view = _view_name(policy, owner_agency)
    column = views.codec.column
    spent = {"rules": 0.0, "write": 0.0}
    # What an earlier version kept is never read again: its rows go (tens of MB on a large
    # ledger), and `verify` has none left to pass over.
    earlier = [name for name in views.view_names() if earlier_version(name)]
    if earlier:
        views.drop(earlier)
    with paused_gc():
        recheck_rows, kept = views.rows_beside(view + RECHECK, view)
        rechecks = {row.case: row.data for row in recheck_rows}

        def stale(case: str, last_seq: int) -> bool:
            recheck = rechecks.get(case)
            return kept.get(column(case)) != last_seq or (
                recheck is not None and now >= datetime.fromisoformat(recheck)
            )

        fresh: list[ViewRow] = []
        rechecked = 0

        def keep(case: str, records: list[Record]) -> None:
            nonlocal fresh, rechecked
            begun = process_time()
            report = check_case(records, policy=policy, owner_agency=owner_agency, now=now)
            checked = process_time()
            spent["rules"] += checked - begun
            last_seq = records[-1].seq
            recheck = recheck_text(report)
            data = row_data(report, records, policy, owner_agency)
            counted, findings = answer_part(report, data)
            fresh += [
                ViewRow(view, case, last_seq, data),
                ViewRow(view + RECHECK, case, last_seq, recheck),
                ViewRow(view + ANSWER, case, last_seq, counted, findings),
            ]
            kept[column(case)] = last_seq
            rechecks[case] = recheck
            rechecked += 1
            if len(fresh) >= 3 * _FLUSH:
                views.apply(fresh)
                fresh = []
            spent["write"] += process_time() - checked

        for case, records in catch_up_cases(ledger, views):
            if records and stale(case, records[-1].seq):
                keep(case, records)
        # Cases that began before this pass, resumed in it, or whose deadline passed. The
        # index rows are opened, not only their seqs read: a row swapped into another case
        # is refused here as by `ledger cases`.
        # An erased case's row says only that it was erased: it is never checked.
        index = [row for row in views.rows(INDEX_VIEW) if not row.data.get("erased")]
        for row in index:
            if stale(row.case, row.last_seq):
                keep(row.case, to_records(ledger.history(row.case)))
        if fresh:
            begun = process_time()
            views.apply(fresh)
            spent["write"] += process_time() - begun
    stats = CacheStats(
        cases=len(index),
        rechecked=rechecked,
        cpu=process_time() - started,
        cpu_rules=spent["rules"],
        cpu_write=spent["write"],
    )
    return stats, kept


def recheck_text(report: Report) -> str | None:
    """When the case's kept report must be judged again though no entry came (the first
    time a finding's status changes with the clock alone, as a deadline passes), as its
    kept text; None when the clock alone changes nothing."""
    changes = [f.recheck_at for f in report.findings if f.recheck_at is not None]
    return min(changes).isoformat() if changes else None


def check_all_cached(
    ledger: CaseLedger,
    views: CaseViews,
    *,
    policy: Policy,
    owner_agency: str | None,
    now: datetime,
) -> tuple[list[CheckedCase], CacheStats]:
    """Every case's report as of `now`, re-checking only what may have changed."""
    stats = refresh(ledger, views, policy=policy, owner_agency=owner_agency, now=now)
    with paused_gc():
        checked = [
            CheckedCase(report_from_state(row.data["report"], policy), _labels(row.data["labels"]))
            for row in views.rows(_view_name(policy, owner_agency))
        ]
    return checked, stats


def check_all_answer(
    ledger: CaseLedger,
    views: CaseViews,
    *,
    policy: Policy,
    owner_agency: str | None,
    now: datetime,
) -> tuple[list[Any] | None, CacheStats]:
    """Every case's part of the JSON answer as of `now` (kept/answer.py), in case order,
    re-checking only what may have changed, as `check_all_cached` does: its counts, and its
    findings' kept bytes under "findings". None when the kept parts are not those of the
    kept reports, one for one (a view rebuilt only in part): the reports then give the
    answer. The reports' seqs are those the refresh read and wrote: not read again."""
    stats, kept = _refresh(ledger, views, policy=policy, owner_agency=owner_agency, now=now)
    view = _view_name(policy, owner_agency)
    column = views.codec.column
    with paused_gc():
        rows = views.rows(view + ANSWER)
    if len(rows) != len(kept) or any(kept.get(column(r.case)) != r.last_seq for r in rows):
        return None, stats
    return [{**row.data, "findings": row.blob} for row in rows], stats


def json_answer(
    ledger: CaseLedger,
    views: CaseViews,
    *,
    group_by: str,
    policy: Policy,
    owner_agency: str | None,
    now: datetime,
) -> tuple[list[bytes | memoryview], list[str]] | None:
    """`check --all --format json`'s bytes as of `now`, from the kept parts, in the pieces
    to write one after the other (`all_json_pieces`), and the status of each finding they
    hold; None when the parts are not there to give it (`check_all_answer`).

    The collector stays paused until the parts are dropped: decoded, they are some hundred
    thousand small containers without cycles, which it would otherwise traverse on the way
    to the old generation, the whole heap with them, only to find nothing to collect."""
    with paused_gc():
        parts, _stats = check_all_answer(
            ledger, views, policy=policy, owner_agency=owner_agency, now=now
        )
        if parts is None:
            return None
        written = all_json_pieces(parts, group_by, policy, now, owner_agency)
        statuses = [
            status
            for part in parts
            for status, count in part["counts"]["by_status"].items()
            for _ in range(count)
        ]
        del parts  # freed while paused: nothing is left for the collector to traverse
    return written, statuses


def answer_part(report: Report, data: Mapping[str, Any]) -> tuple[dict[str, Any], bytes]:
    """A case's part of the JSON answer, from its report and its kept row's data (the
    labels and the compact explanation the answer from kept reports reads): its counts, and
    its findings' bytes."""
    return case_part(report, _labels(data["labels"]), data["report"]["explain"])


_BY_ID = {rule_.id: rule_ for rule_ in RULES}


def _view_name(policy: Policy, owner_agency: str | None, language: str | None = None) -> str:
    # The state's shape is part of the name: results kept in an older shape are never read.
    # So is the language (the reader's, unless given): a report's messages are written in it.
    settings = orjson.dumps(
        [_STATE_VERSION, policy.values(), owner_agency, language or current()],
        option=orjson.OPT_SORT_KEYS,
    )
    return _CURRENT_PREFIX + hashlib.sha256(settings).hexdigest()[:16]


def earlier_version(view: str) -> bool:
    """Whether a view of rule results was kept by an earlier version of the ledger (its
    rows are in a shape nothing reads any more)."""
    return view.startswith(RULES_PREFIX) and not view.startswith(_CURRENT_PREFIX)


def row_data(
    report: Report, records: Sequence[Record], policy: Policy, owner_agency: str | None
) -> dict[str, Any]:
    """A case's kept row: its report, the labels its findings name, its settings."""
    # Only the labels the findings name: the rest of the case is not needed to show them.
    named = {seq for finding in report.findings for seq in finding.refs}
    refs = {record.seq: record.ref for record in records if record.seq in named}
    return {
        "report": report_to_state(report),
        "labels": [[seq, refs.get(seq)] for seq in sorted(named)],
        "policy": policy.values(),
        "owner_agency": owner_agency,
    }


def settings_of(view: str, data: Any) -> tuple[Policy, str | None, str] | None:
    """The policy, owner agency and language a kept row was judged under, when they are the
    ones its view is named after (None otherwise). The language is the reader's who kept it,
    which may not be the reader's now."""
    try:
        policy = Policy(**data["policy"])
        owner_agency = data["owner_agency"]
    except (TypeError, KeyError, ValueError):
        return None
    for language in LANGUAGES:
        if _view_name(policy, owner_agency, language) == view:
            return policy, owner_agency, language
    return None


def _labels(pairs: list[list[Any]]) -> dict[int, str | None]:
    return {int(seq): ref for seq, ref in pairs}


# --- a report as compact JSON and back ----------------------------------------------------
#
# A kept report holds what `check --all` shows: each finding as one array, and of each rule's
# explanation only its counts (its status and the per-status counts follow from them and the
# findings; the words of the note are written when shown). Coverage, concordance and the
# per-case notes are what `check CASE` shows, and it runs the rules itself.


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _when_back(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _due(due: Due | None) -> list[Any] | None:
    if due is None:
        return None
    anchor = due.anchor.text if due.anchor is not None else None
    return [due.lo.isoformat(), due.hi.isoformat(), anchor, due.anchor_words]


def _due_back(state: list[Any] | None) -> Due | None:
    if state is None:
        return None
    lo, hi, anchor, words = state
    return Due(
        datetime.fromisoformat(lo),
        datetime.fromisoformat(hi),
        parse_moment(anchor) if anchor is not None else None,
        words,
    )


def _moment(text: str | None) -> Moment | None:
    return parse_moment(text) if text is not None else None


def report_to_state(report: Report) -> dict[str, Any]:
    return {
        "case": report.case,
        "findings": [
            [
                f.rule,
                f.status,
                list(f.refs),
                _due(f.due),
                f.met.text if f.met else None,
                f.message,
                f.policy,
                f.reason,
                f.trigger_time.text if f.trigger_time else None,
                f.agency,
                f.unit,
                f.trigger_type,
                _when(f.recheck_at),
            ]
            for f in report.findings
        ],
        "explain": [
            [
                e.rule,
                e.triggered,
                e.met,
                e.lapsed,
                e.ended_by_death,
                [[n.seq, n.ref, n.type, n.time.text] for n in e.not_in_force],
            ]
            for e in report.explain
            if e.triggered
        ],
        "owner_agency": report.owner_agency,
        "evaluated_at": _when(report.evaluated_at),
    }


@lru_cache(maxsize=65536)
def _citation(rule_id: str, trigger_time: str | None, language: str) -> str:
    """As the engine cites a finding: the rule's norm in force at its trigger's time (in the
    reader's language, which the kept view's name holds)."""
    return _BY_ID[rule_id].citation(_moment(trigger_time))


_UNTRIGGERED: tuple[Any, ...] = ("", 0, 0, 0, 0, ())
_NONE: dict[str, int] = {}


def report_from_state(state: Mapping[str, Any], policy: Policy | None = None) -> Report:
    """The kept report: its findings whole, its explanation without the notes."""
    case = state["case"]
    findings = []
    for (
        rule_id,
        status,
        refs,
        due,
        met,
        message,
        norm,
        reason,
        trigger_text,
        agency,
        unit,
        trigger_type,
        recheck_at,
    ) in state["findings"]:
        rule_ = _BY_ID[rule_id]
        trigger_time = _moment(trigger_text)
        findings.append(
            Finding(
                rule=rule_id,
                severity=rule_.severity,
                status=status,
                refs=tuple(refs),
                due=_due_back(due),
                met=_moment(met),
                message=message,
                legal_reference=_citation(rule_id, trigger_text, current()),
                policy=norm,
                reason=reason,
                case=case,
                trigger_time=trigger_time,
                agency=agency,
                recheck_at=_when_back(recheck_at),
                unit=unit,
                trigger_type=trigger_type,
            )
        )
    counts: dict[str, dict[str, int]] = {}
    for finding in findings:
        by_status = counts.setdefault(finding.rule, {})
        by_status[finding.status] = by_status.get(finding.status, 0) + 1
    applied = {item[0]: item for item in state["explain"]}
    explain = []
    for rule_ in RULES:
        _id, triggered, met, lapsed, ended_by_death, not_in_force = applied.get(
            rule_.id, _UNTRIGGERED
        )
        found = counts.get(rule_.id, _NONE)
        explain.append(
            RuleExplain(
                rule=rule_.id,
                status=(
                    "not_triggered"
                    if not triggered
                    else "not_in_force"
                    if len(not_in_force) == triggered
                    else "applied"
                ),
                triggered=triggered,
                not_in_force=tuple(
                    NotInForce(seq, ref, type_, parse_moment(time))
                    for seq, ref, type_, time in not_in_force
                ),
                met=met,
                lapsed=lapsed,
                ended_by_death=ended_by_death,
                findings={s: found[s] for s in STATUSES if s in found},
                note="",
            )
        )
    return Report(
        case=case,
        findings=findings,
        explain=explain,
        policy=policy or Policy(),
        owner_agency=state["owner_agency"],
        as_known_at=None,
        evaluated_at=_when_back(state["evaluated_at"]),  # type: ignore[arg-type]
    )
