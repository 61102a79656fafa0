"""The vocabulary registry's invariants, and docs/vocabulary.md rendered from it and current.

Nothing here reads outside the repository: the table people read is generated from the
registry (`make docs`), and these tests check that the committed file is what the registry
renders now and that the rendering says what the registry says.
"""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from ledger import vocabulary as vocab
from projections.codes import cited
from projections.vocabulary_view import vocabulary_markdown

ROOT = Path(__file__).resolve().parents[1]
VOCABULARY_MD = ROOT / "docs" / "vocabulary.md"

# `name` or `name?` followed by its parenthesised kind: (ref), (bool), (enum: a, b, c), ...
_FIELD_RE = re.compile(r"`([^`]+)` \(([^)]*)\)")


def _parse_table(text: str) -> dict[str, dict[str, object]]:
    """The vocabulary table: type name -> its columns, fields as (name, required, note)."""
    rows: dict[str, dict[str, object]] = {}
    in_table = False
    for line in text.splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if cells[0] in ("type", "typ"):  # the head row, English or Swedish
            in_table = True
            continue
        if not in_table or set(cells[0]) <= {"-", ":", " "}:
            continue
        name, swedish, category, decision, fields_col, legal = cells
        fields = [
            (raw.rstrip("?"), not raw.endswith("?"), note.strip())
            for raw, note in _FIELD_RE.findall(fields_col)
        ]
        assert name not in rows, f"{name} listed twice"
        rows[name] = {
            "swedish": swedish.replace("\\|", "|"),
            "category": category,
            "decision": decision,
            "fields": fields,
            "legal": legal,
        }
    return rows


def _rendered() -> str:
    return vocabulary_markdown(list(vocab.VOCABULARY.values()))


_ROWS = _parse_table(_rendered())


# --- docs/vocabulary.md is current and says what the registry says -------------------------


def test_docs_vocabulary_md_is_current():
    committed = VOCABULARY_MD.read_text(encoding="utf-8")
    assert committed == _rendered(), "run `make docs` and commit docs/vocabulary.md"


def test_ledger_types_format_md_writes_the_document(tmp_path: Path):
    target = tmp_path / "vocabulary.md"
    done = CliRunner().invoke(cli, ["types", "--format", "md", "-o", str(target)])
    assert done.exit_code == 0, done.output
    assert target.read_text(encoding="utf-8") == _rendered()
    one = CliRunner().invoke(cli, ["types", "HomeVisit", "--format", "md"])
    assert one.exit_code == 0, one.output
    assert list(_parse_table(one.stdout)) == ["HomeVisit"]
    assert (
        one.stdout.startswith("# Händelsetyper\n") and "| typ | svenska | kategori |" in one.stdout
    )
    english = CliRunner().invoke(cli, ["--lang", "en", "types", "HomeVisit", "--format", "md"])
    assert (
        english.stdout.startswith("# Event vocabulary\n")
        and "\nCategories: `admin`" in english.stdout
    )
    assert list(_parse_table(english.stdout)) == ["HomeVisit"]


def test_the_table_lists_every_type_in_registry_order():
    assert list(_ROWS) == list(vocab.VOCABULARY)


@pytest.mark.parametrize("name", list(vocab.VOCABULARY))
def test_row_matches_registry(name):
    row = _ROWS[name]
    etype = vocab.VOCABULARY[name]
    assert etype.swedish == row["swedish"]
    assert etype.category == row["category"]
    assert etype.decision is (row["decision"] in ("ja", "yes"))
    assert [(n, required) for n, required, _ in row["fields"]] == [
        (f.name, f.required) for f in etype.fields
    ]
    for (fname, _, note), spec in zip(row["fields"], etype.fields, strict=True):
        if spec.kind == "enum":
            assert note == "enum: " + ", ".join(spec.choices), f"{name}.{fname}"
        else:
            assert note == spec.kind, f"{name}.{fname}"


@pytest.mark.parametrize("name", list(vocab.VOCABULARY))
def test_legal_column_names_each_reference_with_version_and_confidence(name):
    etype = vocab.VOCABULARY[name]
    legal = str(_ROWS[name]["legal"])
    assert bool(legal) is bool(etype.legal)
    for ref in etype.legal:
        assert f"{cited(ref)} ({ref.confidence}" in legal
        for date in (ref.in_force_from, ref.in_force_until):
            assert not date or date in legal


