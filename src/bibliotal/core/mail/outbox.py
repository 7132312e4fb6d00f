"""Put e-mail in the outbox and deliver it: nothing is lost while the mail server is down.

``deliver_due`` opens one connection to the mail server and sends every message whose time has
come. A server that cannot be reached, or answers 4xx ("try later"), leaves the message waiting
with the error and a later attempt (``BACKOFF``); after ``MAX_ATTEMPTS`` it is given up. A
recipient the server rejects for good (5xx, a "bounce") is marked bounced with the server's own
words, and so is the subscription it was sent for: it is not tried again.
"""

from __future__ import annotations

import logging
import smtplib
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bibliotal.core.mail.backends import NoMailServer
from bibliotal.core.mail.models import OutboxMessage, StatusSubscription

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd, … failed attempt; the last one repeats until MAX_ATTEMPTS.
BACKOFF = (
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
)
MAX_ATTEMPTS = 10  # about three days of a mail server that is down
# While one worker delivers a message, another leaves it alone for this long.
LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Delivery:
    sent: int = 0
    waiting: int = 0  # failed for now, tried again later
    bounced: int = 0
    failed: int = 0  # given up

    @property
    def tried(self) -> int:
        return self.sent + self.waiting + self.bounced + self.failed


def enqueue(
    *,
    recipient: str,
    subject: str,
    body: str,
    html: str = "",
    attachment: Attachment | None = None,
    organisation=None,
    subscription: StatusSubscription | None = None,
    period: str = "",
    about: str = "",
) -> OutboxMessage:
    """``about`` names what the e-mail is about ("teaching.booking:42"), so the app that sent it
    can delete it with its data (``forget``)."""
    return OutboxMessage.objects.create(
        organisation=organisation,
        subscription=subscription,
        period=period,
        about=about,
        recipient=recipient,
        subject=subject[:300],
        body=body,
        html=html,
        attachment=attachment.data if attachment else b"",
        attachment_name=attachment.filename if attachment else "",
        attachment_type=attachment.content_type if attachment else "",
    )


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def email_of(message: OutboxMessage) -> EmailMultiAlternatives:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or None
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={
            # The same Message-ID on every attempt: a server that took it twice can tell.
            "Message-ID": make_msgid(idstring=f"outbox.{message.pk}", domain=domain),
            # An automatic message: no out-of-office replies, please (RFC 3834).
            "Auto-Submitted": "auto-generated",
        },
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    if message.attachment_name:
        email.attach(
            message.attachment_name,
            bytes(message.attachment),
            message.attachment_type or "application/octet-stream",
        )
    return email


