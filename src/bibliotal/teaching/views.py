from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import secrets
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Sum
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bibliotal.core import datapages, exports, importers
from bibliotal.core.importers import Upload
from bibliotal.core.imports import ImportRejected
from bibliotal.core.models import Membership, Organisation
from bibliotal.core.permissions import (
    Capability,
    has_capability,
    membership_of,
    organisation_of,
    require,
)
from bibliotal.core.proxy import client_ip
from bibliotal.core.views import _organisation_or_403
from bibliotal.goals.charts import month_comparison_chart
from bibliotal.goals.indicators import ATTENDANCES, UNIQUE
from bibliotal.teaching.forms import (
    BookingForm,
    CourseForm,
    DecisionForm,
    InstitutionImportForm,
    SessionForm,
)
from bibliotal.teaching.indicators import PupilsTaughtProvider
from bibliotal.teaching.models import (
    Booking,
    BookingAttempt,
    Course,
    CourseAddress,
    Institution,
    TeachingSession,
)
from bibliotal.teaching.services import decide_booking, submit_booking
from bibliotal.teaching.summary import booking_facts

BOOKINGS_PER_HOUR = 5


# -- the public pages -----------------------------------------------------------------------------


def catalogue(request, organisation_id: int | None = None):
    """The courses open for booking: one organisation's, or every organisation's under its
    name; with one organisation the page carries its name as every public page does."""
    today = timezone.localdate()
    published = Course.objects.filter(published=True)
    organisation = None
    if organisation_id is not None:
        organisation = get_object_or_404(Organisation, pk=organisation_id)
        published = published.filter(organisation=organisation)
    courses = [
        c
        for c in published.select_related("organisation", "branch").order_by(
            "organisation__name", "theme", "title"
        )
        if c.is_offered_on(today)
    ]
    if organisation is None:
        offering = {c.organisation_id: c.organisation for c in courses}
        if len(offering) == 1:
            organisation = next(iter(offering.values()))
        elif not offering and Organisation.objects.count() == 1:
            organisation = Organisation.objects.get()
    return render(
        request,
        "teaching/course_catalogue.html",
        {"courses": courses, "public_org": organisation},
    )


BOOKINGS_PER_EMAIL_PER_HOUR = 3


