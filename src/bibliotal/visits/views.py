from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bibliotal.core import datapages, exports, importers, importjobs, uploads
from bibliotal.core.formatting import date_text
from bibliotal.core.importers import Upload
from bibliotal.core.imports import ImportRejected, for_page
from bibliotal.core.models import Branch
from bibliotal.core.opening import (
    calendar_stamp,
    kept,
    kept_calendar,
    open_day_definition,
    scope_days,
    summarise,
)
from bibliotal.core.permissions import Capability, branches_for, require
from bibliotal.core.views import _month_name, _organisation_or_403
from bibliotal.goals.charts import month_comparison_chart
from bibliotal.visits.cleaning import explain_flags, review_day
from bibliotal.visits.formats import PRESETS
from bibliotal.visits.forms import (
    CounterFileForm,
    CounterFormatForm,
    ManualCountForm,
    NewUsersFileForm,
    NewUsersForm,
)
from bibliotal.visits.heatmap import readings_stamp
from bibliotal.visits.models import (
    CounterFormat,
    DailyVisits,
    HeldHour,
    ManualCount,
    NewUserCount,
    Sensor,
)
from bibliotal.visits.plausibility import DecisionError, decide, explain_short
from bibliotal.visits.split import map_and_split


def _by_month(organisation, year, branch_ids):
    """Visits per month where there are figures: {month: (visits, estimated)}, and the dates
    with figures per library, so that rates divide only by the open days that were counted.

    Read through the visits indicator's provider, so the page counts what the goals count: a
    counter's day wins over a manual count of the same day, and hours held for review are left
    out until a person accepts or corrects them."""
    from bibliotal.visits.indicators import VisitsProvider

    totals: dict[int, tuple[float, float]] = {}
    counted = set()
    for value in VisitsProvider().daily_values(
        organisation=organisation,
        start=date(year, 1, 1),
        end=date(year, 12, 31),
        branch_ids=set(branch_ids),
        measure="attendances",
    ):
        visits, estimated = totals.get(value.day.month, (0.0, 0.0))
        totals[value.day.month] = (visits + value.value, estimated + value.estimated)
        counted.add((value.branch_id, value.day))
    return totals, counted


def _latest_figure(organisation, branch_ids, year=None):
    """The last date with a count (a counter or a manual count), in ``year`` or any year."""
    daily = DailyVisits.objects.filter(branch__organisation=organisation, branch_id__in=branch_ids)
    manual = ManualCount.objects.filter(branch__organisation=organisation, branch_id__in=branch_ids)
    if year is not None:
        daily, manual = daily.filter(day__year=year), manual.filter(day__year=year)
    found = [qs.aggregate(m=Max("day"))["m"] for qs in (daily, manual)]
    found = [d for d in found if d is not None]
    return max(found) if found else None


