"""The date inputs of typed totals and the guidance summary keep their days in a real browser:
a value in Danish form ("30.11.2026") would show as an empty field and be sent back empty."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from bibliotal.guidance.models import GuidanceRecord
from tests.browser.conftest import screenshot
from tests.browser.test_login_and_libraries import log_in

pytestmark = pytest.mark.browser


def value(page, name):
    return page.evaluate(f"document.querySelector('input[name={name}]').value")


def test_typed_totals_keep_their_day_after_show_and_save(live_server, world, page_factory):
    page = page_factory()
    log_in(page, live_server.url, "manager")
    page.get_by_role("heading", name="Testrup Bibliotekerne").wait_for()
    page.goto(f"{live_server.url}/guidance/typed/")
    yesterday = timezone.localdate() - timedelta(days=1)
    assert value(page, "day") == yesterday.isoformat()
    earlier = (yesterday - timedelta(days=1)).isoformat()
    page.fill("input[name=day]", earlier)
    page.get_by_role("button", name="Vis").click()
    page.wait_for_load_state("networkidle")
    assert value(page, "day") == earlier
    page.get_by_label("Medier, Telefon").fill("3")
    page.get_by_role("button", name="Gem arket").click()
    page.get_by_text("1 tal er ændret").wait_for()
    page.wait_for_load_state("networkidle")
    assert value(page, "day") == earlier
    assert page.get_by_label("Medier, Telefon").input_value() == "3"
    assert GuidanceRecord.objects.get().day.isoformat() == earlier
    screenshot(page, "typed-sheet")


def test_the_guidance_summary_keeps_its_period_after_show(live_server, world, page_factory):
    page = page_factory()
    log_in(page, live_server.url, "manager")
    page.get_by_role("heading", name="Testrup Bibliotekerne").wait_for()
    page.goto(f"{live_server.url}/guidance/summary/")
    today = timezone.localdate()
    assert value(page, "start") == date(today.year, 1, 1).isoformat()
    assert value(page, "end") == today.isoformat()
    page.get_by_role("button", name="Vis").click()
    page.wait_for_load_state("networkidle")
    assert value(page, "start") == date(today.year, 1, 1).isoformat()
    page.fill("input[name=start]", "2025-03-01")
    page.fill("input[name=end]", "2025-05-31")
    page.get_by_role("button", name="Vis").click()
    page.wait_for_load_state("networkidle")
    assert (value(page, "start"), value(page, "end")) == ("2025-03-01", "2025-05-31")
    assert page.get_by_role("columnheader", name="mar. 2025").is_visible()


def test_the_typed_sheet_fits_a_phone_without_scrolling_sideways(live_server, world, page_factory):
    page = page_factory(width=390, height=844)
    log_in(page, live_server.url, "manager")
    page.get_by_role("heading", name="Testrup Bibliotekerne").wait_for()
    page.goto(f"{live_server.url}/guidance/typed/")
    page.wait_for_load_state("networkidle")
    widths = page.evaluate(
        """(() => { const t = document.querySelector('table.typed-sheet');
        return [t.getBoundingClientRect().width, t.parentElement.clientWidth,
                document.scrollingElement.scrollWidth, window.innerWidth]; })()"""
    )
    table, box, page_width, screen = widths
    assert table <= box + 1 and page_width <= screen, widths
    assert page.get_by_label("Samfundsoplysning, Chat eller e-mail").is_visible()
    screenshot(page, "typed-sheet-phone")
