"""JSONL import (DESIGN §5): validate everything and store it, or store nothing.

The input is read in two streaming passes, so its size is bounded by the disk, not memory:

1. every line is copied to a temporary file and grouped by case (only its position is kept);
2. case by case, the lines become drafts, checked against the vocabulary and the time grammar
   and then by the case itself (labels, references, duplicates, corrections) against what the
   ledger already holds; each case's new events are chained and encoded.

Pass 2 runs in worker processes when the input is large and the machine has cores to spare:
cases are independent, and checking them is pure computation. The main process stores what
the workers hand back, in input order, while they go on checking.

On SQLite the whole import is one transaction, committed only when no line had a problem, so
storing overlaps checking and a failed or killed import leaves nothing behind. On other stores
the encoded events wait in a temporary file until every line has passed, and are then inserted
a few thousand per transaction, whole cases at a time (killed there, a re-run completes it).

A re-run of the same input skips what is stored. Should another writer add to one of the cases
meanwhile, the insert fails on the case's version and the import checks everything again.
"""

from __future__ import annotations

import gc
import os
import re
import struct
import tempfile
import threading
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing import get_all_start_methods, get_context
from typing import IO, Any
from uuid import UUID

import orjson
from eventsourcing.persistence import IntegrityError, Mapper

from ledger.application import CaseLedger, write_attempts
from ledger.case import Case, CaseRejected, case_id
from ledger.entry import MISSING, Draft, InvalidEntry, Problem, draft_from_object
from ledger.fastpath import fast_rows
from ledger.message import Message, MessageError
from ledger.references import CASE_KEY_PATTERN, is_case_key
from ledger.strict_json import DUPLICATE_KEY, duplicate_key
from ledger.worker_memory import keep_freed_memory

BATCH_EVENTS = 5000
"""Events per transaction where the import is not one transaction (stores other than SQLite)."""
CHUNK_EVENTS = 1000
"""Events a worker checks at a time: large enough that handing them over costs little."""
PARALLEL_MIN_LINES = 5000
"""Below this, starting worker processes costs more than it saves."""
MAX_WORKERS = 4
MAX_ERRORS = 1000

Row = tuple[str, int, str, bytes]  # originator id (hex), version, topic, state
Chunk = list[tuple[str, "Case | None"]]  # case keys, each with the case as stored (None: new)


@dataclass(frozen=True, slots=True)
class LineError:
    where: str  # "file.jsonl:7"
    message: str  # a `Message`: the shell says it in the reader's language
    # The stored case whose entries the problem names ("already stored as #5"), if any: saying
    # so reveals what the case holds, so the importer's caller logs a read of it first.
    stored_case: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


# Keys that only the ledger's own outputs carry: a view item has its seq and recorded_at, a
# view document its schema_version.
_VIEW_KEYS = (("seq", "recorded_at"), ("schema_version",))


def _view_output(line: bytes) -> Message | None:
    if line.strip() in (b"{", b"["):
        return Message("a JSON document over several lines, such as the JSON output of a view")
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(obj, dict):
        return None
    if all(key in obj for key in _VIEW_KEYS[0]):
        return Message("the NDJSON output of a view (a view stays a view)")
    if _VIEW_KEYS[1][0] in obj:
        return Message("the JSON output of a view (a view stays a view)")
    return None


class ImportFailed(ValueError):
    """The input had problems; the ledger was not changed."""

    def __init__(self, errors: list[LineError], truncated: bool = False) -> None:
        super().__init__(f"{len(errors)} problem(s) in the input; nothing was imported")
        self.errors = errors
        self.truncated = truncated


class NotImportFormat(ImportFailed):
    """The input is something else the ledger writes (a view's NDJSON or JSON document),
    named by its first line: one problem, said in one line."""

    def __init__(self, error: LineError) -> None:
        super().__init__([error])

    def __str__(self) -> str:
        return str(self.errors[0])


