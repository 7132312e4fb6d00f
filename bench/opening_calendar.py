"""How fast does core.opening answer "open on day D, for how many hours" for many libraries?

Rates per open day and per open hour (goals, visits, reports) call ``opening_calendar`` for every
library of an organisation and one or more years. This measures that on a fresh SQLite database
in a temporary directory (nothing of yours is touched):

    .venv/bin/python bench/opening_calendar.py [--branches N] [--years N] [--repeat N]

It prints the median wall time and the number of queries for one call.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from datetime import time as clock


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=100)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    os.environ["BIBLIOTAL_DATA_DIR"] = tempfile.mkdtemp(prefix="bibliotal-bench-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bibliotal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bibliotal.core.models import (
        Branch,
        Closure,
        OpeningHours,
        OpeningSchedule,
        Organisation,
    )
    from bibliotal.core.opening import opening_calendar

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.create(name="Bench")
    first_year = 2019
    for number in range(args.branches):
        branch = Branch.objects.create(organisation=organisation, name=f"Library {number}")
        for offset in range(args.years):
            schedule = OpeningSchedule.objects.create(
                branch=branch, name="Normal", valid_from=date(first_year + offset, 1, 1)
            )
            OpeningHours.objects.bulk_create(
                [
                    OpeningHours(
                        schedule=schedule,
                        weekday=d,
                        kind="staffed",
                        opens=clock(10),
                        closes=clock(18),
                    )
                    for d in range(6)
                ]
                + [
                    OpeningHours(
                        schedule=schedule,
                        weekday=d,
                        kind="self_service",
                        opens=clock(7),
                        closes=clock(22),
                    )
                    for d in range(7)
                ]
            )
        closure = Closure.objects.create(
            organisation=organisation,
            start_date=date(first_year, 6, 1),
            end_date=date(first_year, 6, 14),
            reason="Renovation",
        )
        closure.branches.set([branch])
    Closure.objects.create(
        organisation=organisation,
        start_date=date(first_year + 1, 3, 13),
        end_date=date(first_year + 1, 5, 17),
        reason="Lockdown",
    )

    branches = list(Branch.objects.select_related("organisation"))
    start, end = date(first_year, 1, 1), date(first_year + args.years - 1, 12, 31)
    timings = []
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            calendar = opening_calendar(branches=branches, start=start, end=end)
            timings.append(time.perf_counter() - began)
    days = sum(len(v) for v in calendar.values())
    median = statistics.median(timings)
    print(f"branches={args.branches} years={args.years} branch-days={days}")
    print(
        f"median {median * 1000:.0f} ms per call, {days / median:,.0f} branch-days/s, "
        f"{len(queries.captured_queries)} queries"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
