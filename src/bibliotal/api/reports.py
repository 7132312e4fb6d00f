"""/api/v1/reports: the goal follow-up and the statistics for Danmarks Statistik as files."""

from __future__ import annotations

from datetime import date
from typing import Literal

from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from bibliotal.api.auth import require
from bibliotal.core.permissions import Capability, organisation_of
from bibliotal.reports.services import make_report
from bibliotal.reports.statistics import make_statistics

router = Router(tags=["reports"])


class ReportQuery(Schema):
    format: Literal["pdf", "docx", "xlsx", "csv"] = "pdf"
    at: date | None = Field(
        None,
        description="Figures per this date (default: today, or the last day of a past year); "
        "before the year's end the report gives forecasts.",
    )
    lang: Literal["da", "en"] = "da"


class StatisticsQuery(Schema):
    format: Literal["csv", "xlsx"] = "csv"
    lang: Literal["da", "en"] = "da"


def _organisation(request):
    require(request, Capability.VIEW)
    organisation = organisation_of(request.user)
    if organisation is None:
        raise HttpError(403, "Your account belongs to no organisation.")
    return organisation


@router.get(
    "/reports/{year}",
    response={200: None},
    summary="The goal follow-up (målopfølgning) of a budget year as PDF, DOCX, XLSX or CSV",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, named maalopfoelgning-<organisation>-<year>-<date>.",
                "content": {
                    "application/pdf": {},
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                    "text/csv": {},
                },
            }
        }
    },
)
def report(request, query: Query[ReportQuery], year: int = Path(..., ge=2000, le=2100)):
    organisation = _organisation(request)
    if query.at is not None and not 2000 <= query.at.year <= 2100:
        raise HttpError(422, "at must be a date between 2000 and 2100.")
    return (
        make_report(
            organisation=organisation,
            year=year,
            format=query.format,
            at=query.at,
            language=query.lang,
        )
    ).download()


@router.get(
    "/reports/{year}/statistics",
    response={200: None},
    summary="The year's figures as Danmarks Statistik's concepts (ISO 2789), CSV or XLSX",
)
def statistics(request, query: Query[StatisticsQuery], year: int = Path(..., ge=2000, le=2100)):
    return (
        make_statistics(
            organisation=_organisation(request),
            year=year,
            format=query.format,
            language=query.lang,
        )
    ).download()
