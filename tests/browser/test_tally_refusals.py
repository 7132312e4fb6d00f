"""The tally page reads the API's Problem answer: a refused tap leaves the queue, named by its key
or by its place in the batch, and the good taps of the batch are stored."""

import pytest

from bibliotal.guidance.models import GuidanceTopic
from tests.browser.test_tally import open_tally, wait_for_records

pytestmark = pytest.mark.browser

QUEUE = "bibliotal-guidance-queue-" + "{point}"


def queued(page, point):
    return page.evaluate(f"JSON.parse(localStorage.getItem('{QUEUE.format(point=point)}'))")


def spoil(page, point, index, topic):
    key = QUEUE.format(point=point)
    page.evaluate(
        f"""() => {{
            const queue = JSON.parse(localStorage.getItem('{key}'));
            queue[{index}].topic = {topic!r};
            localStorage.setItem('{key}', JSON.stringify(queue));
        }}"""
    )


def test_refused_taps_leave_the_queue_and_the_good_ones_are_stored(
    live_server, world, page_factory
):
    page = page_factory(width=1024, height=768)
    open_tally(page, live_server.url)
    point = page.locator("[data-tally]").get_attribute("data-service-point")
    page.context.set_offline(True)
    for _ in range(3):
        page.get_by_role("button", name="Medier").click()
    assert len(queued(page, point)) == 3
    # One tap that is no tap at all (a topic that is not a number), one the service refuses
    # (a topic of another organisation).
    spoil(page, point, 1, "x")
    other = GuidanceTopic.objects.filter(organisation=world.other_organisation).first()
    spoil(page, point, 2, other.pk)
    page.context.set_offline(False)
    assert wait_for_records(page, 1) == 1
    page.wait_for_function(
        f"JSON.parse(localStorage.getItem('{QUEUE.format(point=point)}')).length === 0"
    )
