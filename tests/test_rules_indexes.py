"""The rule pack reads a case through indexes and words kept per check or per language: the
requests still open at a decision, the first sight of the child, a rule's citation by where a
clock lies among its references' periods, an explanation's note by its counts. Each must say
exactly what the plain computation says: comparing every pair, wording every time."""

from __future__ import annotations

import random
from datetime import datetime

import orjson
import pytest

from ledger.application import CaseLedger
from ledger.importer import Source, import_sources
from ledger.storage import sqlite_store
from ledger.synthetic import generate_case
from ledger.timeparse import parse_moment, parse_point, precedes, to_stockholm
from projections.codes import cited
from projections.decisions import knowledge_map
from projections.knowledge import REPLY, REQUEST, pending_requests
from projections.language import _, ngettext, using
from projections.records import Record, to_records
from projections.rules import RULES, check, explain_note
from projections.rules.engine import read_case
from projections.rules.judging import Context

NOW = to_stockholm(datetime.fromisoformat("2026-12-06T12:00:00+01:00"))


def _case(tmp_path, seed: int, events: int) -> list[Record]:
    objs = generate_case("SYN-1", events, random.Random(seed))
    ledger = CaseLedger(sqlite_store(str(tmp_path / f"r{seed}.db")))
    import_sources(ledger, [Source("g", [orjson.dumps(o) for o in objs])], workers=0)
    records = to_records(ledger.history("SYN-1"))
    ledger.close()
    return records


