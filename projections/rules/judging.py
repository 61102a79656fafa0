"""The shared evaluator: a case read for the rules, and the generic deadline judgement.

How the clocks are read (rules.md Principles 3, 6, 7):

- **As known at T.** `Context.live` holds the entries certainly known at T (all without T),
  `Context.maybe` those only possibly known. A satisfying entry only possibly known makes a
  finding `undetermined`. A deadline not yet passed at T is `pending`.
- **Imprecise times.** A deadline is breached only when certainly breached: the satisfying
  act's earliest possible time after the deadline's latest possible time, or no act and the
  latest possible deadline passed. Anything else is `undetermined`, with the reason.
- **Absence of a record.** No act recorded is a breach only inside a period the case declares
  complete (`CoverageDeclared` with `complete: true`); elsewhere it is `no_record`: not
  documented in the examined records.
- **Death.** A deadline falling after the child's death ended with it: reported neutrally
  (`ended_by_death` in the explanation), never as lapsed or breached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Literal, TypeVar

from ledger.timeparse import Moment, TimeParseError, parse_moment
from ledger.vocabulary import NOT_DOCUMENTED
from projections.deadlines import Due, verdict
from projections.language import _
from projections.records import Authority, Record
from projections.rules.model import Norm, Status, type_name
from projections.rules.wording import (
    imprecision,
    instant_text,
    label,
    name,
    point_text,
    unclear_reason,
)
from projections.rules_config import Policy

T = TypeVar("T")

_COVERAGE = type_name("CoverageDeclared")
_DIED = type_name("ChildDied")


def documented(value: object) -> bool:
    """Whether a field holds a value: absent and "not documented" are unknown, never a value."""
    return value is not None and value != NOT_DOCUMENTED


# --- coverage (Principle 3) -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Coverage:
    """Which periods the examined records cover completely, from the case's declarations."""

    declarations: tuple[Record, ...]
    complete: tuple[tuple[datetime | None, datetime | None], ...]

    @classmethod
    def of(cls, records: Iterable[Record]) -> Coverage:
        declarations = tuple(r for r in records if r.type == _COVERAGE)
        periods = []
        for record in declarations:
            fields = record.fields
            if fields.get("complete") is not True or fields.get("sources") == "public_sources":
                continue
            periods.append(
                (_edge(fields.get("period_from"), True), _edge(fields.get("period_until"), False))
            )
        return cls(declarations, tuple(periods))

    def covers(self, start: datetime, end: datetime) -> bool:
        """Whether [start, end) lies inside one period declared complete."""
        return any(
            (lo is None or lo <= start) and (hi is None or end <= hi) for lo, hi in self.complete
        )

    def words(self) -> str:
        """What the case declares, for a `no_record` finding's reason."""
        if not self.declarations:
            return _("the case declares no examined records complete (no coverage declaration)")
        kinds = sorted({str(r.fields.get("sources")) for r in self.declarations})
        refs = ", ".join(label(r) for r in self.declarations)
        if kinds == ["public_sources"]:
            return _("the case rests on public sources only ({refs})").format(refs=refs)
        return _("the examined records are not declared complete for that period ({refs})").format(
            refs=refs
        )


def _edge(value: object, start: bool) -> datetime | None:
    if not isinstance(value, str) or not documented(value):
        return None
    try:
        moment = parse_moment(value)
    except TimeParseError:
        return None
    return moment.start if start else moment.end


# --- the case as the rules read it ------------------------------------------------------------


@dataclass
class Context:
    live: list[Record]  # entries certainly known at T (all without T), in order
    maybe: list[Record]  # entries only possibly known at T
    horizon: datetime
    point: Moment | None  # the point in time asked about, as the user gave it (None: now)
    policy: Policy
    authority: Authority
    coverage: Coverage
    by_type: dict[str, list[Record]] = field(default_factory=dict)
    maybe_by_type: dict[str, list[Record]] = field(default_factory=dict)
    # Facts of the case that several rules read (its investigations, its placements),
    # computed once per check: see `once`.
    _facts: dict[object, object] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for record in self.live:
            self.by_type.setdefault(record.type, []).append(record)
        for record in self.maybe:
            self.maybe_by_type.setdefault(record.type, []).append(record)

    @property
    def owner(self) -> str | None:
        return self.authority.agency

    def of(self, *types: str) -> list[Record]:
        if len(types) == 1:
            return self.by_type.get(types[0], [])
        found = [self.by_type[t] for t in dict.fromkeys(types) if t in self.by_type]
        if len(found) <= 1:
            # One type present: its records are already in the case's order (a copy, as the
            # scan below gives).
            return list(found[0]) if found else []
        return [r for r in self.live if r.type in types]

    def maybe_of(self, *types: str) -> list[Record]:
        return [r for t in types for r in self.maybe_by_type.get(t, [])]

    def once(self, key: object, compute: Callable[[], T]) -> T:
        """`compute()`, computed on the first call with `key` in this check and kept: a fact
        of the case (its investigations, its deaths) that several rules read. The result
        is shared, so callers must not change it."""
        try:
            return self._facts[key]  # type: ignore[return-value]
        except KeyError:
            found = self._facts[key] = compute()
            return found

    @property
    def at_words(self) -> str:
        """ " as known at the end of 2019-12-31" or ""."""
        if self.point is None:
            return ""
        return self.once(
            "at_words",
            lambda: (
                " "
                + _("as known at {point}").format(
                    point=point_text(self.point)  # type: ignore[arg-type]
                )
            ),
        )

    def deaths(self) -> list[End]:
        """The child's deaths as the ends of deadlines (a list shared by the rules: copy it
        before adding to it)."""
        return self.once(
            "deaths", lambda: [End(r, _("the child died"), death=True) for r in self.of(_DIED)]
        )


