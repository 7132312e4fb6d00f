"""The organisation: libraries (branches), service points, opening hours, closures, staff roles,
the audit log and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessibilityStatus(models.TextChoices):
    """How far the pages meet WCAG 2.1 AA (EN 301 549), in the statement's words."""

    FULL = "full", _("fully compliant")
    PARTIAL = "partial", _("partially compliant")
    NONE = "none", _("not compliant")


class Organisation(models.Model):
    """A library service: the libraries of one municipality."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    municipality_code = models.CharField(
        _("municipality code"),
        max_length=3,
        blank=True,
        validators=[RegexValidator(r"^\d{3}$", _("A municipality code is three digits."))],
        help_text=_("Danmarks Statistik's three-digit code, e.g. 657 for Herning."),
    )
    closed_on_public_holidays = models.BooleanField(
        _("closed on public holidays"),
        default=True,
        help_text=_("Danish public holidays count as closed days for every library."),
    )
    # The accessibility statement (tilgængelighedserklæring) a Danish public body must publish:
    # Bibliotal's own page (core/accessibility.py), or the one made in the Agency for Digital
    # Government's WAS-Tool when its address is set.
    accessibility_statement_url = models.URLField(
        _("accessibility statement elsewhere"),
        blank=True,
        help_text=_(
            "The address of your own accessibility statement, e.g. the one made in the Agency "
            "for Digital Government's WAS-Tool. Every page's footer links there; left empty, it "
            "links to Bibliotal's own statement."
        ),
    )
    accessibility_email = models.EmailField(
        _("contact e-mail for accessibility"),
        blank=True,
        help_text=_("Where people write about parts of Bibliotal they cannot use."),
    )
    accessibility_status = models.CharField(
        _("compliance"),
        max_length=10,
        choices=AccessibilityStatus.choices,
        default=AccessibilityStatus.PARTIAL,
    )
    accessibility_deviations = models.TextField(
        _("other known deviations"),
        blank=True,
        help_text=_(
            "What you know does not meet the requirements besides what the statement lists, "
            "one thing a line."
        ),
    )
    accessibility_prepared = models.DateField(
        _("statement prepared"),
        null=True,
        blank=True,
        help_text=_("The day the statement was prepared."),
    )
    accessibility_reviewed = models.DateField(
        _("statement last reviewed"),
        null=True,
        blank=True,
        help_text=_("When the statement was last checked against the website."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PopulationFigure(models.Model):
    """Inhabitants of the municipality in a year, for rates per 1,000 inhabitants."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="population_figures",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1900), MaxValueValidator(2200)]
    )
    population = models.PositiveIntegerField(_("population"))
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("For example: DST FOLK1A, 1 January.")
    )

    class Meta:
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        ordering = ["organisation", "year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="population_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}: {self.population}"


