from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, F, Max, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.forms import modelformset_factory
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from bibliotal.core import datapages, exports, importjobs, uploads
from bibliotal.core.importers import Upload
from bibliotal.core.imports import ImportRejected
from bibliotal.core.models import Branch, Organisation
from bibliotal.core.permissions import (
    Capability,
    branches_for,
    has_capability,
    require,
)
from bibliotal.core.views import _organisation_or_403
from bibliotal.events.forms import (
    AttendanceForm,
    CategoryMappingForm,
    EventImportForm,
    OccurrenceFilterForm,
    OccurrenceForm,
)
from bibliotal.events.indicators import dst_events
from bibliotal.events.models import Audience, CategoryMapping, EventOccurrence
from bibliotal.events.services import enter_attendance
from bibliotal.goals.charts import month_comparison_chart


def _may_enter_attendance(user, occurrence) -> bool:
    if has_capability(user, Capability.COORDINATE):
        return True
    return (
        occurrence.branch_id is not None
        and branches_for(user, Capability.REGISTER).filter(pk=occurrence.branch_id).exists()
    )


@require(Capability.VIEW)
def occurrence_list(request):
    organisation = _organisation_or_403(request)
    today = timezone.localdate()
    try:
        month = date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        month = today.replace(day=1)
    if not 2000 <= month.year <= today.year + 5:
        month = today.replace(day=1)
    end = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    now = timezone.now()
    form = OccurrenceFilterForm(request.GET, organisation=organisation)
    occurrences = form.filter(
        EventOccurrence.objects.filter(
            organisation=organisation,
            starts_at__date__gte=month,
            starts_at__date__lt=end,
        ),
        now=now,
    )
    previous = (month - timedelta(days=1)).replace(day=1)
    return render(
        request,
        "events/occurrence_list.html",
        {
            "occurrences": occurrences.select_related("branch", "event_type").order_by(
                "starts_at", "pk"
            ),
            "month": month,
            "previous": previous,
            "following": end,
            "form": form,
            "query": form.query(),
            "awaiting_count": _awaiting_for(request.user, organisation, now=now).count(),
            "can_edit": has_capability(request.user, Capability.COORDINATE),
            "now": now,
        },
    )


def _awaiting_for(user, organisation, *, now=None):
    """The events past without attendance that ``user`` may enter: a coordinator's are the
    organisation's, a staff member's those at their own libraries."""
    occurrences = EventOccurrence.objects.filter(organisation=organisation).awaiting_attendance(
        now=now
    )
    if not has_capability(user, Capability.COORDINATE):
        occurrences = occurrences.filter(branch__in=branches_for(user, Capability.REGISTER))
    return occurrences


@require(Capability.REGISTER)
def awaiting(request):
    organisation = _organisation_or_403(request)
    occurrences = _awaiting_for(request.user, organisation)
    return render(
        request,
        "events/awaiting.html",
        {"occurrences": occurrences.select_related("branch").order_by("-starts_at")[:100]},
    )


@require(Capability.REGISTER)
def attendance(request, pk: int):
    organisation = _organisation_or_403(request)
    occurrence = get_object_or_404(
        EventOccurrence.objects.select_related("branch"), pk=pk, organisation=organisation
    )
    if not _may_enter_attendance(request.user, occurrence):
        raise PermissionDenied
    if not occurrence.counted:
        messages.error(
            request, _("Cancelled events and outside hirers' events take no attendance.")
        )
        return redirect("events:awaiting")
    form = AttendanceForm(request.POST or None, instance=occurrence)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        enter_attendance(
            occurrence=occurrence,
            user=request.user,
            total=data["attendance_total"],
            children=data.get("attendance_children"),
            online=data.get("attendance_online"),
            first_time=data.get("attendance_first_time"),
        )
        messages.success(
            request,
            _("%(n)d participants saved for %(title)s.")
            % {"n": data["attendance_total"], "title": occurrence.title},
        )
        return redirect("events:awaiting")
    return render(request, "events/attendance_form.html", {"occurrence": occurrence, "form": form})


@require(Capability.COORDINATE)
def occurrence_edit(request, pk: int | None = None):
    organisation = _organisation_or_403(request)
    occurrence = (
        get_object_or_404(EventOccurrence, pk=pk, organisation=organisation) if (pk) else None
    )
    form = OccurrenceForm(request.POST or None, instance=occurrence, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("The event is saved."))
        return redirect("events:occurrence_edit", pk=saved.pk)
    return render(request, "events/occurrence_form.html", {"form": form, "occurrence": occurrence})


