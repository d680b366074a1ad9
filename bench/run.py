"""Generate an organisation at scale, then time the scenarios of issue 7 against their floors.

Usage: `make bench SCALE=district|province|nation [SMOKE=1]`, or
`.venv/bin/python bench/run.py --scale province [--reuse] [--smoke] [--no-memory]`.

district runs on SQLite in a temporary file (or on PostgreSQL with `--engine postgresql`);
province and nation run on PostgreSQL, in a database of their own (`chibo_bench_<scale>` on
BENCH_PG, by default postgres://postgres@127.0.0.1:5432), dropped and loaded again unless
`--reuse` finds it loaded (a reused database is migrated all the same: tables added since its
load appear, empty). `--smoke`: two runs a scenario and a 1.000-row import, for CI. `--dry`:
generate the scale into nothing and count its rows and bytes per table (what the generator
costs without a database to load).
Writes bench/results/<scale>-<engine>-<date>.json and prints a table.
"""

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--scale", default="district", choices=["tiny", "district", "province", "nation"]
    )
    parser.add_argument("--engine", choices=["sqlite", "postgresql"])
    parser.add_argument("--smoke", action="store_true", help="few runs, small import (CI)")
    parser.add_argument("--reuse", action="store_true", help="keep a loaded database")
    parser.add_argument("--load-only", action="store_true", help="generate, run nothing")
    parser.add_argument("--dry", action="store_true", help="generate into nothing, count rows")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory runs")
    parser.add_argument(
        "--series", default="", help="a suffix for the results file (another machine, same day)"
    )
    parser.add_argument("--only", default="", help="run the scenarios whose name has this text")
    parser.add_argument("--skip", default="", help="skip the scenarios with one of these texts")
    return parser.parse_args()


def prepare_postgres(name: str, reuse: bool) -> tuple[str, bool]:
    """The scale's own database, created empty unless it is reused; (dsn, is it loaded?)."""
    import psycopg

    assert name.startswith("chibo_bench_"), name  # never the application's or the tests' database
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        dsn = f"{PG_SERVER}/{name}"
        fresh = not (exists and reuse)
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        for setting, value in planner_settings().items():
            conn.execute(f"ALTER DATABASE \"{name}\" SET {setting} = '{value}'")
    if fresh:
        return dsn, False
    with psycopg.connect(dsn) as db:
        loaded = db.execute(
            "SELECT to_regclass('members_member') IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM members_member)"
        ).fetchone()
    return dsn, bool(loaded and loaded[0])


def planner_settings() -> dict[str, str]:
    """The planner's settings docs/deploy.md gives a production server, set on the bench's
    database so that its scenarios and floors are planned as they would be there: pages read
    at random cost about what they cost in order (SSD, or the database in memory), and most
    of the machine's memory caches the database. PostgreSQL's defaults (4 and 4 GB) plan a
    piece of the national evaluation as a scan of the Party's 5,6 million memberships rather
    than the piece's 200.000 by their unit (decision 0021)."""
    cache_mib = memory_kib() * 3 // 4 // 1024
    return {"random_page_cost": "1.1", "effective_cache_size": f"{cache_mib}MB"}


def memory_kib() -> int:
    """The machine's memory, as Linux reports it."""
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    return next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))


class Counting:
    """A sink that keeps nothing: rows and bytes per table."""

    def __init__(self) -> None:
        self.rows: dict[str, int] = {}
        self.bytes: dict[str, int] = {}

    def write(self, table: str, text: str) -> None:
        self.rows[table] = self.rows.get(table, 0) + text.count("\n")
        self.bytes[table] = self.bytes.get(table, 0) + len(text.encode())

    def flush(self) -> None:
        pass


