"""axe-core (WCAG 2 A and AA rules: labels, contrast, landmarks, names) finds nothing on any
page, in Danish, at desk and phone width, each page visited by the person who uses it. The pages
are those of tests/pages.py, which a test holds to every named URL pattern of the project."""

import pytest

from tests.browser.conftest import settle
from tests.browser.test_login_and_libraries import log_in
from tests.pages import walk

pytestmark = pytest.mark.browser

WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG)
    return [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in results.response["violations"]
    ]


def check(page, url: str, found: dict[str, list[str]], where: str) -> None:
    response = page.goto(url)
    settle(page)  # the start page's panels, the charts
    problems = [] if response.status == 200 else [f"answered {response.status}"]
    problems += violations(page)
    # Wide tables scroll inside their region; the page itself never scrolls sideways.
    if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
        problems.append("the page scrolls sideways")
    if problems:
        found[where] = problems


@pytest.mark.parametrize("width", [1280, 375])
def test_every_page_has_no_accessibility_violations(live_server, world, page_factory, width):
    # All the data first: a write while the live server reads fails on the shared in-memory
    # SQLite ("table is locked").
    stops = walk(world)
    found: dict[str, list[str]] = {}
    pages = {}
    for stop in stops:
        page = pages.get(stop.who)
        if page is None:
            page = pages[stop.who] = page_factory(width=width)
            if stop.who != "anonymous":
                log_in(page, live_server.url, stop.who)
                page.get_by_role("heading", name="Testrup Bibliotekerne").wait_for()
        check(page, f"{live_server.url}{stop.path}", found, f"{stop.path} ({stop.who})")
    assert not found, "\n".join(f"{where}: {'; '.join(v)}" for where, v in found.items())


@pytest.mark.parametrize("width", [1280, 375])
def test_the_setup_page_and_a_fresh_statement_have_no_violations(
    live_server, db, page_factory, width
):
    page = page_factory(width=width)
    found: dict[str, list[str]] = {}
    for path in ("/setup/", "/accessibility/", "/account/login/"):  # the login leads to setup
        check(page, f"{live_server.url}{path}", found, path)
    assert not found, "\n".join(f"{where}: {'; '.join(v)}" for where, v in found.items())


@pytest.mark.parametrize("width", [1280, 375])
def test_the_integration_pages_have_no_accessibility_violations(
    live_server, world, page_factory, width
):
    from bibliotal.core.integrations import recording
    from bibliotal.core.models import Website
    from bibliotal.core.website import import_opening_hours
    from bibliotal.events.dplcms import import_events_dplcms
    from tests.core.test_website import read

    Website.objects.create(organisation=world.organisation, url="https://herningbib.dk")
    import_events_dplcms(organisation=world.organisation, data=read("events.json"), filename="e")
    import_opening_hours(
        organisation=world.organisation, data=read("opening_hours.json"), filename="h"
    )
    with pytest.raises(RuntimeError), recording(world.organisation, "website_events") as run:
        run.summary = "x"
        raise RuntimeError("https://herningbib.dk/api/v1/events kunne ikke læses")
    from bibliotal.reports.models import ComparisonSettings
    from bibliotal.reports.statbank import import_statbank_csv
    from tests.reports.test_statbank import read as statbank_file

    world.organisation.municipality_code = "657"
    world.organisation.save()
    ComparisonSettings.objects.create(organisation=world.organisation, peers=["756", "661"])
    for name in ("BIB2B.csv", "folk1a-api.csv"):
        import_statbank_csv(
            organisation=world.organisation, data=statbank_file(name), filename=name
        )
    page = page_factory(width=width)
    log_in(page, live_server.url, "administrator")
    page.get_by_role("heading", name="Testrup Bibliotekerne").wait_for()
    found: dict[str, list[str]] = {}
    for path in (
        "/integrations/",
        "/integrations/libraries/",
        "/integrations/opening-categories/",
        "/reports/comparison/",
    ):
        check(page, f"{live_server.url}{path}", found, path)
    assert not found, "\n".join(f"{where}: {'; '.join(v)}" for where, v in found.items())
