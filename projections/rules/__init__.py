"""The rule pack of rules.md (second edition) and its pure evaluator.

- `model`: rules, findings, explanations, reports, concordance;
- one module per rule family, each rule's data beside its check: `reports` (a report of
  concern), `investigation`, `lvu` (compulsory care), `decision_basis` (the authority's
  decisions), `documentation`, `move_home`, `oversight` (lex Sarah, IVO);
- `pack`: the rules in rules.md's order; `judging`: the shared deadline judgement and the
  case as the rules read it; `engine`: `check`; `concordance`: recorded judgements against the
  findings; `wording`: how findings speak; `output`: JSON documents and tables.

Deadlines themselves are computed in `projections.deadlines`, shared with `known`.
"""

from projections.rules.engine import check, check_case, explain_note
from projections.rules.model import (
    STATUSES,
    Concordance,
    Evidence,
    Finding,
    NotInForce,
    Report,
    Rule,
    RuleExplain,
)
from projections.rules.output import (
    GROUPS,
    NO_AGENCY,
    all_document,
    check_all_table,
    check_document,
    check_table,
    finding_json,
    group_key,
    rule_json,
    rules_document,
    rules_table,
    summarise,
)
from projections.rules.pack import RULES, rule
from projections.rules_config import DEFAULT_POLICY, Policy, PolicyError, load_policy

__all__ = [
    "DEFAULT_POLICY",
    "GROUPS",
    "NO_AGENCY",
    "RULES",
    "STATUSES",
    "Concordance",
    "Evidence",
    "Finding",
    "NotInForce",
    "Policy",
    "PolicyError",
    "Report",
    "Rule",
    "RuleExplain",
    "all_document",
    "check",
    "check_all_table",
    "check_case",
    "check_document",
    "check_table",
    "explain_note",
    "finding_json",
    "group_key",
    "load_policy",
    "rule",
    "rule_json",
    "rules_document",
    "rules_table",
    "summarise",
]
