"""Teachers' e-mails go through the outbox, are deleted with the teacher's contact data, and
never leave an address or a name in the server's output, with or without a mail server."""

import json
import logging
import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bibliotal.core.checks import email_goes_somewhere
from bibliotal.core.mail import outbox
from bibliotal.core.mail.models import OutboxMessage
from bibliotal.teaching.models import Booking
from bibliotal.teaching.services import purge_teacher_contacts
from tests.teaching.conftest import booking_data

ADDRESS = "anne@skole.example"
NAME = "Anne Lærer"


def default_email_backend(tmp_path) -> str:
    """The backend settings.py chooses when no mail server is set."""
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("BIBLIOTAL_", "DATABASE_URL"))
    }
    environment["BIBLIOTAL_DATA_DIR"] = str(tmp_path)
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from bibliotal import settings as s; print(json.dumps(s.EMAIL_BACKEND))",
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(run.stdout)


def test_without_a_mail_server_no_address_or_name_reaches_the_output(
    client, world, course, school, settings, tmp_path, capsys, caplog
):
    settings.EMAIL_BACKEND = default_email_backend(tmp_path)
    caplog.set_level(logging.DEBUG)
    response = client.post(
        reverse("teaching:course_public", args=[course.slug]), booking_data(school)
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    client.force_login(world.coordinator)
    client.post(
        reverse("teaching:booking_detail", args=[booking.pk]),
        {"decision": "declined", "note": f"Hilsen til {NAME}"},
    )
    outbox.deliver_due(now=timezone.now() + timedelta(days=1))  # the worker tries again
    captured = capsys.readouterr()
    written = captured.out + captured.err + caplog.text
    assert ADDRESS not in written and NAME not in written
    assert "Lærer" not in written and "skole.example" not in written
    # Nothing was sent, nothing was lost: the e-mails wait, and say why.
    waiting = OutboxMessage.objects.filter(recipient=ADDRESS)
    assert waiting.count() == 2 and {m.state for m in waiting} == {"waiting"}
    assert "BIBLIOTAL_EMAIL_HOST" in waiting.first().last_error


def test_the_teachers_e_mails_go_through_the_outbox(client, world, course, school):
    client.post(reverse("teaching:course_public", args=[course.slug]), booking_data(school))
    booking = Booking.objects.get()
    sent = OutboxMessage.objects.filter(about=f"teaching.booking:{booking.pk}")
    assert sorted(sent.values_list("recipient", "state")) == [
        (ADDRESS, "sent"),
        ("team@example.org", "sent"),
    ]
    assert [m.to for m in mail.outbox] == [[ADDRESS], ["team@example.org"]]


def test_the_e_mails_are_deleted_with_the_teachers_contact_data(client, world, course, school):
    client.post(reverse("teaching:course_public", args=[course.slug]), booking_data(school))
    booking = Booking.objects.get()
    Booking.objects.filter(pk=booking.pk).update(
        created_at=timezone.make_aware(datetime(2021, 1, 5))
    )
    kept = outbox.enqueue(recipient="leder@example.org", subject="Status", body="…")
    assert purge_teacher_contacts(now=timezone.make_aware(datetime(2021, 4, 15)), days=30) == 1
    assert list(OutboxMessage.objects.all()) == [kept]


@pytest.mark.parametrize(
    ("backend", "words"),
    [
        ("bibliotal.core.mail.backends.NoServerBackend", "No mail server is set"),
        ("django.core.mail.backends.console.EmailBackend", "addresses end up in the server's log"),
    ],
)
def test_check_deploy_warns_while_e_mail_reaches_nobody(settings, backend, words):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = backend
    [warning] = email_goes_somewhere(None)
    assert warning.id == "bibliotal.W002" and words in warning.msg
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert email_goes_somewhere(None) == []
