"""Swedish personal identity numbers, found so that they are refused, never stored.

A case key is a pseudonymous label and a child's personnummer is never a key nor stored
(DESIGN §4); the ledger is immutable, so a number that got in could never be taken out again.
Every way text enters the ledger (import, record, corrections, drafts, the access log's user,
purpose and case) asks `identity_number_fields` or `contains_identity_number` first.

A personnummer is YYMMDD-NNNC (`+` instead of `-` from the year one turns 100), also written
YYMMDDNNNC, YYYYMMDD-NNNC or YYYYMMDDNNNC; a samordningsnummer is the same with 60 added to
the day. C is the Luhn check digit over the ten-digit form. A candidate must be a real date
and pass the check, and stand alone (no digit right before or after it), so dates
(2019-12-20), court case numbers (1234-19), diarienummer (8.5-12345/2020), organisation
numbers (their month is 20 or more) and phone numbers written as people write them
(070-123 45 67, +46 70 123 45 67) are left alone. Ten digits run together that happen to
form a date and a valid check digit (one such string in ten) cannot be told from a
personnummer and are refused: write a phone number with its usual spaces.

Messages never repeat the number: they name the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import orjson

from ledger.message import Message, MessageError

__all__ = [
    "IDENTITY_NUMBER_MESSAGE",
    "IdentityNumberFound",
    "contains_identity_number",
    "identity_number_fields",
    "may_hold_identity_number",
]

IDENTITY_NUMBER_MESSAGE = Message(
    "holds what looks like a Swedish personal identity number (personnummer or "
    "samordningsnummer); the ledger never stores one: use a pseudonymous label"
)

# Hyphen-minus, plus, and the dashes a word processor puts in their place.
_SEPARATORS = "-+\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_CANDIDATE = re.compile(
    r"(?<![0-9])(?P<century>18|19|20)?(?P<digits>[0-9]{6})"
    rf"[{_SEPARATORS}]?(?P<serial>[0-9]{{4}})(?![0-9])"
)
_CENTURIES = (19, 20, 18)
# A line's bytes reduced to the shape of a candidate: digits become 0, a separator s (the
# first byte of a Unicode dash too, the bytes that continue one are dropped), anything else x.
# A candidate in a string of a JSON line without escapes then reads 0000000000 or 000000s0000;
# dropping bytes only ever joins more digits, never separates them. (A regex over the raw
# line costs four times as much: Python's engine tries the pattern at every position.)
_SHAPE = bytes(
    ord("0") if byte in b"0123456789" else ord("s") if byte in b"-+\xe2" else ord("x")
    for byte in range(256)
)
_DASH_TAILS = bytes([0x80, 0x88, *range(0x90, 0x96)])


class IdentityNumberFound(MessageError, ValueError):
    """Text that holds a personal identity number; `field` names where, never the number."""

    def __init__(self, field: str) -> None:
        super().__init__(
            Message("{where}: {problem}", where=field, problem=IDENTITY_NUMBER_MESSAGE)
        )
        self.field = field


def _luhn_ok(ten: str) -> bool:
    total = 0
    for index, char in enumerate(ten):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _real_date(century: int | None, yymmdd: str) -> bool:
    year, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    if day > 60:
        day -= 60  # a samordningsnummer
    for hundreds in (century,) if century is not None else _CENTURIES:
        try:
            date(hundreds * 100 + year, month, day)
        except ValueError:
            continue
        return True
    return False


def contains_identity_number(text: str) -> bool:
    """Whether `text` holds a personnummer or samordningsnummer, in any of its written forms."""
    for match in _CANDIDATE.finditer(text):
        digits, serial = match["digits"], match["serial"]
        century = int(match["century"]) if match["century"] else None
        if _real_date(century, digits) and _luhn_ok(digits + serial):
            return True
    return False


def may_hold_identity_number(line: bytes) -> bool:
    """False only when no string of the JSON text `line` can hold an identity number: the
    line has no escapes (so its strings are its bytes as written) and nothing shaped like one.
    A cheap test over raw input that spares decoded values the full search; True decides
    nothing (`identity_number_fields` does)."""
    if b"\\" in line:
        return True
    shape = line.translate(_SHAPE, _DASH_TAILS)
    return b"0000000000" in shape or b"000000s0000" in shape


def _may_hold_any(obj: Mapping[Any, Any]) -> bool:
    """`may_hold_identity_number` over the object written as JSON: one pass over its bytes
    instead of a search through each of its texts (which cost the import's exact path a
    quarter of its time). orjson writes every string's characters as they are unless it
    escapes one, and an escape makes the test say True. An object it cannot write (a key that
    is not a string, a lone surrogate) is searched text by text."""
    try:
        line = orjson.dumps(obj)
    except orjson.JSONEncodeError:
        return True
    return may_hold_identity_number(line)


def _texts(value: Any) -> Iterator[str]:
    """Every string in a JSON value: strings, and the keys and members of objects and lists.
    Walked with a stack of its own: input may nest deeper than Python's recursion limit."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, Mapping):
            stack.extend(key for key in item if isinstance(key, str))
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


def identity_number_fields(obj: Mapping[Any, Any]) -> list[str]:
    """The top-level fields of an input object whose value (anywhere inside it) holds a
    personal identity number, by name; a field whose name holds one is named by position."""
    if not _may_hold_any(obj):
        return []
    found = []
    for position, (name, value) in enumerate(obj.items(), start=1):
        name_text = name if isinstance(name, str) else ""
        if contains_identity_number(name_text):
            found.append(Message("#{position} (its name)", position=position))
        elif any(contains_identity_number(text) for text in _texts(value)):
            found.append(name_text)
    return found
