"""Drafts: rows of a chronology on their way into the ledger.

A draft is a row as transcribed (its cells by field, the column each came from, where in
which file it was). It can be edited, classified and deleted until it is sealed. `check`
applies the import's whole validation (the vocabulary, the time grammar, and the case:
labels, references, duplicates) and names every problem by file, row and column; `seal`
records a case's drafts as entries, all or nothing, and then removes them. Each entry cites
its source row unless the row names its own source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ledger.case import Case, CaseRejected, Outcome
from ledger.draft_area import StoredDraft
from ledger.entry import ENVELOPE_FIELDS, MISSING, Draft, InvalidEntry, Problem, draft_from_object
from ledger.entry import field_from_text as _field_from_text
from ledger.identity_numbers import (
    IdentityNumberFound,
    contains_identity_number,
    identity_number_fields,
)
from ledger.message import Message, MessageError
from ledger.quoting import quote
from ledger.sheets import TARGETS, Origin, Sheet
from ledger.timeparse import TimeParseError, parse_moment
from ledger.vocabulary import VOCABULARY, EventType, UnknownEventType, event_type

if TYPE_CHECKING:
    from ledger.application import CaseLedger

__all__ = [
    "CHRONOLOGY",
    "DraftProblem",
    "DraftsRejected",
    "NotAField",
    "UnknownDraft",
    "check",
    "classify",
    "delete",
    "edit",
    "import_sheet",
    "refuse_identity_numbers",
    "seal",
    "to_object",
]

CHRONOLOGY = "ChronologyEntry"
_BOOLEANS = {"true": True, "false": False, "ja": True, "nej": False, "yes": True, "no": False}


class UnknownDraft(LookupError):
    def __init__(self, id: int) -> None:
        super().__init__(f"no draft {id}")


@dataclass(frozen=True, slots=True)
class DraftProblem:
    """One problem of one draft, named by where the row came from and the column. The place
    is a source citation (`Origin.cite`, the same in every language); `message` and
    `str(problem)` are `Message`s, said by the shell."""

    draft: int
    origin: Origin
    column: str | None
    message: str

    def __str__(self) -> str:
        place = self.origin.cite() + (f", kolumn {self.column}" if self.column else "")
        return Message(
            "{place} (draft {draft}): {problem}",
            place=place,
            draft=self.draft,
            problem=self.message,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "draft": self.draft,
            "origin": self.origin.to_json(),
            "column": self.column,
            "message": self.message,
        }


class NotAField(MessageError, ValueError):
    """An edit of a cell that is no field an entry has."""


class DraftsRejected(ValueError):
    def __init__(self, problems: list[DraftProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the drafts; nothing was sealed")
        self.problems = problems


def origin_of(draft: StoredDraft) -> Origin:
    origin = draft.data["origin"]
    return Origin(origin["file"], origin.get("sheet"), origin["row"])


def refuse_identity_numbers(case: str, sheet: Sheet) -> None:
    """Raise `IdentityNumberFound` when the case, the file's name or a cell holds a personal
    identity number: the first such cell is named by row and column."""
    if contains_identity_number(case):
        raise IdentityNumberFound("--case")
    for row in sheet.rows:
        if contains_identity_number(row.origin.file) or contains_identity_number(
            row.origin.sheet or ""
        ):
            raise IdentityNumberFound(Message("the file's or sheet's name"))
        for name in identity_number_fields(row.values):
            column = row.columns.get(name) or name
            raise IdentityNumberFound(f"{row.origin.cite()}, kolumn {column}")


def import_sheet(ledger: CaseLedger, case: str, sheet: Sheet) -> list[int]:
    """Store a sheet's rows as drafts of `case`, in one transaction; their ids. Nothing is
    stored when anything in it holds a personal identity number (`IdentityNumberFound`)."""
    refuse_identity_numbers(case, sheet)
    rows = [
        {
            "origin": row.origin.to_json(),
            "values": row.values,
            "columns": row.columns,
            "merged": row.merged,
        }
        for row in sheet.rows
    ]
    return ledger.drafts.add(case, rows)


def find(ledger: CaseLedger, id: int) -> StoredDraft:
    found = ledger.drafts.get(id)
    if found is None:
        raise UnknownDraft(id)
    return found


def edit(ledger: CaseLedger, draft: StoredDraft, changes: Mapping[str, str]) -> StoredDraft:
    """Set (or, with an empty value, clear) cells of a draft; an edited merged row is a row."""
    values = dict(draft.data["values"])
    columns = dict(draft.data.get("columns", {}))
    for name, value in changes.items():
        if contains_identity_number(name):
            raise IdentityNumberFound(Message("a field name"))
        if contains_identity_number(value):
            raise IdentityNumberFound(Message("field {name}", name=quote(name)))
        if name not in TARGETS:
            raise NotAField(
                Message(
                    "{name} is not a field (occurred, known, summary, source, comment, type, "
                    "actor, role, agency, on_behalf_of, basis, assessment, ref, or a type's "
                    "field)",
                    name=quote(name),
                )
            )
        if value == "":
            values.pop(name, None)
        else:
            values[name] = value
        columns[name] = columns.get(name) or f"--set {name}"
    data = dict(draft.data, values=values, columns=columns, merged=None)
    changed = StoredDraft(draft.id, draft.case, data)
    ledger.drafts.update(changed)
    return changed


def classify(ledger: CaseLedger, draft: StoredDraft, type_text: str) -> StoredDraft:
    """Give a draft its type (a vocabulary name or its Swedish term)."""
    return edit(ledger, draft, {"type": resolve_type(type_text).name})


def delete(ledger: CaseLedger, drafts: Sequence[StoredDraft]) -> int:
    return ledger.drafts.delete([d.id for d in drafts])


def resolve_type(text: str) -> EventType:
    """A type by its name (any case) or its Swedish term."""
    try:
        return event_type(text)
    except UnknownEventType:
        wanted = " ".join(text.split()).casefold()
        for spec in VOCABULARY.values():
            if wanted in (spec.name.casefold(), spec.swedish.casefold()):
                return spec
        raise


def to_object(case: str, draft: StoredDraft) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The draft as an import object, or None with the problems that keep it a draft."""
    values: dict[str, Any] = draft.data["values"]
    problems: list[Problem] = []
    if draft.data.get("merged"):
        heading = Problem(
            None,
            Message(
                "merged cells {cells}: a heading, not an entry (delete it, or edit it into an "
                "entry)",
                cells=draft.data["merged"],
            ),
        )
        return None, [heading]
    spec: EventType | None = None
    type_text = values.get("type")
    if type_text is None:
        problems.append(
            Problem(
                "type",
                Message(
                    "no type yet: classify it (ledger draft classify ID TYPE; ChronologyEntry "
                    "keeps it as information only)"
                ),
            )
        )
    else:
        try:
            spec = resolve_type(str(type_text))
        except UnknownEventType as error:
            problems.append(Problem("type", str(error)))
    if spec is None:
        # The rest cannot be checked against a type, but the times can be checked now.
        for name in ("occurred", "known"):
            if isinstance(values.get(name), str):
                try:
                    parse_moment(values[name])
                except TimeParseError as error:
                    problems.append(Problem(name, str(error)))
        if "occurred" not in values:
            problems.append(Problem("occurred", MISSING))
        return None, problems
    obj: dict[str, Any] = {"case": case, "type": spec.name}
    for name, value in values.items():
        if name in ("type",):
            continue
        if name == "case":
            if value != case:
                problems.append(
                    Problem(
                        "case",
                        Message(
                            "{value} is not the draft's case {case}", value=quote(value), case=case
                        ),
                    )
                )
            continue
        if name == "comment" and spec.field("comment") is None:
            problems.append(
                Problem(
                    "comment",
                    Message(
                        "{type} has no comment: move it into summary (ledger draft edit ID "
                        "--set summary=...) or clear it (--set comment=)",
                        type=spec.name,
                    ),
                )
            )
            continue
        obj[name] = _value(spec, name, value)
    if "source" not in obj:
        obj["source"] = origin_of(draft).cite()
    if problems:
        return None, problems
    return obj, problems


