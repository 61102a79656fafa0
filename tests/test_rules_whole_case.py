"""The rules the whole-case acts bring: each triggered, satisfied and at its boundary, in force
only in its period, `no_record` outside declared coverage, courts never judged."""

from __future__ import annotations

from typing import Any

import pytest

from projections.records import Record
from projections.rules import Policy, Report

from .test_rules import at, explained, instant, of, one, record
from .test_rules import run as run_rules

# The assertions read the English wording (Swedish is tested in test_language.py).
pytestmark = pytest.mark.usefixtures("english")

COURT = "Förvaltningsrätten i Testköping"


def run(records: list[Record], **options: Any) -> Report:
    """Check `records` of a case the test agency opened (so courts are never the owner)."""
    opening = record(0, "CaseOpened", "2010-01-01", child="A", municipality="Testköping")
    return run_rules([opening, *records], **options)


def placed(
    seq: int = 1, occurred: str = "2023-01-10", setting: str = "familjehem", **kw: Any
) -> Record:
    return record(seq, "PlacementStarted", occurred, setting=setting, legal_form="lvu", **kw)


# --- investigation-notified (SoL 11:2 third para / 2025:400 20:4) -----------------------------


def opened(seq: int = 1, occurred: str = "2020-03-02", **kw: Any) -> Record:
    return record(seq, "InvestigationOpened", occurred, **kw)


def notified(seq: int, occurred: str, investigation: int = 1) -> Record:
    return record(
        seq, "InvestigationNotified", occurred, investigation=investigation, notified=["vh A"]
    )


def closed(seq: int, occurred: str) -> Record:
    return record(seq, "InvestigationClosed", occurred, outcome="no_action", basis=[1])


@pytest.mark.parametrize(
    ("told", "status", "policy"),
    [
        ("2020-03-09", None, None),
        ("2020-03-10", "warning", "local"),
        ("2020-06-15", "breach", "statutory"),
    ],
)
def test_notice_within_seven_days_then_a_warning_and_none_before_the_close_a_breach(
    told: str, status: str | None, policy: str | None
) -> None:
    found = of(
        run([opened(), notified(2, told), closed(3, "2020-06-01")]), "investigation-notified"
    )
    assert [(f.status, f.policy) for f in found] == ([(status, policy)] if status else [])


def test_no_notice_at_all_is_a_breach_once_closed_and_a_warning_while_open() -> None:
    finding = one(run([opened(), closed(2, "2020-06-01")]), "investigation-notified")
    assert finding.status == "breach" and finding.refs == (1, 2)
    assert "it was due before the closing #2" in finding.message
    still_open = one(run([opened()]), "investigation-notified")
    assert still_open.status == "warning" and still_open.policy == "local"
    assert one(run([opened()], as_known_at=at("2020-03-05")), "investigation-notified").status == (
        "pending"
    )


def test_recorded_special_reasons_meet_the_notice_duty() -> None:
    report = run([opened(not_notified_reason="risk to the child"), closed(2, "2020-06-01")])
    assert not of(report, "investigation-notified")
    assert explained(report, "investigation-notified").met == 1


def test_without_complete_coverage_a_missing_notice_is_no_record() -> None:
    finding = one(
        run([opened(), closed(2, "2020-06-01")], complete=False), "investigation-notified"
    )
    assert finding.status == "no_record"


def test_the_notice_threshold_is_local_policy() -> None:
    records = [opened(), notified(2, "2020-03-12"), closed(3, "2020-06-01")]
    assert of(run(records), "investigation-notified")
    policy = Policy(investigation_notice_days=14)
    assert not of(run(records, policy=policy), "investigation-notified")


def test_a_2026_notice_cites_socialtjanstlag_2025_400() -> None:
    finding = one(run([opened(occurred="2026-02-02")]), "investigation-notified")
    assert finding.legal_reference == "SoL (2025:400) 20 kap. 4 §"


# --- contact-restriction-review-3-months (LVU 14 §) -----------------------------------------


def restriction(seq: int = 1, occurred: str = "2020-01-10", **kw: Any) -> Record:
    return record(
        seq, "ContactRestrictionDecided", occurred, restriction="umgange", concerns="vh A", **kw
    )


def considered(seq: int, occurred: str, outcome: str = "continue", of_: int = 1) -> Record:
    return record(seq, "ContactRestrictionReviewed", occurred, restriction=of_, outcome=outcome)


@pytest.mark.parametrize(("held", "status"), [("2020-04-10", None), ("2020-04-11", "breach")])
def test_a_contact_restriction_is_considered_within_three_months(
    held: str, status: str | None
) -> None:
    found = of(
        run([restriction(), considered(2, held, "end")]), "contact-restriction-review-3-months"
    )
    assert [f.status for f in found] == ([status] if status else [])


