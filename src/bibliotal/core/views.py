from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from bibliotal.core.models import AuditEntry, Branch, Closure, OpeningHours, OpeningSchedule
from bibliotal.core.opening import opening_calendar, summarise
from bibliotal.core.permissions import Capability, branches_for, organisation_of, require

FIRST_YEAR = 2000


def _organisation_or_403(request):
    organisation = organisation_of(request.user)
    if organisation is None:
        raise PermissionDenied
    return organisation


def _year(request, default: int) -> int:
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    return year if FIRST_YEAR <= year <= default + 5 else default


@require(Capability.VIEW)
def home(request):
    organisation = _organisation_or_403(request)
    today = timezone.localdate()
    branches = list(Branch.objects.filter(organisation=organisation).select_related("organisation"))
    days = opening_calendar(branches=branches, start=today, end=today)
    own = set(branches_for(request.user, Capability.REGISTER).values_list("pk", flat=True))
    rows = [{"branch": b, "today": days[b.pk][today], "own": b.pk in own} for b in branches]
    return render(request, "core/home.html", {"rows": rows, "today": today})


@require(Capability.VIEW)
def branch_list(request):
    organisation = _organisation_or_403(request)
    today = timezone.localdate()
    branches = list(
        Branch.objects.filter(organisation=organisation)
        .select_related("organisation")
        .prefetch_related("service_points")
    )
    days = opening_calendar(branches=branches, start=today, end=today)
    rows = [{"branch": b, "today": days[b.pk][today]} for b in branches]
    return render(request, "core/branch_list.html", {"rows": rows, "today": today})


def _weekly_table(schedule: OpeningSchedule) -> list[dict]:
    by_day: dict[int, dict[str, list[OpeningHours]]] = defaultdict(lambda: defaultdict(list))
    for hours in schedule.hours.all():
        by_day[hours.weekday][hours.kind].append(hours)
    return [
        {
            "weekday": label,
            "staffed": by_day[value][OpeningHours.Kind.STAFFED],
            "self_service": by_day[value][OpeningHours.Kind.SELF_SERVICE],
        }
        for value, label in OpeningHours.Weekday.choices
    ]


@require(Capability.VIEW)
def branch_detail(request, pk: int):
    organisation = _organisation_or_403(request)
    branch = get_object_or_404(
        Branch.objects.select_related("organisation"), pk=pk, organisation=organisation
    )
    today = timezone.localdate()
    year = _year(request, today.year)
    start, end = date(year, 1, 1), date(year, 12, 31)
    days = opening_calendar(branches=[branch], start=start, end=end)[branch.pk]
    months = []
    for month in range(1, 13):
        month_days = [d for d in days.values() if d.day.month == month]
        months.append(
            {"month": month, "name": _month_name(month), **_as_dict(summarise(month_days))}
        )
    schedules = list(
        branch.schedules.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .filter(valid_from__lte=end)
        .prefetch_related("hours")
    )
    closures = (
        Closure.objects.filter(organisation=organisation, start_date__lte=end, end_date__gte=start)
        .filter(Q(branches=branch) | Q(branches__isnull=True))
        .distinct()
        .order_by("start_date")
    )
    closed_days = [d for d in days.values() if not d.is_open and (d.holiday or d.closures)]
    context = {
        "branch": branch,
        "year": year,
        "years": range(today.year + 1, FIRST_YEAR - 1, -1)[:12],
        "months": months,
        "total": _as_dict(summarise(days.values())),
        "schedules": [{"schedule": s, "table": _weekly_table(s)} for s in schedules],
        "closures": closures,
        "holidays": [d for d in closed_days if d.holiday],
        "today": days.get(today),
    }
    return render(request, "core/branch_detail.html", context)


def _as_dict(summary) -> dict:
    return {
        "days": summary.days,
        "open_days": summary.open_days,
        "closed_days": summary.closed_days,
        "staffed_hours": summary.staffed_hours,
        "self_service_hours": summary.self_service_hours,
        "open_hours": summary.open_hours,
    }


def _month_name(month: int) -> str:
    names = [
        _("January"),
        _("February"),
        _("March"),
        _("April"),
        _("May"),
        _("June"),
        _("July"),
        _("August"),
        _("September"),
        _("October"),
        _("November"),
        _("December"),
    ]
    return names[month - 1]


@require(Capability.VIEW)
def closure_list(request):
    organisation = _organisation_or_403(request)
    today = timezone.localdate()
    year = _year(request, today.year)
    closures = (
        Closure.objects.filter(
            organisation=organisation,
            start_date__lte=date(year, 12, 31),
            end_date__gte=date(year, 1, 1),
        )
        .prefetch_related("branches")
        .order_by("start_date", "start_time")
    )
    return render(
        request,
        "core/closure_list.html",
        {
            "closures": closures,
            "year": year,
            "years": range(today.year + 1, FIRST_YEAR - 1, -1)[:12],
        },
    )


@require(Capability.MANAGE)
def audit_list(request):
    organisation = _organisation_or_403(request)
    entries = AuditEntry.objects.filter(organisation=organisation).select_related("actor")
    actor = request.GET.get("actor", "").strip()
    model = request.GET.get("model", "").strip()
    action = request.GET.get("action", "").strip()
    if actor:
        entries = entries.filter(actor_name__icontains=actor)
    if model:
        entries = entries.filter(model=model)
    if action in AuditEntry.Action.values:
        entries = entries.filter(action=action)
    paginator = Paginator(entries, 50)
    page = paginator.get_page(request.GET.get("page"))
    labels = (
        AuditEntry.objects.filter(organisation=organisation)
        .order_by("model")
        .values_list("model", flat=True)
        .distinct()
    )
    models = sorted(
        ((label, AuditEntry(model=label).record_type) for label in labels), key=lambda m: m[1]
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {
            "page": page,
            "actor": actor,
            "model": model,
            "action": action,
            "models": models,
            "actions": AuditEntry.Action.choices,
            "query": query.urlencode(),
        },
    )


def healthz(request):
    """For load balancers and monitoring: the process answers (no database, no session)."""
    return HttpResponse("ok", content_type="text/plain")
