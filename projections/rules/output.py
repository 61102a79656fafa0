"""The rule pack's outputs: the JSON documents and the tables of `ledger check` and
`ledger rules`. Every due and met time is a clock (rules.md Principle 6)."""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from ledger.timeparse import Moment, format_instant, parse_moment
from ledger.vocabulary import NOT_DOCUMENTED
from projections.codes import code_words, status_word
from projections.formats import Column, table, wrap_lines
from projections.language import N_, NC_, _, current, ngettext, pgettext
from projections.rules.engine import RULE_RANK
from projections.rules.model import (
    STATUSES,
    Concordance,
    Declared,
    Finding,
    Report,
    Rule,
    RuleExplain,
)
from projections.rules.pack import RULES
from projections.rules.wording import judge_name, point_text
from projections.rules_config import DEFAULT_POLICY, POLICY_DOCS, Policy
from projections.serialize import document, instant, reference
from projections.vocabulary_view import legal_json

_BY_ID = {r.id: r for r in RULES}


def _text_clock(text: str | None) -> dict[str, Any] | None:
    """A recorded time field as a clock; absent or not documented: null."""
    if text is None or text == NOT_DOCUMENTED:
        return None
    return parse_moment(text).to_json()


def _clock(moment: Moment | None) -> dict[str, Any] | None:
    return moment.to_json() if moment is not None else None


def finding_json(finding: Finding, labels: Mapping[int, str | None]) -> dict[str, Any]:
    """A finding as the JSON outputs write it (fields of rules.md, plus `reason`)."""
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "status": finding.status,
        "refs": [reference(seq, labels) for seq in finding.refs],
        "due": finding.due.clock().to_json() if finding.due is not None else None,
        "met_at": _clock(finding.met),
        "message": finding.message,
        "legal_reference": finding.legal_reference,
        "policy": finding.policy,
        "reason": finding.reason,
    }


def explain_json(item: RuleExplain, labels: Mapping[int, str | None]) -> dict[str, Any]:
    rule_ = _BY_ID[item.rule]
    return {
        "rule": item.rule,
        "status": item.status,
        "in_force_from": rule_.in_force_from,
        "in_force_until": rule_.in_force_until,
        "triggered": item.triggered,
        "met": item.met,
        "lapsed": item.lapsed,
        "ended_by_death": item.ended_by_death,
        "findings": dict(item.findings),
        "not_in_force": [
            {**reference(n.seq, labels), "type": n.type, "time": n.time.to_json()}
            for n in item.not_in_force
        ],
        "note": item.note,
    }


def policy_json(policy: Policy) -> dict[str, Any]:
    return {**policy.values(), "source": policy.source, "overrides": policy.overrides()}


def view_json(report: Report, labels: Mapping[int, str | None] | None = None) -> dict[str, Any]:
    view: dict[str, Any] = _horizon_json(report.point, report.as_known_at, report.evaluated_at)
    view["owner_agency"] = report.owner_agency
    if labels is not None:
        view["possibly_known"] = [reference(s, labels) for s in report.possibly_known]
    return view


def _horizon_json(
    point: Moment | None, as_known_at: datetime | None, evaluated_at: datetime
) -> dict[str, Any]:
    """The view's point in time as the user gave it (a clock); "now" is an exact instant."""
    if as_known_at is None:
        return {"as_known_at": None, "evaluated_at": instant(evaluated_at)}
    clock = (
        point.to_json()
        if point is not None
        else {
            "text": instant(as_known_at),
            "start": instant(as_known_at),
            "end": instant(as_known_at),
            "approximate": False,
        }
    )
    return {"as_known_at": clock, "evaluated_at": clock}


def concordance_json(item: Concordance, labels: Mapping[int, str | None]) -> dict[str, Any]:
    return {
        "judgement": reference(item.judgement, labels),
        "judge": item.judge,
        "grade": item.grade,
        "made": item.made.to_json(),
        "judges": [reference(s, labels) for s in item.judges],
        "criterion": item.criterion,
        "summary": item.summary,
        "evidence": [
            {
                "rule": e.rule,
                "agreement": e.agreement,
                "status": e.status,
                "refs": [reference(s, labels) for s in e.refs],
                "reason": e.reason,
            }
            for e in item.evidence
        ],
        "open_questions": list(item.open_questions),
    }