@dataclass(frozen=True, slots=True)
class End:
    """What a deadline ends with: the end of care or of a ban (lapse), or the child's death."""

    record: Record
    words: str
    death: bool = False


@dataclass(frozen=True, slots=True)
class Result:
    kind: Literal["met", "lapsed", "ended_by_death", "finding"]
    status: Status | None = None
    refs: tuple[int, ...] = ()
    due: Due | None = None
    met: Moment | None = None
    message: str = ""
    reason: str | None = None
    # When the verdict can change with time alone: an open deadline's passing.
    recheck_at: datetime | None = None
    policy: Norm | None = None  # None: the rule's own


MET = Result("met")
LAPSED = Result("lapsed")
ENDED_BY_DEATH = Result("ended_by_death")


@dataclass(frozen=True, slots=True)
class Trigger:
    record: Record
    time: Moment
    evaluate: Callable[[], Result]


def triggers(
    records: Iterable[Record], evaluate: Callable[[Record], Result], clock: str = "occurred"
) -> list[Trigger]:
    """One trigger per record, judged at its `occurred` (or `known`) clock."""
    # partial rather than a lambda: one call frame less for every trigger.
    return [Trigger(r, getattr(r, clock), partial(evaluate, r)) for r in records]


def possibly_known(ctx: Context, records: Iterable[Record]) -> list[tuple[Record, str]]:
    return [
        (
            r,
            _("{name} is only possibly known at {time}").format(
                name=name(r), time=instant_text(ctx.horizon)
            ),
        )
        for r in records
    ]


# --- the generic deadline judgement -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deadline:
    """What one deadline needs to be judged."""

    trigger: Record
    time: Moment  # the trigger's clock the deadline runs from
    due: Due
    opening: str  # "Report #16 (report-1) received 2019-12"
    wanted: str  # "protection assessment" (what is missing, in words)
    due_words: str  # "the same day"
    deadline_name: str  # "the same-day deadline"
    status: Status  # the status when certainly missed (the rule's severity)
    fine: str = "day"  # the trigger precision the deadline needs
    ends: Sequence[End] = ()  # what the deadline ends with
    notes: str = ""  # extra words for the message (e.g. extensions)
    extra_refs: tuple[int, ...] = ()
    imprecision_extra: str = ""
    # Met by any act of a kind (the next review, any contact): a later recorded act shows
    # only that no earlier one is in the records, which proves nothing outside coverage.
    any_act: bool = False


def _due_phrase(d: Deadline) -> str:
    """ "within 14 days, by the end of 2020-03-16"; a deadline that is an entry's own time
    says only that ("before the move home #15 (2019-04)")."""
    if d.due.anchor is not None:
        return d.due.words()
    return f"{d.due_words}, {d.due.words()}"


def not_documented_reason(ctx: Context) -> str:
    """Why a missing act is `no_record`: what the case declares of its records (the same
    for every finding of a check, so worded once)."""
    return ctx.once(
        not_documented_reason,
        lambda: _("not documented in the examined records: {coverage}").format(
            coverage=ctx.coverage.words()
        ),
    )


def missing(d: Deadline, ctx: Context, message: str, refs: tuple[int, ...]) -> Result:
    """No act recorded and the deadline certainly passed: a breach only where the records
    are declared complete for the whole time the act could have come in (Principle 3)."""
    if ctx.coverage.covers(d.time.earliest, d.due.hi):
        return Result("finding", d.status, refs, d.due, None, message)
    return Result(
        "finding",
        "no_record",
        refs,
        d.due,
        None,
        message,
        not_documented_reason(ctx),
    )


def met_in_time(
    due: Due,
    satisfiers: Iterable[Record],
    when: Callable[[Record], Moment] = lambda r: r.occurred,
) -> bool:
    """Whether an act among `satisfiers` certainly came before every possible deadline: then
    `judge` finds the deadline met whatever else the case holds, so a rule may ask this
    before it words the deadline (most deadlines are met; their words would go unread)."""
    return any(verdict(when(s), due) == "on_time" for s in satisfiers)


