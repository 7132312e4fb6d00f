"""Registering guidance: taps, queued taps from a device that was offline, and typed totals."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bibliotal.core import audit
from bibliotal.core.models import ServicePoint
from bibliotal.core.permissions import can_register_at
from bibliotal.guidance.models import DEFAULT_TOPICS, GuidanceRecord, GuidanceTopic, KioskDevice

UNDO_WINDOW = timedelta(minutes=2)
FUTURE_TOLERANCE = timedelta(minutes=5)  # device clocks drift
MAX_AGE_DAYS = 400  # a queued tap or a back-dated total may be old, but not from long ago
MAX_TAP_COUNT = 1
LARGE_TOTAL = 300  # a typed total above this for one day needs a confirmation


def ensure_default_topics(*, organisation) -> list[GuidanceTopic]:
    for position, (name, counts, dst) in enumerate(DEFAULT_TOPICS):
        GuidanceTopic.objects.get_or_create(
            organisation=organisation,
            name=name,
            defaults={
                "counts_toward_goal": counts,
                "dst_user_education": dst,
                "position": position,
            },
        )
    return list(GuidanceTopic.objects.filter(organisation=organisation, active=True))


@dataclass
class TapInput:
    key: str
    service_point_id: int
    topic_id: int
    channel: str = GuidanceRecord.Channel.IN_PERSON
    at: datetime | None = None
    count: int = 1
    child: bool | None = None
    duration: str = ""
    effort: int | None = None


@dataclass
class ItemError:
    key: str
    field: str
    message: str


class GuidanceInputError(ValueError):
    def __init__(self, errors: list[ItemError]):
        super().__init__("; ".join(f"{e.key}: {e.field}: {e.message}" for e in errors))
        self.errors = errors


@dataclass
class RegisterResult:
    stored: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    service_points: dict[int, ServicePoint] = field(default_factory=dict)


def _allowed(service_point: ServicePoint, *, user, device) -> bool:
    if device is not None:
        return device.is_active and device.service_point_id == service_point.pk
    return user is not None and can_register_at(user, service_point.branch)


def register_taps(
    *,
    items: list[TapInput],
    user=None,
    device: KioskDevice | None = None,
    source: str = GuidanceRecord.Source.TAP,
    now: datetime | None = None,
    max_count: int = MAX_TAP_COUNT,
) -> RegisterResult:
    """Validate every item, then store the new ones in one transaction; a key is stored once."""
    now = now or timezone.now()
    errors: list[ItemError] = []
    service_points = {
        sp.pk: sp
        for sp in ServicePoint.objects.select_related("branch__organisation").filter(
            pk__in={i.service_point_id for i in items}
        )
    }
    topics = {t.pk: t for t in GuidanceTopic.objects.filter(pk__in={i.topic_id for i in items})}
    seen: set[str] = set()
    rows: list[GuidanceRecord] = []
    for item in items:

        def fail(field_name, message, key=item.key):
            errors.append(ItemError(key, field_name, message))

        if not item.key or len(item.key) > 80:
            fail("key", _("A key of 1 to 80 characters is required."))
            continue
        if item.key in seen:
            continue  # the same tap twice in one batch counts once
        seen.add(item.key)
        service_point = service_points.get(item.service_point_id)
        if service_point is None or not service_point.active:
            fail(
                "service_point",
                _("No active service point %(id)s.") % {"id": item.service_point_id},
            )
            continue
        if not _allowed(service_point, user=user, device=device):
            fail(
                "service_point", _("You may not register at %(place)s.") % {"place": service_point}
            )
            continue
        topic = topics.get(item.topic_id)
        if topic is None or topic.organisation_id != service_point.branch.organisation_id:
            fail("topic", _("No topic %(id)s in this organisation.") % {"id": item.topic_id})
            continue
        if item.channel not in GuidanceRecord.Channel.values:
            fail("channel", _("Unknown channel %(value)r.") % {"value": item.channel})
            continue
        if item.duration and item.duration not in GuidanceRecord.Duration.values:
            fail("duration", _("Unknown duration %(value)r.") % {"value": item.duration})
            continue
        if item.effort is not None and not 1 <= item.effort <= 6:
            fail("effort", _("The READ scale runs from 1 to 6."))
            continue
        if not 1 <= item.count <= max_count:
            fail("count", _("The count must be between 1 and %(max)d.") % {"max": max_count})
            continue
        at = item.at or now
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        if at > now + FUTURE_TOLERANCE:
            fail("at", _("%(time)s lies in the future.") % {"time": at.isoformat()})
            continue
        if at < now - timedelta(days=MAX_AGE_DAYS):
            fail(
                "at",
                _("%(time)s is more than %(days)d days ago.")
                % {"time": at.isoformat(), "days": MAX_AGE_DAYS},
            )
            continue
        rows.append(
            GuidanceRecord(
                branch_id=service_point.branch_id,
                service_point=service_point,
                topic=topic,
                channel=item.channel,
                occurred_at=at,
                day=timezone.localtime(at).date(),
                duration=item.duration,
                effort=item.effort,
                child=item.child,
                count=item.count,
                source=source,
                registered_by=user if device is None else None,
                device=device,
                idempotency_key=item.key,
                created_at=now,
            )
        )
    if errors:
        raise GuidanceInputError(errors)
    keys = [row.idempotency_key for row in rows]
    result = RegisterResult()
    with transaction.atomic():
        existing = set(
            GuidanceRecord.objects.filter(idempotency_key__in=keys).values_list(
                "idempotency_key", flat=True
            )
        )
        new = [row for row in rows if row.idempotency_key not in existing]
        # ignore_conflicts: a retry racing its own first attempt is stored once all the same.
        GuidanceRecord.objects.bulk_create(new, ignore_conflicts=True)
        if device is not None:
            KioskDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
    result.service_points = service_points
    result.stored = [row.idempotency_key for row in new]
    result.duplicates = [k for k in keys if k in existing]
    return result


class UndoError(ValueError):
    pass


def undo_tap(
    *, key: str, user=None, device: KioskDevice | None = None, now: datetime | None = None
) -> GuidanceRecord:
    """Undo a tap within two minutes, by whoever made it. Audited."""
    now = now or timezone.now()
    with transaction.atomic():
        record = (
            GuidanceRecord.objects.select_for_update()
            .select_related("branch", "service_point", "topic")
            .filter(idempotency_key=key)
            .first()
        )
        if record is None:
            raise UndoError(_("There is no tap with this key."))
        same_maker = (
            (record.device_id == device.pk)
            if device is not None
            else (user is not None and record.registered_by_id == user.pk)
        )
        if not same_maker:
            raise UndoError(_("Only whoever made a tap can undo it."))
        if record.undone_at is not None:
            return record
        if now - record.created_at > UNDO_WINDOW:
            raise UndoError(_("A tap can be undone for two minutes only."))
        record.undone_at = now
        record.save(update_fields=["undone_at"])
        audit.record(
            action="update",
            instance=record,
            organisation_id=record.branch.organisation_id,
            changes={"undone_at": [None, now.isoformat()]},
            note="undo",
        )
    return record


def register_typed_total(
    *, user, service_point: ServicePoint, topic: GuidanceTopic, channel: str, day: date, count: int
) -> GuidanceRecord:
    """Totals typed afterwards for a day (from paper on a busy day). Audited."""
    at = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=12))
    result = register_taps(
        items=[
            TapInput(
                key=f"typed-{uuid.uuid4()}",
                service_point_id=service_point.pk,
                topic_id=topic.pk,
                channel=channel,
                at=at,
                count=count,
            )
        ],
        user=user,
        source=GuidanceRecord.Source.TYPED,
        now=max(timezone.now(), at),
        max_count=100_000,
    )
    record = GuidanceRecord.objects.get(idempotency_key=result.stored[0])
    audit.record(
        action="create",
        instance=record,
        organisation_id=service_point.branch.organisation_id,
        changes={
            "count": [None, count],
            "day": [None, day.isoformat()],
            "topic": [None, topic.name],
        },
    )
    return record


def today_counts(*, service_point: ServicePoint, day: date) -> dict[int, int]:
    rows = (
        GuidanceRecord.objects.counted()
        .filter(service_point=service_point, day=day)
        .values("topic_id")
        .annotate(total=Sum("count"))
    )
    return {row["topic_id"]: row["total"] for row in rows}
