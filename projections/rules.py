"""The rule pack of ``shared/domain/rules.md`` as data, and a pure evaluator.

`RULES` holds the fifteen rules in the order of rules.md, each a frozen `Rule` with its
severity, the event types that start and satisfy it, its deadline, the period in which it was
law or practice, its legal references (with the law's version) and its source and confidence.
`check(records)` evaluates them on one case's records and returns a `Report`: the findings and,
for every rule, what happened to it (`explain`).

How the evaluation reads the clocks (DESIGN §3):

- **As known at T.** With ``as_known_at`` the case is read as it stood in the records at T:
  corrections known by T applied, and only entries certainly known at T taken into account —
  what a reviewer could have flagged on day T. A deadline not yet passed at T is ``pending``
  with its due time; a satisfying entry not yet known at T does not count (one only possibly
  known at T makes the finding ``undetermined``). Without T the horizon is now.
- **Imprecise times.** A trigger known only to the month gives a *window* of possible
  deadlines, ``[lo, hi]``. A deadline is breached only when certainly breached: the satisfying
  entry's earliest possible time is at or after the latest possible deadline, or there is none
  and the latest possible deadline has passed at the horizon. It is met when certainly met;
  anything else is ``undetermined``, with the reason.
- **Calendar terms.** Deadlines are Stockholm calendar days: "the same day" ends at the local
  midnight after the report's day (the day after when the report came at or after the local
  policy's cut-off hour); "14 days", "1 week", "4/6/3 months" (via `add_months`) end at the
  midnight after that calendar day. A deadline instant is exclusive: the satisfier must come
  before it.
- **In force.** A rule whose period does not cover the triggering entry's time is not applied
  (``explain`` says so, with the period and the time); where an imprecise trigger straddles the
  start of the period a finding is ``undetermined``, never a breach.
- **Lapse.** A deadline that falls after the end of what it protects — the end of care, of a
  removal ban, or the child's death — lapses; where the clocks cannot tell whether it fell
  before that end, the finding is ``undetermined``.

Pure: no I/O, no clock reading except "now" when none is given. Renderers for the JSON
documents and the tables of ``ledger check`` and ``ledger rules`` are at the end of the module.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from ledger.timeparse import (
    STOCKHOLM,
    Moment,
    Precision,
    TimeParseError,
    add_months,
    format_instant,
    known_state,
    parse_moment,
    precedes,
    to_stockholm,
)
from ledger.vocabulary import LegalReference, decision_types, event_type
from projections.corrections import CORRECTION_TYPES, as_known
from projections.decisions import knowledge_map
from projections.formats import Column, fit_line, table
from projections.knowledge import REPLY, REQUEST, pending_requests
from projections.records import Record, case_owner
from projections.rules_config import DEFAULT_POLICY, POLICY_DOCS, Policy, PolicyError, load_policy
from projections.serialize import document, instant, reference
from projections.vocabulary_view import legal_json

__all__ = [
    "DEFAULT_POLICY",
    "RULES",
    "STATUSES",
    "Finding",
    "Policy",
    "PolicyError",
    "Report",
    "Rule",
    "RuleExplain",
    "check",
    "check_case",
    "load_policy",
    "rule",
]

Severity = Literal["breach", "warning", "info"]
Status = Literal["breach", "warning", "info", "pending", "undetermined"]
Applied = Literal["applied", "not_in_force", "not_triggered"]

SEVERITIES: tuple[Severity, ...] = ("breach", "warning", "info")
STATUSES: tuple[Status, ...] = ("breach", "warning", "undetermined", "pending", "info")
_CONFIDENCES = ("H", "M", "U")
_EPS = timedelta(microseconds=1)
_PRECISION_RANK: dict[str, int] = {"year": 0, "month": 1, "day": 2, "minute": 3, "second": 4}


# --- the rules as data ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of rules.md."""

    id: str
    title_sv: str
    title_en: str
    severity: Severity
    starts_at: str  # in words: which entries start it, and which clock
    triggers: tuple[str, ...]  # event types that start it (empty: described in starts_at)
    satisfied_by: tuple[str, ...]  # event types that can satisfy it
    deadline: str  # in words
    in_force_from: str | None  # ISO date, Stockholm local midnight; None: no lower bound
    in_force_until: str | None  # ISO date (exclusive); None: still in force
    legal: tuple[LegalReference, ...]
    source: str  # as in rules.md, with the confidence of each part
    confidence: str  # H, M or U: the confidence of the rule's main source
    local_policy: tuple[str, ...] = ()  # Policy keys this rule reads

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"rule {self.id}: unknown severity {self.severity!r}")
        if self.confidence not in _CONFIDENCES:
            raise ValueError(f"rule {self.id}: confidence must be H, M or U")
        for name in (*self.triggers, *self.satisfied_by):
            event_type(name)  # raises for a name the vocabulary does not know
        for key in self.local_policy:
            if key not in POLICY_DOCS:
                raise ValueError(f"rule {self.id}: unknown local-policy key {key!r}")
        for text in (self.in_force_from, self.in_force_until):
            if text is not None:
                date.fromisoformat(text)

    @property
    def period(self) -> str:
        """The in-force period in words, e.g. "2022-07-01 →" or "always"."""
        if self.in_force_from is None and self.in_force_until is None:
            return "always"
        return f"{self.in_force_from or '…'} → {self.in_force_until or ''}".rstrip()

    def in_force(self, moment: Moment) -> Literal["yes", "no", "possibly"]:
        """Whether the rule was in force at the time `moment` names."""
        return _in_period(self.in_force_from, self.in_force_until, moment)

    def legal_at(self, moment: Moment | None) -> tuple[LegalReference, ...]:
        """The legal references whose own period may cover `moment` (all when None)."""
        if moment is None:
            return self.legal
        return tuple(
            ref
            for ref in self.legal
            if _in_period(ref.in_force_from, ref.in_force_until, moment) != "no"
        )

    def citation(self, moment: Moment | None = None) -> str:
        """The legal reference(s) as text for a finding at `moment`."""
        refs = self.legal_at(moment)
        if not refs:
            return self.source
        return "; ".join(ref.short() for ref in refs)


_SOL_2001 = "2001:453"
_SOL_2001_UNTIL = "2025-07-01"
_SOL_2025 = "2025:400"
_LVU = "1990:52"
_SOL_SUCCESSOR = LegalReference(
    "SoL",
    _SOL_2025,
    "",
    "U",
    "the Social Services Act (2025:400) replaced SoL (2001:453) on 2025-07-01; the "
    "corresponding provision is not verified",
    in_force_from=_SOL_2001_UNTIL,
)


def _sol(provision: str, note: str) -> LegalReference:
    return LegalReference("SoL", _SOL_2001, provision, "H", note, in_force_until=_SOL_2001_UNTIL)


def _lvu(provision: str, note: str) -> LegalReference:
    return LegalReference("LVU", _LVU, provision, "H", note)


_LEX_LILLA_HJARTAT = LegalReference(
    "prop.",
    "2021/22:178",
    "",
    "H",
    "amendments in force 2022-07-01; the paragraph number is not verified (U)",
    in_force_from="2022-07-01",
)
_IVO_LILLA_HJARTAT = LegalReference(
    "IVO",
    "Lilla Hjärtat 2020-10-13",
    "",
    "H",
    "IVO's decision on Norrköping (seed 000)",
)
_IVO_ASTORP = LegalReference(
    "IVO", "Åstorp 2020-06-18", "", "M", "IVO's decision on Åstorp as reported (seed 004)"
)
_SOSFS_2014_5 = LegalReference(
    "SOSFS", "2014:5", "", "M", "documentation in social services' handling of cases"
)

