"""Once a target's period is over it is achieved or not achieved: a result, never a forecast.

The engine on hand-made series first, then every place the status is shown: ``goals status``
(JSON and CSV), the API, the goal pages, the report page and every report format."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import date, time

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from bibliotal.goals import progress as P
from bibliotal.goals.indicators import DailyValue
from bibliotal.goals.models import BudgetYear, FocusArea, GoalSettings, Target, status_word
from bibliotal.reports import content, pdf, services
from tests.conftest import weekly_schedule
from tests.goals.conftest import FakeProvider, every_day
from tests.goals.conftest import target_spec as spec

# -- the engine ---------------------------------------------------------------------------------


def flat(year, value, *, end=None):
    """``value`` on every day of ``year`` (to ``end``), every day open."""
    days = [d for d in every_day(year) if end is None or d <= end]
    return P.Series(dict.fromkeys(days, value), dict.fromkeys(every_day(year), True))


def assert_no_forecast(result):
    assert (result.forecast, result.forecast_low, result.forecast_high) == (None, None, None)


def test_a_missed_target_is_not_achieved_once_the_year_is_over():
    result = P.compute(
        spec(), at=date(2021, 12, 31), current=flat(2021, 9), history={2020: flat(2020, 10)}
    )
    # 365 × 9 = 3,285 in 2021 against 366 × 10 = 3,660 in (leap) 2020.
    assert result.final
    assert (result.actual, result.target_value) == (3285.0, 3660.0)
    assert result.status == P.NOT_ACHIEVED
    assert_no_forecast(result)


def test_the_same_miss_before_the_year_is_out_is_still_off_track_with_a_forecast():
    result = P.compute(
        spec(), at=date(2021, 6, 30), current=flat(2021, 5), history={2020: flat(2020, 10)}
    )
    assert not result.final
    assert result.status == P.OFF_TRACK
    assert result.forecast is not None and result.forecast_low is not None


def test_an_achieved_target_keeps_its_result_and_shows_no_forecast():
    result = P.compute(
        spec(), at=date(2022, 3, 1), current=flat(2021, 11), history={2020: flat(2020, 10)}
    )
    assert (result.status, result.actual) == (P.ACHIEVED, 4015.0)
    assert_no_forecast(result)


def test_a_cap_exceeded_in_a_finished_year_is_not_achieved():
    cap = spec(kind=P.AT_MOST, threshold=3000, baseline_year=None)
    over = P.compute(cap, at=date(2021, 12, 31), current=flat(2021, 9))
    assert (over.status, over.actual) == (P.NOT_ACHIEVED, 3285.0)
    assert_no_forecast(over)
    # On 1 December the running total (335 × 9 = 3,015) is over the cap already: off track.
    running = P.compute(cap, at=date(2021, 12, 1), current=flat(2021, 9))
    assert running.status == P.OFF_TRACK


def test_a_finished_year_with_figures_only_to_november_is_judged_on_them_without_a_forecast():
    result = P.compute(
        spec(),
        at=date(2021, 12, 31),
        current=flat(2021, 9, end=date(2021, 11, 30)),
        history={2020: flat(2020, 10)},
    )
    assert result.final and result.data_through == date(2021, 11, 30)
    assert result.status == P.NOT_ACHIEVED
    assert_no_forecast(result)
    # Nothing about a forecast or its range for a year that is over.
    assert P.NOTE_SHORT_HISTORY not in result.notes
    assert P.NOTE_NO_ACTIVITY not in result.notes


def test_a_finished_year_with_nothing_but_zeros_is_not_achieved_and_talks_of_no_forecast():
    zeros = P.Series(dict.fromkeys(every_day(2021), 0.0))
    result = P.compute(
        spec(kind=P.AT_LEAST, threshold=100, baseline_year=None),
        at=date(2021, 12, 31),
        current=zeros,
    )
    assert result.status == P.NOT_ACHIEVED
    assert P.NOTE_NO_ACTIVITY not in result.notes
    assert_no_forecast(result)


def test_a_finished_rate_per_open_day_has_no_forecast_either():
    result = P.compute(
        spec(normalisation=P.PER_OPEN_DAY),
        at=date(2021, 12, 31),
        current=flat(2021, 9),
        history={2020: flat(2020, 10)},
    )
    assert (result.actual, result.target_value, result.status) == (9.0, 10.0, P.NOT_ACHIEVED)
    assert_no_forecast(result)


def test_the_status_words_cover_not_achieved(db):
    assert status_word(P.NOT_ACHIEVED) == "Ikke opfyldt"
    assert status_word(P.NOT_ACHIEVED, GoalSettings(word_not_achieved="Ikke nået")) == "Ikke nået"
    assert Target.Status(P.NOT_ACHIEVED).label == "Ikke opfyldt"


# -- every output -------------------------------------------------------------------------------


@pytest.fixture
def finished_2021(world, provide):
    """Two libraries open every day; visits 10 a day per library in 2020, 9 in 2021: the target
    "more visits than in 2020" is missed (6,570 against 7,320)."""
    world.organisation.closed_on_public_holidays = False
    world.organisation.save()
    for branch in (world.north, world.south):
        weekly_schedule(branch, staffed=(time(10), time(18)))
    daily = [
        DailyValue(branch.pk, day, 10.0 if year == 2020 else 9.0)
        for branch in (world.north, world.south)
        for year in (2020, 2021)
        for day in every_day(year)
    ]
    provide("visits", FakeProvider(daily))
    area = FocusArea.objects.create(
        budget_year=BudgetYear.objects.create(organisation=world.organisation, year=2021),
        title="Mødested",
    )
    return Target.objects.create(
        focus_area=area,
        indicator="visits",
        kind=Target.Kind.INCREASE,
        baseline_year=2020,
        source_text="Flere besøg end i 2020.",
    )


def status_command(world, *args):
    out = io.StringIO()
    call_command(
        "goals", "status", "2021", *args, "--organisation", world.organisation.name, stdout=out
    )
    return out.getvalue()


def test_goals_status_json_gives_the_missed_year_as_not_achieved_without_forecast(
    world, finished_2021
):
    [row] = json.loads(status_command(world, "--format", "json"))
    assert (row["status"], row["computed_status"]) == ("not_achieved", "not_achieved")
    assert (row["actual"], row["target_value"]) == (6570.0, 7320.0)
    assert (row["forecast"], row["forecast_low"], row["forecast_high"]) == (None, None, None)


def test_goals_status_csv_leaves_the_forecast_of_a_finished_year_empty(world, finished_2021):
    [row] = list(csv.DictReader(io.StringIO(status_command(world, "--format", "csv"))))
    assert row["status"] == "not_achieved"
    assert (row["forecast"], row["forecast_low"], row["forecast_high"]) == ("", "", "")
    assert row["target_value"] == "7320.0"


def test_the_api_gives_not_achieved_and_no_forecast(client, world, finished_2021):
    client.force_login(world.staff)
    [row] = client.get("/api/v1/goals/2021/status", {"at": "2021-12-31"}).json()
    assert row["status"] == "not_achieved"
    assert row["forecast"] is row["forecast_low"] is row["forecast_high"] is None
    schema = client.get("/api/v1/openapi.json").json()
    status = schema["components"]["schemas"]["TargetStatusOut"]["properties"]["status"]
    assert "not_achieved" in status["description"]
    client.force_login(world.outsider)
    assert client.get("/api/v1/goals/2021/status").status_code == 403


def test_the_overview_and_the_goal_page_say_not_achieved_and_show_no_forecast(
    client, world, finished_2021
):
    client.force_login(world.staff)
    overview = client.get(reverse("goals:year_detail", args=[2021]), {"at": "2021-12-31"})
    text = overview.content.decode()
    assert '<span class="badge status-not_achieved">Ikke opfyldt</span>' in text
    assert "Ikke på rette vej" not in text
    assert "Prognose" not in text  # no forecast column when every target's period is over
    page = client.get(reverse("goals:target_detail", args=[2021, finished_2021.pk]))
    text = page.content.decode()
    assert '<span class="badge status-not_achieved">Ikke opfyldt</span>' in text
    assert "Prognose for året" not in text and "80 %-interval" not in text
    client.force_login(world.outsider)
    assert client.get(reverse("goals:year_detail", args=[2021])).status_code == 403


def test_the_not_achieved_badge_has_its_own_style_like_off_track():
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("bibliotal/app.css")).read_text(encoding="utf-8")
    assert ".status-not_achieved { color: var(--bad); }" in css


def test_the_report_page_says_not_achieved_without_a_forecast_column(client, world, finished_2021):
    client.force_login(world.staff)
    response = client.get(reverse("reports:report_detail", args=[2021]), {"at": "2021-12-31"})
    text = response.content.decode()
    assert '<span class="badge status-not_achieved">Ikke opfyldt</span>' in text
    assert "Prognose" not in text
    assert response.context["summary_columns"][-1] == "Status"
    client.force_login(world.outsider)
    assert client.get(reverse("reports:report_detail", args=[2021])).status_code == 403


def test_every_report_format_gives_the_finished_year_without_a_forecast(world, finished_2021):
    made = {
        format: services.make_report(
            organisation=world.organisation, year=2021, format=format, at=date(2021, 12, 31)
        )
        for format in ("csv", "xlsx", "docx")
    }
    [row] = list(csv.DictReader(io.StringIO(made["csv"].data.decode("utf-8-sig")), delimiter=";"))
    assert (row["Statusnøgle"], row["Status"]) == ("not_achieved", "Ikke opfyldt")
    assert row["Prognose"] == row["Prognose, lav (80 %)"] == row["Prognose, høj (80 %)"] == ""

    sheet = openpyxl.load_workbook(io.BytesIO(made["xlsx"].data))["Sammendrag"]
    header = [cell.value for cell in sheet[4]]
    values = [cell.value for cell in sheet[5]]
    assert values[header.index("Statusnøgle")] == "not_achieved"
    assert values[header.index("Status")] == "Ikke opfyldt"
    assert values[header.index("Prognose")] is None

    document = Document(io.BytesIO(made["docx"].data))
    summary = document.tables[0]
    assert [c.text for c in summary.rows[0].cells] == [
        "Måltal",
        "Resultat",
        "Målværdi",
        "Status",
        "Kommentar",
    ]
    assert summary.rows[1].cells[-2].text == "Ikke opfyldt"
    figures = [row.cells[0].text for row in document.tables[1].rows]
    assert "Prognose for året" not in figures
    status_runs = [run for p in document.paragraphs for run in p.runs if run.text == "Ikke opfyldt"]
    assert status_runs and str(status_runs[0].font.color.rgb) == "A1260D"
    assert not any("Prognose" in p.text for p in document.paragraphs)


def test_the_pdf_gets_not_achieved_with_its_colour_and_no_forecast(world, finished_2021, tmp_path):
    from django.utils import translation

    with translation.override("da"):
        report = content.build_report(
            organisation=world.organisation, year=2021, at=date(2021, 12, 31), language="da"
        )
        data = pdf.document_data(report)
    assert "Prognose" not in data["summary"]["columns"]
    [summary] = data["summary"]["rows"]
    assert (summary["status"], summary["status_label"]) == ("not_achieved", "Ikke opfyldt")
    [target] = data["areas"][0]["targets"]
    assert "Prognose for året" not in [label for label, _value in target["figures"]]
    assert "80" not in target["chart_description"]  # no forecast wedge to describe
    assert 'not_achieved: rgb("#a1260d")' in pdf.TEMPLATE.read_text(encoding="utf-8")
    if shutil.which("pdftotext") is None:
        return  # the text of the typeset PDF needs poppler-utils (.ci/run installs it)
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.render(report))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Ikke opfyldt" in text
    assert "Prognose" not in text and "Ikke på rette vej" not in text


def test_the_organisations_word_for_not_achieved_is_set_on_the_status_words_page(
    client, world, finished_2021
):
    url = reverse("reports:settings_edit")
    client.force_login(world.staff)
    assert client.get(url).status_code == 403
    client.force_login(world.manager)
    page = client.get(url).content.decode()
    assert 'name="word_not_achieved"' in page and "ord for ikke opfyldt" in page.lower()
    response = client.post(
        url, {"word_not_achieved": "Målet er ikke nået", "at_risk_ratio": "0.95"}
    )
    assert response.status_code == 302
    assert GoalSettings.objects.get(organisation=world.organisation).word_not_achieved == (
        "Målet er ikke nået"
    )
    report = client.get(reverse("reports:report_detail", args=[2021]), {"at": "2021-12-31"})
    assert "Målet er ikke nået" in report.content.decode()
    made = services.make_report(
        organisation=world.organisation, year=2021, format="csv", at=date(2021, 12, 31)
    )
    assert "Målet er ikke nået" in made.data.decode("utf-8-sig")


def test_suggested_facts_for_a_finished_target_speak_of_the_result_not_a_forecast(
    world, finished_2021
):
    entry = content.target_entry(finished_2021, at=date(2021, 12, 31))
    assert entry.facts[0] == "Resultat i 2021: 6.570 besøg mod et måltal på 7.320."
    assert entry.facts[-1] == "Status: Ikke opfyldt."
    assert not any("Prognose" in fact or "prognose" in fact for fact in entry.facts)
    assert not any("prognose" in line for line in entry.provenance)


def test_a_mid_year_report_shows_no_forecast_for_a_target_whose_period_is_over(
    world, finished_2021
):
    first_quarter = Target.objects.create(
        focus_area=finished_2021.focus_area,
        indicator="visits",
        kind=Target.Kind.AT_LEAST,
        threshold=2000,
        period_start=date(2021, 1, 1),
        period_end=date(2021, 3, 31),
    )
    report = content.build_report(
        organisation=world.organisation,
        year=2021,
        at=date(2021, 6, 30),
        language="da",
        charts=False,
    )
    entries = {entry.target.pk: entry for entry in report.entries}
    quarter, year = entries[first_quarter.pk], entries[finished_2021.pk]
    assert "Prognose" in content.summary_columns(report)  # the year's target still runs
    # 90 days × 2 × 9 = 1,620, short of 2,000 when the quarter ended: a result, no forecast.
    assert quarter.row["status"] == "not_achieved"
    assert content.summary_row(report, quarter)[-2:] == ["", "Ikke opfyldt"]
    assert "Prognose for året" not in [label for label, _v in content.figure_rows(quarter)]
    assert not any("Prognose" in fact for fact in quarter.facts)
    assert content.summary_row(report, year)[-2] not in ("", "–")


def test_a_manager_may_set_not_achieved_by_hand(world, finished_2021):
    finished_2021.status_override = Target.Status.NOT_ACHIEVED
    finished_2021.override_reason = "Optællingen i Syd var forkert"
    finished_2021.full_clean()
    finished_2021.save()
    out = io.StringIO()
    call_command(
        "goals",
        "status",
        "2021",
        "--at",
        "2021-06-30",
        "--format",
        "json",
        "--organisation",
        world.organisation.name,
        stdout=out,
    )
    [row] = json.loads(out.getvalue())
    assert row["status"] == "not_achieved" and row["computed_status"] != "not_achieved"
