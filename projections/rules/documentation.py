"""Late documentation: the authority's own acts written into the records more than the local
policy's days after they happened (SOSFS 2014:5 "utan oskäligt dröjsmål")."""

from __future__ import annotations

from datetime import timedelta

from ledger.timeparse import STOCKHOLM, Moment
from projections.deadlines import days_after, verdict, window
from projections.knowledge import REPLY
from projections.language import N_, _, ngettext
from projections.records import Authority, Record
from projections.rules.judging import MET, Context, Result, Trigger, triggers
from projections.rules.law import SOSFS_2014_5
from projections.rules.model import Rule, type_name
from projections.rules.wording import PRECISION_RANK, name

_EPS = timedelta(microseconds=1)
# Entries that record information from outside: their `occurred` is the outside party's.
_OUTSIDE_TYPES = frozenset(
    {type_name("ConcernReportReceived"), type_name("CareTerminationRequested"), REPLY}
)
_OBSERVATION = type_name("ObservationRecorded")
# A review's own entries (coverage, judgements) and corrections are not acts on the case.
_NOT_ACTS = frozenset({"review", "oversight", "correction"})
# A chronology line the reviewer left unclassified is information only: it starts no rule.
_INFORMATION_ONLY = frozenset({type_name("ChronologyEntry")})


def _own_action(record: Record, authority: Authority) -> bool:
    if record.known_assumed or record.type in _OUTSIDE_TYPES or record.type in _INFORMATION_ONLY:
        return False
    if record.agency != authority.agency or record.spec.category in _NOT_ACTS:
        return False
    if record.type == _OBSERVATION:
        return record.fields.get("observed_by") == authority.agency
    return True


def _day(dt) -> object:  # type: ignore[no-untyped-def]
    return dt.astimezone(STOCKHOLM).date()


def delay_text(occurred: Moment, known: Moment) -> str:
    """How long after the act it was documented: exact days, or the range the clocks allow."""
    if (
        not occurred.approximate
        and not known.approximate
        and min(PRECISION_RANK[occurred.precision], PRECISION_RANK[known.precision])
        >= PRECISION_RANK["day"]
    ):
        days = (_day(known.start) - _day(occurred.start)).days  # type: ignore[operator]
        return ngettext("{n} day", "{n} days", days).format(n=days)
    low = max(0, (_day(known.earliest) - _day(occurred.latest - _EPS)).days)  # type: ignore[operator]
    high = (_day(known.latest - _EPS) - _day(occurred.earliest)).days  # type: ignore[operator]
    return _("between {low} and {high} days").format(low=low, high=high)


def _check_late_documentation(rule_: Rule, ctx: Context) -> list[Trigger]:
    days = ctx.policy.late_documentation_days
    allowed = ngettext("{n} day", "{n} days", days).format(n=days)

    def evaluate(record: Record) -> Result:
        due = window(record.occurred, days_after(days))
        judged = verdict(record.known, due)
        if judged == "on_time":
            return MET
        message = _(
            "{name} occurred {occurred} and was documented (known) {known}: {delay} later; "
            "local policy allows {allowed} ({due})."
        ).format(
            name=name(record, True),
            occurred=record.occurred.display(),
            known=record.known.display(),
            delay=delay_text(record.occurred, record.known),
            allowed=allowed,
            due=due.words(),
        )
        if judged == "late":
            return Result("finding", "warning", (record.seq,), due, record.known, message)
        return Result(
            "finding",
            "undetermined",
            (record.seq,),
            due,
            record.known,
            message,
            _(
                "occurred ({occurred}) and known ({known}) are too coarse or approximate to "
                "tell; whether it was documented within {allowed} cannot be judged"
            ).format(occurred=record.occurred.text, known=record.known.text, allowed=allowed),
        )

    return triggers([r for r in ctx.live if _own_action(r, ctx.authority)], evaluate)


LATE_DOCUMENTATION = Rule(
    id="late-documentation",
    title_sv="Sen dokumentation",
    title_en="Late documentation",
    severity="warning",
    starts_at=N_(
        "the authority's own actions (entries of the case-owning agency with a "
        "documented known clock)"
    ),
    triggers=(),
    satisfied_by=(),
    deadline=N_("flags known − occurred over 7 days (local policy)"),
    in_force_from=None,
    in_force_until=None,
    legal=(SOSFS_2014_5,),
    source=N_('SOSFS 2014:5 "utan oskäligt dröjsmål" (M)'),
    confidence="M",
    check=_check_late_documentation,
    local_policy=("late_documentation_days",),
    norm="local",
)
