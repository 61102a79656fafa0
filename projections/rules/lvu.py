"""Rules on compulsory care (LVU): immediate custody submitted within a week and followed by an
application within four weeks, care considered every six months, a removal ban reviewed every
three months, and the 2022 duties when care ends (removal ban considered, follow-up)."""

from __future__ import annotations

from datetime import datetime

from ledger.legal import LegalReference
from ledger.timeparse import Moment, TimeParseError, add_months, parse_moment, precedes
from projections.deadlines import days_after, months_after, window
from projections.language import N_, _, ngettext
from projections.records import Record
from projections.rules.judging import (
    MET,
    Context,
    Deadline,
    End,
    Result,
    Trigger,
    documented,
    judge,
    met_in_time,
    possibly_known,
    triggers,
)
from projections.rules.law import LEX_LILLA_HJARTAT_FROM, LVU, lvu
from projections.rules.model import Rule, type_name
from projections.rules.wording import join, name

_CUSTODY = type_name("ImmediateCustodyOrdered")
_SUBMITTED = type_name("ImmediateCustodySubmitted")
_CUSTODY_REVIEWED = type_name("ImmediateCustodyReviewed")
_APPLIED = type_name("CareApplicationFiled")
_ORDERED = type_name("CareOrdered")
_REVIEWED = type_name("CareReviewed")
_ENDED = type_name("CareEnded")
_TERMINATION = type_name("CareTerminationDecided")
_BAN = type_name("RemovalBanDecided")
_BAN_REVIEWED = type_name("RemovalBanReviewed")
_BAN_CONSIDERED = type_name("RemovalBanConsidered")
_PLACED = type_name("PlacementStarted")
_PLACEMENT_ENDED = type_name("PlacementEnded")
_FOLLOW_UP = type_name("FollowUpStarted")
_OPENED_CASE = type_name("CaseOpened")
# The placements 13 b § covers: a familjehem or another private home (jourhem), not HVB/SiS.
_PRIVATE_HOMES = ("familjehem", "jourhem")


def _check_custody(rule_: Rule, ctx: Context) -> list[Trigger]:
    submitted = ctx.of(_SUBMITTED)
    maybe = ctx.maybe_of(_SUBMITTED)

    def evaluate(custody: Record) -> Result:
        d = Deadline(
            trigger=custody,
            time=custody.occurred,
            due=window(custody.occurred, days_after(7)),
            opening=_("{name} ordered {time}").format(
                name=name(custody, True), time=custody.occurred.display()
            ),
            wanted=_("submission to the administrative court"),
            due_words=_("within one week"),
            deadline_name=_("the one-week deadline"),
            status=rule_.severity,
            ends=ctx.deaths(),
        )
        mine = [s for s in submitted if s.fields.get("custody") == custody.seq]
        doubtful = [s for s in maybe if s.fields.get("custody") == custody.seq]
        return judge(d, ctx, mine, doubtful=possibly_known(ctx, doubtful))

    return triggers(ctx.of(_CUSTODY), evaluate)


def _check_care_application(rule_: Rule, ctx: Context) -> list[Trigger]:
    applications = ctx.of(_APPLIED)

    def evaluate(custody: Record) -> Result:
        # A custody order the court lifted needs no application: it has ended.
        lifted = [
            End(r, _("the court lifted the custody order"))
            for r in ctx.of(_CUSTODY_REVIEWED)
            if r.fields.get("custody") == custody.seq and r.fields.get("outcome") == "lifted"
        ]
        d = Deadline(
            trigger=custody,
            time=custody.occurred,
            due=window(custody.occurred, days_after(28)),
            opening=_("{name} ordered {time}").format(
                name=name(custody, True), time=custody.occurred.display()
            ),
            wanted=_("application for care under LVU"),
            due_words=_("within four weeks"),
            deadline_name=_("the four-week deadline"),
            status=rule_.severity,
            ends=[*lifted, *ctx.deaths()],
        )
        mine = [a for a in applications if precedes(a.occurred, custody.occurred) != "yes"]
        result = judge(d, ctx, mine)
        if result.status == rule_.severity and result.met is not None:
            # The statute counts from the day the custody was carried out, which may be after
            # the order: an application late by the order may still be in time.
            return Result(
                "finding",
                "undetermined",
                result.refs,
                result.due,
                result.met,
                result.message,
                _(
                    "the four weeks run from the day the custody was carried out, which the "
                    "records do not hold; counted here from the order"
                ),
            )
        return result

    return triggers(ctx.of(_CUSTODY), evaluate)


