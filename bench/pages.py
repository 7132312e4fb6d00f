"""How fast do Bibliotal's pages answer on the demo?

Loads the Herning demo into a fresh data directory (nothing of yours is touched; or give
``--data-dir`` with a demo already loaded), then asks each page in ``PAGES`` in-process through
Django's test client, logged in as the demo user named beside it, and prints per page the
median, p95 and slowest time and the number of SQL queries. The HTTP server adds about a
millisecond (see ``guidance_taps.py``: /healthz).

A page with a cached part is measured twice: *warm* (its cache filled, as on every request
but the first after a change of figures or targets) and *cold* (the cache emptied before each
request, as after an import). A page that shows the targets' progress is measured a third
time just after a guidance tap at the desk, as a manager meets it in the opening hours: the tap
changes the guidance target's figures only, so only that target is worked out again.

    .venv/bin/python bench/pages.py [--runs 30] [--data-dir DIR] [--only start]

Add a page: one line in ``PAGES``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent / "bibliotal"

# (name, demo user, address, cached): "cached" pages are measured warm and cold, and those with
# the targets' progress also just after a tap at the desk (what a manager meets in the day).
PAGES = [
    ("start page, manager", "leder", "/", True),
    # Cold, the page leaves these two to placeholders that fetch them: what the manager waits
    # for after an import, while the page itself has answered.
    ("  its targets panel", "leder", "/panels/goals.targets/", True),
    ("  its key figures panel", "leder", "/panels/goals.key_figures/", True),
    ("start page, manager, whole (?full)", "leder", "/?full", True),
    ("start page, coordinator", "koordinator", "/", True),
    ("start page, staff", "personale", "/", False),
    ("goals overview 2021", "leder", "/goals/2021/", True),
    ("one goal (guidance, 2021)", "leder", "/goals/2021/targets/{target}/", True),
    ("reports 2021", "leder", "/reports/2021/", True),
    ("visits", "leder", "/visits/", True),
    ("guidance, staff", "personale", "/guidance/", False),
    ("events", "koordinator", "/events/", False),
    ("teaching", "koordinator", "/teaching/", False),
    ("digital", "leder", "/digital/", False),
    ("public page 2021", "", "/goals/public/{organisation}/2021/", True),
]
# Pages that show the targets' progress: also measured with a tap before each request.
WITH_TARGETS = ("targets panel", "whole", "goals overview", "one goal", "reports", "public")


def addresses() -> dict[str, int]:
    """What the addresses' {placeholders} stand for in the demo."""
    from bibliotal.core.models import Organisation
    from bibliotal.goals.models import Target

    target = Target.objects.filter(focus_area__budget_year__year=2021, indicator="guidance")
    return {
        "target": target.values_list("pk", flat=True).first(),
        "organisation": Organisation.objects.values_list("pk", flat=True).first(),
    }


def tap() -> None:
    """One guidance tap at the demo's first desk, as the tablet sends it."""
    import uuid

    from django.contrib.auth import get_user_model

    from bibliotal.core.models import ServicePoint
    from bibliotal.guidance.models import GuidanceTopic
    from bibliotal.guidance.services import TapInput, register_taps

    point = ServicePoint.objects.filter(active=True).order_by("pk").first()
    topic = GuidanceTopic.objects.filter(counts_toward_goal=True).order_by("pk").first()
    user = get_user_model().objects.get(username="personale")
    register_taps(items=[TapInput(uuid.uuid4().hex, point.pk, topic.pk)], user=user)


def publish_2021() -> None:
    """The demo leaves 2021 unpublished; the public page needs it published."""
    from django.utils import timezone

    from bibliotal.goals.models import BudgetYear

    BudgetYear.objects.filter(year=2021, published_at__isnull=True).update(
        published_at=timezone.now()
    )


def load_demo(data_dir: str) -> None:
    env = {**os.environ, "BIBLIOTAL_DATA_DIR": data_dir, "BIBLIOTAL_ALLOW_LOCAL_SOURCES": "true"}
    env.pop("DATABASE_URL", None)
    print(f"Loading the demo into {data_dir} …", flush=True)
    subprocess.run([str(BIN), "demo", "--no-serve"], env=env, check=True, capture_output=True)
    # The pages name their assets through the static files' manifest, which serving writes.
    subprocess.run(
        [str(BIN), "collectstatic", "--noinput", "--verbosity", "0"],
        env=env,
        check=True,
        capture_output=True,
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


class PageMissing(Exception):
    pass


def measure(client, url: str, *, runs: int, before=None) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times: list[float] = []
    queries = 0
    for _ in range(runs):
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise PageMissing(f"HTTP {response.status_code}")
        queries = len(captured.captured_queries)
    return times, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="Requests per page (warm).")
    parser.add_argument("--cold-runs", type=int, default=5, help="Requests per page (cold).")
    parser.add_argument("--data-dir", help="A data directory with the demo already loaded.")
    parser.add_argument("--only", default="", help="Only pages whose name contains this.")
    args = parser.parse_args()

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="bibliotal-bench-pages-")
    if not args.data_dir:
        load_demo(data_dir)
    os.environ["BIBLIOTAL_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bibliotal.settings")
    sys.path.insert(0, str(ROOT / "src"))

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host and query capture
    from bibliotal.core.startup import prepare_process

    prepare_process()  # as a server's worker does before its first request
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    users = get_user_model().objects
    if not args.data_dir:
        publish_2021()

    print("| page | requests | median | p95 | slowest | queries |")
    print("|---|---|---|---|---|---|")
    known = addresses()
    for name, username, url, cached in PAGES:
        if args.only not in name:
            continue
        url = url.format(**known)
        client = Client()
        if username:
            client.force_login(users.get(username=username))
        client.get(url)  # the first request fills the cache and Python's own
        try:
            rows = [("warm" if cached else "", *measure(client, url, runs=args.runs))]
        except PageMissing as missing:  # the public page of a year the demo has not published
            print(f"| {name} | {missing} | | | | |", flush=True)
            continue
        if cached:
            rows.append(("cold", *measure(client, url, runs=args.cold_runs, before=cache.clear)))
        if any(part in name for part in WITH_TARGETS):
            rows.append(("after a tap", *measure(client, url, runs=args.cold_runs, before=tap)))
        for label, times, queries in rows:
            title = f"{name} ({label})" if label else name
            print(
                f"| {title} | {len(times)} | {statistics.median(times):,.0f} ms "
                f"| {percentile(times, 0.95):,.0f} ms | {max(times):,.0f} ms | {queries} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
