"""Data completeness: every source of figures by month, on the page, through the API and the
command; a gap is missing, never zero."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from bibliotal.core import sources
from bibliotal.core.models import Closure, ServicePoint
from tests.conftest import weekly_schedule

TODAY = date(2022, 3, 15)


def days_of(year, month):
    first = date(year, month, 1)
    last = sources.month_last_day(year, month)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def report(reports, key):
    found = [r for r in reports if r.key == key]
    assert found, f"no source {key}: {[r.key for r in reports]}"
    return found[0]


def states(found):
    return [m.state for m in found.months]


@pytest.fixture(autouse=True)
def english(client):
    """The tests read the English words (the Danish ones come from the catalogue)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def open_world(world):
    """North open every day from 2019; south without opening hours."""
    weekly_schedule(world.north)
    return world


def sensor_with_days(world, name="N-1", *, days, estimated=(), **fields):
    from bibliotal.visits.models import DailyVisits, Sensor

    sensor = Sensor.objects.create(
        organisation=world.organisation, branch=world.north, name=name, **fields
    )
    for day in days:
        DailyVisits.objects.create(
            sensor=sensor,
            branch=world.north,
            day=day,
            visits=Decimal(300 if day in estimated else 100),
            rule="half",
            estimated=day in estimated,
        )
    return sensor


def test_a_sensor_month_by_month_counted_estimated_partly_missing_and_not_due(open_world):
    world = open_world
    january = days_of(2021, 1)
    february = days_of(2021, 2)
    march = days_of(2021, 3)
    sensor = sensor_with_days(
        world,
        days=january + february + march[:-3],
        estimated=[february[0]],
    )
    Closure.objects.create(
        organisation=world.organisation,
        start_date=date(2021, 4, 1),
        end_date=date(2021, 4, 30),
        reason="Corona",
    )
    found = report(
        sources.completeness(organisation=world.organisation, year=2021, today=TODAY),
        f"visits.sensor.{sensor.pk}",
    )
    assert states(found)[:5] == ["counted", "estimated", "partly", "none", "missing"]
    jan, feb, mar, apr, may = found.months[:5]
    assert jan.value == 31 * 100
    assert feb.estimated_share == pytest.approx(300 / (27 * 100 + 300))
    assert mar.missing_days == 3 and "3 of 31 open days without a count" in str(mar.detail)
    assert apr.detail == "Closed all month."
    assert may.missing_days == 28 and may.value is None  # 3 public holidays; never zero
    assert found.missing_months == [3, 5, 6, 7, 8, 9, 10, 11, 12]
    assert found.latest_figure == march[-4]
    assert found.fix_url == reverse("visits:import")

    this_year = report(
        sources.completeness(organisation=world.organisation, year=2022, today=TODAY),
        f"visits.sensor.{sensor.pk}",
    )
    assert states(this_year)[2:] == ["not_due"] * 10  # March has not ended, April not begun


def test_a_sensor_before_it_was_in_use_is_not_due_and_one_that_never_reported_is_missing(
    open_world,
):
    world = open_world
    later = sensor_with_days(world, "N-new", days=[], active_from=date(2021, 11, 1))
    never = sensor_with_days(world, "N-silent", days=[])
    reports = sources.completeness(organisation=world.organisation, year=2021, today=TODAY)
    assert (
        states(report(reports, f"visits.sensor.{later.pk}")) == ["not_due"] * 10 + ["missing"] * 2
    )
    silent = report(reports, f"visits.sensor.{never.pk}")
    assert silent.missing_months == list(range(1, 13)) and silent.latest_figure is None


def test_a_library_without_opening_hours_has_every_day_due_and_says_so(world):
    sensor = sensor_with_days(world, days=days_of(2021, 1)[:10])
    found = report(
        sources.completeness(organisation=world.organisation, year=2021, today=TODAY),
        f"visits.sensor.{sensor.pk}",
    )
    assert found.months[0].state == "partly" and found.months[0].missing_days == 21
    assert "no opening hours registered" in str(found.note)


