"""JSONL import (DESIGN §5): validate everything, then store in batches, or store nothing.

The input is read in three streaming passes, so its size is bounded by the disk, not memory:

1. every line is copied to a temporary file and grouped by case (only its position is kept);
2. case by case, the lines become drafts, checked against the vocabulary and the time grammar
   and then by the case itself (labels, references, duplicates, corrections) against what the
   ledger already holds; the events the case would store are encoded into a second temporary
   file — nothing is written to the ledger yet;
3. only when no line has a problem are the encoded events inserted, a few thousand per
   transaction, whole cases at a time.

A re-run of the same input skips what is stored, so an interrupted import can simply be run
again. Should another writer change a case between passes 2 and 3, that batch's cases are
recorded again through the application, which re-validates them against what is now stored.
"""

from __future__ import annotations

import struct
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO
from uuid import UUID

import orjson
from eventsourcing.persistence import IntegrityError, StoredEvent

from ledger.application import CaseLedger, ImportRejected
from ledger.case import CaseRejected
from ledger.entry import Draft, InvalidEntry, Problem, draft_from_object

BATCH_EVENTS = 2000
MAX_ERRORS = 1000


@dataclass(frozen=True, slots=True)
class LineError:
    where: str  # "file.jsonl:7"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ImportFailed(ValueError):
    """The input had problems; the ledger was not changed."""

    def __init__(self, errors: list[LineError], truncated: bool = False) -> None:
        super().__init__(f"{len(errors)} problem(s) in the input; nothing was imported")
        self.errors = errors
        self.truncated = truncated


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
        for index, source in enumerate(sources):
            self.names.append(source.name)
            for number, line in enumerate(source.lines, start=1):
                if progress is not None:
                    progress(len(line))
                if not line.strip():
                    continue
                self.count += 1
                key = _case_key(line)
                if key is None:
                    self.unplaced.append((f"{source.name}:{number}", line))
                    continue
                self.file.write(line)
                positions = self.by_case.get(key)
                if positions is None:
                    positions = self.by_case[key] = array("q")
                positions.extend((offset, len(line), index, number))
                offset += len(line)

    def lines_of(self, case: str) -> Iterator[tuple[str, bytes]]:
        positions = self.by_case[case]
        for i in range(0, len(positions), 4):
            offset, length, index, number = positions[i : i + 4]
            self.file.seek(offset)
            yield f"{self.names[index]}:{number}", self.file.read(length)

    def close(self) -> None:
        self.file.close()


def _case_key(line: bytes) -> str | None:
    """The case a line belongs to, if it says so plainly; any problem is reported in pass 2."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    key = obj.get("case") if isinstance(obj, dict) else None
    return key if isinstance(key, str) else None


class _Events:
    """Pass 2's output: encoded events, case after case, in a temporary file."""

    _HEADER = struct.Struct(">16sqHI")  # originator id, version, topic index, state length

    def __init__(self) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self.topics: list[str] = []
        self.cases: list[tuple[str, int]] = []  # (case key, number of events), in file order

    def add(self, case: str, events: list[StoredEvent]) -> None:
        for event in events:
            if event.topic not in self.topics:
                self.topics.append(event.topic)
            originator = event.originator_id
            raw = originator.bytes if isinstance(originator, UUID) else UUID(originator).bytes
            header = self._HEADER.pack(
                raw, event.originator_version, self.topics.index(event.topic), len(event.state)
            )
            self.file.write(header + event.state)
        self.cases.append((case, len(events)))

    def batches(self) -> Iterator[tuple[list[str], list[StoredEvent]]]:
        """Whole cases at a time, about BATCH_EVENTS events to a batch."""
        self.file.seek(0)
        keys: list[str] = []
        events: list[StoredEvent] = []
        for case, count in self.cases:
            keys.append(case)
            for _ in range(count):
                raw, version, topic, length = self._HEADER.unpack(self.file.read(self._HEADER.size))
                events.append(
                    StoredEvent(
                        UUID(bytes=raw), version, self.topics[topic], self.file.read(length)
                    )
                )
            if len(events) >= BATCH_EVENTS:
                yield keys, events
                keys, events = [], []
        if events:
            yield keys, events

    def close(self) -> None:
        self.file.close()


def import_sources(
    ledger: CaseLedger,
    sources: Iterable[Source],
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate all sources, then record them; raise `ImportFailed` and store nothing on error."""
    lines, events = _Lines(), _Events()
    try:
        lines.read(sources, progress)
        report = ImportReport(lines=lines.count, cases=set(lines.by_case))
        errors = [
            LineError(where, str(p)) for where, line in lines.unplaced for p in _problems(line)
        ]
        for case in lines.by_case:
            if len(errors) >= MAX_ERRORS:
                break
            errors += _check_case(ledger, case, lines, events, report)
        if errors:
            errors.sort(key=lambda e: _line_order(e, lines.names))
            raise ImportFailed(errors[:MAX_ERRORS], truncated=len(errors) >= MAX_ERRORS)
        for cases, batch in events.batches():
            try:
                ledger.insert_stored(batch)
            except IntegrityError:
                _record_again(ledger, cases, lines)
        return report
    finally:
        lines.close()
        events.close()


def _check_case(
    ledger: CaseLedger, case: str, lines: _Lines, events: _Events, report: ImportReport
) -> list[LineError]:
    """Pass 2 for one case: its problems, or its encoded events added to `events`."""
    errors: list[LineError] = []
    located: list[tuple[str, Draft]] = []
    invalid_labels: set[str] = set()
    for where, line in lines.lines_of(case):
        try:
            located.append((where, _draft(line)))
        except InvalidEntry as invalid:
            errors.extend(LineError(where, str(problem)) for problem in invalid.problems)
            if invalid.label[1] is not None:
                invalid_labels.add(invalid.label[1])
    aggregate = ledger.load_or_start(case)
    try:
        outcome = aggregate.record([draft for _, draft in located])
    except CaseRejected as rejected:
        # A reference to a line that is itself invalid is not a second problem.
        errors.extend(
            LineError(located[index][0], str(problem))
            for index, problem in rejected.problems
            if problem.unresolved not in invalid_labels
        )
        return errors
    report.recorded += outcome.recorded
    report.skipped += outcome.skipped
    if not errors and outcome.recorded:
        events.add(case, [ledger.mapper.to_stored_event(e) for e in aggregate.collect_events()])
    return errors


def _record_again(ledger: CaseLedger, cases: list[str], lines: _Lines) -> None:
    """Another writer changed these cases since they were checked: record them afresh."""
    drafts = {
        case: [(where, _draft(line)) for where, line in lines.lines_of(case)] for case in cases
    }
    try:
        ledger.record_many({case: [d for _, d in located] for case, located in drafts.items()})
    except ImportRejected as rejected:
        raise ImportFailed(
            [
                LineError(drafts[key][index][0], str(problem))
                for key, index, problem in rejected.problems
            ]
        ) from None


def _problems(line: bytes) -> list[Problem]:
    try:
        _draft(line)
    except InvalidEntry as invalid:
        return invalid.problems
    return [Problem("case", "missing")]  # pragma: no cover - a valid draft always has a case


def _draft(line: bytes) -> Draft:
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        raise InvalidEntry([Problem(None, f"not valid JSON ({_json_reason(error)})")]) from None
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