@require(Capability.VIEW)
def overview(request):
    organisation = _organisation_or_403(request)
    today = timezone.localdate()
    branches = list(Branch.objects.filter(organisation=organisation).select_related("organisation"))
    chosen = request.GET.get("branch", "")
    scope = [b for b in branches if b.has_premises and (not chosen or str(b.pk) == chosen)]
    ids = [b.pk for b in scope]
    latest = _latest_figure(organisation, ids)
    year = datapages.page_year(request, latest=latest, today=today)
    (now, counted_now), (before, counted_before) = (
        _by_month(organisation, year, ids),
        _by_month(organisation, year - 1, ids),
    )
    counted = {year: counted_now, year - 1: counted_before}
    stamp = calendar_stamp([organisation.pk])
    calendars = {
        y: kept_calendar(scope, date(y, 1, 1), date(y, 12, 31), stamp=stamp)
        for y in (year, year - 1)
    }
    # Open days as the goals count them (a date on which at least one of the libraries shown
    # was open), and library-days (each library open on a date) as a unit of their own.
    scopes = {y: scope_days(calendars[y]) for y in calendars}
    # The open days and open hours that have figures: a rate divides only by those, so one
    # imported day is never spread over a month of open days.
    counted_days = {y: {day for _branch, day in counted[y]} for y in counted}
    months = []
    for month in range(1, 13):
        open_days, library_days, with_figures = {}, {}, {}
        for y in (year, year - 1):
            first, last_day = datapages.month_bounds(y, month)
            open_days[y] = scopes[y].open_days(first, last_day)
            library_days[y] = scopes[y].library_days(first, last_day)
            with_figures[y] = sum(
                1
                for day, is_open in scopes[y].open.items()
                if is_open and first <= day <= last_day and day in counted_days[y]
            )
        days_of_month = [d for per_branch in calendars[year].values() for d in per_branch.values()]
        days_of_month = [d for d in days_of_month if d.day.month == month]
        open_hours = summarise(days_of_month).open_hours
        counted_hours = summarise(
            d for d in days_of_month if (d.branch_id, d.day) in counted[year]
        ).open_hours
        visits, estimated = now.get(month, (None, 0.0))
        last, _estimated = before.get(month, (None, 0.0))
        months.append(
            {
                "number": month,
                "name": _month_name(month),
                "visits": visits,
                "last_year": last,
                "estimated": estimated if visits is not None else None,
                "estimated_share": estimated / visits if visits else None,
                "per_open_day": visits / with_figures[year]
                if visits is not None and with_figures[year]
                else None,
                "per_open_hour": visits / counted_hours
                if visits is not None and counted_hours
                else None,
                "last_per_open_day": last / with_figures[year - 1]
                if last is not None and with_figures[year - 1]
                else None,
                "open_days": open_days[year],
                "library_days": library_days[year],
                "open_hours": open_hours,
                "days_with_figures": with_figures[year],
                "partly": visits is not None and with_figures[year] < open_days[year],
            }
        )
    total = datapages.total(m["visits"] for m in months)
    total_last = datapages.total(m["last_year"] for m in months)
    coverage = datapages.figures_end(
        year=year,
        last_in_year=_latest_figure(organisation, ids, year),
        latest=latest,
        today=today,
        none=_("No counter figures for %(year)s – latest figure %(latest)s."),
        ends=_("The counter figures for %(year)s end on %(last)s."),
        never=_("No visits are counted yet: import a counter file or type a manual count."),
    )
    context = {
        "year": year,
        "years": range(today.year, 2014, -1),
        "months": months,
        "open_days": scopes[year].open_days(date(year, 1, 1), date(year, 12, 31)),
        "library_days": scopes[year].library_days(date(year, 1, 1), date(year, 12, 31)),
        "open_day_definition": open_day_definition(),
        "total": total,
        "total_last": total_last,
        "branches": [b for b in branches if b.has_premises],
        "chosen": chosen,
        "coverage": coverage,
        "chart": month_comparison_chart(
            title=_("Visits"),
            unit=_("visits"),
            this_year=[m["visits"] for m in months],
            last_year=[m["last_year"] for m in months],
            year=year,
        ),
        "downloads": exports.download_links(request, year=year),
    }
    kind = exports.requested_format(request)
    if kind:
        chosen_branch = next((b for b in scope if str(b.pk) == chosen), None)
        return exports.download_response(
            _visits_download(context, organisation, chosen_branch), kind
        )
    # The weekday × hour map and the staffed split read every interval of the year: kept
    # between requests until the readings, their flags or the calendars change.
    readings = f"{stamp}:{readings_stamp(organisation)}"

    heat, split = kept(
        "visits.map_and_split",
        (tuple(ids), year),
        lambda: map_and_split(
            calendars=calendars[year], start=date(year, 1, 1), end=date(year, 12, 31)
        ),
        stamp=readings,
    )
    for row in heat.rows if heat else []:
        row.name = WEEKDAYS[row.weekday - 1]
    labels = {
        "staffed": _("Staffed hours"),
        "self_service": _("Self-service hours"),
        "outside": _("Outside opening hours"),
    }
    for row in split.rows if split else []:
        row.label = labels[row.kind]
    open_flags = DailyVisits.objects.filter(
        branch__organisation=organisation, review=DailyVisits.Review.OPEN
    ).count()
    context.update({"open_flags": open_flags, "heat": heat, "split": split})
    return render(request, "visits/overview.html", context)


