"""The import's fast path: a case whose lines are all canonical, stored without drafts.

Nearly every line of a bulk import is canonical already: its times written as the ledger
writes them, its texts without surrounding blanks, no absent values, references resolvable.
For those lines the exact path (`ledger.entry.draft_from_object`, `Case.prepare`,
`Case.new_events`, the mapper and its transcoder) builds a draft, an event object and a
tagged copy of each state only to arrive at bytes this module writes directly: the line's
object is its own canonical form, so its fingerprint is the hash of the object as read.

Validation is by checkers built once per vocabulary type from the registry, each accepting a
value only where the exact path would keep it unchanged. Anything else (a problem, a value
the exact path would rewrite, a line already stored, a correction) makes the whole case go
the exact path, which explains problems and handles what is rare. The two paths store the
same bytes (tests/test_fastpath.py compares them row by row, in clear and encrypted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any
from unicodedata import is_normalized

import orjson
from eventsourcing.persistence import Mapper
from eventsourcing.utils import get_topic

from ledger.case import CORRECTION, Case
from ledger.chain import chained_payload, entry_hash
from ledger.entry import (
    ENVELOPE_FIELDS,
    ENVELOPE_TEXT_FIELDS,
    MAX_DEPTH,
    MAX_INT,
    MAX_LIST,
    MAX_TEXT,
    SYSTEM_FIELDS,
    _bounded,
    _written,
    validate_changes,
)
from ledger.identity_numbers import identity_number_fields
from ledger.references import BadReference, Reference, is_case_key, is_label, parse_reference
from ledger.rows import RowMapper, row_place
from ledger.strict_json import duplicate_key
from ledger.timeparse import Moment, TimeParseError, parse_input_moment
from ledger.vocabulary import NOT_DOCUMENTED, VOCABULARY, EventType, FieldSpec, event_type

Row = tuple[str, int, str, bytes]

_REJECT = object()
"""What a checker returns for a value the exact path would refuse or rewrite."""

Checker = Callable[[Any], Any]


@lru_cache(maxsize=65536)
def _canonical_moment(text: str) -> Moment | None:
    try:
        moment = parse_input_moment(text)
    except TimeParseError:
        return None
    return moment if moment.text == text else None


@lru_cache(maxsize=65536)
def _canonical_reference(text: str) -> Reference | None:
    try:
        reference = parse_reference(text)
    except BadReference:
        return None
    return reference if str(reference) == text else None


def _text(value: Any) -> Any:
    if type(value) is str and value and len(value) <= MAX_TEXT and value.strip() == value:
        return value
    return _REJECT


def _bool(value: Any) -> Any:
    return value if type(value) is bool else _REJECT


def _int(value: Any) -> Any:
    return value if type(value) is int and abs(value) < MAX_INT else _REJECT


def _moment(value: Any) -> Any:
    return value if type(value) is str and _canonical_moment(value) is not None else _REJECT


def _ref(value: Any) -> Any:
    if type(value) is str and (reference := _canonical_reference(value)) is not None:
        return reference
    return _REJECT


def _refs(value: Any) -> Any:
    if type(value) is not list or len(value) > MAX_LIST:
        return _REJECT
    found = []
    for item in value:
        if type(item) is not str or (reference := _canonical_reference(item)) is None:
            return _REJECT
        found.append(reference)
    return tuple(found)


def _texts(value: Any) -> Any:
    if type(value) is list and len(value) <= MAX_LIST and all(_text(v) is v for v in value):
        return list(value)
    return _REJECT


def _object(value: Any) -> Any:
    if type(value) is dict and value and _bounded(value, MAX_DEPTH):
        return value
    return _REJECT


_KINDS: dict[str, Checker] = {
    "text": _text,
    "bool": _bool,
    "int": _int,
    "moment": _moment,
    "ref": _ref,
    "refs": _refs,
    "texts": _texts,
    "object": _object,
}


def _field_checker(spec: FieldSpec, undocumented: bool) -> Checker:
    if spec.kind == "enum":
        choices = frozenset(spec.choices)

        def check(value: Any) -> Any:
            return value if type(value) is str and value in choices else _REJECT

    else:
        check = _KINDS[spec.kind]
    if not undocumented:
        return check

    def or_undocumented(value: Any) -> Any:
        return NOT_DOCUMENTED if value == NOT_DOCUMENTED else check(value)

    return or_undocumented


class _TypeCheck:
    """One vocabulary type's checks, built once: the keys a line may carry, and each type
    field's checker in vocabulary order (the order the exact path stores them in)."""

    __slots__ = ("allowed", "fields", "name", "required", "requires_known")

    def __init__(self, spec: EventType) -> None:
        self.name = spec.name
        undocumented = spec.accepts_not_documented
        self.fields = tuple((f.name, _field_checker(f, undocumented)) for f in spec.fields)
        self.required = frozenset(f.name for f in spec.fields if f.required)
        self.allowed = (frozenset(ENVELOPE_FIELDS) | {f.name for f in spec.fields}) - frozenset(
            SYSTEM_FIELDS
        )
        self.requires_known = spec.requires_known


