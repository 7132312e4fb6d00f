"""The public pages: the programme filtered by library, audience and date (the page and its
calendar alike), and every public page under the organisation's name."""

from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from bibliotal.events.models import EventOccurrence
from bibliotal.teaching.models import Course


def at(days: int, hour: int = 17):
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def programme(world):
    def event(title, *, days, branch=None, audience="all", **fields):
        return EventOccurrence.objects.create(
            organisation=fields.pop("organisation", world.organisation),
            title=title,
            starts_at=at(days),
            branch=branch or world.north,
            audience=audience,
            **fields,
        )

    event("Bogcafé", days=2, audience="adults")
    event("Børneteater", days=3, branch=world.south, audience="children")
    event("Sommerfest for alle", days=10, branch=world.south)
    event("Lektiecafé", days=20, audience="young")
    event("Internt møde", days=2, published=False)
    event("Lejet sal", days=2, organiser="outside_hirer")
    event(
        "Andetsteds forfatteraften",
        days=2,
        organisation=world.other_organisation,
        branch=world.other_branch,
    )
    return world


def titles(response) -> set[str]:
    shown = set()
    for title in (
        "Bogcafé",
        "Børneteater",
        "Sommerfest for alle",
        "Lektiecafé",
        "Internt møde",
        "Lejet sal",
        "Andetsteds forfatteraften",
    ):
        if title in response.content.decode():
            shown.add(title)
    return shown


def url(world, name="events:programme_of"):
    return reverse(name, args=[world.organisation.pk])


def test_the_programme_shows_the_organisations_own_published_events(client, programme):
    response = client.get(url(programme))
    assert titles(response) == {"Bogcafé", "Børneteater", "Sommerfest for alle", "Lektiecafé"}
    assert "Testrup Bibliotekerne" in response.content.decode()


def test_the_programme_filters_by_library(client, programme):
    response = client.get(url(programme), {"library": programme.south.pk})
    assert titles(response) == {"Børneteater", "Sommerfest for alle"}


def test_an_audience_keeps_the_events_for_everyone(client, programme):
    response = client.get(url(programme), {"audience": "children"})
    assert titles(response) == {"Børneteater", "Sommerfest for alle"}


def test_the_programme_filters_by_dates(client, programme):
    first = (timezone.localdate() + timedelta(days=3)).isoformat()
    last = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.get(url(programme), {"date_from": first, "date_to": last})
    assert titles(response) == {"Børneteater", "Sommerfest for alle"}
    only_to = client.get(url(programme), {"date_to": first})
    assert titles(only_to) == {"Bogcafé", "Børneteater"}


def test_a_library_of_another_organisation_is_refused_and_nothing_is_listed(client, programme):
    response = client.get(url(programme), {"library": programme.other_branch.pk})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="form-errors"' in page
    assert titles(response) == set()


def test_dates_in_the_wrong_order_are_explained(client, programme):
    first = (timezone.localdate() + timedelta(days=10)).isoformat()
    last = (timezone.localdate() + timedelta(days=3)).isoformat()
    page = client.get(url(programme), {"date_from": first, "date_to": last}).content.decode()
    assert 'id="form-errors"' in page and 'href="#id_date_to"' in page


def test_the_filter_form_has_labels_and_works_without_javascript(client, programme):
    page = client.get(url(programme)).content.decode()
    assert '<form method="get"' in page
    for field in ("library", "audience", "date_from", "date_to"):
        assert f'<label for="id_{field}">' in page and f'id="id_{field}"' in page
    assert 'type="date"' in page


def test_a_choice_without_events_says_so(client, programme):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    first = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.get(url(programme), {"date_from": first})
    assert titles(response) == set()
    page = response.content.decode()
    assert "No events match your choice. Try another library, audience or date." in page
    assert "Show all events" in page


def test_the_calendar_takes_the_same_filters_and_only_the_organisations_events(client, programme):
    feed = client.get(url(programme, "events:programme_ics")).content.decode()
    assert "SUMMARY:Bogcafé" in feed and "SUMMARY:Lektiecafé" in feed
    assert "Andetsteds" not in feed and "Lejet sal" not in feed and "Internt møde" not in feed
    filtered = client.get(url(programme, "events:programme_ics"), {"library": programme.south.pk})
    text = filtered.content.decode()
    assert "SUMMARY:Børneteater" in text and "Bogcafé" not in text
    page = client.get(url(programme), {"library": programme.south.pk}).content.decode()
    assert f"{url(programme, 'events:programme_ics')}?library={programme.south.pk}" in page


@pytest.fixture
def courses(world):
    own = Course.objects.create(
        organisation=world.organisation, title="Søg smart", theme="digital", published=True
    )
    Course.objects.create(
        organisation=world.other_organisation, title="Læselyst", theme="literature", published=True
    )
    return own


def test_the_catalogue_of_several_organisations_names_each(client, world, courses):
    page = client.get(reverse("teaching:catalogue")).content.decode()
    assert "Testrup Bibliotekerne" in page and "Andetsted Bibliotekerne" in page
    assert reverse("teaching:catalogue_of", args=[world.organisation.pk]) in page


def test_one_organisations_catalogue_course_and_thanks_carry_its_name(client, world, courses):
    page = client.get(reverse("teaching:catalogue_of", args=[world.organisation.pk]))
    text = page.content.decode()
    assert "Søg smart" in text and "Læselyst" not in text
    assert '">Testrup Bibliotekerne</a>' in text.split("</header>")[0]  # the header's name
    for name in ("teaching:course_public", "teaching:booking_thanks"):
        text = client.get(reverse(name, args=[courses.slug])).content.decode()
        assert '">Testrup Bibliotekerne</a>' in text.split("</header>")[0], name
    assert client.get(reverse("teaching:catalogue_of", args=[999999])).status_code == 404
