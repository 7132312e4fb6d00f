"""A target's progress is kept under the data stamp of its own indicator: a tap at the desk
makes the guidance target count it at once, and leaves the visits target's forecast kept; a new
daily figure or an edited target is never answered from the kept result."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bibliotal.goals.models import BudgetYear, FocusArea, Target
from bibliotal.goals.reporting import status_rows
from bibliotal.guidance.services import TapInput, register_taps
from bibliotal.visits.indicators import VisitsProvider
from bibliotal.visits.models import DailyVisits, Sensor


@pytest.fixture
def asked(monkeypatch):
    """How often the visits provider was asked for figures (the provider itself unchanged)."""
    calls = []
    original = VisitsProvider.daily_values

    def counting(self, **kwargs):
        calls.append(kwargs["start"])
        return original(self, **kwargs)

    monkeypatch.setattr(VisitsProvider, "daily_values", counting)
    return calls


def _actual(organisation, indicator: str) -> float | None:
    rows = status_rows(organisation=organisation, year=timezone.localdate().year)
    return next(row["actual"] for row in rows if row["indicator"] == indicator)


def _area(world, title: str) -> FocusArea:
    """A focus area of this year's goals (the statuses are as of today)."""
    this_year = timezone.localdate().year
    year = BudgetYear.objects.create(organisation=world.organisation, year=this_year)
    return FocusArea.objects.create(budget_year=year, title=title)


def test_a_tap_is_counted_at_once_and_leaves_the_visits_target_kept(world, desk, topics, asked):
    today = timezone.localdate()
    area = _area(world, "Læring")
    Target.objects.create(
        focus_area=area, indicator="guidance", kind="at_least", threshold=Decimal(45000)
    )
    visits = Target.objects.create(
        focus_area=area, indicator="visits", kind="at_least", threshold=Decimal(1000), position=1
    )
    sensor = Sensor.objects.create(organisation=world.organisation, branch=world.north, name="N")
    south = Sensor.objects.create(organisation=world.organisation, branch=world.south, name="S")
    DailyVisits.objects.create(
        sensor=sensor, branch=world.north, day=today, visits=Decimal(40), rule="half"
    )
    medier = topics["Medier"].pk
    register_taps(items=[TapInput("a", desk.pk, medier)], user=world.staff)

    assert _actual(world.organisation, "guidance") == 1.0
    assert _actual(world.organisation, "visits") == 40.0
    asked_before = len(asked)
    assert asked_before == 1  # the second status was answered from the kept progress

    register_taps(items=[TapInput("b", desk.pk, medier)], user=world.staff)
    assert _actual(world.organisation, "guidance") == 2.0  # the tap counts at once
    assert len(asked) == asked_before  # and the visits target was not worked out again

    # Cleaning writes daily visits in bulk, unaudited: the newest row tells the stamp.
    DailyVisits.objects.bulk_create(
        [DailyVisits(sensor=south, branch=world.south, day=today, visits=Decimal(5), rule="half")]
    )
    assert _actual(world.organisation, "visits") == 45.0
    assert len(asked) == asked_before + 1

    # An edited target is audited, and the target as it stands is part of the key.
    visits.threshold = Decimal(10)
    visits.save()
    [row] = [
        r
        for r in status_rows(organisation=world.organisation, year=today.year)
        if r["indicator"] == "visits"
    ]
    assert row["threshold"] == 10.0 and row["status"] == "achieved"
    assert len(asked) == asked_before + 2


def test_an_event_counts_as_held_once_begun_though_no_figure_changed(world, monkeypatch):
    """Events held grow with the clock alone: a status as of today is kept within the hour."""
    from bibliotal.events.models import EventOccurrence

    now = timezone.now()
    today = timezone.localdate()
    area = _area(world, "Kultur")
    Target.objects.create(
        focus_area=area, indicator="events_held", kind="at_least", threshold=Decimal(100)
    )
    EventOccurrence.objects.create(
        organisation=world.organisation,
        branch=world.north,
        title="Bogcafé",
        starts_at=now + timedelta(minutes=30),
    )
    assert _actual(world.organisation, "events_held") in (None, 0.0)
    later = now + timedelta(hours=1, minutes=5)
    if timezone.localtime(later).date() != today:
        pytest.skip("within an hour of midnight: the status is then as of another day")
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert _actual(world.organisation, "events_held") == 1.0


def test_another_organisations_change_leaves_this_ones_progress_kept(world, asked):
    """The audit part of the stamp is the organisation's own newest entry (and the newest of
    none): a closure entered in another municipality does not make this one's targets cold."""
    from bibliotal.core.models import Closure

    area = _area(world, "Læring")
    Target.objects.create(
        focus_area=area, indicator="visits", kind="at_least", threshold=Decimal(1000)
    )
    sensor = Sensor.objects.create(organisation=world.organisation, branch=world.north, name="N")
    DailyVisits.objects.create(
        sensor=sensor, branch=world.north, day=timezone.localdate(), visits=Decimal(40), rule="half"
    )
    assert _actual(world.organisation, "visits") == 40.0
    asked_before = len(asked)

    def closed_today(organisation, branch):
        closure = Closure.objects.create(
            organisation=organisation,
            start_date=timezone.localdate(),
            end_date=timezone.localdate(),
            reason="Maling",
        )
        closure.branches.set([branch])

    closed_today(world.other_organisation, world.other_branch)
    assert _actual(world.organisation, "visits") == 40.0
    assert len(asked) == asked_before
    closed_today(world.organisation, world.north)
    _actual(world.organisation, "visits")
    assert len(asked) == asked_before + 1  # a closure here changes the open days