def _visits_download(context, organisation, branch) -> exports.Download:
    """The monthly table exactly as the page shows it; missing months are empty cells."""
    year = context["year"]
    headings = [
        _("Month"),
        _("Visits"),
        str(year - 1),
        _("Open days"),
        _("Open days with figures"),
        _("Library-days"),
        _("Per open day"),
        _("Per open day %(last)s") % {"last": year - 1},
        _("Per open hour"),
        _("Of which estimated"),
        _("Estimated (%)"),
    ]
    rows = [
        [
            m["name"],
            m["visits"],
            m["last_year"],
            m["open_days"],
            m["days_with_figures"],
            m["library_days"],
            m["per_open_day"],
            m["last_per_open_day"],
            m["per_open_hour"],
            m["estimated"],
            m["estimated_share"],
        ]
        for m in context["months"]
    ]
    rows.append(
        [
            _("Year"),
            context["total"],
            context["total_last"],
            context["open_days"],
            sum(m["days_with_figures"] for m in context["months"]),
            context["library_days"],
            None,
            None,
            None,
            datapages.total(m["estimated"] for m in context["months"]),
            None,
        ]
    )
    scope = branch.name if branch else _("All libraries")
    return exports.Download(
        name=f"besoeg-{year}" + (f"-{exports.file_part(branch.name)}" if branch else ""),
        title=_("Visits in %(year)s – %(organisation)s, %(scope)s")
        % {"year": year, "organisation": organisation.name, "scope": scope},
        period=_("Period: 1 January to 31 December %(year)s.") % {"year": year}
        + (" " + context["coverage"] if context["coverage"] else ""),
        provenance=_(
            "Counted by the people counters (each sensor by its rule) and manual counts. "
            "Estimated visits are counted in the month and shown in their own column. An "
            "empty cell is a month without figures, never zero; rates divide only by the "
            "open days and hours that have figures."
        ),
        tables=[
            exports.Table(
                _("Visits per month"),
                headings,
                rows,
                {6: exports.DECIMAL, 7: exports.DECIMAL, 8: exports.DECIMAL, 10: exports.PERCENT},
            )
        ],
    )


def _decide_held(request, organisation):
    held = get_object_or_404(
        HeldHour.objects.select_related("sensor"),
        pk=request.POST.get("held", 0) or 0,
        branch__organisation=organisation,
    )
    decision = request.POST.get("decision")
    if decision not in ("accept", "correct"):
        raise Http404
    try:
        decide(
            held=held,
            accept=decision == "accept",
            corrected=request.POST.get("visits", ""),
            user=request.user,
        )
    except DecisionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Saved: %(sensor)s, %(when)s.")
            % {
                "sensor": held.sensor.name,
                "when": date_text(held.starts_at, "SHORT_DATETIME_FORMAT"),
            },
        )
    return redirect(request.get_full_path())


@require(Capability.MANAGE)
def flags(request):
    organisation = _organisation_or_403(request)
    if request.method == "POST" and "held" in request.POST:
        return _decide_held(request, organisation)
    if request.method == "POST":
        daily = get_object_or_404(
            DailyVisits, pk=request.POST.get("day", 0) or 0, branch__organisation=organisation
        )
        review_day(daily=daily, accept=request.POST.get("decision") == "accept")
        messages.success(
            request,
            _("Saved: %(sensor)s, %(day)s.")
            % {"sensor": daily.sensor.name, "day": date_text(daily.day, "SHORT_DATE_FORMAT")},
        )
        return redirect(request.get_full_path())
    state = request.GET.get("state", DailyVisits.Review.OPEN)
    days = DailyVisits.objects.filter(branch__organisation=organisation).exclude(flags=[])
    if state in DailyVisits.Review.values:
        days = days.filter(review=state)
    return render(
        request,
        "visits/flags.html",
        {
            "days": days.select_related("sensor", "branch").order_by("-day")[:200],
            "state": state,
            "states": DailyVisits.Review.choices,
            "flag_names": dict(DailyVisits.Flag.choices),
            "held": HeldHour.objects.filter(
                branch__organisation=organisation, decision=HeldHour.Decision.HELD
            ).select_related("sensor", "branch")[:200],
            "decided_held": HeldHour.objects.filter(branch__organisation=organisation)
            .exclude(decision=HeldHour.Decision.HELD)
            .select_related("sensor", "branch", "decided_by")
            .order_by("-decided_at")[:20],
        },
    )


