"""Checkpoints kept in the ledger's own database, beside the exported checkpoints log.

A checkpoints log that lives only in a file beside the database goes with it: deleting or
emptying `<db>.checkpoints` used to make `verify` say "intact" after the newest entries were
deleted. Every checkpoint is now also stored in the ledger, as an event of one stream of its
own (topic `ledger:CheckpointKept`), and `verify` checks the two copies against each other
and every checkpoint of either against the tree: to hide a tail deletion, both must go (and
a checkpoint handed to a third party still tells).

The notes are signed, so they need no hash chain of their own; the copies are compared note
by note, in order.

Beside each note the ledger keeps the Merkle tree's leaf hashes the checkpoint added to those
kept before (`leaves`, base64): a checkpoint holds only a size and a root, so when the tree no
longer gives its root, these leaves (trusted only if they give that signed root) tell which
entry is the first that changed (ledger/integrity.py).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import register_topic

from ledger.message import Message

if TYPE_CHECKING:
    from ledger.application import CaseLedger

CHECKPOINT_TOPIC = "ledger:CheckpointKept"
CHECKPOINTS_STREAM = uuid5(UUID("0b5e7c7a-2d4f-5e61-8a3c-6d1f4b9e2a70"), "checkpoints")
WRITE_ATTEMPTS = 20


class KeptCheckpoints(Aggregate):
    """The ledger's own copy of its checkpoints log, one event per signed note."""

    class Kept(Aggregate.Event):
        TOPIC = CHECKPOINT_TOPIC

        note: str
        leaves: str  # base64 leaf hashes this checkpoint added; "" where not kept

        def mutate(self, aggregate: KeptCheckpoints | None) -> KeptCheckpoints | None:  # type: ignore[override]
            # No creation event: the first checkpoint founds the stream, so a note's version
            # is its number in the log.
            if aggregate is None:
                aggregate = KeptCheckpoints.shell(self.originator_id, self.timestamp)
            return super().mutate(aggregate)

        def apply(self, aggregate: KeptCheckpoints) -> None:
            aggregate.notes.append(self.note)

    notes: list[str]

    @classmethod
    def shell(cls, id: UUID, timestamp: datetime) -> KeptCheckpoints:
        kept = cls.__new__(cls)
        kept.__base_init__(originator_id=id, originator_version=0, timestamp=timestamp)
        kept.notes = []
        return kept

    def keep(self, note: str, leaves: bytes = b"") -> None:
        self.trigger_event(
            KeptCheckpoints.Kept, note=note, leaves=base64.b64encode(leaves).decode()
        )


register_topic(CHECKPOINT_TOPIC, KeptCheckpoints.Kept)


def kept_notes(ledger: CaseLedger) -> list[str]:
    """The checkpoints the ledger keeps, oldest first."""
    return [
        ledger.mapper.to_domain_event(stored).note  # type: ignore[attr-defined]
        for stored in ledger.recorder.select_events(CHECKPOINTS_STREAM)
    ]


def kept_leaves(ledger: CaseLedger) -> bytes:
    """The leaf hashes kept beside the checkpoints, in order (32 bytes each); copies made
    before leaves were kept, or damaged, add none."""
    leaves = bytearray()
    for stored in ledger.recorder.select_events(CHECKPOINTS_STREAM):
        try:
            kept = ledger.mapper.to_domain_event(stored)
            added = base64.b64decode(getattr(kept, "leaves", ""), validate=True)
        except Exception:  # an unreadable copy is named by custody; its leaves are not used
            continue
        if len(added) % 32 == 0:
            leaves += added
    return bytes(leaves)


def keep_notes(ledger: CaseLedger, notes: Sequence[str], leaves: bytes = b"") -> None:
    """Append notes to the ledger's copy (in one transaction); `leaves` are the leaf hashes
    the last note's checkpoint added to those kept."""
    if not notes:
        return
    for attempt in range(WRITE_ATTEMPTS):
        kept = KeptCheckpoints.shell(CHECKPOINTS_STREAM, KeptCheckpoints.Kept.create_timestamp())
        for stored in ledger.recorder.select_events(CHECKPOINTS_STREAM):
            ledger.mapper.to_domain_event(stored).mutate(kept)  # type: ignore[attr-defined]
        for number, note in enumerate(notes, start=1):
            kept.keep(note, leaves if number == len(notes) else b"")
        try:
            ledger.save(kept)
            return
        except IntegrityError:
            if attempt == WRITE_ATTEMPTS - 1:
                raise


def custody_problems(
    kept: Sequence[str], logged: Sequence[str], log_exists: bool
) -> list[tuple[int, str]]:
    """Where the ledger's copy and the checkpoints log disagree: (checkpoint number, what).

    A ledger that keeps no copy yet (checkpoints made before copies were kept) is not a
    problem: its log's notes are checked against the tree as before, and the next
    `checkpoint` copies them."""
    problems = []
    for number, (ours, theirs) in enumerate(zip(kept, logged, strict=False), start=1):
        if ours != theirs:
            problems.append((number, Message("the checkpoints log and the ledger's copy differ")))
    if kept and len(logged) > len(kept):
        problems.append(
            (
                len(kept) + 1,
                Message(
                    "checkpoints {first}–{last} are in the checkpoints log but not in the "
                    "ledger's copy (deleted from the database)",
                    first=len(kept) + 1,
                    last=len(logged),
                ),
            )
        )
    if log_exists and len(kept) > len(logged):
        problems.append(
            (
                len(logged) + 1,
                Message(
                    "checkpoints {first}–{last} are kept by the ledger but missing from the "
                    "checkpoints log (deleted or emptied)",
                    first=len(logged) + 1,
                    last=len(kept),
                ),
            )
        )
    return problems


def notes_to_check(kept: Sequence[str], logged: Sequence[str]) -> list[str]:
    """Every checkpoint either copy holds: the longer copy in order, then any note of the
    shorter one that differs from the longer's at its place."""
    longer, shorter = (kept, logged) if len(kept) >= len(logged) else (logged, kept)
    extra = [theirs for ours, theirs in zip(longer, shorter, strict=False) if ours != theirs]
    return [*longer, *extra]


def to_catch_up(kept: Sequence[str], logged: Sequence[str]) -> list[str]:
    """Notes of the log the ledger's copy still lacks, where its copy is a prefix of the log
    (a ledger checkpointed before copies were kept); [] otherwise."""
    if len(logged) > len(kept) and list(logged[: len(kept)]) == list(kept):
        return list(logged[len(kept) :])
    return []