@require(Capability.COORDINATE)
def import_file(request):
    organisation = _organisation_or_403(request)
    form = EventImportForm(request.POST or None, request.FILES or None, organisation=organisation)
    context = {"form": form}
    if request.method == "POST":
        if "cancel" in request.POST:
            uploads.forget(request, request.POST.get("token", ""))
            return redirect("events:import")
        if "confirm" in request.POST:
            kept = uploads.take(request, request.POST.get("token", ""))
            if kept is None:
                raise Http404
            upload = Upload.from_bytes(*kept)
            branch = Branch.objects.filter(
                organisation=organisation, pk=request.POST.get("branch") or 0
            ).first()
            dry_run = False
        elif form.is_valid():
            upload = Upload.from_file(form.cleaned_data["file"])
            branch = form.cleaned_data["branch"]
            dry_run = True
        else:
            return render(request, "events/import.html", context, status=400)
        try:
            result, job = importjobs.import_or_queue(
                request,
                kind="events",
                upload=upload,
                organisation=organisation,
                options={"branch": branch},
                dry_run=dry_run,
            )
        except ImportRejected as error:
            context["errors"] = [str(e) for e in error.errors[:200]]
            return render(request, "events/import.html", context, status=400)
        if job is not None:
            return redirect("core:import_job", pk=job.pk)
        if not dry_run:
            messages.success(request, result.summary())
            return redirect(
                "events:categories" if result.unmapped_categories else "events:occurrence_list"
            )
        context.update(
            {
                "preview": result,
                "confirm": {
                    "token": uploads.stash(request, upload.source, upload.filename),
                    "branch": branch.pk if branch else "",
                },
            }
        )
    return render(request, "events/import.html", context)


@require(Capability.COORDINATE)
def categories(request):
    organisation = _organisation_or_403(request)
    FormSet = modelformset_factory(
        CategoryMapping, form=CategoryMappingForm, extra=0, edit_only=True
    )
    # Categories waiting for a type first, on every database (NULLs sort differently).
    queryset = CategoryMapping.objects.filter(organisation=organisation).order_by(
        F("event_type__name").asc(nulls_first=True), "category"
    )
    formset = FormSet(request.POST or None, queryset=queryset)
    for form in formset:
        form.fields["event_type"].queryset = form.fields["event_type"].queryset.filter(
            organisation=organisation
        )
    if request.method == "POST" and formset.is_valid():
        formset.save()
        messages.success(request, _("The categories are saved. They apply from the next import."))
        return redirect("events:categories")
    return render(request, "events/categories.html", {"formset": formset})


@require(Capability.COORDINATE)
def report(request):
    organisation = _organisation_or_403(request)
    today = timezone.localdate()
    counted = EventOccurrence.objects.filter(organisation=organisation).counted()
    with_attendance = counted.filter(attendance_total__isnull=False)
    latest_at = with_attendance.aggregate(m=Max("starts_at"))["m"]
    latest = timezone.localdate(latest_at) if latest_at else None
    years_with_figures = set(
        with_attendance.annotate(y=ExtractYear("starts_at")).values_list("y", flat=True)
    )
    year = datapages.page_year(
        request,
        latest=latest,
        today=today,
        default=_report_default_year(organisation, years_with_figures, today=today),
    )
    start, end = date(year, 1, 1), date(year, 12, 31)
    held = with_attendance.filter(starts_at__date__gte=start, starts_at__date__lte=end)

    def grouped(field, labels=None):
        rows = (
            held.values(field)
            .annotate(
                events=Count("pk"), people=Sum("attendance_total"), average=Avg("attendance_total")
            )
            .order_by("-people")
        )
        return [{"label": (labels or {}).get(r[field], r[field]) or "—", **r} for r in rows]

    excluded = (
        EventOccurrence.objects.filter(
            organisation=organisation, starts_at__date__gte=start, starts_at__date__lte=end
        )
        .exclude(pk__in=held.values("pk"))
        .values("status", "organiser")
        .annotate(n=Count("pk"))
    )
    dst = dst_events(organisation=organisation, start=start, end=end)
    if not held.exists():  # no attendance entered: the participants are not known, not 0
        dst = {**dst, "participants": None}
    months = _event_months(counted, year)
    last_in_year = held.aggregate(m=Max("starts_at"))["m"]
    context = {
        "year": year,
        "years": datapages.year_options(today=today, with_figures=years_with_figures, chosen=year),
        "by_type": grouped("event_type__name"),
        "by_audience": grouped("audience", dict(Audience.choices)),
        "dst": dst,
        "excluded": list(excluded),
        "months": months,
        "chart": month_comparison_chart(
            title=_("Participants"),
            unit=_("participants"),
            this_year=[m["participants"] for m in months],
            last_year=[m["last_year"] for m in months],
            year=year,
        ),
        "coverage": datapages.figures_end(
            year=year,
            last_in_year=timezone.localdate(last_in_year) if last_in_year else None,
            latest=latest,
            today=today,
            none=_("No attendance entered for events in %(year)s – latest figure %(latest)s."),
            ends=_("The attendance figures for %(year)s end with the event on %(last)s."),
            never=_("No attendance is entered for any event yet."),
        ),
        "downloads": exports.download_links(request, year=year),
    }
    kind = exports.requested_format(request)
    if kind:
        return exports.download_response(_events_download(context, organisation), kind)
    return render(request, "events/report.html", context)


