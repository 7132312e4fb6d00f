"""The heat map's key names in words how many visits each colour stands for."""

from datetime import date, datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone

from bibliotal.visits.heatmap import weekday_hour
from bibliotal.visits.models import CounterReading, Sensor


def counts(world, per_hour: list[int]) -> None:
    gate = Sensor.objects.create(
        organisation=world.organisation, branch=world.north, name="Nord-1", rule="in"
    )
    for hour, count in enumerate(per_hour):
        starts = timezone.make_aware(datetime.combine(date(2021, 9, 7), time(10 + hour)))
        CounterReading.objects.create(
            sensor=gate,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            count_in=count,
            count_out=count,
        )


def test_each_colour_stands_for_the_hours_that_round_to_its_fifth_of_the_busiest(world):
    counts(world, [5, 11, 13, 40])
    heat = weekday_hour(branch_ids=[world.north.pk], start=date(2021, 1, 1), end=date(2021, 12, 31))
    steps = [(step.level, step.low, step.high) for step in heat.legend()]
    assert steps == [(1, 0, 12), (2, 12, 20), (3, 20, 28), (4, 28, 36), (5, 36, 40)]
    levels = {cell.visits: cell.level for cell in heat.rows[1].cells}
    assert levels == {5: 1, 11: 1, 13: 2, 40: 5}  # each hour in the step its key names


def test_the_overview_shows_the_key_in_words_beside_the_colours(client, world):
    counts(world, [5, 40])
    client.cookies["django_language"] = "en"
    client.force_login(world.staff)
    page = client.get(reverse("visits:overview"), {"year": 2021}).content.decode()
    assert '<p id="heat-legend-title">The colours: average visits in the hour</p>' in page
    assert '<ul aria-labelledby="heat-legend-title">' in page
    assert '<li class="heat-0">0 or – (no counts)</li>' in page
    assert '<li class="heat-1">up to 12</li>' in page
    assert '<li class="heat-5">36–40</li>' in page
