"""Teaching: institutions in from CSV, bookings from teachers, decisions, contact-data deletion."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bibliotal.core import audit
from bibliotal.core.imports import (
    ImportRejected,
    RowError,
    find_column,
    fingerprint,
    missing_columns,
    read_table,
)
from bibliotal.core.mail import outbox
from bibliotal.core.mail.tasks import schedule_delivery
from bibliotal.core.models import Branch, ImportBatch
from bibliotal.teaching.models import Booking, Institution
from bibliotal.teaching.summary import answer_text

logger = logging.getLogger(__name__)

KIND_WORDS = {
    "folkeskole": Institution.Kind.FOLKESKOLE,
    "friskole": Institution.Kind.FRISKOLE,
    "privatskole": Institution.Kind.FRISKOLE,
    "friskole/privatskole": Institution.Kind.FRISKOLE,
    "efterskole": Institution.Kind.EFTERSKOLE,
    "gymnasium": Institution.Kind.GYMNASIUM,
    "stx": Institution.Kind.GYMNASIUM,
    "hhx": Institution.Kind.GYMNASIUM,
    "htx": Institution.Kind.GYMNASIUM,
    "hf": Institution.Kind.HF,
    "eud": Institution.Kind.EUD,
    "erhvervsskole": Institution.Kind.EUD,
    "10. klasse": Institution.Kind.TENTH,
    "10_klasse": Institution.Kind.TENTH,
    "10-klasse": Institution.Kind.TENTH,
    "andet": Institution.Kind.OTHER,
    "other": Institution.Kind.OTHER,
}
AREA_WORDS = {
    "by": Branch.AreaType.CITY,
    "city": Branch.AreaType.CITY,
    "centerby": Branch.AreaType.CENTRE_TOWN,
    "centre_town": Branch.AreaType.CENTRE_TOWN,
    "landområde": Branch.AreaType.RURAL,
    "land": Branch.AreaType.RURAL,
    "rural": Branch.AreaType.RURAL,
}


@dataclass
class InstitutionImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    already_imported: bool = False
    errors: list = field(default_factory=list)
    note: str = ""  # why a file imported nothing

    def summary(self) -> str:
        if self.already_imported:
            return _("This file was imported before: nothing changed.")
        text = _(
            "%(created)d new, %(updated)d changed and %(unchanged)d unchanged institutions."
        ) % {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        return f"{text} {self.note}" if self.note else text


def import_institutions(
    *, organisation, data: bytes, filename: str, user=None, dry_run: bool = False
) -> InstitutionImportResult:
    """CSV with the columns navn/name, type, kommune/municipality, områdetype/area_type."""
    digest = fingerprint(data)
    result = InstitutionImportResult()
    if ImportBatch.objects.filter(
        organisation=organisation, kind="institutions", sha256=digest
    ).exists():
        result.already_imported = True
        return result
    header, rows, _delimiter = read_table(data, filename=filename)
    name_col = find_column(header, "navn", "name", "institution", "skole")
    kind_col = find_column(header, "type", "kind", "institutionstype")
    municipality_col = find_column(header, "kommune", "municipality")
    area_col = find_column(header, "områdetype", "omraadetype", "area_type", "område")
    errors: list[RowError] = []
    if name_col is None or kind_col is None:
        missing = [c for c, col in (("navn", name_col), ("type", kind_col)) if col is None]
        raise missing_columns(filename, header, missing)
    parsed, seen = [], {}
    for line, row in rows:
        name = row.get(name_col, "")
        if not name:
            errors.append(RowError(filename, line, name_col, name, _("A name is required.")))
            continue
        if name.lower() in seen:
            errors.append(
                RowError(
                    filename,
                    line,
                    name_col,
                    name,
                    _("The same institution appears on line %(line)d.")
                    % {"line": seen[name.lower()]},
                )
            )
            continue
        seen[name.lower()] = line
        kind = KIND_WORDS.get(row.get(kind_col, "").strip().lower())
        if kind is None:
            errors.append(
                RowError(
                    filename,
                    line,
                    kind_col,
                    row.get(kind_col, ""),
                    _(
                        "Unknown type; use folkeskole, friskole, efterskole, gymnasium, HF, EUD, "
                        "10. klasse or andet."
                    ),
                )
            )
            continue
        area = ""
        if area_col and row.get(area_col):
            area = AREA_WORDS.get(row[area_col].strip().lower())
            if area is None:
                errors.append(
                    RowError(
                        filename,
                        line,
                        area_col,
                        row[area_col],
                        _("Unknown area type; use by, centerby or landområde."),
                    )
                )
                continue
        if len(name) > 200:
            errors.append(
                RowError(filename, line, name_col, name[:60], _("At most 200 characters."))
            )
            continue
        municipality = row.get(municipality_col, "") if municipality_col else ""
        if len(municipality) > 100:
            errors.append(
                RowError(
                    filename,
                    line,
                    municipality_col,
                    municipality[:60],
                    _("At most 100 characters."),
                )
            )
            continue
        parsed.append(
            {
                "name": name,
                "kind": kind,
                "area_type": area,
                "municipality": row.get(municipality_col, "") if municipality_col else "",
            }
        )
    if errors:
        raise ImportRejected(errors)
    if not rows:
        result.note = _("The file has no rows below its header.")
    with transaction.atomic():
        for values in parsed:
            existing = Institution.objects.filter(
                organisation=organisation, name=values["name"]
            ).first()
            if existing is None:
                result.created += 1
                if not dry_run:
                    Institution.objects.create(organisation=organisation, **values)
            elif any(getattr(existing, k) != v for k, v in values.items()):
                result.updated += 1
                if not dry_run:
                    for key, value in values.items():
                        setattr(existing, key, value)
                    existing.save()
            else:
                result.unchanged += 1
        if not dry_run:
            ImportBatch.objects.create(
                organisation=organisation,
                kind="institutions",
                filename=filename,
                sha256=digest,
                imported_by=user,
                summary={
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
    return result


def _about(booking: Booking) -> str:
    return f"teaching.booking:{booking.pk}"


def _send(subject: str, body: str, to: list[str], *, booking: Booking) -> bool:
    """Send through the outbox now, and say whether it went: what a mail server that is down
    (or none at all) does not take waits in the outbox for the worker's next attempt, and a
    booking is never lost. Nothing of the e-mail (address, name, text) goes to the log; the
    e-mails are deleted with the teacher's contact data."""
    recipients = [address for address in to if address]
    if not recipients:
        return True
    queued = [
        outbox.enqueue(
            recipient=recipient,
            subject=subject,
            body=body,
            organisation=booking.course.organisation,
            about=_about(booking),
        )
        for recipient in recipients
    ]
    delivery = outbox.deliver(queued)
    if delivery.sent == len(queued):
        return True
    logger.warning("%d booking e-mails wait in the outbox", len(queued) - delivery.sent)
    schedule_delivery()
    return False


