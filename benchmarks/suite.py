"""Every benchmark of the ledger, each against a baseline measured in the same run.

    .venv/bin/python benchmarks/suite.py [--events 1000000] [--repeat 5] [--json FILE]
        [--postgres URL]        (default: $LEDGER_BENCH_DATABASE_URL or $LEDGER_TEST_DATABASE_URL)

Prints the command, the machine and its load average (before and after), then one table with
each of issue 17's targets, met or not met. Ratios are medians of per-round ratios, the two
sides alternated within each round in this one process, so that drift in the machine's speed
(other work on it) falls on both alike; costs of single stages are CPU time.

1. import      JSONL import into a fresh SQLite ledger (2 worker processes, caches cold as in a
               new process) against the same stored rows inserted with plain sqlite3
               executemany in one transaction (import_bench.py; 2,000 cases x 10 events).
                                                                        target ratio >= 0.5
               Checking, CPU per entry in one process, fast path, cold.  target <= 10 us
               Also reported: CPU per entry of reading, the exact path, the stored format's
               own work with no check (the least checking costs here), storing, and the whole
               import summed over its processes.
2. memory      peak memory of `ledger import` of a --events file (a subprocess): the summed
               PSS of the process and its workers (sampled every 20 ms) and the largest
               ru_maxrss of any of them; the larger counts.              target <= 150 MB
               This import also builds the large ledger for 3 and 4.
3. timeline    `timeline` of one 100-event case, to JSON in-process: on the large ledger against a
               ledger holding only that case.                           target ratio <= 1.2
4. check --all full rebuild of the case index and the kept per-case rule results on the
               large ledger, from emptied views: events per CPU second of this process
               (median of --repeat rounds), with the CPU of each stage (reading and
               decoding, the rules, writing the kept rows).         target >= 60,000 ev/s
               Answering `check --all` from the kept rows as cli/check.py does, alternated
               with the rebuild, median of per-round CPU ratios: `--format json` (the kept
               parts summed and spliced, projections/kept/answer.py), and the default text
               table (the kept reports, one line per finding, at width 120).
                                                                        target ratio <= 0.01
               Then the update after appending 1,000 events (10 new cases x 100): only
               those cases are checked.                                 target ratio <= 0.05
5. postgres    when a server is given: the import of 1 on PostgreSQL against psycopg
               executemany (and, reported, COPY) of the same rows through the same driver (its
               implementation printed: `binary` with the `postgres` extra), alternated, median
               of per-round ratios; and the timeline of 3 on it.       target ratio >= 0.4
6. diagram     the timeline diagram (DOT and `dot` to SVG, in-process) of a 500-entry case
               against a 100-entry one.                                 (reported: seconds)
   decisions   `decisions()` of a 2,000-entry case against a 200-entry one, CPU seconds,
               alternated, median of per-round ratios.                  target ratio <= 12
7. startup     `ledger --help` in a new process against `python -c "import click"`, alternated,
               median of per-round ratios (at least 30 rounds).         target ratio <= 1.2
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_bench

from ledger.application import CaseLedger
from ledger.importer import Source, import_sources
from ledger.storage import postgres_store, sqlite_store
from ledger.synthetic import generate, write_jsonl
from ledger.views import open_views
from projections.formats import printable
from projections.kept.rule_results import check_all_cached, json_answer, refresh
from projections.records import labels, to_records
from projections.rules import check_all_table
from projections.rules.output import horizon_text
from projections.rules_config import DEFAULT_POLICY
from projections.serialize import timeline_document
from projections.timeline import ViewPoint, timeline

CASE_EVENTS = 100
ROOT = Path(__file__).resolve().parents[1]


def median(values: list[float]) -> float:
    return statistics.median(values)


def write_file(path: Path, cases: int, events: int, seed: int, prefix: str = "SYN") -> int:
    with path.open("wb") as out:
        return write_jsonl(generate(cases, events, seed=seed, prefix=prefix), out)


# Runs a command and prints the largest resident set of its process tree (KiB). The import
# is started by this small process, not by the benchmark's: Linux carries a process's peak
# resident set across exec, so an import started here would report this process's own memory
# (the benchmark's data, and what its allocator keeps) as its peak.
_LAUNCHER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(code)\n"
)


def import_in_subprocess(jsonl: Path, db: Path) -> tuple[float, float, float]:
    """Seconds and peak memory (MB) of `ledger import` in its own process: the summed PSS
    and the largest ru_maxrss.

    The import checks cases in worker processes, so its memory is the sum over the process
    and its workers: their proportional set sizes (PSS, which counts pages the forked workers
    share with their parent once), sampled every 20 ms (0 where /proc has no smaps_rollup).
    ru_maxrss (of the import process, which covers the workers it waited for) is the largest
    resident set of any one of them, counting shared pages in full. Both leave out the small
    process that starts the import (`_LAUNCHER`).
    """
    command = [sys.executable, "-m", "cli.main", "--db", str(db), "import", "-q", str(jsonl)]
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", _LAUNCHER, *command], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, sum(_tree_pss_mb(child) for child in _children(process.pid)))
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    maxrss_kib = process.stdout.read() if process.stdout else ""
    if process.returncode != 0:
        raise SystemExit(f"error: {shlex.join(command)} failed")
    return elapsed, peak, int(maxrss_kib) / 1024


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            return [int(child) for child in children.read().split()]
    except (OSError, ValueError):
        return []


def _tree_pss_mb(pid: int) -> float:
    """The summed PSS of a process and its descendants, in MB (0 when /proc cannot tell)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup", encoding="ascii") as rollup:
                total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            continue  # the process ended meanwhile
        pending += _children(current)
    return total / 1024