def _periodic(
    rule_: Rule,
    ctx: Context,
    chain: list[Record],
    end: End | None,
    months: int,
    wanted: str,
    every: str,
) -> list[Trigger]:
    """Triggers of a periodic review: each link is due `months` after the one before."""
    found = []
    for index, link in enumerate(chain):
        if index and link.fields.get("outcome") == "end":
            continue  # the review that ended it starts nothing
        following = chain[index + 1] if index + 1 < len(chain) else None
        ends = ([end] if end is not None else []) + ctx.deaths()
        what = _("{name} ordered {time}") if index == 0 else _("{name} held {time}")

        def evaluate(
            link: Record = link,
            following: Record | None = following,
            ends: list[End] = ends,
            what: str = what,
        ) -> Result:
            due = window(link.occurred, months_after(months))
            if following is not None and met_in_time(due, [following]):
                return MET
            d = Deadline(
                trigger=link,
                time=link.occurred,
                due=due,
                opening=what.format(name=name(link, True), time=link.occurred.display()),
                wanted=wanted,
                due_words=every,
                deadline_name=_("the {months}-month deadline").format(months=months),
                status=rule_.severity,
                ends=ends,
                any_act=True,
            )
            return judge(d, ctx, [following] if following else [])

        found.append(Trigger(link, link.occurred, evaluate))
    return found


def _check_care_review(rule_: Rule, ctx: Context) -> list[Trigger]:
    # LVU 13 §: care under 2 § is considered, care under 3 § tried, at least every six months
    # while it lasts. A 21 § decision on a request to end care is not such a consideration.
    found: list[Trigger] = []
    for index, ordered in enumerate(ctx.live):
        if ordered.type != _ORDERED or ordered.fields.get("grounds") not in ("lvu_2", "lvu_3"):
            continue
        chain, end = [ordered], None
        for record in ctx.live[index + 1 :]:
            if record.type == _ORDERED:
                break
            if record.type == _ENDED:
                end = End(record, _("care ended"))
                break
            if record.type == _REVIEWED:
                chain.append(record)
                if record.fields.get("outcome") == "end":
                    break
        found += _periodic(rule_, ctx, chain, end, 6, _("next care review"), _("within six months"))
    return found


def _check_ban_review(rule_: Rule, ctx: Context) -> list[Trigger]:
    found: list[Trigger] = []
    for ban in ctx.of(_BAN):
        if ban.fields.get("outcome") != "granted":
            continue
        chain = [ban]
        for record in ctx.of(_BAN_REVIEWED):
            if record.fields.get("ban") != ban.seq:
                continue
            chain.append(record)
            if record.fields.get("outcome") == "end":
                break
        found += _periodic(
            rule_,
            ctx,
            chain,
            None,
            3,
            _("next review of the removal ban"),
            _("within three months"),
        )
    return found


def _placement_at(ctx: Context, decision: Record) -> Record | None:
    """The placement in force when `decision` was taken, in the case's order."""
    current = None
    for record in ctx.live:
        if record.seq == decision.seq:
            break
        if record.type == _PLACED:
            current = record
        elif (
            record.type == _PLACEMENT_ENDED
            and current is not None
            and (record.fields.get("placement") == current.seq)
        ):
            current = None
    return current


def _committee_ends_care(ctx: Context, record: Record) -> bool:
    """The committee's own decision that care shall end (LVU 21 §), not a court's."""
    if not ctx.authority.acts(record):
        return False
    if record.type == _TERMINATION:
        return True  # 13 b §: whenever it tries whether care shall end, whatever the outcome
    if record.type == _ENDED:
        return not documented(record.fields.get("decided_by_court"))
    return False