RULES: tuple[Rule, ...] = (
    Rule(
        id="protection-assessment-same-day",
        title_sv="Skyddsbedömning samma dag",
        title_en="Protection assessment the same day",
        severity="breach",
        starts_at="ConcernReportReceived (its known clock)",
        triggers=("ConcernReportReceived",),
        satisfied_by=("ProtectionAssessmentMade",),
        deadline='"genast": the same calendar day; the next day when the report came at or '
        "after the cut-off hour (local policy, default 16:00)",
        in_force_from="2013-01-01",
        in_force_until=None,
        legal=(
            _sol("11 kap. 1 a § första stycket", "immediate assessment of the need of protection"),
            _SOL_SUCCESSOR,
            LegalReference("prop.", "2012/13:10", "s. 60", "M", '"genast" read as the same day'),
        ),
        source='SoL 11:1a first para (H); prop. 2012/13:10 p. 60 on "same day" (M)',
        confidence="H",
        local_policy=("protection_cutoff_hour",),
    ),
    Rule(
        id="preliminary-assessment-14-days",
        title_sv="Förhandsbedömning inom 14 dagar",
        title_en="Preliminary assessment within 14 days",
        severity="breach",
        starts_at="ConcernReportReceived (its known clock)",
        triggers=("ConcernReportReceived",),
        satisfied_by=("PreliminaryAssessmentDecided", "InvestigationOpened"),
        deadline="14 days; met at once when an investigation was already open when the report came",
        in_force_from="2013-01-01",
        in_force_until=None,
        legal=(
            _sol("11 kap. 1 a § andra stycket", "decision on an investigation within 14 days"),
            _SOL_SUCCESSOR,
        ),
        source="SoL 11:1a second para (H)",
        confidence="H",
    ),
    Rule(
        id="investigation-4-months",
        title_sv="Utredning slutförd inom fyra månader",
        title_en="Investigation completed within four months",
        severity="breach",
        starts_at="InvestigationOpened",
        triggers=("InvestigationOpened",),
        satisfied_by=("InvestigationClosed",),
        deadline="4 months; or the new_deadline of an InvestigationExtended decided before the "
        "deadline then in force",
        in_force_from=None,
        in_force_until=None,
        legal=(_sol("11 kap. 2 §", "four-month time limit and its extension"), _SOL_SUCCESSOR),
        source="SoL 11:2 (H)",
        confidence="H",
    ),
    Rule(
        id="immediate-custody-submitted-1-week",
        title_sv="Omedelbart omhändertagande underställt inom en vecka",
        title_en="Immediate custody submitted to the court within one week",
        severity="breach",
        starts_at="ImmediateCustodyOrdered",
        triggers=("ImmediateCustodyOrdered",),
        satisfied_by=("ImmediateCustodySubmitted",),
        deadline="1 week",
        in_force_from=None,
        in_force_until=None,
        legal=(_lvu("7 §", "submission to the administrative court within one week"),),
        source="LVU 7 § (H)",
        confidence="H",
    ),
    Rule(
        id="care-review-6-months",
        title_sv="Övervägande av vården var sjätte månad",
        title_en="Care under LVU 2 § reviewed every six months",
        severity="breach",
        starts_at="CareOrdered with grounds lvu_2, and every CareReviewed after it",
        triggers=("CareOrdered", "CareReviewed"),
        satisfied_by=("CareReviewed",),
        deadline="6 months, while care lasts (until CareEnded)",
        in_force_from=None,
        in_force_until=None,
        legal=(_lvu("13 §", "consideration of care every six months"),),
        source="LVU 13 § (H)",
        confidence="H",
    ),
    Rule(
        id="removal-ban-review-3-months",
        title_sv="Övervägande av flyttningsförbud var tredje månad",
        title_en="Removal ban reviewed every three months",
        severity="breach",
        starts_at="RemovalBanDecided granted, and every RemovalBanReviewed after it",
        triggers=("RemovalBanDecided", "RemovalBanReviewed"),
        satisfied_by=("RemovalBanReviewed",),
        deadline="3 months, while the ban lasts",
        in_force_from=None,
        in_force_until=None,
        legal=(_lvu("26 §", "consideration of a removal ban every three months"),),
        source="LVU 26 § (H)",
        confidence="H",
    ),
    Rule(
        id="removal-ban-considered-at-care-end",
        title_sv="Flyttningsförbud övervägt när vården upphör",
        title_en="Removal ban considered when care ends",
        severity="breach",
        starts_at="CareEnded",
        triggers=("CareEnded",),
        satisfied_by=("RemovalBanConsidered",),
        deadline="at the care end (the same day or before)",
        in_force_from="2022-07-01",
        in_force_until=None,
        legal=(_LEX_LILLA_HJARTAT,),
        source="prop. 2021/22:178 (H; paragraph number U)",
        confidence="H",
    ),
    Rule(
        id="followup-after-care",
        title_sv="Uppföljning efter avslutad vård",
        title_en="Follow-up after LVU care",
        severity="breach",
        starts_at="CareEnded",
        triggers=("CareEnded",),
        satisfied_by=("FollowUpStarted",),
        deadline="1 month (local policy; the law sets the end, at most 6 months after the "
        "start, not the start)",
        in_force_from="2022-07-01",
        in_force_until=None,
        legal=(_LEX_LILLA_HJARTAT,),
        source="prop. 2021/22:178 (H; paragraph U)",
        confidence="H",
        local_policy=("followup_start_months",),
    ),
    Rule(
        id="decision-with-outstanding-request",
        title_sv="Beslut medan en begäran om uppgifter var obesvarad",
        title_en="Decision taken with an information request unanswered",
        severity="warning",
        starts_at="any decision",
        triggers=decision_types(),
        satisfied_by=(),
        deadline="flags a decision taken while an InformationRequested in the case had no "
        "InformationReceived answering it known at that time",
        in_force_from=None,
        in_force_until=None,
        legal=(_IVO_LILLA_HJARTAT,),
        source="IVO's finding that the first assessment lacked sufficient information (seed 000)",
        confidence="H",
    ),
    Rule(
        id="decision-without-basis",
        title_sv="Beslut utan angivet underlag",
        title_en="Decision without a stated basis",
        severity="warning",
        starts_at="any decision",
        triggers=decision_types(),
        satisfied_by=(),
        deadline="flags a decision with an empty basis",
        in_force_from=None,
        in_force_until=None,
        legal=(_SOSFS_2014_5,),
        source="SOSFS 2014:5: decisions documented with their grounds (M)",
        confidence="M",
    ),
    Rule(
        id="protection-assessed-without-seeing-child",
        title_sv="Skyddsbedömning utan att barnet setts",
        title_en="Protection assessed without seeing the child",
        severity="info",
        starts_at="ProtectionAssessmentMade with immediate_protection_needed false",
        triggers=("ProtectionAssessmentMade",),
        satisfied_by=(),
        deadline="flags child_seen false or missing",
        in_force_from=None,
        in_force_until=None,
        legal=(),
        source="practice",
        confidence="U",
    ),
    Rule(
        id="late-documentation",
        title_sv="Sen dokumentation",
        title_en="Late documentation",
        severity="warning",
        starts_at="the authority's own actions (entries of the case-owning agency with a "
        "documented known clock)",
        triggers=(),
        satisfied_by=(),
        deadline="flags known − occurred over 7 days (local policy)",
        in_force_from=None,
        in_force_until=None,
        legal=(
            LegalReference(
                "SOSFS", "2014:5", "", "M", '"utan oskäligt dröjsmål": without undue delay'
            ),
        ),
        source='SOSFS 2014:5 "utan oskäligt dröjsmål" (M)',
        confidence="M",
        local_policy=("late_documentation_days",),
    ),
    Rule(
        id="home-transition-led-by-parents",
        title_sv="Hemflytt styrd av föräldrarna",
        title_en="Move home steered by the parents",
        severity="warning",
        starts_at="HomeTransitionPlanned with led_by foraldrar",
        triggers=("HomeTransitionPlanned",),
        satisfied_by=(),
        deadline="flags it",
        in_force_from=None,
        in_force_until=None,
        legal=(_IVO_LILLA_HJARTAT,),
        source="IVO Lilla Hjärtat: the child's needs, not the parents, must steer (seed 000)",
        confidence="H",
    ),
    Rule(
        id="home-move-without-revised-plan",
        title_sv="Hemflytt utan reviderad genomförandeplan",
        title_en="Move home without a revised plan",
        severity="warning",
        starts_at="ChildMovedHome",
        triggers=("ChildMovedHome",),
        satisfied_by=("PlanAdopted",),
        deadline="a PlanAdopted with revision true or purpose hemflytt, known before the move",
        in_force_from=None,
        in_force_until=None,
        legal=(_IVO_ASTORP,),
        source="IVO Åstorp (seed 004)",
        confidence="M",
    ),
    Rule(
        id="foster-carer-support-during-transition",
        title_sv="Stöd och handledning till familjehemmet under hemflytten",
        title_en="Support to the foster carers during the move home",
        severity="warning",
        starts_at="HomeTransitionPlanned",
        triggers=("HomeTransitionPlanned",),
        satisfied_by=("FosterCarerSupportProvided",),
        deadline="a FosterCarerSupportProvided between the plan and ChildMovedHome",
        in_force_from=None,
        in_force_until=None,
        legal=(_IVO_ASTORP,),
        source="IVO Åstorp (seed 004)",
        confidence="M",
    ),
)

_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