def _report_default_year(organisation, years_with_figures, *, today) -> int | None:
    """The year the report opens on: the current budget year (the latest one not in the
    future) when attendance is entered for it, else the latest year with attendance. A few
    events counted in a new year without goals yet do not hide the year being followed up."""
    from bibliotal.goals.models import BudgetYear

    budget = (
        BudgetYear.objects.filter(organisation=organisation, year__lte=today.year)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    if budget in years_with_figures:
        return budget
    return max(years_with_figures, default=None)


def _event_months(counted, year: int) -> list[dict]:
    """Per month: events held (DST), those with attendance, their participants, and the
    participants of the year before; a month without attendance entered has None, never 0."""
    now = timezone.now()
    rows = (
        counted.filter(starts_at__year__in=[year, year - 1], starts_at__lt=now)
        .annotate(y=ExtractYear("starts_at"), m=ExtractMonth("starts_at"))
        .values("y", "m")
        .annotate(
            held=Count("pk"),
            counted=Count("pk", filter=Q(attendance_total__isnull=False)),
            people=Sum("attendance_total"),
        )
    )
    found = {(r["y"], r["m"]): r for r in rows}
    months = []
    for month in range(1, 13):
        this, last = found.get((year, month)), found.get((year - 1, month))
        months.append(
            {
                "number": month,
                "name": datapages.month_name(month),
                "held": this["held"] if this else None,
                "without_attendance": this["held"] - this["counted"] if this else None,
                "participants": this["people"] if this and this["counted"] else None,
                "last_year": last["people"] if last and last["counted"] else None,
            }
        )
    return months


def _events_download(context, organisation) -> exports.Download:
    year, dst, months = context["year"], context["dst"], context["months"]

    def grouping(title, rows):
        return exports.Table(
            title,
            [title, _("Events"), _("Participants"), _("Per event")],
            [[r["label"], r["events"], r["people"], r["average"]] for r in rows],
            {3: exports.DECIMAL},
        )

    monthly = [
        [m["name"], m["held"], m["without_attendance"], m["participants"], m["last_year"]]
        for m in months
    ]
    monthly.append(
        [
            _("Year"),
            datapages.total(m["held"] for m in months),
            datapages.total(m["without_attendance"] for m in months),
            datapages.total(m["participants"] for m in months),
            datapages.total(m["last_year"] for m in months),
        ]
    )
    return exports.Download(
        name=f"arrangementer-{year}",
        title=_("What draws people in %(year)s – %(organisation)s")
        % {"year": year, "organisation": organisation.name},
        period=_("Period: 1 January to 31 December %(year)s.") % {"year": year}
        + (" " + context["coverage"] if context["coverage"] else ""),
        provenance=_(
            "Attendance as entered for each event held by the library; cancelled events and "
            "events held by outside hirers are never counted. An empty cell is a figure not "
            "entered, never zero."
        ),
        tables=[
            exports.Table(
                _("Events per month"),
                [
                    _("Month"),
                    _("Events held (DST)"),
                    _("Held without attendance entered"),
                    _("Participants"),
                    _("Participants %(last)s") % {"last": year - 1},
                ],
                monthly,
            ),
            exports.Table(
                _("Key figures"),
                [_("Figure"), _("Value")],
                [
                    [_("Events held (DST)"), dst["events"]],
                    [_("Participants"), dst["participants"]],
                    [_("Held without attendance entered"), dst["without_attendance"]],
                ],
            ),
            grouping(_("By type"), context["by_type"]),
            grouping(_("By audience"), context["by_audience"]),
        ],
    )


def programme(request, organisation_id: int | None = None):
    """The public programme of one organisation's libraries, filtered by library, audience and
    date from the address (``events/programme.py``)."""
    from bibliotal.events.programme import (
        SHOWN_AT_MOST,
        ProgrammeFilterForm,
        programme_occurrences,
    )

    organisations = Organisation.objects.order_by("name")
    if organisation_id is None:
        found = list(organisations[:2])
        if len(found) != 1:
            return render(request, "events/programme_choose.html", {"organisations": organisations})
        organisation = found[0]
    else:
        organisation = get_object_or_404(Organisation, pk=organisation_id)
    form = ProgrammeFilterForm(request.GET or None, organisation=organisation)
    shown = []
    if not form.is_bound or form.is_valid():  # a filter to correct shows no list
        shown = list(
            programme_occurrences(organisation=organisation, form=form)[: SHOWN_AT_MOST + 1]
        )
    return render(
        request,
        "events/programme.html",
        {
            "occurrences": shown[:SHOWN_AT_MOST],
            "more": len(shown) > SHOWN_AT_MOST,
            "programme_org": organisation,
            "public_org": organisation,
            "form": form,
            "query": request.GET.urlencode() if form.is_bound and form.is_valid() else "",
        },
    )


def programme_ics(request, organisation_id: int):
    from bibliotal.events.ical import programme_calendar
    from bibliotal.events.programme import ProgrammeFilterForm, programme_occurrences

    organisation = get_object_or_404(Organisation, pk=organisation_id)
    form = ProgrammeFilterForm(request.GET or None, organisation=organisation)
    occurrences = programme_occurrences(
        organisation=organisation, form=form, since=timezone.now() - timedelta(days=30)
    )
    response = HttpResponse(
        programme_calendar(
            organisation=organisation, host=request.get_host(), occurrences=occurrences
        ),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="arrangementer.ics"'
    return response