class Branch(models.Model):
    """A library (main or local library, mobile library or online branch)."""

    class AreaType(models.TextChoices):
        CITY = "city", _("City")
        CENTRE_TOWN = "centre_town", _("Centre town")
        RURAL = "rural", _("Rural area")
        MOBILE = "mobile", _("Mobile")
        ONLINE = "online", _("Online")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="branches",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("town"), max_length=100, blank=True)
    area_type = models.CharField(
        _("area type"), max_length=20, choices=AreaType.choices, default=AreaType.CITY
    )
    isil = models.CharField(
        _("ISIL code"), max_length=20, blank=True, help_text=_("For example DK-765700.")
    )
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_to = models.DateField(_("active to"), null=True, blank=True)

    class Meta:
        verbose_name = _("library")
        verbose_name_plural = _("libraries")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="branch_name_unique"),
            models.CheckConstraint(
                condition=models.Q(active_to__isnull=True)
                | models.Q(active_from__isnull=True)
                | models.Q(active_to__gte=models.F("active_from")),
                name="branch_active_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.active_from and self.active_to and self.active_to < self.active_from:
            raise ValidationError({"active_to": _("The end cannot come before the start.")})

    @property
    def has_premises(self) -> bool:
        """An online branch has no building: no opening hours and no visits."""
        return self.area_type != self.AreaType.ONLINE

    @property
    def address(self) -> str:
        town = " ".join(part for part in (self.postcode, self.city) if part)
        return ", ".join(part for part in (self.street, town) if part)

    def is_active_on(self, day) -> bool:
        return (self.active_from is None or self.active_from <= day) and (
            self.active_to is None or day <= self.active_to
        )


class BranchAlias(models.Model):
    """Another name or address a library goes by, in event feeds, counter files or websites.

    An import that names a place matches it against a library's name, its ISIL code and these
    (``core.places``): "Hovedbiblioteket, Østergade 8, Herning" is Herning Bibliotek.
    """

    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("library")
    )
    text = models.CharField(
        _("also called"),
        max_length=300,
        help_text=_("A name or an address, e.g. Hovedbiblioteket or Østergade 8, Herning."),
    )

    class Meta:
        verbose_name = _("other name or address")
        verbose_name_plural = _("other names and addresses")
        ordering = ["branch", "text"]
        constraints = [models.UniqueConstraint(fields=["branch", "text"], name="branch_alias_once")]

    def __str__(self) -> str:
        return self.text


class ServicePoint(models.Model):
    """A place in a branch where staff serve citizens: desk, IT café, phone, chat."""

    class Kind(models.TextChoices):
        DESK = "desk", _("Desk")
        IT_CAFE = "it_cafe", _("IT café")
        CHILDREN_DESK = "children_desk", _("Children's desk")
        PHONE = "phone", _("Phone")
        CHAT = "chat", _("Chat")

    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="service_points", verbose_name=_("library")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DESK)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["branch", "name"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "name"], name="service_point_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.branch}: {self.name}"


class OpeningSchedule(models.Model):
    """A branch's weekly opening hours for a validity period.

    On a given date the schedule with the latest start among those valid that day applies, so
    a temporary schedule (summer hours, reduced hours after a lockdown) overrides the standing
    one without editing it.
    """

    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="schedules", verbose_name=_("library")
    )
    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("opening schedule")
        verbose_name_plural = _("opening schedules")
        ordering = ["branch", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "valid_from"], name="one_schedule_starts_per_branch_and_day"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="schedule_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch}: {self.name}"

    def clean(self) -> None:
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end cannot come before the start.")})


class OpeningHours(models.Model):
    """One opening period on one weekday: staffed, or self-service ("åbent bibliotek")."""

    class Kind(models.TextChoices):
        STAFFED = "staffed", _("Staffed")
        SELF_SERVICE = "self_service", _("Self-service")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    schedule = models.ForeignKey(
        OpeningSchedule,
        on_delete=models.CASCADE,
        related_name="hours",
        verbose_name=_("opening schedule"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.STAFFED)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["schedule", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="opening_hours_ordered"
            )
        ]

    def __str__(self) -> str:
        from bibliotal.core.formatting import time_text

        return f"{self.get_weekday_display()} {time_text(self.opens)}–{time_text(self.closes)}"

    def clean(self) -> None:
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError({"closes": _("A library must close after it opens.")})