def rule(rule_id: str) -> Rule:
    """The rule with this id; KeyError naming the ids otherwise."""
    try:
        return _BY_ID[rule_id]
    except KeyError:
        raise KeyError(f"no rule {rule_id!r} (rules: {', '.join(_BY_ID)})") from None


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding, with the fields of rules.md (`reason` says why it is undetermined)."""

    rule: str
    severity: Severity
    status: Status
    refs: tuple[int, ...]
    due: datetime | None
    met_at: datetime | None
    message: str
    legal_reference: str
    reason: str | None = None
    # For people and grouping, not part of the JSON finding:
    case: str | None = None
    trigger_time: Moment | None = None  # the triggering entry's time (grouping by month)
    agency: str | None = None  # the triggering entry's agency (grouping by agency)
    due_text: str | None = None  # the due time in words, its uncertainty included
    met_time: Moment | None = None  # the satisfying entry's clock, at its own precision
    recheck_at: datetime | None = None  # the verdict may change when "now" passes this


@dataclass(frozen=True, slots=True)
class NotInForce:
    """A trigger the rule was not applied to, because it was not in force at its time."""

    seq: int
    ref: str | None
    type: str
    time: Moment


@dataclass(frozen=True, slots=True)
class RuleExplain:
    """What happened to one rule in one check."""

    rule: str
    status: Applied
    triggered: int  # triggering entries (known at T)
    not_in_force: tuple[NotInForce, ...]
    met: int  # in-force triggers whose requirement was met
    lapsed: int  # deadlines that fell after the end of what they protect
    findings: Mapping[str, int]  # status → count
    note: str

    @property
    def in_force(self) -> int:
        return self.triggered - len(self.not_in_force)


@dataclass(frozen=True, slots=True)
class Report:
    """The result of checking one case: the unit a cache can store (keyed by its last seq)."""

    case: str | None
    findings: list[Finding]
    explain: list[RuleExplain]
    policy: Policy
    owner_agency: str | None  # the case-owning authority used by late-documentation
    as_known_at: datetime | None
    evaluated_at: datetime  # the horizon: T, or now
    possibly_known: tuple[int, ...] = ()  # entries only possibly known at T (not evaluated)


# --- evaluation -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Window:
    """The possible deadlines: the satisfier must come before the deadline, which lies in
    [lo, hi] (lo == hi when the clocks fix it)."""

    lo: datetime
    hi: datetime


@dataclass(frozen=True, slots=True)
class _Result:
    kind: Literal["met", "lapsed", "finding"]
    status: Status | None = None
    refs: tuple[int, ...] = ()
    due: datetime | None = None
    due_text: str | None = None
    met: Moment | None = None
    message: str = ""
    reason: str | None = None
    # When the verdict can change with time alone: an open deadline's passing.
    recheck_at: datetime | None = None


_MET = _Result("met")
_LAPSED = _Result("lapsed")


@dataclass(frozen=True, slots=True)
class _Trigger:
    record: Record
    time: Moment
    evaluate: Callable[[], _Result]


@dataclass
class _Context:
    live: list[Record]  # entries certainly known at T (all without T), chronological
    maybe: list[Record]  # entries only possibly known at T
    horizon: datetime
    as_known_at: datetime | None
    policy: Policy
    owner: str | None
    by_type: dict[str, list[Record]] = field(default_factory=dict)
    maybe_by_type: dict[str, list[Record]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for record in self.live:
            self.by_type.setdefault(record.type, []).append(record)
        for record in self.maybe:
            self.maybe_by_type.setdefault(record.type, []).append(record)

    def of(self, *types: str) -> list[Record]:
        if len(types) == 1:
            return self.by_type.get(types[0], [])
        return [r for r in self.live if r.type in types]

    def maybe_of(self, *types: str) -> list[Record]:
        return [r for t in types for r in self.maybe_by_type.get(t, [])]

    @property
    def at_words(self) -> str:
        """ " as known at 2019-12-31 24:00" or ""."""
        if self.as_known_at is None:
            return ""
        return f" as known at {instant_text(self.as_known_at)}"

    def deaths(self) -> list[tuple[Record, str]]:
        return [(r, "the child died") for r in self.of("ChildDied")]


def check(
    records: Sequence[Record],
    *,
    as_known_at: datetime | None = None,
    policy: Policy = DEFAULT_POLICY,
    owner_agency: str | None = None,
    now: datetime | None = None,
) -> Report:
    """Evaluate every rule of `RULES` on one case's records (see the module docstring)."""
    evaluated_at = to_stockholm(as_known_at or now or datetime.now(UTC))
    current = [
        r
        for r in as_known(records, as_known_at)
        if r.type not in CORRECTION_TYPES and r.retracted_by is None
    ]
    current.sort(key=Record.order_key)
    if as_known_at is None:
        live, maybe = current, []
    else:
        states = {r.seq: known_state(r.known, as_known_at) for r in current}
        live = [r for r in current if states[r.seq] == "known"]
        maybe = [r for r in current if states[r.seq] == "possibly"]
    owner = owner_agency or case_owner(current)
    ctx = _Context(live, maybe, evaluated_at, as_known_at, policy, owner)
    findings: list[Finding] = []
    explain: list[RuleExplain] = []
    for rule_ in RULES:
        found, explained = _apply(rule_, _CHECKS[rule_.id](rule_, ctx), ctx)
        findings.extend(found)
        explain.append(explained)
    case = records[0].case if records else None
    findings = [replace(f, case=case) for f in sorted(findings, key=_finding_order)]
    return Report(
        case=case,
        findings=findings,
        explain=explain,
        policy=policy,
        owner_agency=owner,
        as_known_at=to_stockholm(as_known_at) if as_known_at else None,
        evaluated_at=evaluated_at,
        possibly_known=tuple(r.seq for r in maybe),
    )


def check_case(
    records: Sequence[Record],
    *,
    as_known_at: datetime | None = None,
    policy: Policy = DEFAULT_POLICY,
    owner_agency: str | None = None,
    now: datetime | None = None,
) -> Report:
    """One case's report — the unit `ledger check --all` runs and a cache can keep.

    Without `as_known_at` the result also depends on `now` (a deadline still open today is
    pending), so a cache keyed by the case's last seq should also keep `evaluated_at` and
    re-run when an open deadline (`pending`, or `undetermined` by the horizon) has passed.
    """
    return check(
        records, as_known_at=as_known_at, policy=policy, owner_agency=owner_agency, now=now
    )


_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_STATUS_RANK = {s: i for i, s in enumerate(STATUSES)}
_RULE_RANK = {r.id: i for i, r in enumerate(RULES)}


def _finding_order(f: Finding) -> tuple[Any, ...]:
    start = f.trigger_time.start if f.trigger_time else datetime.min.replace(tzinfo=UTC)
    return (
        _SEVERITY_RANK[f.severity],
        _STATUS_RANK[f.status],
        _RULE_RANK[f.rule],
        start,
        f.refs,
    )


def _apply(
    rule_: Rule, triggers: list[_Trigger], ctx: _Context
) -> tuple[list[Finding], RuleExplain]:
    findings: list[Finding] = []
    not_in_force: list[NotInForce] = []
    met = lapsed = 0
    for trigger in triggers:
        record = trigger.record
        in_force = rule_.in_force(trigger.time)
        if in_force == "no":
            not_in_force.append(NotInForce(record.seq, record.ref, record.type, trigger.time))
            continue
        result = trigger.evaluate()
        if result.kind == "met":
            met += 1
            continue
        if result.kind == "lapsed":
            lapsed += 1
            continue
        status, reason = result.status, result.reason
        assert status is not None
        if in_force == "possibly" and status in ("breach", "warning"):
            status = "undetermined"
            reason = _join(
                f"{_name(record)} ({trigger.time.display()}) may come before or after the "
                f"rule's period ({rule_.period})",
                reason,
            )
        findings.append(
            Finding(
                rule=rule_.id,
                severity=rule_.severity,
                status=status,
                refs=result.refs or (record.seq,),
                due=result.due,
                met_at=result.met.start if result.met else None,
                message=result.message,
                legal_reference=rule_.citation(trigger.time),
                reason=reason,
                trigger_time=trigger.time,
                agency=record.agency,
                due_text=result.due_text,
                met_time=result.met,
                recheck_at=result.recheck_at,
            )
        )
    counts = Counter(f.status for f in findings)
    triggered = len(triggers)
    if not triggered:
        status_: Applied = "not_triggered"
    elif len(not_in_force) == triggered:
        status_ = "not_in_force"
    else:
        status_ = "applied"
    note = _explain_note(rule_, status_, triggered, not_in_force, met, lapsed, counts, ctx)
    return findings, RuleExplain(
        rule=rule_.id,
        status=status_,
        triggered=triggered,
        not_in_force=tuple(not_in_force),
        met=met,
        lapsed=lapsed,
        findings={s: counts[s] for s in STATUSES if counts[s]},
        note=note,
    )


def _explain_note(
    rule_: Rule,
    status: Applied,
    triggered: int,
    not_in_force: Sequence[NotInForce],
    met: int,
    lapsed: int,
    counts: Mapping[str, int],
    ctx: _Context,
) -> str:
    if status == "not_triggered":
        return f"not triggered: nothing in the case{ctx.at_words} starts it ({rule_.starts_at})"
    parts = []
    if not_in_force:
        times = ", ".join(
            f"{n.type} #{n.seq}" + (f" ({n.ref})" if n.ref else "") + f" {n.time.display()}"
            for n in not_in_force
        )
        parts.append(f"not in force at the time of {times} (rule in force {rule_.period})")
    applied = triggered - len(not_in_force)
    if applied:
        bits = [f"{met} met"] if met else []
        if lapsed:
            bits.append(f"{lapsed} lapsed")
        bits += [f"{counts[s]} {s}" for s in STATUSES if counts.get(s)]
        if not bits:
            bits.append("nothing to flag")
        parts.insert(0, f"applied to {applied}: {', '.join(bits)}")
    return "; ".join(parts)


# --- time helpers ---------------------------------------------------------------------------


def _in_period(
    start_date: str | None, end_date: str | None, moment: Moment
) -> Literal["yes", "no", "possibly"]:
    """Whether the time `moment` names lies in the period [start_date, end_date) of local
    dates (either open when None or empty)."""
    start = _midnight(start_date) if start_date else None
    end = _midnight(end_date) if end_date else None
    if (start is not None and moment.latest <= start) or (
        end is not None and moment.earliest >= end
    ):
        return "no"
    if (start is not None and moment.earliest < start) or (end is not None and moment.latest > end):
        return "possibly"
    return "yes"


def _midnight(iso_date: str) -> datetime:
    """Stockholm local midnight at the start of an ISO date."""
    day = date.fromisoformat(iso_date)
    return to_stockholm(datetime.combine(day, time(0), tzinfo=STOCKHOLM))


def _end_of_day(day: date) -> datetime:
    """The Stockholm local midnight that ends `day` (a deadline "by the end of day")."""
    return to_stockholm(datetime.combine(day + timedelta(days=1), time(0), tzinfo=STOCKHOLM))


def _local(dt: datetime) -> datetime:
    return dt.astimezone(STOCKHOLM)


def _window(moment: Moment, deadline: Callable[[datetime], datetime]) -> _Window:
    """The deadlines of every instant the moment may name (`deadline` is monotone)."""
    return _Window(deadline(moment.earliest), deadline(moment.latest - _EPS))


def _days_after(days: int) -> Callable[[datetime], datetime]:
    return lambda dt: _end_of_day(_local(dt).date() + timedelta(days=days))


def _months_after(months: int) -> Callable[[datetime], datetime]:
    return lambda dt: _end_of_day(_local(add_months(dt, months)).date())