@require(Capability.MANAGE)
def import_file(request):
    organisation = _organisation_or_403(request)
    form = CounterFileForm(request.POST or None, request.FILES or None, organisation=organisation)
    context = {"form": form}
    if request.method == "POST":
        if "cancel" in request.POST:
            uploads.forget(request, request.POST.get("token", ""))
            return redirect("visits:import")
        if "confirm" in request.POST:
            kept = uploads.take(request, request.POST.get("token", ""))
            if kept is None:
                raise Http404
            upload = Upload.from_bytes(*kept)
            branch = Branch.objects.filter(
                organisation=organisation, pk=request.POST.get("branch") or 0
            ).first()
            # The confirmation carries what the preview showed; nothing posted is trusted.
            rule, dry_run = request.POST.get("rule", ""), False
            preset = request.POST.get("preset", "")
            if rule not in Sensor.Rule.values or (request.POST.get("branch") and branch is None):
                raise Http404
        elif form.is_valid():
            upload = Upload.from_file(form.cleaned_data["file"])
            branch, rule, dry_run = form.cleaned_data["branch"], form.cleaned_data["rule"], True
            preset = form.cleaned_data["preset"]
        else:
            return render(request, "visits/import.html", context, status=400)
        options = {"branch": branch, "rule": rule, "preset": preset or None}
        try:
            result, job = importjobs.import_or_queue(
                request,
                kind="visits",
                upload=upload,
                organisation=organisation,
                options=options,
                dry_run=dry_run,
            )
        except ImportRejected as error:
            context["errors"] = for_page(error.errors[:200])  # with links, where they help
            return render(request, "visits/import.html", context, status=400)
        if job is not None:
            return redirect("core:import_job", pk=job.pk)
        if not dry_run:
            messages.success(request, result.summary())
            return redirect("visits:flags")
        chosen = PRESETS.get(result.format)
        context.update(
            {
                "preview": result,
                "format_label": chosen.label if chosen else result.format,
                "explained": explain_flags(result.flagged),
                "implausible": [f.sentence(upload.filename) for f in result.held],
                "short_history": explain_short(result.short_history),
                "confirm": {
                    "token": uploads.stash(request, upload.source, upload.filename),
                    "branch": branch.pk if branch else "",
                    "rule": rule,
                    "preset": result.format,
                },
            }
        )
    return render(request, "visits/import.html", context)


@require(Capability.REGISTER)
def manual(request):
    organisation = _organisation_or_403(request)
    branches = (
        branches_for(request.user, Capability.REGISTER)
        .filter(organisation=organisation)
        .exclude(area_type="online")
    )
    form = ManualCountForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ManualCount.objects.update_or_create(
            branch=data["branch"],
            day=data["day"],
            defaults={"visits": data["visits"], "entered_by": request.user},
        )
        messages.success(
            request,
            _("%(n)d visits on %(day)s saved.")
            % {"n": data["visits"], "day": date_text(data["day"], "SHORT_DATE_FORMAT")},
        )
        return redirect("visits:manual")
    recent = ManualCount.objects.filter(branch__in=branches).select_related("branch")[:30]
    return render(request, "visits/manual.html", {"form": form, "recent": recent})