def time_timeline(ledger: CaseLedger, case: str, repeat: int) -> float:
    """Median seconds for one case's timeline, as JSON bytes, read from the store."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        records = to_records(ledger.history(case))
        document = timeline_document(
            case, timeline(records), labels(records), ViewPoint(), "occurred"
        )
        orjson.dumps(document)
        runs.append(time.perf_counter() - start)
    return median(runs)


def bench_import(repeat: int, work: Path) -> dict[str, Any]:
    jsonl = work / "import.jsonl"
    fig = import_bench.new_figures([], 2000, 10, 1, repeat, jsonl)
    rows = import_bench.run_rounds(fig, jsonl, work)
    summary = fig.summary()
    return {
        "events": fig.events,
        "workers": fig.workers,
        "ledger_eps": summary["ledger_median_events_per_s"],
        "baseline_eps": summary["baseline_median_events_per_s"],
        "ratio": summary["ratio_median_of_rounds"],
        "ratios": fig.ratios,
        "read_us": summary["read_us_per_entry"],
        "check_us": summary["check_us_per_entry"],
        "exact_check_us": summary["exact_check_us_per_entry"],
        "format_us": summary["format_us_per_entry"],
        "store_us": summary["store_us_per_entry"],
        "import_cpu_us": summary["ledger_cpu_us_per_entry"],
        "rows": rows,
    }


def bench_large(events: int, repeat: int, work: Path) -> dict[str, Any]:
    cases = max(1, events // CASE_EVENTS)
    big_file, big_db = work / "large.jsonl", work / "large.db"
    write_file(big_file, cases, CASE_EVENTS, seed=2)
    import_seconds, peak_mb, maxrss_mb = import_in_subprocess(big_file, big_db)
    big_file.unlink()

    small_file, small_db = work / "small.jsonl", work / "small.db"
    write_file(small_file, 1, CASE_EVENTS, seed=2)  # the very same first case
    import_in_subprocess(small_file, small_db)

    case = "SYN-000001"
    big, small = CaseLedger(sqlite_store(str(big_db))), CaseLedger(sqlite_store(str(small_db)))
    time_timeline(big, case, 3)  # warm both the same way
    time_timeline(small, case, 3)
    # Interleaved, so that the machine's drift falls on both alike.
    big_runs, small_runs = [], []
    for _ in range(repeat):
        big_runs.append(time_timeline(big, case, 20))
        small_runs.append(time_timeline(small, case, 20))
    big_timeline, small_timeline = median(big_runs), median(small_runs)

    views = open_views(big.store)
    check_all = bench_check_all(big, views, repeat)
    full = check_all["check_rebuild_wall_seconds"]
    more = work / "more.jsonl"
    write_file(more, 10, CASE_EVENTS, seed=3, prefix="NEW")
    with more.open("rb") as lines:
        import_sources(big, [Source(more.name, lines)])
    start = time.perf_counter()
    incremental_stats = refresh(big, views, policy=DEFAULT_POLICY, owner_agency=None, now=_now())
    incremental = time.perf_counter() - start
    big.close()
    small.close()
    return {
        "events": cases * CASE_EVENTS,
        "import_seconds": import_seconds,
        "peak_mb": peak_mb,
        "maxrss_mb": maxrss_mb,
        "timeline_large_ms": big_timeline * 1000,
        "timeline_small_ms": small_timeline * 1000,
        "check_full_seconds": full,
        "check_incremental_seconds": incremental,
        "check_incremental_cases": incremental_stats.rechecked,
        **check_all,
    }


def bench_check_all(ledger: CaseLedger, views: Any, repeat: int) -> dict[str, Any]:
    """`check --all` from nothing: the kept views emptied, then the index and every case's
    rule results rebuilt (CPU seconds of this process, and wall); then the answers from the
    kept rows, JSON and text, as cli/check.py makes their bytes. Rounds alternate rebuild and
    answers; the ratios are medians of per-round ratios of CPU seconds. The rebuild's CPU per
    stage comes from the refresh itself."""
    now = _now()
    rebuild_cpu, rebuild_wall, stages = [], [], []
    answer_cpu: dict[str, list[float]] = {"json": [], "text": []}
    ratios: dict[str, list[float]] = {"json": [], "text": []}
    cases = findings = 0
    for _ in range(max(1, repeat)):
        views.replace(ledger.name, [], None)
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        stats = refresh(ledger, views, policy=DEFAULT_POLICY, owner_agency=None, now=now)
        rebuild_cpu.append(time.process_time() - start_cpu)
        rebuild_wall.append(time.perf_counter() - start_wall)
        cases = stats.rechecked
        stages.append((stats.cpu_read, stats.cpu_rules, stats.cpu_write))
        for kind, answer in (("json", _json_answer), ("text", _text_answer)):
            start_cpu = time.process_time()
            findings = answer(ledger, views, now)
            answer_cpu[kind].append(time.process_time() - start_cpu)
            ratios[kind].append(answer_cpu[kind][-1] / rebuild_cpu[-1])
    return {
        "check_full_cases": cases,
        "check_rebuild_cpu_seconds": median(rebuild_cpu),
        "check_rebuild_wall_seconds": median(rebuild_wall),
        "check_rebuild_read_cpu_seconds": median([s[0] for s in stages]),
        "check_rebuild_rules_cpu_seconds": median([s[1] for s in stages]),
        "check_rebuild_write_cpu_seconds": median([s[2] for s in stages]),
        "check_answer_findings": findings,
        "check_answer_cpu_seconds": median(answer_cpu["json"]),
        "check_answer_ratio": median(ratios["json"]),
        "check_text_answer_cpu_seconds": median(answer_cpu["text"]),
        "check_text_answer_ratio": median(ratios["text"]),
    }


def _json_answer(ledger: CaseLedger, views: Any, now: Any) -> int:
    """`check --all --format json`'s bytes as cli/check.py makes them (`_kept_json`: in the
    pieces it writes one after the other); returns how many findings they hold."""
    answer = json_answer(
        ledger, views, group_by="rule", policy=DEFAULT_POLICY, owner_agency=None, now=now
    )
    assert answer is not None
    return len(answer[1])


def _text_answer(ledger: CaseLedger, views: Any, now: Any) -> int:
    """`check --all`'s table as cli/check.py makes it (the kept reports, the table at width
    120, made printable and encoded as `emit` writes it)."""
    checked, _ = check_all_cached(ledger, views, policy=DEFAULT_POLICY, owner_agency=None, now=now)
    reports = [item.report for item in checked]
    labels = {item.report.case or "": item.labels for item in checked}
    horizon = horizon_text(None, None, now)
    table = check_all_table(reports, labels, "rule", DEFAULT_POLICY, horizon, 120)
    printable(table, lines=True).encode()
    return sum(len(report.findings) for report in reports)


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def bench_postgres(url: str, rows: list[Any], repeat: int, work: Path) -> dict[str, Any] | None:
    """The import on PostgreSQL against psycopg executemany and COPY of the same rows, through
    the same driver in the same process (its implementation is reported: the binary one is
    what the `postgres` extra installs), alternated per round; ratios are medians of per-round
    ratios, so drift in the machine's speed falls on both sides alike."""
    try:
        import psycopg
    except ImportError:
        return None
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as error:
        print(f"postgres: skipped ({str(error).strip()})", file=sys.stderr)
        return None
    jsonl = work / "import.jsonl"
    count = sum(1 for _ in jsonl.open("rb"))

    def fresh_schema() -> str:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        return schema

    def drop(schema: str) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    def ledger_import() -> float:
        schema = fresh_schema()
        try:
            import_bench.cold_caches()
            start = time.perf_counter()
            ledger = CaseLedger(postgres_store(f"{url}?schema={schema}"))
            with jsonl.open("rb") as lines:
                import_sources(ledger, [Source(jsonl.name, lines)], workers=import_bench.WORKERS)
            elapsed = time.perf_counter() - start
            timelines.append(time_timeline(ledger, "SYN-000001", 5))
            ledger.close()
            return elapsed
        finally:
            drop(schema)

    ledger_runs, many_runs, copy_runs, timelines = [], [], [], []
    many_ratios, copy_ratios = [], []
    # The baselines' tables are copies of the ledger's, made in a schema of their own.
    template = fresh_schema()
    try:
        CaseLedger(postgres_store(f"{url}?schema={template}")).close()
        ledger_import()  # untimed: the same warm-up for every round after it
        for run in range(repeat):
            if run % 2 == 0:
                ledger_seconds = ledger_import()
            many = _pg_insert(url, template, rows, copy=False)
            copy = _pg_insert(url, template, rows, copy=True)
            if run % 2 == 1:
                ledger_seconds = ledger_import()
            ledger_runs.append(count / ledger_seconds)
            many_runs.append(count / many)
            copy_runs.append(count / copy)
            many_ratios.append(many / ledger_seconds)
            copy_ratios.append(copy / ledger_seconds)
    finally:
        drop(template)
    return {
        "driver": psycopg.pq.__impl__,
        "ledger_eps": median(ledger_runs),
        "executemany_eps": median(many_runs),
        "copy_eps": median(copy_runs),
        "executemany_ratio": median(many_ratios),
        "executemany_ratios": many_ratios,
        "copy_ratio": median(copy_ratios),
        "timeline_ms": median(timelines[1:]) * 1000,
    }