def _same_day(cutoff_hour: int) -> Callable[[datetime], datetime]:
    def deadline(dt: datetime) -> datetime:
        local = _local(dt)
        day = local.date() + timedelta(days=1 if local.hour >= cutoff_hour else 0)
        return _end_of_day(day)

    return deadline


def instant_text(dt: datetime) -> str:
    """A deadline for people: "the end of 2019-12-15" for a midnight, else the instant."""
    local = _local(dt)
    if local.time() == time(0):
        return f"the end of {(local - timedelta(days=1)).date().isoformat()}"
    return format_instant(dt)[:16]


def _due_text(window: _Window) -> str:
    if window.lo == window.hi:
        return f"by {instant_text(window.lo)}"
    return f"by {instant_text(window.lo)} at the earliest, {instant_text(window.hi)} at the latest"


def _verdict(moment: Moment, window: _Window) -> Literal["on_time", "late", "unclear"]:
    if moment.latest <= window.lo:
        return "on_time"
    if moment.earliest >= window.hi:
        return "late"
    return "unclear"


# --- wording --------------------------------------------------------------------------------

_NOUN: dict[str, str] = {
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
}


def _label(record: Record) -> str:
    return f"#{record.seq}" + (f" ({record.ref})" if record.ref else "")


def _name(record: Record, capital: bool = False) -> str:
    """E.g. "report #16 (report-1)"; other types by their vocabulary name."""
    noun = _NOUN.get(record.type, record.type)
    if capital:
        noun = noun[0].upper() + noun[1:]
    return f"{noun} {_label(record)}"


def _join(*parts: str | None) -> str | None:
    kept = [p for p in parts if p]
    return "; ".join(kept) if kept else None


def _imprecision(parts: Sequence[tuple[Record, Moment, Precision]]) -> list[str]:
    """Which clocks are too coarse (or approximate) to decide, in words."""
    bits = []
    for record, moment, fine in parts:
        if moment.approximate:
            bits.append(f"{_name(record)} is dated only approximately ({moment.text})")
        elif _PRECISION_RANK[moment.precision] < _PRECISION_RANK[fine]:
            what = (
                "has no time of day"
                if moment.precision == "day"
                else (f"is dated only to the {moment.precision}")
            )
            bits.append(f"{_name(record)} {what} ({moment.text})")
    return bits


def _unclear_reason(
    parts: Sequence[tuple[Record, Moment, Precision]], deadline_name: str, extra: str = ""
) -> str:
    bits = _imprecision(parts)
    head = " and ".join(bits) if bits else "the clocks overlap the deadline"
    return f"{head}{extra}; {deadline_name} cannot be judged"


# --- the generic deadline judgement ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Deadline:
    """What one deadline needs to be judged."""

    trigger: Record
    time: Moment  # the trigger's clock the deadline runs from
    window: _Window
    opening: str  # "Report #16 (report-1) received 2019-12"
    wanted: str  # "protection assessment" (what is missing, in words)
    due_words: str  # "the same day"
    deadline_name: str  # "the same-day deadline"
    status: Status  # the status when certainly missed (the rule's severity)
    fine: Precision = "day"  # the trigger precision the deadline needs
    ends: Sequence[tuple[Record, str]] = ()  # what the deadline lapses with
    notes: str = ""  # extra words for the message (e.g. extensions)
    extra_refs: tuple[int, ...] = ()
    imprecision_extra: str = ""


def _judge(
    d: _Deadline,
    ctx: _Context,
    satisfiers: Sequence[Record],
    *,
    when: Callable[[Record], Moment] = lambda r: r.occurred,
    doubtful: Sequence[tuple[Record, str]] = (),
) -> _Result:
    """Met, certainly missed, pending or undetermined: see the module docstring."""
    due_text = _due_text(d.window)
    ordered = sorted(satisfiers, key=lambda r: (when(r).sort_key(), r.seq))
    verdicts = [(s, _verdict(when(s), d.window)) for s in ordered]
    if any(v == "on_time" for _, v in verdicts):
        return _MET
    base_refs = (d.trigger.seq, *d.extra_refs)
    notes = f" {d.notes}" if d.notes else ""
    unclear = [s for s, v in verdicts if v == "unclear"]
    if unclear:
        s = unclear[0]
        reason = _unclear_reason(
            [(d.trigger, d.time, d.fine), (s, when(s), "day")],
            d.deadline_name,
            d.imprecision_extra,
        )
        return _Result(
            "finding",
            "undetermined",
            (*base_refs, s.seq),
            d.window.lo,
            due_text,
            when(s),
            f"{d.opening}; {_name(s)} dated {when(s).display()}: cannot tell whether it "
            f"came {d.due_words} (due {due_text}).{notes}",
            reason,
        )
    maybe = [
        (s, why)
        for s, why in doubtful
        if _verdict(when(s), d.window) != "late" and s.seq not in {x.seq for x in ordered}
    ]
    if maybe:
        s, why = maybe[0]
        return _Result(
            "finding",
            "undetermined",
            (*base_refs, s.seq),
            d.window.lo,
            due_text,
            when(s),
            f"{d.opening}; {_name(s)} dated {when(s).display()} may or may not meet the "
            f"deadline ({d.due_words}, due {due_text}).{notes}",
            why,
        )
    late = [s for s, v in verdicts if v == "late"]
    if late:
        s = late[0]
        return _Result(
            "finding",
            d.status,
            (*base_refs, s.seq),
            d.window.lo,
            due_text,
            when(s),
            f"{d.opening}; {_name(s)} came {when(s).display()}, after the deadline "
            f"({d.due_words}, {due_text}).{notes}",
        )
    # Nothing satisfies it: lapsed, missed, pending or undetermined.
    possible_end = None
    for end, words in d.ends:
        if end.occurred.latest <= d.window.lo:
            return _LAPSED
        if end.occurred.earliest < d.window.hi and possible_end is None:
            possible_end = (end, words)
    missing = f"no {d.wanted} is recorded{ctx.at_words}"
    if ctx.horizon >= d.window.hi:
        message = f"{d.opening}; {missing}; it was due {d.due_words}, {due_text}.{notes}"
        if possible_end is not None:
            end, words = possible_end
            return _Result(
                "finding",
                "undetermined",
                (*base_refs, end.seq),
                d.window.lo,
                due_text,
                None,
                message,
                f"{words} (#{end.seq}{' ' + end.ref if end.ref else ''}, "
                f"{end.occurred.display()}), possibly before the "
                f"deadline; {d.deadline_name} may have lapsed",
            )
        return _Result("finding", d.status, base_refs, d.window.lo, due_text, None, message)
    if ctx.horizon < d.window.lo:
        return _Result(
            "finding",
            "pending",
            base_refs,
            d.window.lo,
            due_text,
            None,
            f"{d.opening}; no {d.wanted} yet{ctx.at_words}; due {d.due_words}, {due_text}.{notes}",
            recheck_at=d.window.lo,
        )
    return _Result(
        "finding",
        "undetermined",
        base_refs,
        d.window.lo,
        due_text,
        None,
        f"{d.opening}; {missing}; it is due {d.due_words}, {due_text}.{notes}",
        f"the deadline may or may not have passed at {instant_text(ctx.horizon)}; "
        + (
            " and ".join(_imprecision([(d.trigger, d.time, d.fine)]))
            or "the deadline is not fixed by the clocks"
        ),
        recheck_at=d.window.hi,
    )


# --- the rules' checks ----------------------------------------------------------------------


def _possibly_known(ctx: _Context, records: Iterable[Record]) -> list[tuple[Record, str]]:
    return [
        (r, f"{_name(r)} is only possibly known at {instant_text(ctx.horizon)}") for r in records
    ]


def _check_same_day(rule_: Rule, ctx: _Context) -> list[_Trigger]:
    cutoff = ctx.policy.protection_cutoff_hour
    assessments = ctx.of("ProtectionAssessmentMade")
    maybe = ctx.maybe_of("ProtectionAssessmentMade")

    def evaluate(report: Record) -> _Result:
        mine = [a for a in assessments if a.fields.get("report") == report.seq]
        doubtful = [a for a in maybe if a.fields.get("report") == report.seq]
        day_note = ""
        if report.known.precision == "day" and not report.known.approximate:
            day_note = f" (a report from {cutoff:02d}:00 on may be assessed the next day)"
        window = _window(report.known, _same_day(cutoff))
        if window.lo != window.hi:
            due_words = f"the same day, or the next for a report from {cutoff:02d}:00 on"
        elif window.lo == _same_day(25)(report.known.earliest):
            due_words = "the same day"
        else:
            due_words = f"the next day, the report having come at or after {cutoff:02d}:00"
        d = _Deadline(
            trigger=report,
            time=report.known,
            window=window,
            opening=f"{_name(report, True)} received {report.known.display()}",
            wanted="protection assessment of it",
            due_words=due_words,
            deadline_name="the same-day deadline",
            status=rule_.severity,
            fine="minute",
            ends=ctx.deaths(),
            imprecision_extra=day_note,
        )
        return _judge(d, ctx, mine, doubtful=_possibly_known(ctx, doubtful))

    return [_Trigger(r, r.known, lambda r=r: evaluate(r)) for r in ctx.of("ConcernReportReceived")]


@dataclass(frozen=True, slots=True)
class _Span:
    opened: Record
    closed: Record | None
    extensions: tuple[Record, ...]


