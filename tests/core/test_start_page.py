"""The start page: what each role sees first, how fast, and that it is never stale."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from bibliotal.core import dashboard, sources
from bibliotal.core.models import ServicePoint
from bibliotal.goals.indicators import DailyValue
from bibliotal.goals.models import BudgetYear, FocusArea, Target
from bibliotal.visits.importers import import_counter_file
from tests.conftest import weekly_schedule

TODAY = date(2022, 3, 15)  # a Tuesday: 2021 is over, 2022 has no targets


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """The start page's "today", without touching the clock."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return real(value, timezone) if value is not None else TODAY

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    cache.clear()
    yield
    cache.clear()


class Figures:
    """A provider whose figures a test sets: one value a day, at the organisation level."""

    def __init__(self, values: dict[date, float]):
        self.values = values

    def daily_values(self, *, organisation, start, end, branch_ids, measure):
        for day, value in self.values.items():
            if start <= day <= end:
                yield DailyValue(None, day, value)

    def period_values(self, **kwargs):
        return []


def every_day(start: date, end: date, value: float) -> dict[date, float]:
    return {start + timedelta(days=n): value for n in range((end - start).days + 1)}


def targets(organisation, year: int, *specs) -> list[Target]:
    area = FocusArea.objects.create(
        budget_year=BudgetYear.objects.get_or_create(organisation=organisation, year=year)[0],
        title="Læring",
    )
    return [
        Target.objects.create(
            focus_area=area, indicator=indicator, kind="at_least", threshold=Decimal(threshold)
        )
        for indicator, threshold in specs
    ]


