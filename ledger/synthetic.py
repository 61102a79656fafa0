"""Deterministic synthetic child cases: JSONL objects for tests, demos and benchmarks.

Everything here is invented. A case starts with a `CoverageDeclared`: its entries are the
social services' own journal, complete for the whole case, so the rules may report a missing
act as a breach (rules.md Principle 3: without a declared complete period a missing act is
only "not documented"). It opens with `CaseOpened` and then follows plausible
storylines built from the vocabulary: reports of concern, each with its protection assessment,
a preliminary assessment decision, an investigation with information requested from and
received by other agencies (their observations known only days or weeks after they happened),
home visits, conversations and meetings, and for some children immediate custody, care under
LVU, placements, care reviews, a planned move home and a follow-up. Journal notes and the odd
correction are sprinkled in; when a storyline ends before the case has its number of entries,
the case goes quiet for a while and the next report arrives.

The same seed always gives the same output; a case depends only on the seed and its key, so
a larger run starts with the cases of a smaller one. Field names, enumeration words and which
fields are required come from `ledger.vocabulary`, so every object passes
`ledger.entry.draft_from_object` and every case imports with its references resolved.

Pure standard library apart from orjson in `write_jsonl`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any, BinaryIO

import orjson

from ledger.vocabulary import VOCABULARY, EventType, FieldSpec

__all__ = ["MUNICIPALITIES", "generate", "generate_case", "write_jsonl"]

# Real municipalities, each with the administrative court (förvaltningsrätt) of its district
# and the administrative court of appeal (kammarrätt) above that court.
MUNICIPALITIES: dict[str, tuple[str, str]] = {
    "Norrköping": ("Linköping", "Jönköping"),
    "Åstorp": ("Malmö", "Göteborg"),
    "Helsingborg": ("Malmö", "Göteborg"),
    "Borås": ("Göteborg", "Göteborg"),
    "Västerås": ("Uppsala", "Stockholm"),
    "Örebro": ("Karlstad", "Göteborg"),
    "Gävle": ("Falun", "Sundsvall"),
    "Sundsvall": ("Härnösand", "Sundsvall"),
    "Skellefteå": ("Umeå", "Sundsvall"),
    "Luleå": ("Luleå", "Sundsvall"),
    "Kalmar": ("Växjö", "Jönköping"),
    "Jönköping": ("Jönköping", "Jönköping"),
    "Södertälje": ("Stockholm", "Stockholm"),
}

FIRST_YEAR = 2015
LAST_YEAR = 2022  # last year a case may open; cases run on for months to a few years

MAX_SUMMARY = 400

# Who stands behind a reporter category / information counterparty.
_REPORTER_LABEL = {
    "bvc": "BVC",
    "forskola": "Förskolan",
    "skola": "Skolan",
    "polis": "Polisen",
    "halso_sjukvard": "Barnkliniken",
    "privatperson": "a private person",
    "anonym": "an anonymous reporter",
    "annan_myndighet": "Försäkringskassan",
    "okand": "an unknown reporter",
}
_COUNTERPARTY_AGENCY = {
    "BVC": ("BVC", "BVC-sjuksköterska"),
    "förskola": ("Förskolan", "förskollärare"),
    "skola": ("Skolan", "skolkurator"),
    "polis": ("Polisen", "polis"),
    "sjukvård": ("Barnkliniken", "läkare"),
    "other": ("Familjerätten", "familjerättssekreterare"),
}
_MANDATORY = frozenset({"bvc", "forskola", "skola", "polis", "halso_sjukvard", "annan_myndighet"})

# --- the phrase bank (English, factual, invented) -----------------------------------------

_CONCERNS = (
    "bruises on the child's arms noticed at drop-off",
    "the child has lost weight since the last check-up",
    "loud quarrels and crying heard from the flat at night",
    "the parent seemed intoxicated when collecting the child",
    "the child has missed most days at preschool this month",
    "the child said that dad hits mum",
    "missed vaccinations and two cancelled appointments at BVC",
    "the child was found alone outside the building in the evening",
    "the child is often hungry and wears the same clothes all week",
    "police were called to the home after a domestic disturbance",
    "the parent says she cannot cope and asks for help",
    "the child shows fear when it is time to go home",
    "a neighbour reports that the child is left alone for hours",
    "the child's speech development has stopped and she rarely plays",
)
# What the social services ask each kind of counterparty about.
_REQUEST_TOPICS: dict[str, tuple[str, ...]] = {
    "BVC": ("growth and weight curve", "visits to BVC and missed appointments"),
    "förskola": ("attendance and the child's behaviour in the group", "pick-ups and drop-offs"),
    "skola": ("attendance and the child's wellbeing at school",),
    "polis": ("earlier police reports concerning the family",),
    "sjukvård": ("the child's health and missed appointments", "injuries treated"),
}
_ANY_REQUEST_TOPIC = tuple(topic for topics in _REQUEST_TOPICS.values() for topic in topics)
_MEETING_TOPICS = (
    "the concerns in the reports",
    "the investigation and what happens next",
    "the parents' cooperation and the child's daily routines",
    "support the family could be offered",
)
_HOME_OBSERVATIONS = (
    "The flat was tidy but the fridge was nearly empty.",
    "The child played calmly and sought contact with the mother.",
    "Empty bottles in the kitchen; the father seemed tired.",
    "The child had no bed of her own.",
    "The parents interrupted each other and the atmosphere was tense.",
    "The child was shy at first, then showed her room.",
)
_VIEWS_AT_HOME = ("Wants to live at home.", "Is scared when the parents quarrel.", "Misses dad.")
_VIEWS_IN_CARE = ("Likes the foster home.", "Misses mum.", "Wants to move home.")
# What each kind of counterparty typically notes; others draw from all of them.
_OBSERVATIONS: dict[str, tuple[str, ...]] = {
    "BVC": (
        "The child's weight has dropped below the growth curve.",
        "Two booked check-ups were cancelled by the parents.",
        "The child's language development is delayed for her age.",
    ),
    "förskola": (
        "Bruises on the child's back, the parent says she fell in the playground.",
        "The child was collected late three times this month.",
        "The parent arrived smelling of alcohol at pick-up.",
        "The child flinched when an adult raised a hand.",
    ),
    "skola": (
        "The child has not attended since the holidays.",
        "The child told a teacher she was afraid of going home.",
        "The child was tired and withdrawn all week.",
    ),
    "polis": (
        "A patrol met the child in the stairwell late at night.",
        "Police were called to the flat after a quarrel; the child was present.",
    ),
    "sjukvård": (
        "The child had untreated wounds on both hands.",
        "The child was brought to the emergency unit with a fracture.",
    ),
}
_ANY_OBSERVATION = tuple(text for texts in _OBSERVATIONS.values() for text in texts)
_DETAILS = (
    "The guardians were informed by phone the same day.",
    "The father could not be reached.",
    "The mother attended alone.",
    "An interpreter took part.",
    "The child was calm and answered questions briefly.",
    "The information was entered in the journal afterwards.",
    "The unit manager was consulted.",
    "The parents deny the allegations.",
    "The parents say they welcome support.",
    "The flat was tidy but the fridge was nearly empty.",
    "The child's grandmother was present and helped out.",
    "Further contacts with the network are planned.",
    "The child's own views are noted separately.",
    "The family has moved twice in the past year.",
    "An older sibling lives with the family.",
    "The parents have asked for a new case worker.",
    "The school nurse has been asked to follow up.",
    "The case was discussed at the weekly case conference.",
    "The documentation was completed several days later.",
    "No agreement was reached on the next step.",
)
# Stated reasons, by the outcome they support.
_REASONS: dict[str, tuple[str, ...]] = {
    "open_investigation": (
        "the child's situation is judged to need further investigation",
        "several reports within a short time show a pattern",
    ),
    "no_investigation": (
        "the information does not indicate that the child is at risk",
        "the parents accept support and the concerns are judged limited",
        "the reporter's information could not be confirmed",
    ),
    "existing_investigation": ("the report is handled within the ongoing investigation",),
    "no_action": ("the investigation has not shown a need of protection or support",),
    "support_offered": ("the family accepts the support offered",),
    "care_application": ("the child's needs cannot be met with voluntary measures",),
    "apply": ("a move now would risk harming the child",),
    "not_apply": ("a move home is judged not to harm the child",),
}
_BEST_INTEREST = (
    "The child's best interest is to stay at home with support.",
    "The child needs care outside the home for now.",
    "Contact with both parents is in the child's best interest.",
)
_CONSENT_SCOPES = (
    "information from BVC and the preschool",
    "information from the school and the health services",
    "talking to the child's preschool teachers",
)
_OFFENCES = ("misshandel", "grov fridskränkning", "ofredande", "olaga hot")
_BARNAHUS_OUTCOMES = (
    "The child is to be interviewed by the police at the barnahus.",
    "A medical examination is to be arranged.",
    "No further steps by the police for now.",
)
_EXAMINATION_FINDINGS = (
    "Bruises of different ages on the back and arms.",
    "No injuries found.",
    "A healed fracture of the forearm.",
)
_CHANGES = (
    "The parents have completed treatment and the home has been stable for a year.",
    "The mother has a new home and regular support from the adult psychiatry.",
)
_CUSTODY_REASONS = {
    True: ("The child has lived in the foster home for years and has her attachments there.",),
    False: (
        "The child keeps close contact with the parents; a transfer is not in her interest now.",
        "The placement is expected to end within a year.",
        None,
    ),
}
_CAUSES = {
    "communication_information": (
        "Information from BVC reached the decision makers late.",
        "The reports' content was not passed on between the units.",
    ),
    "routines": (
        "The routine for the follow-up after a move home was not followed.",
        "Other ways of reaching BVC were not tried when the first request went unanswered.",
    ),
    "organisation_workload": (
        "The caseload left no time for home visits before the decision.",
        "Staff turnover meant three social workers in six months.",
    ),
    "knowledge_competence": (
        "Earlier knowledge of the family coloured how new reports were read.",
        "Risk assessment methods were not known to newly employed staff.",
    ),
    "technology": ("The case system showed no reminder of the unanswered request.",),
    "environment": ("The family's move between districts split the file in two.",),
}
_BARRIERS = (
    "the follow-up home visit after the move home",
    "the second reading of a decision by the unit manager",
    "the request for information from BVC before deciding",
)
_MEASURES = (
    "Training in structured risk assessment for all social workers.",
    "A checklist for the move home, reviewed at each care review.",
    "A routine for reminders when another agency does not answer a request.",
    "A yearly audit of files of children who moved home.",
)
_CLOSING_REASONS = (
    "No further measures; the family declines support.",
    "The support has ended and no concern remains.",
    None,
)
_CORRECTION_REASONS = (
    "wrong date of the visit was noted",
    "the summary mixed up the parents",
    "typing error in the journal entry",
    "the date in the entry was wrong",
    "the note was attached to the wrong meeting",
)
_NOTES = (
    "Phone call with the mother about the next meeting.",
    "The father called and asked about the case.",
    "Message from the preschool that the child is absent.",
    "Letter sent to the guardians about the decision.",
    "Consultation with the unit manager about the case.",
    "The case was handed over to a new case worker.",
    "The parents did not turn up for the agreed meeting.",
)
_NOTES_IN_CARE = (
    "The foster carers report that the child has settled in.",
    "Contact visit between the child and the parents at the office.",
    "The foster carers ask for more support with the parents' visits.",
)
_ASSESSMENT_NOTES = (
    "Assessment: the risk to the child is judged to be increasing.",
    "Assessment: the parents' ability to protect the child is uncertain.",
    "Assessment: the child's needs are met for the time being.",
)
_SUPPORT = (
    "parenting support sessions once a week",
    "supervision and a contact person for the foster carers",
    "training day for foster carers on trauma",
    "extra support during the move home",
)
_LEADS: dict[str, tuple[str, ...]] = {
    "CaseOpened": ("Case file opened for {child} in {municipality}.",),
    "ConcernReportReceived": (
        "Report of concern received from {reporter}: {concern}.",
        "New report of concern about {child}: {concern}.",
    ),
    "ProtectionAssessmentMade": (
        "Protection assessment made on the report of {report_day}.",
        "Immediate protection assessment after the report about {child}.",
    ),
    "PreliminaryAssessmentDecided": (
        "Preliminary assessment decided: {outcome_text}.",
        "Decision after preliminary assessment, {outcome_text}.",
    ),
    "InvestigationOpened": ("Investigation opened concerning {child}.",),
    "InvestigationExtended": ("Time for the investigation extended to {deadline}.",),
    "InvestigationClosed": ("Investigation closed: {outcome_text}.",),
    "InformationRequested": ("Information requested from {party} about {topic}.",),
    "InformationReceived": ("Information received from {party}.",),
    "ObservationRecorded": ("{party} noted: {observation}",),
    "HomeVisit": ("Home visit to the family.", "Home visit at the foster home."),
    "ChildConversation": ("Conversation with {child}.", "Talk with {child} at preschool."),
    "MeetingHeld": ("Meeting with {participants_text} about {topic}.",),
    "ImmediateCustodyOrdered": ("{child} taken into immediate custody under LVU 6 §.",),
    "ImmediateCustodySubmitted": ("Immediate custody submitted to the administrative court.",),
    "ImmediateCustodyReviewed": ("The administrative court reviewed the immediate custody.",),
    "CareApplicationFiled": ("Application for care under LVU filed with the court.",),
    "CareOrdered": ("The administrative court ordered care under LVU for {child}.",),
    "CareReviewed": ("Care under LVU considered by the committee.",),
    "CareTerminationRequested": ("The guardians ask that care under LVU should end.",),
    "CareEnded": ("Care under LVU ends.",),
    "AppealLodged": ("The judgment was appealed by the guardians.",),
    "AppealDecided": ("The court of appeal decided the appeal.",),
    "RemovalBanConsidered": ("The need for a removal ban was considered.",),
    "RemovalBanApplied": ("Application for a removal ban filed.",),
    "RemovalBanDecided": ("The court decided on the removal ban.",),
    "RemovalBanReviewed": ("The removal ban was considered by the committee.",),
    "PlacementStarted": ("{child} placed in {setting_text}.",),
    "PlacementEnded": ("The placement in {setting_text} ended.",),
    "PlanAdopted": ("{plan_text} adopted.",),
    "HomeTransitionPlanned": ("Planning of the move home, led by {led_text}.",),
    "ChildMovedHome": ("{child} moved home to {to_text}.",),
    "FosterCarerSupportProvided": ("Support to the foster carers: {kind}.",),
    "FollowUpStarted": ("Follow-up after ended care started.",),
    "FollowUpEnded": ("Follow-up after ended care closed.",),
    "SeriousIncidentRecorded": ("Serious incident concerning {child} recorded.",),
    "LexSarahInvestigationOpened": ("Lex Sarah investigation opened after the incident.",),
    "LexSarahInvestigationClosed": ("Lex Sarah investigation closed.",),
    "SupervisionOpened": ("IVO opened a supervision case.",),
    "SupervisionDecision": ("IVO decided the supervision case with criticism.",),
    "MeasuresReported": ("The committee reported its measures to IVO.",),
    "NoteRecorded": ("{note}",),
    "EntryCorrected": ("Correction of an earlier entry: {reason}.",),
}
_DEFAULT_LEAD = ("Entry about {child} recorded in the journal.",)


class _Full(Exception):
    """The case has all its entries; unwinds the storyline."""


def _choices(type_name: str, field_name: str) -> tuple[str, ...]:
    spec = VOCABULARY[type_name].field(field_name)
    if spec is None or spec.kind != "enum":
        raise LookupError(f"{type_name}.{field_name} is not an enumeration in the vocabulary")
    return spec.choices


def _enum(type_name: str, field_name: str, value: str) -> str:
    """A storyline's enumeration word, checked against the registry."""
    if value not in _choices(type_name, field_name):
        raise LookupError(f"{value!r} is not a choice of {type_name}.{field_name}")
    return value