class Closure(models.Model):
    """Days or hours on which branches are closed: lockdowns, renovation, holidays, strikes."""

    class Scope(models.TextChoices):
        ALL = "all", _("Closed to the public")
        SELF_SERVICE = "self_service", _("Self-service closed")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="closures",
        verbose_name=_("organisation"),
    )
    branches = models.ManyToManyField(
        Branch,
        blank=True,
        related_name="closures",
        verbose_name=_("libraries"),
        help_text=_("Leave empty to close every library of the organisation."),
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    start_time = models.TimeField(
        _("closed from"), null=True, blank=True, help_text=_("Empty: from the start of the day.")
    )
    end_time = models.TimeField(
        _("closed until"), null=True, blank=True, help_text=_("Empty: to the end of the day.")
    )
    scope = models.CharField(
        _("what closes"), max_length=20, choices=Scope.choices, default=Scope.ALL
    )
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="closure_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(start_time__isnull=True)
                | models.Q(end_time__isnull=True)
                | models.Q(end_time__gt=models.F("start_time")),
                name="closure_hours_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start_date}–{self.end_date}: {self.reason}"

    def clean(self) -> None:
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The last day cannot come before the first day.")
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("The closure must end after it starts.")
        if errors:
            raise ValidationError(errors)

    @property
    def whole_day(self) -> bool:
        return self.start_time is None and self.end_time is None


class Role(models.TextChoices):
    STAFF = "staff", _("Staff")
    COORDINATOR = "coordinator", _("Coordinator")
    MANAGER = "manager", _("Manager")
    ADMINISTRATOR = "administrator", _("Administrator")


class Membership(models.Model):
    """A staff account's place in an organisation: its role and, for staff, its branches."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    calendar_key = models.CharField(
        _("calendar key"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Lets a calendar program read this person's teaching calendar, nothing more."),
    )
    branches = models.ManyToManyField(
        Branch,
        blank=True,
        related_name="members",
        verbose_name=_("libraries"),
        help_text=_("The libraries a staff member registers for. Other roles reach all."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"


class ExternalIdentity(models.Model):
    """A staff account's identity at the municipality's identity provider (OpenID Connect).

    The provider's subject identifier is stable where e-mail addresses and names change, so a
    sign-in finds its account by (issuer, subject), never by e-mail alone.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="external_identities",
        verbose_name=_("user"),
    )
    issuer = models.CharField(_("identity provider"), max_length=300)
    subject = models.CharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_login_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_once")
        ]

    def __str__(self) -> str:
        return f"{self.subject} @ {self.issuer}"


