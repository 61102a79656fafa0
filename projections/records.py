"""A case's stored entries, decoded once into plain records that every view reads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any, Protocol

from ledger.timeparse import Moment, parse_moment
from ledger.vocabulary import NOT_DOCUMENTED, EventType, event_type


class StoredEntry(Protocol):
    """What a view needs of a stored entry (the ledger's `Case.EntryRecorded`)."""

    originator_version: int
    timestamp: datetime
    case: str
    type: str
    ref: str | None
    occurred: str
    known: str | None
    actor: str | None
    role: str | None
    agency: str | None
    on_behalf_of: str | None
    summary: str | None
    source: str | None
    assessment: bool
    basis: list[int]
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Record:
    case: str
    seq: int
    ref: str | None
    type: str
    occurred: Moment
    known: Moment
    known_assumed: bool
    recorded_at: datetime
    actor: str | None
    role: str | None
    agency: str | None
    on_behalf_of: str | None
    summary: str | None
    source: str | None
    assessment: bool
    basis: tuple[int, ...]
    fields: Mapping[str, Any]
    # Set by views that apply corrections: which corrections changed it, which retracted it.
    corrected_by: tuple[int, ...] = ()
    retracted_by: int | None = None

    @property
    def spec(self) -> EventType:
        return event_type(self.type)

    @property
    def is_decision(self) -> bool:
        return self.spec.decision

    @property
    def headline(self) -> str | None:
        """What people read as the entry's summary: the summary, or for a note recorded
        without one, the note's own text (JSON keeps `summary` as recorded)."""
        if self.summary:
            return self.summary
        text = self.fields.get("text") if self.type == "NoteRecorded" else None
        return text if isinstance(text, str) and text != NOT_DOCUMENTED else None

    def documented(self, name: str) -> Any:
        """The value of type field `name`, or None when it is absent or recorded as not
        documented: rules and views read an undocumented detail as unknown, never as a value
        (a `moment` field holding it is no time, a `refs` field no list)."""
        value = self.fields.get(name)
        return None if value == NOT_DOCUMENTED else value

    def refs(self, name: str) -> tuple[int, ...]:
        """The entries a `ref` or `refs` field names; none when absent or not documented."""
        value = self.fields.get(name)
        if isinstance(value, int):
            return (value,)
        if isinstance(value, list):
            return tuple(v for v in value if isinstance(v, int))
        return ()

    def references(self) -> set[int]:
        """Every entry this one points at: its basis and its reference fields."""
        found = set(self.basis)
        for name in _reference_names(self.type):
            value = self.fields.get(name)
            if isinstance(value, int):
                found.add(value)
            elif isinstance(value, list):
                found.update(v for v in value if isinstance(v, int))
        return found

    def order_key(self, by: str = "occurred") -> tuple[Any, ...]:
        """DESIGN §3: by occurred, then known, then seq (or known first with --order known)."""
        if by == "known":
            return (*self.known.sort_key(), *self.occurred.sort_key(), self.seq)
        return (*self.occurred.sort_key(), *self.known.sort_key(), self.seq)


@cache
def _reference_names(type_name: str) -> tuple[str, ...]:
    """The names of a type's reference fields, read from the registry once per type: every
    view asks them of every entry."""
    return tuple(spec.name for spec in event_type(type_name).reference_fields)


def to_record(entry: StoredEntry) -> Record:
    occurred = parse_moment(entry.occurred)
    return Record(
        case=entry.case,
        seq=entry.originator_version,
        ref=entry.ref,
        type=entry.type,
        occurred=occurred,
        known=parse_moment(entry.known) if entry.known is not None else occurred,
        known_assumed=entry.known is None,
        recorded_at=entry.timestamp,
        actor=entry.actor,
        role=entry.role,
        agency=entry.agency,
        on_behalf_of=entry.on_behalf_of,
        summary=entry.summary,
        source=entry.source,
        assessment=entry.assessment,
        basis=tuple(entry.basis),
        fields=entry.fields,
    )


def record_of_state(state: Mapping[str, Any]) -> Record:
    """`to_record` of an entry given as its attributes (the mapper's `entry_state`), for
    passes that make no event objects: the same record, field for field."""
    occurred = parse_moment(state["occurred"])
    known = state["known"]
    return Record(
        state["case"],
        state["originator_version"],
        state["ref"],
        state["type"],
        occurred,
        parse_moment(known) if known is not None else occurred,
        known is None,
        state["timestamp"],
        state["actor"],
        state["role"],
        state["agency"],
        state["on_behalf_of"],
        state["summary"],
        state["source"],
        state["assessment"],
        tuple(state["basis"]),
        state["fields"],
    )


def history_records(ledger: Any, key: str) -> list[Record]:
    """`[to_record(entry) for entry in ledger.history(key)]`, made from the entries'
    attributes (`CaseLedger.history_states`) without event objects; in seq order, not yet
    `ordered_after`. A state that does not make a record goes the way of event objects,
    which raises what it raises."""
    try:
        return [record_of_state(state) for state in ledger.history_states(key)]
    except (KeyError, TypeError, AttributeError):
        return [to_record(entry) for entry in ledger.history(key)]


def to_records(entries: Iterable[StoredEntry]) -> list[Record]:
    """One case's entries as records, their clocks narrowed by their `after` references."""
    return ordered_after([to_record(entry) for entry in entries])


def ordered_after(records: Sequence[Record]) -> list[Record]:
    """The records, each entry that names entries it certainly comes after (`after`) dated no
    earlier than the latest start of theirs: its occurred clock, and its known clock with it,
    since nobody knew it before it happened. A lex Sarah closing dated only "2020" after an
    opening of 2020-02 was not possibly known on 2020-01-05, and a view as known then must not
    show it (rules.md Principle 4). The written text of each clock stays as recorded."""
    by_seq: dict[int, Record] = {}
    out = []
    for record in sorted(records, key=lambda r: r.seq):
        # Most entries name no `after` (and `refs` of an absent field is empty).
        bound = (
            max(
                (by_seq[s].occurred.start for s in record.refs("after") if s in by_seq),
                default=None,
            )
            if record.fields.get("after") is not None
            else None
        )
        if bound is not None:
            record = replace(
                record,
                occurred=_not_before(record.occurred, bound),
                known=_not_before(record.known, bound),
            )
        by_seq[record.seq] = record
        out.append(record)
    return out


def _not_before(moment: Moment, bound: datetime) -> Moment:
    # A bound at or past the clock's end contradicts the record; it is kept as written.
    if bound <= moment.start or bound >= moment.end:
        return moment
    return replace(moment, start=bound)


def labels(records: Iterable[Record]) -> dict[int, str | None]:
    """seq → client label, for writing references as `{"seq": 4, "ref": "req1"}`."""
    return {record.seq: record.ref for record in records}


@dataclass(frozen=True, slots=True)
class Authority:
    """The case-owning authority (rules.md Principle 1): the social services and its
    committee, including delegates. Courts, IVO, BVC, school and police are not it."""

    agency: str | None
    committees: frozenset[str]  # the bodies the owner's staff decide on behalf of

    def acts(self, record: Record) -> bool:
        """Whether `record` is an act of the authority: the owner's own entry, or one taken
        on behalf of its committee."""
        if self.agency is not None and record.agency == self.agency:
            return True
        return record.on_behalf_of is not None and record.on_behalf_of in self.committees


def case_authority(records: Sequence[Record], owner: str | None = None) -> Authority:
    """The authority of a case: `owner` (else `case_owner(records)`) and the committees its
    staff act on behalf of."""
    agency = owner if owner is not None else case_owner(records)
    committees = frozenset(
        r.on_behalf_of for r in records if r.on_behalf_of and agency and r.agency == agency
    )
    return Authority(agency, committees)


def case_owner(records: Sequence[Record]) -> str | None:
    """The case-owning authority: the agency that opened the case, else the agency that made
    the most decisions (the first by name among equals)."""
    for record in records:
        if record.type == "CaseOpened" and record.agency:
            return record.agency
    counts: dict[str, int] = {}
    for record in records:
        if record.is_decision and record.agency:
            counts[record.agency] = counts.get(record.agency, 0) + 1
    return min(counts, key=lambda a: (-counts[a], a)) if counts else None


def unit_of(record: Record) -> str | None:
    """The organisational unit an entry comes from, for grouping findings across cases and
    for the recurrence question of a lex Sarah investigation ("similar events in the same
    unit"). The envelope records no unit or department; the nearest it holds is the agency
    and the actor's role within it (`Socialtjänsten Åstorp / socialsekreterare`). An entry
    without an agency has no unit; one without a role is its agency's."""
    if not record.agency:
        return None
    return f"{record.agency} / {record.role}" if record.role else record.agency
