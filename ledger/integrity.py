"""Tamper evidence over a whole ledger (DESIGN §7): hash chains, the Merkle tree, checkpoints.

**The leaves.** The Merkle tree (ledger/merkle.py, RFC 9162) has one leaf per stored
`Case.EntryRecorded` event (topic "ledger:EntryRecorded") and per erasure record (topic
"ledger:CaseErased", ledger/erasure.py), in the ledger's notification order (the order the
store assigned when the events were written; other topics are not leaves). An erased case's
entries cannot be opened: their leaves are built from the hashes its erasure record kept.
A leaf's data is 56 bytes:

    originator_id (the case's aggregate id, 16 bytes, RFC 4122 byte order)
    ‖ originator_version (the entry's seq, 8 bytes, unsigned big-endian)
    ‖ the entry's stored `hash` (32 bytes: bytes.fromhex of its 64 hex digits)

and the leaf hash is SHA-256(0x00 ‖ data). Because each entry's `hash` covers the whole
entry (its fields, case key, seq, prev_hash and recorded_at; see `Case.EntryRecorded.
hashed_payload`), the root commits to every entry and to the order they were stored in. An
event whose state cannot be decoded, or whose `hash` is not 64 hex digits, is reported and
takes the leaf id ‖ version ‖ SHA-256(stored state) so the tree keeps its size.

**What `verify_ledger` checks**, reading every entry once in notification order:

- each case's chain: versions 1, 2, 3, ... in the order stored, the first entry's `prev_hash`
  is GENESIS and every later one's is the previous entry's `hash`, every `hash` is
  `entry_hash(event.hashed_payload())`, and the entry's case key is the case it is stored in;
- the Merkle tree over all entries;
- store order (ledger/clock.py): no entry, access record or kept checkpoint has a
  `recorded_at` before that of a row stored before it; the first that has is named;
- every checkpoint of the checkpoints log: its signature by the verifier key, and an RFC 9162
  consistency proof from its (size, root) to the current tree. A tree smaller than a
  checkpoint (entries deleted from the end) or with a different root at that size (an entry
  changed, removed or reordered, or the ledger rebuilt) fails here even when every chain is
  self-consistent.

The report names the first bad event: the first entry problem in notification order, else
the first checkpoint that fails. A checkpoint holds only a size and a root, so a failure that
only a checkpoint sees is placed at the first entry not vouched for by an earlier checkpoint
that still matches (for a tree that shrank: at the first missing position, "entry N", since
which cases the removed entries belonged to is nowhere recorded).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from ledger.access import ACCESS_TOPIC, access_log_id, chain_problems
from ledger.case import Case
from ledger.chain import GENESIS, entry_hash
from ledger.checkpoint import (
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    checkpoint_body,
    parse_checkpoint,
    parse_verifier,
    sign,
    verify,
)
from ledger.clock import StoreOrder
from ledger.custody import (
    CHECKPOINT_TOPIC,
    CHECKPOINTS_STREAM,
    custody_problems,
    kept_leaves,
    kept_notes,
    notes_to_check,
)
from ledger.erasure import ERASURE_TOPIC, Erased, erasures, state_digest
from ledger.merkle import EMPTY_ROOT, Tree, leaf_hash, verify_consistency
from ledger.message import Message

ALL_CASES = Message("(all cases)")
"""The case of the access log that records reads across all cases."""

if TYPE_CHECKING:
    from eventsourcing.persistence import Notification

    from ledger.application import CaseLedger

ENTRY_TOPIC = Case.EntryRecorded.TOPIC
LEAF_TOPICS = (ENTRY_TOPIC, ERASURE_TOPIC)
"""The rows that are leaves of the Merkle tree: every entry, and every erasure record."""
PAGE = 1000
MAX_PROBLEMS = 1000
MAX_REORDER_SEARCH = 20  # hash mismatches checked for "holds the content of another seq"


def leaf_data(originator_id: UUID, version: int, hash_hex: str) -> bytes:
    """The 56 bytes a leaf stands for: id ‖ version (8 bytes big-endian) ‖ entry hash."""
    raw = bytes.fromhex(hash_hex)
    if len(raw) != 32:
        raise ValueError("an entry hash is 32 bytes")
    return originator_id.bytes + version.to_bytes(8, "big") + raw


def _fallback_leaf(originator_id: UUID, version: int, state: object) -> bytes:
    return (
        originator_id.bytes
        + version.to_bytes(8, "big")
        + hashlib.sha256(_stored_bytes(state)).digest()
    )


def _stored_bytes(state: object) -> bytes:
    """A row's state as bytes. The ledger writes bytes, but SQLite keeps whatever type a
    statement run behind its back writes (text, a number, NULL): such a state is hashed as
    written, so that the row still gives a leaf."""
    if isinstance(state, bytes | bytearray | memoryview):
        return bytes(state)
    return repr(state).encode("utf-8", "surrogatepass")


_SQL_TYPES = {
    str: Message("text"),
    int: Message("an integer"),
    float: Message("a real number"),
    type(None): "NULL",
}


def not_bytes(state: object) -> str | None:
    """The problem with a row whose state is not bytes, in words; None for bytes."""
    if isinstance(state, bytes | bytearray | memoryview):
        return None
    kind = _SQL_TYPES.get(type(state), type(state).__name__)
    return Message(
        "its stored state is {kind}, not the bytes the ledger writes (rewritten outside it)",
        kind=kind,
    )


@dataclass
class Problem:
    """One bad entry (or, with `checkpoint` set, a failing checkpoint)."""

    what: str
    case: str | None = None
    case_id: UUID | None = None
    seq: int | None = None
    position: int | None = None  # 1-based place in notification order (tree index + 1)
    checkpoint: int | None = None  # the checkpoint's number in the log
    source: str | None = None  # a checkpoint from elsewhere: "FILE checkpoint N"

    @property
    def where(self) -> str | None:
        """The place named before the problem; None for a problem of no one place (a kept
        view as a whole), whose words say where."""
        if self.source is not None:
            return self.source
        if self.case is not None or self.case_id is not None:
            if self.case is not None:
                return f"{self.case}#{self.seq}" if self.seq is not None else self.case
            if self.seq is not None:
                return Message("case {id}#{seq}", id=str(self.case_id), seq=self.seq)
            return Message("case {id}", id=str(self.case_id))
        if self.position is not None:
            return Message("entry {position}", position=self.position)
        if self.checkpoint is not None:
            return Message("checkpoint {number}", number=self.checkpoint)
        return None

    def __str__(self) -> str:
        return self.what if self.where is None else f"{self.where}: {self.what}"

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "case_id": str(self.case_id) if self.case_id else None,
            "seq": self.seq,
            "position": self.position,
            "checkpoint": self.checkpoint,
            "problem": self.what,
            "text": str(self),
        }


@dataclass
class CheckpointCheck:
    number: int
    status: str  # "consistent", or what is wrong
    origin: str | None = None
    size: int | None = None
    root: bytes | None = None
    access_failed: bool = False  # the entries match; the access records do not

    @property
    def ok(self) -> bool:
        return self.status == "consistent"


@dataclass
class Report:
    entries: int = 0
    cases: int = 0
    root: bytes = EMPTY_ROOT
    access_records: int = 0  # the access tree: every access record, in store order
    access_root: bytes = EMPTY_ROOT
    checkpoints: list[CheckpointCheck] = field(default_factory=list)
    against: list[CheckpointCheck] = field(default_factory=list)  # third parties' checkpoints
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0  # found but not kept (beyond MAX_PROBLEMS)
    views_checked: bool = False  # the kept views were compared too (by the caller)
    leaves: bytes = b""  # the tree's leaf hashes, 32 bytes each, in store order
    erased: list[Erased] = field(default_factory=list)  # erased cases, in store order

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        return self.problems[0] if self.problems else None


@dataclass
class _Chain:
    """What the scan remembers of one case."""

    key: str | None = None
    last_version: int = 0
    last_hash: str | None = None  # the last entry's stored hash, None when it was bad
    last_recorded: Any = None  # the last entry's recorded_at
    gaps: list[tuple[Problem, int, int]] = field(default_factory=list)  # (gap, first, at)


@dataclass
class Scan:
    """One pass over the ledger's entries: leaf hashes, entry problems, positions."""

    leaves: bytearray = field(default_factory=bytearray)
    notification_ids: array = field(default_factory=lambda: array("q"))
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0
    chains: dict[UUID, _Chain] = field(default_factory=dict)
    suspects: list[tuple[Problem, dict[str, Any], str]] = field(default_factory=list)
    order: StoreOrder = field(default_factory=StoreOrder)
    recorded_at: Any = None  # the time of the entry checked last (None: undecodable)
    erased: list[Erased] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.notification_ids)

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more_problems += 1


