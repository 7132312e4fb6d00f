"""The tally page in a real browser: phone-sized with every topic above the fold, a confirmation
that names the tap with its undo, choices that reset, and taps kept while offline."""

import pytest
from django.db import OperationalError

from bibliotal.core.models import ServicePoint
from bibliotal.guidance.models import GuidanceRecord
from tests.browser.conftest import screenshot
from tests.browser.test_login_and_libraries import log_in

pytestmark = pytest.mark.browser


def open_tally(page, base):
    log_in(page, base, "staff")
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():  # on a phone the navigation is folded away
        menu.click()
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
    page.get_by_text("Registreret: Medier · Personligt · Voksen · Skranken.").wait_for()
    assert wait_for_records(page, 1) == 1
    page.wait_for_function(
        "document.querySelector('button[data-name=\"Medier\"] [data-count]').textContent === '1'"
    )
    page.get_by_role("button", name="Fortryd", exact=True).click()
    page.get_by_text("Fortrudt: Medier · Personligt · Voksen · Skranken.").wait_for()
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
    page.get_by_role("button", name="Fortryd", exact=True).click()
    assert wait_for_records(page, 0) == 0
    page.wait_for_timeout(500)
    assert GuidanceRecord.objects.count() == 1  # kept, marked undone, never counted
    assert GuidanceRecord.objects.counted().count() == 0


TOPIC_BOTTOMS = """() => [...document.querySelectorAll('.topic-button')]
    .map(b => b.getBoundingClientRect().bottom)"""

# Every word of every topic name on one line (a word split without a hyphen would be on two),
# and inside its tile.
SPLIT_WORDS = """() => {
  const split = [];
  for (const name of document.querySelectorAll('.topic-name')) {
    const text = name.firstChild;
    const tile = name.closest('button').getBoundingClientRect();
    let at = 0;
    for (const word of text.textContent.split(' ')) {
      const range = document.createRange();
      range.setStart(text, at);
      range.setEnd(text, at + word.length);
      const rects = [...range.getClientRects()].filter(r => r.width > 0);
      const box = range.getBoundingClientRect();
      if (rects.length !== 1 || box.right > tile.right + 0.5) { split.push(word); }
      at += word.length + 1;
    }
  }
  return split;
}"""


def test_every_topic_shows_above_the_fold_on_a_phone(live_server, world, page_factory):
    page = page_factory(width=390, height=844)
    open_tally(page, live_server.url)
    bottoms = page.evaluate(TOPIC_BOTTOMS)
    assert len(bottoms) == 7 and max(bottoms) <= 844, bottoms
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate(SPLIT_WORDS) == []
    page.get_by_role("button", name="Samfundsoplysning").click()
    page.get_by_text("Registreret: Samfundsoplysning").wait_for()
    # The confirmation with its undo takes the room kept for it: nothing moves below the fold.
    assert max(page.evaluate(TOPIC_BOTTOMS)) <= 844
    assert page.get_by_role("button", name="Fortryd", exact=True).is_visible()
    screenshot(page, "tally-phone-390")


def test_no_topic_name_is_split_inside_a_word_on_a_desktop(live_server, world, page_factory):
    page = page_factory(width=1280, height=800)
    open_tally(page, live_server.url)
    assert page.evaluate(SPLIT_WORDS) == []
    screenshot(page, "tally-desktop-1280")


def test_the_choices_reset_after_a_tap_so_the_next_citizen_starts_afresh(
    live_server, world, page_factory
):
    page = page_factory(width=390, height=844)
    open_tally(page, live_server.url)
    page.locator(".segmented label", has_text="Telefon").click()
    page.locator(".segmented label", has_text="Barn eller ung").click()
    page.get_by_role("button", name="Medier").click()
    page.get_by_text("Registreret: Medier · Telefon · Barn eller ung · Skranken.").wait_for()
    checked = "document.querySelector('input[name=%s]:checked').value"
    assert page.evaluate(checked % "channel") == "in_person"
    assert page.evaluate(checked % "child") == "0"
    page.get_by_role("button", name="Andet").click()
    page.get_by_text("Registreret: Andet · Personligt · Voksen · Skranken.").wait_for()
    assert wait_for_records(page, 2) == 2
    page.wait_for_load_state("networkidle")
    assert sorted(GuidanceRecord.objects.values_list("topic__name", "channel", "child")) == [
        ("Andet", "in_person", False),
        ("Medier", "phone", True),
    ]
    page.get_by_text("2 vejledninger registreret her i dag").wait_for()


def test_the_undo_beside_the_confirmation_removes_that_tap(live_server, world, page_factory):
    page = page_factory(width=1024, height=768)
    open_tally(page, live_server.url)
    page.get_by_text("0 vejledninger registreret her i dag").wait_for()
    page.get_by_role("button", name="Medier").click()
    page.get_by_text("1 vejledning registreret her i dag").wait_for()
    page.locator(".segmented label", has_text="Chat eller e-mail").click()
    page.get_by_role("button", name="Andet").click()
    page.get_by_text("Registreret: Andet · Chat eller e-mail · Voksen · Skranken.").wait_for()
    assert wait_for_records(page, 2) == 2
    page.get_by_role("button", name="Fortryd", exact=True).click()
    page.get_by_text("Fortrudt: Andet · Chat eller e-mail · Voksen · Skranken.").wait_for()
    assert wait_for_records(page, 1) == 1
    page.wait_for_load_state("networkidle")
    assert list(GuidanceRecord.objects.counted().values_list("topic__name", flat=True)) == [
        "Medier"
    ]
    assert page.get_by_role("button", name="Fortryd", exact=True).is_hidden()
    page.get_by_text("1 vejledning registreret her i dag").wait_for()
