"""Rules on an investigation (utredning): four months (SoL 11:2), and the child heard before
it closes or before a decision on a move home or on ending care (SoL 11:10)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ledger.timeparse import precedes
from projections.deadlines import before, days_after, investigation_deadline, window
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
    not_documented_reason,
    possibly_known,
    triggers,
)
from projections.rules.law import sol
from projections.rules.model import Rule, type_name
from projections.rules.wording import join, label, name

_OPENED = type_name("InvestigationOpened")
_EXTENDED = type_name("InvestigationExtended")
_CLOSED = type_name("InvestigationClosed")
_CONVERSATION = type_name("ChildConversation")
_TRANSITION = type_name("HomeTransitionPlanned")
_TERMINATION = type_name("CareTerminationDecided")
_REVIEWED = type_name("CareReviewed")


@dataclass(frozen=True, slots=True)
class Span:
    opened: Record
    closed: Record | None
    extensions: tuple[Record, ...]


def investigations(ctx: Context) -> list[Span]:
    """Investigations with their closing and extensions, paired first in, first out (read
    once per check; the list is shared)."""
    return ctx.once(investigations, lambda: _investigations(ctx))


def _investigations(ctx: Context) -> list[Span]:
    spans: list[dict[str, Any]] = []
    open_: list[dict[str, Any]] = []
    for record in ctx.live:
        if record.type == _OPENED:
            span = {"opened": record, "closed": None, "extensions": []}
            spans.append(span)
            open_.append(span)
        elif record.type == _EXTENDED and open_:
            open_[0]["extensions"].append(record)
        elif record.type == _CLOSED and open_:
            open_.pop(0)["closed"] = record
    return [Span(s["opened"], s["closed"], tuple(s["extensions"])) for s in spans]


def _check_investigation(rule_: Rule, ctx: Context) -> list[Trigger]:
    def evaluate(span: Span) -> Result:
        opened = span.opened
        deadline = investigation_deadline(
            opened.occurred,
            [(e.seq, e.occurred, e.fields.get("new_deadline")) for e in span.extensions],
        )
        closing = [span.closed] if span.closed else []
        if met_in_time(deadline.due, closing):
            return MET
        d = Deadline(
            trigger=opened,
            time=opened.occurred,
            due=deadline.due,
            opening=_("{name} opened {time}").format(
                name=name(opened, True), time=opened.occurred.display()
            ),
            wanted=_("closing of it"),
            due_words=_("within four months or as extended")
            if span.extensions
            else _("within four months"),
            deadline_name=_("the four-month deadline"),
            status=rule_.severity,
            ends=ctx.deaths(),
            notes=" ".join(deadline.notes),
            extra_refs=deadline.extensions,
            imprecision_extra="".join(f"; {doubt}" for doubt in deadline.doubts),
        )
        result = judge(d, ctx, closing)
        if deadline.doubts and result.kind == "finding" and result.status == rule_.severity:
            return Result(
                "finding",
                "undetermined",
                result.refs,
                result.due,
                result.met,
                result.message,
                join(*deadline.doubts),
            )
        return result

    return [
        Trigger(s.opened, s.opened.occurred, lambda s=s: evaluate(s)) for s in investigations(ctx)
    ]


def _check_child_heard(rule_: Rule, ctx: Context) -> list[Trigger]:
    conversations = ctx.of(_CONVERSATION)
    spans = {s.closed.seq: s for s in investigations(ctx) if s.closed is not None}

    def evaluate(decision: Record) -> Result:
        if documented(decision.fields.get("child_not_heard_reason")):
            return MET  # the reason the child was not heard is recorded (SOSFS 2014:5)
        span = spans.get(decision.seq)
        since = span.opened if span is not None else None

        def before(conversation: Record) -> str:
            if since is not None and precedes(conversation.occurred, since.occurred) == "yes":
                return "no"
            return precedes(conversation.occurred, decision.occurred)

        heard = [c for c in conversations if before(c) == "yes"]
        if heard:
            return MET
        where = _("in the investigation") if since is not None else _("before the decision")
        message = _(
            "{name} ({time}): no conversation with the child {where} and no recorded reason "
            "why the child was not heard{at}."
        ).format(
            name=name(decision, True),
            time=decision.occurred.display(),
            where=where,
            at=ctx.at_words,
        )
        maybe = [c for c in conversations if before(c) == "possibly"]
        if maybe:
            return Result(
                "finding",
                "undetermined",
                (decision.seq, maybe[0].seq),
                met=maybe[0].occurred,
                message=message,
                reason=_("{name} ({time}) may have come before or after it").format(
                    name=name(maybe[0]), time=maybe[0].occurred.display()
                ),
            )
        if ctx.coverage.covers(
            since.occurred.earliest if since else decision.occurred.earliest,
            decision.occurred.latest,
        ):
            return Result("finding", "warning", (decision.seq,), message=message)
        return Result(
            "finding",
            "no_record",
            (decision.seq,),
            message=message,
            reason=not_documented_reason(ctx),
        )

    decisions = [
        r
        for r in ctx.live
        if ctx.authority.acts(r)
        and (
            r.type in (_CLOSED, _TRANSITION)
            or (r.type == _TERMINATION and r.fields.get("outcome") == "granted")
            or (r.type == _REVIEWED and r.fields.get("outcome") == "end")
        )
    ]
    return triggers(decisions, evaluate)


INVESTIGATION = Rule(
    id="investigation-4-months",
    title_sv="Utredning slutförd inom fyra månader",
    title_en="Investigation completed within four months",
    severity="breach",
    starts_at="InvestigationOpened",
    triggers=(_OPENED,),
    satisfied_by=(_CLOSED,),
    deadline=N_(
        "4 months; or the new_deadline of an InvestigationExtended decided before the "
        "deadline then in force (one computation, shared with `known`)"
    ),
    in_force_from=None,
    in_force_until=None,
    legal=(*sol("11 kap. 2 §", "four-month time limit and its extension", "M"),),
    source=N_("SoL 11:2 (M: the 2013 wording not read from the statute)"),
    confidence="M",
    check=_check_investigation,
)

CHILD_NOT_HEARD = Rule(
    id="child-not-heard",
    title_sv="Barnet inte hört",
    title_en="The child not heard",
    severity="warning",
    starts_at=N_(
        "the authority's InvestigationClosed, HomeTransitionPlanned, and decisions that "
        "care shall end (CareTerminationDecided granted, CareReviewed end)"
    ),
    triggers=(_CLOSED, _TRANSITION, _TERMINATION, _REVIEWED),
    satisfied_by=(_CONVERSATION,),
    deadline=N_(
        "a ChildConversation in that investigation or before the decision, or a "
        "recorded child_not_heard_reason on the decision"
    ),
    in_force_from=None,
    in_force_until=None,
    legal=(
        *sol("11 kap. 10 §", "the child is to be heard", "M"),
        *sol("1 kap. 2 §", "the child's best interest", "H"),
    ),
    source=N_("SoL 11:10 and 1:2 (M); SOSFS 2014:5 on documenting why not (U)"),
    confidence="M",
    check=_check_child_heard,
)


# --- SoL 11:2 third para: the person concerned told at once that an investigation was opened --

_NOTIFIED = type_name("InvestigationNotified")


def _check_notified(rule_: Rule, ctx: Context) -> list[Trigger]:
    days = ctx.policy.investigation_notice_days

    def evaluate(span: Span) -> Result:
        opened = span.opened
        if documented(opened.fields.get("not_notified_reason")):
            return MET  # särskilda skäl recorded on the decision
        told = [r for r in ctx.of(_NOTIFIED) if r.fields.get("investigation") == opened.seq]
        local_due = window(opened.occurred, days_after(days))
        closing_due = (
            before(span.closed.occurred, _("the closing {ref}").format(ref=label(span.closed)))
            if span.closed is not None
            else None
        )
        if met_in_time(local_due, told) and (closing_due is None or met_in_time(closing_due, told)):
            return MET  # told in time: both judgements below would find it met
        maybe = [r for r in ctx.maybe_of(_NOTIFIED) if r.fields.get("investigation") == opened.seq]
        opening = _("{name} opened {time}").format(
            name=name(opened, True), time=opened.occurred.display()
        )
        if span.closed is not None:
            assert closing_due is not None
            # By the close "genast" has certainly passed: no notice at all is the statute's.
            statutory = Deadline(
                trigger=opened,
                time=opened.occurred,
                due=closing_due,
                opening=opening,
                wanted=_("notice to the person concerned"),
                due_words=_("before the investigation closed"),
                deadline_name=_("whether the notice came before the close"),
                status=rule_.severity,
                ends=ctx.deaths(),
                extra_refs=(span.closed.seq,),
            )
            result = judge(statutory, ctx, told, doubtful=possibly_known(ctx, maybe))
            if result.kind != "met":
                return result
        local = Deadline(
            trigger=opened,
            time=opened.occurred,
            due=local_due,
            opening=opening,
            wanted=_("notice to the person concerned"),
            due_words=ngettext(
                '"genast": within {n} day (local policy)',
                '"genast": within {n} days (local policy)',
                days,
            ).format(n=days),
            deadline_name=_("the local notice threshold"),
            status="warning",
            ends=ctx.deaths(),
        )
        late = judge(local, ctx, told, doubtful=possibly_known(ctx, maybe))
        if late.kind == "finding":
            return replace(late, policy="local")
        return late

    return [
        Trigger(s.opened, s.opened.occurred, lambda s=s: evaluate(s)) for s in investigations(ctx)
    ]


NOTIFIED = Rule(
    id="investigation-notified",
    title_sv="Underrättelse om inledd utredning",
    title_en="The person concerned told that an investigation was opened",
    severity="breach",
    starts_at="InvestigationOpened",
    triggers=(_OPENED,),
    satisfied_by=(_NOTIFIED,),
    deadline=N_(
        "breach when no InvestigationNotified is recorded before the investigation "
        'closed; "genast" is read as within 7 days (local policy: a later notice is a warning); a '
        "not_notified_reason (särskilda skäl) on the opening meets it"
    ),
    in_force_from=None,
    in_force_until=None,
    legal=(
        *sol(
            "11 kap. 2 § tredje stycket",
            'the person concerned told "genast" that an investigation was opened, unless '
            "särskilda skäl speak against it",
            "M",
        ),
    ),
    source=N_(
        'SoL 11:2 third para (M: prop. 2012/13:10; the older wording without "genast" '
        "per SOSFS 2006:12); 2025:400 20 kap. 4 § (H)"
    ),
    confidence="M",
    check=_check_notified,
    local_policy=("investigation_notice_days",),
)