class WorkerDied(MessageError, RuntimeError):
    """A worker process ended without handing back its chunk; the ledger was not changed
    (SQLite), or holds only whole cases a re-run completes (other stores)."""


@dataclass
class ImportReport:
    recorded: int = 0
    skipped: int = 0
    cases: set[str] = field(default_factory=set)
    lines: int = 0


@dataclass(frozen=True, slots=True)
class Source:
    """One input: its name for messages and its lines as bytes."""

    name: str
    lines: Iterable[bytes]


# Nearly every line starts with its case key; reading it off saves parsing the line twice.
# Anything else (another key order, escapes, a malformed line) is parsed in full.
_LEADING_CASE = re.compile(rb'\s*\{\s*"case"\s*:\s*"(' + CASE_KEY_PATTERN.encode() + rb')"\s*[,}]')


class _Lines:
    """Pass 1: the input's non-blank lines in a temporary file, positions grouped by case."""

    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self.names: list[str] = []
        self.by_case: dict[str, array[int]] = {}  # flat (offset, length, source, line no)
        self.unplaced: list[tuple[str, bytes]] = []  # lines without a usable case key
        self.count = 0

    def read(self, sources: Iterable[Source], progress: Callable[[int], None] | None) -> None:
        offset = 0
        write = self.file.write
        by_case = self.by_case
        for index, source in enumerate(sources):
            self.names.append(source.name)
            for number, line in enumerate(source.lines, start=1):
                if progress is not None:
                    progress(len(line))
                if not line.strip():
                    continue
                if not self.count and (view := _view_output(line)) is not None:
                    raise NotImportFormat(
                        LineError(
                            f"{source.name}:{number}",
                            Message(
                                "this is {view}, not the import format; "
                                "`ledger export` writes the import format",
                                view=view,
                            ),
                        )
                    )
                self.count += 1
                leading = _LEADING_CASE.match(line)
                key = leading[1].decode() if leading else _case_key(line)
                if key is None:
                    self.unplaced.append((f"{source.name}:{number}", line))
                    continue
                write(line)
                positions = by_case.get(key)
                if positions is None:
                    positions = by_case[key] = array("q")
                positions.extend((offset, len(line), index, number))
                offset += len(line)
        self.file.flush()

    def raw_lines_of(self, case: str) -> list[bytes]:
        """A case's lines, in input order.

        pread, since worker processes share the file but must not share its position; one
        read for each run of lines that follow each other in the file (input usually keeps a
        case's lines together), so mostly one system call per case. (Not a memory map: every
        page a worker touched would count in its resident memory, up to the input's size.)"""
        fd = self.file.fileno()
        positions = self.by_case[case]
        offsets, lengths = positions[0::4], positions[1::4]
        lines: list[bytes] = []
        start = end = offsets[0]
        run: list[int] = []
        for offset, length in zip(offsets, lengths, strict=True):
            if offset != end:
                lines += _split(os.pread(fd, end - start, start), run)
                start, run = offset, []
            run.append(length)
            end = offset + length
        lines += _split(os.pread(fd, end - start, start), run)
        return lines

    def lines_of(self, case: str) -> Iterator[tuple[str, bytes]]:
        """A case's lines, each with where it was read (file:line)."""
        names = self.names
        positions = self.by_case[case]
        lines = self.raw_lines_of(case)
        for line, index, number in zip(lines, positions[2::4], positions[3::4], strict=True):
            yield f"{names[index]}:{number}", line

    def close(self) -> None:
        self.file.close()


def _split(data: bytes, lengths: list[int]) -> list[bytes]:
    """`data` cut into consecutive pieces of the given lengths."""
    pieces, at = [], 0
    for length in lengths:
        pieces.append(data[at : at + length])
        at += length
    return pieces


