"""`ledger check` and `ledger rules`: the rule pack of shared/domain/rules.md on the ledger.

Listed in cli/commands.py, which loads this module when one of them runs. The projections
are imported inside the commands, like every command's.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cli.context import (
    State,
    case_history,
    csv_dialect_option,
    format_option,
    output_option,
    parse_point_option,
    pass_state,
    point_option,
    width_option,
)
from cli.output import LedgerCommand, UserError, deliver
from projections.language import _, ngettext
from projections.render import SPREADSHEET

if TYPE_CHECKING:
    from projections.records import Record
    from projections.rules import Policy, Report

DEFAULT_CONFIG = "ledger.toml"
FAIL_ON = {"breach": ("breach",), "warning": ("breach", "warning")}


def _policy(rules_config: str | None) -> Policy:
    """--rules-config FILE, else ./ledger.toml when there is one, else the defaults."""
    from projections.rules_config import DEFAULT_POLICY, PolicyError, load_policy

    path = rules_config
    if path is None and Path(DEFAULT_CONFIG).is_file():
        path = DEFAULT_CONFIG
    if path is None:
        return DEFAULT_POLICY
    try:
        return load_policy(path)
    except PolicyError as error:
        raise UserError(f"--rules-config: {error}") from None


def _all_records(state: State) -> dict[str, list[Record]]:
    """Every case's records, read in one pass over the ledger, by case key."""
    from projections.records import ordered_after, to_record

    by_case: dict[str, list[Record]] = {}
    for entry in state.ledger().all_entries():
        record = to_record(entry)
        by_case.setdefault(record.case, []).append(record)
    return {key: ordered_after(by_case[key]) for key in sorted(by_case)}


@click.command(cls=LedgerCommand)
@click.argument("case", required=False)
@click.option("--all", "all_cases", is_flag=True, help="Check every case in the ledger.")
@click.option(
    "--group-by",
    type=click.Choice(("rule", "month", "agency", "unit")),
    default=None,
    help="With --all: count findings by rule (default), by the month of the entry that "
    "triggered them, by its agency, or by its unit (the agency and the actor's role).",
)
@click.option(
    "--similar-to",
    "similar_to",
    metavar="CASE#SEQ",
    default=None,
    help="With --all: findings in every case from the same unit in the --months before this "
    "entry, of a rule that flagged it or on an entry of its type (has it happened before?).",
)
@click.option(
    "--months",
    type=click.IntRange(1, 600),
    default=None,
    help="With --similar-to: how many months before the entry to look (default 12).",
)
@point_option(
    "--as-known-at",
    "What a reviewer could have flagged at T: only entries known by then (end of that period); "
    "deadlines still open at T are pending.",
)
@click.option("--explain", is_flag=True, help="List every rule and what happened to it.")
@click.option(
    "--fail-on",
    type=click.Choice(("breach", "warning")),
    default=None,
    help="Exit 1 when a finding of this status (warning: or a breach) is found.",
)
@click.option(
    "--rules-config",
    metavar="FILE",
    default=None,
    help="TOML file whose [rules] table overrides local-policy thresholds "
    f"(default: ./{DEFAULT_CONFIG} when present).",
)
@click.option(
    "--owner-agency",
    metavar="NAME",
    default=None,
    help="The case-owning authority, for late-documentation (default: the agency of the "
    "CaseOpened entry, else the commonest agency among decisions).",
)
@format_option(SPREADSHEET)
@csv_dialect_option
@output_option
@width_option
@pass_state
def check(
    state: State,
    case: str | None,
    all_cases: bool,
    group_by: str | None,
    similar_to: str | None,
    months: int | None,
    as_known_at: str | None,
    explain: bool,
    fail_on: str | None,
    rules_config: str | None,
    owner_agency: str | None,
    fmt: str,
    csv_dialect: str,
    output: str | None,
    width: int | None,
) -> None:
    """Check CASE (or every case with --all) against the rule pack: deadlines, decision
    basis, documentation.

    Each finding has a status: breach, warning, info, pending (a deadline still open) or
    undetermined (the clocks are too imprecise to judge; the reason is given). A rule not in
    force at the time of the entry that triggers it is not applied (see --explain).

    \b
    Example:
        ledger check NK-LH --explain
        ledger check NK-LH --as-known-at 2019-12-31 --format json | jq '.findings[].rule'
        ledger check --all --group-by month --fail-on breach
        ledger check --all --similar-to NK-LH#16 --months 24
    """
    if all_cases and case:
        raise click.UsageError(_("give either CASE or --all, not both"))
    if not all_cases and not case:
        raise click.UsageError(_("give a CASE to check, or --all"))
    if group_by and not all_cases:
        raise click.UsageError(
            _("{option} goes with {other}").format(option="--group-by", other="--all")
        )
    if similar_to and not all_cases:
        raise click.UsageError(
            _("{option} goes with {other}").format(option="--similar-to", other="--all")
        )
    if months is not None and not similar_to:
        raise click.UsageError(
            _("{option} goes with {other}").format(option="--months", other="--similar-to")
        )
    if similar_to and (group_by or explain):
        raise click.UsageError(
            _("--similar-to lists findings; it takes no --group-by or --explain")
        )
    point = parse_point_option("--as-known-at", as_known_at)
    # The point as the user gave it ("2019-12-31"), for the words and clocks of the output.
    asked = _asked(as_known_at) if point is not None else None
    policy = _policy(rules_config)
    if all_cases:
        target = _similar_target(state, similar_to) if similar_to else None
        findings = _check_all(
            state,
            group_by or "rule",
            (point, asked),
            policy,
            owner_agency,
            explain,
            fmt,
            output,
            width,
            csv_dialect,
            (target, months or 12) if target is not None else None,
        )
    else:
        assert case is not None
        findings = _check_one(
            state,
            case,
            (point, asked),
            policy,
            owner_agency,
            explain,
            fmt,
            output,
            width,
            csv_dialect,
        )
    if fail_on:
        failing = [status for status in findings if status in FAIL_ON[fail_on]]
        if failing:
            click.echo(
                ngettext(
                    "check: {n} finding at or above --fail-on {level}",
                    "check: {n} findings at or above --fail-on {level}",
                    len(failing),
                ).format(n=len(failing), level=fail_on),
                err=True,
            )
            sys.exit(1)


