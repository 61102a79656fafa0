"""Rules on a report of concern: the protection assessment "genast", the preliminary
assessment within 14 days, and a protection assessment made without seeing the child."""

from __future__ import annotations

from datetime import datetime

from ledger.timeparse import precedes
from projections.deadlines import days_after, same_day, window
from projections.language import N_, _
from projections.records import Record
from projections.rules.investigation import investigations
from projections.rules.judging import (
    MET,
    Context,
    Deadline,
    Result,
    Trigger,
    documented,
    judge,
    met_in_time,
    possibly_known,
    triggers,
)
from projections.rules.law import sol
from projections.rules.model import Rule, type_name
from projections.rules.wording import name

_REPORT = type_name("ConcernReportReceived")
_PROTECTION = type_name("ProtectionAssessmentMade")
_PRELIMINARY = type_name("PreliminaryAssessmentDecided")
_OPENED = type_name("InvestigationOpened")
_OBSERVATION = type_name("ObservationRecorded")
_VISIT = type_name("HomeVisit")
_CONVERSATION = type_name("ChildConversation")


def _check_same_day(rule_: Rule, ctx: Context) -> list[Trigger]:
    cutoff = ctx.policy.protection_cutoff_hour
    # The assessments of each report, in the case's order (one pass, not one per report).
    assessments = _by_field(ctx.of(_PROTECTION), "report")
    maybe = _by_field(ctx.maybe_of(_PROTECTION), "report")

    def evaluate(report) -> Result:  # type: ignore[no-untyped-def]
        mine = assessments.get(report.seq, [])
        due = window(report.known, same_day(cutoff))
        if met_in_time(due, mine):
            return MET
        doubtful = maybe.get(report.seq, [])
        day_note = ""
        if report.known.precision == "day" and not report.known.approximate:
            day_note = _(" (a report from {hour}:00 on may be assessed the next day)").format(
                hour=f"{cutoff:02d}"
            )
        if due.lo != due.hi:
            due_words = _("the same day, or the next for a report from {hour}:00 on").format(
                hour=f"{cutoff:02d}"
            )
        elif due.lo == same_day(25)(report.known.earliest):
            due_words = _("the same day")
        else:
            due_words = _("the next day, the report having come at or after {hour}:00").format(
                hour=f"{cutoff:02d}"
            )
        d = Deadline(
            trigger=report,
            time=report.known,
            due=due,
            opening=_("{name} received {time}").format(
                name=name(report, True), time=report.known.display()
            ),
            wanted=_("protection assessment of it"),
            due_words=due_words,
            deadline_name=_("the same-day deadline"),
            status=rule_.severity,
            fine="minute",
            ends=ctx.deaths(),
            imprecision_extra=day_note,
        )
        return judge(d, ctx, mine, doubtful=possibly_known(ctx, doubtful))

    return triggers(ctx.of(_REPORT), evaluate, "known")


def _by_field(records: list[Record], key: str) -> dict[object, list[Record]]:
    """`records` by the value of their field `key`, each list in the records' order."""
    found: dict[object, list[Record]] = {}
    for record in records:
        found.setdefault(record.fields.get(key), []).append(record)
    return found


def _by_listed(records: list[Record]) -> dict[int, list[Record]]:
    """`records` by each report their `reports` field lists, each list in the records'
    order (a record listing a report twice counts once)."""
    found: dict[int, list[Record]] = {}
    for record in records:
        for seq in dict.fromkeys(record.refs("reports")):
            found.setdefault(seq, []).append(record)
    return found


def _check_preliminary(rule_: Rule, ctx: Context) -> list[Trigger]:
    decided = _by_listed(ctx.of(_PRELIMINARY, _OPENED))
    maybe = _by_listed(ctx.maybe_of(_PRELIMINARY, _OPENED))
    spans = investigations(ctx)

    def evaluate(report) -> Result:  # type: ignore[no-untyped-def]
        mine = decided.get(report.seq, [])
        due = window(report.known, days_after(14))
        if met_in_time(due, mine):
            return MET
        doubtful = []
        for span in spans:
            opened_before = precedes(span.opened.occurred, report.known)
            closed_after = (
                "yes" if span.closed is None else precedes(report.known, span.closed.occurred)
            )
            if opened_before == "yes" and closed_after == "yes":
                return MET  # an investigation was already open when the report came
            if opened_before != "no" and closed_after != "no":
                doubtful.append(
                    (
                        span.opened,
                        _("{name} ({time}) was possibly already open when the report came").format(
                            name=name(span.opened), time=span.opened.occurred.display()
                        ),
                    )
                )
        doubtful += possibly_known(ctx, maybe.get(report.seq, []))
        d = Deadline(
            trigger=report,
            time=report.known,
            due=due,
            opening=_("{name} received {time}").format(
                name=name(report, True), time=report.known.display()
            ),
            wanted=_("preliminary assessment decision on it"),
            due_words=_("within 14 days"),
            deadline_name=_("the 14-day deadline"),
            status=rule_.severity,
            ends=ctx.deaths(),
        )
        result = judge(d, ctx, mine, doubtful=doubtful)
        late = [r for r in mine if r.seq in result.refs]
        reasons = [r.fields.get("extraordinary_reasons") for r in late]
        if result.status == rule_.severity and late and any(documented(x) for x in reasons):
            # SoL 11:1 a second para: the 14 days may be exceeded for synnerliga skäl.
            stated = next(x for x in reasons if documented(x))
            return Result(
                "finding",
                "info",
                result.refs,
                result.due,
                result.met,
                _("{message} Synnerliga skäl are recorded on the late decision: {stated}").format(
                    message=result.message, stated=stated
                ),
            )
        return result

    return triggers(ctx.of(_REPORT), evaluate, "known")