def test_each_consideration_starts_the_next_three_months_and_care_ending_lapses_it() -> None:
    records = [restriction(), considered(2, "2020-04-01")]
    finding = one(run(records), "contact-restriction-review-3-months")
    assert finding.refs == (2,) and finding.due.lo == instant("2020-07-02T00:00:00+02:00")
    ended = run([*records, record(3, "CareEnded", "2020-05-01")])
    assert not of(ended, "contact-restriction-review-3-months")
    assert explained(ended, "contact-restriction-review-3-months").lapsed == 1


def test_a_restriction_decided_by_a_court_is_not_judged() -> None:
    report = run([restriction(agency=COURT)])
    assert explained(report, "contact-restriction-review-3-months").triggered == 0


def test_the_norm_before_2019_is_cited_from_secondary_sources() -> None:
    old = one(run([restriction(occurred="2018-01-10")]), "contact-restriction-review-3-months")
    assert old.legal_reference == "LVU (1990:52) 14 § tredje stycket"


# --- custody-transfer-considered (LVU 13 § / 13 c §) ---------------------------------------


def transfer_considered(seq: int, occurred: str, outcome: str = "not_apply", **kw: Any) -> Record:
    return record(seq, "CustodyTransferConsidered", occurred, outcome=outcome, **kw)


@pytest.mark.parametrize(
    ("held", "status"),
    [
        ("2025-01-10", None),
        ("2024-08-01", None),
        ("2025-01-11", "breach"),
        ("2024-06-01", "breach"),
    ],
)
def test_from_2022_07_01_custody_transfer_is_considered_at_two_years(
    held: str, status: str | None
) -> None:
    # Placed 2023-01-10: two years fall on 2025-01-10 (13 c §); one within the six months
    # before counts, one earlier does not.
    found = of(run([placed(), transfer_considered(2, held)]), "custody-transfer-considered")
    assert [f.status for f in found] == ([status] if status else [])
    if status:
        assert found[0].due.lo == instant("2025-01-11T00:00:00+01:00")
        assert "13 c §" in found[0].legal_reference


def test_before_2022_07_01_the_mark_was_three_years() -> None:
    # Placed 2018-03-01: three years on 2021-03-01, under the 2020:1259 wording.
    records = [placed(occurred="2018-03-01"), transfer_considered(2, "2021-02-15")]
    assert not of(run(records), "custody-transfer-considered")
    finding = one(run([placed(occurred="2018-03-01")]), "custody-transfer-considered")
    assert finding.due.lo == instant("2021-03-02T00:00:00+01:00")
    assert (
        "13 § tredje stycket" in finding.legal_reference and "13 c" not in finding.legal_reference
    )


def test_two_years_passed_before_the_new_law_is_undetermined_not_a_breach() -> None:
    finding = one(run([placed(occurred="2020-01-10")]), "custody-transfer-considered")
    assert finding.status == "undetermined"
    assert "transitional provisions of SFS 2022:664 were not read" in (finding.reason or "")


def test_a_placement_ending_or_custody_passing_before_the_mark_ends_the_duty() -> None:
    moved = run([placed(), record(2, "ChildMovedHome", "2024-05-01", to="foraldrar")])
    assert not of(moved, "custody-transfer-considered")
    assert explained(moved, "custody-transfer-considered").lapsed == 1
    hvb = run([placed(setting="hvb")])
    assert explained(hvb, "custody-transfer-considered").triggered == 0


def test_a_mark_before_2003_is_not_in_force() -> None:
    report = run([placed(occurred="1998-05-01")])
    assert explained(report, "custody-transfer-considered").status == "not_in_force"


def test_the_yearly_consideration_from_2021_03_01() -> None:
    records = [placed(occurred="2021-09-01"), transfer_considered(2, "2023-08-20", placement=1)]
    finding = one(run(records), "custody-transfer-considered-yearly")
    assert finding.status == "breach" and finding.due.lo == instant("2024-08-21T00:00:00+02:00")
    kept = [*records, transfer_considered(3, "2024-08-20", placement=1)]
    found = of(run(kept), "custody-transfer-considered-yearly")
    assert [(f.refs, f.status) for f in found] == [((3,), "breach")]  # 2025-08-21 passed too
    late = [*records, transfer_considered(3, "2024-08-21", placement=1)]
    assert of(run(late), "custody-transfer-considered-yearly")[0].refs == (2, 3)
    applied = [placed(), transfer_considered(2, "2025-01-05", outcome="apply")]
    assert explained(run(applied), "custody-transfer-considered-yearly").triggered == 0
    early = run([placed(occurred="2016-01-10"), transfer_considered(2, "2019-01-05")])
    assert explained(early, "custody-transfer-considered-yearly").status == "not_in_force"


# --- care-end-lasting-change (LVU 21 §, from 2022-07-01) -----------------------------------


def care(seq: int = 1, occurred: str = "2021-01-10", grounds: str = "lvu_2") -> Record:
    return record(seq, "CareOrdered", occurred, court="FR", grounds=grounds, agency=COURT)


def ends(seq: int = 2, occurred: str = "2023-03-01", **kw: Any) -> Record:
    return record(seq, "CareTerminationDecided", occurred, outcome="granted", basis=[1], **kw)