_TYPES = {name: _TypeCheck(spec) for name, spec in VOCABULARY.items()}


class _Line:
    """One accepted line, before its references are resolved."""

    __slots__ = ("basis", "fields", "fingerprint", "known", "obj", "seq", "texts", "type")

    def __init__(
        self,
        obj: dict[str, Any],
        type_name: str,
        known: str | None,
        texts: list[Any],
        basis: tuple[Reference, ...],
        fields: dict[str, Any],
        seq: int,
    ) -> None:
        self.obj = obj
        self.type = type_name
        self.known = known
        self.texts = texts
        self.basis = basis
        self.fields = fields
        self.seq = seq
        self.fingerprint = entry_hash(obj)


def _accept(line: bytes, key: str, seq: int) -> _Line | None:
    """The line, when the exact path would take it exactly as written; otherwise None."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    # Text the exact path would normalise (NFC; a \u escape may spell any form), and a key
    # given twice, which it names.
    if (not line.isascii() and not is_normalized("NFC", line.decode())) or b"\\u" in line:
        return None
    if duplicate_key(line, obj) is not None:
        return None
    if type(obj) is not dict or obj.get("case") != key or None in obj.values():
        return None
    type_name = obj.get("type")
    check = _TYPES.get(type_name) if type(type_name) is str else None
    if check is None or not obj.keys() <= check.allowed:
        return None
    occurred_text = obj.get("occurred")
    if type(occurred_text) is not str or (occurred := _canonical_moment(occurred_text)) is None:
        return None
    known_text = obj.get("known")
    if known_text is None:
        if check.requires_known:
            return None
    elif (
        type(known_text) is not str
        or (known := _canonical_moment(known_text)) is None
        or known.end <= occurred.start
    ):
        return None
    ref = obj.get("ref")
    if ref is not None and not is_label(ref):
        return None
    texts = []
    for name in ENVELOPE_TEXT_FIELDS:
        value = obj.get(name)
        if value is not None and _text(value) is _REJECT:
            return None
        texts.append(value)
    if obj.get("assessment", True) is not True:  # false is written by leaving it out
        return None
    basis: tuple[Reference, ...] = ()
    if "basis" in obj:
        basis = _refs(obj["basis"])
        if basis is _REJECT or not basis:
            return None
    fields: dict[str, Any] = {}
    for name, checker in check.fields:
        if name in obj:
            value = checker(obj[name])
            if value is _REJECT:
                return None
            fields[name] = value
    if not check.required <= fields.keys():
        return None
    if identity_number_fields(obj):  # refused, and explained, by the exact path
        return None
    return _Line(obj, check.name, known_text, texts, basis, fields, seq)


def _resolve(reference: Reference, key: str, own: int, last: int, labels: dict[str, int]) -> int:
    """The seq a reference points at, or 0 where the exact path would report a problem or
    must look further: a reference forward in the input may close a cycle, which the exact
    path names."""
    if reference.case is not None and reference.case != key:
        return 0
    if reference.seq is not None:
        seq = reference.seq if reference.seq <= last else 0
    else:
        seq = labels.get(reference.label, 0)  # type: ignore[arg-type]
    return seq if seq < own else 0


def _changes(
    fields: dict[str, Any],
    types: dict[int, str],
    key: str,
    own: int,
    last: int,
    labels: dict[str, int],
) -> dict[str, Any] | None:
    """A correction's changes as the exact path stores them (checked against the corrected
    entry's type by the same function), or None where it would report or rewrite them."""
    target, changes = fields.get("target"), fields.get("changes")
    if type(target) is not int or type(changes) is not dict:
        return None
    normalized, problems = validate_changes(event_type(types[target]), changes)
    if problems or list(normalized) != list(changes):
        return None
    stored: dict[str, Any] = {}
    for name, value in normalized.items():
        if _written(value) != changes[name]:
            return None
        if type(value) is Reference:
            value = _resolve(value, key, own, last, labels)
            if not value:
                return None
        elif type(value) is tuple:
            value = [_resolve(r, key, own, last, labels) for r in value]
            if 0 in value:
                return None
        stored[name] = value
    return stored