def _pg_insert(url: str, schema: str, rows: list[Any], *, copy: bool) -> float:
    """Seconds to insert the same rows into a copy of the ledger's PostgreSQL table."""
    import psycopg

    table = f'"{schema}".baseline_{"copy" if copy else "many"}'
    values = [(uuid.UUID(str(r[0])), r[1], r[2], bytes(r[3])) for r in rows]
    with psycopg.connect(url) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.commit()
        # Timed from creating the table, as the ledger's time includes creating its tables.
        start = time.perf_counter()
        conn.execute(f'CREATE TABLE {table} (LIKE "{schema}".ledger_events INCLUDING ALL)')
        with conn.cursor() as cursor:
            if copy:
                columns = "(originator_id, originator_version, topic, state)"
                with cursor.copy(f"COPY {table} {columns} FROM STDIN") as sink:
                    for row in values:
                        sink.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
                    "VALUES (%s, %s, %s, %s)",
                    values,
                )
        conn.commit()
        return time.perf_counter() - start


def bench_diagram(repeat: int, work: Path) -> dict[str, float]:
    """Median seconds to draw one case's timeline as SVG, for 500 and for 100 entries."""
    from projections.decisions import decisions
    from projections.diagram import render, timeline_graph

    seconds = {}
    for size in (500, 100):
        jsonl, db = work / f"diagram-{size}.jsonl", work / f"diagram-{size}.db"
        write_file(jsonl, 1, size, seed=5)
        ledger = CaseLedger(sqlite_store(str(db)))
        with jsonl.open("rb") as lines:
            import_sources(ledger, [Source(jsonl.name, lines)])
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            records = to_records(ledger.history("SYN-000001"))
            graph = timeline_graph("SYN-000001", records, decisions=decisions(records))
            render(graph, "svg")
            runs.append(time.perf_counter() - start)
        ledger.close()
        seconds[f"diagram_{size}_seconds"] = median(runs)
    return seconds


