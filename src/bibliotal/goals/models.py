"""Budget goals: the municipality's document, its focus areas and the measurable targets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bibliotal.core.models import Branch, Organisation
from bibliotal.goals import indicators


class BudgetYear(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="budget_years",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    published_at = models.DateTimeField(
        _("published"),
        null=True,
        blank=True,
        help_text=_(
            "Empty: the year is not published. Published: anyone can read how the goals are "
            "going on the organisation's public page, without logging in."
        ),
    )

    class Meta:
        verbose_name = _("budget year")
        verbose_name_plural = _("budget years")
        ordering = ["organisation", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="one_budget_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.year}"


class BudgetDocument(models.Model):
    """A goal document as imported, kept verbatim with its fingerprint."""

    budget_year = models.ForeignKey(
        BudgetYear,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("budget year"),
    )
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("fingerprint"), max_length=64)
    text = models.TextField(_("text"))
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )

    class Meta:
        verbose_name = _("budget document")
        verbose_name_plural = _("budget documents")
        ordering = ["-imported_at"]
        constraints = [
            models.UniqueConstraint(fields=["budget_year", "sha256"], name="document_once")
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.budget_year.year})"


class FocusArea(models.Model):
    """A focus area in the document's own words."""

    budget_year = models.ForeignKey(
        BudgetYear,
        on_delete=models.CASCADE,
        related_name="focus_areas",
        verbose_name=_("budget year"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    service_area = models.CharField(_("service area"), max_length=200, blank=True)
    title = models.TextField(_("focus area"))
    challenge = models.TextField(_("challenge"), blank=True)
    goal_text = models.TextField(_("goal"), blank=True)
    ways = models.TextField(_("ways to the goal"), blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # The sentences of the goal document a manager left out on the review page: not proposed as
    # targets again when a changed document is imported, unless the manager takes them in.
    left_out = models.JSONField(_("sentences left out"), default=list, blank=True)

    class Meta:
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        ordering = ["budget_year", "position", "pk"]

    def __str__(self) -> str:
        return self.title[:120]


class Target(models.Model):
    """One measurable target (or a qualitative goal that still needs one)."""

    class Kind(models.TextChoices):
        AT_LEAST = "at_least", _("At least")
        AT_MOST = "at_most", _("At most")
        INCREASE = "increase", _("Increase versus a baseline year")
        INCREASE_PERCENT = "increase_percent", _("Increase by a percentage versus a baseline year")
        QUALITATIVE = "qualitative", _("Qualitative (needs a target)")

    class Scope(models.TextChoices):
        ALL = "all", _("All libraries")
        BRANCHES = "branches", _("Chosen libraries")
        AREA_TYPE = "area_type", _("An area type")

    class Measure(models.TextChoices):
        ATTENDANCES = indicators.ATTENDANCES, _("Attendances")
        UNIQUE = indicators.UNIQUE, _("Unique")

    class Normalisation(models.TextChoices):
        NONE = "none", _("None (totals)")
        PER_OPEN_DAY = "per_open_day", _("Per open day")
        PER_1000 = "per_1000", _("Per 1,000 inhabitants")

    class Status(models.TextChoices):
        ACHIEVED = "achieved", _("Achieved")
        NOT_ACHIEVED = "not_achieved", _("Not achieved")
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        OFF_TRACK = "off_track", _("Off track")
        NO_DATA = "no_data", _("No data")

    focus_area = models.ForeignKey(
        FocusArea, on_delete=models.CASCADE, related_name="targets", verbose_name=_("focus area")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    source_text = models.TextField(
        _("wording in the document"),
        blank=True,
        help_text=_("The sentence of the document the target was read from."),
    )
    indicator = models.CharField(_("indicator"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The number to reach (at least) or stay under (at most)."),
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    percent = models.DecimalField(
        _("percentage"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    period_start = models.DateField(
        _("period from"), null=True, blank=True, help_text=_("Empty: 1 January of the budget year.")
    )
    period_end = models.DateField(
        _("period to"), null=True, blank=True, help_text=_("Empty: 31 December of the budget year.")
    )
    measure = models.CharField(
        _("measure"), max_length=20, choices=Measure.choices, default=Measure.ATTENDANCES
    )
    normalisation = models.CharField(
        _("comparison"), max_length=20, choices=Normalisation.choices, default=Normalisation.NONE
    )
    scope = models.CharField(
        _("libraries"), max_length=20, choices=Scope.choices, default=Scope.ALL
    )
    branches = models.ManyToManyField(
        Branch, blank=True, related_name="+", verbose_name=_("chosen libraries")
    )
    area_type = models.CharField(
        _("area type"), max_length=20, blank=True, choices=Branch.AreaType.choices
    )
    comment = models.TextField(_("comment"), blank=True)
    comment_public = models.BooleanField(
        _("show the comment on the public page"),
        default=False,
        help_text=_(
            "The comment is shown to citizens on the public goals page once the year is "
            "published. Leave it unticked for comments meant for the committee only."
        ),
    )
    status_override = models.CharField(
        _("status set by hand"), max_length=20, blank=True, choices=Status.choices
    )
    override_reason = models.TextField(_("reason for the status"), blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["focus_area", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__isnull=True)
                | models.Q(period_start__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
                name="target_period_ordered",
            )
        ]

    def __str__(self) -> str:
        if self.is_qualitative:
            return self.source_text[:120]
        return f"{self.indicator_name}: {self.describe()}"

    @property
    def is_qualitative(self) -> bool:
        return self.kind == self.Kind.QUALITATIVE

    @property
    def indicator_object(self):
        try:
            return indicators.get(self.indicator)
        except KeyError:
            return None

    @property
    def indicator_name(self) -> str:
        found = self.indicator_object
        return str(found.name) if found else self.indicator

    @property
    def year(self) -> int:
        return self.focus_area.budget_year.year

    def period(self) -> tuple[date, date]:
        year = self.year
        return (self.period_start or date(year, 1, 1), self.period_end or date(year, 12, 31))

    def describe(self) -> str:
        from django.utils.formats import number_format

        def number(value: Decimal | None) -> str:
            if value is None:
                return "?"
            value = Decimal(str(value))  # an unsaved target may still hold an int or float
            decimals = 0 if value == value.to_integral_value() else 2
            return number_format(value, decimal_pos=decimals, force_grouping=True)

        if self.kind == self.Kind.AT_LEAST:
            return _("at least %(n)s") % {"n": number(self.threshold)}
        if self.kind == self.Kind.AT_MOST:
            return _("at most %(n)s") % {"n": number(self.threshold)}
        if self.kind == self.Kind.INCREASE:
            return _("more than in %(year)s") % {"year": self.baseline_year}
        if self.kind == self.Kind.INCREASE_PERCENT:
            return _("%(p)s %% more than in %(year)s") % {
                "p": number(self.percent),
                "year": self.baseline_year,
            }
        return str(self.Kind.QUALITATIVE.label)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind != self.Kind.QUALITATIVE:
            indicator = self.indicator_object
            if indicator is None:
                errors["indicator"] = _("Choose an indicator for a measurable target.")
            elif self.measure not in indicator.measures:
                errors["measure"] = _("%(indicator)s cannot be measured as %(measure)s.") % {
                    "indicator": indicator.name,
                    "measure": self.get_measure_display(),
                }
        needs_threshold = self.kind in {self.Kind.AT_LEAST, self.Kind.AT_MOST}
        if needs_threshold and (self.threshold is None or self.threshold < 0):
            errors["threshold"] = _("Give the number to reach, zero or more.")
        if self.kind in {self.Kind.INCREASE, self.Kind.INCREASE_PERCENT}:
            if self.baseline_year is None:
                errors["baseline_year"] = _("Give the year to compare with.")
            elif self.focus_area_id and self.baseline_year >= self.year:
                errors["baseline_year"] = _("The baseline year must come before %(year)s.") % {
                    "year": self.year
                }
        if self.kind == self.Kind.INCREASE_PERCENT and (self.percent is None or self.percent <= 0):
            errors["percent"] = _("Give a percentage above zero.")
        if self.scope == self.Scope.AREA_TYPE and not self.area_type:
            errors["area_type"] = _("Choose the area type.")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The end cannot come before the start.")
        if self.status_override and not self.override_reason.strip():
            errors["override_reason"] = _("Say why the status is set by hand.")
        if errors:
            raise ValidationError(errors)


class GoalSettings(models.Model):
    """How strict the status words are, per organisation."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="goal_settings",
        verbose_name=_("organisation"),
    )
    at_risk_ratio = models.DecimalField(
        _("at risk from"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.95"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("1"))],
        help_text=_(
            "A forecast at this share of the target or more is 'at risk' rather than "
            "'off track' (0.95 = 95 %)."
        ),
    )

    word_achieved = models.CharField(
        _("word for achieved"), max_length=60, blank=True, help_text=_("Empty: “Achieved”.")
    )
    word_not_achieved = models.CharField(
        _("word for not achieved"),
        max_length=60,
        blank=True,
        help_text=_("Empty: “Not achieved”. Used once the period is over and the target missed."),
    )
    word_on_track = models.CharField(
        _("word for on track"), max_length=60, blank=True, help_text=_("Empty: “On track”.")
    )
    word_at_risk = models.CharField(
        _("word for at risk"), max_length=60, blank=True, help_text=_("Empty: “At risk”.")
    )
    word_off_track = models.CharField(
        _("word for off track"), max_length=60, blank=True, help_text=_("Empty: “Off track”.")
    )
    word_no_data = models.CharField(
        _("word for no data"), max_length=60, blank=True, help_text=_("Empty: “No data”.")
    )

    class Meta:
        verbose_name = _("goal settings")
        verbose_name_plural = _("goal settings")

    def __str__(self) -> str:
        return str(self.organisation)

    def status_word(self, status: str) -> str:
        """The organisation's own word for a status (its follow-up reports use them)."""
        return status_word(status, self)


def status_word(status: str, settings: GoalSettings | None = None) -> str:
    own = getattr(settings, f"word_{status}", "") if settings is not None else ""
    if own:
        return own
    try:
        return str(Target.Status(status).label)
    except ValueError:
        return status