def _check_ban_considered(rule_: Rule, ctx: Context) -> list[Trigger]:
    considered = ctx.of(_BAN_CONSIDERED)
    maybe = ctx.maybe_of(_BAN_CONSIDERED)

    def evaluate(decision: Record) -> Result:
        placement = _placement_at(ctx, decision)
        setting = placement.fields.get("setting") if placement is not None else None
        if documented(setting) and setting not in _PRIVATE_HOMES:
            return Result("met")  # 13 b § concerns a child placed in a private home
        ordered = [r for r in ctx.of(_ORDERED) if precedes(r.occurred, decision.occurred) == "yes"]
        since = ordered[-1] if ordered else None

        def relevant(r: Record) -> bool:
            return since is None or precedes(r.occurred, since.occurred) != "yes"

        d = Deadline(
            trigger=decision,
            time=decision.occurred,
            due=window(decision.occurred, days_after(0)),
            opening=f"{name(decision, True)} {decision.occurred.display()}",
            wanted=_("consideration of a removal ban"),
            due_words=_("at or before the decision that care ends"),
            deadline_name=_("the deadline (the decision that care ends)"),
            status=rule_.severity,
        )
        result = judge(
            d,
            ctx,
            [r for r in considered if relevant(r)],
            doubtful=possibly_known(ctx, [r for r in maybe if relevant(r)]),
        )
        if not documented(setting) and result.status in ("breach", "no_record"):
            return Result(
                "finding",
                "undetermined",
                result.refs,
                result.due,
                result.met,
                result.message,
                join(
                    _(
                        "the placement at the time is not recorded; the duty concerns a child "
                        "placed in a familjehem"
                    ),
                    result.reason,
                ),
            )
        return result

    return triggers([r for r in ctx.live if _committee_ends_care(ctx, r)], evaluate)


def _birth(ctx: Context) -> Moment | None:
    for record in ctx.of(_OPENED_CASE):
        born = record.fields.get("born")
        if isinstance(born, str) and documented(born):
            try:
                return parse_moment(born)
            except TimeParseError:
                return None
    return None


def _age_18(born: Moment) -> tuple[datetime, datetime]:
    """The earliest and latest instant of the child's 18th birthday."""
    return add_months(born.earliest, 12 * 18), add_months(born.latest, 12 * 18)


def _check_followup(rule_: Rule, ctx: Context) -> list[Trigger]:
    local_months = ctx.policy.followup_start_months
    born = _birth(ctx)

    def evaluate(care_end: Record) -> Result:
        started = [r for r in ctx.of(_FOLLOW_UP) if r.fields.get("after") == care_end.seq]
        maybe = [r for r in ctx.maybe_of(_FOLLOW_UP) if r.fields.get("after") == care_end.seq]
        opening = f"{name(care_end, True)} {care_end.occurred.display()}"
        statutory = Deadline(
            trigger=care_end,
            time=care_end.occurred,
            due=window(care_end.occurred, months_after(6)),
            opening=opening,
            wanted=_("follow-up after the care"),
            due_words=_("within the six months the statute allows for the follow-up"),
            deadline_name=_("the follow-up period"),
            status=rule_.severity,
            ends=ctx.deaths(),
        )
        result = judge(statutory, ctx, started, doubtful=possibly_known(ctx, maybe))
        if result.kind == "met":
            # Started within the statutory period: a late start by local policy is a warning.
            local = Deadline(
                trigger=care_end,
                time=care_end.occurred,
                due=window(care_end.occurred, months_after(local_months)),
                opening=opening,
                wanted=_("follow-up after the care"),
                due_words=ngettext(
                    "within {n} month (local policy)",
                    "within {n} months (local policy)",
                    local_months,
                ).format(n=local_months),
                deadline_name=_("the local start threshold"),
                status="warning",
                ends=ctx.deaths(),
            )
            late = judge(local, ctx, started)
            if late.kind == "finding" and late.status == "warning":
                return Result(
                    "finding",
                    "warning",
                    late.refs,
                    late.due,
                    late.met,
                    late.message,
                    policy="local",
                )
            return Result("met")
        if born is None and result.status in ("breach", "no_record"):
            return Result(
                "finding",
                "undetermined",
                result.refs,
                result.due,
                result.met,
                result.message,
                join(
                    _(
                        "the child's birth is not recorded; the duty covers only a child under "
                        "18 when care ends"
                    ),
                    result.reason,
                ),
            )
        return result

    def under_18(care_end: Record) -> bool:
        if born is None:
            return True  # unknown age: judged, but never as a breach (above)
        earliest_18, _latest_18 = _age_18(born)
        return care_end.occurred.earliest < earliest_18

    return triggers([r for r in ctx.of(_ENDED) if under_18(r)], evaluate)


