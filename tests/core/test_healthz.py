"""/healthz tells a load balancer whether this server can answer (the database), and monitoring
whether the worker keeps up with its queue."""

from datetime import timedelta

from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from bibliotal.core import dbstate
from bibliotal.core.tasks import nightly_sync, schedule_nightly

URL = reverse("core:healthz")


def test_a_fine_database_is_200_and_a_worker_that_never_started_is_reported(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "status": "degraded",
        "database": {"ok": True, "reachable": True, "migrated": True, "pending_migrations": 0},
        "worker": {
            "ok": False,
            "nightly_scheduled": False,
            "overdue_tasks": 0,
            "last_run": None,
        },
    }


def test_with_the_nightly_run_waiting_and_nothing_overdue_all_is_ok(client, db):
    schedule_nightly()
    finished = timezone.now() - timedelta(hours=3)
    done = nightly_sync.enqueue()
    DBTaskResult.objects.filter(id=done.id).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=finished
    )
    body = client.get(URL).json()
    assert body["status"] == "ok"
    assert body["worker"] == {
        "ok": True,
        "nightly_scheduled": True,
        "overdue_tasks": 0,
        "last_run": finished.isoformat(),
    }


def test_a_task_waiting_long_past_its_time_means_no_worker_runs(client, db):
    schedule_nightly()
    nightly_sync.using(run_after=timezone.now() - timedelta(minutes=20)).enqueue()
    nightly_sync.using(run_after=timezone.now() - timedelta(minutes=5)).enqueue()  # just due
    response = client.get(URL)
    assert response.status_code == 200  # the web server itself is fine
    body = response.json()
    assert body["status"] == "degraded"
    assert body["worker"]["ok"] is False and body["worker"]["overdue_tasks"] == 1
    strict = client.get(URL, {"require": "worker"})
    assert strict.status_code == 503 and strict.json()["worker"]["overdue_tasks"] == 1


def test_a_migration_not_applied_is_503(client, db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(name) FROM django_migrations WHERE app = 'core'")
        [latest] = cursor.fetchone()
        cursor.execute("DELETE FROM django_migrations WHERE app = 'core' AND name = %s", [latest])
    response = client.get(URL)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == {
        "ok": False,
        "reachable": True,
        "migrated": True,
        "pending_migrations": 1,
    }


def test_a_database_that_does_not_answer_is_503_without_its_error(client, db, monkeypatch):
    def refuse(_connection):
        raise OperationalError('connection to server at "db.internal" failed: timeout')

    monkeypatch.setattr(dbstate, "_applied", refuse)
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": {"ok": False, "reachable": False, "migrated": False, "pending_migrations": 0},
        "worker": None,
    }
    assert b"db.internal" not in response.content


def test_the_liveness_probe_answers_without_the_database(client, db, django_assert_num_queries):
    """/healthz/live says only that the process answers: a database outage must not make a
    container's liveness probe restart a server that is otherwise fine."""
    with django_assert_num_queries(0):
        response = client.get(reverse("core:liveness"))
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
