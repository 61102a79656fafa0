"""`check`: every rule of the pack over one case, as known at a point in time or now.

Pure: no I/O, no clock reading except "now" when none is given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from ledger.timeparse import Moment, format_instant, known_state, to_stockholm
from projections.codes import status_word
from projections.corrections import CORRECTION_TYPES, as_known
from projections.language import _, current
from projections.ordering import chronological
from projections.records import Record, case_authority, unit_of
from projections.rules.concordance import concordance
from projections.rules.judging import Context, Coverage, Trigger
from projections.rules.model import (
    SEVERITIES,
    STATUSES,
    Applied,
    Declared,
    Finding,
    NotInForce,
    Report,
    Rule,
    RuleExplain,
)
from projections.rules.pack import RULES
from projections.rules.wording import join, name
from projections.rules_config import DEFAULT_POLICY, Policy


def check(
    records: Sequence[Record],
    *,
    as_known_at: datetime | None = None,
    point: Moment | None = None,
    policy: Policy = DEFAULT_POLICY,
    owner_agency: str | None = None,
    now: datetime | None = None,
) -> Report:
    """Evaluate every rule of `RULES` on one case's records.

    `as_known_at` is the instant the case is read at; `point` the same point in time as the
    user gave it (`2019-12-31`), for the words of the report."""
    ctx = read_case(
        records,
        as_known_at=as_known_at,
        point=point,
        policy=policy,
        owner_agency=owner_agency,
        now=now,
    )
    findings: list[Finding] = []
    explain: list[RuleExplain] = []
    case = records[0].case if records else None
    for rule_ in RULES:
        found, explained = _apply(rule_, rule_.check(rule_, ctx), ctx, case)
        findings.extend(found)
        explain.append(explained)
    findings.sort(key=_finding_order)
    return Report(
        case=case,
        findings=findings,
        explain=explain,
        policy=policy,
        owner_agency=ctx.authority.agency,
        as_known_at=to_stockholm(as_known_at) if as_known_at else None,
        evaluated_at=ctx.horizon,
        possibly_known=tuple(r.seq for r in ctx.maybe),
        concordance=concordance(ctx, findings, explain),
        coverage=tuple(Declared.of(r) for r in ctx.coverage.declarations),
        point=ctx.point,
    )


def read_case(
    records: Sequence[Record],
    *,
    as_known_at: datetime | None = None,
    point: Moment | None = None,
    policy: Policy = DEFAULT_POLICY,
    owner_agency: str | None = None,
    now: datetime | None = None,
) -> Context:
    """One case as the rules read it (`check`'s arguments): its entries certainly and
    possibly known at the point, in order, with its authority and coverage."""
    evaluated_at = to_stockholm(as_known_at or now or datetime.now(UTC))
    if as_known_at is not None and point is None:
        # Asked with an exact instant: it is its own point in time.
        exact = to_stockholm(as_known_at)
        point = Moment(format_instant(exact)[:16], exact, exact, "minute", False)
    current = [
        r
        for r in as_known(records, as_known_at)
        if r.type not in CORRECTION_TYPES and r.retracted_by is None
    ]
    current = chronological(current)
    if as_known_at is None:
        live, maybe = current, []
    else:
        states = {r.seq: known_state(r.known, as_known_at) for r in current}
        live = [r for r in current if states[r.seq] == "known"]
        maybe = [r for r in current if states[r.seq] == "possibly"]
    authority = case_authority(current, owner_agency)
    # Coverage describes which records the entries were taken from, not a fact of the case:
    # it holds for every point in time the case is read at.
    coverage = Coverage.of(current)
    return Context(live, maybe, evaluated_at, point, policy, authority, coverage)


def check_case(
    records: Sequence[Record],
    *,
    as_known_at: datetime | None = None,
    policy: Policy = DEFAULT_POLICY,
    owner_agency: str | None = None,
    now: datetime | None = None,
) -> Report:
    """One case's report — the unit `ledger check --all` runs and a cache can keep.

    Without `as_known_at` the result also depends on `now` (a deadline still open today is
    pending), so a cache keyed by the case's last seq should also keep `evaluated_at` and
    re-run when an open deadline (`pending`, or `undetermined` by the horizon) has passed.
    """
    return check(
        records, as_known_at=as_known_at, policy=policy, owner_agency=owner_agency, now=now
    )


_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_STATUS_RANK = {s: i for i, s in enumerate(STATUSES)}
RULE_RANK = {r.id: i for i, r in enumerate(RULES)}


def _finding_order(f: Finding) -> tuple[Any, ...]:
    start = f.trigger_time.start if f.trigger_time else datetime.min.replace(tzinfo=UTC)
    return (_SEVERITY_RANK[f.severity], _STATUS_RANK[f.status], RULE_RANK[f.rule], start, f.refs)


def _apply(
    rule_: Rule, triggers: list[Trigger], ctx: Context, case: str | None
) -> tuple[list[Finding], RuleExplain]:
    findings: list[Finding] = []
    not_in_force: list[NotInForce] = []
    met = lapsed = ended_by_death = 0
    for trigger in triggers:
        record = trigger.record
        in_force = rule_.in_force(trigger.time)
        if in_force == "no":
            not_in_force.append(NotInForce(record.seq, record.ref, record.type, trigger.time))
            continue
        result = trigger.evaluate()
        if result.kind == "met":
            met += 1
            continue
        if result.kind == "lapsed":
            lapsed += 1
            continue
        if result.kind == "ended_by_death":
            ended_by_death += 1
            continue
        status, reason = result.status, result.reason
        assert status is not None
        if in_force == "possibly" and status in ("breach", "warning", "no_record", "undetermined"):
            status = "undetermined"
            reason = join(
                _(
                    "{name} ({time}) may come before or after the rule's period ({period}): it "
                    "may not have been law at the time"
                ).format(name=name(record), time=trigger.time.display(), period=rule_.period),
                reason,
            )
        findings.append(
            Finding(
                rule=rule_.id,
                severity=rule_.severity,
                status=status,
                refs=result.refs or (record.seq,),
                due=result.due,
                met=result.met,
                message=result.message,
                legal_reference=rule_.citation(trigger.time),
                policy=result.policy or rule_.norm,
                reason=reason,
                case=case,
                trigger_time=trigger.time,
                agency=record.agency,
                recheck_at=result.recheck_at,
                unit=unit_of(record),
                trigger_type=record.type,
            )
        )
    counts = Counter(f.status for f in findings) if findings else {}
    triggered = len(triggers)
    if not triggered:
        status_: Applied = "not_triggered"
    elif len(not_in_force) == triggered:
        status_ = "not_in_force"
    else:
        status_ = "applied"
    found = {s: counts[s] for s in STATUSES if counts.get(s)}
    blocked = tuple(not_in_force)
    # The note is worded from the explanation itself; built twice rather than copied with
    # `dataclasses.replace`, which costs several times a construction.
    draft = RuleExplain(
        rule_.id, status_, triggered, blocked, met, lapsed, ended_by_death, found, ""
    )
    note = _note(rule_, draft, ctx.at_words)
    explained = RuleExplain(
        rule_.id, status_, triggered, blocked, met, lapsed, ended_by_death, found, note
    )
    return findings, explained


# Explanations without entries out of force, by rule (its identity; the rule is kept with
# the note so the identity is not reused), their counts, the "as known at" words and the
# language: most cases leave most rules untriggered or with the same few counts. Bounded so
# that checking many cases keeps a few megabytes at most (a note is a few hundred bytes).
_NOTES: dict[tuple[Any, ...], tuple[Rule, str]] = {}
_NOTES_BOUND = 10_000


def _note(rule_: Rule, item: RuleExplain, at_words: str) -> str:
    """`explain_note`, kept when it depends only on the counts."""
    if item.not_in_force:
        return explain_note(rule_, item, at_words)
    key = (
        id(rule_),
        item.status,
        item.triggered,
        item.met,
        item.lapsed,
        item.ended_by_death,
        tuple(item.findings.items()),
        at_words,
        current(),
    )
    known = _NOTES.get(key)
    if known is not None and known[0] is rule_:
        return known[1]
    note = explain_note(rule_, item, at_words)
    if len(_NOTES) < _NOTES_BOUND:
        _NOTES[key] = (rule_, note)
    return note


def explain_note(rule_: Rule, item: RuleExplain, at_words: str = "") -> str:
    """What happened to a rule, in words."""
    if item.status == "not_triggered":
        return _("not triggered: nothing in the case{at} starts it ({starts})").format(
            at=at_words, starts=_(rule_.starts_at)
        )
    parts = []
    if item.not_in_force:
        times = ", ".join(
            f"{n.type} #{n.seq}" + (f" ({n.ref})" if n.ref else "") + f" {n.time.display()}"
            for n in item.not_in_force
        )
        parts.append(
            _("not in force at the time of {times} (rule in force {period})").format(
                times=times, period=rule_.period
            )
        )
    applied = item.triggered - len(item.not_in_force)
    if applied:
        parts.insert(
            0,
            _("applied to {n}: {outcomes}").format(
                n=applied, outcomes=_outcomes(item, item.findings)
            ),
        )
    return "; ".join(parts)


def _outcomes(item: Any, findings: Mapping[str, int]) -> str:
    bits = [_("{n} met").format(n=item.met)] if item.met else []
    if item.lapsed:
        bits.append(_("{n} lapsed (care or ban ended first)").format(n=item.lapsed))
    if item.ended_by_death:
        bits.append(_("{n} ended by the child's death").format(n=item.ended_by_death))
    bits += [f"{findings[s]} {status_word(s)}" for s in STATUSES if findings.get(s)]
    return ", ".join(bits) or _("nothing to flag")