CUSTODY_SUBMITTED = Rule(
    id="immediate-custody-submitted-1-week",
    title_sv="Omedelbart omhändertagande underställt inom en vecka",
    title_en="Immediate custody submitted to the court within one week",
    severity="breach",
    starts_at="ImmediateCustodyOrdered",
    triggers=(_CUSTODY,),
    satisfied_by=(_SUBMITTED,),
    deadline=N_("1 week"),
    in_force_from=None,
    in_force_until=None,
    legal=(
        lvu(
            "7 §",
            'submitted to the administrative court "inom en vecka från den dag då beslutet '
            'fattades"; otherwise the custody lapses',
        ),
    ),
    source=N_("LVU 7 § (H)"),
    confidence="H",
    check=_check_custody,
)

CARE_APPLICATION = Rule(
    id="care-application-4-weeks",
    title_sv="Ansökan om vård inom fyra veckor efter omedelbart omhändertagande",
    title_en="Application for care within four weeks of immediate custody",
    severity="breach",
    starts_at=N_("ImmediateCustodyOrdered (not lifted by the court)"),
    triggers=(_CUSTODY,),
    satisfied_by=(_APPLIED,),
    deadline=N_(
        "4 weeks from the day the custody was carried out; the records hold no execution "
        "date, so it is counted from the order and a late application is undetermined"
    ),
    in_force_from=None,
    in_force_until=None,
    legal=(
        lvu(
            "8 §",
            "once the court upholds the custody, an application for care within four weeks "
            "from the day the custody was carried out (in force from 2019-09-01)",
        ),
        lvu("9 §", "the custody lapses without the application"),
    ),
    source=N_("LVU 8 § and 9 § (H)"),
    confidence="H",
    check=_check_care_application,
)

CARE_REVIEW = Rule(
    id="care-review-6-months",
    title_sv="Övervägande eller prövning av vården var sjätte månad",
    title_en="Care considered (2 §) or tried (3 §) every six months",
    severity="breach",
    starts_at=N_("CareOrdered (grounds lvu_2 or lvu_3), and every CareReviewed after it"),
    triggers=(_ORDERED, _REVIEWED),
    satisfied_by=(_REVIEWED,),
    deadline=N_(
        "6 months, while care lasts (until CareEnded); a 21 § decision on a request to "
        "end care (CareTerminationDecided) is not a consideration"
    ),
    in_force_from=None,
    in_force_until=None,
    legal=(
        lvu(
            "13 §",
            '2 § care considered "minst en gång var sjätte månad"; 3 § care tried within six '
            "months of its being carried out, then every six months",
        ),
    ),
    source=N_("LVU 13 § first and second para (H)"),
    confidence="H",
    check=_check_care_review,
)

BAN_REVIEW = Rule(
    id="removal-ban-review-3-months",
    title_sv="Övervägande av flyttningsförbud var tredje månad",
    title_en="Removal ban reviewed every three months",
    severity="breach",
    starts_at=N_("RemovalBanDecided granted, and every RemovalBanReviewed after it"),
    triggers=(_BAN, _BAN_REVIEWED),
    satisfied_by=(_BAN_REVIEWED,),
    deadline=N_("3 months from the court's decision on the ban, while it lasts"),
    in_force_from=None,
    in_force_until=None,
    legal=(lvu("26 §", 'a removal ban considered "minst en gång var tredje månad"'),),
    source=N_("LVU 26 § (H; JO on the start)"),
    confidence="H",
    check=_check_ban_review,
)

