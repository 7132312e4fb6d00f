from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bibliotal.core.models import AuditEntry, Branch, Closure, OpeningHours, OpeningSchedule
from bibliotal.core.opening import opening_calendar, summarise
from bibliotal.core.permissions import (
    Capability,
    has_capability,
    organisation_of,
    require,
)

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


def home(request):
    """The start page: the panels the user's role may see (``core/dashboard.py``)."""
    from bibliotal.core.dashboard import render_panels

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    organisation = organisation_of(request.user)
    if organisation is None or not has_capability(request.user, Capability.VIEW):
        # An account without a membership: say what to do rather than a bare "not allowed".
        return render(request, "core/home_no_membership.html", status=403)
    today = timezone.localdate()
    # A panel not yet worked out since the figures changed is fetched by the page itself, so the
    # page answers at once; ``?full`` (the link for a browser without JavaScript) waits for all.
    panels = render_panels(request, organisation, today, defer="full" not in request.GET)
    return render(request, "core/home.html", {"panels": panels, "today": today})


def panel(request, key: str):
    """One start-page panel, for the placeholder that fetches it after an import."""
    from bibliotal.core.dashboard import render_panel

    if not request.user.is_authenticated:
        return redirect_to_login(reverse("core:home"))
    organisation = organisation_of(request.user)
    if organisation is None or not has_capability(request.user, Capability.VIEW):
        raise PermissionDenied
    item = render_panel(request, organisation, timezone.localdate(), key)
    if item is None:
        raise Http404
    return render(request, "core/_panel.html", {"item": item})


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
    from bibliotal.core.auditlog import describe

    entries = AuditEntry.objects.filter(organisation=organisation).select_related("actor")
    actor = request.GET.get("actor", "").strip()
    model = request.GET.get("model", "").strip()
    action = request.GET.get("action", "").strip()
    if actor:
        entries = entries.filter(actor_name=actor)
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
    actors = (
        AuditEntry.objects.filter(organisation=organisation)
        .exclude(actor_name="")
        .order_by("actor_name")
        .values_list("actor_name", flat=True)
        .distinct()[:500]
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {
            "page": page,
            "rows": describe(page.object_list),
            "actor": actor,
            "actors": actors,
            "model": model,
            "action": action,
            "models": models,
            "actions": AuditEntry.Action.choices,
            "query": query.urlencode(),
        },
    )


