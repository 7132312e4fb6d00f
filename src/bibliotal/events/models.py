"""Events (arrangementer): types, series, occurrences (each one event, ISO 2789) and attendance."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bibliotal.core.models import Branch, ImportBatch, Organisation

# The kinds of events Herning's goal names, and the rest.
DEFAULT_EVENT_TYPES = [
    "Bogcafé",
    "Forfatterarrangement",
    "Læseklub",
    "Litterær workshop",
    "Debatklub",
    "Musiklytteklub",
    "Demokratifremmende foredrag",
    "Foredrag",
    "Børnearrangement",
    "Koncert",
    "Udstillingsåbning",
    "Andet",
]


class Audience(models.TextChoices):
    CHILDREN = "children", _("Children")
    YOUNG = "young", _("Young people")
    ADULTS = "adults", _("Adults")
    FAMILIES = "families", _("Families")
    ALL = "all", _("All")


class EventType(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="event_types",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("event type")
        verbose_name_plural = _("event types")
        ordering = ["organisation", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="event_type_unique")
        ]

    def __str__(self) -> str:
        return self.name


class EventSeries(models.Model):
    """A club or a recurring programme: its occurrences are each one event."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="event_series",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=300)
    event_type = models.ForeignKey(
        EventType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("type"),
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.ALL
    )
    external_uid = models.CharField(_("calendar UID"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("event series")
        verbose_name_plural = _("event series")
        ordering = ["organisation", "title"]

    def __str__(self) -> str:
        return self.title


class EventOccurrenceQuerySet(models.QuerySet):
    def counted(self):
        """Events of the library (alone or co-organised) that were not cancelled."""
        return self.exclude(status=EventOccurrence.Status.CANCELLED).exclude(
            organiser=EventOccurrence.Organiser.OUTSIDE_HIRER
        )

    def awaiting_attendance(self, *, now=None):
        now = now or timezone.now()
        return self.counted().filter(starts_at__lt=now, attendance_total__isnull=True)


class EventOccurrence(models.Model):
    class Organiser(models.TextChoices):
        LIBRARY = "library", _("The library")
        CO_ORGANISED = "co_organised", _("Co-organised")
        OUTSIDE_HIRER = "outside_hirer", _("Outside hirer (not counted)")

    class Mode(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        TYPED = "typed", _("Typed")
        ICAL = "ical", _("iCalendar")
        CSV = "csv", _("CSV")
        DPLCMS = "dplcms", _("Library website")
        DEMO = "demo", _("Generated demo data")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="event_occurrences",
        verbose_name=_("organisation"),
    )
    series = models.ForeignKey(
        EventSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="occurrences",
        verbose_name=_("series"),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    event_type = models.ForeignKey(
        EventType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="occurrences",
        verbose_name=_("type"),
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.ALL
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    all_day = models.BooleanField(_("all day"), default=False)
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("library"),
    )
    place = models.CharField(
        _("other place"),
        max_length=200,
        blank=True,
        help_text=_("Where, when it is not at a library."),
    )
    partners = models.CharField(_("partners"), max_length=300, blank=True)
    organiser = models.CharField(
        _("organiser"), max_length=20, choices=Organiser.choices, default=Organiser.LIBRARY
    )
    mode = models.CharField(_("form"), max_length=10, choices=Mode.choices, default=Mode.ON_SITE)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    published = models.BooleanField(_("on the public programme"), default=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.TYPED
    )
    external_uid = models.CharField(_("calendar UID"), max_length=300, blank=True)
    external_recurrence = models.CharField(_("occurrence id"), max_length=40, blank=True)
    source_name = models.CharField(
        _("imported from"),
        max_length=255,
        blank=True,
        help_text=_("The feed or file it came from: what that source no longer has is marked."),
    )
    imported_values = models.JSONField(
        _("values as last imported"),
        default=dict,
        blank=True,
        help_text=_("A field changed by hand keeps its value until the source changes it."),
    )
    missing_from_source = models.BooleanField(
        _("no longer in the source"),
        default=False,
        help_text=_("The calendar it came from no longer has it; kept, not deleted."),
    )
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Attendance belongs to the occurrence. A hybrid session counts once: online included.
    attendance_total = models.PositiveIntegerField(
        _("participants"), null=True, blank=True, validators=[MaxValueValidator(100_000)]
    )
    attendance_children = models.PositiveIntegerField(_("of whom children"), null=True, blank=True)
    attendance_online = models.PositiveIntegerField(_("of whom online"), null=True, blank=True)
    attendance_first_time = models.PositiveIntegerField(
        _("of whom first-time participants"), null=True, blank=True
    )
    attendance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attendance entered by"),
    )
    attendance_at = models.DateTimeField(_("attendance entered"), null=True, blank=True)

    objects = EventOccurrenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["organisation", "starts_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_uid", "external_recurrence"],
                condition=~models.Q(external_uid=""),
                name="occurrence_from_source_once",
            ),
        ]

    def __str__(self) -> str:
        from bibliotal.core.formatting import date_text

        return f"{date_text(self.starts_at, 'SHORT_DATETIME_FORMAT')} {self.title}"

    @property
    def day(self):
        return timezone.localtime(self.starts_at).date()

    @property
    def cancelled_in_source(self) -> bool:
        """The website or feed cancelled it, but it keeps its own status here because people
        came (attendance entered): a conflict for the coordinator to look at, shown until one
        of them changes."""
        return (self.imported_values or {}).get(
            "status"
        ) == self.Status.CANCELLED and self.status != self.Status.CANCELLED

    @property
    def counted(self) -> bool:
        return (
            self.status != self.Status.CANCELLED and self.organiser != self.Organiser.OUTSIDE_HIRER
        )

    def recurrence_key_differs(self, recurrence: str) -> bool:
        return self.external_recurrence != recurrence

    def clean(self) -> None:
        errors = {}
        if self.ends_at and self.starts_at and self.ends_at < self.starts_at:
            errors["ends_at"] = _("The end cannot come before the start.")
        if not self.branch_id and not self.place.strip():
            errors["branch"] = _("Choose a library or write where it takes place.")
        total = self.attendance_total
        for field in ("attendance_children", "attendance_online", "attendance_first_time"):
            part = getattr(self, field)
            if part is not None and (total is None or part > total):
                errors[field] = _("A part cannot be more than the participants in all.")
        if self.attendance_online and self.mode == self.Mode.ON_SITE:
            errors["attendance_online"] = _("An on-site event has no online participants.")
        if errors:
            raise ValidationError(errors)


class CategoryMapping(models.Model):
    """Which event type a calendar's category means. No type: the category is ignored."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="category_mappings",
        verbose_name=_("organisation"),
    )
    category = models.CharField(_("category in the calendar"), max_length=200)
    event_type = models.ForeignKey(
        EventType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("event type"),
    )
    outside_hirer = models.BooleanField(
        _("outside hirer"),
        default=False,
        help_text=_(
            "Events in this category are held by others in our rooms: kept, never counted."
        ),
    )

    class Meta:
        verbose_name = _("category mapping")
        verbose_name_plural = _("category mappings")
        ordering = ["organisation", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "category"], name="category_mapped_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.event_type or '—'}"


class EventFeed(models.Model):
    """An iCalendar feed an administrator allows Bibliotal to read."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="event_feeds",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("address"), help_text=_("https:// address of an .ics feed."))
    default_branch = models.ForeignKey(
        Branch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("library when the feed names none"),
    )
    active = models.BooleanField(_("active"), default=True)
    last_fetched_at = models.DateTimeField(_("last read"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("event feed")
        verbose_name_plural = _("event feeds")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="event_feed_name_unique")
        ]

    def __str__(self) -> str:
        return self.name