def _words(code, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = " ".join(str(text).split())
    return f"{code} {text}".strip()


@dataclass(frozen=True)
class Failure:
    permanent: bool  # a 5xx answer: the same message is never taken, however often it is sent
    words: str  # the server's own answer, or what happened, for a person
    address: bool = False  # the recipient's address itself was rejected (a bounce)


def classify(error: Exception, recipient: str) -> Failure:
    """What a failed attempt means: for good or for now, and whose fault."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = error.recipients.get(recipient) or next(
            iter(error.recipients.values()), (0, b"")
        )
        permanent = 500 <= code < 600
        return Failure(permanent, _words(code, text), address=permanent)
    if isinstance(error, smtplib.SMTPDataError):
        # 5xx after the message (too large, refused as spam): not the address, but this message
        # will not be taken; next month's is tried as usual.
        return Failure(500 <= error.smtp_code < 600, _words(error.smtp_code, error.smtp_error))
    if isinstance(error, smtplib.SMTPSenderRefused):
        # The sender address (BIBLIOTAL_FROM_EMAIL) is refused: a setting to fix; kept waiting.
        return Failure(False, _words(error.smtp_code, error.smtp_error))
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return Failure(
            False,
            _(
                "The mail server refused Bibliotal's user name or password (%(answer)s). Check "
                "BIBLIOTAL_EMAIL_HOST_USER and BIBLIOTAL_EMAIL_HOST_PASSWORD."
            )
            % {"answer": _words(error.smtp_code, error.smtp_error)},
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return Failure(False, _words(error.smtp_code, error.smtp_error))
    if isinstance(error, NoMailServer):
        return Failure(
            False,
            _(
                "No mail server is set (BIBLIOTAL_EMAIL_HOST): the e-mail waits in the outbox "
                "and is sent if one is set within a few days."
            ),
        )
    if isinstance(error, ConnectionRefusedError):
        words = _("The mail server %(host)s refused the connection: is it running?")
    elif isinstance(error, socket.timeout | TimeoutError):
        words = _("The mail server %(host)s did not answer in time.")
    elif isinstance(error, smtplib.SMTPServerDisconnected):
        words = _("The mail server %(host)s closed the connection.")
    elif isinstance(error, OSError | smtplib.SMTPException):
        words = _("The mail server %(host)s could not be reached: %(error)s")
    else:
        words = _("Sending failed unexpectedly (%(error)s); the error is in the server's log.")
        return Failure(False, words % {"error": error.__class__.__name__})
    detail = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return Failure(False, words % {"host": _server(), "error": detail})


def _server() -> str:
    host = getattr(settings, "EMAIL_HOST", "") or "localhost"
    return f"{host}:{settings.EMAIL_PORT}"


def _claim(message: OutboxMessage, now: datetime) -> bool:
    """Take the message for this worker; False if another one took it first."""
    taken = OutboxMessage.objects.filter(
        pk=message.pk, state=OutboxMessage.State.WAITING, next_attempt_at=message.next_attempt_at
    ).update(next_attempt_at=now + LEASE)
    return taken == 1


def _failed(message: OutboxMessage, error: Exception, *, now: datetime) -> str:
    failure = classify(error, message.recipient)
    message.attempts += 1
    message.last_error = failure.words
    if failure.permanent:
        message.state = OutboxMessage.State.BOUNCED
        message.next_attempt_at = None
    elif message.attempts >= MAX_ATTEMPTS:
        message.state = OutboxMessage.State.FAILED
        message.next_attempt_at = None
    else:
        message.next_attempt_at = now + backoff(message.attempts)
    with transaction.atomic():
        message.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
        if failure.address and message.subscription_id:
            StatusSubscription.objects.filter(
                pk=message.subscription_id, email__iexact=message.recipient
            ).update(bounced_at=now, bounce_message=failure.words)
    return message.state


def _connection_lost(error: Exception) -> bool:
    """The server went away (not an answer about one message: those are SMTPResponseExceptions
    other than a failed connect)."""
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def due(now: datetime | None = None):
    now = now or timezone.now()
    return OutboxMessage.objects.filter(
        state=OutboxMessage.State.WAITING, next_attempt_at__lte=now
    ).order_by("next_attempt_at", "pk")


def deliver_due(*, now: datetime | None = None, limit: int = 200) -> Delivery:
    """Send what is due; every outcome is written to its message."""
    now = now or timezone.now()
    return deliver(list(due(now)[:limit]), now=now)


def deliver(messages: list[OutboxMessage], *, now: datetime | None = None) -> Delivery:
    """Send these messages now (those still waiting); every outcome is written to its message,
    and what failed for now waits for the worker's next attempt."""
    now = now or timezone.now()
    result = Delivery()
    if not messages:
        return result
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as error:  # the server is down: every message waits, none is lost
        logger.warning("The mail server could not be reached: %s", error)
        for message in messages:
            if _claim(message, now):
                _count(result, _failed(message, error, now=now))
        return result
    try:
        for index, message in enumerate(messages):
            if not _claim(message, now):
                continue
            try:
                connection.send_messages([email_of(message)])
            except Exception as error:
                if not isinstance(error, OSError):  # smtplib's errors are OSErrors too
                    logger.exception("Sending outbox message %s failed", message.pk)
                _count(result, _failed(message, error, now=now))
                if _connection_lost(error):
                    # The server went away: the rest wait for the next attempt alike.
                    for rest in messages[index + 1 :]:
                        if _claim(rest, now):
                            _count(result, _failed(rest, error, now=now))
                    break
                continue
            message.state = OutboxMessage.State.SENT
            message.attempts += 1
            message.sent_at = timezone.now()
            message.next_attempt_at = None
            message.last_error = ""
            message.save(
                update_fields=["state", "attempts", "sent_at", "next_attempt_at", "last_error"]
            )
            result.sent += 1
    finally:
        try:
            connection.close()
        except Exception:  # closing a broken connection: nothing more to lose
            logger.debug("Closing the mail connection failed", exc_info=True)
    return result


def _count(result: Delivery, state: str) -> None:
    if state == OutboxMessage.State.BOUNCED:
        result.bounced += 1
    elif state == OutboxMessage.State.FAILED:
        result.failed += 1
    else:
        result.waiting += 1


def next_due() -> datetime | None:
    """When the next waiting message is due (None when nothing waits)."""
    first = (
        OutboxMessage.objects.filter(state=OutboxMessage.State.WAITING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return first


KEEP_SENT = timedelta(days=180)


def prune(*, now: datetime | None = None) -> int:
    """Delete sent e-mails (with their PDFs) after half a year; what failed stays for a person."""
    now = now or timezone.now()
    deleted, _per_model = OutboxMessage.objects.filter(
        state=OutboxMessage.State.SENT, sent_at__lt=now - KEEP_SENT
    ).delete()
    return deleted


def forget(*, about: str) -> int:
    """Delete every e-mail about this (sent or not): its addresses and text go with the data
    they were about. Returns how many were deleted."""
    if not about:
        return 0
    deleted, _per_model = OutboxMessage.objects.filter(about=about).delete()
    return deleted


def try_again(message: OutboxMessage) -> None:
    """A person asks for another try of a message given up or rejected (the address fixed)."""
    message.state = OutboxMessage.State.WAITING
    message.next_attempt_at = timezone.now()
    message.attempts = 0
    message.save(update_fields=["state", "next_attempt_at", "attempts"])


def server_description() -> str:
    """Where e-mail goes, for the integrations and subscription pages."""
    backend = settings.EMAIL_BACKEND
    if backend.endswith("smtp.EmailBackend"):
        security = (
            "SSL"
            if settings.EMAIL_USE_SSL
            else "STARTTLS"
            if settings.EMAIL_USE_TLS
            else _("unencrypted")
        )
        return _("SMTP server %(server)s (%(security)s)") % {
            "server": _server(),
            "security": security,
        }
    if backend.endswith("NoServerBackend"):
        return _(
            "No mail server is set (BIBLIOTAL_EMAIL_HOST): e-mails are not sent. They wait in "
            "the outbox for a few days, and nothing of them is written to the server's log."
        )
    if backend.endswith("console.EmailBackend"):
        return _(
            "No mail server is set (BIBLIOTAL_EMAIL_HOST): e-mails are written to the server's "
            "log instead of being sent."
        )
    return backend


def status(organisation, *, recent_days: int = 30) -> dict:
    """The outbox for the integrations page: what waits, what was given up or rejected."""
    since = timezone.now() - timedelta(days=recent_days)
    mine = OutboxMessage.objects.filter(organisation=organisation).defer(
        "attachment", "body", "html"
    )
    problems = list(
        mine.filter(state__in=[OutboxMessage.State.FAILED, OutboxMessage.State.BOUNCED])
        .filter(created_at__gte=since)
        .order_by("-created_at")[:20]
    )
    waiting = list(mine.filter(state=OutboxMessage.State.WAITING).order_by("next_attempt_at")[:20])
    return {
        "server": server_description(),
        "waiting": waiting,
        "waiting_count": mine.filter(state=OutboxMessage.State.WAITING).count(),
        "problems": problems,
        "sent_count": mine.filter(state=OutboxMessage.State.SENT, sent_at__gte=since).count(),
        "last_sent": mine.filter(state=OutboxMessage.State.SENT)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first(),
        "recent_days": recent_days,
    }