def entry_notifications(ledger: CaseLedger, page: int = PAGE) -> Iterator[Notification]:
    """Every stored leaf row (entries and erasure records) in notification order, read a
    page at a time."""
    for notifications in ledger.notification_pages(LEAF_TOPICS, page=page):
        yield from notifications


def scan(ledger: CaseLedger) -> Scan:
    """Read every row of the store once: check each case's chain and collect the Merkle
    leaves; a row under a topic the ledger does not write is reported where it lies.

    An erased case's entries cannot be opened: each is checked against its erasure record
    instead (its stored ciphertext unchanged, its place in the chain), and its leaf is built
    from the chain hash the record kept, so the tree is the one checkpoints signed."""
    result = Scan()
    erased = {stream: (e, e.row_digests()) for stream, e in erasures(ledger).items()}
    strays: list[Notification] = []
    for notifications in ledger.notification_pages(None, page=PAGE):
        for notification in notifications:
            if notification.topic in LEAF_TOPICS:
                result.notification_ids.append(notification.id)
                position = len(result.notification_ids)
                result.recorded_at = None
                if notification.topic == ERASURE_TOPIC:
                    leaf = _check_erasure(ledger, result, notification, position)
                elif notification.originator_id in erased:
                    leaf = _check_erased_entry(
                        result, notification, position, *erased[notification.originator_id]
                    )
                else:
                    leaf = _check_entry(ledger, result, notification, position)
                result.leaves += leaf_hash(leaf)
                if result.recorded_at is not None:
                    chain = result.chains[notification.originator_id]  # type: ignore[index]
                    seq = notification.originator_version
                    where = (
                        f"{chain.key}#{seq}"
                        if chain.key
                        else Message("entry {position}", position=position)
                    )
                    if (what := result.order.see(result.recorded_at, where)) is not None:
                        result.add(Problem(what, chain.key, chain_id(notification), seq, position))
            elif notification.topic in (ACCESS_TOPIC, CHECKPOINT_TOPIC) and (
                notification.topic == ACCESS_TOPIC
                or notification.originator_id == CHECKPOINTS_STREAM
            ):
                # Their own checks are scan_access's and custody's; here only store order.
                _check_order(ledger, result, notification)
            else:
                strays.append(notification)
    for stray in strays:
        case_id = stray.originator_id
        assert isinstance(case_id, UUID)
        result.add(
            Problem(
                Message(
                    "a row under topic {topic}, which the ledger does not write (outside the tree)",
                    topic=repr(stray.topic),
                ),
                case_id=case_id,
                seq=stray.originator_version,
            )
        )
    _finish(result)
    return result


