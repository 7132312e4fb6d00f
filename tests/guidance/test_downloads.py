"""Guidance per period: a table of topics (or service points, libraries, channels) by month with
row and column totals, a month chart with gaps, the latest year with guidance first, and CSV and
XLSX of the table the page shows, with the same filters."""

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
    table = response.context["table"]
    assert len(table["months"]) == 12
    assert table["rows"] == [
        {"label": counted.name, "cells": [None, None, None, 5, *[None] * 8], "total": 5}
    ]
    assert table["columns"][3] == 5 and table["columns"][0] is None and table["total"] == 5
    assert response.context["chart_year"] == 2021
    assert response.context["this_year"][3] == 5 and response.context["last_year"][3] == 5
    assert response.context["this_year"][0] is None  # no guidance in January: "–", not 0
    assert "20.04.2021" in response.context["coverage"]
    empty = client.get(
        reverse("guidance:summary"), {"start": "2023-01-01", "end": "2023-12-31", "rows": "topic"}
    )
    assert empty.context["total"] is None and empty.context["chart"] is None
    assert "20.04.2021" in empty.context["coverage"]


def test_the_table_has_a_row_per_topic_and_a_column_per_month_with_totals(
    client, world, desk, south_desk, topics
):
    def add(point, topic, day, count, key):
        GuidanceRecord.objects.create(
            branch=point.branch,
            service_point=point,
            topic=topics[topic],
            occurred_at=timezone.make_aware(datetime.combine(day, time(12))),
            day=day,
            count=count,
            source="typed",
            idempotency_key=key,
        )

    add(desk, "Medier", date(2021, 1, 5), 4, "a")
    add(desk, "Medier", date(2021, 2, 5), 1, "b")
    add(south_desk, "Andet", date(2021, 2, 9), 2, "c")
    client.force_login(world.manager)
    client.cookies["django_language"] = "en"
    query = {"start": "2021-01-01", "end": "2021-03-31"}
    page = client.get(reverse("guidance:summary"), {**query, "rows": "topic"})
    table = page.context["table"]
    assert table["month_labels"] == ["Jan 2021", "Feb 2021", "Mar 2021"]
    # Topics in their order on the tally page (Medier before Andet), a month without any is "–".
    assert [(r["label"], r["cells"], r["total"]) for r in table["rows"]] == [
        ("Medier", [4, 1, None], 5),
        ("Andet", [None, 2, None], 2),
    ]
    assert (table["columns"], table["total"]) == ([4, 3, None], 7)
    html = page.content.decode()
    assert "<tfoot>" in html and 'name="start" value="2021-01-01"' in html
    by_point = client.get(reverse("guidance:summary"), {**query, "rows": "service_point"})
    assert [r["label"] for r in by_point.context["table"]["rows"]] == [
        "Skranken (Nord Bibliotek)",
        "Skranken (Syd Bibliotek)",
    ]
    by_channel = client.get(reverse("guidance:summary"), {**query, "rows": "channel"})
    assert [r["label"] for r in by_channel.context["table"]["rows"]] == ["In person"]


def test_the_csv_and_xlsx_hold_the_table_and_the_months_with_the_same_filters(
    client, world, counted
):
    client.force_login(world.manager)
    query = {"start": "2021-01-01", "end": "2021-12-31", "rows": "service_point"}
    page = client.get(reverse("guidance:summary"), query)
    assert "rows=service_point" in page.context["downloads"]["csv"]
    assert 'href="' + page.context["downloads"]["csv"].replace("&", "&amp;") in (
        page.content.decode()
    )
    csv_file = client.get(reverse("guidance:summary"), {**query, "format": "csv"})
    assert filename(csv_file) == "vejledning-2021-01-01-2021-12-31.csv"
    table, months = read_csv(csv_file)
    assert table["headings"][0] == "Betjeningssted" and table["headings"][-1] == "I alt"
    assert table["headings"][4] == "apr. 2021"
    assert table["rows"][0] == ["Skranken (Nord Bibliotek)", *[None] * 3, 5, *[None] * 8, 5]
    assert table["rows"][-1] == ["I alt", *[None] * 3, 5, *[None] * 8, 5]
    assert [r[1] for r in months["rows"][:12]] == page.context["this_year"]
    assert [r[2] for r in months["rows"][:12]] == page.context["last_year"]
    sheets = read_xlsx(client.get(reverse("guidance:summary"), {**query, "format": "xlsx"}))
    assert sheets[0]["rows"][0] == ["Skranken (Nord Bibliotek)", *[None] * 3, 5, *[None] * 8, 5]
    assert sheets[1]["rows"][3][1:] == [5, 5]
    assert sheets[1]["rows"][0][1:] == [None, None]
