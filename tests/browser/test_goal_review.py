"""A manager reviews a goal document's sentences before saving them, on a phone and a desktop:
upload the founding document, correct one number, save, and find the corrected target."""

from decimal import Decimal
from pathlib import Path

import pytest

from bibliotal.goals.models import Target
from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import violations
from tests.browser.test_login_and_libraries import log_in

pytestmark = pytest.mark.browser

SEED = Path(__file__).resolve().parents[1] / "data" / "goals" / "maal-budget-2021.txt"
GUIDANCE = "Bibliotekets ansatte vejleder borgerne"


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_a_manager_corrects_a_number_before_saving(live_server, world, page_factory, width, height):
    page = page_factory(width, height)
    log_in(page, live_server.url, world.manager.username)
    page.wait_for_load_state("networkidle")
    # In English: the page's new words reach the Danish catalogue when the lead merges them.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/goals/import/")
    page.get_by_label("Goal document").set_input_files(str(SEED))
    page.get_by_role("button", name="Show a preview").click()
    card = page.get_by_role("group", name=GUIDANCE)
    card.wait_for()
    page.wait_for_load_state("networkidle")
    assert fits(page), "the review page scrolls sideways"
    assert violations(page) == []
    screenshot(page, f"goal-review-{width}")
    number = card.get_by_label("Number", exact=True)
    assert number.input_value().startswith("45000")
    number.fill("46500")
    save = page.get_by_role("button", name="Save the goals")
    save.scroll_into_view_if_needed()
    with page.expect_navigation(timeout=60_000):
        save.click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{live_server.url}/goals/2021/", page.locator("main").inner_text()[:800]
    target = Target.objects.get(source_text__startswith=GUIDANCE)
    assert target.threshold == Decimal("46500")
    assert Target.objects.exclude(kind="qualitative").count() == 9


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_a_manager_reads_another_section_of_a_budget_book(
    live_server, world, page_factory, tmp_path, width, height
):
    """A budget book of 30 pages: the libraries' section is read first; the manager chooses
    the museums' section instead, reviews it and saves it."""
    from tests.goals.test_budget_book import FOUNDING, MUSEUMS, bench

    book = tmp_path / "budget.pdf"
    book.write_bytes(bench.budget_book(30, libraries_at=12, founding=FOUNDING))
    page = page_factory(width, height)
    log_in(page, live_server.url, world.manager.username)
    page.wait_for_load_state("networkidle")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/goals/import/")
    page.get_by_label("Goal document").set_input_files(str(book))
    page.get_by_role("button", name="Show a preview").click()
    page.get_by_text("Read from the section “Serviceområde 14 Biblioteker”").wait_for()
    page.get_by_role("group", name=GUIDANCE).wait_for()
    choice = page.get_by_label("Section of the budget book")
    choice.select_option(MUSEUMS)
    with page.expect_navigation(timeout=60_000):
        page.get_by_role("button", name="Read this section").click()
    page.get_by_text(f"Read from the section “{MUSEUMS}”").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("group", name=GUIDANCE).count() == 0
    assert page.get_by_role("group", name="Antallet af brugere af museer").count() == 1
    assert fits(page), "the section choice scrolls sideways"
    assert violations(page) == []
    screenshot(page, f"goal-book-section-{width}")
    save = page.get_by_role("button", name="Save the goals")
    save.scroll_into_view_if_needed()
    with page.expect_navigation(timeout=60_000):
        save.click()
    assert page.url == f"{live_server.url}/goals/2021/", page.locator("main").inner_text()[:800]
    assert Target.objects.filter(focus_area__service_area="1 Museer").exists()
