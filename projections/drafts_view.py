"""The draft area as people and tools read it: the drafts of a case as JSON items and as a
table, and one draft with every cell and the column it came from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.draft_area import StoredDraft
from ledger.drafts import origin_of
from projections.formats import Column, printable, table
from projections.language import _


def draft_item(draft: StoredDraft) -> dict[str, Any]:
    """One draft as JSON: its id, case, origin, values and columns as stored."""
    return {"id": draft.id, "case": draft.case, **draft.data}


def drafts_table(case: str, drafts: Sequence[StoredDraft], width: int) -> str:
    """The drafts in the order they were imported: where each row came from, its date, its
    type (when it has one) and what happened."""
    if not drafts:
        return _("no drafts in {case}").format(case=case) + "\n"
    columns = [
        Column(_("draft"), 6, ">"),
        Column(_("row"), 14),
        Column(_("date"), 24),
        Column(_("type"), 26),
        Column(_("event"), 0),
    ]
    rows = []
    for d in drafts:
        values = d.data["values"]
        rows.append(
            [
                str(d.id),
                _row_text(d),
                str(values.get("occurred", "—")),
                str(values.get("type", _("(no type)"))),
                str(values.get("summary", values.get("text", ""))),
            ]
        )
    return table(columns, rows, width)


def draft_card(draft: StoredDraft) -> str:
    """One draft: every cell with the column it came from, and where the row came from."""
    lines = [
        _("draft {id} in {case} · {origin}").format(
            id=draft.id, case=draft.case, origin=origin_of(draft).cite()
        )
    ]
    if draft.data.get("merged"):
        lines.append("  " + _("merged cells {cells}").format(cells=draft.data["merged"]))
    columns = draft.data.get("columns", {})
    for name, value in draft.data["values"].items():
        where = f"  [{columns[name]}]" if name in columns else ""
        lines.append(f"  {name}: {value}{where}")
    return printable("\n".join(lines), lines=True) + "\n"


def _row_text(draft: StoredDraft) -> str:
    origin = draft.data["origin"]
    return f"{origin.get('sheet') or ''}:{origin['row']}".lstrip(":")