def dry_run(scale: Any) -> None:
    """Generate `scale` into nothing; print the rows and MiB of each table and the time."""
    from bench import generate
    from bench.report import number

    sink = Counting()
    start, cpu = time.perf_counter(), time.process_time()
    generate.Generator(scale, generate.Rows(sink)).run()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    for table in generate.TABLES:
        rows, size = sink.rows.get(table, 0), sink.bytes.get(table, 0) / 2**20
        print(f"{table:<28} {number(rows):>12} rows {number(size, 1):>9} MiB")
    recruitment = [t for t in generate.TABLES if t.startswith(("recruitment_", "committees_"))]
    print(
        f"{scale.name}: {number(sum(sink.rows.values()))} rows "
        f"({number(sum(sink.rows.get(t, 0) for t in recruitment))} for recruitment), "
        f"{number(sum(sink.bytes.values()) / 2**20)} MiB of COPY text, "
        f"generated in {number(seconds, 1)} s ({number(cpu, 1)} s of CPU)"
    )


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if "model name" in ln), "?")
    memory = memory_kib()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory / 2**20, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def main() -> None:
    args = parse()
    engine = args.engine or ("sqlite" if args.scale in ("tiny", "district") else "postgresql")
    if args.dry:
        engine = "sqlite"  # an empty database of the rules' defaults, which the generator reads
    tmp = None
    loaded = False
    if engine == "sqlite":
        tmp = tempfile.mkdtemp(prefix="chibo-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        dsn = None
    else:
        dsn, loaded = prepare_postgres(f"chibo_bench_{args.scale}", args.reuse)
        os.environ["DATABASE_URL"] = dsn
    os.environ["DJANGO_SETTINGS_MODULE"] = "chibo.settings"
    os.environ["CHIBO_ALLOWED_HOSTS"] = "testserver"

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from bench import generate, scenarios

    settings.DEBUG = False  # no query log; templates are cached either way
    scale = generate.SCALES[args.scale]
    report: dict[str, Any] = {
        "scale": asdict(scale),
        "engine": connection.vendor,
        "date": date.today().isoformat(),
        "machine": machine(),
        "smoke": args.smoke,
    }
    start = time.perf_counter()
    call_command("migrate", verbosity=0)  # on a reused database: the tables added since its load
    print(f"migrate: {time.perf_counter() - start:.1f} s")
    if args.dry:
        dry_run(scale)
        connection.close()
        shutil.rmtree(tmp or "", ignore_errors=True)
        return
    if not loaded:
        load = generate.load(scale, dsn=dsn)
        report["load"] = {"rows": load.rows, "seconds": load.seconds}
        print(f"load: {load.seconds}  rows: {load.rows}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT version(), current_setting('shared_buffers'), "
                "current_setting('work_mem'), pg_size_pretty(pg_database_size(current_database()))"
            )
            version, buffers, work_mem, size = cursor.fetchone()
            names = ["random_page_cost", "effective_cache_size", "jit"]
            cursor.execute(f"SELECT {', '.join('current_setting(%s)' for _n in names)}", names)
            planned = dict(zip(names, cursor.fetchone(), strict=True))
            cursor.execute(
                "SELECT relname, pg_total_relation_size(oid) FROM pg_class "
                "WHERE relname = ANY(%s) ORDER BY 2 DESC",
                [list(generate.TABLES)],
            )
            tables = {name: round(n / 2**20) for name, n in cursor.fetchall()}
        report["postgresql"] = {
            "version": version.split(" on ")[0],
            "shared_buffers": buffers,
            "work_mem": work_mem,
            **planned,
            "database_size": size,
            "table_mib": tables,
        }
    results = []
    ctx = None if args.load_only else scenarios.context(scale, smoke=args.smoke)
    for scenario in scenarios.all_scenarios(ctx) if ctx else []:
        skipped = [text for text in args.skip.split(",") if text and text in scenario.name]
        if (args.only and args.only not in scenario.name) or skipped:
            continue
        results.append(asdict(scenarios.measure(scenario, memory=not args.no_memory)))
    series = f"-{args.series}" if args.series else ""
    name = f"{args.scale}-{connection.vendor}-{date.today()}{series}.json"
    out = ROOT / "bench" / "results" / name
    if args.smoke:
        out = Path(tempfile.gettempdir()) / out.name  # a smoke run proves it works, keeps nothing
    for r in results:  # each result says where it ran: a day's file may hold several runs
        r["cpu"] = report["machine"]["cpu"]
    if not args.smoke and out.exists():  # a later run of the same day replaces its scenarios
        earlier = json.loads(out.read_text())
        for r in earlier.get("results", []):
            r.setdefault("cpu", earlier.get("machine", {}).get("cpu"))
        fresh = {r["name"]: r for r in results}
        kept = [fresh.pop(r["name"], r) for r in earlier.get("results", [])]
        results = kept + list(fresh.values())
        report = {**earlier, **report}  # a reused database keeps the load figures of its load
    report["results"] = results
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"written to {out}")
    connection.close()
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
