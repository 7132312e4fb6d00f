from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bibliotal.core import importers, uploads
from bibliotal.core.importers import Upload
from bibliotal.core.imports import ImportRejected
from bibliotal.core.models import Organisation
from bibliotal.core.permissions import Capability, has_capability, organisation_of, require
from bibliotal.core.views import _organisation_or_403
from bibliotal.goals import public, reporting
from bibliotal.goals.charts import progress_chart
from bibliotal.goals.forms import (
    DocumentConfirmForm,
    DocumentUploadForm,
    FocusAreaCommentForm,
    ReviewFormSet,
    SectionForm,
    TargetForm,
)
from bibliotal.goals.importers import scope_branches
from bibliotal.goals.models import BudgetYear, FocusArea, Target
from bibliotal.goals.services import BudgetImportError


@require(Capability.VIEW)
def year_list(request):
    organisation = _organisation_or_403(request)
    years = list(BudgetYear.objects.filter(organisation=organisation).order_by("-year"))
    if years and "all" not in request.GET:
        return redirect("goals:year_detail", year=years[0].year)
    return render(request, "goals/budgetyear_list.html", {"years": years})


@require(Capability.VIEW)
def year_detail(request, year: int):
    organisation = _organisation_or_403(request)
    budget_year = get_object_or_404(BudgetYear, organisation=organisation, year=year)
    at = reporting.reference_date(request.GET.get("at", ""), year)
    _by, pairs, _settings = reporting.year_progress(organisation=organisation, year=year, at=at)
    by_area: dict[int, list] = {}
    needs_target = []
    for target, computed in pairs:
        if computed is None:
            needs_target.append(target)
        else:
            by_area.setdefault(target.focus_area_id, []).append(computed)
    areas = [
        {
            "area": area,
            "rows": by_area.get(area.pk, []),
            "needs_target": [t for t in needs_target if t.focus_area_id == area.pk],
        }
        for area in budget_year.focus_areas.all()
    ]
    years = BudgetYear.objects.filter(organisation=organisation).values_list("year", flat=True)
    return render(
        request,
        "goals/budgetyear_detail.html",
        {
            "budget_year": budget_year,
            "areas": areas,
            "at": at,
            "years": list(years),
            "needs_target": needs_target,
            # A finished period has its result and no forecast: the column goes when all have.
            "forecasts": any(not c.result.final for _t, c in pairs if c is not None),
            "can_manage": has_capability(request.user, Capability.MANAGE),
        },
    )


@require(Capability.MANAGE)
@require_POST
def year_publish(request, year: int):
    """Publish a year on the public goals page, or withdraw it (audited as a change)."""
    organisation = _organisation_or_403(request)
    budget_year = get_object_or_404(BudgetYear, organisation=organisation, year=year)
    publish = request.POST.get("publish") == "1"
    if publish and budget_year.published_at is None:
        budget_year.published_at = timezone.now()
        budget_year.save(update_fields=["published_at"])
        messages.success(
            request,
            _("The goals for %(year)s are published: anyone can read them without logging in.")
            % {"year": year},
        )
    elif not publish and budget_year.published_at is not None:
        budget_year.published_at = None
        budget_year.save(update_fields=["published_at"])
        messages.success(
            request, _("The goals for %(year)s are no longer public.") % {"year": year}
        )
    return redirect("goals:year_detail", year=year)


def public_index(request, organisation_id: int):
    """The latest published year of an organisation, for anyone."""
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    years = public.published_years(organisation)
    if not years:
        raise Http404
    return redirect("goals:public_year", organisation_id=organisation.pk, year=years[0])


def public_year(request, organisation_id: int, year: int):
    """How the libraries are doing on a published year: anonymous, 404 until published."""
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    budget_year = get_object_or_404(
        BudgetYear.objects.select_related("organisation"),
        organisation=organisation,
        year=year,
        published_at__isnull=False,
    )
    at = reporting.default_reference_date(year)
    key = public.cache_key(budget_year, language=translation.get_language() or "da", at=at)
    report = cache.get(key)
    if report is None:
        report = public.public_year(budget_year, at=at)
        cache.set(key, report, public.CACHE_SECONDS)
    return render(
        request,
        "goals/public_year.html",
        {
            "public_org": organisation,
            "report": report,
            "years": public.published_years(organisation),
        },
    )


