"""The digital overview: missing months stay missing in the year's totals, the page opens on
the latest year with figures, and its CSV and XLSX hold every table of the page."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from bibliotal.digital.models import DigitalFigure, Platform, QuotaChange
from bibliotal.digital.periods import month_end
from tests.core.datapage_files import filename, read_csv, read_xlsx


def month(platform, metric, year, number, value, **fields):
    first = date(year, number, 1)
    return DigitalFigure.objects.create(
        platform=platform, metric=metric, start=first, end=month_end(first), value=value, **fields
    )


@pytest.fixture
def reported(world):
    ereolen = Platform.objects.create(
        organisation=world.organisation, name="eReolen", kind="ereolen"
    )
    month(ereolen, "loans", 2021, 1, 1200, material="ebook")
    month(ereolen, "loans", 2021, 2, 900, material="eaudiobook")
    month(ereolen, "loans", 2020, 1, 1000, material="ebook")
    month(ereolen, "unique_users", 2021, 1, 420, method="login")
    QuotaChange.objects.create(
        platform=ereolen, day=date(2021, 2, 1), quota_before=3, quota_after=5
    )
    return ereolen


def test_missing_months_are_not_zero_and_the_page_opens_on_their_year(client, world, reported):
    client.force_login(world.staff)
    response = client.get(reverse("digital:overview"))
    assert response.context["year"] == 2021
    assert response.context["months"][2]["total"] is None
    assert response.context["grand_total"] == 2100
    assert "28.02.2021" in response.context["coverage"]
    # The chart has the quota change and its months (a gap from March, never a 0).
    chart = response.context["chart"]
    assert chart.annotations and chart.rows[2][1] == "–"
    empty = client.get(reverse("digital:overview"), {"year": 2023})
    assert empty.context["grand_total"] is None and empty.context["totals"] == [None] * 4
    assert "28.02.2021" in empty.context["coverage"]


def test_the_csv_and_xlsx_hold_every_table_of_the_overview(client, world, reported):
    client.force_login(world.staff)
    page = client.get(reverse("digital:overview"), {"year": 2021})
    csv_file = client.get(reverse("digital:overview"), {"year": 2021, "format": "csv"})
    assert filename(csv_file) == "digitale-tilbud-2021.csv"
    sections = read_csv(csv_file)
    loans = sections[0]
    months = page.context["months"]
    assert [r[5] for r in loans["rows"][:12]] == [m["total"] for m in months]
    assert [r[6] for r in loans["rows"][:12]] == [m["last_year"] for m in months]
    assert loans["rows"][0][1] == 1200 and loans["rows"][2][1] is None
    assert loans["rows"][12][5] == page.context["grand_total"]
    unique = next(
        s
        for s in sections
        if s["rows"] and s["rows"][0][0] == "eReolen" and len(s["rows"][0]) == 17
    )
    assert unique["rows"][0][3] == 420 and unique["rows"][0][15] is None  # no year figure
    sheets = read_xlsx(client.get(reverse("digital:overview"), {"year": 2021, "format": "xlsx"}))
    assert len(sheets) == len(sections)
    assert [r[5] for r in sheets[0]["rows"][:12]] == [m["total"] for m in months]
    assert sheets[-1]["rows"][0][0].date() == date(2021, 2, 1)  # the quota change, a real date
