"""Codes in words: the vocabulary's enumerations and the rule pack's statuses as a reviewer
reads them ("lvu_2" → "LVU 2 §", "foraldrar" → "föräldrarna", "no_record" → "ej dokumenterat i
granskade handlingar"). JSON keeps the codes; only human output uses these words."""

from __future__ import annotations

from ledger.legal import LegalReference
from projections.language import N_, _

# The same code may read differently by field ("familjehem" is a setting, or who led a move
# home), so the words are looked up by field first, then by code alone.
_BY_FIELD: dict[tuple[str, str], str] = {
    ("led_by", "familjehem"): N_("the foster carers"),
    ("led_by", "namnd"): N_("the committee"),
    ("led_by", "gemensam"): N_("jointly"),
    ("outcome", "continue"): N_("continues"),
    ("outcome", "end"): N_("ends"),
    ("judge", "other"): N_("another body"),
    ("counterparty", "other"): N_("another party"),
    ("result", "pending"): N_("result awaited"),
    ("subject", "child"): N_("the child"),
}

_BY_CODE: dict[str, str] = {
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
    "breach": N_("breach"),
    "warning": N_("warning"),
    "no_record": N_("not documented in the examined records"),
    "undetermined": N_("undetermined"),
    "pending": N_("pending"),
    "info": N_("information"),
}

# Short forms for narrow table columns.
_STATUS_SHORT: dict[str, str] = {
    "breach": N_("breach"),
    "warning": N_("warning"),
    "no_record": N_("no record"),
    "undetermined": N_("undetermined"),
    "pending": N_("pending"),
    "info": N_("info"),
}


def code_word(field: str, code: object) -> str:
    """The words for `code` in `field` (its code itself when it has none), in the reader's
    language."""
    if not isinstance(code, str):
        return str(code)
    words = _BY_FIELD.get((field, code)) or _BY_CODE.get(code)
    return _(words) if words else code


def status_word(status: str, *, short: bool = False) -> str:
    """A finding's status or severity in words ("breach" → "brist")."""
    words = (_STATUS_SHORT if short else _STATUS).get(status)
    return _(words) if words else status


# ledger.legal.NOT_VERIFIED in the reader's language (tests/test_language.py holds them equal).
NOT_VERIFIED_WORDS = N_("paragraph not verified")


def cited(ref: LegalReference) -> str:
    """A legal reference as cited, with "(paragraph not verified)" in the reader's language
    when the reading is unverified (`LegalReference.cited` says it in English)."""
    return ref.short() + (f" ({_(NOT_VERIFIED_WORDS)})" if ref.confidence == "U" else "")
