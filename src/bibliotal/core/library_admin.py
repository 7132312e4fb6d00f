"""The administrators' pages for the organisation's libraries, in Bibliotal itself rather than
Django's admin: a library with its other names and addresses, its service points, its opening
hours (a schedule with its validity and weekly hours, or a copy of one as the start of summer
hours), and the closures.

Every change is a model save or delete, so the audit log records it with its author; the start
page's cached figures go by the audit log (``core.dashboard.data_stamp``), and what the apps keep
worked out from the opening calendar (the daily visits) is worked out again through
``core.opening.calendar_changed``. Everyone who may view sees the libraries and closures
(``core.views``); only administrators change them.
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.db import transaction
from django.db.models import ProtectedError
from django.db.models.deletion import RestrictedError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from bibliotal.core.library_forms import (
    AliasFormSet,
    BranchForm,
    ClosureForm,
    ScheduleForm,
    ServicePointForm,
)
from bibliotal.core.models import (
    Branch,
    BranchAlias,
    CalendarCoverage,
    CalendarHours,
    Closure,
    OpeningHours,
    OpeningSchedule,
    ServicePoint,
    WebsiteBranch,
)
from bibliotal.core.opening import calendar_changed
from bibliotal.core.permissions import Capability, organisation_of, require

# A library's own settings, which go with it when it is deleted; anything else that refers to
# it (events, counts, tallies, targets, staff, closures) is data and keeps it.
OWN_RECORDS = (
    BranchAlias,
    ServicePoint,
    OpeningSchedule,
    OpeningHours,
    CalendarHours,
    CalendarCoverage,
    WebsiteBranch,
)


def _organisation(request):
    return organisation_of(request.user)


def _branch(request, pk: int) -> Branch:
    return get_object_or_404(
        Branch.objects.select_related("organisation"), pk=pk, organisation=_organisation(request)
    )


def _latest(*days):
    """The latest day, None (open-ended) if any is None."""
    return None if any(d is None for d in days) else max(days)


# -- libraries -----------------------------------------------------------------------------------

CALENDAR_FIELDS = ("active_from", "active_to", "area_type")


@require(Capability.ADMINISTER)
def branch_create(request):
    return _branch_form(request, Branch())


@require(Capability.ADMINISTER)
def branch_edit(request, pk: int):
    return _branch_form(request, _branch(request, pk))


def _branch_form(request, branch: Branch):
    organisation = _organisation(request)
    before = {name: getattr(branch, name) for name in CALENDAR_FIELDS} if branch.pk else None
    data = request.POST if request.method == "POST" else None
    form = BranchForm(data, instance=branch, organisation=organisation)
    # The form first, so that the names are checked against the library's new name.
    form_valid = form.is_valid() if data is not None else False
    aliases = AliasFormSet(data, instance=branch, organisation=organisation, prefix="aliases")
    if data is not None and form_valid and aliases.is_valid():
        with transaction.atomic():
            branch = form.save()
            aliases.instance = branch
            aliases.save()  # each alias saved or deleted on its own: audited
            changed = before is not None and any(
                before[name] != getattr(branch, name) for name in CALENDAR_FIELDS
            )
            if changed:
                calendar_changed(organisation=organisation, branch_ids={branch.pk})
        messages.success(request, _("%(name)s is saved.") % {"name": branch.name})
        return redirect("core:branch_detail", branch.pk)
    context = {
        "form": form,
        "aliases": aliases,
        "branch": branch if branch.pk else None,
        "errors": data is not None,
    }
    return render(request, "core/libraries/branch_form.html", context, status=400 if data else 200)


def references(branch: Branch) -> list[tuple[str, int]]:
    """What refers to a library beside its own settings: (what, how many), e.g. ("events", 12).
    A library with any of it cannot be deleted; it is taken out of use by its last day."""
    found: Counter = Counter()
    labels: dict[str, str] = {}

    def visit(model, objects) -> None:
        for relation in model._meta.get_fields(include_hidden=True):
            if not (relation.auto_created and not relation.concrete and relation.is_relation):
                continue
            related = relation.related_model
            if related is None or related._meta.auto_created:
                continue  # a many-to-many table: its owner's field is visited instead
            rows = related._base_manager.filter(**{f"{relation.field.name}__in": objects})
            if related in OWN_RECORDS:
                visit(related, rows)
                continue
            count = rows.distinct().count()
            if count:
                key = related._meta.label
                found[key] += count
                labels[key] = str(related._meta.verbose_name_plural)

    visit(Branch, Branch.objects.filter(pk=branch.pk))
    return sorted(((labels[key], n) for key, n in found.items()), key=lambda item: item[0])


@require(Capability.ADMINISTER)
def branch_delete(request, pk: int):
    branch = _branch(request, pk)
    found = references(branch)
    if request.method == "POST" and not found:
        name = branch.name
        try:
            with transaction.atomic():
                branch.delete()  # its other names, service points and hours go with it, audited
        except (ProtectedError, RestrictedError):
            found = references(branch) or [(_("records"), 1)]
        else:
            messages.success(request, _("%(name)s is deleted.") % {"name": name})
            return redirect("core:branch_list")
    return render(
        request,
        "core/libraries/branch_confirm_delete.html",
        {"branch": branch, "references": found},
        status=409 if request.method == "POST" else 200,
    )


# -- service points ------------------------------------------------------------------------------


@require(Capability.ADMINISTER)
def service_point_list(request, pk: int):
    """The library's service points, a form to add one, and deactivate or reactivate."""
    branch = _branch(request, pk)
    form = ServicePointForm(
        request.POST if request.POST.get("action") == "add" else None, branch=branch
    )
    action = request.POST.get("action") if request.method == "POST" else None
    if action in {"deactivate", "reactivate"}:
        point = get_object_or_404(ServicePoint, pk=request.POST.get("point"), branch=branch)
        point.active = action == "reactivate"
        point.save()
        text = (
            _("%(name)s is active again.") if point.active else _("%(name)s is deactivated.")
        ) % {"name": point.name}
        messages.success(request, text)
        return redirect("core:service_point_list", branch.pk)
    if action == "add" and form.is_valid():
        point = form.save()
        messages.success(request, _("%(name)s is added.") % {"name": point.name})
        return redirect("core:service_point_list", branch.pk)
    return render(
        request,
        "core/libraries/servicepoint_list.html",
        {
            "branch": branch,
            "points": branch.service_points.order_by("-active", "name"),
            "form": form,
        },
        status=400 if action == "add" else 200,
    )


