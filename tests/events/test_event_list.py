"""The staff's events list: filters by library, type and status kept in the address and in the
month links, and the count of events waiting for their attendance."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from bibliotal.events.models import EventOccurrence, EventType

MONTH = "2021-03"


def event(world, title, *, day=10, branch=None, event_type=None, **fields):
    return EventOccurrence.objects.create(
        organisation=world.organisation,
        title=title,
        starts_at=timezone.make_aware(datetime(2021, 3, day, 19)),
        branch=branch or world.north,
        event_type=event_type,
        **fields,
    )


@pytest.fixture
def month(world):
    club, _new = EventType.objects.get_or_create(organisation=world.organisation, name="Læseklub")
    talk, _new = EventType.objects.get_or_create(organisation=world.organisation, name="Foredrag")
    return {
        "north_club": event(world, "Nordklub", event_type=club, attendance_total=12),
        "south_club": event(world, "Sydklub", branch=world.south, event_type=club),
        "talk": event(world, "Nordforedrag", day=11, event_type=talk),
        "cancelled": event(world, "Aflyst foredrag", day=12, event_type=talk, status="cancelled"),
        "club": club,
        "talk_type": talk,
    }


def titles(response):
    return [o.title for o in response.context["occurrences"]]


def test_without_filters_the_month_shows_every_event(client, world, month):
    client.force_login(world.coordinator)
    response = client.get(reverse("events:occurrence_list"), {"month": MONTH})
    assert titles(response) == ["Nordklub", "Sydklub", "Nordforedrag", "Aflyst foredrag"]


def test_the_list_filters_by_library_type_and_status(client, world, month):
    client.force_login(world.coordinator)
    url = reverse("events:occurrence_list")
    by_library = client.get(url, {"month": MONTH, "branch": world.south.pk})
    assert titles(by_library) == ["Sydklub"]
    by_type = client.get(url, {"month": MONTH, "event_type": month["talk_type"].pk})
    assert titles(by_type) == ["Nordforedrag", "Aflyst foredrag"]
    cancelled = client.get(url, {"month": MONTH, "status": "cancelled"})
    assert titles(cancelled) == ["Aflyst foredrag"]
    both = client.get(
        url, {"month": MONTH, "branch": world.north.pk, "event_type": month["club"].pk}
    )
    assert titles(both) == ["Nordklub"]


def test_awaiting_attendance_is_a_status_to_filter_by(client, world, month):
    client.force_login(world.coordinator)
    response = client.get(reverse("events:occurrence_list"), {"month": MONTH, "status": "awaiting"})
    # Past, counted, without attendance: not the one with 12 people, not the cancelled one.
    assert titles(response) == ["Sydklub", "Nordforedrag"]


def test_a_library_of_another_organisation_filters_nothing_and_shows_nothing_of_it(
    client, world, month
):
    EventOccurrence.objects.create(
        organisation=world.other_organisation,
        title="Andetsteds klub",
        starts_at=timezone.make_aware(datetime(2021, 3, 10, 19)),
        branch=world.other_branch,
    )
    client.force_login(world.coordinator)
    response = client.get(
        reverse("events:occurrence_list"), {"month": MONTH, "branch": world.other_branch.pk}
    )
    assert response.status_code == 200
    assert "Andetsteds klub" not in titles(response)
    assert len(titles(response)) == 4


def test_the_month_links_keep_the_filter(client, world, month):
    client.force_login(world.coordinator)
    response = client.get(
        reverse("events:occurrence_list"),
        {"month": MONTH, "branch": world.south.pk, "status": "planned"},
    )
    text = response.content.decode()
    assert f'href="?month=2021-02&amp;branch={world.south.pk}&amp;status=planned"' in text
    assert f'href="?month=2021-04&amp;branch={world.south.pk}&amp;status=planned"' in text
    assert '<input type="hidden" name="month" value="2021-03">' in text


def test_the_filters_are_a_labelled_get_form(client, world, month):
    client.cookies["django_language"] = "en"
    client.force_login(world.coordinator)
    text = client.get(reverse("events:occurrence_list"), {"month": MONTH}).content.decode()
    assert '<form method="get" class="filters"' in text
    for name, label in (("branch", "Library"), ("event_type", "Type"), ("status", "Status")):
        assert f'<label for="id_{name}">{label}</label>' in text
        assert f'name="{name}"' in text
    assert '<button type="submit">Filter</button>' in text


def test_the_list_counts_the_events_awaiting_attendance_and_links_to_them(client, world, month):
    client.cookies["django_language"] = "en"
    client.force_login(world.coordinator)
    text = client.get(reverse("events:occurrence_list"), {"month": "2020-01"}).content.decode()
    # Counted over every month, not only the one shown.
    assert f'<a href="{reverse("events:awaiting")}">2 events await attendance</a>' in text


def test_in_danish_the_count_reads_as_a_librarian_says_it(client, world, month):
    client.cookies["django_language"] = "da"
    client.force_login(world.coordinator)
    text = client.get(reverse("events:occurrence_list"), {"month": MONTH}).content.decode()
    assert "2 arrangementer venter på fremmøde" in text


def test_staff_count_only_the_events_of_their_own_libraries(client, world, month):
    client.cookies["django_language"] = "en"
    client.force_login(world.staff)  # a member of the north library
    text = client.get(reverse("events:occurrence_list"), {"month": MONTH}).content.decode()
    assert "1 event awaits attendance" in text


def test_nothing_waiting_says_so(client, world):
    client.cookies["django_language"] = "en"
    client.force_login(world.coordinator)
    text = client.get(reverse("events:occurrence_list")).content.decode()
    assert "No event awaits attendance." in text


def test_the_list_is_for_members_only(client, world):
    url = reverse("events:occurrence_list")
    assert client.get(url).status_code in (302, 403)
    client.force_login(world.outsider)
    assert client.get(url).status_code == 403


def test_a_filter_without_events_says_so(client, world, month):
    client.force_login(world.coordinator)
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        text = client.get(
            reverse("events:occurrence_list"), {"month": "2021-04", "branch": world.south.pk}
        ).content.decode()
    assert "No events this month match the filter." in text
