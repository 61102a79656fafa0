"""Import benchmark: JSONL import into an SQLite ledger against plain executemany of its rows.

    .venv/bin/python benchmarks/import_bench.py [--cases 2000] [--events-per-case 10]
        [--repeat 5] [--seed 1] [--json FILE]

1. Generates a synthetic JSONL file (`ledger.synthetic`) in a temporary directory (not timed).
2. `--repeat` rounds, each timing both sides in this process, their order alternating from
   round to round so that drift in the machine's speed falls on both alike:
   - ledger import: from constructing `CaseLedger(sqlite_store(fresh file))` to the return of
     `ledger.importer.import_sources` for the whole file (reading and grouping, checking in
     worker processes, one per usable core, at most 2 by default: chain hashes, encoding,
     inserts in one transaction). The fast path's and the time parser's caches are emptied
     first, as in a new `ledger import` process. Wall time, and CPU time of this process and
     its worker processes.
   - baseline: the exact rows the ledger stored (read back from the first round's file)
     inserted into a fresh file with the same table and pragma as eventsourcing's SQLite
     application recorder, plain `sqlite3` `executemany` in one transaction.
   The ratio is the median of the per-round ratios (ledger events/s over baseline events/s).
3. Where the time goes: each stage alone in this process, CPU time per entry (medians):
   pass 1 (reading and grouping lines), checking on the fast path (cold caches, as a worker
   checks its chunks), checking on the exact path alone, the stored format's own work with
   no check at all (each line decoded and tested for a key given twice, its fingerprint, and
   a stored state's chain hash and bytes: the least any checking could cost in this
   language), and storing (the baseline's CPU).
4. The machine's load average before and after the rounds: other work on the machine slows
   the wall-clock figures of both sides, and CPU time less so.

Prints the command, the machine, per-round figures, the medians; `--json FILE` writes the same
figures as JSON. Standard library plus the project's own dependencies.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shlex
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson

from ledger import fastpath, importer, timeparse
from ledger.application import CaseLedger
from ledger.chain import chain_hash_at, entry_hash
from ledger.importer import Source, import_sources
from ledger.storage import sqlite_store
from ledger.strict_json import duplicate_key
from ledger.synthetic import generate, write_jsonl
from ledger.worker_memory import keep_freed_memory

TABLE = "stored_events"
TARGET_RATIO = 0.5
TARGET_CHECK_US = 10.0
WORKERS = 2

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
    workers: int = WORKERS
    stored_state_bytes: int = 0
    load_before: list[float] = field(default_factory=list)
    load_after: list[float] = field(default_factory=list)
    ledger_seconds: list[float] = field(default_factory=list)
    ledger_cpu_seconds: list[float] = field(default_factory=list)  # this process and workers
    baseline_seconds: list[float] = field(default_factory=list)
    baseline_cpu_seconds: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)  # per round
    read_us: list[float] = field(default_factory=list)  # pass 1, CPU per entry
    check_us: list[float] = field(default_factory=list)  # checking in one process, cold
    exact_check_us: list[float] = field(default_factory=list)  # the same, exact path only
    format_us: list[float] = field(default_factory=list)  # the stored format's own work

    def summary(self) -> dict[str, float]:
        ledger = statistics.median(self.ledger_seconds)
        baseline = statistics.median(self.baseline_seconds)
        return {
            "ledger_median_events_per_s": self.events / ledger,
            "baseline_median_events_per_s": self.events / baseline,
            "ratio_median_of_rounds": statistics.median(self.ratios),
            "ledger_cpu_us_per_entry": statistics.median(self.ledger_cpu_seconds)
            * 1e6
            / self.events,
            "read_us_per_entry": statistics.median(self.read_us),
            "check_us_per_entry": statistics.median(self.check_us),
            "exact_check_us_per_entry": statistics.median(self.exact_check_us),
            "format_us_per_entry": statistics.median(self.format_us),
            "store_us_per_entry": statistics.median(self.baseline_cpu_seconds) * 1e6 / self.events,
        }


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # not on every platform
        return []


def cold_caches() -> None:
    """Empty the caches a `ledger import` process starts without: the fast path's parsed
    clocks and references, and the time parser's (a benchmark process keeps them warm from
    one round to the next, which no real import enjoys)."""
    for module in (fastpath, timeparse):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
    fastpath._checkers.clear()


def cpu_seconds() -> float:
    """CPU time of this process and of its waited-for children (the import's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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


def time_ledger_import(
    jsonl: Path, db: Path, expected: int, workers: int | None = WORKERS
) -> tuple[float, float]:
    """Seconds from constructing the application to the end of the import: wall, and CPU
    of this process and the worker processes."""
    cold_caches()
    cpu = cpu_seconds()
    start = time.perf_counter()
    ledger = CaseLedger(sqlite_store(str(db)))
    with jsonl.open("rb") as lines:
        report = import_sources(ledger, [Source(jsonl.name, lines)], workers=workers)
    elapsed = time.perf_counter() - start
    cpu = cpu_seconds() - cpu
    ledger.close()
    if (report.recorded, report.skipped) != (expected, 0):
        raise SystemExit(
            f"error: import recorded {report.recorded} and skipped {report.skipped}, "
            f"expected {expected} and 0"
        )
    return elapsed, cpu


def time_stages(jsonl: Path, exact: bool = False) -> tuple[float, float]:
    """Microseconds per entry of pass 1 and of checking, each alone in this process, with the
    import's own code (private to the importer, used here to take it apart); CPU time of this
    process, so other load on the machine does not count. `exact`: every case on the exact
    path, as before the fast path. Caches start empty, as in a new `ledger import`."""
    cold_caches()
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


def time_format(jsonl: Path, rows: list[Row]) -> float:
    """Microseconds per entry of what the stored format itself asks of any path, with the
    ledger's own functions and no check at all: each line decoded and tested for a key
    given twice, its fingerprint, and for a stored state (the rows the ledger stored) its
    chain hash and its bytes, kept as rows are. CPU time of this process: the least checking
    could cost here in this language."""
    lines = jsonl.read_bytes().splitlines(keepends=True)
    states = []
    for _, seq, _, data in rows:
        state = orjson.loads(data)
        recorded_at = state.pop("timestamp")["_data_"]
        del state["hash"]
        states.append((seq, recorded_at, state))
    with importer._gc_paused():
        start = time.process_time()
        kept = []
        for line, (seq, recorded_at, state) in zip(lines, states, strict=True):
            obj = orjson.loads(line)
            duplicate_key(line, obj)
            entry_hash(obj)
            chain_hash_at(state, seq, recorded_at)
            kept.append(orjson.dumps(state))
        elapsed = time.process_time() - start
    return elapsed * 1e6 / len(lines)


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


def time_baseline(rows: list[Row], db: Path) -> tuple[float, float]:
    """Seconds to insert `rows` into a fresh file with executemany in one transaction: wall,
    and CPU of this process."""
    cpu = time.process_time()
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
    cpu = time.process_time() - cpu
    (count,) = conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()
    conn.close()
    if count != len(rows):
        raise SystemExit(f"error: baseline stored {count} rows, expected {len(rows)}")
    return elapsed, cpu


def report(fig: Figures) -> str:
    summary = fig.summary()
    m = fig.machine
    ratio = summary["ratio_median_of_rounds"]
    check = summary["check_us_per_entry"]
    lines = [
        "import benchmark",
        f"command:   {shlex.join(fig.command)}",
        f"started:   {fig.started}",
        f"machine:   {m['platform']}",
        f"cpu:       {m['cpu']}, {m['cores']} cores ({m['cores_usable']} usable)",
        f"software:  {m['python']}, eventsourcing {m['eventsourcing']}, "
        f"orjson {m['orjson']}, SQLite {m['sqlite']}",
        f"load:      {fig.load_before} before the rounds, {fig.load_after} after (1, 5, 15 min)",
        f"input:     {fig.cases} cases x {fig.events_per_case} events = {fig.events} events, "
        f"seed {fig.seed}, {fig.jsonl_bytes / 1e6:.1f} MB JSONL "
        f"(generated in {fig.generate_seconds:.2f} s, not timed)",
        f"stored:    {fig.events} rows, {fig.stored_state_bytes / 1e6:.1f} MB of state",
        "",
        f"ledger import: CaseLedger(sqlite_store(fresh file)) + importer.import_sources(file), "
        f"{fig.workers} workers;",
        "               cold caches; validation, chain hashes, encoding, inserts in one "
        "transaction",
        "baseline:      the same rows into a fresh file, same table and pragma (journal_mode=WAL),",
        "               sqlite3 executemany in one transaction",
        "rounds:        both in each round, in alternating order; ratio = median of per-round "
        "ratios",
        "",
        f"{'round':>5} {'ledger s':>9} {'CPU s':>7} {'ledger ev/s':>12} "
        f"{'baseline s':>11} {'baseline ev/s':>14} {'ratio':>7}",
    ]
    for run, (ls, lc, bs, r) in enumerate(
        zip(
            fig.ledger_seconds,
            fig.ledger_cpu_seconds,
            fig.baseline_seconds,
            fig.ratios,
            strict=True,
        ),
        1,
    ):
        lines.append(
            f"{run:>5} {ls:>9.3f} {lc:>7.2f} {fig.events / ls:>12,.0f} {bs:>11.3f} "
            f"{fig.events / bs:>14,.0f} {r:>7.3f}"
        )
    lines += [
        "",
        f"median ledger import:   {summary['ledger_median_events_per_s']:>12,.0f} events/s",
        f"median baseline:        {summary['baseline_median_events_per_s']:>12,.0f} events/s",
        f"ratio (median of rounds): {ratio:>10.3f}   target >= {TARGET_RATIO}: "
        f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}",
        "",
        "CPU time per entry, each stage alone in one process (medians):",
        f"  reading and grouping (pass 1)               {summary['read_us_per_entry']:>7.1f}",
        f"  checking, fast path (cold caches)           {check:>7.1f}   target <= "
        f"{TARGET_CHECK_US:.0f}: {'met' if check <= TARGET_CHECK_US else 'NOT met'}",
        "  checking, exact path alone                  "
        f"{summary['exact_check_us_per_entry']:>7.1f}",
        "  the stored format's own work, no checks     "
        f"{summary['format_us_per_entry']:>7.1f}   (decode, key test, fingerprint, chain hash, "
        "bytes)",
        f"  storing (the baseline's CPU)                {summary['store_us_per_entry']:>7.1f}",
        f"  the whole import, all processes             {summary['ledger_cpu_us_per_entry']:>7.1f}",
    ]
    return "\n".join(lines)


