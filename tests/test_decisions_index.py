"""`decisions` finds what was known at each decision by binary search over clock bounds
computed once per case; it must say exactly what comparing every pair of entries says."""

from __future__ import annotations

import random

import orjson
import pytest

from ledger.application import CaseLedger
from ledger.importer import Source, import_sources
from ledger.storage import sqlite_store
from ledger.synthetic import generate_case
from ledger.timeparse import precedes
from projections.corrections import CORRECTION_TYPES, as_known
from projections.decisions import decisions, knowledge_map
from projections.knowledge import pending_requests
from projections.records import case_authority, to_records


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_index_agrees_with_every_pair(tmp_path, seed: int) -> None:
    objs = generate_case("SYN-1", 150, random.Random(seed))
    ledger = CaseLedger(sqlite_store(str(tmp_path / "d.db")))
    import_sources(ledger, [Source("g", [orjson.dumps(o) for o in objs])], workers=0)
    records = to_records(ledger.history("SYN-1"))
    live = [r for r in as_known(records) if r.type not in CORRECTION_TYPES]
    authority = case_authority(as_known(records))
    views = decisions(records)
    assert views
    for view in views:
        decision = view.decision
        others = [r for r in live if r.seq != decision.seq]
        states = knowledge_map(decision, others)
        assert set(view.known_at_decision) == {s for s, k in states.items() if k == "known"}
        assert set(view.possibly_known_at_decision) == {
            s for s, k in states.items() if k == "possibly"
        }
        assert {r.seq for r in view.hindsight} == {
            r.seq
            for r in others
            if states[r.seq] == "unknown" and precedes(r.occurred, decision.occurred) == "yes"
        }
        expected = (
            pending_requests(
                [r for r in others if states[r.seq] != "unknown" and authority.acts(r)],
                lambda r, states=states: states[r.seq],
                others,
            )
            if authority.acts(decision)
            else []
        )
        assert [p.request.seq for p in view.pending_requests] == [p.request.seq for p in expected]
        assert [p.replies for p in view.pending_requests] == [p.replies for p in expected]