def _first_sight(ctx: Context) -> datetime | None:
    """The earliest time at which the authority may have seen the child: an observation of
    the child, a home visit where the child was seen, a conversation with the child. An
    assessment whose clock ends after it possibly came after a sight (`precedes` is not
    "no"), so this one instant answers for every assessment."""
    sights = [
        record.occurred.earliest
        for record in ctx.of(_OBSERVATION, _VISIT, _CONVERSATION)
        if ctx.authority.acts(record)
        and not (record.type == _VISIT and record.fields.get("child_seen") is not True)
        and not (
            record.type == _OBSERVATION
            and "child" not in str(record.fields.get("observation", "")).lower()
        )
    ]
    return min(sights, default=None)


def _check_child_not_seen(rule_: Rule, ctx: Context) -> list[Trigger]:
    first_sight = _first_sight(ctx)

    def evaluate(assessment) -> Result:  # type: ignore[no-untyped-def]
        seen = assessment.fields.get("child_seen")
        # A sight of the child before the assessment, possibly: the sight's clock starts
        # before the assessment's ends.
        if seen is True or (first_sight is not None and first_sight < assessment.occurred.latest):
            return MET
        opening = f"{name(assessment, True)} ({assessment.occurred.display()})"
        if seen is False:
            return Result(
                "finding",
                "info",
                (assessment.seq,),
                message=_(
                    "{opening} found no immediate protection needed without the child being "
                    "seen (child_seen: no)."
                ).format(opening=opening),
            )
        return Result(
            "finding",
            "undetermined",
            (assessment.seq,),
            message=_(
                "{opening} found no immediate protection needed; whether the child was seen is "
                "not recorded."
            ).format(opening=opening),
            reason=_(
                "child_seen is not documented and no sight of the child by the social services "
                "is recorded before the assessment"
            ),
        )

    return triggers(
        [
            r
            for r in ctx.of(_PROTECTION)
            if r.fields.get("immediate_protection_needed") is False and ctx.authority.acts(r)
        ],
        evaluate,
    )


SAME_DAY = Rule(
    id="protection-assessment-same-day",
    title_sv="Skyddsbedömning samma dag",
    title_en="Protection assessment the same day",
    severity="breach",
    starts_at=N_("ConcernReportReceived (its known clock)"),
    triggers=(_REPORT,),
    satisfied_by=(_PROTECTION,),
    deadline=N_(
        '"genast": the same calendar day; the next day when the report came at or '
        "after the cut-off hour (local policy, default 16:00)"
    ),
    in_force_from="2013-01-01",
    in_force_until=None,
    legal=(
        *sol("11 kap. 1 a § första stycket", "immediate assessment of the need of protection", "M"),
    ),
    source=N_(
        "SoL 11:1a first para (M: quoted in prop. 2012/13:10, statute text not read); "
        'prop. 2012/13:10 p. 60 on "same day" (M)'
    ),
    confidence="M",
    check=_check_same_day,
    local_policy=("protection_cutoff_hour",),
)

PRELIMINARY = Rule(
    id="preliminary-assessment-14-days",
    title_sv="Förhandsbedömning inom 14 dagar",
    title_en="Preliminary assessment within 14 days",
    severity="breach",
    starts_at=N_("ConcernReportReceived (its known clock)"),
    triggers=(_REPORT,),
    satisfied_by=(_PRELIMINARY, _OPENED),
    deadline=N_(
        "14 days, unless synnerliga skäl are recorded on the late decision (then info); "
        "met at once when an investigation was already open when the report came"
    ),
    in_force_from="2013-01-01",
    in_force_until=None,
    legal=(
        *sol(
            "11 kap. 1 a § andra stycket",
            'decision on an investigation within 14 days "om det inte finns synnerliga skäl"',
            "M",
        ),
    ),
    source=N_("SoL 11:1a second para (M: quoted in prop. 2012/13:10, statute text not read)"),
    confidence="M",
    check=_check_preliminary,
)

CHILD_NOT_SEEN = Rule(
    id="protection-assessed-without-seeing-child",
    title_sv="Skyddsbedömning utan att barnet setts",
    title_en="Protection assessed without seeing the child",
    severity="info",
    starts_at=N_(
        "ProtectionAssessmentMade by the authority with immediate_protection_needed false"
    ),
    triggers=(_PROTECTION,),
    satisfied_by=(_OBSERVATION, _VISIT, _CONVERSATION),
    deadline=N_(
        "flags child_seen false; unknown gives undetermined; a recorded sight of the "
        "child by the social services before the assessment satisfies it"
    ),
    in_force_from=None,
    in_force_until=None,
    legal=(),
    source=N_("practice"),
    confidence="U",
    check=_check_child_not_seen,
)
