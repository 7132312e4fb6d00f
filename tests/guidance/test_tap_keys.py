"""Tap keys belong to their organisation: another organisation can neither undo a tap in advance
nor learn that a key exists, and a key sent many times at once is "stored" exactly once."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from bibliotal.core.models import ServicePoint
from bibliotal.guidance.models import GuidanceRecord, GuidanceTopic
from bibliotal.guidance.services import TapInput, register_taps, today_counts
from tests.guidance.conftest import tap

URL = "/api/v1/guidance"


def post(client, payload):
    return client.post(URL, payload, content_type="application/json")


@pytest.fixture
def other_desk(world):
    return ServicePoint.objects.create(branch=world.other_branch, name="Skranken")


@pytest.fixture
def other_topic(world):
    return GuidanceTopic.objects.filter(organisation=world.other_organisation).first()


def test_a_key_used_in_one_organisation_is_free_in_another(
    client, world, desk, topics, other_desk, other_topic
):
    client.force_login(world.staff)
    assert post(client, tap("k-1", desk, topics["Medier"])).json()["stored"] == ["k-1"]
    client.force_login(world.stranger)
    answer = post(client, tap("k-1", other_desk, other_topic)).json()
    assert (answer["stored"], answer["duplicates"]) == (["k-1"], [])
    assert {r.organisation for r in GuidanceRecord.objects.all()} == {
        world.organisation,
        world.other_organisation,
    }


def test_another_organisation_cannot_undo_a_tap_in_advance(client, world, desk, topics):
    client.force_login(world.stranger)
    assert client.post(f"{URL}/later/undo").json() == {"undone": "later", "today": None}
    client.force_login(world.staff)
    assert post(client, tap("later", desk, topics["Medier"])).json()["stored"] == ["later"]
    assert GuidanceRecord.objects.counted().count() == 1


def test_another_organisation_cannot_learn_that_a_key_exists(client, world, desk, topics):
    client.force_login(world.staff)
    post(client, tap("secret", desk, topics["Medier"]))
    client.force_login(world.stranger)
    known = client.post(f"{URL}/secret/undo")
    unknown = client.post(f"{URL}/never-used/undo")
    assert (known.status_code, unknown.status_code) == (200, 200)
    assert known.json() == {"undone": "secret", "today": None}
    assert GuidanceRecord.objects.counted().count() == 1


def test_the_same_organisation_still_undoes_in_advance(client, world, desk, topics):
    client.force_login(world.staff)
    client.post(f"{URL}/early/undo")
    post(client, tap("early", desk, topics["Medier"]))
    assert GuidanceRecord.objects.get().undone_at is not None


def test_a_key_stored_by_another_request_meanwhile_is_a_duplicate(world, desk, topics):
    """The race of two identical taps, played in order: the other request stores the key
    after this one was validated and just before this one's INSERT. The unique key decides:
    this one is the duplicate, and the day's total counts the tap once."""
    item = TapInput(key="raced", service_point_id=desk.pk, topic_id=topics["Medier"].pk)
    state = {"raced": False}

    def the_other_request_stores_it_meanwhile(execute, sql, params, many, context):
        if "ON CONFLICT" in sql and not state["raced"]:
            state["raced"] = True
            GuidanceRecord.objects.create(
                branch=world.north,
                service_point=desk,
                topic=topics["Medier"],
                occurred_at=timezone.now(),
                day=timezone.localdate(),
                idempotency_key="raced",
            )
        return execute(sql, params, many, context)

    with connection.execute_wrapper(the_other_request_stores_it_meanwhile):
        result = register_taps(items=[item], user=world.staff)
    assert state["raced"]
    assert (result.stored, result.duplicates) == ([], ["raced"])
    assert GuidanceRecord.objects.count() == 1
    assert today_counts(service_point=desk, day=timezone.localdate()) == {topics["Medier"].pk: 1}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite takes one writer at a time at BEGIN"
)
def test_eight_identical_taps_at_once_store_one_and_say_so_once(world, desk, topics):
    clients = 8
    barrier = threading.Barrier(clients)
    answers, failures = [], []

    def send():
        try:
            barrier.wait(timeout=10)
            result = register_taps(
                items=[
                    TapInput(key="same", service_point_id=desk.pk, topic_id=topics["Medier"].pk)
                ],
                user=world.staff,
            )
            answers.append(result)
        except Exception as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert sorted(len(a.stored) for a in answers) == [0] * (clients - 1) + [1]
    assert sum(len(a.duplicates) for a in answers) == clients - 1
    assert GuidanceRecord.objects.filter(idempotency_key="same").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's one writer only")
def test_a_single_tap_on_sqlite_queues_for_the_workers_writer_and_a_batch_does_not(
    world, desk, topics, monkeypatch
):
    """Threads of one worker queue for each other (not in SQLite's busy handler) around a single
    tap's INSERT; a batch, in its own transaction that holds the write lock, must not (it
    could wait for a thread that waits for its lock)."""
    from bibliotal.guidance import services

    entered = []

    class Recording:
        def __enter__(self):
            entered.append(connection.in_atomic_block)

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(services, "_SQLITE_WRITER", Recording())
    medier = topics["Medier"].pk
    register_taps(items=[TapInput("one", desk.pk, medier)], user=world.staff)
    assert entered == [False]
    register_taps(
        items=[TapInput("two", desk.pk, medier), TapInput("three", desk.pk, medier)],
        user=world.staff,
    )
    assert entered == [False]
    assert GuidanceRecord.objects.count() == 3
