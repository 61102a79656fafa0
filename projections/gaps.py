"""The hindsight view across a case: what each decision lacked, and how late each agency's
information reached the social services."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from projections.corrections import CORRECTION_TYPES, as_known
from projections.decisions import Decision, decisions
from projections.knowledge import Delay, delay
from projections.records import Record

UNKNOWN_AGENCY = "(agency not recorded)"


@dataclass(frozen=True, slots=True)
class AgencyDelay:
    agency: str
    entries: int  # entries of this agency with a documented (not assumed) `known` clock
    late: int  # of which certainly known at least a day after they occurred
    possibly_late: int  # of which the clocks leave it open
    median: Delay | None  # the medians of the lower and of the upper ends
    longest: Delay | None  # the largest lower end and the largest upper end
    missing_from: int  # decisions that lacked at least one of its entries


@dataclass(frozen=True, slots=True)
class Gaps:
    # Decisions that lacked something: information held elsewhere (hindsight), or requests
    # of the authority still unanswered when it decided.
    decisions: list[Decision]
    agencies: list[AgencyDelay]


def gaps(records: Iterable[Record]) -> Gaps:
    records = list(records)
    views = decisions(records)
    lacking = [view for view in views if view.hindsight or view.pending_requests]
    delays: dict[str, list[Delay]] = {}
    for record in as_known(records):
        if record.type in CORRECTION_TYPES or record.retracted_by is not None:
            continue
        if not record.known_assumed:  # an assumed known clock says nothing about delay
            delays.setdefault(record.agency or UNKNOWN_AGENCY, []).append(delay(record))
    missing: dict[str, int] = {}
    for view in lacking:
        for agency in {r.agency or UNKNOWN_AGENCY for r in view.hindsight}:
            missing[agency] = missing.get(agency, 0) + 1
    agencies = [
        AgencyDelay(
            agency=agency,
            entries=len(found),
            late=sum(1 for d in found if d.min_days > 0),
            possibly_late=sum(1 for d in found if d.min_days == 0 < d.max_days),
            median=_median(found),
            longest=_longest(found),
            missing_from=missing.get(agency, 0),
        )
        for agency, found in ((a, delays.get(a, [])) for a in sorted(set(delays) | set(missing)))
    ]
    return Gaps(lacking, agencies)


def _median(found: Sequence[Delay]) -> Delay | None:
    if not found:
        return None
    return Delay(
        min_days=round(statistics.median(d.min_days for d in found)),
        max_days=round(statistics.median(d.max_days for d in found)),
        estimated=any(d.estimated for d in found),
    )


def _longest(found: Sequence[Delay]) -> Delay | None:
    if not found:
        return None
    return Delay(
        min_days=max(d.min_days for d in found),
        max_days=max(d.max_days for d in found),
        estimated=any(d.estimated for d in found),
    )
