"""The tally page without JavaScript, the summary page and kiosk devices."""

import pytest
from django.urls import reverse
from django.utils import timezone

from bibliotal.core.models import AuditEntry, Role
from bibliotal.guidance.models import GuidanceRecord, KioskDevice
from tests.conftest import make_user


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


def test_the_confirmation_names_the_tap_and_its_undo_removes_that_one(client, world, desk, topics):
    client.force_login(world.staff)
    client.cookies["django_language"] = "en"
    url = reverse("guidance:tally", args=[desk.pk])
    client.post(url, {"key": "first", "topic": topics["Andet"].pk})
    client.post(
        url, {"key": "second", "topic": topics["Medier"].pk, "channel": "phone", "child": "1"}
    )
    page = client.get(url).content.decode()
    assert "Registered: Medier · Phone · Child or young person · Skranken." in page
    assert 'name="undo" value="second"' in page
    # The choices are back on the first ones for the next citizen.
    assert 'name="channel" value="in_person" checked' in page
    assert 'name="child" value="0" checked' in page
    client.post(url, {"undo": "second"})
    assert list(GuidanceRecord.objects.counted().values_list("idempotency_key", flat=True)) == [
        "first"
    ]
    assert GuidanceRecord.objects.get(idempotency_key="second").child is True
    page = client.get(url).content.decode()
    assert "Undone: Medier · Phone · Child or young person · Skranken." in page
    assert "1 guidance registered here today" in page


@pytest.mark.parametrize(
    ("taps", "danish"),
    [(0, "0 vejledninger registreret"), (1, "1 vejledning registreret"), (2, "2 vejledninger")],
)
def test_the_days_total_is_singular_or_plural(client, world, desk, topics, taps, danish):
    client.force_login(world.staff)
    url = reverse("guidance:tally", args=[desk.pk])
    for n in range(taps):
        client.post(url, {"key": f"k{n}", "topic": topics["Medier"].pk, "child": "0"})
    page = client.get(url).content.decode()
    assert danish in page
    assert 'data-text-total-one="%(n)s vejledning registreret her i dag"' in page
    assert 'data-text-total-other="%(n)s vejledninger registreret her i dag"' in page
    assert set(GuidanceRecord.objects.values_list("child", flat=True)) <= {False}


def test_staff_cannot_open_another_librarys_tally_page(client, world, south_desk):
    client.force_login(world.staff)
    assert client.get(reverse("guidance:tally", args=[south_desk.pk])).status_code == 403
    client.force_login(world.outsider)
    assert client.get(reverse("guidance:index")).status_code == 403


def test_the_summary_page_is_for_managers_only_and_keeps_its_period(client, world, desk, topics):
    client.force_login(world.staff)
    assert client.get(reverse("guidance:summary")).status_code == 403
    client.post(reverse("guidance:tally", args=[desk.pk]), {"topic": topics["Medier"].pk})
    client.force_login(world.manager)
    today = timezone.localdate().isoformat()
    response = client.get(
        reverse("guidance:summary"), {"start": today, "end": today, "rows": "branch"}
    )
    assert [(r["label"], r["total"]) for r in response.context["table"]["rows"]] == [
        ("Nord Bibliotek", 1)
    ]
    html = response.content.decode()
    assert f'name="start" value="{today}"' in html and f'name="end" value="{today}"' in html
    # The page's own first period is in ISO too, so the browser shows it.
    first = client.get(reverse("guidance:summary")).content.decode()
    assert f'name="start" value="{timezone.localdate().year}-01-01"' in first


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


def test_only_an_administrator_unpairs_a_kiosk_and_only_after_confirming(
    client, world, desk, topics
):
    pair(client, world, desk)
    device = KioskDevice.objects.get()
    page = client.get(reverse("guidance:tally", args=[desk.pk])).content.decode()
    assert reverse("guidance:kiosk_unpair") in page and "kun administratorer" in page
    # Anyone at the tablet: asked to log in, never unpaired on the spot.
    response = client.post(reverse("guidance:kiosk_unpair"))
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(world.staff)
    assert client.get(reverse("guidance:kiosk_unpair")).status_code == 403
    assert client.post(reverse("guidance:kiosk_unpair"), {"confirm": "unpair"}).status_code == 403
    elsewhere = make_user(
        "elsewhere", role=Role.ADMINISTRATOR, organisation=world.other_organisation
    )
    client.force_login(elsewhere)  # an administrator elsewhere is no administrator here
    assert client.post(reverse("guidance:kiosk_unpair"), {"confirm": "unpair"}).status_code == 403
    client.force_login(world.administrator)
    question = client.get(reverse("guidance:kiosk_unpair"))
    assert question.status_code == 200 and "Tablet ved skranken" in question.content.decode()
    unconfirmed = client.post(reverse("guidance:kiosk_unpair"))
    assert unconfirmed.status_code == 200  # the question again
    device.refresh_from_db()
    assert device.revoked_at is None
    done = client.post(reverse("guidance:kiosk_unpair"), {"confirm": "unpair"})
    assert done.status_code == 302 and done.cookies["bibliotal_kiosk"].value == ""
    device.refresh_from_db()
    assert device.revoked_at is not None
    assert AuditEntry.objects.filter(model="guidance.KioskDevice", action="update").exists()