def test_a_library_without_a_counter_is_a_source_of_manual_counts(open_world):
    from bibliotal.visits.models import ManualCount

    world = open_world
    weekly_schedule(world.south)
    for day in days_of(2021, 1):
        ManualCount.objects.create(branch=world.south, day=day, visits=40)
    found = report(
        sources.completeness(organisation=world.organisation, year=2021, today=TODAY),
        f"visits.manual.{world.south.pk}",
    )
    assert states(found)[:2] == ["counted", "missing"]
    assert found.months[0].value == 31 * 40 and found.fix_url == reverse("visits:manual")


def test_guidance_per_service_point_says_none_registered_on_open_days(open_world):
    from bibliotal.guidance.models import GuidanceRecord, GuidanceTopic

    world = open_world
    point = ServicePoint.objects.get(branch=world.north)
    topic = GuidanceTopic.objects.create(organisation=world.organisation, name="Litteratur")
    for n, day in enumerate(days_of(2021, 1)[:28]):
        GuidanceRecord.objects.create(
            branch=world.north,
            service_point=point,
            topic=topic,
            occurred_at=timezone.make_aware(datetime.combine(day, time(12))),
            day=day,
            count=2,
            idempotency_key=f"k-{n}",
        )
    found = report(
        sources.completeness(organisation=world.organisation, year=2021, today=TODAY),
        f"guidance.point.{point.pk}",
    )
    january, february = found.months[:2]
    assert january.state == "partly" and january.missing_days == 3 and january.value == 56
    assert str(january.detail) == "None registered on 3 of 30 open days."  # 1 January closed
    assert february.state == "missing" and february.value is None
    assert "None registered" in str(february.detail)


def test_events_held_without_attendance_make_the_month_partly_missing(open_world):
    from bibliotal.events.models import EventOccurrence

    world = open_world

    def event(day, attendance=None, **fields):
        return EventOccurrence.objects.create(
            organisation=world.organisation,
            title="Bogcafé",
            branch=world.north,
            starts_at=timezone.make_aware(datetime.combine(day, time(19))),
            attendance_total=attendance,
            **fields,
        )

    event(date(2021, 1, 5), 20)
    event(date(2021, 1, 12))
    event(date(2021, 1, 19), status="cancelled")  # a cancelled event needs nothing
    event(date(2021, 2, 2), 12)
    event(date(2021, 3, 2))
    found = report(
        sources.completeness(organisation=world.organisation, year=2021, today=TODAY),
        "events.attendance",
    )
    assert states(found)[:4] == ["partly", "counted", "missing", "none"]
    assert str(found.months[0].detail) == "1 of 2 events held have no attendance."
    assert found.months[0].value == 20 and found.fix_url == reverse("events:awaiting")


def test_a_booked_class_without_its_session_is_missing_in_teaching(open_world):
    from bibliotal.teaching.models import Booking, Course, TeachingSession

    world = open_world
    course = Course.objects.create(
        organisation=world.organisation,
        title="Søg smart",
        slug="soeg-smart",
        theme="digital",
        grade_levels=["8"],
        branch=world.north,
    )
    Booking.objects.create(
        course=course,
        class_name="8.b",
        grade="8",
        expected_pupils=24,
        wished_dates="snart",
        status=Booking.Status.ACCEPTED,
        scheduled_at=timezone.make_aware(datetime(2021, 2, 10, 9)),
    )
    TeachingSession.objects.create(
        course=course,
        day=date(2021, 1, 20),
        branch=world.north,
        grade="8",
        theme="digital",
        pupils_present=22,
    )
    found = report(
        sources.completeness(organisation=world.organisation, year=2021, today=TODAY),
        "teaching.sessions",
    )
    assert states(found)[:3] == ["counted", "missing", "none"]
    assert found.months[0].value == 22
    assert str(found.months[1].detail) == "1 booked class has no session registered."
    assert found.fix_url.endswith("?month=2021-02")