def _asked(text: str | None) -> Any:
    from ledger.timeparse import parse_moment

    return parse_moment(text) if text else None


def _check_one(
    state: State,
    case: str,
    horizon: tuple[datetime | None, Any],
    policy: Policy,
    owner_agency: str | None,
    explain: bool,
    fmt: str,
    output: str | None,
    width: int | None,
    csv_dialect: str = "plain",
) -> list[str]:
    from projections.records import labels, to_records
    from projections.render import View
    from projections.rules import check, check_document, check_table, finding_json

    point, asked = horizon
    records = to_records(case_history(state, case))
    state.log_read("check", case)
    report = check(
        records, as_known_at=point, point=asked, policy=policy, owner_agency=owner_agency
    )
    refs = labels(records)
    view = View(
        check_document(report, refs),
        [finding_json(f, refs) for f in report.findings],
        lambda width: check_table(report, refs, width, explain),
        case=case,
        sheet=case,
    )
    deliver(view, fmt, output, width, csv_dialect)
    return [f.status for f in report.findings]


def _similar_target(state: State, text: str) -> tuple[Record, dict[int, str | None]]:
    """The entry --similar-to names, as it reads now (corrections applied), with its case's
    labels; a one-line error when it does not resolve."""
    from cli.context import case_reference, entry_at
    from projections.corrections import as_known
    from projections.records import labels, to_records

    ref = case_reference(text)
    assert ref.case is not None
    entries = case_history(state, ref.case)
    stored = entry_at(entries, ref, text)
    records = to_records(entries)
    current = {r.seq: r for r in as_known(records)}
    if stored.originator_version not in current:
        raise UserError(
            _("{reference}: a correction, not an entry that can have similar events").format(
                reference=text
            )
        )
    return current[stored.originator_version], labels(records)


