"""Digital offers over the API: figures out, statistics files in, campaigns with their before and
after comparison."""

from __future__ import annotations

from datetime import date

from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from bibliotal.api.auth import require
from bibliotal.api.imports import ImportJobOut, import_upload
from bibliotal.api.schemas import Day, Id, Period, Problem
from bibliotal.core.importers import Upload
from bibliotal.core.models import ImportBatch
from bibliotal.core.permissions import Capability, organisation_of
from bibliotal.digital.importers import (
    BATCH_KIND,
    FORMATS,
    UndoRefused,
    undo_digital_import,
)
from bibliotal.digital.models import Campaign, DigitalFigure, Platform, ensure_platforms
from bibliotal.digital.services import compare_campaign
from bibliotal.goals import indicators as registry

router = Router(tags=["digital"])

MAX_FIGURES = 5000


class PlatformOut(Schema):
    id: int
    name: str
    kind: str
    for_children: bool
    headline: bool
    active: bool


class FigureOut(Schema):
    platform_id: int
    platform: str
    metric: str
    material: str
    age_band: str
    method: str = Field(description="For unique users: cookie or login.")
    start: date
    end: date
    period: str = Field(description="day, month, quarter, year or other.")
    value: int
    report: str = Field(description="The COUNTER Report_ID, if any.")
    item: str
    attributes: str
    provenance: str = Field(description="typed, imported or estimated.")
    estimated: bool

    @staticmethod
    def resolve_platform(obj):
        return obj.platform.name

    @staticmethod
    def resolve_provenance(obj):
        return obj.source


class FigureQuery(Period):
    platform_id: Id | None = None
    metric: str | None = Field(None, max_length=100)


class FileOptions(Schema):
    format: str | None = Field(
        None, description=f"One of {', '.join(FORMATS)}; recognised from the file when left out."
    )
    platform_id: Id | None = Field(
        None, description="The platform of a file that does not name it (Matomo, e-loans)."
    )
    dry_run: bool = Field(False, description="Validate and report, write nothing.")


class FileResult(Schema):
    already_imported: bool
    dry_run: bool
    batch_id: int | None = Field(None, description="For DELETE /digital/imports/{batch_id}.")
    format: str
    report: str
    created: int
    updated: int
    unchanged: int
    repeated: int
    platforms: list[str]
    new_platforms: list[str]
    warnings: list[str]
    summary: str


class CampaignIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    offer_id: Id | None = None
    target_group: Campaign.TargetGroup = Campaign.TargetGroup.ALL
    areas: list[Campaign.Area] = Field(default_factory=list, description="Empty: all areas.")
    channels: str = Field("", max_length=300)
    start: Day
    end: Day
    indicators: list[str] = Field(default_factory=list, description="Indicator keys.")
    description: str = ""


class CampaignComparisonOut(Schema):
    """One indicator during a campaign, beside the weeks before it and the same weeks a year
    earlier."""

    indicator: str
    name: str
    during: float | None
    before: float | None
    last_year: float | None
    change_before: float | None
    change_last_year: float | None
    windows: dict[str, list[date]]
    notes: list[str]


class CampaignOut(Schema):
    id: int
    title: str
    offer_id: int | None
    target_group: str
    areas: list[str]
    channels: str
    start: date
    end: date
    indicators: list[str]
    description: str


class CampaignDetail(CampaignOut):
    comparison: list[CampaignComparisonOut]


@router.get("/digital/platforms", response=list[PlatformOut], summary="Digital platforms")
def list_platforms(request):
    require(request, Capability.VIEW)
    organisation = organisation_of(request.user)
    ensure_platforms(organisation)
    return list(Platform.objects.filter(organisation=organisation))


@router.get(
    "/digital/figures",
    response={200: list[FigureOut], 422: Problem},
    summary="Digital figures as reported",
    description=(
        "Every figure whose period lies within from–to, with its platform, metric, material "
        "type, age band, method and provenance. Unique users are per period: never add them "
        f"up. At most {MAX_FIGURES} figures and 3 years at a time."
    ),
)
def list_figures(request, query: Query[FigureQuery]):
    require(request, Capability.VIEW)
    query.check(max_days=3 * 366)
    figures = DigitalFigure.objects.filter(
        platform__organisation=organisation_of(request.user),
        start__gte=query.from_,
        end__lte=query.to,
    )
    if query.platform_id is not None:
        figures = figures.filter(platform_id=query.platform_id)
    if query.metric:
        figures = figures.filter(metric=query.metric)
    return list(
        figures.select_related("platform").order_by("start", "platform_id", "metric")[:MAX_FIGURES]
    )


