"""The public programme as iCalendar."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar, Event

from bibliotal.events.models import EventOccurrence


def programme_calendar(*, organisation, host: str, occurrences=None) -> bytes:
    """The organisation's published programme from 30 days back, or ``occurrences`` (the
    programme page's filters applied)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Bibliotal//Arrangementer//DA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", organisation.name)
    if occurrences is None:
        occurrences = (
            EventOccurrence.objects.filter(
                organisation=organisation,
                published=True,
                starts_at__gte=timezone.now() - timedelta(days=30),
            )
            .exclude(organiser=EventOccurrence.Organiser.OUTSIDE_HIRER)
            .select_related("branch")
        )
    for occurrence in occurrences:
        event = Event()
        event.add("uid", f"event-{occurrence.pk}@{host}")  # one event per occurrence
        event.add("dtstamp", timezone.now())
        event.add("dtstart", occurrence.starts_at)
        if occurrence.ends_at:
            event.add("dtend", occurrence.ends_at)
        event.add("summary", occurrence.title)
        if occurrence.description:
            event.add("description", occurrence.description)
        event.add("location", occurrence.branch.name if occurrence.branch else occurrence.place)
        if occurrence.status == EventOccurrence.Status.CANCELLED:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    return calendar.to_ical()
