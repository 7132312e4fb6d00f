"""The worker deletes teachers' contact data every night, without a cron job of its own."""

from datetime import timedelta

from django.utils import timezone

from bibliotal.core import tasks
from bibliotal.teaching.models import Booking, Course, Institution
from bibliotal.teaching.services import purge_teacher_contacts


def test_the_nightly_tasks_include_the_deletion_of_teachers_contact_data():
    assert tasks.nightly_tasks()["teaching.purge_contacts"] is purge_teacher_contacts


def test_the_nightly_run_deletes_an_old_contact_and_keeps_a_recent_one(world, settings):
    settings.BIBLIOTAL_TEACHER_CONTACT_DAYS = 30
    school = Institution.objects.create(
        organisation=world.organisation, name="Nordby Skole", kind="folkeskole", area_type="city"
    )
    course = Course.objects.create(
        organisation=world.organisation, title="Søg smart", theme="digital", branch=world.north
    )

    def booking(age_days):
        made = Booking.objects.create(
            course=course,
            institution=school,
            class_name="8.b",
            grade="8",
            expected_pupils=24,
            teacher_name="Anne Lærer",
            teacher_email="anne@skole.example",
            status="declined",
        )
        Booking.objects.filter(pk=made.pk).update(
            created_at=timezone.now() - timedelta(days=age_days)
        )
        return made

    old, recent = booking(45), booking(3)
    assert tasks.nightly_sync.call() == 0
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.teacher_name, old.teacher_email) == ("", "")
    assert old.contact_deleted_at is not None
    assert recent.teacher_email == "anne@skole.example"


def test_one_failing_nightly_task_does_not_stop_the_others(monkeypatch):
    ran = []

    def broken():
        raise RuntimeError("down")

    monkeypatch.setattr(tasks, "_nightly", {"a": broken, "b": lambda: ran.append("b")})
    assert tasks.run_nightly_tasks() == 1
    assert ran == ["b"]
