from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from bibliotal.core import datapages, exports, importjobs, uploads
from bibliotal.core.formatting import date_text
from bibliotal.core.importers import Upload
from bibliotal.core.imports import ImportRejected
from bibliotal.core.models import ImportBatch
from bibliotal.core.permissions import Capability, has_capability, require
from bibliotal.core.views import _month_name, _organisation_or_403
from bibliotal.digital import charts, querysets
from bibliotal.digital.forms import (
    CampaignForm,
    DigitalFileForm,
    MonthForm,
    PlatformForm,
    QuotaChangeForm,
)
from bibliotal.digital.importers import (
    BATCH_KIND,
    UndoRefused,
    undo_digital_import,
)
from bibliotal.digital.indicators import headline_platform, quota_label
from bibliotal.digital.models import (
    AgeBand,
    Campaign,
    DigitalFigure,
    Material,
    Method,
    Metric,
    Platform,
    QuotaChange,
    ensure_platforms,
)
from bibliotal.digital.periods import month_end, month_starts
from bibliotal.digital.plausibility import DecisionError, decide, explain_short
from bibliotal.digital.services import TypedEntry, compare_campaign, save_typed_figures


@require(Capability.VIEW)
def overview(request):
    organisation = _organisation_or_403(request)
    ensure_platforms(organisation)
    today = timezone.localdate()
    platforms = list(Platform.objects.filter(organisation=organisation))
    chosen = next((p for p in platforms if str(p.pk) == request.GET.get("platform")), None)
    reported = DigitalFigure.objects.filter(platform__organisation=organisation)
    if chosen is not None:
        reported = reported.filter(platform=chosen)
    latest = reported.aggregate(m=Max("end"))["m"]
    year = datapages.page_year(request, latest=latest, today=today)
    loans = querysets.monthly_loans(organisation, year, chosen)
    last = querysets.monthly_loans(organisation, year - 1, chosen)
    children = querysets.monthly_children(organisation, year, chosen)
    months = []
    for month in month_starts(year):
        row = loans["months"][month]
        before = last["months"][month.replace(year=year - 1)]
        months.append(
            {
                "name": _month_name(month.month),
                "cells": [row.get(m) for m in querysets.LOAN_MATERIALS],
                "total": sum(row.values()) if row else None,
                "last_year": sum(before.values()) if before else None,
                "children": children.get(month),
                "estimated": month in loans["estimated"],
            }
        )
    totals = [
        datapages.total(m["cells"][i] for m in months) for i in range(len(querysets.LOAN_MATERIALS))
    ]
    split = querysets.age_split(organisation, year, chosen)
    ages = [AgeBand.CHILDREN, AgeBand.YOUNG, AgeBand.ADULTS, AgeBand.UNKNOWN, AgeBand.ALL]
    age_rows = [
        {
            "material": Material(material).label,
            "cells": [split.get(material, {}).get(band) for band in ages],
        }
        for material in querysets.LOAN_MATERIALS
        if material in split
    ]
    quotas = list(
        QuotaChange.objects.filter(
            platform__organisation=organisation, day__year=year
        ).select_related("platform")
    )
    chart = charts.loans_chart(months, year, quotas)
    context = {
        "year": year,
        "years": range(today.year, 2014, -1),
        "platforms": platforms,
        "chosen": chosen,
        "materials": [Material(m).label for m in querysets.LOAN_MATERIALS],
        "months": months,
        "totals": totals,
        "grand_total": datapages.total(totals),
        "last_total": datapages.total(m["last_year"] for m in months),
        "children_total": datapages.total(m["children"] for m in months),
        "ages": [AgeBand(a).label for a in ages],
        "age_rows": age_rows,
        "unique": querysets.unique_users(organisation, year, chosen),
        "counts": querysets.monthly_counts(organisation, year, chosen),
        "counter": querysets.counter_totals(organisation, year, chosen),
        "month_names": [date_text(date(2000, m, 1), "ABBR_MONTH_FORMAT") for m in range(1, 13)],
        "headline": headline_platform(organisation),
        "chart": chart,
        "quotas": [(q.day, quota_label(q)) for q in quotas],
        "coverage": datapages.figures_end(
            year=year,
            last_in_year=reported.filter(end__year=year).aggregate(m=Max("end"))["m"],
            latest=latest,
            today=today,
            none=_("No digital figures for %(year)s – latest figure %(latest)s."),
            ends=_("The digital figures for %(year)s end on %(last)s."),
            never=_("No digital figures are reported yet: import a report or type a month."),
        ),
        "downloads": exports.download_links(request, year=year),
    }
    kind = exports.requested_format(request)
    if kind:
        return exports.download_response(_overview_download(context, organisation), kind)
    return render(request, "digital/overview.html", context)