def test_a_2_paragraph_care_ended_without_a_stated_change_asks_the_reviewer() -> None:
    finding = one(run([care(), ends()]), "care-end-lasting-change")
    assert finding.status == "info" and finding.severity == "info"
    assert "states no lasting and thorough change" in finding.message
    assert "JudgementRecorded" in (finding.reason or "")
    assert "LVU (1990:52) 21 § första stycket" in finding.legal_reference


def test_a_stated_change_3_paragraph_care_or_a_refusal_asks_nothing() -> None:
    stated = ends(circumstances_changed="the mother has been drug-free for two years")
    assert not of(run([care(), stated]), "care-end-lasting-change")
    assert not of(run([care(grounds="lvu_3"), ends()]), "care-end-lasting-change")
    refused = record(2, "CareTerminationDecided", "2023-03-01", outcome="refused", basis=[1])
    assert not of(run([care(), refused]), "care-end-lasting-change")


def test_a_court_ending_care_is_not_asked_about_and_2021_is_not_in_force() -> None:
    by_court = record(2, "CareEnded", "2023-03-01", decided_by_court="Kammarrätten", agency=COURT)
    assert not of(run([care(), by_court]), "care-end-lasting-change")
    early = run([care(occurred="2020-01-10"), ends(occurred="2022-06-30")])
    assert explained(early, "care-end-lasting-change").status == "not_in_force"


def test_the_committee_s_end_of_care_is_asked_about_once() -> None:
    records = [care(), ends(), record(3, "CareEnded", "2023-03-01", basis=[2])]
    assert [f.refs for f in of(run(records), "care-end-lasting-change")] == [(2,)]


# --- care-plan-for-placement (SoL 11:3) ----------------------------------------------------


def plan(seq: int, occurred: str, kind: str) -> Record:
    return record(seq, "PlanAdopted", occurred, plan_kind=kind, revision=False)


def test_a_placement_ended_without_plans_is_a_breach_for_each_missing_plan() -> None:
    records = [placed(), record(2, "PlacementEnded", "2023-06-01", placement=1)]
    found = of(run(records), "care-plan-for-placement")
    assert [f.status for f in found] == ["breach", "breach"]
    assert {"vårdplan" in f.message for f in found} == {True, False}


def test_plans_while_the_placement_lasted_meet_it_even_one_drawn_up_before() -> None:
    records = [
        plan(2, "2023-01-05", "vardplan"),
        placed(),
        plan(3, "2023-02-01", "genomforandeplan"),
        record(4, "PlacementEnded", "2023-06-01", placement=1),
    ]
    assert not of(run(records), "care-plan-for-placement")


def test_a_plan_after_the_placement_ended_does_not_count_and_an_open_one_is_pending() -> None:
    late = [
        placed(),
        plan(2, "2023-01-20", "vardplan"),
        record(3, "PlacementEnded", "2023-06-01", placement=1),
        plan(4, "2023-07-01", "genomforandeplan"),
    ]
    [finding] = of(run(late), "care-plan-for-placement")
    assert finding.status == "breach" and "genomförandeplan" in finding.message
    pending = of(run([placed()]), "care-plan-for-placement")
    assert [f.status for f in pending] == ["pending", "pending"]


def test_care_at_home_and_jourhem_need_no_11_3_plan() -> None:
    for setting in ("hemmet", "jourhem"):
        report = run([placed(setting=setting)])
        assert explained(report, "care-plan-for-placement").triggered == 0


# --- placed-child-visited (SoL 6:7 b, local policy) ---------------------------------------


def visit(seq: int, occurred: str, alone: bool = True, **kw: Any) -> Record:
    return record(
        seq, "PlacementVisit", occurred, child_seen=True, spoke_alone=alone, placement=1, **kw
    )


@pytest.mark.parametrize(("held", "status"), [("2023-04-10", None), ("2023-04-11", "warning")])
def test_a_placed_child_is_visited_and_spoken_with_alone_within_three_months(
    held: str, status: str | None
) -> None:
    records = [placed(), visit(2, held), record(3, "PlacementEnded", "2023-05-01", placement=1)]
    found = of(run(records), "placed-child-visited")
    assert [(f.status, f.policy) for f in found] == ([(status, "local")] if status else [])


def test_a_visit_without_a_conversation_alone_does_not_count_but_a_conversation_alone_does() -> (
    None
):
    end = record(3, "PlacementEnded", "2023-05-01", placement=1)
    assert of(run([placed(), visit(2, "2023-03-01", alone=False), end]), "placed-child-visited")
    talk = record(2, "ChildConversation", "2023-03-01", alone=True)
    assert not of(run([placed(), talk, end]), "placed-child-visited")


def test_the_visiting_interval_is_local_policy_and_never_a_breach() -> None:
    records = [
        placed(),
        visit(2, "2023-05-01"),
        record(3, "PlacementEnded", "2023-06-01", placement=1),
    ]
    assert one(run(records), "placed-child-visited").status == "warning"
    assert not of(run(records, policy=Policy(placed_child_visit_months=4)), "placed-child-visited")