def submit_booking(*, course, data: dict, base_url: str) -> Booking:
    """A teacher's request from the public page; the teacher and the team get an e-mail."""
    with transaction.atomic():
        booking = Booking.objects.create(course=course, **data)
    # The confirmation repeats nothing the sender typed, so the page cannot be used to send
    # the library's e-mail with someone else's text.
    _send(
        _("We have received your booking: %(course)s") % {"course": course.title},
        _(
            "Thank you. We have received a request for %(course)s (%(pupils)d pupils). The "
            "library will answer by e-mail."
        )
        % {"course": course.title, "pupils": booking.expected_pupils},
        [booking.teacher_email],
        booking=booking,
    )
    _send(
        _("New booking: %(course)s") % {"course": course.title},
        _("%(school)s, class %(class)s, %(pupils)d pupils, wishes: %(dates)s\n\n%(link)s")
        % {
            "school": booking.school_name,
            "class": booking.class_name,
            "pupils": booking.expected_pupils,
            "dates": booking.wished_dates,
            "link": base_url + reverse("teaching:booking_detail", args=[booking.pk]),
        },
        [course.contact_email],
        booking=booking,
    )
    return booking


def decide_booking(
    *, booking: Booking, user, status: str, scheduled_at=None, note: str = ""
) -> Booking:
    """Accept (with the agreed time), propose another time, or decline; the teacher is told."""
    if status not in {Booking.Status.ACCEPTED, Booking.Status.PROPOSED, Booking.Status.DECLINED}:
        raise ValueError(status)
    if status in {Booking.Status.ACCEPTED, Booking.Status.PROPOSED} and scheduled_at is None:
        raise ValueError(_("Give the time."))
    booking.status = status
    booking.scheduled_at = scheduled_at
    booking.staff_note = note
    booking.handled_by = user
    booking.save()
    body = answer_text(booking, note=note)
    booking.mail_sent = _send(
        _("Your booking: %(course)s") % {"course": booking.course.title},
        body,
        [booking.teacher_email],
        booking=booking,
    )
    return booking


def purge_teacher_contacts(*, now=None, days: int | None = None) -> int:
    """Delete the teacher's name, e-mail and free text a set time after the last session, or
    after the agreed time, or after the booking was received when it was never taught (declined,
    cancelled or left unanswered), and the e-mails about the booking with them. The counts
    remain. Each deletion is audited. `bibliotal worker` runs this every night."""
    now = now or timezone.now()
    days = settings.BIBLIOTAL_TEACHER_CONTACT_DAYS if days is None else days
    if days < 0:
        raise ValueError(_("The number of days cannot be negative."))
    cutoff = now - timedelta(days=days)
    candidates = (
        Booking.objects.filter(contact_deleted_at__isnull=True)
        .select_related("course")
        .annotate(last_session=Max("taught__day"))
    )
    purged = 0
    for booking in candidates:
        if booking.last_session is not None:
            ended = booking.last_session < cutoff.date()
        elif booking.scheduled_at is not None and booking.status not in {
            Booking.Status.DECLINED,
            Booking.Status.CANCELLED,
        }:
            ended = booking.scheduled_at < cutoff
        else:
            ended = booking.created_at < cutoff
        if not ended:
            continue
        Booking.objects.filter(pk=booking.pk).update(
            teacher_name="",
            teacher_email="",
            wished_dates="",
            staff_note="",
            contact_deleted_at=now,
        )
        outbox.forget(about=_about(booking))
        audit.record(
            action="update",
            instance=booking,
            organisation_id=booking.course.organisation_id,
            changes={"contact_deleted_at": [None, now.isoformat()]},
            note="teacher contact data deleted",
        )
        purged += 1
    return purged
