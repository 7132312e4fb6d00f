"""Guidance reaches the goals page through the indicator; the demo looks like Herning."""

from datetime import date
from decimal import Decimal

from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from bibliotal.core.models import Branch
from bibliotal.core.opening import opening_calendar
from bibliotal.goals.models import BudgetYear, FocusArea, Target
from bibliotal.goals.reporting import status_rows
from bibliotal.guidance.indicators import dst_user_education
from bibliotal.guidance.models import GuidanceRecord
from bibliotal.guidance.services import TapInput, register_taps


def test_only_topics_that_count_reach_the_goal_and_undone_taps_do_not(world, desk, topics):
    register_taps(
        items=[
            TapInput("a", desk.pk, topics["Medier"].pk),
            TapInput("b", desk.pk, topics["Litteratur og læsning"].pk),
            TapInput("c", desk.pk, topics["Praktisk spørgsmål"].pk),
        ],
        user=world.staff,
    )
    GuidanceRecord.objects.filter(idempotency_key="b").update(undone_at=timezone.now())
    area = FocusArea.objects.create(
        budget_year=BudgetYear.objects.create(
            organisation=world.organisation, year=date.today().year
        ),
        title="Læring",
    )
    Target.objects.create(
        focus_area=area, indicator="guidance", kind="at_least", threshold=Decimal("45000")
    )
    [row] = status_rows(organisation=world.organisation, year=date.today().year)
    assert row["actual"] == 1.0


def test_dst_user_education_counts_the_it_cafe(world, topics):
    from bibliotal.core.models import ServicePoint

    cafe = ServicePoint.objects.create(branch=world.north, name="IT-caféen", kind="it_cafe")
    register_taps(
        items=[TapInput(f"k{i}", cafe.pk, topics["Digital selvbetjening"].pk) for i in range(4)],
        user=world.staff,
    )
    today = date.today()
    assert dst_user_education(organisation=world.organisation, start=today, end=today) == {
        "lessons": 1,
        "participants": 4,
    }


def test_the_demo_has_a_normal_year_and_closed_days_without_desk_guidance(db):
    call_command("demo", "--no-serve")
    goal = GuidanceRecord.objects.toward_goal()
    per_year = {
        y: goal.filter(day__year=y).aggregate(n=Sum("count"))["n"] for y in (2019, 2020, 2021)
    }
    assert 45_000 <= per_year[2019] <= 55_000
    assert per_year[2020] < per_year[2019] and per_year[2021] < per_year[2019]
    main = Branch.objects.select_related("organisation").get(name="Herning Bibliotek")
    days = opening_calendar(branches=[main], start=date(2020, 4, 1), end=date(2020, 4, 30))
    assert not any(d.is_open for d in days[main.pk].values())
    at_desks = GuidanceRecord.objects.filter(
        branch=main, day__month=4, day__year=2020, channel="in_person"
    )
    assert not at_desks.exists()
    assert GuidanceRecord.objects.filter(
        branch=main, day__month=4, day__year=2020, channel="phone"
    ).exists()
    before = GuidanceRecord.objects.count()
    call_command("demo", "--no-serve")
    assert GuidanceRecord.objects.count() == before


def test_the_key_figures_day_totals_are_the_daily_values_added_up(world, desk, topics):
    """``day_totals`` lets the database add the libraries up; the rule stays ``daily_values``'s:
    only topics toward the goal, an undone tap not, another organisation's never."""
    from bibliotal.goals import indicators

    register_taps(
        items=[
            TapInput("a", desk.pk, topics["Medier"].pk),
            TapInput("b", desk.pk, topics["Medier"].pk),
            TapInput("c", desk.pk, topics["Litteratur og læsning"].pk),
            TapInput("d", desk.pk, topics["Praktisk spørgsmål"].pk),
        ],
        user=world.staff,
    )
    GuidanceRecord.objects.filter(idempotency_key="b").update(undone_at=timezone.now())
    indicator = indicators.get("guidance")
    window = {"start": date(2000, 1, 1), "end": date(2100, 1, 1), "measure": "attendances"}
    added = indicators.added_up_daily_values(
        indicator.provider, organisation=world.organisation, **window
    )
    totals = indicators.day_totals(indicator, organisation=world.organisation, **window)
    assert totals == dict(added) == {timezone.localdate(): (2.0, 0.0)}
    assert indicators.day_totals(indicator, organisation=world.other_organisation, **window) == {}
