"""Teaching reach: pupils per month with gaps where no session is entered, and CSV and XLSX of
the page's tables."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from bibliotal.teaching.models import Course, Institution, TeachingSession
from tests.core.datapage_files import filename, read_csv, read_xlsx


@pytest.fixture
def taught(world):
    school = Institution.objects.create(
        organisation=world.organisation, name="Nordby Skole", kind="folkeskole", area_type="city"
    )
    Institution.objects.create(organisation=world.organisation, name="Sydby Skole")
    course = Course.objects.create(
        organisation=world.organisation,
        title="Søg smart",
        theme="digital",
        grade_levels=["8"],
        branch=world.north,
        published=True,
        capacity=30,
        contact_email="team@example.org",
    )
    for day, pupils in ((date(2021, 2, 1), 22), (date(2021, 2, 8), 20), (date(2020, 2, 3), 18)):
        TeachingSession.objects.create(
            course=course,
            day=day,
            branch=world.north,
            institution=school,
            class_name="8.b",
            grade="8",
            theme="digital",
            pupils_present=pupils,
        )


def test_months_without_sessions_are_missing_and_an_empty_year_has_no_pupils(client, world, taught):
    client.force_login(world.coordinator)
    response = client.get(reverse("teaching:reach"))
    assert response.context["year"] == 2021
    months = response.context["months"]
    assert (months[1]["sessions"], months[1]["pupils"], months[1]["last_year"]) == (2, 42, 18)
    assert months[0]["pupils"] is None and months[0]["sessions"] is None
    assert "08.02.2021" in response.context["coverage"]
    empty = client.get(reverse("teaching:reach"), {"year": 2023})
    assert empty.context["attendances"] is None and empty.context["unique"] is None
    assert empty.context["session_count"] is None
    assert "<dd>–</dd>" in empty.content.decode()


def test_the_csv_and_xlsx_hold_the_numbers_of_the_page(client, world, taught):
    client.force_login(world.coordinator)
    page = client.get(reverse("teaching:reach"), {"year": 2021})
    csv_file = client.get(reverse("teaching:reach"), {"year": 2021, "format": "csv"})
    assert filename(csv_file) == "undervisning-2021.csv"
    sections = read_csv(csv_file)
    monthly, facts, by_theme = sections[0], sections[1], sections[2]
    assert [r[2] for r in monthly["rows"][:12]] == [m["pupils"] for m in page.context["months"]]
    assert [r[1] for r in facts["rows"]] == [
        page.context["session_count"],
        page.context["attendances"],
        page.context["unique"],
    ]
    assert by_theme["rows"][0][1:] == [
        page.context["by_theme"][0]["sessions"],
        page.context["by_theme"][0]["pupils"],
    ]
    assert [r[0] for r in sections[-1]["rows"]] == [i.name for i in page.context["not_reached"]]
    sheets = read_xlsx(client.get(reverse("teaching:reach"), {"year": 2021, "format": "xlsx"}))
    assert len(sheets) == len(sections)
    assert sheets[0]["rows"][1][1:] == [2, 42, 18]
    assert sheets[0]["rows"][0][1:] == [None, None, None]
