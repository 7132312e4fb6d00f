"""Danmarks Statistik's published figures (Statbank) and each organisation's choice of peer
municipalities to compare itself with."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bibliotal.core.models import Organisation
from bibliotal.reports import municipalities


class StatbankFigure(models.Model):
    """One published figure of a Statbank table for an area and a year, as Danmarks Statistik
    writes it. The figures fetched from the Statbank API are public (CC BY 4.0) and the same for
    every organisation, so they are kept once (no organisation); a file a manager uploads is kept
    for her organisation alone and, for the same figure, wins over the fetched one there, so no
    upload can change another organisation's comparison. ``source`` and ``fetched_at`` say where
    and when each came from. A figure Danmarks Statistik does not publish (".." in its files) is
    kept with no value, so that a missing figure is never shown as 0; its sign of nil ("-") is
    kept as 0."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by organisation"),
        help_text=_("Empty: fetched from Danmarks Statistik's API and shared by all."),
    )
    table = models.CharField(_("Statbank table"), max_length=20)
    area_code = models.CharField(_("area code"), max_length=3)
    area_name = models.CharField(_("area"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    measure = models.CharField(
        _("measure"),
        max_length=300,
        help_text=_("The table's other variables as Danmarks Statistik writes them."),
    )
    dimensions = models.JSONField(_("variables"), default=dict, blank=True)
    period = models.CharField(
        _("period"), max_length=30, help_text=_("As published: 2021, 2021K1, or 2021K1–2021K4.")
    )
    value = models.DecimalField(
        _("value"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: Danmarks Statistik publishes no figure."),
    )
    source = models.CharField(_("source"), max_length=500, blank=True)
    fetched_at = models.DateTimeField(_("fetched"), default=timezone.now)

    class Meta:
        verbose_name = _("Statbank figure")
        verbose_name_plural = _("Statbank figures")
        ordering = ["table", "area_code", "year", "measure"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "area_code", "year", "measure"],
                condition=models.Q(organisation__isnull=True),
                name="statbank_figure_once",
            ),
            models.UniqueConstraint(
                fields=["organisation", "table", "area_code", "year", "measure"],
                condition=models.Q(organisation__isnull=False),
                name="statbank_uploaded_figure_once",
            ),
        ]
        indexes = [models.Index(fields=["table", "year"])]

    def __str__(self) -> str:
        return f"{self.table} {self.area_name} {self.year} {self.measure}: {self.value}"


def validate_peers(value) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("The peers are a list of municipality codes."))
    unknown = [code for code in value if not municipalities.is_municipality(code)]
    if unknown:
        raise ValidationError(
            _("Not a municipality code: %(codes)s.") % {"codes": ", ".join(unknown)}
        )


class ComparisonSettings(models.Model):
    """The municipalities an organisation compares itself with (its "peers")."""

    MAX_PEERS = 8

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.CASCADE,
        related_name="comparison_settings",
        verbose_name=_("organisation"),
    )
    peers = models.JSONField(
        _("comparable municipalities"),
        default=list,
        blank=True,
        validators=[validate_peers],
        help_text=_("Danmarks Statistik's three-digit municipality codes."),
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("comparison settings")
        verbose_name_plural = _("comparison settings")

    def __str__(self) -> str:
        return f"{self.organisation}: {', '.join(self.peers)}"


def peers_of(organisation) -> list[str]:
    settings = ComparisonSettings.objects.filter(organisation=organisation).first()
    own = organisation.municipality_code
    return [code for code in (settings.peers if settings else []) if code != own]
