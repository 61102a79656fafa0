"""How findings speak: names of entries and of the acts a rule waits for, and why the clocks
cannot decide. One place for these words, so the Swedish wording can replace them later."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

from ledger.timeparse import STOCKHOLM, Moment, Precision, format_instant
from projections.records import Record

# Journal forms between a month and a day (a part of a month, a week, an interval of days)
# rank below a day: a deadline that needs the day cannot be judged on them.
PRECISION_RANK: dict[str, int] = {
    "year": 0,
    "season": 1,
    "month": 2,
    "part_of_month": 3,
    "week": 3,
    "interval": 3,
    "day": 4,
    "minute": 5,
    "second": 6,
}

NOUN: dict[str, str] = {
    "ConcernReportReceived": "report",
    "ProtectionAssessmentMade": "protection assessment",
    "PreliminaryAssessmentDecided": "preliminary assessment decision",
    "InvestigationOpened": "investigation",
    "InvestigationExtended": "extension",
    "InvestigationClosed": "closing of the investigation",
    "ImmediateCustodyOrdered": "immediate custody",
    "ImmediateCustodySubmitted": "submission to the court",
    "CareOrdered": "care order",
    "CareReviewed": "care review",
    "CareEnded": "end of care",
    "RemovalBanDecided": "removal ban",
    "RemovalBanReviewed": "removal-ban review",
    "RemovalBanConsidered": "consideration of a removal ban",
    "FollowUpStarted": "follow-up",
    "HomeTransitionPlanned": "planning of the move home",
    "ChildMovedHome": "move home",
    "PlanAdopted": "plan",
    "FosterCarerSupportProvided": "support to the foster carers",
    "ChildDied": "death of the child",
    "InformationRequested": "information request",
    "InformationReceived": "reply",
    "CareTerminationDecided": "decision on the request to end care",
    "CareApplicationFiled": "application for care",
    "ChildConversation": "conversation with the child",
    "LexSarahInvestigationClosed": "closing of the lex Sarah investigation",
    "LexSarahReportedToIVO": "lex Sarah report to IVO",
    "SupervisionDecision": "IVO decision",
    "MeasuresReported": "report of measures",
    "JudgementRecorded": "judgement",
    "HomeVisit": "home visit",
    "MeetingHeld": "meeting",
    "InvestigationNotified": "notice of the investigation",
    "ContactRestrictionDecided": "contact restriction",
    "ContactRestrictionReviewed": "consideration of the contact restriction",
    "PlacementStarted": "placement",
    "PlacementEnded": "end of the placement",
    "PlacementVisit": "visit to the placed child",
    "CustodyTransferConsidered": "consideration of a transfer of custody",
    "CustodyTransferDecided": "judgment on the transfer of custody",
    "MeasureDecided": "measure",
    "MeasureStatusChanged": "status change of the measure",
}


JUDGES: dict[str, str] = {
    "ivo": "IVO",
    "lex_sarah": "the lex Sarah investigation",
    "jo": "JO",
    "socialstyrelsen": "Socialstyrelsen",
    "court": "a court",
    "reviewer": "the reviewer",
    "other": "another body",
}


def judge_name(code: str) -> str:
    """Who judged, in words; the code stays in JSON."""
    return JUDGES.get(code, code)


def label(record: Record) -> str:
    return f"#{record.seq}" + (f" ({record.ref})" if record.ref else "")


def name(record: Record, capital: bool = False) -> str:
    """E.g. "report #16 (report-1)"; other types by their vocabulary name."""
    noun = NOUN.get(record.type, record.type)
    if capital:
        noun = noun[0].upper() + noun[1:]
    return f"{noun} {label(record)}"


def join(*parts: str | None) -> str | None:
    kept = [p for p in parts if p]
    return "; ".join(kept) if kept else None


def imprecision(parts: Sequence[tuple[Record, Moment, Precision]]) -> list[str]:
    """Which clocks are too coarse (or approximate) to decide, in words."""
    bits = []
    for record, moment, fine in parts:
        if moment.approximate:
            bits.append(f"{name(record)} is dated only approximately ({moment.text})")
        elif PRECISION_RANK[moment.precision] < PRECISION_RANK[fine]:
            what = (
                "has no time of day"
                if moment.precision == "day"
                else (f"is dated only to the {moment.precision.replace('_', ' ')}")
            )
            bits.append(f"{name(record)} {what} ({moment.text})")
    return bits


def unclear_reason(
    parts: Sequence[tuple[Record, Moment, Precision]], deadline_name: str, extra: str = ""
) -> str:
    bits = imprecision(parts)
    head = " and ".join(bits) if bits else "the clocks overlap the deadline"
    return f"{head}{extra}; {deadline_name} cannot be judged"


def instant_text(dt: datetime) -> str:
    """An exact instant for people: "the end of 2019-12-15" for a midnight, else the minute."""
    local = dt.astimezone(STOCKHOLM)
    if local.time() == time(0):
        return f"the end of {(local - timedelta(days=1)).date().isoformat()}"
    return format_instant(dt)[:16]


def point_text(point: Moment) -> str:
    """The point in time a view was asked about, as the user gave it: "the end of
    2019-12-31" for a day, "the end of 2019-12" for a month, an exact time as itself."""
    if point.precision in ("minute", "second"):
        return point.display()
    return f"the end of {point.display()}"
