"""Progress, fair comparison and year-end forecasts, on figures computed by hand."""

import json
import math
import random
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from bibliotal.core.models import Closure
from bibliotal.goals import progress
from bibliotal.goals.indicators import DailyValue, PeriodValue
from bibliotal.goals.models import BudgetYear, FocusArea, Target
from bibliotal.goals.reporting import status_rows
from tests.conftest import weekly_schedule
from tests.goals.conftest import FakeProvider, every_day


@pytest.fixture
def herning_like(world, provide):
    """Two libraries open every day; 2020 closed from 1 March to 31 May (92 days).

    Visits: 10 a day per library in 2020 (on open days), 8 a day per library in 2021.
    """
    world.organisation.closed_on_public_holidays = False
    world.organisation.save()
    for branch in (world.north, world.south):
        weekly_schedule(branch, staffed=(time(10), time(18)))
    Closure.objects.create(
        organisation=world.organisation,
        start_date=date(2020, 3, 1),
        end_date=date(2020, 5, 31),
        reason="COVID-19",
    )
    daily = []
    for branch in (world.north, world.south):
        daily += [
            DailyValue(branch.pk, d, 10.0)
            for d in every_day(2020)
            if not date(2020, 3, 1) <= d <= date(2020, 5, 31)
        ]
        daily += [DailyValue(branch.pk, d, 8.0) for d in every_day(2021)]
    provide("visits", FakeProvider(daily))
    budget_year = BudgetYear.objects.create(organisation=world.organisation, year=2021)
    area = FocusArea.objects.create(budget_year=budget_year, title="Mødested")
    return area


def make_target(area, **fields):
    defaults = {"indicator": "visits", "kind": "increase", "baseline_year": 2020}
    return Target.objects.create(focus_area=area, **{**defaults, **fields})


def row_for(rows, target):
    return next(r for r in rows if r["id"] == target.pk)


def test_raw_totals_rise_but_the_rate_per_open_day_falls(world, herning_like):
    raw = make_target(herning_like)
    fair = make_target(herning_like, normalisation="per_open_day")
    rows = status_rows(organisation=world.organisation, year=2021, at=date(2021, 12, 31))
    # 2020: 274 open days × 2 libraries × 10 = 5,480; 2021: 365 × 2 × 8 = 5,840.
    r = row_for(rows, raw)
    assert (r["actual"], r["baseline"], r["baseline_full"], r["status"]) == (
        5840.0,
        5480.0,
        5480.0,
        "achieved",
    )
    assert "Basisåret havde lukninger: sammenlign også tallene pr. åbningsdag." in r["notes"]
    # Per open day: 5,840 / 365 = 16 in 2021 against 5,480 / 274 = 20 in 2020.
    f = row_for(rows, fair)
    assert (f["actual"], f["baseline_full"], f["target_value"], f["status"]) == (
        16.0,
        20.0,
        20.0,
        "not_achieved",  # the year is over: missed, no longer "off track"
    )
    assert f["forecast"] is f["forecast_low"] is f["forecast_high"] is None


def _level_leaning_on_2020():
    """2021's level of 16 a day after 26 weeks without noise, leaning on 2020's 20 a day."""
    noise = 0.25 * math.sqrt(
        3 / 29
    )  # no noise of its own: the usual weekly quarter, 3 weeks' worth
    allowed = 2 * math.hypot(noise / math.sqrt(26), 0.1)
    prior = 3 * (allowed / math.log(20 / 16)) ** 2
    return 16 + prior / (26 + prior) * (20 - 16)


def test_mid_year_forecast_and_interval_by_hand(world, herning_like):
    target = make_target(herning_like)
    r = row_for(
        status_rows(organisation=world.organisation, year=2021, at=date(2021, 6, 30)), target
    )
    # To 30 June: 181 days × 16 = 2,896. The same days of 2020: 182 days less 92 closed = 90
    # open days × 20 = 1,800.
    assert (r["actual"], r["baseline"], r["baseline_full"]) == (2896.0, 1800.0, 5480.0)
    # The 2020 profile is flat per open day, so the rest of 2021 goes on at this year's level,
    # 16 a day over 26 weeks, leaning on 2020's 20 a day as if it were three more weeks, but less:
    # 16 is further from 20 than twice the usual change of a year (10 %) and this year's own
    # uncertainty allow, so the lean fades by the square of how much further.
    level = _level_leaning_on_2020()
    assert r["forecast"] == pytest.approx(2896 + 184 * level, abs=0.001)
    # The range is never narrower than the profile's own 6 % (one history year) of the rest,
    # times 1.2816; without daily noise it is not much wider either.
    half = r["forecast_high"] - r["forecast"]
    assert r["forecast"] - r["forecast_low"] == pytest.approx(half, abs=0.001)
    assert 1.2815515655 * 0.06 * 184 * level <= half <= 1.5 * 1.2815515655 * 0.06 * 184 * level
    # Expected by now: the 5,480 to beat spread over open days, 181 of 365.
    assert r["expected"] == pytest.approx(5480 * 181 / 365, abs=0.01)
    assert r["progress"] == pytest.approx(2896 / 5480, abs=0.0001)
    assert r["status"] == "on_track"