def client_address(request) -> str:
    """The booker's address (``core.proxy``: the proxy's word for it when behind one); an
    IPv6 address by its /64 network, which one household or school holds."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _keyed(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def _rate_limited(request, email: str) -> bool:
    """At most a few bookings an hour per address and per teacher e-mail, shared by every
    worker process (the database), keeping only keyed hashes for an hour."""
    now = timezone.now()
    BookingAttempt.objects.filter(at__lt=now - timedelta(hours=1)).delete()
    address, recipient = _keyed(client_address(request)), _keyed(email.strip().lower())
    recent = BookingAttempt.objects.filter(at__gte=now - timedelta(hours=1))
    if (
        recent.filter(address_hash=address).count() >= BOOKINGS_PER_HOUR
        or recent.filter(email_hash=recipient).count() >= BOOKINGS_PER_EMAIL_PER_HOUR
    ):
        return True
    BookingAttempt.objects.create(address_hash=address, email_hash=recipient, at=now)
    return False


BOOKED_KEY = "teaching_booked"  # the session's own bookings, for its thank-you page


def _former_address(request, slug: str, name: str):
    """A permanent redirect from an address a course had before to its address now."""
    former = CourseAddress.objects.select_related("course").filter(slug=slug).first()
    if former is None or not former.course.published:
        raise Http404
    target = reverse(name, args=[former.course.slug])
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)


def course_public(request, slug: str):
    course = (
        Course.objects.select_related("organisation", "branch")
        .filter(slug=slug, published=True)
        .first()
    )
    if course is None:
        return _former_address(request, slug, "teaching:course_public")
    if not course.is_offered_on(timezone.localdate()):
        raise Http404
    form = BookingForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.get("website"):
            return redirect("teaching:booking_thanks", slug=course.slug)  # a robot: keep nothing
        if _rate_limited(request, form.cleaned_data["teacher_email"]):
            form.add_error(
                None,
                _(
                    "Too many bookings from this address in an hour. Try again "
                    "later or write to the library."
                ),
            )
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
            booking = submit_booking(
                course=course, data=data, base_url=request.build_absolute_uri("/").rstrip("/")
            )
            # Only this browser sees what it booked: the thank-you page reads the session.
            request.session[BOOKED_KEY] = [
                *request.session.get(BOOKED_KEY, [])[-9:],
                booking.pk,
            ]
            return redirect("teaching:booking_thanks", slug=course.slug)
    return render(
        request,
        "teaching/course_public.html",
        {"course": course, "form": form, "public_org": course.organisation},
    )


def booking_thanks(request, slug: str):
    """Thanks, with what this browser booked (from its session: another's booking is never
    shown), and what happens next."""
    course = (
        Course.objects.select_related("organisation", "branch")
        .filter(slug=slug, published=True)
        .first()
    )
    if course is None:
        return _former_address(request, slug, "teaching:booking_thanks")
    booking = (
        Booking.objects.select_related("course__organisation", "course__branch", "institution")
        .filter(
            pk__in=request.session.get(BOOKED_KEY, []),
            course=course,
            contact_deleted_at__isnull=True,
        )
        .order_by("-created_at")
        .first()
    )
    return render(
        request,
        "teaching/booking_thanks.html",
        {
            "course": course,
            "booking": booking,
            "facts": booking_facts(booking) if booking else [],
            "public_org": course.organisation,
        },
    )


# -- the team's pages ---------------------------------------------------------------------------


@require(Capability.COORDINATE)
def home(request):
    organisation = _organisation_or_403(request)
    waiting = Booking.objects.filter(
        course__organisation=organisation, status=Booking.Status.REQUESTED
    ).count()
    upcoming = Booking.objects.filter(
        course__organisation=organisation,
        status=Booking.Status.ACCEPTED,
        scheduled_at__gte=timezone.now(),
    ).order_by("scheduled_at")
    return render(
        request,
        "teaching/home.html",
        {
            "waiting": waiting,
            "upcoming": upcoming[:10],
            "calendar_key": calendar_key_for(request.user),
        },
    )


@require(Capability.COORDINATE)
def course_list(request):
    organisation = _organisation_or_403(request)
    courses = (
        Course.objects.filter(organisation=organisation)
        .annotate(booked=Count("bookings"))
        .order_by("-published", "title")
    )
    return render(request, "teaching/course_list.html", {"courses": courses})


@require(Capability.COORDINATE)
def course_edit(request, pk: int | None = None):
    organisation = _organisation_or_403(request)
    course = get_object_or_404(Course, pk=pk, organisation=organisation) if pk else None
    form = CourseForm(request.POST or None, instance=course, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("The course is saved."))
        return redirect("teaching:course_edit", pk=saved.pk)
    return render(request, "teaching/course_form.html", {"form": form, "course": course})


@require(Capability.COORDINATE)
def booking_list(request):
    organisation = _organisation_or_403(request)
    status = request.GET.get("status", Booking.Status.REQUESTED)
    bookings = Booking.objects.filter(course__organisation=organisation).select_related(
        "course", "institution"
    )
    if status in Booking.Status.values:
        bookings = bookings.filter(status=status)
    return render(
        request,
        "teaching/booking_list.html",
        {"bookings": bookings[:200], "status": status, "statuses": Booking.Status.choices},
    )


def _booking(request, pk):
    organisation = _organisation_or_403(request)
    if not str(pk).isdigit():
        raise Http404
    return get_object_or_404(
        Booking.objects.select_related("course", "institution"),
        pk=pk,
        course__organisation=organisation,
    )


@require(Capability.COORDINATE)
def booking_detail(request, pk: int):
    booking = _booking(request, pk)
    initial = {
        "scheduled_at": timezone.localtime(booking.scheduled_at) if booking.scheduled_at else None
    }
    form = DecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        answered = decide_booking(
            booking=booking,
            user=request.user,
            status=form.cleaned_data["decision"],
            scheduled_at=form.cleaned_data["scheduled_at"],
            note=form.cleaned_data["note"],
        )
        if getattr(answered, "mail_sent", True):
            messages.success(request, _("The answer is saved and sent to the teacher."))
        else:
            messages.warning(
                request,
                _(
                    "The answer is saved, but the e-mail to the teacher could not be sent yet: "
                    "it waits in the outbox and is tried again. Tell the teacher yourself if it "
                    "is urgent."
                ),
            )
        return redirect("teaching:booking_detail", pk=booking.pk)
    return render(
        request,
        "teaching/booking_detail.html",
        {"booking": booking, "form": form, "sessions": booking.taught.all()},
    )


@require(Capability.COORDINATE)
def session_list(request):
    organisation = _organisation_or_403(request)
    today = timezone.localdate()
    try:
        month = datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        month = today.replace(day=1)
    if not 2000 <= month.year <= today.year + 5:
        month = today.replace(day=1)
    end = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    sessions = (
        TeachingSession.objects.filter(
            branch__organisation=organisation, day__gte=month, day__lte=end
        )
        .select_related("course", "institution", "branch")
        .order_by("day", "start_time")
    )
    booked = Booking.objects.filter(
        course__organisation=organisation,
        status=Booking.Status.ACCEPTED,
        scheduled_at__date__gte=month,
        scheduled_at__date__lte=end,
        taught__isnull=True,
    ).select_related("course", "institution")
    days: dict[date, dict] = defaultdict(lambda: {"sessions": [], "booked": []})
    for session in sessions:
        days[session.day]["sessions"].append(session)
    for booking in booked:
        days[timezone.localtime(booking.scheduled_at).date()]["booked"].append(booking)
    previous = (month - timedelta(days=1)).replace(day=1)
    following = end + timedelta(days=1)
    return render(
        request,
        "teaching/session_list.html",
        {
            "days": sorted(days.items()),
            "month": month,
            "previous": previous,
            "following": following,
            "pupils": sum(s.pupils_present for s in sessions),
        },
    )


@require(Capability.COORDINATE)
def session_edit(request, pk: int | None = None):
    organisation = _organisation_or_403(request)
    session = (
        get_object_or_404(TeachingSession, pk=pk, branch__organisation=organisation)
        if (pk)
        else None
    )
    initial = {}
    booking = None
    if session is None and request.GET.get("booking"):
        booking = _booking(request, request.GET["booking"])
        course = booking.course
        initial = {
            "course": course,
            "branch": course.branch,
            "place": course.place,
            "institution": booking.institution,
            "class_name": booking.class_name,
            "grade": booking.grade,
            "theme": course.theme,
            "pupils_present": booking.expected_pupils,
            "staff": [request.user],
            "day": timezone.localtime(booking.scheduled_at).date()
            if booking.scheduled_at
            else timezone.localdate(),
            "start_time": timezone.localtime(booking.scheduled_at).time()
            if booking.scheduled_at
            else None,
        }
    form = SessionForm(
        request.POST or None, instance=session, initial=initial, organisation=organisation
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if session is None:
            saved.registered_by = request.user
            if request.POST.get("booking"):
                saved.booking = _booking(request, request.POST["booking"])
        saved.save()
        form.save_m2m()
        messages.success(
            request, _("The session is saved: %(n)d pupils.") % {"n": saved.pupils_present}
        )
        return redirect("teaching:session_list")
    return render(
        request,
        "teaching/session_form.html",
        {"form": form, "session": session, "booking": booking},
    )


@require(Capability.COORDINATE)
def institution_list(request):
    organisation = _organisation_or_403(request)
    form = InstitutionImportForm(request.POST or None, request.FILES or None)
    result, errors, confirm = None, [], None
    if request.method == "POST" and "confirm" in request.POST:
        try:
            data = base64.b64decode(request.POST.get("data", ""), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise Http404 from exc
        try:
            result = importers.get("institutions").apply(
                upload=Upload.from_bytes(data, request.POST.get("filename", "")[:255]),
                organisation=organisation,
                user=request.user,
            )
        except ImportRejected as error:
            errors = [str(e) for e in error.errors]
        else:
            messages.success(
                request,
                _(
                    "Institutions imported: %(created)d new, %(updated)d "
                    "changed, %(unchanged)d unchanged."
                )
                % result.__dict__,
            )
            return redirect("teaching:institution_list")
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            result = importers.get("institutions").preview(
                upload=Upload.from_bytes(data, upload.name),
                organisation=organisation,
                user=request.user,
            )
        except ImportRejected as error:
            errors = [str(e) for e in error.errors]
        else:
            confirm = {"data": base64.b64encode(data).decode("ascii"), "filename": upload.name}
    institutions = Institution.objects.filter(organisation=organisation)
    return render(
        request,
        "teaching/institution_list.html",
        {
            "form": form,
            "institutions": institutions,
            "result": result,
            "errors": errors,
            "confirm": confirm,
        },
        status=400 if errors else 200,
    )


@require(Capability.COORDINATE)
def reach(request):
    organisation = _organisation_or_403(request)
    today = timezone.localdate()
    all_sessions = TeachingSession.objects.filter(branch__organisation=organisation)
    latest = all_sessions.aggregate(m=Max("day"))["m"]
    year = datapages.page_year(request, latest=latest, today=today)
    start, end = date(year, 1, 1), date(year, 12, 31)
    sessions = all_sessions.filter(day__gte=start, day__lte=end)
    provider = PupilsTaughtProvider()
    taught = sessions.exists()
    # No session taught in the year: the pupils are not known, never 0.
    attendances = (
        sum(
            v.value
            for v in provider.daily_values(
                organisation=organisation,
                start=start,
                end=end,
                branch_ids=None,
                measure=ATTENDANCES,
            )
        )
        if taught
        else None
    )
    unique = (
        sum(
            v.value
            for v in provider.daily_values(
                organisation=organisation, start=start, end=end, branch_ids=None, measure=UNIQUE
            )
        )
        if taught
        else None
    )

    def grouped(field, labels=None):
        rows = (
            sessions.values(field)
            .annotate(sessions=Count("pk"), pupils=Sum("pupils_present"))
            .order_by(field)
        )
        return [
            {
                "label": (labels or {}).get(r[field], r[field]) or "—",
                "sessions": r["sessions"],
                "pupils": r["pupils"],
            }
            for r in rows
        ]

    from bibliotal.core.models import Branch
    from bibliotal.teaching.models import Course, GradeLevel

    reached = set(
        sessions.exclude(institution=None)
        .filter(pupils_present__gt=0)
        .values_list("institution", flat=True)
    )
    not_reached = Institution.objects.filter(organisation=organisation, active=True).exclude(
        pk__in=reached
    )
    found = {
        (r["day__year"], r["day__month"]): r
        for r in all_sessions.filter(day__year__in=[year, year - 1])
        .values("day__year", "day__month")
        .annotate(sessions=Count("pk"), pupils=Sum("pupils_present"))
    }
    months = [
        {
            "number": month,
            "name": datapages.month_name(month),
            "sessions": found[(year, month)]["sessions"] if (year, month) in found else None,
            "pupils": found[(year, month)]["pupils"] if (year, month) in found else None,
            "last_year": found[(year - 1, month)]["pupils"] if (year - 1, month) in found else None,
        }
        for month in range(1, 13)
    ]
    context = {
        "year": year,
        "years": range(today.year, today.year - 8, -1),
        "attendances": attendances,
        "unique": unique,
        "session_count": sessions.count() if taught else None,
        "by_institution": grouped("institution__name"),
        "by_grade": sorted(
            grouped("grade", dict(GradeLevel.choices)),
            key=lambda r: [str(label) for label in dict(GradeLevel.choices).values()].index(
                str(r["label"])
            ),
        ),
        "by_theme": grouped("theme", dict(Course.Theme.choices)),
        "by_area": merged_empty(grouped("institution__area_type", dict(Branch.AreaType.choices))),
        "not_reached": not_reached,
        "months": months,
        "chart": month_comparison_chart(
            title=_("Pupil attendances"),
            unit=_("pupils"),
            this_year=[m["pupils"] for m in months],
            last_year=[m["last_year"] for m in months],
            year=year,
        ),
        "coverage": datapages.figures_end(
            year=year,
            last_in_year=sessions.aggregate(m=Max("day"))["m"],
            latest=latest,
            today=today,
            none=_("No sessions taught are entered for %(year)s – latest figure %(latest)s."),
            ends=_("The sessions entered for %(year)s end on %(last)s."),
            never=_("No sessions taught are entered yet."),
        ),
        "downloads": exports.download_links(request, year=year),
    }
    kind = exports.requested_format(request)
    if kind:
        return exports.download_response(_reach_download(context, organisation), kind)
    return render(request, "teaching/reach.html", context)


def _reach_download(context, organisation) -> exports.Download:
    year, months = context["year"], context["months"]

    def grouping(title, rows):
        return exports.Table(
            title,
            [title, _("Sessions"), _("Pupil attendances")],
            [[r["label"], r["sessions"], r["pupils"]] for r in rows],
        )

    monthly = [[m["name"], m["sessions"], m["pupils"], m["last_year"]] for m in months]
    monthly.append(
        [
            _("Year"),
            datapages.total(m["sessions"] for m in months),
            datapages.total(m["pupils"] for m in months),
            datapages.total(m["last_year"] for m in months),
        ]
    )
    return exports.Download(
        name=f"undervisning-{year}",
        title=_("Reach in %(year)s – %(organisation)s")
        % {"year": year, "organisation": organisation.name},
        period=_("Period: 1 January to 31 December %(year)s.") % {"year": year}
        + (" " + context["coverage"] if context["coverage"] else ""),
        provenance=_(
            "Sessions taught as entered, with the pupils present; unique pupils count a class "
            "once per course. An empty cell is a month without sessions entered, never zero."
        ),
        tables=[
            exports.Table(
                _("Sessions per month"),
                [
                    _("Month"),
                    _("Sessions"),
                    _("Pupil attendances"),
                    _("Pupil attendances %(last)s") % {"last": year - 1},
                ],
                monthly,
            ),
            exports.Table(
                _("Key figures"),
                [_("Figure"), _("Value")],
                [
                    [_("Sessions"), context["session_count"]],
                    [_("Pupil attendances"), context["attendances"]],
                    [_("Unique pupils (a class once per course)"), context["unique"]],
                ],
            ),
            grouping(_("By theme"), context["by_theme"]),
            grouping(_("By grade level"), context["by_grade"]),
            grouping(_("By area type"), context["by_area"]),
            grouping(_("By school"), context["by_institution"]),
            exports.Table(
                _("Schools not reached this year"),
                [_("School"), _("Kind"), _("Area type")],
                [
                    [i.name, i.get_kind_display(), i.get_area_type_display() if i.area_type else ""]
                    for i in context["not_reached"]
                ],
            ),
        ],
    )


CALENDAR_KEY_PREFIX = "bc_"


def merged_empty(rows: list[dict]) -> list[dict]:
    """Sessions without a school and schools without an area type are one "—" row."""
    merged: dict[str, dict] = {}
    for row in rows:
        label = str(row["label"])
        if label in merged:
            merged[label]["sessions"] += row["sessions"]
            merged[label]["pupils"] = (merged[label]["pupils"] or 0) + (row["pupils"] or 0)
        else:
            merged[label] = dict(row)
    return list(merged.values())


def calendar_key_for(user) -> str:
    """A person's key for reading the teaching calendar, and nothing else (made on first use)."""
    membership = membership_of(user)
    if membership is None:
        return ""
    if not membership.calendar_key:
        membership.calendar_key = CALENDAR_KEY_PREFIX + secrets.token_urlsafe(24)
        membership.save(update_fields=["calendar_key"])
    return membership.calendar_key


def calendar_feed(request):
    """Confirmed bookings as iCalendar: with the session, or ?key= the person's calendar key,
    which reads this feed only (a calendar program keeps it in its address)."""
    user = request.user if request.user.is_authenticated else None
    key = request.GET.get("key", "")
    if user is None and key.startswith(CALENDAR_KEY_PREFIX):
        membership = Membership.objects.select_related("user").filter(calendar_key=key).first()
        user = membership.user if membership and membership.user.is_active else None
    if user is None:
        return HttpResponse(status=401)
    organisation = organisation_of(user)
    if organisation is None or not has_capability(user, Capability.COORDINATE):
        raise PermissionDenied
    from bibliotal.teaching.ical import confirmed_sessions_calendar

    body = confirmed_sessions_calendar(organisation=organisation, host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="undervisning.ics"'
    return response
