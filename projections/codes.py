"""Enumeration codes in words, for people: `lvu_2` reads "LVU 2 § (hemförhållandena)".

JSON and CSV keep the codes (they are the contract for tools); tables, diagrams and reports
say what a code means through these words, in the reader's language.
"""

from __future__ import annotations

from projections.language import N_, _
from projections.records import Record

# (field, code) → English message id, translated where it is shown.
CODE_WORDS: dict[tuple[str, str], str] = {
    ("grounds", "lvu_2"): N_("LVU 2 § (conditions at home)"),
    ("grounds", "lvu_3"): N_("LVU 3 § (the young person's own behaviour)"),
    ("outcome", "open_investigation"): N_("investigation opened"),
    ("outcome", "no_investigation"): N_("no investigation opened"),
    ("outcome", "existing_investigation"): N_("added to an ongoing investigation"),
    ("outcome", "no_action"): N_("no measures"),
    ("outcome", "support_offered"): N_("support offered"),
    ("outcome", "care_application"): N_("application for care under LVU"),
    ("outcome", "other"): N_("other"),
    ("outcome", "upheld"): N_("upheld"),
    ("outcome", "lifted"): N_("lifted"),
    ("outcome", "overturned"): N_("overturned"),
    ("outcome", "partly"): N_("partly changed"),
    ("outcome", "continue"): N_("care continues"),
    ("outcome", "end"): N_("care ends"),
    ("outcome", "granted"): N_("granted"),
    ("outcome", "refused"): N_("refused"),
    ("outcome", "rejected"): N_("rejected"),
    ("outcome", "apply"): N_("to be applied for"),
    ("outcome", "not_apply"): N_("not to be applied for"),
    ("setting", "familjehem"): N_("foster home"),
    ("setting", "jourhem"): N_("emergency foster home"),
    ("setting", "hvb"): N_("residential home (HVB)"),
    ("setting", "other"): N_("other setting"),
    ("legal_form", "sol"): N_("under SoL"),
    ("legal_form", "lvu"): N_("under LVU"),
    ("led_by", "namnd"): N_("the committee"),
    ("led_by", "foraldrar"): N_("the parents"),
    ("led_by", "familjehem"): N_("the foster family"),
    ("led_by", "gemensam"): N_("jointly"),
    ("plan_kind", "vardplan"): N_("care plan"),
    ("plan_kind", "genomforandeplan"): N_("implementation plan"),
    ("grade", "criticism"): N_("criticism"),
    ("grade", "no_criticism"): N_("no criticism"),
    ("grade", "deficiency"): N_("deficiency"),
    ("grade", "statement"): N_("statement"),
    ("area", "communication_information"): N_("communication and information"),
    ("area", "knowledge_competence"): N_("knowledge and competence"),
    ("area", "routines"): N_("routines and guidelines"),
    ("area", "organisation_workload"): N_("organisation and workload"),
    ("area", "technology"): N_("technology and equipment"),
    ("area", "environment"): N_("environment"),
    ("kind", "root_cause"): N_("root cause"),
    ("kind", "contributing_factor"): N_("contributing factor"),
    ("kind", "deficiency"): N_("deficiency (not judged a cause)"),
    ("state", "held"): N_("held"),
    ("state", "failed"): N_("failed"),
    ("state", "missing"): N_("missing"),
    ("status", "planned"): N_("planned"),
    ("status", "started"): N_("started"),
    ("status", "implemented"): N_("carried out"),
    ("status", "evaluated"): N_("effect evaluated"),
    ("status", "cancelled"): N_("cancelled"),
}


def code_words(field: str, value: object) -> str:
    """The words for `value` of enumeration `field`; text that is no known code is itself,
    and a detail the records do not give says so."""
    if value is None:
        return ""
    if value == "not_documented":
        return _("not documented")
    words = CODE_WORDS.get((field, str(value)))
    return _(words) if words is not None else str(value)


def outcome_words(record: Record) -> str | None:
    """A decision's result in words (`projections.decisions.outcome_of` keeps the codes for
    JSON)."""
    fields = record.fields
    if "outcome" in fields:
        return code_words("outcome", fields["outcome"])
    if "immediate_protection_needed" in fields:
        needed = fields["immediate_protection_needed"]
        if needed == "not_documented":
            return _("need of immediate protection not documented")
        return _("immediate protection needed") if needed else _("no immediate protection needed")
    if record.type == "PlacementStarted":
        return (
            f"{code_words('setting', fields.get('setting'))} "
            f"{code_words('legal_form', fields.get('legal_form'))}"
        )
    if record.type == "HomeTransitionPlanned":
        return _("led by {who}").format(who=code_words("led_by", fields.get("led_by")))
    if record.type in ("CareApplicationFiled", "CareOrdered"):
        return _("grounds: {grounds}").format(grounds=code_words("grounds", fields.get("grounds")))
    return None
