from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.db.models import Q, Sum
from django.db.models.functions import ExtractMonth
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from bibliotal.core import uploads
from bibliotal.core.imports import ImportRejected
from bibliotal.core.models import Branch
from bibliotal.core.opening import open_day_definition, opening_calendar, scope_days, summarise
from bibliotal.core.permissions import Capability, branches_for, require
from bibliotal.core.views import _month_name, _organisation_or_403
from bibliotal.visits.cleaning import explain_flags, review_day
from bibliotal.visits.formats import PRESETS
from bibliotal.visits.forms import (
    CounterFileForm,
    CounterFormatForm,
    ManualCountForm,
    NewUsersFileForm,
    NewUsersForm,
)
from bibliotal.visits.heatmap import weekday_hour
from bibliotal.visits.importers import import_counter_file, import_new_users
from bibliotal.visits.models import CounterFormat, DailyVisits, ManualCount, NewUserCount
from bibliotal.visits.split import staffed_split


def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def _by_month(organisation, year, branch_ids):
    rows = (
        DailyVisits.objects.filter(
            branch__organisation=organisation, day__year=year, branch_id__in=branch_ids
        )
        .annotate(month=ExtractMonth("day"))
        .values("month")
        .annotate(total=Sum("visits"), estimated=Sum("visits", filter=Q(estimated=True)))
    )
    totals = {r["month"]: (float(r["total"] or 0), float(r["estimated"] or 0)) for r in rows}
    manual = (
        ManualCount.objects.filter(
            branch__organisation=organisation, day__year=year, branch_id__in=branch_ids
        )
        .annotate(month=ExtractMonth("day"))
        .values("month")
        .annotate(total=Sum("visits"))
    )
    for row in manual:
        visits, estimated = totals.get(row["month"], (0.0, 0.0))
        totals[row["month"]] = (visits + row["total"], estimated)
    return totals


@require(Capability.VIEW)
def overview(request):
    organisation = _organisation_or_403(request)
    year = _year(request)
    branches = list(Branch.objects.filter(organisation=organisation).select_related("organisation"))
    chosen = request.GET.get("branch", "")
    scope = [b for b in branches if b.has_premises and (not chosen or str(b.pk) == chosen)]
    ids = [b.pk for b in scope]
    now, before = _by_month(organisation, year, ids), _by_month(organisation, year - 1, ids)
    calendars = {
        y: opening_calendar(branches=scope, start=date(y, 1, 1), end=date(y, 12, 31))
        for y in (year, year - 1)
    }
    # Open days as the goals count them (a date on which at least one of the libraries shown
    # was open), and library-days (each library open on a date) as a unit of their own.
    scopes = {y: scope_days(calendars[y]) for y in calendars}
    months = []
    for month in range(1, 13):
        open_days, library_days = {}, {}
        for y in (year, year - 1):
            first = date(y, month, 1)
            last_day = date(y + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
            open_days[y] = scopes[y].open_days(first, last_day)
            library_days[y] = scopes[y].library_days(first, last_day)
        open_hours = summarise(
            d
            for per_branch in calendars[year].values()
            for d in per_branch.values()
            if d.day.month == month
        ).open_hours
        visits, estimated = now.get(month, (0.0, 0.0))
        last, _estimated = before.get(month, (0.0, 0.0))
        months.append(
            {
                "name": _month_name(month),
                "visits": visits,
                "last_year": last,
                "estimated_share": estimated / visits if visits else 0,
                "per_open_day": visits / open_days[year] if open_days[year] else None,
                "per_open_hour": visits / open_hours if open_hours else None,
                "last_per_open_day": last / open_days[year - 1] if open_days[year - 1] else None,
                "open_days": open_days[year],
                "library_days": library_days[year],
            }
        )
    total = sum(m["visits"] for m in months)
    total_last = sum(m["last_year"] for m in months)
    heat = weekday_hour(branch_ids=ids, start=date(year, 1, 1), end=date(year, 12, 31))
    for row in heat.rows if heat else []:
        row.name = WEEKDAYS[row.weekday - 1]
    split = staffed_split(calendars=calendars[year], start=date(year, 1, 1), end=date(year, 12, 31))
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
    return render(
        request,
        "visits/overview.html",
        {
            "year": year,
            "years": range(timezone.localdate().year, 2014, -1),
            "months": months,
            "open_days": scopes[year].open_days(date(year, 1, 1), date(year, 12, 31)),
            "library_days": scopes[year].library_days(date(year, 1, 1), date(year, 12, 31)),
            "open_day_definition": open_day_definition(),
            "total": total,
            "total_last": total_last,
            "branches": [b for b in branches if b.has_premises],
            "chosen": chosen,
            "open_flags": open_flags,
            "heat": heat,
            "split": split,
        },
    )


@require(Capability.MANAGE)
def flags(request):
    organisation = _organisation_or_403(request)
    if request.method == "POST":
        daily = get_object_or_404(
            DailyVisits, pk=request.POST.get("day", 0) or 0, branch__organisation=organisation
        )
        review_day(daily=daily, accept=request.POST.get("decision") == "accept")
        messages.success(
            request,
            _("Saved: %(sensor)s, %(day)s.")
            % {"sensor": daily.sensor.name, "day": daily.day.strftime("%d.%m.%Y")},
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
        },
    )


@require(Capability.MANAGE)
def import_file(request):
    organisation = _organisation_or_403(request)
    form = CounterFileForm(request.POST or None, request.FILES or None, organisation=organisation)
    context = {"form": form}
    if request.method == "POST":
        if "confirm" in request.POST:
            kept = uploads.take(request, request.POST.get("token", ""))
            if kept is None:
                raise Http404
            data, filename = kept
            branch = Branch.objects.filter(
                organisation=organisation, pk=request.POST.get("branch") or 0
            ).first()
            rule, dry_run = request.POST.get("rule", "half"), False
            preset = request.POST.get("preset", "")
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            data, filename = upload.read(), upload.name
            branch, rule, dry_run = form.cleaned_data["branch"], form.cleaned_data["rule"], True
            preset = form.cleaned_data["preset"]
        else:
            return render(request, "visits/import.html", context, status=400)
        try:
            result = import_counter_file(
                organisation=organisation,
                data=data,
                filename=filename,
                user=request.user,
                branch=branch,
                rule=rule,
                preset=preset or None,
                dry_run=dry_run,
            )
        except ImportRejected as error:
            context["errors"] = [str(e) for e in error.errors[:200]]
            return render(request, "visits/import.html", context, status=400)
        if not dry_run:
            messages.success(request, result.summary())
            return redirect("visits:flags")
        chosen = PRESETS.get(result.format)
        context.update(
            {
                "preview": result,
                "format_label": chosen.label if chosen else result.format,
                "explained": explain_flags(result.flagged),
                "confirm": {
                    "token": uploads.stash(request, data, filename),
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
            % {"n": data["visits"], "day": data["day"].strftime("%d.%m.%Y")},
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
        file = upload.cleaned_data["file"]
        try:
            result = import_new_users(
                organisation=organisation, data=file.read(), filename=file.name, user=request.user
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
            request, _("New users for %(month)s saved.") % {"month": month.strftime("%m/%Y")}
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