def _investigations(ctx: _Context) -> list[_Span]:
    """Investigations with their closing and extensions, paired first in, first out."""
    spans: list[dict[str, Any]] = []
    open_: list[dict[str, Any]] = []
    for record in ctx.live:
        if record.type == "InvestigationOpened":
            span = {"opened": record, "closed": None, "extensions": []}
            spans.append(span)
            open_.append(span)
        elif record.type == "InvestigationExtended" and open_:
            open_[0]["extensions"].append(record)
        elif record.type == "InvestigationClosed" and open_:
            open_.pop(0)["closed"] = record
    return [_Span(s["opened"], s["closed"], tuple(s["extensions"])) for s in spans]


def _check_preliminary(rule_: Rule, ctx: _Context) -> list[_Trigger]:
    decided = ctx.of("PreliminaryAssessmentDecided", "InvestigationOpened")
    maybe = ctx.maybe_of("PreliminaryAssessmentDecided", "InvestigationOpened")
    spans = _investigations(ctx)

    def lists(record: Record, report: Record) -> bool:
        return report.seq in (record.fields.get("reports") or ())

    def evaluate(report: Record) -> _Result:
        doubtful: list[tuple[Record, str]] = []
        for span in spans:
            opened_before = precedes(span.opened.occurred, report.known)
            closed_after = (
                "yes" if span.closed is None else precedes(report.known, span.closed.occurred)
            )
            if opened_before == "yes" and closed_after == "yes":
                return _MET  # an investigation was already open when the report came
            if opened_before != "no" and closed_after != "no":
                doubtful.append(
                    (
                        span.opened,
                        f"{_name(span.opened)} ({span.opened.occurred.display()}) was possibly "
                        "already open when the report came",
                    )
                )
        mine = [r for r in decided if lists(r, report)]
        doubtful += _possibly_known(ctx, [r for r in maybe if lists(r, report)])
        d = _Deadline(
            trigger=report,
            time=report.known,
            window=_window(report.known, _days_after(14)),
            opening=f"{_name(report, True)} received {report.known.display()}",
            wanted="preliminary assessment decision on it",
            due_words="within 14 days",
            deadline_name="the 14-day deadline",
            status=rule_.severity,
            ends=ctx.deaths(),
        )
        return _judge(d, ctx, mine, doubtful=doubtful)

    return [_Trigger(r, r.known, lambda r=r: evaluate(r)) for r in ctx.of("ConcernReportReceived")]


def _extension_window(extension: Record) -> _Window | None:
    try:
        new = parse_moment(extension.fields.get("new_deadline"))  # type: ignore[arg-type]
    except TimeParseError:
        return None
    return _Window(new.start if new.approximate else new.end, new.latest)


def _check_investigation(rule_: Rule, ctx: _Context) -> list[_Trigger]:
    def evaluate(span: _Span) -> _Result:
        opened = span.opened
        window = _window(opened.occurred, _months_after(4))
        notes: list[str] = []
        doubts: list[str] = []
        for extension in span.extensions:
            new = _extension_window(extension)
            if new is None:
                continue
            then = _due_text(window)
            verdict = _verdict(extension.occurred, window)
            text = extension.fields.get("new_deadline")
            if verdict == "on_time":
                window = new
                notes.append(f"Extension {_label(extension)} to {text} honoured.")
            elif verdict == "late":
                notes.append(
                    f"Extension {_label(extension)} decided {extension.occurred.display()}, "
                    f"after the deadline then in force ({then}): not honoured."
                )
            else:
                window = _Window(min(window.lo, new.lo), max(window.hi, new.hi))
                notes.append(
                    f"Extension {_label(extension)} to {text} possibly decided in time ({then})."
                )
                doubts.append(
                    f"whether extension {_label(extension)} "
                    f"({extension.occurred.display()}) was decided before the deadline then "
                    "in force cannot be judged"
                )
        d = _Deadline(
            trigger=opened,
            time=opened.occurred,
            window=window,
            opening=f"{_name(opened, True)} opened {opened.occurred.display()}",
            wanted="closing of it",
            due_words="within four months" + (" or as extended" if span.extensions else ""),
            deadline_name="the four-month deadline",
            status=rule_.severity,
            ends=ctx.deaths(),
            notes=" ".join(notes),
            extra_refs=tuple(e.seq for e in span.extensions),
            imprecision_extra="".join(f"; {doubt}" for doubt in doubts),
        )
        result = _judge(d, ctx, [span.closed] if span.closed else [])
        if doubts and result.kind == "finding" and result.status == rule_.severity:
            return _Result(
                "finding",
                "undetermined",
                result.refs,
                result.due,
                result.due_text,
                result.met,
                result.message,
                _join(*doubts),
            )
        return result

    return [
        _Trigger(s.opened, s.opened.occurred, lambda s=s: evaluate(s)) for s in _investigations(ctx)
    ]


def _check_custody(rule_: Rule, ctx: _Context) -> list[_Trigger]:
    submitted = ctx.of("ImmediateCustodySubmitted")
    maybe = ctx.maybe_of("ImmediateCustodySubmitted")

    def evaluate(custody: Record) -> _Result:
        d = _Deadline(
            trigger=custody,
            time=custody.occurred,
            window=_window(custody.occurred, _days_after(7)),
            opening=f"{_name(custody, True)} ordered {custody.occurred.display()}",
            wanted="submission to the administrative court",
            due_words="within one week",
            deadline_name="the one-week deadline",
            status=rule_.severity,
            ends=ctx.deaths(),
        )
        mine = [s for s in submitted if s.fields.get("custody") == custody.seq]
        doubtful = [s for s in maybe if s.fields.get("custody") == custody.seq]
        return _judge(d, ctx, mine, doubtful=_possibly_known(ctx, doubtful))

    return [
        _Trigger(r, r.occurred, lambda r=r: evaluate(r)) for r in ctx.of("ImmediateCustodyOrdered")
    ]


def _periodic(
    rule_: Rule,
    ctx: _Context,
    chain: list[Record],
    end: tuple[Record, str] | None,
    months: int,
    wanted: str,
    every: str,
) -> list[_Trigger]:
    """Triggers of a periodic review: each link is due `months` after the one before."""
    triggers = []
    for index, link in enumerate(chain):
        if index and link.fields.get("outcome") == "end":
            continue  # the review that ended it starts nothing
        following = chain[index + 1] if index + 1 < len(chain) else None
        ends = ([end] if end is not None else []) + ctx.deaths()
        what = "ordered" if index == 0 else "held"

        def evaluate(
            link: Record = link,
            following: Record | None = following,
            ends: list[tuple[Record, str]] = ends,
            what: str = what,
        ) -> _Result:
            d = _Deadline(
                trigger=link,
                time=link.occurred,
                window=_window(link.occurred, _months_after(months)),
                opening=f"{_name(link, True)} {what} {link.occurred.display()}",
                wanted=wanted,
                due_words=every,
                deadline_name=f"the {months}-month deadline",
                status=rule_.severity,
                ends=ends,
            )
            return _judge(d, ctx, [following] if following else [])

        triggers.append(_Trigger(link, link.occurred, evaluate))
    return triggers


def _check_care_review(rule_: Rule, ctx: _Context) -> list[_Trigger]:
    triggers: list[_Trigger] = []
    for index, ordered in enumerate(ctx.live):
        if ordered.type != "CareOrdered" or ordered.fields.get("grounds") != "lvu_2":
            continue
        chain, end = [ordered], None
        for record in ctx.live[index + 1 :]:
            if record.type == "CareOrdered":
                break
            if record.type == "CareEnded":
                end = (record, "care ended")
                break
            if record.type == "CareReviewed":
                chain.append(record)
                if record.fields.get("outcome") == "end":
                    break
        triggers += _periodic(rule_, ctx, chain, end, 6, "next care review", "within six months")
    return triggers


def _check_ban_review(rule_: Rule, ctx: _Context) -> list[_Trigger]:
    triggers: list[_Trigger] = []
    for ban in ctx.of("RemovalBanDecided"):
        if ban.fields.get("outcome") != "granted":
            continue
        chain = [ban]
        for record in ctx.of("RemovalBanReviewed"):
            if record.fields.get("ban") != ban.seq:
                continue
            chain.append(record)
            if record.fields.get("outcome") == "end":
                break
        triggers += _periodic(
            rule_, ctx, chain, None, 3, "next review of the removal ban", "within three months"
        )
    return triggers


def _care_span_start(ctx: _Context, care_end: Record) -> Record | None:
    """The last CareOrdered before `care_end`."""
    before = None
    for record in ctx.live:
        if record.seq == care_end.seq:
            break
        if record.type == "CareOrdered":
            before = record
    return before


def _check_ban_considered(rule_: Rule, ctx: _Context) -> list[_Trigger]:
    def evaluate(care_end: Record) -> _Result:
        start = _care_span_start(ctx, care_end)

        def relevant(r: Record) -> bool:
            return start is None or precedes(r.occurred, start.occurred) != "yes"

        d = _Deadline(
            trigger=care_end,
            time=care_end.occurred,
            window=_window(care_end.occurred, _days_after(0)),
            opening=f"{_name(care_end, True)} {care_end.occurred.display()}",
            wanted="consideration of a removal ban",
            due_words="at or before the end of care",
            deadline_name="the deadline (the care end)",
            status=rule_.severity,
        )
        considered = [r for r in ctx.of("RemovalBanConsidered") if relevant(r)]
        maybe = [r for r in ctx.maybe_of("RemovalBanConsidered") if relevant(r)]
        return _judge(d, ctx, considered, doubtful=_possibly_known(ctx, maybe))

    return [_Trigger(r, r.occurred, lambda r=r: evaluate(r)) for r in ctx.of("CareEnded")]


