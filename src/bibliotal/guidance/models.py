"""Guidance (vejledning): a staff member helps a citizen. We count; we never identify."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bibliotal.core.models import Branch, Organisation, ServicePoint

# (name, counts toward the guidance goal, DST user education): the seed's categories. ISO 2789
# leaves purely practical questions out of guidance.
DEFAULT_TOPICS = [
    ("Litteratur og læsning", True, False),
    ("Digital selvbetjening", True, False),
    ("Samfundsoplysning", True, False),
    ("Medier", True, False),
    ("Verificering af viden", True, False),
    ("Praktisk spørgsmål", False, False),
    ("Andet", True, False),
]


class GuidanceTopic(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="guidance_topics",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=100)
    counts_toward_goal = models.BooleanField(
        _("counts toward the guidance goal"),
        default=True,
        help_text=_("ISO 2789 leaves purely practical questions (where, when) out."),
    )
    dst_user_education = models.BooleanField(
        _("DST user education"),
        default=False,
        help_text=_("Reported to Danmarks Statistik as user education (brugerundervisning)."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("guidance topic")
        verbose_name_plural = _("guidance topics")
        ordering = ["organisation", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="topic_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class GuidanceRecordQuerySet(models.QuerySet):
    def counted(self):
        """Records that count: not undone."""
        return self.filter(undone_at__isnull=True)

    def toward_goal(self):
        return self.counted().filter(topic__counts_toward_goal=True)


class GuidanceRecord(models.Model):
    """One tap (count 1) or a typed total (count N) at a service point on a day.

    Its key is unique in its organisation (the library's), so one organisation's keys neither
    collide with nor reveal another's."""

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Phone")
        CHAT = "chat", _("Chat or e-mail")

    class Source(models.TextChoices):
        TAP = "tap", _("Tap")
        TYPED = "typed", _("Typed total")
        IMPORTED = "imported", _("Imported")
        API = "api", _("API")
        DEMO = "demo", _("Generated demo data")

    class Duration(models.TextChoices):
        UNDER_5 = "under_5", _("Under 5 minutes")
        FROM_5_TO_15 = "5_15", _("5–15 minutes")
        FROM_15_TO_30 = "15_30", _("15–30 minutes")
        OVER_30 = "over_30", _("Over 30 minutes")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("organisation"),
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="+", verbose_name=_("library")
    )
    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.PROTECT, related_name="+", verbose_name=_("service point")
    )
    topic = models.ForeignKey(
        GuidanceTopic, on_delete=models.PROTECT, related_name="records", verbose_name=_("topic")
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.IN_PERSON
    )
    occurred_at = models.DateTimeField(_("time"))
    day = models.DateField(_("date"), db_index=True)
    duration = models.CharField(_("duration"), max_length=10, choices=Duration.choices, blank=True)
    effort = models.PositiveSmallIntegerField(
        _("effort (READ scale)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    child = models.BooleanField(_("child or young person"), null=True, blank=True)
    count = models.PositiveIntegerField(_("count"), default=1, validators=[MinValueValidator(1)])
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.TAP
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    device = models.ForeignKey(
        "KioskDevice",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("device"),
    )
    idempotency_key = models.CharField(_("key"), max_length=80)
    created_at = models.DateTimeField(_("stored"), default=timezone.now)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)

    objects = GuidanceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("guidance")
        verbose_name_plural = _("guidance records")
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["branch", "day"]),
            models.Index(fields=["service_point", "day"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "idempotency_key"],
                name="guidance_key_once_per_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.service_point} {self.topic} ×{self.count}"

    def save(self, *args, **kwargs):
        if self.organisation_id is None and self.branch_id is not None:
            self.organisation_id = self.branch.organisation_id  # always the library's own
        super().save(*args, **kwargs)


class KioskDevice(models.Model):
    """A shared desk tablet paired with one service point: taps without a login per tap."""

    PREFIX = "bk_"

    service_point = models.ForeignKey(
        ServicePoint,
        on_delete=models.CASCADE,
        related_name="kiosk_devices",
        verbose_name=_("service point"),
    )
    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(_("key begins"), max_length=12, editable=False)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    last_seen_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("kiosk device")
        verbose_name_plural = _("kiosk devices")
        ordering = ["service_point", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.service_point})"

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    def set_new_key(self) -> str:
        key = self.PREFIX + secrets.token_urlsafe(32)
        self.key_prefix = key[:10]
        self.key_digest = self.digest(key)
        return key

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def organisation_id(self):
        return self.service_point.branch.organisation_id


class UndoneKey(models.Model):
    """An undo that reached the server before its tap (a lost answer, another browser tab, an
    undo made offline): when the tap arrives it is stored as undone, so undo never depends on
    the order in which the two arrive. Like the tap's key, it holds in its organisation only."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    key = models.CharField(_("key"), max_length=80)
    undone_at = models.DateTimeField(_("undone"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    device = models.ForeignKey(
        KioskDevice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("undone key")
        verbose_name_plural = _("undone keys")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key"], name="undone_key_once_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.key


class GuidanceDayTotal(models.Model):
    """What counts at a service point for a topic on a day: the sum of its records' counts
    that are not undone, kept by the database itself (triggers, ``guidance.totals``) on every
    insert, update and delete of a record, whatever wrote it. Today's counts at the desk read
    one row a topic from here, so a tap costs the same at 9 o'clock and after 3,000 taps."""

    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.CASCADE, related_name="+", editable=False
    )
    day = models.DateField(editable=False)
    topic = models.ForeignKey(
        GuidanceTopic, on_delete=models.CASCADE, related_name="+", editable=False
    )
    total = models.IntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("guidance day total")
        verbose_name_plural = _("guidance day totals")
        constraints = [
            models.UniqueConstraint(
                fields=["service_point", "day", "topic"], name="guidance_day_total_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.service_point_id} {self.topic_id} = {self.total}"
