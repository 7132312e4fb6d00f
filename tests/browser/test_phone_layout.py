"""On a 390 × 844 phone: a one-line header whose menu opens the navigation, wide tables as one
card per row with every column (the status of each target first of all), a grid that says it
scrolls, and section tabs that mark the page they are on."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from bibliotal.goals.indicators import DailyValue
from bibliotal.goals.services import import_budget_document
from tests.browser.conftest import screenshot
from tests.browser.test_login_and_libraries import log_in
from tests.conftest import PASSWORD
from tests.goals.conftest import FakeProvider, every_day
from tests.goals.test_goal_pages import SEED

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# Each card of a stacked table: its verdict (the "stack-lead" cell, else the last) and where its
# cells are on the screen.
CARDS = """(selector) => [...document.querySelectorAll(selector)].map((row) => {
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return { left: r.left, right: r.right, top: r.top, width: r.width };
  };
  const status = row.querySelector('.stack-lead') || row.cells[row.cells.length - 1];
  return {
    text: row.textContent.replace(/\\s+/g, ' ').trim().slice(0, 60),
    status: status.textContent.trim(),
    statusBox: box(status),
    cells: [...row.cells].filter((cell) => cell !== status).map((cell) => ({
      label: cell.dataset.label ?? null,
      role: cell.getAttribute('role'),
      ...box(cell),
    })),
  };
})"""


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def assert_every_card_fits(cards, width):
    assert cards
    for card in cards:
        box = card["statusBox"]
        assert card["status"], card["text"]
        assert box["width"] > 0 and box["left"] >= 0 and box["right"] <= width, card["text"]
        for cell in card["cells"]:
            if cell["width"] > 0:
                assert cell["left"] >= 0 and cell["right"] <= width, (card["text"], cell)


@pytest.fixture
def goals(world, provide):
    import_budget_document(organisation=world.organisation, data=SEED, filename="seed.txt")
    daily = [DailyValue(world.north.pk, d, 120.0) for d in every_day(2020)]
    daily += [DailyValue(world.north.pk, d, 125.0) for d in every_day(2021)]
    provide("guidance", FakeProvider(daily))


def test_on_a_phone_every_target_shows_its_status_on_the_goals_and_report_pages(
    live_server, world, goals, page_factory
):
    page = page_factory(**PHONE)
    log_in(page, live_server.url, "manager")
    page.wait_for_load_state("networkidle")
    for path, name in (("/goals/2021/", "goals-phone"), ("/reports/2021/", "report-phone")):
        page.goto(f"{live_server.url}{path}")
        assert no_sideways_scrolling(page), path
        cards = page.evaluate(CARDS, "table.targets tbody tr")
        assert_every_card_fits(cards, PHONE["width"])
        for card in cards:
            figures = [c for c in card["cells"] if c["role"] == "cell" and c["width"] > 0]
            # The verdict comes right below the target's name, above the figures, and each
            # figure says which it is.
            assert card["statusBox"]["top"] < min(c["top"] for c in figures), card["text"]
            assert all(c["label"] is not None for c in figures), card["text"]
        # Still a table to a screen reader, with the target naming each row.
        assert page.locator("table.targets").first.get_attribute("role") == "table"
        assert page.get_by_role("rowheader", name="Vejledning").count() >= 1
        screenshot(page, name)


def test_on_a_phone_the_events_list_keeps_participants_and_status(live_server, world, page_factory):
    from bibliotal.events.models import EventOccurrence

    now = timezone.localtime()
    start = timezone.make_aware(datetime.combine(now.date().replace(day=1), time(10)))
    for day, title in enumerate(
        ["Bogcafé for alle, der holder af gode bøger", "Lektiecafé", "Forfatteraften"]
    ):
        EventOccurrence.objects.create(
            organisation=world.organisation,
            title=title,
            branch=world.north,
            starts_at=start + timedelta(days=day),
            attendance_total=12 + day,
            status="held",
        )
    page = page_factory(**PHONE)
    log_in(page, live_server.url, "manager")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/events/")
    assert no_sideways_scrolling(page)
    cards = page.evaluate(CARDS, "#events-caption ~ tbody tr")
    assert_every_card_fits(cards, PHONE["width"])
    assert [card["status"] for card in cards] == ["Afholdt"] * 3
    participants = page.locator("td[data-label='Deltagere']")
    assert participants.all_inner_texts() == ["12", "13", "14"]  # under the name "Deltagere"
    screenshot(page, "events-phone")


def test_on_a_phone_the_header_is_one_line_and_its_menu_opens_the_navigation(
    live_server, world, page_factory
):
    page = page_factory(**PHONE)
    log_in(page, live_server.url, "manager")
    page.get_by_role("heading", name="Testrup Bibliotekerne").wait_for()
    page.wait_for_load_state("networkidle")
    header = page.locator("header.site-header")
    assert header.bounding_box()["height"] <= 70
    assert page.locator("h1").bounding_box()["y"] < 110
    main_menu = page.get_by_role("navigation", name="Hovedmenu")
    assert not main_menu.is_visible()
    button = page.get_by_role("button", name="Menu")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert main_menu.get_by_role("link", name="Mål").is_visible()
    assert page.get_by_role("button", name="Log manager ud").is_visible()
    screenshot(page, "menu-open-phone")
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert not main_menu.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('menu-button')")
    button.click()
    main_menu.get_by_role("link", name="Mål").click()
    page.get_by_role("heading", name="Mål").first.wait_for()


def test_on_a_desk_the_navigation_shows_without_a_menu_button(live_server, world, page_factory):
    page = page_factory(width=1280, height=800)
    log_in(page, live_server.url, "manager")
    page.get_by_role("heading", name="Testrup Bibliotekerne").wait_for()
    assert (
        page.get_by_role("navigation", name="Hovedmenu")
        .get_by_role("link", name="Mål")
        .is_visible()
    )
    assert not page.get_by_role("button", name="Menu").is_visible()


def test_the_heat_map_says_it_scrolls_and_has_a_key_in_words(live_server, world, page_factory):
    from bibliotal.visits.models import CounterReading, Sensor

    gate = Sensor.objects.create(organisation=world.organisation, branch=world.north, name="N-1")
    for hour, count in enumerate([2, 9, 17, 26, 34, 40, 12, 8, 5, 3]):
        starts = timezone.make_aware(datetime.combine(timezone.localdate(), time(8 + hour)))
        CounterReading.objects.create(
            sensor=gate,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            count_in=count,
            count_out=count,
        )
    page = page_factory(**PHONE)
    log_in_english(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/visits/")
    assert no_sideways_scrolling(page)
    region = page.get_by_role("region", name="Average visits per hour", exact=False)
    hint_id = region.get_attribute("aria-describedby")
    hint = page.locator(f"#{hint_id}")
    assert hint.inner_text() == (
        "The table is wider than the screen: scroll sideways in it to see every column."
    )
    assert hint.is_visible()
    region.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.activeElement.scrollLeft > 0")  # the keyboard scrolls it
    key = page.get_by_role("list", name="The colours: average visits in the hour")
    assert key.get_by_role("listitem").all_inner_texts() == [
        "0 or – (no counts)",
        "up to 12",
        "12–20",
        "20–28",
        "28–36",
        "36–40",
    ]
    screenshot(page, "heat-map-phone")
    # On a desk the map fits: no hint.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.wait_for_function(f"() => document.getElementById('{hint_id}').hidden")
    assert region.get_attribute("aria-describedby") is None


def log_in_english(page, base, username):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(f"{base}/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Testrup Bibliotekerne").wait_for()
    page.wait_for_load_state("networkidle")


def test_the_section_tab_of_the_page_is_marked_current(live_server, world, page_factory):
    page = page_factory(**PHONE)
    log_in(page, live_server.url, "manager")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/visits/flags/")
    tabs = page.get_by_role("navigation", name="Besøg")
    current = tabs.locator("[aria-current='page']")
    assert current.all_inner_texts() == ["Gennemgå markeringer"]
    style = current.evaluate(
        "a => getComputedStyle(a).borderBottomStyle + ' ' + getComputedStyle(a).fontWeight"
    )
    assert style == "solid 700"
    page.goto(f"{live_server.url}/visits/")
    assert tabs.locator("[aria-current='page']").all_inner_texts() == ["Besøg pr. måned"]
