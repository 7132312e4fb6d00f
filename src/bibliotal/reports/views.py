from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bibliotal.core.permissions import Capability, has_capability, require
from bibliotal.core.views import _organisation_or_403
from bibliotal.goals import reporting
from bibliotal.goals.models import BudgetYear, GoalSettings, Target
from bibliotal.reports import content, services, statistics
from bibliotal.reports.forms import StatusWordsForm, TargetCommentForm


def _at(request, year: int) -> date:
    return reporting.reference_date(request.GET.get("at", ""), year)


def _language(request) -> str:
    chosen = request.GET.get("lang", "")
    if chosen in services.LANGUAGES:
        return chosen
    return "en" if (translation.get_language() or "da").startswith("en") else "da"


@require(Capability.VIEW)
def report_index(request):
    organisation = _organisation_or_403(request)
    latest = BudgetYear.objects.filter(organisation=organisation).order_by("-year").first()
    return redirect("reports:report_detail", year=latest.year if latest else timezone.now().year)


@require(Capability.VIEW)
def report_detail(request, year: int):
    organisation = _organisation_or_403(request)
    at = _at(request, year)
    report = content.build_report(
        organisation=organisation,
        year=year,
        at=at,
        language=translation.get_language() or "da",
        charts=False,
    )
    years = list(
        BudgetYear.objects.filter(organisation=organisation)
        .order_by("-year")
        .values_list("year", flat=True)
    )
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "year": year,
            "at": at,
            "years": years,
            "language": _language(request),
            "summary_columns": content.summary_columns(report),
            "summary_rows": [
                (entry, content.summary_row(report, entry)) for entry in report.entries
            ],
            "figures": statistics.year_figures(organisation=organisation, year=year),
            "can_manage": has_capability(request.user, Capability.MANAGE),
        },
    )


@require(Capability.VIEW)
def report_download(request, year: int):
    organisation = _organisation_or_403(request)
    format = request.GET.get("format", "pdf")
    if format not in services.FORMATS:
        format = "pdf"
    made = services.make_report(
        organisation=organisation,
        year=year,
        format=format,
        at=_at(request, year),
        language=_language(request),
    )
    return made.download()


@require(Capability.VIEW)
def statistics_download(request, year: int):
    organisation = _organisation_or_403(request)
    format = request.GET.get("format", "csv")
    if format not in ("csv", "xlsx"):
        format = "csv"
    return (
        statistics.make_statistics(
            organisation=organisation, year=year, format=format, language=_language(request)
        )
    ).download()


@require(Capability.MANAGE)
def comment_edit(request, year: int, pk: int):
    organisation = _organisation_or_403(request)
    target = get_object_or_404(
        Target.objects.select_related("focus_area__budget_year__organisation"),
        pk=pk,
        focus_area__budget_year__organisation=organisation,
        focus_area__budget_year__year=year,
    )
    entry = content.target_entry(target, at=_at(request, year))
    form = TargetCommentForm(request.POST or None, instance=target)
    if request.method == "POST" and "use_facts" in request.POST:
        # Put the suggested facts under what is written so far; nothing is saved yet.
        written = request.POST.get("comment", "").rstrip()
        facts = " ".join(entry.facts) if entry else ""
        form = TargetCommentForm(
            initial={"comment": f"{written}\n\n{facts}".strip()}, instance=target
        )
        messages.info(request, _("The facts are added below your text. Edit them, then save."))
    elif request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The comment is saved."))
        return redirect("reports:report_detail", year=year)
    return render(
        request,
        "reports/comment_form.html",
        {"form": form, "target": target, "entry": entry, "year": year},
    )


@require(Capability.MANAGE)
def settings_edit(request):
    organisation = _organisation_or_403(request)
    settings = GoalSettings.objects.filter(organisation=organisation).first() or GoalSettings(
        organisation=organisation
    )
    form = StatusWordsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The status words are saved."))
        return redirect("reports:report_index")
    return render(request, "reports/settings_form.html", {"form": form})
