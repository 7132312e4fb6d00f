"""An hour far outside its sensor's normal is named before import and held out of the goals
until a person accepts or corrects it."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from bibliotal.core.models import AuditEntry
from bibliotal.goals import indicators
from bibliotal.goals.models import BudgetYear, FocusArea, Target
from bibliotal.visits.importers import import_counter_file
from bibliotal.visits.models import CounterReading, HeldHour, Sensor
from bibliotal.visits.plausibility import decide
from tests.conftest import weekly_schedule

START = date(2021, 10, 4)  # a Monday


@pytest.fixture
def counted(world):
    world.organisation.closed_on_public_holidays = False
    world.organisation.save()
    weekly_schedule(world.north, staffed=(time(10), time(18)))
    Sensor.objects.create(
        organisation=world.organisation, branch=world.north, name="Nord-1", rule="in"
    )
    return world


def csv(rows):
    lines = ["Dato;Tid;Tæller;Ind;Ud", *rows]
    return ("\n".join(lines) + "\n").encode("cp1252")


def weeks(first: date, count: int, *, per_hour=40, sensor="Nord-1", odd=None):
    """Hourly rows 10–17 for ``count`` weeks; ``odd`` maps (day, hour) to another count."""
    rows = []
    for offset in range(count * 7):
        day = first + timedelta(days=offset)
        for hour in range(10, 18):
            value = (odd or {}).get((day, hour), per_hour + (hour % 3) * 5)
            rows.append(f"{day:%d-%m-%Y};{hour:02d}:00;{sensor};{value};{value}")
    return rows


def load(world, data, filename="t.csv", **options):
    return import_counter_file(
        organisation=world.organisation, data=data, filename=filename, **options
    )


def visits(world, start=date(2021, 1, 1), end=date(2021, 12, 31)):
    provider = indicators.get("visits").provider
    return sum(
        v.value
        for v in provider.daily_values(
            organisation=world.organisation, start=start, end=end, branch_ids=None, measure=""
        )
    )


def held_out(world):
    return indicators.held_out(
        indicators.get("visits"),
        organisation=world.organisation,
        start=date(2021, 1, 1),
        end=date(2021, 12, 31),
        branch_ids=None,
        measure="attendances",
    )


def test_an_hour_of_999999_is_named_in_the_preview_and_moves_no_goal_until_accepted(counted):
    load(counted, csv(weeks(START, 5)), filename="history.csv")
    before = visits(counted)
    odd_day = START + timedelta(weeks=5, days=1)  # a Tuesday
    data = csv(weeks(START + timedelta(weeks=5), 1, odd={(odd_day, 14): 999999}))
    preview = load(counted, data, filename="november.csv", dry_run=True)
    assert CounterReading.objects.filter(starts_at__date__gte=odd_day).count() == 0
    [finding] = preview.held
    assert (finding.line, finding.column, finding.visits) == (14, "ind", Decimal(999999))
    with translation.override("en"):
        sentence = finding.sentence("november.csv")
    assert sentence.startswith("november.csv, line 14, column “ind”: Nord-1, Tuesday")
    assert "999,999 visits" in sentence and "above the ceiling of 3,600" in sentence
    assert "normally 50" in sentence

    result = load(counted, data, filename="november.csv")
    with translation.override("en"):
        assert "held out of the goals" in result.summary()
    week = 7 * (8 * 40 + 3 * 5 + 3 * 10 + 2 * 0)  # what the week adds without the odd hour
    assert visits(counted) == pytest.approx(before + week - 50 + 0)  # 999,999 left out
    assert held_out(counted) == [indicators.HeldOut(1, "visits:flags")]
    held = HeldHour.objects.get()
    assert (held.reason, held.line, held.filename) == ("ceiling", 14, "november.csv")

    decide(held=held, accept=True, user=counted.manager)
    assert visits(counted) == pytest.approx(before + week - 50 + 999999)
    assert held_out(counted) == []
    entry = AuditEntry.objects.filter(model="visits.HeldHour", action="update").get()
    assert entry.changes["decision"] == ["held", "accepted"]

    # The same file again changes nothing; a newer file with the same counts keeps the decision.
    assert load(counted, data, filename="november.csv").already_imported
    again = load(counted, data + b"\n", filename="november-2.csv")
    assert again.unchanged == 7 * 8 and again.held == []
    assert HeldHour.objects.get().decision == "accepted"


def test_a_corrected_hour_counts_as_corrected_with_the_original_kept(counted):
    load(counted, csv(weeks(START, 5)), filename="history.csv")
    odd_day = START + timedelta(weeks=5, days=2)
    load(counted, csv(weeks(START + timedelta(weeks=5), 1, odd={(odd_day, 11): 900})))
    held = HeldHour.objects.get()
    assert held.reason == "outlier" and held.normal == Decimal("50.0") and held.history == 5
    base = visits(counted)
    decide(held=held, accept=False, corrected="50", user=counted.manager)
    held.refresh_from_db()
    assert (held.visits, held.corrected_visits, held.decision) == (
        Decimal("900.0"),
        Decimal("50.0"),
        "corrected",
    )
    assert visits(counted) == pytest.approx(base + 50)
    assert CounterReading.objects.filter(count_in=900).exists()  # the counted value is kept


def test_a_new_sensor_with_one_week_is_checked_only_against_the_ceiling(counted):
    odd_day = START + timedelta(days=3)
    data = csv(weeks(START, 1, sensor="Ny-1", odd={(odd_day, 12): 900}))
    result = load(counted, data, branch=counted.north, rule="in", dry_run=True)
    assert result.held == [] and result.short_history == {"Ny-1": 56}
    ceiling = csv(weeks(START, 1, sensor="Ny-1", odd={(odd_day, 12): 9000}))
    assert [f.verdict.kind for f in load(counted, ceiling, branch=counted.north).held] == [
        "ceiling"
    ]


def test_the_review_page_accepts_and_corrects_and_the_goal_page_counts_what_is_held(
    client, counted
):
    load(counted, csv(weeks(START, 5)), filename="history.csv")
    odd = START + timedelta(weeks=5)
    load(counted, csv(weeks(odd, 1, odd={(odd, 12): 5000, (odd, 13): 4000})))
    year = BudgetYear.objects.create(organisation=counted.organisation, year=2021)
    area = FocusArea.objects.create(budget_year=year, title="Mødested")
    target = Target.objects.create(
        focus_area=area,
        source_text="Flere besøg",
        indicator="visits",
        kind="increase",
        baseline_year=2020,
    )
    client.force_login(counted.manager)
    page = client.get(reverse("goals:target_detail", args=[2021, target.pk]))
    assert page.context["held_out"] == [{"count": 2, "url": reverse("visits:flags")}]
    assert f'href="{reverse("visits:flags")}"' in page.content.decode()

    flags = reverse("visits:flags")
    assert "5.000" in client.get(flags).content.decode()  # Danish first
    first, second = HeldHour.objects.order_by("starts_at")
    assert client.post(flags, {"held": first.pk, "decision": "accept"}).status_code == 302
    response = client.post(flags, {"held": second.pk, "decision": "correct", "visits": "x"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.decision == "held"  # a word is no number: nothing changed
    client.post(flags, {"held": second.pk, "decision": "correct", "visits": "55"})
    second.refresh_from_db()
    assert (second.decision, second.corrected_visits) == ("corrected", Decimal(55))
    page = client.get(reverse("goals:target_detail", args=[2021, target.pk]))
    assert page.context["held_out"] == []
    # Staff may not decide; another organisation's manager finds nothing.
    client.force_login(counted.staff)
    assert client.post(flags, {"held": first.pk, "decision": "accept"}).status_code == 403
    client.force_login(counted.stranger)
    assert client.post(flags, {"held": first.pk, "decision": "accept"}).status_code == 404


def test_the_import_page_names_the_hour_in_danish_and_the_confirm_step_trusts_no_rule(
    client, counted
):
    load(counted, csv(weeks(START, 5)), filename="history.csv")
    odd = START + timedelta(weeks=5)
    data = csv(weeks(odd, 1, odd={(odd, 12): 999999}))
    client.force_login(counted.manager)
    url = reverse("visits:import")
    with translation.override("da"):
        preview = client.post(
            url,
            {"file": SimpleUploadedFile("nov.csv", data), "rule": "in"},
            HTTP_ACCEPT_LANGUAGE="da",
        )
    assert preview.status_code == 200
    assert len(preview.context["implausible"]) == 1
    assert HeldHour.objects.count() == 0  # nothing is written before the confirmation
    confirm = preview.context["confirm"]
    forged = client.post(url, {"confirm": "1", **confirm, "rule": "in+out"})
    assert forged.status_code == 404 and HeldHour.objects.count() == 0
    stashed = client.post(url, {"file": SimpleUploadedFile("nov.csv", data), "rule": "in"})
    done = client.post(url, {"confirm": "1", **stashed.context["confirm"]})
    assert done.status_code == 302 and HeldHour.objects.count() == 1


def test_the_visits_page_counts_what_the_goals_count_a_held_hour_left_out(client, counted):
    """The page reads the indicator's provider: the 999,999 held for review is not November's."""
    from bibliotal.visits.models import ManualCount

    load(counted, csv(weeks(START, 5)), filename="history.csv")
    odd_day = START + timedelta(weeks=5, days=1)
    load(counted, csv(weeks(START + timedelta(weeks=5), 1, odd={(odd_day, 14): 999999})))
    # A manual count of a day the counter counted: the counter's figure wins, as in the goals.
    ManualCount.objects.create(branch=counted.north, day=odd_day, visits=7)
    client.force_login(counted.manager)
    response = client.get(reverse("visits:overview"), {"year": 2021})
    months = {m["number"]: m["visits"] for m in response.context["months"]}
    assert sum(v for v in months.values() if v is not None) == pytest.approx(visits(counted))
    assert months[11] < 999999


def test_the_key_figures_day_totals_are_the_daily_values_added_up(counted):
    """The key figures let the database add the libraries up per day (``day_totals``): the same
    rule as ``daily_values``, a held hour left out, a counter's figure winning over a manual
    count of the same library-day and a manual count of a day no counter counted kept."""
    from bibliotal.visits.models import ManualCount

    load(counted, csv(weeks(START, 2)), filename="history.csv")
    odd_day = START + timedelta(weeks=2, days=1)
    load(counted, csv(weeks(START + timedelta(weeks=2), 1, odd={(odd_day, 14): 999999})))
    assert HeldHour.objects.count() == 1
    ManualCount.objects.create(branch=counted.north, day=odd_day, visits=7)
    ManualCount.objects.create(branch=counted.north, day=START - timedelta(days=1), visits=11)
    ManualCount.objects.create(branch=counted.south, day=odd_day, visits=5)
    indicator = indicators.get("visits")
    window = {"start": date(2021, 1, 1), "end": date(2021, 12, 31), "measure": "attendances"}
    added = indicators.added_up_daily_values(
        indicator.provider, organisation=counted.organisation, **window
    )
    totals = indicators.day_totals(indicator, organisation=counted.organisation, **window)
    assert totals.keys() == added.keys()
    for day, (value, estimated) in totals.items():
        assert (value, estimated) == pytest.approx(added[day])
    assert totals[START - timedelta(days=1)] == (11.0, 0.0)
    assert 5.0 < totals[odd_day][0] < 999999  # the south's manual 5 and the north's counted day
    assert len(totals) == 3 * 7 + 1
