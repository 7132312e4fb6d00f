"""event_participants, events_held and first-time participants (part of new_users)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Count, Sum
from django.utils import timezone

from bibliotal.goals.indicators import DailyValue


def _occurrences(organisation, start, end, branch_ids):
    """The organisation's counted occurrences that start on a local day from ``start`` to
    ``end``: a range of ``starts_at`` that its index answers (a local date of every row,
    which SQLite works out in Python per row, cost the goals page a third of its time)."""
    from bibliotal.events.models import EventOccurrence

    zone = timezone.get_current_timezone()
    occurrences = EventOccurrence.objects.counted().filter(
        organisation=organisation,
        starts_at__gte=timezone.make_aware(datetime.combine(start, time.min), zone),
        starts_at__lt=timezone.make_aware(
            datetime.combine(end + timedelta(days=1), time.min), zone
        ),
    )
    if branch_ids is not None:
        occurrences = occurrences.filter(branch_id__in=branch_ids)
    return occurrences


def _by_day(rows) -> list[DailyValue]:
    """(library, start, value) rows summed per library (None: an event of no library) and
    local day."""
    zone = timezone.get_current_timezone()
    totals: dict[tuple[int, object], float] = defaultdict(float)
    for branch_id, starts_at, value in rows:
        totals[(branch_id, starts_at.astimezone(zone).date())] += float(value)
    return [DailyValue(branch, day, total) for (branch, day), total in totals.items()]


class EventParticipantsProvider:
    """Participants of the library's events (cancelled and outside hirers' never count)."""

    def daily_values(self, *, organisation, start, end, branch_ids, measure):
        return _by_day(
            _occurrences(organisation, start, end, branch_ids)
            .filter(attendance_total__isnull=False)
            .order_by()
            .values_list("branch_id", "starts_at", "attendance_total")
        )

    def period_values(self, **kwargs):
        return []


class EventsHeldProvider:
    """Events held: each occurrence once, when it has taken place."""

    def daily_values(self, *, organisation, start, end, branch_ids, measure):
        return _by_day(
            (branch_id, starts_at, 1)
            for branch_id, starts_at in _occurrences(organisation, start, end, branch_ids)
            .filter(starts_at__lt=timezone.now())
            .order_by()
            .values_list("branch_id", "starts_at")
        )

    def period_values(self, **kwargs):
        return []


class FirstTimeParticipantsProvider:
    """First-time participants counted at events: the events' part of new users."""

    def daily_values(self, *, organisation, start, end, branch_ids, measure):
        return _by_day(
            _occurrences(organisation, start, end, branch_ids)
            .filter(attendance_first_time__isnull=False)
            .order_by()
            .values_list("branch_id", "starts_at", "attendance_first_time")
        )

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
