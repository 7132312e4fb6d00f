"""Teaching (undervisning) for schools and youth education: institutions, the course catalogue,
bookings from teachers and the sessions taught with the pupils present."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bibliotal.core.models import Branch, Organisation
from bibliotal.core.text import danish_slugify


class GradeLevel(models.TextChoices):
    G0 = "0", _("0. klasse")
    G1 = "1", _("1. klasse")
    G2 = "2", _("2. klasse")
    G3 = "3", _("3. klasse")
    G4 = "4", _("4. klasse")
    G5 = "5", _("5. klasse")
    G6 = "6", _("6. klasse")
    G7 = "7", _("7. klasse")
    G8 = "8", _("8. klasse")
    G9 = "9", _("9. klasse")
    G10 = "10", _("10. klasse")
    YOUTH = "youth", _("Youth education (gymnasium, HF, EUD …)")


def class_label(school: str, class_name: str, grade: str = "") -> str:
    """A class for people: "Aulum-Hodsager Skole, 8.a", the class as the teacher wrote it;
    the grade level's name ("8. klasse") where no class is written, never its code."""
    what = " ".join((class_name or "").split())
    if not what and grade:
        what = str(dict(GradeLevel.choices).get(grade, ""))
    return ", ".join(part for part in ((school or "").strip(), what) if part)


