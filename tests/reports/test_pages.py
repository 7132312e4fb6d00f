"""The report page, its downloads, the comment with suggested facts, the status words and the
API: who may do what, and what they get."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from bibliotal.core.models import AuditEntry
from bibliotal.goals.indicators import DailyValue
from bibliotal.goals.models import BudgetYear, FocusArea, GoalSettings, Target
from tests.goals.conftest import FakeProvider, every_day

ORDER = ["staff", "coordinator", "manager", "administrator"]


@pytest.fixture
def year_2021(world, provide):
    """Guidance of 150 a day on every day of 2020 and 2021 at the north library: at least
    45,000 in 2021."""
    provide(
        "guidance",
        FakeProvider(
            DailyValue(world.north.pk, day, 150.0, 15.0 if day.month == 1 else 0.0)
            for year in (2020, 2021)
            for day in every_day(year)
        ),
    )
    budget_year = BudgetYear.objects.create(organisation=world.organisation, year=2021)
    area = FocusArea.objects.create(
        budget_year=budget_year,
        title="Borgerne får hjælp",
        challenge="Mange borgere har brug for hjælp.",
        goal_text="Personalet vejleder borgerne mindst 45.000 gange.",
        ways="Vejledning i IT-caféen.",
    )
    return Target.objects.create(
        focus_area=area,
        indicator="guidance",
        kind=Target.Kind.AT_LEAST,
        threshold=45000,
        source_text="Personalet vejleder borgerne mindst 45.000 gange.",
    )


def test_everyone_in_the_organisation_sees_the_report_page(client, world, year_2021):
    url = reverse("reports:report_detail", args=[2021])
    for who in ORDER:
        client.force_login(getattr(world, who))
        response = client.get(url)
        assert response.status_code == 200, who
        text = response.content.decode()
        assert "Målopfølgning 2021" in text
        assert "Vejledning: mindst 45.000" in text
        assert "54.750" in text  # 365 days × 150
        assert "Opfyldt" in text
        assert ("Skriv kommentaren" in text) == (ORDER.index(who) >= ORDER.index("manager"))
    client.force_login(world.outsider)
    assert client.get(url).status_code == 403
    client.force_login(world.stranger)  # another organisation sees its own (empty) year
    assert "Vejledning: mindst 45.000" not in client.get(url).content.decode()
    client.logout()
    assert client.get(url).status_code == 302


def test_the_index_opens_the_latest_budget_year(client, world, year_2021):
    client.force_login(world.staff)
    response = client.get(reverse("reports:report_index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:report_detail", args=[2021])


def test_the_page_shows_the_statistics_for_danmarks_statistik(client, world, year_2021):
    client.force_login(world.staff)
    text = client.get(reverse("reports:report_detail", args=[2021])).content.decode()
    assert "Statistik til Danmarks Statistik 2021" in text
    assert "Vejledninger (referencespørgsmål)" in text
    assert "heraf 465 skønnet" in text  # 31 January days × 15


@pytest.mark.parametrize(
    ("format", "start"),
    [("pdf", b"%PDF-"), ("docx", b"PK"), ("xlsx", b"PK"), ("csv", "\ufeff".encode())],
)
def test_a_download_button_gives_the_file_with_its_name(client, world, year_2021, format, start):
    client.force_login(world.staff)
    response = client.get(
        reverse("reports:report_download", args=[2021]),
        {"format": format, "at": "2021-06-30", "lang": "da"},
    )
    assert response.status_code == 200
    assert response.content.startswith(start)
    assert response["Content-Disposition"] == (
        f'attachment; filename="maalopfoelgning-testrup-bibliotekerne-2021-2021-06-30.{format}"'
    )


def test_the_statistics_download_in_english(client, world, year_2021):
    client.force_login(world.staff)
    response = client.get(
        reverse("reports:statistics_download", args=[2021]), {"format": "xlsx", "lang": "en"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["2021"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["guidance"][1] == "Guidance (reference questions)"
    assert rows["guidance"][4] == 54750
    assert rows["guidance"][5] == 465


def test_a_manager_adds_the_suggested_facts_and_saves_the_comment(client, world, year_2021):
    url = reverse("reports:comment_edit", args=[2021, year_2021.pk])
    client.force_login(world.coordinator)
    assert client.get(url).status_code == 403
    client.force_login(world.manager)
    page = client.get(url, {"at": "2021-12-31"}).content.decode()
    assert "Fakta du kan bygge på" in page
    assert "Resultat i 2021: 54.750 vejledninger mod et måltal på 45.000." in page
    suggested = client.post(url, {"comment": "Flot år.", "use_facts": "1"})
    assert suggested.status_code == 200
    comment = suggested.context["form"].initial["comment"]
    assert comment.startswith("Flot år.\n\nResultat i 2021: 54.750 vejledninger")
    year_2021.refresh_from_db()
    assert year_2021.comment == ""  # nothing is saved until she saves
    saved = client.post(url, {"comment": comment})
    assert saved.status_code == 302
    year_2021.refresh_from_db()
    assert year_2021.comment == comment
    entry = AuditEntry.objects.filter(action="update", object_id=str(year_2021.pk)).latest("pk")
    assert entry.actor == world.manager


def test_a_target_of_another_organisation_cannot_be_commented(client, world, year_2021):
    client.force_login(world.stranger)
    url = reverse("reports:comment_edit", args=[2021, year_2021.pk])
    assert client.get(url).status_code == 404


def test_a_manager_sets_the_status_words_the_report_uses(client, world, year_2021):
    url = reverse("reports:settings_edit")
    client.force_login(world.coordinator)
    assert client.get(url).status_code == 403
    client.force_login(world.manager)
    assert client.get(url).status_code == 200
    assert not GoalSettings.objects.exists()  # looking changes nothing
    bad = client.post(url, {"at_risk_ratio": "2"})
    assert bad.status_code == 200 and not GoalSettings.objects.exists()
    done = client.post(url, {"word_achieved": "Målet er opfyldt", "at_risk_ratio": "0.9"})
    assert done.status_code == 302
    text = client.get(reverse("reports:report_detail", args=[2021])).content.decode()
    assert "Målet er opfyldt" in text


def test_a_year_without_goals_says_so(client, world):
    client.force_login(world.manager)
    text = client.get(reverse("reports:report_detail", args=[2019])).content.decode()
    assert "Der er ingen budgetmål for 2019." in text


def test_the_api_serves_the_report_and_the_statistics(client, world, year_2021):
    client.force_login(world.staff)
    response = client.get("/api/v1/reports/2021", {"format": "csv", "at": "2021-06-30"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "guidance" in text and "Vejledning" in text
    english = client.get("/api/v1/reports/2021", {"format": "csv", "lang": "en"})
    assert "Indicator key" in english.content.decode("utf-8-sig")
    stats = client.get("/api/v1/reports/2021/statistics", {"format": "csv"})
    assert stats.status_code == 200 and "visitors" in stats.content.decode("utf-8-sig")
    assert client.get("/api/v1/reports/2021", {"format": "odt"}).status_code == 422
    client.force_login(world.outsider)
    assert client.get("/api/v1/reports/2021").status_code == 403


def test_the_report_per_a_mid_year_date_counts_to_that_date(world, year_2021):
    from bibliotal.reports import content

    report = content.build_report(
        organisation=world.organisation, year=2021, at=date(2021, 6, 30), language="da"
    )
    entry = report.entries[0]
    assert entry.row["actual"] == 181 * 150
    assert not entry.final and entry.forecast_text
    assert report.subtitle == "Status pr. 30. juni 2021, med prognoser for året"


def test_a_date_outside_the_budget_years_is_not_a_crash(client, world, year_2021):
    client.force_login(world.staff)
    page = client.get(reverse("reports:report_detail", args=[2021]), {"at": "0001-01-01"})
    assert page.status_code == 200
    assert client.get("/api/v1/reports/2021", {"at": "0001-01-01"}).status_code == 422


def test_facts_without_figures_say_why(world, year_2021, provide):
    from bibliotal.reports import content

    provide("guidance", FakeProvider())
    entry = content.target_entry(year_2021, at=date(2021, 12, 31))
    assert entry.facts == [
        "Der er endnu ikke registreret tal for perioden.",
        "Målværdien er 45.000 vejledninger.",  # the threshold is known without figures
    ]
