"""Who decided what, on what basis, knowing what — and what existed elsewhere.

A decision's moment is its `occurred` clock. Another entry was known at the decision when
its `known` clock certainly precedes it, or when the decision itself names it (its basis
and reference fields: a decision cannot rest on what its maker had not seen). Where the
clocks overlap the entry is *possibly* known, and said so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ledger.timeparse import precedes
from ledger.vocabulary import NOT_DOCUMENTED, LegalReference
from projections.code_words import code_word
from projections.corrections import CORRECTION_TYPES, as_known
from projections.knowledge import Knowledge, PendingRequest, pending_requests
from projections.language import N_, _
from projections.ordering import chronological
from projections.records import Record, case_authority

_PRECEDES_AS_KNOWLEDGE: dict[str, Knowledge] = {
    "yes": "known",
    "possibly": "possibly",
    "no": "unknown",
}


@dataclass(frozen=True, slots=True)
class Decision:
    decision: Record
    outcome: str | None
    basis: tuple[int, ...]
    known_at_decision: tuple[int, ...]
    possibly_known_at_decision: tuple[int, ...]
    pending_requests: tuple[PendingRequest, ...]
    hindsight: tuple[Record, ...]
    later: tuple[Record, ...]

    @property
    def legal(self) -> tuple[LegalReference, ...]:
        return self.decision.spec.legal

    @property
    def delegated(self) -> bool:
        return self.decision.on_behalf_of is not None


def outcome_of(record: Record, *, human: bool = False) -> str | None:
    """The decision's result: its `outcome`, or what its type-specific field says. As codes
    for JSON ("grounds lvu_2"); with `human`, in the reader's words ("grunder: LVU 2 §")."""
    fields = record.fields

    def word(field: str) -> str:
        value = fields.get(field)
        return code_word(field, value) if human else str(value)

    def phrase(english: str) -> str:
        return _(english) if human else english

    if "outcome" in fields:
        return word("outcome")
    if "immediate_protection_needed" in fields:
        needed = fields["immediate_protection_needed"]
        if needed == NOT_DOCUMENTED:
            return code_word("", needed) if human else str(needed)
        if needed:
            return phrase(N_("immediate protection needed"))
        return phrase(N_("no immediate protection needed"))
    if record.type == "PlacementStarted":
        return f"{word('setting')} ({word('legal_form')})"
    if record.type == "HomeTransitionPlanned":
        return phrase(N_("led by {who}")).format(who=word("led_by"))
    if record.type == "CareApplicationFiled" or record.type == "CareOrdered":
        return phrase(N_("grounds {grounds}")).format(grounds=word("grounds"))
    return None


def knowledge_at(decision: Record, other: Record) -> Knowledge:
    """Whether `other` was in the records when `decision` was taken."""
    return knowledge_map(decision, [other])[other.seq]


def knowledge_map(decision: Record, others: Iterable[Record]) -> dict[int, Knowledge]:
    """`knowledge_at(decision, other)` for each of `others`, by seq: the decision's own
    references are read once, not once per other entry."""
    named = decision.references()
    return {
        other.seq: "known"
        if other.seq in named
        else _PRECEDES_AS_KNOWLEDGE[precedes(other.known, decision.occurred)]
        for other in others
    }


def decisions(records: Iterable[Record]) -> list[Decision]:
    """Every decision of the case (vocabulary flag), in chronological order: courts' and
    IVO's too, with what the authority knew; requests pending only at the authority's own."""
    current = chronological(as_known(records))
    live = [r for r in current if r.type not in CORRECTION_TYPES]
    references = {r.seq: r.references() for r in current}
    authority = case_authority(current)
    views = []
    for decision in live:
        if not decision.is_decision:
            continue
        others = [r for r in live if r.seq != decision.seq]
        states = knowledge_map(decision, others)
        known, possibly, hindsight = [], [], []
        for other in others:
            state = states[other.seq]
            if state == "known":
                known.append(other.seq)
            elif state == "possibly":
                possibly.append(other.seq)
            elif precedes(other.occurred, decision.occurred) == "yes":
                hindsight.append(other)
        # rules.md Principle 1: the authority's requests are pending only at its own
        # decisions; a court or IVO decides without waiting for the social services' BVC
        # request, so nothing is "outstanding" at their decisions.
        pending = (
            pending_requests(
                [r for r in others if states[r.seq] != "unknown" and authority.acts(r)],
                lambda r, states=states: states[r.seq],
                others,
            )
            if authority.acts(decision)
            else []
        )
        views.append(
            Decision(
                decision=decision,
                outcome=outcome_of(decision),
                basis=decision.basis,
                known_at_decision=tuple(known),
                possibly_known_at_decision=tuple(possibly),
                pending_requests=tuple(pending),
                hindsight=tuple(hindsight),
                later=tuple(later_entries(decision, current, references)),
            )
        )
    return views


def later_entries(
    decision: Record, records: Sequence[Record], references: Mapping[int, set[int]]
) -> list[Record]:
    """What came of a decision: appeals, overturning rulings, corrections, criticism of it.
    `references` holds each record's `references()`, by seq."""
    return [
        r
        for r in records
        if r.seq != decision.seq
        and decision.seq in references[r.seq]
        and precedes(r.occurred, decision.occurred) != "yes"
    ]
