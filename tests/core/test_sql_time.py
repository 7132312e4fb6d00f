"""Local dates and hours worked out in the database (``core.sqltime``) are Python's own."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from bibliotal.core.models import AuditEntry
from bibliotal.core.sqltime import (
    LocalDate,
    LocalHour,
    LocalIsoWeekday,
    LocalMinuteOfDay,
    SecondsBetween,
    offset_changes,
)


def _instants() -> list[datetime]:
    """Every 15 minutes through both of 2021's changes of the clock in Copenhagen, the turns
    of the year and a few odd seconds: where a wrong offset would show."""
    found = []
    for first in (
        datetime(2021, 3, 27, 20, tzinfo=UTC),
        datetime(2021, 10, 30, 20, tzinfo=UTC),
        datetime(2020, 12, 31, 20, tzinfo=UTC),
        datetime(2021, 12, 31, 20, tzinfo=UTC),
    ):
        found += [first + timedelta(minutes=15 * step) for step in range(8 * 4)]
    found += [datetime(2021, 3, 28, 0, 59, 59, 999999, tzinfo=UTC)]
    found += [datetime(2021, 10, 31, 0, 59, 30, 500000, tzinfo=UTC)]
    found += [datetime(2021, 7, 1, 21, 59, 59, tzinfo=UTC)]
    return found


@pytest.mark.django_db
@pytest.mark.parametrize(
    "zone",
    [
        "Europe/Copenhagen",
        "America/St_Johns",  # -3.30 in winter, -2.30 in summer
        "Asia/Kathmandu",  # +5.45, never changes
        "Australia/Lord_Howe",  # half an hour of summer time
    ],
)
def test_local_parts_in_sql_are_those_of_python_around_the_changes_of_the_clock(zone):
    instants = _instants()
    with timezone.override(zone):
        _compare(instants)


def _compare(instants):
    AuditEntry.objects.bulk_create(
        AuditEntry(at=at, action="other", model="x", object_id=str(n), object_repr="x")
        for n, at in enumerate(instants)
    )
    span = {"start": date(2021, 1, 1), "end": date(2021, 12, 31)}
    rows = (
        AuditEntry.objects.order_by("object_id")
        .annotate(
            day=LocalDate("at", **span),
            hour=LocalHour("at", **span),
            weekday=LocalIsoWeekday("at", **span),
            minute=LocalMinuteOfDay("at", **span),
        )
        .values_list("at", "day", "hour", "weekday", "minute")
    )
    assert len(rows) == len(instants)
    zone = timezone.get_current_timezone()
    for at, day, hour, weekday, minute in rows:
        local = at.astimezone(zone)
        assert (day, hour, weekday, minute) == (
            local.date(),
            local.hour,
            local.isoweekday(),
            local.hour * 60 + local.minute,
        ), at


@pytest.mark.django_db
def test_seconds_between_two_timestamps_in_sql(world):
    from bibliotal.visits.models import CounterReading, Sensor

    sensor = Sensor.objects.create(organisation=world.organisation, branch=world.north, name="S")
    start = datetime(2021, 3, 28, 0, 30, tzinfo=UTC)  # through the spring change: still an hour
    for n, length in enumerate(
        (timedelta(hours=1), timedelta(minutes=15), timedelta(hours=1, microseconds=1000))
    ):
        CounterReading.objects.create(
            sensor=sensor,
            starts_at=start + timedelta(days=n),
            ends_at=start + timedelta(days=n) + length,
            count_in=0,
            count_out=0,
        )
    lengths = (
        CounterReading.objects.order_by("starts_at")
        .annotate(length=SecondsBetween("starts_at", "ends_at"))
        .values_list("length", flat=True)
    )
    assert [float(length) for length in lengths] == [3600, 900, 3600.001]
    assert (
        CounterReading.objects.alias(length=SecondsBetween("starts_at", "ends_at"))
        .filter(length__lte=3600)
        .count()
        == 2
    )


def test_the_zone_changes_its_offset_twice_a_year_in_denmark():
    changes = offset_changes("Europe/Copenhagen", date(2021, 1, 1), date(2021, 12, 31))
    assert [(at.isoformat(), minutes) for at, minutes in changes] == [
        ("2020-12-31T00:00:00+00:00", 60),
        ("2021-03-28T01:00:00+00:00", 120),
        ("2021-10-31T01:00:00+00:00", 60),
    ]
    assert len(offset_changes("UTC", date(2021, 1, 1), date(2021, 12, 31))) == 1