def run_rounds(fig: Figures, jsonl: Path, work: Path) -> list[Row]:
    """Fill `fig` with `fig.repeat` interleaved rounds and the stage figures; return the rows
    the ledger stored (for other baselines)."""
    # This process imports as `ledger import` does, its allocator tuned as that command
    # tunes it; the baseline, in the same process, has the same allocator.
    keep_freed_memory()
    # An untimed import first: the baseline's rows, and the ledger's own table to compare.
    first = work / "ledger-0.db"
    time_ledger_import(jsonl, first, fig.events, fig.workers)
    rows = stored_rows(first)
    ledger_table = table_sql(first)
    _remove(first)
    fig.stored_state_bytes = sum(len(r[3]) for r in rows)
    if len(rows) != fig.events:
        raise SystemExit(f"error: the ledger stored {len(rows)} rows, not {fig.events}")
    fig.load_before = load_average()
    for run in range(1, fig.repeat + 1):
        db, base = work / f"ledger-{run}.db", work / f"baseline-{run}.db"
        if run % 2:
            wall, cpu = time_ledger_import(jsonl, db, fig.events, fig.workers)
            base_wall, base_cpu = time_baseline(rows, base)
        else:
            base_wall, base_cpu = time_baseline(rows, base)
            wall, cpu = time_ledger_import(jsonl, db, fig.events, fig.workers)
        if table_sql(base) != ledger_table:  # the baseline must use the ledger's own table
            raise SystemExit(
                f"error: baseline table differs from the ledger's:\n{table_sql(base)}\n"
                f"{ledger_table}\nupdate CREATE_TABLE from eventsourcing/sqlite.py"
            )
        _remove(db)
        _remove(base)
        fig.ledger_seconds.append(wall)
        fig.ledger_cpu_seconds.append(cpu)
        fig.baseline_seconds.append(base_wall)
        fig.baseline_cpu_seconds.append(base_cpu)
        fig.ratios.append(base_wall / wall)
        read_us, check_us = time_stages(jsonl)
        fig.read_us.append(read_us)
        fig.check_us.append(check_us)
        fig.exact_check_us.append(time_stages(jsonl, exact=True)[1])
        fig.format_us.append(time_format(jsonl, rows))
        print(
            f"round {run}: ledger {wall:.3f} s ({cpu:.2f} s CPU), baseline {base_wall:.3f} s, "
            f"ratio {fig.ratios[-1]:.3f}; checking {check_us:.1f} us/entry CPU "
            f"(exact path {fig.exact_check_us[-1]:.1f})",
            file=sys.stderr,
        )
    fig.load_after = load_average()
    return rows


