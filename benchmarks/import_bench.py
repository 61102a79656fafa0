"""Import benchmark: JSONL import into an SQLite ledger against the store's own limit.

    .venv/bin/python benchmarks/import_bench.py [--cases 2000] [--events-per-case 10]
        [--repeat 5] [--seed 1] [--json FILE]

1. Generates a synthetic JSONL file (`ledger.synthetic`) in a temporary directory (not timed).
2. Ledger import, `--repeat` times, each into a fresh SQLite file: the time from constructing
   `CaseLedger(sqlite_store(path))` to the return of `ledger.importer.import_sources` for the
   whole file (reading and parsing the file, validation, the chain hashes, transcoding and the
   inserts, one transaction; inputs this size are checked in worker processes, one per usable
   core). Closing the application is not timed.
3. Baseline, "the limit of the store", `--repeat` times: the exact rows the ledger stored
   (originator_id, originator_version, topic, state, read back from `stored_events` of one
   imported file) inserted into a fresh SQLite file with the same table and the same pragma as
   eventsourcing's SQLite application recorder, with plain `sqlite3` `executemany` in one
   transaction. Timed from connecting to the commit; closing is not timed.
4. Where the time goes, `--repeat` times, each stage alone in this process, microseconds per
   entry: pass 1 (reading the file and grouping its lines by case) and checking (parsing,
   validation, the case's checks, chain hashes and encoding: `_Checker.check` over every
   chunk, as a worker runs it). Storing costs what the baseline costs.
5. Parallel capacity: a pure-Python loop run alone, then in one process per usable core at
   once; the capacity is how many lone runs' worth of work they do in the same time.

From 3 to 5 follows a bound that no scheduling can beat: at the target ratio (0.5) the import
has twice the baseline's time per entry, and the machine's capacity times that is all the CPU
time there is; reading and storing take their share, and checking must fit in the rest.

Prints the command, the machine, per-run times, the median events/s of both and their ratio;
`--json FILE` writes the same figures as JSON. Standard library plus the project's own
dependencies.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import orjson

from ledger import importer
from ledger.application import CaseLedger
from ledger.importer import Source, import_sources
from ledger.storage import sqlite_store
from ledger.synthetic import generate, write_jsonl

TABLE = "stored_events"
TARGET_RATIO = 0.5

# Copied from eventsourcing 9.5 `eventsourcing/sqlite.py`: the table of
# `SQLiteApplicationRecorder.construct_create_table_statements` (an application recorder keeps
# the rowid, which serves as the notification id), the pragma `SQLiteConnectionPool` sets on a
# file database, and the recorder's insert statement.
CREATE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    "originator_id TEXT, "
    "originator_version INTEGER, "
    "topic TEXT, "
    "state BLOB, "
    "PRIMARY KEY "
    "(originator_id, originator_version))"
)
PRAGMAS = ("PRAGMA journal_mode=WAL;",)
INSERT = f"INSERT INTO {TABLE} VALUES (?,?,?,?)"

Row = tuple[str, int, str, bytes]


@dataclass
class Figures:
    command: list[str]
    started: str
    machine: dict[str, Any]
    cases: int
    events_per_case: int
    events: int
    seed: int
    repeat: int
    jsonl_bytes: int
    generate_seconds: float
    stored_state_bytes: int = 0
    ledger_seconds: list[float] = field(default_factory=list)
    baseline_seconds: list[float] = field(default_factory=list)
    read_us: list[float] = field(default_factory=list)  # pass 1, per entry
    check_us: list[float] = field(default_factory=list)  # checking in one process, per entry
    exact_check_us: list[float] = field(default_factory=list)  # the same, exact path only
    capacity: list[float] = field(default_factory=list)  # lone runs' worth, all cores at once

    @property
    def ledger_rates(self) -> list[float]:
        return [self.events / s for s in self.ledger_seconds]

    @property
    def baseline_rates(self) -> list[float]:
        return [self.events / s for s in self.baseline_seconds]

    def summary(self) -> dict[str, float]:
        ledger = statistics.median(self.ledger_rates)
        baseline = statistics.median(self.baseline_rates)
        store_us = 1e6 / baseline
        read_us = statistics.median(self.read_us)
        capacity = statistics.median(self.capacity)
        return {
            "ledger_median_events_per_s": ledger,
            "baseline_median_events_per_s": baseline,
            "ratio_ledger_to_baseline": ledger / baseline,
            "read_us_per_entry": read_us,
            "check_us_per_entry": statistics.median(self.check_us),
            "exact_check_us_per_entry": statistics.median(self.exact_check_us),
            "store_us_per_entry": store_us,
            "parallel_capacity": capacity,
            "check_budget_us_per_entry": check_budget(store_us, read_us, capacity),
        }


def check_budget(store_us: float, read_us: float, capacity: float) -> float:
    """The most checking may cost per entry (in one process) for the import to reach
    TARGET_RATIO: all the CPU time the machine has in the import's time, less reading and
    storing. A necessary condition only: handing rows between processes is not counted."""
    wall_us = store_us / TARGET_RATIO
    return capacity * wall_us - read_us - store_us


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.lower().startswith(("model name", "hardware", "processor\t: ")):
                    name = line.split(":", 1)[1].strip()
                    if name and not name.isdigit():
                        return name
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, Any]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    return {
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": usable,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "eventsourcing": _version("eventsourcing"),
        "orjson": _version("orjson"),
        "sqlite": sqlite3.sqlite_version,
    }


def time_ledger_import(jsonl: Path, db: Path, expected: int) -> float:
    """Seconds from constructing the application to the end of the import."""
    start = time.perf_counter()
    ledger = CaseLedger(sqlite_store(str(db)))
    with jsonl.open("rb") as lines:
        report = import_sources(ledger, [Source(jsonl.name, lines)])
    elapsed = time.perf_counter() - start
    ledger.close()
    if (report.recorded, report.skipped) != (expected, 0):
        raise SystemExit(
            f"error: import recorded {report.recorded} and skipped {report.skipped}, "
            f"expected {expected} and 0"
        )
    return elapsed


def time_stages(jsonl: Path, exact: bool = False) -> tuple[float, float]:
    """Microseconds per entry of pass 1 and of checking, each alone in this process, with the
    import's own code (private to the importer, used here to take it apart); CPU time of this
    process, so other load on the machine does not count. `exact`: every case on the exact
    path, as before the fast path."""
    ledger = CaseLedger(sqlite_store(":memory:"))
    lines = importer._Lines()
    try:
        with importer._gc_paused():
            start = time.process_time()
            with jsonl.open("rb") as source:
                lines.read([Source(jsonl.name, source)], None)
            read = time.process_time() - start
            checker = importer._Checker(lines, ledger.mapper, ledger.id_secret, exact)
            chunks = list(importer._chunks(ledger, lines))
            recorded_at = ledger.store_time_now()  # the time an import takes under its lock
            start = time.process_time()
            for chunk in chunks:
                if checker.check(chunk, recorded_at).errors:
                    raise SystemExit("error: the generated input did not pass the checks")
            check = time.process_time() - start
    finally:
        lines.close()
        ledger.close()
    return read * 1e6 / lines.count, check * 1e6 / lines.count


def _spin(loops: int) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(loops):
        total += i * i
    return time.perf_counter() - start


def parallel_capacity(processes: int, loops: int = 3_000_000) -> float:
    """How many lone runs' worth of pure-Python work `processes` processes do at once."""
    alone = _spin(loops)
    with get_context("fork").Pool(processes) as pool:
        pool.map(_spin, [1_000] * processes)  # every process started before timing
        together = max(pool.map(_spin, [loops] * processes, chunksize=1))
    return processes * alone / together