class _CaseWriter:
    """Builds one case's objects, entry by entry, until it has `limit` of them."""

    def __init__(self, key: str, limit: int, rng: random.Random) -> None:
        self.key = key
        self.limit = limit
        self.rng = rng
        self.objs: list[dict[str, Any]] = []
        self.municipality = rng.choice(list(MUNICIPALITIES))
        self.court_city, self.appeal_city = MUNICIPALITIES[self.municipality]
        self.agency = f"Socialtjänsten {self.municipality}"
        letters = rng.sample("ABCDEFGHJKLMNPRSTUV", 4)
        self.workers = [f"socialsekreterare {letter}" for letter in letters[:3]]
        self.manager = f"enhetschef {letters[3]}"
        self.child = f"{rng.choice(('flicka', 'pojke'))} {rng.choice('ABCDEFGHIJKLMNOPRSTUVY')}"
        self.journal = rng.randint(1, 9999)
        self.today = date(rng.randint(FIRST_YEAR, LAST_YEAR), rng.randint(1, 12), 1) + timedelta(
            days=rng.randint(0, 27)
        )
        # A mean gap between entries so that the whole case spans months to years.
        span_days = rng.randint(120, 3 * 365)
        self.mean_gap = max(0.5, span_days / max(limit, 1))
        self.born = self.today - timedelta(days=rng.randint(60, 12 * 365))
        self.placement: tuple[str, str] | None = None  # (ref, setting) of a current placement
        self.in_care = False

    # --- clocks ---------------------------------------------------------------------------

    def step(self, scale: float = 1.0, at_least: int = 0) -> date:
        gap = self.rng.expovariate(1.0 / (self.mean_gap * scale))
        self.today += timedelta(days=max(at_least, round(gap)))
        return self.today

    def when(self, day: date, *, loose: bool = False) -> str:
        """`day` as written in a case file: mostly a date, sometimes a minute or a month."""
        r = self.rng.random()
        if loose:  # things told after the fact: months and "~" are common
            if r < 0.55:
                return day.isoformat()
            if r < 0.75:
                return day.strftime("%Y-%m")
            if r < 0.88:
                return "~" + day.isoformat()
            return "~" + day.strftime("%Y-%m")
        if r < 0.8:
            return day.isoformat()
        if r < 0.97:
            return f"{day.isoformat()}T{self.rng.randint(8, 16):02d}:{self.rng.randint(0, 59):02d}"
        return "~" + day.isoformat()

    def known_text(self, day: date, *, later: bool) -> str:
        """When a record reached the social services: a date, sometimes with the minute."""
        if later and self.rng.random() < 0.15:
            return f"{day.isoformat()}T{self.rng.randint(8, 16):02d}:{self.rng.randint(0, 59):02d}"
        return day.isoformat()

    # --- actors ---------------------------------------------------------------------------

    def worker(self) -> dict[str, str]:
        return {
            "actor": self.rng.choice(self.workers),
            "role": "socialsekreterare",
            "agency": self.agency,
        }

    def reception(self) -> dict[str, str]:
        return {"actor": "mottagningen", "role": "socialsekreterare", "agency": self.agency}

    def delegate(self) -> dict[str, str]:
        return {
            "actor": self.manager,
            "role": "enhetschef",
            "agency": self.agency,
            "on_behalf_of": "Socialnämnden",
        }

    def committee(self) -> dict[str, str]:
        return {"actor": "socialnämndens utskott", "role": "nämnd", "agency": self.agency}

    def court(self) -> dict[str, str]:
        return {
            "actor": "rådman 1",
            "role": "domstol",
            "agency": f"Förvaltningsrätten i {self.court_city}",
        }

    def party(self, counterparty: str) -> dict[str, str]:
        agency, role = _COUNTERPARTY_AGENCY.get(counterparty, (counterparty, "handläggare"))
        return {"actor": f"{role} {self.rng.randint(1, 9)}", "role": role, "agency": agency}

    def pick(self, type_name: str, field_name: str, weights: dict[str, int]) -> str:
        """A choice of the registry's enumeration; words not weighted here weigh 1."""
        choices = _choices(type_name, field_name)
        return self.rng.choices(choices, [weights.get(c, 1) for c in choices])[0]

    def reasons(self, outcome: str, probability: float) -> str | None:
        """Stated reasons for `outcome`, given with `probability`; None leaves them out."""
        if self.rng.random() >= probability or outcome not in _REASONS:
            return None
        reason = self.rng.choice(_REASONS[outcome])
        return reason[0].upper() + reason[1:] + "."

    # --- writing --------------------------------------------------------------------------

    def source(self, day: date) -> str:
        return f"journal {day.year}-{self.journal:04d}-{len(self.objs) + 1}"

    def summary(self, type_name: str, context: dict[str, Any]) -> str:
        lead = self.rng.choice(_LEADS.get(type_name, _DEFAULT_LEAD))
        text = lead.format_map(
            _Placeholders(child=self.child, municipality=self.municipality, **context)
        )
        text = text[0].upper() + text[1:]
        r = self.rng.random()
        target = (
            self.rng.randint(20, 80)
            if r < 0.4
            else self.rng.randint(80, 200)
            if r < 0.8
            else self.rng.randint(200, MAX_SUMMARY)
        )
        details = self.rng.sample(_DETAILS, len(_DETAILS))
        for detail in details:
            if len(text) >= target or len(text) + 1 + len(detail) > MAX_SUMMARY:
                break
            text = f"{text} {detail}"
        return text[:MAX_SUMMARY]

    def emit(
        self,
        type_name: str,
        occurred: date,
        who: dict[str, str],
        *,
        known: date | None = None,
        occurred_text: str | None = None,
        basis: Sequence[str] = (),
        assessment: bool = False,
        context: dict[str, Any] | None = None,
        source: str | None = None,
        summary: str | None = None,
        sprinkle: bool = True,
        **fields: Any,
    ) -> str:
        """Append one entry and return its ref; raise `_Full` once the case is complete."""
        if len(self.objs) >= self.limit:
            raise _Full
        etype = VOCABULARY[type_name]
        ref = f"e{len(self.objs) + 1}"
        obj: dict[str, Any] = {
            "case": self.key,
            "ref": ref,
            "type": type_name,
            "occurred": occurred_text or self.when(occurred),
        }
        if known is None and etype.category != "court" and self.rng.random() < 0.08:
            known = occurred + timedelta(days=self.rng.randint(2, 40))  # documented late
        if known is not None:
            known = max(known, occurred)
            obj["known"] = self.known_text(known, later=known > occurred)
        obj.update(who)
        obj["summary"] = summary or self.summary(type_name, context or {})
        obj["source"] = source or self.source(known or occurred)
        if assessment:
            obj["assessment"] = True
        if basis:
            obj["basis"] = [f"@{b}" for b in basis]
        obj.update(_complete(etype, fields, self.rng))
        self.objs.append(obj)
        if sprinkle:
            self.sprinkle(known or occurred)
        return ref

    def sprinkle(self, day: date) -> None:
        """Now and then a journal note or a correction of an earlier entry."""
        r = self.rng.random()
        if r < 0.06:
            self.note(day + timedelta(days=self.rng.randint(0, 2)))
        elif r < 0.063:
            notes = [o for o in self.objs if o["type"] == "NoteRecorded"]
            if notes:
                self.emit(
                    "EntryRetracted",
                    day + timedelta(days=self.rng.randint(0, 5)),
                    self.worker(),
                    sprinkle=False,
                    target=f"@{self.rng.choice(notes)['ref']}",
                    reason="Recorded in the wrong child's file.",
                )
        elif r < 0.088 and len(self.objs) > 1:
            target = self.rng.choice(
                [o for o in self.objs if VOCABULARY[o["type"]].category != "correction"]
            )
            reason = self.rng.choice(_CORRECTION_REASONS)
            self.emit(
                "EntryCorrected",
                day + timedelta(days=self.rng.randint(0, 10)),
                self.worker(),
                context={"reason": reason},
                sprinkle=False,
                target=f"@{target['ref']}",
                changes={"summary": self.corrected(target["summary"])},
                reason=reason[0].upper() + reason[1:] + ".",
            )

    def corrected(self, summary: str) -> str:
        """The summary as it should have read: its first sentence, a different detail."""
        head, dot, _ = summary.partition(". ")
        return f"{head}{dot or ' '}{self.rng.choice(_DETAILS)}"[:MAX_SUMMARY].strip()

    def note(self, day: date, *, assessment: bool = False) -> str:
        if assessment:
            text = self.rng.choice(_ASSESSMENT_NOTES)
        else:
            text = self.rng.choice(_NOTES + _NOTES_IN_CARE if self.in_care else _NOTES)
        return self.emit(
            "NoteRecorded",
            day,
            self.worker(),
            context={"note": text},
            assessment=assessment,
            sprinkle=False,
            text=text,
        )

    # --- storylines -----------------------------------------------------------------------

    def run(self) -> list[dict[str, Any]]:
        try:
            self.declare_coverage()
            self.open_case()
            while True:
                self.episode()
                if not self.in_care and self.rng.random() < 0.35:
                    self.emit(
                        "CaseClosed",
                        self.step(0.3),
                        self.delegate(),
                        reason=self.rng.choice(_CLOSING_REASONS),
                    )
                self.quiet()
        except _Full:
            pass
        return self.objs

    def declare_coverage(self) -> None:
        """The journal is the whole record of the case, complete from the day it opens.

        Dated that day with its `known` stated, so every view "as known at" a day of the case
        already holds it, as a live case's journal would."""
        self.emit(
            "CoverageDeclared",
            self.today,
            {"actor": self.manager, "role": "enhetschef", "agency": self.agency},
            known=self.today,
            occurred_text=self.today.isoformat(),
            source=f"journal {self.today.year}-{self.journal:04d}",
            # A fixed sentence: the phrase bank's details describe contacts, not a journal.
            summary=f"The journal is the complete record of the case of {self.child} in "
            f"{self.municipality} from its opening.",
            sprinkle=False,
            sources=_enum("CoverageDeclared", "sources", "journal"),
            records=f"the social services' journal {self.today.year}-{self.journal:04d} for "
            f"{self.child}, every entry from the opening of the case",
            complete=True,
        )

    def open_case(self) -> None:
        born = self.when(self.born, loose=True).lstrip("~")
        self.emit(
            "CaseOpened",
            self.today,
            self.reception(),
            sprinkle=False,
            child=self.child,
            municipality=self.municipality,
            born=born,
        )

    def episode(self) -> None:
        """Reports → protection assessments → preliminary assessment → what follows."""
        reports, assessed, urgent = self.reports()
        gathered = self.preliminary_information()
        self.step(0.5)
        outcome = "open_investigation"
        if not urgent:
            outcome = self.pick(
                "PreliminaryAssessmentDecided",
                "outcome",
                {"open_investigation": 6, "no_investigation": 4, "existing_investigation": 0},
            )
        if self.in_care:
            outcome = "existing_investigation"
        decided = self.today
        self.emit(
            "PreliminaryAssessmentDecided",
            decided,
            self.delegate(),
            basis=[*reports, *assessed, *gathered],
            context={"outcome_text": outcome.replace("_", " ")},
            reports=[f"@{r}" for r in reports],
            outcome=_enum("PreliminaryAssessmentDecided", "outcome", outcome),
            reasons=self.reasons(outcome, 0.7),
            child_heard=self.rng.random() < 0.4 if self.rng.random() < 0.6 else None,
        )
        if outcome == "no_investigation":
            if self.rng.random() < 0.35:
                self.late_observation(before=decided)
            return
        if outcome == "existing_investigation":
            return
        if urgent:
            self.immediate_custody()
        closed = self.investigation(reports)
        if closed == "care_application":
            self.care()
        elif closed == "support_offered":
            self.support()

    def reports(self) -> tuple[list[str], list[str], bool]:
        reports: list[str] = []
        assessed: list[str] = []
        urgent = False
        count = self.rng.choices((1, 2, 3), (70, 25, 5))[0]
        categories = _choices("ConcernReportReceived", "reporter_category")
        for number in range(count):
            if len(self.objs) == 1:  # the report that made the authority open the file
                day = self.today + timedelta(days=self.rng.choice((0, 0, 0, 1)))
                self.today = day
            else:
                day = self.step(1.0 if number == 0 else 0.2, at_least=1)
            category = self.rng.choice(categories)
            concern = self.rng.choice(_CONCERNS)
            reporter = _REPORTER_LABEL.get(category, category.replace("_", " "))
            report = self.emit(
                "ConcernReportReceived",
                day,
                self.reception(),
                context={"reporter": reporter, "concern": concern},
                reporter_category=category,
                mandatory_reporter=(category in _MANDATORY) if category != "okand" else None,
                concern=concern[0].upper() + concern[1:] + ".",
            )
            reports.append(report)
            needed = self.rng.random() < 0.08
            urgent = urgent or needed
            same_day = day if self.rng.random() < 0.85 else day + timedelta(days=2)
            self.today = max(self.today, same_day)
            assessed.append(
                self.emit(
                    "ProtectionAssessmentMade",
                    same_day,
                    self.worker(),
                    basis=[report],
                    assessment=True,
                    context={"report_day": day.isoformat()},
                    report=f"@{report}",
                    immediate_protection_needed=needed,
                    child_seen=self.rng.random() < 0.3 if self.rng.random() < 0.7 else None,
                )
            )
        return reports, assessed, urgent

    def preliminary_information(self) -> list[str]:
        """During the preliminary assessment: information asked for with consent."""
        if self.rng.random() >= 0.4:
            return []
        consent = None
        if self.rng.random() < 0.5:  # the consent itself documented, mostly in writing
            consent = self.emit(
                "ConsentGiven",
                self.step(0.2),
                self.worker(),
                given_by="vårdnadshavarna",
                scope=self.rng.choice(_CONSENT_SCOPES),
                form=self.pick("ConsentGiven", "form", {"written": 3, "oral": 2}),
            )
        request = self.request("consent")
        gathered: list[str] = []
        if self.rng.random() < 0.75:
            gathered = self.reply(request)
        if consent is not None and self.rng.random() < 0.1:
            self.emit(
                "ConsentWithdrawn",
                self.step(0.5, at_least=1),
                self.worker(),
                consent=f"@{consent}",
                withdrawn_by=self.rng.choice(("mamman", "pappan", "vårdnadshavarna")),
            )
        return gathered

    def request(self, ground: str) -> tuple[str, str]:
        counterparty = self.rng.choice(
            [c for c in _choices("InformationRequested", "counterparty") if c != "other"]
        )
        topic = self.rng.choice(_REQUEST_TOPICS.get(counterparty, _ANY_REQUEST_TOPIC))
        agency = _COUNTERPARTY_AGENCY.get(counterparty, (counterparty, ""))[0]
        ref = self.emit(
            "InformationRequested",
            self.step(0.3),
            self.worker(),
            context={"party": agency, "topic": topic},
            counterparty=counterparty,
            legal_ground=_enum("InformationRequested", "legal_ground", ground),
            consent_given_by="vårdnadshavarna" if ground == "consent" else None,
            topic=topic[0].upper() + topic[1:],
        )
        return ref, counterparty

    def reply(self, request: tuple[str, str]) -> list[str]:
        """An answer: sent by the other party, known days or weeks later; maybe observations."""
        ref, counterparty = request
        sent = self.step(0.5, at_least=1)
        arrived = sent + timedelta(days=self.rng.choice((1, 2, 3, 5, 8, 14, 21, 35)))
        who = self.party(counterparty)
        included = [
            self.observation(
                counterparty, sent - timedelta(days=self.rng.randint(3, 90)), arrived, who
            )
            for _ in range(self.rng.choices((0, 1, 2), (40, 45, 15))[0])
        ]
        received = self.emit(
            "InformationReceived",
            sent,
            who,
            known=arrived,
            context={"party": who["agency"]},
            source=f"{who['agency']}, svar {arrived.isoformat()}",
            counterparty=counterparty,
            in_reply_to=f"@{ref}",
            includes=[f"@{i}" for i in included] or None,
        )
        self.today = max(self.today, arrived)
        return [received, *included]

    def observation(
        self, counterparty: str, occurred: date, known: date, who: dict[str, str] | None = None
    ) -> str:
        who = who or self.party(counterparty)
        text = self.rng.choice(_OBSERVATIONS.get(counterparty, _ANY_OBSERVATION))
        return self.emit(
            "ObservationRecorded",
            occurred,
            who,
            known=known,
            occurred_text=self.when(occurred, loose=True),
            context={"party": who["agency"], "observation": text},
            source=f"{who['agency']} journal",
            observed_by=who["agency"],
            observation=text,
        )

    def late_observation(self, before: date) -> None:
        """Something another agency saw before a decision but passed on only afterwards."""
        self.step(2.0, at_least=14)
        counterparty = self.rng.choice(("BVC", "förskola", "polis"))
        self.observation(counterparty, before - timedelta(days=self.rng.randint(5, 60)), self.today)

    def investigation(self, reports: list[str]) -> str:
        opened = self.emit(
            "InvestigationOpened",
            self.step(0.3),
            self.delegate(),
            basis=reports,
            reports=[f"@{r}" for r in reports],
        )
        started = self.today
        gathered = [opened]
        if self.rng.random() < 0.85:
            self.emit(
                "InvestigationNotified",
                self.step(0.1),
                self.worker(),
                investigation=f"@{opened}",
                notified=["vårdnadshavare 1", "vårdnadshavare 2"],
            )
        if self.rng.random() < 0.5:
            self.emit(
                "InvestigationPlanned",
                self.step(0.2),
                self.worker(),
                investigation=f"@{opened}",
                scope="The child's situation at home; information from BVC and preschool.",
            )
        open_requests: list[tuple[str, str]] = []
        for _ in range(self.rng.randint(2, 6)):
            pick = self.rng.random()
            if pick < 0.35:
                open_requests.append(self.request("duty_to_inform"))
                if self.rng.random() < 0.8:
                    gathered += self.reply(open_requests.pop())
            elif pick < 0.55:
                gathered.append(self.home_visit(at_home=True))
            elif pick < 0.7:
                gathered.append(self.conversation())
            elif pick < 0.85:
                gathered.append(self.meeting(("mamman", "pappan", self.workers[0])))
            elif pick < 0.9:
                gathered.append(self.consultation())
            elif pick < 0.93:
                gathered += self.drug_test()
            elif pick < 0.95:
                gathered.append(self.coordinated_plan())
            elif pick < 0.97:
                gathered += self.police_track()
            else:
                counterparty = self.rng.choice(("polis", "BVC", "förskola", "skola"))
                self.step()
                gathered.append(
                    self.observation(
                        counterparty,
                        self.today - timedelta(days=self.rng.randint(1, 30)),
                        self.today,
                    )
                )
        if self.rng.random() < 0.2:
            deadline = started + timedelta(days=120 + self.rng.choice((30, 60)))
            self.emit(
                "InvestigationExtended",
                self.step(),
                self.delegate(),
                basis=gathered[-2:],
                context={"deadline": deadline.isoformat()},
                new_deadline=deadline.isoformat(),
                reason="Information from "
                + self.rng.choice(("BVC", "the police", "school"))
                + " is still missing.",
            )
        if self.rng.random() < 0.5:
            self.emit(
                "MaterialCommunicated",
                self.step(0.3),
                self.worker(),
                parties=["vårdnadshavare 1", "vårdnadshavare 2"],
            )
        if self.rng.random() < 0.3:
            gathered.append(
                self.emit(
                    "BestInterestAssessed",
                    self.step(0.2),
                    self.worker(),
                    assessment=True,
                    conclusion=self.rng.choice(_BEST_INTEREST),
                    child_views=self.rng.choice((*_VIEWS_AT_HOME, None)),
                )
            )
        outcome = (
            _enum("InvestigationClosed", "outcome", "care_application")
            if self.in_care
            else self.pick("InvestigationClosed", "outcome", _CLOSE_WEIGHTS)
        )
        self.emit(
            "InvestigationClosed",
            self.step(),
            self.delegate(),
            basis=gathered,
            context={"outcome_text": outcome.replace("_", " ")},
            outcome=outcome,
            reasons=self.reasons(outcome, 0.6),
        )
        return outcome

    def home_visit(self, *, at_home: bool) -> str:
        granted = self.rng.random() < 0.85
        return self.emit(
            "HomeVisit",
            self.step(),
            self.worker(),
            announced=self.rng.random() < 0.8,
            access_granted=granted,
            child_seen=granted and self.rng.random() < 0.8,
            observations=self.rng.choice(_HOME_OBSERVATIONS) if granted and at_home else None,
        )

    def conversation(self) -> str:
        return self.emit(
            "ChildConversation",
            self.step(),
            self.worker(),
            guardian_consent=self.rng.random() < 0.7,
            guardian_present=self.rng.random() < 0.3 if self.rng.random() < 0.5 else None,
            child_views=self.rng.choice(
                (*(_VIEWS_IN_CARE if self.in_care else _VIEWS_AT_HOME), None)
            ),
        )

    def consultation(self) -> str:
        counterparty = self.rng.choice(("BVC", "förskola", "skola", "polis"))
        return self.emit(
            "ConsultationHeld",
            self.step(),
            self.worker(),
            counterparty=_enum("ConsultationHeld", "counterparty", counterparty),
            topic=self.rng.choice(_ANY_REQUEST_TOPIC),
            anonymised=self.rng.random() < 0.3,
        )

    def drug_test(self) -> list[str]:
        """A drug test asked of a guardian: taken (mostly negative) or declined."""
        asked = self.emit(
            "DrugTestRequested",
            self.step(),
            self.worker(),
            tested="vårdnadshavare 1",
            subject=_enum("DrugTestRequested", "subject", "guardian"),
        )
        if self.rng.random() < 0.25:
            answer = self.emit(
                "DrugTestDeclined", self.step(0.2), self.worker(), request=f"@{asked}"
            )
        else:
            result = self.pick(
                "DrugTestTaken", "result", {"negative": 7, "positive": 2, "pending": 1}
            )
            answer = self.emit(
                "DrugTestTaken", self.step(0.2), self.worker(), request=f"@{asked}", result=result
            )
        return [asked, answer]

    def coordinated_plan(self) -> str:
        """A SIP meeting with the health services, preschool or school."""
        others = self.rng.sample(("BVC", "förskolan", "skolan", "barn- och ungdomspsykiatrin"), 2)
        return self.emit(
            "CoordinatedPlanMeeting",
            self.step(),
            self.worker(),
            participants=["vårdnadshavarna", *others, self.workers[0]],
            plan_adopted=self.rng.random() < 0.7,
            topic="Samordnad individuell plan (SIP).",
        )

    def police_track(self) -> list[str]:
        """A police report by the social services, the barnahus and what may follow."""
        reported = self.emit(
            "PoliceReportFiled",
            self.step(0.3),
            self.delegate(),
            suspected_offence=self.rng.choice(_OFFENCES),
            concerning="vårdnadshavare 1",
        )
        gathered = [reported]
        gathered.append(
            self.emit(
                "BarnahusConsultation",
                self.step(0.3, at_least=1),
                self.worker(),
                participants=["polis", "åklagare", "socialtjänsten", "barnläkare"],
                outcome=self.rng.choice(_BARNAHUS_OUTCOMES),
            )
        )
        if self.rng.random() < 0.5:
            ordered = self.emit(
                "MedicalExaminationOrdered",
                self.step(0.2),
                self.delegate(),
                reason="To document possible injuries.",
            )
            gathered.append(
                self.emit(
                    "MedicalExaminationHeld",
                    self.step(0.2, at_least=1),
                    {"actor": "läkare 1", "role": "läkare", "agency": "Barnkliniken"},
                    known=self.today + timedelta(days=self.rng.randint(1, 10)),
                    examined_by="barnläkare",
                    ordered=f"@{ordered}",
                    findings=self.rng.choice(_EXAMINATION_FINDINGS),
                )
            )
        if self.rng.random() < 0.3:  # most reports never reach a court
            prosecuted = self.emit(
                "ProsecutionBrought",
                self.step(2.0, at_least=30),
                {"actor": "åklagare 1", "role": "åklagare", "agency": "Åklagarmyndigheten"},
                offence=self.rng.choice(_OFFENCES),
                defendant="vårdnadshavare 1",
            )
            court = f"{self.court_city} tingsrätt"
            number = f"B {self.rng.randint(1000, 9999)}-{self.today:%y}"
            self.emit(
                "CriminalJudgment",
                self.step(1.0, at_least=30),
                {"actor": "rådman 2", "role": "domstol", "agency": court},
                source=f"{court}, mål nr {number}",
                court=court,
                outcome=self.pick(
                    "CriminalJudgment", "outcome", {"convicted": 5, "acquitted": 3, "partly": 2}
                ),
                case_number=number,
                prosecution=f"@{prosecuted}",
            )
        return gathered

    def meeting(self, participants: tuple[str, ...], topic: str | None = None) -> str:
        topic = topic or self.rng.choice(_MEETING_TOPICS)
        return self.emit(
            "MeetingHeld",
            self.step(),
            self.worker(),
            context={"participants_text": ", ".join(participants), "topic": topic},
            participants=list(participants),
            topic=topic[0].upper() + topic[1:],
        )

    def place(self, setting: str, legal_form: str) -> None:
        labels = {
            "jourhem": "an emergency foster home",
            "familjehem": "a foster home",
            "natverkshem": "a foster home in the child's network",
            "hemmet": "the parents' home under LVU",
            "stodboende": "supported housing",
            "sis": "a special youth home",
        }
        self.placement = (
            self.emit(
                "PlacementStarted",
                self.today,
                self.delegate(),
                context={"setting_text": labels.get(setting, "a residential home")},
                setting=_enum("PlacementStarted", "setting", setting),
                legal_form=_enum("PlacementStarted", "legal_form", legal_form),
            ),
            setting,
        )
        if setting not in ("jourhem", "hemmet") and self.rng.random() < 0.75:
            self.plan("vardplan", revision=False)
            if self.rng.random() < 0.7:
                self.plan("genomforandeplan", revision=False)

    def end_placement(self) -> str | None:
        if self.placement is None:
            return None
        ref, setting = self.placement
        self.placement = None
        return self.emit(
            "PlacementEnded",
            self.today,
            self.worker(),
            context={"setting_text": "the " + setting},
            placement=f"@{ref}",
        )

    def immediate_custody(self) -> None:
        grounds = "Serious risk to the child's health and development; care cannot wait."
        custody = self.emit(
            "ImmediateCustodyOrdered",
            self.today,
            {"actor": "ordförande", "role": "ordförande", "agency": self.agency},
            basis=[o["ref"] for o in self.objs[-3:]],
            grounds=grounds,
        )
        self.in_care = True
        self.place("jourhem", "lvu")
        self.emit(
            "ImmediateCustodySubmitted",
            self.step(0.3, at_least=1),
            self.worker(),
            custody=f"@{custody}",
        )
        self.emit(
            "ImmediateCustodyReviewed",
            self.step(0.3, at_least=2),
            self.court(),
            custody=f"@{custody}",
            outcome=self.pick("ImmediateCustodyReviewed", "outcome", {"upheld": 9, "lifted": 1}),
        )

    def care(self) -> None:
        grounds = self.pick("CareApplicationFiled", "grounds", {"lvu_2": 85, "lvu_3": 15})
        application = self.emit(
            "CareApplicationFiled",
            self.step(0.5),
            self.committee(),
            basis=[o["ref"] for o in self.objs[-2:]],
            grounds=grounds,
        )
        if self.placement is None:
            self.in_care = True
            self.place(self.rng.choice(("jourhem", "familjehem")), "lvu")
        court = f"Förvaltningsrätten i {self.court_city}"
        judged = self.step(1.0, at_least=14)
        case_number = f"{self.rng.randint(1000, 9999)}-{judged:%y}"
        ordered = self.emit(
            "CareOrdered",
            judged,
            self.court(),
            basis=[application],
            source=f"{court}, mål nr {case_number}",
            court=court,
            case_number=case_number,
            grounds=grounds,
        )
        if self.rng.random() < 0.15:
            appeal = self.emit(
                "AppealLodged",
                self.step(0.5),
                {"actor": "ombud 1", "role": "ombud", "agency": "Advokatbyrån"},
                appealed=f"@{ordered}",
                appellant="vårdnadshavarna",
            )
            self.emit(
                "AppealDecided",
                self.step(1.0, at_least=20),
                {
                    "actor": "kammarrättsråd 1",
                    "role": "domstol",
                    "agency": f"Kammarrätten i {self.appeal_city}",
                },
                basis=[appeal],
                appealed=f"@{ordered}",
                court=f"Kammarrätten i {self.appeal_city}",
                outcome=self.pick("AppealDecided", "outcome", {"upheld": 8}),
            )
        self.plan("vardplan", revision=False)
        self.plan("genomforandeplan", revision=False)
        if self.placement is not None and self.placement[1] == "jourhem":
            self.step()
            self.end_placement()
            # Youths cared for under LVU 3 § because of their own behaviour may need a
            # residential home or a special youth home (SiS); most children go to a family.
            weights = (
                {"hvb": 5, "sis": 3, "familjehem": 2}
                if grounds == "lvu_3"
                else {"familjehem": 8, "natverkshem": 2}
            )
            settings = list(weights)
            self.place(self.rng.choices(settings, list(weights.values()))[0], "lvu")
        periods = self.rng.randint(1, 4)
        for number in range(periods):
            self.care_period()
            self.emit(
                "CareReviewed",
                self.step(),
                self.delegate(),
                basis=[o["ref"] for o in self.objs[-2:]],
                outcome=_enum("CareReviewed", "outcome", "continue"),
            )
            if number >= 2 and self.custody_transfer():
                return  # the foster carers are now the child's guardians
        if self.rng.random() < 0.4:
            request = self.emit(
                "CareTerminationRequested",
                self.step(),
                self.worker(),
                requested_by=self.rng.choice(("mamman", "pappan", "vårdnadshavarna")),
            )
            granted = self.rng.random() < 0.3
            self.emit(
                "CareTerminationDecided",
                self.step(0.5, at_least=7),
                self.committee(),
                basis=[request, *(o["ref"] for o in self.objs[-3:-1])],
                request=f"@{request}",
                outcome="granted" if granted else "refused",
                circumstances_changed=self.rng.choice(_CHANGES) if granted else None,
            )
            if not granted:
                self.care_period()
        if self.rng.random() < 0.25 and self.removal_ban():
            return  # the child stays in the foster home
        self.move_home()

    def custody_transfer(self) -> bool:
        """After long care in a foster home: considering a transfer of custody to it."""
        if self.placement is None or self.placement[1] not in ("familjehem", "natverkshem"):
            return False
        apply = self.rng.random() < 0.2
        considered = self.emit(
            "CustodyTransferConsidered",
            self.step(0.5),
            self.delegate(),
            assessment=True,
            placement=f"@{self.placement[0]}",
            outcome="apply" if apply else "not_apply",
            reasons=self.rng.choice(_CUSTODY_REASONS[apply]),
        )
        if not apply:
            return False
        applied = self.emit(
            "CustodyTransferApplied",
            self.step(0.3),
            self.committee(),
            basis=[considered],
            proposed_guardians="familjehemsföräldrarna",
        )
        court = f"{self.court_city} tingsrätt"
        granted = self.rng.random() < 0.8
        self.emit(
            "CustodyTransferDecided",
            self.step(1.0, at_least=30),
            {"actor": "rådman 3", "role": "domstol", "agency": court},
            basis=[applied],
            court=court,
            outcome="granted" if granted else "rejected",
            guardians="familjehemsföräldrarna" if granted else None,
        )
        if not granted:
            return False
        self.emit(
            "SpecialGuardianAppointed",
            self.today,
            {"actor": "rådman 3", "role": "domstol", "agency": court},
            guardian="familjehemsföräldrarna",
            court=court,
            ground="Vårdnaden överflyttad till familjehemmet.",
        )
        ended = self.emit(
            "CareEnded",
            self.step(0.3),
            self.delegate(),
            effective=self.today.isoformat(),
        )
        self.in_care = False
        self.end_placement()
        self.emit(
            "CaseClosed",
            self.step(0.3),
            self.delegate(),
            after=[f"@{ended}"],
            reason="The child lives with the guardians the court appointed.",
        )
        return True

    def care_period(self) -> None:
        for _ in range(self.rng.randint(1, 3)):
            pick = self.rng.random()
            if pick < 0.15:
                self.home_visit(at_home=False)
            elif pick < 0.3:
                self.placement_visit()
            elif pick < 0.4:
                self.contact_visit()
            elif pick < 0.43 and self.in_care:
                self.contact_restriction()
            elif pick < 0.5:
                kind = self.rng.choice(_SUPPORT)
                self.emit(
                    "FosterCarerSupportProvided",
                    self.step(),
                    self.worker(),
                    context={"kind": kind},
                    kind=kind[0].upper() + kind[1:],
                )
            elif pick < 0.75:
                self.meeting(("familjehemmet", self.workers[0]), "the child's daily life")
            else:
                self.conversation()

    def placement_visit(self) -> str:
        seen = self.rng.random() < 0.9
        return self.emit(
            "PlacementVisit",
            self.step(),
            self.worker(),
            child_seen=seen,
            spoke_alone=seen and self.rng.random() < 0.7,
            placement=f"@{self.placement[0]}" if self.placement else None,
        )

    def contact_visit(self) -> str:
        return self.emit(
            "ContactVisitHeld",
            self.step(),
            self.worker(),
            with_whom=self.rng.choice(("mamman", "pappan", "mamman och pappan", "syskon")),
            supervised=self.rng.random() < 0.6,
        )

    def contact_restriction(self) -> None:
        """An LVU 14 § restriction of contact, mostly reconsidered within three months."""
        restriction = self.emit(
            "ContactRestrictionDecided",
            self.step(),
            self.delegate(),
            restriction=self.pick(
                "ContactRestrictionDecided", "restriction", {"umgange": 9, "vistelseort": 1}
            ),
            concerns=self.rng.choice(("vårdnadshavare 1", "vårdnadshavare 2")),
        )
        for _ in range(self.rng.randint(0, 2)):
            self.today += timedelta(days=self.rng.randint(60, 100))
            self.emit(
                "ContactRestrictionReviewed",
                self.today,
                self.delegate(),
                restriction=f"@{restriction}",
                outcome=self.pick(
                    "ContactRestrictionReviewed", "outcome", {"continue": 4, "end": 1}
                ),
            )

    def removal_ban(self) -> bool:
        """Whether a removal ban keeps the child in the foster home."""
        apply = self.rng.random() < 0.35
        considered = self.emit(
            "RemovalBanConsidered",
            self.step(),
            self.delegate(),
            assessment=True,
            basis=[o["ref"] for o in self.objs[-2:]],
            outcome="apply" if apply else "not_apply",
            reasons=self.reasons("apply" if apply else "not_apply", 0.5),
        )
        if not apply:
            return False
        applied = self.emit(
            "RemovalBanApplied", self.step(0.3), self.committee(), basis=[considered]
        )
        granted = self.rng.random() < 0.6
        ban = self.emit(
            "RemovalBanDecided",
            self.step(1.0, at_least=7),
            self.court(),
            basis=[applied],
            outcome="granted" if granted else "rejected",
            temporary=self.rng.random() < 0.3 if self.rng.random() < 0.5 else None,
        )
        if granted:
            self.emit(
                "RemovalBanReviewed",
                self.step(2.0, at_least=30),
                self.delegate(),
                basis=[ban],
                ban=f"@{ban}",
                outcome=_enum("RemovalBanReviewed", "outcome", "continue"),
            )
        return granted

    def move_home(self) -> None:
        led_by = self.pick(
            "HomeTransitionPlanned",
            "led_by",
            {"namnd": 50, "foraldrar": 25, "familjehem": 5, "gemensam": 20},
        )
        labels = {
            "namnd": "the committee",
            "foraldrar": "the parents",
            "familjehem": "the foster carers",
            "gemensam": "all parties together",
        }
        self.emit(
            "HomeTransitionPlanned",
            self.step(),
            self.delegate(),
            basis=[o["ref"] for o in self.objs[-2:]],
            context={"led_text": labels.get(led_by, led_by)},
            led_by=led_by,
            pace=self.rng.choice(("Gradual over three months.", "Within two weeks.", None)),
        )
        self.plan("genomforandeplan", revision=True, purpose="hemflytt")
        to = self.rng.choice(("föräldrarna", "mamman", "pappan"))
        moved = self.rng.random() < 0.25
        if moved:
            # Home under LVU first (vård i hemmet, LVU 11 §), the care ended only later.
            self.step()
            self.end_placement()
            self.place("hemmet", "lvu")
            self.moved_home(to)
            for _ in range(self.rng.randint(1, 2)):
                self.home_visit(at_home=True)
        self.emit(
            "CareReviewed",
            self.step(),
            self.delegate(),
            outcome=_enum("CareReviewed", "outcome", "end"),
        )
        ended = self.emit(
            "CareEnded",
            self.step(0.3),
            self.delegate(),
            effective=(self.today + timedelta(days=self.rng.randint(0, 14))).isoformat(),
        )
        self.in_care = False
        after = self.end_placement() or ended
        if not moved:
            self.moved_home(to)
        self.emit("FollowUpStarted", self.step(0.5), self.delegate(), after=f"@{after}")
        for _ in range(self.rng.randint(0, 2)):
            self.home_visit(at_home=True)
        if self.rng.random() < 0.05:
            self.incident_review()
        self.emit(
            "FollowUpEnded",
            self.step(),
            self.worker(),
            outcome=self.rng.choice(("No further concern.", "Continued support offered.", None)),
        )

    def transfer(self) -> None:
        """The family moved: the case is offered to the new municipality."""
        elsewhere = self.rng.choice([m for m in MUNICIPALITIES if m != self.municipality])
        asked = self.emit(
            "CaseTransferRequested", self.step(), self.delegate(), to_municipality=elsewhere
        )
        accepted = self.rng.random() < 0.7
        answer = self.emit(
            "CaseTransferAnswered",
            self.step(0.5, at_least=3),
            {
                "actor": "enhetschef 1",
                "role": "enhetschef",
                "agency": f"Socialtjänsten {elsewhere}",
            },
            request=f"@{asked}",
            outcome="accepted" if accepted else "refused",
            municipality=elsewhere,
        )
        if accepted:
            self.emit(
                "CaseClosed",
                self.step(0.2),
                self.delegate(),
                after=[f"@{answer}"],
                reason=f"The case was taken over by {elsewhere}.",
            )

    def complaint(self) -> None:
        """A parent complains to IVO or JO; JO rarely decides on the merits."""
        lodged_with = self.pick(
            "ComplaintReceived", "lodged_with", {"ivo": 6, "municipality": 3, "jo": 1}
        )
        self.emit(
            "ComplaintReceived",
            self.step(),
            {"actor": "registrator", "role": "registrator", "agency": self.agency},
            lodged_with=lodged_with,
            complainant=self.rng.choice(("mamman", "pappan")),
            concerns="How the social services handled the investigation.",
        )
        if lodged_with == "jo":
            self.emit(
                "OmbudsmanDecision",
                self.step(3.0, at_least=60),
                {"actor": "justitieombudsman", "role": "ombudsman", "agency": "JO"},
                case_number=f"{self.rng.randint(1000, 9999)}-{self.today:%Y}",
                outcome=self.pick(
                    "OmbudsmanDecision",
                    "outcome",
                    {"no_action": 6, "no_criticism": 2, "criticism": 2},
                ),
                findings="JO leaves the complaint without further action.",
            )

    def moved_home(self, to: str) -> None:
        self.emit(
            "ChildMovedHome",
            self.step(0.3),
            self.worker(),
            context={"to_text": to},
            to=to,
        )

    def plan(self, kind: str, *, revision: bool, purpose: str | None = None) -> None:
        labels = {"vardplan": "Care plan", "genomforandeplan": "Implementation plan"}
        self.emit(
            "PlanAdopted",
            self.step(0.5),
            self.delegate(),
            context={"plan_text": labels.get(kind, "Plan") + (" (revised)" if revision else "")},
            plan_kind=_enum("PlanAdopted", "plan_kind", kind),
            revision=revision,
            purpose=purpose,
        )

    def age(self) -> int:
        return (self.today - self.born).days // 365

    def support(self) -> None:
        if self.age() >= 12 and self.rng.random() < 0.15:
            # Youths at risk because of their own behaviour: open care under LVU 22 §.
            self.emit(
                "OpenCareDecided",
                self.step(0.5),
                self.committee(),
                basis=[o["ref"] for o in self.objs[-2:]],
                measure=self.pick("OpenCareDecided", "measure", {"behandling": 3}),
                terms="Regular contact with the contact person, weekly.",
                until=(self.today + timedelta(days=180)).isoformat(),
            )
            return
        if self.rng.random() < 0.3:
            self.step()
            self.place("stodboende" if self.age() >= 16 else "familjehem", "sol")
            for _ in range(self.rng.randint(1, 3)):
                self.care_period()
            self.step()
            self.end_placement()
        else:
            kind = self.pick(
                "SupportDecided",
                "kind",
                {"familjebehandling": 4, "kontaktperson": 3, "oppenvard": 2, "kontaktfamilj": 1},
            )
            decided = self.emit(
                "SupportDecided",
                self.step(0.5),
                self.delegate(),
                kind=kind,
                outcome=_enum("SupportDecided", "outcome", "granted"),
            )
            self.emit("SupportStarted", self.step(), self.worker(), decision=f"@{decided}")
            self.meeting(("mamman", "pappan", self.workers[0]), "the support offered")
            if self.rng.random() < 0.6:
                self.emit("SupportEnded", self.step(2.0), self.worker(), decision=f"@{decided}")

    def incident_review(self) -> None:
        """A serious incident (rarely the child's death), lex Sarah, IVO, the analysis."""
        # What happened before the incident: the entries an analysis's causes explain.
        history = [
            o["ref"]
            for o in self.objs
            if VOCABULARY[o["type"]].category in ("decision", "assessment")
            and o["agency"] == self.agency
        ]
        died = self.rng.random() < 0.1
        if died:
            incident = self.emit(
                "ChildDied",
                self.step(0.3),
                {"actor": "läkare 1", "role": "läkare", "agency": "Barnkliniken"},
                known=self.today + timedelta(days=self.rng.randint(0, 2)),
                circumstances="The child was brought in without signs of life.",
            )
        else:
            incident = self.emit(
                "SeriousIncidentRecorded",
                self.step(0.3),
                self.worker(),
                description="The child was taken to hospital with injuries.",
            )
        self.emit(
            "LexSarahReportMade",
            self.step(0.2),
            self.worker(),
            reported_by="socialsekreterare",
            concerns="The handling of the case before the child was injured.",
        )
        opened = self.emit(
            "LexSarahInvestigationOpened",
            self.step(0.3),
            self.delegate(),
            scope="The handling of the case from the move home onwards.",
        )
        investigator = {"actor": self.manager, "role": "utredare", "agency": self.agency}
        for _ in range(self.rng.randint(1, 2)):
            self.emit(
                "InterviewStatement",
                self.step(0.3),
                investigator,
                interviewee=self.rng.choice(self.workers),
                interviewee_role="socialsekreterare",
                about="The risk assessment before the move home.",
                statement="The caseload left no time for a home visit before the move.",
                reliability=self.pick(
                    "InterviewStatement",
                    "reliability",
                    {"corroborated": 3, "consistent": 4, "uncorroborated": 2, "contradicted": 1},
                ),
            )
        if self.rng.random() < 0.5:
            self.emit(
                "ChronologyEntry",
                self.step(0.1),
                investigator,
                sprinkle=False,
                text="The investigation's chronology: the follow-up visits before the incident.",
            )
        causes = self.analysis(opened, history or [incident])
        closed = self.emit(
            "LexSarahInvestigationClosed",
            self.step(),
            self.delegate(),
            reported_to_ivo=True,
            findings="The risk assessment before the move home was insufficient.",
        )
        self.emit(
            "LexSarahReportedToIVO",
            self.step(0.2),
            self.delegate(),
            investigation=f"@{closed}",
        )
        ivo = {"actor": "inspektör 1", "role": "inspektör", "agency": "IVO"}
        self.emit("SupervisionOpened", self.step(), ivo, reason="Lex Sarah report.")
        if self.rng.random() < 0.6:
            asked = self.emit(
                "StatementRequested",
                self.step(0.5),
                ivo,
                requested_by="ivo",
                reply_due=(self.today + timedelta(days=30)).isoformat(),
                questions="How did the committee assess the child's needs before the move home?",
            )
            self.emit(
                "StatementSubmitted",
                self.step(0.5, at_least=7),
                self.committee(),
                in_reply_to=f"@{asked}",
            )
        decision = self.emit(
            "SupervisionDecision",
            self.step(2.0),
            ivo,
            findings="The committee did not base its decisions on sufficient information.",
            injunction=False,
            reply_due=(self.today + timedelta(days=90)).strftime("%Y-%m"),
        )
        if history:
            self.emit(
                "JudgementRecorded",
                self.today,
                ivo,
                known=self.today,
                sprinkle=False,
                judge="ivo",
                judges=[f"@{ref}" for ref in history[-2:]],
                criterion="Whether the decisions rested on sufficient information.",
                grade="criticism",
                text="IVO criticises the committee: the decisions did not rest on sufficient "
                "information.",
                after=[f"@{decision}"],
            )
        self.emit("MeasuresReported", self.step(), self.committee(), in_reply_to=f"@{decision}")
        for measure in causes:
            if self.rng.random() < 0.7:
                self.emit(
                    "MeasureStatusChanged",
                    self.step(),
                    self.delegate(),
                    measure=f"@{measure}",
                    status=self.pick(
                        "MeasureStatusChanged",
                        "status",
                        {"started": 3, "implemented": 4, "evaluated": 2, "cancelled": 1},
                    ),
                    effect=self.rng.choice(("Checked in the next file audit.", None)),
                )
        if died:
            self.emit(
                "ChildDeathReviewed",
                self.step(3.0, at_least=60),
                {"actor": "utredare 1", "role": "utredare", "agency": "Socialstyrelsen"},
                report="Socialstyrelsen's child-death review.",
                findings="Information between the agencies did not reach the decision makers.",
            )
            self.after_death()

    def analysis(self, opened: str, history: list[str]) -> list[str]:
        """The händelseanalys: causes, a barrier, measures with owners and dates."""
        causes = []
        for _ in range(self.rng.randint(1, 3)):
            area = self.pick(
                "CauseIdentified",
                "area",
                {
                    "communication_information": 4,
                    "routines": 4,
                    "organisation_workload": 3,
                    "knowledge_competence": 2,
                },
            )
            causes.append(
                self.emit(
                    "CauseIdentified",
                    self.step(0.1),
                    self.delegate(),
                    sprinkle=False,
                    area=area,
                    kind=self.pick(
                        "CauseIdentified",
                        "kind",
                        {"root_cause": 1, "contributing_factor": 3, "deficiency": 2},
                    ),
                    description=self.rng.choice(_CAUSES[area]),
                    explains=[f"@{ref}" for ref in self.rng.sample(history, min(2, len(history)))],
                    analysis=f"@{opened}",
                )
            )
        self.emit(
            "BarrierAssessed",
            self.today,
            self.delegate(),
            sprinkle=False,
            barrier=self.rng.choice(_BARRIERS),
            state=self.pick("BarrierAssessed", "state", {"failed": 3, "missing": 2, "held": 1}),
            concerns=[f"@{history[-1]}"],
            analysis=f"@{opened}",
        )
        measures = []
        for cause in causes:
            due = self.today + timedelta(days=self.rng.choice((60, 90, 180)))
            measures.append(
                self.emit(
                    "MeasureDecided",
                    self.step(0.1),
                    self.delegate(),
                    sprinkle=False,
                    measure=self.rng.choice(_MEASURES),
                    owner=self.manager,
                    due=due.isoformat(),
                    status="planned",
                    addresses=[f"@{cause}"],
                    follow_up="In the unit's yearly file audit.",
                    analysis=f"@{opened}",
                )
            )
        return measures

    def after_death(self) -> None:
        """After the child's death the file holds only the reviews' chronology and notes."""
        while True:
            self.step(0.5)
            if self.rng.random() < 0.5:
                self.emit(
                    "ChronologyEntry",
                    self.today,
                    {"actor": self.manager, "role": "utredare", "agency": self.agency},
                    sprinkle=False,
                    text="A line of the review's chronology.",
                    comment=self.rng.choice(("Checked against the journal.", None)),
                )
            else:
                self.note(self.today)

    def quiet(self) -> None:
        """A quiet stretch of notes and contacts before the next report arrives."""
        r = self.rng.random()
        if r < 0.03 and not self.in_care:
            self.transfer()
        elif r < 0.05:
            self.complaint()
        for _ in range(self.rng.randint(0, 3)):
            self.step()
            if self.rng.random() < 0.7:
                self.note(self.today, assessment=self.rng.random() < 0.15)
            else:
                self.meeting(("mamman", self.rng.choice(self.workers)))
        self.step(3.0, at_least=min(30, round(self.mean_gap * 3)))