def test_known_future_closures_lower_the_forecast(world, herning_like):
    target = make_target(herning_like)
    Closure.objects.create(
        organisation=world.organisation,
        start_date=date(2021, 11, 1),
        end_date=date(2021, 12, 31),
        reason="Renovering",
    )
    r = row_for(
        status_rows(organisation=world.organisation, year=2021, at=date(2021, 6, 30)), target
    )
    # 61 fewer open days ahead: 2,896 + (184 - 61) × the level, under 2020's 5,480; the level is
    # 16 a day leaning on 2020's 20 (see the test above).
    assert r["forecast"] == pytest.approx(2896 + 123 * _level_leaning_on_2020(), abs=0.001)
    assert r["status"] == "off_track"


def test_a_target_scoped_to_one_area_type_counts_only_its_libraries(world, herning_like):
    rural = make_target(
        herning_like,
        kind="at_least",
        baseline_year=None,
        threshold=Decimal("1000"),
        scope="area_type",
        area_type="rural",
    )
    r = row_for(
        status_rows(organisation=world.organisation, year=2021, at=date(2021, 6, 30)), rural
    )
    # Only Syd Bibliotek (rural): 181 days × 8 = 1,448, past 1,000 already.
    assert (r["actual"], r["target_value"], r["status"]) == (1448.0, 1000.0, "achieved")
    assert r["progress"] == pytest.approx(1.448)


def test_unique_users_are_compared_period_for_period_and_never_summed(world, provide):
    months_2021 = [
        PeriodValue(date(2021, m, 1), date(2021, m, 28), 1200, "login") for m in range(1, 7)
    ]
    provider = FakeProvider(
        periods=[
            PeriodValue(date(2020, 1, 1), date(2020, 12, 31), 5000, "login"),
            PeriodValue(date(2020, 1, 1), date(2020, 6, 30), 2900, "login"),
            *months_2021,
        ]
    )
    provide("digital_unique_users", provider)
    area = FocusArea.objects.create(
        budget_year=BudgetYear.objects.create(organisation=world.organisation, year=2021),
        title="Digitalt",
    )
    target = Target.objects.create(
        focus_area=area,
        indicator="digital_unique_users",
        kind="increase",
        baseline_year=2020,
        measure="unique",
    )
    r = row_for(
        status_rows(organisation=world.organisation, year=2021, at=date(2021, 6, 30)), target
    )
    # Only monthly figures for 2021: six months of 1,200 are NOT 7,200 users.
    assert r["actual"] is None and r["status"] == "no_data"
    assert any("kan endnu ikke sammenlignes" in note for note in r["notes"])
    # The half year's figure arrives (a new provider: the kept progress is kept under the data
    # stamp, which an import of real figures changes, and under the provider).
    half_year = PeriodValue(date(2021, 1, 1), date(2021, 6, 30), 3100, "login")
    provide("digital_unique_users", FakeProvider(periods=[*provider.periods, half_year]))
    r = row_for(
        status_rows(organisation=world.organisation, year=2021, at=date(2021, 6, 30)), target
    )
    assert (r["actual"], r["baseline"], r["baseline_full"], r["status"]) == (
        3100.0,
        2900.0,
        5000.0,
        "on_track",
    )
    assert r["forecast"] is None