def _target(request, year: int, pk: int) -> Target:
    organisation = _organisation_or_403(request)
    return get_object_or_404(
        Target.objects.select_related("focus_area__budget_year__organisation"),
        pk=pk,
        focus_area__budget_year__organisation=organisation,
        focus_area__budget_year__year=year,
    )


@require(Capability.VIEW)
def target_detail(request, year: int, pk: int):
    target = _target(request, year, pk)
    at = reporting.reference_date(request.GET.get("at", ""), year)
    computed = reporting.compute_target_progress(target, at=at)
    return render(
        request,
        "goals/target_detail.html",
        {
            "target": target,
            "computed": computed,
            "chart": progress_chart(computed),
            "at": at,
            "year": year,
            "can_manage": has_capability(request.user, Capability.MANAGE),
            "held_out": reporting.held_out(target),
        },
    )


@require(Capability.MANAGE)
def target_edit(request, year: int, pk: int):
    target = _target(request, year, pk)
    organisation = organisation_of(request.user)
    form = TargetForm(request.POST or None, instance=target, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The target is saved."))
        return redirect("goals:target_detail", year=year, pk=target.pk)
    return render(request, "goals/target_form.html", {"form": form, "target": target, "year": year})


@require(Capability.MANAGE)
def focusarea_edit(request, year: int, pk: int):
    organisation = _organisation_or_403(request)
    area = get_object_or_404(
        FocusArea, pk=pk, budget_year__organisation=organisation, budget_year__year=year
    )
    form = FocusAreaCommentForm(request.POST or None, instance=area)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The comment is saved."))
        return redirect("goals:year_detail", year=year)
    return render(request, "goals/focusarea_form.html", {"form": form, "area": area, "year": year})


@require(Capability.MANAGE)
def document_import(request):
    organisation = _organisation_or_403(request)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, organisation)
    if request.method == "POST" and "reread" in request.POST:
        return _reread(request, organisation)
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["document"]
        return _import(
            request,
            organisation,
            upload.read(),
            upload.name,
            form.cleaned_data["year"],
            form=form,
        )
    return render(request, "goals/document_import.html", {"form": form})


def _kept_file(request, confirm):
    """The file a preview kept on the server, or None when it is gone (expired, or saved)."""
    if not confirm.is_valid():
        raise Http404
    return uploads.peek(request, confirm.cleaned_data["token"])


def _reread(request, organisation):
    """The preview again, from another section of the same budget book."""
    confirm = DocumentConfirmForm(request.POST)
    kept = _kept_file(request, confirm)
    if kept is None:
        messages.warning(request, _("The preview is no longer there: choose the file again."))
        return redirect("goals:document_import")
    data, filename = kept
    return _import(
        request,
        organisation,
        data,
        filename,
        confirm.cleaned_data["year"],
        section=confirm.cleaned_data["section"] or None,
        token=confirm.cleaned_data["token"],
    )


def _section_form(token, year, sections, chosen):
    """The choice of another section, when the document has more than one."""
    if len(sections) < 2:
        return None
    return SectionForm(
        initial={"token": token, "year": year, "section": chosen.title if chosen else ""},
        sections=sections,
    )


def _import(request, organisation, data, filename, year, *, section=None, token=None, form=None):
    """The review page of a file: what each sentence was read as, nothing saved yet. The file
    waits on the server under ``token`` (kept from an earlier preview, or stashed now)."""
    try:
        result = importers.get("goals").preview(
            upload=Upload.from_bytes(data, filename),
            organisation=organisation,
            user=request.user,
            year=year,
            section=section,
        )
    except ImportRejected as error:  # a BudgetImportError, or a file that is no text at all
        problems = error.problems if isinstance(error, BudgetImportError) else error.errors
        sections = getattr(error, "sections", [])
        if sections:
            token = token or uploads.stash(request, data, filename)
        return render(
            request,
            "goals/document_import.html",
            {
                "form": form or DocumentUploadForm(),
                "problems": [str(p) for p in problems],
                "filename": filename,
                "section_form": _section_form(token, year, sections, None) if sections else None,
            },
            status=400,
        )
    token = token or uploads.stash(request, data, filename)
    chosen = result.section.title if result.section else ""
    confirm = DocumentConfirmForm(initial={"token": token, "year": year, "section": chosen})
    proposals, left_out = _proposals(result), _left_out(result)
    formset = ReviewFormSet(
        prefix="review",
        initial=[
            _initial(organisation, i, p, left_out=i in left_out)
            for i, (_y, p, kept) in proposals.items()
            if not kept
        ],
        form_kwargs={"organisation": organisation, "proposals": proposals},
    )
    context = _review_context(result, confirm, formset)
    context["section_form"] = _section_form(token, year, result.sections, result.section)
    return render(request, "goals/document_import.html", context)


