"""Concordance: each recorded judgement (IVO, lex Sarah, a reviewer) read against what the
rules find about the same question, as known at the view's point in time.

A judgement names the rules that test its question (`rules`) and the entries it judges
(`judges`). A rule's finding on those entries *supports* a criticism (a `no_record` finding
supports it only as far as the records go), *contradicts* a "no criticism", and where the
rule is undetermined, pending, not in force or not started, the records *cannot tell*, and
the reason is given. A judgement no rule tests stands on the judge's own material."""

from __future__ import annotations

from collections.abc import Sequence

from projections.codes import code_words, status_word
from projections.language import _
from projections.rules.judging import Context
from projections.rules.model import Agreement, Concordance, Evidence, Finding, RuleExplain
from projections.rules.model import type_name as _type_name
from projections.rules.wording import judge_name

_JUDGEMENT = _type_name("JudgementRecorded")
_CRITICAL = ("criticism", "deficiency")
_FLAGS = ("breach", "warning", "no_record", "info")


def _reading(grade: str, finding: Finding) -> tuple[Agreement, str]:
    if finding.status in ("undetermined", "pending"):
        why = finding.reason or (
            _("the deadline has not passed at the view's point in time")
            if finding.status == "pending"
            else _("the clocks cannot decide")
        )
        return "cannot_tell", why
    flagged = finding.status in _FLAGS
    if grade == "no_criticism":
        if flagged:
            return (
                "contradicts",
                _("the rule flags it ({status}) where the judge found no fault").format(
                    status=status_word(finding.status)
                ),
            )
        return "supports", _("the rule flags nothing")
    if finding.status == "no_record":
        return "supports", _("the act is not in the examined records (as far as the records go)")
    return "supports", _("the rule finds it too ({status})").format(
        status=status_word(finding.status)
    )


def _silence(grade: str, explain: RuleExplain | None, rule_id: str) -> Evidence:
    if explain is None:
        return Evidence(rule_id, "cannot_tell", (), "unknown", _("no such rule in the pack"))
    if explain.status == "not_in_force":
        return Evidence(
            rule_id, "cannot_tell", (), "not_in_force", _("the rule was not law at the time")
        )
    if explain.status == "not_triggered":
        return Evidence(
            rule_id,
            "cannot_tell",
            (),
            "not_triggered",
            _("nothing in the records starts the rule: the acts it reads are not documented"),
        )
    if explain.ended_by_death and not explain.met:
        return Evidence(
            rule_id, "cannot_tell", (), "ended_by_death", _("its deadline ended with the death")
        )
    if grade in _CRITICAL:
        return Evidence(
            rule_id,
            "contradicts",
            (),
            "met",
            _("the rule finds its requirement met in the records"),
        )
    return Evidence(rule_id, "supports", (), "met", _("the rule finds its requirement met"))


def _related(
    grade: str, judged: tuple[int, ...], rule_ids: Sequence[str], findings: Sequence[Finding]
) -> list[Evidence]:
    """Findings of other rules started by the entries judged. They answer another question
    than the judgement's; where the judge found no fault, the reader is told so."""
    found = []
    for finding in findings:
        if finding.rule in rule_ids or not finding.refs or finding.refs[0] not in judged:
            continue
        status = status_word(finding.status)
        why = _("another question than the judgement's ({status})").format(status=status)
        if grade == "no_criticism":
            why = _(
                "not a criticism of what was judged: the judge found no fault with it; this "
                "rule asks another question ({status})"
            ).format(status=status)
        found.append(Evidence(finding.rule, "related", finding.refs, finding.status, why))
    return found


def concordance(
    ctx: Context, findings: Sequence[Finding], explain: Sequence[RuleExplain]
) -> tuple[Concordance, ...]:
    """The concordance of every judgement known at the view's point in time."""
    by_rule = {e.rule: e for e in explain}
    judgements = ctx.of(_JUDGEMENT)
    result = []
    for judgement in judgements:
        fields = judgement.fields
        grade = str(fields.get("grade"))
        judged = judgement.refs("judges")
        rules = fields.get("rules")
        rule_ids = [str(r) for r in rules] if isinstance(rules, list) else []
        evidence: list[Evidence] = []
        for rule_id in rule_ids:
            mine = [f for f in findings if f.rule == rule_id]
            relevant = [f for f in mine if not judged or set(f.refs) & set(judged)] or mine
            if relevant:
                for finding in relevant:
                    agreement, why = _reading(grade, finding)
                    evidence.append(Evidence(rule_id, agreement, finding.refs, finding.status, why))
            else:
                evidence.append(_silence(grade, by_rule.get(rule_id), rule_id))
        evidence += _related(grade, judged, rule_ids, findings)
        # What the records leave open: first each reading that cannot tell, in the evidence's
        # order (`further_questions` counts on it), then what no rule's reading says.
        open_questions = [f"{e.rule}: {e.reason}" for e in evidence if e.agreement == "cannot_tell"]
        if not rule_ids:
            open_questions.append(
                _(
                    "no rule of the pack tests this question: the judgement rests on the "
                    "judge's own material"
                )
            )
        later = [
            j for j in judgements if j.seq != judgement.seq and judgement.seq in j.refs("judges")
        ]
        for other in later:
            open_questions.append(
                _("judged in turn by #{seq} ({judge}, {time}, {grade})").format(
                    seq=other.seq,
                    judge=judge_name(str(other.fields.get("judge"))),
                    time=other.occurred.display(),
                    grade=code_words("grade", other.fields.get("grade")),
                )
            )
        agreements = {e.agreement for e in evidence if e.agreement != "related"}
        summary = (
            "no_rule"
            if not agreements
            else "contradicts"
            if "contradicts" in agreements
            else "supports"
            if "supports" in agreements
            else "cannot_tell"
        )
        result.append(
            Concordance(
                judgement=judgement.seq,
                judge=str(fields.get("judge")),
                grade=grade,
                made=judgement.occurred,
                judges=judged,
                criterion=str(fields.get("criterion") or ""),
                evidence=tuple(evidence),
                summary=summary,  # type: ignore[arg-type]
                open_questions=tuple(open_questions),
            )
        )
    return tuple(result)


def further_questions(item: Concordance) -> tuple[str, ...]:
    """The open questions of `item` that are not a rule's reading which cannot tell: a
    document naming rules its own way (by title) writes those from `item.evidence`."""
    readings = sum(1 for e in item.evidence if e.agreement == "cannot_tell")
    return item.open_questions[readings:]
