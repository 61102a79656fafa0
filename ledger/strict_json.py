"""JSON input read strictly: a key given twice in one object is an error.

orjson (like most parsers) keeps the last of two equal keys, so a line such as
`{"summary": "...", ..., "summary": "..."}` would be stored with whichever came last while a
reader of the file may see the first. Counting is cheap: every key in the text ends in a
quote followed by a colon, so a text with no more of those than the parsed objects hold keys
has no key twice; only otherwise (a duplicate, or a string that holds `":`) is it parsed
again to name the key. Cheaper still for a line written compactly, as the ledger's exports
and most programs write JSON: when the parsed object serialises back to the very text, the
text holds each key once.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

from ledger.message import Message

_KEY_END = re.compile(rb'"\s*:')
DUPLICATE_KEY = Message("given twice in one object (each key once: which one was meant?)")


def _keys(value: Any) -> int:
    """Keys in all objects of a parsed value (without recursion: input may nest deeply)."""
    count, pending = 0, [value]
    while pending:
        item = pending.pop()
        if type(item) is dict:
            count += len(item)
            pending.extend(item.values())
        elif type(item) is list:
            pending.extend(item)
    return count


def _serialises_to(parsed: dict[str, Any], raw: bytes) -> bool:
    if raw[:2] != b'{"':  # not compact, or empty
        return False
    try:
        return orjson.dumps(parsed) == raw
    except orjson.JSONEncodeError:  # a number orjson reads but does not write
        return False


def duplicate_key(text: bytes | str, parsed: Any) -> str | None:
    """The first key that appears twice in one object of `text` (already parsed as
    `parsed`), or None."""
    raw = text.encode() if isinstance(text, str) else text
    # Blanks around the object (a line's break, above all) hold no key.
    if type(parsed) is dict and _serialises_to(parsed, raw.strip()):
        return None
    found = len(_KEY_END.findall(raw))
    # A flat object (the usual line) holds all its keys at the top: counted without a walk.
    if (type(parsed) is dict and found == len(parsed)) or found <= _keys(parsed):
        return None
    found: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen and not found:
                found.append(key)
            seen.add(key)
        return dict(items)

    json.loads(raw, object_pairs_hook=pairs)
    return found[0] if found else None
