"""/api/v1/goals: goal documents in, and where each target of a budget year stands."""

from __future__ import annotations

from datetime import date

from ninja import Field, File, Form, Path, Query, Router, Schema
from ninja.files import UploadedFile

from bibliotal.api.auth import require
from bibliotal.api.imports import ImportJobOut, import_upload
from bibliotal.api.schemas import Day, Problem
from bibliotal.core.importers import Upload
from bibliotal.core.permissions import Capability, organisation_of
from bibliotal.goals.reporting import status_rows

router = Router(tags=["goals"])


class StatusQuery(Schema):
    at: Day | None = Field(
        None, description="Reference date (default: today, or the last day of a past year)."
    )


class TargetStatusOut(Schema):
    id: int
    focus_area: str
    indicator: str
    indicator_name: str
    kind: str
    threshold: float | None
    percent: float | None
    baseline_year: int | None
    normalisation: str
    measure: str
    period_start: date
    period_end: date
    at: date
    data_through: date | None = Field(
        description="The last day with figures, where earlier than the reference date."
    )
    actual: float | None
    baseline: float | None = Field(description="The baseline year to the same day.")
    baseline_full: float | None = Field(description="The baseline year's whole period.")
    actual_period_start: date | None = Field(
        description="For a figure reported per period (unique users) before the whole period's "
        "figure: the first day of the period the actual covers (the period to date or the "
        "latest period reported); null otherwise."
    )
    actual_period_end: date | None = Field(description="The last day of that period.")
    actual_open_days: int | None = Field(
        description="Open days from the period's first day to the last day with figures: dates "
        "on which at least one library in scope was open to the public, staffed or "
        "self-service; null where opening hours do not matter or are not registered."
    )
    baseline_open_days: int | None = Field(
        description="The baseline year's open days on the same calendar days."
    )
    actual_per_open_day: float | None = Field(
        description="The total to date divided by actual_open_days (null on no open day)."
    )
    baseline_per_open_day: float | None = Field(
        description="The baseline year's same period divided by baseline_open_days."
    )
    target_value: float | None = Field(description="The figure to reach (or stay under).")
    progress: float | None = Field(description="actual / target_value")
    expected: float | None = Field(description="Where the target's pace puts it by now.")
    forecast: float | None
    forecast_low: float | None = Field(description="Lower end of the 80 % interval.")
    forecast_high: float | None = Field(description="Upper end of the 80 % interval.")
    status: str = Field(
        description="achieved, on_track, at_risk, off_track or no_data while the period "
        "runs; achieved or not_achieved once it is over (then forecast, forecast_low and "
        "forecast_high are null); no_data without figures, where baseline_full and target_value "
        "are given once the baseline year has figures; a manager's override where one is set."
    )
    computed_status: str
    status_override_reason: str
    notes: list[str]


@router.get(
    "/goals/{year}/status",
    response=list[TargetStatusOut],
    summary="Progress of every measurable target of a budget year",
)
def goal_status(request, query: Query[StatusQuery], year: int = Path(..., ge=2000, le=2100)):
    require(request, Capability.VIEW)
    return status_rows(organisation=organisation_of(request.user), year=year, at=query.at)


# -- goal documents in --------------------------------------------------------------------------


class GoalDocumentOptions(Schema):
    year: int | None = Field(
        None,
        ge=2000,
        le=2100,
        description="Budget year of a document without a '## Mål for budget ÅR' heading, or the "
        "year to take from a file with several.",
    )
    section: str | None = Field(
        None,
        max_length=300,
        description="The section of a budget book to read, by its heading or a part of it "
        "(e.g. 'Biblioteker'); without it the libraries' section is found. `sections` of the "
        "answer names all the document has.",
    )
    dry_run: bool = Field(False, description="Read and report, write nothing.")


class SectionOut(Schema):
    title: str
    first_page: int | None = Field(description="In a PDF: the section's first page.")
    last_page: int | None


