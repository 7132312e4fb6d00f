"""Events on the start page: what awaits its attendance, in the attention list and, for the
coordinator, as a panel of its own."""

from __future__ import annotations

from django.db.models import Max
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bibliotal.core.dashboard import Panel, register_data_stamp, register_panel
from bibliotal.core.permissions import Capability, branches_for, has_capability
from bibliotal.core.sources import AttentionItem, register_attention

SHOWN = 5


def _awaiting(*, organisation, user, today):
    from bibliotal.events.models import EventOccurrence

    occurrences = EventOccurrence.objects.filter(organisation=organisation).awaiting_attendance()
    if has_capability(user, Capability.COORDINATE):
        return occurrences
    if has_capability(user, Capability.REGISTER):
        return occurrences.filter(branch__in=branches_for(user, Capability.REGISTER))
    return occurrences.none()


def attention(*, organisation, user, today):
    occurrences = _awaiting(organisation=organisation, user=user, today=today)
    count = occurrences.count()
    if not count:
        return []
    oldest = occurrences.order_by("starts_at").values_list("starts_at", flat=True).first()
    details = ()
    if oldest is not None:
        details = (
            _("the oldest from %(date)s")
            % {"date": formats.date_format(oldest.date(), "SHORT_DATE_FORMAT")},
        )
    return [
        AttentionItem(
            key="events.awaiting",
            label=ngettext(
                "%(n)s event without attendance",
                "%(n)s events without attendance",
                count,
            )
            % {"n": count},
            count=count,
            url=reverse("events:awaiting"),
            kind="events",
            details=details,
        )
    ]


def awaiting_panel(request, organisation, today):
    occurrences = _awaiting(organisation=organisation, user=request.user, today=today)
    latest = list(occurrences.select_related("branch").order_by("-starts_at")[: SHOWN + 1])
    count = len(latest) if len(latest) <= SHOWN else occurrences.count()
    return {"occurrences": latest[:SHOWN], "count": count}


def occurrences_stamp(*, organisation):
    """Events brought by a feed are not all saved one by one: the newest tells a new one."""
    from bibliotal.events.models import EventOccurrence

    return EventOccurrence.objects.aggregate(n=Max("pk"))["n"]


def register() -> None:
    register_attention(attention)
    register_panel(
        Panel(
            key="events.awaiting",
            order=20,
            # Staff enter the attendance of their own libraries' events; the manager has them
            # in the attention list.
            capability=Capability.REGISTER,
            template="events/panels/awaiting.html",
            context=awaiting_panel,
            title=_("Events awaiting attendance"),
            hidden_from=Capability.MANAGE,
        )
    )
    # The events feed the participants, the events held and the first-time participants among
    # the new users.
    register_data_stamp(
        occurrences_stamp, topics=("event_participants", "events_held", "new_users")
    )
