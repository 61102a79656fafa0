"""Enumeration codes in words, for people: `lvu_2` reads "LVU 2 § (hemförhållandena)".

JSON and CSV keep the codes (they are the contract for tools); tables, diagrams and reports
say what a code means through these words, in the reader's language.
"""

from __future__ import annotations

from ledger.legal import LegalReference
from ledger.sol_conversion import CONVERTED_NOTE, converted_from
from projections.language import N_, NC_, _, pgettext
from projections.records import Record

# What each category of the vocabulary is, in words (English ids; translated where shown):
# the diagram legend's words for its shapes, and the category of `ledger types`.
CATEGORY_WORDS: dict[str, str] = {
    "admin": N_("administration"),
    "report": N_("report of concern"),
    "assessment": N_("assessment"),
    "decision": N_("decision"),
    "information": N_("information"),
    "contact": N_("contact"),
    "court": N_("court"),
    "placement": N_("placement"),
    "plan": N_("plan"),
    "move": N_("move"),
    "followup": N_("follow-up"),
    "incident": N_("incident"),
    "review": N_("review"),
    "oversight": N_("oversight"),
    "note": N_("note"),
    "correction": N_("correction"),
}
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
    ("judge", "other"): N_("another body"),
    ("counterparty", "other"): N_("another party"),
    ("result", "pending"): N_("result awaited"),
    ("subject", "child"): N_("the child"),
}

# Codes that read the same in every field they occur in (looked up after CODE_WORDS).
BY_CODE: dict[str, str] = {
    # who reported a concern
    "bvc": N_("BVC"),
    "forskola": N_("preschool"),
    "skola": N_("school"),
    "polis": N_("police"),
    "halso_sjukvard": N_("health care"),
    "privatperson": N_("a private person"),
    "anonym": N_("anonymous"),
    "annan_myndighet": N_("another authority"),
    "okand": N_("unknown reporter"),
    # whom information was asked of (the vocabulary's Swedish words)
    "förskola": N_("preschool"),
    "sjukvård": N_("health care"),
    # outcomes
    "open_investigation": N_("investigation opened"),
    "no_investigation": N_("no investigation opened"),
    "existing_investigation": N_("part of an ongoing investigation"),
    "no_action": N_("no measures"),
    "support_offered": N_("support offered"),
    "care_application": N_("application for care"),
    "upheld": N_("upheld"),
    "lifted": N_("lifted"),
    "overturned": N_("overturned"),
    "partly": N_("partly changed"),
    "granted": N_("granted"),
    "refused": N_("refused"),
    "rejected": N_("rejected"),
    "apply": N_("apply for a removal ban"),
    "not_apply": N_("not apply for a removal ban"),
    "other": N_("other"),
    # grounds and legal forms
    "consent": N_("consent"),
    "duty_to_inform": N_("duty to provide information"),
    "lvu_2": N_("LVU section 2"),
    "lvu_3": N_("LVU section 3"),
    "sol": N_("SoL (voluntary)"),
    "lvu": N_("LVU"),
    # settings, plans, who led a move home
    "familjehem": N_("foster home"),
    "jourhem": N_("emergency foster home"),
    "hvb": N_("residential care home (HVB)"),
    "vardplan": N_("care plan"),
    "genomforandeplan": N_("implementation plan"),
    "foraldrar": N_("the parents"),
    "namnd": N_("the committee"),
    # coverage declarations
    "journal": N_("the journal"),
    "public_sources": N_("public sources"),
    # who judged, and how
    "ivo": N_("IVO"),
    "lex_sarah": N_("the lex Sarah investigation"),
    "jo": N_("JO"),
    "socialstyrelsen": N_("Socialstyrelsen"),
    "court": N_("a court"),
    "reviewer": N_("the reviewer"),
    "criticism": N_("criticism"),
    "no_criticism": N_("no criticism"),
    "deficiency": N_("deficiency noted"),
    "statement": N_("statement"),
    # whole-case acts
    "written": N_("in writing"),
    "oral": N_("orally"),
    "convicted": N_("convicted"),
    "acquitted": N_("acquitted"),
    "guardian": N_("a guardian"),
    "parent": N_("a parent"),
    "negative": N_("negative"),
    "positive": N_("positive"),
    "umgange": N_("contact with parents (umgänge)"),
    "vistelseort": N_("whereabouts kept secret"),
    "kontaktperson": N_("contact person"),
    "kontaktfamilj": N_("contact family"),
    "familjebehandling": N_("family therapy"),
    "oppenvard": N_("non-residential care"),
    "behandling": N_("treatment"),
    "natverkshem": N_("network home"),
    "sis": N_("SiS special residential home"),
    "stodboende": N_("supported housing"),
    "hemmet": N_("the child's own home"),
    "municipality": N_("the municipality"),
    "corroborated": N_("corroborated"),
    "consistent": N_("consistent"),
    "uncorroborated": N_("uncorroborated"),
    "contradicted": N_("contradicted"),
    "accepted": N_("accepted"),
    # a field the records do not give
    "not_documented": N_("not documented"),
}


