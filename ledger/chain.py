"""Canonical bytes and the per-case hash chain (tamper evidence, DESIGN §7)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

GENESIS = "0" * 64
"""The `prev_hash` of a case's first entry."""


def canonical_bytes(payload: Mapping[str, Any]) -> bytes:
    """orjson with sorted keys: the same entry always gives the same bytes."""
    return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)


def entry_hash(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(payload)).hexdigest()


def chained_payload(state: Mapping[str, Any], seq: int, recorded_at: datetime) -> dict[str, Any]:
    """What an event's chain hash covers: its stored state, with its seq and recorded_at."""
    return chained_payload_at(state, seq, recorded_at.isoformat())


def chained_payload_at(state: Mapping[str, Any], seq: int, recorded_at: str) -> dict[str, Any]:
    """`chained_payload` for a caller that has recorded_at's ISO text already."""
    return {**state, "seq": seq, "recorded_at": recorded_at}


def chain_hash_at(state: dict[str, Any], seq: int, recorded_at: str) -> str:
    """`entry_hash(chained_payload_at(state, seq, recorded_at))`, without copying the state:
    the import computes one for every line. (Where a key stands does not matter: the bytes
    hashed sort the keys.) `state` is left as it was."""
    state["seq"], state["recorded_at"] = seq, recorded_at
    try:
        return entry_hash(state)
    finally:
        del state["seq"], state["recorded_at"]


_UNHASHED = frozenset({"originator_id", "originator_version", "timestamp", "hash"})


class Chained:
    """Mixed into an event class whose events are hash-chained within their stream."""

    def hashed_payload(self) -> dict[str, Any]:
        """What the chain hash covers: everything stored, with seq and recorded_at."""
        return chained_payload(
            {k: v for k, v in vars(self).items() if k not in _UNHASHED},
            self.originator_version,  # type: ignore[attr-defined]
            self.timestamp,  # type: ignore[attr-defined]
        )
