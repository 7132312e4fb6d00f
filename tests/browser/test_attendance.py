"""Attendance entry on a phone, by whoever ran the event."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bibliotal.events.models import EventOccurrence
from tests.browser.conftest import screenshot
from tests.browser.test_login_and_libraries import log_in

pytestmark = pytest.mark.browser


def test_attendance_is_entered_on_a_phone(live_server, world, page_factory):
    event = EventOccurrence.objects.create(
        organisation=world.organisation,
        title="Bogcafé",
        branch=world.north,
        starts_at=timezone.now() - timedelta(hours=3),
        mode="hybrid",
    )
    page = page_factory(width=375, height=740)
    log_in(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/events/awaiting/")
    page.get_by_role("link", name="Bogcafé").click()
    page.get_by_label("Deltagere", exact=True).fill("31")
    page.get_by_label("Heraf børn").fill("4")
    page.get_by_label("Heraf online").fill("6")
    screenshot(page, "attendance-phone")
    page.get_by_role("button", name="Gem deltagertal").click()
    page.get_by_text("31 deltagere gemt for Bogcafé.").wait_for()
    event.refresh_from_db()
    assert (
        event.attendance_total,
        event.attendance_children,
        event.attendance_online,
        event.status,
    ) == (31, 4, 6, "held")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
