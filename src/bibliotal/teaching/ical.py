"""Confirmed teaching as an iCalendar feed."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar, Event

from bibliotal.teaching.models import Booking


def confirmed_sessions_calendar(*, organisation, host: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Bibliotal//Undervisning//DA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{organisation.name}: undervisning")
    since = timezone.now() - timedelta(days=60)
    bookings = Booking.objects.filter(
        course__organisation=organisation, status=Booking.Status.ACCEPTED, scheduled_at__gte=since
    ).select_related("course__branch", "institution")
    for booking in bookings:
        event = Event()
        event.add("uid", f"booking-{booking.pk}@{host}")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", booking.scheduled_at)
        event.add(
            "dtend", booking.scheduled_at + timedelta(minutes=booking.course.duration_minutes)
        )
        event.add("summary", f"{booking.course.title}: {booking.class_label}")
        place = booking.course.branch.name if booking.course.branch_id else booking.school_name
        event.add("location", place)
        event.add("description", f"{booking.expected_pupils} elever, {booking.get_grade_display()}")
        calendar.add_component(event)
    return calendar.to_ical()