def chain_id(notification: Notification) -> UUID:
    stream = notification.originator_id
    assert isinstance(stream, UUID)
    return stream


def _check_order(ledger: CaseLedger, result: Scan, notification: Notification) -> None:
    """An access record's or kept checkpoint's time against store order (a row that cannot
    be read is reported by the access log's own checks, or by custody)."""
    try:
        event: Any = ledger.mapper.to_domain_event(notification)
    except Exception:  # unreadable: named by the access log checks or custody
        return
    version = notification.originator_version
    if notification.topic == ACCESS_TOPIC:
        case = event.case or ALL_CASES
        where = Message("access record #{version} of {case}", version=version, case=case)
    else:
        where, case = Message("kept checkpoint {version}", version=version), None
    if (what := result.order.see(event.timestamp, where)) is not None:
        if case is None:
            result.add(
                Problem(Message("the ledger's copy of it: {what}", what=what), checkpoint=version)
            )
        else:
            result.add(
                Problem(
                    Message("access log: record #{version}: {what}", version=version, what=what),
                    case=case,
                )
            )


def store_order_problem(ledger: CaseLedger) -> str | None:
    """The first row whose recorded_at goes back in store order, said in one line, or None.

    What "the ledger as it stood at T" shows rests on recorded_at following store order; a
    row back-dated behind the ledger's back would otherwise be shown as if already there."""
    order = StoreOrder()
    keys: dict[UUID, str] = {}
    for notifications in ledger.notification_pages(None, page=PAGE):
        for notification in notifications:
            if notification.topic not in (ENTRY_TOPIC, ACCESS_TOPIC, CHECKPOINT_TOPIC):
                continue
            try:
                event: Any = ledger.mapper.to_domain_event(notification)
            except Exception:  # unreadable: verify names it
                continue
            version = notification.originator_version
            if notification.topic == ENTRY_TOPIC:
                where = f"{keys.setdefault(chain_id(notification), event.case)}#{version}"
            elif notification.topic == ACCESS_TOPIC:
                where = f"access record #{version} of {event.case or '(all cases)'}"
            else:
                where = f"kept checkpoint {version}"
            if (what := order.see(event.timestamp, where)) is not None:
                return f"{where}: {what}"
    return None


