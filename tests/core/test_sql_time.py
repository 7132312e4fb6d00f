"""Time arithmetic worked out in the database (``core.sqltime``) is Python's own."""

from datetime import UTC, datetime, timedelta

import pytest

from bibliotal.core.sqltime import SecondsBetween


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