def _check_followup(rule_: Rule, ctx: _Context) -> list[_Trigger]:
    months = ctx.policy.followup_start_months
    unit = "month" if months == 1 else f"{months} months"

    def evaluate(care_end: Record) -> _Result:
        d = _Deadline(
            trigger=care_end,
            time=care_end.occurred,
            window=_window(care_end.occurred, _months_after(months)),
            opening=f"{_name(care_end, True)} {care_end.occurred.display()}",
            wanted="follow-up after the care",
            due_words=f"within {'one month' if months == 1 else unit} (local policy)",
            deadline_name="the follow-up deadline",
            status=rule_.severity,
            ends=ctx.deaths(),
        )
        started = [r for r in ctx.of("FollowUpStarted") if r.fields.get("after") == care_end.seq]
        maybe = [
            r for r in ctx.maybe_of("FollowUpStarted") if r.fields.get("after") == care_end.seq
        ]
        return _judge(d, ctx, started, doubtful=_possibly_known(ctx, maybe))

    return [_Trigger(r, r.occurred, lambda r=r: evaluate(r)) for r in ctx.of("CareEnded")]


def _decisions(ctx: _Context) -> list[Record]:
    return [r for r in ctx.live if r.is_decision]


def _check_outstanding(rule_: Rule, ctx: _Context) -> list[_Trigger]:
    # Requests and replies only possibly known at T take part, as at best possibly known.
    requests = ctx.of(REQUEST) + ctx.maybe_of(REQUEST)
    pool = requests + ctx.of(REPLY) + ctx.maybe_of(REPLY)
    doubtful = {r.seq for r in ctx.maybe}

    def evaluate(decision: Record) -> _Result:
        states = knowledge_map(decision, pool)

        def state_of(r: Record) -> Any:
            state = states[r.seq]
            return "possibly" if state == "known" and r.seq in doubtful else state

        visible = [r for r in requests if r.seq != decision.seq and state_of(r) != "unknown"]
        pending = pending_requests(visible, state_of, [r for r in pool if r.seq != decision.seq])
        if not pending:
            return _MET
        certain = [p for p in pending if p.answered == "no" and p.request_known == "known"]
        parts, reasons, refs = [], [], [decision.seq]
        when = decision.occurred.display()
        for p in pending:
            request = p.request
            refs.append(request.seq)
            text = (
                f"{_name(request)} to {request.fields.get('counterparty')} "
                f"({request.occurred.display()})"
            )
            if p.request_known == "possibly" and request.seq in doubtful:
                reasons.append(
                    f"{_name(request)} is only possibly in the records at "
                    f"{instant_text(ctx.horizon)}"
                )
            elif p.request_known == "possibly":
                reasons.append(
                    f"{_name(request)} ({request.known.display()}) may have been made only "
                    f"after the decision ({when})"
                )
            if p.replies:
                refs += [r.seq for r in p.replies]
                replies = ", ".join(f"{_name(r)} ({r.known.display()})" for r in p.replies)
                text += f" may still have been unanswered ({replies} possibly came before it)"
                reasons.append(
                    f"{replies} may have reached the social services before the decision ({when})"
                )
            else:
                text += " had no answer known at the time"
                later = [
                    r
                    for r in pool
                    if r.type == REPLY
                    and r.fields.get("in_reply_to") == request.seq
                    and state_of(r) == "unknown"
                ]
                if later:
                    refs += [r.seq for r in later]
                    text += (
                        " (answered later: "
                        + ", ".join(f"{_name(r)} known {r.known.display()}" for r in later)
                        + ")"
                    )
            parts.append(text)
        message = f"{_name(decision, True)} ({when}) was taken while {'; '.join(parts)}."
        if certain:
            return _Result("finding", "warning", tuple(refs), message=message)
        return _Result(
            "finding", "undetermined", tuple(refs), message=message, reason=_join(*reasons)
        )

    return [_Trigger(r, r.occurred, lambda r=r: evaluate(r)) for r in _decisions(ctx)]


def _check_without_basis(rule_: Rule, ctx: _Context) -> list[_Trigger]:
    def evaluate(decision: Record) -> _Result:
        if decision.basis:
            return _MET
        who = decision.agency or decision.actor or "agency not recorded"
        return _Result(
            "finding",
            "warning",
            (decision.seq,),
            message=f"Decision {decision.type} {_label(decision)} ({who}, "
            f"{decision.occurred.display()}) states no basis: the entries it relied on are "
            "not recorded.",
        )

    return [_Trigger(r, r.occurred, lambda r=r: evaluate(r)) for r in _decisions(ctx)]


def _check_child_not_seen(rule_: Rule, ctx: _Context) -> list[_Trigger]:
    def evaluate(assessment: Record) -> _Result:
        seen = assessment.fields.get("child_seen")
        if seen is True:
            return _MET
        how = "child_seen: no" if seen is False else "whether the child was seen is not recorded"
        return _Result(
            "finding",
            "info",
            (assessment.seq,),
            message=f"{_name(assessment, True)} ({assessment.occurred.display()}) found no "
            f"immediate protection needed without the child being seen ({how}).",
        )

    return [
        _Trigger(r, r.occurred, lambda r=r: evaluate(r))
        for r in ctx.of("ProtectionAssessmentMade")
        if r.fields.get("immediate_protection_needed") is False
    ]


# Entries that record information from outside: their `occurred` is the outside party's.
_OUTSIDE_TYPES = frozenset({"ConcernReportReceived", "CareTerminationRequested", REPLY})


def _own_action(record: Record, owner: str | None) -> bool:
    if owner is None or record.agency != owner or record.known_assumed:
        return False
    if record.type in _OUTSIDE_TYPES:
        return False
    if record.type == "ObservationRecorded":
        return record.fields.get("observed_by") == owner
    return True


def _delay_text(occurred: Moment, known: Moment) -> str:
    if (
        not occurred.approximate
        and not known.approximate
        and min(_PRECISION_RANK[occurred.precision], _PRECISION_RANK[known.precision])
        >= _PRECISION_RANK["day"]
    ):
        days = (_local(known.start).date() - _local(occurred.start).date()).days
        return f"{days} day{'s' * (days != 1)}"
    low = max(0, (_local(known.earliest).date() - _local(occurred.latest - _EPS).date()).days)
    high = (_local(known.latest - _EPS).date() - _local(occurred.earliest).date()).days
    return f"between {low} and {high} days"


def _check_late_documentation(rule_: Rule, ctx: _Context) -> list[_Trigger]:
    days = ctx.policy.late_documentation_days

    def evaluate(record: Record) -> _Result:
        window = _window(record.occurred, _days_after(days))
        verdict = _verdict(record.known, window)
        if verdict == "on_time":
            return _MET
        due_text = _due_text(window)
        message = (
            f"{_name(record, True)} occurred {record.occurred.display()} and was documented "
            f"(known) {record.known.display()}: {_delay_text(record.occurred, record.known)} "
            f"later; local policy allows {days} day{'s' * (days != 1)} ({due_text})."
        )
        if verdict == "late":
            return _Result(
                "finding", "warning", (record.seq,), window.lo, due_text, record.known, message
            )
        return _Result(
            "finding",
            "undetermined",
            (record.seq,),
            window.lo,
            due_text,
            record.known,
            message,
            f"occurred ({record.occurred.text}) and known ({record.known.text}) are too "
            f"coarse or approximate to tell; whether it was documented within {days} "
            f"day{'s' * (days != 1)} cannot be judged",
        )

    return [
        _Trigger(r, r.occurred, lambda r=r: evaluate(r))
        for r in ctx.live
        if _own_action(r, ctx.owner)
    ]


def _check_led_by_parents(rule_: Rule, ctx: _Context) -> list[_Trigger]:
    def evaluate(plan: Record) -> _Result:
        if plan.fields.get("led_by") != "foraldrar":
            return _MET
        return _Result(
            "finding",
            "warning",
            (plan.seq,),
            message=f"{_name(plan, True)} ({plan.occurred.display()}) was led by the parents "
            "(led_by foraldrar): the child's needs, not the parents, must steer the move home.",
        )

    return [
        _Trigger(r, r.occurred, lambda r=r: evaluate(r)) for r in ctx.of("HomeTransitionPlanned")
    ]


def _revised_plan(plan: Record) -> bool:
    purpose = str(plan.fields.get("purpose") or "").lower()
    return plan.fields.get("revision") is True or "hemflytt" in purpose


def _check_revised_plan(rule_: Rule, ctx: _Context) -> list[_Trigger]:
    moves = ctx.of("ChildMovedHome")

    def evaluate(index: int) -> _Result:
        move = moves[index]
        previous = moves[index - 1] if index else None

        def relevant(plan: Record) -> bool:
            return _revised_plan(plan) and (
                previous is None or precedes(plan.known, previous.occurred) != "yes"
            )

        d = _Deadline(
            trigger=move,
            time=move.occurred,
            window=_Window(move.occurred.earliest, move.occurred.latest),
            opening=f"{_name(move, True)} {move.occurred.display()}",
            wanted="revised plan (PlanAdopted with revision or purpose hemflytt) known before "
            "the move",
            due_words="before the move",
            deadline_name="whether the plan came before the move",
            status="warning",
        )
        plans = [p for p in ctx.of("PlanAdopted") if relevant(p)]
        maybe = [p for p in ctx.maybe_of("PlanAdopted") if relevant(p)]
        result = _judge(d, ctx, plans, when=lambda r: r.known, doubtful=_possibly_known(ctx, maybe))
        if result.kind == "finding" and result.status == "warning" and not result.met:
            # the move has happened: nothing is pending, the plan is simply missing
            return _Result(
                "finding",
                "warning",
                result.refs,
                move.occurred.start,
                f"by the move ({move.occurred.display()})",
                None,
                f"{_name(move, True)} {move.occurred.display()}: the records{ctx.at_words} "
                "hold no revised genomförandeplan (PlanAdopted with revision or purpose "
                "hemflytt) known before the move.",
            )
        return result

    return [_Trigger(m, m.occurred, lambda i=i: evaluate(i)) for i, m in enumerate(moves)]


