"""Campaign comparisons: during, the same length of time before, and a year earlier."""

from __future__ import annotations

from datetime import date

import pytest

from bibliotal.digital.models import Campaign, DigitalFigure, Platform
from bibliotal.digital.periods import month_end
from bibliotal.digital.services import compare_campaign, windows
from bibliotal.goals.indicators import DailyValue, PeriodValue
from tests.goals.conftest import FakeProvider


def test_a_campaign_of_whole_months_compares_whole_months():
    spans = windows(date(2021, 9, 1), date(2021, 10, 31))
    assert spans == {
        "during": (date(2021, 9, 1), date(2021, 10, 31)),
        "before": (date(2021, 7, 1), date(2021, 8, 31)),
        "last_year": (date(2020, 9, 1), date(2020, 10, 31)),
    }
    february = windows(date(2021, 3, 1), date(2021, 3, 31))
    assert february["before"] == (date(2021, 2, 1), date(2021, 2, 28))
    leap = windows(date(2021, 2, 1), date(2021, 2, 28))
    assert leap["last_year"] == (date(2020, 2, 1), date(2020, 2, 29))


def test_a_campaign_of_days_compares_as_many_days():
    spans = windows(date(2021, 6, 10), date(2021, 6, 19))
    assert spans["before"] == (date(2021, 5, 31), date(2021, 6, 9))
    assert spans["last_year"] == (date(2020, 6, 10), date(2020, 6, 19))


def _month(platform, year, number, value):
    first = date(year, number, 1)
    DigitalFigure.objects.create(
        platform=platform,
        metric="loans",
        material="ebook",
        start=first,
        end=month_end(first),
        value=value,
    )


@pytest.mark.django_db
def test_e_book_loans_before_and_after_a_school_campaign(world):
    go = Platform.objects.create(
        organisation=world.organisation, name="eReolen Go", kind="ereolen_go", for_children=True
    )
    for number, value in {7: 700, 8: 800, 9: 1200, 10: 1300}.items():
        _month(go, 2021, number, value)
    _month(go, 2020, 9, 1000)
    _month(go, 2020, 10, 1100)
    campaign = Campaign.objects.create(
        organisation=world.organisation,
        title="eReolen Go i skolerne",
        start=date(2021, 9, 1),
        end=date(2021, 10, 31),
        areas=["rural"],
        indicators=["child_ebook_loans", "ebook_loans"],
    )
    children, ebooks = compare_campaign(campaign, today=date(2022, 1, 10))
    assert (children.during, children.before, children.last_year) == (2500, 1500, 2100)
    assert children.change_before == pytest.approx(1000 / 1500)
    assert children.change_last_year == pytest.approx(400 / 2100)
    assert ebooks.during == 2500
    assert any("hele kommunen" in note for note in children.notes)


@pytest.mark.django_db
def test_a_running_campaign_compares_the_same_stretch_of_each_window(world):
    go = Platform.objects.create(
        organisation=world.organisation, name="eReolen Go", kind="ereolen_go", for_children=True
    )
    for number, value in {7: 310, 8: 800, 9: 1200}.items():
        _month(go, 2021, number, value)
    _month(go, 2020, 9, 900)
    campaign = Campaign.objects.create(
        organisation=world.organisation,
        title="Løbende",
        start=date(2021, 9, 1),
        end=date(2021, 10, 31),
        indicators=["child_ebook_loans"],
    )
    (children,) = compare_campaign(campaign, today=date(2021, 10, 15))
    assert children.windows["during"] == (date(2021, 9, 1), date(2021, 9, 30))
    assert children.windows["before"] == (date(2021, 7, 1), date(2021, 7, 30))
    assert children.during == pytest.approx(1200)
    assert children.before == pytest.approx(300)  # 30 of July's 31 days
    assert children.last_year == pytest.approx(900)
    assert "30 dage" in children.notes[0]


@pytest.mark.django_db
def test_an_area_campaign_counts_only_the_libraries_in_its_areas(world, provide):
    provide(
        "guidance",
        FakeProvider(
            [DailyValue(world.north.pk, date(2021, 3, d), 10.0) for d in range(1, 32)]
            + [DailyValue(world.south.pk, date(2021, 3, d), 1.0) for d in range(1, 32)]
            + [DailyValue(world.south.pk, date(2021, 2, d), 2.0) for d in range(1, 29)]
        ),
    )
    campaign = Campaign.objects.create(
        organisation=world.organisation,
        title="Digital hjælp på landet",
        start=date(2021, 3, 1),
        end=date(2021, 3, 31),
        areas=["rural"],  # the south library is rural, the north one is in the city
        indicators=["guidance"],
    )
    (guidance,) = compare_campaign(campaign, today=date(2021, 5, 1))
    assert (guidance.during, guidance.before, guidance.last_year) == (31.0, 56.0, None)
    assert guidance.change_last_year is None


@pytest.mark.django_db
def test_unique_users_are_compared_only_where_a_figure_covers_the_period(world, provide):
    provide(
        "digital_unique_users",
        FakeProvider(
            periods=[
                PeriodValue(date(2021, 3, 1), date(2021, 3, 31), 5000, "login"),
                PeriodValue(date(2021, 2, 1), date(2021, 2, 28), 4000, "login"),
                PeriodValue(date(2021, 4, 1), date(2021, 4, 30), 4500, "login"),
            ]
        ),
    )
    march = Campaign.objects.create(
        organisation=world.organisation,
        title="Marts",
        start=date(2021, 3, 1),
        end=date(2021, 3, 31),
        indicators=["digital_unique_users"],
    )
    (users,) = compare_campaign(march)
    assert (users.during, users.before, users.last_year) == (5000, 4000, None)
    spring = Campaign.objects.create(
        organisation=world.organisation,
        title="Forår",
        start=date(2021, 3, 1),
        end=date(2021, 4, 30),
        indicators=["digital_unique_users"],
    )
    (users,) = compare_campaign(spring)
    assert users.during is None  # March and April are never added up
