"""The public goals page: off until a manager publishes a year, then readable by anyone, with
nothing internal on it."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from bibliotal.core.models import AuditEntry, Branch, Closure, Organisation
from bibliotal.goals.indicators import DailyValue
from bibliotal.goals.models import BudgetYear, FocusArea, GoalSettings, Target
from bibliotal.goals.services import import_budget_document
from tests.conftest import weekly_schedule
from tests.goals.conftest import FakeProvider, every_day

SEED = (
    Path(__file__).resolve().parents[1] / "data" / "goals" / "maal-budget-2021.txt"
).read_bytes()


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def goals_2021(world):
    import_budget_document(organisation=world.organisation, data=SEED, filename="seed.txt")
    return BudgetYear.objects.get(organisation=world.organisation, year=2021)


def public_url(world, year=2021):
    return reverse("goals:public_year", args=[world.organisation.pk, year])


def publish(budget_year):
    budget_year.published_at = timezone.now()
    budget_year.save()


def guidance_figures(provide, world, days):
    provide("guidance", FakeProvider(DailyValue(world.north.pk, d, 100.0) for d in days))


def test_the_page_answers_404_until_the_year_is_published(client, world, goals_2021):
    assert client.get(public_url(world)).status_code == 404
    assert (
        client.get(reverse("goals:public_index", args=[world.organisation.pk])).status_code == 404
    )
    publish(goals_2021)
    assert client.get(public_url(world)).status_code == 200
    index = client.get(reverse("goals:public_index", args=[world.organisation.pk]))
    assert index.status_code == 302 and index.url == public_url(world)


def test_an_unknown_organisation_or_year_is_404(client, world, goals_2021):
    publish(goals_2021)
    assert client.get(public_url(world, 2020)).status_code == 404
    other = reverse("goals:public_year", args=[world.other_organisation.pk, 2021])
    assert client.get(other).status_code == 404
    assert client.get(reverse("goals:public_year", args=[999999, 2021])).status_code == 404


def test_a_manager_publishes_and_withdraws_and_both_are_audited(client, world, goals_2021):
    client.force_login(world.manager)
    page = client.get(reverse("goals:year_detail", args=[2021])).content.decode()
    assert "Offentliggør 2021 på en offentlig side" in page
    url = reverse("goals:year_publish", args=[2021])
    assert client.get(url).status_code == 405
    response = client.post(url, {"publish": "1"})
    assert response.status_code == 302
    goals_2021.refresh_from_db()
    assert goals_2021.published_at is not None
    client.logout()
    assert client.get(public_url(world)).status_code == 200
    client.force_login(world.manager)
    client.post(url, {"publish": "0"})
    goals_2021.refresh_from_db()
    assert goals_2021.published_at is None
    client.logout()
    assert client.get(public_url(world)).status_code == 404
    changes = AuditEntry.objects.filter(
        model="goals.BudgetYear", object_id=str(goals_2021.pk), actor=world.manager
    )
    assert [sorted(entry.changes) for entry in changes] == [["published_at"], ["published_at"]]


@pytest.mark.parametrize(("who", "status"), [("staff", 403), ("coordinator", 403)])
def test_only_managers_publish(client, world, goals_2021, who, status):
    client.force_login(getattr(world, who))
    assert client.post(
        reverse("goals:year_publish", args=[2021]), {"publish": "1"}
    ).status_code == (status)
    client.logout()
    anonymous = client.post(reverse("goals:year_publish", args=[2021]), {"publish": "1"})
    assert anonymous.status_code == 302 and "login" in anonymous.url
    goals_2021.refresh_from_db()
    assert goals_2021.published_at is None


def test_the_page_shows_the_result_the_status_and_only_the_public_comment(
    english, world, goals_2021, provide
):
    guidance_figures(provide, world, every_day(2021))  # 36,500 against at least 45,000
    GoalSettings.objects.create(organisation=world.organisation, word_not_achieved="Ikke nået")
    guidance = Target.objects.get(indicator="guidance")
    guidance.comment = "Coronanedlukningen kostede os fire måneder."
    guidance.comment_public = True
    guidance.status_override = ""
    guidance.save()
    pupils = Target.objects.get(indicator="pupils_taught")
    pupils.comment = "Intern: Lone på barsel, skolerne svarede ikke."
    pupils.status_override = Target.Status.NOT_ACHIEVED
    pupils.override_reason = "Skolernes tal kom for sent til udvalget."
    pupils.save()
    FocusArea.objects.filter(pk=guidance.focus_area_id).update(comment="Til udvalget alene.")
    publish(goals_2021)

    page = english.get(public_url(world)).content.decode()
    assert "<h1>How the libraries are doing on their goals 2021</h1>" in page
    assert world.organisation.name in page  # every public page carries it
    assert "Borgernes mulighed for læring." in page  # the document's own words
    assert "Result for 2021" in page and "36,500" in page and "at least 45,000" in page
    assert "Ikke nået" in page and "The target was not reached." in page
    assert "Coronanedlukningen kostede os fire måneder." in page
    for internal in (
        "Lone på barsel",
        "Skolernes tal kom for sent",
        "Til udvalget alene.",
        "manager",
        "set by hand",
    ):
        assert internal not in page, internal


def test_a_running_year_shows_the_forecast_with_its_range_in_words(english, world, provide):
    year = timezone.localdate().year
    organisation = world.organisation
    budget_year = BudgetYear.objects.create(organisation=organisation, year=year)
    area = FocusArea.objects.create(budget_year=budget_year, title="Læring", goal_text="Vejled.")
    Target.objects.create(focus_area=area, indicator="guidance", kind="at_least", threshold=40000)
    start = date(year - 3, 1, 1)
    days = [start + timedelta(days=n) for n in range((timezone.localdate() - start).days)]
    guidance_figures(provide, world, days)
    publish(budget_year)
    page = english.get(public_url(world, year)).content.decode()
    assert "The year is not over, so the result can still change." in page
    assert "So far (to " in page
    assert "Expected for the whole year" in page
    # An estimate in round figures (three significant ones), never as if counted to the unit.
    assert re.search(r"about [\d,]+00 guidances, most likely between [\d,]+00 and [\d,]+00", page)
    assert "later days are not counted yet" not in page  # the label already names the day


def test_closed_months_are_explained_with_the_figure_per_open_day(english, world, provide):
    weekly_schedule(world.north)
    weekly_schedule(world.south)
    Closure.objects.create(
        organisation=world.organisation,
        start_date=date(2021, 1, 1),
        end_date=date(2021, 4, 20),
        reason="COVID-19",
    )
    budget_year = BudgetYear.objects.create(organisation=world.organisation, year=2021)
    area = FocusArea.objects.create(budget_year=budget_year, title="Mødested")
    Target.objects.create(focus_area=area, indicator="visits", kind="increase", baseline_year=2020)
    open_days = list(every_day(2020)) + [d for d in every_day(2021) if d > date(2021, 4, 20)]
    provide("visits", FakeProvider(DailyValue(world.north.pk, d, 100.0) for d in open_days))
    publish(budget_year)
    page = english.get(public_url(world)).content.decode()
    assert "Per day the libraries were open" in page
    assert "which lowers the totals" in page


def test_a_published_year_without_figures_says_so(english, world, goals_2021, provide):
    guidance_figures(provide, world, [])
    publish(goals_2021)
    page = english.get(public_url(world)).content.decode()
    assert "There are no figures for the goals of 2021 yet." in page
    assert "No figures have been recorded for this target yet." in page
    assert ">0<" not in page and " 0 " not in page  # missing is never shown as zero


def test_a_comment_marked_public_shows_at_once_though_the_page_is_kept(
    english, world, goals_2021, provide
):
    guidance_figures(provide, world, every_day(2021))
    publish(goals_2021)
    guidance = Target.objects.get(indicator="guidance")
    guidance.comment = "Vi nåede langt med IT-caféen."
    guidance.save()
    assert "IT-caféen" not in english.get(public_url(world)).content.decode()
    guidance.comment_public = True
    guidance.save()
    assert "IT-caféen" in english.get(public_url(world)).content.decode()


def test_a_published_year_without_targets_says_so(english, world):
    publish(BudgetYear.objects.create(organisation=world.organisation, year=2021))
    page = english.get(public_url(world)).content.decode()
    assert "The goals for 2021 have not been entered yet." in page


def test_the_comment_form_has_the_public_flag(client, world, goals_2021):
    guidance = Target.objects.get(indicator="guidance")
    client.force_login(world.manager)
    url = reverse("reports:comment_edit", args=[2021, guidance.pk])
    page = client.get(url).content.decode()
    assert 'name="comment_public"' in page and 'for="id_comment_public"' in page
    client.post(url, {"comment": "Godt gået.", "comment_public": "on"})
    guidance.refresh_from_db()
    assert guidance.comment_public and guidance.comment == "Godt gået."
    client.post(url, {"comment": "Godt gået."})
    guidance.refresh_from_db()
    assert not guidance.comment_public


def test_the_login_page_lists_every_organisations_public_pages(client, world, goals_2021):
    publish(goals_2021)
    page = client.get(reverse("core:login")).content.decode()
    assert "Testrup Bibliotekerne" in page and "Andetsted Bibliotekerne" in page
    assert public_url(world) in page
    assert reverse("events:programme_of", args=[world.other_organisation.pk]) in page


def test_with_one_organisation_the_login_page_links_its_pages(client, world, goals_2021):
    Branch.objects.filter(organisation=world.other_organisation).delete()
    Organisation.objects.filter(pk=world.other_organisation.pk).delete()
    publish(goals_2021)
    page = client.get(reverse("core:login")).content.decode()
    assert reverse("events:programme_of", args=[world.organisation.pk]) in page
    assert public_url(world) in page and "Andetsted" not in page