def _check_foster_support(rule_: Rule, ctx: _Context) -> list[_Trigger]:
    def evaluate(plan: Record) -> _Result:
        moves = [
            m for m in ctx.of("ChildMovedHome") if precedes(m.occurred, plan.occurred) != "yes"
        ]
        supports = ctx.of("FosterCarerSupportProvided")
        after = [s for s in supports if precedes(plan.occurred, s.occurred) == "yes"]
        doubtful = [
            (
                s,
                f"{_name(s)} ({s.occurred.display()}) may have come before the planning of the "
                f"move home ({plan.occurred.display()})",
            )
            for s in supports
            if precedes(plan.occurred, s.occurred) == "possibly"
        ]
        doubtful += _possibly_known(
            ctx,
            [
                s
                for s in ctx.maybe_of("FosterCarerSupportProvided")
                if precedes(plan.occurred, s.occurred) != "no"
            ],
        )
        opening = f"{_name(plan, True)} {plan.occurred.display()}"
        if not moves:
            if after:
                return _MET
            return _Result(
                "finding",
                "pending",
                (plan.seq,),
                message=f"{opening}; no move home is recorded yet{ctx.at_words}: the foster "
                "carers are to be given support and supervision during the transition.",
            )
        move = moves[0]
        d = _Deadline(
            trigger=plan,
            time=plan.occurred,
            window=_Window(move.occurred.earliest, move.occurred.latest),
            opening=opening,
            wanted=f"support to the foster carers before the move home {_label(move)} "
            f"({move.occurred.display()})",
            due_words=f"before the move home {_label(move)}",
            deadline_name="whether the support came during the transition",
            status="warning",
            extra_refs=(move.seq,),
        )
        result = _judge(d, ctx, after, doubtful=doubtful)
        if result.kind == "finding" and result.status == "warning" and not result.met:
            return _Result(
                "finding",
                "warning",
                result.refs,
                move.occurred.start,
                f"by the move ({move.occurred.display()})",
                None,
                f"{opening}; no support or supervision to the foster carers "
                f"(FosterCarerSupportProvided) is recorded between it and the move home "
                f"{_label(move)} ({move.occurred.display()}){ctx.at_words}.",
            )
        return result

    return [
        _Trigger(r, r.occurred, lambda r=r: evaluate(r)) for r in ctx.of("HomeTransitionPlanned")
    ]


_CHECKS: dict[str, Callable[[Rule, _Context], list[_Trigger]]] = {
    "protection-assessment-same-day": _check_same_day,
    "preliminary-assessment-14-days": _check_preliminary,
    "investigation-4-months": _check_investigation,
    "immediate-custody-submitted-1-week": _check_custody,
    "care-review-6-months": _check_care_review,
    "removal-ban-review-3-months": _check_ban_review,
    "removal-ban-considered-at-care-end": _check_ban_considered,
    "followup-after-care": _check_followup,
    "decision-with-outstanding-request": _check_outstanding,
    "decision-without-basis": _check_without_basis,
    "protection-assessed-without-seeing-child": _check_child_not_seen,
    "late-documentation": _check_late_documentation,
    "home-transition-led-by-parents": _check_led_by_parents,
    "home-move-without-revised-plan": _check_revised_plan,
    "foster-carer-support-during-transition": _check_foster_support,
}
assert tuple(_CHECKS) == tuple(r.id for r in RULES), "every rule needs exactly one check"


# --- JSON -----------------------------------------------------------------------------------


def finding_json(finding: Finding, labels: Mapping[int, str | None]) -> dict[str, Any]:
    """A finding as the JSON outputs write it (fields of rules.md, plus `reason`)."""
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "status": finding.status,
        "refs": [reference(seq, labels) for seq in finding.refs],
        "due": instant(finding.due),
        "met_at": instant(finding.met_at),
        "message": finding.message,
        "legal_reference": finding.legal_reference,
        "reason": finding.reason,
    }


def explain_json(item: RuleExplain, labels: Mapping[int, str | None]) -> dict[str, Any]:
    rule_ = _BY_ID[item.rule]
    return {
        "rule": item.rule,
        "status": item.status,
        "in_force_from": rule_.in_force_from,
        "in_force_until": rule_.in_force_until,
        "triggered": item.triggered,
        "met": item.met,
        "lapsed": item.lapsed,
        "findings": dict(item.findings),
        "not_in_force": [
            {**reference(n.seq, labels), "type": n.type, "time": n.time.to_json()}
            for n in item.not_in_force
        ],
        "note": item.note,
    }


def policy_json(policy: Policy) -> dict[str, Any]:
    return {**policy.values(), "source": policy.source, "overrides": policy.overrides()}


def view_json(report: Report, labels: Mapping[int, str | None] | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "as_known_at": instant(report.as_known_at),
        "evaluated_at": instant(report.evaluated_at),
        "owner_agency": report.owner_agency,
    }
    if labels is not None:
        view["possibly_known"] = [reference(s, labels) for s in report.possibly_known]
    return view


def check_document(report: Report, labels: Mapping[int, str | None]) -> dict[str, Any]:
    """`ledger check CASE --format json`."""
    return document(
        report.case,  # type: ignore[arg-type]
        view=view_json(report, labels),
        policy=policy_json(report.policy),
        findings=[finding_json(f, labels) for f in report.findings],
        explain=[explain_json(e, labels) for e in report.explain],
    )


GROUPS = ("rule", "month", "agency")
NO_AGENCY = "(agency not recorded)"


def group_key(finding: Finding, group_by: str) -> str:
    """The group a finding falls in: its rule, its trigger's month, or its trigger's agency."""
    if group_by == "rule":
        return finding.rule
    if group_by == "agency":
        return finding.agency or NO_AGENCY
    if group_by == "month":
        moment = finding.trigger_time
        if moment is None:
            return "(no time)"
        if moment.precision == "year":
            return moment.display()
        return ("~" if moment.approximate else "") + moment.start.strftime("%Y-%m")
    raise ValueError(f"group_by must be one of {', '.join(GROUPS)}, not {group_by!r}")


def summarise(reports: Sequence[Report], group_by: str) -> list[dict[str, Any]]:
    """Counts of findings per group, by status, with the number of cases concerned."""
    groups: dict[str, dict[str, Any]] = {}
    order: dict[str, tuple[Any, ...]] = {}
    for report in reports:
        for finding in report.findings:
            key = group_key(finding, group_by)
            item = groups.setdefault(
                key, {"group": key, "findings": 0, "by_status": Counter(), "cases": set()}
            )
            item["findings"] += 1
            item["by_status"][finding.status] += 1
            item["cases"].add(report.case)
            if group_by == "rule":
                order[key] = (_RULE_RANK[key],)
            elif group_by == "month" and finding.trigger_time is not None:
                order[key] = (0, finding.trigger_time.start, key)
            else:
                order.setdefault(key, (1, key))
    result = []
    for key in sorted(groups, key=lambda k: order.get(k, (1, k))):
        item = groups[key]
        result.append(
            {
                "group": key,
                "findings": item["findings"],
                "by_status": {s: item["by_status"][s] for s in STATUSES if item["by_status"][s]},
                "cases": len(item["cases"]),
            }
        )
    return result


def case_counts(report: Report) -> dict[str, Any]:
    counts = Counter(f.status for f in report.findings)
    return {
        "case": report.case,
        "findings": len(report.findings),
        "by_status": {s: counts[s] for s in STATUSES if counts[s]},
    }


def merge_explain(reports: Sequence[Report]) -> list[dict[str, Any]]:
    """Every rule's explain summed over many cases."""
    merged = []
    for rule_ in RULES:
        items = [e for r in reports for e in r.explain if e.rule == rule_.id]
        findings: Counter[str] = Counter()
        for e in items:
            findings.update(e.findings)
        statuses = {e.status for e in items}
        status = (
            "applied"
            if "applied" in statuses
            else "not_in_force"
            if "not_in_force" in statuses
            else "not_triggered"
        )
        triggered = sum(e.triggered for e in items)
        not_in_force = sum(len(e.not_in_force) for e in items)
        met = sum(e.met for e in items)
        lapsed = sum(e.lapsed for e in items)
        merged.append(
            {
                "rule": rule_.id,
                "status": status,
                "in_force_from": rule_.in_force_from,
                "in_force_until": rule_.in_force_until,
                "triggered": triggered,
                "met": met,
                "lapsed": lapsed,
                "findings": {s: findings[s] for s in STATUSES if findings[s]},
                "not_in_force": [
                    {
                        "case": r.case,
                        "seq": n.seq,
                        "ref": n.ref,
                        "type": n.type,
                        "time": n.time.to_json(),
                    }
                    for r in reports
                    for e in r.explain
                    if e.rule == rule_.id
                    for n in e.not_in_force
                ],
                "note": _merged_note(rule_, status, triggered, not_in_force, met, lapsed, findings),
            }
        )
    return merged


