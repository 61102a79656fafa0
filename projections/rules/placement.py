"""Rules on a child placed outside the home: a care plan for every placement (SoL 11:3),
regular visits with conversations alone (SoL 6:7 b), and a transfer of custody considered
after three years in the same foster home until 2022-06-30, after two years from 2022-07-01,
then yearly (LVU 13 § third para / 13 c §; SoL 6:8).

A placement lasts from its `PlacementStarted` until the first of: its `PlacementEnded`, the
next placement, the move home, the case closed or taken over by another municipality, the
child's death; the custody duty also ends when custody
passes to the foster parents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ledger.legal import LegalReference
from ledger.timeparse import Moment, add_months, precedes
from projections.codes import code_words
from projections.deadlines import Due, before, midnight, months_after, window
from projections.language import N_, _, ngettext
from projections.records import Record
from projections.rules.judging import (
    MET,
    Context,
    Deadline,
    End,
    Result,
    Trigger,
    judge,
    met_in_time,
    possibly_known,
)
from projections.rules.law import LEX_LILLA_HJARTAT_FROM, LVU, lvu, sol
from projections.rules.model import Rule, type_name
from projections.rules.wording import join, label, name

_PLACED = type_name("PlacementStarted")
_PLACEMENT_ENDED = type_name("PlacementEnded")
_MOVED = type_name("ChildMovedHome")
_PLAN = type_name("PlanAdopted")
_VISIT = type_name("PlacementVisit")
_CONVERSATION = type_name("ChildConversation")
_CONSIDERED = type_name("CustodyTransferConsidered")
_TRANSFERRED = type_name("CustodyTransferDecided")
_CASE_CLOSED = type_name("CaseClosed")
_CASE_MOVED = type_name("CaseTransferAnswered")

# SoL 11:3 (2020:1260 wording): "hem för vård eller boende, stödboende eller familjehem"; a SiS
# special youth home is an HVB. A jourhem is not named, and care in the child's own home is no
# placement in a home: neither is judged.
_PLAN_SETTINGS = ("familjehem", "natverkshem", "hvb", "sis", "stodboende")
# SoL 6:7 b and LVU 13 a §: every child placed outside its home.
_VISIT_SETTINGS = ("familjehem", "natverkshem", "jourhem", "hvb", "sis", "stodboende")
# "Samma familjehem": a foster home, a kin (network) foster home among them.
_FOSTER_HOMES = ("familjehem", "natverkshem")

# The statute's own words for the plans, in English too.
_PLAN_KINDS = {"vardplan": N_("vårdplan"), "genomforandeplan": N_("genomförandeplan")}


@dataclass(frozen=True, slots=True)
class Placement:
    started: Record
    ended: End | None  # what ended it, None while it lasts
    previous: Record | None  # the placement before it


def placements(ctx: Context, settings: tuple[str, ...]) -> list[Placement]:
    """The placements in `settings`, each with what ended it, in the case's order."""
    return [
        p
        for p in ctx.once(placements, lambda: _placements(ctx))
        if p.started.fields.get("setting") in settings
    ]


def _placements(ctx: Context) -> list[Placement]:
    """Every placement, each with what ended it and the placement before it, in the case's
    order: read once per check, for the four placement rules."""
    found: list[Placement] = []
    previous: Record | None = None
    for index, record in enumerate(ctx.live):
        if record.type != _PLACED:
            continue
        end: End | None = None
        for later in ctx.live[index + 1 :]:
            if later.type == _PLACEMENT_ENDED and later.fields.get("placement") == record.seq:
                end = End(later, _("the placement ended"))
            elif later.type == _PLACED:
                end = End(later, _("the child was placed elsewhere"))
            elif later.type == _MOVED:
                end = End(later, _("the child moved home"))
            elif later.type == _CASE_CLOSED:
                end = End(later, _("the case was closed"))
            elif later.type == _CASE_MOVED and later.fields.get("outcome") == "accepted":
                end = End(later, _("another municipality took over the case"))
            if end is not None:
                break
        if end is None:
            deaths = [
                d for d in ctx.deaths() if precedes(d.record.occurred, record.occurred) != "yes"
            ]
            end = deaths[0] if deaths else None
        found.append(Placement(record, end, previous))
        previous = record
    return found


