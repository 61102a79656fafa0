"""Bulk reads without the cyclic garbage collector.

Decoding a whole ledger makes millions of small dicts, strings and records that live until
the pass ends and hold no reference cycles; reference counting frees them. The cyclic
collector would still traverse the growing heap again and again as allocations pass its
thresholds, which costs more than the decoding itself. It is paused for the bulk work and
restored after (and collects once then, in the normal way).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic collector inside the block; restore it as it was after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
