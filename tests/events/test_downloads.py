"""The events report: participants per month with gaps where no attendance is entered, the
latest year with attendance first, and CSV and XLSX of every table the page shows."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from bibliotal.events.models import EventOccurrence
from tests.core.datapage_files import filename, read_csv, read_xlsx


def held(world, day, attendance=None, **fields):
    return EventOccurrence.objects.create(
        organisation=world.organisation,
        title="Bogcafé",
        starts_at=timezone.make_aware(datetime.combine(day, time(19))),
        branch=world.north,
        attendance_total=attendance,
        **fields,
    )


@pytest.fixture
def events(world):
    from datetime import date

    held(world, date(2021, 3, 4), 40, audience="adults")
    held(world, date(2021, 3, 18), 25, audience="children")
    held(world, date(2021, 5, 6))  # held, attendance not entered
    held(world, date(2020, 3, 5), 30)
    held(world, date(2021, 6, 1), 500, organiser="outside_hirer")  # never counted


def test_a_month_without_attendance_is_missing_and_the_page_opens_on_its_year(
    client, world, events
):
    client.force_login(world.coordinator)
    response = client.get(reverse("events:report"))
    assert response.context["year"] == 2021  # the latest year with attendance
    months = response.context["months"]
    assert months[2] == {
        "number": 3,
        "name": "marts",
        "held": 2,
        "without_attendance": 0,
        "participants": 65,
        "last_year": 30,
    }
    assert months[4]["held"] == 1 and months[4]["participants"] is None  # not entered: "–"
    assert months[0]["held"] is None and months[0]["participants"] is None
    assert "18.03.2021" in response.context["coverage"]
    empty = client.get(reverse("events:report"), {"year": 2024})
    assert empty.context["dst"]["participants"] is None  # not 0
    assert "18.03.2021" in empty.context["coverage"]


def test_the_csv_and_xlsx_hold_the_tables_of_the_page(client, world, events):
    client.force_login(world.coordinator)
    page = client.get(reverse("events:report"), {"year": 2021})
    csv_file = client.get(reverse("events:report"), {"year": 2021, "format": "csv"})
    assert filename(csv_file) == "arrangementer-2021.csv"
    monthly, facts, by_type, by_audience = read_csv(csv_file)
    for month, row in zip(page.context["months"], monthly["rows"], strict=False):
        assert row[1:] == [
            month["held"],
            month["without_attendance"],
            month["participants"],
            month["last_year"],
        ]
    assert monthly["rows"][12][1:] == [3, 1, 65, 30]  # the year: figures there are, added up
    assert [r[1] for r in facts["rows"]] == [
        page.context["dst"]["events"],
        page.context["dst"]["participants"],
        page.context["dst"]["without_attendance"],
    ]
    assert [r[0] for r in by_type["rows"]] == [str(r["label"]) for r in page.context["by_type"]]
    assert {r[0]: r[2] for r in by_audience["rows"]} == {
        str(r["label"]): r["people"] for r in page.context["by_audience"]
    }
    sheets = read_xlsx(client.get(reverse("events:report"), {"year": 2021, "format": "xlsx"}))
    assert len(sheets) == 4
    assert [r[3] for r in sheets[0]["rows"][:12]] == [
        m["participants"] for m in page.context["months"]
    ]
    assert sheets[3]["rows"][0][1:] == [
        page.context["by_audience"][0]["events"],
        page.context["by_audience"][0]["people"],
        page.context["by_audience"][0]["average"],
    ]


def test_staff_may_not_download_the_report(client, world, events):
    client.force_login(world.staff)
    assert client.get(reverse("events:report"), {"format": "csv"}).status_code == 403