def page(client, user) -> str:
    """The start page in English (the Danish catalogue is checked by the i18n tests)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    # ``?full``: every panel worked out in the page, as it reads once the placeholders of a
    # page after an import have fetched theirs (tested on their own below).
    response = client.get(reverse("core:home"), {"full": ""})
    assert response.status_code == 200
    return response.content.decode()


def test_the_manager_sees_every_target_of_the_latest_year_with_targets(client, world, provide):
    provide("guidance", Figures(every_day(date(2021, 1, 1), date(2021, 12, 31), 150)))
    provide("event_participants", Figures(every_day(date(2021, 1, 1), date(2021, 12, 31), 50)))
    guidance, events = targets(
        world.organisation, 2021, ("guidance", "45000"), ("event_participants", "30000")
    )
    html = page(client, world.manager)
    assert "Where the targets for 2021 stand" in html
    # Each panel is a section named by its heading, for a screen reader's list of regions.
    assert 'aria-labelledby="panel-goals-targets-title"' in html
    assert '<h2 id="panel-goals-targets-title">' in html
    assert "There are no targets for 2022: this is 2021, the latest year with targets." in html
    assert "The year 2021 is over" in html
    # Each target: its status and one line of actual and target, linking to its goal page.
    assert reverse("goals:target_detail", args=[2021, guidance.pk]) in html
    assert reverse("goals:target_detail", args=[2021, events.pk]) in html
    assert "54,750" in html and "45,000" in html  # 365 × 150 against at least 45,000
    assert "18,250" in html and "30,000" in html
    assert "Achieved" in html and "Not achieved" in html
    assert "Forecast" not in html  # the year is over: a final status, no forecast


def test_this_years_targets_come_first_with_their_forecast(client, world, provide):
    history = every_day(date(2019, 1, 1), date(2022, 3, 14), 100)
    provide("guidance", Figures(history))
    targets(world.organisation, 2021, ("guidance", "1000"))
    [target] = targets(world.organisation, 2022, ("guidance", "36000"))
    html = page(client, world.manager)
    assert "Where the targets for 2022 stand" in html
    assert "Status per 15 March 2022" in html
    assert reverse("goals:target_detail", args=[2022, target.pk]) in html
    assert "Forecast" in html


def test_a_year_without_targets_and_no_goals_at_all_say_what_to_do(client, world):
    html = page(client, world.manager)
    assert "No goals have been imported yet." in html
    assert reverse("goals:document_import") in html
    BudgetYear.objects.create(organisation=world.organisation, year=2022)
    html = page(client, world.manager)
    assert "The goal documents (2022) have no measurable targets yet." in html


def test_an_organisation_without_figures_is_told_so_and_never_shown_zero(client, world):
    targets(world.organisation, 2021, ("guidance", "45000"))
    html = page(client, world.manager)
    assert "No figures have been recorded yet" in html
    assert "No figures for this target yet." in html


def test_key_figures_show_the_latest_month_with_figures_against_a_year_before(
    client, world, provide
):
    figures = every_day(date(2021, 1, 1), date(2021, 11, 30), 10)
    figures.update(every_day(date(2020, 11, 1), date(2020, 11, 30), 5))
    provide("guidance", Figures(figures))
    html = page(client, world.manager)
    assert "No figures for 2022 yet (latest figures 30.11.2021)" in html
    assert "November 2021: the latest month with figures (through 30.11.2021)" in html
    assert "300" in html and "150" in html and "+100 %" in html  # the month, a year before
    assert "3,340" in html  # the year to date; 2020 has November only: 150, +2.127 %


def test_a_missing_year_before_is_a_dash_and_a_sentence_not_a_zero(client, world, provide):
    provide("guidance", Figures(every_day(date(2022, 3, 1), date(2022, 3, 14), 10)))
    html = page(client, world.manager)
    assert "March 2022 through 14.03.2022" in html
    assert "no figures for the same days of 2021" in html


def test_the_attention_list_links_to_where_each_thing_is_done(client, world, monkeypatch):
    from bibliotal.events.models import EventOccurrence
    from bibliotal.teaching.models import Booking, Course
    from bibliotal.visits.models import DailyVisits, Sensor

    zone = timezone.get_current_timezone()
    for n in range(2):
        EventOccurrence.objects.create(
            organisation=world.organisation,
            branch=world.north,
            title=f"Bogcafé {n}",
            starts_at=datetime(2022, 3, 1 + n, 14, tzinfo=zone),
        )
    course = Course.objects.create(organisation=world.organisation, title="Kildekritik", slug="k")
    Booking.objects.create(
        course=course, class_name="7.b", grade="7", expected_pupils=24, wished_dates="uge 12"
    )
    sensor = Sensor.objects.create(organisation=world.organisation, branch=world.north, name="N1")
    DailyVisits.objects.create(
        sensor=sensor,
        branch=world.north,
        day=date(2022, 3, 1),
        visits=Decimal(900),
        rule="half",
        flags=["spike"],
        review=DailyVisits.Review.OPEN,
    )
    monkeypatch.setattr(sources, "_completeness", [])
    html = page(client, world.manager)
    assert "2 events without attendance" in html
    assert reverse("events:awaiting") in html
    assert "1 booking waiting for an answer" in html
    assert reverse("teaching:booking_list") in html
    assert "1 day with flags to review" in html
    assert reverse("visits:flags") in html
    # No completeness source answers yet: said, not hidden.
    assert "No source reports yet" in html


def test_sources_missing_or_late_and_their_latest_figure(client, world, monkeypatch):
    months = tuple(
        sources.SourceMonth(m, sources.COUNTED if m == 1 else sources.MISSING) for m in (1, 2, 3)
    )
    report = sources.SourceReport(
        key="test.sensor",
        kind="visits",
        kind_name="Besøg",
        name="Nord-1",
        months=months,
        latest_figure=date(2022, 1, 31),
        fix_url="/visits/import/",
    )
    monkeypatch.setattr(sources, "_completeness", [lambda **kwargs: [report]])
    html = page(client, world.manager)
    assert "Besøg: Nord-1 is missing figures for 2 months of 2022" in html
    assert "Last month's figures are late." in html
    assert "31.01.2022" in html
    assert 'href="/visits/import/"' in html


def test_staff_get_their_service_points_tally_buttons_and_todays_counts(client, world):
    from bibliotal.guidance.models import GuidanceRecord, GuidanceTopic

    point = ServicePoint.objects.get(branch=world.north)
    ServicePoint.objects.create(branch=world.south, name="Syd-skranken")
    topic = GuidanceTopic.objects.create(organisation=world.organisation, name="Litteratur")
    for _n in range(3):
        GuidanceRecord.objects.create(
            branch=world.north,
            service_point=point,
            topic=topic,
            occurred_at=timezone.now(),
            day=TODAY,
            idempotency_key=f"tap-{_n}",
        )
    html = page(client, world.staff)
    assert reverse("guidance:tally", args=[point.pk]) in html
    assert "3 guidances today" in html
    assert "Litteratur: 3" in html
    assert "Syd-skranken" not in html  # not their library
    assert "Where the targets" not in html and "Needs attention" not in html


def test_the_coordinator_sees_events_awaiting_bookings_and_this_weeks_classes(client, world):
    from bibliotal.events.models import EventOccurrence
    from bibliotal.teaching.models import Booking, Course, TeachingSession

    zone = timezone.get_current_timezone()
    event = EventOccurrence.objects.create(
        organisation=world.organisation,
        branch=world.north,
        title="Forfatteraften",
        starts_at=datetime(2022, 3, 10, 19, tzinfo=zone),
    )
    course = Course.objects.create(organisation=world.organisation, title="Kildekritik", slug="k")
    booking = Booking.objects.create(
        course=course, class_name="7.b", grade="7", expected_pupils=24, wished_dates="uge 12"
    )
    TeachingSession.objects.create(
        course=course,
        day=date(2022, 3, 16),
        start_time=time(9),
        branch=world.north,
        class_name="8.a",
        grade="8",
        theme=course.theme,
        pupils_present=24,
    )
    html = page(client, world.coordinator)
    assert reverse("events:attendance", args=[event.pk]) in html
    assert reverse("teaching:booking_detail", args=[booking.pk]) in html
    assert "This week&#x27;s classes" in html and "24 pupils" in html
    assert "Where the targets" not in html  # the goals are the manager's
    assert reverse("guidance:tally", args=[1]) not in html


def test_an_account_without_membership_is_told_what_to_do(client, world):
    client.force_login(world.outsider)
    response = client.get(reverse("core:home"))
    assert response.status_code == 403
    assert "Din konto er endnu ikke knyttet til et bibliotek" in response.content.decode()


def fill(world, provide, count: int):
    keys = ["guidance", "event_participants", "pupils_taught", "ebook_loans", "eaudiobook_loans"]
    for key in keys:
        provide(key, Figures(every_day(date(2021, 1, 1), date(2022, 3, 14), 20)))
    return targets(world.organisation, 2022, *[(k, "5000") for k in keys[:count]])


def test_the_managers_page_makes_a_fixed_number_of_queries(
    client, world, provide, django_assert_max_num_queries
):
    weekly_schedule(world.north)
    fill(world, provide, 5)
    client.force_login(world.manager)
    # Cold, the page leaves the targets and the key figures to placeholders and answers at once;
    # what it works out itself is the sources' completeness (a fixed number, see
    # test_completeness) for the attention list.
    with django_assert_max_num_queries(50):
        cold = client.get(reverse("core:home"))
    assert cold.status_code == 200
    html = cold.content.decode()
    assert 'hx-get="/panels/goals.targets/"' in html and 'aria-busy="true"' in html
    # The placeholder's request works every target's status out: the goals engine asks twice
    # per target (its libraries, the population); the opening calendars are shared.
    with django_assert_max_num_queries(100):
        assert client.get(reverse("core:panel", args=["goals.targets"])).status_code == 200
    with django_assert_max_num_queries(60):
        assert client.get(reverse("core:panel", args=["goals.key_figures"])).status_code == 200
    with django_assert_max_num_queries(25):  # warm: kept under the data stamp
        warm = client.get(reverse("core:home"))
    assert warm.status_code == 200 and "aria-busy" not in warm.content.decode()


def test_the_warm_page_asks_as_often_with_one_target_as_with_five(client, world, provide):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    weekly_schedule(world.north)
    client.force_login(world.manager)
    counts = []
    for n in (1, 5):
        Target.objects.all().delete()
        fill(world, provide, n)
        client.get(reverse("core:home"), {"full": ""})
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("core:home"))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_an_import_is_never_followed_by_stale_figures(client, world):
    world.organisation.closed_on_public_holidays = False
    world.organisation.save()
    weekly_schedule(world.north)
    targets(world.organisation, 2021, ("visits", "100"))

    def counter_file(day: str, count: int) -> bytes:
        rows = ["Dato;Tid;Tæller;Ind;Ud", f"{day};10:00;Nord-1;{count};{count}"]
        return ("\n".join(rows) + "\n").encode("cp1252")

    import_counter_file(
        organisation=world.organisation,
        data=counter_file("07-09-2021", 40),
        filename="sep.csv",
        branch=world.north,
        rule="half",
    )
    html = page(client, world.manager)
    assert "Not achieved" in html and "<strong>40</strong>" in html
    main = html[html.index("<main") :]
    again = page(client, world.manager)
    assert again[again.index("<main") :] == main  # kept: the same answer, from the cache
    import_counter_file(
        organisation=world.organisation,
        data=counter_file("08-09-2021", 75),
        filename="sep2.csv",
        branch=world.north,
        rule="half",
    )
    html = page(client, world.manager)
    assert "<strong>115</strong>" in html and "Not achieved" not in html


def test_a_changed_target_shows_at_once(client, world, provide):
    provide("guidance", Figures(every_day(date(2021, 1, 1), date(2021, 12, 31), 100)))
    [target] = targets(world.organisation, 2021, ("guidance", "45000"))
    assert "Not achieved" in page(client, world.manager)
    target.threshold = Decimal("30000")
    target.save()
    html = page(client, world.manager)
    assert "30,000" in html and "Not achieved" not in html


def test_panels_are_registered_by_the_apps_and_shown_by_capability(world):
    keys = [p.key for p in dashboard.panels()]
    for key in ("goals.targets", "goals.key_figures", "guidance.tally", "events.awaiting"):
        assert key in keys
    staff = [p.key for p in dashboard.panels_for(world.staff)]
    manager = [p.key for p in dashboard.panels_for(world.manager)]
    assert "guidance.tally" in staff and "guidance.tally" not in manager
    assert "goals.targets" in manager and "goals.targets" not in staff
    assert "events.awaiting" not in manager  # the manager has it in the attention list
    assert dashboard.panels_for(world.outsider) == []


def test_a_placeholder_fetches_only_a_panel_the_user_may_see(client, world, provide):
    weekly_schedule(world.north)
    fill(world, provide, 1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.manager)
    panel = client.get(reverse("core:panel", args=["goals.targets"]))
    html = panel.content.decode()
    assert panel.status_code == 200 and 'id="panel-goals-targets"' in html and "hx-get" not in html
    assert client.get(reverse("core:panel", args=["no.such.panel"])).status_code == 404
    client.force_login(world.staff)  # the targets are the manager's
    assert client.get(reverse("core:panel", args=["goals.targets"])).status_code == 404
    client.logout()
    assert client.get(reverse("core:panel", args=["goals.targets"])).status_code == 302
