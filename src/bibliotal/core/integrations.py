"""What each integration did: every sync or import of one is an ``IntegrationRun``."""

from __future__ import annotations

from contextlib import contextmanager

from django.utils import timezone
from django.utils.translation import gettext as _

from bibliotal.core.http import FetchError
from bibliotal.core.imports import ImportRejected
from bibliotal.core.models import Integration, IntegrationRun


def unexpected_failure() -> str:
    """The message for a person when a sync failed in a way no check foresaw."""
    return _(
        "The sync failed unexpectedly and changed nothing; the last good data are kept. The "
        "error is in the server's log."
    )


@contextmanager
def recording(organisation, integration: str, *, source: str = "", trigger: str = "command"):
    """Record a run around a sync. Set ``summary``, ``changes`` and ``unmapped`` on the run it
    yields; an exception marks the run failed with its message and is raised again. Do the
    sync's writes in a transaction inside this block, so a failure keeps the last good data."""
    run = IntegrationRun.objects.create(
        organisation=organisation, integration=integration, source=source[:500], trigger=trigger
    )
    try:
        yield run
    except Exception as exc:
        run.ok = False
        if isinstance(exc, FetchError | ImportRejected):
            run.error = str(exc) or exc.__class__.__name__
        else:  # a programming or database error: its text is for the log, not for a person
            run.error = f"{unexpected_failure()} ({exc.__class__.__name__})"
        run.finished_at = timezone.now()
        run.save()
        raise
    run.ok = True
    run.finished_at = timezone.now()
    run.save()


def status(organisation) -> list[dict]:
    """Per integration: the last run, the last good run and the failures since."""
    rows = []
    for integration in Integration:
        runs = IntegrationRun.objects.filter(organisation=organisation, integration=integration)
        last = runs.first()
        last_good = runs.filter(ok=True).first()
        failures = (
            runs.filter(ok=False, finished_at__isnull=False, started_at__gt=last_good.started_at)
            if last_good
            else runs.filter(ok=False, finished_at__isnull=False)
        )
        rows.append(
            {
                "integration": integration,
                "label": integration.label,
                "last": last,
                "last_good": last_good,
                "failures_since": failures.count(),
                "recent": list(runs[:10]),
            }
        )
    return rows
