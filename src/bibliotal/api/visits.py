"""Visits over the API: counter files in, cleaned daily visits out."""

from __future__ import annotations

from datetime import date

from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from bibliotal.api.auth import require
from bibliotal.api.imports import ImportJobOut, import_upload
from bibliotal.api.schemas import Id, Period, Problem
from bibliotal.core.importers import Upload
from bibliotal.core.models import Branch
from bibliotal.core.permissions import Capability, organisation_of
from bibliotal.visits.models import DailyVisits, Sensor

router = Router(tags=["visits"])

MAX_DAYS = 400


class CounterFileOptions(Schema):
    branch_id: Id | None = Field(
        None,
        description="The library at which sensors the file names but Bibliotal lacks are made.",
    )
    rule: Sensor.Rule = Field(Sensor.Rule.HALF, description="The rule of sensors made.")
    preset: str | None = Field(
        None,
        description=(
            "The file's format: generic, axis, hella, or the name of a saved format. "
            "Recognised from the header when left out."
        ),
    )
    dry_run: bool = Field(False, description="Validate and report, write nothing.")


class CounterFileResult(Schema):
    already_imported: bool
    dry_run: bool
    created: int
    replaced: int
    unchanged: int
    days: int
    format: str = Field("", description="The format the file was read as.")
    flagged: dict[str, int] = Field(
        default_factory=dict, description="Days cleaning flagged, by flag (estimated, closed …)."
    )
    new_sensors: list[str]
    summary: str


class DayOut(Schema):
    day: date
    branch_id: int
    sensor: str
    count_in: int
    count_out: int
    visits: float
    rule: str
    estimated: bool
    flags: list[str]
    review: str

    @staticmethod
    def resolve_sensor(obj):
        return obj.sensor.name


class DaysPeriod(Period):
    branch_id: Id | None = None


@router.post(
    "/visits/counter-files",
    response={200: CounterFileResult, 202: ImportJobOut, 404: Problem, 413: Problem, 422: Problem},
    summary="Import a people-counter file",
    description=(
        "A CSV or Excel (.xlsx) file, in the long or the wide format, as on the import page. "
        "The whole file is validated before anything is written; the same file twice changes "
        "nothing. A rejected file answers 422 with every faulty row. A file larger than "
        "BIBLIOTAL_INLINE_IMPORT_MB is read by the worker: the answer is 202 with the import "
        "job, to follow at `GET /api/v1/imports/{id}`."
    ),
)
def import_counter(request, file: File[UploadedFile], options: Form[CounterFileOptions]):
    require(request, Capability.MANAGE)
    organisation = organisation_of(request.user)
    upload = Upload.from_file(file)
    branch = None
    if options.branch_id is not None:
        branch = Branch.objects.filter(organisation=organisation, pk=options.branch_id).first()
        if branch is None:
            return Status(404, {"detail": f"No library {options.branch_id} in your municipality."})
    chosen = {"branch": branch, "rule": options.rule, "preset": options.preset or None}

    def answer(result):
        return {
            "already_imported": result.already_imported,
            "dry_run": options.dry_run,
            "created": result.created,
            "replaced": result.replaced,
            "unchanged": result.unchanged,
            "days": result.days,
            "format": result.format,
            "flagged": result.flagged,
            "new_sensors": result.new_sensors,
            "summary": result.summary(),
        }

    return import_upload(
        request,
        kind="visits",
        upload=upload,
        organisation=organisation,
        options=chosen,
        dry_run=options.dry_run,
        answer=answer,
    )


@router.get(
    "/visits/days",
    response={200: list[DayOut], 422: Problem},
    summary="Cleaned visits per sensor and day",
    description=(
        "Each day with its rule, whether it is estimated, its cleaning flags and its review. "
        f"At most {MAX_DAYS} days at a time."
    ),
)
def list_days(request, period: Query[DaysPeriod]):
    require(request, Capability.VIEW)
    period.check(max_days=MAX_DAYS)
    days = DailyVisits.objects.filter(
        branch__organisation=organisation_of(request.user),
        day__gte=period.from_,
        day__lte=period.to,
    )
    if period.branch_id is not None:
        days = days.filter(branch_id=period.branch_id)
    return list(days.select_related("sensor").order_by("day", "branch_id", "sensor__name"))