class AuditEntry(models.Model):
    """Who created, changed or deleted which record, and when. Written by ``core.audit``."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        OTHER = "other", _("Other")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # The log outlives what it describes: no database constraint, so deleting an organisation or
    # an account (which writes entries about itself) never fails on its own audit entries.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_name = models.CharField(_("by (name)"), max_length=150, blank=True)
    source = models.CharField(_("through"), max_length=20, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    model = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(_("record id"), max_length=64)
    object_repr = models.CharField(_("record"), max_length=300)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["model", "object_id"]),
            # The data stamp's newest entry of one organisation (core.dashboard).
            models.Index(fields=["organisation", "-id"], name="core_audit_org_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def _model_class(self):
        from django.apps import apps

        try:
            return apps.get_model(self.model)
        except (LookupError, ValueError):
            return None

    @property
    def record_type(self) -> str:
        """The record type as people call it, e.g. "Bibliotek" for core.Branch."""
        model = self._model_class()
        return str(model._meta.verbose_name).capitalize() if model else self.model

    def change_lines(self) -> list[tuple[str, str]]:
        """The changes as (field, "old → new") lines for people to read (``core.auditlog``)."""
        from bibliotal.core.auditlog import change_lines

        return change_lines(self)


class PasswordResetAttempt(models.Model):
    """One request for a password reset e-mail, kept for an hour to limit them
    (``core.password_reset``): only keyed hashes of the address and the e-mail, no account."""

    address_hash = models.CharField(max_length=64, db_index=True)
    email_hash = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}"


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A bearer token for the HTTP API. Only a SHA-256 digest of the secret is stored."""

    PREFIX = "bt_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_prefix = models.CharField(_("key begins"), max_length=12, editable=False)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.user})"

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    @classmethod
    def issue(cls, *, user, name: str = "") -> tuple[ApiToken, str]:
        """Create a token and return it with its secret, which is never stored or shown again."""
        key = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, key_prefix=key[:10], key_digest=cls.digest(key)
        )
        return token, key

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ImportBatch(models.Model):
    """One imported file: its hash, who and when, and what it did. The same file twice is one
    batch, so a re-import changes nothing."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="import_batches",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("fingerprint"), max_length=64)
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "sha256"], name="import_file_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.filename} ({self.imported_at:%Y-%m-%d})"


class ImportJob(models.Model):
    """A large upload read on the worker queue (``bibliotal worker``), not in a web request: its
    preview first, then, when the user confirms, its import. The page shows its progress.

    The file waits under the data directory (``core.uploads``) only until it is imported,
    cancelled or an hour old; the job keeps what was said about it, never the file.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for the worker")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        REJECTED = "rejected", _("rejected")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=40)
    filename = models.CharField(_("file"), max_length=255)
    size = models.BigIntegerField(_("size"), default=0)
    token = models.CharField(max_length=40, blank=True)
    options = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, blank=True)  # of the messages it keeps
    back_url = models.CharField(max_length=200, blank=True)  # the upload page it came from
    dry_run = models.BooleanField(_("preview"), default=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    phase = models.CharField(max_length=80, blank=True)
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    lines = models.JSONField(default=list, blank=True)  # what the importer said
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import on the worker")
        verbose_name_plural = _("imports on the worker")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status not in {self.Status.QUEUED, self.Status.RUNNING}

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return max(0, min(100, round(100 * self.done / self.total)))


class Integration(models.TextChoices):
    WEBSITE_EVENTS = "website_events", _("Events from the library website")
    WEBSITE_HOURS = "website_hours", _("Opening hours from the library website")
    STATBANK = "statbank", _("Danmarks Statistik (Statbank)")


class IntegrationRun(models.Model):
    """One sync or import of an integration: when, from where, what changed, what failed."""

    class Trigger(models.TextChoices):
        COMMAND = "command", _("command")
        TASK = "task", _("nightly task")
        PAGE = "page", _("page")
        FILE = "file", _("file")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="integration_runs",
        verbose_name=_("organisation"),
    )
    integration = models.CharField(_("integration"), max_length=20, choices=Integration.choices)
    trigger = models.CharField(
        _("started by"), max_length=10, choices=Trigger.choices, default=Trigger.COMMAND
    )
    source = models.CharField(_("source"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    ok = models.BooleanField(_("succeeded"), default=False)
    summary = models.TextField(_("what changed"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    unmapped = models.JSONField(_("not mapped"), default=list, blank=True)
    error = models.TextField(_("what failed"), blank=True)

    class Meta:
        verbose_name = _("integration run")
        verbose_name_plural = _("integration runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["organisation", "integration", "started_at"])]

    def __str__(self) -> str:
        return f"{self.get_integration_display()} {self.started_at:%Y-%m-%d %H:%M}"

    # A sync ends within minutes (each fetch has a deadline); one unfinished after this long
    # was stopped from outside (a restarted server) and wrote nothing.
    INTERRUPTED_AFTER = timedelta(hours=1)

    @property
    def state(self) -> str:
        """succeeded, failed, running or interrupted (for the status page)."""
        if self.finished_at is not None:
            return "succeeded" if self.ok else "failed"
        if timezone.now() - self.started_at > self.INTERRUPTED_AFTER:
            return "interrupted"
        return "running"


class Website(models.Model):
    """The library's website on dpl-cms: its address, entered once by an administrator."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="website",
        verbose_name=_("organisation"),
    )
    url = models.URLField(
        _("address of the library website"),
        help_text=_("For example https://herningbib.dk. Only this host is contacted."),
    )
    active = models.BooleanField(_("sync every night"), default=True)
    events_days_back = models.PositiveSmallIntegerField(
        _("events from this many days back"),
        default=30,
        validators=[MaxValueValidator(400)],
        help_text=_("Events that disappear from the website within this window are marked."),
    )
    hours_days_ahead = models.PositiveSmallIntegerField(
        _("opening hours this many days ahead"), default=90, validators=[MaxValueValidator(400)]
    )

    class Meta:
        verbose_name = _("library website")
        verbose_name_plural = _("library websites")

    def __str__(self) -> str:
        return self.url

    @property
    def host(self) -> str:
        from urllib.parse import urlsplit

        return (urlsplit(self.url).hostname or "").lower()

    def endpoint(self, path: str, **params) -> str:
        from urllib.parse import urlencode

        query = urlencode({k: v for k, v in params.items() if v is not None})
        return f"{self.url.rstrip('/')}{path}" + (f"?{query}" if query else "")


class WebsiteBranch(models.Model):
    """How the website names a library (in events) or numbers it (in opening hours)."""

    class Kind(models.TextChoices):
        NAME = "name", _("name in events")
        ID = "id", _("branch id in opening hours")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="website_branches",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    value = models.CharField(_("on the website"), max_length=200)
    branch = models.ForeignKey(
        Branch,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("library in Bibliotal"),
        help_text=_("Empty: not mapped yet, listed for an administrator."),
    )
    ignored = models.BooleanField(
        _("not ours"), default=False, help_text=_("Not one of the organisation's libraries.")
    )

    class Meta:
        verbose_name = _("website library")
        verbose_name_plural = _("website libraries")
        ordering = ["organisation", "kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "value"], name="website_branch_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.value} → {self.branch or '—'}"

    @property
    def mapped(self) -> bool:
        return self.branch_id is not None or self.ignored


class OpeningCategory(models.Model):
    """What a category of the website's opening hours means for open hours."""

    class Kind(models.TextChoices):
        STAFFED = "staffed", _("Staffed")
        SELF_SERVICE = "self_service", _("Self-service")
        NOT_OPEN = "not_open", _("Not open to visitors")

    DEFAULTS = {
        "Åbent": Kind.STAFFED,
        "Med betjening": Kind.STAFFED,
        "Selvbetjening": Kind.SELF_SERVICE,
        "Borgerservice": Kind.NOT_OPEN,
        "Telefontid": Kind.NOT_OPEN,
    }

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="opening_categories",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("category on the website"), max_length=100)
    kind = models.CharField(
        _("means"),
        max_length=20,
        choices=Kind.choices,
        blank=True,
        help_text=_("Empty: not mapped yet; its hours do not count until it is."),
    )

    class Meta:
        verbose_name = _("opening-hours category")
        verbose_name_plural = _("opening-hours categories")
        ordering = ["organisation", "title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "title"], name="opening_category_once")
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.get_kind_display() or '—'}"


class CalendarHours(models.Model):
    """One opening-hours instance of the day-level calendar (from the library website)."""

    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="calendar_hours", verbose_name=_("library")
    )
    date = models.DateField(_("date"))
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    category = models.CharField(_("category"), max_length=100)
    source_id = models.CharField(_("id on the website"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("calendar hours")
        verbose_name_plural = _("calendar hours")
        ordering = ["branch", "date", "opens"]
        indexes = [models.Index(fields=["branch", "date"])]

    def __str__(self) -> str:
        from bibliotal.core.formatting import date_text, time_text

        hours = f"{time_text(self.opens)}–{time_text(self.closes)}"
        return f"{self.branch} {date_text(self.date, 'SHORT_DATE_FORMAT')} {hours} {self.category}"


class CalendarCoverage(models.Model):
    """The dates a library's day-level calendar covers: there, a date without hours is closed,
    and the weekly pattern does not apply."""

    branch = models.ForeignKey(
        Branch,
        on_delete=models.CASCADE,
        related_name="calendar_coverage",
        verbose_name=_("library"),
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    source = models.CharField(_("source"), max_length=500, blank=True)
    synced_at = models.DateTimeField(_("synced"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar coverage")
        verbose_name_plural = _("calendar coverage")
        ordering = ["branch", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="calendar_coverage_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.branch} {self.start_date}–{self.end_date}"


# The outbox and the status e-mail subscriptions live in their own module (core/mail).
from bibliotal.core.mail.models import OutboxMessage, StatusSubscription  # noqa: E402, F401
