"""Rules on an investigation (utredning): four months (SoL 11:2), and the child heard before
it closes or before a decision on a move home or on ending care (SoL 11:10)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger.timeparse import precedes
from projections.deadlines import investigation_deadline
from projections.language import _
from projections.records import Record
from projections.rules.judging import (
    MET,
    Context,
    Deadline,
    Result,
    Trigger,
    documented,
    judge,
    not_documented_reason,
    triggers,
)
from projections.rules.law import sol, sol_2025
from projections.rules.model import Rule, type_name
from projections.rules.wording import join, name

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
    """Investigations with their closing and extensions, paired first in, first out."""
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
        result = judge(d, ctx, [span.closed] if span.closed else [])
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
    deadline="4 months; or the new_deadline of an InvestigationExtended decided before the "
    "deadline then in force (one computation, shared with `known`)",
    in_force_from=None,
    in_force_until=None,
    legal=(
        sol("11 kap. 2 §", "four-month time limit and its extension", "M"),
        sol_2025("20 kap. 3 §", "four-month time limit and its extension"),
    ),
    source="SoL 11:2 (H)",
    confidence="H",
    check=_check_investigation,
)

CHILD_NOT_HEARD = Rule(
    id="child-not-heard",
    title_sv="Barnet inte hört",
    title_en="The child not heard",
    severity="warning",
    starts_at="the authority's InvestigationClosed, HomeTransitionPlanned, and decisions that "
    "care shall end (CareTerminationDecided granted, CareReviewed end)",
    triggers=(_CLOSED, _TRANSITION, _TERMINATION, _REVIEWED),
    satisfied_by=(_CONVERSATION,),
    deadline="a ChildConversation in that investigation or before the decision, or a "
    "recorded child_not_heard_reason on the decision",
    in_force_from=None,
    in_force_until=None,
    legal=(
        sol("11 kap. 10 §", "the child is to be heard", "M"),
        sol("1 kap. 2 §", "the child's best interest", "H"),
        sol_2025("20 kap. 7 §", "the child may be heard without the guardians' consent"),
        sol_2025("3 kap. 1 §", "the child's best interest"),
    ),
    source="SoL 11:10 and 1:2 (M); SOSFS 2014:5 on documenting why not (U)",
    confidence="M",
    check=_check_child_heard,
)
