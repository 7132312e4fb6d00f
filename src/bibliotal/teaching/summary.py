"""What a booking is, in words for the teacher: the thank-you page and the e-mails say it alike.

``booking_facts`` are the lines of the booking (course, time, place, class, pupils);
``answer_text`` is the e-mail that answers a booking: the decision, those lines, whom to ask,
how to cancel or move it, and the library's name under it.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bibliotal.teaching.models import Booking, Course


def when_text(course: Course, start) -> str:
    """ "tirsdag 12. januar 2027 kl. 10.00–11.30": the day, and the time from start to end."""
    start = timezone.localtime(start)
    end = start + timedelta(minutes=course.duration_minutes)
    return _("%(day)s, %(start)s–%(end)s") % {
        "day": formats.date_format(start, "WEEKDAY_DATE_FORMAT"),
        "start": formats.time_format(start, "TIME_FORMAT"),
        "end": formats.time_format(end, "TIME_FORMAT"),
    }


def place_text(course: Course, booking: Booking | None = None) -> str:
    """Where: the library with its address, the school, or online."""
    if course.place == Course.Place.SCHOOL:
        school = booking.school_name if booking is not None else ""
        return (
            _("At your school: %(school)s") % {"school": school} if school else _("At the school")
        )
    if course.place == Course.Place.ONLINE:
        return _("Online")
    if course.branch is None:
        return _("At the library")
    return ", ".join(part for part in (course.branch.name, course.branch.address) if part)


def library_name(course: Course) -> str:
    """The library that teaches the course, by the name citizens know."""
    organisation = course.organisation.name
    if course.branch is not None and course.branch.name != organisation:
        return f"{course.branch.name}, {organisation}"
    return organisation


def booking_facts(booking: Booking) -> list[tuple[str, str]]:
    """(label, value) lines of the booking; the time only once it is agreed or proposed."""
    course = booking.course
    facts = [(_("Course"), course.title)]
    if booking.scheduled_at:
        facts.append((_("When"), when_text(course, booking.scheduled_at)))
    facts += [
        (_("Place"), place_text(course, booking)),
        (_("Class"), booking.class_label),
        (_("Pupils"), str(booking.expected_pupils)),
    ]
    if course.sessions > 1:
        facts.append(
            (
                _("Sessions"),
                ngettext(
                    "%(n)d session for the class",
                    "%(n)d sessions for the class; the time above is the first",
                    course.sessions,
                )
                % {"n": course.sessions},
            )
        )
    return facts


def contact_text(course: Course, user=None) -> str:
    """Whom the teacher can ask: the person who answered (name and e-mail where known), the
    course's team e-mail and telephone."""
    parts = []
    if user is not None:
        name = user.get_full_name().strip()
        if name:
            parts.append(name)
        if user.email and user.email != course.contact_email:
            parts.append(user.email)
    if course.contact_email:
        parts.append(course.contact_email)
    if course.contact_phone:
        parts.append(_("telephone %(phone)s") % {"phone": course.contact_phone})
    return ", ".join(parts)


def answer_text(booking: Booking, *, note: str = "") -> str:
    """The e-mail that tells the teacher the library's answer."""
    course = booking.course
    lines = [
        _("Dear %(name)s,") % {"name": booking.teacher_name}
        if booking.teacher_name
        else _("Hello,"),
        "",
    ]
    if booking.status == Booking.Status.ACCEPTED:
        lines.append(
            _("Your booking of %(course)s is confirmed for %(when)s.")
            % {"course": course.title, "when": when_text(course, booking.scheduled_at)}
        )
    elif booking.status == Booking.Status.PROPOSED:
        lines.append(
            _("We propose %(when)s for %(course)s instead. Please reply to this e-mail.")
            % {"course": course.title, "when": when_text(course, booking.scheduled_at)}
        )
    else:
        lines.append(
            _("Unfortunately we cannot take your booking of %(course)s.") % {"course": course.title}
        )
    if note:
        lines += ["", note]
    lines += ["", *(f"{label}: {value}" for label, value in booking_facts(booking))]
    contact = contact_text(course, booking.handled_by)
    if contact:
        lines += ["", _("Contact: %(contact)s") % {"contact": contact}]
    if booking.status == Booking.Status.ACCEPTED:
        where = course.contact_email or (booking.handled_by.email if booking.handled_by else "")
        lines += [
            "",
            _(
                "If you need to cancel or move the course, write to %(email)s as early as you "
                "can, with the course, the date and the class."
            )
            % {"email": where}
            if where
            else _(
                "If you need to cancel or move the course, tell the library as early as you "
                "can, with the course, the date and the class."
            ),
        ]
    name = booking.handled_by.get_full_name().strip() if booking.handled_by else ""
    lines += ["", _("Kind regards"), *([name] if name else []), library_name(course)]
    return "\n".join(lines)
