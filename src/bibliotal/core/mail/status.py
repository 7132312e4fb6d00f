"""The monthly status e-mail: when it is due, to whom, and who writes it.

A manager subscribes on her page ("Status by e-mail"). On the first working day of each month
(Monday to Friday, not a Danish public holiday) the worker puts one e-mail per subscription in
the outbox, at most one per subscription and month, whatever the number of worker runs.

What the e-mail says (the targets, the attention list, the PDF) is the reports app's: it
registers its builder with ``register_status_mail`` from its ``AppConfig.ready``, since core
imports no other app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from bibliotal.core.mail import outbox
from bibliotal.core.mail.models import OutboxMessage, StatusSubscription
from bibliotal.core.opening import holiday_names

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StatusMail:
    subject: str
    body: str  # plain text
    html: str
    attachment: outbox.Attachment | None = None


# builder(subscription=, today=) -> StatusMail, called in the subscription's language.
StatusMailBuilder = Callable[..., StatusMail]
_builders: list[StatusMailBuilder] = []


def register_status_mail(builder: StatusMailBuilder) -> None:
    if builder not in _builders:
        _builders.append(builder)


def build(*, subscription: StatusSubscription, today: date) -> StatusMail:
    if not _builders:
        raise LookupError("No app has registered the status e-mail (the reports app does).")
    with translation.override(subscription.language):
        return _builders[-1](subscription=subscription, today=today)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holiday_names(day, day)


def first_working_day(year: int, month: int) -> date:
    day = date(year, month, 1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def may_receive(subscription: StatusSubscription) -> bool:
    """Still a manager of the organisation: a person who left or lost the role gets nothing."""
    from bibliotal.core.permissions import Capability, has_capability, organisation_of

    user = subscription.user
    return (
        user.is_active
        and has_capability(user, Capability.MANAGE)
        and getattr(organisation_of(user), "pk", None) == subscription.organisation_id
    )


def due_subscriptions(today: date):
    """Subscriptions that have not had this month's e-mail, without a rejected address."""
    period = period_of(today)
    return (
        StatusSubscription.objects.filter(bounced_at__isnull=True)
        .exclude(messages__period=period)
        .select_related("organisation", "user", "user__membership__organisation")
        .order_by("pk")
    )


def queue_monthly(*, today: date | None = None) -> int:
    """Put this month's status e-mail in the outbox for every subscription that has not had it,
    from the first working day of the month on (a worker that was down catches up). Returns
    how many were queued; a second run the same month queues none."""
    today = today or timezone.localdate()
    if today < first_working_day(today.year, today.month):
        return 0
    queued = 0
    for subscription in due_subscriptions(today):
        if not may_receive(subscription):
            continue
        try:
            queue(subscription=subscription, today=today, period=period_of(today))
        except IntegrityError:  # another worker queued it a moment ago
            continue
        except Exception:  # one organisation's failure does not stop the others' e-mails
            logger.exception("The status e-mail for subscription %s failed", subscription.pk)
            continue
        queued += 1
    return queued


def queue(*, subscription: StatusSubscription, today: date, period: str = "") -> OutboxMessage:
    """Write the status e-mail now and put it in the outbox (``period`` empty: sent on request,
    not the month's)."""
    mail = build(subscription=subscription, today=today)
    with transaction.atomic():
        return outbox.enqueue(
            recipient=subscription.email,
            subject=mail.subject,
            body=mail.body,
            html=mail.html,
            attachment=mail.attachment,
            organisation=subscription.organisation,
            subscription=subscription,
            period=period,
        )
