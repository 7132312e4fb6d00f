"""Guidance on the start page: staff see a big button per service point of their libraries,
each opening its tally page, with what is registered there today."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Max, Sum
from django.utils.translation import gettext_lazy as _

from bibliotal.core.dashboard import Panel, register_data_stamp, register_panel
from bibliotal.core.permissions import Capability


def tally_panel(request, organisation, today):
    from bibliotal.guidance.models import GuidanceRecord
    from bibliotal.guidance.views import _points_for

    points = list(_points_for(request.user).filter(branch__organisation=organisation))
    totals: dict[int, int] = defaultdict(int)
    topics: dict[int, list] = defaultdict(list)
    if points:
        rows = (
            GuidanceRecord.objects.counted()
            .filter(service_point__in=points, day=today)
            .values("service_point_id", "topic__name")
            .annotate(total=Sum("count"))
            .order_by("service_point_id", "-total", "topic__name")
        )
        for row in rows:
            totals[row["service_point_id"]] += row["total"]
            topics[row["service_point_id"]].append((row["topic__name"], row["total"]))
    return {
        "points": [{"point": p, "total": totals[p.pk], "topics": topics[p.pk][:3]} for p in points],
        "today": today,
    }


def taps_stamp(*, organisation):
    """A tap is not audited (undoing one is): the newest tap's number tells a new one."""
    from bibliotal.guidance.models import GuidanceRecord

    return GuidanceRecord.objects.aggregate(n=Max("pk"))["n"]


def register() -> None:
    register_panel(
        Panel(
            key="guidance.tally",
            order=10,
            capability=Capability.REGISTER,
            template="guidance/panels/tally.html",
            context=tally_panel,
            title=_("Register guidance"),
            wide=True,
            hidden_from=Capability.COORDINATE,
        )
    )
    register_data_stamp(taps_stamp, topics=("guidance",))
