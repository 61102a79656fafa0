"""The access log ("loggkontroll"): who read which case, when, with which command, and why.

Municipal routines review who opened a child's file (review-practice.md, privacy). Every
reading command appends one `AccessLog.AccessRecorded` event: the user, the command, the case
key (null for commands that read every case) and an optional stated purpose. The events are
hash-chained exactly like case entries (ledger/chain.py, DESIGN §7), so a removed or altered
log line breaks the chain at a nameable place, and they are encrypted at rest with the rest of
the ledger when LEDGER_CIPHER_KEY is set.

Stream layout: one log aggregate per case, whose id is derived from the case's own aggregate
id (`CaseLedger.case_id`, keyed when a secret is configured, so log ids hide case keys as case
ids do), plus one log for commands that read all cases. Two people reading different cases
never write to the same stream, so they never conflict; only simultaneous reads of the same
case (or two simultaneous all-case commands) race for the next position, and the loser simply
retries. Appending needs only the stream's last event (its version and hash), not a replay of
the whole log, so a read costs the same however long the case's log has grown.

The log lives in the ledger's own event store, under its own topic: cross-case readers of case
entries select notifications by the entry topic, and `access_entries` by this one.
"""

from __future__ import annotations

import getpass
import itertools
import os
import random
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import register_topic

from ledger.chain import GENESIS, Chained, chained_payload, entry_hash
from ledger.identity_numbers import IDENTITY_NUMBER_MESSAGE, contains_identity_number
from ledger.message import Message, MessageError
from ledger.references import is_case_key

if TYPE_CHECKING:
    from ledger.application import CaseLedger

__all__ = [
    "ACCESS_TOPIC",
    "ALL_CASES_LOG",
    "AccessLog",
    "AccessRecorded",
    "InvalidAccess",
    "UnknownUser",
    "access_entries",
    "access_log_id",
    "chain_problems",
    "current_user",
    "record_access",
]

ACCESS_TOPIC = "ledger:AccessRecorded"
ACCESS_NAMESPACE = UUID("0b5e7c7a-2d4f-5e61-8a3c-6d1f4b9e2a70")
ALL_CASES_LOG = uuid5(ACCESS_NAMESPACE, "all cases")
"""The log of commands that read every case (`cases`, `check --all`)."""

WRITE_DEADLINE = 10.0
"""Seconds a read keeps retrying to append its record while other readers of the same case
keep winning the race for the next position."""
BACKOFF = 0.002
BACKOFF_CAP = 0.05
"""A retry waits a random time up to min(BACKOFF * 2**attempt, BACKOFF_CAP) seconds, so
racing readers spread out instead of colliding again in lockstep."""
PAGE = 1000
MAX_USER = 200
MAX_COMMAND = 100
MAX_PURPOSE = 1000


class InvalidAccess(MessageError, ValueError):
    """An access record that cannot be written (empty user, control characters, ...)."""


class UnknownUser(LookupError):
    """Neither --user, LEDGER_USER nor the operating system names the user."""


class AccessLog(Aggregate):
    """The append-only log of reads of one case (or of all cases)."""

    class AccessRecorded(Chained, Aggregate.Event):
        TOPIC = ACCESS_TOPIC

        user: str
        command: str
        case: str | None
        purpose: str | None
        prev_hash: str
        hash: str

        def mutate(self, aggregate: AccessLog | None) -> AccessLog | None:  # type: ignore[override]
            # Like a case, a log has no creation event: its first record founds it, so a
            # record's seq is exactly its position in the log.
            if aggregate is None:
                aggregate = AccessLog.shell(self.originator_id, self.case, self.timestamp)
            return super().mutate(aggregate)

        def apply(self, aggregate: AccessLog) -> None:
            aggregate.last_hash = self.hash

        @property
        def seq(self) -> int:
            return self.originator_version

    @classmethod
    def shell(cls, id: UUID, case: str | None, timestamp: datetime) -> AccessLog:
        log = cls.__new__(cls)
        log.__base_init__(originator_id=id, originator_version=0, timestamp=timestamp)
        log.case = case
        log.last_hash = GENESIS
        return log

    @classmethod
    def after(cls, last: AccessLog.AccessRecorded) -> AccessLog:
        """The log as it stands after its last stored record, without replaying the rest."""
        log = cls.shell(last.originator_id, last.case, last.timestamp)
        log.version = last.originator_version
        log.modified_on = last.timestamp
        log.last_hash = last.hash
        return log

    case: str | None
    last_hash: str

    def record(self, *, user: str, command: str, purpose: str | None) -> None:
        event_class = AccessLog.AccessRecorded
        timestamp = event_class.create_timestamp()
        state: dict[str, Any] = {
            "user": user,
            "command": command,
            "case": self.case,
            "purpose": purpose,
            "prev_hash": self.last_hash,
        }
        chained = entry_hash(chained_payload(state, self.version + 1, timestamp))
        self.trigger_event(event_class, timestamp=timestamp, hash=chained, **state)


AccessRecorded = AccessLog.AccessRecorded

# Stored events name their class by this topic, not by module path, so code can move freely.
register_topic(ACCESS_TOPIC, AccessLog.AccessRecorded)


def access_log_id(ledger: CaseLedger, case: str | None) -> UUID:
    """The log stream of a case, derived from its (possibly keyed) aggregate id."""
    if case is None:
        return ALL_CASES_LOG
    return uuid5(ACCESS_NAMESPACE, ledger.case_id(case).hex)


