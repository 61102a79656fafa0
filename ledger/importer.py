"""JSONL import (DESIGN §5): validate everything, then store in batches, or store nothing.

The whole input is read and checked first: every line against the vocabulary and the time
grammar, then every case's references and labels against what the ledger already holds. Only
when no line has a problem are the cases saved, many per transaction. A re-run of the same
input skips what is stored, so an interrupted import can simply be run again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from eventsourcing.persistence import IntegrityError

from ledger.application import CaseLedger, ImportRejected
from ledger.case import Case, CaseRejected, Outcome
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


def read_drafts(
    sources: Iterable[Source], progress: Callable[[int], None] | None = None
) -> tuple[dict[str, list[tuple[str, Draft]]], int, list[LineError], set[tuple[Any, Any]]]:
    """Every valid draft grouped by case, in input order, with where it came from; the
    problems of the lines that are not valid; and the (case, ref) labels those lines claimed."""
    by_case: dict[str, list[tuple[str, Draft]]] = {}
    errors: list[LineError] = []
    invalid_labels: set[tuple[Any, Any]] = set()
    count = 0
    for source in sources:
        for number, line in enumerate(source.lines, start=1):
            if progress is not None:
                progress(len(line))
            if not line.strip():
                continue
            count += 1
            where = f"{source.name}:{number}"
            try:
                draft = _draft(line)
            except InvalidEntry as invalid:
                errors.extend(LineError(where, str(problem)) for problem in invalid.problems)
                invalid_labels.add(invalid.label)
                if len(errors) >= MAX_ERRORS:
                    raise ImportFailed(errors, truncated=True) from None
                continue
            by_case.setdefault(draft.case, []).append((where, draft))
    return by_case, count, errors, invalid_labels


def _draft(line: bytes) -> Draft:
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        raise InvalidEntry([Problem(None, f"not valid JSON ({_json_reason(error)})")]) from None
    try:
        return draft_from_object(obj)
    except InvalidEntry as invalid:
        if isinstance(obj, dict) and isinstance(obj.get("ref"), str):
            invalid.label = (
                obj.get("case") if isinstance(obj.get("case"), str) else None,
                obj["ref"],
            )
        raise


def _json_reason(error: orjson.JSONDecodeError) -> str:
    return str(error).split(":")[0] if str(error) else "malformed"


def import_sources(
    ledger: CaseLedger,
    sources: Iterable[Source],
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate all sources, then record them; raise `ImportFailed` and store nothing on error."""
    by_case, count, errors, invalid_labels = read_drafts(sources, progress)
    cases, outcomes, problems = _record_in_memory(ledger, by_case, invalid_labels)
    # Reference problems are reported together with line problems, so one run shows all.
    errors += problems
    if errors:
        raise ImportFailed(sorted(errors, key=_line_order))
    for batch in _batches(cases, outcomes):
        try:
            ledger.save(*batch)
        except IntegrityError:
            # Another writer changed these cases meanwhile: validate them again and retry.
            outcomes.update(_record(ledger, {case.key: by_case[case.key] for case in batch}))
    report = ImportReport(lines=count, cases=set(by_case))
    for outcome in outcomes.values():
        report.recorded += outcome.recorded
        report.skipped += outcome.skipped
    return report


def _record_in_memory(
    ledger: CaseLedger,
    by_case: dict[str, list[tuple[str, Draft]]],
    invalid_labels: set[tuple[Any, Any]],
) -> tuple[list[Case], dict[str, Outcome], list[LineError]]:
    """Each case as stored, with the drafts recorded on it but not yet saved.

    The cases themselves find every reference and label problem; a reference to a line that
    is itself invalid is not reported a second time.
    """
    errors: list[LineError] = []
    cases: list[Case] = []
    outcomes: dict[str, Outcome] = {}
    for key, located in by_case.items():
        case = ledger.load_or_start(key)
        try:
            outcomes[key] = case.record([draft for _, draft in located])
        except CaseRejected as rejected:
            errors.extend(
                LineError(located[index][0], str(problem))
                for index, problem in rejected.problems
                if (key, problem.unresolved) not in invalid_labels
            )
            continue
        cases.append(case)
    return cases, outcomes, errors


def _line_order(error: LineError) -> tuple[str, int]:
    name, _, number = error.where.rpartition(":")
    return (name, int(number))


def _batches(cases: list[Case], outcomes: dict[str, Outcome]) -> Iterator[list[Case]]:
    """Cases with new entries, about BATCH_EVENTS entries to a transaction."""
    batch: list[Case] = []
    size = 0
    for case in cases:
        recorded = outcomes[case.key].recorded
        if not recorded:
            continue
        batch.append(case)
        size += recorded
        if size >= BATCH_EVENTS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _record(ledger: CaseLedger, batch: dict[str, list[tuple[str, Draft]]]) -> dict[str, Outcome]:
    try:
        return ledger.record_many({key: [d for _, d in located] for key, located in batch.items()})
    except ImportRejected as rejected:
        # Only possible when another writer changed these cases since the check above.
        raise ImportFailed(
            [
                LineError(batch[key][index][0], str(problem))
                for key, index, problem in rejected.problems
            ]
        ) from None