def _case_key(line: bytes) -> str | None:
    """The case a line belongs to, if it says so plainly; any problem is reported in pass 2."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    key = obj.get("case") if isinstance(obj, dict) else None
    return key if isinstance(key, str) else None


@dataclass
class _Checked:
    """Pass 2's result for a chunk of cases: their problems, or the rows to store."""

    errors: list[LineError] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    recorded: int = 0
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class _Checker:
    """What pass 2 needs, handed to worker processes when they start."""

    lines: _Lines
    mapper: Mapper[UUID]
    id_secret: bytes | None
    exact: bool = False  # every case on the exact path (for comparisons)

    def check(self, chunk: Chunk, recorded_at: datetime) -> _Checked:
        # Runs with the collector paused: in-process by import_sources, and in workers
        # because they are forked while it is paused.
        checked = _Checked()
        for key, stored in chunk:
            case = stored or Case.start(case_id(key, self.id_secret), key)
            self._check_case(key, case, checked, recorded_at)
        return checked

    def _check_case(self, key: str, case: Case, checked: _Checked, recorded_at: datetime) -> None:
        if not self.exact and not checked.errors:
            rows = fast_rows(case, self.lines.raw_lines_of(key), self.mapper, recorded_at)
            if rows is not None:
                checked.recorded += len(rows)
                checked.rows += rows
                return
        lines = self.lines.lines_of(key)
        located: list[tuple[str, Draft]] = []
        invalid_labels: set[str] = set()
        errors = checked.errors
        for where, line in lines:
            try:
                located.append((where, _draft(line)))
            except InvalidEntry as invalid:
                errors.extend(LineError(where, str(problem)) for problem in invalid.problems)
                if invalid.label[1] is not None:
                    invalid_labels.add(invalid.label[1])
        try:
            outcome, entries = case.prepare([draft for _, draft in located], recorded_at)
        except CaseRejected as rejected:
            # A reference to a line that is itself invalid is not a second problem.
            stored_case = key if case.version else None
            errors.extend(
                LineError(located[index][0], str(problem), stored_case)
                for index, problem in rejected.problems
                if problem.unresolved not in invalid_labels
            )
            return
        checked.recorded += outcome.recorded
        checked.skipped += outcome.skipped
        if entries and not errors:  # once anything failed, nothing will be stored
            to_stored = self.mapper.to_stored_event
            for event in case.new_events(entries):
                stored = to_stored(event)
                checked.rows.append(
                    (event.originator_id.hex, stored.originator_version, stored.topic, stored.state)
                )


_checker: _Checker | None = None


def _adopt(checker: _Checker, importer: int) -> None:
    global _checker
    _checker = checker
    keep_freed_memory()
    # A worker outlives a killed importer: it waits on a queue whose other end its siblings
    # still hold, keeping the importer's pipes open (and its caller waiting) forever.
    threading.Thread(target=_exit_with, args=(importer,), daemon=True).start()


def _exit_with(importer: int) -> None:
    while os.getppid() == importer:
        time.sleep(0.2)
    os._exit(1)


def _check_in_worker(chunk: Chunk, recorded_at: datetime) -> _Checked:
    assert _checker is not None, "workers adopt the checker when they start"
    return _checker.check(chunk, recorded_at)


def import_sources(
    ledger: CaseLedger,
    sources: Iterable[Source],
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    dry_run: bool = False,
    exact: bool = False,
) -> ImportReport:
    """Validate all sources and record them; raise `ImportFailed` and store nothing on error.
    With `dry_run` everything is checked as for real, and nothing is stored.

    Cases whose lines are all canonical take the fast path (`ledger.fastpath`), the rest the
    exact path that explains problems; both store the same bytes. `exact` sends every case
    the exact path.

    `workers` is the number of processes checking cases (default: one per usable core, and
    none for small inputs); 0 checks everything in this process.
    """
    lines = _Lines()
    try:
        with _gc_paused():
            lines.read(sources, progress)
            unplaced = [
                LineError(where, str(p)) for where, line in lines.unplaced for p in _problems(line)
            ]
            _prepare_case_keys(ledger, lines, dry_run)
            checker = _Checker(lines, ledger.mapper, ledger.id_secret, exact)
            with _checking(checker, _worker_count(workers, lines.count)) as check:
                for _ in write_attempts():
                    report = ImportReport(lines=lines.count, cases=set(lines.by_case))
                    try:
                        _store(ledger, lines, check, report, list(unplaced), dry_run)
                    except IntegrityError:
                        continue  # another writer added to one of the cases: check again
                    return report
        raise IntegrityError("cases kept changing while importing; try again")
    finally:
        lines.close()


