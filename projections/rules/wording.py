"""How findings speak: names of entries and of the acts a rule waits for, and why the clocks
cannot decide, in the reader's language (the words are in the catalog)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

from ledger.timeparse import STOCKHOLM, Moment, Precision, format_instant
from projections.codes import code_words
from projections.language import N_, _
from projections.phrases import point_phrase
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
    "ConcernReportReceived": N_("report"),
    "ProtectionAssessmentMade": N_("protection assessment"),
    "PreliminaryAssessmentDecided": N_("preliminary assessment decision"),
    "InvestigationOpened": N_("investigation"),
    "InvestigationExtended": N_("extension"),
    "InvestigationClosed": N_("closing of the investigation"),
    "ImmediateCustodyOrdered": N_("immediate custody"),
    "ImmediateCustodySubmitted": N_("submission to the court"),
    "CareOrdered": N_("care order"),
    "CareReviewed": N_("care review"),
    "CareEnded": N_("end of care"),
    "RemovalBanDecided": N_("removal ban"),
    "RemovalBanReviewed": N_("removal-ban review"),
    "RemovalBanConsidered": N_("consideration of a removal ban"),
    "FollowUpStarted": N_("follow-up"),
    "HomeTransitionPlanned": N_("planning of the move home"),
    "ChildMovedHome": N_("move home"),
    "PlanAdopted": N_("plan"),
    "FosterCarerSupportProvided": N_("support to the foster carers"),
    "ChildDied": N_("death of the child"),
    "InformationRequested": N_("information request"),
    "InformationReceived": N_("reply"),
    "CareTerminationDecided": N_("decision on the request to end care"),
    "CareApplicationFiled": N_("application for care"),
    "ChildConversation": N_("conversation with the child"),
    "LexSarahInvestigationClosed": N_("closing of the lex Sarah investigation"),
    "LexSarahReportedToIVO": N_("lex Sarah report to IVO"),
    "SupervisionDecision": N_("IVO decision"),
    "MeasuresReported": N_("report of measures"),
    "JudgementRecorded": N_("judgement"),
    "HomeVisit": N_("home visit"),
    "MeetingHeld": N_("meeting"),
    "InvestigationNotified": N_("notice of the investigation"),
    "ContactRestrictionDecided": N_("contact restriction"),
    "ContactRestrictionReviewed": N_("consideration of the contact restriction"),
    "PlacementStarted": N_("placement"),
    "PlacementEnded": N_("end of the placement"),
    "PlacementVisit": N_("visit to the placed child"),
    "CustodyTransferConsidered": N_("consideration of a transfer of custody"),
    "CustodyTransferDecided": N_("judgment on the transfer of custody"),
    "MeasureDecided": N_("measure"),
    "MeasureStatusChanged": N_("status change of the measure"),
}


def judge_name(code: str) -> str:
    """Who judged, in words; the code stays in JSON."""
    return code_words("judge", code)


def label(record: Record) -> str:
    return f"#{record.seq}" + (f" ({record.ref})" if record.ref else "")


def name(record: Record, capital: bool = False) -> str:
    """E.g. "report #16 (report-1)"; other types by their vocabulary name."""
    noun = _(NOUN[record.type]) if record.type in NOUN else record.type
    if capital:
        noun = noun[0].upper() + noun[1:]
    return f"{noun} {label(record)}"


def join(*parts: str | None) -> str | None:
    kept = [p for p in parts if p]
    return "; ".join(kept) if kept else None


# Why a clock is too coarse, by its precision.
_COARSE = {
    "year": N_("{name} is dated only to the year ({time})"),
    "season": N_("{name} is dated only to the season ({time})"),
    "month": N_("{name} is dated only to the month ({time})"),
    "part_of_month": N_("{name} is dated only to part of a month ({time})"),
    "week": N_("{name} is dated only to the week ({time})"),
    "interval": N_("{name} is dated only to an interval of days ({time})"),
    "day": N_("{name} has no time of day ({time})"),
    "minute": N_("{name} is dated only to the minute ({time})"),
}


def imprecision(parts: Sequence[tuple[Record, Moment, Precision]]) -> list[str]:
    """Which clocks are too coarse (or approximate) to decide, in words."""
    bits = []
    for record, moment, fine in parts:
        if moment.approximate:
            template = _("{name} is dated only approximately ({time})")
        elif PRECISION_RANK[moment.precision] >= PRECISION_RANK[fine]:
            continue
        else:
            template = _(_COARSE.get(moment.precision, _COARSE["year"]))
        bits.append(template.format(name=name(record), time=moment.text))
    return bits


def unclear_reason(
    parts: Sequence[tuple[Record, Moment, Precision]], deadline_name: str, extra: str = ""
) -> str:
    bits = imprecision(parts)
    head = _(" and ").join(bits) if bits else _("the clocks overlap the deadline")
    return _("{why}{extra}; {deadline} cannot be judged").format(
        why=head, extra=extra, deadline=deadline_name
    )


def instant_text(dt: datetime) -> str:
    """An exact instant for people: "the end of 2019-12-15" for a midnight, else the minute."""
    local = dt.astimezone(STOCKHOLM)
    if local.time() == time(0):
        day = (local - timedelta(days=1)).date().isoformat()
        return _("the end of {point}").format(point=day)
    return format_instant(dt)[:16]


def point_text(point: Moment) -> str:
    """The point in time a view was asked about, as the user gave it (one wording for every
    view: `phrases.point_phrase`)."""
    return point_phrase(point)
