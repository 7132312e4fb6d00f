"""What ``/healthz`` reports: the database, and whether the worker keeps up with its queue.

The database decides the HTTP status (503 when it cannot be reached or is not migrated to this
version: this server cannot answer pages). The worker does not, unless asked with
``?require=worker``: a load balancer that took every web server out of service because the one
worker stopped would turn a late nightly sync into an outage. Monitoring reads ``worker.ok``.

The worker's signal is its queue (django-tasks' database backend): the worker takes every task
within seconds of the moment it is due, so a task still waiting ``WORKER_GRACE`` after that
moment means no worker is running; and the worker keeps the nightly run scheduled (it schedules
it when it starts and each night schedules the next), so no nightly run waiting means no worker
has started since the database was made or restored.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

WORKER_GRACE = timedelta(minutes=15)


def report(*, require_worker: bool = False, now: datetime | None = None) -> tuple[dict, int]:
    """The report and its HTTP status."""
    from bibliotal.core import dbstate

    state = dbstate.inspect()
    database = {
        "ok": state.ok,
        "reachable": state.reachable,
        "migrated": state.migrated,
        "pending_migrations": len(state.pending),
    }
    worker = _worker(now or timezone.now()) if state.reachable and state.migrated else None
    worker_ok = bool(worker and worker["ok"])
    if not state.ok:
        overall = "unavailable"
    elif not worker_ok:
        overall = "degraded"
    else:
        overall = "ok"
    failing = not state.ok or (require_worker and not worker_ok)
    body = {"status": overall, "database": database, "worker": worker}
    return body, 503 if failing else 200


def _worker(now: datetime) -> dict:
    from django.db.models import Max, Q
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    from bibliotal.core.tasks import nightly_sync

    due_before = now - WORKER_GRACE
    overdue = DBTaskResult.objects.filter(status=TaskResultStatus.READY).filter(
        Q(run_after__lte=due_before) | Q(run_after=get_date_max(), enqueued_at__lte=due_before)
    )
    last_run = DBTaskResult.objects.aggregate(last=Max("finished_at"))["last"]
    nightly = DBTaskResult.objects.filter(
        task_path=nightly_sync.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).exists()
    overdue_count = overdue.count()
    return {
        "ok": nightly and overdue_count == 0,
        "nightly_scheduled": nightly,
        "overdue_tasks": overdue_count,
        "last_run": last_run.isoformat() if last_run else None,
    }
