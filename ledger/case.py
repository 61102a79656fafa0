"""The Case aggregate: one child case, an append-only sequence of entries.

Every case action is one `Case.EntryRecorded` event whose `originator_version` is the entry's
`seq`. The case validates what only it can know (labels, references, duplicates) and chains
each entry to the previous one by hash as the event is created, so every path that writes
(record, import, correct) produces the same tamper evidence.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.utils import register_topic

from ledger.chain import GENESIS, Chained, chained_payload, entry_hash
from ledger.entry import Draft, Problem, validate_changes
from ledger.message import Message
from ledger.references import Reference
from ledger.vocabulary import event_type

CORRECTION = "EntryCorrected"
CASE_NAMESPACE = UUID("6f1c1d0e-3b52-5b6e-9a57-2f0c9d7e4a11")


def case_id(key: str, secret: bytes | None = None) -> UUID:
    """The aggregate id of a case key; keyed when a secret is configured so ids hide keys."""
    if secret is None:
        return uuid5(CASE_NAMESPACE, key)
    value = int.from_bytes(hmac.new(secret, key.encode(), hashlib.sha256).digest()[:16], "big")
    value = (value & ~(0xF << 76)) | (0x8 << 76)  # version 8: "custom" (RFC 9562)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # the RFC variant
    return UUID(int=value)


class CaseRejected(ValueError):
    """Drafts that the case cannot accept; `problems` pairs a draft's index with a problem."""

    def __init__(self, problems: list[tuple[int, Problem]]) -> None:
        super().__init__("; ".join(f"entry {i + 1}: {p}" for i, p in problems))
        self.problems = problems


@dataclass
class Outcome:
    """What recording a batch of drafts did: seqs in draft order (new or already stored)."""

    seqs: list[int] = field(default_factory=list)
    recorded: int = 0
    skipped: int = 0