def _points(records: list[Record]) -> list[datetime | None]:
    """Now, two ends of days inside the case, and the middles of imprecise known clocks
    (which leave those entries, and others like them, only possibly known)."""
    texts = sorted({r.occurred.text.lstrip("~") for r in records})
    coarse = sorted(
        {
            r.known.start + (r.known.end - r.known.start) / 2
            for r in records
            if r.known.precision in ("month", "year") or r.known.approximate
        }
    )
    return [
        None,
        parse_point(texts[len(texts) // 3]),
        parse_point(texts[2 * len(texts) // 3]),
        *coarse[len(coarse) // 4 :: max(1, len(coarse) // 3)],
    ]


def _outstanding_by_every_pair(ctx: Context, decision: Record) -> tuple[tuple[int, ...], str]:
    """decision-with-outstanding-request's refs and status for one decision, comparing the
    decision with every request and every reply of the case."""
    requests = [r for r in ctx.of(REQUEST) + ctx.maybe_of(REQUEST) if ctx.authority.acts(r)]
    pool = requests + ctx.of(REPLY) + ctx.maybe_of(REPLY)
    doubtful = {r.seq for r in ctx.maybe}
    states = knowledge_map(decision, pool)

    def state_of(r: Record):  # type: ignore[no-untyped-def]
        state = states[r.seq]
        return "possibly" if state == "known" and r.seq in doubtful else state

    visible = [r for r in requests if r.seq != decision.seq and state_of(r) != "unknown"]
    pending = pending_requests(visible, state_of, [r for r in pool if r.seq != decision.seq])
    if not pending:
        return (), "met"
    refs = [decision.seq]
    for p in pending:
        refs.append(p.request.seq)
        if p.replies:
            refs += [r.seq for r in p.replies]
        else:
            refs += [
                r.seq
                for r in pool
                if r.type == REPLY
                and r.fields.get("in_reply_to") == p.request.seq
                and state_of(r) == "unknown"
            ]
    certain = any(p.answered == "no" and p.request_known == "known" for p in pending)
    return tuple(refs), "warning" if certain else "undetermined"


@pytest.mark.parametrize(("seed", "events"), [(1, 150), (2, 150), (3, 400), (4, 1200)])
def test_open_requests_agree_with_every_pair(tmp_path, seed: int, events: int) -> None:
    records = _case(tmp_path, seed, events)
    compared = 0
    for point in _points(records):
        report = check(records, as_known_at=point, now=NOW)
        found = {
            f.refs[0]: (f.refs, f.status)
            for f in report.findings
            if f.rule == "decision-with-outstanding-request"
        }
        ctx = read_case(records, as_known_at=point, now=NOW)
        expected = {}
        for decision in ctx.live:
            if not (decision.is_decision and ctx.authority.acts(decision)):
                continue
            refs, status = _outstanding_by_every_pair(ctx, decision)
            if status != "met":
                expected[decision.seq] = (refs, status)
        assert found == expected
        compared += len(expected)
    assert compared  # the generated cases do leave requests open


def _seen_by_every_pair(ctx: Context, assessment: Record) -> bool:
    """A sight of the child by the authority possibly before the assessment, by comparing
    the assessment with every observation, visit and conversation."""
    for record in ctx.live:
        if record.type not in ("ObservationRecorded", "HomeVisit", "ChildConversation"):
            continue
        if not ctx.authority.acts(record) or precedes(record.occurred, assessment.occurred) == "no":
            continue
        if record.type == "HomeVisit" and record.fields.get("child_seen") is not True:
            continue
        if (
            record.type == "ObservationRecorded"
            and "child" not in str(record.fields.get("observation", "")).lower()
        ):
            continue
        return True
    return False


def _entry(seq: int, type_: str, occurred: str, known: str | None = None, **fields) -> Record:
    moment = parse_moment(occurred)
    return Record(
        case="HAND-1",
        seq=seq,
        ref=None,
        type=type_,
        occurred=moment,
        known=parse_moment(known) if known else moment,
        known_assumed=known is None,
        recorded_at=NOW,
        actor="socialsekreterare A",
        role="socialsekreterare",
        agency="Socialtjänsten X",
        on_behalf_of=None,
        summary=None,
        source=None,
        assessment=False,
        basis=tuple(fields.pop("basis", ())),
        fields=fields,
    )


def test_open_requests_in_odd_clocks_agree_with_every_pair() -> None:
    """What generated cases seldom hold: a decision naming a request recorded after it, and
    a reply only possibly known at T whose clock ends before the decision (its entry's known
    clock earlier than its occurred one)."""
    records = [
        _entry(1, "CaseOpened", "2020-01-01"),
        _entry(2, "InformationRequested", "2020-01-02", counterparty="bvc"),
        _entry(3, "InformationReceived", "2020-01", "~2020-01-05", in_reply_to=2),
        _entry(4, "PreliminaryAssessmentDecided", "2020-02-10T10:00", "2020-01-03"),
        _entry(5, "InformationRequested", "2020-02-10T12:00", counterparty="skola"),
        _entry(6, "PreliminaryAssessmentDecided", "2020-02-10T11:00", basis=[5]),
    ]
    compared = 0
    for point in (None, parse_point("2020-01-04"), parse_point("2020-02-10T11:30")):
        report = check(records, as_known_at=point, now=NOW)
        found = {
            f.refs[0]: (f.refs, f.status)
            for f in report.findings
            if f.rule == "decision-with-outstanding-request"
        }
        ctx = read_case(records, as_known_at=point, now=NOW)
        expected = {}
        for decision in ctx.live:
            if decision.is_decision and ctx.authority.acts(decision):
                refs, status = _outstanding_by_every_pair(ctx, decision)
                if status != "met":
                    expected[decision.seq] = (refs, status)
        assert found == expected
        compared += len(ctx.maybe) + len(expected)
    assert compared


@pytest.mark.parametrize("seed", [1, 2, 3, 5])
def test_a_sight_of_the_child_is_found_as_by_every_pair(tmp_path, seed: int) -> None:
    records = _case(tmp_path, seed, 300)
    for point in _points(records):
        report = check(records, as_known_at=point, now=NOW)
        flagged = {
            f.refs[0]
            for f in report.findings
            if f.rule == "protection-assessed-without-seeing-child"
        }
        ctx = read_case(records, as_known_at=point, now=NOW)
        expected = {
            r.seq
            for r in ctx.of("ProtectionAssessmentMade")
            if r.fields.get("immediate_protection_needed") is False
            and ctx.authority.acts(r)
            and r.fields.get("child_seen") is not True
            and not _seen_by_every_pair(ctx, r)
        }
        assert flagged == expected


def test_a_citation_is_the_references_in_force_at_any_clock() -> None:
    texts = [
        f"{prefix}{body}"
        for prefix in ("", "~")
        for body in (
            "2012",
            "2013",
            "2013-01",
            "2012-12-31",
            "2013-01-01",
            "2013-01-01T00:00",
            "2020",
            "2022",
            "2022-06",
            "2022-06-30",
            "2022-06-30T23:59",
            "2022-07",
            "2022-07-01",
            "2022-07-01T00:00",
            "2024",
            "2025",
            "2025-06-30",
            "2025-07",
            "2025-07-01",
            "2026-01-15",
        )
    ]
    for lang in ("sv", "en"):
        with using(lang):
            for rule_ in RULES:
                for text in texts:
                    moment = parse_moment(text)
                    refs = rule_.legal_at(moment)
                    plain = "; ".join(cited(ref) for ref in refs) if refs else _(rule_.source)
                    assert rule_.citation(moment) == plain, (rule_.id, text, lang)


def test_an_explanation_reads_as_worded_afresh(tmp_path) -> None:
    records = _case(tmp_path, 7, 300)
    by_id = {r.id: r for r in RULES}
    for lang in ("sv", "en", "sv"):
        with using(lang):
            for point in _points(records):
                at_words = read_case(records, as_known_at=point, now=NOW).at_words
                for item in check(records, as_known_at=point, now=NOW).explain:
                    assert item.note == explain_note(by_id[item.rule], item, at_words)


def test_kept_words_follow_the_language() -> None:
    for _round in range(2):
        assert _("the end of {point}") == "vid utgången av {point}"
        assert ngettext("{n} entry.", "{n} entries.", 2) == "{n} händelser."
        with using("en"):
            assert _("the end of {point}") == "the end of {point}"
            assert ngettext("{n} entry.", "{n} entries.", 2) == "{n} entries."
            assert ngettext("{n} entry.", "{n} entries.", 1) == "{n} entry."
    # A clock's display is kept on the clock and is the same however often it is asked.
    moment = parse_moment("~2019-12-20")
    assert moment.display() == moment.display() == "~2019-12-20"
    assert precedes(moment, moment) == "possibly"