def test_platforms_by_month_a_silent_platform_is_listed_and_unique_users_are_not_summed(world):
    from bibliotal.digital.models import DigitalFigure, Platform

    ereolen = Platform.objects.create(
        organisation=world.organisation, name="eReolen", kind="ereolen"
    )
    Platform.objects.create(organisation=world.organisation, name="eReolen Go", kind="ereolen_go")
    site = Platform.objects.create(
        organisation=world.organisation, name="Hjemmeside", kind="website", headline=True
    )
    for material, value in (("ebook", 600), ("eaudiobook", 400)):
        DigitalFigure.objects.create(
            platform=ereolen,
            metric="loans",
            material=material,
            start=date(2021, 1, 1),
            end=date(2021, 1, 31),
            value=value,
        )
    DigitalFigure.objects.create(
        platform=ereolen,
        metric="loans",
        material="ebook",
        start=date(2021, 2, 1),
        end=date(2021, 2, 28),
        value=500,
        source="estimated",
    )
    DigitalFigure.objects.create(
        platform=site,
        metric="unique_users",
        method="cookie",
        start=date(2021, 1, 1),
        end=date(2021, 3, 31),
        value=9000,
    )
    reports = sources.completeness(organisation=world.organisation, year=2021, today=TODAY)
    loans = report(reports, f"digital.loans.{ereolen.pk}")
    assert states(loans)[:3] == ["counted", "estimated", "missing"]
    assert loans.months[0].value == 1000 and loans.months[1].estimated_share == 1.0
    assert loans.fix_url == reverse("digital:grid") + f"?platform={ereolen.pk}&month=2021-03"
    silent = [r for r in reports if r.name == "eReolen Go"]
    assert len(silent) == 1 and silent[0].missing_months == list(range(1, 13))
    users = report(reports, f"digital.unique_users.{site.pk}")
    assert states(users)[:4] == ["counted"] * 3 + ["missing"]  # reported per quarter
    assert users.months[0].value is None  # a quarter's users are not a month's
    this_quarter = report(
        sources.completeness(organisation=world.organisation, year=2022, today=TODAY),
        f"digital.unique_users.{site.pk}",
    )
    assert states(this_quarter)[0] == "missing"  # cadence of its own year: monthly, none


def test_the_summary_counts_sources_missing_figures(open_world):
    world = open_world
    sensor_with_days(world, "N-1", days=days_of(2021, 1))
    reports = sources.completeness(organisation=world.organisation, year=2021, today=TODAY)
    summary = sources.summarise(reports, year=2021)
    # gaps: the sensor, the south library's manual counts, the service point; events and
    # teaching had nothing to count
    assert sorted(r.kind for r in reports if r.missing_months) == ["guidance", "visits", "visits"]
    assert summary.sources == 5 and summary.missing == 3
    assert sources.summary_sentence(summary) == "3 of 5 sources are missing figures for 2021."


