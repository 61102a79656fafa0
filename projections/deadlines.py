"""Statutory deadlines on imprecise clocks: one computation for `known`, `check` and diagrams.

A deadline runs from a clock that may name a whole month (`2019-12`), so it is a *window* of
possible deadline instants `[lo, hi]`: the act must come before the deadline, which lies
somewhere in the window (`lo == hi` when the clocks fix it). Deadlines are Stockholm calendar
days: "14 days", "4 months" end at the local midnight after that calendar day, so a deadline
instant is exclusive.

Every deadline is shown as a clock (DESIGN §11): the calendar days on which it may fall,
`2020-04-10` when fixed, `2020-04` when it may be any day of April, or an interval
`2020-04-01/2020-04-30`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal

from ledger.timeparse import (
    STOCKHOLM,
    Moment,
    TimeParseError,
    add_months,
    parse_moment,
    to_stockholm,
)
from ledger.vocabulary import NOT_DOCUMENTED
from projections.language import _

__all__ = [
    "Due",
    "InvestigationDeadline",
    "before",
    "days_after",
    "end_of_day",
    "in_period",
    "investigation_deadline",
    "midnight",
    "months_after",
    "same_day",
    "verdict",
    "window",
]

_EPS = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Due:
    """The possible deadlines: the act must come before the deadline, which lies in
    [lo, hi] (exclusive instants, lo == hi when the clocks fix it)."""

    lo: datetime
    hi: datetime
    # A deadline that is another entry's time ("before the move") is shown as that clock.
    anchor: Moment | None = None
    anchor_words: str = ""  # "the move home #15"

    @property
    def first_day(self) -> date:
        """The earliest calendar day the deadline may be "by the end of"."""
        return _day_ended_by(self.lo)

    @property
    def last_day(self) -> date:
        return _day_ended_by(self.hi)

    @property
    def text(self) -> str:
        """The days the deadline may fall on: `2020-04-10`, `2020-04` or `a/b`."""
        if self.anchor is not None:
            return self.anchor.text
        first, last = self.first_day, self.last_day
        if first == last:
            return first.isoformat()
        next_month = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
        whole_month = first.day == 1 and last + timedelta(days=1) == next_month
        if whole_month and (first.year, first.month) == (last.year, last.month):
            return f"{first.year:04d}-{first.month:02d}"
        return f"{first.isoformat()}/{last.isoformat()}"

    def clock(self) -> Moment:
        """The deadline as a clock: from the start of its first possible day to `hi`."""
        if self.anchor is not None:
            return self.anchor
        start = midnight(self.first_day.isoformat())
        return Moment(self.text, start, to_stockholm(self.hi), "day", False)

    def words(self) -> str:
        """ "by the end of 2020-04-10", or the range of days when the clocks leave it open."""
        if self.anchor is not None:
            return _("before {what} ({time})").format(
                what=self.anchor_words, time=self.anchor.display()
            )
        first, last = self.first_day, self.last_day
        if first == last:
            return _("by the end of {day}").format(day=first.isoformat())
        return _(
            "by the end of a day between {first} and {last} (the clocks do not fix it)"
        ).format(first=first.isoformat(), last=last.isoformat())


# Deadlines are a few local midnights, each worded many times (text, words, clock).
@lru_cache(maxsize=16384)
def _day_ended_by(instant: datetime) -> date:
    """The Stockholm calendar day that ends at (or goes on until) `instant`."""
    return (to_stockholm(instant) - _EPS).date()


def before(moment: Moment, words: str) -> Due:
    """A deadline that is an entry's own time: the act must come before it."""
    return Due(moment.earliest, moment.latest, moment, words)


# Rules ask for the same few days over and over (the periods rules and laws were in force,
# the ends of deadline days): each is computed once.
@lru_cache(maxsize=4096)
def midnight(iso_date: str) -> datetime:
    """Stockholm local midnight at the start of an ISO date."""
    day = date.fromisoformat(iso_date)
    return to_stockholm(datetime.combine(day, time(0), tzinfo=STOCKHOLM))


@lru_cache(maxsize=16384)
def end_of_day(day: date) -> datetime:
    """The Stockholm local midnight that ends `day` (a deadline "by the end of day")."""
    return to_stockholm(datetime.combine(day + timedelta(days=1), time(0), tzinfo=STOCKHOLM))