def _check_all(
    state: State,
    group_by: str,
    horizon: tuple[datetime | None, Any],
    policy: Policy,
    owner_agency: str | None,
    explain: bool,
    fmt: str,
    output: str | None,
    width: int | None,
    csv_dialect: str = "plain",
    similar: tuple[tuple[Record, dict[int, str | None]], int] | None = None,
) -> list[str]:
    from ledger.timeparse import to_stockholm
    from projections.records import labels
    from projections.render import View
    from projections.rules import all_document, check, check_all_table, finding_json
    from projections.rules.output import horizon_text

    point, asked = horizon
    now = to_stockholm(datetime.now(UTC))
    reports: list[Report] = []
    refs: dict[str, dict[int, str | None]] = {}
    if point is None:
        # As the records stand now: per-case results are kept, and only cases that changed
        # (or whose open deadlines have since passed) are checked again.
        from projections.kept.rule_results import check_all_cached

        ledger = state.ledger()
        views = state.views()
        if fmt == "json" and similar is None:
            statuses = _kept_json(state, views, group_by, policy, owner_agency, now, output)
            if statuses is not None:
                return statuses
        checked, _ = check_all_cached(
            ledger, views, policy=policy, owner_agency=owner_agency, now=now
        )
        for item in checked:
            reports.append(item.report)
            refs[item.report.case or ""] = item.labels
    else:
        for key, records in _all_records(state).items():
            reports.append(
                check(
                    records,
                    as_known_at=point,
                    point=asked,
                    policy=policy,
                    owner_agency=owner_agency,
                    now=now,
                )
            )
            refs[key] = labels(records)
    if similar is not None:
        return _similar(state, reports, refs, similar, fmt, output, width, csv_dialect)
    state.log_read("check", None)
    evaluated_at = point or now
    # Only what the asked format shows is built: with every finding, the document and the
    # rows each cost about as much as reading the kept reports.
    items: list[dict[str, Any]] = []
    if fmt not in ("table", "json"):
        items = [
            {"case": r.case, **finding_json(f, refs[r.case or ""])}
            for r in reports
            for f in r.findings
        ]
    horizon = horizon_text(asked, point, now)
    view = View(
        all_document(reports, refs, group_by, policy, point, evaluated_at, owner_agency, asked)
        if fmt == "json"
        else {},
        items,
        lambda width: check_all_table(reports, refs, group_by, policy, horizon, width, explain),
        sheet="findings",
    )
    deliver(view, fmt, output, width, csv_dialect)
    return [f.status for r in reports for f in r.findings]


def _kept_json(
    state: State,
    views: Any,
    group_by: str,
    policy: Policy,
    owner_agency: str | None,
    now: datetime,
    output: str | None,
) -> list[str] | None:
    """`check --all --format json` as the records stand now, written from the cases' kept
    parts (projections/kept/answer.py): the same bytes as the document built from their
    reports. None, having written nothing, when the parts are not there to give it."""
    from cli.output import emit
    from projections.kept.rule_results import json_answer

    answer = json_answer(
        state.ledger(),
        views,
        group_by=group_by,
        policy=policy,
        owner_agency=owner_agency,
        now=now,
    )
    if answer is None:
        return None
    written, statuses = answer
    state.log_read("check", None)
    emit(written, output)
    return statuses


def _similar(
    state: State,
    reports: list[Report],
    refs: dict[str, dict[int, str | None]],
    similar: tuple[tuple[Record, dict[int, str | None]], int],
    fmt: str,
    output: str | None,
    width: int | None,
    csv_dialect: str,
) -> list[str]:
    """`check --all --similar-to`: the findings like the entry's in its unit before it."""
    from projections.render import View
    from projections.rules.similar import (
        similar_document,
        similar_findings,
        similar_item,
        similar_query,
        similar_table,
    )

    (record, target_labels), months = similar
    report = next((r for r in reports if r.case == record.case), None)
    query = similar_query(record, report, months)
    if query is None:
        raise UserError(
            _("{reference} records no agency, so it has no unit to compare").format(
                reference=f"{record.case}#{record.seq}"
            )
        )
    found = similar_findings(query, reports)
    # A read of the case asked about, and of every case the answer looks through.
    state.log_read("check --similar-to", record.case)
    state.log_read("check --similar-to", None)
    view = View(
        similar_document(query, found, refs, target_labels),
        [similar_item(item, refs) for item in found],
        lambda width: similar_table(query, found, width),
        sheet="similar",
    )
    deliver(view, fmt, output, width, csv_dialect)
    return [item.finding.status for item in found]


@click.command(cls=LedgerCommand)
@click.option(
    "--rules-config",
    metavar="FILE",
    default=None,
    help=f"Show the thresholds as set in FILE's [rules] table (default: ./{DEFAULT_CONFIG} "
    "when present).",
)
@format_option()
@output_option
@width_option
def rules(rules_config: str | None, fmt: str, output: str | None, width: int | None) -> None:
    """List the rule pack: ids, titles, severities, sources and their confidence, the
    periods in which each rule was in force, and the local-policy thresholds.

    \b
    Example:
        ledger rules
        ledger rules --format json | jq '.rules[] | {id, severity, in_force_from}'
    """
    from projections.render import View
    from projections.rules import RULES, rule_json, rules_document, rules_table

    policy = _policy(rules_config)
    view = View(
        rules_document(policy),
        [rule_json(r) for r in RULES],
        lambda width: rules_table(width, policy),
        key="id",
    )
    deliver(view, fmt, output, width)
