"""The outbox and the status subscriptions (imported by ``core.models``: they are core's models)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StatusSubscription(models.Model):
    """A manager's monthly status e-mail: to which address, in which language."""

    class Language(models.TextChoices):
        DANISH = "da", _("Danish")
        ENGLISH = "en", _("English")

    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.CASCADE,
        related_name="status_subscriptions",
        verbose_name=_("organisation"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="status_subscription",
        verbose_name=_("user"),
    )
    email = models.EmailField(_("e-mail address"))
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DANISH
    )
    site_url = models.CharField(
        _("address of Bibliotal"),
        max_length=300,
        blank=True,
        help_text=_("Where the e-mail's links point: the address the subscription was made at."),
    )
    created_at = models.DateTimeField(_("subscribed"), default=timezone.now)
    bounced_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    bounce_message = models.TextField(_("the mail server's answer"), blank=True)

    class Meta:
        verbose_name = _("status e-mail subscription")
        verbose_name_plural = _("status e-mail subscriptions")
        ordering = ["organisation", "email"]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_language_display()})"

    @property
    def bounced(self) -> bool:
        return self.bounced_at is not None


class OutboxMessage(models.Model):
    """One e-mail, kept until the mail server has taken it: a server that is down loses nothing.

    The worker delivers what is due and retries with back-off; a recipient the server rejects
    (5xx) is marked bounced with the server's words and not tried again; after
    ``outbox.MAX_ATTEMPTS`` temporary failures the message is given up as failed.
    """

    class State(models.TextChoices):
        WAITING = "waiting", _("waiting")
        SENT = "sent", _("sent")
        BOUNCED = "bounced", _("rejected by the mail server")
        FAILED = "failed", _("given up")

    organisation = models.ForeignKey(
        "core.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox_messages",
        verbose_name=_("organisation"),
    )
    subscription = models.ForeignKey(
        StatusSubscription,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("subscription"),
    )
    period = models.CharField(
        _("period"),
        max_length=7,
        blank=True,
        help_text=_("The month of a monthly status e-mail (YYYY-MM): one per subscription."),
    )
    about = models.CharField(
        _("concerns"),
        max_length=100,
        blank=True,
        db_index=True,
        help_text=_("What the e-mail is about, such as a booking: it is deleted with that data."),
    )
    recipient = models.EmailField(_("recipient"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    attachment = models.BinaryField(_("attachment"), blank=True, default=b"")
    attachment_name = models.CharField(_("attachment's file name"), max_length=200, blank=True)
    attachment_type = models.CharField(_("attachment's type"), max_length=100, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.WAITING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(
        _("next attempt"), null=True, blank=True, default=timezone.now
    )
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period"],
                condition=~models.Q(period=""),
                name="status_mail_once_a_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"