def _check_entry(
    ledger: CaseLedger, result: Scan, notification: Notification, position: int
) -> bytes:
    """Check one entry against its case's chain; the leaf data it contributes."""
    case_id = notification.originator_id
    version = notification.originator_version
    assert isinstance(case_id, UUID)
    chain = result.chains.setdefault(case_id, _Chain())
    fallback = _fallback_leaf(case_id, version, notification.state)

    def problem(what: str, seq: int = version) -> Problem:
        found = Problem(what, chain.key, case_id, seq, position)
        result.add(found)
        return found

    if (odd := not_bytes(notification.state)) is not None:
        problem(odd)
        _advance(chain, version)
        return fallback

    try:
        event = ledger.mapper.to_domain_event(notification)
        key = event.case
        stored_hash = event.hash
        prev_hash = event.prev_hash
        payload = event.hashed_payload()
        expected = entry_hash(payload)
        in_its_case = ledger.case_id(key) == case_id
    except Exception as error:  # bad JSON, a failed decryption, fields missing or mistyped
        problem(Message("undecodable state ({error})", error=type(error).__name__))
        _advance(chain, version)
        return fallback
    try:
        leaf = leaf_data(case_id, version, stored_hash)
    except (TypeError, ValueError):
        problem(Message("hash mismatch (the stored hash is not 64 hex digits)"))
        _advance(chain, version)
        return fallback

    if not in_its_case:
        problem(Message("stored in the wrong case (the entry says {key})", key=key))
        _advance(chain, version)
        return leaf
    chain.key = key

    previous = chain.last_version
    if version <= previous:
        problem(Message("reordered (stored after #{seq})", seq=previous))
        for gap, first_missing, stored_as in chain.gaps:
            if first_missing <= version < stored_as:  # not missing after all: stored late
                gap.what = Message("reordered (stored before #{seq})", seq=version)
                gap.seq = stored_as
        return leaf
    if version > previous + 1:
        missing = previous + 1
        gap = problem(
            Message("missing seq {seq} (gap)", seq=missing)
            if version == missing + 1
            else Message("missing seq {first}–{last} (gap)", first=missing, last=version - 1),
            seq=missing,
        )
        chain.gaps.append((gap, missing, version))
        _advance(chain, version, stored_hash if stored_hash == expected else None)
        return leaf
    if stored_hash != expected:
        found = problem(Message("hash mismatch"))
        if len(result.suspects) < MAX_REORDER_SEARCH:
            result.suspects.append((found, payload, stored_hash))
        _advance(chain, version)
        return leaf
    if previous == 0 and prev_hash != GENESIS:
        problem(Message("prev_hash does not link (the first entry must follow the genesis hash)"))
    elif previous and chain.last_hash is not None and prev_hash != chain.last_hash:
        problem(Message("prev_hash does not link to #{seq}", seq=previous))
    elif chain.last_recorded is not None and event.timestamp < chain.last_recorded:
        # A case's next entry is only made once its last one is stored, so its recorded_at
        # cannot be earlier: this one was back-dated (recorded_at rewritten, hashes redone).
        problem(
            Message(
                "recorded_at {time} is before that of #{seq} ({earlier}): back-dated",
                time=event.timestamp.isoformat(),
                seq=previous,
                earlier=chain.last_recorded.isoformat(),
            )
        )
    else:
        result.recorded_at = event.timestamp
    _advance(chain, version, stored_hash)
    chain.last_recorded = event.timestamp
    return leaf