def _confirm(request, organisation):
    """Save a reviewed preview: every sentence's card valid, or nothing is saved and the page
    comes back with the errors, the kept file still there to save it after correcting."""
    confirm = DocumentConfirmForm(request.POST)
    kept = _kept_file(request, confirm)
    if kept is None:
        messages.warning(request, _("The preview is no longer there: choose the file again."))
        return redirect("goals:document_import")
    token, year = confirm.cleaned_data["token"], confirm.cleaned_data["year"]
    section = confirm.cleaned_data["section"] or None
    data, filename = kept
    importer = importers.get("goals")
    try:
        preview = importer.preview(
            upload=Upload.from_bytes(data, filename),
            organisation=organisation,
            user=request.user,
            year=year,
            section=section,
        )
    except ImportRejected:
        return _import(request, organisation, data, filename, year, section=section, token=token)
    proposals = _proposals(preview)
    formset = ReviewFormSet(
        request.POST,
        prefix="review",
        form_kwargs={"organisation": organisation, "proposals": proposals},
    )
    if not formset.is_valid():
        context = _review_context(preview, confirm, formset)
        context["section_form"] = _section_form(token, year, preview.sections, preview.section)
        return render(request, "goals/document_import.html", context, status=400)
    reviewed = {f.cleaned_data["index"]: f.reviewed() for f in formset}
    result = importer.apply(
        upload=Upload.from_bytes(data, filename),
        organisation=organisation,
        user=request.user,
        year=year,
        section=section,
        reviewed=reviewed,
    )
    uploads.forget(request, token)  # only now: the file was needed until the save
    messages.success(request, result.summary())
    return redirect("goals:year_detail", year=result.documents[0].year)


def _proposals(result) -> dict:
    """Every proposed target of a preview by its place (as ``import_budget_document``'s
    ``reviewed`` counts them): (budget year, proposal, whether its sentence keeps its targets)."""
    found, place = {}, 0
    for document in result.documents:
        for area in document.focus_areas:
            for proposal in area.targets:
                found[place] = (document.year, proposal, proposal.source_text in area.kept)
                place += 1
    return found


def _left_out(result) -> set[int]:
    """The places of the sentences a manager left out when this document was imported before:
    offered again on the review page, left out unless unticked."""
    found, place = set(), 0
    for document in result.documents:
        for area in document.focus_areas:
            for proposal in area.targets:
                if proposal.source_text in area.left_out:
                    found.add(place)
                place += 1
    return found


def _initial(organisation, index: int, proposal, *, left_out: bool = False) -> dict:
    branches = []
    if proposal.scope == Target.Scope.BRANCHES:
        branches = [b.pk for b in scope_branches(organisation, proposal.scope_text)]
    return {
        "index": index,
        "leave_out": left_out,
        "kind": proposal.kind,
        "indicator": proposal.indicator,
        "threshold": proposal.threshold,
        "percent": proposal.percent,
        "baseline_year": proposal.baseline_year,
        "period_start": proposal.period_start,
        "period_end": proposal.period_end,
        "branches": branches,
    }


def _review_context(result, confirm, formset) -> dict:
    """The review page: per budget year and focus area, a card per measurable sentence, the
    sentences read as qualitative in their own list, and those that keep their targets."""
    by_place = {form.proposal_index: form for form in formset if form.proposal is not None}
    documents, place = [], 0
    for document in result.documents:
        areas = []
        for area in document.focus_areas:
            group = {"title": area.texts["title"], "measurable": [], "qualitative": [], "kept": []}
            for proposal in area.targets:
                form = by_place.get(place)
                if proposal.source_text in area.kept or form is None:
                    group["kept"].append(proposal)
                elif proposal.is_qualitative:
                    group["qualitative"].append(form)
                else:
                    group["measurable"].append(form)
                place += 1
            areas.append(group)
        documents.append({"year": document.year, "unchanged": document.unchanged, "areas": areas})
    return {
        "preview": result,
        "confirm": confirm,
        "formset": formset,
        "review": documents,
    }