def new_figures(
    argv_shown: list[str], cases: int, per_case: int, seed: int, repeat: int, jsonl: Path
) -> Figures:
    """Generate the input into `jsonl` and the figures to fill."""
    start = time.perf_counter()
    with jsonl.open("wb") as out:
        events = write_jsonl(generate(cases, per_case, seed), out)
    return Figures(
        command=argv_shown,
        started=datetime.now(UTC).isoformat(timespec="seconds"),
        machine=machine(),
        cases=cases,
        events_per_case=per_case,
        events=events,
        seed=seed,
        repeat=repeat,
        jsonl_bytes=jsonl.stat().st_size,
        generate_seconds=time.perf_counter() - start,
    )


def _remove(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000, help="cases to generate (2000)")
    parser.add_argument("--events-per-case", type=int, default=10, help="events per case (10)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds (5)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write figures as JSON")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.events_per_case < 1 or args.repeat < 1:
        parser.error("--cases, --events-per-case and --repeat must be at least 1")

    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        work = Path(tmp)
        shown = [sys.executable, *(sys.argv if argv is None else ["import_bench.py", *argv])]
        fig = new_figures(
            shown, args.cases, args.events_per_case, args.seed, args.repeat, work / "in.jsonl"
        )
        run_rounds(fig, work / "in.jsonl", work)

    print(report(fig))
    if args.json is not None:
        data = asdict(fig) | fig.summary()
        args.json.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
