"""A rewrite that only a checkpoint catches (the entry and every later hash of its case
recomputed, so every chain is whole) is named where it happened: the ledger keeps, beside its
copy of each checkpoint, the tree's leaves it covered, and trusts them only when they give
the signed root."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from eventsourcing.persistence import StoredEvent

from ledger.chain import entry_hash
from tests import test_tamper
from tests.test_tamper import ASTORP, LILLA, Target, first_line

target_for = test_tamper.target_for  # the fixture: a store of each kind, SQL at hand

# The assertions are on the English wording of verify (Swedish is tested on its own).
pytestmark = pytest.mark.usefixtures("english")


def rechain(target: Target, key: str, seq: int, **changes: object) -> None:
    """Change entry `seq` of a case and recompute its hash and every later one's, links
    included: the chain is whole again, as a forger with write access would leave it."""
    table = target.table()
    case = target.case_id(key)
    ledger = target.ledger()
    try:
        rows = sorted(
            (r for r in table.rows() if r.originator_id == case and r.version >= seq),
            key=lambda r: r.version,
        )
        prev_hash = None
        for row in rows:
            stored = StoredEvent(row.originator_id, row.version, row.topic, row.state)
            event = ledger.mapper.to_domain_event(stored)
            if row.version == seq:
                event.__dict__.update(changes)
            else:
                event.__dict__["prev_hash"] = prev_hash
            prev_hash = entry_hash(event.hashed_payload())  # type: ignore[attr-defined]
            event.__dict__["hash"] = prev_hash
            table.set_state(row, ledger.mapper.to_stored_event(event).state)
    finally:
        ledger.close()


def test_a_rewrite_caught_only_by_the_checkpoint_is_named_where_it_is(
    target_for: Callable[..., Target],
) -> None:
    target = target_for()
    target.import_(LILLA, ASTORP)
    target.checkpoint()
    rechain(target, "NK-LH", 30, summary="Nothing of concern was reported.")
    result = target.verify()
    assert result.exit_code == 1
    first = first_line(result)
    assert first.startswith("NK-LH#30: tree no longer consistent with checkpoint of size")
    assert "the first entry that differs from what the checkpoint covered" in first


def test_kept_leaves_that_do_not_give_the_signed_root_are_not_trusted(
    target_for: Callable[..., Target],
) -> None:
    """The forger rewrites the kept leaves too: they no longer give the signed root, so
    verify falls back to the first entry no earlier checkpoint vouches for."""
    target = target_for()
    target.import_(LILLA, ASTORP)
    target.checkpoint()
    table = target.table()
    ledger = target.ledger()
    try:
        from ledger.custody import CHECKPOINTS_STREAM

        (kept,) = [r for r in table.rows() if r.originator_id == CHECKPOINTS_STREAM]
        event = ledger.mapper.to_domain_event(
            StoredEvent(kept.originator_id, kept.version, kept.topic, kept.state)
        )
        event.__dict__["leaves"] = event.leaves[:-8] + "AAAAAAA="  # type: ignore[attr-defined]
        table.set_state(kept, ledger.mapper.to_stored_event(event).state)
    finally:
        ledger.close()
    rechain(target, "NK-LH", 30, summary="Nothing of concern was reported.")
    result = target.verify()
    assert result.exit_code == 1
    assert first_line(result).startswith("NK-LH#1: tree no longer consistent")