class ProposedTargetOut(Schema):
    source_text: str = Field(description="The sentence of the document.")
    indicator: str = Field(description="Empty for a goal that needs a target.")
    kind: str
    threshold: float | None
    percent: float | None
    baseline_year: int | None
    period_start: date | None = Field(description="Null: the budget year.")
    period_end: date | None
    scope: str = Field(description="all, branches or area_type.")
    scope_text: str = Field(description="The libraries the sentence names, in its words.")
    area_type: str
    reason: str = Field(description="Why it was read so, where that is not plain.")
    kept: bool = Field(description="The sentence already had targets here; they are kept.")
    left_out: bool = Field(description="A manager left the sentence out at an earlier import.")


class FocusAreaOut(Schema):
    title: str
    service_area: str
    new: bool
    targets: list[ProposedTargetOut]


class BudgetDocumentOut(Schema):
    year: int
    unchanged: bool = Field(description="The same document was imported before; nothing changed.")
    focus_areas: list[FocusAreaOut]


class GoalDocumentResult(Schema):
    dry_run: bool
    unchanged: bool
    section: SectionOut | None = Field(description="The section the goals were read from.")
    sections: list[SectionOut] = Field(description="Every section found in a budget book.")
    documents: list[BudgetDocumentOut]
    warnings: list[str]
    summary: str


def _number(value):
    return float(value) if value is not None else None


def _document_out(result) -> dict:
    def target(proposal, area) -> dict:
        return {
            "source_text": proposal.source_text,
            "indicator": proposal.indicator,
            "kind": proposal.kind,
            "threshold": _number(proposal.threshold),
            "percent": _number(proposal.percent),
            "baseline_year": proposal.baseline_year,
            "period_start": proposal.period_start,
            "period_end": proposal.period_end,
            "scope": proposal.scope,
            "scope_text": proposal.scope_text,
            "area_type": proposal.area_type,
            "reason": str(proposal.reason or ""),
            "kept": proposal.source_text in area.kept,
            "left_out": proposal.source_text in area.left_out,
        }

    def section(found) -> dict | None:
        if found is None:
            return None
        return {"title": found.title, "first_page": found.first_page, "last_page": found.last_page}

    return {
        "dry_run": result.dry_run,
        "unchanged": result.unchanged,
        "section": section(result.section),
        "sections": [section(s) for s in result.sections],
        "documents": [
            {
                "year": document.year,
                "unchanged": document.unchanged,
                "focus_areas": [
                    {
                        "title": area.texts["title"],
                        "service_area": area.texts.get("service_area", ""),
                        "new": area.new,
                        "targets": [target(p, area) for p in area.targets],
                    }
                    for area in document.focus_areas
                ],
            }
            for document in result.documents
        ],
        "warnings": list(result.warnings),
        "summary": result.summary(),
    }


@router.post(
    "/goals/documents",
    response={200: GoalDocumentResult, 202: ImportJobOut, 413: Problem, 422: Problem},
    summary="Import a budget goal document",
    description=(
        "A goal document or a whole budget book as text, Word (.docx), PDF or a saved web page "
        "(.html), as on the import page: its focus areas, goals and the targets read from each "
        "sentence. In a budget book only the libraries' section is read, or the one named by "
        "`section`. Send `dry_run` first to see what is read; the import saves it as read "
        "(correct targets afterwards, or use the page's review step). The same file twice "
        "changes nothing; sentences that already have targets keep them. A file that is not a "
        "goal document answers 422 saying why. A file larger than BIBLIOTAL_INLINE_IMPORT_MB "
        "is read by the worker: the answer is 202 with the import job."
    ),
)
def import_goal_document(request, file: File[UploadedFile], options: Form[GoalDocumentOptions]):
    require(request, Capability.MANAGE)
    organisation = organisation_of(request.user)
    upload = Upload.from_file(file)
    chosen = {"year": options.year, "section": (options.section or "").strip() or None}
    return import_upload(
        request,
        kind="goals",
        upload=upload,
        organisation=organisation,
        options=chosen,
        dry_run=options.dry_run,
        answer=_document_out,
    )
