"""`ledger check --all --format json` from kept parts, in proportion to what it writes.

Each case's part is kept beside its report when the case is checked (projections/kept/
rule_results.py): its findings as the JSON answer writes them, already serialised, in UTF-8;
its findings counted by status for each grouping; its rules' counts as `--explain` sums
them. The answer sums the counts and splices the findings' bytes into the document, making no
finding object again and no string of them. The document is the one `all_document` builds
and `to_json` writes, byte for byte (tests/test_check_all_agrees.py compares the two).

The counts are summed once per case on every answer, so they are kept in the form that sums
fastest: a case's counts for every rule are the fields of one integer (`_RULE_FIELDS`), and
each grouping's groups are JSON text, decoded only for the grouping asked for.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson

from ledger.timeparse import parse_moment
from projections.formats import to_json
from projections.rules import GROUPS, RULES, STATUSES, Finding, Report, finding_json, group_key

# The document's own pieces, shared with `all_document` so that the two cannot drift apart.
from projections.rules.output import (
    _horizon_json,
    case_counts,
    merged_rule_json,
    month_group,
    policy_json,
)
from projections.rules_config import Policy
from projections.serialize import document

# A finding lies in the document's `findings` list, two levels deep: each of its lines is
# indented four more spaces than it is alone. JSON strings hold no raw line breaks, so every
# line break of a serialised finding is one of its layout.
_DEPTH = b"\n    "
_BETWEEN = b"," + _DEPTH


def case_part(
    report: Report, labels: Mapping[int, str | None], explain: Sequence[Sequence[Any]]
) -> tuple[dict[str, Any], bytes]:
    """What one case adds to the answer: its counts; its rules' counts and what was not in
    force (`_rules`); per grouping but by rule, its findings' counts per group, as JSON text
    (`_groups`); and beside them its findings as the answer writes them, in UTF-8, to be
    spliced into it as they are. `explain` is the kept report's compact explanation
    (`report_to_state`), which the answer sums as `check --all` sums the reports rebuilt
    from it."""
    fields, not_in_force = _rules(report, explain)
    counted = {
        "counts": case_counts(report),
        "rules": _pack(fields),
        "not_in_force": not_in_force,
        "groups": {
            group_by: orjson.dumps(groups).decode()
            for group_by, groups in _groups(report.findings).items()
            if group_by != "rule"  # the rules' fields count them
        },
    }
    findings = _BETWEEN.join(
        orjson.dumps(
            {"case": report.case, **finding_json(finding, labels)}, option=orjson.OPT_INDENT_2
        ).replace(b"\n", _DEPTH)
        for finding in report.findings
    )
    return counted, findings


# A case's counts for each rule, in the order of RULES: 1 if the rule's outcome in the case
# is "applied", 1 if it is "not_in_force"; triggered, met, lapsed, ended by death; 1 if the
# case has findings of the rule; its findings by status, in the order of STATUSES.
_RULE_FIELDS = 7 + len(STATUSES)
# The fields are packed into one integer, each in its own bits, so that one addition per
# case sums them all (as a vector would). A field holds counts summed over every case: 48
# bits leave room for more than 10^14, so no sum carries into the next field.
_FIELD_BITS = 48
_FIELD_BYTES = _FIELD_BITS // 8
_FIELD_MASK = (1 << _FIELD_BITS) - 1


def _rules(
    report: Report, explain: Sequence[Sequence[Any]]
) -> tuple[list[int], dict[str, list[dict[str, Any]]]]:
    """Per rule the case triggered or has findings of: its fields (`_RULE_FIELDS`), its
    outcome as the kept report reads it back (`report_from_state`); and by rule what was
    not in force, where something was."""
    found: dict[str, Counter[str]] = {}
    for finding in report.findings:
        found.setdefault(finding.rule, Counter())[finding.status] += 1
    applied = {item[0]: item for item in explain}
    fields = [0] * (len(RULES) * _RULE_FIELDS)
    not_in_force: dict[str, list[dict[str, Any]]] = {}
    for index, rule_ in enumerate(RULES):
        if rule_.id not in applied and rule_.id not in found:
            continue
        _id, triggered, met, lapsed, ended_by_death, outside = applied.get(
            rule_.id, ("", 0, 0, 0, 0, ())
        )
        status = (
            "not_triggered"
            if not triggered
            else "not_in_force"
            if len(outside) == triggered
            else "applied"
        )
        counts = found.get(rule_.id, Counter())
        start = index * _RULE_FIELDS
        fields[start : start + _RULE_FIELDS] = [
            int(status == "applied"),
            int(status == "not_in_force"),
            triggered,
            met,
            lapsed,
            ended_by_death,
            int(bool(counts)),
            *(counts[s] for s in STATUSES),
        ]
        if outside:
            not_in_force[rule_.id] = [
                {
                    "case": report.case,
                    "seq": seq,
                    "ref": ref,
                    "type": type_,
                    "time": parse_moment(time).to_json(),
                }
                for seq, ref, type_, time in outside
            ]
    return fields, not_in_force


def _pack(fields: Sequence[int]) -> str:
    """The fields as one integer, in hexadecimal (JSON numbers are not this long): the first
    field in the lowest bits. Built from bytes, not by shifting a growing integer field by
    field (quadratic in the rules' number; 2% of a rebuild)."""
    packed = b"".join([value.to_bytes(_FIELD_BYTES, "little") for value in fields])
    return format(int.from_bytes(packed, "little"), "x")


def rule_totals(parts: Sequence[Mapping[str, Any]]) -> list[int]:
    """Every rule's fields (`_RULE_FIELDS`) summed over the cases' parts."""
    packed = sum(int(part["rules"], 16) for part in parts)
    return [(packed >> (_FIELD_BITS * i)) & _FIELD_MASK for i in range(len(RULES) * _RULE_FIELDS)]


def _groups(findings: Sequence[Finding]) -> dict[str, list[list[Any]]]:
    """For each grouping, per group: the findings by status, and for a month the start of
    the case's last finding in it (the answer orders months by the last one it meets, as
    `summarise` does)."""
    groups: dict[str, dict[str, list[Any]]] = {group_by: {} for group_by in GROUPS}
    for finding in findings:
        status = finding.status
        for group_by, by_key in groups.items():
            start = None
            if group_by != "month" or finding.trigger_time is None:
                key = group_key(finding, group_by)
            else:
                key, start = _month(finding.trigger_time.text)
            item = by_key.get(key)
            if item is None:
                item = by_key[key] = [{}, None]
            item[0][status] = item[0].get(status, 0) + 1
            if start is not None:
                item[1] = start
    return {
        group_by: [[key, counts, last] for key, (counts, last) in by_key.items()]
        for group_by, by_key in groups.items()
    }


@lru_cache(maxsize=65536)
def _month(text: str) -> tuple[str, str]:
    """The month group of a trigger time written `text`, and where that time starts
    (`month_group`: as written, so a kept report and a fresh check agree)."""
    key, start = month_group(parse_moment(text))
    return key, start.isoformat()


def summary(
    parts: Sequence[Mapping[str, Any]], group_by: str, totals: Sequence[int]
) -> list[dict[str, Any]]:
    """`summarise` of the reports, from their cases' parts (and their `rule_totals`)."""
    if group_by == "rule":
        return _rule_summary(totals)
    groups: dict[str, list[Any]] = {}  # findings, by status, cases
    last: dict[str, str] = {}  # a month's order: the start of the last finding met in it
    for part in parts:
        for key, counts, start in orjson.loads(part["groups"][group_by]):
            item = groups.get(key)
            if item is None:
                item = groups[key] = [0, dict.fromkeys(STATUSES, 0), 0]
            by_status = item[1]
            for status, count in counts.items():
                by_status[status] += count
                item[0] += count
            item[2] += 1
            if start is not None:
                last[key] = start

    def order(key: str) -> tuple[Any, ...]:
        if key in last:
            return (0, datetime.fromisoformat(last[key]), key)
        return (1, key)

    return [
        {
            "group": key,
            "findings": groups[key][0],
            "by_status": {s: n for s, n in groups[key][1].items() if n},
            "cases": groups[key][2],
        }
        for key in sorted(groups, key=order)
    ]


def _rule_summary(totals: Sequence[int]) -> list[dict[str, Any]]:
    """The summary by rule: each rule that has findings, in the order of RULES."""
    found = []
    for index, rule_ in enumerate(RULES):
        start = index * _RULE_FIELDS
        cases = totals[start + 6]
        if not cases:
            continue
        by_status = dict(zip(STATUSES, totals[start + 7 : start + _RULE_FIELDS], strict=True))
        found.append(
            {
                "group": rule_.id,
                "findings": sum(by_status.values()),
                "by_status": {s: n for s, n in by_status.items() if n},
                "cases": cases,
            }
        )
    return found


def merged_explain(
    parts: Sequence[Mapping[str, Any]], totals: Sequence[int]
) -> list[dict[str, Any]]:
    """`merge_explain` of the reports, from their cases' parts (and their `rule_totals`)."""
    outside: dict[str, list[dict[str, Any]]] = {}
    for part in parts:
        for rule_id, items in part["not_in_force"].items():
            outside.setdefault(rule_id, []).extend(items)
    merged = []
    for index, rule_ in enumerate(RULES):
        start = index * _RULE_FIELDS
        applied, not_applied, triggered, met, lapsed, ended_by_death, _cases = totals[
            start : start + 7
        ]
        findings = dict(zip(STATUSES, totals[start + 7 : start + _RULE_FIELDS], strict=True))
        not_in_force = outside.get(rule_.id, [])
        status = "applied" if applied else "not_in_force" if not_applied else "not_triggered"
        merged.append(
            merged_rule_json(
                rule_, status, triggered, met, lapsed, ended_by_death, findings, not_in_force
            )
        )
    return merged


def all_json(
    parts: Sequence[Mapping[str, Any]],
    group_by: str,
    policy: Policy,
    evaluated_at: datetime,
    owner_agency: str | None,
) -> bytes:
    """`to_json(all_document(...))` as the records stand now, from the cases' parts in case
    order (`case_part`'s counts, with its findings' bytes under "findings")."""
    return b"".join(all_json_pieces(parts, group_by, policy, evaluated_at, owner_agency))


def all_json_pieces(
    parts: Sequence[Mapping[str, Any]],
    group_by: str,
    policy: Policy,
    evaluated_at: datetime,
    owner_agency: str | None,
) -> list[bytes | memoryview]:
    """`all_json` in the pieces it is made of, to be written one after the other: the
    document is written with a mark where the findings go, and in its place come the
    findings' kept bytes, as they are, not copied into one buffer."""
    mark = "findings " + secrets.token_hex(16)  # in no value of the document but its own
    totals = rule_totals(parts)
    written = to_json(
        document(
            None,  # type: ignore[arg-type]
            view={**_horizon_json(None, None, evaluated_at), "owner_agency": owner_agency},
            policy=policy_json(policy),
            group_by=group_by,
            summary=summary(parts, group_by, totals),
            cases=[part["counts"] for part in parts],
            findings=mark,
            explain=merged_explain(parts, totals),
        )
    )
    head, tail = written.split(orjson.dumps(mark))
    pieces: list[bytes | memoryview] = [head, b"[" + _DEPTH]
    for part in parts:
        if part["findings"]:
            pieces += (part["findings"], _BETWEEN)
    if len(pieces) == 2:
        return [head, b"[]", tail]
    pieces[-1] = b"\n  ]"  # in place of the last separator
    pieces.append(tail)
    return pieces
