"""The ordering reference `after`: every type may name entries it certainly comes after.

The field is added to every type in one place (the registry builder); it validates and
resolves like any other reference list, so the views can order an imprecise entry after the
entries it names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import cli
from ledger.case import Case, CaseRejected, case_id
from ledger.entry import InvalidEntry, draft_from_object
from ledger.references import Reference
from ledger.vocabulary import AFTER, VOCABULARY
from projections.records import to_record

# The assertions read the English wording (Swedish is tested in test_language.py).
pytestmark = pytest.mark.usefixtures("english")


def obj(**given: Any) -> dict[str, Any]:
    return {"case": "NK-LH", "occurred": "2020", **given}


OPENED = obj(
    ref="lex-sarah-opened",
    type="LexSarahInvestigationOpened",
    occurred="2020-02",
)
DIED = obj(ref="died", type="ChildDied", occurred="2020-01")
CLOSED = obj(
    ref="lex-sarah-closed",
    type="LexSarahInvestigationClosed",
    reported_to_ivo=False,
    findings="routines not followed",
    after=["@lex-sarah-opened", "#1"],
)


def test_every_type_has_it_optional_and_last_but_those_with_their_own() -> None:
    for name, etype in VOCABULARY.items():
        spec = etype.field("after")
        assert spec is not None, name
        if name == "FollowUpStarted":
            assert (spec.kind, spec.required) == ("ref", True)  # its own meaning kept
            assert spec is not AFTER
        else:
            assert etype.fields[-1] is AFTER, name
    assert (AFTER.kind, AFTER.required) == ("refs", False)
    assert [n for n, t in VOCABULARY.items() if t.field("after") is not AFTER] == [
        "FollowUpStarted"
    ]


def test_it_validates_like_a_reference_list() -> None:
    draft = draft_from_object(CLOSED)
    assert draft.fields["after"] == (
        Reference(None, None, "lex-sarah-opened"),
        Reference(None, 1, None),
    )
    assert draft.as_input()["after"] == ["@lex-sarah-opened", "#1"]
    with pytest.raises(InvalidEntry) as invalid:
        draft_from_object(dict(CLOSED, after=["lex-sarah-opened"]))
    (problem,) = invalid.value.problems
    assert problem.field == "after" and "not a reference" in problem.message
    with pytest.raises(InvalidEntry) as invalid:
        draft_from_object(dict(CLOSED, after="@lex-sarah-opened"))
    assert [p.field for p in invalid.value.problems] == ["after"]


def test_it_resolves_to_seqs_and_counts_among_the_references() -> None:
    case = Case.start(case_id("NK-LH"), "NK-LH")
    drafts = [draft_from_object(o) for o in (DIED, OPENED, dict(CLOSED, after=["@died", "#2"]))]
    assert case.record(drafts).seqs == [1, 2, 3]
    closed = case.collect_events()[2]
    assert closed.fields["after"] == [1, 2]
    assert to_record(closed).references() == {1, 2}


@pytest.mark.parametrize(
    ("after", "message"),
    [
        (["@nowhere"], "does not resolve"),
        (["#9"], "does not exist"),
        (["@lex-sarah-closed"], "refers to itself"),
        (["OTHER@died"], "points into another case"),
    ],
)
def test_an_unresolvable_after_is_an_input_error(after: list[str], message: str) -> None:
    case = Case.start(case_id("NK-LH"), "NK-LH")
    drafts = [draft_from_object(o) for o in (DIED, OPENED, dict(CLOSED, after=after))]
    with pytest.raises(CaseRejected) as rejected:
        case.record(drafts)
    ((index, problem),) = rejected.value.problems
    assert (index, problem.field) == (2, "after") and message in problem.message


def test_record_and_show_through_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    lines = tmp_path / "case.jsonl"
    lines.write_text("\n".join(json.dumps(o) for o in (DIED, OPENED)) + "\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "import", "-q", str(lines)]).exit_code == 0
    done = runner.invoke(
        cli,
        [
            "--db",
            db,
            "record",
            "NK-LH",
            "NoteRecorded",
            "--occurred",
            "2020",
            "--field",
            "text=closing note",
            "--field",
            "after=@lex-sarah-opened,#1",
        ],
    )
    assert done.exit_code == 0, done.output
    shown = runner.invoke(cli, ["--db", db, "show", "NK-LH#3", "--format", "json"])
    fields = json.loads(shown.stdout)["entry"]["fields"]
    assert fields["after"] == [{"seq": 2, "ref": "lex-sarah-opened"}, {"seq": 1, "ref": "died"}]
    assert (
        "after        #2 (@lex-sarah-opened), #1 (@died)"
        in runner.invoke(cli, ["--db", db, "show", "NK-LH#3"]).stdout
    )
