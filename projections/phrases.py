"""The phrases every view prints about time, in one place, in the reader's language."""

from __future__ import annotations

from ledger.timeparse import Moment
from projections.knowledge import Delay
from projections.language import _, ngettext
from projections.timeline import ViewPoint


def point_phrase(point: Moment) -> str:
    """A point in time as the user gave it: a period means its end ("vid utgången av
    2019-12-31", "the end of 2019-12"); an exact minute or second is itself ("2019-12-31
    14:00")."""
    if point.precision in ("minute", "second"):
        return point.display()
    return _("the end of {point}").format(point=point.display())


def view_phrase(view: ViewPoint) -> str:
    """What a view was asked for, e.g. "känt vid utgången av 2019-12-31 · inträffat vid
    utgången av 2019-12"; empty when it has no point in time."""
    parts = [
        template.format(point=point_phrase(point))
        for template, point in (
            (_("as known at {point}"), view.as_known_at),
            (_("as of {point}"), view.as_of),
            (_("as recorded at {point}"), view.as_recorded_at),
        )
        if point is not None
    ]
    return " · ".join(parts)


def view_heading(case: str, view: ViewPoint | None) -> str:
    """The line above a table that says what was asked, e.g. "NK-LH känt vid utgången av
    2019-12-31 (svensk tid)"; empty when there is no view or it has no point in time."""
    phrase = view_phrase(view) if view is not None else ""
    return _("{case} {view} (Stockholm)").format(case=case, view=phrase) if phrase else ""


def delay_phrase(delay: Delay | None) -> str:
    """A delay as a range, e.g. "0–29 dagar, uppskattat"; "—" when there is none."""
    if delay is None:
        return "—"
    low, high = delay.min_days, delay.max_days
    if low == high:
        days = ngettext("{days} day", "{days} days", high).format(days=high)
    else:
        days = _("{low}–{high} days").format(low=low, high=high)
    return _("{days}, estimated").format(days=days) if delay.estimated else days
