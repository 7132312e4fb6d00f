"""The digital indicators: loans are added up as reported, unique users never are."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from bibliotal.digital.indicators import LoansProvider, UniqueUsersProvider, headline_platform
from bibliotal.digital.models import Campaign, DigitalFigure, Platform, QuotaChange
from bibliotal.digital.periods import month_end
from bibliotal.goals.models import Target
from bibliotal.goals.reporting import compute_target_progress
from bibliotal.goals.services import import_budget_document

SEED = (
    Path(__file__).resolve().parents[1] / "data" / "goals" / "maal-budget-2021.txt"
).read_bytes()


def figure(platform, metric, start, end, value, **fields):
    return DigitalFigure.objects.create(
        platform=platform, metric=metric, start=start, end=end, value=value, **fields
    )


def month(platform, metric, year, number, value, **fields):
    first = date(year, number, 1)
    return figure(platform, metric, first, month_end(first), value, **fields)


@pytest.fixture
def platforms(world):
    return {
        "ereolen": Platform.objects.create(
            organisation=world.organisation, name="eReolen", kind="ereolen"
        ),
        "go": Platform.objects.create(
            organisation=world.organisation,
            name="eReolen Go",
            kind="ereolen_go",
            for_children=True,
        ),
        "web": Platform.objects.create(
            organisation=world.organisation, name="Hjemmeside", kind="website"
        ),
    }


def totals(provider, world, start, end):
    values = provider.daily_values(
        organisation=world.organisation, start=start, end=end, branch_ids=None, measure=""
    )
    return round(sum(v.value for v in values), 6)


@pytest.mark.django_db
def test_e_book_loans_take_the_all_ages_figure_else_add_the_bands(world, platforms):
    ereolen, go = platforms["ereolen"], platforms["go"]
    # January: the bands and an all-ages figure that is the platform's own total.
    month(ereolen, "loans", 2021, 1, 100, material="ebook", age_band="children")
    month(ereolen, "loans", 2021, 1, 900, material="ebook", age_band="adults")
    month(ereolen, "loans", 2021, 1, 1010, material="ebook", age_band="all")
    # February: bands only.
    month(ereolen, "loans", 2021, 2, 80, material="ebook", age_band="children")
    month(ereolen, "loans", 2021, 2, 700, material="ebook", age_band="adults")
    month(go, "loans", 2021, 1, 300, material="ebook", age_band="children")
    month(go, "loans", 2021, 1, 50, material="ebook", age_band="young")
    month(go, "loans", 2021, 1, 999, material="eaudiobook", age_band="children")
    ebooks = LoansProvider(material="ebook")
    children = LoansProvider(material="ebook", children=True)
    assert totals(ebooks, world, date(2021, 1, 1), date(2021, 1, 31)) == 1010 + 300 + 50
    assert totals(ebooks, world, date(2021, 2, 1), date(2021, 2, 28)) == 780
    # eReolen Go counts whole (children and young); elsewhere only the children's band.
    assert totals(children, world, date(2021, 1, 1), date(2021, 2, 28)) == 100 + 350 + 80
    audio = LoansProvider(material="eaudiobook")
    assert totals(audio, world, date(2021, 1, 1), date(2021, 12, 31)) == 999


@pytest.mark.django_db
def test_a_year_figure_adds_only_what_its_months_leave(world, platforms):
    ereolen = platforms["ereolen"]
    month(ereolen, "loans", 2021, 1, 310, material="ebook")
    month(ereolen, "loans", 2021, 2, 280, material="ebook")
    figure(ereolen, "loans", date(2021, 1, 1), date(2021, 12, 31), 3600, material="ebook")
    ebooks = LoansProvider(material="ebook")
    assert totals(ebooks, world, date(2021, 1, 1), date(2021, 12, 31)) == 3600
    assert totals(ebooks, world, date(2021, 1, 1), date(2021, 1, 31)) == 310
    # March to December share the remaining 3,010 over their 306 days.
    assert totals(ebooks, world, date(2021, 3, 1), date(2021, 3, 31)) == round(3010 * 31 / 306, 6)


@pytest.mark.django_db
def test_estimated_loans_are_flagged_as_estimates(world, platforms):
    month(platforms["ereolen"], "loans", 2021, 3, 310, material="ebook", source="estimated")
    month(platforms["ereolen"], "loans", 2021, 4, 300, material="ebook")
    values = list(
        LoansProvider(material="ebook").daily_values(
            organisation=world.organisation,
            start=date(2021, 3, 1),
            end=date(2021, 4, 30),
            branch_ids=None,
            measure="",
        )
    )
    assert round(sum(v.estimated for v in values), 6) == 310


def _powers(world, platforms):
    """Every unique-user figure a distinct power of two: any sum of two or more has more than
    one bit set, so a result that is a power of two is one reported figure, never a sum."""
    bit = 0
    for year in (2020, 2021):
        for platform in (platforms["ereolen"], platforms["web"]):
            for number in range(1, 13):
                month(platform, "unique_users", year, number, 2**bit, method="login")
                bit += 1
    return bit


def _single_figure(value) -> bool:
    number = int(value)
    return number == value and number > 0 and number & (number - 1) == 0


@pytest.fixture
def users_target(world):
    import_budget_document(organisation=world.organisation, data=SEED, filename="seed.txt")
    return Target.objects.get(indicator="digital_unique_users")


@pytest.mark.django_db
def test_unique_users_are_never_summed_across_months_or_platforms(world, platforms, users_target):
    bit = _powers(world, platforms)
    platforms["ereolen"].headline = True
    platforms["ereolen"].save()
    months_only = compute_target_progress(users_target, at=date(2021, 12, 31))
    # Months only: each is compared with the same month of 2020 for a provisional status, and
    # the actual shown is December's own figure, never a sum of months.
    assert _single_figure(months_only.result.actual)
    assert months_only.result.comparison.shown.start == date(2021, 12, 1)
    assert not months_only.result.final
    assert "periods_provisional" in months_only.result.notes
    for value in UniqueUsersProvider().period_values(
        organisation=world.organisation,
        start=date(2020, 1, 1),
        end=date(2021, 12, 31),
        branch_ids=None,
        measure="unique",
    ):
        assert _single_figure(value.value)
    # With the years' own figures the goal compares them, and only them.
    figure(
        platforms["ereolen"],
        "unique_users",
        date(2020, 1, 1),
        date(2020, 12, 31),
        2**bit,
        method="login",
    )
    figure(
        platforms["ereolen"],
        "unique_users",
        date(2021, 1, 1),
        date(2021, 12, 31),
        2 ** (bit + 1),
        method="login",
    )
    figure(
        platforms["web"],
        "unique_users",
        date(2021, 1, 1),
        date(2021, 12, 31),
        2 ** (bit + 2),
        method="cookie",
    )
    years = compute_target_progress(users_target, at=date(2021, 12, 31))
    assert years.result.actual == 2 ** (bit + 1)
    assert years.result.baseline == 2**bit
    assert years.result.status == "achieved"


@pytest.mark.django_db
def test_the_goal_follows_one_platform_and_prefers_login_to_cookies(world, platforms):
    web, ereolen = platforms["web"], platforms["ereolen"]
    month(web, "unique_users", 2021, 1, 500, method="cookie")
    assert headline_platform(world.organisation) == web  # the only one reporting users
    month(ereolen, "unique_users", 2021, 1, 300, method="login")
    assert headline_platform(world.organisation) is None  # two: the goal must be told which
    web.headline = True
    web.save()
    month(web, "unique_users", 2021, 1, 420, method="login")
    values = UniqueUsersProvider().period_values(
        organisation=world.organisation,
        start=date(2021, 1, 1),
        end=date(2021, 12, 31),
        branch_ids=None,
        measure="unique",
    )
    assert [(v.value, v.method) for v in values] == [(420.0, "login")]


@pytest.mark.django_db
def test_the_overview_never_shows_a_sum_of_unique_users(client, world, platforms):
    _powers(world, platforms)
    client.force_login(world.staff)
    page = client.get(reverse("digital:overview"), {"year": 2021})
    assert page.status_code == 200
    table = page.content.decode().split('id="unique-caption"')[1].split("</table>")[0]
    assert "ikke sammenlignelig: intet årstal" in table
    numbers = [
        int(cell.replace(".", "")) for cell in __import__("re").findall(r"<td>([\d.]+)</td>", table)
    ]
    assert len(numbers) == 24 and all(_single_figure(n) for n in numbers)


@pytest.mark.django_db
def test_campaigns_and_quota_changes_are_marked_on_the_goal_chart(client, world, platforms):
    import_budget_document(organisation=world.organisation, data=SEED, filename="seed.txt")
    target = Target.objects.get(indicator="ebook_loans")
    for year in (2020, 2021):
        for number in range(1, 13):
            month(platforms["ereolen"], "loans", year, number, 1000 + number, material="ebook")
    Campaign.objects.create(
        organisation=world.organisation,
        title="E-bøger til efteråret",
        start=date(2021, 9, 1),
        end=date(2021, 10, 31),
        indicators=["ebook_loans"],
    )
    Campaign.objects.create(
        organisation=world.organisation,
        title="Kun lydbøger",
        start=date(2021, 3, 1),
        end=date(2021, 3, 31),
        indicators=["eaudiobook_loans"],
    )
    QuotaChange.objects.create(
        platform=platforms["ereolen"], day=date(2021, 4, 1), quota_before=3, quota_after=5
    )
    client.force_login(world.staff)
    page = client.get(reverse("goals:target_detail", args=[2021, target.pk]))
    text = page.content.decode()
    assert "Kampagne: E-bøger til efteråret" in text
    assert "eReolen: lånekvote 3 → 5" in text
    assert "Kun lydbøger" not in text
    spec = page.context["chart"].spec
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert "rect" in marks and "rule" in marks


@pytest.mark.django_db
def test_a_year_is_never_compared_with_a_baseline_counted_another_way(
    world, platforms, users_target
):
    web = platforms["web"]
    web.headline = True
    web.save()
    figure(web, "unique_users", date(2020, 1, 1), date(2020, 12, 31), 150000, method="cookie")
    figure(web, "unique_users", date(2021, 1, 1), date(2021, 12, 31), 151000, method="cookie")
    cookies = compute_target_progress(users_target, at=date(2021, 12, 31))
    assert (cookies.result.actual, cookies.result.baseline) == (151000, 150000)
    # The library starts counting logged-in people in 2021: 2020 has no figure of that kind.
    figure(web, "unique_users", date(2021, 1, 1), date(2021, 12, 31), 23000, method="login")
    logins = compute_target_progress(users_target, at=date(2021, 12, 31))
    assert (logins.result.actual, logins.result.baseline) == (23000, None)
    assert "no_baseline" in logins.result.notes