def _prepare_case_keys(ledger: CaseLedger, lines: _Lines, dry_run: bool) -> None:
    """With encryption on, every case of the input gets its key before anything is checked:
    the rows are sealed while they are checked (in worker processes too), and no key may be
    written to the store while the import's own transaction holds it. A dry run's keys live
    in memory only."""
    ring = ledger.key_ring
    if ring is None:
        return
    ring.prepare(
        (ledger.case_id(key) for key in lines.by_case if is_case_key(key)),
        persist=not dry_run,
        fresh=not ledger.recorder.max_notification_id(),
    )


def _store(
    ledger: CaseLedger,
    lines: _Lines,
    check: Callable[[Iterable[Chunk], datetime], Iterator[_Checked]],
    report: ImportReport,
    errors: list[LineError],
    dry_run: bool = False,
) -> None:
    sink: _Transaction | _Spool | _CopySpool | _Discard
    if dry_run:
        sink = _Discard(ledger)
    else:
        kind = ledger.store.kind
        sinks = {"sqlite": _Transaction, "postgres": _CopySpool}
        sink = sinks.get(kind, _Spool)(ledger)
    with sink:
        for checked in check(_chunks(ledger, lines), sink.recorded_at):
            report.recorded += checked.recorded
            report.skipped += checked.skipped
            errors += checked.errors
            if len(errors) >= MAX_ERRORS:
                break
            if not errors:
                sink.add(checked.rows)
        if errors:
            errors.sort(key=lambda e: _line_order(e, lines.names))
            raise ImportFailed(errors[:MAX_ERRORS], truncated=len(errors) >= MAX_ERRORS)


def _chunks(ledger: CaseLedger, lines: _Lines) -> Iterator[Chunk]:
    """The cases to check, about CHUNK_EVENTS lines at a time, each with what is stored."""
    empty = not ledger.recorder.max_notification_id()
    chunk: Chunk = []
    size = 0
    for key, positions in lines.by_case.items():
        # New cases travel as None (workers start them), stored ones with their history.
        chunk.append((key, None if empty else ledger.load(key)))
        size += len(positions) // 4
        if size >= CHUNK_EVENTS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _worker_count(workers: int | None, lines: int) -> int:
    if workers is None:
        workers = min(_usable_cores(), MAX_WORKERS) if lines >= PARALLEL_MIN_LINES else 0
    # Workers inherit the checker by forking; where processes cannot fork, check in-process.
    return workers if workers > 1 and "fork" in get_all_start_methods() else 0


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


@contextmanager
def _checking(
    checker: _Checker, workers: int
) -> Iterator[Callable[[Iterable[Chunk], datetime], Iterator[_Checked]]]:
    """A function checking chunks in order, stamping their entries with a time: in this
    process, or in `workers` processes."""
    if not workers:
        yield lambda chunks, at: (checker.check(chunk, at) for chunk in chunks)
        return
    # Not multiprocessing.Pool: it replaces a worker that dies (killed, out of memory) and
    # waits forever for the chunk that worker held, with the store's write lock held. The
    # executor notices the death at once and fails every outstanding chunk.
    pools: list[ProcessPoolExecutor] = []

    def check(chunks: Iterable[Chunk], at: datetime) -> Iterator[_Checked]:
        chunks = iter(chunks)
        first = next(chunks, None)
        if first is None:
            return
        # The first chunk is checked here, before forking: the workers inherit the checkers
        # generated for the input's types (tens of milliseconds each) and the clocks read so
        # far, instead of each generating and reading its own.
        yield checker.check(first, at)
        pool = ProcessPoolExecutor(
            workers,
            mp_context=get_context("fork"),
            initializer=_adopt,
            initargs=(checker, os.getpid()),
        )
        pools.append(pool)
        yield from _in_order(pool, chunks, at, ahead=2 * workers)
        # Every chunk is checked: the workers end while the rows are stored rather than
        # after (another attempt forks its own).
        pool.shutdown(wait=False)

    try:
        yield check
    finally:
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)


