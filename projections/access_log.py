"""The access log (loggkontroll) as tools and people read it: one JSON item a read, and the
table of who read which case, when, with which command and why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.access import AccessRecorded
from ledger.timeparse import format_instant, to_stockholm
from projections.formats import Column, table
from projections.language import _


def access_item(record: AccessRecorded) -> dict[str, Any]:
    """One access record as a JSON item."""
    return {
        "seq": record.originator_version,
        "case": record.case,
        "recorded_at": to_stockholm(record.timestamp).isoformat(),
        "user": record.user,
        "command": record.command,
        "purpose": record.purpose,
        "prev_hash": record.prev_hash,
        "hash": record.hash,
    }


def access_table(records: Sequence[AccessRecorded], width: int) -> str:
    """The reads, oldest first; a read of every case says so in words."""
    columns = (
        Column(_("recorded"), 19),
        Column(_("case"), 16),
        Column(_("user"), 18),
        Column(_("command"), 12),
        Column(_("purpose"), 0),
    )
    rows = [
        (
            format_instant(r.timestamp),
            r.case if r.case is not None else _("(all cases)"),
            r.user,
            r.command,
            r.purpose or "",
        )
        for r in records
    ]
    return table(columns, rows, width)
