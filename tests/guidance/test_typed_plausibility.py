"""A typed total far outside the service point's normal for the weekday asks for a
confirmation; beyond the ceiling it is refused."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bibliotal.guidance.models import GuidanceRecord
from bibliotal.guidance.services import check_typed_total


@pytest.fixture
def usual(world, desk, topics):
    """Eight earlier same weekdays with 40–47 guidances at the desk."""
    day = timezone.localdate() - timedelta(days=7)
    topic = topics["Litteratur og læsning"]
    for week in range(1, 9):
        past = day - timedelta(weeks=week)
        GuidanceRecord.objects.create(
            branch=world.north,
            service_point=desk,
            topic=topic,
            occurred_at=timezone.make_aware(datetime.combine(past, time(12))),
            day=past,
            count=40 + week,
            source="typed",
            idempotency_key=f"past-{week}",
        )
    return day


def form(desk, topic, day, count, **extra):
    """The sheet for a day with one number typed (the page showed nothing typed yet)."""
    return {
        "url": f"{reverse('guidance:typed')}?service_point={desk.pk}&day={day.isoformat()}",
        "data": {f"cell-{topic.pk}-in_person": count, **extra},
    }


def post(client, sheet):
    return client.post(sheet["url"], sheet["data"])


def test_a_total_far_above_the_weekday_normal_asks_for_a_confirmation(
    client, world, desk, topics, usual
):
    client.force_login(world.staff)
    topic = topics["Medier"]
    page = post(client, form(desk, topic, usual, 400))
    assert page.status_code == 200 and GuidanceRecord.objects.filter(count=400).count() == 0
    warning = page.context["grid"].warning
    assert "400" in warning and "44" in warning and "8" in warning
    assert 'name="confirm_large"' in page.content.decode()
    assert warning in page.content.decode()
    saved = post(client, form(desk, topic, usual, 400, confirm_large="on"))
    assert saved.status_code == 302 and GuidanceRecord.objects.filter(count=400).exists()


def test_a_usual_total_is_saved_without_a_question(client, world, desk, topics, usual):
    client.force_login(world.staff)
    assert post(client, form(desk, topics["Medier"], usual, 50)).status_code == 302


def test_a_total_above_the_ceiling_is_refused_even_when_confirmed(client, world, desk, topics):
    client.force_login(world.staff)
    day = timezone.localdate() - timedelta(days=1)
    sheet = form(desk, topics["Medier"], day, 1500, confirm_large="on")
    sheet["data"][f"cell-{topics['Andet'].pk}-phone"] = 1500
    page = post(client, sheet)
    assert page.status_code == 200 and not GuidanceRecord.objects.exists()
    assert "2.000" in page.content.decode() and "3.000" in page.content.decode()


def test_without_history_only_the_ceiling_and_the_large_total_apply(world, desk, topics):
    day = timezone.localdate() - timedelta(days=1)
    assert check_typed_total(service_point=desk, day=day, count=400).verdict.kind == "short"
    assert check_typed_total(service_point=desk, day=day, count=2001).verdict.kind == "ceiling"