def _overview_download(context, organisation) -> exports.Download:
    """Every table of the overview as it stands; unique users are never added up here either."""
    year, months = context["year"], context["months"]
    loans = [
        [
            m["name"],
            *m["cells"],
            m["total"],
            m["last_year"],
            m["children"],
            _("estimate") if m["estimated"] else "",
        ]
        for m in months
    ]
    loans.append(
        [
            _("Year"),
            *context["totals"],
            context["grand_total"],
            context["last_total"],
            context["children_total"],
            "",
        ]
    )
    month_names = context["month_names"]
    tables = [
        exports.Table(
            _("E-loans per month"),
            [
                _("Month"),
                *context["materials"],
                _("Total"),
                str(year - 1),
                _("Children's e-books"),
                _("Estimated"),
            ],
            loans,
        )
    ]
    if context["age_rows"]:
        tables.append(
            exports.Table(
                _("E-loans by age band"),
                [_("Material type"), *context["ages"]],
                [[r["material"], *r["cells"]] for r in context["age_rows"]],
            )
        )
    if context["unique"]:
        tables.append(
            exports.Table(
                _("Unique users"),
                [
                    _("Platform"),
                    _("Method"),
                    _("Age band"),
                    *month_names,
                    _("Year"),
                    _("Estimated"),
                ],
                [
                    [
                        u["platform"].name,
                        u["method"],
                        u["age_band"],
                        *u["months"].values(),
                        u["year"],
                        _("estimate") if u["estimated"] else "",
                    ]
                    for u in context["unique"]
                ],
            )
        )
    if context["counts"]:
        tables.append(
            exports.Table(
                _("Visits, page views and searches"),
                [_("Platform"), _("Metric"), *month_names, _("Year")],
                [
                    [c["platform"].name, c["metric"], *c["months"].values(), c["total"]]
                    for c in context["counts"]
                ],
            )
        )
    if context["counter"]:
        tables.append(
            exports.Table(
                _("Licensed databases (COUNTER)"),
                [_("Platform"), _("Report"), _("Metric"), *month_names, _("Total")],
                [
                    [c["platform"], c["report"], c["metric"], *c["months"].values(), c["total"]]
                    for c in context["counter"]
                ],
            )
        )
    if context["quotas"]:
        tables.append(
            exports.Table(
                _("Loan-quota changes"),
                [_("Date"), _("Change")],
                [[day, label] for day, label in context["quotas"]],
            )
        )
    scope = context["chosen"].name if context["chosen"] else _("All platforms")
    return exports.Download(
        name=f"digitale-tilbud-{year}"
        + (f"-{exports.file_part(context['chosen'].name)}" if context["chosen"] else ""),
        title=_("Digital offers in %(year)s – %(organisation)s, %(scope)s")
        % {"year": year, "organisation": organisation.name, "scope": scope},
        period=_("Period: 1 January to 31 December %(year)s.") % {"year": year}
        + (" " + context["coverage"] if context["coverage"] else ""),
        provenance=_(
            "Figures as the platforms report them (imported or typed); estimated months are "
            "marked in the column Estimated. An empty cell is a figure not reported, never "
            "zero. Unique users are each for their own period and method, never added up."
        ),
        tables=tables,
    )


