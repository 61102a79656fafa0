"""What the rule pack is made of and what it returns: rules, findings, explanations, reports.

A rule is data (its severity, whom it judges, the entries that start and satisfy it, its
deadline, the period in which its norm was law, its legal references and their confidence)
beside the function that checks it; the rule families (one module each) define both.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from ledger.timeparse import Moment
from ledger.vocabulary import LegalReference, event_type
from projections.codes import cited
from projections.deadlines import Due, in_period, midnight
from projections.language import _, current
from projections.rules_config import POLICY_DOCS, Policy

if TYPE_CHECKING:
    from projections.rules.judging import Context, Trigger

Severity = Literal["breach", "warning", "info"]
Status = Literal["breach", "warning", "no_record", "undetermined", "pending", "info"]
Applied = Literal["applied", "not_in_force", "not_triggered"]
Norm = Literal["statutory", "local"]

SEVERITIES: tuple[Severity, ...] = ("breach", "warning", "info")
STATUSES: tuple[Status, ...] = ("breach", "warning", "no_record", "undetermined", "pending", "info")
_CONFIDENCES = ("H", "M", "U")

# Whom a rule judges (rules.md Principle 1): only the case-owning authority, its committee
# and their delegates. Courts, IVO, BVC, school and police are sources, never judged.
JUDGES_AUTHORITY = "authority"


def type_name(name: str) -> str:
    """A vocabulary type name, checked when the module using it is imported: a typo in a
    rule fails at import, not silently at run time."""
    return event_type(name).name


_CITATIONS: dict[tuple[str, tuple[int, ...], str], str] = {}
# By the rule (its identity; the rule is kept with the answer so the identity is not reused),
# the clock's earliest and latest instants, and the language.
_CITED_AT: dict[tuple[int, int, int, str], tuple[Rule, str]] = {}

# By the identity of a rule's references (kept, so the identity is not reused).
_BOUNDS: dict[int, tuple[tuple[LegalReference, ...], tuple[datetime, ...]]] = {}


def _bounds(refs: tuple[LegalReference, ...]) -> tuple[datetime, ...]:
    """Every instant at which one of `refs` comes into or goes out of force, in order (none:
    each is in force at every time). Which references a clock may fall in the period of
    depends only on where its earliest and latest instants lie among these, so a rule has
    a few citations, not one per clock. Asked for every finding; found once per rule."""
    known = _BOUNDS.get(id(refs))
    if known is not None and known[0] is refs:
        return known[1]
    days = {day for ref in refs for day in (ref.in_force_from, ref.in_force_until) if day}
    found = tuple(sorted(midnight(day) for day in days))
    _BOUNDS[id(refs)] = (refs, found)
    return found


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of rules.md, with the function that finds its triggers in a case."""

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
    check: Callable[[Rule, Context], list[Trigger]]
    local_policy: tuple[str, ...] = ()  # Policy keys this rule reads
    norm: Norm = "statutory"  # a local-policy threshold gives at most a warning
    judges: str = JUDGES_AUTHORITY
    illustrations: tuple[LegalReference, ...] = ()  # later decisions cited as examples only

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"rule {self.id}: unknown severity {self.severity!r}")
        if self.norm == "local" and self.severity == "breach":
            raise ValueError(f"rule {self.id}: a local-policy rule gives at most a warning")
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
            return _("always")
        return f"{self.in_force_from or '…'} → {self.in_force_until or ''}".rstrip()

    def in_force(self, moment: Moment) -> Literal["yes", "no", "possibly"]:
        """Whether the rule was in force at the time `moment` names."""
        if self.in_force_from is None and self.in_force_until is None:
            return "yes"
        return in_period(self.in_force_from, self.in_force_until, moment)

    def legal_at(self, moment: Moment | None) -> tuple[LegalReference, ...]:
        """The legal references whose own period may cover `moment` (all when None)."""
        if moment is None or not _bounds(self.legal):
            return self.legal
        return tuple(
            ref
            for ref in self.legal
            if in_period(ref.in_force_from, ref.in_force_until, moment) != "no"
        )

    def citation(self, moment: Moment | None = None) -> str:
        """The norm in force at `moment` as text; an unverified paragraph says so."""
        if moment is not None:
            # Every finding cites: the text is kept by where the clock's earliest and latest
            # instants lie among the references' period bounds (see `_bounds`).
            bounds = _bounds(self.legal)
            at = (
                id(self),
                bisect_left(bounds, moment.latest),
                bisect_right(bounds, moment.earliest),
                current(),
            )
            known = _CITED_AT.get(at)
            if known is not None and known[0] is self:
                return known[1]
            text = self._citation(moment)
            _CITED_AT[at] = (self, text)
            return text
        return self._citation(moment)

    def _citation(self, moment: Moment | None) -> str:
        refs = self.legal_at(moment)
        if not refs:
            return _(self.source)  # in the reader's language, as every other citation
        # Every finding cites, and a rule has only a few combinations of references in force:
        # each is written once per language.
        key = (self.id, tuple(map(id, refs)), current())
        text = _CITATIONS.get(key)
        if text is None:
            text = _CITATIONS[key] = "; ".join(cited(ref) for ref in refs)
        return text


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding, with the fields of rules.md (`reason` says why it is undetermined or
    why the record cannot tell)."""

    rule: str
    severity: Severity
    status: Status
    refs: tuple[int, ...]
    due: Due | None  # the possible deadlines; written as a clock
    met: Moment | None  # the satisfying (or late) entry's clock, at its own precision
    message: str
    legal_reference: str
    policy: Norm = "statutory"
    reason: str | None = None
    # For people and grouping:
    case: str | None = None
    trigger_time: Moment | None = None  # the triggering entry's time (grouping by month)
    agency: str | None = None  # the triggering entry's agency (grouping by agency)
    recheck_at: datetime | None = None  # the verdict may change when "now" passes this
    unit: str | None = None  # the triggering entry's unit (`records.unit_of`)
    trigger_type: str | None = None  # the triggering entry's type (similar events)


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
    lapsed: int  # deadlines that fell after the end of what they protect (care, a ban)
    ended_by_death: int  # deadlines that fell after the child's death (Principle 7)
    findings: Mapping[str, int]  # status → count
    note: str

    @property
    def in_force(self) -> int:
        return self.triggered - len(self.not_in_force)


Agreement = Literal["supports", "contradicts", "cannot_tell", "related"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """One mechanical finding (or a rule's silence) read against a recorded judgement."""

    rule: str
    agreement: Agreement
    refs: tuple[int, ...]
    status: str  # the finding's status, or "met" where the rule found nothing to flag
    reason: str


@dataclass(frozen=True, slots=True)
class Concordance:
    """A recorded judgement and what the rules say about the same question."""

    judgement: int  # the JudgementRecorded entry's seq
    judge: str
    grade: str
    made: Moment
    judges: tuple[int, ...]
    criterion: str
    evidence: tuple[Evidence, ...]
    summary: Agreement | Literal["no_rule"]  # overall: the strongest reading of the evidence
    open_questions: tuple[str, ...]  # what the records leave open


@dataclass(frozen=True, slots=True)
class Declared:
    """A coverage declaration as a report states it (rules.md Principle 3)."""

    seq: int
    sources: str | None
    records: str | None
    complete: bool
    period_from: str | None
    period_until: str | None

    @classmethod
    def of(cls, record: Any) -> Declared:
        fields = record.fields
        return cls(
            record.seq,
            fields.get("sources"),
            fields.get("records"),
            fields.get("complete") is True,
            fields.get("period_from"),
            fields.get("period_until"),
        )


@dataclass(frozen=True, slots=True)
class Report:
    """The result of checking one case: the unit a cache can store (keyed by its last seq)."""

    case: str | None
    findings: list[Finding]
    explain: list[RuleExplain]
    policy: Policy
    owner_agency: str | None  # the case-owning authority
    as_known_at: datetime | None
    evaluated_at: datetime  # the horizon: T, or now
    possibly_known: tuple[int, ...] = ()  # entries only possibly known at T (not evaluated)
    concordance: tuple[Concordance, ...] = ()
    coverage: tuple[Declared, ...] = ()  # the case's coverage declarations
    point: Moment | None = None  # the point in time asked about, as the user gave it
