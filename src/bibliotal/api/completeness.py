"""/api/v1/completeness: for a year, every source of figures month by month."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from bibliotal.api.auth import require
from bibliotal.api.schemas import Problem
from bibliotal.core import sources
from bibliotal.core.completeness import YearError, overview, parse_year
from bibliotal.core.permissions import Capability, organisation_of

router = Router(tags=["completeness"])


class MonthOut(Schema):
    month: int = Field(description="1–12")
    state: str = Field(description="counted, estimated, partly, missing, not_due or none.")
    label: str = Field(description="The state in words, in the request's language.")
    estimated_share: float | None = Field(
        description="For estimated: the share of the month's figure that is estimated."
    )
    missing_days: int | None = Field(description="Due days without a figure, where known.")
    value: float | None = Field(description="The month's figure; null where nothing was counted.")
    detail: str


class SourceOut(Schema):
    key: str
    kind: str
    kind_name: str
    name: str
    library: str
    note: str
    latest_figure: date | None = Field(description="The last day with a figure, any year.")
    last_import: datetime | None
    fix_url: str = Field(description="Where a person fixes a gap.")
    missing_months: list[int] = Field(description="Months missing or partly missing.")
    months: list[MonthOut]


class CompletenessOut(Schema):
    year: int
    sources: int
    missing: int = Field(description="Sources with a month missing or partly missing.")
    summary: str
    where_figures_end: str
    latest_figure: date | None
    results: list[SourceOut]


@router.get(
    "/completeness",
    response={200: CompletenessOut, 400: Problem},
    summary="Which figures of a year are counted, estimated, missing or not yet due",
    description="One entry per source (each sensor, each e-loan and unique-users platform, "
    "event attendance, teaching, guidance per service point) with the state of every month. "
    "A missing month is never 0. `year` is four digits; anything else is answered with 400.",
)
def completeness(request, year: str):
    require(request, Capability.VIEW)
    organisation = organisation_of(request.user)
    if organisation is None:
        raise HttpError(403, "Your account belongs to no organisation.")
    try:
        chosen = parse_year(year, today=timezone.localdate())
    except YearError as error:
        raise HttpError(400, str(error)) from error
    found = overview(organisation=organisation, year=chosen, today=timezone.localdate())
    return {
        "year": found.year,
        "sources": found.summary.sources,
        "missing": found.summary.missing,
        "summary": found.sentence,
        "where_figures_end": found.where_figures_end,
        "latest_figure": found.summary.latest_figure,
        "results": [sources.report_as_dict(r) for r in found.reports],
    }