def _during(placement: Placement, record: Record) -> bool:
    """Whether `record` may fall between the placement's start and its end."""
    if precedes(record.occurred, placement.started.occurred) == "yes":
        return False
    end = placement.ended
    return end is None or precedes(end.record.occurred, record.occurred) != "yes"


# --- a care plan for every placement (SoL 11:3) -------------------------------------------------


def _check_care_plan(rule_: Rule, ctx: Context) -> list[Trigger]:
    found: list[Trigger] = []
    for placement in placements(ctx, _PLAN_SETTINGS):
        for kind in _PLAN_KINDS:
            found.append(
                Trigger(
                    placement.started,
                    placement.started.occurred,
                    lambda p=placement, k=kind: _evaluate_plan(rule_, ctx, p, k),
                )
            )
    return found


def _evaluate_plan(rule_: Rule, ctx: Context, placement: Placement, kind: str) -> Result:
    started = placement.started
    since = placement.previous

    def relevant(plan: Record) -> bool:
        # A plan drawn up for this placement, possibly before it began (a vårdplan comes with
        # the application for care), but not one for an earlier placement.
        if plan.fields.get("plan_kind") != kind:
            return False
        if since is not None and precedes(plan.occurred, since.occurred) == "yes":
            return False
        end = placement.ended
        return end is None or precedes(end.record.occurred, plan.occurred) != "yes"

    plans = [p for p in ctx.of(_PLAN) if relevant(p)]
    end = placement.ended
    if end is None and plans:
        return MET
    if end is not None:
        due = before(
            end.record.occurred, _("the end of the placement {ref}").format(ref=label(end.record))
        )
        if met_in_time(due, plans):
            return MET
    maybe = [p for p in ctx.maybe_of(_PLAN) if relevant(p)]
    opening = (
        f"{name(started, True)} ({code_words('setting', started.fields.get('setting'))}) "
        f"{started.occurred.display()}"
    )
    wanted = _(_PLAN_KINDS[kind])
    if end is None:
        # The statute sets no time for the plan: while the placement lasts nothing is
        # certainly missed.
        return Result(
            "finding",
            "pending",
            (started.seq,),
            message=_(
                "{opening}; no {wanted} is recorded yet{at}: SoL 11:3 requires one for the "
                "placement."
            ).format(opening=opening, wanted=wanted, at=ctx.at_words),
        )
    d = Deadline(
        trigger=started,
        time=started.occurred,
        due=due,
        opening=opening,
        wanted=_("{plan} for the placement").format(plan=wanted),
        due_words=_("while the placement lasted"),
        deadline_name=_("whether a {plan} came while the placement lasted").format(plan=wanted),
        status=rule_.severity,
        extra_refs=(end.record.seq,),
    )
    return judge(d, ctx, plans, doubtful=possibly_known(ctx, maybe))


# --- visits and conversations alone (SoL 6:7 b) -------------------------------------------------


def _alone_with_child(ctx: Context, record: Record, placement: Placement) -> bool:
    """A visit of the authority in which the child was seen and spoken with alone, or its
    conversation alone with the child."""
    if not ctx.authority.acts(record):
        return False
    if record.type == _VISIT:
        mine = record.fields.get("placement") in (None, placement.started.seq)
        return (
            mine
            and record.fields.get("child_seen") is True
            and record.fields.get("spoke_alone") is True
        )
    return record.type == _CONVERSATION and record.fields.get("alone") is True


