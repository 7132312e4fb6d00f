"""Visits (besøg): people counters' readings, the daily visits derived from them by each
sensor's rule, manual daily counts, and new registered users."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bibliotal.core.models import Branch, ImportBatch, Organisation


class Sensor(models.Model):
    class Rule(models.TextChoices):
        IN = "in", _("Visits = in (every exit is covered)")
        HALF = "half", _("Visits = (in + out) / 2")
        OUT = "out", _("Visits = out")

    class Register(models.TextChoices):
        INTERVAL = "interval", _("Counts per interval")
        CUMULATIVE = "cumulative", _("Cumulative register")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="sensors",
        verbose_name=_("organisation"),
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="sensors", verbose_name=_("library")
    )
    name = models.CharField(_("name or serial"), max_length=100)
    entrance = models.CharField(_("entrance"), max_length=100, blank=True)
    rule = models.CharField(_("rule"), max_length=10, choices=Rule.choices, default=Rule.HALF)
    register = models.CharField(
        _("register"), max_length=12, choices=Register.choices, default=Register.INTERVAL
    )
    daily_reset = models.BooleanField(_("returns to zero each day"), default=False)
    active_from = models.DateField(_("in use from"), null=True, blank=True)
    active_to = models.DateField(_("in use until"), null=True, blank=True)
    staff_per_day = models.PositiveIntegerField(
        _("staff passages to deduct per day"),
        default=0,
        help_text=_("Staff and deliveries counted on an ordinary open day."),
    )

    class Meta:
        verbose_name = _("sensor")
        verbose_name_plural = _("sensors")
        ordering = ["branch", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="sensor_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.branch})"

    def visits(self, count_in: int, count_out: int) -> float:
        return self.visits_by_rule(self.rule, count_in, count_out)

    @classmethod
    def visits_by_rule(cls, rule: str, count_in: int, count_out: int) -> float:
        """Visits from in and out by a rule: in, out, or (in + out) / 2; never in + out."""
        if rule == cls.Rule.IN:
            return float(count_in)
        if rule == cls.Rule.OUT:
            return float(count_out)
        return (count_in + count_out) / 2


class CounterReading(models.Model):
    """In and out for one sensor and interval, as counted (registers already differenced)."""

    # No index of its own: the unique (sensor, interval start) index leads with the sensor and
    # serves every lookup by it; one B-tree fewer for each of millions of readings written.
    sensor = models.ForeignKey(
        Sensor,
        on_delete=models.CASCADE,
        related_name="readings",
        verbose_name=_("sensor"),
        db_index=False,
    )
    starts_at = models.DateTimeField(_("interval start"))
    ends_at = models.DateTimeField(_("interval end"))
    count_in = models.PositiveIntegerField(_("in"))
    count_out = models.PositiveIntegerField(_("out"))
    register_in = models.BigIntegerField(
        _("register in"), null=True, blank=True, help_text=_("A cumulative register's own value.")
    )
    register_out = models.BigIntegerField(_("register out"), null=True, blank=True)
    reset = models.BooleanField(_("register reset"), default=False)
    suspect = models.BooleanField(
        _("suspect"), default=False, help_text=_("The counter reported a fault for the interval.")
    )
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("counter reading")
        verbose_name_plural = _("counter readings")
        ordering = ["sensor", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["sensor", "starts_at"], name="reading_once_per_interval"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sensor} {self.starts_at:%Y-%m-%d %H:%M}"


class DailyVisits(models.Model):
    """A sensor's visits on one day, by its rule, with what cleaning found."""

    class Flag(models.TextChoices):
        CLOSED = "closed", _("Counted on a closed day")
        CLOSED_HOURS = "closed_hours", _("Counted outside opening hours")
        SPIKE = "spike", _("50 % above the usual level")
        ESTIMATED = "estimated", _("Missing day, estimated")
        SUSPECT = "suspect", _("The counter reported faults")
        RESET = "reset", _("The register was reset")

    class Review(models.TextChoices):
        OPEN = "open", _("To be reviewed")
        ACCEPTED = "accepted", _("Accepted")
        OVERRULED = "overruled", _("Overruled")

    sensor = models.ForeignKey(
        Sensor, on_delete=models.CASCADE, related_name="days", verbose_name=_("sensor")
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="+", verbose_name=_("library")
    )
    day = models.DateField(_("date"))
    count_in = models.PositiveIntegerField(_("in"), default=0)
    count_out = models.PositiveIntegerField(_("out"), default=0)
    visits = models.DecimalField(_("visits"), max_digits=10, decimal_places=1)
    original_visits = models.DecimalField(
        _("visits as counted"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    rule = models.CharField(_("rule"), max_length=10, choices=Sensor.Rule.choices)
    estimated = models.BooleanField(_("estimated"), default=False)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    review = models.CharField(_("review"), max_length=10, choices=Review.choices, blank=True)
    note = models.CharField(_("explanation"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("daily visits")
        verbose_name_plural = _("daily visits")
        ordering = ["branch", "day"]
        indexes = [models.Index(fields=["branch", "day"])]
        constraints = [models.UniqueConstraint(fields=["sensor", "day"], name="daily_visits_once")]

    def __str__(self) -> str:
        return f"{self.sensor} {self.day}: {self.visits}"

    def explanation(self) -> str:
        """The note for people, its figures in the reader's language. Cleaning keeps them as
        figures ("99.0 / 62.5": the day's visits and the usual level; "12.0": visits outside
        opening hours; "4": the days an estimate is made from), or a closure's reason."""
        from bibliotal.core.formatting import number_text

        figures = self.note.split(" / ")
        try:
            values = [Decimal(figure) for figure in figures]
        except (InvalidOperation, ValueError):
            return self.note
        flags = set(self.flags or ())
        if len(values) == 2 and self.Flag.SPIKE in flags:
            return _("%(visits)s visits against a usual %(usual)s") % {
                "visits": number_text(values[0]),
                "usual": number_text(values[1]),
            }
        if len(values) == 1 and self.Flag.ESTIMATED in flags:
            days = int(values[0])
            return ngettext(
                "estimated from %(n)d earlier day",
                "estimated from %(n)d earlier days",
                days,
            ) % {"n": days}
        if len(values) == 1 and self.Flag.CLOSED_HOURS in flags:
            return _("%(visits)s visits outside opening hours") % {"visits": number_text(values[0])}
        return " / ".join(number_text(value) for value in values)


class ManualCount(models.Model):
    """Daily visits typed for a library without a counter."""

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="+", verbose_name=_("library")
    )
    day = models.DateField(_("date"))
    visits = models.PositiveIntegerField(_("visits"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered"), default=timezone.now)

    class Meta:
        verbose_name = _("manual count")
        verbose_name_plural = _("manual counts")
        ordering = ["branch", "-day"]
        constraints = [models.UniqueConstraint(fields=["branch", "day"], name="manual_count_once")]

    def __str__(self) -> str:
        return f"{self.branch} {self.day}: {self.visits}"


class NewUserCount(models.Model):
    """New registered borrowers per library and month (from the library system)."""

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="+", verbose_name=_("library")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    registrations = models.PositiveIntegerField(_("new registrations"))
    source = models.CharField(_("source"), max_length=20, default="typed")

    class Meta:
        verbose_name = _("new users")
        verbose_name_plural = _("new users")
        ordering = ["branch", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "month"], name="new_users_once_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.branch} {self.month:%Y-%m}: {self.registrations}"


class CounterFormat(models.Model):
    """A user's own counter-file format: which column holds what, saved under a name."""

    class Marks(models.TextChoices):
        START = "start", _("The start of the interval")
        END = "end", _("The end of the interval")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="counter_formats",
        verbose_name=_("organisation"),
    )
    name = models.SlugField(
        _("name"),
        max_length=40,
        help_text=_("Used with --preset on the command line, e.g. “gates-2019”."),
    )
    timestamp_column = models.CharField(
        _("date-and-time column"),
        max_length=100,
        blank=True,
        help_text=_("A column holding date and time together; or name a date and a time column."),
    )
    date_column = models.CharField(_("date column"), max_length=100, blank=True)
    time_column = models.CharField(_("time column"), max_length=100, blank=True)
    timestamp_marks = models.CharField(
        _("the time marks"), max_length=5, choices=Marks.choices, default=Marks.START
    )
    interval_minutes = models.PositiveIntegerField(
        _("interval length in minutes"),
        null=True,
        blank=True,
        help_text=_("Needed when the time marks the end of the interval."),
    )
    sensor_column = models.CharField(
        _("sensor column"),
        max_length=100,
        blank=True,
        help_text=_("Leave empty when each file holds one sensor, and name the sensor below."),
    )
    sensor_name = models.CharField(
        _("sensor of every row"), max_length=100, blank=True, help_text=_("A file per sensor.")
    )
    in_column = models.CharField(_("in column"), max_length=100)
    out_column = models.CharField(_("out column"), max_length=100, blank=True)
    status_column = models.CharField(_("status column"), max_length=100, blank=True)
    ok_statuses = models.CharField(
        _("status values meaning OK"),
        max_length=100,
        default="0,ok",
        help_text=_("Comma-separated; any other status marks the interval suspect."),
    )

    class Meta:
        verbose_name = _("counter file format")
        verbose_name_plural = _("counter file formats")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="counter_format_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if not self.timestamp_column and not self.date_column:
            errors["timestamp_column"] = _("Name a date-and-time column, or a date column.")
        if not self.sensor_column and not self.sensor_name:
            errors["sensor_column"] = _("Name a sensor column, or the sensor of every row.")
        if self.timestamp_marks == self.Marks.END and not self.interval_minutes:
            errors["interval_minutes"] = _("Give the interval length when the time marks its end.")
        if self.name and self.name.lower() in {"generic", "axis", "hella"}:
            errors["name"] = _("This name belongs to a built-in format.")
        if errors:
            raise ValidationError(errors)


class HeldHour(models.Model):
    """A sensor's hour far outside its normal or above the ceiling (``visits.plausibility``):
    kept as counted, and held out of the goals until a person accepts or corrects it."""

    class Reason(models.TextChoices):
        OUTLIER = "outlier", _("Far above the sensor's normal for the hour")
        CEILING = "ceiling", _("Above the ceiling for one sensor")

    class Decision(models.TextChoices):
        HELD = "held", _("Held out of the goals")
        ACCEPTED = "accepted", _("Accepted as counted")
        CORRECTED = "corrected", _("Corrected")

    sensor = models.ForeignKey(
        Sensor, on_delete=models.CASCADE, related_name="held_hours", verbose_name=_("sensor")
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="+", verbose_name=_("library")
    )
    starts_at = models.DateTimeField(_("hour"))
    day = models.DateField(_("date"))
    count_in = models.PositiveIntegerField(_("in"))
    count_out = models.PositiveIntegerField(_("out"))
    visits = models.DecimalField(_("visits as counted"), max_digits=12, decimal_places=1)
    normal = models.DecimalField(
        _("normal"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    history = models.PositiveIntegerField(_("earlier hours compared"), default=0)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    filename = models.CharField(_("file"), max_length=255, blank=True)
    line = models.PositiveIntegerField(_("line"), null=True, blank=True)
    column = models.CharField(_("column"), max_length=100, blank=True)
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.HELD
    )
    corrected_visits = models.DecimalField(
        _("corrected visits"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("held visitor hour")
        verbose_name_plural = _("held visitor hours")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["branch", "day"])]
        constraints = [
            models.UniqueConstraint(fields=["sensor", "starts_at"], name="held_hour_once")
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.sensor.name} {local:%Y-%m-%d %H:%M}: {self.visits}"

    @property
    def left_out(self):
        """The visits this hour takes out of the day's figure in the goals."""
        from decimal import Decimal

        if self.decision == self.Decision.HELD:
            return self.visits
        if self.decision == self.Decision.CORRECTED and self.corrected_visits is not None:
            return self.visits - self.corrected_visits
        return Decimal(0)
