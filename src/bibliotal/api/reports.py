"""/api/v1/reports: the goal follow-up and the statistics for Danmarks Statistik as files."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from bibliotal.api.auth import require
from bibliotal.api.schemas import Day
from bibliotal.core.permissions import Capability, organisation_of
from bibliotal.reports.comparison import BY_KEY, MEASURES, areas_for, available_years, comparison
from bibliotal.reports.services import make_report
from bibliotal.reports.statistics import make_statistics

router = Router(tags=["reports"])


class ReportQuery(Schema):
    format: Literal["pdf", "docx", "xlsx", "csv"] = "pdf"
    at: Day | None = Field(
        None,
        description="Figures per this date (default: today, or the last day of a past year); "
        "before the year's end the report gives forecasts.",
    )
    lang: Literal["da", "en"] = "da"
    comparison: bool = Field(
        False,
        description="Add the section on other municipalities (Danmarks Statistik's figures per "
        "1,000 inhabitants); PDF and DOCX only.",
    )


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
            comparison=query.comparison,
        )
    ).download()


@router.get(
    "/reports/{year}/statistics",
    response={200: None},
    summary="The year's figures as Danmarks Statistik's concepts (ISO 2789), CSV or XLSX",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as CSV or XLSX.",
                "content": {
                    "text/csv": {},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                },
            }
        }
    },
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


MeasureKey = Literal[tuple(m.key for m in MEASURES)]  # type: ignore[valid-type]


class ComparisonQuery(Schema):
    measure: MeasureKey = Field("visitors", description="Which figure to compare.")  # type: ignore[valid-type]
    from_year: int | None = Field(None, ge=2000, le=2100)
    to_year: int | None = Field(None, ge=2000, le=2100)


class ComparisonRow(Schema):
    area_code: str
    area_name: str
    role: Literal["own", "peer", "country"]
    year: int
    value: float | None
    population: int | None
    per_1000: float | None = Field(description="Unrounded; null when a figure is missing.")
    note: str = Field(description="Why a figure is missing (never shown as 0).")


class ComparisonOut(Schema):
    measure: str
    label: str
    table: str
    years: list[int]
    rows: list[ComparisonRow]
    notes: list[str] = Field(
        description="About the figures as a whole, such as a population typed by hand."
    )
    source: str
    sources: list[str] = Field(
        description="Where the figures came from: the files uploaded or the API's addresses."
    )
    fetched_at: datetime | None


@router.get(
    "/comparison",
    response=ComparisonOut,
    summary="The library's municipality beside comparable ones and the whole country, per "
    "1,000 inhabitants (Danmarks Statistik)",
)
def comparison_figures(request, query: Query[ComparisonQuery]):
    organisation = _organisation(request)
    measure = BY_KEY[query.measure]
    years = None
    if query.from_year or query.to_year:
        low = query.from_year or 2000
        high = query.to_year or 2100
        if low > high:
            raise HttpError(422, "from_year must not be after to_year.")
        years = [
            y
            for y in available_years(
                measure, [a.code for a in areas_for(organisation)], organisation
            )
            if low <= y <= high
        ]
    result = comparison(organisation, measure, years)
    return {
        "measure": measure.key,
        "label": str(measure.label),
        "table": measure.table,
        "years": result.years,
        "rows": [
            {
                "area_code": c.area.code,
                "area_name": c.area.name,
                "role": c.area.role,
                "year": c.year,
                "value": float(c.value) if c.value is not None else None,
                "population": c.population,
                "per_1000": float(c.per_1000) if c.per_1000 is not None else None,
                "note": str(c.note),
            }
            for c in result.cells
        ],
        "notes": [str(n) for n in result.notes],
        "source": result.source_line,
        "sources": result.sources,
        "fetched_at": result.fetched_at,
    }