def _check_visits(rule_: Rule, ctx: Context) -> list[Trigger]:
    months = ctx.policy.placed_child_visit_months
    found: list[Trigger] = []
    for placement in placements(ctx, _VISIT_SETTINGS):
        contacts = [
            r
            for r in ctx.live
            if r.type in (_VISIT, _CONVERSATION)
            and _alone_with_child(ctx, r, placement)
            and _during(placement, r)
        ]
        chain = [placement.started, *contacts]
        ends = ([placement.ended] if placement.ended else []) + ctx.deaths()
        for index, link in enumerate(chain):
            following = chain[index + 1] if index + 1 < len(chain) else None

            def evaluate(
                link: Record = link, following: Record | None = following, ends: list[End] = ends
            ) -> Result:
                due = window(link.occurred, months_after(months))
                if following is not None and met_in_time(due, [following]):
                    return MET
                d = Deadline(
                    trigger=link,
                    time=link.occurred,
                    due=due,
                    opening=f"{name(link, True)} {link.occurred.display()}",
                    wanted=_("visit to the placed child with a conversation alone"),
                    due_words=ngettext(
                        "within {n} month (local policy)",
                        "within {n} months (local policy)",
                        months,
                    ).format(n=months),
                    deadline_name=_("the visiting threshold"),
                    status=rule_.severity,
                    ends=ends,
                    any_act=True,
                )
                return judge(d, ctx, [following] if following else [])

            found.append(Trigger(link, link.occurred, evaluate))
    return found


# --- transfer of custody considered (LVU 13 § / 13 c §, SoL 6:8) -----------------------------

# SFS 2020:1259 (LVU) and 2020:1260 (SoL) added the yearly consideration from 2021-03-01;
# SFS 2022:664 and 2022:665 moved the first one from three years to two from 2022-07-01.
_YEARLY_FROM = "2021-03-01"
_TWO_YEARS_FROM = LEX_LILLA_HJARTAT_FROM


@dataclass(frozen=True, slots=True)
class Mark:
    """When the first consideration is due, under which wording, and any doubt."""

    due: Due
    years: int
    doubt: str | None


def _mark(started: Moment) -> Mark:
    """The first consideration's deadline, by the wording in force when the duty arose."""
    switch = midnight(_TWO_YEARS_FROM)
    two = window(started, months_after(24))
    three = window(started, months_after(36))
    if two.lo >= switch:
        return Mark(two, 2, None)
    if three.hi <= switch:
        return Mark(three, 3, None)
    # Two years were passed before 13 c § came into force and three not yet: the new wording
    # applied from its first day. How SFS 2022:664 treated such placements was not read.
    first_day = Due(switch + timedelta(days=1), switch + timedelta(days=1))
    return Mark(
        first_day if two.hi <= switch else Due(min(two.lo, switch), max(two.hi, switch)),
        2,
        _(
            "the two years were reached before 13 c § came into force on 2022-07-01; the "
            "transitional provisions of SFS 2022:664 were not read"
        ),
    )


def _custody_ends(ctx: Context, placement: Placement) -> list[End]:
    ends = [placement.ended] if placement.ended else []
    ends += [
        End(r, _("custody was transferred"))
        for r in ctx.of(_TRANSFERRED)
        if r.fields.get("outcome") == "granted" and _during(placement, r)
    ]
    return ends + ctx.deaths()


def _considerations(ctx: Context, placement: Placement, maybe: bool = False) -> list[Record]:
    pool = ctx.maybe_of(_CONSIDERED) if maybe else ctx.of(_CONSIDERED)
    return [
        r
        for r in pool
        if ctx.authority.acts(r)
        and r.fields.get("placement") in (None, placement.started.seq)
        and _during(placement, r)
    ]


def _law_words(placement: Placement) -> str:
    return "LVU" if placement.started.fields.get("legal_form") == "lvu" else "SoL"