def _in_order(
    pool: ProcessPoolExecutor, chunks: Iterable[Chunk], recorded_at: datetime, ahead: int
) -> Iterator[_Checked]:
    """Results in input order, at most `ahead` chunks in flight: memory stays bounded when the
    workers check faster than the store takes their rows. Raise `WorkerDied` when a worker
    process ends without handing back its chunk."""
    pending: deque[Future[_Checked]] = deque()
    try:
        for chunk in chunks:
            if len(pending) >= ahead:
                yield pending.popleft().result()
            pending.append(pool.submit(_check_in_worker, chunk, recorded_at))
        while pending:
            yield pending.popleft().result()
    except BrokenProcessPool:
        raise WorkerDied(
            Message(
                "a worker process checking the input died (killed, or out of memory); "
                "nothing was imported"
            )
        ) from None


class _Discard:
    """A dry run: the checked rows go nowhere."""

    def __init__(self, ledger: CaseLedger) -> None:
        self.recorded_at = ledger.store_time_now()

    def __enter__(self) -> _Discard:
        return self

    def add(self, rows: list[Row]) -> None:
        pass

    def __exit__(self, *exc: Any) -> None:
        pass


class _Transaction:
    """SQLite: every row in one transaction, committed only if the block ends without error.

    The write lock is taken as the import begins, and the time its entries are stamped with
    (`recorded_at`) read under it (ledger/clock.py): nothing else is stored until the import
    ends, so no row can come between with a later time.

    The rows are the ones the mapper made; they go in with the application recorder's own
    insert statement, as one `executemany` per chunk rather than one statement per row.
    """

    def __init__(self, ledger: CaseLedger) -> None:
        self.ledger = ledger
        self.datastore = ledger.recorder.datastore  # type: ignore[attr-defined]
        self.statement: str = ledger.recorder.insert_events_statement  # type: ignore[attr-defined]
        self._transaction: Any = None
        self.cursor: Any = None

    def __enter__(self) -> _Transaction:
        self._transaction = self.datastore.transaction(commit=True)
        self.cursor = self._transaction.__enter__()
        try:
            last = self.ledger.recorder.lock_for_writing(self.cursor)  # type: ignore[attr-defined]
            self.recorded_at = self.ledger.stamp_time(None, last)
        except BaseException as error:
            self._transaction.__exit__(type(error), error, error.__traceback__)
            raise
        return self

    def add(self, rows: list[Row]) -> None:
        if rows:
            self.cursor.executemany(self.statement, rows)

    def __exit__(self, *exc: Any) -> None:
        self._transaction.__exit__(*exc)  # commits, or rolls back and re-raises


