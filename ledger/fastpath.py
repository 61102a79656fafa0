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
from ledger.chain import chain_hash_at, entry_hash
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
from ledger.fast_clock import Span, canonical_span
from ledger.identity_numbers import identity_number_fields, may_hold_identity_number
from ledger.references import BadReference, Reference, is_case_key, is_label, parse_reference
from ledger.rows import RowMapper, row_place
from ledger.strict_json import duplicate_key
from ledger.timeparse import TimeParseError, parse_input_moment
from ledger.vocabulary import NOT_DOCUMENTED, VOCABULARY, EventType, event_type

Row = tuple[str, int, str, bytes]

_REJECT = object()
"""What a checker returns for a value the exact path would refuse or rewrite."""

Checker = Callable[[Any], Any]


# Clocks repeat within a case and across nearby ones: on generated input a cache of 16,384
# misses little more often than one of 65,536 (each worker process keeps its own; a
# million-event import filled the larger one).
@lru_cache(maxsize=16384)
def _canonical_span(text: str) -> Span | None:
    """The interval of a clock text the exact path stores as written; None for any other."""
    span = canonical_span(text)  # the common forms, without the general grammar
    if span is not None:
        return span
    try:
        moment = parse_input_moment(text)
    except TimeParseError:
        return None
    return moment._key if moment.text == text else None


@lru_cache(maxsize=4096)
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


# Each kind's test as a Python expression over `v`, true where the exact path keeps `v` as
# written; `kept` is what the fast path goes on with (a reference parsed, a list copied).
_TESTS: dict[str, tuple[str, str]] = {
    "text": ("type(v) is str and v and len(v) <= MAX_TEXT and v.strip() == v", "v"),
    "bool": ("type(v) is bool", "v"),
    "int": ("type(v) is int and -MAX_INT < v < MAX_INT", "v"),
    "moment": ("type(v) is str and _canonical_span(v) is not None", "v"),
    "ref": ("type(v) is str and (r := _canonical_reference(v)) is not None", "r"),
    "refs": ("(r := _refs(v)) is not _REJECT", "r"),
    "texts": ("(r := _texts(v)) is not _REJECT", "r"),
    "object": ("(r := _object(v)) is not _REJECT", "r"),
    "enum": ("type(v) is str and v in {choices}", "v"),
}

_SCOPE: dict[str, Any] = {
    "MAX_TEXT": MAX_TEXT,
    "MAX_INT": MAX_INT,
    "NOT_DOCUMENTED": NOT_DOCUMENTED,
    "_REJECT": _REJECT,
    "_canonical_span": _canonical_span,
    "_canonical_reference": _canonical_reference,
    "_refs": _refs,
    "_texts": _texts,
    "_object": _object,
    "is_label": is_label,
}


def _type_source(spec: EventType) -> tuple[str, dict[str, Any]]:
    """The source of one type's checker and the names it uses besides `_SCOPE`.

    The checker takes a decoded line whose case and type are known to be right and returns
    (known, the envelope's texts, basis, the type's fields in vocabulary order), or None where
    the exact path would refuse or rewrite anything. Generated once per type, so the checks
    run as straight-line code rather than a loop over field specs calling a function each."""
    allowed = (frozenset(ENVELOPE_FIELDS) | {f.name for f in spec.fields}) - frozenset(
        SYSTEM_FIELDS
    )
    names: dict[str, Any] = {"ALLOWED": allowed}
    text_test = _TESTS["text"][0]
    code = [
        "def check(obj):",
        "    if not obj.keys() <= ALLOWED:",
        "        return None",
        "    get = obj.get",
        '    v = get("occurred")',
        "    if type(v) is not str or (occurred := _canonical_span(v)) is None:",
        "        return None",
        '    known = get("known")',
        "    if known is None:",
        f"        if {spec.requires_known}:",
        "            return None",
        "    elif (",
        "        type(known) is not str",
        "        or (k := _canonical_span(known)) is None",
        "        or k[1] <= occurred[0]",  # known before it happened
        "    ):",
        "        return None",
        '    v = get("ref")',
        "    if v is not None and not is_label(v):",
        "        return None",
    ]
    for name in ENVELOPE_TEXT_FIELDS:
        code += [
            f"    {name} = v = get({name!r})",
            f"    if v is not None and not ({text_test}):",
            "        return None",
        ]
    code += [
        '    if get("assessment", True) is not True:  # false is written by leaving it out',
        "        return None",
        "    basis = ()",
        '    if "basis" in obj:',
        '        basis = _refs(obj["basis"])',
        "        if basis is _REJECT or not basis:",
        "            return None",
        "    fields = {}",
        "    refs = False",
    ]
    for index, field in enumerate(spec.fields):
        test, kept = _TESTS[field.kind]
        if field.kind == "enum":
            names[f"CHOICES_{index}"] = frozenset(field.choices)
            test = test.format(choices=f"CHOICES_{index}")
        if spec.accepts_not_documented:
            test = f"v == NOT_DOCUMENTED or ({test})"
            kept = f"(v if v == NOT_DOCUMENTED else {kept})" if kept != "v" else "v"
        code += [
            f"    if {field.name!r} in obj:",
            f"        v = obj[{field.name!r}]",
            f"        if not ({test}):",
            "            return None",
            f"        fields[{field.name!r}] = {kept}",
        ]
        if field.kind in ("ref", "refs"):
            code.append("        refs = True")
        if field.required:
            code += ["    else:", "        return None"]
    code.append(
        "    return known, (actor, role, agency, on_behalf_of, summary, source), basis, fields,"
        " refs"
    )
    return "\n".join(code) + "\n", names


