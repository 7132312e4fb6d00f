""" "What draws people": the year it opens on, its year menu and its averages."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bibliotal.events.models import EventOccurrence, EventType
from bibliotal.goals.models import BudgetYear


def held(world, year, people, *, month=3, event_type=None):
    return EventOccurrence.objects.create(
        organisation=world.organisation,
        title=f"Arrangement {year}",
        starts_at=timezone.make_aware(datetime(year, month, 10, 19)),
        branch=world.north,
        status=EventOccurrence.Status.HELD,
        attendance_total=people,
        event_type=event_type,
    )


@pytest.fixture
def coordinator(client, world):
    client.force_login(world.coordinator)
    client.cookies["django_language"] = "da"
    return client


def report(client, **query):
    return client.get(reverse("events:report"), query)


def test_without_a_budget_year_it_opens_on_the_latest_year_with_attendance(coordinator, world):
    held(world, 2019, 10)
    held(world, 2021, 20)
    assert report(coordinator).context["year"] == 2021


def test_it_opens_on_the_current_budget_year_when_that_year_has_attendance(coordinator, world):
    BudgetYear.objects.create(organisation=world.organisation, year=2021)
    held(world, 2021, 20)
    held(world, timezone.localdate().year, 3)  # one event counted this year, without goals
    assert report(coordinator).context["year"] == 2021


def test_a_budget_year_without_attendance_gives_way_to_the_latest_year(coordinator, world):
    BudgetYear.objects.create(organisation=world.organisation, year=2022)
    held(world, 2020, 20)
    assert report(coordinator).context["year"] == 2020


def test_the_year_asked_for_wins(coordinator, world):
    BudgetYear.objects.create(organisation=world.organisation, year=2021)
    held(world, 2021, 20)
    assert report(coordinator, year="2020").context["year"] == 2020


def test_the_year_menu_holds_every_year_with_attendance_and_selects_the_shown_one(
    coordinator, world
):
    old = timezone.localdate().year - 12
    held(world, old, 20)
    response = report(coordinator)
    assert response.context["year"] == old
    assert old in response.context["years"]
    assert f"<option selected>{old}</option>" in response.content.decode()


def test_averages_have_one_decimal_with_a_decimal_comma(coordinator, world):
    club, _new = EventType.objects.get_or_create(organisation=world.organisation, name="Læseklub")
    talk, _new = EventType.objects.get_or_create(organisation=world.organisation, name="Foredrag")
    held(world, 2021, 12, event_type=club)
    held(world, 2021, 13, month=4, event_type=club)  # 12.5 a club evening
    held(world, 2021, 140, event_type=talk)  # 140 a talk: a whole number
    text = report(coordinator, year="2021").content.decode()
    assert '<td class="n">12,5</td>' in text
    assert '<td class="n">140,0</td>' in text


def test_averages_of_a_thousand_and_more_group_their_thousands(coordinator, world):
    held(world, 2021, 2150)
    assert '<td class="n">2.150,0</td>' in report(coordinator, year="2021").content.decode()
