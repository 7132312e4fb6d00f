"""After an import the start page answers at once and its placeholders fetch the targets."""

import pytest
from django.core.cache import cache

from bibliotal.goals.indicators import DailyValue
from bibliotal.goals.services import import_budget_document
from tests.browser.test_login_and_libraries import log_in
from tests.goals.conftest import FakeProvider, every_day
from tests.goals.test_goal_pages import SEED

pytestmark = pytest.mark.browser


def test_the_placeholders_fetch_the_targets_and_the_key_figures(
    live_server, world, page_factory, provide
):
    import_budget_document(organisation=world.organisation, data=SEED, filename="seed.txt")
    daily = [DailyValue(world.north.pk, d, 120.0) for d in every_day(2020)]
    daily += [DailyValue(world.north.pk, d, 125.0) for d in every_day(2021)]
    provide("guidance", FakeProvider(daily))
    page = page_factory(width=390, height=844)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    log_in(page, live_server.url, "manager")  # lands on the start page: let it finish
    page.locator("#panel-goals-key-figures table").wait_for(timeout=15000)
    page.locator("#panel-goals-targets[aria-busy]").wait_for(state="detached", timeout=15000)
    cache.clear()  # as after an import: nothing worked out yet
    response = page.goto(f"{live_server.url}/")
    assert 'hx-get="/panels/goals.targets/"' in response.text()  # the page did not wait
    targets = page.locator("#panel-goals-targets")
    targets.get_by_role("heading", name="Sådan står målene for 2021").wait_for(timeout=15000)
    assert targets.get_attribute("aria-busy") is None
    assert targets.get_by_role("link", name="Vejledning").count() >= 1
    page.locator("#panel-goals-key-figures table").wait_for(timeout=15000)
    assert page.locator("[aria-busy=true]").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert errors == []
