"""Erasing a case after its retention: crypto-shredding in an immutable ledger.

SoL (2001:453) 12 kap. 1 § (as worded by SFS 2003:135): the notes and other information in a
personal file (personakt) are to be culled ("gallras") five years after the last note was
made in the file, the culling finished at the latest in the calendar year after the duty
arose; 12 kap. 2 § exempts, among others, documents received or drawn up when a child was
placed in an HVB, a family home or another private home. Source: SFS 2003:135 as published
on open.karnovgroup.se (statute text: high confidence for that wording; that it is still in
force unchanged: medium, a municipal Q&A of 2020 quotes it with "Lag (2003:135)" as the last
change); the corresponding provision of socialtjänstlag (2025:400) is not verified.

An immutable ledger cannot delete the entries: the hash chains, the Merkle tree and every
checkpoint handed out stand on them. What it can destroy is the key. Each case's entries are
sealed with a key of its own (ledger/case_keys.py); `erase_case` destroys it, and the entries
stay in the store as ciphertext nobody can open.

What "after its retention" means here: five years after the case's last note, taken as the
latest of its entries' `recorded_at` (when the ledger wrote the note) and the end of their
`known` clock (when the social services had it), so an imprecise or late note never makes
the erasure early. A case holding a placement (`PlacementStarted`) falls under the 12:2
exemption and is not erased. Either is overridden only with `before_retention`, which the
erasure record keeps beside its reason.

The erasure is itself recorded: one `CaseErasure.Erased` event at the next seq of the case's
own stream, sealed with the ledger key (it outlives the case key), hash-chained to the case's
last entry and a leaf of the Merkle tree like an entry, so checkpoints cover it. It names who
erased, when (its `recorded_at`), why, the retention it relied on, and for every entry its
seq, its chain hash and the SHA-256 of its stored ciphertext. With those, `verify` still
checks every row of the erased case (its ciphertext unchanged since, its leaf in the tree)
and the tree's root does not change, so every earlier checkpoint and proof still holds.

What else holds the case: its access records hold who read it, the command, the pseudonymous
case key and the stated purpose, none of what the entries say; they stay sealed with the
ledger key and outlive the erasure (they are the record of the reads, and `verify` checks
them). Its kept view rows and drafts do hold case data; they are deleted with the erasure
rather than sealed with the case key, since any copy of the database that still holds them
holds the wrapped case key as well.

Order of work: the record first, then the key, then the derived rows (kept views, drafts).
Killed in between, the case already reads as erased, `verify` says its key still exists,
and running `erase` again finishes the work.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import register_topic

from ledger.chain import GENESIS, Chained, chained_payload, entry_hash

if TYPE_CHECKING:
    from eventsourcing.persistence import StoredEvent

    from ledger.application import CaseLedger

ERASURE_TOPIC = "ledger:CaseErased"
RETENTION_YEARS = 5
RETENTION_LAW = "SoL (2001:453) 12 kap. 1 §"
EXEMPT_TYPES = frozenset({"PlacementStarted"})
"""Entry types whose documents SoL 12 kap. 2 § exempts from culling (a child placed)."""
MAX_REASON = 1000
WRITE_ATTEMPTS = 20


class ErasureRefused(ValueError):
    """An erasure that may not or cannot be done; nothing was changed."""


class CaseErased(LookupError):
    """The case was erased: its entries are unreadable by design."""

    def __init__(self, erased: Erased) -> None:
        self.erased = erased
        super().__init__(
            f"{erased.case} was erased on {erased.day} ({erased.reason}); its entries are "
            "unreadable by design"
        )


class CaseErasure(Aggregate):
    """A case's stream as it stands at its erasure (only the erasure event is written)."""

    class Erased(Chained, Aggregate.Event):
        TOPIC = ERASURE_TOPIC

        case: str
        user: str
        reason: str
        last_note: str  # ISO instant: the case's last note, where its retention starts
        retention_ends: str  # ISO instant: five years after the last note
        before_retention: bool  # erased before its retention ended, or despite 12:2
        rows: list[list[Any]]  # per entry: [seq, chain hash, SHA-256 of its stored state]
        prev_hash: str
        hash: str

        def mutate(self, aggregate: Any) -> Any:
            if not isinstance(aggregate, CaseErasure):
                # Replaying the case: it ends here, and nothing can be added to it.
                raise CaseErased(self)
            return super().mutate(aggregate)

        @property
        def seq(self) -> int:
            return self.originator_version

        @property
        def day(self) -> str:
            from ledger.timeparse import to_stockholm

            return to_stockholm(self.timestamp).date().isoformat()

        def row_digests(self) -> dict[int, tuple[str, str]]:
            """seq → (chain hash, SHA-256 of the stored state) of every erased entry."""
            return {int(seq): (str(h), str(d)) for seq, h, d in self.rows}

    @classmethod
    def after(cls, id: UUID, version: int, timestamp: datetime) -> CaseErasure:
        stream = cls.__new__(cls)
        stream.__base_init__(originator_id=id, originator_version=version, timestamp=timestamp)
        return stream

    def erase(self, state: dict[str, Any]) -> None:
        event_class = CaseErasure.Erased
        timestamp = event_class.create_timestamp()
        chained = entry_hash(chained_payload(state, self.version + 1, timestamp))
        self.trigger_event(event_class, timestamp=timestamp, hash=chained, **state)