def _merged_note(
    rule_: Rule,
    status: str,
    triggered: int,
    not_in_force: int,
    met: int,
    lapsed: int,
    findings: Mapping[str, int],
) -> str:
    if status == "not_triggered":
        return f"not triggered: nothing in any case starts it ({rule_.starts_at})"
    bits = [f"{triggered} triggered"]
    if not_in_force:
        bits.append(f"{not_in_force} not in force at the time (rule in force {rule_.period})")
    if met:
        bits.append(f"{met} met")
    if lapsed:
        bits.append(f"{lapsed} lapsed")
    bits += [f"{findings[s]} {s}" for s in STATUSES if findings.get(s)]
    return ", ".join(bits)


def all_document(
    reports: Sequence[Report],
    labels: Mapping[str, Mapping[int, str | None]],
    group_by: str,
    policy: Policy,
    as_known_at: datetime | None,
    evaluated_at: datetime,
    owner_agency: str | None,
) -> dict[str, Any]:
    """`ledger check --all --format json`."""
    findings = [
        {"case": r.case, **finding_json(f, labels.get(r.case or "", {}))}
        for r in reports
        for f in r.findings
    ]
    return document(
        None,  # type: ignore[arg-type]
        view={
            "as_known_at": instant(as_known_at),
            "evaluated_at": instant(evaluated_at),
            "owner_agency": owner_agency,
        },
        policy=policy_json(policy),
        group_by=group_by,
        summary=summarise(reports, group_by),
        cases=[case_counts(r) for r in reports],
        findings=findings,
        explain=merge_explain(reports),
    )


def rule_json(rule_: Rule) -> dict[str, Any]:
    return {
        "id": rule_.id,
        "title_sv": rule_.title_sv,
        "title_en": rule_.title_en,
        "severity": rule_.severity,
        "starts_at": rule_.starts_at,
        "triggers": list(rule_.triggers),
        "satisfied_by": list(rule_.satisfied_by),
        "deadline": rule_.deadline,
        "in_force_from": rule_.in_force_from,
        "in_force_until": rule_.in_force_until,
        "legal": [legal_json(ref) for ref in rule_.legal],
        "source": rule_.source,
        "confidence": rule_.confidence,
        "local_policy": [
            {"key": key, "default": DEFAULT_POLICY.values()[key], "doc": POLICY_DOCS[key]}
            for key in rule_.local_policy
        ],
    }


def rules_document(policy: Policy = DEFAULT_POLICY) -> dict[str, Any]:
    """`ledger rules --format json`."""
    return document(
        None,  # type: ignore[arg-type]
        rules=[rule_json(r) for r in RULES],
        policy=policy_json(policy),
    )


# --- tables ---------------------------------------------------------------------------------


def _wrap(text: str, width: int, indent: str, hanging: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        width=max(40, width),
        initial_indent=indent,
        subsequent_indent=indent if hanging is None else hanging,
        break_on_hyphens=False,
    ) or [indent.rstrip()]


def _policy_lines(policy: Policy) -> list[str]:
    values = ", ".join(f"{k} {v}" for k, v in policy.values().items())
    overrides = policy.overrides()
    if not overrides:
        return [f"policy: defaults ({values})"]
    lines = [f"policy: {policy.source or 'configured'} ({values})"]
    for item in overrides:
        lines.append(
            f"  override: {item['key']} = {item['value']} (default {item['default']}) — "
            f"{POLICY_DOCS[item['key']]}"
        )
    return lines


def _counts_text(findings: Sequence[Finding]) -> str:
    counts = Counter(f.status for f in findings)
    if not counts:
        return "no findings"
    return " · ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])


def _horizon_text(report: Report) -> str:
    if report.as_known_at is not None:
        return f"as known at {instant_text(report.as_known_at)} (Stockholm)"
    return f"as the records stand now ({format_instant(report.evaluated_at)[:16]} Stockholm)"


def _refs_text(refs: Sequence[int], labels: Mapping[int, str | None]) -> str:
    return " · ".join(f"#{s}" + (f" {labels[s]}" if labels.get(s) else "") for s in refs)


def check_table(
    report: Report, labels: Mapping[int, str | None], width: int = 120, explain: bool = False
) -> str:
    """The first page of a review: one block per finding, and with `explain` every rule."""
    lines = [
        f"{report.case}: rule check, {_horizon_text(report)}",
        f"owner: {report.owner_agency or 'not known (late-documentation not applied)'}",
        *_policy_lines(report.policy),
    ]
    if report.possibly_known:
        lines.append(
            "only possibly known at that time (they start no rule and count only as "
            "possibly known): " + _refs_text(report.possibly_known, labels)
        )
    lines += [f"findings: {_counts_text(report.findings)}", ""]
    for finding in report.findings:
        lines += _finding_block(finding, labels, width)
    if explain:
        lines += _explain_lines(report.explain, width)
    return "\n".join(fit_line(line, width) for line in lines).rstrip("\n") + "\n"


def _finding_block(finding: Finding, labels: Mapping[int, str | None], width: int) -> list[str]:
    rule_ = _BY_ID[finding.rule]
    lines = [f"{finding.status.upper():<13} {finding.rule} — {rule_.title_en} [{finding.severity}]"]
    lines += _wrap(finding.message, width, "  ")
    if finding.reason:
        lines += _wrap(f"why    {finding.reason}", width, "  ", " " * 9)
    lines.append(f"  refs   {_refs_text(finding.refs, labels)}")
    if finding.due_text or finding.met_time:
        due = finding.due_text or "—"
        met = finding.met_time.display() if finding.met_time else "—"
        lines.append(f"  due    {due} · done {met}")
    lines.append(f"  law    {finding.legal_reference}")
    lines.append("")
    return lines


_OUTCOME = {"applied": "applied", "not_in_force": "not in force", "not_triggered": "not triggered"}


def _explain_lines(explain: Sequence[RuleExplain | Mapping[str, Any]], width: int) -> list[str]:
    rows = []
    for item in explain:
        if isinstance(item, RuleExplain):
            rule_id, status, note = item.rule, item.status, item.note
        else:
            rule_id, status, note = item["rule"], item["status"], item["note"]
        rows.append([rule_id, _OUTCOME[status], note])
    columns = [Column("rule", 40), Column("outcome", 14), Column("what happened", 0)]
    body = _wrapped_table(columns, rows, width)
    return [f"RULES ({len(rows)}): what happened to each", *body.rstrip("\n").split("\n"), ""]


def _wrapped_table(columns: Sequence[Any], rows: Sequence[Sequence[str]], width: int) -> str:
    """Like formats.table, but the last column wraps instead of being cut."""
    fixed = sum(c.width for c in columns[:-1]) + len(columns) - 1
    room = max(20, width - fixed)
    out_rows: list[list[str]] = []
    for row in rows:
        pieces = textwrap.wrap(row[-1], width=room) or [""]
        out_rows.append([*row[:-1], pieces[0]])
        out_rows += [[""] * (len(row) - 1) + [piece] for piece in pieces[1:]]
    return table(columns, out_rows, width)


def check_all_table(
    reports: Sequence[Report],
    labels: Mapping[str, Mapping[int, str | None]],
    group_by: str,
    policy: Policy,
    horizon: str,
    width: int = 120,
    explain: bool = False,
) -> str:
    """`ledger check --all`: counts by group, by case, then one line per finding."""
    findings = [f for r in reports for f in r.findings]
    lines = [
        f"rule check of {len(reports)} case{'s' * (len(reports) != 1)}, {horizon}",
        *_policy_lines(policy),
        f"findings: {_counts_text(findings)}",
        "",
        f"BY {group_by.upper()}",
    ]
    status_columns = [Column(s, len(s), ">") for s in STATUSES]
    summary = summarise(reports, group_by)
    rows = [
        [
            item["group"],
            str(item["findings"]),
            *[str(item["by_status"].get(s, 0)) for s in STATUSES],
            str(item["cases"]),
        ]
        for item in summary
    ]
    columns = [
        Column(group_by, 40),
        Column("total", 5, ">"),
        *status_columns,
        Column("cases", 5, ">"),
    ]
    lines += table(columns, rows, width).rstrip("\n").split("\n")
    lines += ["", "FINDINGS"]
    columns = [
        Column("case", 12),
        Column("status", 12),
        Column("rule", 38),
        Column("message", 0),
    ]
    rows = [[r.case or "", f.status, f.rule, f.message] for r in reports for f in r.findings]
    lines += table(columns, rows, width).rstrip("\n").split("\n") if rows else ["  (none)"]
    if explain:
        lines += ["", *_explain_lines(merge_explain(reports), width)]
    return "\n".join(fit_line(line, width) for line in lines).rstrip("\n") + "\n"


def rules_table(width: int = 120, policy: Policy = DEFAULT_POLICY) -> str:
    """`ledger rules`: the pack, one line a rule, then the local-policy thresholds."""
    columns = [
        Column("id", 40),
        Column("severity", 8),
        Column("in force", 13),
        Column("conf", 4),
        Column("title / source", 0),
    ]
    rows = [
        [
            r.id,
            r.severity,
            r.period,
            r.confidence,
            f"{r.title_en} ({r.title_sv}) — {r.source}",
        ]
        for r in RULES
    ]
    lines = _wrapped_table(columns, rows, width).rstrip("\n").split("\n")
    lines += [
        f"{len(RULES)} rules. conf: H statute or two sources, M one reliable secondary source, "
        "U unverified.",
        "",
        "LOCAL POLICY (override in the [rules] table of ledger.toml, or --rules-config FILE)",
    ]
    values = policy.values()
    for key, doc in POLICY_DOCS.items():
        users = ", ".join(r.id for r in RULES if key in r.local_policy)
        lines += _wrap(f"{key} = {values[key]}  — {doc} ({users})", width, "  ", "      ")
    if policy.source:
        lines.append(f"  (from {policy.source})")
    return "\n".join(fit_line(line, width) for line in lines) + "\n"
