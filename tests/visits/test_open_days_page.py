"""The visits page counts open days as the goals do, and library-days as a unit of their own."""

from django.urls import reverse

from tests.conftest import weekly_schedule


def test_the_visits_page_names_open_days_and_library_days_apart(client, world):
    world.organisation.closed_on_public_holidays = False
    world.organisation.save()
    for branch in (world.north, world.south):
        weekly_schedule(branch)
    client.force_login(world.staff)
    page = client.get(reverse("visits:overview"), {"year": 2021}).content.decode()
    assert '<th scope="col">Åbningsdage</th><th scope="col">Biblioteksdage</th>' in page
    # January: 31 open days, and two libraries open on each of them; no visits counted, so "–".
    assert '<th scope="row">januar</th><td>–</td><td>–</td><td>31</td><td>62</td>' in page
    assert "<td>365</td><td>730</td>" in page  # the year's open days and library-days
