"""Canonical bytes and the per-case hash chain (tamper evidence, DESIGN §7)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

GENESIS = "0" * 64
"""The `prev_hash` of a case's first entry."""


def canonical_bytes(payload: Mapping[str, Any]) -> bytes:
    """orjson with sorted keys: the same entry always gives the same bytes."""
    return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)


def entry_hash(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(payload)).hexdigest()
