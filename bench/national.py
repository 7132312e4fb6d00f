"""Does one organisation's goal status stay as fast when 98 share the installation?

Loads the Herning demo into a fresh database (SQLite in a temporary data directory, or the
PostgreSQL database ``DATABASE_URL`` names, which is emptied first), times the 2021 goal status
of the demo organisation alone, then clones the demo into ``--organisations`` organisations in
all (98: every Danish municipality), row for row, and measures:

1. one organisation's status again (the goal: flat in the number of organisations);
2. every organisation's status in a loop, against one SQL sum per fact table over the same
   rows grouped by organisation (the goal: within 3× of the SQL);
3. the queries of one organisation's status, and the process's peak memory.

Each status is computed cold: the caches are emptied first, as after an import.

    .venv/bin/python bench/national.py [--organisations 98] [--runs 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/national.py
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent / "bibliotal"
YEAR, AT = 2021, date(2021, 12, 31)
APPS = {"core", "goals", "guidance", "teaching", "events", "visits", "digital", "reports"}
# Not cloned: people and their sessions, tokens and devices (rows cloned keep pointing at the
# originals, which stay valid), logs and queues, what triggers keep (today's tap totals), and
# the counters' raw readings, which no goal reads (their daily visits are cloned).
SKIP = {
    "visits.CounterReading",
    "core.Membership",
    "core.Membership_branches",
    "core.ExternalIdentity",
    "core.AuditEntry",
    "core.PasswordResetAttempt",
    "core.ApiToken",
    "core.ImportJob",
    "core.IntegrationRun",
    "core.StatusSubscription",
    "core.OutboxMessage",
    "guidance.KioskDevice",
    "guidance.UndoneKey",
    "guidance.GuidanceDayTotal",
    "teaching.BookingAttempt",
}
# One sum per fact table, grouped by organisation: what the status adds up, at the store's speed.
SUMS = [
    "SELECT organisation_id, SUM(count) FROM guidance_guidancerecord GROUP BY organisation_id",
    "SELECT b.organisation_id, SUM(d.visits) FROM visits_dailyvisits d "
    "JOIN core_branch b ON b.id = d.branch_id GROUP BY b.organisation_id",
    "SELECT organisation_id, SUM(attendance_total) FROM events_eventoccurrence "
    "GROUP BY organisation_id",
    "SELECT b.organisation_id, SUM(s.pupils_present) FROM teaching_teachingsession s "
    "JOIN core_branch b ON b.id = s.branch_id GROUP BY b.organisation_id",
    "SELECT p.organisation_id, SUM(f.value) FROM digital_digitalfigure f "
    "JOIN digital_platform p ON p.id = f.platform_id GROUP BY p.organisation_id",
    "SELECT b.organisation_id, SUM(n.registrations) FROM visits_newusercount n "
    "JOIN core_branch b ON b.id = n.branch_id GROUP BY b.organisation_id",
]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_demo(data_dir: str) -> None:
    env = {**os.environ, "BIBLIOTAL_DATA_DIR": data_dir, "BIBLIOTAL_ALLOW_LOCAL_SOURCES": "true"}
    print("Loading the demo …", flush=True)
    subprocess.run([str(BIN), "demo", "--no-serve"], env=env, check=True, capture_output=True)


def cloned_models():
    """Our models in an order where every cloned model comes after those it points at."""
    from django.apps import apps

    wanted = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in APPS and m._meta.label not in SKIP
    ]
    labels = {m._meta.label for m in wanted}
    ordered, placed = [], set()
    while len(ordered) < len(wanted):
        for model in wanted:
            if model._meta.label in placed:
                continue
            needs = {
                f.related_model._meta.label
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model._meta.label in labels
            } - {model._meta.label}
            if needs <= placed:
                ordered.append(model)
                placed.add(model._meta.label)
    return ordered


def unique_text(model) -> set[str]:
    """Text columns that must differ between organisations (unique without the organisation)."""
    from django.db import models

    columns = set()
    groups = [[f.name] for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    groups += [list(c.fields) for c in model._meta.constraints if getattr(c, "fields", None)]
    for names in groups:
        fields = [model._meta.get_field(name) for name in names]
        if any(f.is_relation for f in fields):
            continue  # unique within a row it points at: a clone points at another
        text = [f for f in fields if isinstance(f, models.CharField | models.SlugField)]
        if text:
            columns.add(text[0].column)
    return columns


def clone(organisations: int) -> float:
    """Copy every row of the demo ``organisations - 1`` times, ids shifted past the originals."""
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.db.models import Max

    models = cloned_models()
    spans = {m._meta.label: (m.objects.aggregate(top=Max("pk"))["top"] or 0) for m in models}
    quote = connection.ops.quote_name
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for model in models:
            span = spans[model._meta.label]
            if not span:
                continue
            unique = unique_text(model)
            columns, values = [], []
            for field in model._meta.concrete_fields:
                column = quote(field.column)
                columns.append(column)
                if field.primary_key:
                    values.append(f"{column} + %(k)s * {span}")
                elif field.is_relation and field.related_model._meta.label in spans:
                    values.append(f"{column} + %(k)s * {spans[field.related_model._meta.label]}")
                elif field.column in unique:
                    values.append(f"{column} || ' ' || CAST(%(k)s AS VARCHAR(4))")
                else:
                    values.append(column)
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
                f"FROM {table} WHERE {pk} <= {span}"
            )
            for k in range(1, organisations):
                cursor.execute(sql.replace("%(k)s", str(k)))
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    return time.perf_counter() - started


def status_of(organisation) -> tuple[float, int, int]:
    """(seconds, queries, targets) of one organisation's 2021 status, cold."""
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bibliotal.goals.reporting import status_rows

    for cache in caches.all():
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        began = time.perf_counter()
        rows = status_rows(organisation=organisation, year=YEAR, at=AT)
        seconds = time.perf_counter() - began
    return seconds, len(captured.captured_queries), len(rows)