class Case(Aggregate):
    """A child case, keyed by the authority's pseudonymous label."""

    class EntryRecorded(Chained, Aggregate.Event):
        TOPIC = "ledger:EntryRecorded"

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
        fingerprint: str
        prev_hash: str
        hash: str

        def mutate(self, aggregate: Case | None) -> Case | None:  # type: ignore[override]
            # A case has no creation event of its own: its first entry founds it, so that
            # an entry's seq is exactly the event's position in the case.
            if aggregate is None:
                aggregate = Case.shell(self.originator_id, self.case, self.timestamp)
            return super().mutate(aggregate)

        def apply(self, aggregate: Case) -> None:
            aggregate.remember(self)

    @classmethod
    def shell(cls, id: UUID, key: str, timestamp: datetime) -> Case:
        case = cls.__new__(cls)
        case.__base_init__(originator_id=id, originator_version=0, timestamp=timestamp)
        case.key = key
        case.labels = {}
        case.fingerprints = {}
        case.types = {}
        case.last_hash = GENESIS
        return case

    @classmethod
    def start(cls, id: UUID, key: str) -> Case:
        return cls.shell(id, key, cls.EntryRecorded.create_timestamp())

    key: str
    labels: dict[str, int]
    fingerprints: dict[str, int]
    types: dict[int, str]
    last_hash: str

    def remember(self, event: Case.EntryRecorded) -> None:
        seq = event.originator_version
        if event.ref is not None:
            self.labels[event.ref] = seq
        self.fingerprints.setdefault(event.fingerprint, seq)
        self.types[seq] = event.type
        self.last_hash = event.hash

    def record(self, drafts: Sequence[Draft]) -> Outcome:
        """Append drafts in order, skipping those already stored; all or nothing. (Their
        recorded_at is stamped again as they are stored: ledger/clock.py.)"""
        outcome, entries = self.prepare(drafts)
        for entry in entries:
            self.trigger_event(Case.EntryRecorded, **entry)
        return outcome

    def prepare(
        self, drafts: Sequence[Draft], recorded_at: datetime | None = None
    ) -> tuple[Outcome, list[dict[str, Any]]]:
        """What recording drafts would append, without appending: the outcome, and each new
        event's attributes (timestamp, chained hash and state) in seq order. `recorded_at`
        is the time a bulk import took under the store's write lock (default: now).

        Raises `CaseRejected` with every problem found. The case itself is left unchanged:
        `record` triggers the events, and a bulk import stores them directly (`new_events`).
        """
        outcome = Outcome()
        problems: list[tuple[int, Problem]] = []
        batch_labels: dict[str, int] = {}
        batch_fingerprints: dict[str, int] = {}
        fresh: list[tuple[int, int, Draft, str]] = []
        next_seq = self.version + 1
        for index, draft in enumerate(drafts):
            if draft.case != self.key:
                problems.append(
                    (
                        index,
                        Problem(
                            "case",
                            Message("belongs to {case}, not {key}", case=draft.case, key=self.key),
                        ),
                    )
                )
                continue
            fingerprint = draft.fingerprint()
            stored = self._stored_seq(draft, fingerprint)
            if isinstance(stored, Problem):
                problems.append((index, stored))
                continue
            if stored is not None:
                outcome.seqs.append(stored)
                outcome.skipped += 1
                continue
            if draft.ref is not None:
                if draft.ref in batch_labels:
                    problems.append(
                        (
                            index,
                            Problem(
                                "ref", Message("'{ref}' is used twice in this input", ref=draft.ref)
                            ),
                        )
                    )
                    continue
                batch_labels[draft.ref] = next_seq
            elif fingerprint in batch_fingerprints:
                outcome.seqs.append(batch_fingerprints[fingerprint])
                outcome.skipped += 1
                continue
            batch_fingerprints.setdefault(fingerprint, next_seq)
            fresh.append((next_seq, index, draft, fingerprint))
            outcome.seqs.append(next_seq)
            next_seq += 1

        last_seq = next_seq - 1
        types = self.types | {seq: draft.type for seq, _, draft, _ in fresh} if fresh else {}
        resolved: list[tuple[list[int], dict[str, Any]]] = []
        for seq, index, draft, _ in fresh:
            resolve = _Resolver(self, seq, last_seq, batch_labels, index, problems)
            basis = [s for s in map(resolve.basis, draft.basis) if s is not None]
            fields = {
                name: resolve.field(name, value) if type(value) in _REFERENCE_TYPES else value
                for name, value in draft.fields.items()
            }
            if draft.type == CORRECTION and fields.get("target") is not None:
                fields["changes"] = self._checked_changes(
                    types[fields["target"]], draft.fields["changes"], resolve, index, problems
                )
            resolved.append((basis, fields))
        if not problems:
            problems.extend(_cycles(fresh, resolved, self.labels | batch_labels))
        if problems:
            raise CaseRejected(sorted(problems, key=lambda p: p[0]))

        entries: list[dict[str, Any]] = []
        prev_hash = self.last_hash
        create_timestamp = Case.EntryRecorded.create_timestamp
        for (seq, _, draft, fingerprint), (basis, fields) in zip(fresh, resolved, strict=True):
            timestamp = recorded_at or create_timestamp()
            known = draft.known
            state: dict[str, Any] = {
                "case": self.key,
                "type": draft.type,
                "ref": draft.ref,
                "occurred": draft.occurred.text,
                "known": known.text if known is not None else None,
                "actor": draft.actor,
                "role": draft.role,
                "agency": draft.agency,
                "on_behalf_of": draft.on_behalf_of,
                "summary": draft.summary,
                "source": draft.source,
                "assessment": draft.assessment,
                "basis": basis,
                "fields": fields,
                "fingerprint": fingerprint,
                "prev_hash": prev_hash,
            }
            prev_hash = entry_hash(chained_payload(state, seq, timestamp))
            state["timestamp"] = timestamp
            state["hash"] = prev_hash
            entries.append(state)
            outcome.recorded += 1
        return outcome, entries

    def new_events(self, entries: Sequence[dict[str, Any]]) -> list[Case.EntryRecorded]:
        """The events `prepare` described, built as the mapper rebuilds stored events (from
        their attributes), for storing directly; the case itself is not changed."""
        events = []
        for seq, entry in enumerate(entries, start=self.version + 1):
            event = object.__new__(Case.EntryRecorded)
            attributes = {"originator_id": self.id, "originator_version": seq, **entry}
            object.__setattr__(event, "__dict__", attributes)
            events.append(event)
        return events

    def _stored_seq(self, draft: Draft, fingerprint: str) -> int | Problem | None:
        if draft.ref is not None and draft.ref in self.labels:
            seq = self.labels[draft.ref]
            if self.fingerprints.get(fingerprint) == seq:
                return seq
            return Problem(
                "ref",
                Message(
                    "'{ref}' is already stored as #{seq} with different content "
                    "(record a correction instead)",
                    ref=draft.ref,
                    seq=seq,
                ),
            )
        if draft.ref is None and fingerprint in self.fingerprints:
            return self.fingerprints[fingerprint]
        return None

    def _checked_changes(
        self,
        target_type: str,
        changes: dict[str, Any],
        resolve: _Resolver,
        index: int,
        problems: list[tuple[int, Problem]],
    ) -> dict[str, Any]:
        normalized, found = validate_changes(event_type(target_type), changes)
        problems.extend((index, problem) for problem in found)
        return {
            name: resolve.field(f"changes.{name}", value)
            if type(value) in _REFERENCE_TYPES
            else value
            for name, value in normalized.items()
        }