BAN_CONSIDERED = Rule(
    id="removal-ban-considered-at-care-end",
    title_sv="Flyttningsförbud övervägt när nämnden beslutar att vården ska upphöra",
    title_en="Removal ban considered when the committee decides care ends",
    severity="breach",
    starts_at=N_(
        "the committee's trial whether LVU care shall end (CareTerminationDecided, or "
        "CareEnded by the committee), for a child placed in a familjehem or jourhem"
    ),
    triggers=(_TERMINATION, _ENDED),
    satisfied_by=(_BAN_CONSIDERED,),
    deadline=N_("at or before the decision; a court that ends care is not judged"),
    in_force_from=LEX_LILLA_HJARTAT_FROM,
    in_force_until=None,
    legal=(
        lvu(
            "13 b §",
            "when the committee tries whether care shall end for a child under 18 placed in a "
            "familjehem or other private home, it also considers applying for a removal ban "
            "(SFS 2022:664)",
            "H",
            LEX_LILLA_HJARTAT_FROM,
        ),
    ),
    source=N_("LVU 13 b § as amended by SFS 2022:664 (H)"),
    confidence="H",
    check=_check_ban_considered,
)

FOLLOW_UP = Rule(
    id="followup-after-care",
    title_sv="Uppföljning efter avslutad vård",
    title_en="Follow-up after LVU care",
    severity="breach",
    starts_at=N_("CareEnded for a child under 18 when care ends"),
    triggers=(_ENDED,),
    satisfied_by=(_FOLLOW_UP,),
    deadline=N_(
        "breach when no follow-up starts within the six months the statute allows for "
        "it; a start later than the local threshold (1 month) is a warning (local policy)"
    ),
    in_force_from=LEX_LILLA_HJARTAT_FROM,
    in_force_until=None,
    legal=(
        lvu(
            "21 b §",
            "when care ends under 21 §, the committee follows up the situation of one under 18 "
            "(SFS 2022:664)",
            "H",
            LEX_LILLA_HJARTAT_FROM,
        ),
        lvu(
            "21 c §",
            "a follow-up ends at the latest six months after it began",
            "H",
            LEX_LILLA_HJARTAT_FROM,
        ),
    ),
    source=N_("LVU 21 b § and 21 c § as amended by SFS 2022:664 (H)"),
    confidence="H",
    check=_check_followup,
    local_policy=("followup_start_months",),
)


# --- LVU 14 §: a contact restriction or secret whereabouts reconsidered every three months -----

_RESTRICTION = type_name("ContactRestrictionDecided")
_RESTRICTION_REVIEWED = type_name("ContactRestrictionReviewed")


def _check_restriction_review(rule_: Rule, ctx: Context) -> list[Trigger]:
    found: list[Trigger] = []
    for decision in ctx.of(_RESTRICTION):
        if not ctx.authority.acts(decision):
            continue
        chain = [decision]
        for record in ctx.of(_RESTRICTION_REVIEWED):
            if record.fields.get("restriction") != decision.seq:
                continue
            chain.append(record)
            if record.fields.get("outcome") == "end":
                break
        # A 14 § decision holds only while care under LVU lasts.
        ended = [r for r in ctx.of(_ENDED) if precedes(r.occurred, decision.occurred) != "yes"]
        end = End(ended[0], _("care ended")) if ended else None
        found += _periodic(
            rule_,
            ctx,
            chain,
            end,
            3,
            _("next consideration of the restriction"),
            _("within three months"),
        )
    return found


CONTACT_RESTRICTION_REVIEW = Rule(
    id="contact-restriction-review-3-months",
    title_sv="Umgängesbegränsning och hemlighållande övervägda var tredje månad",
    title_en="Contact restriction or secret whereabouts reconsidered every three months",
    severity="breach",
    starts_at=N_(
        "the committee's ContactRestrictionDecided, and every ContactRestrictionReviewed after it"
    ),
    triggers=(_RESTRICTION, _RESTRICTION_REVIEWED),
    satisfied_by=(_RESTRICTION_REVIEWED,),
    deadline=N_(
        "3 months from the decision and from each consideration, while the restriction "
        "and the care last"
    ),
    in_force_from=None,
    in_force_until=None,
    legal=(
        LegalReference(
            "LVU",
            LVU,
            "14 § tredje stycket",
            "M",
            "the three-monthly consideration, as secondary sources state it before the "
            "wording of SFS 2018:686",
            in_force_until="2019-01-01",
        ),
        lvu(
            "14 § tredje stycket",
            '"minst en gång var tredje månad överväga om ett sådant beslut ... fortfarande '
            'behövs" (SFS 2018:686)',
            "H",
            "2019-01-01",
        ),
    ),
    source=N_(
        "LVU 14 § third para, wording of SFS 2018:686 in force 2019-01-01 (H); the same "
        "duty before it per lawline.se and socfamratt.se (M)"
    ),
    confidence="H",
    check=_check_restriction_review,
)


