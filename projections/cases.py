"""One line per case: how many entries, the span they cover, where the case stands.

A summary is a fold over a case's entries in the order they were stored, so it can be kept up
to date one entry at a time (the materialised case index) or built from scratch; both give
the same result.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ledger.erasure import Erased
from ledger.timeparse import Moment, parse_moment, to_stockholm
from projections.language import N_
from projections.records import Record, StoredEntry, to_record

# What an entry of these types says about where the case stands (the latest one wins).
# The words are codes in JSON; tables show them in the reader's language.
_STANDING: dict[str, str] = {
    "CaseOpened": N_("open"),
    "InvestigationOpened": N_("investigation open"),
    "InvestigationClosed": N_("open"),
    "ImmediateCustodyOrdered": N_("immediate custody"),
    "CareOrdered": N_("LVU care"),
    "CareEnded": N_("LVU care ended"),
    "PlacementStarted": N_("placed"),
    "PlacementEnded": N_("placement ended"),
    "ChildMovedHome": N_("child moved home"),
    "FollowUpStarted": N_("follow-up after care"),
    "FollowUpEnded": N_("follow-up ended"),
    "ChildDied": N_("child died"),
    "SupervisionOpened": N_("under IVO supervision"),
    "SupervisionDecision": N_("IVO decided"),
}


@dataclass
class CaseSummary:
    case: str
    entries: int
    first: Moment
    last: Moment
    last_type: str
    last_recorded_at: datetime
    last_seq: int
    status: str = "open"
    open_reports: list[int] = field(default_factory=list)

    @classmethod
    def start(cls, record: Record) -> CaseSummary:
        return cls(
            record.case, 0, record.occurred, record.occurred, record.type, record.recorded_at, 0
        )

    def add(self, record: Record) -> CaseSummary:
        """This summary with one more entry (entries arrive in seq order)."""
        summary = self.copy()
        summary.absorb(record)
        return summary

    def copy(self) -> CaseSummary:
        return replace(self, open_reports=list(self.open_reports))

    def absorb(self, record: Record) -> None:
        """Fold one more entry into this summary, in place (entries arrive in seq order)."""
        previous = self.last.sort_key()
        key = record.occurred.sort_key()
        self.entries += 1
        self.last_seq = record.seq
        self.last_recorded_at = max(self.last_recorded_at, record.recorded_at)
        if key < self.first.sort_key():
            self.first = record.occurred
        if key >= previous:
            self.last = record.occurred
            self.last_type = record.type
            if record.type in _STANDING:
                self.status = _STANDING[record.type]
        if record.type == "ConcernReportReceived":
            self.open_reports.append(record.seq)
        elif record.type == "ProtectionAssessmentMade":
            answered = record.fields.get("report")
            self.open_reports = [s for s in self.open_reports if s != answered]

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "entries": self.entries,
            "first_occurred": self.first.to_json(),
            "last_occurred": self.last.to_json(),
            "last_type": self.last_type,
            "last_recorded_at": to_stockholm(self.last_recorded_at).isoformat(),
            "last_seq": self.last_seq,
            "status": self.status,
            "reports_awaiting_protection_assessment": len(self.open_reports),
        }

    def to_state(self) -> dict[str, Any]:
        """What the materialised index keeps to resume the fold."""
        return {
            **self.to_json(),
            "open_reports": self.open_reports,
            "first": self.first.text,
            "last": self.last.text,
            "recorded_at": self.last_recorded_at.isoformat(),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> CaseSummary:
        return cls(
            case=state["case"],
            entries=state["entries"],
            first=parse_moment(state["first"]),
            last=parse_moment(state["last"]),
            last_type=state["last_type"],
            last_recorded_at=datetime.fromisoformat(state["recorded_at"]),
            last_seq=state["last_seq"],
            status=state["status"],
            open_reports=list(state["open_reports"]),
        )


@dataclass(frozen=True)
class ErasedCase:
    """A case whose key was destroyed (`ledger erase`): all the index keeps of it is that,
    when, and how many entries it had; nothing of what they said."""

    case: str
    entries: int
    erased_at: datetime
    last_seq: int

    @classmethod
    def of(cls, erased: Erased) -> ErasedCase:
        return cls(erased.case, len(erased.rows), erased.timestamp, erased.originator_version)

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "entries": self.entries,
            "erased_at": to_stockholm(self.erased_at).isoformat(),
        }

    def to_state(self) -> dict[str, Any]:
        return {**self.to_json(), "erased": True, "last_seq": self.last_seq}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ErasedCase:
        return cls(
            state["case"],
            state["entries"],
            datetime.fromisoformat(state["erased_at"]),
            state["last_seq"],
        )


Summary = CaseSummary | ErasedCase


def summary_from_state(state: dict[str, Any]) -> Summary:
    """A kept index row: a case's summary, or the record that it was erased."""
    return ErasedCase.from_state(state) if state.get("erased") else CaseSummary.from_state(state)


def summarise(entries: Iterable[Any], known: dict[str, Any] | None = None) -> dict[str, Any]:
    """Fold entries and erasure records (in stored order) into per-case summaries,
    continuing from `known`. An erasure replaces its case's summary; an erased case's
    entries are not read (they cannot be), and the erasure comes after all of them."""
    return summarise_records(
        (entry if isinstance(entry, Erased) else to_record(entry) for entry in entries), known
    )


def summarise_records(
    records: Iterable[Record | Erased], known: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`summarise` over entries already decoded into records (and erasure records)."""
    summaries = dict(known or {})
    owned: set[str] = set()  # summaries made in this fold, changed in place
    for record in records:
        if isinstance(record, Erased):
            summaries[record.case] = ErasedCase.of(record)
            continue
        case = record.case
        current = summaries.get(case)
        if isinstance(current, ErasedCase):
            continue  # its entries are not read (they cannot be)
        if case not in owned:
            # `known` is the caller's: its summaries are copied before they change.
            current = CaseSummary.start(record) if current is None else current.copy()
            summaries[case] = current
            owned.add(case)
        assert current is not None
        if record.seq <= current.last_seq:
            continue  # already counted: a view never counts an entry twice
        current.absorb(record)
    return summaries


def case_summaries(entries: Iterable[StoredEntry]) -> list[CaseSummary]:
    """Summaries of every case seen in `entries`, sorted by case key."""
    summaries = summarise(entries)
    return [s for key in sorted(summaries) if isinstance(s := summaries[key], CaseSummary)]