class _Spool:
    """Other stores: rows wait in a temporary file until every line has passed, then go in
    a few thousand per transaction, whole cases at a time."""

    _HEADER = struct.Struct(">16sqI")  # originator id, version, state length

    def __init__(self, ledger: CaseLedger) -> None:
        self.ledger = ledger
        self.recorded_at = ledger.store_time_now()  # checked again under the lock
        self.file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in __exit__
        self.topic = Case.EntryRecorded.TOPIC
        self.counts: list[int] = []  # rows per chunk, in file order

    def __enter__(self) -> _Spool:
        return self

    def add(self, rows: list[Row]) -> None:
        for originator, version, topic, state in rows:
            assert topic == self.topic, "an import stores case entries only"
            self.file.write(self._HEADER.pack(bytes.fromhex(originator), version, len(state)))
            self.file.write(state)
        self.counts.append(len(rows))

    def __exit__(self, exc_type: type[BaseException] | None, *_: Any) -> None:
        try:
            if exc_type is None:
                for batch in self._batches():
                    self.ledger.insert_rows(batch, self.recorded_at)  # COPY on PostgreSQL
        finally:
            self.file.close()

    def _batches(self) -> Iterator[Sequence[tuple[bytes, int, str, bytes]]]:
        """Whole chunks (so whole cases) at a time, about BATCH_EVENTS events to a batch."""
        self.file.seek(0)
        read, unpack, size = self.file.read, self._HEADER.unpack, self._HEADER.size
        topic = self.topic
        batch: list[tuple[bytes, int, str, bytes]] = []
        for count in self.counts:
            for _ in range(count):
                raw, version, length = unpack(read(size))
                batch.append((raw, version, topic, read(length)))
            if len(batch) >= BATCH_EVENTS:
                yield batch
                batch = []
        if batch:
            yield batch


class _CopySpool(_Spool):
    """PostgreSQL: the spool holds the rows as COPY sends them (binary format), encoded as
    each chunk arrives while the workers check the rest, so that once every line has passed
    each batch goes to the server as it was written, without being built row by row."""

    def __init__(self, ledger: CaseLedger) -> None:
        super().__init__(ledger)
        self.sizes: list[int] = []  # bytes per chunk, in file order

    def add(self, rows: list[Row]) -> None:
        from ledger.postgres_recorder import copy_body

        body = copy_body(
            (bytes.fromhex(o), version, topic, state) for o, version, topic, state in rows
        )
        self.file.write(body)
        self.sizes.append(len(body))
        self.counts.append(len(rows))

    def _batches(self) -> Iterator[Sequence[tuple[bytes, int, str, bytes]]]:
        from ledger.postgres_recorder import CopyRows

        self.file.seek(0)
        size = count = 0
        for chunk_size, chunk_count in zip(self.sizes, self.counts, strict=True):
            size += chunk_size
            count += chunk_count
            if count >= BATCH_EVENTS:
                yield CopyRows(self.file.read(size), count)
                size = count = 0
        if count:
            yield CopyRows(self.file.read(size), count)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: an import allocates millions of short-lived objects
    that reference counting frees, and each collection pass would walk all of them again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _problems(line: bytes) -> list[Problem]:
    try:
        _draft(line)
    except InvalidEntry as invalid:
        return invalid.problems
    return [Problem("case", MISSING)]  # pragma: no cover - a valid draft always has a case


def _draft(line: bytes) -> Draft:
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        # The reason is orjson's own words ("unexpected character"), kept as it gives them.
        reason = _json_reason(error)
        raise InvalidEntry(
            [Problem(None, Message("not valid JSON ({reason})", reason=reason))]
        ) from None
    if (twice := duplicate_key(line, obj)) is not None:
        raise InvalidEntry([Problem(twice, DUPLICATE_KEY)])
    try:
        return draft_from_object(obj)
    except InvalidEntry as invalid:
        if isinstance(obj, dict) and isinstance(obj.get("ref"), str):
            case = obj.get("case")
            invalid.label = (case if isinstance(case, str) else None, obj["ref"])
        raise


def _json_reason(error: orjson.JSONDecodeError) -> str:
    return str(error).split(":")[0] if str(error) else "malformed"


def _line_order(error: LineError, names: list[str]) -> tuple[int, int]:
    """Input order: by source, then line."""
    name, _, number = error.where.rpartition(":")
    return (names.index(name) if name in names else len(names), int(number))
