"""/api/v1/goals: where each target of a budget year stands."""

from __future__ import annotations

from datetime import date

from ninja import Field, Path, Query, Router, Schema

from bibliotal.api.auth import require
from bibliotal.core.permissions import Capability, organisation_of
from bibliotal.goals.reporting import status_rows

router = Router(tags=["goals"])


class StatusQuery(Schema):
    at: date | None = Field(
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