_STATUS: dict[str, str] = {
    "breach": NC_("status", "breach"),
    "warning": NC_("status", "warning"),
    "no_record": NC_("status", "not documented in the examined records"),
    "undetermined": NC_("status", "undetermined"),
    "pending": NC_("status", "pending"),
    "info": NC_("status", "information"),
    # A rule's reading where it found nothing to flag (a judgement's evidence).
    "met": NC_("status", "requirement met"),
    "not_triggered": NC_("status", "not triggered"),
    "not_in_force": NC_("status", "not in force"),
    "ended_by_death": NC_("status", "ended with the death"),
    "unknown": NC_("status", "no such rule"),
}

# Short forms for narrow table columns.
_STATUS_SHORT: dict[str, str] = {
    "breach": NC_("status", "breach"),
    "warning": NC_("status", "warning"),
    "no_record": NC_("status", "no record"),
    "undetermined": NC_("status", "undetermined"),
    "pending": NC_("status", "pending"),
    "info": NC_("status", "info"),
    "met": NC_("status", "met"),
    "not_triggered": NC_("status", "not triggered"),
    "not_in_force": NC_("status", "not in force"),
    "ended_by_death": NC_("status", "death"),
    "unknown": NC_("status", "no such rule"),
}


def code_words(field: str, value: object) -> str:
    """The words for `value` of enumeration `field`; text that is no known code is itself,
    and a detail the records do not give says so."""
    if value is None:
        return ""
    if value == "not_documented":
        return _("not documented")
    words = CODE_WORDS.get((field, str(value))) or BY_CODE.get(str(value))
    return _(words) if words is not None else str(value)


def outcome_words(record: Record) -> str | None:
    """A decision's result in words (`projections.decisions.outcome_of` keeps the codes for
    JSON and says the words, in one place)."""
    from projections.decisions import outcome_of  # decisions reads its codes from here

    return outcome_of(record, human=True)


def status_word(status: str, *, short: bool = False) -> str:
    """A finding's status or severity in words ("breach" → "brist")."""
    words = (_STATUS_SHORT if short else _STATUS).get(status)
    return pgettext("status", words) if words else status


# ledger.legal.NOT_VERIFIED in the reader's language (tests/test_language.py holds them equal).
NOT_VERIFIED_WORDS = N_("paragraph not verified")


def cited(ref: LegalReference) -> str:
    """A legal reference as cited, with "(paragraph not verified)" in the reader's language
    when the reading is unverified (`LegalReference.cited` says it in English)."""
    return ref.short() + (f" ({_(NOT_VERIFIED_WORDS)})" if ref.confidence == "U" else "")


def note_words(ref: LegalReference) -> str:
    """What a legal reference is about, in the reader's language; a 2025:400 counterpart's
    note composed from its old paragraph's note and the conversion table's reading is put
    together again from their translations."""
    found = converted_from(ref)
    if found is None:
        return _(ref.note) if ref.note else ""
    note, row = found
    reading = _(row.source) + (f"; {_(row.topic)}" if row.topic else "")
    return _(CONVERTED_NOTE).format(note=_(note) if note else "", old=row.old, reading=reading)
