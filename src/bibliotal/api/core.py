"""/api/v1/branches: the organisation's libraries and their open days."""

from __future__ import annotations

from datetime import date

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from bibliotal.api.auth import require
from bibliotal.api.schemas import Id, Period
from bibliotal.core.models import Branch
from bibliotal.core.opening import opening_calendar
from bibliotal.core.permissions import Capability, organisation_of

router = Router(tags=["organisation"])

MAX_OPENING_DAYS = 3 * 366


class ServicePointOut(Schema):
    id: int
    name: str
    kind: str
    active: bool


class BranchOut(Schema):
    id: int
    name: str
    street: str
    postcode: str
    city: str
    area_type: str
    isil: str
    active_from: date | None
    active_to: date | None
    service_points: list[ServicePointOut]

    @staticmethod
    def resolve_service_points(obj):
        return list(obj.service_points.all())


class OpenDayOut(Schema):
    date: date
    open: bool = Field(description="Open to visitors for at least one minute, staffed or not.")
    staffed_hours: float
    self_service_hours: float
    holiday: str
    closures: list[str]


def _branches(request):
    require(request, Capability.VIEW)
    organisation = organisation_of(request.user)
    return Branch.objects.filter(organisation=organisation).prefetch_related("service_points")


@router.get("/branches", response=list[BranchOut], summary="The organisation's libraries")
def list_branches(request):
    return list(_branches(request))


@router.get("/branches/{branch_id}", response=BranchOut, summary="One library")
def get_branch(request, branch_id: Id):
    return get_object_or_404(_branches(request), pk=branch_id)


@router.get(
    "/branches/{branch_id}/opening",
    response=list[OpenDayOut],
    summary="Open days and hours of one library",
    description="One row per date from `from` to `to` inclusive (at most three years).",
)
def branch_opening(request, branch_id: Id, period: Query[Period]):
    branch = get_object_or_404(_branches(request).select_related("organisation"), pk=branch_id)
    period.check(max_days=MAX_OPENING_DAYS)
    from_, to = period.from_, period.to
    days = opening_calendar(branches=[branch], start=from_, end=to)[branch.pk]
    return [
        OpenDayOut(
            date=d.day,
            open=d.is_open,
            staffed_hours=d.staffed_hours,
            self_service_hours=d.self_service_hours,
            holiday=d.holiday,
            closures=list(d.closures),
        )
        for d in days.values()
    ]
