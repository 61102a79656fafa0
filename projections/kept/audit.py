"""`ledger verify`'s look at the kept views: rebuilt from the entries and compared.

The kept views (the case index behind `ledger cases`, the rule results behind `ledger check
--all`) live in tables beside the entries, outside the chains and the Merkle tree. Their rows
are bound to their place (ledger/views.py: the view, the case and the last seq are inside
the row's content, and sealed rows carry them as associated data), so a row swapped into
another case or view is refused wherever it is read. What binding cannot show is a row that
was deleted, or a tracking position moved past entries the index never read: `cases` and
`check --all` would then leave a case out. Finding that means reading every entry, which is
what the kept views exist to avoid on every read; so `verify`, which reads every entry
anyway, rebuilds the views here and names the first difference, and `ledger reindex`
repairs them.

What is compared:

- the tracking position: 0 or the notification id of a stored entry;
- the case index: every case with entries up to the tracked position has its row, no other
  row exists, and each row equals the summary rebuilt from those entries;
- the rule results: each kept report is the report the rules give for the case's first
  `last_seq` entries, under the policy, owner agency and time it names; and the case's kept
  part of the JSON answer (projections/kept/answer.py), its counts and its findings' bytes,
  is the one that report gives, and so is its kept time to be judged again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import MapperDeserialisationError

from ledger.application import CaseLedger
from ledger.erasure import Erased
from ledger.integrity import Problem
from ledger.message import Message
from ledger.rows import TamperedRow
from ledger.views import CaseViews, ViewRow
from projections.cases import Summary, summarise_records
from projections.kept.case_index import INDEX_VIEW, TOPICS, read_items
from projections.kept.rule_results import (
    ANSWER,
    RECHECK,
    RULES_PREFIX,
    answer_part,
    earlier_version,
    recheck_text,
    report_to_state,
    row_data,
    settings_of,
)
from projections.language import using
from projections.records import Record, history_records, ordered_after
from projections.rules import check_case

__all__ = ["view_problems"]


def view_problems(ledger: CaseLedger, views: CaseViews) -> list[Problem]:
    """Every difference between the kept views and the entries, first difference first."""
    tracked = views.max_tracking_id(ledger.name) or 0
    problems: list[Problem] = []
    summaries: dict[str, Summary] = {}
    seen_tracked = tracked == 0
    erased = ledger.erased_streams()
    # The streams holding an entry that does not read: the scan names the entry; a view of
    # its case cannot be rebuilt, so it is not compared (no second claim on the same row).
    unreadable: set[UUID] = set()
    for rows in ledger.notification_rows(TOPICS):
        upto = [row for row in rows if row[0] <= tracked]
        seen_tracked = seen_tracked or any(row[0] == tracked for row in upto)
        if upto:
            items = [item for _, item in _readable_items(ledger, upto, erased, unreadable)]
            summaries = summarise_records(items, summaries)
        if len(upto) < len(rows):
            break
    if not seen_tracked:
        problems.append(
            Problem(
                Message(
                    "case index: its tracking position (notification {tracked}) is not an "
                    "entry it read; entries stored after the real position would never be "
                    "shown (`ledger reindex` rebuilds it)",
                    tracked=tracked,
                )
            )
        )
    try:
        kept = {row.case: row for row in views.rows(INDEX_VIEW)}
    except TamperedRow as error:
        return [*problems, Problem(Message("case index: {problem}", problem=str(error)))]
    for case in sorted(summaries.keys() | kept.keys()):
        if unreadable and _stream(ledger, case) in unreadable:
            continue
        expected, row = summaries.get(case), kept.get(case)
        if row is None:
            assert expected is not None
            problems.append(
                Problem(
                    Message(
                        "case index: no row, although the case has {n} entries (hidden from "
                        "`cases` and `check --all`; `ledger reindex` rebuilds it)",
                        n=expected.last_seq,
                    ),
                    case=case,
                )
            )
        elif expected is None:
            problems.append(
                Problem(Message("case index: a row for a case without entries"), case=case)
            )
        elif row.data != expected.to_state() or row.last_seq != expected.last_seq:
            problems.append(
                Problem(
                    Message(
                        "case index: the row (up to #{kept}) differs from the summary of the "
                        "case's entries (up to #{seq})",
                        kept=row.last_seq,
                        seq=expected.last_seq,
                    ),
                    case=case,
                )
            )
    problems += _rule_result_problems(ledger, views)
    problems += _unaccounted_views(views)
    return problems


def _unaccounted_views(views: CaseViews) -> list[Problem]:
    """Rows under a view the ledger does not write: not the case index, not a view of rule
    results with its companions, not one an earlier version kept. Nothing reads them, but
    every row of the store is accounted for (`ledger reindex` rebuilds the views without
    them)."""
    names = set(views.view_names())
    reports = {
        name
        for name in names
        if name.startswith(RULES_PREFIX)
        and not earlier_version(name)
        and not name.endswith((RECHECK, ANSWER))
    }
    known = {INDEX_VIEW} | reports | {n + RECHECK for n in reports} | {n + ANSWER for n in reports}
    return [
        Problem(
            Message(
                "kept views: rows under the view {view}, which the ledger does not write "
                "(`ledger reindex` rebuilds the views without them)",
                view=repr(name),
            )
        )
        for name in sorted(names - known)
        if not earlier_version(name)
    ]


def _rule_result_problems(ledger: CaseLedger, views: CaseViews) -> list[Problem]:
    problems: list[Problem] = []
    histories: dict[str, list[Record] | None] = {}
    for view in views.view_names():
        if not view.startswith(RULES_PREFIX) or view.endswith((RECHECK, ANSWER)):
            continue
        if earlier_version(view):
            continue  # kept by an earlier version: read by nothing, dropped by the next refresh
        # Every kept row of the rule results is opened, those saying when to judge a case
        # again too: `check --all` reads them all, and one it cannot open stops it.
        try:
            rows = views.rows(view)
            answers = {row.case: row for row in views.rows(view + ANSWER)}
            rechecks = {row.case: row for row in views.rows(view + RECHECK)}
        except TamperedRow as error:
            problems.append(Problem(Message("kept rule results: {problem}", problem=str(error))))
            continue
        for row in rows:
            if row.case not in histories:
                histories[row.case] = _history(ledger, row.case)
            history = histories[row.case]
            if history is None:
                answers.pop(row.case, None)
                rechecks.pop(row.case, None)
                continue
            problem = _report_problem(
                view,
                row,
                history,
                answers.pop(row.case, None),
                rechecks.pop(row.case, None),
            )
            if problem is not None:
                problems.append(
                    Problem(Message("kept rule results: {problem}", problem=problem), case=row.case)
                )
        for case in answers:
            problems.append(
                Problem(
                    Message("kept rule results: a part of the answer without a kept report"),
                    case=case,
                )
            )
        for case in rechecks:
            problems.append(
                Problem(
                    Message(
                        "kept rule results: a time to judge the case again without a kept report"
                    ),
                    case=case,
                )
            )
    return problems


def _readable_items(
    ledger: CaseLedger,
    rows: Sequence[tuple[int, UUID, int, str, bytes]],
    erased: set[Any],
    unreadable: set[UUID],
) -> list[tuple[UUID, Record | Erased]]:
    """`read_items` of the rows that read; the streams of those that do not go into
    `unreadable`."""
    try:
        return read_items(ledger, rows, erased)
    except (MapperDeserialisationError, TamperedRow):
        pass
    items = []
    for row in rows:
        try:
            items += read_items(ledger, [row], erased)
        except (MapperDeserialisationError, TamperedRow):
            unreadable.add(row[1])
    return items


def _stream(ledger: CaseLedger, case: str) -> UUID | None:
    try:
        return ledger.case_id(case)
    except Exception:  # a key the ledger cannot name a stream for: compared as any other
        return None


def _history(ledger: CaseLedger, case: str) -> list[Record] | None:
    """The case's entries as records, not yet `ordered_after` (its prefix up to a kept
    row's last seq is what that row was judged from); None when one of them does not read
    (the scan names it)."""
    try:
        return history_records(ledger, case)
    except LookupError:
        return []
    except (MapperDeserialisationError, TamperedRow):
        return None


def _report_problem(
    view: str,
    row: ViewRow,
    history: list[Record],
    answer: ViewRow | None,
    recheck: ViewRow | None,
) -> str | None:
    if row.last_seq > len(history):
        return Message(
            "kept up to #{seq}, but the case has {n} entries", seq=row.last_seq, n=len(history)
        )
    state = row.data.get("report") if isinstance(row.data, dict) else None
    settings = settings_of(view, row.data)
    if state is None or settings is None:
        return Message("a kept report the rules cannot have written (its settings do not match)")
    policy, owner_agency, language = settings
    try:
        now = datetime.fromisoformat(state["evaluated_at"])
    except (KeyError, TypeError, ValueError):
        return Message("a kept report the rules cannot have written (no time it was judged at)")
    records = ordered_after(history[: row.last_seq])
    # Judged again in the language it was kept in: its messages are written in it.
    with using(language):
        expected = check_case(records, policy=policy, owner_agency=owner_agency, now=now)
        counted, findings = answer_part(expected, row_data(expected, records, policy, owner_agency))
        kept_state = report_to_state(expected)
    if kept_state != state:
        return Message(
            "the kept report (up to #{seq}) is not what the rules give for the case's entries",
            seq=row.last_seq,
        )
    if (
        answer is None
        or answer.last_seq != row.last_seq
        or answer.data != orjson.loads(orjson.dumps(counted))
        or answer.blob != findings
    ):
        return Message(
            "the kept part of the answer (up to #{seq}) is not the one the rules give for "
            "the case's entries",
            seq=row.last_seq,
        )
    # A time rewritten to later, or to none, keeps a report past the moment its findings
    # change with the clock: a deadline passes and `check --all` goes on calling it open.
    if (
        recheck is None
        or recheck.last_seq != row.last_seq
        or recheck.data != recheck_text(expected)
    ):
        return Message(
            "the kept time to judge the case again (up to #{seq}) is not the one the rules "
            "give for the case's entries",
            seq=row.last_seq,
        )
    return None