def test_the_registry_reads_a_year_in_a_fixed_number_of_queries(
    open_world, django_assert_max_num_queries
):
    world = open_world
    sensor_with_days(world, "N-1", days=days_of(2021, 1))
    with django_assert_max_num_queries(40) as first:
        sources.completeness(organisation=world.organisation, year=2021, today=TODAY)
    for n in range(6):  # more sensors and service points cost no more queries
        sensor_with_days(world, f"N-extra-{n}", days=days_of(2021, 2))
        ServicePoint.objects.create(branch=world.south, name=f"Punkt {n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        sources.completeness(organisation=world.organisation, year=2021, today=TODAY)


# The page, the API and the command -------------------------------------------------------


@pytest.fixture
def counted_2021(open_world):
    sensor_with_days(open_world, "N-1", days=days_of(2021, 1) + days_of(2021, 12))
    return open_world


def test_the_page_opens_on_the_latest_year_with_figures_and_says_where_they_end(
    client, counted_2021
):
    client.force_login(counted_2021.staff)
    response = client.get(reverse("core:completeness"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Data completeness 2021" in html
    assert "sources are missing figures for 2021" in html
    assert '<th scope="row" class="source">' in html and "N-1" in html
    # Staff may not import counter files: no link to a page that would refuse them, but who can.
    assert "Import a counter file" not in html and reverse("visits:import") not in html
    assert "Fixed by: Manager" in html
    assert reverse("core:completeness") in html  # in the menu
    client.force_login(counted_2021.manager)
    html = client.get(reverse("core:completeness")).content.decode()
    assert "Import a counter file" in html and reverse("visits:import") in html

    now = timezone.localdate().year
    empty = client.get(reverse("core:completeness"), {"year": now}).content.decode()
    assert f"No figures for {now} – the latest figure is from 31.12.2021." in empty


def test_the_page_falls_back_on_a_year_that_is_not_one(client, counted_2021):
    client.force_login(counted_2021.manager)
    html = client.get(reverse("core:completeness"), {"year": "tjue"}).content.decode()
    assert "is not a year" in html and "Data completeness 2021" in html


def test_only_members_see_the_page(client, counted_2021):
    assert client.get(reverse("core:completeness")).status_code == 302
    client.force_login(counted_2021.outsider)
    assert client.get(reverse("core:completeness")).status_code == 403


def test_the_page_is_a_bounded_number_of_queries(
    client, counted_2021, django_assert_max_num_queries
):
    client.force_login(counted_2021.manager)
    with django_assert_max_num_queries(60):
        assert client.get(reverse("core:completeness"), {"year": 2021}).status_code == 200


def test_the_api_lists_every_source_by_month_for_the_organisation_only(client, counted_2021):
    from bibliotal.visits.models import Sensor

    Sensor.objects.create(
        organisation=counted_2021.other_organisation,
        branch=counted_2021.other_branch,
        name="Andetsted-1",
    )
    client.force_login(counted_2021.staff)
    response = client.get("/api/v1/completeness", {"year": "2021"})
    assert response.status_code == 200
    data = response.json()
    assert data["year"] == 2021 and data["sources"] == len(data["results"])
    names = [r["name"] for r in data["results"]]
    assert "N-1" in names and "Andetsted-1" not in names
    sensor = next(r for r in data["results"] if r["name"] == "N-1")
    assert [m["state"] for m in sensor["months"]][:2] == ["counted", "missing"]
    assert sensor["months"][1]["value"] is None and sensor["missing_months"][0] == 2


def test_the_api_answers_bad_years_in_words(client, counted_2021):
    client.force_login(counted_2021.staff)
    bad = client.get("/api/v1/completeness", {"year": "abc"})
    assert bad.status_code == 400 and "is not a year" in bad.json()["detail"]
    assert client.get("/api/v1/completeness", {"year": "1850"}).status_code == 400
    assert client.get("/api/v1/completeness").status_code == 422  # the year is required
    future = timezone.localdate().year + 1
    ahead = client.get("/api/v1/completeness", {"year": future}).json()
    assert ahead["missing"] == 0 and "has not begun" in ahead["where_figures_end"]
    assert {m["state"] for r in ahead["results"] for m in r["months"]} == {"not_due"}
    early = client.get("/api/v1/completeness", {"year": "2010"}).json()
    assert (
        early["where_figures_end"] == "No figures for 2010 – the latest figure is from 31.12.2021."
    )


def test_the_api_needs_a_login(client, counted_2021):
    assert client.get("/api/v1/completeness", {"year": "2021"}).status_code == 401


def test_the_api_is_in_the_openapi_schema(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/completeness" in schema["paths"]


def test_the_command_prints_a_table_and_json(counted_2021, capsys):
    call_command("completeness", "2021", "--organisation", "Testrup Bibliotekerne")
    table = capsys.readouterr().out
    assert "sources are missing figures for 2021" in table
    assert "Nord Bibliotek: N-1" in table and "✓ ✗" in table
    call_command(
        "completeness", "2021", "--format", "json", "--organisation", "Testrup Bibliotekerne"
    )
    data = json.loads(capsys.readouterr().out)
    sensor = next(r for r in data["results"] if r["name"] == "N-1")
    assert sensor["months"][0]["state"] == "counted" and sensor["latest_figure"] == "2021-12-31"


def test_the_command_explains_a_bad_year(counted_2021):
    with pytest.raises(CommandError, match="“twenty” is not a year"):
        call_command("completeness", "twenty", "--organisation", "Testrup Bibliotekerne")
    with pytest.raises(CommandError, match="No organisation is called"):
        call_command("completeness", "2021", "--organisation", "Nowhere")
