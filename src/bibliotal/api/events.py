"""/api/v1/events: occurrences and their attendance."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from bibliotal.api.auth import require
from bibliotal.api.schemas import Count, Id, Moment, Period, Problem
from bibliotal.core.permissions import Capability, branches_for, has_capability, organisation_of
from bibliotal.events.models import EventOccurrence
from bibliotal.events.services import enter_attendance

router = Router(tags=["events"])


class OccurrenceOut(Schema):
    id: int
    series_id: int | None
    title: str
    event_type: str | None = None
    audience: str
    starts_at: datetime
    ends_at: datetime | None
    branch_id: int | None
    place: str
    organiser: str
    mode: str
    capacity: int | None
    status: str
    counted: bool
    attendance_total: int | None
    attendance_children: int | None
    attendance_online: int | None
    attendance_first_time: int | None

    @staticmethod
    def resolve_event_type(obj):
        return obj.event_type.name if obj.event_type_id else None


class AttendanceIn(Schema):
    total: int = Field(..., ge=0, le=100_000)
    children: int | None = Field(None, ge=0, le=100_000)
    online: int | None = Field(None, ge=0, le=100_000)
    first_time: int | None = Field(None, ge=0, le=100_000)


@router.get("/events/occurrences", response=list[OccurrenceOut], summary="Events in a period")
def list_occurrences(request, period: Query[Period]):
    require(request, Capability.VIEW)
    return list(
        EventOccurrence.objects.filter(
            organisation=organisation_of(request.user),
            starts_at__date__gte=period.from_,
            starts_at__date__lte=period.to,
        )
        .select_related("event_type")
        .order_by("starts_at")
    )


@router.get("/events/occurrences/{occurrence_id}", response=OccurrenceOut, summary="One event")
def get_occurrence(request, occurrence_id: Id):
    require(request, Capability.VIEW)
    return get_object_or_404(
        EventOccurrence.objects.select_related("event_type"),
        pk=occurrence_id,
        organisation=organisation_of(request.user),
    )


@router.put(
    "/events/occurrences/{occurrence_id}/attendance",
    response={200: OccurrenceOut, 403: Problem, 422: Problem},
    summary="Enter or correct the attendance of an event",
)
def put_attendance(request, occurrence_id: Id, payload: AttendanceIn):
    require(request, Capability.REGISTER)
    occurrence = get_object_or_404(
        EventOccurrence, pk=occurrence_id, organisation=organisation_of(request.user)
    )
    allowed = has_capability(request.user, Capability.COORDINATE) or (
        occurrence.branch_id is not None
        and branches_for(request.user, Capability.REGISTER).filter(pk=occurrence.branch_id).exists()
    )
    if not allowed:
        return Status(403, {"detail": "You may not enter attendance for this library."})
    if not occurrence.counted:
        return Status(
            422, {"detail": "Cancelled events and outside hirers' events take no attendance."}
        )
    try:
        occurrence = enter_attendance(
            occurrence=occurrence,
            user=request.user,
            total=payload.total,
            children=payload.children,
            online=payload.online,
            first_time=payload.first_time,
        )
    except ValidationError as error:
        return Status(
            422,
            {
                "detail": "; ".join(
                    f"{field}: {' '.join(messages)}"
                    for field, messages in error.message_dict.items()
                )
            },
        )
    return occurrence


class OccurrenceIn(Schema):
    title: str = Field(..., min_length=1, max_length=300)
    description: str = ""
    event_type: str | None = Field(None, description="The name of one of your event types.")
    audience: str = "all"
    starts_at: Moment
    ends_at: Moment | None = None
    branch_id: Id | None = None
    place: str = Field("", max_length=200)
    partners: str = Field("", max_length=300)
    organiser: str = "library"
    mode: str = "on_site"
    capacity: Count | None = None
    published: bool = True


@router.post(
    "/events/occurrences",
    response={201: OccurrenceOut, 422: Problem},
    summary="Create an event (coordinators)",
)
def create_occurrence(request, payload: OccurrenceIn):
    from bibliotal.core.models import Branch
    from bibliotal.events.models import EventType

    require(request, Capability.COORDINATE)
    organisation = organisation_of(request.user)
    data = payload.model_dump()
    type_name = data.pop("event_type")
    event_type = None
    if type_name:
        event_type = EventType.objects.filter(organisation=organisation, name=type_name).first()
        if event_type is None:
            return Status(422, {"detail": f"event_type {type_name!r} is not one of your types."})
    if (
        data["branch_id"] is not None
        and not Branch.objects.filter(pk=data["branch_id"], organisation=organisation).exists()
    ):
        return Status(422, {"detail": "branch_id is not a library of your organisation."})
    occurrence = EventOccurrence(organisation=organisation, event_type=event_type, **data)
    try:
        occurrence.full_clean()
    except ValidationError as error:
        return Status(
            422,
            {
                "detail": "; ".join(
                    f"{field}: {' '.join(messages)}"
                    for field, messages in error.message_dict.items()
                )
            },
        )
    occurrence.save()
    return Status(201, occurrence)
