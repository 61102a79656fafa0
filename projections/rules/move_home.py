"""Rules on a child's move home: who steered the planning (as recorded at the time), a revised
plan before the move, support to the foster carers during it, and the authority's contact
with the child and family after it.

IVO's decisions on Lilla Hjärtat (2020-10-13) and Åstorp (by 2020-06-18) are illustrations of
these criteria, cited with their own dates; the norm is the law in force at the time of the
act (rules.md Principle 5)."""

from __future__ import annotations

from ledger.timeparse import precedes
from projections.deadlines import before, months_after, window
from projections.language import N_, _, ngettext
from projections.records import Record
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
from projections.rules.law import IVO_ASTORP, IVO_LILLA_HJARTAT, lvu, sol
from projections.rules.model import Rule, type_name
from projections.rules.wording import label, name

_TRANSITION = type_name("HomeTransitionPlanned")
_MOVED = type_name("ChildMovedHome")
_PLAN = type_name("PlanAdopted")
_SUPPORT = type_name("FosterCarerSupportProvided")
_ENDED = type_name("CareEnded")
_CONTACTS = tuple(
    type_name(t)
    for t in (
        "HomeVisit",
        "ChildConversation",
        "MeetingHeld",
        "FollowUpStarted",
        "ObservationRecorded",
    )
)


def _check_led_by_parents(rule_: Rule, ctx: Context) -> list[Trigger]:
    def evaluate(plan: Record) -> Result:
        if plan.fields.get("led_by") != "foraldrar":
            return MET
        return Result(
            "finding",
            "warning",
            (plan.seq,),
            message=_(
                "{name} ({time}) is recorded at the time as led by the parents: the child's "
                "best interest, not the parents, is to decide the move home."
            ).format(name=name(plan, True), time=plan.occurred.display()),
        )

    # Only a contemporaneous record of who led the planning starts the rule; a later
    # judgement that the parents steered is a JudgementRecorded, never this field.
    return triggers(
        [r for r in ctx.of(_TRANSITION) if documented(r.fields.get("led_by"))], evaluate
    )


def _revised_plan(plan: Record) -> bool:
    purpose = str(plan.fields.get("purpose") or "").lower()
    return plan.fields.get("revision") is True or "hemflytt" in purpose


def _check_revised_plan(rule_: Rule, ctx: Context) -> list[Trigger]:
    moves = ctx.of(_MOVED)

    def evaluate(index: int) -> Result:
        move = moves[index]
        previous = moves[index - 1] if index else None

        def relevant(plan: Record) -> bool:
            return _revised_plan(plan) and (
                previous is None or precedes(plan.known, previous.occurred) != "yes"
            )

        d = Deadline(
            trigger=move,
            time=move.occurred,
            due=before(move.occurred, _("the move home {ref}").format(ref=label(move))),
            opening=f"{name(move, True)} {move.occurred.display()}",
            wanted=_(
                "revised genomförandeplan (a plan revised for the move home) known before the move"
            ),
            due_words=_("before the move"),
            deadline_name=_("whether the plan came before the move"),
            status=rule_.severity,
        )
        plans = [p for p in ctx.of(_PLAN) if relevant(p)]
        maybe = [p for p in ctx.maybe_of(_PLAN) if relevant(p)]
        return judge(d, ctx, plans, when=lambda r: r.known, doubtful=possibly_known(ctx, maybe))

    return [Trigger(m, m.occurred, lambda i=i: evaluate(i)) for i, m in enumerate(moves)]


def _check_foster_support(rule_: Rule, ctx: Context) -> list[Trigger]:
    def evaluate(plan: Record) -> Result:
        moves = [m for m in ctx.of(_MOVED) if precedes(m.occurred, plan.occurred) != "yes"]
        supports = ctx.of(_SUPPORT)
        after = [s for s in supports if precedes(plan.occurred, s.occurred) == "yes"]
        doubtful = [
            (
                s,
                _(
                    "{name} ({time}) may have come before the planning of the move home ({planned})"
                ).format(name=name(s), time=s.occurred.display(), planned=plan.occurred.display()),
            )
            for s in supports
            if precedes(plan.occurred, s.occurred) == "possibly"
        ]
        doubtful += possibly_known(
            ctx, [s for s in ctx.maybe_of(_SUPPORT) if precedes(plan.occurred, s.occurred) != "no"]
        )
        opening = f"{name(plan, True)} {plan.occurred.display()}"
        if not moves:
            if after:
                return MET
            return Result(
                "finding",
                "pending",
                (plan.seq,),
                message=_(
                    "{opening}; no move home is recorded yet{at}: the foster carers are to be "
                    "given support and supervision during the transition."
                ).format(opening=opening, at=ctx.at_words),
            )
        move = moves[0]
        d = Deadline(
            trigger=plan,
            time=plan.occurred,
            due=before(move.occurred, _("the move home {ref}").format(ref=label(move))),
            opening=opening,
            wanted=_(
                "support or supervision to the foster carers between it and the move home {ref}"
            ).format(ref=label(move)),
            due_words=_("before the move home {ref}").format(ref=label(move)),
            deadline_name=_("whether the support came during the transition"),
            status=rule_.severity,
            extra_refs=(move.seq,),
        )
        return judge(d, ctx, after, doubtful=doubtful)

    return triggers(ctx.of(_TRANSITION), evaluate)


