"""Who decided what, on what basis, knowing what — and what existed elsewhere.

A decision's moment is its `occurred` clock. Another entry was known at the decision when
its `known` clock certainly precedes it, or when the decision itself names it (its basis
and reference fields: a decision cannot rest on what its maker had not seen). Where the
clocks overlap the entry is *possibly* known, and said so.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from ledger.timeparse import precedes
from ledger.vocabulary import NOT_DOCUMENTED, LegalReference
from projections.codes import code_words
from projections.corrections import CORRECTION_TYPES, as_known
from projections.knowledge import REPLY, REQUEST, Knowledge, PendingRequest, pending_requests
from projections.language import _
from projections.ordering import chronological
from projections.records import Authority, Record, case_authority

_PRECEDES_AS_KNOWLEDGE: dict[str, Knowledge] = {
    "yes": "known",
    "possibly": "possibly",
    "no": "unknown",
}


class _Index:
    """The case's clock bounds, computed once: which entries were known, possibly known or
    unknown at a decision is then two binary searches, not a comparison with every entry
    (a case of n entries with d decisions costs O((n + d) log n), plus what is listed)."""

    def __init__(self, live: Sequence[Record]) -> None:
        self.position = {r.seq: i for i, r in enumerate(live)}
        by_hi = sorted(live, key=lambda r: r.known.latest)
        by_lo = sorted(live, key=lambda r: r.known.earliest)
        self.hi_seqs = [r.seq for r in by_hi]
        self.hi_values = [r.known.latest for r in by_hi]
        self.lo_seqs = [r.seq for r in by_lo]
        self.lo_values = [r.known.earliest for r in by_lo]
        self.hi = {r.seq: r.known.latest for r in live}
        self.lo = {r.seq: r.known.earliest for r in live}
        # Only an entry known later than it occurred can be hindsight at some decision.
        self.late = [r for r in live if r.occurred.latest < r.known.earliest]

    def in_order(self, seqs: Iterable[int]) -> tuple[int, ...]:
        return tuple(sorted(seqs, key=self.position.__getitem__))


@dataclass(frozen=True)
class Decision:
    """One decision and what its maker knew; the lists are built when first read."""

    decision: Record
    outcome: str | None
    basis: tuple[int, ...]
    later: tuple[Record, ...]
    _index: _Index = field(repr=False, compare=False)
    _named: frozenset[int] = field(repr=False, compare=False)
    _requests: _Requests | None = field(repr=False, compare=False)  # None: not the authority's

    def state_of(self, record: Record) -> Knowledge:
        """Whether `record` was known, possibly known or unknown when this was decided."""
        moment = self.decision.occurred
        if record.seq in self._named or self._index.hi[record.seq] <= moment.earliest:
            return "known"
        return "unknown" if self._index.lo[record.seq] >= moment.latest else "possibly"

    @cached_property
    def pending_requests(self) -> tuple[PendingRequest, ...]:
        """The authority's requests unanswered at its own decision (rules.md Principle 1: a
        court or IVO decides without waiting for the social services' BVC request, so nothing
        is "outstanding" at their decisions)."""
        if self._requests is None:
            return ()
        asked = self._requests.open_at(self.decision)
        replies = self._requests.replies
        pool = [*asked, *(reply for r in asked for reply in replies.get(r.seq, ()))]
        visible = [r for r in asked if self.state_of(r) != "unknown"]
        return tuple(pending_requests(visible, self.state_of, pool))

    @cached_property
    def _cuts(self) -> tuple[int, int]:
        """How many entries were certainly known (by their clock) and how many possibly."""
        moment = self.decision.occurred
        return (
            bisect_right(self._index.hi_values, moment.earliest),
            bisect_left(self._index.lo_values, moment.latest),
        )

    @cached_property
    def known_at_decision(self) -> tuple[int, ...]:
        known, _ = self._cuts
        seqs = (set(self._index.hi_seqs[:known]) | self._named) - {self.decision.seq}
        return self._index.in_order(seqs)

    @cached_property
    def possibly_known_at_decision(self) -> tuple[int, ...]:
        known, possibly = self._cuts
        seqs = set(self._index.lo_seqs[:possibly]).difference(
            self._index.hi_seqs[:known], self._named, (self.decision.seq,)
        )
        return self._index.in_order(seqs)

    @cached_property
    def hindsight(self) -> tuple[Record, ...]:
        """Facts that had occurred before the decision but became known only after it."""
        moment = self.decision.occurred
        return tuple(
            r
            for r in self._index.late
            if r.occurred.latest <= moment.earliest
            and r.known.earliest >= moment.latest
            and r.seq not in self._named
            and r.seq != self.decision.seq
        )

    @property
    def legal(self) -> tuple[LegalReference, ...]:
        return self.decision.spec.legal

    @property
    def delegated(self) -> bool:
        return self.decision.on_behalf_of is not None


def outcome_of(record: Record, *, human: bool = False) -> str | None:
    """The decision's result: its `outcome`, or what its type-specific field says. As codes
    for JSON ("grounds lvu_2"); with `human`, in the reader's words ("skäl: LVU 2 § …"), the
    one computation behind `codes.outcome_words`."""
    fields = record.fields
    if "outcome" in fields:
        return code_words("outcome", fields["outcome"]) if human else str(fields["outcome"])
    if "immediate_protection_needed" in fields:
        needed = fields["immediate_protection_needed"]
        if needed == NOT_DOCUMENTED:  # never read as a need (the string is truthy)
            return _("need of immediate protection not documented") if human else NOT_DOCUMENTED
        if not human:
            return "immediate protection needed" if needed else "no immediate protection needed"
        return _("immediate protection needed") if needed else _("no immediate protection needed")
    if record.type == "PlacementStarted":
        setting, form = fields.get("setting"), fields.get("legal_form")
        if human:
            return f"{code_words('setting', setting)} {code_words('legal_form', form)}"
        return f"{setting} ({form})"
    if record.type == "HomeTransitionPlanned":
        who = fields.get("led_by")
        return _("led by {who}").format(who=code_words("led_by", who)) if human else f"led by {who}"
    if record.type in ("CareApplicationFiled", "CareOrdered"):
        grounds = fields.get("grounds")
        if human:
            return _("grounds: {grounds}").format(grounds=code_words("grounds", grounds))
        return f"grounds {grounds}"
    return None


def knowledge_at(decision: Record, other: Record) -> Knowledge:
    """Whether `other` was in the records when `decision` was taken."""
    return knowledge_map(decision, [other])[other.seq]


def knowledge_map(
    decision: Record, others: Iterable[Record], named: Collection[int] | None = None
) -> dict[int, Knowledge]:
    """`knowledge_at(decision, other)` for each of `others`, by seq: the decision's own
    references are read once, not once per other entry (`named`: as already read)."""
    if named is None:
        named = decision.references()
    return {
        other.seq: "known"
        if other.seq in named
        else _PRECEDES_AS_KNOWLEDGE[precedes(other.known, decision.occurred)]
        for other in others
    }


class _Requests:
    """The authority's information requests, ordered by when an answer was certainly in the
    records, so a decision looks only at those not yet certainly answered."""

    def __init__(self, live: Sequence[Record], authority: Authority, index: _Index) -> None:
        self.replies: dict[int, list[Record]] = {}
        for record in live:
            target = record.fields.get("in_reply_to") if record.type == REPLY else None
            if isinstance(target, int) and record.retracted_by is None:
                self.replies.setdefault(target, []).append(record)
        never = datetime.max.replace(tzinfo=UTC)
        asked = [
            r for r in live if r.type == REQUEST and r.retracted_by is None and authority.acts(r)
        ]
        answered = {
            r.seq: min((index.hi[a.seq] for a in self.replies.get(r.seq, ())), default=never)
            for r in asked
        }
        self.by_answer = sorted(asked, key=lambda r: answered[r.seq])
        self.answered = [answered[r.seq] for r in self.by_answer]
        self.index = index

    def open_at(self, decision: Record) -> list[Record]:
        """Requests possibly in the records at the decision and not certainly answered by
        then (a reply the decision names also answers; `pending_requests` sees to that)."""
        start = bisect_right(self.answered, decision.occurred.earliest)
        latest = decision.occurred.latest
        found = [
            r
            for r in self.by_answer[start:]
            if self.index.lo[r.seq] < latest and r.seq != decision.seq
        ]
        return sorted(found, key=lambda r: self.index.position[r.seq])  # the case's order


def decisions(records: Iterable[Record]) -> list[Decision]:
    """Every decision of the case (vocabulary flag), in chronological order: courts' and
    IVO's too, with what the authority knew; requests pending only at the authority's own."""
    current = chronological(as_known(records))
    live = [r for r in current if r.type not in CORRECTION_TYPES]
    index = _Index(live)
    referrers: dict[int, list[Record]] = {}
    for record in current:
        for seq in record.references():
            referrers.setdefault(seq, []).append(record)
    authority = case_authority(current)
    requests = _Requests(live, authority, index)
    views = []
    for decision in live:
        if not decision.is_decision:
            continue
        named = frozenset(decision.references()) & index.position.keys()
        later = [
            r
            for r in referrers.get(decision.seq, ())
            if r.seq != decision.seq and precedes(r.occurred, decision.occurred) != "yes"
        ]
        views.append(
            Decision(
                decision=decision,
                outcome=outcome_of(decision),
                basis=decision.basis,
                later=tuple(later),
                _index=index,
                _named=named,
                _requests=requests if authority.acts(decision) else None,
            )
        )
    return views