def record_access(
    ledger: CaseLedger,
    *,
    user: str,
    command: str,
    case: str | None,
    purpose: str | None = None,
) -> AccessRecorded:
    """Append one access record, retrying when another reader of the same case got there first.

    Raise `InvalidAccess` (nothing written) for an unusable user, command, case or purpose.
    """
    user = _text("user", user, MAX_USER, required=True)
    command = _text("command", command, MAX_COMMAND, required=True)
    purpose = _text("purpose", purpose, MAX_PURPOSE, required=False)
    _refuse_identity_numbers(case=case)
    if case is not None and not is_case_key(case):
        raise InvalidAccess(f"case: {case!r} is not a case key")
    log_id = access_log_id(ledger, case)
    deadline = time.monotonic() + WRITE_DEADLINE
    for attempt in itertools.count():
        if attempt:
            if time.monotonic() >= deadline:
                break
            time.sleep(random.uniform(0, min(BACKOFF * 2 ** min(attempt, 16), BACKOFF_CAP)))
        log = _tail(ledger, log_id, case)
        log.record(user=user, command=command, purpose=purpose)
        recorded = log.pending_events[-1]
        try:
            ledger.save(log)
        except IntegrityError:
            continue  # someone else read the same case at the same moment: append after them
        return recorded  # type: ignore[return-value]
    where = f"case {case!r}" if case is not None else "the all-cases log"
    raise IntegrityError(f"the access log of {where} kept changing while writing; try again")


def _tail(ledger: CaseLedger, log_id: UUID, case: str | None) -> AccessLog:
    stored = ledger.recorder.select_events(log_id, desc=True, limit=1)
    if not stored:
        return AccessLog.shell(log_id, case, AccessLog.AccessRecorded.create_timestamp())
    last = ledger.mapper.to_domain_event(stored[0])
    if not isinstance(last, AccessLog.AccessRecorded):
        raise TypeError(f"stream {log_id} is not an access log")
    return AccessLog.after(last)


def access_entries(
    ledger: CaseLedger, case: str | None = None, since: datetime | None = None
) -> list[AccessRecorded]:
    """The access records of one case (in its log order), or of every log (in the order the
    ledger stored them); with `since`, only those recorded at or after that instant."""
    _refuse_identity_numbers(case=case)
    if case is not None:
        found: Iterable[Any] = ledger.events.get(access_log_id(ledger, case))
    else:
        found = _all_records(ledger)
    return [e for e in found if since is None or e.timestamp >= since]


def reads_of(ledger: CaseLedger, case: str, since: datetime | None = None) -> list[AccessRecorded]:
    """Every read that showed something of `case`: its own log's records and those of the
    commands that read all cases at once (`cases`, `check --all`), in the order they were
    recorded. For a loggkontroll of one child's file; each log's chain is still checked on
    its own (`access_entries`)."""
    own = access_entries(ledger, case, since)
    everyone = [
        e for e in ledger.events.get(ALL_CASES_LOG) if since is None or e.timestamp >= since
    ]
    return sorted([*own, *everyone], key=lambda record: record.timestamp)


def _all_records(ledger: CaseLedger) -> Iterable[AccessRecorded]:
    for notifications in ledger.notification_pages(ACCESS_TOPIC, page=PAGE):
        for notification in notifications:
            yield ledger.mapper.to_domain_event(notification)  # type: ignore[misc]


def chain_problems(records: Sequence[AccessRecorded]) -> list[str]:
    """Breaks in one log's chain (records in seq order): gaps, altered records, bad links."""
    problems = []
    prev_hash = GENESIS
    for expected, record in enumerate(records, start=1):
        seq = record.originator_version
        if seq != expected:
            problems.append(
                Message(
                    "access record #{seq}: expected #{expected} (a record is missing)",
                    seq=seq,
                    expected=expected,
                )
            )
        if record.prev_hash != prev_hash:
            problems.append(
                Message("access record #{seq}: does not link to the record before it", seq=seq)
            )
        if entry_hash(record.hashed_payload()) != record.hash:
            problems.append(
                Message("access record #{seq}: its content does not match its hash", seq=seq)
            )
        prev_hash = record.hash
    return problems


def current_user(explicit: str | None = None, environ: Any = None) -> str:
    """Who is reading: `--user`, else LEDGER_USER, else the operating-system user."""
    environ = os.environ if environ is None else environ
    for candidate in (explicit, environ.get("LEDGER_USER")):
        if candidate is not None and candidate.strip():
            return candidate.strip()
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (e.g. some containers)
        user = ""
    if not user.strip():
        raise UnknownUser("cannot tell who is reading: give --user NAME or set LEDGER_USER")
    return user.strip()


def _refuse_identity_numbers(**texts: str | None) -> None:
    """The log is immutable: a personal identity number written into it could never be
    removed, so none is (the message names the field, never the number)."""
    for name, text in texts.items():
        if text is not None and contains_identity_number(text):
            raise InvalidAccess(
                Message("{where}: {problem}", where=name, problem=IDENTITY_NUMBER_MESSAGE)
            )


def _text(name: str, value: str | None, limit: int, *, required: bool) -> Any:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        if not required and isinstance(value, str):
            return None
        raise InvalidAccess(f"{name}: expected non-empty text, got {value!r}")
    value = value.strip()
    _refuse_identity_numbers(**{name: value})
    if len(value) > limit:
        raise InvalidAccess(f"{name}: longer than {limit} characters")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
        raise InvalidAccess(f"{name}: control characters are not allowed")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidAccess(f"{name}: not valid text (undecodable bytes)") from None
    return value