def _check_erased_entry(
    result: Scan,
    notification: Notification,
    position: int,
    erased: Erased,
    rows: dict[int, tuple[str, str]],
) -> bytes:
    """Check one entry of an erased case against its erasure record; its leaf data."""
    case_id = notification.originator_id
    version = notification.originator_version
    assert isinstance(case_id, UUID)
    chain = result.chains.setdefault(case_id, _Chain())
    chain.key = erased.case
    recorded = rows.get(version)
    if recorded is None:
        result.add(
            Problem(
                Message("an entry of an erased case that its erasure record does not list"),
                chain.key,
                case_id,
                version,
                position,
            )
        )
        _advance(chain, version)
        return _fallback_leaf(case_id, version, notification.state)
    stored_hash, digest = recorded
    if (odd := not_bytes(notification.state)) is not None:
        result.add(Problem(odd, chain.key, case_id, version, position))
    elif state_digest(notification.state) != digest:
        result.add(
            Problem(
                Message(
                    "changed since the case was erased (the stored ciphertext is not the one "
                    "its erasure record names)"
                ),
                chain.key,
                case_id,
                version,
                position,
            )
        )
    elif version != chain.last_version + 1:
        result.add(
            Problem(
                Message("reordered (stored after #{seq})", seq=chain.last_version),
                chain.key,
                case_id,
                version,
                position,
            )
        )
    _advance(chain, version, stored_hash)
    return leaf_data(case_id, version, stored_hash)


def _check_erasure(
    ledger: CaseLedger, result: Scan, notification: Notification, position: int
) -> bytes:
    """Check an erasure record: in its case's stream, right after the case's last entry,
    linked to it, its hash right, listing every entry, and the case's key gone."""
    case_id = notification.originator_id
    version = notification.originator_version
    assert isinstance(case_id, UUID)
    chain = result.chains.setdefault(case_id, _Chain())

    def problem(what: str) -> None:
        result.add(Problem(what, chain.key, case_id, version, position))

    if (odd := not_bytes(notification.state)) is not None:
        problem(Message("erasure record: {problem}", problem=odd))
        _advance(chain, version)
        return _fallback_leaf(case_id, version, notification.state)
    try:
        event = ledger.mapper.to_domain_event(notification)
        assert isinstance(event, Erased)
        payload = event.hashed_payload()
        leaf = leaf_data(case_id, version, event.hash)
        in_its_case = ledger.case_id(event.case) == case_id
    except Exception as error:  # bad JSON, a failed decryption, fields missing or mistyped
        problem(Message("erasure record: undecodable state ({error})", error=type(error).__name__))
        _advance(chain, version)
        return _fallback_leaf(case_id, version, notification.state)
    if not in_its_case:
        problem(
            Message("erasure record stored in the wrong case (it says {case})", case=event.case)
        )
        return leaf
    chain.key = event.case
    if not ledger.store.encrypted:
        problem(
            Message("an erasure record in a ledger without encryption (the ledger writes none)")
        )
    elif entry_hash(payload) != event.hash:
        problem(Message("erasure record: hash mismatch"))
    elif version != chain.last_version + 1 or set(event.row_digests()) != set(range(1, version)):
        problem(Message("erasure record: does not list exactly the entries stored before it"))
    elif chain.last_hash is not None and event.prev_hash != chain.last_hash:
        problem(Message("erasure record: prev_hash does not link to #{seq}", seq=version - 1))
    elif ledger.key_ring is not None and ledger.key_ring.has_key(case_id):
        problem(
            "the erasure was not finished: the case's key still exists (run `ledger erase` again)"
        )
    _advance(chain, version, event.hash)
    result.erased.append(event)
    return leaf


def _advance(chain: _Chain, version: int, stored_hash: str | None = None) -> None:
    chain.last_version = max(chain.last_version, version)
    chain.last_hash = stored_hash


