"""The sensors page under Visits: every people-counter sensor with its library, rule, last
reading and status; managers and administrators add sensors and change where one counts, by
which rule and whether it is in use, audited, and the daily visits follow a move at once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bibliotal.core.models import AuditEntry
from bibliotal.visits.cleaning import derive_days
from bibliotal.visits.models import CounterReading, DailyVisits, Sensor
from bibliotal.visits.sensors import sensor_states
from tests.conftest import weekly_schedule

TODAY = date(2021, 9, 20)


def _at(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def counted(world):
    """A sensor at the north library with readings on 6 and 7 September 2021."""
    world.organisation.closed_on_public_holidays = False
    world.organisation.save()
    for branch in (world.north, world.south):
        weekly_schedule(branch, staffed=(time(10), time(18)))
    sensor = Sensor.objects.create(
        organisation=world.organisation, branch=world.north, name="Nord-1", rule="half"
    )
    for day in (date(2021, 9, 6), date(2021, 9, 7)):
        CounterReading.objects.create(
            sensor=sensor,
            starts_at=_at(day, 12),
            ends_at=_at(day, 13),
            count_in=40,
            count_out=20,
        )
    derive_days(sensor=sensor)
    world.sensor = sensor
    return world


def page(client, user, **query):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.get(reverse("visits:sensors"), query)


@pytest.mark.parametrize("who", ["manager", "administrator"])
def test_managers_and_administrators_see_the_sensors(client, counted, who):
    response = page(client, getattr(counted, who))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Nord-1" in content and "Nord Bibliotek" in content
    assert 'data-label="Last reading"' in content and 'class="stack"' in content


@pytest.mark.parametrize("who", ["staff", "coordinator", "outsider"])
def test_staff_and_coordinators_may_not(client, counted, who):
    assert page(client, getattr(counted, who)).status_code == 403


def test_another_municipalitys_sensor_is_not_found(client, counted):
    assert page(client, counted.stranger, edit=counted.sensor.pk).status_code == 404


def test_the_tab_is_in_the_visits_section(client, counted):
    content = page(client, counted.manager).content.decode()
    assert f'href="{reverse("visits:sensors")}"' in content


def test_a_sensor_without_readings_for_days_is_called_silent(counted):
    [state] = sensor_states(organisation=counted.organisation, today=TODAY)
    assert state.status == "silent" and state.silent_days == 13
    assert timezone.localtime(state.last_reading) == _at(date(2021, 9, 7), 13)
    [state] = sensor_states(organisation=counted.organisation, today=date(2021, 9, 8))
    assert state.status == "counting"


def test_the_page_says_how_long_a_sensor_has_been_silent(client, counted):
    content = page(client, counted.manager).content.decode()
    assert "No readings for" in content  # today is long after September 2021


def test_moving_a_sensor_moves_its_daily_visits_and_is_audited(client, counted):
    assert set(DailyVisits.objects.values_list("branch", flat=True)) == {counted.north.pk}
    client.force_login(counted.manager)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("visits:sensors"),
        {
            "pk": counted.sensor.pk,
            "branch": counted.south.pk,
            "entrance": "Hovedindgang",
            "rule": "in",
            "use": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "The sensor Nord-1 is saved. 2 days of visits are worked out again." in (
        response.content.decode()
    )
    days = DailyVisits.objects.order_by("day")
    assert [(d.branch_id, d.visits, d.rule) for d in days] == [
        (counted.south.pk, Decimal("40.0"), "in"),
        (counted.south.pk, Decimal("40.0"), "in"),
    ]
    entry = AuditEntry.objects.filter(model="visits.Sensor", action="update").latest("id")
    assert entry.actor == counted.manager
    assert entry.changes["branch"] == [counted.north.pk, counted.south.pk]
    assert entry.changes["rule"] == ["half", "in"]


def test_taking_a_sensor_out_of_use_ends_its_period_today(client, counted):
    client.force_login(counted.manager)
    client.post(
        reverse("visits:sensors"),
        {"pk": counted.sensor.pk, "branch": counted.north.pk, "rule": "half"},
    )
    counted.sensor.refresh_from_db()
    assert counted.sensor.active_to == timezone.localdate()
    assert DailyVisits.objects.count() == 2  # the figures up to today are kept
    [state] = sensor_states(organisation=counted.organisation)
    assert state.status == "retired"
    client.post(
        reverse("visits:sensors"),
        {"pk": counted.sensor.pk, "branch": counted.north.pk, "rule": "half", "use": "on"},
    )
    counted.sensor.refresh_from_db()
    assert counted.sensor.active_to is None


def test_saving_without_a_change_works_nothing_out_again(client, counted):
    client.force_login(counted.manager)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("visits:sensors"),
        {"pk": counted.sensor.pk, "branch": counted.north.pk, "rule": "half", "use": "on"},
        follow=True,
    )
    assert "worked out again" not in response.content.decode()


def test_a_manager_adds_a_sensor_before_its_first_file(client, counted):
    client.force_login(counted.manager)
    response = client.post(
        reverse("visits:sensors"),
        {"name": "Syd-1", "branch": counted.south.pk, "entrance": "", "rule": "half"},
    )
    assert response.status_code == 302
    sensor = Sensor.objects.get(name="Syd-1")
    assert (sensor.branch, sensor.organisation) == (counted.south, counted.organisation)
    assert AuditEntry.objects.filter(model="visits.Sensor", action="create").exists()


def test_a_name_already_taken_in_another_case_is_refused(client, counted):
    client.force_login(counted.manager)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("visits:sensors"),
        {"name": "nord-1", "branch": counted.south.pk, "rule": "half"},
    )
    assert response.status_code == 400
    assert "You have a sensor with this name already." in response.content.decode()


def test_a_library_of_another_municipality_cannot_be_chosen(client, counted):
    client.force_login(counted.manager)
    response = client.post(
        reverse("visits:sensors"),
        {"pk": counted.sensor.pk, "branch": counted.other_branch.pk, "rule": "half"},
    )
    assert response.status_code == 400
    counted.sensor.refresh_from_db()
    assert counted.sensor.branch == counted.north


def test_the_list_reads_its_sensors_in_a_fixed_number_of_queries(
    client, counted, django_assert_max_num_queries
):
    for n in range(5):
        Sensor.objects.create(
            organisation=counted.organisation, branch=counted.south, name=f"Syd-{n}"
        )
    client.force_login(counted.manager)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("visits:sensors")).status_code == 200


def test_last_reading_days_are_counted_in_local_days(counted):
    late = timezone.make_aware(datetime(2021, 9, 18, 23, 30))
    CounterReading.objects.create(
        sensor=counted.sensor,
        starts_at=late - timedelta(hours=1),
        ends_at=late,
        count_in=1,
        count_out=1,
    )
    [state] = sensor_states(organisation=counted.organisation, today=TODAY)
    assert state.status == "counting"  # two days, under the three that make it silent
