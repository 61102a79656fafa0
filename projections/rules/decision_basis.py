"""Rules on the authority's decisions: taken while its own request for information was
unanswered, or without a stated basis. Courts' and IVO's decisions are never judged here
(rules.md Principle 1): they are sources of information and of decisions to act on."""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, datetime
from typing import Any

from ledger.vocabulary import decision_types
from projections.codes import code_words
from projections.decisions import knowledge_map
from projections.knowledge import REPLY, REQUEST, pending_requests
from projections.language import N_, _, current
from projections.records import Record
from projections.rules.judging import (
    MET,
    Context,
    Result,
    Trigger,
    not_documented_reason,
    triggers,
)
from projections.rules.law import IVO_LILLA_HJARTAT, SOSFS_2014_5, sol
from projections.rules.model import Rule
from projections.rules.wording import instant_text, join, label, name


def authority_decisions(ctx: Context) -> list[Record]:
    """The decisions of the case-owning authority (its committee and delegates), found once
    per check (the list is shared)."""
    return ctx.once(
        authority_decisions,
        lambda: [r for r in ctx.live if r.is_decision and ctx.authority.acts(r)],
    )


def _check_outstanding(rule_: Rule, ctx: Context) -> list[Trigger]:
    # Requests and replies only possibly known at T take part, as at best possibly known.
    # Only the authority's own requests: another body's request is not the authority's gap.
    requests = [r for r in ctx.of(REQUEST) + ctx.maybe_of(REQUEST) if ctx.authority.acts(r)]
    pool = requests + ctx.of(REPLY) + ctx.maybe_of(REPLY)
    doubtful = {r.seq for r in ctx.maybe}
    replies_to: dict[int, list[Record]] = {}
    for reply in pool:
        target = reply.fields.get("in_reply_to") if reply.type == REPLY else None
        if isinstance(target, int):
            replies_to.setdefault(target, []).append(reply)

    # When each request was certainly answered: the end of the clock of its first reply
    # certainly in the records at T (one only possibly there answers nothing for certain).
    # A decision certainly taken after that cannot have it outstanding, so each decision
    # reads only the requests not yet answered at its earliest time, not every request.
    never = datetime.max.replace(tzinfo=UTC)
    answered = [
        min(
            (a.known.latest for a in replies_to.get(r.seq, ()) if a.seq not in doubtful),
            default=never,
        )
        for r in requests
    ]
    by_answer = sorted(range(len(requests)), key=answered.__getitem__)
    answered_in_order = [answered[i] for i in by_answer]
    # A request reads the same in every decision's message that lists it.
    heads: dict[int, str] = {}

    def head(request: Record) -> str:
        text = heads.get(request.seq)
        if text is None:
            text = heads[request.seq] = _("{name} to {whom} ({time})").format(
                name=name(request),
                whom=code_words("counterparty", request.fields.get("counterparty")),
                time=request.occurred.display(),
            )
        return text

    made = [r.known.earliest for r in requests]

    def evaluate(decision: Record) -> Result:
        moment = decision.occurred
        start = bisect_right(answered_in_order, moment.earliest)
        if start == len(by_answer):
            return MET  # every request was certainly answered before the decision
        named = decision.references()
        latest = moment.latest
        # Requests the decision certainly came before are unknown to it (unless it names them).
        unanswered = [
            requests[i]
            for i in sorted(
                i for i in by_answer[start:] if made[i] < latest or requests[i].seq in named
            )
        ]
        states = knowledge_map(decision, unanswered, named)

        def state_of(r: Record) -> Any:
            state = states[r.seq]
            return "possibly" if state == "known" and r.seq in doubtful else state

        visible = [r for r in unanswered if r.seq != decision.seq and state_of(r) != "unknown"]
        if not visible:
            return MET
        # Only the replies to requests the decision could know of are ever asked about.
        answers = [a for r in visible for a in replies_to.get(r.seq, ())]
        states.update(knowledge_map(decision, answers, named))
        pending = pending_requests(visible, state_of, answers)
        if not pending:
            return MET
        certain = [p for p in pending if p.answered == "no" and p.request_known == "known"]
        parts, reasons, refs = [], [], [decision.seq]
        when = decision.occurred.display()
        for p in pending:
            request = p.request
            refs.append(request.seq)
            text = head(request)
            if p.request_known == "possibly" and request.seq in doubtful:
                reasons.append(
                    _("{name} is only possibly in the records at {time}").format(
                        name=name(request), time=instant_text(ctx.horizon)
                    )
                )
            elif p.request_known == "possibly":
                reasons.append(
                    _("{name} ({time}) may have been made only after the decision ({when})").format(
                        name=name(request), time=request.known.display(), when=when
                    )
                )
            if p.replies:
                refs += [r.seq for r in p.replies]
                replies = ", ".join(f"{name(r)} ({r.known.display()})" for r in p.replies)
                text += _(
                    " may still have been unanswered ({replies} possibly came before it)"
                ).format(replies=replies)
                reasons.append(
                    _(
                        "{replies} may have reached the social services before the decision "
                        "({when})"
                    ).format(replies=replies, when=when)
                )
            else:
                text += _(" had no answer known at the time")
                later = [r for r in replies_to.get(request.seq, ()) if state_of(r) == "unknown"]
                if later:
                    refs += [r.seq for r in later]
                    text += _(" (answered later: {replies})").format(
                        replies=", ".join(
                            _("{name} known {time}").format(name=name(r), time=r.known.display())
                            for r in later
                        )
                    )
            parts.append(text)
        message = _("{name} ({when}) was taken while {what}.").format(
            name=name(decision, True), when=when, what="; ".join(parts)
        )
        if certain:
            return Result("finding", "warning", tuple(refs), message=message)
        return Result(
            "finding", "undetermined", tuple(refs), message=message, reason=join(*reasons)
        )

    return triggers(authority_decisions(ctx), evaluate)


