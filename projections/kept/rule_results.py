"""`ledger check --all` without rereading the whole ledger.

Each case's report is kept in the materialised views, keyed by the case's last seq (from the
case index) and by the policy it was judged under. A later run re-checks only the cases that
grew, and those whose result depended on "now": a report with an open deadline is re-checked
once that deadline has passed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from ledger.application import CaseLedger
from ledger.timeparse import parse_moment
from ledger.views import CaseViews, ViewRow
from projections.deadlines import Due
from projections.kept.case_index import case_index
from projections.records import labels, to_records
from projections.rules import (
    Concordance,
    Evidence,
    Finding,
    NotInForce,
    Report,
    RuleExplain,
    check_case,
)
from projections.rules.model import Declared
from projections.rules_config import Policy

RECHECK = ":recheck"  # a companion view: when each case's report may change with time alone
RULES_PREFIX = "rules:"
# Version 4 keeps the policy and owner agency in each row, so `verify` can check it.
_STATE_VERSION = 4


@dataclass(frozen=True, slots=True)
class CheckedCase:
    report: Report
    labels: dict[int, str | None]


@dataclass(frozen=True, slots=True)
class CacheStats:
    cases: int
    rechecked: int


def refresh(
    ledger: CaseLedger,
    views: CaseViews,
    *,
    policy: Policy,
    owner_agency: str | None,
    now: datetime,
) -> CacheStats:
    """Bring the kept results up to date: check again only the cases that grew since, and
    those whose open deadline has passed. Reads no kept report, only seqs and due times."""
    view = _view_name(policy, owner_agency)
    index = case_index(ledger, views)
    seqs = views.last_seqs(view)
    rechecks = {row.case: row.data for row in views.rows(view + RECHECK)}
    fresh: list[ViewRow] = []
    for summary in index:
        kept = seqs.get(views.codec.column(summary.case))
        recheck = rechecks.get(summary.case)
        if kept == summary.last_seq and (recheck is None or now < datetime.fromisoformat(recheck)):
            continue
        records = to_records(ledger.history(summary.case))
        report = check_case(records, policy=policy, owner_agency=owner_agency, now=now)
        changes = [f.recheck_at for f in report.findings if f.recheck_at is not None]
        fresh += [
            ViewRow(
                view,
                summary.case,
                summary.last_seq,
                _row_data(report, labels(records), policy, owner_agency),
            ),
            ViewRow(
                view + RECHECK,
                summary.case,
                summary.last_seq,
                min(changes).isoformat() if changes else None,
            ),
        ]
    if fresh:
        views.apply(fresh)
    return CacheStats(cases=len(index), rechecked=len(fresh) // 2)


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
    checked = [
        CheckedCase(report_from_state(row.data["report"], policy), _labels(row.data["labels"]))
        for row in views.rows(_view_name(policy, owner_agency))
    ]
    return checked, stats


def _view_name(policy: Policy, owner_agency: str | None) -> str:
    # The state's shape is part of the name: results kept in an older shape are never read.
    settings = orjson.dumps(
        [_STATE_VERSION, policy.values(), owner_agency], option=orjson.OPT_SORT_KEYS
    )
    return RULES_PREFIX + hashlib.sha256(settings).hexdigest()[:16]


def _row_data(
    report: Report, refs: Mapping[int, str | None], policy: Policy, owner_agency: str | None
) -> dict[str, Any]:
    # Only the labels the findings name: the rest of the case is not needed to show them.
    named = {seq for finding in report.findings for seq in finding.refs}
    return {
        "report": report_to_state(report),
        "labels": [[seq, refs.get(seq)] for seq in sorted(named)],
        "policy": policy.values(),
        "owner_agency": owner_agency,
    }


def settings_of(view: str, data: Any) -> tuple[Policy, str | None] | None:
    """The policy and owner agency a kept row was judged under, when they are the ones its
    view is named after (None otherwise)."""
    try:
        policy = Policy(**data["policy"])
        owner_agency = data["owner_agency"]
    except (TypeError, KeyError, ValueError):
        return None
    if _view_name(policy, owner_agency) != view:
        return None
    return policy, owner_agency


def _labels(pairs: list[list[Any]]) -> dict[int, str | None]:
    return {int(seq): ref for seq, ref in pairs}


# --- a report as JSON and back ---------------------------------------------------------------


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


def _concordance_state(c: Concordance) -> dict[str, Any]:
    return {
        "judgement": c.judgement,
        "judge": c.judge,
        "grade": c.grade,
        "made": c.made.text,
        "judges": list(c.judges),
        "criterion": c.criterion,
        "evidence": [[e.rule, e.agreement, list(e.refs), e.status, e.reason] for e in c.evidence],
        "summary": c.summary,
        "open_questions": list(c.open_questions),
    }


def _concordance_back(state: Mapping[str, Any]) -> Concordance:
    return Concordance(
        judgement=state["judgement"],
        judge=state["judge"],
        grade=state["grade"],
        made=parse_moment(state["made"]),
        judges=tuple(state["judges"]),
        criterion=state["criterion"],
        evidence=tuple(
            Evidence(rule, agreement, tuple(refs), status, reason)
            for rule, agreement, refs, status, reason in state["evidence"]
        ),
        summary=state["summary"],
        open_questions=tuple(state["open_questions"]),
    )


def report_to_state(report: Report) -> dict[str, Any]:
    return {
        "case": report.case,
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity,
                "status": f.status,
                "refs": list(f.refs),
                "due": _due(f.due),
                "met": f.met.text if f.met else None,
                "message": f.message,
                "legal_reference": f.legal_reference,
                "policy": f.policy,
                "reason": f.reason,
                "case": f.case,
                "trigger_time": f.trigger_time.text if f.trigger_time else None,
                "agency": f.agency,
                "recheck_at": _when(f.recheck_at),
            }
            for f in report.findings
        ],
        "explain": [
            {
                "rule": e.rule,
                "status": e.status,
                "triggered": e.triggered,
                "not_in_force": [[n.seq, n.ref, n.type, n.time.text] for n in e.not_in_force],
                "met": e.met,
                "lapsed": e.lapsed,
                "ended_by_death": e.ended_by_death,
                "findings": dict(e.findings),
                "note": e.note,
            }
            for e in report.explain
        ],
        "owner_agency": report.owner_agency,
        "as_known_at": _when(report.as_known_at),
        "evaluated_at": _when(report.evaluated_at),
        "possibly_known": list(report.possibly_known),
        "coverage": [
            [d.seq, d.sources, d.records, d.complete, d.period_from, d.period_until]
            for d in report.coverage
        ],
        "concordance": [_concordance_state(c) for c in report.concordance],
        "point": report.point.text if report.point is not None else None,
    }


def report_from_state(state: Mapping[str, Any], policy: Policy | None = None) -> Report:
    def moment(text: str | None) -> Any:
        return parse_moment(text) if text is not None else None

    return Report(
        case=state["case"],
        findings=[
            Finding(
                rule=f["rule"],
                severity=f["severity"],
                status=f["status"],
                refs=tuple(f["refs"]),
                due=_due_back(f["due"]),
                met=moment(f["met"]),
                message=f["message"],
                legal_reference=f["legal_reference"],
                policy=f["policy"],
                reason=f["reason"],
                case=f["case"],
                trigger_time=moment(f["trigger_time"]),
                agency=f["agency"],
                recheck_at=_when_back(f["recheck_at"]),
            )
            for f in state["findings"]
        ],
        explain=[
            RuleExplain(
                rule=e["rule"],
                status=e["status"],
                triggered=e["triggered"],
                not_in_force=tuple(
                    NotInForce(seq, ref, type_, parse_moment(time))
                    for seq, ref, type_, time in e["not_in_force"]
                ),
                met=e["met"],
                lapsed=e["lapsed"],
                ended_by_death=e["ended_by_death"],
                findings=e["findings"],
                note=e["note"],
            )
            for e in state["explain"]
        ],
        policy=policy or Policy(),
        owner_agency=state["owner_agency"],
        as_known_at=_when_back(state["as_known_at"]),
        evaluated_at=_when_back(state["evaluated_at"]),  # type: ignore[arg-type]
        possibly_known=tuple(state["possibly_known"]),
        coverage=tuple(Declared(*item) for item in state["coverage"]),
        concordance=tuple(_concordance_back(c) for c in state["concordance"]),
        point=moment(state["point"]),
    )