_REFERENCE_TYPES = (Reference, tuple)


def _cycles(
    fresh: Sequence[tuple[int, int, Draft, str]],
    resolved: Sequence[tuple[list[int], dict[str, Any]]],
    labels: dict[str, int],
) -> list[tuple[int, Problem]]:
    """References that lead back to the entry they start from (`basis`, `after` or any
    other reference field), one problem per cycle, at the entry that closes it.

    Stored entries refer only to entries stored before them, so a cycle runs through new
    entries alone: an entry's basis cannot rest on itself, nor come after itself."""
    names = {seq: f"@{label}" for label, seq in labels.items()}
    edges: dict[int, list[tuple[str, int]]] = {}
    index_of: dict[int, int] = {}
    for (seq, index, draft, _), (basis, fields) in zip(fresh, resolved, strict=True):
        index_of[seq] = index
        out = [("basis", target) for target in basis]
        for name, value in fields.items():
            if type(draft.fields.get(name)) in _REFERENCE_TYPES:
                targets = value if isinstance(value, list) else [value]
                out.extend((name, t) for t in targets if type(t) is int)
        edges[seq] = out
    problems: list[tuple[int, Problem]] = []
    state: dict[int, int] = {}  # 1: on the current path, 2: done
    for start in edges:
        if start in state:
            continue
        path: list[int] = [start]
        stack = [iter(edges[start])]
        state[start] = 1
        while stack:
            step = next(stack[-1], None)
            if step is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            field_name, target = step
            if target not in edges or state.get(target) == 2:
                continue
            if state.get(target) == 1:
                loop = [*path[path.index(target) :], target]
                shown = " → ".join(names.get(s, f"#{s}") for s in loop)
                problems.append(
                    (
                        index_of[path[-1]],
                        Problem(
                            field_name,
                            Message("the references form a cycle: {cycle}", cycle=shown),
                        ),
                    )
                )
                continue
            state[target] = 1
            path.append(target)
            stack.append(iter(edges[target]))
    return problems


class _Resolver:
    """Resolves one entry's references within its case, collecting what does not resolve."""

    __slots__ = ("batch_labels", "case", "index", "last_seq", "own_seq", "problems")

    def __init__(
        self,
        case: Case,
        own_seq: int,
        last_seq: int,
        batch_labels: dict[str, int],
        index: int,
        problems: list[tuple[int, Problem]],
    ) -> None:
        self.case = case
        self.own_seq = own_seq
        self.last_seq = last_seq
        self.batch_labels = batch_labels
        self.index = index
        self.problems = problems

    def basis(self, reference: Reference) -> int | None:
        return self("basis", reference)

    def field(self, name: str, value: Reference | tuple[Reference, ...]) -> Any:
        if type(value) is tuple:
            return [self(name, v) for v in value]
        return self(name, value)

    def __call__(self, field_name: str, reference: Reference) -> int | None:
        key = self.case.key
        if reference.case is not None and reference.case != key:
            return self._problem(
                field_name,
                Message(
                    "{reference} points into another case; references must stay within {case}",
                    reference=str(reference),
                    case=key,
                ),
            )
        if reference.seq is not None:
            seq: int | None = reference.seq
            if reference.seq > self.last_seq:
                return self._problem(
                    field_name,
                    Message(
                        "{reference} does not exist (the case has {n} entries)",
                        reference=str(reference),
                        n=self.last_seq,
                    ),
                )
        else:
            seq = self.case.labels.get(reference.label) or self.batch_labels.get(reference.label)
            if seq is None:
                return self._problem(
                    field_name,
                    Message(
                        "{reference} does not resolve: no entry has that ref",
                        reference=str(reference),
                    ),
                    unresolved=reference.label,
                )
        if seq == self.own_seq:
            return self._problem(
                field_name, Message("{reference} refers to itself", reference=str(reference))
            )
        return seq

    def _problem(self, field_name: str, message: Message, unresolved: str | None = None) -> None:
        self.problems.append((self.index, Problem(field_name, message, unresolved=unresolved)))
        return None


# Stored events name their class by this topic, not by module path, so code can move freely.
register_topic(Case.EntryRecorded.TOPIC, Case.EntryRecorded)
