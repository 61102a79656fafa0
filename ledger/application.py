"""CaseLedger: the eventsourcing application, the only door to storage."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    InternalError,
    Mapper,
    MapperDeserialisationError,
    Notification,
    Recording,
    StoredEvent,
    Transcoder,
)
from eventsourcing.utils import Environment, EnvType

from ledger.access import ACCESS_TOPIC  # importing it also registers the access log's topic
from ledger.case import Case, CaseRejected, Outcome, case_id
from ledger.case_keys import KeyRing, open_case_keys
from ledger.clock import restamp, store_time, utc
from ledger.draft_area import DraftArea
from ledger.entry import Draft, Problem
from ledger.erasure import ERASURE_TOPIC, CaseErased, erased_in, erasure_of, erasures
from ledger.message import Message
from ledger.rows import RowMapper, TamperedRow
from ledger.storage import StorageError, Store
from ledger.transcoder import OrjsonTranscoder

Entry = Case.EntryRecorded

WRITE_ATTEMPTS = 40


def write_attempts() -> Iterator[int]:
    """Write attempts with jittered, growing pauses, so that writers racing for one case
    stop colliding instead of retrying in lockstep."""
    for attempt in range(WRITE_ATTEMPTS):
        if attempt:
            time.sleep(random.uniform(0, min(0.25, 0.005 * 2**attempt)))
        yield attempt


class UnknownCase(LookupError):
    def __init__(self, key: str) -> None:
        super().__init__(f"no case {key!r} in the ledger")
        self.key = key


class ImportRejected(ValueError):
    """Problems found across cases; `problems` pairs (case key, draft index) with a problem."""

    def __init__(self, problems: list[tuple[str, int, Problem]]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


class CaseLedger(Application[UUID]):
    """Records case entries and reads a case's history back."""

    name = "ledger"

    def __init__(self, store: Store) -> None:
        self.store = store
        self.id_secret = store.id_secret()
        self._drafts: DraftArea | None = None
        for attempt in write_attempts():
            try:
                super().__init__(env=dict(store.settings))
                break
            except InternalError as error:
                # Processes opening a new PostgreSQL ledger at once race to create its tables
                # and functions ("tuple concurrently updated"); the loser tries again.
                if "concurrently" not in str(error) or attempt == WRITE_ATTEMPTS - 1:
                    raise
        self.key_ring: KeyRing | None = None
        cipher = getattr(self.mapper, "row_cipher", None)
        if cipher is not None:
            # Each case's entries are sealed with its own key, kept wrapped in this database.
            self.key_ring = KeyRing(
                cipher.key,
                open_case_keys(store, getattr(self.recorder, "datastore", None)),
                cipher.random_bytes,
                self.has_case_id,
            )
            cipher.ring = self.key_ring
        self._check_cipher()

    def _check_cipher(self) -> None:
        """Refuse a ledger written under another cipher key (or none): reading would fail on
        every entry, and writing would mix clear and encrypted entries. A row sealed with the
        ledger key itself is tried first (an erased case's entries open with no key), then
        the case keys it wraps (a case key that unwraps proves the ledger key: a case whose
        key was tampered with is then refused where it is read, not taken for a wrong key)."""
        first = self.recorder.select_notifications(
            start=1, limit=1, topics=[ACCESS_TOPIC, ERASURE_TOPIC]
        )
        proved = None if first or self.key_ring is None else self.key_ring.any_unwraps()
        if proved is None:
            first = first or self.recorder.select_notifications(
                start=1, limit=1, topics=[Entry.TOPIC]
            )
            if not first:
                return
            try:
                self.mapper.to_domain_event(first[0])
                proved = True
            except MapperDeserialisationError:
                proved = False
        if not proved:
            self.close()
            wanted = "a different LEDGER_CIPHER_KEY" if self.store.encrypted else "a cipher key"
            raise StorageError(
                f"the ledger at {self.store.location} was written with {wanted}; "
                "set LEDGER_CIPHER_KEY to the key it was written with"
            ) from None

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        # Only the store's own settings: the process environment must not be able to switch
        # persistence modules or ciphers behind the ledger's back.
        return Environment(name, dict(env or {}))

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()

    def construct_recorder(self) -> ApplicationRecorder:
        if self.store.kind == "memory":  # eventsourcing's POPO factory takes no recorder topic
            from ledger.stamping import MemoryStampingRecorder

            return MemoryStampingRecorder()
        return super().construct_recorder()

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        # recorded_at is stamped under the store's write lock (ledger/clock.py): the events
        # are stamped again there, hashes with them, and encoded once more.
        events = processing_event.events

        def stamp(now: datetime | None, last: StoredEvent | None) -> list[StoredEvent]:
            restamp(events, self.stamp_time(now, last))
            return [self.mapper.to_stored_event(event) for event in events]

        processing_event.saved_kwargs["stamp"] = stamp
        return super()._record(processing_event)

    def stamp_time(self, now: datetime | None, last: StoredEvent | None) -> datetime:
        """The time to stamp new rows with, given the server's time (None: this machine's
        clock) and the row stored last."""
        now = utc(now) if now is not None else Entry.create_timestamp()
        return store_time(now, self.recorded_at_of(last))

    def recorded_at_of(self, stored: StoredEvent | None) -> datetime | None:
        """The recorded_at of a stored row (None for none). A row the ledger cannot read
        stops every write until `verify` has named it: its time is the floor for the next."""
        if stored is None:
            return None
        try:
            event: Any = self.mapper.to_domain_event(stored)
        except MapperDeserialisationError:
            raise TamperedRow(
                Message(
                    "the row stored last (stream {stream} version {version}) cannot be read "
                    "(altered, moved or another key)",
                    stream=str(stored.originator_id),
                    version=stored.originator_version,
                )
            ) from None
        return event.timestamp

    def store_time_now(self) -> datetime:
        """The time new rows would get now (read without the write lock: a bulk import's
        time, checked again under the lock as it stores)."""
        now = None
        if self.store.kind == "postgres":
            with self.recorder.datastore.get_connection() as conn, conn.cursor() as curs:  # type: ignore[attr-defined]
                curs.execute("SELECT clock_timestamp() AS now")
                now = curs.fetchone()["now"]
        maximum = self.recorder.max_notification_id()
        last = self.recorder.select_notifications(start=maximum, limit=1) if maximum else []
        return self.stamp_time(now, last[0] if last else None)

    def construct_mapper(self) -> Mapper[UUID]:
        # Only the ledger's own topics are read, and ciphertext is bound to its row.
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=RowMapper)

    def case_id(self, key: str) -> UUID:
        return case_id(key, self.id_secret)

    def record(self, key: str, drafts: Sequence[Draft]) -> Outcome:
        """Append drafts to one case, retrying when another writer got there first."""
        for _ in write_attempts():
            case = self.load_or_start(key)
            outcome = case.record(drafts)
            if not outcome.recorded:
                return outcome
            try:
                self.save(case)
            except IntegrityError:
                continue  # the case grew meanwhile: re-read it and validate again
            return outcome
        raise IntegrityError(f"case {key!r} kept changing while writing; try again")

    def record_many(self, drafts_by_case: Mapping[str, Sequence[Draft]]) -> dict[str, Outcome]:
        """Append to several cases in one transaction; all or nothing across the cases."""
        for _ in write_attempts():
            problems: list[tuple[str, int, Problem]] = []
            outcomes: dict[str, Outcome] = {}
            changed: list[Case] = []
            for key, drafts in drafts_by_case.items():
                case = self.load_or_start(key)
                try:
                    outcomes[key] = case.record(drafts)
                except CaseRejected as rejected:
                    problems.extend((key, index, problem) for index, problem in rejected.problems)
                    continue
                if outcomes[key].recorded:
                    changed.append(case)
            if problems:
                raise ImportRejected(problems)
            if not changed:
                return outcomes
            try:
                self.save(*changed)
            except IntegrityError:
                continue
            return outcomes
        raise IntegrityError("cases kept changing while writing; try again")

    def insert_stored(
        self, events: Sequence[StoredEvent], recorded_at: datetime | None = None
    ) -> None:
        """Store events that a case produced and the mapper encoded earlier (bulk import),
        all stamped `recorded_at`; without it, rows copied as they are (a migration keeps
        the source's store order and times).

        The same events `save()` would store, in one transaction; an `IntegrityError` means
        another writer got to one of these cases first. Should another writer have stored a
        later time meanwhile, they are stamped again under the lock (ledger/clock.py)."""

        def stamp(now: datetime | None, last: StoredEvent | None) -> Sequence[StoredEvent]:
            at = self.stamp_time(now, last)
            floor = self.recorded_at_of(last)
            if floor is None or floor <= recorded_at:
                return events
            decoded = [self.mapper.to_domain_event(stored) for stored in events]
            restamp(decoded, at)
            return [self.mapper.to_stored_event(event) for event in decoded]

        if recorded_at is None:
            self.recorder.insert_events(events)
        else:
            self.recorder.insert_events(events, stamp=stamp)

    def insert_rows(
        self, rows: Sequence[tuple[bytes, int, str, bytes]], recorded_at: datetime | None = None
    ) -> None:
        """`insert_stored` for rows given as (originator id bytes, version, topic, state):
        with COPY where the recorder has it (PostgreSQL), else as stored events; stamped
        again under the lock, like `insert_stored`, when another writer overtook them."""
        copy_rows = getattr(self.recorder, "copy_rows", None)
        if copy_rows is None:
            events = [
                StoredEvent(UUID(bytes=raw), v, topic, state) for raw, v, topic, state in rows
            ]
            self.insert_stored(events, recorded_at)
            return
        if recorded_at is None:
            copy_rows(rows)
            return

        def stamp(now: datetime | None, last: StoredEvent | None) -> Sequence[Any]:
            at = self.stamp_time(now, last)
            floor = self.recorded_at_of(last)
            if floor is None or floor <= recorded_at:
                return rows
            decoded = [
                self.mapper.to_domain_event(StoredEvent(UUID(bytes=raw), v, topic, state))
                for raw, v, topic, state in rows
            ]
            restamp(decoded, at)
            stored = [self.mapper.to_stored_event(event) for event in decoded]
            return [
                (s.originator_id.bytes, s.originator_version, s.topic, s.state)  # type: ignore[union-attr]
                for s in stored
            ]

        copy_rows(rows, stamp=stamp)

    def history(self, key: str) -> list[Entry]:
        """Every entry of a case in seq order, as stored.

        Raise `TamperedRow` for a row that cannot be this case's entry: another topic, a
        state that does not decode or decrypt in its place, another case's entry; and
        `CaseErased` for a case whose key was destroyed (ledger/erasure.py)."""
        entries: list[Entry] = []
        rows = self.recorder.select_events(self.case_id(key))
        erased = erased_in(self, rows[-1]) if rows else None
        if erased is not None:
            raise CaseErased(erased)
        for stored in rows:
            where = f"{key}#{stored.originator_version}"
            if stored.topic != Entry.TOPIC:
                raise TamperedRow(
                    Message(
                        "{where}: stored under topic {topic}, not as an entry",
                        where=where,
                        topic=repr(stored.topic),
                    )
                )
            try:
                entry = self.mapper.to_domain_event(stored)
            except MapperDeserialisationError:
                raise TamperedRow(
                    Message(
                        "{where}: the stored entry cannot be read (altered or moved)", where=where
                    )
                ) from None
            if not isinstance(entry, Entry) or entry.case != key:
                raise TamperedRow(
                    Message("{where}: the stored entry belongs to another case", where=where)
                )
            entries.append(entry)
        if not entries:
            raise UnknownCase(key)
        return entries

    def history_states(self, key: str) -> list[dict[str, Any]]:
        """What `history` gives, each entry as its attributes (`vars(entry)`), for readers
        that need no event objects: read straight from the stored rows
        (`RowMapper.entry_state`). Any row that does not read that way, and any case
        `history` would refuse, goes through `history`, which raises what it raises."""
        rows = self.recorder.select_events(self.case_id(key))
        if rows and rows[-1].topic == Entry.TOPIC:  # else none, or erased: `history` says
            states = []
            entry_state = self.mapper.entry_state  # type: ignore[attr-defined]
            for stored in rows:
                state = (
                    entry_state(stored.originator_id, stored.originator_version, stored.state)
                    if stored.topic == Entry.TOPIC
                    else None
                )
                if state is None or state.get("case") != key:
                    break
                states.append(state)
            else:
                return states
        return [vars(entry) for entry in self.history(key)]

    def has_case(self, key: str) -> bool:
        return self.has_case_id(self.case_id(key))

    def has_case_id(self, stream: UUID) -> bool:
        return bool(self.recorder.select_events(stream, limit=1))

    def all_entries(self, page: int = 1000) -> Iterator[Entry]:
        """Every entry of every case that was not erased, in the order the ledger stored
        them."""
        erased = self.erased_streams()
        for notifications in self.notification_pages(Entry.TOPIC, page=page):
            for notification in notifications:
                if notification.originator_id not in erased:
                    yield self.mapper.to_domain_event(notification)  # type: ignore[misc]

    def erased_streams(self) -> set[UUID]:
        """The streams of the cases that were erased (their entries open with no key)."""
        return set(erasures(self))

    def notification_pages(
        self, topic: str | Sequence[str] | None, after: int = 0, page: int = 1000
    ) -> Iterator[list[Notification]]:
        """The stored events of one topic, or of several (None: every row, whatever its
        topic) after notification id `after`, in the order the ledger stored them, `page` at
        a time (the last page may be shorter)."""
        topics = [] if topic is None else [topic] if isinstance(topic, str) else list(topic)
        while True:
            notifications = self.recorder.select_notifications(
                start=after, limit=page, topics=topics, inclusive_of_start=False
            )
            if notifications:
                yield notifications
            if len(notifications) < page:
                return
            after = notifications[-1].id

    def notification_rows(
        self, topics: Sequence[str], after: int = 0, page: int = 1000
    ) -> Iterator[list[tuple[int, UUID, int, str, bytes]]]:
        """`notification_pages` as tuples (notification id, stream id, version, topic,
        state), for passes over the whole ledger: the same rows, without a `Notification`
        object each, and each stream id made once per pass rather than once per row."""
        select = getattr(self.recorder, "select_notification_rows", None)
        if select is None:
            for notifications in self.notification_pages(topics, after, page):
                yield [
                    (n.id, n.originator_id, n.originator_version, n.topic, n.state)
                    for n in notifications
                ]
            return
        convert = self.recorder.convert_originator_id  # type: ignore[attr-defined]
        streams: dict[Any, UUID] = {}
        while True:
            rows = select(after, page, list(topics))
            out = []
            for notification_id, stored_id, version, topic, state in rows:
                stream = streams.get(stored_id)
                if stream is None:
                    stream = streams[stored_id] = convert(stored_id)
                out.append((notification_id, stream, version, topic, state))
            if out:
                yield out
            if len(out) < page:
                return
            after = out[-1][0]

    @property
    def drafts(self) -> DraftArea:
        """The draft area beside the entries (ledger/draft_area.py), opened on first use."""
        if self._drafts is None:
            from ledger.draft_area import open_drafts

            datastore = getattr(self.recorder, "datastore", None)
            self._drafts = open_drafts(self.store, datastore)
        return self._drafts

    def load(self, key: str) -> Case | None:
        """The case as stored, or None when it has no entries."""
        try:
            return self.repository.get(self.case_id(key))  # type: ignore[return-value]
        except AggregateNotFoundError:
            return None
        except MapperDeserialisationError:
            erased = erasure_of(self, key)
            if erased is not None:
                raise CaseErased(erased) from None  # nothing can be added to it
            raise

    def load_or_start(self, key: str) -> Case:
        """The case as stored, or a new empty one (not stored until an entry is saved)."""
        case = self.load(key)
        return case if case is not None else Case.start(self.case_id(key), key)
