"""The worker's e-mail tasks (``bibliotal worker``; see ``core.tasks`` for the nightly sync).

- ``monthly_status_mail`` runs at 07:00 on the first working day of each month, puts the status
  e-mails in the outbox and schedules itself for the next month;
- ``deliver_mail`` sends what the outbox holds and, while anything waits for a retry,
  schedules itself for the moment the next one is due.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django_tasks import task

from bibliotal.core.mail import outbox, status

logger = logging.getLogger(__name__)
STATUS_MAIL_AT = time(7, 0)


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, STATUS_MAIL_AT))


def next_status_run(now: datetime | None = None) -> datetime:
    """07:00 on this month's first working day if that is still ahead, else next month's."""
    now = timezone.localtime(now or timezone.now())
    moment = _at(status.first_working_day(now.year, now.month))
    if moment > now:
        return moment
    following = (now.date().replace(day=1) + timedelta(days=32)).replace(day=1)
    return _at(status.first_working_day(following.year, following.month))


def _waiting(task_path: str, *, until: datetime | None = None):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(task_path=task_path, status=TaskResultStatus.READY)
    if until is not None:
        waiting = waiting.filter(run_after__lte=until)
    return waiting.order_by("run_after").first()


@task()
def monthly_status_mail(today: str = "") -> int:
    """``today`` (ISO date) stands in for the local date, for tests and a manual catch-up."""
    try:
        day = date.fromisoformat(today) if today else timezone.localdate()
        queued = status.queue_monthly(today=day)
        if queued:
            outbox.deliver_due()
        outbox.prune()
        return queued
    finally:
        schedule_status_mail()
        schedule_delivery()


def schedule_status_mail(now: datetime | None = None) -> datetime:
    """Enqueue the next monthly status run unless one is already waiting; when it will run."""
    waiting = _waiting(monthly_status_mail.module_path)
    if waiting is not None:
        return waiting.run_after
    moment = next_status_run(now)
    monthly_status_mail.using(run_after=moment).enqueue()
    return moment


@task()
def deliver_mail() -> int:
    try:
        return outbox.deliver_due().sent
    finally:
        schedule_delivery()


def schedule_delivery(now: datetime | None = None) -> datetime | None:
    """Make sure a delivery runs when the next waiting message is due (None: nothing waits)."""
    moment = outbox.next_due()
    if moment is None:
        return None
    moment = max(moment, now or timezone.now())
    waiting = _waiting(deliver_mail.module_path, until=moment)
    if waiting is not None:
        return waiting.run_after
    deliver_mail.using(run_after=moment).enqueue()
    return moment
