"""Migrate benchmark: `ledger migrate` from SQLite to PostgreSQL against the recorder's insert.

    .venv/bin/python benchmarks/migrate_bench.py --postgres URL [--events 100000] [--repeat 5]

1. Generates a synthetic ledger in an SQLite file (`ledger.synthetic`, imported; not timed).
2. `--repeat` rounds, the two sides alternating in order from round to round so that drift in
   the machine's speed falls on both alike, each into a fresh PostgreSQL schema:
   - migrate: `ledger.migration.plan` and `carry_out`, what `ledger migrate` does with the rows
     (rows by COPY, a page per transaction);
   - insert_events: the same pages of the same rows through eventsourcing's PostgreSQL
     application recorder's `insert_events` (`CaseLedger.insert_stored`), as migrate did before.
   Rows per second (wall) and CPU seconds of this process; the ratio is the median of the
   per-round ratios.
3. The machine's load average before and after.

The insert_events side can hang: eventsourcing runs it in psycopg's pipeline mode, and with
pages of 5,000 rows it stopped in `pipeline.sync()` in two of four runs of 50,000 rows here
(psycopg 3.3.9, binary). A run that prints nothing for minutes has met that.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson
import psycopg
from eventsourcing.persistence import StoredEvent

from ledger.application import CaseLedger
from ledger.importer import Source, import_sources
from ledger.migration import PAGE, carry_out, plan
from ledger.storage import postgres_store, sqlite_store
from ledger.synthetic import generate


def _schema(url: str) -> str:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return schema


def _drop(url: str, schema: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _timed(url: str, source: CaseLedger, side: str) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and rows of one copy of `source` into a fresh schema."""
    schema = _schema(url)
    try:
        target = CaseLedger(postgres_store(f"{url}?schema={schema}"))
        cpu, start = time.process_time(), time.perf_counter()
        if side == "migrate":
            rows = carry_out(source, target, plan(source, target)).rows
        else:
            rows = 0
            for page in source.notification_pages(None, page=PAGE):
                target.insert_stored(
                    [
                        StoredEvent(n.originator_id, n.originator_version, n.topic, n.state)
                        for n in page
                    ]
                )
                rows += len(page)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        target.close()
        return wall, cpu, rows
    finally:
        _drop(url, schema)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True, help="PostgreSQL URL of a scratch database")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"command: {' '.join([sys.executable, *sys.argv])}")
    print(f"driver: psycopg {psycopg.__version__} ({psycopg.pq.__impl__})")
    load = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as work:
        db = Path(work) / "source.db"
        source = CaseLedger(sqlite_store(str(db)))
        lines = [orjson.dumps(obj) + b"\n" for obj in generate(args.events // 10, 10, seed=1)]
        import_sources(source, [Source("generated.jsonl", lines)])
        figures: dict[str, list[tuple[float, float, int]]] = {"migrate": [], "insert_events": []}
        for run in range(args.repeat):
            order = ["migrate", "insert_events"] if run % 2 == 0 else ["insert_events", "migrate"]
            for side in order:
                figures[side].append(_timed(args.postgres, source, side))
            m, i = figures["migrate"][-1], figures["insert_events"][-1]
            print(
                f"round {run + 1}: migrate {m[2] / m[0]:,.0f} rows/s ({m[1]:.2f} s CPU), "
                f"insert_events {i[2] / i[0]:,.0f} rows/s ({i[1]:.2f} s CPU)"
            )
        source.close()
    ratios = [
        i[0] / m[0] for m, i in zip(figures["migrate"], figures["insert_events"], strict=True)
    ]
    for side, runs in figures.items():
        rate = statistics.median(r[2] / r[0] for r in runs)
        cpu = statistics.median(r[1] * 1e6 / r[2] for r in runs)
        print(f"{side:14} {rate:10,.0f} rows/s  {cpu:6.1f} us CPU/row (this process)")
    print(f"migrate speed-up (median of rounds): {statistics.median(ratios):.2f}x")
    print(f"load average: before {load}, after {[round(x, 2) for x in os.getloadavg()]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
