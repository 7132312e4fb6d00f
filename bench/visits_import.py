"""How fast does Bibliotal import a national-scale people-counter file, in how much memory?

Generates a long-format counter file (``tidspunkt;sensor;ind;ud``, one row per sensor and
interval: by default 450 sensors for a year at 15-minute intervals, about 15.8 million rows and
460 MB), then measures, each in its own process so that peak memory is its own:

1. DuckDB's ``read_csv`` of the same file, every column parsed (the reading ceiling);
2. the store's ceiling: the file parsed and every reading written and committed, nothing else;
3. ``bibliotal import visits`` into a fresh database: reading, checking, writing the readings,
   and working out and cleaning the daily visits;
4. the store's ceiling again with the readings' foreign keys not checked (what they cost).

    .venv/bin/python bench/visits_import.py [--sensors 450] [--days 365] [--interval 15]
                                            [--file PATH] [--keep]

The database is SQLite in a temporary directory, or PostgreSQL when ``DATABASE_URL`` is set (a
database of its own: the tables are created there; the last measurement drops the readings'
foreign keys in it and puts them back afterwards). DuckDB is installed for the run with pip
when missing; it is a benchmark tool here, not a dependency of Bibliotal.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

FIRST_DAY = datetime(2021, 1, 4)


def generate(path: Path, *, sensors: int, days: int, interval: int) -> int:
    """Write the file a block at a time, in local time as counters write it (the spring hour
    skipped, the autumn hour twice); visitors only in opening hours, as counters see them."""
    rng = random.Random(2021)
    names = [f"S{number:03d}" for number in range(sensors)]
    zone = ZoneInfo("Europe/Copenhagen")
    first = FIRST_DAY.replace(tzinfo=zone).astimezone(UTC)
    last = (FIRST_DAY + timedelta(days=days)).replace(tzinfo=zone).astimezone(UTC)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("tidspunkt;sensor;ind;ud\n")
        at = first
        while at < last:
            local = at.astimezone(zone)
            stamp = local.strftime("%Y-%m-%d %H:%M")
            busy = 9 <= local.hour < 20
            block = []
            for name in names:
                count = rng.randint(0, 12) if busy else 0
                block.append(f"{stamp};{name};{count};{count}\n")
            out.write("".join(block))
            rows += len(names)
            at += timedelta(minutes=interval)
    return rows


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_duckdb(path: str) -> dict:
    import duckdb

    start = time.perf_counter()
    rows, total_in, _sensors, _first, _last = (
        duckdb.connect()
        .execute(
            f"SELECT count(*), sum(ind), count(DISTINCT sensor), min(tidspunkt), max(tidspunkt) "
            f"FROM read_csv('{path}', delim=';', header=true)"
        )
        .fetchall()[0]
    )
    seconds = time.perf_counter() - start
    return {"rows": rows, "in": int(total_in), "seconds": seconds, "peak_mb": peak_mb()}


def run_bibliotal(path: str) -> dict:
    if "DATABASE_URL" not in os.environ:
        os.environ["BIBLIOTAL_DATA_DIR"] = tempfile.mkdtemp(prefix="bibliotal-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bibliotal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Sum

    from bibliotal.core.models import Branch, Organisation
    from bibliotal.visits.importers import import_counter_file
    from bibliotal.visits.models import CounterReading, DailyVisits

    call_command("migrate", verbosity=0)
    fresh_readings()
    organisation = Organisation.objects.create(name=f"Bench {time.time_ns()}")
    branch = Branch.objects.create(organisation=organisation, name="Landet")
    before = peak_mb()
    phases: dict[str, float] = {}
    started = time.perf_counter()

    def progress(phase, done, total, unit=""):
        phases.setdefault(phase, time.perf_counter())

    with open(path, "rb") as source:
        result = import_counter_file(
            organisation=organisation,
            data=source,
            filename=Path(path).name,
            branch=branch,
            progress=progress,
        )
    seconds = time.perf_counter() - started
    marks = [*phases.values(), started + seconds]
    stored = CounterReading.objects.filter(sensor__organisation=organisation)
    return {
        "rows": result.created,
        "in": stored.aggregate(total=Sum("count_in"))["total"],
        "days": DailyVisits.objects.filter(branch=branch).count(),
        "seconds": seconds,
        "phases": {name: marks[index + 1] - marks[index] for index, name in enumerate(phases)},
        "peak_mb": peak_mb(),
        "before_mb": before,
        "database": django.db.connection.vendor,
    }


def fresh_readings() -> None:
    """On PostgreSQL the children share one database: each starts from no readings."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE visits_counterreading")


