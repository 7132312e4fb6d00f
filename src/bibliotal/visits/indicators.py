"""visits (per library and day, with the estimated part) and new registered users."""

from __future__ import annotations

import calendar as month_calendar
from datetime import date

from django.db.models import Q, Sum

from bibliotal.goals.indicators import DailyValue


class VisitsProvider:
    def daily_values(self, *, organisation, start, end, branch_ids, measure):
        from bibliotal.visits.models import DailyVisits, ManualCount

        counted = DailyVisits.objects.filter(
            branch__organisation=organisation, day__gte=start, day__lte=end
        )
        manual = ManualCount.objects.filter(
            branch__organisation=organisation, day__gte=start, day__lte=end
        )
        if branch_ids is not None:
            counted = counted.filter(branch_id__in=branch_ids)
            manual = manual.filter(branch_id__in=branch_ids)
        seen = set()
        rows = counted.values("branch_id", "day").annotate(
            total=Sum("visits"), estimated=Sum("visits", filter=Q(estimated=True))
        )
        for row in rows:
            seen.add((row["branch_id"], row["day"]))
            yield DailyValue(
                row["branch_id"], row["day"], float(row["total"]), float(row["estimated"] or 0)
            )
        for count in manual.values("branch_id", "day", "visits"):
            if (count["branch_id"], count["day"]) not in seen:  # a counter's figure wins
                yield DailyValue(count["branch_id"], count["day"], float(count["visits"]))

    def period_values(self, **kwargs):
        return []


class NewRegistrationsProvider:
    """New registered borrowers per month, placed on the month's last day (known then)."""

    def daily_values(self, *, organisation, start, end, branch_ids, measure):
        from bibliotal.visits.models import NewUserCount

        counts = NewUserCount.objects.filter(branch__organisation=organisation)
        if branch_ids is not None:
            counts = counts.filter(branch_id__in=branch_ids)
        for count in counts.values("branch_id", "month", "registrations"):
            month = count["month"]
            last = date(
                month.year, month.month, month_calendar.monthrange(month.year, month.month)[1]
            )
            if start <= last <= end:
                yield DailyValue(count["branch_id"], last, float(count["registrations"]))

    def period_values(self, **kwargs):
        return []