def _value(spec: EventType, name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value  # from JSONL: already a JSON value
    if name == "basis":
        return [part.strip() for part in value.split(",") if part.strip()]
    if name == "assessment":
        return _BOOLEANS.get(value.strip().casefold(), value)
    if name in ENVELOPE_FIELDS:
        return value
    if spec.field(name) is not None and spec.field(name).kind == "bool":  # type: ignore[union-attr]
        return _BOOLEANS.get(value.strip().casefold(), value)
    return _field_from_text(spec, name, value)


def check(
    ledger: CaseLedger, case: str
) -> tuple[list[StoredDraft], list[Draft], list[DraftProblem]]:
    """Every problem of a case's drafts, with the validated drafts when there are none."""
    stored = ledger.drafts.of_case(case)
    problems: list[DraftProblem] = []
    valid: list[tuple[StoredDraft, Draft]] = []
    invalid_labels: set[str] = set()
    for draft in stored:
        obj, found = to_object(case, draft)
        if obj is not None:
            try:
                valid.append((draft, draft_from_object(obj, case=case)))
                continue
            except InvalidEntry as invalid:
                found = invalid.problems
        problems.extend(_named(draft, p) for p in found)
        ref = draft.data["values"].get("ref")
        if isinstance(ref, str):
            invalid_labels.add(ref)
    existing = ledger.load(case) or Case.start(ledger.case_id(case), case)
    try:
        existing.prepare([d for _, d in valid])
    except CaseRejected as rejected:
        problems.extend(
            _named(valid[index][0], problem)
            for index, problem in rejected.problems
            if problem.unresolved not in invalid_labels
        )
    problems.sort(key=lambda p: (p.draft, p.column or ""))
    return stored, [d for _, d in valid], problems


def _named(draft: StoredDraft, problem: Problem) -> DraftProblem:
    columns: dict[str, str] = draft.data.get("columns", {})
    field = (problem.field or "").removeprefix("changes.")
    column = columns.get(field) if field else None
    message = problem.message if column else str(problem)
    return DraftProblem(draft.id, origin_of(draft), column, message)


def seal(ledger: CaseLedger, case: str) -> Outcome:
    """Record a case's drafts as entries, all or nothing, then remove the drafts.

    Should the process stop between the two, the drafts are still there; sealing again
    recognises the entries as stored (the import's fingerprint) and only removes them.
    """
    stored, drafts, problems = check(ledger, case)
    if not stored:
        raise DraftsRejected([])
    if problems:
        raise DraftsRejected(problems)
    outcome = ledger.record(case, drafts)
    ledger.drafts.delete([d.id for d in stored])
    return outcome