def test_categories_and_kinds_are_explained():
    text = _rendered()
    line = next(x for x in text.splitlines() if x.startswith("Kategorier:"))
    assert tuple(re.findall(r"`([a-z]+)`", line)) == vocab.CATEGORIES
    assert "`report` (orosanmälan)" in line  # each category in words
    used = {spec.kind for t in vocab.VOCABULARY.values() for spec in t.fields}
    assert used <= set(vocab.FIELD_KIND_DOCS)
    for kind in vocab.FIELD_KIND_DOCS:
        assert f"- `{kind}`: " in text


def test_a_bar_in_a_term_does_not_break_the_row():
    odd = vocab.EventType(
        "OddType",
        "a | b",
        "note",
        False,
        (vocab.FieldSpec("x", "enum", True, ("p", "q")),),
    )
    (row,) = _parse_table(vocabulary_markdown([odd])).values()
    assert row["swedish"] == "a | b"
    assert row["fields"] == [("x", True, "enum: p, q")]


# --- invariants of the registry ----------------------------------------------------------


def test_enums_have_choices_and_others_do_not():
    for etype in vocab.VOCABULARY.values():
        for spec in etype.fields:
            if spec.kind == "enum":
                assert spec.choices, f"{etype.name}.{spec.name}"
                assert len(set(spec.choices)) == len(spec.choices)
            else:
                assert spec.choices == (), f"{etype.name}.{spec.name}"


def test_fieldspec_rejects_choices_mismatch():
    with pytest.raises(ValueError):
        vocab.FieldSpec("x", "enum", True)
    with pytest.raises(ValueError):
        vocab.FieldSpec("x", "text", True, ("a", "b"))
    with pytest.raises(ValueError):
        vocab.FieldSpec("x", "float", True)


def test_every_field_and_type_is_documented():
    for etype in vocab.VOCABULARY.values():
        assert etype.description, etype.name
        assert etype.category in vocab.CATEGORIES
        for spec in etype.fields:
            assert spec.doc, f"{etype.name}.{spec.name}"
            assert spec.kind in (
                "text",
                "bool",
                "int",
                "moment",
                "ref",
                "refs",
                "enum",
                "object",
                "texts",
            )


@pytest.mark.parametrize(
    ("type_name", "field_name", "choices"),
    [
        (
            "ConcernReportReceived",
            "reporter_category",
            (
                "bvc",
                "forskola",
                "skola",
                "polis",
                "halso_sjukvard",
                "privatperson",
                "anonym",
                "annan_myndighet",
                "okand",
            ),
        ),
        (
            "InformationRequested",
            "counterparty",
            ("BVC", "förskola", "skola", "polis", "sjukvård", "other"),
        ),
        (
            "InformationReceived",
            "counterparty",
            ("BVC", "förskola", "skola", "polis", "sjukvård", "other"),
        ),
        ("InformationRequested", "legal_ground", ("consent", "duty_to_inform", "other")),
        ("CareApplicationFiled", "grounds", ("lvu_2", "lvu_3")),
        ("CareOrdered", "grounds", ("lvu_2", "lvu_3")),
        ("PlacementStarted", "legal_form", ("sol", "lvu")),
    ],
)
def test_enumeration_words(type_name, field_name, choices):
    spec = vocab.event_type(type_name).field(field_name)
    assert spec is not None and spec.kind == "enum"
    assert spec.choices == choices


@pytest.mark.parametrize(
    ("type_name", "field_name", "kind"),
    [
        ("CaseOpened", "born", "moment"),
        ("InvestigationExtended", "new_deadline", "moment"),
        ("CareEnded", "effective", "moment"),
        ("SupervisionDecision", "reply_due", "moment"),
        ("SupervisionDecision", "fine_sek", "int"),
        ("SupervisionDecision", "injunction", "bool"),
        ("MeetingHeld", "participants", "texts"),
        ("EntryCorrected", "changes", "object"),
        ("EntryCorrected", "target", "ref"),
        ("PreliminaryAssessmentDecided", "reports", "refs"),
        ("ChildMovedHome", "to", "text"),
        ("ImmediateCustodyOrdered", "grounds", "text"),
        ("CareEnded", "decided_by_court", "text"),
    ],
)
def test_field_kinds(type_name, field_name, kind):
    spec = vocab.event_type(type_name).field(field_name)
    assert spec is not None
    assert spec.kind == kind


def test_field_lookup_and_reference_fields():
    etype = vocab.event_type("InformationReceived")
    assert etype.field("no_such_field") is None
    assert [f.name for f in etype.reference_fields] == ["in_reply_to", "includes", "after"]
    assert vocab.event_type("NoteRecorded").reference_fields == (vocab.AFTER,)


