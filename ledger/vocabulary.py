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

from ledger.quoting import quote

__all__ = [
    "AFTER",
    "CATEGORIES",
    "FIELD_KIND_DOCS",
    "JUDGEMENT_GRADES",
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

_CONFIDENCES = ("H", "M", "U")

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

# Acts cited with their SFS number in parentheses: "SoL (2001:453) 11 kap. 1 §".
_STATUTES = frozenset({"SoL", "LVU", "LUD"})


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
class LegalReference:
    """A legal reference stored as data, with the version of the law it cites."""

    law: str  # "SoL", "LVU", "prop.", "JO", "SOSFS", "LUD", "IVO"
    sfs: str  # the law's version/number ("2001:453", "5219-2018", ...), "" when none
    provision: str  # Swedish statute style: "11 kap. 1 a § första stycket", "6 §", ""
    confidence: str  # "H", "M" or "U"
    note: str = ""
    in_force_from: str = ""  # ISO date when relevant, else ""
    in_force_until: str = ""  # ISO date when relevant, else ""

    def __post_init__(self) -> None:
        if not self.law:
            raise ValueError("legal reference without a law")
        if self.confidence not in _CONFIDENCES:
            raise ValueError(
                f"legal reference {self.law} {self.sfs}: confidence must be one of "
                f"{', '.join(_CONFIDENCES)}, not {self.confidence!r}"
            )

    def short(self) -> str:
        """E.g. "SoL (2001:453) 11 kap. 1 a § första stycket", "JO 5219-2018"."""
        if self.law in _STATUTES and self.sfs:
            head = f"{self.law} ({self.sfs})"
        else:
            head = " ".join(part for part in (self.law, self.sfs) if part)
        return f"{head} {self.provision}" if self.provision else head


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
    """An event type name that is not in the vocabulary."""

    def __init__(self, name: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(name)
        self.name = name
        self.suggestions = tuple(suggestions)

    def __str__(self) -> str:
        message = f"unknown event type {quote(self.name)}"
        if self.suggestions:
            if len(self.suggestions) == 1:
                options = self.suggestions[0]
            else:
                options = ", ".join(self.suggestions[:-1]) + " or " + self.suggestions[-1]
            message += f" (did you mean {options}?)"
        return message


# --- construction helpers ------------------------------------------------------------------


def _f(name: str, kind: FieldKind, doc: str, choices: tuple[str, ...] = ()) -> FieldSpec:
    """A field; a trailing "?" on the name marks it optional, as in vocabulary.md."""
    required = not name.endswith("?")
    return FieldSpec(name.rstrip("?"), kind, required, choices, doc)


_SOL_2001 = "2001:453"
_SOL_2001_UNTIL = "2025-07-01"  # replaced by SoL (2025:400)
_LVU = "1990:52"


def _sol(provision: str, confidence: str, note: str = "") -> LegalReference:
    """A reference to the Social Services Act as in force 2019–2020 (SFS 2001:453)."""
    return LegalReference(
        "SoL", _SOL_2001, provision, confidence, note, in_force_until=_SOL_2001_UNTIL
    )


def _lvu(provision: str, confidence: str, note: str = "") -> LegalReference:
    """A reference to the Care of Young Persons Act (LVU, SFS 1990:52)."""
    return LegalReference("LVU", _LVU, provision, confidence, note)


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
        legal=(_sol("14 kap. 1 §", "H", "duty to report concern for a child"),),
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
            _sol(
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
            _sol(
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
        (_f("reports?", "refs", "the concern reports that led to the investigation"),),
        legal=(_sol("11 kap. 1 §", "H", "duty to investigate"),),
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
        legal=(_sol("11 kap. 2 §", "H", "four-month time limit and its extension"),),
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
        legal=(_sol("11 kap. 2 §", "H", "investigation to be completed without delay"),),
        description="An investigation is closed with a stated outcome.",
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
            _sol("14 kap. 1 § tredje stycket", "M", "duty to inform during utredning"),
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
        "ObservationRecorded",
        "iakttagelse (by any party)",
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
        ),
        legal=(
            _sol(
                "11 kap. 10 § tredje stycket",
                "H",
                "talking with the child without the guardians' consent or presence",
            ),
        ),
        description="Social workers talk with the child.",
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
        "PlacementStarted",
        "placering (familjehem, jourhem, HVB)",
        "placement",
        True,
        (
            _f(
                "setting",
                "enum",
                "where the child is placed: foster home, emergency foster home or residential "
                "home (HVB)",
                ("familjehem", "jourhem", "hvb", "other"),
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
            _sol("6 kap. 6 §", "M", "placement in a foster home or HVB"),
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
        legal=(_sol("11 kap. 3 §", "H", "care plan and implementation plan"),),
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
            _sol("14 kap. 3–7 §§", "H", "lex Sarah: reporting and investigating misconduct"),
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
        legal=(_sol("14 kap. 7 §", "M", "a serious missförhållande reported to IVO"),),
        description="The committee reports a serious missförhållande (or risk of one) to IVO.",
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
