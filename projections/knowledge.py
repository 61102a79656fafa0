"""What was known at the time: the case as the social services could see it at a point T.

Knowledge is judged by the `known` clock alone. An entry is a *fact* at T when it had
certainly entered the records by T, *possibly known* when its imprecise clock straddles T,
and *held elsewhere* when it had certainly occurred by T but reached the social services only
later — hindsight, which a review must keep apart from what the decision-makers saw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from ledger.timeparse import (
    STOCKHOLM,
    Moment,
    known_state,
    occurred_state,
)
from projections.corrections import CORRECTION_TYPES, as_known
from projections.deadlines import Due, InvestigationDeadline, investigation_deadline
from projections.language import N_
from projections.ordering import chronological
from projections.records import Record

REQUEST = "InformationRequested"
REPLY = "InformationReceived"

Answered = Literal["no", "possibly"]
Knowledge = Literal["known", "possibly", "unknown"]
StateOf = Callable[[Record], Knowledge]


@dataclass(frozen=True, slots=True)
class PendingRequest:
    """An information request with no answer (certainly) in the records at that moment."""

    request: Record
    answered: Answered
    request_known: Literal["known", "possibly"] = "known"
    replies: tuple[Record, ...] = ()  # answers that may (not certainly) have arrived by then


@dataclass(frozen=True, slots=True)
class OpenReport:
    report: Record
    awaiting: tuple[str, ...]  # "protection assessment", "preliminary assessment"


@dataclass(frozen=True, slots=True)
class OpenInvestigation:
    investigation: Record
    extensions: tuple[Record, ...] = ()

    @property
    def deadline(self) -> InvestigationDeadline:
        """SoL 11:2 as `check` judges it: four months, or an extension decided in time."""
        return investigation_deadline(
            self.investigation.occurred,
            [(e.seq, e.occurred, e.fields.get("new_deadline")) for e in self.extensions],
        )

    @property
    def due(self) -> Due:
        return self.deadline.due


@dataclass(frozen=True, slots=True)
class CaseStatus:
    open_reports: tuple[OpenReport, ...] = ()
    open_investigations: tuple[OpenInvestigation, ...] = ()
    care_in_force: bool = False
    care_ordered_by: Record | None = None
    care_ended_by: Record | None = None
    placement: Record | None = None
    living: Record | None = None  # the last placement or move home: where the child lives
    removal_ban: Record | None = None
    follow_up: Record | None = None
    child_died: Record | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    at: Moment  # the point as the user gave it; the snapshot is taken at its end
    facts: list[Record]
    possibly_known: list[Record]
    held_elsewhere: list[Record]
    not_yet_known: list[Record]
    pending_requests: list[PendingRequest] = field(default_factory=list)
    status: CaseStatus = CaseStatus()


def snapshot(records: Iterable[Record], point: Moment) -> Snapshot:
    """The case at the end of `point` (`parse_point_moment`), every entry as it then read."""
    at = point.end
    facts, possibly, held, later = [], [], [], []
    for record in chronological(as_known(records, at)):
        state = known_state(record.known, at)
        if state == "known":
            facts.append(record)
        elif state == "possibly":
            possibly.append(record)
        else:
            later.append(record)
            if occurred_state(record.occurred, at) == "before":
                held.append(record)
    pending = pending_requests(facts + possibly, lambda r: known_state(r.known, at))
    return Snapshot(point, facts, possibly, held, later, pending, case_status(facts))


def pending_requests(
    visible: Sequence[Record],
    state_of: StateOf,
    everything: Sequence[Record] | None = None,
) -> list[PendingRequest]:
    """Requests among `visible` whose answers had not certainly arrived, by `state_of`.

    `state_of(record)` tells whether a record was "known", "possibly" known or "unknown" at
    the moment in question; replies are looked for in `everything` (default: `visible`).
    """
    pool = everything if everything is not None else visible
    replies: dict[int, list[Record]] = {}
    for record in pool:
        target = record.fields.get("in_reply_to") if record.type == REPLY else None
        if isinstance(target, int) and record.retracted_by is None:
            replies.setdefault(target, []).append(record)
    pending = []
    for request in visible:
        if request.type != REQUEST or request.retracted_by is not None:
            continue
        request_state = state_of(request)
        if request_state == "unknown":
            continue
        answers = replies.get(request.seq, [])
        states = [state_of(answer) for answer in answers]
        if "known" in states:
            continue
        # Only replies that may already have arrived are named: the existence of a later one
        # is hindsight, and a snapshot must not leak it.
        maybe = tuple(a for a, s in zip(answers, states, strict=True) if s == "possibly")
        pending.append(
            PendingRequest(
                request=request,
                answered="possibly" if maybe else "no",
                request_known="possibly" if request_state == "possibly" else "known",
                replies=maybe,
            )
        )
    return pending


def case_status(facts: Sequence[Record]) -> CaseStatus:
    """What the facts say the case's state is (facts in chronological order)."""
    live = [r for r in facts if r.retracted_by is None and r.type not in CORRECTION_TYPES]
    assessed: set[int] = set()
    preliminary: set[int] = set()
    for record in live:
        if record.type == "ProtectionAssessmentMade":
            assessed.add(record.fields.get("report"))  # type: ignore[arg-type]
        elif record.type in ("PreliminaryAssessmentDecided", "InvestigationOpened"):
            preliminary.update(record.refs("reports"))
    open_reports = []
    for record in live:
        if record.type != "ConcernReportReceived":
            continue
        awaiting = tuple(
            what
            for what, done in (
                (N_("protection assessment"), record.seq in assessed),
                (N_("preliminary assessment"), record.seq in preliminary),
            )
            if not done
        )
        if awaiting:
            open_reports.append(OpenReport(record, awaiting))

    investigations: list[OpenInvestigation] = []
    care_in_force = False
    care_ordered_by = care_ended_by = placement = living = ban = follow_up = died = None
    for record in live:
        kind, fields = record.type, record.fields
        if kind == "InvestigationOpened":
            investigations.append(OpenInvestigation(record))
        elif kind == "InvestigationExtended" and investigations:
            first = investigations[0]
            investigations[0] = OpenInvestigation(first.investigation, (*first.extensions, record))
        elif kind == "InvestigationClosed" and investigations:
            investigations.pop(0)
        elif kind == "CareOrdered":
            care_in_force, care_ordered_by, care_ended_by = True, record, None
        elif kind == "CareEnded":
            care_in_force, care_ended_by = False, record
        elif kind == "PlacementStarted":
            placement = living = record
        elif kind == "PlacementEnded" and placement and fields.get("placement") == placement.seq:
            placement = None
        elif kind == "ChildMovedHome":
            living, placement = record, None
        elif kind == "RemovalBanDecided":
            ban = record if fields.get("outcome") == "granted" else ban
        elif kind == "RemovalBanReviewed" and ban and fields.get("outcome") == "end":
            ban = None
        elif kind == "FollowUpStarted":
            follow_up = record
        elif kind == "FollowUpEnded":
            follow_up = None
        elif kind == "ChildDied":
            died = record
    return CaseStatus(
        open_reports=tuple(open_reports),
        open_investigations=tuple(investigations),
        care_in_force=care_in_force,
        care_ordered_by=care_ordered_by,
        care_ended_by=care_ended_by,
        placement=placement,
        living=living,
        removal_ban=ban,
        follow_up=follow_up,
        child_died=died,
    )


@dataclass(frozen=True, slots=True)
class Delay:
    """How many calendar days (Stockholm) after it occurred the social services learned of
    something: a range, because either clock may name a period ("2020-01" → "~2020-01-30"
    is 0–29 days, not 29)."""

    min_days: int
    max_days: int
    # The range rests on an estimate: a clock marked ~ (true times may lie a little outside
    # it) or a `known` that was not given but assumed from `occurred`.
    estimated: bool


def delay(record: Record) -> Delay:
    """The delay between `record`'s occurred and known clocks."""
    occurred_first, occurred_last = _days_of(record.occurred)
    known_first, known_last = _days_of(record.known)
    return Delay(
        min_days=max(0, (known_first - occurred_last).days),
        max_days=max(0, (known_last - occurred_first).days),
        estimated=record.known_assumed or record.known.approximate or record.occurred.approximate,
    )


def _days_of(moment: Moment) -> tuple[date, date]:
    """The first and the last Stockholm calendar day a clock's interval touches."""
    last = moment.end - timedelta(microseconds=1)
    return moment.start.astimezone(STOCKHOLM).date(), last.astimezone(STOCKHOLM).date()