def coverage_json(items: Sequence[Declared], labels: Mapping[int, str | None]) -> list[Any]:
    return [
        {
            **reference(d.seq, labels),
            "sources": d.sources,
            "records": d.records,
            "complete": d.complete,
            "period_from": _text_clock(d.period_from),
            "period_until": _text_clock(d.period_until),
        }
        for d in items
    ]


def check_document(report: Report, labels: Mapping[int, str | None]) -> dict[str, Any]:
    """`ledger check CASE --format json`."""
    return document(
        report.case,  # type: ignore[arg-type]
        view=view_json(report, labels),
        policy=policy_json(report.policy),
        coverage=coverage_json(report.coverage, labels),
        findings=[finding_json(f, labels) for f in report.findings],
        concordance=[concordance_json(c, labels) for c in report.concordance],
        explain=[explain_json(e, labels) for e in report.explain],
    )


GROUPS = ("rule", "month", "agency", "unit")
_GROUP_WORDS = {
    "rule": N_("rule"),
    "month": N_("month"),
    "agency": N_("agency"),
    "unit": N_("unit"),
}
NO_AGENCY = N_("(agency not recorded)")


def group_key(finding: Finding, group_by: str) -> str:
    """The group a finding falls in: its rule, its trigger's month, its trigger's agency, or
    its trigger's unit (`records.unit_of`: the agency and the actor's role)."""
    if group_by == "rule":
        return finding.rule
    if group_by == "agency":
        return finding.agency or _(NO_AGENCY)
    if group_by == "unit":
        return finding.unit or _(NO_AGENCY)
    if group_by == "month":
        if finding.trigger_time is None:
            return _("(no time)")
        return month_group(finding.trigger_time)[0]
    raise ValueError(f"group_by must be one of {', '.join(GROUPS)}, not {group_by!r}")


def month_group(moment: Moment) -> tuple[str, datetime]:
    """The month a trigger's time names, and where that time starts: read as it was
    written, so that a time narrowed by the entries it followed (`records.ordered_after`)
    falls where its record says, in a fresh check as in a kept report. A time that lies
    within one month (a day, a part of a month, a week or an interval inside it) is grouped
    by that month, marked `~` when approximate; a time that does not (a year, a season, a
    week or an interval across months) is its own group, as written, never a month it only
    begins in."""
    written = parse_moment(moment.text)
    start, last = written.start, written.end - _LAST
    if (start.year, start.month) == (last.year, last.month):
        return ("~" if written.approximate else "") + start.strftime("%Y-%m"), start
    return written.display(), start


_LAST = timedelta(microseconds=1)  # an interval's end is not in it


def summarise(reports: Sequence[Report], group_by: str) -> list[dict[str, Any]]:
    """Counts of findings per group, by status, with the number of cases concerned."""
    groups: dict[str, dict[str, Any]] = {}
    order: dict[str, tuple[Any, ...]] = {}
    for report in reports:
        for finding in report.findings:
            key = group_key(finding, group_by)
            item = groups.setdefault(
                key, {"group": key, "findings": 0, "by_status": Counter(), "cases": set()}
            )
            item["findings"] += 1
            item["by_status"][finding.status] += 1
            item["cases"].add(report.case)
            if group_by == "rule":
                order[key] = (RULE_RANK[key],)
            elif group_by == "month" and finding.trigger_time is not None:
                order[key] = (0, month_group(finding.trigger_time)[1], key)
            else:
                order.setdefault(key, (1, key))
    result = []
    for key in sorted(groups, key=lambda k: order.get(k, (1, k))):
        item = groups[key]
        result.append(
            {
                "group": key,
                "findings": item["findings"],
                "by_status": {s: item["by_status"][s] for s in STATUSES if item["by_status"][s]},
                "cases": len(item["cases"]),
            }
        )
    return result


def case_counts(report: Report) -> dict[str, Any]:
    counts = Counter(f.status for f in report.findings)
    return {
        "case": report.case,
        "findings": len(report.findings),
        "by_status": {s: counts[s] for s in STATUSES if counts[s]},
    }