def judge(
    d: Deadline,
    ctx: Context,
    satisfiers: Sequence[Record],
    *,
    when: Callable[[Record], Moment] = lambda r: r.occurred,
    doubtful: Sequence[tuple[Record, str]] = (),
) -> Result:
    """Met, certainly missed, not recorded, pending or undetermined (module docstring)."""
    if met_in_time(d.due, satisfiers, when):
        return MET
    due_text = d.due.words()
    ordered = sorted(satisfiers, key=lambda r: (when(r).sort_key(), r.seq))
    verdicts = [(s, verdict(when(s), d.due)) for s in ordered]
    base_refs = (d.trigger.seq, *d.extra_refs)
    notes = f" {d.notes}" if d.notes else ""

    def undetermined(s: Record, template: str, reason: str | None) -> Result:
        """An act whose clock may fall either side of the deadline."""
        message = template.format(
            opening=d.opening,
            name=name(s),
            time=when(s).display(),
            due_words=d.due_words,
            due=due_text,
            notes=notes,
        )
        return Result(
            "finding", "undetermined", (*base_refs, s.seq), d.due, when(s), message, reason
        )

    unclear = [s for s, v in verdicts if v == "unclear"]
    if unclear:
        s = unclear[0]
        reason = unclear_reason(
            [(d.trigger, d.time, d.fine), (s, when(s), "day")],  # type: ignore[list-item]
            d.deadline_name,
            d.imprecision_extra,
        )
        template = _(
            "{opening}; {name} dated {time}: cannot tell whether it came {due_words} "
            "(due {due}).{notes}"
        )
        return undetermined(s, template, reason)
    maybe = [
        (s, why)
        for s, why in doubtful
        if verdict(when(s), d.due) != "late" and s.seq not in {x.seq for x in ordered}
    ]
    if maybe:
        s, why = maybe[0]
        template = _(
            "{opening}; {name} dated {time} may or may not meet the deadline "
            "({due_words}, due {due}).{notes}"
        )
        return undetermined(s, template, why)
    late = [s for s, v in verdicts if v == "late"]
    if late:
        s = late[0]
        status = d.status
        if d.any_act and not ctx.coverage.covers(d.time.earliest, d.due.hi):
            return Result(
                "finding",
                "no_record",
                (*base_refs, s.seq),
                d.due,
                when(s),
                _(
                    "{opening}; no {wanted} is recorded before {name} ({time}){at}; it was "
                    "due {due}.{notes}"
                ).format(
                    opening=d.opening,
                    wanted=d.wanted,
                    name=name(s),
                    time=when(s).display(),
                    at=ctx.at_words,
                    due=_due_phrase(d),
                    notes=notes,
                ),
                not_documented_reason(ctx),
            )
        return Result(
            "finding",
            status,
            (*base_refs, s.seq),
            d.due,
            when(s),
            _(
                "{opening}; {name} came {time}, after the deadline ({due_words}, {due}).{notes}"
            ).format(
                opening=d.opening,
                name=name(s),
                time=when(s).display(),
                due_words=d.due_words,
                due=due_text,
                notes=notes,
            ),
        )
    # Nothing satisfies it: ended, missed, not recorded, pending or undetermined.
    possible_end = None
    for end in d.ends:
        if end.record.occurred.latest <= d.due.lo:
            return ENDED_BY_DEATH if end.death else LAPSED
        if end.record.occurred.earliest < d.due.hi and possible_end is None:
            possible_end = end
    absent = _("no {wanted} is recorded{at}").format(wanted=d.wanted, at=ctx.at_words)
    if ctx.horizon >= d.due.hi:
        message = _("{opening}; {absent}; it was due {due}.{notes}").format(
            opening=d.opening, absent=absent, due=_due_phrase(d), notes=notes
        )
        if possible_end is not None:
            end = possible_end
            ended = (
                _(
                    "{end} ({ref}, {time}), possibly before the deadline; {deadline} may have "
                    "ended with the death"
                )
                if end.death
                else _(
                    "{end} ({ref}, {time}), possibly before the deadline; {deadline} may have "
                    "lapsed"
                )
            )
            return Result(
                "finding",
                "undetermined",
                (*base_refs, end.record.seq),
                d.due,
                None,
                message,
                ended.format(
                    end=end.words,
                    ref=label(end.record),
                    time=end.record.occurred.display(),
                    deadline=d.deadline_name,
                ),
            )
        return missing(d, ctx, message, base_refs)
    if ctx.horizon < d.due.lo:
        return Result(
            "finding",
            "pending",
            base_refs,
            d.due,
            None,
            _("{opening}; no {wanted} yet{at}; due {due}.{notes}").format(
                opening=d.opening, wanted=d.wanted, at=ctx.at_words, due=_due_phrase(d), notes=notes
            ),
            recheck_at=d.due.lo,
        )
    return Result(
        "finding",
        "undetermined",
        base_refs,
        d.due,
        None,
        _("{opening}; {absent}; it is due {due}.{notes}").format(
            opening=d.opening, absent=absent, due=_due_phrase(d), notes=notes
        ),
        _("the deadline may or may not have passed at {time}; {why}").format(
            time=instant_text(ctx.horizon),
            why=(
                _(" and ").join(imprecision([(d.trigger, d.time, d.fine)]))  # type: ignore[list-item]
                or _("the deadline is not fixed by the clocks")
            ),
        ),
        recheck_at=d.due.hi,
    )
