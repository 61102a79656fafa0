"""The JSON Schemas of the JSON outputs (DESIGN §8), shipped as package data.

`schema("timeline")` is `projections/schemas/timeline.schema.json`; `validate` checks a
document against it. Every `$ref` between the files resolves from the package itself (a
`referencing.Registry` built from the local files), never over the network, and the formats
`date-time` and `date` are checked.
"""

from __future__ import annotations

import copy
import json
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = ["NAMES", "schema", "validate"]

SUFFIX = ".schema.json"
NAMES = (
    "analysis",
    "cases",
    "check",
    "decisions",
    "entry",
    "gaps",
    "known",
    "rules",
    "show",
    "similar",
    "timeline",
    "types",
    "verify",
)


@cache
def _load() -> dict[str, dict[str, Any]]:
    folder = files("projections").joinpath("schemas")
    return {
        name: json.loads(folder.joinpath(name + SUFFIX).read_text(encoding="utf-8"))
        for name in NAMES
    }


@cache
def _registry() -> Registry:
    resources = [
        (contents["$id"], Resource.from_contents(contents, default_specification=DRAFT202012))
        for contents in _load().values()
    ]
    return Registry().with_resources(resources).crawl()


def _format_checker() -> FormatChecker:
    checker = FormatChecker(())

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value: object) -> bool:
        # RFC 3339: a full date and time with a UTC offset; needs no extra package.
        if not isinstance(value, str):
            return True
        if len(value) < 20 or value[10] not in "Tt":
            return False
        return datetime.fromisoformat(value.replace("z", "Z")).utcoffset() is not None

    @checker.checks("date", raises=ValueError)
    def is_date(value: object) -> bool:
        return not isinstance(value, str) or (len(value) == 10 and bool(date.fromisoformat(value)))

    return checker


@cache
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(
        _load()[name], registry=_registry(), format_checker=_format_checker()
    )


def _name(name: str) -> str:
    short = name.removesuffix(SUFFIX)
    if short not in NAMES:
        raise KeyError(f"no schema {name!r} (there are: {', '.join(NAMES)})")
    return short


def schema(name: str) -> dict[str, Any]:
    """The schema called `name` (`timeline`, `show`, `cases`, `types`, `entry`), as a copy."""
    return copy.deepcopy(_load()[_name(name)])


def validate(name: str, document: Any) -> None:
    """Raise `jsonschema.ValidationError` (the most relevant error) unless `document` fits."""
    _validator(_name(name)).validate(document)