def merge_explain(reports: Sequence[Report]) -> list[dict[str, Any]]:
    """Every rule's explain summed over many cases."""
    merged = []
    for rule_ in RULES:
        items = [e for r in reports for e in r.explain if e.rule == rule_.id]
        findings: Counter[str] = Counter()
        for e in items:
            findings.update(e.findings)
        statuses = {e.status for e in items}
        status = (
            "applied"
            if "applied" in statuses
            else "not_in_force"
            if "not_in_force" in statuses
            else "not_triggered"
        )
        triggered = sum(e.triggered for e in items)
        met = sum(e.met for e in items)
        lapsed = sum(e.lapsed for e in items)
        ended_by_death = sum(e.ended_by_death for e in items)
        outside = [
            {"case": r.case, "seq": n.seq, "ref": n.ref, "type": n.type, "time": n.time.to_json()}
            for r in reports
            for e in r.explain
            if e.rule == rule_.id
            for n in e.not_in_force
        ]
        merged.append(
            merged_rule_json(
                rule_, status, triggered, met, lapsed, ended_by_death, findings, outside
            )
        )
    return merged


def merged_rule_json(
    rule_: Rule,
    status: str,
    triggered: int,
    met: int,
    lapsed: int,
    ended_by_death: int,
    findings: Mapping[str, int],
    not_in_force: list[dict[str, Any]],
) -> dict[str, Any]:
    """One rule's line of `check --all`'s merged explanation, from its sums over the cases
    (made from the reports here, from the kept parts by projections/kept/answer.py)."""
    return {
        "rule": rule_.id,
        "status": status,
        "in_force_from": rule_.in_force_from,
        "in_force_until": rule_.in_force_until,
        "triggered": triggered,
        "met": met,
        "lapsed": lapsed,
        "ended_by_death": ended_by_death,
        "findings": {s: findings[s] for s in STATUSES if findings.get(s)},
        "not_in_force": not_in_force,
        "note": _merged_note(
            rule_, status, triggered, len(not_in_force), met, lapsed, ended_by_death, findings
        ),
    }


def _merged_note(
    rule_: Rule,
    status: str,
    triggered: int,
    not_in_force: int,
    met: int,
    lapsed: int,
    ended_by_death: int,
    findings: Mapping[str, int],
) -> str:
    if status == "not_triggered":
        return _("not triggered: nothing in any case starts it ({starts})").format(
            starts=_(rule_.starts_at)
        )
    bits = [_("{n} triggered").format(n=triggered)]
    if not_in_force:
        bits.append(
            _("{n} not in force at the time (rule in force {period})").format(
                n=not_in_force, period=rule_.period
            )
        )
    if met:
        bits.append(_("{n} met").format(n=met))
    if lapsed:
        bits.append(_("{n} lapsed (care or ban ended first)").format(n=lapsed))
    if ended_by_death:
        bits.append(_("{n} ended by the child's death").format(n=ended_by_death))
    bits += [f"{findings[s]} {status_word(s)}" for s in STATUSES if findings.get(s)]
    return ", ".join(bits)


def all_document(
    reports: Sequence[Report],
    labels: Mapping[str, Mapping[int, str | None]],
    group_by: str,
    policy: Policy,
    as_known_at: datetime | None,
    evaluated_at: datetime,
    owner_agency: str | None,
    point: Moment | None = None,
) -> dict[str, Any]:
    """`ledger check --all --format json`."""
    findings = [
        {"case": r.case, **finding_json(f, labels.get(r.case or "", {}))}
        for r in reports
        for f in r.findings
    ]
    return document(
        None,  # type: ignore[arg-type]
        view={**_horizon_json(point, as_known_at, evaluated_at), "owner_agency": owner_agency},
        policy=policy_json(policy),
        group_by=group_by,
        summary=summarise(reports, group_by),
        cases=[case_counts(r) for r in reports],
        findings=findings,
        explain=merge_explain(reports),
    )


