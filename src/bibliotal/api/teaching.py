"""/api/v1/teaching: courses, bookings and sessions taught."""

from __future__ import annotations

from datetime import date, time

from django.db import transaction
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from bibliotal.api.auth import require
from bibliotal.api.schemas import Day, Id, Period, Problem
from bibliotal.core.models import Branch
from bibliotal.core.permissions import Capability, organisation_of
from bibliotal.teaching.models import Booking, Course, GradeLevel, Institution, TeachingSession

router = Router(tags=["teaching"])


class CourseOut(Schema):
    id: int
    title: str
    slug: str
    theme: str
    grade_levels: list[str]
    duration_minutes: int
    sessions: int
    place: str
    branch_id: int | None
    capacity: int
    published: bool


class BookingOut(Schema):
    id: int
    course_id: int
    school: str = Field(..., alias="school_name")
    class_name: str
    grade: str
    expected_pupils: int
    status: str
    scheduled_at: str | None = None

    @staticmethod
    def resolve_scheduled_at(obj):
        return obj.scheduled_at.isoformat() if obj.scheduled_at else None


class SessionIn(Schema):
    course_id: Id | None = None
    booking_id: Id | None = None
    day: Day
    start_time: time | None = None
    branch_id: Id
    institution_id: Id | None = None
    class_name: str = Field("", max_length=40)
    grade: str = Field(..., max_length=10)
    theme: str = Field(..., max_length=20)
    place: str = Field("library", max_length=10)
    pupils_present: int = Field(..., ge=0, le=500)
    teachers_present: int = Field(1, ge=0, le=50)

    @field_validator("start_time")
    @classmethod
    def local_time_of_day(cls, value: time | None) -> time | None:
        # A session starts at the library's own clock: "10:00", not "10:00+02:00" (which SQLite
        # could not store and PostgreSQL would cut to 10:00 without a word).
        if value is not None and value.tzinfo is not None:
            raise ValueError("a time of day without a time zone (HH:MM), on the library's clock")
        return value


class SessionOut(Schema):
    id: int
    course_id: int | None
    booking_id: int | None
    day: date
    branch_id: int
    place: str
    institution_id: int | None
    class_name: str
    grade: str
    theme: str
    pupils_present: int
    teachers_present: int


@router.get("/teaching/courses", response=list[CourseOut], summary="The course catalogue")
def list_courses(request):
    require(request, Capability.VIEW)
    return list(Course.objects.filter(organisation=organisation_of(request.user)))


@router.get("/teaching/bookings", response=list[BookingOut], summary="Bookings (coordinators)")
def list_bookings(request, status: str | None = None):
    require(request, Capability.COORDINATE)
    bookings = Booking.objects.filter(course__organisation=organisation_of(request.user))
    if status:
        bookings = bookings.filter(status=status)
    return list(bookings.select_related("institution")[:1000])


@router.get("/teaching/sessions", response=list[SessionOut], summary="Sessions taught")
def list_sessions(request, period: Query[Period]):
    require(request, Capability.COORDINATE)
    return list(
        TeachingSession.objects.filter(
            branch__organisation=organisation_of(request.user),
            day__gte=period.from_,
            day__lte=period.to,
        )
    )


@router.post(
    "/teaching/sessions",
    response={201: SessionOut, 422: Problem},
    summary="Register a session taught",
)
def create_session(request, payload: SessionIn):
    require(request, Capability.COORDINATE)
    organisation = organisation_of(request.user)
    checks = [
        (
            Branch.objects.filter(pk=payload.branch_id, organisation=organisation).exists(),
            "branch_id is not a library of your organisation.",
        ),
        (
            payload.course_id is None
            or Course.objects.filter(pk=payload.course_id, organisation=organisation).exists(),
            "course_id is not a course of your organisation.",
        ),
        (
            payload.institution_id is None
            or Institution.objects.filter(
                pk=payload.institution_id, organisation=organisation
            ).exists(),
            "institution_id is not a school of your organisation.",
        ),
        (
            payload.booking_id is None
            or Booking.objects.filter(
                pk=payload.booking_id, course__organisation=organisation
            ).exists(),
            "booking_id is not a booking of your organisation.",
        ),
        (payload.grade in GradeLevel.values, f"grade {payload.grade!r} is not a grade level."),
        (payload.theme in Course.Theme.values, f"theme {payload.theme!r} is not a theme."),
        (payload.place in Course.Place.values, f"place {payload.place!r} is not a place."),
        (payload.day <= date.today(), "day lies in the future."),
    ]
    for ok, message in checks:
        if not ok:
            return Status(422, {"detail": message})
    with transaction.atomic():
        session = TeachingSession.objects.create(registered_by=request.user, **payload.model_dump())
    return Status(201, session)
