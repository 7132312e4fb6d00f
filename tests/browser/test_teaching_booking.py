"""A teacher books a course on the public page, in a browser, without an account."""

import pytest
from django.core import mail

from bibliotal.teaching.models import Booking, Course, Institution
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_a_teacher_books_on_the_public_page(live_server, world, page_factory):
    Institution.objects.create(
        organisation=world.organisation, name="Nordby Skole", kind="folkeskole"
    )
    course = Course.objects.create(
        organisation=world.organisation,
        title="Søg smart",
        theme="digital",
        grade_levels=["7", "8"],
        branch=world.north,
        published=True,
        contact_email="team@example.org",
    )
    page = page_factory(width=390, height=844)
    page.goto(f"{live_server.url}/teaching/courses/")
    page.get_by_role("link", name="Søg smart").click()
    page.get_by_label("Skole", exact=True).select_option(label="Nordby Skole")
    page.get_by_label("Klasse", exact=True).fill("8.b")
    page.get_by_label("Klassetrin").select_option("8")
    page.get_by_label("Forventede elever").fill("24")
    page.get_by_label("Lærerens navn").fill("Anne Lærer")
    page.get_by_label("Lærerens arbejdsmail").fill("anne@skole.example")
    page.get_by_label("Ønskede datoer").fill("Tirsdag 9. marts kl. 9")
    screenshot(page, "teaching-booking-phone")
    page.get_by_role("button", name="Send bookingen").click()
    page.get_by_role("heading", name="Tak for din booking").wait_for()
    booking = Booking.objects.get()
    assert (booking.course, booking.class_name, booking.expected_pupils) == (course, "8.b", 24)
    assert len(mail.outbox) == 2