def run_store(path: str, *, foreign_keys: bool = True) -> dict:
    """The store's ceiling: the least any import of the file must do, and nothing else. The file
    parsed by polars, each row given its sensor and end, every reading written into the same
    table (executemany on SQLite, COPY on PostgreSQL) and committed; no checks, no days.
    Without ``foreign_keys`` the database does not check each reading's sensor and batch: what
    those checks cost (on PostgreSQL the constraints are dropped and put back afterwards, as
    they were)."""
    if "DATABASE_URL" not in os.environ:
        os.environ["BIBLIOTAL_DATA_DIR"] = tempfile.mkdtemp(prefix="bibliotal-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bibliotal.settings")
    import django

    django.setup()
    import polars as pl
    from django.core.management import call_command
    from django.db import transaction

    from bibliotal.core.models import Branch, ImportBatch, Organisation
    from bibliotal.visits import vectorised
    from bibliotal.visits.models import Sensor

    call_command("migrate", verbosity=0)
    fresh_readings()
    dropped = []  # PostgreSQL: the constraints to put back after measuring, exactly as they were
    if not foreign_keys:
        from django.db import connection

        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = 'visits_counterreading'::regclass AND contype = 'f'"
                )
                dropped = cursor.fetchall()
                for name, _definition in dropped:
                    cursor.execute(f'ALTER TABLE visits_counterreading DROP CONSTRAINT "{name}"')
            else:
                cursor.execute("PRAGMA foreign_keys = OFF")
    organisation = Organisation.objects.create(name=f"Store {time.time_ns()}")
    branch = Branch.objects.create(organisation=organisation, name="Landet")
    started = time.perf_counter()
    frame = pl.read_csv(path, separator=";", schema_overrides={"tidspunkt": pl.String})
    names = frame["sensor"].unique().to_list()
    with transaction.atomic():
        ids = {
            name: Sensor.objects.create(organisation=organisation, branch=branch, name=name).pk
            for name in names
        }
        at = (
            pl.col("tidspunkt")
            .str.to_datetime("%Y-%m-%d %H:%M")
            .dt.replace_time_zone("Europe/Copenhagen", ambiguous="earliest", non_existent="null")
            .dt.epoch("s")
        )
        readings = frame.select(
            pl.col("sensor").replace_strict(ids, return_dtype=pl.Int64).alias("sensor_id"),
            at.alias("at"),
            (at + 900).alias("end"),
            pl.col("ind").alias("count_in"),
            pl.col("ud").alias("count_out"),
            pl.lit(None, pl.Int64).alias("register_in"),
            pl.lit(None, pl.Int64).alias("register_out"),
            pl.lit(False).alias("reset"),
            pl.lit(False).alias("suspect"),
        ).unique(subset=["sensor_id", "at"], keep="first")

        class Work:
            batch = ImportBatch.objects.create(
                organisation=organisation, kind="visits", filename="store", sha256="store"
            )

        vectorised._insert(Work, readings)
    seconds = time.perf_counter() - started
    if dropped:
        from django.db import connection

        with connection.cursor() as cursor:
            for name, definition in dropped:
                cursor.execute(
                    f'ALTER TABLE visits_counterreading ADD CONSTRAINT "{name}" {definition}'
                )
    return {"rows": readings.height, "seconds": seconds, "peak_mb": peak_mb()}


def in_child(function: str, path: str) -> dict:
    found = subprocess.run(
        [sys.executable, __file__, "--child", function, "--file", path],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(found.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sensors", type=int, default=450)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--interval", type=int, default=15, help="minutes")
    parser.add_argument("--file", help="Use (or keep) the generated file here.")
    parser.add_argument("--keep", action="store_true", help="Keep the generated file.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

    if args.child:
        run = {
            "duckdb": run_duckdb,
            "store": run_store,
            "store-without-foreign-keys": lambda path: run_store(path, foreign_keys=False),
            "bibliotal": run_bibliotal,
        }
        measured = run[args.child](args.file)
        print(json.dumps(measured))
        return 0

    try:
        import duckdb  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "duckdb"], check=True)

    path = Path(args.file) if args.file else Path(tempfile.mkdtemp()) / "counters.csv"
    if not path.exists():
        started = time.perf_counter()
        rows = generate(path, sensors=args.sensors, days=args.days, interval=args.interval)
        print(
            f"generated {rows:,} rows, {path.stat().st_size / 1e6:,.0f} MB "
            f"in {time.perf_counter() - started:.0f} s: {path}"
        )
    try:
        ceiling = in_child("duckdb", str(path))
        store = in_child("store", str(path))
        ours = in_child("bibliotal", str(path))
        loose = in_child("store-without-foreign-keys", str(path))
    finally:
        if not (args.keep or args.file):
            path.unlink()
    if (ceiling["rows"], ceiling["in"]) != (ours["rows"], ours["in"]):
        print(f"the two disagree: DuckDB {ceiling}, Bibliotal {ours}")
        return 1
    rate, ceiling_rate = ours["rows"] / ours["seconds"], ceiling["rows"] / ceiling["seconds"]
    print(f"rows: {ours['rows']:,}; visitors in: {ours['in']:,}; days derived: {ours['days']:,}")
    print(
        f"DuckDB read_csv: {ceiling['seconds']:.1f} s, {ceiling_rate:,.0f} rows/s, "
        f"peak {ceiling['peak_mb']:,.0f} MB"
    )
    print(
        f"Bibliotal import ({ours['database']}): {ours['seconds']:.1f} s, {rate:,.0f} rows/s, "
        f"peak {ours['peak_mb']:,.0f} MB ({ours['before_mb']:,.0f} MB before the import)"
    )
    for phase, seconds in ours["phases"].items():
        print(f"  {phase}: {seconds:.1f} s")
    store_rate = store["rows"] / store["seconds"]
    print(
        f"the store's ceiling ({ours['database']}: parse, write, commit, nothing else): "
        f"{store['seconds']:.1f} s, {store_rate:,.0f} rows/s, peak {store['peak_mb']:,.0f} MB"
    )
    loose_rate = loose["rows"] / loose["seconds"]
    print(
        f"  the same without foreign-key checks: {loose['seconds']:.1f} s, {loose_rate:,.0f} rows/s"
    )
    print(f"share of DuckDB's reading rate: {rate / ceiling_rate:.1%}")
    print(f"share of the store's ceiling: {rate / store_rate:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