@require(Capability.COORDINATE)
def import_file(request):
    organisation = _organisation_or_403(request)
    ensure_platforms(organisation)
    batches = ImportBatch.objects.filter(organisation=organisation, kind=BATCH_KIND)
    if request.method == "POST" and "undo" in request.POST:
        batch = get_object_or_404(batches, pk=request.POST.get("undo"))
        try:
            count = undo_digital_import(batch=batch)
        except UndoRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(
                request,
                _("The import of %(file)s is undone (%(count)d figures).")
                % {"file": batch.filename, "count": count},
            )
        return redirect("digital:import")
    form = DigitalFileForm(request.POST or None, request.FILES or None, organisation=organisation)
    context = {"form": form, "batches": batches.select_related("imported_by")[:10]}
    if request.method == "POST":
        if "cancel" in request.POST:
            uploads.forget(request, request.POST.get("token", ""))
            return redirect("digital:import")
        if "confirm" in request.POST:
            kept = uploads.take(request, request.POST.get("token", ""))
            if kept is None:
                raise Http404
            upload = Upload.from_bytes(*kept)
            platform = Platform.objects.filter(
                organisation=organisation, pk=request.POST.get("platform") or 0
            ).first()
            chosen_format, dry_run = request.POST.get("format") or None, False
        elif form.is_valid():
            upload = Upload.from_file(form.cleaned_data["file"])
            platform = form.cleaned_data["platform"]
            chosen_format, dry_run = form.cleaned_data["format"] or None, True
        else:
            return render(request, "digital/import.html", context, status=400)
        options = {"format": chosen_format, "platform": platform}
        try:
            result, job = importjobs.import_or_queue(
                request,
                kind="digital",
                upload=upload,
                organisation=organisation,
                options=options,
                dry_run=dry_run,
            )
        except ImportRejected as error:
            context["errors"] = [str(e) for e in error.errors]
            return render(request, "digital/import.html", context, status=400)
        if job is not None:
            return redirect("core:import_job", pk=job.pk)
        if not dry_run:
            messages.success(request, result.summary())
            if result.implausible:
                return redirect("digital:held")
            return redirect("digital:overview")
        context.update(
            {
                "preview": result,
                "short_history": explain_short(result.short_history),
                "confirm": {
                    "token": uploads.stash(request, upload.source, upload.filename),
                    "platform": platform.pk if platform else "",
                    "format": result.format,
                },
            }
        )
    return render(request, "digital/import.html", context)


@require(Capability.COORDINATE)
def held(request):
    """Figures held out of the goals as implausible: accept as reported, or correct."""
    organisation = _organisation_or_403(request)
    figures = DigitalFigure.objects.filter(platform__organisation=organisation)
    if request.method == "POST":
        figure = get_object_or_404(
            figures.select_related("platform"), pk=request.POST.get("figure", 0) or 0
        )
        decision = request.POST.get("decision")
        if decision not in ("accept", "correct") or figure.plausibility != "held":
            raise Http404
        try:
            decide(
                figure=figure,
                accept=decision == "accept",
                corrected=request.POST.get("value", ""),
                user=request.user,
            )
        except DecisionError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Saved: %(platform)s, %(first)s–%(last)s.")
                % {
                    "platform": figure.platform.name,
                    "first": date_text(figure.start, "SHORT_DATE_FORMAT"),
                    "last": date_text(figure.end, "SHORT_DATE_FORMAT"),
                },
            )
        return redirect("digital:held")
    return render(
        request,
        "digital/held.html",
        {
            "held": figures.filter(plausibility="held").select_related("platform")[:200],
            "decided": figures.filter(plausibility__in=["accepted", "corrected"])
            .select_related("platform", "entered_by")
            .order_by("-updated_at")[:20],
        },
    )


