"""Rules on the authority's dealings with oversight: a serious matter (or a child's death in
an open case) reported to IVO "snarast", and the measures an injunction asks for reported by
the date it sets."""

from __future__ import annotations

from ledger.timeparse import TimeParseError, parse_moment
from projections.deadlines import Due, days_after, window
from projections.language import N_, _, ngettext
from projections.records import Record
from projections.rules.judging import (
    Context,
    Deadline,
    Result,
    Trigger,
    documented,
    judge,
    triggers,
)
from projections.rules.law import sol
from projections.rules.model import Rule, type_name
from projections.rules.wording import name

_CLOSED = type_name("LexSarahInvestigationClosed")
_REPORTED = type_name("LexSarahReportedToIVO")
_DIED = type_name("ChildDied")
_DECISION = type_name("SupervisionDecision")
_MEASURES = type_name("MeasuresReported")


def _check_lex_sarah(rule_: Rule, ctx: Context) -> list[Trigger]:
    days = ctx.policy.lex_sarah_report_days
    reports = ctx.of(_REPORTED) + [
        r for r in ctx.of(_CLOSED) if r.fields.get("reported_to_ivo") is True
    ]

    def evaluate(start: Record) -> Result:
        # The clock runs from when the authority knew: its own closing, or news of the death.
        d = Deadline(
            trigger=start,
            time=start.known,
            due=window(start.known, days_after(days)),
            opening=_("{name} (known {time})").format(
                name=name(start, True), time=start.known.display()
            ),
            wanted=_("report to IVO"),
            due_words=ngettext(
                '"snarast": within {n} day (local policy)',
                '"snarast": within {n} days (local policy)',
                days,
            ).format(n=days),
            deadline_name=_("the reporting threshold"),
            status=rule_.severity,
        )
        return judge(d, ctx, reports)

    starts = [r for r in ctx.of(_CLOSED) if r.fields.get("serious") is True] + ctx.of(_DIED)
    return triggers(sorted(starts, key=Record.order_key), evaluate, "known")


def _check_measures(rule_: Rule, ctx: Context) -> list[Trigger]:
    def evaluate(decision: Record) -> Result:
        due_moment = parse_moment(decision.fields["reply_due"])
        d = Deadline(
            trigger=decision,
            time=decision.occurred,
            due=Due(due_moment.end, due_moment.latest),
            opening=_("{name} {time} asked for the measures taken").format(
                name=name(decision, True), time=decision.occurred.display()
            ),
            wanted=_("report of the measures to IVO"),
            due_words=_("by the date the injunction sets"),
            deadline_name=_("the injunction's date"),
            status=rule_.severity,
        )
        replies = [
            m for m in ctx.of(_MEASURES) if m.fields.get("in_reply_to") in (decision.seq, None)
        ]
        return judge(d, ctx, replies)

    def due_set(decision: Record) -> bool:
        value = decision.fields.get("reply_due")
        if not isinstance(value, str) or not documented(value):
            return False
        try:
            parse_moment(value)
        except TimeParseError:
            return False
        return True

    return triggers([r for r in ctx.of(_DECISION) if due_set(r)], evaluate)


LEX_SARAH = Rule(
    id="lex-sarah-reported-promptly",
    title_sv="Lex Sarah-anmälan till IVO snarast",
    title_en="Lex Sarah matter reported to IVO promptly",
    severity="warning",
    starts_at=N_(
        "LexSarahInvestigationClosed judging the matter serious, or the child's death "
        "(its known clock)"
    ),
    triggers=(_CLOSED, _DIED),
    satisfied_by=(_REPORTED, _CLOSED),
    deadline=N_('"snarast"; 14 days (local policy)'),
    in_force_from="2011-07-01",
    in_force_until=None,
    legal=(*sol("14 kap. 7 §", "a serious missförhållande reported to IVO snarast", "M"),),
    source=N_("SoL 14:7 (M)"),
    confidence="M",
    check=_check_lex_sarah,
    local_policy=("lex_sarah_report_days",),
    norm="local",
)

MEASURES = Rule(
    id="measures-reported-to-ivo",
    title_sv="Åtgärder redovisade till IVO i tid",
    title_en="Measures reported to IVO by the date set",
    severity="breach",
    starts_at=N_("SupervisionDecision with reply_due"),
    triggers=(_DECISION,),
    satisfied_by=(_MEASURES,),
    deadline=N_("reply_due (the injunction's own date)"),
    in_force_from=None,
    in_force_until=None,
    legal=(),
    source=N_("the injunction itself (H)"),
    confidence="H",
    check=_check_measures,
)
