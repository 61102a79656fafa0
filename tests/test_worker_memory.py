"""A checking worker's freed memory serves its next chunk, without new page faults."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ledger.worker_memory import glibc_mallopt

# A worker's life in one process: chunk after chunk checked and its result pickled (to be
# handed back), each freed before the next. Prints the page faults taken after the first.
_WORKER = """
import io, pickle, resource, sys
from ledger import importer
from ledger.application import CaseLedger
from ledger.storage import sqlite_store
from ledger.synthetic import generate, write_jsonl
from ledger.worker_memory import keep_freed_memory

if sys.argv[1] == "keep":
    assert keep_freed_memory()
text = io.BytesIO()
write_jsonl(generate(800, 10, 1), text)
text.seek(0)
ledger = CaseLedger(sqlite_store(":memory:"))
lines = importer._Lines()
lines.read([importer.Source("in.jsonl", text)], None)
checker = importer._Checker(lines, ledger.mapper, ledger.id_secret)
chunks = list(importer._chunks(ledger, lines))
at = ledger.store_time_now()
with importer._gc_paused():
    pickle.dumps(checker.check(chunks[0], at))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for chunk in chunks[1:]:
        pickle.dumps(checker.check(chunk, at))
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _WORKER, mode], capture_output=True, text=True, check=True
    )
    return int(done.stdout)


@pytest.mark.skipif(glibc_mallopt() is None, reason="malloc is tuned on glibc only")
def test_a_worker_reuses_the_memory_it_freed() -> None:
    given_back, kept = _faults("default"), _faults("keep")
    # Given back, most pages of every chunk are new pages; kept, few are.
    assert kept * 4 < given_back
