"""The event vocabulary: the single source of truth for event types.

Every event type is registered here with its Swedish term, category, decision flag, its own
fields (the envelope of DESIGN.md §4 comes on top) and its legal references.  Validation,
``ledger types``, the renderers and the rules all read this registry; nothing else should
hard-code type names, field names or enumeration words.  ``docs/vocabulary.md`` is generated
from it (``make docs``), so the table people read cannot drift from the code.

Legal references are data with the law's version (``sfs``), never a hard-coded paragraph
string: SoL (2001:453) was replaced and renumbered by SoL (2025:400) on 2025-07-01, so every
reference to the old act carries ``in_force_until="2025-07-01"``.

Pure standard library.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Literal, get_args

from ledger.legal import LegalReference
from ledger.message import Message
from ledger.quoting import quote
from ledger.sol_conversion import sol

__all__ = [
    "AFTER",
    "BARRIER_STATES",
    "CATEGORIES",
    "CAUSE_AREAS",
    "CAUSE_KINDS",
    "FIELD_KIND_DOCS",
    "JUDGEMENT_GRADES",
    "MEASURE_DONE",
    "MEASURE_STATUSES",
    "NOT_DOCUMENTED",
    "VOCABULARY",
    "Category",
    "EventType",
    "FieldKind",
    "FieldSpec",
    "LegalReference",
    "UnknownEventType",
    "decision_types",
    "event_type",
    "types_in_category",
]

Category = Literal[
    "admin",
    "report",
    "assessment",
    "decision",
    "information",
    "contact",
    "court",
    "placement",
    "plan",
    "move",
    "followup",
    "incident",
    "review",
    "oversight",
    "note",
    "correction",
]
CATEGORIES: tuple[str, ...] = get_args(Category)

FieldKind = Literal["text", "bool", "int", "moment", "ref", "refs", "enum", "object", "texts"]
_FIELD_KINDS: tuple[str, ...] = get_args(FieldKind)

# What a value of each kind is, for people reading `ledger types` and docs/vocabulary.md.
FIELD_KIND_DOCS: Mapping[str, str] = MappingProxyType(
    {
        "text": "non-empty text",
        "bool": "true or false",
        "int": "a whole number",
        "moment": "an imprecise time as for `occurred` (2019, 2019-12, ~2019-12-24, ...)",
        "ref": "a reference to another entry of the case (#4, @label)",
        "refs": "a list of references to other entries of the case",
        "enum": "one of the words listed",
        "object": "a JSON object (field name → new value)",
        "texts": "a list of non-empty texts",
    }
)

# The value a reviewer records where a field is required but the act's detail is not in the
# examined records (an act documented without its outcome, e.g. a förhandsbedömning whose
# result is not public). Every field of every type except the corrections accepts it, whatever
# its kind, and it is stored as this very string (so a `bool` or `refs` field may hold it):
# references and times are not resolved or parsed from it, tables print it "not documented",
# JSON keeps the string, and rules treat it as unknown, never as a value.
NOT_DOCUMENTED = "not_documented"

# A recorded judgement's grade (JudgementRecorded.grade): criticism of the authority, an
# explicit decision not to criticise, a deficiency found (without formal criticism), or a
# neutral statement of the authority's duties.
JUDGEMENT_GRADES: tuple[str, ...] = ("criticism", "no_criticism", "deficiency", "statement")

# Händelseanalys (SKL 2011, *Modell för risk- och händelseanalys … IFO*; SKL 2015 handbook):
# the cause areas of its cause–effect diagram, in the model's order. Communication and
# information; knowledge and competence; routines and guidelines; organisation, staffing and
# workload; technology (IT systems, equipment); environment (premises, surroundings).
CAUSE_AREAS: tuple[str, ...] = (
    "communication_information",
    "knowledge_competence",
    "routines",
    "organisation_workload",
    "technology",
    "environment",
)
# A root cause, a contributing factor, or a deficiency the analysis found but judged not to
# have caused the event (Norrköping's lex Sarah investigation: "bedöms inte ha kunnat förhindra
# det inträffade").
CAUSE_KINDS: tuple[str, ...] = ("root_cause", "contributing_factor", "deficiency")
# A barrier (something meant to stop the course of events) held, failed, or was missing.
BARRIER_STATES: tuple[str, ...] = ("held", "failed", "missing")
# A measure's status: decided or planned, under way, carried out, its effect evaluated, or
# dropped. Carried out and evaluated meet the measure; cancelled ends it.
MEASURE_STATUSES: tuple[str, ...] = ("planned", "started", "implemented", "evaluated", "cancelled")
MEASURE_DONE: tuple[str, ...] = ("implemented", "evaluated")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One type field of an event type."""

    name: str
    kind: FieldKind
    required: bool
    choices: tuple[str, ...] = ()  # only for enum
    doc: str = ""  # short English explanation

    def __post_init__(self) -> None:
        if not self.name or not self.name.isidentifier():
            raise ValueError(f"field name {self.name!r} is not an identifier")
        if self.kind not in _FIELD_KINDS:
            raise ValueError(f"field {self.name!r}: unknown kind {self.kind!r}")
        if self.kind == "enum":
            if not self.choices:
                raise ValueError(f"enum field {self.name!r} has no choices")
            if len(set(self.choices)) != len(self.choices):
                raise ValueError(f"enum field {self.name!r} has duplicate choices")
        elif self.choices:
            raise ValueError(f"field {self.name!r} of kind {self.kind!r} cannot have choices")


