"""A goal's chart is drawn in the browser from its Vega-Lite spec, under the strict CSP."""

import pytest

from bibliotal.goals.indicators import DailyValue
from bibliotal.goals.services import import_budget_document
from tests.browser.conftest import screenshot
from tests.browser.test_login_and_libraries import log_in
from tests.goals.conftest import FakeProvider, every_day
from tests.goals.test_goal_pages import SEED

pytestmark = pytest.mark.browser


def test_the_goal_chart_is_drawn(live_server, world, page_factory, provide):
    import_budget_document(organisation=world.organisation, data=SEED, filename="seed.txt")
    daily = [DailyValue(world.north.pk, d, 120.0 + (d.month % 3) * 10) for d in every_day(2020)]
    daily += [DailyValue(world.north.pk, d, 125.0) for d in every_day(2021)]
    provide("guidance", FakeProvider(daily))
    from bibliotal.goals.models import Target

    target = Target.objects.get(indicator="guidance")
    page = page_factory()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    log_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/goals/2021/targets/{target.pk}/?at=2021-06-30")
    page.wait_for_selector("[data-drawn=done] svg", timeout=15000)
    svg = page.locator(".chart-area svg")
    assert svg.count() == 1
    assert page.locator(".chart-area svg path").count() >= 3  # actual, pace, forecast
    assert errors == []
    # 125 a day to 30 June makes 22,625; the rest of the year at that pace passes 45,000.
    assert page.get_by_text("På rette vej").first.is_visible()
    assert page.locator(".chart-area svg text", has_text="feb").count() >= 1  # Danish months
    screenshot(page, "goal-chart")
