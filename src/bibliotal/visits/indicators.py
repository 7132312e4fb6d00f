"""visits (per library and day, with the estimated part) and new registered users."""

from __future__ import annotations

import calendar as month_calendar
from datetime import date

from django.db.models import Q, Sum

from bibliotal.goals.indicators import DailyValue


class VisitsProvider:
    """Daily visits per library; an hour held for review (``visits.plausibility``) is left out
    until accepted, or counts as corrected, and never takes a sensor's day below zero."""

    review_url_name = "visits:flags"

    def daily_values(self, *, organisation, start, end, branch_ids, measure):
        from bibliotal.visits.models import DailyVisits, HeldHour, ManualCount

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
        left_out = self._left_out(HeldHour, counted, organisation, start, end, branch_ids)
        rows = counted.values("branch_id", "day").annotate(
            total=Sum("visits"), estimated=Sum("visits", filter=Q(estimated=True))
        )
        for row in rows:
            seen.add((row["branch_id"], row["day"]))
            total = float(row["total"]) - left_out.get((row["branch_id"], row["day"]), 0.0)
            yield DailyValue(row["branch_id"], row["day"], total, float(row["estimated"] or 0))
        for count in manual.values("branch_id", "day", "visits"):
            if (count["branch_id"], count["day"]) not in seen:  # a counter's figure wins
                yield DailyValue(count["branch_id"], count["day"], float(count["visits"]))

    def day_totals(self, *, organisation, start, end, measure):
        """``daily_values`` added up per day by the database: the counted days, less what held
        hours leave out, and the manual counts of library-days no counter counted."""
        from django.db.models import Exists, OuterRef

        from bibliotal.visits.models import DailyVisits, HeldHour, ManualCount

        counted = DailyVisits.objects.filter(
            branch__organisation=organisation, day__gte=start, day__lte=end
        )
        left_out: dict = {}
        for (_branch, day), amount in self._left_out(
            HeldHour, counted, organisation, start, end, None
        ).items():
            left_out[day] = left_out.get(day, 0.0) + amount
        for day, total, estimated in counted.values_list("day").annotate(
            total=Sum("visits"), estimated=Sum("visits", filter=Q(estimated=True))
        ):
            yield day, float(total) - left_out.get(day, 0.0), float(estimated or 0)
        manual = (
            ManualCount.objects.filter(
                branch__organisation=organisation, day__gte=start, day__lte=end
            )
            .exclude(
                Exists(
                    DailyVisits.objects.filter(branch_id=OuterRef("branch_id"), day=OuterRef("day"))
                )
            )
            .values_list("day")
            .annotate(total=Sum("visits"))
        )
        for day, total in manual:
            yield day, float(total), 0.0

    @staticmethod
    def _left_out(held_model, counted, organisation, start, end, branch_ids) -> dict:
        """Per (library, day) the visits held hours take out, at most each sensor's day."""
        held = held_model.objects.filter(
            branch__organisation=organisation, day__gte=start, day__lte=end
        ).exclude(decision=held_model.Decision.ACCEPTED)
        if branch_ids is not None:
            held = held.filter(branch_id__in=branch_ids)
        per_sensor: dict[tuple, float] = {}
        for hour in held:
            key = (hour.sensor_id, hour.branch_id, hour.day)
            per_sensor[key] = per_sensor.get(key, 0.0) + float(hour.left_out)
        if not per_sensor:
            return {}
        days = {
            (d["sensor_id"], d["day"]): float(d["visits"])
            for d in counted.filter(
                sensor_id__in={k[0] for k in per_sensor}, day__in={k[2] for k in per_sensor}
            ).values("sensor_id", "day", "visits")
        }
        found: dict[tuple, float] = {}
        for (sensor_id, branch_id, day), amount in per_sensor.items():
            taken = min(amount, days.get((sensor_id, day), 0.0))  # a correction up adds
            found[(branch_id, day)] = found.get((branch_id, day), 0.0) + taken
        return found

    def held_out(self, *, organisation, start, end, branch_ids, measure) -> int:
        """How many hours of the period are held out until a person reviews them."""
        from bibliotal.visits.plausibility import held_counts

        return held_counts(organisation=organisation, start=start, end=end, branch_ids=branch_ids)

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