@dataclass(frozen=True, slots=True)
class EventType:
    """One event type of the vocabulary."""

    name: str  # e.g. "ConcernReportReceived"
    swedish: str  # Swedish term
    category: Category
    decision: bool
    fields: tuple[FieldSpec, ...]
    legal: tuple[LegalReference, ...] = ()
    # True only for ObservationRecorded: an outside party's observation must state `known`.
    requires_known: bool = False
    description: str = ""  # one plain-English sentence of what the event records

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"event type {self.name}: unknown category {self.category!r}")
        names = [f.name for f in self.fields]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"event type {self.name}: duplicate fields {', '.join(duplicates)}")

    def field(self, name: str) -> FieldSpec | None:
        """The field called `name`, or None when the type has no such field."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        return None

    @property
    def accepts_not_documented(self) -> bool:
        """Whether this type's fields accept NOT_DOCUMENTED.

        Every type records an act found in the examined records, whose detail may be missing
        from them, except the corrections: they are the reviewer's own acts on the ledger and
        must name the entry they correct and what they change.
        """
        return self.category != "correction"

    @property
    def reference_fields(self) -> tuple[FieldSpec, ...]:
        """The fields holding references to other events in the case (kinds ref and refs)."""
        return tuple(f for f in self.fields if f.kind in ("ref", "refs"))


class UnknownEventType(KeyError):
    """An event type name that is not in the vocabulary; its text (`str`) is a `Message`
    naming the close matches."""

    def __init__(self, name: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(name)
        self.name = name
        self.suggestions = tuple(suggestions)

    def __str__(self) -> str:
        name = quote(self.name)
        if not self.suggestions:
            return Message("unknown event type {name}", name=name)
        options: str = self.suggestions[0]
        if len(self.suggestions) > 1:
            options = Message(
                "{some} or {last}",
                some=", ".join(self.suggestions[:-1]),
                last=self.suggestions[-1],
            )
        return Message(
            "unknown event type {name} (did you mean {options}?)", name=name, options=options
        )


# --- construction helpers ------------------------------------------------------------------


def _f(name: str, kind: FieldKind, doc: str, choices: tuple[str, ...] = ()) -> FieldSpec:
    """A field; a trailing "?" on the name marks it optional, as in vocabulary.md."""
    required = not name.endswith("?")
    return FieldSpec(name.rstrip("?"), kind, required, choices, doc)


_LVU = "1990:52"


def _sol(provision: str, confidence: str, note: str = "") -> tuple[LegalReference, ...]:
    """A paragraph of SoL (2001:453) until 2025-07-01, and its counterpart in
    socialtjänstlag (2025:400) from then, from the one conversion table."""
    return sol(provision, note, confidence)


def _lvu(provision: str, confidence: str, note: str = "") -> LegalReference:
    """A reference to the Care of Young Persons Act (LVU, SFS 1990:52)."""
    return LegalReference("LVU", _LVU, provision, confidence, note)


def _lvu_since(provision: str, confidence: str, note: str, since: str) -> LegalReference:
    """An LVU paragraph brought or reworded by an amendment in force from `since`."""
    return LegalReference("LVU", _LVU, provision, confidence, note, in_force_from=since)


def _law(law: str, sfs: str, provision: str, confidence: str, note: str) -> LegalReference:
    """A paragraph of another act: FB (1949:381), FL (2017:900), OSL (2009:400), HSL (2017:30)."""
    return LegalReference(law, sfs, provision, confidence, note)


_FB = "1949:381"
_LEX_LILLA_HJARTAT = "2022-07-01"  # SFS 2022:664 (LVU) and 2022:665 (SoL)


# Enumerations, exactly the words of vocabulary.md.
_REPORTER_CATEGORIES = (
    "bvc",
    "forskola",
    "skola",
    "polis",
    "halso_sjukvard",
    "privatperson",
    "anonym",
    "annan_myndighet",
    "okand",
)
_COUNTERPARTIES = ("BVC", "förskola", "skola", "polis", "sjukvård", "other")
_LEGAL_GROUNDS = ("consent", "duty_to_inform", "other")
_LVU_GROUNDS = ("lvu_2", "lvu_3")
_CONTINUE_END = ("continue", "end")
_PLACEMENT_SETTINGS = (
    "familjehem",
    "natverkshem",
    "jourhem",
    "hvb",
    "sis",
    "stodboende",
    "hemmet",
    "other",
)
_SUPPORT_KINDS = ("kontaktperson", "kontaktfamilj", "familjebehandling", "oppenvard", "other")
_GRANTED_REFUSED = ("granted", "refused")
_APPLY = ("apply", "not_apply")
_CHANGED_DOC = (
    "the recorded statement of how the circumstances that led to care have changed (from "
    "2022-07-01 LVU 2 § care may end only after a lasting and thorough change, LVU 21 §)"
)

_ENDED_BY_COURT_DOC = "the court that decided the end of care, when a court decided it"
_NOT_HEARD_DOC = "the recorded reason why the child was not heard before this decision"

_TYPES: tuple[EventType, ...] = (
    EventType(
        "CaseOpened",
        "akt upprättad",
        "admin",
        False,
        (
            _f("child", "text", "the child's pseudonym"),
            _f("municipality", "text", "the municipality whose social services own the case"),
            _f("born?", "moment", "the child's birth, as an imprecise date"),
        ),
        description="The social services open a case file (akt) for a child.",
    ),
    EventType(
        "ConcernReportReceived",
        "orosanmälan inkommen",
        "report",
        False,
        (
            _f(
                "reporter_category",
                "enum",
                "the kind of reporter the report came from",
                _REPORTER_CATEGORIES,
            ),
            _f("mandatory_reporter?", "bool", "whether the reporter has a duty to report"),
            _f("concern", "text", "what the reporter is worried about"),
        ),
        legal=(*_sol("14 kap. 1 §", "H", "duty to report concern for a child"),),
        description="A report of concern about a child (orosanmälan) reaches the social services.",
    ),
    EventType(
        "ProtectionAssessmentMade",
        "skyddsbedömning",
        "assessment",
        True,
        (
            _f("report", "ref", "the concern report this protection assessment answers"),
            _f(
                "immediate_protection_needed",
                "bool",
                "whether the child was judged to need immediate protection",
            ),
            _f("child_seen?", "bool", "whether the child was seen for the assessment"),
        ),
        legal=(
            *_sol(
                "11 kap. 1 a § första stycket",
                "H",
                "immediate assessment of the child's need of protection",
            ),
        ),
        description="The social services assess whether a child named in a report needs "
        "immediate protection.",
    ),
    EventType(
        "PreliminaryAssessmentDecided",
        "förhandsbedömning: beslut att inleda / inte inleda utredning",
        "decision",
        True,
        (
            _f("reports", "refs", "the concern reports this preliminary assessment covers"),
            _f(
                "outcome",
                "enum",
                "whether an investigation is opened, not opened, or already under way",
                ("open_investigation", "no_investigation", "existing_investigation"),
            ),
            _f("reasons?", "text", "the stated reasons for the decision"),
            _f("child_heard?", "bool", "whether the child was heard before the decision"),
            _f(
                "extraordinary_reasons?",
                "text",
                "the synnerliga skäl recorded for deciding after the 14 days",
            ),
        ),
        legal=(
            *_sol(
                "11 kap. 1 a § andra stycket",
                "H",
                "decision on opening an investigation within 14 days",
            ),
        ),
        description="The decision, after a preliminary assessment (förhandsbedömning), "
        "whether to open an investigation.",
    ),
    EventType(
        "InvestigationOpened",
        "utredning inledd",
        "decision",
        True,
        (
            _f("reports?", "refs", "the concern reports that led to the investigation"),
            _f(
                "not_notified_reason?",
                "text",
                "the recorded särskilda skäl for not telling the person concerned",
            ),
        ),
        legal=(*_sol("11 kap. 1 §", "H", "duty to investigate"),),
        description="An investigation (utredning) of the child's need of protection or "
        "support is opened.",
    ),
    EventType(
        "InvestigationExtended",
        "förlängd utredningstid",
        "decision",
        True,
        (
            _f("new_deadline", "moment", "the new date by which the investigation must end"),
            _f("reason", "text", "why the investigation needs more time"),
        ),
        legal=(*_sol("11 kap. 2 §", "H", "four-month time limit and its extension"),),
        description="The time allowed for an investigation is extended beyond four months.",
    ),
    EventType(
        "InvestigationClosed",
        "utredning avslutad",
        "decision",
        True,
        (
            _f(
                "outcome",
                "enum",
                "how the investigation ended",
                ("no_action", "support_offered", "care_application", "other"),
            ),
            _f("reasons?", "text", "the stated reasons for the outcome"),
            _f("child_not_heard_reason?", "text", _NOT_HEARD_DOC),
        ),
        legal=(*_sol("11 kap. 2 §", "H", "investigation to be completed without delay"),),
        description="An investigation is closed with a stated outcome.",
    ),
    EventType(
        "InvestigationPlanned",
        "utredningsplan",
        "plan",
        False,
        (
            _f("investigation?", "ref", "the investigation the plan is for"),
            _f("scope?", "text", "what the investigation will look into, and how"),
        ),
        description="A plan for an investigation (utredningsplan) is drawn up.",
    ),
    EventType(
        "InvestigationNotified",
        "underrättelse om inledd utredning",
        "contact",
        False,
        (
            _f("investigation", "ref", "the investigation the person concerned is told of"),
            _f("notified", "texts", "who was told (guardians, the child; pseudonyms or roles)"),
        ),
        legal=(
            *_sol(
                "11 kap. 2 § tredje stycket",
                "M",
                "the person concerned told that an investigation was opened, unless "
                "särskilda skäl speak against it",
            ),
        ),
        description="The person concerned is told that an investigation was opened.",
    ),
    EventType(
        "MaterialCommunicated",
        "kommunicering",
        "information",
        False,
        (
            _f("decision?", "ref", "the decision the material is communicated before"),
            _f("parties", "texts", "the parties told of the material (pseudonyms or roles)"),
            _f("reply_by?", "moment", "by when the parties may answer"),
        ),
        legal=(
            _law(
                "FL",
                "2017:900",
                "25 §",
                "M",
                "parties told of the material before a decision (in force from 2018-07-01)",
            ),
        ),
        description="The parties are told of the material before a decision (kommunicering).",
    ),
    EventType(
        "InformationRequested",
        "begäran om uppgifter",
        "information",
        False,
        (
            _f("counterparty", "enum", "who is asked for information", _COUNTERPARTIES),
            _f(
                "legal_ground",
                "enum",
                "the legal ground for asking: guardians' consent or the duty to inform",
                _LEGAL_GROUNDS,
            ),
            _f("consent_given_by?", "text", "who gave consent, when the ground is consent"),
            _f("topic", "text", "what information is asked for"),
        ),
        legal=(
            LegalReference("JO", "5219-2018", "", "H", "consent during förhandsbedömning"),
            *_sol("14 kap. 1 § tredje stycket", "M", "duty to inform during utredning"),
        ),
        description="The social services ask another party (BVC, preschool, school, police, "
        "health care) for information about the child.",
    ),
    EventType(
        "InformationReceived",
        "uppgifter inkomna",
        "information",
        False,
        (
            _f("counterparty", "enum", "who supplied the information", _COUNTERPARTIES),
            _f("in_reply_to?", "ref", "the information request this answers"),
            _f("includes?", "refs", "the observations this information brought"),
        ),
        description="Information from another party reaches the social services.",
    ),
    EventType(
        "ConsultationHeld",
        "samråd / konsultation",
        "information",
        False,
        (
            _f("counterparty", "enum", "whom the social services consulted", _COUNTERPARTIES),
            _f("topic", "text", "what the consultation was about"),
            _f("anonymised?", "bool", "whether the child was not named (avidentifierad)"),
        ),
        description="The social services consult BVC, preschool, school, police or health care "
        "as an act of its own.",
    ),
    EventType(
        "CoordinatedPlanMeeting",
        "samordnad individuell plan (SIP)",
        "plan",
        False,
        (
            _f("participants", "texts", "the agencies and people taking part"),
            _f("plan_adopted?", "bool", "whether a SIP was adopted at the meeting"),
            _f("topic?", "text", "what the plan coordinates"),
        ),
        legal=(
            *_sol("2 kap. 7 §", "M", "samordnad individuell plan"),
            _law("HSL", "2017:30", "16 kap. 4 §", "M", "samordnad individuell plan"),
        ),
        description="A coordinated individual plan (SIP) meeting of the social services and "
        "health care is held.",
    ),
    EventType(
        "ConsentGiven",
        "samtycke lämnat",
        "information",
        False,
        (
            _f("given_by", "text", "who consented (a guardian, the child; pseudonym or role)"),
            _f("scope", "text", "to what: a placement, information from BVC, ..."),
            _f("form?", "enum", "written or oral consent", ("written", "oral")),
        ),
        description="Consent is given, e.g. to a voluntary placement or to gathering information.",
    ),
    EventType(
        "ConsentWithdrawn",
        "samtycke återkallat",
        "information",
        False,
        (
            _f("consent?", "ref", "the consent withdrawn"),
            _f("withdrawn_by", "text", "who withdrew it (pseudonym or role)"),
        ),
        description="A consent is withdrawn.",
    ),
    EventType(
        "PoliceReportFiled",
        "polisanmälan av socialtjänsten",
        "information",
        False,
        (
            _f("suspected_offence", "text", "the suspected crime against the child"),
            _f("concerning?", "text", "whom the report concerns (pseudonym or role)"),
        ),
        legal=(
            _law(
                "OSL",
                "2009:400",
                "10 kap. 21 §",
                "U",
                "secrecy does not prevent reporting suspected crimes against a child",
            ),
        ),
        description="The social services report a suspected crime against the child to the police.",
    ),
    EventType(
        "BarnahusConsultation",
        "samråd på barnahus",
        "information",
        False,
        (
            _f("participants", "texts", "the agencies taking part (police, prosecutor, ...)"),
            _f("outcome?", "text", "what was agreed"),
        ),
        description="A joint consultation at a barnahus (police, prosecutor, social services, "
        "health care).",
    ),
    EventType(
        "MedicalExaminationOrdered",
        "beslut om läkarundersökning (LVU 32 §)",
        "decision",
        True,
        (_f("reason?", "text", "why the examination is needed"),),
        legal=(_lvu("32 §", "M", "the committee may decide on a medical examination"),),
        description="The committee decides that the child be examined by a doctor.",
    ),
    EventType(
        "MedicalExaminationHeld",
        "läkarundersökning",
        "information",
        False,
        (
            _f("examined_by", "text", "who examined the child (role)"),
            _f("ordered?", "ref", "the decision that ordered the examination"),
            _f("findings?", "text", "what the examination found"),
        ),
        description="A doctor examines the child.",
    ),
    EventType(
        "ProsecutionBrought",
        "åtal väckt",
        "court",
        False,
        (
            _f("offence", "text", "the offence charged"),
            _f("defendant", "text", "whom the charge is against (pseudonym or role)"),
        ),
        description="A prosecutor brings charges for a crime against the child.",
    ),
    EventType(
        "CriminalJudgment",
        "dom i brottmål",
        "court",
        True,
        (
            _f("court", "text", "the court that judged"),
            _f("outcome", "enum", "the judgment", ("convicted", "acquitted", "partly")),
            _f("offence?", "text", "the offence judged"),
            _f("case_number?", "text", "the court's case number (målnummer)"),
            _f("prosecution?", "ref", "the charge judged"),
        ),
        description="A court judges a criminal case concerning the child.",
    ),
    EventType(
        "DrugTestRequested",
        "begäran om drogtest",
        "information",
        False,
        (
            _f("tested", "text", "who is asked to take the test (pseudonym or role)"),
            _f(
                "subject",
                "enum",
                "whether the child, a guardian, a parent or another is tested",
                ("child", "guardian", "parent", "other"),
            ),
        ),
        legal=(
            _lvu_since(
                "32 a–32 c §§",
                "M",
                "drug tests under LVU (SFS 2022:664)",
                _LEX_LILLA_HJARTAT,
            ),
        ),
        description="The social services ask someone to take a drug test.",
    ),
    EventType(
        "DrugTestTaken",
        "drogtest taget",
        "information",
        False,
        (
            _f("request?", "ref", "the request the test answers"),
            _f("result", "enum", "the result", ("negative", "positive", "pending")),
        ),
        description="A drug test is taken.",
    ),
    EventType(
        "DrugTestDeclined",
        "drogtest vägrat",
        "information",
        False,
        (
            _f("request?", "ref", "the request declined"),
            _f("reason?", "text", "the reason given"),
        ),
        description="A requested drug test is declined.",
    ),
    EventType(
        "ObservationRecorded",
        "iakttagelse (av någon part)",
        "information",
        False,
        (
            _f("observed_by", "text", "the agency or role that made the observation"),
            _f("observation", "text", "what was observed"),
        ),
        requires_known=True,
        description="A fact observed by any party, such as BVC's note of weight loss or a "
        "preschool's note of bruises; when observed by an outside party it must state when "
        "the social services learned of it (known).",
    ),
    EventType(
        "HomeVisit",
        "hembesök",
        "contact",
        False,
        (
            _f("announced", "bool", "whether the visit was announced in advance"),
            _f("access_granted", "bool", "whether the family let the social workers in"),
            _f("child_seen", "bool", "whether the social workers saw the child"),
            _f("observations?", "text", "what the social workers observed"),
        ),
        legal=(LegalReference("JO", "1188-2020", "", "H", "no right of entry without consent"),),
        description="Social workers visit the child's home.",
    ),
    EventType(
        "ChildConversation",
        "samtal med barnet",
        "contact",
        False,
        (
            _f("guardian_consent?", "bool", "whether the guardians consented to the conversation"),
            _f("guardian_present?", "bool", "whether a guardian was present"),
            _f("child_views?", "text", "the views the child expressed"),
            _f("alone?", "bool", "whether the child was spoken with alone"),
        ),
        legal=(
            *_sol(
                "11 kap. 10 § tredje stycket",
                "H",
                "talking with the child without the guardians' consent or presence",
            ),
        ),
        description="Social workers talk with the child.",
    ),
    EventType(
        "ContactVisitHeld",
        "umgänge",
        "contact",
        False,
        (
            _f("with_whom", "text", "whom the child met (parent, sibling; pseudonyms or roles)"),
            _f("supervised?", "bool", "whether staff or an umgängesstöd was present"),
            _f("place?", "text", "where the contact took place"),
            _f("overnight?", "bool", "whether the child stayed overnight"),
            _f("observations?", "text", "what was observed"),
        ),
        legal=(_lvu("14 § första stycket", "M", "the child's need of contact with parents"),),
        description="A placed child meets a parent or someone close (umgänge); a gradual move "
        "home is a series of these.",
    ),
    EventType(
        "ContactRestrictionDecided",
        "umgängesbegränsning / hemlighållande av vistelseort",
        "decision",
        True,
        (
            _f(
                "restriction",
                "enum",
                "how contact is exercised (14 § andra stycket 1) or the whereabouts kept "
                "secret (2)",
                ("umgange", "vistelseort"),
            ),
            _f("concerns", "text", "the guardian or parent it concerns (pseudonym or role)"),
            _f("terms?", "text", "how contact is to take place, or what is kept secret"),
            _f("until?", "moment", "when a time-limited decision ends"),
        ),
        legal=(_lvu("14 § andra stycket", "H", "wording of SFS 2018:686, in force 2019-01-01"),),
        description="The committee restricts contact with a guardian or parent, or keeps the "
        "child's whereabouts secret (LVU 14 §).",
    ),
    EventType(
        "ContactRestrictionReviewed",
        "övervägande av umgängesbegränsning / hemlighållande",
        "decision",
        True,
        (
            _f("restriction", "ref", "the restriction decision considered"),
            _f("outcome", "enum", "whether the restriction continues or ends", _CONTINUE_END),
        ),
        legal=(
            _lvu(
                "14 § tredje stycket",
                "H",
                'considered "minst en gång var tredje månad" (wording of SFS 2018:686)',
            ),
        ),
        description="The committee considers whether a contact restriction or secrecy of "
        "whereabouts is still needed.",
    ),
    EventType(
        "PlacementVisit",
        "besök hos placerat barn",
        "contact",
        False,
        (
            _f("child_seen", "bool", "whether the social worker saw the child"),
            _f("spoke_alone", "bool", "whether the social worker talked with the child alone"),
            _f("placement?", "ref", "the placement visited"),
            _f("observations?", "text", "what was observed"),
        ),
        legal=(
            *_sol(
                "6 kap. 7 b §",
                "M",
                "regular personal visits and conversations alone with a placed child",
            ),
        ),
        description="The responsible social worker visits a placed child in the foster home, "
        "HVB or other placement.",
    ),
    EventType(
        "MeetingHeld",
        "möte (föräldrar, nätverk, familjehem)",
        "contact",
        False,
        (
            _f("participants", "texts", "who took part (pseudonyms or roles)"),
            _f("topic", "text", "what the meeting was about"),
        ),
        description="A meeting with parents, the network or the foster home is held.",
    ),
    EventType(
        "SupportDecided",
        "beslut om bistånd (insats enligt SoL)",
        "decision",
        True,
        (
            _f("kind", "enum", "the insats applied for", _SUPPORT_KINDS),
            _f("outcome", "enum", "whether it was granted or refused", _GRANTED_REFUSED),
            _f("description?", "text", "the insats in words"),
        ),
        legal=(*_sol("4 kap. 1 §", "M", "bistånd"),),
        description="The committee decides on an insats other than placement: kontaktperson, "
        "kontaktfamilj, familjebehandling, öppenvård.",
    ),
    EventType(
        "SupportStarted",
        "insats påbörjad",
        "contact",
        False,
        (_f("decision?", "ref", "the decision granting the insats"),),
        description="A granted insats starts.",
    ),
    EventType(
        "SupportEnded",
        "insats avslutad",
        "contact",
        False,
        (
            _f("decision?", "ref", "the decision granting the insats"),
            _f("reason?", "text", "why it ended"),
        ),
        description="An insats ends.",
    ),
    EventType(
        "OpenCareDecided",
        "beslut om vård i öppna former (LVU 22 §)",
        "decision",
        True,
        (
            _f(
                "measure",
                "enum",
                "regular contact with a kontaktperson, or treatment in open forms",
                ("kontaktperson", "behandling"),
            ),
            _f("terms?", "text", "the terms of the decision"),
            _f("until?", "moment", "when the decision ends"),
        ),
        legal=(_lvu("22 §", "M", "open-form measures for a young person under LVU"),),
        description="The committee decides on open-form measures under LVU 22 §.",
    ),
    EventType(
        "ImmediateCustodyOrdered",
        "omedelbart omhändertagande",
        "decision",
        True,
        (_f("grounds", "text", "the stated grounds for taking the child into custody"),),
        legal=(_lvu("6 §", "H", "immediate custody"),),
        description="The committee (or its chair) takes the child into immediate custody "
        "under LVU.",
    ),
    EventType(
        "ImmediateCustodySubmitted",
        "underställning av omedelbart omhändertagande till förvaltningsrätten",
        "court",
        False,
        (_f("custody", "ref", "the immediate-custody decision submitted to the court"),),
        legal=(_lvu("7 §", "H", "submission to the administrative court within one week"),),
        description="An immediate-custody decision is submitted to the administrative court "
        "for review.",
    ),
    EventType(
        "ImmediateCustodyReviewed",
        "förvaltningsrättens prövning av omedelbart omhändertagande",
        "court",
        True,
        (
            _f("custody", "ref", "the immediate-custody decision the court reviewed"),
            _f(
                "outcome",
                "enum",
                "whether the court upheld or lifted the custody",
                ("upheld", "lifted"),
            ),
        ),
        legal=(_lvu("7 §", "H", "court review of immediate custody"),),
        description="The administrative court decides whether an immediate custody stands.",
    ),
    EventType(
        "CareApplicationFiled",
        "ansökan om vård enligt LVU",
        "decision",
        True,
        (
            _f(
                "grounds",
                "enum",
                "the LVU ground: 2 § (home environment) or 3 § (the child's own behaviour)",
                _LVU_GROUNDS,
            ),
        ),
        legal=(_lvu("4 §", "H", "application for care"),),
        description="The committee applies to the administrative court for care under LVU.",
    ),
    EventType(
        "CareOrdered",
        "dom om vård enligt LVU",
        "court",
        True,
        (
            _f("court", "text", "the court that ordered care"),
            _f("case_number?", "text", "the court's case number (målnummer)"),
            _f(
                "grounds",
                "enum",
                "the LVU ground: 2 § (home environment) or 3 § (the child's own behaviour)",
                _LVU_GROUNDS,
            ),
        ),
        legal=(_lvu("1–5 §§", "H", "grounds for and decision on care"),),
        description="A court orders that the child be given care under LVU.",
    ),
    EventType(
        "CareReviewed",
        "övervägande / omprövning av vården",
        "decision",
        True,
        (
            _f("outcome", "enum", "whether care under LVU continues or ends", _CONTINUE_END),
            _f("child_not_heard_reason?", "text", _NOT_HEARD_DOC),
        ),
        legal=(_lvu("13 §", "H", "periodic consideration and review of care"),),
        description="The committee's periodic consideration (13 §) of whether care under LVU "
        "is still needed; a decision on a request to end care is CareTerminationDecided.",
    ),
    EventType(
        "CareTerminationRequested",
        "begäran om att vården ska upphöra",
        "report",
        False,
        (_f("requested_by", "text", "who asked for care to end (e.g. a parent)"),),
        description="Someone asks that care under LVU should end.",
    ),
    EventType(
        "CareTerminationDecided",
        "beslut om att vården ska upphöra eller fortsätta (21 §)",
        "decision",
        True,
        (
            _f(
                "outcome",
                "enum",
                "whether the committee decided that care shall end (granted) or continue (refused)",
                ("granted", "refused"),
            ),
            _f("request?", "ref", "the CareTerminationRequested this decision answers"),
            _f("child_not_heard_reason?", "text", _NOT_HEARD_DOC),
            _f("circumstances_changed?", "text", _CHANGED_DOC),
        ),
        legal=(_lvu("21 §", "M", "the committee decides whether care shall end; appealable"),),
        description="The committee decides whether care under LVU shall end, e.g. on a "
        "parent's request (LVU 21 §, appealable); not the periodic 13 § consideration.",
    ),
    EventType(
        "CareEnded",
        "vården enligt LVU upphör",
        "decision",
        True,
        (
            _f("decided_by_court?", "text", _ENDED_BY_COURT_DOC),
            _f("effective?", "moment", "when the end of care takes effect"),
            _f("circumstances_changed?", "text", _CHANGED_DOC),
        ),
        legal=(_lvu("21 §", "H", "care to end when no longer needed"),),
        description="Care under LVU is decided to end.",
    ),
    EventType(
        "AppealLodged",
        "överklagande",
        "court",
        False,
        (
            _f("appealed", "ref", "the decision or judgment appealed against"),
            _f("appellant", "text", "who appealed"),
        ),
        description="A decision or judgment is appealed.",
    ),
    EventType(
        "AppealDecided",
        "överinstans prövar",
        "court",
        True,
        (
            _f("appealed", "ref", "the decision or judgment that was appealed"),
            _f("court", "text", "the court that decided the appeal"),
            _f(
                "outcome",
                "enum",
                "whether the appealed decision was upheld, overturned or partly changed",
                ("upheld", "overturned", "partly"),
            ),
        ),
        description="A higher court decides an appeal.",
    ),
    EventType(
        "RemovalBanConsidered",
        "flyttningsförbud övervägt",
        "assessment",
        True,
        (
            _f(
                "outcome",
                "enum",
                "whether the committee will apply for a removal ban",
                ("apply", "not_apply"),
            ),
            _f("reasons?", "text", "the stated reasons"),
        ),
        legal=(_lvu("24 §", "H", "removal ban"),),
        description="The committee considers whether the child needs a removal ban "
        "(flyttningsförbud) to stay in the foster home.",
    ),
    EventType(
        "RemovalBanApplied",
        "ansökan om flyttningsförbud",
        "decision",
        True,
        (),
        legal=(_lvu("24 §", "H", "application for a removal ban"),),
        description="The committee applies to the administrative court for a removal ban.",
    ),
    EventType(
        "RemovalBanDecided",
        "beslut om flyttningsförbud",
        "court",
        True,
        (
            _f(
                "outcome",
                "enum",
                "whether the removal ban was granted or rejected",
                ("granted", "rejected"),
            ),
            _f("temporary?", "bool", "whether this is a temporary removal ban"),
        ),
        legal=(_lvu("24–27 §§", "H", "removal ban and temporary removal ban"),),
        description="A decision on a removal ban, final or temporary, is made.",
    ),
    EventType(
        "RemovalBanReviewed",
        "övervägande av flyttningsförbud",
        "decision",
        True,
        (
            _f("ban", "ref", "the removal-ban decision under review"),
            _f("outcome", "enum", "whether the removal ban continues or ends", _CONTINUE_END),
        ),
        legal=(_lvu("26 §", "H", "periodic consideration of a removal ban"),),
        description="The committee considers whether a removal ban is still needed.",
    ),
    EventType(
        "CustodyTransferConsidered",
        "övervägande av vårdnadsöverflyttning",
        "assessment",
        True,
        (
            _f("outcome", "enum", "whether the committee will apply for a transfer", _APPLY),
            _f("placement?", "ref", "the placement in the foster home concerned"),
            _f("reasons?", "text", "the stated reasons"),
        ),
        legal=(
            LegalReference(
                "LVU",
                _LVU,
                "13 § tredje stycket",
                "H",
                "after three years in the same familjehem, then yearly (SFS 2020:1259)",
                in_force_from="2021-03-01",
                in_force_until=_LEX_LILLA_HJARTAT,
            ),
            _lvu_since(
                "13 c §",
                "H",
                "after two years in the same familjehem, then yearly (SFS 2022:664)",
                _LEX_LILLA_HJARTAT,
            ),
            *_sol("6 kap. 8 a §", "U", "SoL placements: after two years (SFS 2022:665)"),
        ),
        description="The committee considers whether to apply for a transfer of custody to "
        "the foster parents (FB 6 kap. 8 §).",
    ),
    EventType(
        "CustodyTransferApplied",
        "ansökan om överflyttning av vårdnaden",
        "decision",
        True,
        (_f("proposed_guardians?", "text", "the proposed guardians (pseudonyms)"),),
        legal=(_law("FB", _FB, "6 kap. 8 §", "M", "transfer of custody to the foster parents"),),
        description="The committee applies to the district court for a transfer of custody.",
    ),
    EventType(
        "CustodyTransferDecided",
        "dom om överflyttning av vårdnaden",
        "court",
        True,
        (
            _f("court", "text", "the court that decided"),
            _f("outcome", "enum", "whether custody was transferred", ("granted", "rejected")),
            _f("guardians?", "text", "the särskilt förordnade vårdnadshavare (pseudonyms)"),
        ),
        legal=(_law("FB", _FB, "6 kap. 8 §", "M", "transfer of custody to the foster parents"),),
        description="A court decides on a transfer of custody.",
    ),
    EventType(
        "SpecialGuardianAppointed",
        "särskilt förordnad vårdnadshavare",
        "court",
        True,
        (
            _f("guardian", "text", "the appointed guardian (pseudonym or role)"),
            _f("court?", "text", "the court that appointed"),
            _f("ground?", "text", "why a special guardian was appointed"),
        ),
        legal=(_law("FB", _FB, "6 kap. 7–10 §§", "U", "särskilt förordnad vårdnadshavare"),),
        description="A court appoints a särskilt förordnad vårdnadshavare for the child.",
    ),
    EventType(
        "PlacementStarted",
        "placering",
        "placement",
        True,
        (
            _f(
                "setting",
                "enum",
                "where the child is placed: foster home, network (kin) foster home, emergency "
                "foster home, residential home (HVB), a SiS special youth home (LVU 12 §), "
                "supported housing, or care in the child's own home (LVU 11 § andra stycket)",
                _PLACEMENT_SETTINGS,
            ),
            _f(
                "legal_form",
                "enum",
                "whether the placement is voluntary (SoL) or under LVU",
                ("sol", "lvu"),
            ),
        ),
        legal=(
            _lvu("11 §", "M", "the committee decides how care under LVU is given"),
            _lvu("12 §", "M", "special youth homes (SiS)"),
            *_sol("6 kap. 6 §", "M", "placement in a foster home or HVB"),
        ),
        description="The child is placed outside the home.",
    ),
    EventType(
        "PlacementEnded",
        "placering upphör",
        "placement",
        False,
        (_f("placement", "ref", "the placement that ends"),),
        description="A placement outside the home ends.",
    ),
    EventType(
        "PlanAdopted",
        "vårdplan / genomförandeplan",
        "plan",
        True,
        (
            _f(
                "plan_kind",
                "enum",
                "care plan (vårdplan) or implementation plan (genomförandeplan)",
                ("vardplan", "genomforandeplan"),
            ),
            _f("revision", "bool", "whether this revises an earlier plan"),
            _f("purpose?", "text", "what the plan is for, e.g. hemflytt"),
        ),
        legal=(*_sol("11 kap. 3 §", "H", "care plan and implementation plan"),),
        description="A care plan or implementation plan is adopted or revised.",
    ),
    EventType(
        "HomeTransitionPlanned",
        "planering av hemflytt",
        "plan",
        True,
        (
            _f(
                "led_by",
                "enum",
                "who steers the planning of the move home",
                ("namnd", "foraldrar", "familjehem", "gemensam"),
            ),
            _f("pace?", "text", "the planned pace of the move home"),
            _f("child_not_heard_reason?", "text", _NOT_HEARD_DOC),
        ),
        legal=(
            LegalReference(
                "IVO",
                "Lilla Hjärtat 2020-10-13",
                "",
                "H",
                "the child's needs, not the parents, must steer the planning of a move home "
                "(seed 000)",
            ),
        ),
        description="The move of a placed child back home is planned.",
    ),
    EventType(
        "ChildMovedHome",
        "barnet flyttar hem",
        "move",
        False,
        (_f("to", "text", "whom the child moves to, e.g. foraldrar, en förälder"),),
        description="The child moves back home from a placement.",
    ),
    EventType(
        "FosterCarerSupportProvided",
        "stöd och handledning till familjehemmet",
        "contact",
        False,
        (_f("kind", "text", "what support or supervision the foster carers were given"),),
        legal=(
            LegalReference(
                "IVO",
                "Åstorp 2020-06-18",
                "",
                "M",
                "the committee must give the foster home support and supervision during a "
                "move home (seed 004)",
            ),
        ),
        description="The social services give the foster carers support and supervision.",
    ),
    EventType(
        "BestInterestAssessed",
        "barnets bästa-bedömning",
        "assessment",
        False,
        (
            _f("conclusion", "text", "what the assessment concludes is best for the child"),
            _f("decision?", "ref", "the decision the assessment informs"),
            _f("child_views?", "text", "the child's views as taken into account"),
            _f("considerations?", "texts", "the circumstances weighed"),
        ),
        legal=(
            *_sol("1 kap. 2 §", "H", "the child's best interest"),
            _lvu("1 § femte stycket", "M", "the child's best interest decisive under LVU"),
        ),
        description="A documented assessment of the child's best interest (barnets bästa).",
    ),
    EventType(
        "FollowUpStarted",
        "uppföljning efter avslutad vård",
        "followup",
        True,
        (_f("after", "ref", "the CareEnded or PlacementEnded this follow-up comes after"),),
        legal=(
            LegalReference(
                "prop.",
                "2021/22:178",
                "",
                "H",
                "follow-up after LVU care mandatory",
                in_force_from="2022-07-01",
            ),
        ),
        description="A follow-up of the child's situation after care has ended starts.",
    ),
    EventType(
        "FollowUpEnded",
        "uppföljning avslutad",
        "followup",
        False,
        (_f("outcome?", "text", "what the follow-up concluded"),),
        description="A follow-up after ended care is closed.",
    ),
    EventType(
        "ChildDied",
        "dödsfall",
        "incident",
        False,
        (_f("circumstances?", "text", "what is known of the circumstances of the death"),),
        legal=(LegalReference("LUD", "2007:606", "", "H", "child-death review"),),
        description="The child dies; this triggers lex Sarah and child-death (LUD) reviews.",
    ),
    EventType(
        "SeriousIncidentRecorded",
        "allvarlig händelse",
        "incident",
        False,
        (_f("description", "text", "what happened"),),
        description="A serious incident concerning the child is recorded.",
    ),
    EventType(
        "LexSarahInvestigationOpened",
        "lex Sarah-utredning inledd",
        "review",
        False,
        (_f("scope?", "text", "what the lex Sarah investigation covers"),),
        legal=(
            *_sol("14 kap. 3–7 §§", "H", "lex Sarah: reporting and investigating misconduct"),
            LegalReference("SOSFS", "2011:5", "", "H", "lex Sarah regulations"),
        ),
        description="The provider opens a lex Sarah investigation of a misconduct or risk of "
        "misconduct.",
    ),
    EventType(
        "LexSarahInvestigationClosed",
        "lex Sarah-utredning avslutad",
        "review",
        True,
        (
            _f("reported_to_ivo", "bool", "whether the matter was reported to IVO"),
            _f("findings", "text", "what the investigation found"),
            _f("serious?", "bool", "whether it judged the matter a serious missförhållande"),
        ),
        description="A lex Sarah investigation is closed with its findings.",
    ),
    EventType(
        "LexSarahReportedToIVO",
        "lex Sarah-anmälan till IVO",
        "oversight",
        False,
        (_f("investigation?", "ref", "the lex Sarah investigation the report concerns"),),
        legal=(*_sol("14 kap. 7 §", "M", "a serious missförhållande reported to IVO"),),
        description="The committee reports a serious missförhållande (or risk of one) to IVO.",
    ),
    EventType(
        "LexSarahReportMade",
        "lex Sarah-rapport",
        "review",
        False,
        (
            _f("reported_by", "text", "the member of staff who reported (role)"),
            _f("concerns", "text", "the missförhållande or risk reported"),
        ),
        legal=(*_sol("14 kap. 3 §", "M", "staff report a missförhållande or risk of one"),),
        description="A member of staff reports a missförhållande or a risk of one (lex Sarah "
        "rapport), before any investigation.",
    ),
    EventType(
        "SupervisionOpened",
        "IVO inleder tillsyn",
        "oversight",
        False,
        (_f("reason?", "text", "why IVO opened its supervision"),),
        description="The Health and Social Care Inspectorate (IVO) opens a supervision case.",
    ),
    EventType(
        "SupervisionDecision",
        "IVO:s beslut",
        "oversight",
        True,
        (
            _f("findings", "text", "IVO's findings"),
            _f("injunction?", "bool", "whether IVO issued an injunction (föreläggande)"),
            _f("fine_sek?", "int", "the conditional fine (vite) in Swedish kronor"),
            _f("reply_due?", "moment", "when the measures taken must be reported to IVO"),
        ),
        description="IVO decides a supervision case.",
    ),
    EventType(
        "MeasuresReported",
        "redovisning av åtgärder",
        "oversight",
        False,
        (_f("in_reply_to?", "ref", "the supervision decision this report answers"),),
        description="The committee reports to IVO the measures it has taken.",
    ),
    EventType(
        "StatementRequested",
        "begäran om yttrande",
        "oversight",
        False,
        (
            _f("requested_by", "enum", "who asks", ("ivo", "jo", "court", "other")),
            _f("reply_due?", "moment", "by when the statement is to be given"),
            _f("questions?", "text", "what the statement is to answer"),
        ),
        description="IVO, JO or another body asks the committee for a statement (yttrande).",
    ),
    EventType(
        "StatementSubmitted",
        "yttrande",
        "oversight",
        False,
        (_f("in_reply_to?", "ref", "the request answered"),),
        description="The committee gives its statement (yttrande).",
    ),
    EventType(
        "ComplaintReceived",
        "klagomål",
        "oversight",
        False,
        (
            _f(
                "lodged_with",
                "enum",
                "where the complaint was lodged",
                ("ivo", "jo", "municipality", "other"),
            ),
            _f("complainant", "text", "who complained (pseudonym or role)"),
            _f("concerns", "text", "what the complaint is about"),
        ),
        description="A complaint about the handling of the case is lodged.",
    ),
    EventType(
        "OmbudsmanDecision",
        "JO:s beslut",
        "oversight",
        True,
        (
            _f("case_number?", "text", "JO's diary number"),
            _f(
                "outcome",
                "enum",
                "criticism, no criticism, or no action taken",
                ("criticism", "no_criticism", "no_action"),
            ),
            _f("findings", "text", "what JO found"),
        ),
        description="The Parliamentary Ombudsmen (JO) decide a complaint or inquiry.",
    ),
    EventType(
        "ChildDeathReviewed",
        "Socialstyrelsens utredning av ett barns död",
        "review",
        False,
        (
            _f("report?", "text", "the report's number or title"),
            _f("findings?", "text", "what the review found"),
        ),
        legal=(LegalReference("LUD", "2007:606", "", "H", "child-death review"),),
        description="Socialstyrelsen reviews a child's death under lag (2007:606).",
    ),
    EventType(
        "InterviewStatement",
        "intervjuuppgift",
        "review",
        False,
        (
            _f("interviewee", "text", "who was interviewed (pseudonym)"),
            _f("interviewee_role", "text", "their role (socialsekreterare, BVC-sjuksköterska)"),
            _f("about", "text", "what the statement is about"),
            _f("statement", "text", "what they said"),
            _f(
                "reliability",
                "enum",
                "how far the statement is supported: by records, consistent with other "
                "statements, supported by nothing else, or contradicted",
                ("corroborated", "consistent", "uncorroborated", "contradicted"),
            ),
            _f("concerns?", "refs", "the entries the statement is about"),
            _f("interviewed_by?", "text", "who interviewed (role)"),
        ),
        description="A statement from an interview in a review (lex Sarah, händelseanalys): "
        "who, in what role, when, about what, and how reliable.",
    ),
    EventType(
        "CauseIdentified",
        "orsak eller bidragande faktor (händelseanalys)",
        "review",
        False,
        (
            _f("area", "enum", "the cause area of the händelseanalys model", CAUSE_AREAS),
            _f(
                "kind",
                "enum",
                "a root cause, a contributing factor, or a deficiency found but judged not "
                "to have caused the event",
                CAUSE_KINDS,
            ),
            _f("description", "text", "the cause in words"),
            _f("explains", "refs", "the entries of the course of events it explains"),
            _f("analysis?", "ref", "the lex Sarah investigation or händelseanalys that found it"),
        ),
        legal=(
            LegalReference(
                "SOSFS", "2011:5", "5 kap.", "M", "a lex Sarah investigation documents the causes"
            ),
        ),
        description="A cause or contributing factor that a lex Sarah investigation or "
        "händelseanalys identified, by cause area, linked to the entries it explains; dated "
        "when the analysis found it.",
    ),
    EventType(
        "BarrierAssessed",
        "barriär (höll, brast, saknades)",
        "review",
        False,
        (
            _f("barrier", "text", "the barrier: what was meant to stop the course of events"),
            _f("state", "enum", "whether it held, failed or was missing", BARRIER_STATES),
            _f("concerns?", "refs", "the entries where it held or failed"),
            _f("area?", "enum", "the cause area it belongs to", CAUSE_AREAS),
            _f("analysis?", "ref", "the lex Sarah investigation or händelseanalys"),
        ),
        description="A barrier an analysis examined: a routine, check or safeguard that held, "
        "failed or was missing.",
    ),
    EventType(
        "MeasureDecided",
        "åtgärd (beslutad eller planerad)",
        "review",
        False,
        (
            _f("measure", "text", "the measure in words"),
            _f("owner", "text", "who is responsible for carrying it out (role or unit)"),
            _f("due", "moment", "by when it is to be carried out"),
            _f("status", "enum", "its status when decided", MEASURE_STATUSES),
            _f("addresses?", "refs", "the causes or barriers it addresses"),
            _f("follow_up?", "text", "how its effect is to be followed up"),
            _f("analysis?", "ref", "the lex Sarah investigation or händelseanalys"),
        ),
        legal=(
            LegalReference(
                "SOSFS",
                "2011:5",
                "5 kap.",
                "M",
                "a lex Sarah investigation documents the measures taken or planned",
            ),
        ),
        description="A measure decided or planned after an analysis, with its owner, due date "
        "and status; later status changes are their own entries.",
    ),
    EventType(
        "MeasureStatusChanged",
        "åtgärdens status",
        "review",
        False,
        (
            _f("measure", "ref", "the MeasureDecided entry"),
            _f("status", "enum", "the measure's new status", MEASURE_STATUSES),
            _f("effect?", "text", "evidence of the measure's effect: what was evaluated and how"),
        ),
        description="A measure's status changes (started, carried out, evaluated, cancelled); "
        "the decided measure itself is never edited.",
    ),
    EventType(
        "CoverageDeclared",
        "granskade handlingar (täckning)",
        "review",
        False,
        (
            _f(
                "sources",
                "enum",
                "what the entries rest on: the authority's journal and records, public "
                "sources only, or other records",
                ("journal", "public_sources", "other"),
            ),
            _f("records", "text", "which records were examined, in words"),
            _f(
                "complete",
                "bool",
                "whether the examined records hold every act of the authority in the period "
                "(only then is a missing act a breach)",
            ),
            _f(
                "period_from?", "moment", "the start of the period covered (open: the case's start)"
            ),
            _f("period_until?", "moment", "the end of the period covered (open: up to now)"),
        ),
        description="A reviewer declares which records the case's entries were taken from and "
        "which periods they cover completely.",
    ),
    EventType(
        "JudgementRecorded",
        "bedömning i efterhand (kritik, iakttagelse)",
        "review",
        False,
        (
            _f(
                "judge",
                "enum",
                "who judged: IVO, a lex Sarah investigation, JO, Socialstyrelsen, a court, the "
                "reviewer or another body",
                ("ivo", "lex_sarah", "jo", "socialstyrelsen", "court", "reviewer", "other"),
            ),
            _f("judges?", "refs", "the entries the judgement concerns (none: the case as a whole)"),
            _f("criterion", "text", "the criterion or question judged"),
            _f("norm?", "text", "the norm the judge cites, as the judge cites it"),
            _f("grade", "enum", "the judgement's grade", JUDGEMENT_GRADES),
            _f("text", "text", "the judgement in words"),
            _f("rules?", "texts", "ids of rules of the rule pack that test the same question"),
        ),
        description="A later judgement (IVO's decision, a lex Sarah conclusion, a reviewer's "
        "finding) about earlier entries, dated when it was made: never typed into the "
        "entries it judges.",
    ),
    EventType(
        "CaseTransferRequested",
        "begäran om överflyttning av ärende",
        "admin",
        True,
        (_f("to_municipality", "text", "the municipality asked to take over the case"),),
        legal=(*_sol("2 a kap. 10 §", "M", "transfer of a case to another municipality"),),
        description="The committee asks another municipality to take over the case.",
    ),
    EventType(
        "CaseTransferAnswered",
        "svar på begäran om överflyttning",
        "admin",
        True,
        (
            _f("request", "ref", "the request answered"),
            _f("outcome", "enum", "whether the case was accepted", ("accepted", "refused")),
            _f("municipality?", "text", "the municipality that answered"),
        ),
        description="The other municipality accepts or refuses to take over the case.",
    ),
    EventType(
        "CaseClosed",
        "ärendet avslutat",
        "admin",
        True,
        (_f("reason?", "text", "why the case is closed"),),
        description="The case is closed as a whole (not only an investigation).",
    ),
    EventType(
        "NoteRecorded",
        "journalanteckning",
        "note",
        False,
        (_f("text", "text", "the note"),),
        description="A journal note that no more specific event type fits.",
    ),
    EventType(
        "ChronologyEntry",
        "kronologipost",
        "note",
        False,
        (
            _f("text?", "text", "the line of the chronology as written"),
            _f("comment?", "text", "the reviewer's comment on the line"),
        ),
        description=(
            "A line of a review's chronology that the reviewer chose not to classify: "
            "information only, it starts no rule."
        ),
    ),
    EventType(
        "EntryCorrected",
        "rättelse",
        "correction",
        False,
        (
            _f("target", "ref", "the entry being corrected"),
            _f("changes", "object", "the corrected fields, each with its new value"),
            _f("reason", "text", "why the entry is corrected"),
        ),
        description="An earlier entry is corrected; the original stays in the ledger.",
    ),
    EventType(
        "EntryRetracted",
        "felaktigt registrerad post återkallad",
        "correction",
        False,
        (
            _f("target", "ref", "the entry being retracted"),
            _f("reason", "text", "why the entry is retracted"),
        ),
        description="An entry recorded in error is retracted; the original stays in the ledger.",
    ),
)


# Imprecise entries ("2020", "~2019-12") cannot be ordered by their clocks alone: the lex
# Sarah investigation closed in "2020" would sort before its own opening in 2020-02. Any entry
# may therefore name entries it certainly comes after; views order it after them. A type with
# its own `after` (FollowUpStarted: the care it follows) already orders it that way.
AFTER = FieldSpec(
    "after",
    "refs",
    False,
    doc="entries this one certainly comes after; for ordering imprecise entries",
)


def _build(types: tuple[EventType, ...]) -> Mapping[str, EventType]:
    registry: dict[str, EventType] = {}
    for etype in types:
        if etype.name in registry:
            raise ValueError(f"event type {etype.name} registered twice")
        if etype.field(AFTER.name) is None:
            etype = replace(etype, fields=(*etype.fields, AFTER))
        registry[etype.name] = etype
    return MappingProxyType(registry)


VOCABULARY: Mapping[str, EventType] = _build(_TYPES)


def _suggestions(name: str) -> tuple[str, ...]:
    """Close matches for a misspelt type name (case-insensitive)."""
    by_lower = {n.lower(): n for n in VOCABULARY}
    matches = difflib.get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.6)
    return tuple(by_lower[m] for m in matches)


def event_type(name: str) -> EventType:
    """The registered event type `name`; raises UnknownEventType with close matches."""
    try:
        return VOCABULARY[name]
    except (KeyError, TypeError):
        text = name if isinstance(name, str) else repr(name)
        raise UnknownEventType(text, _suggestions(text)) from None


def decision_types() -> tuple[str, ...]:
    """The names of the decision types, in vocabulary order."""
    return tuple(n for n, t in VOCABULARY.items() if t.decision)


def types_in_category(category: str) -> tuple[str, ...]:
    """The names of the types in `category`, in vocabulary order.

    Raises ValueError for a word that is not a category, so a typo cannot pass as "none".
    """
    if category not in CATEGORIES:
        close = difflib.get_close_matches(str(category), CATEGORIES, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ValueError(f"unknown category {category!r}{hint}")
    return tuple(n for n, t in VOCABULARY.items() if t.category == category)
