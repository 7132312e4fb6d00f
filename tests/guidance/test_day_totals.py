"""Today's counts come from totals the database keeps (``guidance.totals``): whatever writes,
changes, undoes or deletes a record, the total of its service point, day and topic stays the
sum of the records that count. And a tap over the API costs a fixed handful of statements."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bibliotal.core.models import ApiToken
from bibliotal.guidance import totals
from bibliotal.guidance.models import GuidanceDayTotal, GuidanceRecord, UndoneKey
from bibliotal.guidance.services import TapInput, register_taps, today_counts
from tests.guidance.conftest import tap

URL = "/api/v1/guidance"


def kept():
    return {
        (t.service_point_id, t.day, t.topic_id): t.total
        for t in GuidanceDayTotal.objects.all()
        if t.total
    }


def summed():
    rows = (
        GuidanceRecord.objects.counted()
        .values("service_point_id", "day", "topic_id")
        .annotate(total=Sum("count"))
    )
    return {(r["service_point_id"], r["day"], r["topic_id"]): r["total"] for r in rows}


def record(world, desk, topic, key, *, count=1, day=None):
    day = day or timezone.localdate()
    return GuidanceRecord.objects.create(
        branch=world.north,
        service_point=desk,
        topic=topic,
        occurred_at=timezone.now(),
        day=day,
        count=count,
        source=GuidanceRecord.Source.TYPED if count > 1 else GuidanceRecord.Source.TAP,
        idempotency_key=key,
    )


def test_every_way_of_writing_a_record_keeps_the_totals(world, desk, south_desk, topics):
    media, other = topics["Medier"], topics["Samfundsoplysning"]
    register_taps(
        items=[
            TapInput(key=f"t{i}", service_point_id=desk.pk, topic_id=media.pk) for i in range(3)
        ],
        user=world.staff,
    )
    typed = record(world, desk, other, "typed", count=12)
    GuidanceRecord.objects.bulk_create(
        [
            GuidanceRecord(
                organisation=world.organisation,
                branch=world.south,
                service_point=south_desk,
                topic=media,
                occurred_at=timezone.now(),
                day=timezone.localdate() - timedelta(days=1),
                idempotency_key=f"b{i}",
            )
            for i in range(4)
        ]
    )
    assert kept() == summed()
    assert today_counts(service_point=desk, day=timezone.localdate()) == {media.pk: 3, other.pk: 12}

    typed.count = 7  # the typed grid corrects a total
    typed.save()
    GuidanceRecord.objects.filter(idempotency_key="t0").update(undone_at=timezone.now())
    GuidanceRecord.objects.filter(idempotency_key="b1").update(day=timezone.localdate())
    moved = GuidanceRecord.objects.get(idempotency_key="t1")
    moved.topic = other
    moved.save()
    assert kept() == summed()
    assert today_counts(service_point=desk, day=timezone.localdate()) == {media.pk: 1, other.pk: 8}

    GuidanceRecord.objects.filter(idempotency_key="t0").update(undone_at=None)  # undone undone
    GuidanceRecord.objects.filter(idempotency_key__startswith="b").delete()
    typed.delete()
    assert kept() == summed()
    assert today_counts(service_point=south_desk, day=timezone.localdate()) == {}


def test_a_tap_undone_before_it_arrived_is_stored_undone_and_not_counted(world, desk, topics):
    UndoneKey.objects.create(organisation=world.organisation, key="early")
    result = register_taps(
        items=[TapInput(key="early", service_point_id=desk.pk, topic_id=topics["Medier"].pk)],
        user=world.staff,
    )
    assert result.stored == ["early"]
    assert GuidanceRecord.objects.get().undone_at is not None
    assert today_counts(service_point=desk, day=timezone.localdate()) == {}


def test_lost_triggers_are_made_again_and_the_totals_worked_out_afresh(world, desk, topics):
    """SQLite drops a table's triggers when a migration rebuilds it: after every migrate they
    are made again where missing, and the totals counted anew from the records."""
    record(world, desk, topics["Medier"], "a", count=5)
    assert totals.install(connection) is False  # all there: nothing to do
    with connection.cursor() as cursor:
        for name in totals.TRIGGERS:
            suffix = "" if connection.vendor == "sqlite" else f" ON {totals.RECORDS}"
            cursor.execute(f"DROP TRIGGER {name}{suffix}")
    record(world, desk, topics["Medier"], "b", count=2)  # not seen by any trigger
    assert kept() != summed()
    assert totals.install(connection) is True
    assert totals.installed(connection) == set(totals.TRIGGERS)
    assert kept() == summed() == {(desk.pk, timezone.localdate(), topics["Medier"].pk): 7}


def test_today_does_not_read_the_days_taps(world, desk, topics, django_assert_num_queries):
    for i in range(50):
        record(world, desk, topics["Medier"], f"k{i}")
    with CaptureQueriesContext(connection) as queries:
        assert today_counts(service_point=desk, day=timezone.localdate()) == {
            topics["Medier"].pk: 50
        }
    [query] = queries.captured_queries
    assert "guidancedaytotal" in query["sql"] and "guidancerecord" not in query["sql"]


@pytest.mark.parametrize("user", ["staff", "manager"])
def test_a_tap_over_the_api_is_four_statements(client, world, desk, topics, user):
    """The token with its user and role; the service point with the permission and the topic;
    the INSERT … ON CONFLICT DO NOTHING RETURNING; today's counts."""
    _token, key = ApiToken.issue(user=getattr(world, user), name="desk")
    headers = {"Authorization": f"Bearer {key}"}
    client.post(
        URL, tap("warm", desk, topics["Medier"]), content_type="application/json", headers=headers
    )
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(
            URL, tap("k", desk, topics["Medier"]), content_type="application/json", headers=headers
        )
    assert answer.status_code == 200, answer.content
    assert answer.json()["stored"] == ["k"]
    assert answer.json()["today"] == {str(topics["Medier"].pk): 2}
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 4, statements
    assert "ON CONFLICT" in statements[2]
    again = client.post(
        URL, tap("k", desk, topics["Medier"]), content_type="application/json", headers=headers
    )
    assert (again.json()["stored"], again.json()["duplicates"]) == ([], ["k"])
    assert again.json()["today"] == {str(topics["Medier"].pk): 2}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_a_taps_statements_are_prepared_once_per_connection(client, world, desk, topics):
    """On PostgreSQL the tap's four statements are prepared on the server the first time a
    connection runs them and executed as prepared after that (``core.fastsql.cursor``); with
    prepared statements turned off the tap is the same, prepared nowhere."""

    def prepared():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT statement FROM pg_prepared_statements WHERE NOT from_sql "
                "AND statement NOT LIKE '%%pg_prepared_statements%%'"
            )
            return {row[0] for row in cursor.fetchall()}

    _token, key = ApiToken.issue(user=world.staff, name="desk")
    headers = {"Authorization": f"Bearer {key}"}

    def send(name):
        answer = client.post(
            URL, tap(name, desk, topics["Medier"]), content_type="application/json", headers=headers
        )
        assert answer.status_code == 200, answer.content
        return answer.json()

    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    assert threshold is not None  # settings: BIBLIOTAL_DB_PREPARED_STATEMENTS on by default
    connection.connection.prepare_threshold = None  # as with the setting off
    try:
        assert send("unprepared")["stored"] == ["unprepared"]
        assert prepared() == set()
    finally:
        connection.connection.prepare_threshold = threshold
    assert send("first")["stored"] == ["first"]
    first = prepared()
    assert len(first) == 4, first
    assert any("ON CONFLICT" in sql and "$1" in sql for sql in first)
    assert send("second")["stored"] == ["second"]
    again = send("second")
    assert (again["stored"], again["duplicates"]) == ([], ["second"])
    assert again["today"] == {str(topics["Medier"].pk): 3}
    assert prepared() == first  # run as prepared, not prepared again