def _check_without_basis(rule_: Rule, ctx: Context) -> list[Trigger]:
    def evaluate(decision: Record) -> Result:
        if decision.basis:
            return MET
        who = decision.agency or decision.actor or _("agency not recorded")
        message = _(
            "Decision {type} {ref} ({who}, {time}) states no basis: the entries it relied on "
            "are not recorded."
        ).format(
            type=decision.spec.swedish if current() == "sv" else decision.type,
            ref=label(decision),
            who=who,
            time=decision.occurred.display(),
        )
        if ctx.coverage.covers(decision.occurred.earliest, decision.occurred.latest):
            return Result("finding", "warning", (decision.seq,), message=message)
        # The decision's own documentation was not examined: its stated grounds may exist.
        return Result(
            "finding",
            "no_record",
            (decision.seq,),
            message=message,
            reason=not_documented_reason(ctx),
        )

    return triggers(authority_decisions(ctx), evaluate)


OUTSTANDING = Rule(
    id="decision-with-outstanding-request",
    title_sv="Beslut medan nämndens begäran om uppgifter var obesvarad",
    title_en="Decision taken with the authority's information request unanswered",
    severity="warning",
    starts_at=N_("a decision of the authority (its committee or a delegate)"),
    triggers=decision_types(),
    satisfied_by=(),
    deadline=N_(
        "flags a decision of the authority taken while an InformationRequested by the "
        "authority had no answering InformationReceived known at that time"
    ),
    in_force_from=None,
    in_force_until=None,
    legal=(
        *sol(
            "11 kap. 1 a §",
            "the preliminary and protection assessments rest on sufficient information",
            "M",
        ),
        *sol("11 kap. 1 §", "the duty to investigate without delay", "M"),
    ),
    source=N_(
        "SoL 11:1 a / 11:1 duty to investigate sufficiently (M); IVO 2020-10-13 as illustration"
    ),
    confidence="M",
    check=_check_outstanding,
    illustrations=(IVO_LILLA_HJARTAT,),
)

WITHOUT_BASIS = Rule(
    id="decision-without-basis",
    title_sv="Beslut utan angivet underlag",
    title_en="Decision without a stated basis",
    severity="warning",
    starts_at=N_("a decision of the authority (its committee or a delegate)"),
    triggers=decision_types(),
    satisfied_by=(),
    deadline=N_("flags a decision of the authority with an empty basis"),
    in_force_from=None,
    in_force_until=None,
    legal=(SOSFS_2014_5,),
    source=N_("SOSFS 2014:5: decisions documented with their grounds (M)"),
    confidence="M",
    check=_check_without_basis,
)
