"""What `ledger verify` tells a person: intact or tampered, what was checked, and the first
problems, in the reader's language (the JSON document keeps its keys and codes)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path

from ledger.integrity import Problem, Report
from ledger.witness import WitnessCheck
from projections.language import _, ngettext, say

SHOWN_PROBLEMS = 20


def verify_text(
    report: Report,
    path: Path | None,
    drafts: int = 0,
    witnessed: Sequence[WitnessCheck] | None = None,
) -> str:
    """The verdict line (after the first problems when there are any; the erased cases
    before an intact verdict, after a tampered one), then the drafts and the witnesses."""
    erased = "".join(f"{line}\n" for line in _erased_lines(report))
    if report.intact:
        text = erased + _("intact: {summary}").format(summary=_summary(report, path)) + "\n"
    else:
        lines = [problem_text(p) for p in report.problems[:SHOWN_PROBLEMS]]
        more = len(report.problems) - len(lines) + report.more_problems
        if more:
            lines.append(
                ngettext("… and {n} more problem", "… and {n} more problems", more).format(n=more)
            )
        lines.append(_("tampered: {summary}").format(summary=_summary(report, path)))
        text = "\n".join(lines) + "\n" + erased
    return text + _drafts_line(drafts) + _witness_lines(witnessed)


def problem_text(problem: Problem) -> str:
    """One problem in the reader's language: where, then what (the JSON keeps the English)."""
    where = problem.where
    return say(problem.what) if where is None else f"{say(where)}: {say(problem.what)}"


def _erased_lines(report: Report) -> list[str]:
    """An erased case is checked like any other, row by row; what it said is gone by design."""
    return [
        ngettext(
            "{case}: erased on {day} by {user} ({reason}); its {n} entry is checked but "
            "unreadable by design",
            "{case}: erased on {day} by {user} ({reason}); its {n} entries are checked but "
            "unreadable by design",
            len(e.rows),
        ).format(case=e.case, day=e.day, user=e.user, reason=e.reason, n=len(e.rows))
        for e in report.erased
    ]


def _witness_lines(witnessed: Sequence[WitnessCheck] | None) -> str:
    lines = []
    for check in witnessed or ():
        line = ngettext(
            "witness {label}: cosigned {n} checkpoint",
            "witness {label}: cosigned {n} checkpoints",
            len(check.cosigned),
        ).format(label=check.witness.label, n=len(check.cosigned))
        if check.cosigned:
            line += f" ({', '.join(map(str, check.cosigned))})"
        lines.append(line + "\n")
    return "".join(lines)


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