def rule_json(rule_: Any) -> dict[str, Any]:
    return {
        "id": rule_.id,
        "title_sv": rule_.title_sv,
        "title_en": rule_.title_en,
        "severity": rule_.severity,
        "starts_at": rule_.starts_at,
        "triggers": list(rule_.triggers),
        "satisfied_by": list(rule_.satisfied_by),
        "deadline": rule_.deadline,
        "in_force_from": rule_.in_force_from,
        "in_force_until": rule_.in_force_until,
        "legal": [legal_json(ref) for ref in rule_.legal],
        "source": rule_.source,
        "confidence": rule_.confidence,
        "judges": rule_.judges,
        "norm": rule_.norm,
        "illustrations": [legal_json(ref) for ref in rule_.illustrations],
        "local_policy": [
            {"key": key, "default": DEFAULT_POLICY.values()[key], "doc": POLICY_DOCS[key]}
            for key in rule_.local_policy
        ],
    }


def rules_document(policy: Policy = DEFAULT_POLICY) -> dict[str, Any]:
    """`ledger rules --format json`."""
    return document(
        None,  # type: ignore[arg-type]
        rules=[rule_json(r) for r in RULES],
        policy=policy_json(policy),
    )


# --- tables ---------------------------------------------------------------------------------


def _wrap(text: str, width: int, indent: str, hanging: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=max(40, width),
        initial_indent=indent,
        subsequent_indent=indent if hanging is None else hanging,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def _policy_lines(policy: Policy) -> list[str]:
    values = ", ".join(f"{k} {v}" for k, v in policy.values().items())
    overrides = policy.overrides()
    if not overrides:
        return [_("policy: defaults ({values})").format(values=values)]
    lines = [
        _("policy: {source} ({values})").format(
            source=policy.source or _("configured"), values=values
        )
    ]
    for item in overrides:
        lines.append(
            _("  override: {key} = {value} (default {default}) — {doc}").format(
                key=item["key"],
                value=item["value"],
                default=item["default"],
                doc=_(POLICY_DOCS[item["key"]]),
            )
        )
    return lines


def _counts_text(findings: Sequence[Finding]) -> str:
    counts = Counter(f.status for f in findings)
    if not counts:
        return _("no findings")
    return " · ".join(f"{counts[s]} {status_word(s)}" for s in STATUSES if counts[s])


def horizon_text(point: Moment | None, as_known_at: datetime | None, now: datetime) -> str:
    """The point in time a check was asked at, as the user gave it, or "now"."""
    if point is not None:
        shown = point_text(point)
    elif as_known_at is not None:
        shown = format_instant(as_known_at)[:16]
    else:
        return _("as the records stand now ({time} Stockholm)").format(
            time=format_instant(now)[:16]
        )
    return _("as known at {point}").format(point=shown) + " " + _("(Stockholm)")


def _horizon_text(report: Report) -> str:
    return horizon_text(report.point, report.as_known_at, report.evaluated_at)


def _refs_text(refs: Sequence[int], labels: Mapping[int, str | None]) -> str:
    return " · ".join(f"#{s}" + (f" {labels[s]}" if labels.get(s) else "") for s in refs)


def check_table(
    report: Report, labels: Mapping[int, str | None], width: int = 120, explain: bool = False
) -> str:
    """The first page of a review: one block per finding, and with `explain` every rule."""
    owner = report.owner_agency or _("not known (late-documentation not applied)")
    lines = [
        _("{case}: rule check, {horizon}").format(case=report.case, horizon=_horizon_text(report)),
        _("owner: {owner}").format(owner=owner),
        *_policy_lines(report.policy),
        _coverage_line(report, labels),
    ]
    if report.possibly_known:
        lines.append(
            _(
                "only possibly known at that time (they start no rule and count only as "
                "possibly known): {refs}"
            ).format(refs=_refs_text(report.possibly_known, labels))
        )
    lines += [_("findings: {counts}").format(counts=_counts_text(report.findings)), ""]
    uncriticised = {
        seq: item
        for item in report.concordance
        if item.grade == "no_criticism"
        for seq in item.judges
    }
    for finding in report.findings:
        lines += _finding_block(finding, labels, width)
        cleared = [uncriticised[s] for s in finding.refs[:1] if s in uncriticised]
        if cleared:
            item = cleared[0]
            # rules.md / ivo-findings A1: no finding may read as criticism of a decision a
            # judge did not criticise without saying so.
            lines[-1:-1] = _wrap(
                _label(NC_("finding", "note"))
                + _(
                    "{judge} ({time}, {judgement}) did not criticise {judged}; this finding "
                    "asks another question"
                ).format(
                    judge=judge_name(item.judge),
                    time=item.made.display(),
                    judgement=_refs_text([item.judgement], labels),
                    judged=_refs_text(finding.refs[:1], labels),
                ),
                width,
                "  ",
                " " * 9,
            )
    if report.concordance:
        lines += _concordance_lines(report.concordance, labels, width)
    if explain:
        lines += _explain_lines(report.explain, width)
    return wrap_lines(lines, width).rstrip("\n") + "\n"


def _coverage_line(report: Report, labels: Mapping[int, str | None]) -> str:
    if not report.coverage:
        return _(
            "coverage: none declared, so a missing act is not documented in the examined "
            "records, never a breach"
        )
    parts = []
    for d in report.coverage:
        period = (
            f" {d.period_from or '…'}..{d.period_until or ''}"
            if d.period_from or d.period_until
            else ""
        )
        complete = _("complete") if d.complete else _("not complete")
        parts.append(
            f"{_refs_text([d.seq], labels)} {code_words('sources', d.sources)}, {complete}{period}"
        )
    return _("coverage: {parts}").format(parts="; ".join(parts))


_AGREEMENT = {
    "supports": N_("supported"),
    "contradicts": N_("contradicted"),
    "cannot_tell": N_("the records cannot tell"),
    "related": N_("on the same entries"),
    "no_rule": N_("no rule tests it"),
}


def _label(english: str) -> str:
    """A label of a finding's block in the reader's language, padded to one column."""
    return f"{pgettext('finding', english):<7}"


def _concordance_lines(
    items: Sequence[Concordance], labels: Mapping[int, str | None], width: int
) -> list[str]:
    lines = [
        _("RECORDED JUDGEMENTS ({n}) and what the rules say").format(n=len(items)),
        "",
    ]
    for item in items:
        judged = _refs_text(item.judges, labels) if item.judges else _("the case as a whole")
        lines.append(
            f"{_refs_text([item.judgement], labels)} {judge_name(item.judge)} "
            f"{item.made.display()} [{code_words('grade', item.grade)}] — "
            f"{_(_AGREEMENT[item.summary])}"
        )
        lines += _wrap(str(item.criterion), width, "  ")
        lines.append("  " + _("judges {judged}").format(judged=judged))
        for e in item.evidence:
            refs = f" ({_refs_text(e.refs, labels)})" if e.refs else ""
            lines += _wrap(
                f"{_(_AGREEMENT[e.agreement]):<12} {e.rule} [{status_word(e.status, short=True)}]"
                f"{refs}: {e.reason}",
                width,
                "  ",
                " " * 15,
            )
        for question in item.open_questions:
            lines += _wrap(_label(NC_("finding", "open")) + question, width, "  ", " " * 9)
        lines.append("")
    return lines


def _finding_block(finding: Finding, labels: Mapping[int, str | None], width: int) -> list[str]:
    rule_ = _BY_ID[finding.rule]
    policy = " · " + _("local policy") if finding.policy == "local" else ""
    title = rule_.title_sv if current() == "sv" else rule_.title_en
    lines = [
        f"{status_word(finding.status, short=True).upper():<13} {finding.rule} — {title} "
        f"[{status_word(finding.severity, short=True)}{policy}]"
    ]
    lines += _wrap(finding.message, width, "  ")
    if finding.reason:
        lines += _wrap(_label(NC_("finding", "why")) + finding.reason, width, "  ", " " * 9)
    lines.append("  " + _label(NC_("finding", "refs")) + _refs_text(finding.refs, labels))
    if finding.due is not None or finding.met is not None:
        due = finding.due.words() if finding.due is not None else "—"
        met = finding.met.display() if finding.met is not None else "—"
        lines.append(
            "  " + _label(NC_("finding", "due")) + _("{due} · done {met}").format(due=due, met=met)
        )
    lines.append("  " + _label(NC_("finding", "law")) + finding.legal_reference)
    lines.append("")
    return lines


_OUTCOME = {
    "applied": N_("applied"),
    "not_in_force": N_("not in force"),
    "not_triggered": N_("not triggered"),
}


def _explain_lines(explain: Sequence[RuleExplain | Mapping[str, Any]], width: int) -> list[str]:
    rows = []
    for item in explain:
        if isinstance(item, RuleExplain):
            rule_id, status, note = item.rule, item.status, item.note
        else:
            rule_id, status, note = item["rule"], item["status"], item["note"]
        rows.append([rule_id, _(_OUTCOME[status]), note])
    columns = [Column(_("rule"), 40), Column(_("outcome"), 14), Column(_("what happened"), 0)]
    body = table(columns, rows, width)
    heading = _("RULES ({n}): what happened to each").format(n=len(rows))
    return [heading, *body.rstrip("\n").split("\n"), ""]


def check_all_table(
    reports: Sequence[Report],
    labels: Mapping[str, Mapping[int, str | None]],
    group_by: str,
    policy: Policy,
    horizon: str,
    width: int = 120,
    explain: bool = False,
) -> str:
    """`ledger check --all`: counts by group, by case, then one line per finding."""
    findings = [f for r in reports for f in r.findings]
    lines = [
        ngettext(
            "rule check of {n} case, {horizon}", "rule check of {n} cases, {horizon}", len(reports)
        ).format(n=len(reports), horizon=horizon),
        *_policy_lines(policy),
        _("findings: {counts}").format(counts=_counts_text(findings)),
        "",
        _("BY {group}").format(group=_(_GROUP_WORDS[group_by]).upper()),
    ]
    status_columns = [
        Column(word, len(word), ">") for word in (status_word(s, short=True) for s in STATUSES)
    ]
    summary = summarise(reports, group_by)
    rows = [
        [
            item["group"],
            str(item["findings"]),
            *[str(item["by_status"].get(s, 0)) for s in STATUSES],
            str(item["cases"]),
        ]
        for item in summary
    ]
    columns = [
        Column(_(_GROUP_WORDS[group_by]), 40),
        Column(_("total"), 5, ">"),
        *status_columns,
        Column(_("cases"), 5, ">"),
    ]
    lines += table(columns, rows, width).rstrip("\n").split("\n")
    lines += ["", _("FINDINGS")]
    columns = [
        Column(_("case"), 12),
        Column(_("status"), 12),
        Column(_("rule"), 38),
        Column(_("message"), 0),
    ]
    rows = [
        [r.case or "", status_word(f.status, short=True), f.rule, f.message]
        for r in reports
        for f in r.findings
    ]
    lines += table(columns, rows, width).rstrip("\n").split("\n") if rows else [_("  (none)")]
    if explain:
        lines += ["", *_explain_lines(merge_explain(reports), width)]
    return wrap_lines(lines, width).rstrip("\n") + "\n"


def rules_table(width: int = 120, policy: Policy = DEFAULT_POLICY) -> str:
    """`ledger rules`: the pack, one line a rule, then the local-policy thresholds."""
    columns = [
        Column("id", 40),
        Column(_("severity"), 8),
        Column(_("in force"), 13),
        Column(_("conf"), 4),
        Column(_("title / source"), 0),
    ]
    swedish = current() == "sv"
    rows = [
        [
            r.id,
            status_word(r.severity, short=True),
            r.period,
            r.confidence,
            (r.title_sv if swedish else f"{r.title_en} ({r.title_sv})") + f" — {_(r.source)}",
        ]
        for r in RULES
    ]
    lines = table(columns, rows, width).rstrip("\n").split("\n")
    lines += [
        _(
            "{n} rules. conf: H statute or two sources, M one reliable secondary source, "
            "U unverified."
        ).format(n=len(RULES)),
        "",
        _("LOCAL POLICY (override in the [rules] table of ledger.toml, or --rules-config FILE)"),
    ]
    values = policy.values()
    for key, doc in POLICY_DOCS.items():
        users = ", ".join(r.id for r in RULES if key in r.local_policy)
        lines += _wrap(f"{key} = {values[key]}  — {_(doc)} ({users})", width, "  ", "      ")
    if policy.source:
        lines.append("  " + _("(from {source})").format(source=policy.source))
    return wrap_lines(lines, width)
