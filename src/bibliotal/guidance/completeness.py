"""Where guidance stands: one completeness source per service point, month by month.

A day is due when the service point's library was open (``core.opening``); a service point of a
library without premises (chat, an online branch) is due on the days any library was open. A
due day without any guidance registered is a gap: "none registered", never read as zero.
Queries: the service points, the shared open days, one read of the year's records per
service point and day, and the latest day per service point.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Max, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bibliotal.core import sources
from bibliotal.core.sources import SourceMonth, SourceReport

KIND = "guidance"
KIND_NAME = gettext_lazy("Guidance")


def completeness_source(*, organisation, year: int, today: date) -> list[SourceReport]:
    from bibliotal.core.models import ServicePoint
    from bibliotal.guidance.models import GuidanceRecord

    first, last = date(year, 1, 1), date(year, 12, 31)
    records = GuidanceRecord.objects.counted().filter(branch__organisation=organisation)
    per_day: dict[int, dict[date, int]] = defaultdict(dict)
    for point_id, day, total in (
        records.filter(day__gte=first, day__lte=last)
        .values("service_point_id", "day")
        .annotate(total=Sum("count"))
        .values_list("service_point_id", "day", "total")
    ):
        per_day[point_id][day] = total
    points = [
        p
        for p in ServicePoint.objects.filter(branch__organisation=organisation).select_related(
            "branch"
        )
        if (p.active or p.pk in per_day)
        and (p.branch.active_from is None or p.branch.active_from <= last)
        and (p.branch.active_to is None or p.branch.active_to >= first)
    ]
    if not points:
        return []
    opened = sources.open_days(organisation=organisation, year=year, today=today)
    latest = dict(
        records.values("service_point_id")
        .annotate(latest=Max("day"))
        .values_list("service_point_id", "latest")
    )
    reports = []
    for point in points:
        if point.branch.has_premises:
            open_days = opened.of(point.branch_id)
            note = ""
        else:
            open_days = opened.any_library
            note = _("Due on the days any library was open.")
        figures = per_day.get(point.pk, {})
        months = tuple(
            _month(year=year, month=month, today=today, open_days=open_days, figures=figures)
            for month in range(1, 13)
        )
        reports.append(
            SourceReport(
                key=f"guidance.point.{point.pk}",
                kind=KIND,
                kind_name=KIND_NAME,
                name=point.name,
                library=point.branch.name,
                months=months,
                latest_figure=latest.get(point.pk),
                last_import=None,
                fix_url=f"{reverse('guidance:typed')}?service_point={point.pk}",
                fix_label=_("Type the day's totals"),
                note=note,
            )
        )
    return reports


def _month(*, year, month, today, open_days, figures) -> SourceMonth:
    first = date(year, month, 1)
    last = sources.month_last_day(year, month)
    dates = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    registered = [figures[day] for day in dates if day in figures]
    value = float(sum(registered)) if registered else None
    if not sources.month_is_due(year, month, today=today):
        detail = _("The month has not ended.") if first <= today else ""
        return SourceMonth(month, sources.NOT_DUE, value=value, detail=detail)
    due = [day for day in dates if day in open_days]
    if not due and registered:
        return SourceMonth(
            month,
            sources.COUNTED,
            value=value,
            detail=_("Closed all month; guidance was registered all the same."),
        )
    if not due:
        return SourceMonth(month, sources.NONE, detail=_("Closed all month."))
    missing = [day for day in due if day not in figures]
    if len(missing) == len(due):
        return SourceMonth(
            month,
            sources.MISSING,
            missing_days=len(missing),
            value=value,
            detail=ngettext(
                "None registered on the %(n)d open day.",
                "None registered on any of the %(n)d open days.",
                len(due),
            )
            % {"n": len(due)},
        )
    if missing:
        return SourceMonth(
            month,
            sources.PARTLY,
            missing_days=len(missing),
            value=value,
            detail=ngettext(
                "None registered on %(missing)d of %(n)d open day.",
                "None registered on %(missing)d of %(n)d open days.",
                len(due),
            )
            % {"missing": len(missing), "n": len(due)},
        )
    return SourceMonth(month, sources.COUNTED, value=value)
