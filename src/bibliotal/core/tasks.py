"""Background tasks, run by ``bibliotal worker`` from the database queue (django-tasks).

The nightly sync brings every active library website's events and opening hours in step, once
a month fetches Danmarks Statistik's tables again where they were fetched before, and runs the
nightly tasks the apps register (``register_nightly``: core imports no app), such as deleting
teachers' contact data when it is due. It schedules its own next run (02:30 local time), so no
cron or broker is needed on one machine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)
NIGHTLY_AT = time(2, 30)


def next_night(now: datetime | None = None) -> datetime:
    now = timezone.localtime(now or timezone.now())
    moment = timezone.make_aware(datetime.combine(now.date(), NIGHTLY_AT))
    return moment if moment > now else moment + timedelta(days=1)


def sync_websites(*, trigger: str = "task") -> int:
    """Sync every active website; one failing integration does not stop the others (each run
    is recorded, with its error). Returns the number of failed syncs."""
    from bibliotal.core.models import Website
    from bibliotal.core.website import sync_website

    failures = 0
    for website in Website.objects.filter(active=True).select_related("organisation"):
        outcomes = sync_website(website=website, trigger=trigger)
        failures += sum(1 for outcome in outcomes if not outcome.ok)
    return failures


STATBANK_EVERY = timedelta(days=30)


def refresh_statistics(*, trigger: str = "task", now: datetime | None = None) -> int:
    """Fetch Danmarks Statistik's tables again for every organisation that has fetched them from
    the Statbank API before (not only uploaded files), once a month: the tables change once or
    twice a year. Returns the number of failed fetches."""
    from bibliotal.core.models import Integration, IntegrationRun, Organisation
    from bibliotal.reports.statbank import sync_statbank
    from bibliotal.reports.statbank.api import API_BASE

    now = now or timezone.now()
    failures = 0
    for organisation in Organisation.objects.exclude(municipality_code=""):
        last = (
            IntegrationRun.objects.filter(
                organisation=organisation,
                integration=Integration.STATBANK,
                ok=True,
                source__startswith=API_BASE,
            )
            .order_by("-started_at")
            .first()
        )
        if last is None or now - last.started_at < STATBANK_EVERY:
            continue
        try:
            sync_statbank(organisation=organisation, trigger=trigger)
        except Exception:
            failures += 1
            logger.exception("%s: the Statbank fetch failed", organisation)
    return failures


_nightly: dict[str, Callable[[], object]] = {}


def register_nightly(name: str, job: Callable[[], object]) -> None:
    """Run ``job()`` every night (from an app's ``AppConfig.ready``); ``name`` is stable, such as
    "teaching.purge_contacts", and registering it again replaces the job."""
    _nightly[name] = job


def nightly_tasks() -> dict[str, Callable[[], object]]:
    return dict(_nightly)


def run_nightly_tasks() -> int:
    """Run every registered nightly task; one that fails does not stop the others (its error
    is in the log). Returns the number that failed."""
    failures = 0
    for name, job in nightly_tasks().items():
        try:
            job()
        except Exception:
            failures += 1
            logger.exception("The nightly task %s failed", name)
    return failures


@task()
def nightly_sync() -> int:
    try:
        return (
            sync_websites(trigger="task") + refresh_statistics(trigger="task") + run_nightly_tasks()
        )
    finally:
        schedule_nightly()


def schedule_nightly(now: datetime | None = None) -> datetime:
    """Enqueue the next nightly sync unless one is already waiting; when it will run."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=nightly_sync.module_path, status=TaskResultStatus.READY
    ).first()
    if waiting is not None:
        return waiting.run_after
    moment = next_night(now)
    nightly_sync.using(run_after=moment).enqueue()
    return moment