Erased = CaseErasure.Erased

register_topic(ERASURE_TOPIC, CaseErasure.Erased)


def state_digest(state: bytes) -> str:
    return hashlib.sha256(state).hexdigest()


@dataclass(frozen=True, slots=True)
class Retention:
    last_note: datetime
    ends: datetime
    exempt: str | None  # the entry type that makes the case exempt (SoL 12:2), if any

    def refusal(self, now: datetime) -> str | None:
        """Why the case may not be erased now, or None."""
        if self.exempt is not None:
            return (
                f"the case holds a {self.exempt}: SoL 12 kap. 2 § exempts documents about "
                "a placed child from culling"
            )
        if now < self.ends:
            return (
                f"its retention ({RETENTION_LAW}: five years after the last note, "
                f"{self.last_note.date().isoformat()}) ends on {self.ends.date().isoformat()}"
            )
        return None


def add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February: the day after 28 February of that year
        return moment.replace(year=moment.year + years, day=28) + timedelta(days=1)


def retention(entries: list[Any]) -> Retention:
    """When a case's retention ends, from its entries (in seq order)."""
    from ledger.timeparse import parse_moment

    last = max(entry.timestamp for entry in entries)
    for entry in entries:
        known = parse_moment(entry.known) if entry.known is not None else None
        if known is not None and known.latest > last:
            last = known.latest
    exempt = next((e.type for e in entries if e.type in EXEMPT_TYPES), None)
    return Retention(last, add_years(last, RETENTION_YEARS), exempt)


def erasure_of(ledger: CaseLedger, key: str) -> Erased | None:
    """The case's erasure record, or None when it was not erased."""
    stored = ledger.recorder.select_events(ledger.case_id(key), desc=True, limit=1)
    return erased_in(ledger, stored[0]) if stored else None


def erased_in(ledger: CaseLedger, stored: StoredEvent) -> Erased | None:
    """The erasure a stream's last row holds, or None when it holds none."""
    if stored.topic != ERASURE_TOPIC:
        return None
    event = ledger.mapper.to_domain_event(stored)
    return event if isinstance(event, Erased) else None


def erasures(ledger: CaseLedger) -> dict[UUID, Erased]:
    """Every erasure record, by the erased case's stream (rows that do not decode are left
    to `verify`)."""
    found: dict[UUID, Erased] = {}
    for notifications in ledger.notification_pages(ERASURE_TOPIC):
        for notification in notifications:
            try:
                event = ledger.mapper.to_domain_event(notification)
            except Exception:  # reported by verify where it lies
                continue
            if isinstance(event, Erased):
                found[event.originator_id] = event
    return found


@dataclass(frozen=True, slots=True)
class Erasure:
    erased: Erased
    outcome: str  # "erased" now; "finished": an interrupted erasure; "already" erased