def test_no_provider_means_no_data_never_a_crash(world, provide):
    provide("guidance", None)  # as before the guidance app existed
    area = FocusArea.objects.create(
        budget_year=BudgetYear.objects.create(organisation=world.organisation, year=2021),
        title="Læring",
    )
    Target.objects.create(
        focus_area=area, indicator="guidance", kind="at_least", threshold=Decimal("45000")
    )
    [r] = status_rows(organisation=world.organisation, year=2021)
    assert r["status"] == "no_data" and r["actual"] is None
    assert r["notes"] == [
        "Ingen datakilde endnu: den del af Bibliotal, der registrerer "
        "denne indikator, er ikke installeret."
    ]


def test_status_override_needs_a_reason_and_wins(world, herning_like):
    from django.core.exceptions import ValidationError

    target = make_target(herning_like, status_override="achieved")
    with pytest.raises(ValidationError, match="Skriv hvorfor"):
        target.full_clean()
    target.override_reason = "Byrådet godkendte den nye optælling"
    target.full_clean()
    target.save()
    r = row_for(
        status_rows(organisation=world.organisation, year=2021, at=date(2021, 6, 30)), target
    )
    assert (r["status"], r["computed_status"]) == ("achieved", "on_track")


def test_the_status_command_and_the_api_give_the_same_json(client, world, herning_like, capsys):
    make_target(herning_like)
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
    )
    from_command = json.loads(capsys.readouterr().out)
    client.force_login(world.staff)
    from_api = client.get("/api/v1/goals/2021/status", {"at": "2021-06-30"}).json()
    assert from_command == from_api
    required = {
        "focus_area",
        "indicator",
        "kind",
        "threshold",
        "baseline_year",
        "actual",
        "baseline",
        "progress",
        "forecast",
        "forecast_low",
        "forecast_high",
        "status",
    }
    assert required <= set(from_api[0])
    assert isinstance(from_api[0]["actual"], float)
    client.force_login(world.outsider)
    assert client.get("/api/v1/goals/2021/status").status_code == 403


def test_the_csv_status_guards_against_formulas(world, herning_like, capsys):
    herning_like.title = '=HYPERLINK("http://x")'
    herning_like.save()
    make_target(herning_like)
    call_command(
        "goals", "status", "2021", "--format", "csv", "--organisation", world.organisation.name
    )
    assert "'=HYPERLINK" in capsys.readouterr().out


# -- back-test of the 80 % interval on synthetic seasonal data ----------------------------------

WEEKDAY = [1.1, 1.0, 1.0, 1.1, 0.9, 0.6, 0.3]


def synthetic_year(rng, year, *, noise=0.3, wobble=0.05):
    level = 150 * rng.uniform(0.85, 1.15)
    month = {m: math.exp(rng.gauss(0, wobble)) for m in range(1, 13)}
    values, open_days = {}, {}
    for d in every_day(year):
        open_days[d] = d.weekday() != 6  # closed on Sundays
        if open_days[d]:
            season = 1 + 0.3 * math.sin(2 * math.pi * (d.timetuple().tm_yday - 60) / 365)
            season *= 0.6 if d.month == 7 else 1
            values[d] = (
                level
                * month[d.month]
                * season
                * WEEKDAY[d.weekday()]
                * math.exp(rng.gauss(0, noise) - noise**2 / 2)
            )
    return progress.Series(values, open_days)


def test_on_steady_years_the_80_percent_range_is_not_overconfident():
    """Measured: 150 forecasts at random dates (seed 2021), three history years whose levels
    differ by up to ±15 %, 30 % daily noise and a ±5 % monthly wobble: the range held the true
    year-end 140 times (93 %), 17 % of the year wide on average, the forecast 3 % off. The
    scenario tests in test_forecast.py hold the 70–90 % band across harder years."""
    rng = random.Random(2021)
    inside = trials = 0
    widths = []
    for _ in range(150):
        history = {y: synthetic_year(rng, y) for y in (2018, 2019, 2020)}
        current = synthetic_year(rng, 2021)
        at = date(2021, 1, 1) + timedelta(days=rng.randint(30, 330))
        truth = current.total(date(2021, 1, 1), date(2021, 12, 31))
        seen = progress.Series({d: v for d, v in current.values.items() if d <= at}, current.open)
        _share, _forecast, low, high, used = progress.forecast_total(
            current=seen, start=date(2021, 1, 1), end=date(2021, 12, 31), at=at, history=history
        )
        assert used == 3
        trials += 1
        inside += low <= truth <= high
        widths.append((high - low) / truth)
    assert inside / trials >= 0.8, f"{inside} of {trials}"
    assert sum(widths) / len(widths) < 0.2
