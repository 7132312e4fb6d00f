"""Visits on the start page: days with flags to review, in the manager's attention list."""

from __future__ import annotations

from django.db.models import Max
from django.urls import reverse
from django.utils.translation import ngettext

from bibliotal.core.dashboard import register_data_stamp
from bibliotal.core.permissions import Capability, has_capability
from bibliotal.core.sources import AttentionItem, register_attention


def attention(*, organisation, user, today):
    """The review page is the manager's (``visits:flags``)."""
    from bibliotal.visits.models import DailyVisits

    if not has_capability(user, Capability.MANAGE):
        return []
    count = (
        DailyVisits.objects.filter(
            branch__organisation=organisation, review=DailyVisits.Review.OPEN
        )
        .exclude(flags=[])
        .count()
    )
    if not count:
        return []
    return [
        AttentionItem(
            key="visits.flags",
            label=ngettext(
                "%(n)s day with flags to review", "%(n)s days with flags to review", count
            )
            % {"n": count},
            count=count,
            url=reverse("visits:flags"),
            kind="visits",
        )
    ]


def daily_visits_stamp(*, organisation):
    """Cleaning writes daily visits in bulk: the newest tells that they were worked out again."""
    from bibliotal.visits.models import DailyVisits

    return DailyVisits.objects.aggregate(n=Max("pk"))["n"]


def register() -> None:
    register_attention(attention)
    register_data_stamp(daily_visits_stamp, topics=("visits",))
