"""The guidance indicator: taps and typed totals in the topics that count toward the goal."""

from __future__ import annotations

from django.db.models import Sum

from bibliotal.goals.indicators import DailyValue


class GuidanceProvider:
    def daily_values(self, *, organisation, start, end, branch_ids, measure):
        from bibliotal.guidance.models import GuidanceRecord

        records = GuidanceRecord.objects.toward_goal().filter(
            branch__organisation=organisation, day__gte=start, day__lte=end
        )
        if branch_ids is not None:
            records = records.filter(branch_id__in=branch_ids)
        for row in records.values("branch_id", "day").annotate(total=Sum("count")):
            yield DailyValue(row["branch_id"], row["day"], float(row["total"]))

    def day_totals(self, *, organisation, start, end, measure):
        """``daily_values`` added up per day by the database."""
        from bibliotal.guidance.models import GuidanceRecord

        records = GuidanceRecord.objects.toward_goal().filter(
            branch__organisation=organisation, day__gte=start, day__lte=end
        )
        for day, total in records.values_list("day").annotate(total=Sum("count")):
            yield day, float(total), 0.0

    def period_values(self, **kwargs):
        return []


def statistics(*, organisation, start, end):
    """Guidance's part of Danmarks Statistik's user education: the IT cafés."""
    from django.utils.translation import gettext_lazy as _

    from bibliotal.goals.indicators import Statistic

    totals = dst_user_education(organisation=organisation, start=start, end=end)
    note = _(
        "IT cafés and topics marked as user education: one lesson per service point and day, "
        "each person helped a participant."
    )
    return [
        Statistic("user_education_lessons", totals["lessons"], note),
        Statistic("user_education_participants", totals["participants"], note),
    ]


def dst_user_education(*, organisation, start, end) -> dict:
    """Danmarks Statistik's user education from guidance: help at IT cafés and topics marked as
    user education. Lessons are the days an IT café or such topic was served at a service point;
    participants are the people helped."""
    from django.db.models import Q

    from bibliotal.core.models import ServicePoint
    from bibliotal.guidance.models import GuidanceRecord

    records = (
        GuidanceRecord.objects.counted()
        .filter(branch__organisation=organisation, day__gte=start, day__lte=end)
        .filter(
            Q(service_point__kind=ServicePoint.Kind.IT_CAFE) | Q(topic__dst_user_education=True)
        )
    )
    lessons = records.values("service_point_id", "day").distinct().count()
    participants = records.aggregate(total=Sum("count"))["total"] or 0
    return {"lessons": lessons, "participants": participants}
