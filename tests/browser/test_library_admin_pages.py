"""An administrator runs the libraries in the browser: axe finds nothing on the pages, they fit a
390 px phone, and the week's hours and a closure are entered with the keyboard alone."""

from datetime import date, time

import pytest

from bibliotal.core.models import BranchAlias, Closure, OpeningSchedule
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import violations
from tests.browser.test_login_and_libraries import log_in
from tests.conftest import weekly_schedule

pytestmark = pytest.mark.browser


def pages(world):
    schedule = weekly_schedule(world.north, staffed=(time(10), time(18)))
    closure = Closure.objects.create(
        organisation=world.organisation,
        start_date=date(2021, 3, 1),
        end_date=date(2021, 3, 5),
        reason="Renovering",
    )
    BranchAlias.objects.create(branch=world.north, text="Hovedbiblioteket")
    pk = world.north.pk
    return [
        "/libraries/",
        f"/libraries/{pk}/",
        "/libraries/new/",
        f"/libraries/{pk}/edit/",
        f"/libraries/{pk}/delete/",
        f"/libraries/{world.south.pk}/delete/",
        f"/libraries/{pk}/service-points/",
        f"/libraries/{pk}/hours/new/?copy={schedule.pk}",
        f"/libraries/{pk}/hours/{schedule.pk}/",
        f"/libraries/{pk}/hours/{schedule.pk}/delete/",
        "/closures/?year=2021",
        "/closures/new/",
        f"/closures/{closure.pk}/",
        f"/closures/{closure.pk}/delete/",
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_the_library_pages_have_no_violations_and_fit_a_phone(
    live_server, world, page_factory, width
):
    paths = pages(world)
    page = page_factory(width=width)
    log_in(page, live_server.url, "administrator")
    page.get_by_role("heading", name="Testrup Bibliotekerne").wait_for()
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        assert violations(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    # A refused form too: its error summary and the marked fields.
    page.goto(f"{live_server.url}/libraries/{world.north.pk}/hours/new/")
    page.locator("#id_day0_staffed").fill("18-10")
    page.locator("button.primary").click()
    page.locator(".error-summary").wait_for()
    assert violations(page) == [], "refused schedule"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"library-hours-refused-{width}")


def test_the_week_and_a_closure_are_entered_by_keyboard(live_server, world, page_factory):
    page = page_factory(width=390, height=800)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    log_in_english(page, live_server.url)
    page.goto(f"{live_server.url}/libraries/{world.north.pk}/")
    page.get_by_role("link", name="Add opening hours").click()
    page.get_by_label("Name").fill("Normal")
    page.get_by_label("Valid from").fill("2021-01-01")
    page.get_by_label("Monday, staffed").fill("10-12, 14-18")
    page.get_by_label("Monday, self-service").fill("7-22")
    page.get_by_label("Saturday, staffed").focus()
    page.keyboard.type("10-14")
    page.keyboard.press("Enter")  # submits the form
    page.get_by_text("The opening hours Normal are saved.").wait_for()
    schedule = OpeningSchedule.objects.get(branch=world.north)
    assert schedule.hours.count() == 4
    screenshot(page, "library-detail-phone")

    page.goto(f"{live_server.url}/closures/")
    page.get_by_role("link", name="Add a closure").click()
    page.get_by_label("Reason").fill("COVID-19")
    page.get_by_label("First day").fill("2021-03-16")
    page.get_by_label("Last day").fill("2021-04-14")
    page.get_by_label("The libraries chosen below").check()
    page.get_by_label("Nord Bibliotek").check()
    screenshot(page, "closure-form-phone")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The closure COVID-19 is saved.").wait_for()
    closure = Closure.objects.get(reason="COVID-19")
    assert [b.name for b in closure.branches.all()] == ["Nord Bibliotek"]


def log_in_english(page, base):
    page.goto(f"{base}/")
    page.locator("#id_username").fill("administrator")
    from tests.conftest import PASSWORD

    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Testrup Bibliotekerne").wait_for()
