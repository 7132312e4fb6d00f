"""The tally page without JavaScript, typed totals, the summary page and kiosk devices."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from bibliotal.core.models import AuditEntry
from bibliotal.guidance.models import GuidanceRecord, KioskDevice


def test_the_tally_page_works_without_javascript(client, world, desk, topics):
    client.force_login(world.staff)
    url = reverse("guidance:tally", args=[desk.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Litteratur og læsning" in page.content.decode()
    response = client.post(url, {"topic": topics["Medier"].pk, "channel": "in_person"})
    assert response.status_code == 302
    record = GuidanceRecord.objects.get()
    assert record.source == "tap"
    client.post(url, {"undo": record.idempotency_key})
    assert GuidanceRecord.objects.counted().count() == 0


def test_staff_cannot_open_another_librarys_tally_page(client, world, south_desk):
    client.force_login(world.staff)
    assert client.get(reverse("guidance:tally", args=[south_desk.pk])).status_code == 403
    client.force_login(world.outsider)
    assert client.get(reverse("guidance:index")).status_code == 403


def test_typed_totals_are_validated_and_audited(client, world, desk, topics):
    client.force_login(world.staff)
    url = reverse("guidance:typed")
    data = {
        "key": "typed-form-1",
        "service_point": desk.pk,
        "topic": topics["Medier"].pk,
        "channel": "in_person",
        "day": (timezone.localdate() + timedelta(days=1)).isoformat(),
        "count": 12,
    }
    assert "Datoen ligger i fremtiden." in client.post(url, data).content.decode()
    data["day"] = (timezone.localdate() - timedelta(days=3)).isoformat()
    data["count"] = 450
    assert "usædvanligt mange" in client.post(url, data).content.decode()
    assert GuidanceRecord.objects.count() == 0
    data["confirm_large"] = "on"
    assert client.post(url, data).status_code == 302
    record = GuidanceRecord.objects.get()
    assert (record.count, record.source, record.day) == (
        450,
        "typed",
        timezone.localdate() - timedelta(days=3),
    )
    entry = AuditEntry.objects.get(model="guidance.GuidanceRecord", action="create")
    assert entry.actor == world.staff and entry.changes["count"] == [None, 450]
    # The same form sent again stores nothing more.
    assert client.post(url, data).status_code == 302
    assert GuidanceRecord.objects.count() == 1


def test_the_unusual_total_is_judged_for_the_whole_day(client, world, desk, topics):
    client.force_login(world.staff)
    url = reverse("guidance:typed")
    day = (timezone.localdate() - timedelta(days=2)).isoformat()
    base = {
        "service_point": desk.pk,
        "topic": topics["Medier"].pk,
        "channel": "in_person",
        "day": day,
        "count": 250,
    }
    assert client.post(url, {**base, "key": "a"}).status_code == 302
    response = client.post(url, {**base, "key": "b"})
    assert "500 vejledninger på én dag er usædvanligt mange" in response.content.decode()


def test_the_summary_page_groups_for_managers_only(client, world, desk, topics):
    client.force_login(world.staff)
    assert client.get(reverse("guidance:summary")).status_code == 403
    client.post(reverse("guidance:tally", args=[desk.pk]), {"topic": topics["Medier"].pk})
    client.force_login(world.manager)
    response = client.get(
        reverse("guidance:summary"),
        {
            "start": timezone.localdate().isoformat(),
            "end": timezone.localdate().isoformat(),
            "group_by": ["branch", "topic"],
        },
    )
    assert response.context["rows"] == [{"cells": ["Nord Bibliotek", "Medier"], "total": 1}]


def pair(client, world, desk):
    client.force_login(world.administrator)
    response = client.post(
        "/admin/guidance/kioskdevice/add/",
        {"service_point": desk.pk, "name": "Tablet ved skranken"},
        follow=True,
    )
    message = str(next(iter(response.context["messages"])))
    link = message.rsplit(" ", 1)[-1]
    client.logout()
    key = link.split("key=", 1)[1]
    assert client.get(reverse("guidance:kiosk_pair"), {"key": key}).status_code == 200
    response = client.post(reverse("guidance:kiosk_pair"), {"key": key})
    assert response.status_code == 302
    return key


def test_a_paired_kiosk_taps_without_login_at_its_own_service_point_only(
    client, world, desk, south_desk, topics
):
    key = pair(client, world, desk)
    device = KioskDevice.objects.get()
    # The pairing address worked once: the device now has a key only its cookie knows.
    assert device.key_digest != KioskDevice.digest(key)
    assert client.get(reverse("guidance:kiosk_pair"), {"key": key}).status_code == 404
    assert client.get(reverse("guidance:tally", args=[desk.pk])).status_code == 200
    csrf = client.get(reverse("guidance:tally", args=[desk.pk])).context["csrf_token"]
    tap = {"key": "kiosk-1", "service_point": desk.pk, "topic": topics["Medier"].pk}
    response = client.post(
        "/api/v1/guidance", tap, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 200
    record = GuidanceRecord.objects.get()
    assert record.device == device and record.registered_by is None
    other = {**tap, "key": "kiosk-2", "service_point": south_desk.pk}
    assert (
        client.post(
            "/api/v1/guidance",
            other,
            content_type="application/json",
            headers={"X-CSRFToken": csrf},
        ).status_code
        == 422
    )
    assert (
        client.get(
            "/api/v1/guidance/summary", {"from": "2021-01-01", "to": "2021-01-02"}
        ).status_code
        == 403
    )
    device.revoked_at = timezone.now()
    device.save()
    assert (
        client.post(
            "/api/v1/guidance",
            {**tap, "key": "kiosk-3"},
            content_type="application/json",
            headers={"X-CSRFToken": csrf},
        ).status_code
        == 401
    )


def test_a_kiosk_post_without_the_csrf_token_is_refused(client, world, desk, topics):
    pair(client, world, desk)
    client.handler.enforce_csrf_checks = True
    tap = {"key": "kiosk-x", "service_point": desk.pk, "topic": topics["Medier"].pk}
    response = client.post("/api/v1/guidance", tap, content_type="application/json")
    assert response.status_code in {401, 403}
    assert GuidanceRecord.objects.count() == 0