def bench_decisions(repeat: int, work: Path) -> dict[str, float]:
    """Who decided what on a 2,000-entry case against a 200-entry one: CPU seconds of
    `decisions()` per round, the two sizes alternated, the median of per-round ratios."""
    from projections.decisions import decisions

    cases = {}
    for size in (2000, 200):
        jsonl, db = work / f"decisions-{size}.jsonl", work / f"decisions-{size}.db"
        write_file(jsonl, 1, size, seed=7)
        ledger = CaseLedger(sqlite_store(str(db)))
        with jsonl.open("rb") as lines:
            import_sources(ledger, [Source(jsonl.name, lines)])
        cases[size] = to_records(ledger.history("SYN-000001"))
        ledger.close()

    def cpu(records: list[Any]) -> float:
        start = time.process_time()
        decisions(records)
        return time.process_time() - start

    # A round takes some 15 ms: fifteen of them, since three gave medians from 10.5 to 12.6.
    ratios, large, small = [], [], []
    for _ in range(max(15, repeat)):
        large.append(cpu(cases[2000]))
        small.append(cpu(cases[200]))
        ratios.append(large[-1] / small[-1])
    return {
        "decisions_2000_seconds": median(large),
        "decisions_200_seconds": median(small),
        "decisions_ratio": median(ratios),
    }