@router.post(
    "/digital/imports",
    response={200: FileResult, 202: ImportJobOut, 404: Problem, 413: Problem, 422: Problem},
    summary="Import a digital statistics file",
    description=(
        "A generic figures file, an e-loan report, a Matomo visits summary or a COUNTER "
        "Release 5 report (TSV, CSV, XLSX or JSON), as on the import page. The whole file is "
        "validated first; the same file twice changes nothing. A rejected file answers 422 "
        "with every faulty row. A file larger than BIBLIOTAL_INLINE_IMPORT_MB is read by the "
        "worker: the answer is 202 with the import job, to follow at `GET /api/v1/imports/{id}`."
    ),
)
def import_file(request, file: File[UploadedFile], options: Form[FileOptions]):
    require(request, Capability.COORDINATE)
    organisation = organisation_of(request.user)
    upload = Upload.from_file(file)
    platform = None
    if options.platform_id is not None:
        platform = Platform.objects.filter(
            organisation=organisation, pk=options.platform_id
        ).first()
        if platform is None:
            return Status(404, {"detail": f"No platform {options.platform_id}."})
    chosen = {"format": options.format or None, "platform": platform}

    def answer(result):
        return {
            "already_imported": result.already_imported,
            "dry_run": options.dry_run,
            "batch_id": result.batch_id,
            "format": result.format,
            "report": result.report,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "repeated": result.repeated,
            "platforms": result.platforms,
            "new_platforms": result.new_platforms,
            "warnings": result.warnings,
            "summary": result.summary(),
        }

    return import_upload(
        request,
        kind="digital",
        upload=upload,
        organisation=organisation,
        options=chosen,
        dry_run=options.dry_run,
        answer=answer,
    )


@router.delete(
    "/digital/imports/{batch_id}",
    response={200: Problem, 404: Problem, 409: Problem},
    summary="Undo an import",
    description=(
        "Removes the figures the import added and puts back the values it replaced; refused "
        "(409) when a later import or a typed change has touched its figures."
    ),
)
def undo_import(request, batch_id: Id):
    require(request, Capability.COORDINATE)
    batch = ImportBatch.objects.filter(
        organisation=organisation_of(request.user), kind=BATCH_KIND, pk=batch_id
    ).first()
    if batch is None:
        return Status(404, {"detail": f"No digital import {batch_id}."})
    try:
        count = undo_digital_import(batch=batch)
    except UndoRefused as refused:
        return Status(409, {"detail": str(refused)})
    return {"detail": f"Undone: {count} figures removed or restored."}


def _campaign_out(campaign: Campaign) -> dict:
    return {
        "id": campaign.pk,
        "title": campaign.title,
        "offer_id": campaign.offer_id,
        "target_group": campaign.target_group,
        "areas": campaign.areas,
        "channels": campaign.channels,
        "start": campaign.start,
        "end": campaign.end,
        "indicators": campaign.indicators,
        "description": campaign.description,
    }


@router.get("/digital/campaigns", response=list[CampaignOut], summary="Campaigns")
def list_campaigns(request):
    require(request, Capability.VIEW)
    campaigns = Campaign.objects.filter(organisation=organisation_of(request.user))
    return [_campaign_out(c) for c in campaigns]


@router.get(
    "/digital/campaigns/{campaign_id}",
    response={200: CampaignDetail, 404: Problem},
    summary="A campaign with its before and after comparison",
)
def get_campaign(request, campaign_id: Id):
    require(request, Capability.VIEW)
    campaign = Campaign.objects.filter(
        organisation=organisation_of(request.user), pk=campaign_id
    ).first()
    if campaign is None:
        return Status(404, {"detail": f"No campaign {campaign_id}."})
    comparison = [
        {
            "indicator": c.key,
            "name": c.name,
            "during": c.during,
            "before": c.before,
            "last_year": c.last_year,
            "change_before": c.change_before,
            "change_last_year": c.change_last_year,
            "windows": {name: list(span) for name, span in c.windows.items()},
            "notes": c.notes,
        }
        for c in compare_campaign(campaign)
    ]
    return {**_campaign_out(campaign), "comparison": comparison}


@router.post(
    "/digital/campaigns",
    response={201: CampaignOut, 404: Problem, 422: Problem},
    summary="Register a campaign",
)
def create_campaign(request, payload: CampaignIn):
    require(request, Capability.COORDINATE)
    organisation = organisation_of(request.user)
    if payload.end < payload.start:
        return Status(422, {"detail": "'end' must not come before 'start'."})
    known = {i.key for i in registry.all_indicators()}
    unknown = [key for key in payload.indicators if key not in known]
    if unknown:
        return Status(422, {"detail": f"Unknown indicators: {', '.join(unknown)}."})
    offer = None
    if payload.offer_id is not None:
        offer = Platform.objects.filter(organisation=organisation, pk=payload.offer_id).first()
        if offer is None:
            return Status(404, {"detail": f"No platform {payload.offer_id}."})
    campaign = Campaign.objects.create(
        organisation=organisation,
        title=payload.title,
        offer=offer,
        target_group=payload.target_group,
        areas=[str(a) for a in payload.areas],
        channels=payload.channels,
        start=payload.start,
        end=payload.end,
        indicators=payload.indicators,
        description=payload.description,
        created_by=request.user,
    )
    return Status(201, _campaign_out(campaign))