@require(Capability.MANAGE)
def new_users(request):
    organisation = _organisation_or_403(request)
    branches = Branch.objects.filter(organisation=organisation)
    uploading = "upload" in request.POST  # the page has two forms: type a month, or a file
    form = NewUsersForm(None if uploading else request.POST or None, branches=branches)
    upload = NewUsersFileForm(request.POST, request.FILES) if uploading else NewUsersFileForm()
    errors = []
    if uploading and upload.is_valid():
        try:
            result = importers.get("new-users").apply(
                upload=Upload.from_file(upload.cleaned_data["file"]),
                organisation=organisation,
                user=request.user,
            )
        except ImportRejected as error:
            errors = [str(e) for e in error.errors[:200]]
        else:
            messages.success(request, result.summary())
            return redirect("visits:new_users")
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        month = data["month"].replace(day=1)
        NewUserCount.objects.update_or_create(
            branch=data["branch"],
            month=month,
            defaults={"registrations": data["registrations"], "source": "typed"},
        )
        messages.success(
            request,
            _("New users for %(month)s saved.") % {"month": date_text(month, "YEAR_MONTH_FORMAT")},
        )
        return redirect("visits:new_users")
    recent = NewUserCount.objects.filter(branch__organisation=organisation).select_related(
        "branch"
    )[:36]
    return render(
        request,
        "visits/new_users.html",
        {"form": form, "upload": upload, "errors": errors, "recent": recent},
        status=400 if errors else 200,
    )


@require(Capability.MANAGE)
def formats(request):
    """The organisation's own counter-file formats: which column holds what."""
    organisation = _organisation_or_403(request)
    own = CounterFormat.objects.filter(organisation=organisation)
    instance = None
    if request.GET.get("edit") or request.POST.get("pk"):
        instance = get_object_or_404(own, pk=request.GET.get("edit") or request.POST.get("pk"))
    if request.method == "POST" and "delete" in request.POST and instance is not None:
        instance.delete()
        messages.success(request, _("The format “%(name)s” is deleted.") % {"name": instance})
        return redirect("visits:formats")
    form = CounterFormatForm(request.POST or None, instance=instance, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(
            request,
            _(
                "The format “%(name)s” is saved; choose it on the import page or use "
                "--preset %(name)s."
            )
            % {"name": saved.name},
        )
        return redirect("visits:formats")
    return render(
        request,
        "visits/formats.html",
        {"form": form, "own": own, "editing": instance, "presets": PRESETS.values()},
        status=400 if form.errors else 200,
    )


@require(Capability.MANAGE)
def sensors(request):
    """The people-counter sensors per library: where each counts, by which rule, when it last
    counted; a new sensor, and the change of one's library, entrance, rule or use."""
    from bibliotal.visits.forms import SensorForm
    from bibliotal.visits.sensors import in_use, sensor_states, update_sensor

    organisation = _organisation_or_403(request)
    today = timezone.localdate()
    editing = None
    pk = request.POST.get("pk") or request.GET.get("edit")
    if pk:
        editing = get_object_or_404(
            Sensor.objects.select_related("branch"),
            pk=pk if str(pk).isdigit() else 0,
            organisation=organisation,
        )
        initial = {
            "branch": editing.branch,
            "entrance": editing.entrance,
            "rule": editing.rule,
            "use": in_use(editing, today),
        }
    else:
        initial = {"rule": Sensor.Rule.HALF}
    posted = request.POST if request.method == "POST" else None
    form = SensorForm(posted, initial=initial, organisation=organisation, sensor=editing)
    if posted is not None and form.is_valid():
        data = form.cleaned_data
        if editing is None:
            created = Sensor.objects.create(
                organisation=organisation,
                branch=data["branch"],
                name=data["name"],
                entrance=data["entrance"],
                rule=data["rule"],
            )
            messages.success(request, _("The sensor %(name)s is added.") % {"name": created.name})
            return redirect("visits:sensors")
        days = update_sensor(
            sensor=editing,
            branch=data["branch"],
            entrance=data["entrance"],
            rule=data["rule"],
            use=data["use"],
            today=today,
        )
        message = _("The sensor %(name)s is saved.") % {"name": editing.name}
        if days:
            message += " " + ngettext(
                "%(n)d day of visits is worked out again.",
                "%(n)d days of visits are worked out again.",
                days,
            ) % {"n": days}
        messages.success(request, message)
        return redirect("visits:sensors")
    return render(
        request,
        "visits/sensor_list.html",
        {
            "states": sensor_states(organisation=organisation, today=today),
            "editing": editing,
            "form": form,
        },
        status=400 if form.errors else 200,
    )
