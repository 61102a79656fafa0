"""Quoting input inside error messages: short, on one line, whatever the input was.

Errors name the value they complain about, but the value comes from a file that may hold a
megabyte string, a line break inside a key or a thousand nested lists. `repr` escapes line
breaks; `reprlib` bounds the length and the depth.
"""

from __future__ import annotations

import reprlib
from typing import Any

_REPR = reprlib.Repr()
_REPR.maxstring = 60
_REPR.maxother = 60
_REPR.maxlevel = 3
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 6


def quote(value: Any) -> str:
    """`value` as a short, single-line Python literal (strings in quotes)."""
    return _REPR.repr(value)


def name(value: Any) -> str:
    """A field name from input, bare when it is a plain identifier, quoted otherwise."""
    if isinstance(value, str) and value.isidentifier() and len(value) <= 60:
        return value
    return quote(value)