def erase_case(
    ledger: CaseLedger,
    key: str,
    *,
    user: str,
    reason: str,
    now: datetime,
    before_retention: bool = False,
) -> Erasure:
    """Erase a case: record the erasure, destroy its key, drop its derived rows.

    Raise `ErasureRefused` (nothing changed) when the ledger is not encrypted, the case was
    stored before case keys, does not verify, or its retention has not ended (unless
    `before_retention`); `UnknownCase` when there is no such case. A case erased before
    whose work was interrupted is finished."""
    from ledger.access import InvalidAccess, _text
    from ledger.application import UnknownCase

    if not ledger.store.encrypted:
        raise ErasureRefused(
            "only an encrypted ledger can be erased (its entries would stay readable in the "
            "database file); this one has no LEDGER_CIPHER_KEY"
        )
    try:
        reason = _text("reason", reason, MAX_REASON, required=True)
        user = _text("user", user, MAX_REASON, required=True)
    except InvalidAccess as error:
        raise ErasureRefused(str(error)) from None
    ring = ledger.key_ring
    assert ring is not None, "an encrypted ledger has a key ring"
    stream = ledger.case_id(key)
    for _ in range(WRITE_ATTEMPTS):
        earlier = erasure_of(ledger, key)
        if earlier is not None:
            destroyed = ring.destroy(stream)
            forget_derived(ledger, key)
            return Erasure(earlier, "finished" if destroyed else "already")
        stored = ledger.recorder.select_events(stream)
        if not stored:
            raise UnknownCase(key)
        if ring.key(stream) is None:
            raise ErasureRefused(
                f"{key} was stored before cases had keys of their own (its entries are sealed "
                "with the ledger key), so it cannot be erased on its own"
            )
        entries = ledger.history(key)
        _refuse_broken_chain(key, entries)
        kept = retention(entries)
        refusal = kept.refusal(now)
        if refusal is not None and not before_retention:
            raise ErasureRefused(
                f"{key} may not be erased yet: {refusal} (--before-retention overrides, and "
                "the erasure record keeps that)"
            )
        last = entries[-1]
        state: dict[str, Any] = {
            "case": key,
            "user": user,
            "reason": reason,
            "last_note": kept.last_note.isoformat(),
            "retention_ends": kept.ends.isoformat(),
            "before_retention": refusal is not None,
            "rows": [
                [row.originator_version, entry.hash, state_digest(row.state)]
                for row, entry in zip(stored, entries, strict=True)
            ],
            "prev_hash": last.hash,
        }
        stream_at = CaseErasure.after(stream, last.originator_version, last.timestamp)
        stream_at.erase(state)
        record = stream_at.pending_events[-1]
        try:
            ledger.save(stream_at)
        except IntegrityError:
            continue  # an entry was added meanwhile: look again
        ring.destroy(stream)
        forget_derived(ledger, key)
        return Erasure(record, "erased")  # type: ignore[arg-type]
    raise IntegrityError(f"case {key!r} kept changing while erasing; try again")


def _refuse_broken_chain(key: str, entries: list[Any]) -> None:
    """An erasure vouches for its entries' hashes from then on: it must not vouch for a
    chain that is already broken (that would hide the tampering)."""
    prev = GENESIS
    for expected_seq, entry in enumerate(entries, start=1):
        if (
            entry.originator_version != expected_seq
            or entry.prev_hash != prev
            or entry_hash(entry.hashed_payload()) != entry.hash
        ):
            raise ErasureRefused(
                f"{key}#{entry.originator_version} does not verify; run `ledger verify` "
                "before erasing"
            )
        prev = entry.hash


def forget_derived(ledger: CaseLedger, key: str) -> None:
    """Drop what the ledger derived from the case or holds beside it: its kept view rows
    and its drafts (the case index keeps only that the case was erased)."""
    from ledger.views import open_views

    views = open_views(ledger.store)
    try:
        views.forget(key)
    finally:
        views.close()
    ledger.drafts.forget(key)
