"""Teaching on the start page: bookings waiting for an answer (in the attention list and, for
the coordinator, a panel of their own) and this week's classes."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bibliotal.core.dashboard import Panel, register_panel
from bibliotal.core.permissions import Capability, has_capability
from bibliotal.core.sources import AttentionItem, register_attention

SHOWN = 5


def _waiting(organisation):
    from bibliotal.teaching.models import Booking

    return Booking.objects.filter(
        course__organisation=organisation, status=Booking.Status.REQUESTED
    )


def attention(*, organisation, user, today):
    if not has_capability(user, Capability.COORDINATE):
        return []
    count = _waiting(organisation).count()
    if not count:
        return []
    return [
        AttentionItem(
            key="teaching.bookings",
            label=ngettext(
                "%(n)s booking waiting for an answer",
                "%(n)s bookings waiting for an answer",
                count,
            )
            % {"n": count},
            count=count,
            url=reverse("teaching:booking_list"),
            kind="teaching",
        )
    ]


def bookings_panel(request, organisation, today):
    waiting = _waiting(organisation).select_related("course", "institution")
    shown = list(waiting.order_by("created_at")[: SHOWN + 1])
    count = len(shown) if len(shown) <= SHOWN else waiting.count()
    return {"bookings": shown[:SHOWN], "count": count}


def week_panel(request, organisation, today):
    """This week's classes, Monday to Sunday: sessions registered, and bookings agreed for the
    week that have no session yet."""
    from bibliotal.teaching.models import Booking, TeachingSession

    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    sessions = list(
        TeachingSession.objects.filter(
            branch__organisation=organisation, day__gte=monday, day__lte=sunday
        )
        .select_related("course", "institution", "branch")
        .order_by("day", "start_time", "pk")
    )
    zone = timezone.get_current_timezone()
    agreed = list(
        Booking.objects.filter(
            course__organisation=organisation,
            status=Booking.Status.ACCEPTED,
            scheduled_at__gte=datetime.combine(monday, time.min, tzinfo=zone),
            scheduled_at__lt=datetime.combine(sunday + timedelta(days=1), time.min, tzinfo=zone),
            taught__isnull=True,
        )
        .select_related("course", "institution")
        .order_by("scheduled_at")
    )
    return {
        "sessions": sessions,
        "agreed": agreed,
        "monday": monday,
        "sunday": sunday,
        "today": today,
    }


def register() -> None:
    register_attention(attention)
    register_panel(
        Panel(
            key="teaching.bookings",
            order=25,
            capability=Capability.COORDINATE,
            template="teaching/panels/bookings.html",
            context=bookings_panel,
            title=_("Bookings waiting for an answer"),
            hidden_from=Capability.MANAGE,
        )
    )
    register_panel(
        Panel(
            key="teaching.week",
            order=50,
            capability=Capability.COORDINATE,
            template="teaching/panels/week.html",
            context=week_panel,
            title=_("This week's classes"),
        )
    )