def sql_sum() -> float:
    from django.db import connection

    began = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in SUMS:
            cursor.execute(sql)
            cursor.fetchall()
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=98)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    data_dir = tempfile.mkdtemp(prefix="bibliotal-bench-national-")
    os.environ["BIBLIOTAL_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bibliotal.settings")
    if "DATABASE_URL" in os.environ:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)
    load_demo(data_dir)

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from bibliotal.core.models import Organisation

    settings.DEBUG = False
    demo = Organisation.objects.order_by("pk").first()
    alone = [status_of(demo) for _ in range(args.runs)]
    seconds = clone(args.organisations)
    everyone = list(Organisation.objects.order_by("pk"))
    print(f"cloned into {len(everyone)} organisations in {seconds:.0f} s")
    with connection.cursor() as cursor:
        rows = 0
        for table in ("guidance_guidancerecord", "visits_dailyvisits", "teaching_teachingsession",
                      "events_eventoccurrence", "digital_digitalfigure"):  # fmt: skip
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            rows += cursor.fetchone()[0]
    shared = [status_of(demo) for _ in range(args.runs)]
    loop_started = time.perf_counter()
    for organisation in everyone:
        status_of(organisation)
    loop = time.perf_counter() - loop_started
    summed = statistics.median(sql_sum() for _ in range(args.runs))

    def median(results, index=0):
        return statistics.median(r[index] for r in results)

    print(f"database: {connection.vendor}; rows in the five largest tables: {rows:,}")
    print(f"| what | {connection.vendor} |")
    print("|---|---|")
    print(f"| one organisation's status, alone | {median(alone) * 1000:,.0f} ms, "
          f"{median(alone, 1)} queries, {alone[0][2]} targets |")  # fmt: skip
    ratio = median(shared) / median(alone)
    print(f"| one organisation's status among {len(everyone)} | {median(shared) * 1000:,.0f} ms, "
          f"{median(shared, 1)} queries ({ratio:.2f}× alone) |")  # fmt: skip
    print(f"| all {len(everyone)} in a loop | {loop:.1f} s |")
    print(f"| one SQL sum per fact table over the same rows | {summed:.2f} s |")
    print(f"| **loop / SQL sum** | **{loop / summed:.1f}×** |")
    print(f"| peak memory | {peak_mb():,.0f} MB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