# --- LVU 21 § from 2022-07-01: 2 § care ends only after a lasting and thorough change ---------

_REVIEWED_END = "end"


def _care_ground(ctx: Context, decision: Record) -> object:
    """The ground of the care order in force before `decision` (None when none recorded)."""
    ordered = [r for r in ctx.of(_ORDERED) if precedes(r.occurred, decision.occurred) == "yes"]
    return ordered[-1].fields.get("grounds") if ordered else None


def _ends_care(ctx: Context, record: Record) -> bool:
    """The committee's own decision that care shall end."""
    if not ctx.authority.acts(record):
        return False
    if record.type == _TERMINATION:
        return record.fields.get("outcome") == "granted"
    if record.type == _REVIEWED:
        return record.fields.get("outcome") == _REVIEWED_END
    if record.type == _ENDED:
        # The CareEnded that carries out the committee's own granted 21 § decision is the
        # same decision: judged once, on the decision.
        granted = [
            r
            for r in ctx.of(_TERMINATION, _REVIEWED)
            if r.seq != record.seq
            and ctx.authority.acts(r)
            and r.fields.get("outcome") in ("granted", _REVIEWED_END)
            and precedes(r.occurred, record.occurred) != "no"
        ]
        return not documented(record.fields.get("decided_by_court")) and not granted
    return False


def _check_lasting_change(rule_: Rule, ctx: Context) -> list[Trigger]:
    def evaluate(decision: Record) -> Result:
        stated = decision.fields.get("circumstances_changed")
        if documented(stated):
            return Result("met")
        ground = _care_ground(ctx, decision)
        opening = f"{name(decision, True)} {decision.occurred.display()}"
        why = _(
            "whether the circumstances that led to care had changed lastingly and thoroughly "
            "is a judgement, and whether a change was lasting shows only later: the rules "
            "cannot make it without hindsight. Record the answer as a JudgementRecorded "
            "naming this rule ({rule})"
        ).format(rule=rule_.id)
        reasons = [why]
        if stated == "not_documented":
            reasons.insert(0, _("the statement of the change is not documented in the records"))
        if ground != "lvu_2":
            reasons.insert(0, _("the ground of the care (2 § or 3 §) is not recorded"))
        return Result(
            "finding",
            "info",
            (decision.seq,),
            message=_(
                "{opening}: the committee decided that care shall end, and its record states no "
                "lasting and thorough change of the circumstances that led to care (LVU 21 §, "
                "care under 2 §)."
            ).format(opening=opening),
            reason="; ".join(reasons),
        )

    return triggers(
        [
            r
            for r in ctx.live
            if r.type in (_TERMINATION, _REVIEWED, _ENDED)
            and _ends_care(ctx, r)
            and _care_ground(ctx, r) != "lvu_3"
        ],
        evaluate,
    )


LASTING_CHANGE = Rule(
    id="care-end-lasting-change",
    title_sv="Vård enligt 2 § avslutad: varaktig och genomgripande förändring?",
    title_en="Care under 2 § ended: a lasting and thorough change?",
    severity="info",
    starts_at=N_(
        "the committee's decision that care under LVU 2 § shall end "
        "(CareTerminationDecided granted, CareReviewed end, or CareEnded by the committee)"
    ),
    triggers=(_TERMINATION, _REVIEWED, _ENDED),
    satisfied_by=(),
    deadline=N_(
        "asks the reviewer, when the decision's record states no change "
        "(circumstances_changed): the rule cannot judge the change itself, only that the record "
        "is silent on it"
    ),
    in_force_from=LEX_LILLA_HJARTAT_FROM,
    in_force_until=None,
    legal=(
        lvu(
            "21 § första stycket",
            'care under 2 § may not end "förrän de omständigheter som föranleder vården har '
            'förändrats på ett varaktigt och genomgripande sätt" (SFS 2022:664)',
            "H",
            LEX_LILLA_HJARTAT_FROM,
        ),
    ),
    source=N_("LVU 21 § first para as amended by SFS 2022:664 (H)"),
    confidence="H",
    check=_check_lasting_change,
)