@require(Capability.ADMINISTER)
def service_point_edit(request, pk: int, point_pk: int):
    branch = _branch(request, pk)
    point = get_object_or_404(ServicePoint, pk=point_pk, branch=branch)
    form = ServicePointForm(request.POST or None, instance=point, branch=branch)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("%(name)s is saved.") % {"name": point.name})
        return redirect("core:service_point_list", branch.pk)
    return render(
        request,
        "core/libraries/servicepoint_form.html",
        {"branch": branch, "point": point, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# -- opening hours -------------------------------------------------------------------------------


@require(Capability.ADMINISTER)
def schedule_create(request, pk: int):
    """A new schedule; ``?copy=<id>`` starts from another schedule's hours (summer hours)."""
    branch = _branch(request, pk)
    source = None
    if request.GET.get("copy", "").isdigit():
        source = get_object_or_404(
            OpeningSchedule.objects.prefetch_related("hours"),
            pk=int(request.GET["copy"]),
            branch__organisation=branch.organisation,
        )
    initial = {}
    if source is not None:
        initial = {"name": _("Copy of %(name)s") % {"name": source.name}}
    form = ScheduleForm(
        request.POST if request.method == "POST" else None,
        instance=OpeningSchedule(branch=branch),
        branch=branch,
        hours=list(source.hours.all()) if source is not None else None,
        initial=initial,
    )
    return _schedule_form(request, branch, form, before=None, source=source)


@require(Capability.ADMINISTER)
def schedule_edit(request, pk: int, schedule_pk: int):
    branch = _branch(request, pk)
    schedule = get_object_or_404(OpeningSchedule, pk=schedule_pk, branch=branch)
    before = (schedule.valid_from, schedule.valid_to)
    form = ScheduleForm(
        request.POST if request.method == "POST" else None, instance=schedule, branch=branch
    )
    return _schedule_form(request, branch, form, before=before, source=None)


def _schedule_form(request, branch, form, *, before, source):
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            schedule = form.save()
            days = [schedule.valid_from] + ([before[0]] if before else [])
            ends = [schedule.valid_to] + ([before[1]] if before else [])
            calendar_changed(
                organisation=branch.organisation,
                branch_ids={branch.pk},
                start=min(days),
                end=_latest(*ends),
            )
        messages.success(
            request,
            _("The opening hours %(name)s are saved.") % {"name": schedule.name},
        )
        return redirect("core:branch_detail", branch.pk)
    return render(
        request,
        "core/libraries/schedule_form.html",
        {
            "branch": branch,
            "form": form,
            "schedule": form.instance if before else None,
            "source": source,
        },
        status=400 if request.method == "POST" else 200,
    )


@require(Capability.ADMINISTER)
def schedule_delete(request, pk: int, schedule_pk: int):
    branch = _branch(request, pk)
    schedule = get_object_or_404(OpeningSchedule, pk=schedule_pk, branch=branch)
    if request.method == "POST":
        name, start, end = schedule.name, schedule.valid_from, schedule.valid_to
        with transaction.atomic():
            schedule.delete()  # its hours go with it, each audited
            calendar_changed(
                organisation=branch.organisation, branch_ids={branch.pk}, start=start, end=end
            )
        messages.success(request, _("The opening hours %(name)s are deleted.") % {"name": name})
        return redirect("core:branch_detail", branch.pk)
    return render(
        request,
        "core/libraries/schedule_confirm_delete.html",
        {"branch": branch, "schedule": schedule},
    )


# -- closures ------------------------------------------------------------------------------------


def _closure_list_url(closure: Closure) -> str:
    return f"{reverse('core:closure_list')}?year={closure.start_date.year}"


def _closure_scope(closure: Closure):
    """The libraries a closure closes: their ids, or None for every library."""
    ids = set(closure.branches.values_list("pk", flat=True))
    return ids or None


@require(Capability.ADMINISTER)
def closure_create(request):
    """A new closure; ``?branch=<id>`` (from a library's page) chooses that library."""
    initial = {}
    chosen = request.GET.get("branch", "")
    if chosen.isdigit():
        branch = _branch(request, int(chosen))
        initial = {"which": ClosureForm.CHOSEN, "branches": [branch.pk]}
    return _closure_form(request, Closure(organisation=_organisation(request)), initial=initial)


@require(Capability.ADMINISTER)
def closure_edit(request, pk: int):
    closure = get_object_or_404(Closure, pk=pk, organisation=_organisation(request))
    return _closure_form(request, closure)


def _closure_form(request, closure: Closure, initial=None):
    organisation = _organisation(request)
    before = None
    if closure.pk:
        before = (closure.start_date, closure.end_date, _closure_scope(closure))
    form = ClosureForm(
        request.POST if request.method == "POST" else None,
        instance=closure,
        organisation=organisation,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            closure = form.save()  # the libraries too, audited as added and removed
            start, end, scope = closure.start_date, closure.end_date, _closure_scope(closure)
            if before is not None:
                start, end = min(start, before[0]), max(end, before[1])
                scope = None if scope is None or before[2] is None else scope | before[2]
            calendar_changed(organisation=organisation, branch_ids=scope, start=start, end=end)
        messages.success(
            request, _("The closure %(reason)s is saved.") % {"reason": closure.reason}
        )
        return redirect(_closure_list_url(closure))
    return render(
        request,
        "core/libraries/closure_form.html",
        {"form": form, "closure": closure if closure.pk else None},
        status=400 if request.method == "POST" else 200,
    )


@require(Capability.ADMINISTER)
def closure_delete(request, pk: int):
    closure = get_object_or_404(Closure, pk=pk, organisation=_organisation(request))
    if request.method == "POST":
        reason, url = closure.reason, _closure_list_url(closure)
        start, end, scope = closure.start_date, closure.end_date, _closure_scope(closure)
        with transaction.atomic():
            closure.delete()
            calendar_changed(
                organisation=closure.organisation, branch_ids=scope, start=start, end=end
            )
        messages.success(request, _("The closure %(reason)s is deleted.") % {"reason": reason})
        return redirect(url)
    return render(request, "core/libraries/closure_confirm_delete.html", {"closure": closure})


__all__ = [
    "branch_create",
    "branch_delete",
    "branch_edit",
    "closure_create",
    "closure_delete",
    "closure_edit",
    "references",
    "schedule_create",
    "schedule_delete",
    "schedule_edit",
    "service_point_edit",
    "service_point_list",
]
