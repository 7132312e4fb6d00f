from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bibliotal.core.imports import ImportRejected
from bibliotal.core.models import Integration, IntegrationRun
from bibliotal.core.permissions import Capability, has_capability, require
from bibliotal.core.views import _organisation_or_403
from bibliotal.goals import reporting
from bibliotal.goals.models import BudgetYear, GoalSettings, Target
from bibliotal.reports import comparison, content, services, statistics
from bibliotal.reports.forms import (
    STATUS_WORD_PRESETS,
    PeersForm,
    StatbankUploadForm,
    StatusWordsForm,
    TargetCommentForm,
)
from bibliotal.reports.models import ComparisonSettings, peers_of


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
            "comparison": _with_comparison(request),
        },
    )


def _with_comparison(request) -> bool:
    return request.GET.get("comparison", "") in ("1", "on", "true")


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
        comparison=_with_comparison(request),
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
            initial={
                "comment": f"{written}\n\n{facts}".strip(),
                "comment_public": bool(request.POST.get("comment_public")),
            },
            instance=target,
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
    preset = STATUS_WORD_PRESETS.get(request.POST.get("preset", ""))
    if request.method == "POST" and preset:
        # Fill the words in, unsaved: the manager checks them and saves.
        data = request.POST.copy()
        for name, word in preset.items():
            data[name] = word
        form = StatusWordsForm(data, instance=settings)
        messages.info(request, _("The words are filled in. Check them and save."))
        return render(request, "reports/settings_form.html", {"form": form})
    form = StatusWordsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The status words are saved."))
        return redirect("reports:report_index")
    return render(request, "reports/settings_form.html", {"form": form})


def _comparison_context(request, organisation, *, peers_form=None, upload_form=None) -> dict:
    measure = comparison.measure_named(request.GET.get("measure"))
    result = comparison.comparison(organisation, measure)
    rows = []
    for year in reversed(result.years):
        for area in result.areas:
            cell = result.cell(area.code, year)
            rows.append(
                {
                    "year": year,
                    "area": area,
                    "value": comparison.count(cell.value),
                    "population": comparison.count(cell.population),
                    "rate": comparison.rate(cell.per_1000),
                    "note": cell.note,
                }
            )
    can_manage = has_capability(request.user, Capability.MANAGE)
    context = {
        "measures": comparison.MEASURES,
        "measure": measure,
        "result": result,
        "rows": rows,
        "chart": comparison.chart(result) if result.has_data else None,
        "sentence": comparison.sentence(result) if result.has_data else "",
        "can_manage": can_manage,
        "municipality_code": organisation.municipality_code,
        "peer_names": [a.name for a in result.areas if a.role == comparison.PEER],
    }
    if can_manage:
        context["peers_form"] = peers_form or PeersForm(
            organisation=organisation, initial={"peers": peers_of(organisation)}
        )
        context["upload_form"] = upload_form or StatbankUploadForm()
        context["last_run"] = IntegrationRun.objects.filter(
            organisation=organisation, integration=Integration.STATBANK
        ).first()
    return context


@require(Capability.VIEW)
def comparison_page(request):
    organisation = _organisation_or_403(request)
    return render(request, "reports/comparison.html", _comparison_context(request, organisation))


@require(Capability.MANAGE)
def comparison_peers(request):
    organisation = _organisation_or_403(request)
    if request.method != "POST":
        return redirect(f"{reverse('reports:comparison')}#peers-heading")
    form = PeersForm(request.POST, organisation=organisation)
    if not form.is_valid():
        return render(
            request,
            "reports/comparison.html",
            _comparison_context(request, organisation, peers_form=form),
            status=400,
        )
    ComparisonSettings.objects.update_or_create(
        organisation=organisation, defaults={"peers": form.cleaned_data["peers"]}
    )
    messages.success(
        request,
        _(
            "The comparable municipalities are saved. Fetch their figures with "
            "“bibliotal sync dst” or upload them from Statbank."
        ),
    )
    return redirect("reports:comparison")


@require(Capability.MANAGE)
def comparison_upload(request):
    from bibliotal.core import importers
    from bibliotal.core.importers import Upload

    organisation = _organisation_or_403(request)
    if request.method != "POST":
        return redirect(f"{reverse('reports:comparison')}#upload-heading")
    form = StatbankUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = importers.get("dst").apply(
                upload=Upload.from_file(upload),
                organisation=organisation,
                user=request.user,
                table=form.cleaned_data["table"] or None,
                trigger="page",
            )
        except ImportRejected as rejected:
            for error in rejected.errors:
                form.add_error("file", str(error))
        else:
            messages.success(request, result.summary())
            return redirect("reports:comparison")
    return render(
        request,
        "reports/comparison.html",
        _comparison_context(request, organisation, upload_form=form),
        status=400,
    )