class Institution(models.Model):
    class Kind(models.TextChoices):
        FOLKESKOLE = "folkeskole", _("Folkeskole")
        FRISKOLE = "friskole", _("Friskole or private school")
        EFTERSKOLE = "efterskole", _("Efterskole")
        GYMNASIUM = "gymnasium", _("Gymnasium")
        HF = "hf", _("HF")
        EUD = "eud", _("EUD (vocational)")
        TENTH = "10_klasse", _("10. klasse centre")
        OTHER = "other", _("Other")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="institutions",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    area_type = models.CharField(
        _("area type"), max_length=20, blank=True, choices=Branch.AreaType.choices
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="institution_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    """A teaching course (forløb) in the catalogue."""

    class Theme(models.TextChoices):
        DIGITAL = "digital", _("Digital competences")
        LITERATURE = "literature", _("Literature and reading")
        OTHER = "other", _("Other")

    class Place(models.TextChoices):
        LIBRARY = "library", _("At the library")
        SCHOOL = "school", _("At the school")
        ONLINE = "online", _("Online")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="courses",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)
    grade_levels = models.JSONField(_("grade levels"), default=list)
    description = models.TextField(_("description"), blank=True)
    learning_goals = models.TextField(_("learning goals"), blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"),
        default=90,
        validators=[MinValueValidator(15), MaxValueValidator(600)],
    )
    sessions = models.PositiveSmallIntegerField(
        _("sessions per class"), default=1, validators=[MinValueValidator(1)]
    )
    place = models.CharField(
        _("place"), max_length=10, choices=Place.choices, default=Place.LIBRARY
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("library"),
    )
    capacity = models.PositiveIntegerField(_("pupils at most"), default=30)
    active_from = models.DateField(_("offered from"), null=True, blank=True)
    active_to = models.DateField(_("offered until"), null=True, blank=True)
    published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("Teachers can see and book it on the public page."),
    )
    contact_email = models.EmailField(
        _("team e-mail"), blank=True, help_text=_("New bookings are sent here.")
    )
    contact_phone = models.CharField(
        _("team telephone"),
        max_length=30,
        blank=True,
        help_text=_("Given to the teacher in the confirmation, for questions and changes."),
    )

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["organisation", "title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = free_slug(self.title, exclude=self.pk)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        unknown = [g for g in self.grade_levels or [] if g not in GradeLevel.values]
        if unknown:
            errors["grade_levels"] = _("Unknown grade levels: %(list)s.") % {
                "list": ", ".join(map(str, unknown))
            }
        if not self.grade_levels:
            errors["grade_levels"] = _("Choose at least one grade level.")
        if self.place == self.Place.LIBRARY and not self.branch_id:
            errors["branch"] = _("Choose the library where the course takes place.")
        if self.active_from and self.active_to and self.active_to < self.active_from:
            errors["active_to"] = _("The end cannot come before the start.")
        if errors:
            raise ValidationError(errors)

    def grade_labels(self) -> list[str]:
        labels = dict(GradeLevel.choices)
        return [str(labels.get(g, g)) for g in self.grade_levels]

    def is_offered_on(self, day) -> bool:
        return (self.active_from is None or self.active_from <= day) and (
            self.active_to is None or day <= self.active_to
        )


def free_slug(title: str, *, exclude: int | None = None) -> str:
    """A course's address from its title with æ, ø and å written ae, oe and aa
    ("informationssoegning-paa-nettet"), numbered when taken; never an address a course had
    before (its old links lead to that course)."""
    base = danish_slugify(title)[:70] or "forloeb"
    slug, number = base, 2
    while (
        Course.objects.filter(slug=slug).exclude(pk=exclude).exists()
        or CourseAddress.objects.filter(slug=slug).exclude(course_id=exclude).exists()
    ):
        slug, number = f"{base}-{number}", number + 1
    return slug


class CourseAddress(models.Model):
    """An address a course had before: its old links answer with a permanent redirect."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="former_addresses", verbose_name=_("course")
    )
    slug = models.SlugField(_("address"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("former course address")
        verbose_name_plural = _("former course addresses")

    def __str__(self) -> str:
        return self.slug


class Booking(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ACCEPTED = "accepted", _("Accepted")
        PROPOSED = "proposed", _("Another time proposed")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("course")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("school"),
    )
    institution_name = models.CharField(_("school (not in the list)"), max_length=200, blank=True)
    class_name = models.CharField(_("class"), max_length=40, help_text=_("For example 7.b."))
    grade = models.CharField(_("grade level"), max_length=10, choices=GradeLevel.choices)
    expected_pupils = models.PositiveIntegerField(
        _("expected pupils"), validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    teacher_name = models.CharField(_("teacher's name"), max_length=100, blank=True)
    teacher_email = models.EmailField(_("teacher's work e-mail"), blank=True)
    wished_dates = models.TextField(_("wished dates"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    scheduled_at = models.DateTimeField(_("agreed or proposed time"), null=True, blank=True)
    staff_note = models.TextField(_("message to the teacher"), blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    contact_deleted_at = models.DateTimeField(_("contact data deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.course}: {self.class_label}"

    @property
    def school_name(self) -> str:
        return self.institution.name if self.institution_id else self.institution_name

    @property
    def class_label(self) -> str:
        return class_label(self.school_name, self.class_name, self.grade)


class TeachingSession(models.Model):
    """A session taught: the pupils present count as attendances; a class that comes to several
    sessions of one course counts once as unique pupils."""

    course = models.ForeignKey(
        Course,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="taught",
        verbose_name=_("course"),
    )
    booking = models.ForeignKey(
        Booking,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="taught",
        verbose_name=_("booking"),
    )
    day = models.DateField(_("date"))
    start_time = models.TimeField(_("starts"), null=True, blank=True)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible library")
    )
    place = models.CharField(
        _("place"), max_length=10, choices=Course.Place.choices, default=Course.Place.LIBRARY
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("school"),
    )
    class_name = models.CharField(_("class"), max_length=40, blank=True)
    grade = models.CharField(_("grade level"), max_length=10, choices=GradeLevel.choices)
    theme = models.CharField(_("theme"), max_length=20, choices=Course.Theme.choices)
    pupils_present = models.PositiveIntegerField(
        _("pupils present"), validators=[MaxValueValidator(500)]
    )
    teachers_present = models.PositiveSmallIntegerField(_("teachers present"), default=1)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("taught by")
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )

    class Meta:
        verbose_name = _("session taught")
        verbose_name_plural = _("sessions taught")
        ordering = ["-day", "start_time"]
        indexes = [models.Index(fields=["branch", "day"])]

    def __str__(self) -> str:
        what = self.course.title if self.course_id else self.get_theme_display()
        return f"{self.day} {what} ({self.pupils_present})"

    @property
    def class_label(self) -> str:
        return class_label(
            self.institution.name if self.institution_id else "", self.class_name, self.grade
        )

    @property
    def class_key(self) -> tuple:
        """Who 'the same class' is, for unique pupils: course, school, class name, grade."""
        return (self.course_id, self.institution_id, self.class_name.strip().lower(), self.grade)


class BookingAttempt(models.Model):
    """A public booking, kept for an hour to limit floods: only keyed hashes, never the address
    or e-mail themselves."""

    address_hash = models.CharField(max_length=64, db_index=True)
    email_hash = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("booking attempt")
        verbose_name_plural = _("booking attempts")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}"