_CLOSE_WEIGHTS = {"no_action": 30, "support_offered": 45, "care_application": 20, "other": 5}


class _Placeholders(dict[str, Any]):
    """Summary placeholders; one a storyline did not fill reads as a neutral phrase."""

    def __missing__(self, key: str) -> str:
        return "the case"


def _complete(etype: EventType, given: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The storyline's fields (None means leave out), plus any required field it did not set."""
    fields = {name: value for name, value in given.items() if value is not None}
    for spec in etype.fields:
        if spec.name not in fields and spec.required:
            fields[spec.name] = _filler(spec, rng)
    return fields


def _filler(spec: FieldSpec, rng: random.Random) -> Any:
    """A value of the right kind for a required field that no storyline sets."""
    if spec.kind == "enum":
        return rng.choice(spec.choices)
    if spec.kind == "bool":
        return rng.random() < 0.5
    if spec.kind == "int":
        return rng.randint(1, 100)
    if spec.kind == "texts":
        return ["socialsekreterare A"]
    if spec.kind == "object":
        return {"summary": "See the journal."}
    if spec.kind == "moment":
        return "2020-01-01"
    if spec.kind == "text":
        return rng.choice(_DETAILS)
    raise LookupError(f"no storyline sets the required reference field {spec.name!r}")


def generate_case(key: str, events: int, rng: random.Random) -> list[dict[str, Any]]:
    """One case of exactly `events` JSONL objects, drawn from `rng`."""
    if events < 0:
        raise ValueError(f"events must be 0 or more, not {events}")
    if events == 0:
        return []
    return _CaseWriter(key, events, rng).run()


def generate(
    cases: int, events_per_case: int, seed: int = 0, prefix: str = "SYN"
) -> Iterator[dict[str, Any]]:
    """`cases` cases keyed `SYN-000001`, ... in order, each with `events_per_case` objects.

    Each case draws from its own generator seeded by (seed, key), so a case is the same
    whether it is generated alone or among thousands.
    """
    if cases < 0:
        raise ValueError(f"cases must be 0 or more, not {cases}")
    for number in range(1, cases + 1):
        key = f"{prefix}-{number:06d}"
        yield from generate_case(key, events_per_case, random.Random(f"{seed}:{key}"))


def write_jsonl(objs: Iterable[dict[str, Any]], out: BinaryIO) -> int:
    """Write one object per line (UTF-8 JSON); return how many were written."""
    count = 0
    for obj in objs:
        out.write(orjson.dumps(obj) + b"\n")
        count += 1
    return count