def _contact(ctx: Context, record: Record) -> bool:
    """An act of the authority that reached the child or the family."""
    return record.type in _CONTACTS and ctx.authority.acts(record)


def _check_no_contact(rule_: Rule, ctx: Context) -> list[Trigger]:
    months = ctx.policy.no_contact_months
    contacts = [r for r in ctx.live if _contact(ctx, r)]

    def evaluate(start: Record) -> Result:
        due = window(start.occurred, months_after(months))
        after = [c for c in contacts if precedes(start.occurred, c.occurred) != "no"]
        if met_in_time(due, after):
            return MET
        d = Deadline(
            trigger=start,
            time=start.occurred,
            due=due,
            opening=f"{name(start, True)} {start.occurred.display()}",
            wanted=_("contact with the child or the family by the social services"),
            due_words=ngettext(
                "within {n} month (local policy)", "within {n} months (local policy)", months
            ).format(n=months),
            deadline_name=_("the contact threshold"),
            status=rule_.severity,
            ends=ctx.deaths(),
            any_act=True,
        )
        return judge(d, ctx, after)

    starts = [*ctx.of(_MOVED), *ctx.of(_ENDED)]
    return triggers(sorted(starts, key=Record.order_key), evaluate)


LED_BY_PARENTS = Rule(
    id="home-transition-led-by-parents",
    title_sv="Hemflytt styrd av föräldrarna",
    title_en="Move home steered by the parents",
    severity="warning",
    starts_at=N_("HomeTransitionPlanned whose contemporaneous record states who led it"),
    triggers=(_TRANSITION,),
    satisfied_by=(),
    deadline=N_("flags a plan recorded at the time as led by the parents (led_by foraldrar)"),
    in_force_from=None,
    in_force_until=None,
    legal=(
        *sol("1 kap. 2 §", "the child's best interest to be decisive", "H"),
        lvu("1 §", "the child's best interest decisive under LVU", "M"),
    ),
    source=N_("SoL 1:2 / LVU 1 § (M); IVO 2020-10-13 as illustration"),
    confidence="M",
    check=_check_led_by_parents,
    illustrations=(IVO_LILLA_HJARTAT,),
)

REVISED_PLAN = Rule(
    id="home-move-without-revised-plan",
    title_sv="Hemflytt utan reviderad genomförandeplan",
    title_en="Move home without a revised plan",
    severity="warning",
    starts_at="ChildMovedHome",
    triggers=(_MOVED,),
    satisfied_by=(_PLAN,),
    deadline=N_("a PlanAdopted with revision true or purpose hemflytt, known before the move"),
    in_force_from=None,
    in_force_until=None,
    legal=(*sol("11 kap. 3 §", "vårdplan and genomförandeplan", "M"),),
    source=N_("SoL 11:3 (M); IVO Åstorp (decided by 2020-06-18) as illustration"),
    confidence="M",
    check=_check_revised_plan,
    illustrations=(IVO_ASTORP,),
)

FOSTER_SUPPORT = Rule(
    id="foster-carer-support-during-transition",
    title_sv="Stöd och handledning till familjehemmet under hemflytten",
    title_en="Support to the foster carers during the move home",
    severity="warning",
    starts_at="HomeTransitionPlanned",
    triggers=(_TRANSITION,),
    satisfied_by=(_SUPPORT,),
    deadline=N_("a FosterCarerSupportProvided between the plan and ChildMovedHome"),
    in_force_from=None,
    in_force_until=None,
    legal=(*sol("6 kap. 7 §", "support and supervision to those caring for the child", "U"),),
    source=N_("SoL 6:7 (U: verify); IVO Åstorp (decided by 2020-06-18) as illustration"),
    confidence="U",
    check=_check_foster_support,
    illustrations=(IVO_ASTORP,),
)

NO_CONTACT = Rule(
    id="no-contact-after-move-home",
    title_sv="Ingen kontakt efter hemflytt",
    title_en="No contact after the move home",
    severity="warning",
    starts_at=N_("ChildMovedHome, CareEnded"),
    triggers=(_MOVED, _ENDED),
    satisfied_by=_CONTACTS,
    deadline=N_(
        "contact with the child or family by the social services (home visit, "
        "conversation, meeting, follow-up, observation) within 3 months (local policy)"
    ),
    in_force_from=None,
    in_force_until=None,
    legal=(*sol("5 kap. 1 §", "the committee's responsibility for children", "U"),),
    source=N_(
        "SoL 5:1 (U: verify): the committee's responsibility continues after care ends; "
        "IVO 2020-10-13 as illustration"
    ),
    confidence="U",
    check=_check_no_contact,
    local_policy=("no_contact_months",),
    norm="local",
    illustrations=(IVO_LILLA_HJARTAT,),
)