def liveness(request):
    """That this process answers, and nothing else: no database, no session (a container's
    liveness probe, which must not restart a server because its database is down). It is
    also the framework's own ceiling that ``bench/guidance_taps.py`` compares taps with."""
    response = HttpResponse(b'{"status": "ok"}', content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


def healthz(request):
    """For load balancers and monitoring (no login, no session), as JSON: the database
    (reachable, migrated) and the worker's queue (``core.health``). 503 when the database is
    not fine; a late worker only with ``?require=worker``."""
    from bibliotal.core.health import report

    body, status = report(require_worker=request.GET.get("require") == "worker")
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


# -- integrations -------------------------------------------------------------------------------


@require(Capability.ADMINISTER)
def integrations(request):
    """Each integration's last sync, what changed and what failed; the website's address; a
    saved file; and "sync now"."""
    from bibliotal.core import importers
    from bibliotal.core.forms import WebsiteFileForm, WebsiteForm
    from bibliotal.core.importers import Upload
    from bibliotal.core.imports import ImportRejected
    from bibliotal.core.integrations import recording, status
    from bibliotal.core.mail.outbox import status as outbox_status
    from bibliotal.core.models import Integration, OpeningCategory, Website, WebsiteBranch
    from bibliotal.core.website import sync_website
    from bibliotal.events.models import CategoryMapping

    organisation = _organisation_or_403(request)
    website = Website.objects.filter(organisation=organisation).first()
    action = request.POST.get("action") if request.method == "POST" else None
    form = WebsiteForm(
        request.POST if action == "website" else None,
        instance=website or Website(organisation=organisation),
        prefix="website",
    )
    file_form = WebsiteFileForm(
        request.POST if action == "file" else None,
        request.FILES if action == "file" else None,
        prefix="file",
    )
    errors: list[str] = []
    status_code = 200
    if action == "website":
        if form.is_valid():
            form.save()
            messages.success(request, _("The library website is saved."))
            return redirect("core:integrations")
        status_code = 400
    elif action == "outbox_retry":
        from bibliotal.core.mail import outbox
        from bibliotal.core.mail.tasks import schedule_delivery

        message = get_object_or_404(
            outbox.OutboxMessage, pk=request.POST.get("message"), organisation=organisation
        )
        outbox.try_again(message)
        schedule_delivery()
        messages.success(
            request, _("The e-mail to %(email)s is tried again.") % {"email": message.recipient}
        )
        return redirect(f"{resolve_url('core:integrations')}#outbox-heading")
    elif action == "sync":
        if website is None:
            raise PermissionDenied
        for outcome in sync_website(website=website, trigger="page"):
            (messages.success if outcome.ok else messages.error)(request, outcome.message)
        return redirect("core:integrations")
    elif action == "file":
        if file_form.is_valid():
            upload = Upload.from_file(file_form.cleaned_data["file"])
            filename = upload.filename
            kind = file_form.cleaned_data["kind"]
            integration = (
                Integration.WEBSITE_EVENTS if kind == "events" else Integration.WEBSITE_HOURS
            )
            try:
                with recording(organisation, integration, source=filename, trigger="file") as run:
                    if kind == "events":
                        result = importers.get("events").apply(
                            upload=upload,
                            organisation=organisation,
                            user=request.user,
                            format="dplcms",
                        )
                    else:
                        result = importers.get("opening-hours").apply(
                            upload=upload, organisation=organisation, user=request.user
                        )
                    run.summary = result.summary()
                    run.changes = {
                        key: value
                        for key, value in vars(result).items()
                        if isinstance(value, int) and not isinstance(value, bool)
                    }
                    run.unmapped = [
                        *(_("library: %(name)s") % {"name": n} for n in result.unmapped_branches),
                        *(
                            _("category: %(name)s") % {"name": n}
                            for n in result.unmapped_categories
                        ),
                    ]
            except ImportRejected as error:
                errors = [str(e) for e in error.errors]
                status_code = 400
            else:
                messages.success(request, result.summary())
                return redirect("core:integrations")
        else:
            status_code = 400
    context = {
        "website": website,
        "form": form,
        "file_form": file_form,
        "errors": errors,
        "rows": status(organisation),
        "outbox": outbox_status(organisation),
        "unmapped_branches": WebsiteBranch.objects.filter(
            organisation=organisation, branch__isnull=True, ignored=False
        ).count(),
        "unmapped_hours": OpeningCategory.objects.filter(
            organisation=organisation, kind=""
        ).count(),
        "unmapped_categories": CategoryMapping.objects.filter(
            organisation=organisation, event_type__isnull=True, outside_hirer=False
        ).count(),
    }
    return render(request, "core/integrations.html", context, status=status_code)


def _mapping_page(request, *, model, form_class, order, template, success, **form_kwargs):
    from django.forms import modelformset_factory

    organisation = _organisation_or_403(request)
    FormSet = modelformset_factory(model, form=form_class, extra=0, edit_only=True)
    queryset = model.objects.filter(organisation=organisation).order_by(*order)
    formset = FormSet(
        request.POST or None,
        queryset=queryset,
        form_kwargs=dict.fromkeys(form_kwargs, organisation),
    )
    if request.method == "POST" and formset.is_valid():
        for item in formset.save():
            item.save()  # one by one, so each change is audited
        messages.success(request, success)
        return redirect(request.path)
    status_code = 400 if request.method == "POST" else 200
    return render(request, template, {"formset": formset}, status=status_code)


@require(Capability.ADMINISTER)
def website_branches(request):
    from bibliotal.core.forms import WebsiteBranchForm
    from bibliotal.core.models import WebsiteBranch

    return _mapping_page(
        request,
        model=WebsiteBranch,
        form_class=WebsiteBranchForm,
        # Those waiting for an administrator first, on every database (NULLs sort differently).
        order=[F("branch").asc(nulls_first=True), "ignored", "kind", "value"],
        template="core/website_branches.html",
        success=_("The website's libraries are saved. They apply from the next sync."),
        organisation=True,
    )


@require(Capability.ADMINISTER)
def opening_categories(request):
    from bibliotal.core.forms import OpeningCategoryForm
    from bibliotal.core.models import OpeningCategory

    return _mapping_page(
        request,
        model=OpeningCategory,
        form_class=OpeningCategoryForm,
        order=["kind", "title"],
        template="core/opening_categories.html",
        success=_("The opening-hours categories are saved. They apply at once."),
    )
