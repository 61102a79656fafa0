"""The English phrases every view prints about time, in one place so that the Swedish wording
layer replaces them here and nowhere else."""

from __future__ import annotations

from ledger.timeparse import Moment
from projections.knowledge import Delay
from projections.timeline import ViewPoint


def point_phrase(point: Moment) -> str:
    """A point in time as the user gave it: a period means its end ("the end of 2019-12-31",
    "the end of 2019-12"); an exact minute or second is itself ("2019-12-31 14:00")."""
    if point.precision in ("minute", "second"):
        return point.display()
    return f"the end of {point.display()}"


def view_phrase(view: ViewPoint) -> str:
    """What a view was asked for, e.g. "as known at the end of 2019-12-31 · as of the end of
    2019-12"; empty when it has no point in time."""
    parts = [
        f"{label} {point_phrase(point)}"
        for label, point in (
            ("as known at", view.as_known_at),
            ("as of", view.as_of),
            ("as recorded at", view.as_recorded_at),
        )
        if point is not None
    ]
    return " · ".join(parts)


def view_heading(case: str, view: ViewPoint | None) -> str:
    """The line above a table that says what was asked, e.g. "NK-LH as known at the end of
    2019-12-31 (Stockholm)"; empty when there is no view or it has no point in time."""
    phrase = view_phrase(view) if view is not None else ""
    return f"{case} {phrase} (Stockholm)" if phrase else ""


def delay_phrase(delay: Delay | None) -> str:
    """A delay as a range, e.g. "0–29 days, estimated"; "—" when there is none."""
    if delay is None:
        return "—"
    low, high = delay.min_days, delay.max_days
    days = f"{high} day{'s' * (high != 1)}" if low == high else f"{low}–{high} days"
    return days + (", estimated" if delay.estimated else "")
