"""/api/v1/goals: where each target of a budget year stands."""

from __future__ import annotations

from datetime import date

from ninja import Field, Path, Query, Router, Schema

from bibliotal.api.auth import require
from bibliotal.api.schemas import Day
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
