"""event_participants, events_held and first-time participants (part of new_users)."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from bibliotal.goals.indicators import DailyValue


def _occurrences(organisation, start, end, branch_ids):
    from bibliotal.events.models import EventOccurrence

    occurrences = EventOccurrence.objects.counted().filter(organisation=organisation)
    occurrences = occurrences.annotate(
        day=TruncDate("starts_at", tzinfo=timezone.get_current_timezone())
    )
    occurrences = occurrences.filter(day__gte=start, day__lte=end)
    if branch_ids is not None:
        occurrences = occurrences.filter(branch_id__in=branch_ids)
    return occurrences


class EventParticipantsProvider:
    """Participants of the library's events (cancelled and outside hirers' never count)."""

    def daily_values(self, *, organisation, start, end, branch_ids, measure):
        rows = (
            _occurrences(organisation, start, end, branch_ids)
            .filter(attendance_total__isnull=False)
            .values("branch_id", "day")
            .annotate(total=Sum("attendance_total"))
        )
        for row in rows:
            yield DailyValue(row["branch_id"], row["day"], float(row["total"]))

    def period_values(self, **kwargs):
        return []


class EventsHeldProvider:
    """Events held: each occurrence once, when it has taken place."""

    def daily_values(self, *, organisation, start, end, branch_ids, measure):
        rows = (
            _occurrences(organisation, start, end, branch_ids)
            .filter(starts_at__lt=timezone.now())
            .values("branch_id", "day")
            .annotate(total=Count("pk"))
        )
        for row in rows:
            yield DailyValue(row["branch_id"], row["day"], float(row["total"]))

    def period_values(self, **kwargs):
        return []


class FirstTimeParticipantsProvider:
    """First-time participants counted at events: the events' part of new users."""

    def daily_values(self, *, organisation, start, end, branch_ids, measure):
        rows = (
            _occurrences(organisation, start, end, branch_ids)
            .filter(attendance_first_time__isnull=False)
            .values("branch_id", "day")
            .annotate(total=Sum("attendance_first_time"))
        )
        for row in rows:
            yield DailyValue(row["branch_id"], row["day"], float(row["total"]))

    def period_values(self, **kwargs):
        return []


def statistics(*, organisation, start, end):
    """Held events whose attendance is still missing: the participants figure lacks them."""
    from bibliotal.goals.indicators import Statistic

    found = dst_events(organisation=organisation, start=start, end=end)
    return [Statistic("events_without_attendance", found["without_attendance"])]


def dst_events(*, organisation, start, end) -> dict:
    """Danmarks Statistik's events: events held by the library and their participants."""
    occurrences = _occurrences(organisation, start, end, None).filter(starts_at__lt=timezone.now())
    totals = occurrences.aggregate(events=Count("pk"), participants=Sum("attendance_total"))
    return {
        "events": totals["events"],
        "participants": totals["participants"] or 0,
        "without_attendance": occurrences.filter(attendance_total__isnull=True).count(),
    }
