"""The visits page: missing months are "–", rates divide by the counted open days only, the page
opens on the latest year with counts, and its CSV and XLSX hold exactly the page's table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from bibliotal.visits.models import DailyVisits, ManualCount, Sensor
from tests.conftest import weekly_schedule
from tests.core.datapage_files import filename, read_csv, read_xlsx


@pytest.fixture
def one_counted_day(world):
    """Nord is open every day; one day of November 2021 is counted, March 2020 by hand."""
    world.organisation.closed_on_public_holidays = False
    world.organisation.save()
    weekly_schedule(world.north)
    gate = Sensor.objects.create(
        organisation=world.organisation, branch=world.north, name="Nord-1", rule="half"
    )
    DailyVisits.objects.create(
        sensor=gate, branch=world.north, day=date(2021, 11, 10), visits=Decimal(16675), rule="half"
    )
    DailyVisits.objects.create(
        sensor=gate,
        branch=world.north,
        day=date(2021, 10, 4),
        visits=Decimal(100),
        rule="half",
        estimated=True,
    )
    ManualCount.objects.create(branch=world.north, day=date(2020, 3, 2), visits=40)
    return gate


def test_one_counted_day_is_not_spread_over_the_open_days_of_its_month(
    client, world, one_counted_day
):
    client.force_login(world.staff)
    response = client.get(reverse("visits:overview"), {"year": 2021, "branch": world.north.pk})
    months = response.context["months"]
    november = months[10]
    assert november["visits"] == 16675 and november["open_days"] == 30
    assert november["days_with_figures"] == 1
    assert november["per_open_day"] == 16675  # one day's count over its one counted day
    assert november["partly"]
    # A month without counts is missing, not zero: no visits, no rate, no estimated share.
    january = months[0]
    assert january["visits"] is None and january["per_open_day"] is None
    assert january["estimated_share"] is None and january["last_year"] is None
    assert months[2]["last_year"] == 40  # March 2020 by hand
    page = response.content.decode()
    assert '<th scope="row">januar</th><td>–</td><td>–</td><td>31</td>' in page
    assert "<td>16.675</td>" in page
    assert response.context["total"] == 16775 and response.context["total_last"] == 40


def test_a_year_without_counts_sums_to_missing_not_zero(client, world, one_counted_day):
    client.force_login(world.staff)
    response = client.get(reverse("visits:overview"), {"year": 2023})
    assert response.context["total"] is None
    assert all(
        m["visits"] is None and m["per_open_day"] is None for m in response.context["months"]
    )
    assert response.context["chart"] is None  # neither 2023 nor 2022 has a count
    assert "10.11.2021" in response.context["coverage"]  # where the figures end


def test_the_page_opens_on_the_latest_year_with_counts_and_says_where_they_end(
    client, world, one_counted_day
):
    client.force_login(world.staff)
    response = client.get(reverse("visits:overview"))
    assert response.context["year"] == 2021
    assert "2021" in response.context["coverage"] and "10.11.2021" in response.context["coverage"]
    # The download links pin the year the page chose, so the file is what the page shows.
    assert "year=2021" in response.context["downloads"]["csv"]
    assert "format=xlsx" in response.context["downloads"]["xlsx"]


def test_the_csv_and_xlsx_hold_the_numbers_the_page_shows(client, world, one_counted_day):
    client.force_login(world.staff)
    query = {"year": 2021, "branch": world.north.pk}
    page = client.get(reverse("visits:overview"), query)
    months = page.context["months"]

    csv_file = client.get(reverse("visits:overview"), {**query, "format": "csv"})
    assert filename(csv_file) == "besoeg-2021-nord-bibliotek.csv"
    [table] = read_csv(csv_file)
    headings, rows = table["headings"], table["rows"]
    assert len(headings) == 11 and len(rows) == 13  # twelve months and the year
    for month, row in zip(months, rows, strict=False):
        assert row[1] == month["visits"]
        assert row[2] == month["last_year"]
        assert row[3] == month["open_days"]
        assert row[4] == month["days_with_figures"]
        assert row[6] == (
            None if month["per_open_day"] is None else round(month["per_open_day"], 2)
        )
    assert rows[0][1] is None  # January: an empty cell, not 0
    assert rows[9][10] == 100  # October: all of it estimated, in per cent
    assert rows[12][1] == page.context["total"]

    xlsx = client.get(reverse("visits:overview"), {**query, "format": "xlsx"})
    assert filename(xlsx) == "besoeg-2021-nord-bibliotek.xlsx"
    [sheet] = read_xlsx(xlsx)
    assert "2021" in sheet["title"] and "Nord Bibliotek" in sheet["title"]
    assert "2021" in sheet["period"] and "10.11.2021" in sheet["period"]
    assert sheet["provenance"]
    assert sheet["headings"] == headings
    assert [r[1] for r in sheet["rows"][:12]] == [m["visits"] for m in months]
    assert sheet["rows"][10][6] == 16675  # per open day: a number, not text
    assert sheet["rows"][9][10] == 1  # the share as a share, formatted as per cent
    assert sheet["rows"][0][1] is None


def test_downloads_are_for_those_who_may_see_the_page(client, world, one_counted_day):
    client.force_login(world.outsider)
    assert client.get(reverse("visits:overview"), {"format": "csv"}).status_code == 403
