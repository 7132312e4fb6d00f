"""Guidance per period: a month chart with gaps, the latest year with guidance first, and CSV
and XLSX of the table the page shows, with the same filters."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from bibliotal.guidance.models import GuidanceRecord
from tests.core.datapage_files import filename, read_csv, read_xlsx


@pytest.fixture
def counted(world, desk, topics):
    topic = next(iter(topics.values()))
    for n, (day, count) in enumerate(
        ((date(2021, 4, 6), 3), (date(2021, 4, 20), 2), (date(2020, 4, 7), 5))
    ):
        GuidanceRecord.objects.create(
            branch=world.north,
            service_point=desk,
            topic=topic,
            occurred_at=timezone.make_aware(datetime.combine(day, time(12))),
            day=day,
            count=count,
            source="typed",
            idempotency_key=f"k-{n}",
        )
    return topic


def test_the_summary_opens_on_the_latest_year_with_guidance(client, world, counted):
    client.force_login(world.manager)
    response = client.get(reverse("guidance:summary"))
    assert response.context["params"]["start"] == date(2021, 1, 1)
    assert response.context["rows"] == [{"cells": ["04/2021"], "total": 5}]
    assert response.context["chart_year"] == 2021
    assert response.context["this_year"][3] == 5 and response.context["last_year"][3] == 5
    assert response.context["this_year"][0] is None  # no guidance in January: "–", not 0
    assert "20.04.2021" in response.context["coverage"]
    empty = client.get(
        reverse("guidance:summary"),
        {"start": "2023-01-01", "end": "2023-12-31", "group_by": ["month"]},
    )
    assert empty.context["total"] is None and empty.context["chart"] is None
    assert "20.04.2021" in empty.context["coverage"]


def test_the_csv_and_xlsx_hold_the_table_and_the_months_with_the_same_filters(
    client, world, counted
):
    client.force_login(world.manager)
    query = {"start": "2021-01-01", "end": "2021-12-31", "group_by": ["month", "topic"]}
    page = client.get(reverse("guidance:summary"), query)
    assert "group_by=topic" in page.context["downloads"]["csv"]
    csv_file = client.get(reverse("guidance:summary"), {**query, "format": "csv"})
    assert filename(csv_file) == "vejledning-2021-01-01-2021-12-31.csv"
    table, months = read_csv(csv_file)
    assert table["rows"][0] == ["04/2021", counted.name, 5]
    assert table["rows"][-1][-1] == page.context["total"]
    assert [r[1] for r in months["rows"][:12]] == page.context["this_year"]
    assert [r[2] for r in months["rows"][:12]] == page.context["last_year"]
    sheets = read_xlsx(client.get(reverse("guidance:summary"), {**query, "format": "xlsx"}))
    assert sheets[0]["rows"][0] == ["04/2021", counted.name, 5]
    assert sheets[1]["rows"][3][1:] == [5, 5]
    assert sheets[1]["rows"][0][1:] == [None, None]