def fast_rows(
    case: Case, lines: Iterable[bytes], mapper: Mapper[Any], recorded_at: datetime | None = None
) -> list[Row] | None:
    """The rows recording `lines` in `case` stores, exactly as the exact path stores them
    (`Case.prepare`, with the same `recorded_at`), or None when any line needs the exact path
    (which then takes the whole case)."""
    if not isinstance(mapper, RowMapper) or mapper.compressor is not None:
        return None
    key = case.key
    if not is_case_key(key):
        return None  # the exact path names what is wrong with the key
    labels = dict(case.labels)
    seen = case.fingerprints
    batch: set[str] = set()
    accepted: list[_Line] = []
    seq = case.version
    for line in lines:
        seq += 1
        found = _accept(line, key, seq)
        if found is None:
            return None
        ref = found.obj.get("ref")
        if ref is not None:
            if ref in labels:  # stored already, or twice in this input
                return None
            labels[ref] = seq
        elif found.fingerprint in seen or found.fingerprint in batch:  # would be skipped
            return None
        batch.add(found.fingerprint)
        accepted.append(found)

    last = seq
    types = case.types | {entry.seq: entry.type for entry in accepted}
    topic = get_topic(Case.EntryRecorded)
    class_version = getattr(Case.EntryRecorded, "class_version", 1)
    cipher = mapper.row_cipher
    create_timestamp = Case.EntryRecorded.create_timestamp
    originator = case.id.hex
    prev_hash = case.last_hash
    rows: list[Row] = []
    for entry in accepted:
        own = entry.seq
        basis = [_resolve(r, key, own, last, labels) for r in entry.basis]
        if 0 in basis:
            return None
        fields = entry.fields
        for name, value in fields.items():
            if type(value) is Reference:
                seq = _resolve(value, key, own, last, labels)
                if not seq:
                    return None
                fields[name] = seq
            elif type(value) is tuple:
                seqs = [_resolve(r, key, own, last, labels) for r in value]
                if 0 in seqs:
                    return None
                fields[name] = seqs
        if entry.type == CORRECTION:
            changes = _changes(fields, types, key, own, last, labels)
            if changes is None:
                return None
            fields["changes"] = changes
        obj = entry.obj
        actor, role, agency, on_behalf_of, summary, source = entry.texts
        # The state as `Case.prepare` builds it, key for key in the same order.
        state: dict[str, Any] = {
            "case": key,
            "type": entry.type,
            "ref": obj.get("ref"),
            "occurred": obj["occurred"],
            "known": entry.known,
            "actor": actor,
            "role": role,
            "agency": agency,
            "on_behalf_of": on_behalf_of,
            "summary": summary,
            "source": source,
            "assessment": "assessment" in obj,
            "basis": basis,
            "fields": fields,
            "fingerprint": entry.fingerprint,
            "prev_hash": prev_hash,
        }
        timestamp = recorded_at or create_timestamp()
        prev_hash = entry_hash(chained_payload(state, own, timestamp))
        # The transcoder's tagged form of the event's timestamp (eventsourcing DatetimeAsISO).
        state["timestamp"] = {"_type_": "datetime_iso", "_data_": timestamp.isoformat()}
        state["hash"] = prev_hash
        if class_version > 1:
            state["class_version"] = class_version
        data = orjson.dumps(state)
        if cipher is not None:
            data = cipher.encrypt_row(data, row_place(case.id, own, topic))
        rows.append((originator, own, topic, data))
    return rows