def table_sql(db: Path) -> str:
    """The CREATE TABLE statement of `stored_events` as SQLite keeps it."""
    conn = sqlite3.connect(db)
    try:
        row = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)
        ).fetchone()
    finally:
        conn.close()
    if row is None:
        raise SystemExit(f"error: no table {TABLE} in {db}")
    return str(row[0])


def stored_rows(db: Path) -> list[Row]:
    """The rows the ledger stored, in notification (rowid) order."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            f"SELECT originator_id, originator_version, topic, state FROM {TABLE} ORDER BY rowid"
        ).fetchall()
    finally:
        conn.close()


def time_baseline(rows: list[Row], db: Path) -> float:
    """Seconds to insert `rows` into a fresh file with executemany in one transaction."""
    start = time.perf_counter()
    # Auto-commit mode with an explicit BEGIN, as eventsourcing's SQLite datastore does.
    conn = sqlite3.connect(db, isolation_level=None)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    conn.execute(CREATE_TABLE)
    conn.execute("BEGIN")
    conn.executemany(INSERT, rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    (count,) = conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()
    conn.close()
    if count != len(rows):
        raise SystemExit(f"error: baseline stored {count} rows, expected {len(rows)}")
    return elapsed


def report(fig: Figures) -> str:
    summary = fig.summary()
    m = fig.machine
    lines = [
        "import benchmark",
        f"command:   {shlex.join(fig.command)}",
        f"started:   {fig.started}",
        f"machine:   {m['platform']}",
        f"cpu:       {m['cpu']}, {m['cores']} cores ({m['cores_usable']} usable)",
        f"software:  {m['python']}, eventsourcing {m['eventsourcing']}, "
        f"orjson {m['orjson']}, SQLite {m['sqlite']}",
        f"input:     {fig.cases} cases x {fig.events_per_case} events = {fig.events} events, "
        f"seed {fig.seed}, {fig.jsonl_bytes / 1e6:.1f} MB JSONL "
        f"(generated in {fig.generate_seconds:.2f} s, not timed)",
        f"stored:    {fig.events} rows, {fig.stored_state_bytes / 1e6:.1f} MB of state",
        "",
        "ledger import: CaseLedger(sqlite_store(fresh file)) + importer.import_sources(file);",
        "               validation, chain hashes, transcoding, inserts in one transaction",
        "baseline:      the same rows into a fresh file, same table and pragma (journal_mode=WAL),",
        "               sqlite3 executemany in one transaction",
        "",
        f"{'run':>4} {'ledger s':>10} {'ledger ev/s':>12} {'baseline s':>11} {'baseline ev/s':>14}",
    ]
    for run, (ls, bs) in enumerate(zip(fig.ledger_seconds, fig.baseline_seconds, strict=True), 1):
        lines.append(
            f"{run:>4} {ls:>10.3f} {fig.events / ls:>12,.0f} {bs:>11.3f} {fig.events / bs:>14,.0f}"
        )
    lines += [
        "",
        f"median ledger import:   {summary['ledger_median_events_per_s']:>12,.0f} events/s",
        f"median baseline:        {summary['baseline_median_events_per_s']:>12,.0f} events/s",
        f"ratio ledger/baseline:  {summary['ratio_ledger_to_baseline']:>12.4f} "
        f"(the ledger reaches {summary['ratio_ledger_to_baseline']:.1%} of the store's limit)",
        "",
        "where the time goes, microseconds per entry, each stage alone in one process (medians):",
        f"  reading and grouping (pass 1)               {summary['read_us_per_entry']:>7.1f}",
        f"  checking (parse, validate, chain, encode)   {summary['check_us_per_entry']:>7.1f} CPU",
        "    the same on the exact path alone          "
        f"{summary['exact_check_us_per_entry']:>7.1f} CPU",
        f"  storing (the baseline's own time)           {summary['store_us_per_entry']:>7.1f}",
        f"parallel capacity: {m['cores_usable']} processes at once do "
        f"{summary['parallel_capacity']:.2f}x the work of one",
        f"bound: at {TARGET_RATIO}x the import has "
        f"{summary['store_us_per_entry'] / TARGET_RATIO:.1f} us per entry and "
        f"{summary['parallel_capacity'] * summary['store_us_per_entry'] / TARGET_RATIO:.1f} us of "
        "CPU; after reading and storing,",
        f"       checking may cost at most {summary['check_budget_us_per_entry']:.1f} us per "
        f"entry in one process; it costs {summary['check_us_per_entry']:.1f}",
    ]
    return "\n".join(lines)


def _remove(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000, help="cases to generate (2000)")
    parser.add_argument("--events-per-case", type=int, default=10, help="events per case (10)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each kind (5)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write figures as JSON")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.events_per_case < 1 or args.repeat < 1:
        parser.error("--cases, --events-per-case and --repeat must be at least 1")

    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        work = Path(tmp)
        jsonl = work / "synthetic.jsonl"
        start = time.perf_counter()
        with jsonl.open("wb") as out:
            events = write_jsonl(generate(args.cases, args.events_per_case, args.seed), out)
        fig = Figures(
            command=[sys.executable, *(sys.argv if argv is None else ["import_bench.py", *argv])],
            started=datetime.now(UTC).isoformat(timespec="seconds"),
            machine=machine(),
            cases=args.cases,
            events_per_case=args.events_per_case,
            events=events,
            seed=args.seed,
            repeat=args.repeat,
            jsonl_bytes=jsonl.stat().st_size,
            generate_seconds=time.perf_counter() - start,
        )

        # Runs alternate (ledger, baseline, ledger, ...) so drift in the machine's speed
        # affects both alike; the baseline's rows come from the first ledger run's file.
        rows: list[Row] = []
        ledger_table = ""
        for run in range(1, args.repeat + 1):
            db = work / f"ledger-{run}.db"
            fig.ledger_seconds.append(time_ledger_import(jsonl, db, events))
            if not rows:
                rows = stored_rows(db)
                ledger_table = table_sql(db)
                fig.stored_state_bytes = sum(len(r[3]) for r in rows)
                if len(rows) != events:
                    raise SystemExit(f"error: the ledger stored {len(rows)} rows, not {events}")
            _remove(db)
            base = work / f"baseline-{run}.db"
            fig.baseline_seconds.append(time_baseline(rows, base))
            if table_sql(base) != ledger_table:  # the baseline must use the ledger's own table
                raise SystemExit(
                    f"error: baseline table differs from the ledger's:\n{table_sql(base)}\n"
                    f"{ledger_table}\nupdate CREATE_TABLE from eventsourcing/sqlite.py"
                )
            _remove(base)
            read_us, check_us = time_stages(jsonl)
            fig.read_us.append(read_us)
            fig.check_us.append(check_us)
            fig.exact_check_us.append(time_stages(jsonl, exact=True)[1])
            fig.capacity.append(parallel_capacity(fig.machine["cores_usable"]))
            print(
                f"run {run}: ledger {fig.ledger_seconds[-1]:.3f} s, "
                f"baseline {fig.baseline_seconds[-1]:.3f} s, checking {check_us:.1f} us/entry "
                f"(exact path {fig.exact_check_us[-1]:.1f}), "
                f"capacity {fig.capacity[-1]:.2f}",
                file=sys.stderr,
            )

    print(report(fig))
    if args.json is not None:
        data = asdict(fig) | fig.summary()
        data["ledger_events_per_s"] = fig.ledger_rates
        data["baseline_events_per_s"] = fig.baseline_rates
        args.json.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
