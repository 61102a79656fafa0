"""Turning one input object (a JSONL line, a `ledger record` call) into a validated draft entry.

A draft is what the user asserted, checked against the vocabulary and the time grammar but not
yet placed in a case: its references are still as written, because only the case knows what
`@report-1` or `#4` point at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple
from unicodedata import is_normalized, normalize

import orjson

from ledger.chain import entry_hash
from ledger.identity_numbers import (
    IDENTITY_NUMBER_MESSAGE,
    contains_identity_number,
    identity_number_fields,
)
from ledger.message import Message, in_context
from ledger.quoting import name as field_name
from ledger.quoting import quote
from ledger.references import BadReference, Reference, is_case_key, is_label, parse_reference
from ledger.timeparse import Moment, TimeParseError, parse_input_moment
from ledger.vocabulary import (
    NOT_DOCUMENTED,
    VOCABULARY,
    EventType,
    FieldSpec,
    UnknownEventType,
    event_type,
)

ENVELOPE_TEXT_FIELDS = ("actor", "role", "agency", "on_behalf_of", "summary", "source")
ENVELOPE_FIELDS = (
    "case",
    "ref",
    "type",
    "occurred",
    "known",
    *ENVELOPE_TEXT_FIELDS,
    "assessment",
    "basis",
)
# Clocks the ledger sets itself; accepting them from input would let a file rewrite history.
SYSTEM_FIELDS = ("seq", "recorded_at", "hash", "prev_hash")

MAX_TEXT = 20_000
MAX_LIST = 1_000
MAX_INT = 2**53
MAX_DEPTH = 16


MISSING = in_context("a field not given", "missing")
"""A required field that is not there ("saknas"; the same English word for a barrier is
"saknades")."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one input object, named by its field. `message` is a `Message`
    (the shell says it in the reader's language), and so is `str(problem)`."""

    field: str | None
    message: str
    unresolved: str | None = None  # the label a reference pointed at, when it did not resolve

    def __str__(self) -> str:
        if not self.field:
            return self.message
        return Message("field '{field}': {problem}", field=self.field, problem=self.message)


class InvalidEntry(ValueError):
    """The input object has one or more problems; nothing was recorded."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems
        self.label: tuple[Any, Any] = (None, None)  # (case, ref) the object claimed, if any


class Draft(NamedTuple):
    """What one input object asserted, validated; references are still as written.

    A named tuple rather than a dataclass: an import builds one per line, and a tuple is
    built in half the time while staying just as immutable.
    """

    case: str
    type: str
    occurred: Moment
    known: Moment | None
    ref: str | None = None
    actor: str | None = None
    role: str | None = None
    agency: str | None = None
    on_behalf_of: str | None = None
    summary: str | None = None
    source: str | None = None
    assessment: bool = False
    basis: tuple[Reference, ...] = ()
    fields: Mapping[str, Any] = MappingProxyType({})
    # The object in canonical form: what the fingerprint covers (see draft_from_object).
    written: Mapping[str, Any] = MappingProxyType({})

    def fingerprint(self) -> str:
        """A digest of what was asserted, so a re-import of the same line is recognised."""
        return entry_hash(self.written)

    def as_input(self) -> dict[str, Any]:
        """The draft as a JSONL object, references as written."""
        return dict(self.written)


# Each type's fields by name, and the names an object of that type may carry.
_FIELD_SPECS: dict[str, dict[str, FieldSpec]] = {
    name: {spec.name: spec for spec in t.fields} for name, t in VOCABULARY.items()
}
_ENVELOPE = frozenset(ENVELOPE_FIELDS)
_SYSTEM = frozenset(SYSTEM_FIELDS)


def draft_from_object(obj: Any, *, case: str | None = None) -> Draft:
    """Validate one input object; raise `InvalidEntry` listing every problem found.

    The draft keeps the object as written in canonical form (`written`): what it asserted,
    stripped of absent values and surrounding blanks, its times and references normalised.
    It is the input to the fingerprint, so the same assertion is always recognised.
    """
    if not isinstance(obj, Mapping):
        raise InvalidEntry([Problem(None, Message("expected a JSON object"))])
    obj = _nfc(obj)
    problems: list[Problem] = []
    if type(obj) is not dict or None in obj.values():
        obj = {k: v for k, v in obj.items() if v is not None}
    # Copied only when something written differs from its canonical form (rarely).
    written: dict[str, Any] = obj

    def rewrite(name: str, value: Any) -> None:
        nonlocal written
        if written is obj:
            written = dict(obj)
        if value is None:
            written.pop(name, None)
        else:
            written[name] = value

    case_key = obj.get("case", case)
    if case is not None and case_key != case:
        problems.append(
            Problem(
                "case",
                Message(
                    "{value} does not match the case {case}",
                    value=quote(case_key),
                    case=quote(case),
                ),
            )
        )
    elif case_key is None:
        problems.append(Problem("case", MISSING))
    elif not is_case_key(case_key):
        problems.append(
            Problem(
                "case",
                Message(
                    "{text} is not a case key (letters, digits, '.', '_', '-')",
                    text=quote(case_key),
                ),
            )
        )
    elif "case" not in obj:
        rewrite("case", case_key)

    spec: EventType | None = None
    specs: dict[str, FieldSpec] = {}
    type_name = obj.get("type")
    if type_name is None:
        problems.append(Problem("type", MISSING))
    elif not isinstance(type_name, str):
        problems.append(
            Problem("type", Message("expected a type name, got {value}", value=quote(type_name)))
        )
    else:
        try:
            spec = event_type(type_name)
            specs = _FIELD_SPECS[spec.name]
        except UnknownEventType as error:
            problems.append(Problem("type", str(error)))

    occurred = _moment(obj, "occurred", problems, required=True)
    known = _moment(obj, "known", problems, required=spec is not None and spec.requires_known)
    if occurred is not None:
        if occurred.text != obj["occurred"]:
            rewrite("occurred", occurred.text)
        if known is not None and known.end <= occurred.start:
            problems.append(
                Problem(
                    "known",
                    Message(
                        "{known} is before the event occurred ({occurred})",
                        known=known.text,
                        occurred=occurred.text,
                    ),
                )
            )
    if known is not None and known.text != obj["known"]:
        rewrite("known", known.text)

    ref = obj.get("ref")
    if ref is not None and not is_label(ref):
        problems.append(
            Problem(
                "ref",
                Message(
                    "{value} is not a label (letters, digits, '.', '_', ':', '-')", value=quote(ref)
                ),
            )
        )

    texts: list[str | None] = []
    for name in ENVELOPE_TEXT_FIELDS:
        value = obj.get(name)
        if value is None:
            texts.append(None)
            continue
        if type(value) is str and len(value) <= MAX_TEXT:
            text = value.strip()
            if text is value and text:
                texts.append(text)
                continue
            if text:
                texts.append(text)
                rewrite(name, text)
                continue
        texts.append(_text(obj, name, problems))  # which says what is wrong

    assessment = obj.get("assessment", False)
    if not isinstance(assessment, bool):
        problems.append(Problem("assessment", _not_boolean(assessment)))
    elif assessment is False and "assessment" in obj:
        rewrite("assessment", None)

    basis = _references(obj.get("basis", []), "basis", problems)
    if basis is not None and "basis" in obj:
        canonical = [str(r) for r in basis]
        if not canonical:
            rewrite("basis", None)
        elif canonical != obj["basis"]:
            rewrite("basis", canonical)

    extra = obj.keys() - _ENVELOPE
    if (spec is not None and not extra <= specs.keys()) or extra & _SYSTEM:
        for name in sorted(extra, key=str):
            if name in _SYSTEM:
                problems.append(Problem(name, Message("is set by the ledger and cannot be given")))
            elif spec is not None and name not in specs:
                allowed = ", ".join(f.name for f in spec.fields) or Message("none")
                problems.append(
                    Problem(
                        field_name(name),
                        Message(
                            "unknown field for {type} (its fields: {fields})",
                            type=spec.name,
                            fields=allowed,
                        ),
                    )
                )
    fields: dict[str, Any] = {}
    if spec is not None:
        undocumented = spec.accepts_not_documented
        for field_spec in spec.fields:
            name = field_spec.name
            if name in obj:
                raw = obj[name]
                value = _field_value(field_spec, raw, problems, undocumented=undocumented)
                if value is not None:
                    fields[name] = value
                    shown = _written(value)
                    if shown is not raw and shown != raw:
                        rewrite(name, shown)
            elif field_spec.required:
                problems.append(
                    Problem(name, Message("missing (required for {type})", type=spec.name))
                )

    if flagged := identity_number_fields({**obj, **written, "case": case_key}):
        # The number is refused in every field, and no other message may repeat it (several
        # quote the value they complain about).
        problems = [
            p
            for p in problems
            if (p.field or "").split(".")[0] not in flagged and not contains_identity_number(str(p))
        ] + [Problem(name, IDENTITY_NUMBER_MESSAGE) for name in flagged]
    if problems:
        raise InvalidEntry(problems)
    assert spec is not None and occurred is not None and isinstance(case_key, str)
    return Draft(
        case_key, spec.name, occurred, known, ref, *texts, assessment, basis or (), fields, written
    )


def _not_boolean(value: Any) -> Message:
    return Message("expected true or false, got {value}", value=quote(value))


def _written(value: Any) -> Any:
    if isinstance(value, Reference):
        return str(value)
    if isinstance(value, tuple):
        return [_written(v) for v in value]
    return value


def _nfc(value: Any, depth: int = 0) -> Any:
    """Text in one Unicode form (NFC): "ä" typed as one character or as "a" and a combining
    diaeresis is the same text, so it has the same fingerprint (a re-import is idempotent)
    and one agency is one lane. Returns `value` itself when nothing changes."""
    if type(value) is str:
        if value.isascii() or is_normalized("NFC", value):
            return value
        return normalize("NFC", value)
    if depth > MAX_DEPTH:
        return value  # refused for its depth by the checks that follow
    if isinstance(value, Mapping):
        pairs = [(_nfc(k), _nfc(v, depth + 1)) for k, v in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True)):
            return value
        return dict(pairs)
    if type(value) is list:
        items = [_nfc(v, depth + 1) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    return value


def _moment(
    obj: Mapping[str, Any], name: str, problems: list[Problem], *, required: bool
) -> Moment | None:
    value = obj.get(name)
    if value is None:
        if required:
            problems.append(Problem(name, MISSING))
        return None
    if not isinstance(value, str):
        problems.append(
            Problem(
                name, Message("expected a time like '2019-12-24', got {value}", value=quote(value))
            )
        )
        return None
    try:
        return parse_input_moment(value)
    except TimeParseError as error:
        problems.append(Problem(name, str(error)))
        return None


def _text(obj: Mapping[str, Any], name: str, problems: list[Problem]) -> str | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(
            Problem(name, Message("expected non-empty text, got {value}", value=quote(value)))
        )
        return None
    if len(value) > MAX_TEXT:
        problems.append(Problem(name, Message("longer than {n} characters", n=MAX_TEXT)))
        return None
    return value.strip()


def _references(value: Any, name: str, problems: list[Problem]) -> tuple[Reference, ...] | None:
    if not isinstance(value, list) or len(value) > MAX_LIST:
        problems.append(
            Problem(name, Message("expected a list of references, got {value}", value=quote(value)))
        )
        return None
    found = []
    for item in value:
        try:
            found.append(parse_reference(item))
        except BadReference as error:
            problems.append(Problem(name, str(error)))
    return tuple(found)


def _bounded(value: Any, depth: int) -> bool:
    """Whether a JSON value stays within `depth` levels and MAX_LIST members a level."""
    if isinstance(value, dict | list):
        if depth <= 0 or len(value) > MAX_LIST:
            return False
        members = value.values() if isinstance(value, dict) else value
        return all(_bounded(member, depth - 1) for member in members)
    return True


def _field_value(
    spec: FieldSpec, value: Any, problems: list[Problem], *, undocumented: bool
) -> Any:
    """The validated value of one type field; `undocumented` allows NOT_DOCUMENTED, which is
    kept as written whatever the kind (it is neither a reference nor a time)."""
    if undocumented and value == NOT_DOCUMENTED:
        return NOT_DOCUMENTED

    def wrong(expected: Message) -> None:
        shown = quote(value)
        if undocumented:
            problem = Message(
                "expected {expected} (or {code}), got {value}",
                expected=expected,
                code=NOT_DOCUMENTED,
                value=shown,
            )
        else:
            problem = Message("expected {expected}, got {value}", expected=expected, value=shown)
        problems.append(Problem(spec.name, problem))

    kind = spec.kind
    if kind == "text":
        if isinstance(value, str) and value.strip() and len(value) <= MAX_TEXT:
            return value.strip()
        return wrong(Message("non-empty text"))
    if kind == "bool":
        return value if isinstance(value, bool) else wrong(Message("true or false"))
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) < MAX_INT:
            return value
        return wrong(Message("a whole number"))
    if kind == "enum":
        if value in spec.choices:
            return value
        return wrong(Message("one of {choices}", choices=", ".join(spec.choices)))
    if kind == "moment":
        if not isinstance(value, str):
            return wrong(Message("a time like '2019-12-24'"))
        try:
            return parse_input_moment(value).text
        except TimeParseError as error:
            problems.append(Problem(spec.name, str(error)))
            return None
    if kind == "ref":
        try:
            return parse_reference(value)
        except BadReference as error:
            problems.append(Problem(spec.name, str(error)))
            return None
    if kind == "refs":
        return _references(value, spec.name, problems)
    if kind == "texts":
        if (
            isinstance(value, list)
            and len(value) <= MAX_LIST
            and all(isinstance(v, str) and v.strip() and len(v) <= MAX_TEXT for v in value)
        ):
            return [v.strip() for v in value]
        return wrong(Message("a list of texts"))
    if kind == "object":
        if isinstance(value, dict) and value and _bounded(value, MAX_DEPTH):
            return value
        return wrong(
            Message(
                "a JSON object of at most {keys} keys, nested at most {depth} deep",
                keys=MAX_LIST,
                depth=MAX_DEPTH,
            )
        )
    raise AssertionError(f"vocabulary field kind {kind!r} has no validator")


_BOOLEAN_TEXTS = {"true": True, "false": False, "yes": True, "no": False}


def change_from_text(target: EventType, name: str, text: str) -> Any:
    """A corrected value given on the command line as text (`ledger correct --set NAME=TEXT`):
    `assessment` is a boolean and `basis` a comma-separated list, as on `ledger record`; the
    target type's own fields are read by their kind; the rest is passed on as written."""
    if name == "assessment":
        return _BOOLEAN_TEXTS.get(text.lower(), text)
    if name == "basis":
        return [part.strip() for part in text.split(",") if part.strip()]
    if target.field(name) is not None:
        return field_from_text(target, name, text)
    return text


def field_from_text(spec: EventType, name: str, text: str) -> Any:
    """A type field given on the command line as text, read by the kind the vocabulary says.

    Booleans are `true`/`false`, lists are comma-separated, objects are JSON; anything the
    kind does not fit is passed on as written so validation can name the field.
    """
    field_spec = spec.field(name)
    if text == NOT_DOCUMENTED:
        # One word for every kind: split into a list it would no longer be recognised.
        return text
    kind = field_spec.kind if field_spec is not None else "text"
    if kind == "bool":
        return _BOOLEAN_TEXTS.get(text.lower(), text)
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            return text
    if kind in ("refs", "texts"):
        return [part.strip() for part in text.split(",") if part.strip()]
    if kind == "object":
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            return text
    return text


CORRECTABLE_ENVELOPE = ("occurred", "known", *ENVELOPE_TEXT_FIELDS, "assessment", "basis")


def validate_changes(
    target: EventType, changes: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    """The `changes` of a correction, checked against the corrected entry's type.

    Envelope fields and the target type's own fields may change; the case, the type and the
    ref may not (record a retraction and a new entry instead). References stay as written.
    """
    problems: list[Problem] = []
    normalized: dict[str, Any] = {}
    for name, value in changes.items():
        where = f"changes.{field_name(name)}"
        if name in ("occurred", "known"):
            moment = _moment({name: value}, name, problems, required=True)
            if moment is not None:
                normalized[name] = moment.text
        elif name in ENVELOPE_TEXT_FIELDS:
            text = _text({name: value}, name, problems)
            if text is not None:
                normalized[name] = text
        elif name == "assessment":
            if isinstance(value, bool):
                normalized[name] = value
            else:
                problems.append(Problem(where, _not_boolean(value)))
        elif name == "basis":
            refs = _references(value, where, problems)
            if refs is not None:
                normalized[name] = refs
        elif (spec := target.field(name)) is not None:
            found = _field_value(spec, value, problems, undocumented=target.accepts_not_documented)
            if found is not None:
                normalized[name] = found
        else:
            allowed = ", ".join((*CORRECTABLE_ENVELOPE, *(f.name for f in target.fields)))
            problems.append(
                Problem(
                    where,
                    Message(
                        "cannot be corrected on a {type} (correctable: {fields})",
                        type=target.name,
                        fields=allowed,
                    ),
                )
            )
    for problem in problems:
        if problem.field is not None and not problem.field.startswith("changes."):
            object.__setattr__(problem, "field", f"changes.{problem.field}")
    return normalized, problems
