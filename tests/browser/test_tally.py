"""The tally page in a real browser: phone-sized, undo, and taps kept while offline."""

import pytest
from django.db import OperationalError

from bibliotal.core.models import ServicePoint
from bibliotal.guidance.models import GuidanceRecord
from tests.browser.conftest import screenshot
from tests.browser.test_login_and_libraries import log_in

pytestmark = pytest.mark.browser


def open_tally(page, base):
    log_in(page, base, "staff")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Vejledning").click()
    page.get_by_role("link", name="Skranken").click()
    page.locator("[data-tally][data-ready]").wait_for()  # the script has started


def counted_records() -> int | None:
    # The live server shares the in-memory test database through SQLite's shared cache, where
    # a read during the server's write fails at once ("table is locked") instead of waiting as
    # it does on the real, file-based database. Such a moment is just "not yet".
    try:
        return GuidanceRecord.objects.counted().count()
    except OperationalError:
        return None


def wait_for_records(page, expected, timeout_ms=10000):
    waited = 0
    while counted_records() != expected and waited < timeout_ms:
        page.wait_for_timeout(200)
        waited += 200
    return counted_records()


def test_a_new_user_tallies_and_undoes_on_a_phone(live_server, world, page_factory):
    page = page_factory(width=375, height=740)
    open_tally(page, live_server.url)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    button = page.get_by_role("button", name="Medier")
    button.click()
    page.get_by_text("Registreret: Medier.").wait_for()
    assert wait_for_records(page, 1) == 1
    page.wait_for_function(
        "document.querySelector('button[data-name=\"Medier\"] [data-count]').textContent === '1'"
    )
    page.get_by_role("button", name="Fortryd sidste registrering").click()
    page.get_by_text("Den sidste registrering er fortrudt.").wait_for()
    assert wait_for_records(page, 0) == 0
    page.wait_for_function(
        "document.querySelector('button[data-name=\"Medier\"] [data-count]').textContent === '0'"
    )
    screenshot(page, "tally-phone")


def test_five_taps_offline_are_stored_exactly_once_when_back_online(
    live_server, world, page_factory
):
    page = page_factory(width=1024, height=768)  # a tablet at the desk
    open_tally(page, live_server.url)
    page.context.set_offline(True)
    for _ in range(5):
        page.get_by_role("button", name="Litteratur og læsning").click()
    page.get_by_text("Intet netværk: 5 registreringer gemmes på enheden").wait_for()
    assert GuidanceRecord.objects.count() == 0
    screenshot(page, "tally-offline")
    page.context.set_offline(False)
    assert wait_for_records(page, 5) == 5
    page.get_by_text("Alle registreringer er sendt.").wait_for()
    # A reload sends nothing twice: the queue is empty and every key was stored once.
    page.reload()
    page.wait_for_timeout(1000)
    assert GuidanceRecord.objects.count() == 5
    assert len(set(GuidanceRecord.objects.values_list("idempotency_key", flat=True))) == 5
    point = ServicePoint.objects.get(branch=world.north, name="Skranken")
    assert set(GuidanceRecord.objects.values_list("service_point", flat=True)) == {point.pk}


def test_an_undo_after_a_lost_answer_still_undoes_the_stored_tap(live_server, world, page_factory):
    page = page_factory(width=1024, height=768)
    open_tally(page, live_server.url)
    lost = {"done": False}

    def lose_the_first_answer(route):
        if (
            not lost["done"]
            and route.request.method == "POST"
            and route.request.url.endswith("/api/v1/guidance")
        ):
            lost["done"] = True
            route.fetch()  # the server stores the tap …
            route.abort()  # … but its answer never reaches the tablet
            return
        route.continue_()

    page.route("**/api/v1/guidance*", lose_the_first_answer)
    page.get_by_role("button", name="Medier").click()
    assert wait_for_records(page, 1) == 1  # stored, though the tablet does not know it
    page.get_by_role("button", name="Fortryd sidste registrering").click()
    assert wait_for_records(page, 0) == 0
    page.wait_for_timeout(500)
    assert GuidanceRecord.objects.count() == 1  # kept, marked undone, never counted
    assert GuidanceRecord.objects.counted().count() == 0
