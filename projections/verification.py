"""What `ledger verify` tells a person: intact or tampered, what was checked, and the first
problems, in the reader's language (the JSON document keeps its keys and codes)."""

from __future__ import annotations

import base64
from pathlib import Path

from ledger.integrity import Report
from projections.language import _, ngettext

SHOWN_PROBLEMS = 20


def verify_text(report: Report, path: Path | None, drafts: int = 0) -> str:
    """The verdict line (after the first problems when there are any), then the drafts."""
    if report.intact:
        text = _("intact: {summary}").format(summary=_summary(report, path)) + "\n"
    else:
        lines = [str(p) for p in report.problems[:SHOWN_PROBLEMS]]
        more = len(report.problems) - len(lines) + report.more_problems
        if more:
            lines.append(
                ngettext("… and {n} more problem", "… and {n} more problems", more).format(n=more)
            )
        lines.append(_("tampered: {summary}").format(summary=_summary(report, path)))
        text = "\n".join(lines) + "\n"
    return text + _drafts_line(drafts)


def _drafts_line(drafts: int) -> str:
    """Drafts are mutable until sealed, so no chain or tree covers them: said, so that a
    reader of `verify` does not take them for checked."""
    if not drafts:
        return ""
    return (
        ngettext(
            "drafts: {n} row outside the chains and the tree by design "
            "(mutable until `ledger draft seal`)",
            "drafts: {n} rows outside the chains and the tree by design "
            "(mutable until `ledger draft seal`)",
            drafts,
        ).format(n=drafts)
        + "\n"
    )


def _summary(report: Report, path: Path | None) -> str:
    checks = report.checkpoints
    good = sum(c.ok for c in checks)
    if not checks:
        if path is not None:
            checkpoints = _(
                "no checkpoints (none in {path} or the ledger): deleting the newest entries "
                "cannot be detected"
            ).format(path=path)
        else:
            checkpoints = _("no checkpoints: deleting the newest entries cannot be detected")
    elif good == len(checks):
        checkpoints = ngettext(
            "{n} checkpoint consistent ({path})", "{n} checkpoints consistent ({path})", good
        ).format(n=good, path=path)
    else:
        checkpoints = _("{good} of {n} checkpoints consistent ({path})").format(
            good=good, n=len(checks), path=path
        )
    if report.against:
        theirs = sum(c.ok for c in report.against)
        checkpoints += "; " + _("{good} of {n} checkpoints given with --against consistent").format(
            good=theirs, n=len(report.against)
        )
    parts = [
        ngettext("{n} entry", "{n} entries", report.entries).format(n=report.entries)
        + " "
        + ngettext("in {n} case", "in {n} cases", report.cases).format(n=report.cases),
        _("tree root {root}").format(root=base64.b64encode(report.root).decode()),
        ngettext(
            "{n} access record in their own tree",
            "{n} access records in their own tree",
            report.access_records,
        ).format(n=report.access_records),
    ]
    if report.views_checked:
        parts.append(_("kept views rebuilt and compared"))
    parts.append(checkpoints)
    return "; ".join(parts)
