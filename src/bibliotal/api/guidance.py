"""/api/v1/guidance: taps (one or a batch, each key stored once), undo, today's counts, summary."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from django.db.models import Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, SessionAuth

from bibliotal.api.auth import TokenAuth, require
from bibliotal.api.schemas import Day, Id, Problem
from bibliotal.core.models import ServicePoint
from bibliotal.core.permissions import Capability, can_register_at, organisation_of
from bibliotal.guidance.models import GuidanceRecord, KioskDevice
from bibliotal.guidance.services import (
    GuidanceInputError,
    TapInput,
    UndoError,
    register_taps,
    today_counts,
    undo_tap,
)

KIOSK_COOKIE = "bibliotal_kiosk"


class KioskAuth(APIKeyCookie):
    """A paired desk tablet: its key in a cookie (with Django's CSRF check, as for sessions)."""

    param_name = KIOSK_COOKIE

    def authenticate(self, request, key):
        return device_for_key(key)


def device_for_key(key: str | None) -> KioskDevice | None:
    if not key or not key.startswith(KioskDevice.PREFIX):
        return None
    return (
        KioskDevice.objects.select_related("service_point__branch")
        .filter(key_digest=KioskDevice.digest(key), revoked_at__isnull=True)
        .first()
    )


# The kiosk cookie before the session: on a paired desk tablet the device registers, even if
# someone who works elsewhere is logged in in the same browser.
router = Router(tags=["guidance"], auth=[TokenAuth(), KioskAuth(), SessionAuth()])

MAX_ID = 2**63 - 1


class TapIn(Schema):
    key: str = Field(
        ...,
        min_length=1,
        max_length=80,
        description="Unique per tap (a UUID): a tap sent twice is stored once.",
    )
    service_point: int = Field(..., ge=1, le=MAX_ID)
    topic: int = Field(..., ge=1, le=MAX_ID)
    channel: Literal["in_person", "phone", "chat"] = "in_person"
    at: datetime | None = Field(
        None, description="When it happened (default: now). Queued taps keep their original time."
    )
    child: bool | None = None
    duration: Literal["", "under_5", "5_15", "15_30", "over_30"] = ""
    effort: int | None = Field(None, ge=1, le=6, description="READ scale, 1–6.")


class BatchIn(Schema):
    items: list[TapIn] = Field(..., min_length=1, max_length=500)
    sent_at: datetime | None = Field(
        None,
        description="The device's clock when it sent the batch: taps' times are "
        "corrected by its offset.",
    )


class StoredOut(Schema):
    stored: list[str]
    duplicates: list[str]
    today: dict[int, int] = Field(
        description="Today's count per topic at the service point "
        "(when every item was for one service point)."
    )


def _actor(request):
    auth = request.auth
    if isinstance(auth, KioskDevice):
        return None, auth
    require(request, Capability.REGISTER)
    return request.user, None


@router.post(
    "/guidance",
    response={200: StoredOut, 422: Problem},
    summary="Register one tap or a batch",
    description="Every item is validated first: a refused batch stores nothing, and its 422 "
    "names each faulty item by its `key` and `field` (or, where the item does not validate as a "
    "tap, by its `location` in the batch).",
)
def post_guidance(request, payload: TapIn | BatchIn):
    user, device = _actor(request)
    items = payload.items if isinstance(payload, BatchIn) else [payload]
    offset = None
    if isinstance(payload, BatchIn) and payload.sent_at is not None:
        sent_at = payload.sent_at
        if timezone.is_naive(sent_at):
            sent_at = timezone.make_aware(sent_at)
        offset = timezone.now() - sent_at
        if abs(offset) < timedelta(minutes=1):
            offset = None  # an ordinary clock and the time on the wire
    try:
        result = register_taps(
            items=[
                TapInput(
                    key=i.key,
                    service_point_id=i.service_point,
                    topic_id=i.topic,
                    channel=i.channel,
                    at=i.at,
                    child=i.child,
                    duration=i.duration,
                    effort=i.effort,
                )
                for i in items
            ],
            user=user,
            device=device,
            clock_offset=offset,
            source=GuidanceRecord.Source.TAP
            if device or not _is_token(request)
            else GuidanceRecord.Source.API,
        )
    except GuidanceInputError as error:
        return Status(
            422,
            {
                "detail": _("Nothing was stored: every item is validated first."),
                "errors": [e.__dict__ for e in error.errors],
            },
        )
    points = {i.service_point for i in items}
    today = {}
    if len(points) == 1:
        service_point = result.service_points[points.pop()]
        today = today_counts(service_point=service_point, day=timezone.localdate())
    return {"stored": result.stored, "duplicates": result.duplicates, "today": today}


def _is_token(request) -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer ")


class UndoneOut(Schema):
    undone: str = Field(description="The key of the tap undone.")
    today: dict[int, int] | None = Field(
        description="Today's count per topic at the tap's service point; null for a tap that "
        "has not arrived yet (it will be stored as undone)."
    )


@router.post(
    "/guidance/{key}/undo",
    response={200: UndoneOut, 409: Problem},
    summary="Undo a tap (within two minutes, by its maker)",
)
def undo_guidance(request, key: str = Path(..., min_length=1, max_length=80)):
    user, device = _actor(request)
    try:
        record = undo_tap(key=key, user=user, device=device)
    except UndoError as error:
        raise HttpError(409, str(error)) from error
    if record is None:  # the tap has not arrived yet; it will be stored as undone
        return {"undone": key, "today": None}
    return {
        "undone": record.idempotency_key,
        "today": today_counts(service_point=record.service_point, day=timezone.localdate()),
    }


@router.get(
    "/guidance/today",
    response={200: dict[int, int], 404: Problem},
    summary="Today's counts per topic",
)
def guidance_today(request, service_point: Id):
    point = get_object_or_404(ServicePoint.objects.select_related("branch"), pk=service_point)
    auth = request.auth
    if isinstance(auth, KioskDevice):
        if auth.service_point_id != point.pk:
            raise HttpError(403, "This device is paired with another service point.")
    elif not can_register_at(request.user, point.branch):
        raise HttpError(403, "You may not register at this service point.")
    return today_counts(service_point=point, day=timezone.localdate())


GROUPS = {
    "day": "day",
    "branch": "branch__name",
    "service_point": "service_point__name",
    "topic": "topic__name",
    "channel": "channel",
}


class SummaryQuery(Schema):
    from_: Day = Field(..., alias="from")
    to: Day
    group_by: str = Field(
        "day", description="Comma-separated: day, branch, service_point, topic, channel."
    )
    goal_only: bool = Field(False, description="Only topics that count toward the goal.")


@router.get(
    "/guidance/summary",
    response=list[dict[str, str | int | date | None]],
    summary="Guidance counts grouped (managers)",
    description="One row per group: a field for each of `group_by` (`day` a date, the others "
    "names) and `count`.",
)
def guidance_summary(request, query: Query[SummaryQuery]):
    if isinstance(request.auth, KioskDevice):
        raise HttpError(403, "A kiosk device cannot read summaries.")
    require(request, Capability.MANAGE)
    groups = [g.strip() for g in query.group_by.split(",") if g.strip()]
    unknown = [g for g in groups if g not in GROUPS]
    if unknown or not groups:
        raise HttpError(422, f"group_by takes {', '.join(GROUPS)}; got {query.group_by!r}.")
    if query.to < query.from_ or (query.to - query.from_).days > 3 * 366:
        raise HttpError(422, "'to' must be on or after 'from', at most three years later.")
    records = GuidanceRecord.objects.counted().filter(
        branch__organisation=organisation_of(request.user), day__gte=query.from_, day__lte=query.to
    )
    if query.goal_only:
        records = records.filter(topic__counts_toward_goal=True)
    fields = [GROUPS[g] for g in groups]
    rows = records.values(*fields).annotate(count=Sum("count")).order_by(*fields)
    return [{**{g: row[GROUPS[g]] for g in groups}, "count": row["count"]} for row in rows]