def _finish(result: Scan) -> None:
    """Name the case of undecodable entries where another entry told it; spot entries that
    hold another seq's content (their hash is right for a different seq)."""
    for found in result.problems:
        if found.case is None and found.case_id in result.chains:
            found.case = result.chains[found.case_id].key
    for found, payload, stored_hash in result.suspects:
        chain = result.chains[found.case_id]  # type: ignore[index]
        for seq in range(1, chain.last_version + 1):
            if seq != found.seq and entry_hash(dict(payload, seq=seq)) == stored_hash:
                found.what = Message("reordered (holds the content of #{seq})", seq=seq)
                break
    result.problems.sort(key=lambda p: p.position or 0)


def tree_of(result: Scan) -> Tree:
    return Tree(result.leaves)


def _entry_at(ledger: CaseLedger, result: Scan, position: int) -> tuple[str | None, UUID, int]:
    """The case key, case id and seq of the entry at a 1-based position."""
    notification_id = result.notification_ids[position - 1]
    (notification,) = ledger.recorder.select_notifications(
        start=notification_id, limit=1, topics=list(LEAF_TOPICS)
    )
    case_id = notification.originator_id
    assert isinstance(case_id, UUID)
    chain = result.chains.get(case_id)
    return (chain.key if chain else None), case_id, notification.originator_version


def verify_ledger(
    ledger: CaseLedger,
    logged: Sequence[str],
    verifier_key: str | Verifier | None,
    log_exists: bool = True,
    against: Sequence[tuple[str, str]] = (),
) -> Report:
    """Check the chains, the tree, and every checkpoint (oldest first) of the checkpoints
    log (`logged`) and of the ledger's own copy, and that the two copies agree; `against`
    holds checkpoints a third party kept, (label, note), checked for consistency too.

    With checkpoints, a verifier key is required (NoteError otherwise)."""
    kept = kept_notes(ledger)
    checkpoints = notes_to_check(kept, logged)
    if (checkpoints or against) and verifier_key is None:
        raise NoteError("checking checkpoints needs the verifier key")
    verifier = parse_verifier(verifier_key) if isinstance(verifier_key, str) else verifier_key
    result = scan(ledger)
    tree = tree_of(result)
    access_problems, access_leaves = scan_access(ledger)
    access_tree = Tree(access_leaves)
    report = Report(
        entries=result.size,
        cases=len(result.chains),
        root=tree.root(),
        access_records=access_tree.size,
        access_root=access_tree.root(),
        problems=list(result.problems),
        more_problems=result.more_problems,
        leaves=bytes(result.leaves),
        erased=list(result.erased),
    )
    report.problems.extend(access_problems)
    report.problems.extend(
        Problem(what, checkpoint=number)
        for number, what in custody_problems(kept, logged, log_exists)
    )
    good_sizes: list[int] = []
    failures: list[Problem] = []
    kept_tree: list[bytes] = []  # read when a checkpoint fails
    for number, note in enumerate(checkpoints, start=1):
        check = _check_checkpoint(number, note, verifier, tree, access_tree)  # type: ignore[arg-type]
        report.checkpoints.append(check)
        if check.ok:
            good_sizes.append(check.size or 0)
            continue
        if check.access_failed:
            failures.append(Problem(check.status, checkpoint=check.number))
            continue
        if not kept_tree:
            kept_tree.append(kept_leaves(ledger))
        failures.append(_place(ledger, result, check, good_sizes, kept_tree[0]))
    report.problems.extend(failures)
    for label, note in against:
        check = _check_checkpoint(0, note, verifier, tree, access_tree)  # type: ignore[arg-type]
        report.against.append(check)
        if not check.ok:
            report.problems.append(Problem(check.status, source=label))
    return report