GRID_AGES = [AgeBand.CHILDREN, AgeBand.YOUNG, AgeBand.ADULTS, AgeBand.UNKNOWN, AgeBand.ALL]
GRID_ROWS = [
    *[(Metric.LOANS, material) for material in querysets.LOAN_MATERIALS],
    (Metric.UNIQUE_USERS, Material.NONE),
]
GRID_COUNTS = [Metric.VISITS, Metric.PAGE_VIEWS, Metric.SEARCHES]


def _grid(platform, start, end, post=None):
    """The typed month: loans by material and age band, unique users by age band (with their
    method), and visits, page views and searches for all ages."""
    current = {
        (f.metric, f.material, f.age_band, f.method): f
        for f in DigitalFigure.objects.filter(platform=platform, start=start, end=end, key="")
    }
    method = Method.LOGIN
    for (metric, _material, _band, how), _figure in current.items():
        if metric == Metric.UNIQUE_USERS and how:
            method = how
    if post is not None:
        method = post.get("method") if post.get("method") in (Method.COOKIE, Method.LOGIN) else ""
    rows, errors, entries = [], [], []

    def cell(metric, material, band):
        how = method if metric == Metric.UNIQUE_USERS else ""
        name = f"v-{metric}-{material or 'none'}-{band}"
        label = f"{Metric(metric).label}, {Material(material).label if material else ''}"
        label = label.rstrip(", ") + f", {AgeBand(band).label}"
        existing = current.get((metric, material, band, how))
        value = existing.value if existing else None
        text = "" if value is None else str(value)
        error = ""
        if post is not None:
            text = post.get(name, "").strip().replace(".", "").replace(" ", "")
            if text == "":
                value = None
            elif text.isdigit():
                value = int(text)
            else:
                error = _("%(cell)s: write a whole number of 0 or more, or leave it empty.") % {
                    "cell": label
                }
                errors.append(error)
            if not error:
                entries.append(TypedEntry(metric, material, band, how, value))
        return {
            "name": name,
            "label": label,
            "text": text,
            "error": error,
            "source": existing.get_source_display() if existing else "",
        }

    for metric, material in GRID_ROWS:
        rows.append(
            {
                "label": Material(material).label
                if metric == Metric.LOANS
                else Metric(metric).label,
                "group": Metric(metric).label,
                "cells": [cell(metric, material, band) for band in GRID_AGES],
            }
        )
    counts = [
        {"label": Metric(metric).label, "cell": cell(metric, Material.NONE, AgeBand.ALL)}
        for metric in GRID_COUNTS
    ]
    if (
        post is not None
        and method == ""
        and any(e.value is not None for e in entries if e.metric == Metric.UNIQUE_USERS)
    ):
        errors.append(_("Unique users need their method: cookie-based or login-based."))
    return rows, counts, method, errors, entries


@require(Capability.COORDINATE)
def grid(request):
    organisation = _organisation_or_403(request)
    ensure_platforms(organisation)
    today = timezone.localdate()
    initial = {"month": date(today.year, today.month, 1)}
    chooser = MonthForm(request.GET or None, organisation=organisation, initial=initial)
    context = {"chooser": chooser}
    if not chooser.is_valid():
        return render(request, "digital/grid.html", context, status=400 if request.GET else 200)
    platform = chooser.cleaned_data["platform"]
    start = chooser.cleaned_data["month"].replace(day=1)
    end = month_end(start)
    post = request.POST if request.method == "POST" else None
    rows, counts, method, errors, entries = _grid(platform, start, end, post)
    if post is not None and not errors:
        changed = save_typed_figures(
            platform=platform,
            start=start,
            end=end,
            entries=entries,
            user=request.user,
            estimated=bool(post.get("estimated")),
        )
        messages.success(
            request,
            _(
                "%(platform)s, %(month)s saved: %(created)d added, %(updated)d changed, "
                "%(deleted)d removed."
            )
            % {
                "platform": platform.name,
                "month": f"{_month_name(start.month)} {start.year}",
                **changed,
            },
        )
        return redirect(request.get_full_path())
    context.update(
        {
            "platform": platform,
            "start": start,
            "month_label": f"{_month_name(start.month)} {start.year}",
            "ages": [AgeBand(a).label for a in GRID_AGES],
            "rows": rows,
            "counts": counts,
            "method": method,
            "methods": [(Method.LOGIN, Method.LOGIN.label), (Method.COOKIE, Method.COOKIE.label)],
            "errors": errors,
        }
    )
    return render(request, "digital/grid.html", context, status=400 if errors else 200)