def bench_startup(repeat: int) -> dict[str, Any]:
    """A new process: the CLI's help against importing click alone, alternated per round
    (which goes first alternates too); median seconds and the median of per-round ratios."""

    def timed(command: list[str]) -> float:
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start

    help_command = [sys.executable, "-m", "cli.main", "--help"]
    click_command = [sys.executable, "-c", "import click"]
    # Compiled bytecode and the page cache warm for both alike: click's bytecode was written
    # when it was installed, the ledger's is written by this first run, even where the
    # environment says not to write bytecode (PYTHONDONTWRITEBYTECODE), which would leave
    # every timed run compiling the ledger's modules from source and click's not.
    writes_bytecode = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        help_command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=writes_bytecode
    )
    timed(click_command)
    helps, clicks, ratios = [], [], []
    # A run takes some 50 ms, and one disturbed run moves a median of few: at least 30.
    for run in range(max(repeat * 2, 30)):
        if run % 2:
            clicks.append(timed(click_command))
            helps.append(timed(help_command))
        else:
            helps.append(timed(help_command))
            clicks.append(timed(click_command))
        ratios.append(helps[-1] / clicks[-1])
    return {
        "help_seconds": median(helps),
        "click_seconds": median(clicks),
        "ratio": median(ratios),
    }


