"""The hindsight view across a case: what each decision lacked, and how late each agency's
information reached the social services."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from projections.corrections import CORRECTION_TYPES, as_known
from projections.decisions import Decision, decisions
from projections.knowledge import delay_days
from projections.records import Record

UNKNOWN_AGENCY = "(agency not recorded)"


@dataclass(frozen=True, slots=True)
class AgencyDelay:
    agency: str
    entries: int  # entries of this agency with a documented `known` clock
    late: int  # of which known after they occurred
    median_days: float | None
    max_days: float | None
    missing_from: int  # decisions that lacked at least one of its entries


@dataclass(frozen=True, slots=True)
class Gaps:
    decisions: list[Decision]  # only those that lacked something (hindsight not empty)
    agencies: list[AgencyDelay]


def gaps(records: Iterable[Record]) -> Gaps:
    records = list(records)
    views = decisions(records)
    lacking = [view for view in views if view.hindsight]
    delays: dict[str, list[float]] = {}
    for record in as_known(records):
        if record.type in CORRECTION_TYPES or record.retracted_by is not None:
            continue
        days = delay_days(record)
        if days is not None:
            delays.setdefault(record.agency or UNKNOWN_AGENCY, []).append(days)
    missing: dict[str, int] = {}
    for view in lacking:
        for agency in {r.agency or UNKNOWN_AGENCY for r in view.hindsight}:
            missing[agency] = missing.get(agency, 0) + 1
    agencies = [
        AgencyDelay(
            agency=agency,
            entries=len(days),
            late=sum(1 for d in days if d > 0),
            median_days=round(statistics.median(days), 1) if days else None,
            max_days=round(max(days), 1) if days else None,
            missing_from=missing.get(agency, 0),
        )
        for agency, days in ((a, delays.get(a, [])) for a in sorted(set(delays) | set(missing)))
    ]
    return Gaps(lacking, agencies)
