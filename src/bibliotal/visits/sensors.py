"""The people-counter sensors as a manager sees them: where each one counts, by which rule,
when it last counted, and the change of its library, rule or use, with the daily visits that
follow.

A sensor's daily visits carry its library and its rule (``visits.cleaning``): a change of
either works them out again from the readings, so that the figures of both libraries follow at
once. Taking a sensor out of use ends its period today; its days after that go, and putting it
back in use derives them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from bibliotal.visits.cleaning import derive_days
from bibliotal.visits.models import CounterReading, DailyVisits, HeldHour, Sensor

SILENT_AFTER_DAYS = 3  # a sensor in use without a reading for this many days is called silent


@dataclass(frozen=True)
class SensorState:
    """One row of the sensors page."""

    sensor: Sensor
    last_reading: datetime | None  # the end of its latest interval
    in_use: bool
    silent_days: int | None  # days since its last reading, when it is in use and silent

    @property
    def status(self) -> str:
        """ "retired", "never", "silent" or "counting"."""
        if not self.in_use:
            return "retired"
        if self.last_reading is None:
            return "never"
        return "silent" if self.silent_days is not None else "counting"


def in_use(sensor: Sensor, today: date) -> bool:
    """Whether a sensor counts on from today: its period has begun and does not end today (a
    sensor taken out of use today keeps today's readings, and is out of use)."""
    return (sensor.active_from is None or sensor.active_from <= today) and (
        sensor.active_to is None or today < sensor.active_to
    )


def sensor_states(*, organisation, today: date | None = None) -> list[SensorState]:
    """The organisation's sensors by library and name, each with its latest reading (one
    indexed look-up per sensor, inside one query) and whether it has gone silent."""
    today = today or timezone.localdate()
    latest = CounterReading.objects.filter(sensor=OuterRef("pk")).order_by("-starts_at")
    sensors = (
        Sensor.objects.filter(organisation=organisation)
        .select_related("branch")
        .annotate(last_reading=Subquery(latest.values("ends_at")[:1]))
        .order_by("branch__name", "name")
    )
    states = []
    for sensor in sensors:
        used = in_use(sensor, today)
        silent = None
        if used and sensor.last_reading is not None:
            days = (today - timezone.localtime(sensor.last_reading).date()).days
            silent = days if days >= SILENT_AFTER_DAYS else None
        states.append(SensorState(sensor, sensor.last_reading, used, silent))
    return states


def update_sensor(
    *, sensor: Sensor, branch, entrance: str, rule: str, use: bool, today: date | None = None
) -> int:
    """Save a manager's change of a sensor (audited, as every save of a sensor is) and work its
    daily visits out again where the change moves them: another library or rule, or a period of
    use that ends or goes on again. Returns the days worked out again."""
    today = today or timezone.localdate()
    before = Sensor.objects.get(pk=sensor.pk)
    sensor.branch, sensor.entrance, sensor.rule = branch, entrance, rule
    if use and not in_use(sensor, today):
        if sensor.active_to is not None and sensor.active_to <= today:
            sensor.active_to = None
        if sensor.active_from is not None and sensor.active_from > today:
            sensor.active_from = None
    elif not use and in_use(sensor, today):
        sensor.active_to = today
    moved = (before.branch_id, before.rule, before.active_from, before.active_to) != (
        sensor.branch_id,
        sensor.rule,
        sensor.active_from,
        sensor.active_to,
    )
    with transaction.atomic():
        sensor.save()
        if not moved:
            return 0
        HeldHour.objects.filter(sensor=sensor).update(branch=sensor.branch)
        outside = Q()
        if sensor.active_from is not None:
            outside |= Q(day__lt=sensor.active_from)
        if sensor.active_to is not None:
            outside |= Q(day__gt=sensor.active_to)
        if outside:
            DailyVisits.objects.filter(sensor=sensor).filter(outside).delete()
        return derive_days(sensor=sensor)


__all__ = ["SILENT_AFTER_DAYS", "SensorState", "sensor_states", "update_sensor"]