def row(
    name: str, measured: str, baseline: str, ratio: float | None, target: str, met: bool | None
) -> list[str]:
    return [
        name,
        measured,
        baseline,
        "—" if ratio is None else f"{ratio:.3f}",
        target,
        "—" if met is None else ("met" if met else "NOT met"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("LEDGER_BENCH_DATABASE_URL")
        or os.environ.get("LEDGER_TEST_DATABASE_URL"),
    )
    args = parser.parse_args(argv)
    print("command:", shlex.join([sys.executable, *sys.argv]))
    print("machine:", ", ".join(f"{k} {v}" for k, v in import_bench.machine().items()))
    load_before = import_bench.load_average()
    print("load average (1, 5, 15 min):", load_before)
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as tmp:
        work = Path(tmp)
        startup = bench_startup(args.repeat)
        diagram = bench_diagram(args.repeat, work)
        who_decided = bench_decisions(args.repeat, work)
        imported = bench_import(args.repeat, work)
        large = bench_large(args.events, args.repeat, work)
        postgres = (
            bench_postgres(args.postgres, imported["rows"], args.repeat, work)
            if args.postgres
            else None
        )
    load_after = import_bench.load_average()
    ratio_import = imported["ratio"]
    ratio_timeline = large["timeline_large_ms"] / large["timeline_small_ms"]
    ratio_check = large["check_incremental_seconds"] / large["check_full_seconds"]
    n = large["events"]
    rebuild_eps = n / large["check_rebuild_cpu_seconds"]
    memory_mb = max(large["peak_mb"], large["maxrss_mb"])
    rows = [
        row(
            f"import SQLite ({imported['events']:,} ev, {imported['workers']} workers)",
            f"{imported['ledger_eps']:,.0f} ev/s",
            f"{imported['baseline_eps']:,.0f} ev/s executemany",
            ratio_import,
            ">= 0.5",
            ratio_import >= 0.5,
        ),
        row(
            "  checking, CPU per entry, one process",
            f"{imported['check_us']:.1f} us",
            f"{imported['exact_check_us']:.1f} us exact path",
            None,
            "<= 10 us",
            imported["check_us"] <= 10,
        ),
        row(
            "  the stored format's own work, no checks",
            f"{imported['format_us']:.1f} us",
            "decode, key test, fingerprint, chain hash, bytes",
            None,
            "(reported)",
            None,
        ),
        row(
            "  CPU per entry: read / store / all",
            f"{imported['read_us']:.1f} / {imported['store_us']:.1f} us",
            f"{imported['import_cpu_us']:.1f} us whole import",
            None,
            "(reported)",
            None,
        ),
        row(
            f"peak memory, import of {n:,} ev",
            f"{memory_mb:.0f} MB",
            f"PSS sum {large['peak_mb']:.0f}, ru_maxrss {large['maxrss_mb']:.0f} MB "
            f"({n / large['import_seconds']:,.0f} ev/s)",
            None,
            "<= 150 MB",
            memory_mb <= 150,
        ),
        row(
            f"timeline, 100-ev case in {n:,} ev",
            f"{large['timeline_large_ms']:.2f} ms",
            f"{large['timeline_small_ms']:.2f} ms in 100 ev",
            ratio_timeline,
            "<= 1.2",
            ratio_timeline <= 1.2,
        ),
        row(
            f"check --all rebuild, {n:,} ev (CPU)",
            f"{rebuild_eps:,.0f} ev/s",
            f"{large['check_rebuild_cpu_seconds']:.1f} s CPU, "
            f"{large['check_rebuild_wall_seconds']:.1f} s wall",
            None,
            ">= 60,000 ev/s",
            rebuild_eps >= 60_000,
        ),
        row(
            "  CPU per stage",
            f"read {large['check_rebuild_read_cpu_seconds']:.2f} s",
            f"rules {large['check_rebuild_rules_cpu_seconds']:.2f} s, "
            f"write {large['check_rebuild_write_cpu_seconds']:.2f} s",
            None,
            "(reported)",
            None,
        ),
        row(
            "check --all update after +1,000 ev",
            f"{large['check_incremental_seconds']:.2f} s",
            f"{large['check_full_seconds']:.1f} s rebuild",
            ratio_check,
            "<= 0.05",
            ratio_check <= 0.05,
        ),
        row(
            "check --all answer, JSON (CPU)",
            f"{large['check_answer_cpu_seconds']:.2f} s",
            f"{large['check_rebuild_cpu_seconds']:.1f} s rebuild "
            f"({large['check_answer_findings']:,} findings)",
            large["check_answer_ratio"],
            "<= 0.01",
            large["check_answer_ratio"] <= 0.01,
        ),
        row(
            "  text table (the default)",
            f"{large['check_text_answer_cpu_seconds']:.2f} s",
            f"{large['check_rebuild_cpu_seconds']:.1f} s rebuild",
            large["check_text_answer_ratio"],
            "<= 0.01",
            large["check_text_answer_ratio"] <= 0.01,
        ),
        row(
            "diagram, 500-entry case (SVG)",
            f"{diagram['diagram_500_seconds']:.2f} s",
            f"{diagram['diagram_100_seconds']:.2f} s for 100",
            diagram["diagram_500_seconds"] / diagram["diagram_100_seconds"],
            "(seconds)",
            None,
        ),
        row(
            "decisions, 2,000-entry case (CPU)",
            f"{who_decided['decisions_2000_seconds'] * 1000:.1f} ms",
            f"{who_decided['decisions_200_seconds'] * 1000:.1f} ms for 200",
            who_decided["decisions_ratio"],
            "<= 12",
            who_decided["decisions_ratio"] <= 12,
        ),
        row(
            "startup: ledger --help",
            f"{startup['help_seconds'] * 1000:.0f} ms",
            f"{startup['click_seconds'] * 1000:.0f} ms import click",
            startup["ratio"],
            "<= 1.2",
            startup["ratio"] <= 1.2,
        ),
    ]
    if postgres:
        rows += [
            row(
                f"import PostgreSQL (psycopg {postgres['driver']})",
                f"{postgres['ledger_eps']:,.0f} ev/s",
                f"{postgres['executemany_eps']:,.0f} ev/s executemany",
                postgres["executemany_ratio"],
                ">= 0.4",
                postgres["executemany_ratio"] >= 0.4,
            ),
            row(
                "",
                "",
                f"{postgres['copy_eps']:,.0f} ev/s COPY",
                postgres["copy_ratio"],
                "(reported)",
                None,
            ),
            row(
                "timeline PostgreSQL, 100-ev case",
                f"{postgres['timeline_ms']:.2f} ms",
                f"{large['timeline_small_ms']:.2f} ms SQLite",
                None,
                "(reported)",
                None,
            ),
        ]
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    for line in [HEADER, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    print(
        f"medians of {args.repeat} rounds (ratios: medians of per-round ratios); memory and "
        "the check --all update: one run each"
    )
    print(f"load average (1, 5, 15 min): {load_before} before, {load_after} after")
    if args.json:
        imported.pop("rows")
        args.json.write_bytes(
            orjson.dumps(
                {
                    "machine": import_bench.machine(),
                    "load_before": load_before,
                    "load_after": load_after,
                    "import": imported,
                    "large": large,
                    "postgres": postgres,
                    "startup": startup,
                    "diagram": diagram,
                    "decisions": who_decided,
                },
                option=orjson.OPT_INDENT_2,
            )
        )
    return 0


HEADER = ["benchmark", "measured", "baseline", "ratio", "target", ""]

if __name__ == "__main__":
    raise SystemExit(main())
