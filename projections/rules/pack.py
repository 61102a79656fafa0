"""The rule pack of rules.md (second edition), in its order. Each rule's data sits beside its
check in the module of its family."""

from __future__ import annotations

from projections.language import N_
from projections.rules.decision_basis import OUTSTANDING, WITHOUT_BASIS
from projections.rules.documentation import LATE_DOCUMENTATION
from projections.rules.investigation import CHILD_NOT_HEARD, INVESTIGATION, NOTIFIED
from projections.rules.lvu import (
    BAN_CONSIDERED,
    BAN_REVIEW,
    CARE_APPLICATION,
    CARE_REVIEW,
    CONTACT_RESTRICTION_REVIEW,
    CUSTODY_SUBMITTED,
    FOLLOW_UP,
    LASTING_CHANGE,
)
from projections.rules.measures import MEASURE_OVERDUE
from projections.rules.model import Rule
from projections.rules.move_home import FOSTER_SUPPORT, LED_BY_PARENTS, NO_CONTACT, REVISED_PLAN
from projections.rules.oversight import LEX_SARAH, MEASURES
from projections.rules.placement import (
    CARE_PLAN,
    CUSTODY_TRANSFER,
    CUSTODY_TRANSFER_YEARLY,
    PLACED_CHILD_VISITED,
)
from projections.rules.reports import CHILD_NOT_SEEN, PRELIMINARY, SAME_DAY

RULES: tuple[Rule, ...] = (
    SAME_DAY,
    PRELIMINARY,
    INVESTIGATION,
    CUSTODY_SUBMITTED,
    CARE_APPLICATION,
    CARE_REVIEW,
    BAN_REVIEW,
    BAN_CONSIDERED,
    FOLLOW_UP,
    OUTSTANDING,
    WITHOUT_BASIS,
    CHILD_NOT_SEEN,
    CHILD_NOT_HEARD,
    NO_CONTACT,
    LATE_DOCUMENTATION,
    LED_BY_PARENTS,
    REVISED_PLAN,
    FOSTER_SUPPORT,
    LEX_SARAH,
    MEASURES,
    NOTIFIED,
    CONTACT_RESTRICTION_REVIEW,
    CUSTODY_TRANSFER,
    CUSTODY_TRANSFER_YEARLY,
    LASTING_CHANGE,
    CARE_PLAN,
    PLACED_CHILD_VISITED,
    MEASURE_OVERDUE,
)

_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
assert len(_BY_ID) == len(RULES), "rule ids must be unique"


def rule(rule_id: str) -> Rule:
    """The rule with this id; KeyError naming the ids otherwise."""
    try:
        return _BY_ID[rule_id]
    except KeyError:
        raise KeyError(f"no rule {rule_id!r} (rules: {', '.join(_BY_ID)})") from None


# The areas a review groups findings by: one for each rule family (the module that holds
# its rules), in the order the families first appear in the pack.
AREA_WORDS: dict[str, str] = {
    "projections.rules.reports": N_("Reports of concern"),
    "projections.rules.investigation": N_("Investigation"),
    "projections.rules.lvu": N_("Compulsory care (LVU)"),
    "projections.rules.decision_basis": N_("Basis of decisions"),
    "projections.rules.documentation": N_("Documentation"),
    "projections.rules.move_home": N_("The move home"),
    "projections.rules.oversight": N_("Lex Sarah and IVO"),
    "projections.rules.placement": N_("Placement"),
    "projections.rules.measures": N_("Measures after an event"),
}


def area_of(rule_id: str) -> str:
    """The area of a rule (an English message id; translate it where it is shown)."""
    return AREA_WORDS[rule(rule_id).check.__module__]


AREAS: tuple[str, ...] = tuple(dict.fromkeys(area_of(r.id) for r in RULES))