def _check_custody_transfer(rule_: Rule, ctx: Context) -> list[Trigger]:
    found: list[Trigger] = []
    for placement in placements(ctx, _FOSTER_HOMES):
        started = placement.started
        mark = _mark(started.occurred)
        # A consideration within the six months before the mark counts (it is made at the
        # six-monthly review nearest to it); one long before does not.
        earliest = add_months(mark.due.lo, -6)

        def evaluate(
            placement: Placement = placement, mark: Mark = mark, earliest: datetime = earliest
        ) -> Result:
            started = placement.started
            done = [r for r in _considerations(ctx, placement) if r.occurred.latest > earliest]
            if met_in_time(mark.due, done):
                return MET
            d = Deadline(
                trigger=started,
                time=started.occurred,
                due=mark.due,
                opening=_("{name} in {setting} ({law}) {time}").format(
                    name=name(started, True),
                    setting=code_words("setting", started.fields.get("setting")),
                    law=_law_words(placement),
                    time=started.occurred.display(),
                ),
                wanted=_("consideration of a transfer of custody"),
                due_words=_("after {years} years in the same foster home").format(years=mark.years),
                deadline_name=_("the {years}-year deadline").format(years=mark.years),
                status=rule_.severity,
                ends=_custody_ends(ctx, placement),
            )
            maybe = [
                r for r in _considerations(ctx, placement, True) if r.occurred.latest > earliest
            ]
            result = judge(d, ctx, done, doubtful=possibly_known(ctx, maybe))
            if mark.doubt and result.status in ("breach", "no_record"):
                return Result(
                    "finding",
                    "undetermined",
                    result.refs,
                    result.due,
                    result.met,
                    result.message,
                    join(mark.doubt, result.reason),
                )
            return result

        found.append(Trigger(started, mark.due.clock(), evaluate))
    return found


def _check_custody_yearly(rule_: Rule, ctx: Context) -> list[Trigger]:
    found: list[Trigger] = []
    for placement in placements(ctx, _FOSTER_HOMES):
        chain = [r for r in _considerations(ctx, placement) if r.fields.get("outcome") != "apply"]
        for index, link in enumerate(chain):
            following = chain[index + 1] if index + 1 < len(chain) else None

            def evaluate(
                link: Record = link, following: Record | None = following, p: Placement = placement
            ) -> Result:
                d = Deadline(
                    trigger=link,
                    time=link.occurred,
                    due=window(link.occurred, months_after(12)),
                    opening=f"{name(link, True)} ({_law_words(p)}) {link.occurred.display()}",
                    wanted="next consideration of a transfer of custody",
                    due_words="within a year",
                    deadline_name="the yearly deadline",
                    status=rule_.severity,
                    ends=_custody_ends(ctx, p),
                    any_act=True,
                )
                return judge(d, ctx, [following] if following else [])

            found.append(Trigger(link, link.occurred, evaluate))
    return found


def _lvu_ref(provision: str, note: str, since: str, until: str, confidence: str) -> LegalReference:
    return LegalReference("LVU", LVU, provision, confidence, note, since, until)


CARE_PLAN = Rule(
    id="care-plan-for-placement",
    title_sv="Vårdplan och genomförandeplan för varje placering",
    title_en="A care plan and an implementation plan for every placement",
    severity="breach",
    starts_at=N_(
        "PlacementStarted in a familjehem, nätverkshem, HVB, SiS home or stödboende "
        "(one check for the vårdplan, one for the genomförandeplan)"
    ),
    triggers=(_PLACED,),
    satisfied_by=(_PLAN,),
    deadline=N_(
        "a PlanAdopted of each kind while the placement lasts (one drawn up before it, "
        "after any earlier placement, counts); the statute sets no earlier time, so while the "
        "placement lasts a missing plan is pending"
    ),
    in_force_from=None,
    in_force_until=None,
    legal=(*sol("11 kap. 3 §", "vårdplan, and for a child a genomförandeplan, for the care", "H"),),
    source=N_(
        "SoL 11:3 (H for the vårdplan in the 2020:1260 wording; the genomförandeplan "
        "sentence M); 2025:400 9 kap. 12 § (H)"
    ),
    confidence="H",
    check=_check_care_plan,
)

PLACED_CHILD_VISITED = Rule(
    id="placed-child-visited",
    title_sv="Regelbundna besök och enskilda samtal med placerat barn",
    title_en="A placed child visited and spoken with alone regularly",
    severity="warning",
    starts_at=N_(
        "PlacementStarted (outside the child's home), and every visit or conversation "
        "alone after it"
    ),
    triggers=(_PLACED, _VISIT, _CONVERSATION),
    satisfied_by=(_VISIT, _CONVERSATION),
    deadline=N_(
        "a PlacementVisit with the child seen and spoken with alone, or a "
        "ChildConversation alone, within 3 months (local policy) of the start and of each other, "
        "while the placement lasts"
    ),
    in_force_from="2013-01-01",
    in_force_until=None,
    legal=(
        *sol(
            "6 kap. 7 b §",
            "the committee follows the care closely through regular personal visits and "
            "conversations alone with the child",
            "M",
        ),
        lvu("13 a §", "the same for care under LVU (Lag 2012:777)", "H", "2013-01-01"),
    ),
    source=N_(
        "SoL 6:7 b (added by SFS 2012:776; text M, 2025:400 22 kap. 11 § H); LVU 13 a § "
        '(H); "regelbundna": the interval is local policy'
    ),
    confidence="M",
    check=_check_visits,
    local_policy=("placed_child_visit_months",),
    norm="local",
)