_Checked = tuple[str | None, tuple[Any, ...], tuple[Reference, ...], dict[str, Any], bool]
_checkers: dict[str, Callable[[dict[str, Any]], _Checked | None]] = {}


def _checker(type_name: str) -> Callable[[dict[str, Any]], _Checked | None] | None:
    """The type's generated checker, built on first use; None for a name not in the
    vocabulary."""
    checker = _checkers.get(type_name)
    if checker is None:
        spec = VOCABULARY.get(type_name)
        if spec is None:
            return None
        source, names = _type_source(spec)
        scope = {**_SCOPE, **names}
        exec(compile(source, f"<fast path checker for {type_name}>", "exec"), scope)
        checker = _checkers[type_name] = scope["check"]
    return checker


# Every byte that may begin a character's UTF-8 encoding below U+0100 (ASCII, 0xC2, 0xC3) and
# every continuation byte: what is left of a line without them begins a character above U+00FF.
_BELOW_U0100 = bytes(range(0xC4))


def _in_nfc(line: bytes) -> bool:
    """Whether the line's text is in NFC, as the exact path would store it. Up to U+00FF
    every character is NFC already (Swedish letters included): only a line with a character
    beyond needs the full check."""
    if line.isascii() or not line.translate(None, _BELOW_U0100):
        return True
    try:
        return is_normalized("NFC", line.decode())
    except UnicodeDecodeError:  # not UTF-8 (a case's lines tested at once): line by line then
        return False


def _accept(
    line: bytes, key: str, suspect: bool = True, plain: bool = False
) -> tuple[dict[str, Any], str, _Checked] | None:
    """The line decoded, its type and what its type's checker found, when the exact path
    would take it exactly as written; otherwise None. `suspect`: whether the line may hold an
    identity number (False only when a cheap test over its bytes said no); `plain`: whether
    it is known to hold no backslash and no text outside NFC (tested for all its case's
    lines at once)."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    # Text the exact path would normalise (NFC; a \u escape may spell any form), and a key
    # given twice, which it names. (One byte is sought faster than two: most lines hold no
    # backslash at all.)
    if not plain and ((b"\\" in line and b"\\u" in line) or not _in_nfc(line)):
        return None
    if duplicate_key(line, obj) is not None:
        return None
    if type(obj) is not dict or obj.get("case") != key or None in obj.values():
        return None
    type_name = obj.get("type")
    check = _checker(type_name) if type(type_name) is str else None
    if check is None:
        return None
    checked = check(obj)
    if checked is None:
        return None
    if suspect and may_hold_identity_number(line) and identity_number_fields(obj):
        return None  # the exact path refuses it, naming the field
    return obj, type_name, checked


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
    if type(lines) is not list:
        lines = list(lines)
    # Cheap tests over the whole case's bytes at once. Joining lines only ever adds
    # candidates for an identity number.
    joined = b"".join(lines)
    suspect = may_hold_identity_number(joined)
    # Lines join at a break and a brace, which compose with nothing: the whole is in NFC
    # exactly when every line is.
    plain = b"\\" not in joined and _in_nfc(joined)
    labels = dict(case.labels)
    seen = case.fingerprints
    batch: set[str] = set()
    accepted: list[tuple[int, dict[str, Any], str, _Checked, str]] = []
    seq = case.version
    for line in lines:
        seq += 1
        found = _accept(line, key, suspect, plain)
        if found is None:
            return None
        obj, type_name, checked = found
        fingerprint = entry_hash(obj)
        ref = obj.get("ref")
        if ref is not None:
            if ref in labels:  # stored already, or twice in this input
                return None
            labels[ref] = seq
        elif fingerprint in seen or fingerprint in batch:  # would be skipped
            return None
        batch.add(fingerprint)
        accepted.append((seq, obj, type_name, checked, fingerprint))

    last = seq
    topic = get_topic(Case.EntryRecorded)
    class_version = getattr(Case.EntryRecorded, "class_version", 1)
    cipher = mapper.row_cipher
    create_timestamp = Case.EntryRecorded.create_timestamp
    stamp = recorded_at.isoformat() if recorded_at is not None else None
    originator = case.id.hex
    prev_hash = case.last_hash
    rows: list[Row] = []
    for own, obj, type_name, checked, fingerprint in accepted:
        known, texts, references, fields, refs = checked
        basis = [_resolve(r, key, own, last, labels) for r in references]
        if 0 in basis:
            return None
        if refs:
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
        if type_name == CORRECTION:
            types = case.types | {entry[0]: entry[2] for entry in accepted}
            changes = _changes(fields, types, key, own, last, labels)
            if changes is None:
                return None
            fields["changes"] = changes
        actor, role, agency, on_behalf_of, summary, source = texts
        # The state as `Case.prepare` builds it, key for key in the same order.
        state: dict[str, Any] = {
            "case": key,
            "type": type_name,
            "ref": obj.get("ref"),
            "occurred": obj["occurred"],
            "known": known,
            "actor": actor,
            "role": role,
            "agency": agency,
            "on_behalf_of": on_behalf_of,
            "summary": summary,
            "source": source,
            "assessment": "assessment" in obj,
            "basis": basis,
            "fields": fields,
            "fingerprint": fingerprint,
            "prev_hash": prev_hash,
        }
        at = stamp or create_timestamp().isoformat()
        prev_hash = chain_hash_at(state, own, at)
        # The transcoder's tagged form of the event's timestamp (eventsourcing DatetimeAsISO).
        state["timestamp"] = {"_type_": "datetime_iso", "_data_": at}
        state["hash"] = prev_hash
        if class_version > 1:
            state["class_version"] = class_version
        data = orjson.dumps(state)
        if cipher is not None:
            data = cipher.encrypt_row(data, row_place(case.id, own, topic))
        rows.append((originator, own, topic, data))
    return rows