def scan_access(ledger: CaseLedger) -> tuple[list[Problem], bytearray]:
    """Every access record once, in store order: breaks in the access logs' own hash chains,
    records that cannot be read or lie outside their case's log, and the leaf hashes of the
    access tree (a tree of their own, beside the entries' tree, whose leaves are built like
    an entry's: log id ‖ seq ‖ the record's hash). Its size and root go into every
    checkpoint, so deleting the newest reads or rewriting one, hashes recomputed, no longer
    goes unseen."""
    logs: dict[UUID, list[Any]] = {}
    problems = []
    leaves = bytearray()
    for notifications in ledger.notification_pages(ACCESS_TOPIC, page=PAGE):
        for notification in notifications:
            stream = notification.originator_id
            version = notification.originator_version
            assert isinstance(stream, UUID)
            try:
                record = ledger.mapper.to_domain_event(notification)
                in_its_log = access_log_id(ledger, record.case) == stream  # type: ignore[attr-defined]
                leaves += leaf_hash(leaf_data(stream, version, record.hash))  # type: ignore[attr-defined]
            except Exception as error:  # altered, moved (sealed to its place) or mistyped
                leaves += leaf_hash(_fallback_leaf(stream, version, notification.state))
                what = Message(
                    "access log: undecodable access record ({error})", error=type(error).__name__
                )
                problems.append(Problem(what, case_id=stream, seq=version))
                continue
            if not in_its_log:
                what = Message("access log: an access record stored outside its case's access log")
                problems.append(Problem(what, case_id=stream, seq=notification.originator_version))
                continue
            logs.setdefault(stream, []).append(record)
    for records in logs.values():
        records.sort(key=lambda r: r.originator_version)
        case = records[0].case or ALL_CASES
        problems.extend(
            Problem(Message("access log: {problem}", problem=text), case=case)
            for text in chain_problems(records)
        )
    return problems, leaves


ACCESS_EXTENSION = "access"
"""A checkpoint's extension line `access SIZE ROOT`: the access tree's size and root (base64)."""


def access_line(size: int, root: bytes) -> str:
    return f"{ACCESS_EXTENSION} {size} {base64.b64encode(root).decode()}"


def access_anchor(checkpoint: Checkpoint) -> tuple[int, bytes] | None:
    """The access tree's size and root a checkpoint vouches for (None: made before access
    records were anchored); NoteError when the line is malformed."""
    for line in checkpoint.extensions:
        name, _, rest = line.partition(" ")
        if name != ACCESS_EXTENSION:
            continue
        size_text, _, root_text = rest.partition(" ")
        try:
            root = base64.b64decode(root_text, validate=True)
        except binascii.Error:
            root = b""
        if not re.fullmatch(r"0|[1-9][0-9]*", size_text) or len(root) != 32:
            raise NoteError(f"malformed access line {line[:60]!r}")
        return int(size_text), root
    return None


def _check_checkpoint(
    number: int, note: str, verifier: Verifier, tree: Tree, access_tree: Tree
) -> CheckpointCheck:
    try:
        checkpoint = parse_checkpoint(verify(note, verifier))
        anchor = access_anchor(checkpoint)
    except NoteError as error:
        return CheckpointCheck(
            number,
            Message(
                "checkpoint {number} of the log is not valid: {error}",
                number=number,
                error=str(error),
            ),
        )
    check = CheckpointCheck(number, "consistent", checkpoint.origin, checkpoint.size)
    check.root = checkpoint.root
    size, current = checkpoint.size, tree.size
    if size > current:
        check.status = Message(
            "tree no longer consistent with checkpoint of size {size}: the ledger has "
            "{current} entries (entries {first}–{size} are missing)",
            size=size,
            current=current,
            first=current + 1,
        )
    elif size == 0:
        if checkpoint.root != EMPTY_ROOT:
            check.status = Message("checkpoint of size 0 does not have the empty tree's root")
    else:
        proof = tree.consistency_proof(size)
        if not verify_consistency(size, current, checkpoint.root, tree.root(), proof):
            check.status = Message(
                "tree no longer consistent with checkpoint of size {size} (root mismatch)",
                size=size,
            )
    if check.ok and anchor is not None:
        problem = _consistency(access_tree, *anchor)
        if problem:
            check.status = Message(
                "access log no longer consistent with this checkpoint: {problem}", problem=problem
            )
            check.access_failed = True
    return check


def _consistency(tree: Tree, size: int, root: bytes) -> str | None:
    """What is wrong between a tree and an earlier (size, root) of it, or None."""
    if size > tree.size:
        missing = f"{tree.size + 1}–{size}" if size > tree.size + 1 else f"{size}"
        return Message(
            "{held} access records where the checkpoint vouches for {size} (in store order, "
            "record {missing} missing)",
            held=tree.size,
            size=size,
            missing=missing,
        )
    if size == 0:
        return None if root == EMPTY_ROOT else Message("size 0 without the empty tree's root")
    proof = tree.consistency_proof(size)
    if verify_consistency(size, tree.size, root, tree.root(), proof):
        return None
    return Message(
        "root mismatch at size {size} (an access record was changed, removed or reordered)",
        size=size,
    )