@require(Capability.MANAGE)
def platforms(request):
    organisation = _organisation_or_403(request)
    ensure_platforms(organisation)
    own = Platform.objects.filter(organisation=organisation)
    instance = None
    if request.GET.get("edit") or request.POST.get("pk"):
        instance = get_object_or_404(own, pk=request.GET.get("edit") or request.POST.get("pk"))
    form = PlatformForm(request.POST or None, instance=instance, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("The platform “%(name)s” is saved.") % {"name": saved.name})
        return redirect("digital:platforms")
    return render(
        request,
        "digital/platforms.html",
        {
            "form": form,
            "own": own,
            "editing": instance,
            "headline": headline_platform(organisation),
        },
        status=400 if form.errors else 200,
    )


@require(Capability.COORDINATE)
def quotas(request):
    organisation = _organisation_or_403(request)
    ensure_platforms(organisation)
    form = QuotaChangeForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and "delete" in request.POST:
        change = get_object_or_404(
            QuotaChange, pk=request.POST.get("delete"), platform__organisation=organisation
        )
        change.delete()
        messages.success(request, _("The loan-quota change is deleted."))
        return redirect("digital:quotas")
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The loan-quota change is saved."))
        return redirect("digital:quotas")
    changes = QuotaChange.objects.filter(platform__organisation=organisation).select_related(
        "platform"
    )
    return render(
        request,
        "digital/quotas.html",
        {"form": form, "changes": changes},
        status=400 if form.errors else 200,
    )


@require(Capability.VIEW)
def campaign_list(request):
    organisation = _organisation_or_403(request)
    campaigns = Campaign.objects.filter(organisation=organisation).select_related("offer")
    return render(request, "digital/campaign_list.html", {"campaigns": campaigns})


@require(Capability.VIEW)
def campaign_detail(request, pk):
    organisation = _organisation_or_403(request)
    campaign = get_object_or_404(Campaign, pk=pk, organisation=organisation)
    return render(
        request,
        "digital/campaign_detail.html",
        {
            "campaign": campaign,
            "comparisons": compare_campaign(campaign),
            "can_edit": has_capability(request.user, Capability.COORDINATE),
        },
    )


@require(Capability.COORDINATE)
def campaign_form(request, pk=None):
    organisation = _organisation_or_403(request)
    ensure_platforms(organisation)
    instance = None
    if pk is not None:
        instance = get_object_or_404(Campaign, pk=pk, organisation=organisation)
    form = CampaignForm(request.POST or None, instance=instance, organisation=organisation)
    if request.method == "POST" and "delete" in request.POST and instance is not None:
        instance.delete()
        messages.success(request, _("The campaign “%(title)s” is deleted.") % {"title": instance})
        return redirect("digital:campaign_list")
    if request.method == "POST" and form.is_valid():
        campaign = form.save(commit=False)
        if campaign.created_by_id is None:
            campaign.created_by = request.user
        campaign.save()
        messages.success(request, _("The campaign “%(title)s” is saved.") % {"title": campaign})
        return redirect("digital:campaign_detail", pk=campaign.pk)
    return render(
        request,
        "digital/campaign_form.html",
        {"form": form, "campaign": instance},
        status=400 if form.errors else 200,
    )