CUSTODY_TRANSFER = Rule(
    id="custody-transfer-considered",
    title_sv="Vårdnadsöverflyttning övervägd efter tre år (två år från 2022-07-01)",
    title_en="Transfer of custody considered after three years (two from 2022-07-01)",
    severity="breach",
    starts_at=N_(
        "PlacementStarted in a familjehem or nätverkshem; judged at the mark: three "
        "years in the same foster home when that fell before 2022-07-01, two years when it fell "
        "on or after it"
    ),
    triggers=(_PLACED,),
    satisfied_by=(_CONSIDERED,),
    deadline=N_(
        "a CustodyTransferConsidered by the mark (one in the six months before it "
        "counts), while the placement lasts and custody has not passed to the foster parents"
    ),
    in_force_from="2003-07-01",
    in_force_until=None,
    legal=(
        _lvu_ref(
            "13 §",
            "three years in the same familjehem (wording before SFS 2020:1259 not read)",
            "",
            _YEARLY_FROM,
            "U",
        ),
        _lvu_ref(
            "13 § tredje stycket",
            '"under tre år från det att placeringen verkställdes" (SFS 2020:1259)',
            _YEARLY_FROM,
            _TWO_YEARS_FROM,
            "H",
        ),
        lvu(
            "13 c §",
            '"under två år från det att placeringen verkställdes" (SFS 2022:664)',
            "H",
            _TWO_YEARS_FROM,
        ),
        *sol("6 kap. 8 a §", "SoL placements: two years (SFS 2022:665; paragraph U)", "U"),
    ),
    source=N_(
        "LVU 13 § third para (SFS 2020:1259, H) until 2022-06-30, 13 c § (SFS 2022:664, "
        "H) from 2022-07-01; the three-year duty before 2021-03-01 per bet. 2020/21:SoU5 (M), its "
        "start in 2003 U; SoL 6:8 (2020:1260, H; 2022:665 paragraph U); 2025:400 22 kap. 14 §"
    ),
    confidence="H",
    check=_check_custody_transfer,
)

CUSTODY_TRANSFER_YEARLY = Rule(
    id="custody-transfer-considered-yearly",
    title_sv="Vårdnadsöverflyttning övervägd årligen",
    title_en="Transfer of custody considered every year after the first time",
    severity="breach",
    starts_at=N_("CustodyTransferConsidered not applying for a transfer (each starts the next)"),
    triggers=(_CONSIDERED,),
    satisfied_by=(_CONSIDERED,),
    deadline=N_("the next CustodyTransferConsidered within a year, while the placement lasts"),
    in_force_from=_YEARLY_FROM,
    in_force_until=None,
    legal=(
        _lvu_ref(
            "13 § tredje stycket",
            '"Därefter ska frågan övervägas årligen" (SFS 2020:1259)',
            _YEARLY_FROM,
            _TWO_YEARS_FROM,
            "H",
        ),
        lvu("13 c §", '"Därefter ska frågan övervägas årligen"', "H", _TWO_YEARS_FROM),
        *sol("6 kap. 8 § andra stycket", "SoL placements: yearly (SFS 2020:1260)", "H"),
    ),
    source=N_(
        "LVU 13 § third para (SFS 2020:1259, H), 13 c § (SFS 2022:664, H); SoL 6:8 "
        "(SFS 2020:1260, H); bet. 2020/21:SoU5: the yearly duty is new from 2021-03-01 (M)"
    ),
    confidence="H",
    check=_check_custody_yearly,
)
