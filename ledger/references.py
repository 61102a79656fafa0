"""References from one entry to another: `#SEQ`, `@REF`, `CASE#SEQ` and `CASE@REF`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ledger.message import Message, MessageError
from ledger.quoting import quote

CASE_KEY_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
LABEL_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}"

_CASE_KEY = re.compile(CASE_KEY_PATTERN)
_LABEL = re.compile(LABEL_PATTERN)
_REFERENCE = re.compile(
    rf"(?P<case>{CASE_KEY_PATTERN})?(?:#(?P<seq>[1-9][0-9]{{0,9}})|@(?P<label>{LABEL_PATTERN}))"
)


class BadReference(MessageError, ValueError):
    """A reference that is malformed or does not resolve (its message a `Message`)."""


@dataclass(frozen=True, slots=True)
class Reference:
    """A pointer to an entry, by sequence number or by client label, maybe naming its case."""

    case: str | None
    seq: int | None
    label: str | None

    def __str__(self) -> str:
        prefix = self.case or ""
        return f"{prefix}#{self.seq}" if self.seq is not None else f"{prefix}@{self.label}"


def parse_reference(text: str) -> Reference:
    """Parse `#4`, `@req-1`, `NK-LH#4` or `NK-LH@req-1`."""
    if not isinstance(text, str):
        raise BadReference(
            Message(
                "a reference must be a string like '#4' or '@label', not {value}",
                value=quote(text),
            )
        )
    match = _REFERENCE.fullmatch(text.strip())
    if match is None:
        raise BadReference(
            Message(
                "not a reference: {text} (expected #SEQ, @REF, CASE#SEQ or CASE@REF)",
                text=quote(text),
            )
        )
    seq = match["seq"]
    return Reference(case=match["case"], seq=int(seq) if seq else None, label=match["label"])


def is_case_key(text: object) -> bool:
    return isinstance(text, str) and _CASE_KEY.fullmatch(text) is not None


def is_label(text: object) -> bool:
    return isinstance(text, str) and _LABEL.fullmatch(text) is not None
