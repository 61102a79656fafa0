"""The cost of fitting a timeline to A4 pages, against drawing it as one unfitted page.

    .venv/bin/python benchmarks/pages_bench.py [--repeat 5]

For the Lilla Hjärtat example and a synthetic 150-entry case: the pages, the entries on each,
the `dot` runs spent measuring, and the wall-clock seconds (the `dot` runs are processes of
their own, so CPU time of this process would leave them out) of drawing the timeline as SVG
on A4 pages against drawing it as one unfitted SVG, the two alternated within each round;
the ratio is the median of per-round ratios.
"""

from __future__ import annotations

import argparse
import re
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_bench

from ledger.application import CaseLedger
from ledger.importer import Source, import_sources
from ledger.storage import sqlite_store
from ledger.synthetic import generate, write_jsonl
from projections import diagram
from projections.decisions import decisions
from projections.records import to_records

ROOT = Path(__file__).resolve().parents[1]


def _records(work: Path) -> dict[str, list[Any]]:
    synthetic = work / "pages.jsonl"
    with synthetic.open("wb") as out:
        write_jsonl(generate(1, 150, seed=11), out)
    ledger = CaseLedger(sqlite_store(str(work / "pages.db")))
    for path in (ROOT / "examples" / "lilla-hjartat.jsonl", synthetic):
        with path.open("rb") as lines:
            import_sources(ledger, [Source(path.name, lines)])
    cases = {case: to_records(ledger.history(case)) for case in ("NK-LH", "SYN-000001")}
    ledger.close()
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print("command:", shlex.join([sys.executable, *sys.argv]))
    print("machine:", ", ".join(f"{k} {v}" for k, v in import_bench.machine().items()))
    print("load average (1, 5, 15 min):", import_bench.load_average())
    measured = 0
    measure = diagram.layout_size

    def counted(graph: Any) -> tuple[float, float]:
        nonlocal measured
        measured += 1
        return measure(graph)

    diagram.layout_size = counted  # type: ignore[assignment]
    with tempfile.TemporaryDirectory(prefix="ledger-pages-") as tmp:
        cases = _records(Path(tmp))
    for case, records in cases.items():
        views = decisions(records)
        paged, single, ratios = [], [], []
        for _ in range(args.repeat):
            measured = 0
            start = time.perf_counter()
            pages = diagram.timeline_pages(
                case, records, paper=diagram.PAPERS["a4"], decisions=views
            )
            diagram.render_pages(pages, "svg")
            paged.append(time.perf_counter() - start)
            runs = measured
            start = time.perf_counter()
            diagram.render_pages(diagram.timeline_pages(case, records, decisions=views), "svg")
            single.append(time.perf_counter() - start)
            ratios.append(paged[-1] / single[-1])
        entries = [len(set(re.findall(r"\n\t\t(e\d+) \[", p.source))) for p in pages]
        print(
            f"{case}: {len(pages)} A4 pages, entries a page {entries}, {runs} dot runs to "
            f"measure; {statistics.median(paged):.2f} s paginated, "
            f"{statistics.median(single):.2f} s one page, ratio {statistics.median(ratios):.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
