"""The monthly status e-mail, through a real SMTP server on 127.0.0.1 (aiosmtpd): a manager
subscribes, the worker sends on the first working day with the PDF attached, a server that is
down loses nothing, and a rejected address is marked as such."""

from __future__ import annotations

import email
import socket
from datetime import date, datetime, timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse
from django.utils import timezone

from bibliotal.core.mail import outbox, status
from bibliotal.core.mail.models import OutboxMessage, StatusSubscription
from bibliotal.core.mail.tasks import (
    deliver_mail,
    monthly_status_mail,
    next_status_run,
    schedule_status_mail,
)
from bibliotal.core.models import AuditEntry
from bibliotal.goals.indicators import DailyValue
from bibliotal.goals.models import BudgetYear, FocusArea, Target
from tests.goals.conftest import FakeProvider, every_day

FIRST_WORKING_DAY_2022 = "2022-01-03"  # 1 January is a Saturday


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """What the SMTP server was given; recipients in ``reject`` get the 5xx (or 4xx) answer."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.reject: dict[str, str] = {}
        self.data_answer = ""  # set: the answer to the message itself, instead of taking it

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return self.reject[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_answer:
            return self.data_answer
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_port(settings):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "bibliotal@testrup.dk"
    return port


@pytest.fixture
def mailbox(smtp_port):
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
def goals_2021(world, provide):
    """Guidance of 150 a day at the north library in 2020 and 2021: at least 45,000 reached."""
    provide(
        "guidance",
        FakeProvider(
            DailyValue(world.north.pk, day, 150.0, 0.0)
            for year in (2020, 2021)
            for day in every_day(year)
        ),
    )
    budget_year = BudgetYear.objects.create(organisation=world.organisation, year=2021)
    area = FocusArea.objects.create(budget_year=budget_year, title="Borgerne får hjælp")
    return Target.objects.create(
        focus_area=area,
        indicator="guidance",
        kind=Target.Kind.AT_LEAST,
        threshold=45000,
        source_text="Personalet vejleder borgerne mindst 45.000 gange.",
    )


@pytest.fixture
def quick_pdf(monkeypatch):
    """A stand-in for Typst where the test is not about the PDF (a real one takes a second)."""
    from bibliotal.reports import services

    real = services.render
    monkeypatch.setattr(
        services,
        "render",
        lambda report, format: (
            b"%PDF-1.7\n% stand-in\n" if format == "pdf" else real(report, format)
        ),
    )


@pytest.fixture
def subscription(world):
    return StatusSubscription.objects.create(
        organisation=world.organisation,
        user=world.manager,
        email="leder@testrup.dk",
        language="en",  # the Danish catalogue is completed from the English messages
        site_url="https://bibliotal.testrup.dk",
    )


def english(client):
    client.cookies["django_language"] = "en"


def parts(message) -> dict[str, object]:
    found = {}
    for part in message.walk():
        if part.get_content_maintype() == "multipart":
            continue
        key = part.get_filename() or part.get_content_type()
        found[key] = part.get_content()
    return found


# -- the page ----------------------------------------------------------------------------------


def test_a_manager_subscribes_with_her_own_address_changes_it_and_unsubscribes(client, world):
    world.manager.email = "leder@testrup.dk"
    world.manager.save()
    url = reverse("core:status_mail")
    english(client)
    client.force_login(world.manager)
    page = client.get(url).content.decode()
    assert "Status by e-mail" in page
    assert 'value="leder@testrup.dk"' in page  # her account's address is the default
    response = client.post(url, {"action": "save", "email": "leder@testrup.dk", "language": "en"})
    assert response.status_code == 302
    subscription = StatusSubscription.objects.get(user=world.manager)
    assert (subscription.email, subscription.language) == ("leder@testrup.dk", "en")
    assert subscription.site_url == "http://testserver"
    client.post(url, {"action": "save", "email": "direktion@testrup.dk", "language": "da"})
    assert StatusSubscription.objects.get(user=world.manager).email == "direktion@testrup.dk"
    client.post(url, {"action": "unsubscribe"})
    assert not StatusSubscription.objects.exists()
    logged = AuditEntry.objects.filter(model="core.StatusSubscription").values_list(
        "action", flat=True
    )
    assert sorted(logged) == ["create", "delete", "update"]


def test_an_address_that_is_not_one_is_named_and_nothing_is_saved(client, world):
    english(client)
    client.force_login(world.manager)
    response = client.post(
        reverse("core:status_mail"), {"action": "save", "email": "leder@", "language": "da"}
    )
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
    assert not StatusSubscription.objects.exists()


def test_only_managers_have_the_page_and_the_reports_page_links_to_it(client, world, goals_2021):
    url = reverse("core:status_mail")
    for who in ("staff", "coordinator", "outsider"):
        client.force_login(getattr(world, who))
        assert client.get(url).status_code == 403, who
    client.force_login(world.administrator)
    assert client.get(url).status_code == 200
    client.force_login(world.manager)
    report = client.get(reverse("reports:report_detail", args=[2021])).content.decode()
    assert f'href="{url}"' in report
    client.logout()
    assert client.get(url).status_code == 302


# -- when ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2026, 12, date(2026, 12, 1)),  # a Tuesday
        (2022, 1, date(2022, 1, 3)),  # New Year's Day on a Saturday
        (2021, 1, date(2021, 1, 4)),  # New Year's Day on a Friday, then the weekend
        (2021, 4, date(2021, 4, 6)),  # Maundy Thursday, Good Friday, Easter, Easter Monday
        (2021, 5, date(2021, 5, 3)),  # 1 May is not a public holiday in Denmark; a Saturday
    ],
)
def test_the_first_working_day_skips_weekends_and_danish_public_holidays(year, month, expected):
    assert status.first_working_day(year, month) == expected


def test_the_worker_schedules_the_status_for_seven_on_the_first_working_day(db):
    from django_tasks_db.models import DBTaskResult

    evening = timezone.make_aware(datetime(2021, 3, 31, 18, 0))
    assert next_status_run(evening) == timezone.make_aware(datetime(2021, 4, 6, 7, 0))
    morning = timezone.make_aware(datetime(2021, 4, 6, 6, 0))
    assert next_status_run(morning) == timezone.make_aware(datetime(2021, 4, 6, 7, 0))
    schedule_status_mail()
    schedule_status_mail()  # a second worker start queues no second run
    waiting = DBTaskResult.objects.filter(task_path=monthly_status_mail.module_path)
    assert waiting.count() == 1
    moment = timezone.localtime(waiting.get().run_after)
    assert (moment.hour, moment.minute) == (7, 0)
    assert status.is_working_day(moment.date()) and moment.day <= 7


# -- through SMTP --------------------------------------------------------------------------------


def test_the_status_email_arrives_through_smtp_with_the_pdf(mailbox, goals_2021, subscription):
    assert monthly_status_mail.call(FIRST_WORKING_DAY_2022) == 1
    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert message["To"] == "leder@testrup.dk"
    assert message["From"] == "bibliotal@testrup.dk"
    assert message["Auto-Submitted"] == "auto-generated"
    # (Python folds an encoded subject onto a second line: the first is empty.)
    assert message["Subject"].strip() == (
        "Status of the goals 2021 per 31 December 2021 – Testrup Bibliotekerne"
    )
    found = parts(message)
    text, html = found["text/plain"], found["text/html"]
    # The target in one line: its final status, the result against the target.
    assert (
        "* Guidance: at least 45,000\r\n  Achieved: 54,750 guidances against the target of 45,000."
        in text
    )
    assert "https://bibliotal.testrup.dk/goals/2021/" in text
    assert "https://bibliotal.testrup.dk/account/status-email/" in text
    assert "Achieved: 54,750 guidances against the target of 45,000." in html
    assert 'href="https://bibliotal.testrup.dk/goals/2021/"' in html
    pdf_name = "maalopfoelgning-testrup-bibliotekerne-2021-2021-12-31.pdf"
    assert found[pdf_name].startswith(b"%PDF-")
    outgoing = OutboxMessage.objects.get()
    assert (outgoing.state, outgoing.period, outgoing.attempts) == ("sent", "2022-01", 1)
    # A second worker run the same day (or month) sends nothing more.
    assert monthly_status_mail.call(FIRST_WORKING_DAY_2022) == 0
    assert monthly_status_mail.call("2022-01-14") == 0
    assert len(mailbox.messages) == 1


def test_nothing_is_sent_before_the_first_working_day(mailbox, goals_2021, subscription, quick_pdf):
    assert monthly_status_mail.call("2022-01-01") == 0  # a Saturday and New Year's Day
    assert mailbox.messages == [] and not OutboxMessage.objects.exists()


def test_the_attention_list_comes_from_the_apps_registry(
    mailbox, goals_2021, subscription, quick_pdf, monkeypatch
):
    from bibliotal.core import sources

    def waiting(*, organisation, user, today):
        return [sources.AttentionItem("test.flags", "3 dage med flag at gennemgå", 3, "/flags/")]

    monkeypatch.setattr(sources, "_attention", [waiting])
    monthly_status_mail.call(FIRST_WORKING_DAY_2022)
    text = parts(mailbox.messages[0])["text/plain"]
    assert "* 3 dage med flag at gennemgå: https://bibliotal.testrup.dk/flags/" in text


def test_a_mail_server_that_is_down_loses_nothing(
    smtp_port, goals_2021, subscription, quick_pdf, client, world
):
    assert monthly_status_mail.call(FIRST_WORKING_DAY_2022) == 1  # nobody listens on the port
    waiting = OutboxMessage.objects.get()
    assert (waiting.state, waiting.attempts) == ("waiting", 1)
    assert f"127.0.0.1:{smtp_port}" in waiting.last_error  # the server's address, in the words
    assert "afviste forbindelsen" in waiting.last_error  # of the worker's language (Danish)
    assert waiting.next_attempt_at > timezone.now() + timedelta(minutes=4)
    # The integrations page shows it waiting, with the error.
    english(client)
    client.force_login(world.administrator)
    page = client.get(reverse("core:integrations")).content.decode()
    assert "Outgoing e-mail" in page and "leder@testrup.dk" in page
    # the error as the worker wrote it, in its language
    assert "1 attempt failed" in page and "afviste forbindelsen" in page
    # Not yet due: nothing is tried.
    assert outbox.deliver_due().tried == 0
    # The server is back; at the next attempt the message goes.
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        result = outbox.deliver_due(now=timezone.now() + timedelta(minutes=6))
    finally:
        controller.stop()
    assert result.sent == 1
    assert len(box.messages) == 1
    assert parts(box.messages[0])[waiting.attachment_name].startswith(b"%PDF-")
    waiting.refresh_from_db()
    assert (waiting.state, waiting.attempts, waiting.last_error) == ("sent", 2, "")


def test_a_rejected_address_is_marked_bounced_with_the_servers_words(
    mailbox, goals_2021, subscription, quick_pdf, client, world
):
    mailbox.reject["leder@testrup.dk"] = "550 5.1.1 <leder@testrup.dk>: Recipient address rejected"
    monthly_status_mail.call(FIRST_WORKING_DAY_2022)
    bounced = OutboxMessage.objects.get()
    assert bounced.state == "bounced"
    assert bounced.last_error == "550 5.1.1 <leder@testrup.dk>: Recipient address rejected"
    assert bounced.next_attempt_at is None
    subscription.refresh_from_db()
    assert subscription.bounced and "Recipient address rejected" in subscription.bounce_message
    # Not tried again, and no more months are sent to that address.
    assert outbox.deliver_due(now=timezone.now() + timedelta(days=30)).tried == 0
    assert monthly_status_mail.call("2022-02-01") == 0
    assert mailbox.messages == []
    # The manager sees it on her page, in the server's words, and fixes the address.
    english(client)
    client.force_login(world.manager)
    page = client.get(reverse("core:status_mail")).content.decode()
    assert "The mail server rejected your address" in page
    assert "550 5.1.1 &lt;leder@testrup.dk&gt;: Recipient address rejected" in page
    client.post(
        reverse("core:status_mail"),
        {"action": "save", "email": "direktion@testrup.dk", "language": "da"},
    )
    subscription.refresh_from_db()
    assert not subscription.bounced
    assert monthly_status_mail.call("2022-02-01") == 1
    assert [m["To"] for m in mailbox.messages] == ["direktion@testrup.dk"]


def test_one_rejected_address_does_not_stop_the_others(
    mailbox, goals_2021, subscription, quick_pdf, world
):
    StatusSubscription.objects.create(
        organisation=world.organisation,
        user=world.administrator,
        email="admin@testrup.dk",
        language="en",
    )
    mailbox.reject["leder@testrup.dk"] = "550 5.1.1 User unknown"
    assert monthly_status_mail.call(FIRST_WORKING_DAY_2022) == 2
    states = dict(OutboxMessage.objects.values_list("recipient", "state"))
    assert states == {"leder@testrup.dk": "bounced", "admin@testrup.dk": "sent"}
    assert [m["To"] for m in mailbox.messages] == ["admin@testrup.dk"]
    assert list(StatusSubscription.objects.filter(bounced_at__isnull=False)) == [subscription]


def test_a_message_the_server_refuses_is_not_retried_but_the_address_is_kept(
    mailbox, goals_2021, subscription, quick_pdf
):
    mailbox.data_answer = "552 5.3.4 Message size exceeds fixed limit"
    monthly_status_mail.call(FIRST_WORKING_DAY_2022)
    refused = OutboxMessage.objects.get()
    assert (refused.state, refused.last_error) == (
        "bounced",
        "552 5.3.4 Message size exceeds fixed limit",
    )
    subscription.refresh_from_db()
    assert not subscription.bounced  # not the address: next month's is sent as usual
    mailbox.data_answer = ""
    assert monthly_status_mail.call("2022-02-01") == 1
    assert len(mailbox.messages) == 1


def test_a_temporary_refusal_is_retried_with_back_off_then_given_up(
    mailbox, goals_2021, subscription, quick_pdf
):
    mailbox.reject["leder@testrup.dk"] = "451 4.3.0 Mailbox busy, try again later"
    status.queue(subscription=subscription, today=date(2022, 1, 3))
    moment = timezone.now()
    waits = []
    for _ in range(outbox.MAX_ATTEMPTS):
        message = OutboxMessage.objects.get()
        assert message.state == "waiting"
        moment = max(moment, message.next_attempt_at)
        outbox.deliver_due(now=moment)
        message.refresh_from_db()
        if message.next_attempt_at:
            waits.append(message.next_attempt_at - moment)
    assert waits[:3] == [timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1)]
    message = OutboxMessage.objects.get()
    assert (message.state, message.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert message.last_error == "451 4.3.0 Mailbox busy, try again later"


def test_the_delivery_task_sends_what_waits_and_schedules_the_next_retry(
    smtp_port, goals_2021, subscription, quick_pdf
):
    from django_tasks_db.models import DBTaskResult

    status.queue(subscription=subscription, today=date(2022, 1, 3))
    assert deliver_mail.call() == 0  # the server is down
    retry = DBTaskResult.objects.get(task_path=deliver_mail.module_path, status="READY")
    assert retry.run_after == OutboxMessage.objects.get().next_attempt_at


def test_a_year_without_targets_is_said_in_words_and_sends_no_pdf(world, subscription):
    mail = status.build(subscription=subscription, today=date(2022, 1, 3))
    assert mail.attachment is None
    assert "There are no measurable targets in Bibliotal yet" in mail.body
    assert "https://bibliotal.testrup.dk/goals/import/" in mail.body


def test_a_running_year_gives_the_forecast_and_its_range(
    world, goals_2021, subscription, quick_pdf
):
    mail = status.build(subscription=subscription, today=date(2021, 7, 1))
    assert "per 30 June 2021" in mail.subject
    assert "Forecast for the year:" in mail.body
    assert "(80 % range" in mail.body


def test_the_email_settings_come_from_the_environment(monkeypatch):
    import subprocess
    import sys

    script = (
        "from bibliotal import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_TIMEOUT,"
        " [p.check_id for p in s.SETTINGS_PROBLEMS])"
    )
    env = {
        "BIBLIOTAL_EMAIL_HOST": "smtp.testrup.dk",
        "BIBLIOTAL_EMAIL_USE_TLS": "yes",
        "BIBLIOTAL_EMAIL_TIMEOUT": "12",
    }
    run = subprocess.run(
        [sys.executable, "-c", script],
        env={**_env(), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.testrup.dk",
        "587",
        "True",
        "12",
        "[]",
    ]
    env["BIBLIOTAL_EMAIL_USE_SSL"] = "yes"
    run = subprocess.run(
        [sys.executable, "-c", script],
        env={**_env(), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "['bibliotal.E008']" in run.stdout


def _env() -> dict:
    import os

    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BIBLIOTAL_EMAIL", "DJANGO_"))
    }


def test_sent_emails_are_deleted_after_half_a_year_and_problems_are_kept(world):
    old = timezone.now() - timedelta(days=200)
    for state in ("sent", "failed", "bounced"):
        OutboxMessage.objects.create(
            organisation=world.organisation,
            recipient="leder@testrup.dk",
            subject=state,
            body="",
            state=state,
            created_at=old,
            sent_at=old if state == "sent" else None,
        )
    assert outbox.prune() == 1
    assert sorted(OutboxMessage.objects.values_list("state", flat=True)) == ["bounced", "failed"]