def _local(dt: datetime) -> datetime:
    return dt.astimezone(STOCKHOLM)


def window(moment: Moment, deadline: Callable[[datetime], datetime]) -> Due:
    """The deadlines of every instant the moment may name (`deadline` is monotone)."""
    return Due(deadline(moment.earliest), deadline(moment.latest - _EPS))


def days_after(days: int) -> Callable[[datetime], datetime]:
    return lambda dt: end_of_day(_local(dt).date() + timedelta(days=days))


def months_after(months: int) -> Callable[[datetime], datetime]:
    return lambda dt: end_of_day(_local(add_months(dt, months)).date())


def same_day(cutoff_hour: int) -> Callable[[datetime], datetime]:
    """ "Genast": by the end of the same day, or of the next for a report that came at or
    after the cut-off hour."""

    def deadline(dt: datetime) -> datetime:
        local = _local(dt)
        day = local.date() + timedelta(days=1 if local.hour >= cutoff_hour else 0)
        return end_of_day(day)

    return deadline


def verdict(moment: Moment, due: Due) -> Literal["on_time", "late", "unclear"]:
    """Whether an act at `moment` certainly came before every possible deadline, certainly
    after every one, or the clocks cannot tell."""
    if moment.latest <= due.lo:
        return "on_time"
    if moment.earliest >= due.hi:
        return "late"
    return "unclear"


def in_period(
    start_date: str | None, end_date: str | None, moment: Moment
) -> Literal["yes", "no", "possibly"]:
    """Whether the time `moment` names lies in the period [start_date, end_date) of local
    dates (either open when None or empty)."""
    start = midnight(start_date) if start_date else None
    end = midnight(end_date) if end_date else None
    if (start is not None and moment.latest <= start) or (
        end is not None and moment.earliest >= end
    ):
        return "no"
    if (start is not None and moment.earliest < start) or (end is not None and moment.latest > end):
        return "possibly"
    return "yes"


# --- SoL 11:2: the investigation's four months and their extension ---------------------------


@dataclass(frozen=True, slots=True)
class InvestigationDeadline:
    """When an investigation must be closed: four months from its opening, or the new
    deadline of an extension decided before the deadline then in force."""

    due: Due
    notes: tuple[str, ...]  # what each extension did, in words
    doubts: tuple[str, ...]  # why the deadline in force cannot be fixed
    extensions: tuple[int, ...]  # seqs of the extensions considered


def _extension_due(new_deadline: object) -> Due | None:
    if not isinstance(new_deadline, str) or new_deadline == NOT_DOCUMENTED:
        return None
    try:
        new = parse_moment(new_deadline)
    except TimeParseError:
        return None
    return Due(new.start if new.approximate else new.end, new.latest)


def investigation_deadline(
    opened: Moment, extensions: Sequence[tuple[int, Moment, object]]
) -> InvestigationDeadline:
    """The deadline of an investigation opened at `opened`, given its extensions as
    (seq, when decided, new_deadline text), in order.

    An extension counts only when decided before the deadline then in force (SoL 11:2); one
    whose clock may fall either side widens the window and is named as a doubt."""
    due = window(opened, months_after(4))
    notes: list[str] = []
    doubts: list[str] = []
    for seq, decided, text in extensions:
        new = _extension_due(text)
        if new is None:
            continue
        then = due.words()
        judged = verdict(decided, due)
        if judged == "on_time":
            due = new
            notes.append(_("Extension #{seq} to {until} honoured.").format(seq=seq, until=text))
        elif judged == "late":
            notes.append(
                _(
                    "Extension #{seq} decided {decided}, after the deadline then in force "
                    "({then}): not honoured."
                ).format(seq=seq, decided=decided.display(), then=then)
            )
        else:
            due = Due(min(due.lo, new.lo), max(due.hi, new.hi))
            notes.append(
                _("Extension #{seq} to {until} possibly decided in time ({then}).").format(
                    seq=seq, until=text, then=then
                )
            )
            doubts.append(
                _(
                    "whether extension #{seq} ({decided}) was decided before the deadline then "
                    "in force cannot be judged"
                ).format(seq=seq, decided=decided.display())
            )
    return InvestigationDeadline(
        due, tuple(notes), tuple(doubts), tuple(seq for seq, _kind, _time in extensions)
    )
