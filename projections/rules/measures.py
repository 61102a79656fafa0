"""The rule on measures decided after a lex Sarah investigation or händelseanalys: each is
carried out by its own due date, or, where the records give none, within the local-policy
number of months.

Neither threshold is a statute's: the due date is the authority's own, and the default is
local policy, so the rule gives at most a warning (rules.md Principle 2). A measure is met
by a later status change saying it was carried out or evaluated (or by being decided as
already carried out), and ends without a finding when it is cancelled before it fell due.
The child's death does not end it: measures are about the organisation, usually decided
after the death.
"""

from __future__ import annotations

from ledger.timeparse import Moment, TimeParseError, parse_moment
from ledger.vocabulary import MEASURE_DONE
from projections.deadlines import Due, months_after, window
from projections.language import N_, _, ngettext
from projections.records import Record
from projections.rules.judging import Context, Deadline, End, Result, Trigger, judge, triggers
from projections.rules.model import Rule, type_name
from projections.rules.wording import name

_DECIDED = type_name("MeasureDecided")
_CHANGED = type_name("MeasureStatusChanged")


def own_due(measure: Record) -> Moment | None:
    """The measure's own due date, or None when the records do not give one."""
    value = measure.documented("due")
    if not isinstance(value, str):
        return None
    try:
        return parse_moment(value)
    except TimeParseError:
        return None


def _check_overdue(rule_: Rule, ctx: Context) -> list[Trigger]:
    months = ctx.policy.measure_due_months

    def evaluate(measure: Record) -> Result:
        changes = [c for c in ctx.of(_CHANGED) if c.fields.get("measure") == measure.seq]
        done = [c for c in changes if c.fields.get("status") in MEASURE_DONE]
        cancelled = [
            End(c, _("the measure was cancelled ({name})").format(name=name(c)))
            for c in changes
            if c.fields.get("status") == "cancelled"
        ]
        due_moment = own_due(measure)
        if due_moment is not None:
            due = Due(due_moment.end, due_moment.latest)
            due_words = _("by its own due date {time}").format(time=due_moment.display())
        else:
            due = window(measure.occurred, months_after(months))
            due_words = ngettext(
                "within {n} month (local policy: the records give no due date)",
                "within {n} months (local policy: the records give no due date)",
                months,
            ).format(n=months)
        d = Deadline(
            trigger=measure,
            time=measure.occurred,
            due=due,
            opening=_("{name} decided {time}").format(
                name=name(measure, True), time=measure.occurred.display()
            ),
            wanted=_("record that the measure was carried out"),
            due_words=due_words,
            deadline_name=_("the measure's due date"),
            status=rule_.severity,
            ends=cancelled,
        )
        return judge(d, ctx, done)

    open_measures = [
        m
        for m in ctx.of(_DECIDED)
        if ctx.authority.acts(m) and m.fields.get("status") not in (*MEASURE_DONE, "cancelled")
    ]
    return triggers(open_measures, evaluate)


MEASURE_OVERDUE = Rule(
    id="measure-overdue",
    title_sv="Åtgärd genomförd i tid",
    title_en="Measure carried out by its due date",
    severity="warning",
    starts_at=N_("MeasureDecided by the authority, not yet carried out (its occurred clock)"),
    triggers=(_DECIDED,),
    satisfied_by=(_CHANGED,),
    deadline=N_("the measure's own due date; without one, 6 months (local policy)"),
    in_force_from=None,
    in_force_until=None,
    legal=(),
    source=N_(
        "the measure's own due date, else local policy; SOSFS 2011:5 ch. 5 (measures "
        "documented with dates) (M)"
    ),
    confidence="M",
    check=_check_overdue,
    local_policy=("measure_due_months",),
    norm="local",
)
