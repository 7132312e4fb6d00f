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
    return {
        "key": f"typed-{count}-{day}",
        "service_point": desk.pk,
        "topic": topic.pk,
        "channel": "in_person",
        "day": day.isoformat(),
        "count": count,
        **extra,
    }


def test_a_total_far_above_the_weekday_normal_asks_for_a_confirmation(
    client, world, desk, topics, usual
):
    client.force_login(world.staff)
    url = reverse("guidance:typed")
    topic = topics["Medier"]
    page = client.post(url, form(desk, topic, usual, 400))
    assert page.status_code == 200 and GuidanceRecord.objects.filter(count=400).count() == 0
    warning = page.context["form"].warning
    assert "400" in warning and "44" in warning and "8" in warning
    assert 'name="confirm_large"' in page.content.decode()
    assert warning in page.content.decode()
    saved = client.post(url, form(desk, topic, usual, 400, confirm_large="on"))
    assert saved.status_code == 302 and GuidanceRecord.objects.filter(count=400).exists()


def test_a_usual_total_is_saved_without_a_question(client, world, desk, topics, usual):
    client.force_login(world.staff)
    response = client.post(reverse("guidance:typed"), form(desk, topics["Medier"], usual, 50))
    assert response.status_code == 302


def test_a_total_above_the_ceiling_is_refused_even_when_confirmed(client, world, desk, topics):
    client.force_login(world.staff)
    day = timezone.localdate() - timedelta(days=1)
    page = client.post(
        reverse("guidance:typed"), form(desk, topics["Medier"], day, 5000, confirm_large="on")
    )
    assert page.status_code == 200 and not GuidanceRecord.objects.exists()
    assert "2.000" in page.content.decode() and "5.000" in page.content.decode()


def test_without_history_only_the_ceiling_and_the_large_total_apply(world, desk, topics):
    day = timezone.localdate() - timedelta(days=1)
    assert check_typed_total(service_point=desk, day=day, count=400).verdict.kind == "short"
    assert check_typed_total(service_point=desk, day=day, count=2001).verdict.kind == "ceiling"