def _place(
    ledger: CaseLedger, result: Scan, check: CheckpointCheck, good: list[int], kept: bytes
) -> Problem:
    """A failing checkpoint as a problem at the first entry that differs from what it
    covered, where the leaves kept beside the checkpoints give its signed root; else at the
    first entry it no longer vouches for."""
    if check.size is None:  # the note itself is bad
        return Problem(check.status, checkpoint=check.number)
    if check.size > result.size:  # certain: the entries after the current end are gone
        return Problem(check.status, position=result.size + 1, checkpoint=check.number)
    covered = kept[: 32 * check.size]
    if len(covered) == 32 * check.size and Tree(covered).root() == check.root:
        current = result.leaves
        for index in range(check.size):
            start = 32 * index
            if current[start : start + 32] != covered[start : start + 32]:
                what = Message(
                    "{status}; the first entry that differs from what the checkpoint covered",
                    status=check.status,
                )
                key, case_id, seq = _entry_at(ledger, result, index + 1)
                return Problem(what, key, case_id, seq, index + 1, check.number)
    intact = max((s for s in good if s <= check.size), default=0)
    what = check.status
    if intact:
        what = Message(
            "{status}; entries 1–{intact} still match an earlier checkpoint",
            status=check.status,
            intact=intact,
        )
    position = intact + 1
    key, case_id, seq = _entry_at(ledger, result, position)
    return Problem(what, key, case_id, seq, position, check.number)


# ---- making checkpoints and proofs ----


@dataclass(frozen=True, slots=True)
class TreeHead:
    size: int
    root: bytes


def tree_head(ledger: CaseLedger) -> TreeHead:
    """The current size and root (no checks)."""
    tree = Tree(leaf_hash(leaf) for _, _, leaf in leaves(ledger))
    return TreeHead(tree.size, tree.root())


def leaves(ledger: CaseLedger) -> Iterator[tuple[UUID, int, bytes]]:
    """Every leaf row in tree order as (stream, version, leaf data), unchecked: an entry's
    leaf from its stored hash, an erased case's entry's from the hash its erasure kept."""
    kept = {stream: e.row_digests() for stream, e in erasures(ledger).items()}
    for notification in entry_notifications(ledger):
        case_id = notification.originator_id
        version = notification.originator_version
        assert isinstance(case_id, UUID)
        try:
            if notification.topic == ENTRY_TOPIC and case_id in kept:
                leaf = leaf_data(case_id, version, kept[case_id][version][0])
            else:
                event = ledger.mapper.to_domain_event(notification)
                leaf = leaf_data(case_id, version, event.hash)  # type: ignore[attr-defined]
        except Exception:
            leaf = _fallback_leaf(case_id, version, notification.state)
        yield case_id, version, leaf


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    old_size: int
    new_size: int
    new_root: bytes
    path: list[bytes]


def prove_consistency(ledger: CaseLedger, old_size: int) -> ConsistencyProof:
    """The RFC 9162 proof that the ledger's tree of `old_size` entries is a prefix of the
    current one, for whoever holds a checkpoint of that size."""
    tree = Tree(leaf_hash(leaf) for _, _, leaf in leaves(ledger))
    path = tree.consistency_proof(old_size) if old_size else []
    return ConsistencyProof(old_size, tree.size, tree.root(), path)


def make_checkpoint(
    ledger: CaseLedger,
    signer: Signer,
    origin: str | None = None,
    log: Sequence[str] = (),
) -> tuple[str, Report]:
    """Verify the ledger against the checkpoints so far, then sign its current tree head.

    A log must never sign a tree that is inconsistent with one it signed before, so nothing
    is signed when the report is not intact (the note is then "")."""
    report = verify_ledger(ledger, log, signer.verifier())
    if not report.intact:
        return "", report
    body = checkpoint_body(
        origin or signer.name,
        report.entries,
        report.root,
        (access_line(report.access_records, report.access_root),),
    )
    return sign(body, signer), report


def checkpoint_of(note: str, verifier_key: str | Verifier) -> Checkpoint:
    """The checkpoint a signed note holds, once its signature verifies."""
    return parse_checkpoint(verify(note, verifier_key))
