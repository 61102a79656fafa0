"""Findings a reviewer can sign, checked on both examples as an IVO inspector would: every
criticism is either found by a rule or shown as a recorded judgement with its concordance; no
breach rests on records the case does not declare complete; no rule judges a court or IVO;
and nothing made later leaks into "what could be known then"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from cli.main import cli

# The assertions read the English wording (Swedish is tested in test_language.py).
pytestmark = pytest.mark.usefixtures("english")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.jsonl"))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("signable") / "s.db")
    result = CliRunner().invoke(cli, ["--db", path, "import", "-q", *map(str, EXAMPLES)])
    assert result.exit_code == 0, result.output
    return path


def check(db: str, case: str, *options: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["--db", db, "check", case, *options, "--format", "json"])
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def entries(db: str, case: str) -> dict[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["--db", db, "timeline", case, "--format", "json"])
    assert result.exit_code == 0, result.output
    return {e["seq"]: e for e in orjson.loads(result.stdout)["entries"]}


def by_ref(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["judgement"]["ref"]: c for c in document["concordance"]}


@pytest.mark.parametrize("case", ["NK-LH", "AS-2020"])
def test_public_sources_only_give_no_breach(db: str, case: str) -> None:
    document = check(db, case)
    assert document["coverage"] and not any(c["complete"] for c in document["coverage"])
    assert not [f for f in document["findings"] if f["status"] == "breach"]


@pytest.mark.parametrize("case", ["NK-LH", "AS-2020"])
def test_no_rule_judges_a_court_or_ivo(db: str, case: str) -> None:
    document = check(db, case)
    known = entries(db, case)
    owner = document["view"]["owner_agency"]
    # Rules that judge a decision itself judge only the authority's (Principle 1); a court's
    # order may start the authority's own deadline (care reviews), never be judged.
    judging_a_decision = {
        "decision-with-outstanding-request",
        "decision-without-basis",
        "protection-assessed-without-seeing-child",
        "child-not-heard",
    }
    for finding in document["findings"]:
        if finding["rule"] not in judging_a_decision:
            continue
        trigger = known[finding["refs"][0]["seq"]]
        assert trigger["agency"] == owner or trigger["on_behalf_of"], finding
        assert trigger["role"] != "domstol" and trigger["agency"] != "IVO", finding


def test_lilla_hjartat_every_judgement_with_its_concordance(db: str) -> None:
    concordance = by_ref(check(db, "NK-LH"))
    # ivo-findings.md L1, L3, L8 and L2 as the acceptance list says.
    l1 = concordance["ivo-l1"]
    assert l1["summary"] == "supports"
    assert any(
        e["rule"] == "no-contact-after-move-home" and e["status"] == "no_record"
        for e in l1["evidence"]
    )
    l3 = concordance["ivo-l3"]
    assert l3["summary"] == "cannot_tell" and l3["open_questions"]
    assert l3["evidence"][0]["status"] == "undetermined"
    l8 = concordance["ivo-l8"]
    assert [e["status"] for e in l8["evidence"]] == ["no_record"]
    assert concordance["ivo-l2"]["summary"] == "cannot_tell"
    # L6 judges the lex Sarah investigation's own conclusion (L9): said in L9's questions.
    assert any("judged in turn" in q for q in concordance["lex-sarah-l9"]["open_questions"])
    assert {c["judge"] for c in concordance.values()} == {"ivo", "lex_sarah"}


def test_measures_to_ivo_are_pending_until_the_injunction_date(db: str) -> None:
    before = check(db, "NK-LH", "--as-known-at", "2021-01-31")
    [finding] = [f for f in before["findings"] if f["rule"] == "measures-reported-to-ivo"]
    assert finding["status"] == "pending" and finding["due"]["text"] == "2021-02-01"
    after = check(db, "NK-LH", "--as-known-at", "2021-02-02")
    [finding] = [f for f in after["findings"] if f["rule"] == "measures-reported-to-ivo"]
    assert finding["status"] == "no_record"


def test_astorp_no_criticism_is_never_read_as_criticism(db: str) -> None:
    document = check(db, "AS-2020")
    concordance = by_ref(document)
    a1 = concordance["ivo-a1"]
    assert a1["grade"] == "no_criticism"
    assert a1["evidence"] and all(e["agreement"] == "related" for e in a1["evidence"])
    assert all("not a criticism" in e["reason"] for e in a1["evidence"])
    for ref, rule in (
        ("ivo-a2", "foster-carer-support-during-transition"),
        ("ivo-a3", "home-move-without-revised-plan"),
    ):
        assert concordance[ref]["summary"] == "supports"
        assert any(
            e["rule"] == rule and e["status"] == "no_record" for e in concordance[ref]["evidence"]
        )
    table = CliRunner().invoke(cli, ["--db", db, "check", "AS-2020"]).stdout
    assert "did not criticise #2 transition-plan" in table


def test_what_could_be_known_on_2020_01_05_holds_no_later_judgement(db: str) -> None:
    document = check(db, "NK-LH", "--as-known-at", "2020-01-05")
    known = entries(db, "NK-LH")
    judgements = {s for s, e in known.items() if e["type"] == "JudgementRecorded"}
    later = {s for s, e in known.items() if e["occurred"]["start"] >= "2020-01-06"}
    assert not document["concordance"]
    for finding in document["findings"]:
        seqs = {r["seq"] for r in finding["refs"]}
        assert not seqs & (judgements | later), finding
        assert "IVO" not in finding["message"]
    assert document["view"]["as_known_at"]["text"] == "2020-01-05"
    table = (
        CliRunner()
        .invoke(cli, ["--db", db, "check", "NK-LH", "--as-known-at", "2020-01-05"])
        .stdout
    )
    assert "as known at the end of 2020-01-05" in table


def test_the_day_after_ivo_decided_its_judgements_are_there(db: str) -> None:
    document = check(db, "NK-LH", "--as-known-at", "2020-10-14")
    judges = {c["judge"] for c in document["concordance"]}
    assert "ivo" in judges
    assert len([c for c in document["concordance"] if c["judge"] == "ivo"]) == 8


def test_the_table_lists_every_finding_then_the_judgements_once(db: str) -> None:
    table = CliRunner().invoke(cli, ["--db", db, "--lang", "en", "check", "NK-LH"]).stdout
    assert table.count("RECORDED JUDGEMENTS") == 1
    heading = table.index("RECORDED JUDGEMENTS")
    document = check(db, "NK-LH")
    # Every finding's block comes before the judgements.
    assert table.count(" — ", 0, heading) >= len(document["findings"])


def test_an_entry_after_another_is_not_possibly_known_before_that_one(db: str) -> None:
    # The lex Sarah closing and its conclusion are dated only "2020" but come after the
    # opening of 2020-02: on 2020-01-05 they were not even possibly known.
    result = CliRunner().invoke(
        cli,
        ["--db", db, "timeline", "NK-LH", "--as-known-at", "2020-01-05", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    refs = {e["ref"] for e in orjson.loads(result.stdout)["entries"]}
    assert not refs & {"lex-sarah-closed", "lex-sarah-l9"}
    assert not {r for r in refs if r and r.startswith("cause-")}
    later = CliRunner().invoke(
        cli,
        ["--db", db, "timeline", "NK-LH", "--as-known-at", "2020-02-29", "--format", "json"],
    )
    # By the end of February they may have been: shown, and said to be only possibly known.
    entries = {e["ref"]: e for e in orjson.loads(later.stdout)["entries"]}
    assert entries["lex-sarah-closed"]["knowledge"] == "possibly"
