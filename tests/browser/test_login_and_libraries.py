"""A librarian logs in and sees the libraries, on a desktop and on a phone, with the keyboard."""

import pytest

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, base, username):
    page.goto(f"{base}/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()


def test_a_librarian_logs_in_and_sees_the_libraries(live_server, world, page_factory):
    page = page_factory()
    log_in(page, live_server.url, "staff")
    page.get_by_role("heading", name="Testrup Bibliotekerne").wait_for()
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Biblioteker").click()
    table = page.get_by_role("table", name="Bibliotekerne i Testrup Bibliotekerne")
    assert table.get_by_role("link", name="Nord Bibliotek").is_visible()
    assert table.get_by_role("link", name="Syd Bibliotek").is_visible()
    assert "Andetsted" not in page.content()
    screenshot(page, "libraries-desktop")


def test_the_pages_fit_a_phone_and_work_by_keyboard(live_server, world, page_factory):
    page = page_factory(width=375, height=740)
    log_in(page, live_server.url, "manager")
    page.get_by_role("heading", name="Testrup Bibliotekerne").wait_for()
    # The first Tab reaches the skip link, which moves focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Gå til indholdet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Menu").click()  # on a phone the navigation is folded away
    page.get_by_role("link", name="Revisionslog").click()
    page.get_by_role("heading", name="Revisionslog").wait_for()
    screenshot(page, "audit-phone")


def test_english_is_one_click_away(live_server, world, page_factory):
    page = page_factory()
    log_in(page, live_server.url, "staff")
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="The libraries today").wait_for()
    assert page.get_attribute("html", "lang") == "en"
    page.get_by_role("button", name="Dansk").click()
    page.get_by_role("heading", name="Bibliotekerne i dag").wait_for()


def test_the_year_switch_updates_the_page_in_place(live_server, world, page_factory):
    page = page_factory()
    log_in(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/libraries/{world.north.pk}/?year=2021")
    page.get_by_label("År").select_option("2020")
    page.get_by_role("heading", name="Åbningsdage og -timer i 2020").wait_for()
    assert page.url.endswith("?year=2020")  # htmx pushed the address, so it can be shared


def test_a_refused_file_on_a_phone_takes_the_reader_to_what_went_wrong(
    live_server, world, page_factory, tmp_path
):
    bad = tmp_path / "events.json"
    bad.write_text('[{"uuid": "x", "title": "Foredrag", "branches": "Nord Bibliotek"}]')
    page = page_factory(width=375, height=740)
    log_in(page, live_server.url, "administrator")
    page.get_by_role("heading", name="Testrup Bibliotekerne").wait_for()
    page.goto(f"{live_server.url}/integrations/")
    page.get_by_label("JSON-fil gemt fra bibliotekets hjemmeside").set_input_files(str(bad))
    page.get_by_role("button", name="Importér").click()
    summary = page.get_by_role("alert").filter(has_text="Intet blev importeret")
    summary.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert summary.evaluate("e => e.getBoundingClientRect().top < window.innerHeight")
    screenshot(page, "integrations-refused-file-phone")