def test_only_observation_requires_known():
    assert [n for n, t in vocab.VOCABULARY.items() if t.requires_known] == ["ObservationRecorded"]


def test_registry_is_read_only():
    with pytest.raises(TypeError):
        vocab.VOCABULARY["Foo"] = vocab.VOCABULARY["NoteRecorded"]  # type: ignore[index]
    with pytest.raises(FrozenInstanceError):
        vocab.VOCABULARY["NoteRecorded"].decision = True  # type: ignore[misc]


# --- lookups -------------------------------------------------------------------------------


def test_unknown_type_suggests_close_match():
    with pytest.raises(vocab.UnknownEventType) as info:
        vocab.event_type("ConcernReport")
    message = str(info.value)
    assert message == (
        "unknown event type 'ConcernReport' (did you mean ConcernReportReceived or "
        "PoliceReportFiled?)"
    )
    assert "\n" not in message
    assert isinstance(info.value, KeyError)


def test_unknown_type_without_match_and_case_insensitive_match():
    with pytest.raises(vocab.UnknownEventType) as info:
        vocab.event_type("Zzzzzz")
    assert str(info.value) == "unknown event type 'Zzzzzz'"
    with pytest.raises(vocab.UnknownEventType) as info:
        vocab.event_type("careended")
    assert "CareEnded" in str(info.value)


def test_decision_types():
    decisions = vocab.decision_types()
    assert "ProtectionAssessmentMade" in decisions
    assert "CareEnded" in decisions
    assert "NoteRecorded" not in decisions
    assert decisions == tuple(n for n, t in vocab.VOCABULARY.items() if t.decision)


def test_types_in_category():
    assert vocab.types_in_category("correction") == ("EntryCorrected", "EntryRetracted")
    assert set().union(*(vocab.types_in_category(c) for c in vocab.CATEGORIES)) == set(
        vocab.VOCABULARY
    )
    with pytest.raises(ValueError, match="did you mean court"):
        vocab.types_in_category("courts")


# --- legal references ----------------------------------------------------------------------


def _all_references():
    return [(t.name, ref) for t in vocab.VOCABULARY.values() for ref in t.legal]


def test_sol_2001_references_end_2025_07_01():
    sol = [(n, r) for n, r in _all_references() if r.law == "SoL" and r.sfs == "2001:453"]
    assert sol
    for name, ref in sol:
        assert ref.in_force_until == "2025-07-01", f"{name}: {ref.short()}"


def test_references_are_well_formed():
    for name, ref in _all_references():
        assert ref.confidence in ("H", "M", "U"), name
        assert ref.law in (
            "SoL",
            "LVU",
            "prop.",
            "JO",
            "SOSFS",
            "LUD",
            "IVO",
            "FB",
            "FL",
            "OSL",
            "HSL",
        ), name
        if ref.law == "LVU":
            assert ref.sfs == "1990:52"
        for date in (ref.in_force_from, ref.in_force_until):
            assert date == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", date), name


def test_short_forms():
    pa = vocab.event_type("ProtectionAssessmentMade").legal[0]
    assert pa.short() == "SoL (2001:453) 11 kap. 1 a § första stycket"
    jo, duty, duty_2025 = vocab.event_type("InformationRequested").legal
    assert duty_2025.short() == "SoL (2025:400) 20 kap. 6 §"
    assert jo.short() == "JO 5219-2018"
    assert duty.short() == "SoL (2001:453) 14 kap. 1 § tredje stycket"
    assert duty.confidence == "M"
    assert vocab.event_type("RemovalBanDecided").legal[0].short() == "LVU (1990:52) 24–27 §§"
    follow = vocab.event_type("FollowUpStarted").legal[0]
    assert follow.short() == "prop. 2021/22:178"
    assert follow.in_force_from == "2022-07-01"
    died = vocab.event_type("ChildDied").legal[0]
    assert (died.law, died.sfs) == ("LUD", "2007:606")
    lex = vocab.event_type("LexSarahInvestigationOpened").legal
    assert [r.short() for r in lex] == [
        "SoL (2001:453) 14 kap. 3–7 §§",
        "SoL (2025:400) 27 kap. 2–6 §§",
        "SOSFS 2011:5",
    ]


def test_legal_reference_rejects_bad_confidence():
    with pytest.raises(ValueError):
        vocab.LegalReference("LVU", "1990:52", "6 §", "high")
