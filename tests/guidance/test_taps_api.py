"""POST /api/v1/guidance: one tap or a batch, each key stored once, all or nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bibliotal.core.models import AuditEntry
from bibliotal.guidance.models import GuidanceRecord, GuidanceTopic
from tests.guidance.conftest import tap

URL = "/api/v1/guidance"


def post(client, payload):
    return client.post(URL, payload, content_type="application/json")


def test_new_organisations_get_the_default_topics(world):
    names = list(
        GuidanceTopic.objects.filter(organisation=world.organisation).values_list(
            "name", "counts_toward_goal"
        )
    )
    assert ("Praktisk spørgsmål", False) in names and ("Litteratur og læsning", True) in names
    assert len(names) == 7


def test_a_tap_is_stored_with_its_time_and_maker(client, world, desk, topics):
    client.force_login(world.staff)
    now = timezone.now()
    # Half an hour ago, or less just after midnight, so that the tap is today's.
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    at = now - min(timedelta(minutes=30), (now - midnight) / 2)
    response = post(
        client, tap("k1", desk, topics["Medier"], at=at.isoformat(), channel="phone", child=True)
    )
    assert response.status_code == 200
    assert response.json() == {
        "stored": ["k1"],
        "duplicates": [],
        "today": {str(topics["Medier"].pk): 1},
    }
    record = GuidanceRecord.objects.get()
    assert (record.branch, record.channel, record.child, record.count, record.source) == (
        world.north,
        "phone",
        True,
        1,
        "tap",
    )
    assert record.registered_by == world.staff
    assert abs(record.occurred_at - at) < timedelta(seconds=1)


def test_a_tap_sent_twice_counts_once(client, world, desk, topics):
    client.force_login(world.staff)
    items = [tap("same", desk, topics["Medier"])] * 2 + [tap("other", desk, topics["Andet"])]
    first = post(client, {"items": items})
    assert first.json()["stored"] == ["same", "other"]
    again = post(client, {"items": items})
    assert again.json() == {
        "stored": [],
        "duplicates": ["same", "other"],
        "today": {str(topics["Medier"].pk): 1, str(topics["Andet"].pk): 1},
    }
    assert GuidanceRecord.objects.count() == 2


def test_one_bad_item_stores_nothing_and_names_the_problem(client, world, desk, topics):
    client.force_login(world.staff)
    future = (timezone.now() + timedelta(hours=2)).isoformat()
    response = post(
        client,
        {
            "items": [
                tap("good", desk, topics["Medier"]),
                tap("bad", desk, topics["Medier"], at=future),
            ]
        },
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["key"] == "bad" and error["field"] == "at" and "fremtiden" in error["message"]
    assert GuidanceRecord.objects.count() == 0


def test_staff_register_only_at_their_own_libraries(client, world, desk, south_desk, topics):
    client.force_login(world.staff)
    response = post(client, tap("x", south_desk, topics["Medier"]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "service_point"
    client.force_login(world.coordinator)
    assert post(client, tap("y", south_desk, topics["Medier"])).status_code == 200


def test_a_topic_of_another_organisation_is_refused(client, world, desk):
    other = GuidanceTopic.objects.filter(organisation=world.other_organisation).first()
    client.force_login(world.staff)
    response = post(client, tap("z", desk, other))
    assert response.status_code == 422 and GuidanceRecord.objects.count() == 0


def test_outsiders_and_anonymous_callers_are_refused(client, world, desk, topics):
    assert post(client, tap("a", desk, topics["Medier"])).status_code == 401
    client.force_login(world.outsider)
    assert post(client, tap("a", desk, topics["Medier"])).status_code == 403


def test_undo_within_two_minutes_by_its_maker_only(client, world, desk, topics):
    client.force_login(world.staff)
    post(client, tap("u1", desk, topics["Medier"]))
    client.force_login(world.coordinator)
    assert client.post(f"{URL}/u1/undo").status_code == 409
    client.force_login(world.staff)
    response = client.post(f"{URL}/u1/undo")
    assert response.status_code == 200 and response.json()["today"] == {}
    assert GuidanceRecord.objects.counted().count() == 0
    entry = AuditEntry.objects.get(model="guidance.GuidanceRecord", note="undo")
    assert entry.actor == world.staff and entry.organisation == world.organisation
    post(client, tap("u2", desk, topics["Medier"]))
    GuidanceRecord.objects.filter(idempotency_key="u2").update(
        created_at=timezone.now() - timedelta(minutes=3)
    )
    assert client.post(f"{URL}/u2/undo").status_code == 409


def test_todays_counts_and_the_summary(client, world, desk, topics):
    client.force_login(world.staff)
    post(
        client,
        {
            "items": [tap(f"t{i}", desk, topics["Medier"]) for i in range(3)]
            + [tap("p", desk, topics["Praktisk spørgsmål"], channel="phone")]
        },
    )
    today = client.get(f"{URL}/today", {"service_point": desk.pk}).json()
    assert today == {str(topics["Medier"].pk): 3, str(topics["Praktisk spørgsmål"].pk): 1}
    assert (
        client.get(f"{URL}/summary", {"from": "2020-01-01", "to": "2020-12-31"}).status_code == 403
    )  # managers only
    client.force_login(world.manager)
    day = timezone.localdate().isoformat()
    rows = client.get(
        f"{URL}/summary", {"from": day, "to": day, "group_by": "topic,channel"}
    ).json()
    assert rows == [
        {"topic": "Medier", "channel": "in_person", "count": 3},
        {"topic": "Praktisk spørgsmål", "channel": "phone", "count": 1},
    ]
    goal = client.get(
        f"{URL}/summary", {"from": day, "to": day, "group_by": "branch", "goal_only": "true"}
    ).json()
    assert goal == [{"branch": "Nord Bibliotek", "count": 3}]
    assert (
        client.get(f"{URL}/summary", {"from": day, "to": day, "group_by": "citizen"}).status_code
        == 422
    )


@pytest.mark.parametrize("field", ["effort", "channel"])
def test_invalid_fields_are_refused_by_the_schema(client, world, desk, topics, field):
    client.force_login(world.staff)
    bad = {"effort": 9, "channel": "pigeon"}[field]
    response = post(client, tap("v", desk, topics["Medier"], **{field: bad}))
    assert response.status_code == 422


def test_an_undo_that_arrives_before_its_tap_still_undoes_it(client, world, desk, topics):
    client.force_login(world.staff)
    assert client.post(f"{URL}/late/undo").json() == {"undone": "late", "today": None}
    response = post(client, tap("late", desk, topics["Medier"]))
    assert response.json()["stored"] == ["late"]
    assert GuidanceRecord.objects.counted().count() == 0
    assert GuidanceRecord.objects.get().undone_at is not None


def test_a_device_clock_that_runs_wrong_is_corrected(client, world, desk, topics):
    client.force_login(world.staff)
    device_now = timezone.now() + timedelta(minutes=9)  # a tablet nine minutes fast
    at = device_now - timedelta(minutes=2)
    response = post(
        client,
        {
            "items": [tap("skew", desk, topics["Medier"], at=at.isoformat())],
            "sent_at": device_now.isoformat(),
        },
    )
    assert response.status_code == 200
    stored = GuidanceRecord.objects.get().occurred_at
    assert abs(stored - (timezone.now() - timedelta(minutes=2))) < timedelta(seconds=5)


def test_taps_older_than_a_month_must_be_typed(client, world, desk, topics):
    client.force_login(world.staff)
    old = (timezone.now() - timedelta(days=40)).isoformat()
    response = post(client, tap("old", desk, topics["Medier"], at=old))
    assert response.status_code == 422
    assert "indtast ældre tal som en total" in response.json()["errors"][0]["message"]


def test_huge_ids_are_refused_not_crashed_on(client, world, desk):
    client.force_login(world.staff)
    response = post(client, {"key": "h", "service_point": desk.pk, "topic": 10**30})
    assert response.status_code == 422


def test_on_a_paired_tablet_the_device_registers_even_with_someone_logged_in(
    client, world, desk, topics
):
    from bibliotal.api.guidance import KIOSK_COOKIE
    from bibliotal.guidance.models import KioskDevice

    device = KioskDevice(service_point=desk, name="Tablet")
    key = device.set_new_key()
    device.save()
    client.force_login(world.stranger)  # works in another organisation
    client.cookies[KIOSK_COOKIE] = key
    response = post(client, tap("kiosk", desk, topics["Medier"]))
    assert response.status_code == 200
    assert GuidanceRecord.objects.get().device == device
